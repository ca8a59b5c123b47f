/*
 * Fuzz target: the JSON reader (ltuya_json_parse_dps, _validate, _get, the
 * iterator, _unescape) and, for what it reads, the writer.
 *
 * Input: byte 0 is the length (mod 33) of a member name for
 * ltuya_json_get(), which follows; then one byte gives the output size for
 * ltuya_json_unescape(); the rest is the JSON text (an exact-size copy, so
 * ASan sees any read past it).
 *
 * Invariants: every view returned lies inside the text; parse_dps accepts
 * exactly the objects validate accepts; unescaping into a small buffer
 * either fails or gives what a large one gives; and a parsed status, written
 * back with ltuya_json_control() and parsed again, yields the same DPs;
 * parse_dps gives exactly what a model built on the public iterator reads
 * (a second, independent walk: the reader is one pass of the scanner);
 * energy readings scaled from the parsed DPs (the guessed layout, and the
 * first three DPs with scales from the output-size byte) equal a plain
 * 64-bit computation saturated to int32 (issue 10: no overflow on any
 * device-supplied integer).
 */
#include <errno.h>

#include "fuzz_common.h"
#include "ltuya/device.h"
#include "ltuya/json.h"

static const char *text_start;
static size_t text_len;

static void check_view(ltuya_str_t s)
{
    if (!s.len)
        return;
    FZ_CHECK(s.ptr >= text_start && s.ptr + s.len <= text_start + text_len);
    fz_touch(s.ptr, s.len);
}

static void check_unescape(ltuya_str_t s, size_t small_cap)
{
    size_t big_len = 0, small_len = 0;
    char *big = malloc(s.len ? s.len : 1); /* unescaping never grows the text */
    char *small = malloc(small_cap ? small_cap : 1);
    if (!big || !small) {
        free(big);
        free(small);
        return;
    }
    ltuya_status_t st_big = ltuya_json_unescape(s, big, s.len, &big_len);
    ltuya_status_t st_small = ltuya_json_unescape(s, small, small_cap, &small_len);
    FZ_CHECK(st_big == LTUYA_OK || st_big == LTUYA_ERR_MALFORMED_JSON);
    if (st_big == LTUYA_OK)
        FZ_CHECK(big_len <= s.len);
    if (st_small == LTUYA_OK) {
        FZ_CHECK(small_len <= small_cap);
        FZ_CHECK(st_big == LTUYA_OK && small_len == big_len && !memcmp(small, big, small_len));
    } else if (st_big == LTUYA_OK && big_len <= small_cap) {
        fz_fail("unescape failed with room enough", __FILE__, __LINE__);
    }
    free(big);
    free(small);
}

/* Walk a container one level deep, then each element's own members. */
static void walk(ltuya_str_t v, int depth, size_t cap)
{
    ltuya_json_iter_t it;
    ltuya_str_t key, val;
    bool is_str;
    if (ltuya_json_iter_init(&it, v.ptr, v.len) != LTUYA_OK)
        return;
    for (int steps = 0; steps < 256; steps++) {
        ltuya_status_t st = ltuya_json_iter_next(&it, &key, &val, &is_str);
        if (st != LTUYA_OK) {
            /* after an error or the end, it stays there */
            FZ_CHECK(ltuya_json_iter_next(&it, NULL, NULL, NULL) != LTUYA_OK);
            break;
        }
        check_view(key);
        check_view(val);
        if (is_str && steps < 8)
            check_unescape(val, cap);
        if (!is_str && depth < 2 && val.len)
            walk(val, depth + 1, cap);
    }
}

static bool same_dp(const ltuya_dp_t *a, const ltuya_dp_t *b)
{
    if (a->id != b->id || a->type != b->type)
        return false;
    switch (a->type) {
    case LTUYA_DP_BOOL:
        return a->b == b->b;
    case LTUYA_DP_INT:
        return a->i == b->i;
    case LTUYA_DP_STR:
    case LTUYA_DP_RAW:
        return a->str.len == b->str.len && !memcmp(a->str.ptr, b->str.ptr, a->str.len);
    default:
        return true;
    }
}

/* Write the DPs back as a 3.3 CONTROL payload and read them again. */
static void rewrite(const ltuya_dps_t *d)
{
    static char out[64 * 1024];
    static ltuya_dps_t again;
    ltuya_jw_t w;
    size_t n;
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_control(&w, LTUYA_V33, "eb0123456789abcdefghij", NULL, 1700000000, d->dp, d->count);
    if (ltuya_jw_finish(&w, &n) != LTUYA_OK)
        return;
    FZ_CHECK(ltuya_json_validate(out, n) == LTUYA_OK);
    FZ_CHECK(ltuya_json_parse_dps(out, n, &again) == LTUYA_OK);
    FZ_CHECK(again.has_dps && again.count == d->count);
    for (size_t i = 0; i < d->count; i++)
        FZ_CHECK(same_dp(&d->dp[i], &again.dp[i]));
}

