/*
 * Zero-allocation JSON: a size-first writer for the request payloads and a
 * bounded, non-recursive reader for replies. See json.h.
 *
 * The reader is built on one scanner, scan_value(), which walks any value
 * iteratively with a bit stack (1 = object, 0 = array) so that nesting costs
 * one bit, not a stack frame; LTUYA_JSON_MAX_DEPTH bounds it.
 */
#include "ltuya/json.h"

#include <string.h>

/* ======================================================================
 * Writer
 * ====================================================================== */

void ltuya_jw_init(ltuya_jw_t *w, char *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->depth = 0;
    w->first = 1; /* depth 0: the top-level value needs no comma */
}

ltuya_status_t ltuya_jw_finish(const ltuya_jw_t *w, size_t *len)
{
    *len = w->len;
    return w->len <= w->cap ? LTUYA_OK : LTUYA_ERR_BUF_TOO_SMALL;
}

static void put(ltuya_jw_t *w, const char *s, size_t n)
{
    if (w->len < w->cap) {
        size_t room = w->cap - w->len;
        memcpy(w->buf + w->len, s, n < room ? n : room);
    }
    w->len += n;
}

static void putc_(ltuya_jw_t *w, char c)
{
    put(w, &c, 1);
}

/* Comma before every element but the first at this depth. */
static void separate(ltuya_jw_t *w)
{
    uint32_t bit = 1u << (w->depth & 31);
    if (w->first & bit)
        w->first &= ~bit;
    else
        putc_(w, ',');
}

static void open_(ltuya_jw_t *w, char c)
{
    separate(w);
    putc_(w, c);
    w->depth++;
    w->first |= 1u << (w->depth & 31);
}

static void close_(ltuya_jw_t *w, char c)
{
    if (w->depth)
        w->depth--;
    putc_(w, c);
}

void ltuya_jw_obj_begin(ltuya_jw_t *w)
{
    open_(w, '{');
}
void ltuya_jw_obj_end(ltuya_jw_t *w)
{
    close_(w, '}');
}
void ltuya_jw_arr_begin(ltuya_jw_t *w)
{
    open_(w, '[');
}
void ltuya_jw_arr_end(ltuya_jw_t *w)
{
    close_(w, ']');
}

static void put_escaped(ltuya_jw_t *w, const char *s, size_t n)
{
    /* the characters with a short escape, and the letter of each */
    static const char plain[] = "\"\\\n\r\t\b\f", letter[] = "\"\\nrtbf";
    static const char hex[] = "0123456789abcdef";
    putc_(w, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *e = c ? strchr(plain, c) : NULL;
        char u[6] = {'\\', e ? letter[e - plain] : 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (e)
            put(w, u, 2);
        else if (c < 0x20)
            put(w, u, 6);
        else
            putc_(w, (char)c);
    }
    putc_(w, '"');
}

void ltuya_jw_key(ltuya_jw_t *w, const char *key)
{
    separate(w);
    put_escaped(w, key, strlen(key));
    putc_(w, ':');
    /* the value that follows needs no comma */
    w->first |= 1u << (w->depth & 31);
}

void ltuya_jw_str(ltuya_jw_t *w, const char *s, size_t len)
{
    separate(w);
    put_escaped(w, s, len);
}

/* m / 10, remainder returned, in 16-bit steps so that 32-bit targets need
 * no libgcc 64-bit division (each step divides a number below 10 * 2^16). */
static unsigned div10(uint64_t *m)
{
    uint64_t q = 0;
    uint32_t r = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t cur = r << 16 | (uint32_t)(*m >> shift & 0xffff);
        q |= (uint64_t)(cur / 10) << shift;
        r = cur % 10;
    }
    *m = q;
    return r;
}

static size_t format_int(char *out, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    /* work on the magnitude as unsigned so INT64_MIN does not overflow */
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do
        tmp[n++] = (char)('0' + div10(&m));
    while (m);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    while (n)
        out[o++] = tmp[--n];
    return o;
}

void ltuya_jw_int(ltuya_jw_t *w, int64_t v)
{
    char num[24];
    separate(w);
    put(w, num, format_int(num, v));
}

void ltuya_jw_int_str(ltuya_jw_t *w, int64_t v)
{
    char num[24];
    separate(w);
    putc_(w, '"');
    put(w, num, format_int(num, v));
    putc_(w, '"');
}