/* The reader's integer rule: an optional '-', digits, within int64. */
static bool model_int(ltuya_str_t v, int64_t *out)
{
    char buf[32];
    size_t neg = v.len && v.ptr[0] == '-';
    if (v.len <= neg || v.len >= sizeof buf)
        return false;
    for (size_t i = neg; i < v.len; i++)
        if (v.ptr[i] < '0' || v.ptr[i] > '9')
            return false;
    memcpy(buf, v.ptr, v.len);
    buf[v.len] = 0;
    errno = 0;
    long long x = strtoll(buf, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = x;
    return true;
}

static bool key_eq(ltuya_str_t k, const char *lit)
{
    return k.len == strlen(lit) && !memcmp(k.ptr, lit, k.len);
}

/* What ltuya_json_parse_dps documents, read with the iterator: members of
 * the top level and of "data", the last "dps" object's DPs. */
static void model_members(ltuya_str_t obj, bool top, ltuya_dps_t *m)
{
    ltuya_json_iter_t it, sub;
    ltuya_str_t k, v, dk, dv;
    bool str, dstr;
    int64_t x;
    FZ_CHECK(ltuya_json_iter_init(&it, obj.ptr, obj.len) == LTUYA_OK);
    while (ltuya_json_iter_next(&it, &k, &v, &str) == LTUYA_OK) {
        if (key_eq(k, "dps") && !str && v.ptr[0] == '{') {
            m->count = m->dropped = 0;
            m->has_dps = true;
            FZ_CHECK(ltuya_json_iter_init(&sub, v.ptr, v.len) == LTUYA_OK);
            while (ltuya_json_iter_next(&sub, &dk, &dv, &dstr) == LTUYA_OK) {
                if (!model_int(dk, &x) || x < 1 || x > 65535 || dk.ptr[0] == '0' ||
                    m->count >= LTUYA_MAX_DPS) {
                    m->dropped++;
                    continue;
                }
                ltuya_dp_t *dp = &m->dp[m->count++];
                memset(dp, 0, sizeof *dp);
                dp->id = (uint16_t)x;
                dp->str = dv;
                if (dstr)
                    dp->type = LTUYA_DP_STR, dp->escaped = true;
                else if (key_eq(dv, "true") || key_eq(dv, "false"))
                    dp->type = LTUYA_DP_BOOL, dp->b = dv.ptr[0] == 't';
                else if (key_eq(dv, "null"))
                    dp->type = LTUYA_DP_NULL;
                else if (model_int(dv, &dp->i))
                    dp->type = LTUYA_DP_INT;
                else
                    dp->type = LTUYA_DP_RAW;
            }
        } else if (top && key_eq(k, "data") && !str && v.ptr[0] == '{') {
            model_members(v, false, m);
        } else if (key_eq(k, "cid") && str) {
            m->cid = v;
        } else if (top && key_eq(k, "devId") && str) {
            m->dev_id = v;
        } else if (key_eq(k, "t")) {
            if (model_int(v, &x))
                m->t = x, m->has_t = true;
        } else if (top && key_eq(k, "protocol") && !str) {
            if (model_int(v, &x) && x >= 0 && x < 1000)
                m->protocol = (int)x;
        }
    }
}

static bool same_view(ltuya_str_t a, ltuya_str_t b)
{
    return a.len == b.len && (!a.len || a.ptr == b.ptr);
}

static void check_against_model(const char *json, size_t len, const ltuya_dps_t *d)
{
    static ltuya_dps_t m;
    memset(&m, 0, sizeof m);
    ltuya_str_t whole = {json, len};
    model_members(whole, true, &m);
    FZ_CHECK(d->count == m.count && d->dropped == m.dropped && d->has_dps == m.has_dps);
    FZ_CHECK(same_view(d->cid, m.cid) && same_view(d->dev_id, m.dev_id));
    FZ_CHECK(d->has_t == m.has_t && d->t == m.t && d->protocol == m.protocol);
    for (size_t i = 0; i < d->count; i++) {
        const ltuya_dp_t *a = &d->dp[i], *b = &m.dp[i];
        FZ_CHECK(a->id == b->id && a->type == b->type && a->escaped == b->escaped);
        if (a->type == LTUYA_DP_BOOL)
            FZ_CHECK(a->b == b->b);
        if (a->type == LTUYA_DP_INT)
            FZ_CHECK(a->i == b->i);
        if (a->type == LTUYA_DP_STR || a->type == LTUYA_DP_RAW)
            FZ_CHECK(same_view(a->str, b->str));
    }
}

/* The reading DP `id` of d should give, scaled by 10^-scale * milli: the
 * value in 64 bits (Tuya values are 32-bit; anything wider saturates). */
static void check_reading(const ltuya_dps_t *d, uint16_t id, uint8_t scale, int64_t milli, bool has,
                          int32_t got)
{
    const ltuya_dp_t *dp = id ? ltuya_dps_find(d, id) : NULL;
    FZ_CHECK(has == (dp && dp->type == LTUYA_DP_INT));
    if (!has)
        return;
    int64_t want = dp->i > INT32_MAX ? INT32_MAX : dp->i < INT32_MIN ? INT32_MIN : dp->i;
    if (want == dp->i) {
        want *= milli; /* |x| <= 2^31, milli <= 1000: fits */
        for (unsigned i = 0; i < scale && want; i++)
            want /= 10;
        want = want > INT32_MAX ? INT32_MAX : want < INT32_MIN ? INT32_MIN : want;
    }
    FZ_CHECK(got == want);
}

static void check_energy(const ltuya_dps_t *d, uint8_t scales)
{
    ltuya_energy_t e;
    ltuya_energy_map_t m = {0};
    ltuya_energy_from_dps(&m, d, &e); /* guesses 18/19/20, 4/5/6 or 21/22/23 */
    static const uint16_t layouts[3][3] = {{18, 19, 20}, {4, 5, 6}, {21, 22, 23}};
    for (size_t i = 0; i < 3; i++) {
        const uint16_t *l = layouts[i];
        const ltuya_dp_t *a = ltuya_dps_find(d, l[0]), *b = ltuya_dps_find(d, l[1]),
                         *c = ltuya_dps_find(d, l[2]);
        if (a && b && c && a->type == LTUYA_DP_INT && b->type == LTUYA_DP_INT &&
            c->type == LTUYA_DP_INT) {
            m.current_dp = l[0], m.power_dp = l[1], m.voltage_dp = l[2];
            m.power_scale = m.voltage_scale = 1;
            break;
        }
    }
    check_reading(d, m.current_dp, m.current_scale, 1, e.has_current, e.current_ma);
    check_reading(d, m.power_dp, m.power_scale, 1000, e.has_power, e.power_mw);
    check_reading(d, m.voltage_dp, m.voltage_scale, 1000, e.has_voltage, e.voltage_mv);
    if (d->count < 3)
        return;
    m.voltage_dp = d->dp[0].id, m.current_dp = d->dp[1].id, m.power_dp = d->dp[2].id;
    m.voltage_scale = scales & 7, m.current_scale = scales >> 3 & 3, m.power_scale = scales >> 5;
    ltuya_energy_from_dps(&m, d, &e);
    check_reading(d, m.current_dp, m.current_scale, 1, e.has_current, e.current_ma);
    check_reading(d, m.power_dp, m.power_scale, 1000, e.has_power, e.power_mw);
    check_reading(d, m.voltage_dp, m.voltage_scale, 1000, e.has_voltage, e.voltage_mv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ltuya_dps_t d;
    fz_in_t in = {data, size};
    char key[33];
    const uint8_t *k;
    size_t klen = fz_bytes(&in, fz_u8(&in) % 33, &k);
    memcpy(key, k, klen);
    key[klen] = 0;
    size_t cap = fz_u8(&in);
    size_t len = in.n;
    char *json = malloc(len ? len : 1);
    if (!json)
        return 0;
    memcpy(json, in.p, len);
    text_start = json;
    text_len = len;

    ltuya_status_t parsed = ltuya_json_parse_dps(json, len, &d);
    ltuya_status_t valid = ltuya_json_validate(json, len);
    size_t i = 0;
    while (i < len && (json[i] == ' ' || json[i] == '\t' || json[i] == '\r' || json[i] == '\n'))
        i++;
    bool object = i < len && json[i] == '{';
    /* parse_dps reads exactly the documents validate accepts that are objects */
    FZ_CHECK((parsed == LTUYA_OK) == (valid == LTUYA_OK && object));
    if (parsed == LTUYA_OK) {
        FZ_CHECK(d.count <= LTUYA_MAX_DPS);
        check_view(d.dev_id);
        check_view(d.cid);
        for (size_t j = 0; j < d.count; j++) {
            const ltuya_dp_t *dp = &d.dp[j];
            FZ_CHECK(ltuya_dps_find(&d, dp->id) && ltuya_dps_find(&d, dp->id)->id == dp->id);
            if (dp->type == LTUYA_DP_STR || dp->type == LTUYA_DP_RAW)
                check_view(dp->str);
            if (dp->type == LTUYA_DP_STR && j < 8)
                check_unescape(dp->str, cap);
        }
        check_against_model(json, len, &d);
        if (d.count)
            rewrite(&d);
        check_energy(&d, (uint8_t)cap);
    } else {
        FZ_CHECK(d.count == 0 && !d.has_dps);
    }

    ltuya_str_t v;
    bool is_str = false;
    if (ltuya_json_get(json, len, key, &v, &is_str) == LTUYA_OK) {
        check_view(v);
        if (is_str)
            check_unescape(v, cap);
    }
    ltuya_str_t whole = {json, len};
    walk(whole, 0, cap);
    free(json);
    return 0;
}