void ltuya_jw_bool(ltuya_jw_t *w, bool v)
{
    separate(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void ltuya_jw_null(ltuya_jw_t *w)
{
    separate(w);
    put(w, "null", 4);
}

void ltuya_jw_raw(ltuya_jw_t *w, const char *json, size_t len)
{
    separate(w);
    put(w, json, len);
}

void ltuya_jw_dp_value(ltuya_jw_t *w, const ltuya_dp_t *dp)
{
    switch (dp->type) {
    case LTUYA_DP_BOOL:
        ltuya_jw_bool(w, dp->b);
        break;
    case LTUYA_DP_INT:
        ltuya_jw_int(w, dp->i);
        break;
    case LTUYA_DP_STR:
        if (dp->escaped) {
            separate(w);
            putc_(w, '"');
            put(w, dp->str.ptr, dp->str.len);
            putc_(w, '"');
        } else {
            ltuya_jw_str(w, dp->str.ptr, dp->str.len);
        }
        break;
    case LTUYA_DP_RAW:
        ltuya_jw_raw(w, dp->str.ptr, dp->str.len);
        break;
    default:
        ltuya_jw_null(w);
        break;
    }
}

static void dp_key(ltuya_jw_t *w, uint16_t id)
{
    char num[8];
    size_t n = format_int(num, id);
    num[n] = 0;
    ltuya_jw_key(w, num);
}

static void put_dps(ltuya_jw_t *w, const ltuya_dp_t *dps, size_t n)
{
    ltuya_jw_key(w, "dps");
    ltuya_jw_obj_begin(w);
    for (size_t i = 0; i < n; i++) {
        dp_key(w, dps[i].id);
        ltuya_jw_dp_value(w, &dps[i]);
    }
    ltuya_jw_obj_end(w);
}

static void key_str(ltuya_jw_t *w, const char *key, const char *val)
{
    ltuya_jw_key(w, key);
    ltuya_jw_str(w, val, strlen(val));
}

static bool is_new_protocol(ltuya_version_t v)
{
    return v >= LTUYA_V34;
}

void ltuya_json_query(ltuya_jw_t *w, ltuya_version_t v, const char *dev_id, const char *cid,
                      int64_t t)
{
    ltuya_jw_obj_begin(w);
    if (cid) {
        key_str(w, "cid", cid);
        if (!is_new_protocol(v)) {
            ltuya_jw_key(w, "t");
            ltuya_jw_int(w, t);
        }
    } else if (!is_new_protocol(v)) {
        key_str(w, "gwId", dev_id);
        key_str(w, "devId", dev_id);
        key_str(w, "uid", dev_id);
        ltuya_jw_key(w, "t");
        ltuya_jw_int_str(w, t);
    }
    ltuya_jw_obj_end(w);
}

void ltuya_json_control(ltuya_jw_t *w, ltuya_version_t v, const char *dev_id, const char *cid,
                        int64_t t, const ltuya_dp_t *dps, size_t n)
{
    ltuya_jw_obj_begin(w);
    if (is_new_protocol(v)) {
        ltuya_jw_key(w, "protocol");
        ltuya_jw_int(w, 5);
        ltuya_jw_key(w, "t");
        ltuya_jw_int(w, t);
        ltuya_jw_key(w, "data");
        ltuya_jw_obj_begin(w);
        if (cid) {
            key_str(w, "cid", cid);
            ltuya_jw_key(w, "ctype");
            ltuya_jw_int(w, 0);
        }
        put_dps(w, dps, n);
        ltuya_jw_obj_end(w);
        if (cid)
            key_str(w, "cid", cid);
    } else if (cid) {
        ltuya_jw_key(w, "t");
        ltuya_jw_int(w, t);
        key_str(w, "cid", cid);
        put_dps(w, dps, n);
    } else {
        key_str(w, "devId", dev_id);
        key_str(w, "uid", dev_id);
        ltuya_jw_key(w, "t");
        ltuya_jw_int_str(w, t);
        put_dps(w, dps, n);
    }
    ltuya_jw_obj_end(w);
}

void ltuya_json_device22_query(ltuya_jw_t *w, const char *dev_id, int64_t t, const uint16_t *ids,
                               size_t n)
{
    ltuya_jw_obj_begin(w);
    key_str(w, "devId", dev_id);
    key_str(w, "uid", dev_id);
    ltuya_jw_key(w, "t");
    ltuya_jw_int_str(w, t);
    ltuya_jw_key(w, "dps");
    ltuya_jw_obj_begin(w);
    for (size_t i = 0; i < n; i++) {
        dp_key(w, ids[i]);
        ltuya_jw_null(w);
    }
    ltuya_jw_obj_end(w);
    ltuya_jw_obj_end(w);
}

void ltuya_json_refresh(ltuya_jw_t *w, const uint16_t *ids, size_t n)
{
    ltuya_jw_obj_begin(w);
    ltuya_jw_key(w, "dpId");
    ltuya_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        ltuya_jw_int(w, ids[i]);
    ltuya_jw_arr_end(w);
    ltuya_jw_obj_end(w);
}

void ltuya_json_heartbeat(ltuya_jw_t *w, const char *dev_id)
{
    ltuya_jw_obj_begin(w);
    key_str(w, "gwId", dev_id);
    key_str(w, "devId", dev_id);
    ltuya_jw_obj_end(w);
}

void ltuya_json_discovery_request(ltuya_jw_t *w, const char *ip)
{
    ltuya_jw_obj_begin(w);
    key_str(w, "from", "app");
    key_str(w, "ip", ip);
    ltuya_jw_obj_end(w);
}

/* ======================================================================
 * Reader
 * ====================================================================== */

static size_t skip_ws(const char *s, size_t len, size_t pos)
{
    while (pos < len && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
        pos++;
    return pos;
}

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* s[pos] is '"'; on success *end is one past the closing quote. */
static ltuya_status_t scan_string(const char *s, size_t len, size_t pos, size_t *end)
{
    pos++;
    while (pos < len) {
        unsigned char c = (unsigned char)s[pos];
        if (c == '"') {
            *end = pos + 1;
            return LTUYA_OK;
        }
        if (c < 0x20)
            return LTUYA_ERR_MALFORMED_JSON;
        if (c != '\\') {
            pos++;
            continue;
        }
        if (pos + 1 >= len)
            return LTUYA_ERR_MALFORMED_JSON;
        char e = s[pos + 1];
        if (e == 'u') {
            if (pos + 6 > len)
                return LTUYA_ERR_MALFORMED_JSON;
            for (size_t k = 2; k < 6; k++)
                if (hexdigit(s[pos + k]) < 0)
                    return LTUYA_ERR_MALFORMED_JSON;
            pos += 6;
        } else if (strchr("\"\\/bfnrt", e) && e) {
            pos += 2;
        } else {
            return LTUYA_ERR_MALFORMED_JSON;
        }
    }
    return LTUYA_ERR_MALFORMED_JSON;
}

/* JSON number grammar; *is_int when there is no fraction or exponent. */
static ltuya_status_t scan_number(const char *s, size_t len, size_t pos, size_t *end, bool *is_int)
{
    size_t p = pos;
    *is_int = true;
    if (p < len && s[p] == '-')
        p++;
    if (p >= len || s[p] < '0' || s[p] > '9')
        return LTUYA_ERR_MALFORMED_JSON;
    if (s[p] == '0')
        p++;
    else
        while (p < len && s[p] >= '0' && s[p] <= '9')
            p++;
    if (p < len && s[p] == '.') {
        *is_int = false;
        p++;
        if (p >= len || s[p] < '0' || s[p] > '9')
            return LTUYA_ERR_MALFORMED_JSON;
        while (p < len && s[p] >= '0' && s[p] <= '9')
            p++;
    }
    if (p < len && (s[p] == 'e' || s[p] == 'E')) {
        *is_int = false;
        p++;
        if (p < len && (s[p] == '+' || s[p] == '-'))
            p++;
        if (p >= len || s[p] < '0' || s[p] > '9')
            return LTUYA_ERR_MALFORMED_JSON;
        while (p < len && s[p] >= '0' && s[p] <= '9')
            p++;
    }
    *end = p;
    return LTUYA_OK;
}

static bool literal(const char *s, size_t len, size_t pos, const char *lit, size_t *end)
{
    size_t n = strlen(lit);
    if (len - pos < n || memcmp(s + pos, lit, n))
        return false;
    *end = pos + n;
    return true;
}

static void dps_member(ltuya_dps_t *out, ltuya_str_t k, const char *s, size_t start, size_t end,
                       bool is_dp, bool top);

/* Scan one value starting at s[pos] (no leading whitespace); *end is one
 * past it. `depth` is the nesting the value already sits in. Iterative.
 *
 * With `out`, the same single pass also reads a status document (the value
 * is then its top-level object): the members of the top level and of
 * "data" (levels 1 and 2 of the walk) and of a "dps" object found there are
 * handed to dps_member() as they end, so nothing is scanned twice and what
 * parses is exactly what ltuya_json_validate() accepts. */
static ltuya_status_t scan_value(const char *s, size_t len, size_t pos, unsigned depth, size_t *end,
                                 ltuya_dps_t *out)
{
    uint64_t stack = 0; /* bit i: the container at relative level i is an object */
    unsigned level = 0;
    bool want_key = false;
    unsigned dps_at = 0, data_at = 0; /* levels of an open "dps" / "data" object */
    unsigned member_at = 0;           /* level of the member being read, 0: none */
    bool member_dp = false;
    ltuya_str_t key = {s, 0}, mkey = {s, 0}; /* the last key; the member's */
    size_t start = 0;
    for (;;) {
        ltuya_status_t st = LTUYA_OK;
        pos = skip_ws(s, len, pos);
        if (pos >= len)
            return LTUYA_ERR_MALFORMED_JSON;
        if (want_key) {
            size_t k = pos;
            if (s[pos] != '"' || scan_string(s, len, pos, &pos) != LTUYA_OK)
                return LTUYA_ERR_MALFORMED_JSON;
            key.ptr = s + k + 1;
            key.len = pos - k - 2;
            pos = skip_ws(s, len, pos);
            if (pos >= len || s[pos] != ':')
                return LTUYA_ERR_MALFORMED_JSON;
            pos = skip_ws(s, len, pos + 1);
            if (pos >= len)
                return LTUYA_ERR_MALFORMED_JSON;
        }
        char c = s[pos];
        bool is_int;
        if (out && want_key) {
            /* a member is always finished before the next key at its level */
            bool env = level == 1 || level == data_at;
            if (level == dps_at) {
                member_at = level, member_dp = true, start = pos, mkey = key;
            } else if (env && c == '{' && key.len == 3 && !memcmp(key.ptr, "dps", 3)) {
                /* a later "dps" replaces an earlier one: last wins, as in most parsers */
                dps_at = level + 1;
                out->count = out->dropped = 0;
                out->has_dps = true;
            } else if (level == 1 && c == '{' && key.len == 4 && !memcmp(key.ptr, "data", 4)) {
                data_at = 2;
            } else if (env) {
                member_at = level, member_dp = false, start = pos, mkey = key;
            }
        }
        if (c == '{' || c == '[') {
            if (depth + level + 1 > LTUYA_JSON_MAX_DEPTH)
                return LTUYA_ERR_JSON_TOO_DEEP;
            if (c == '{')
                stack |= (uint64_t)1 << level;
            else
                stack &= ~((uint64_t)1 << level);
            level++;
            pos = skip_ws(s, len, pos + 1);
            if (pos < len && s[pos] != (c == '{' ? '}' : ']')) {
                want_key = c == '{';
                continue; /* first element */
            }
            if (pos >= len)
                return LTUYA_ERR_MALFORMED_JSON;
            /* empty container: its closer is taken below like any other */
        } else if (c == '"') {
            st = scan_string(s, len, pos, &pos);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            st = scan_number(s, len, pos, &pos, &is_int);
        } else if (!literal(s, len, pos, "true", &pos) && !literal(s, len, pos, "false", &pos) &&
                   !literal(s, len, pos, "null", &pos)) {
            return LTUYA_ERR_MALFORMED_JSON;
        }
        if (st != LTUYA_OK)
            return st;
        /* After a value: a comma opens the next element, closers pop levels. */
        for (;;) {
            if (out && member_at == level && level) {
                dps_member(out, mkey, s, start, pos, member_dp, level == 1);
                member_at = 0;
            }
            if (level == 0) {
                *end = pos;
                return LTUYA_OK;
            }
            pos = skip_ws(s, len, pos);
            if (pos >= len)
                return LTUYA_ERR_MALFORMED_JSON;
            bool in_obj = (stack >> (level - 1)) & 1;
            if (s[pos] == ',') {
                pos++;
                want_key = in_obj;
                break;
            }
            if (s[pos] != (in_obj ? '}' : ']'))
                return LTUYA_ERR_MALFORMED_JSON;
            pos++;
            if (level == dps_at)
                dps_at = 0;
            if (level == data_at)
                data_at = 0;
            level--;
        }
    }
}

ltuya_status_t ltuya_json_validate(const char *json, size_t len)
{
    size_t pos = skip_ws(json, len, 0), end;
    ltuya_status_t st = scan_value(json, len, pos, 0, &end, NULL);
    if (st != LTUYA_OK)
        return st;
    return skip_ws(json, len, end) == len ? LTUYA_OK : LTUYA_ERR_MALFORMED_JSON;
}

/* ---- iteration ------------------------------------------------------------ */

/* An iterator sits at the start of an element (or is done, with pos one past
 * the closing bracket). Stepping is split in three so the DPS reader can
 * descend into a value instead of scanning it twice. */
static ltuya_status_t iter_open(ltuya_json_iter_t *it, const char *json, size_t len, size_t pos,
                                unsigned depth)
{
    memset(it, 0, sizeof *it);
    pos = skip_ws(json, len, pos);
    if (pos >= len || (json[pos] != '{' && json[pos] != '['))
        return LTUYA_ERR_MALFORMED_JSON;
    if (depth > LTUYA_JSON_MAX_DEPTH)
        return LTUYA_ERR_JSON_TOO_DEEP;
    it->json = json;
    it->len = len;
    it->depth = (uint8_t)depth;
    it->object = json[pos] == '{';
    pos = skip_ws(json, len, pos + 1);
    if (pos < len && json[pos] == (it->object ? '}' : ']')) {
        it->done = true;
        pos++;
    }
    it->pos = pos;
    return LTUYA_OK;
}

ltuya_status_t ltuya_json_iter_init(ltuya_json_iter_t *it, const char *json, size_t len)
{
    return iter_open(it, json, len, 0, 1);
}

/* Read a member name (objects only) and leave pos at the value. */
static ltuya_status_t iter_key(ltuya_json_iter_t *it, ltuya_str_t *key)
{
    const char *s = it->json;
    size_t len = it->len, pos = it->pos, end;
    key->ptr = s;
    key->len = 0;
    if (!it->object)
        return LTUYA_OK;
    if (pos >= len || s[pos] != '"' || scan_string(s, len, pos, &end) != LTUYA_OK)
        return LTUYA_ERR_MALFORMED_JSON;
    key->ptr = s + pos + 1;
    key->len = end - pos - 2;
    pos = skip_ws(s, len, end);
    if (pos >= len || s[pos] != ':')
        return LTUYA_ERR_MALFORMED_JSON;
    it->pos = skip_ws(s, len, pos + 1);
    return it->pos < len ? LTUYA_OK : LTUYA_ERR_MALFORMED_JSON;
}

/* After a value ending at `end`: a comma (next element) or the closer. */
static ltuya_status_t iter_after(ltuya_json_iter_t *it, size_t end)
{
    const char *s = it->json;
    size_t pos = skip_ws(s, it->len, end);
    if (pos >= it->len)
        return LTUYA_ERR_MALFORMED_JSON;
    if (s[pos] == ',') {
        it->pos = skip_ws(s, it->len, pos + 1);
        return LTUYA_OK;
    }
    if (s[pos] != (it->object ? '}' : ']'))
        return LTUYA_ERR_MALFORMED_JSON;
    it->done = true;
    it->pos = pos + 1;
    return LTUYA_OK;
}

static ltuya_str_t value_view(const char *s, size_t start, size_t end, bool *is_string)
{
    ltuya_str_t v;
    bool str = s[start] == '"';
    if (is_string)
        *is_string = str;
    v.ptr = s + start + (str ? 1 : 0);
    v.len = end - start - (str ? 2 : 0);
    return v;
}

/* Scan the value at pos and step past it. */
static ltuya_status_t iter_value(ltuya_json_iter_t *it, ltuya_str_t *value, bool *is_string)
{
    size_t end;
    ltuya_status_t st = scan_value(it->json, it->len, it->pos, it->depth, &end, NULL);
    if (st != LTUYA_OK)
        return st;
    ltuya_str_t v = value_view(it->json, it->pos, end, is_string);
    if (value)
        *value = v;
    return iter_after(it, end);
}

ltuya_status_t ltuya_json_iter_next(ltuya_json_iter_t *it, ltuya_str_t *key, ltuya_str_t *value,
                                    bool *is_string)
{
    ltuya_str_t k;
    if (it->done) {
        /* A public iterator covers the whole text it was given, so anything
         * but whitespace after the closing bracket is garbage, reported at
         * the end rather than hidden behind a clean LTUYA_ERR_NOT_FOUND. */
        return skip_ws(it->json, it->len, it->pos) == it->len ? LTUYA_ERR_NOT_FOUND
                                                              : LTUYA_ERR_MALFORMED_JSON;
    }
    ltuya_status_t st = iter_key(it, &k);
    if (st == LTUYA_OK) {
        if (key)
            *key = k;
        st = iter_value(it, value, is_string);
    }
    if (st != LTUYA_OK) {
        /* Park at the end so that calling again keeps failing: resuming
         * from mid-element could otherwise mis-read a value as a key and
         * return a bogus LTUYA_OK. */
        it->pos = it->len;
        it->done = false;
    }
    return st;
}

static bool key_is(ltuya_str_t k, const char *lit)
{
    size_t n = strlen(lit);
    return k.len == n && !memcmp(k.ptr, lit, n);
}

ltuya_status_t ltuya_json_get(const char *json, size_t len, const char *key, ltuya_str_t *value,
                              bool *is_string)
{
    ltuya_json_iter_t it;
    ltuya_str_t k, v;
    bool str;
    ltuya_status_t st = ltuya_json_iter_init(&it, json, len);
    if (st != LTUYA_OK)
        return st;
    if (!it.object)
        return LTUYA_ERR_NOT_FOUND;
    while ((st = ltuya_json_iter_next(&it, &k, &v, &str)) == LTUYA_OK) {
        if (key_is(k, key)) {
            if (value)
                *value = v;
            if (is_string)
                *is_string = str;
            return LTUYA_OK;
        }
    }
    return st;
}

/* ---- DPS ----------------------------------------------------------------- */

static bool parse_int64(ltuya_str_t v, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t m = 0;
    if (v.len && v.ptr[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i >= v.len)
        return false;
    for (; i < v.len; i++) {
        char c = v.ptr[i];
        if (c < '0' || c > '9')
            return false;
        unsigned d = (unsigned)(c - '0');
        /* constants only: no 64-bit division at run time */
        if (m > UINT64_MAX / 10 || (m == UINT64_MAX / 10 && d > UINT64_MAX % 10))
            return false;
        m = m * 10 + d;
    }
    if (neg) {
        if (m > (uint64_t)INT64_MAX + 1)
            return false;
        *out = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)m;
    }
    return true;
}

/* v is a value the scanner accepted: its first character tells a literal. */
static void classify(ltuya_dp_t *dp, ltuya_str_t v, bool is_str)
{
    int64_t i;
    dp->str = v;
    if (is_str) {
        dp->type = LTUYA_DP_STR;
        dp->escaped = true;
    } else if (v.ptr[0] == 't' || v.ptr[0] == 'f') {
        dp->type = LTUYA_DP_BOOL;
        dp->b = v.ptr[0] == 't';
    } else if (v.ptr[0] == 'n') {
        dp->type = LTUYA_DP_NULL;
    } else if (parse_int64(v, &i)) {
        dp->type = LTUYA_DP_INT;
        dp->i = i;
    } else {
        dp->type = LTUYA_DP_RAW; /* objects, arrays, floats, huge integers */
    }
}

static void read_t(ltuya_str_t v, ltuya_dps_t *out)
{
    int64_t t;
    if (parse_int64(v, &t)) {
        out->t = t;
        out->has_t = true;
    }
}

/* One member that has just ended: a DP of the "dps" object, or a member of
 * the top level (top) or of "data" whose value spans s[start, end). */
static void dps_member(ltuya_dps_t *out, ltuya_str_t k, const char *s, size_t start, size_t end,
                       bool is_dp, bool top)
{
    bool str;
    ltuya_str_t v = value_view(s, start, end, &str);
    if (is_dp) {
        int64_t id;
        if (!parse_int64(k, &id) || id < 1 || id > 65535 || k.ptr[0] == '0' ||
            out->count >= LTUYA_MAX_DPS) {
            out->dropped++;
            return;
        }
        ltuya_dp_t *dp = &out->dp[out->count++];
        memset(dp, 0, sizeof *dp);
        dp->id = (uint16_t)id;
        classify(dp, v, str);
    } else if (key_is(k, "cid") && str) {
        out->cid = v;
    } else if (key_is(k, "devId") && str && top) {
        out->dev_id = v;
    } else if (key_is(k, "t")) {
        read_t(v, out);
    } else if (key_is(k, "protocol") && !str && top) {
        int64_t p;
        if (parse_int64(v, &p) && p >= 0 && p < 1000)
            out->protocol = (int)p;
    }
}

static void dps_reset(ltuya_dps_t *out, const char *json)
{
    out->count = 0;
    out->dropped = 0;
    out->has_dps = false;
    out->dev_id.ptr = out->cid.ptr = json;
    out->dev_id.len = out->cid.len = 0;
    out->has_t = false;
    out->t = 0;
    out->protocol = 0;
}

ltuya_status_t ltuya_json_parse_dps(const char *json, size_t len, ltuya_dps_t *out)
{
    dps_reset(out, json);
    size_t pos = skip_ws(json, len, 0), end = 0;
    ltuya_status_t st = pos < len && json[pos] == '{' ? scan_value(json, len, pos, 0, &end, out)
                                                      : LTUYA_ERR_MALFORMED_JSON;
    /* nothing but whitespace may follow the object */
    if (st == LTUYA_OK && skip_ws(json, len, end) != len)
        st = LTUYA_ERR_MALFORMED_JSON;
    if (st != LTUYA_OK)
        dps_reset(out, json); /* no half-read results from a broken document */
    return st;
}

const ltuya_dp_t *ltuya_dps_find(const ltuya_dps_t *d, uint16_t id)
{
    /* Backwards, so that an id repeated within one "dps" resolves like a
     * cache fed from dp[] in order would: the last value wins. */
    for (size_t i = d->count; i-- > 0;)
        if (d->dp[i].id == id)
            return &d->dp[i];
    return NULL;
}

/* ---- unescape ------------------------------------------------------------- */

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static bool hex4(const char *p, size_t avail, uint32_t *out)
{
    uint32_t v = 0;
    if (avail < 4)
        return false;
    for (int i = 0; i < 4; i++) {
        int d = hexdigit(p[i]);
        if (d < 0)
            return false;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return true;
}

ltuya_status_t ltuya_json_unescape(ltuya_str_t s, char *dst, size_t cap, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < s.len;) {
        char tmp[4];
        size_t n = 1;
        char c = s.ptr[i];
        if (c != '\\') {
            tmp[0] = c;
            i++;
        } else {
            if (i + 1 >= s.len)
                return LTUYA_ERR_MALFORMED_JSON;
            char e = s.ptr[i + 1];
            i += 2;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                tmp[0] = e;
                break;
            case 'b':
                tmp[0] = '\b';
                break;
            case 'f':
                tmp[0] = '\f';
                break;
            case 'n':
                tmp[0] = '\n';
                break;
            case 'r':
                tmp[0] = '\r';
                break;
            case 't':
                tmp[0] = '\t';
                break;
            case 'u': {
                uint32_t cp, lo;
                if (!hex4(s.ptr + i, s.len - i, &cp))
                    return LTUYA_ERR_MALFORMED_JSON;
                i += 4;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    /* a high surrogate must be followed by \u and a low one */
                    if (s.len - i < 6 || s.ptr[i] != '\\' || s.ptr[i + 1] != 'u' ||
                        !hex4(s.ptr + i + 2, s.len - i - 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
                        return LTUYA_ERR_MALFORMED_JSON;
                    i += 6;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                    return LTUYA_ERR_MALFORMED_JSON;
                }
                n = utf8_encode(cp, tmp);
                break;
            }
            default:
                return LTUYA_ERR_MALFORMED_JSON;
            }
        }
        if (cap - o < n) /* o never passes cap: it only grows after this check */
            return LTUYA_ERR_BUF_TOO_SMALL;
        memcpy(dst + o, tmp, n);
        o += n;
    }
    *out_len = o;
    return LTUYA_OK;
}
