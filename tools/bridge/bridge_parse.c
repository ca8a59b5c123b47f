/* MQTT command and request parsers (bridge_parse.h). */
#include "bridge_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void seterr(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || !cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

static bool key_is(ltuya_str_t k, const char *name)
{
    return k.len == strlen(name) && !memcmp(k.ptr, name, k.len);
}

/* Unescaped text, NUL-terminated, no embedded NUL. */
static bool text_of(ltuya_str_t v, char *dst, size_t cap)
{
    size_t n = 0;
    if (cap == 0 || ltuya_json_unescape(v, dst, cap - 1, &n) != LTUYA_OK)
        return false;
    dst[n] = '\0';
    return strlen(dst) == n;
}

/* Keep a copy of a string in the command (DP string views point at it). */
static const char *keep(bridge_cmd_t *cmd, const char *s, size_t n)
{
    if (cmd->text_len + n + 1 > sizeof cmd->text)
        return NULL;
    char *p = cmd->text + cmd->text_len;
    memcpy(p, s, n);
    p[n] = '\0';
    cmd->text_len += n + 1;
    return p;
}

static bool add_dp(bridge_cmd_t *cmd, ltuya_dp_t dp, char *err, size_t errcap)
{
    for (size_t i = 0; i < cmd->n; i++)
        if (cmd->dps[i].id == dp.id) { /* the later value wins, as in the engine */
            cmd->dps[i] = dp;
            return true;
        }
    if (cmd->n == BRIDGE_CMD_DPS) {
        seterr(err, errcap, "at most %d values in one command", BRIDGE_CMD_DPS);
        return false;
    }
    cmd->dps[cmd->n++] = dp;
    return true;
}

/* The transaction member, kept as raw JSON (a string or a number). */
static bool take_transaction(ltuya_str_t v, bool is_str, char *out, size_t cap, char *err,
                             size_t errcap)
{
    if (v.len + 2 >= cap) {
        seterr(err, errcap, "\"transaction\" is too long");
        return false;
    }
    if (is_str) {
        for (size_t i = 0; i < v.len; i++)
            if ((unsigned char)v.ptr[i] < 0x20) {
                seterr(err, errcap, "\"transaction\" must be a plain string or number");
                return false;
            }
        out[0] = '"';
        memcpy(out + 1, v.ptr, v.len);
        out[v.len + 1] = '"';
        out[v.len + 2] = '\0';
        return true;
    }
    for (size_t i = 0; i < v.len; i++)
        if (!strchr("0123456789-+.eE", v.ptr[i])) {
            seterr(err, errcap, "\"transaction\" must be a string or a number");
            return false;
        }
    memcpy(out, v.ptr, v.len);
    out[v.len] = '\0';
    return true;
}

void bridge_parse_transaction(const char *payload, size_t len, char *out, size_t cap)
{
    ltuya_str_t v;
    bool is_str;
    out[0] = '\0';
    if (ltuya_json_validate(payload, len) != LTUYA_OK)
        return;
    if (ltuya_json_get(payload, len, "transaction", &v, &is_str) == LTUYA_OK &&
        !take_transaction(v, is_str, out, cap, NULL, 0))
        out[0] = '\0';
}

/* A decimal number (JSON number or plain text) times 10^scale, exactly:
 * "23.5" with scale 1 is 235; more decimals than the scale is an error. */
static bool scaled_int(const char *s, size_t n, unsigned scale, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    int64_t v = 0;
    size_t digits = 0, frac = 0;
    bool dot = false;
    for (; i < n; i++) {
        if (s[i] == '.' && !dot) {
            dot = true;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (dot && ++frac > scale)
            return false;
        if (v > (INT64_C(1) << 50))
            return false;
        v = v * 10 + (s[i] - '0');
        digits++;
    }
    if (!digits)
        return false;
    for (; frac < scale; frac++)
        v *= 10;
    if (v > INT32_MAX)
        return false;
    *out = neg ? -v : v;
    return true;
}

typedef enum { ON_OFF_BAD, ON_OFF_ON, ON_OFF_OFF, ON_OFF_TOGGLE } on_off_t;

static on_off_t on_off_of(const char *s, size_t n)
{
    if ((n == 2 && !strncasecmp(s, "on", 2)) || (n == 4 && !memcmp(s, "true", 4)))
        return ON_OFF_ON;
    if ((n == 3 && !strncasecmp(s, "off", 3)) || (n == 5 && !memcmp(s, "false", 5)))
        return ON_OFF_OFF;
    if (n == 6 && !strncasecmp(s, "toggle", 6))
        return ON_OFF_TOGGLE;
    return ON_OFF_BAD;
}

static bool read_only(const char *attr)
{
    static const char *const ro[] = {"power", "voltage", "current", "energy", "dps", "linkquality"};
    for (size_t i = 0; i < sizeof ro / sizeof *ro; i++)
        if (!strcmp(attr, ro[i]))
            return true;
    return false;
}

/* One attribute's value, given as JSON text (is_json: v is a JSON value, with
 * is_str telling a string's escaped content) or as a plain MQTT payload. */
static bool attr_value(const bridge_devcfg_t *d, const char *attr, ltuya_str_t v, bool is_json,
                       bool is_str, bridge_cmd_t *cmd, char *err, size_t errcap)
{
    char plain[BRIDGE_CMD_TEXT];
    const char *s = v.ptr;
    size_t n = v.len;
    if (is_str) {
        if (!text_of(v, plain, sizeof plain)) {
            seterr(err, errcap, "\"%s\": bad string", attr);
            return false;
        }
        s = plain;
        n = strlen(plain);
    }
    if (!strcmp(attr, "state") && d->switch_dp) {
        on_off_t o = on_off_of(s, n);
        if (o == ON_OFF_BAD || (is_json && !is_str && o == ON_OFF_TOGGLE)) {
            seterr(err, errcap, "\"state\" must be ON, OFF, TOGGLE, true or false");
            return false;
        }
        if (o == ON_OFF_TOGGLE) {
            cmd->toggle_dp = d->switch_dp;
            return true;
        }
        return add_dp(cmd, ltuya_dp_bool(d->switch_dp, o == ON_OFF_ON), err, errcap);
    }
    if (read_only(attr)) {
        seterr(err, errcap, "\"%s\" is read-only", attr);
        return false;
    }
    const bridge_dp_map_t *m = bridge_devcfg_by_code(d, attr);
    if (!m) {
        seterr(err, errcap, "unknown attribute \"%s\" (use raw/set with DP ids)", attr);
        return false;
    }
    switch (m->kind) {
    case BRIDGE_DP_BOOL: {
        on_off_t o = on_off_of(s, n);
        if (o != ON_OFF_ON && o != ON_OFF_OFF) {
            seterr(err, errcap, "\"%s\" must be true/false or ON/OFF", attr);
            return false;
        }
        return add_dp(cmd, ltuya_dp_bool(m->dp, o == ON_OFF_ON), err, errcap);
    }
    case BRIDGE_DP_INT: {
        int64_t x;
        if ((is_json && is_str) || !scaled_int(s, n, m->scale, &x)) {
            seterr(err, errcap, "\"%s\" must be a number with at most %u decimals", attr, m->scale);
            return false;
        }
        return add_dp(cmd, ltuya_dp_int(m->dp, x), err, errcap);
    }
    case BRIDGE_DP_ENUM:
    case BRIDGE_DP_STRING:
    case BRIDGE_DP_JSON: {
        if (is_json && !is_str && m->kind != BRIDGE_DP_JSON) {
            seterr(err, errcap, "\"%s\" must be a string", attr);
            return false;
        }
        const char *k = keep(cmd, s, n);
        if (!k) {
            seterr(err, errcap, "\"%s\": value too long", attr);
            return false;
        }
        return add_dp(cmd, ltuya_dp_str(m->dp, k, n), err, errcap);
    }
    default:
        seterr(err, errcap, "\"%s\": the mapping gives no usable type", attr);
        return false;
    }
}

static bool raw_member(ltuya_str_t k, ltuya_str_t v, bool is_str, bridge_cmd_t *cmd, char *err,
                       size_t errcap)
{
    char id[8];
    if (k.len == 0 || k.len >= sizeof id) {
        seterr(err, errcap, "DP ids must be numbers 1 to 65535");
        return false;
    }
    memcpy(id, k.ptr, k.len);
    id[k.len] = '\0';
    char *end;
    long dp = strtol(id, &end, 10);
    if (*end || dp < 1 || dp > 65535 || id[0] == '+' || id[0] == '-' || id[0] == ' ') {
        seterr(err, errcap, "DP ids must be numbers 1 to 65535");
        return false;
    }
    if (is_str) {
        char plain[BRIDGE_CMD_TEXT];
        if (!text_of(v, plain, sizeof plain)) {
            seterr(err, errcap, "DP %ld: bad string", dp);
            return false;
        }
        const char *p = keep(cmd, plain, strlen(plain));
        if (!p) {
            seterr(err, errcap, "DP %ld: value too long", dp);
            return false;
        }
        return add_dp(cmd, ltuya_dp_str((uint16_t)dp, p, strlen(p)), err, errcap);
    }
    if (v.len == 4 && !memcmp(v.ptr, "true", 4))
        return add_dp(cmd, ltuya_dp_bool((uint16_t)dp, true), err, errcap);
    if (v.len == 5 && !memcmp(v.ptr, "false", 5))
        return add_dp(cmd, ltuya_dp_bool((uint16_t)dp, false), err, errcap);
    int64_t x;
    if (v.len && memchr(v.ptr, '.', v.len) == NULL && !memchr(v.ptr, 'e', v.len) &&
        !memchr(v.ptr, 'E', v.len) && scaled_int(v.ptr, v.len, 0, &x))
        return add_dp(cmd, ltuya_dp_int((uint16_t)dp, x), err, errcap);
    seterr(err, errcap, "DP %ld: raw values are true, false, integers or strings", dp);
    return false;
}

static bool object_of(const char *payload, size_t len, ltuya_json_iter_t *it, char *err,
                      size_t errcap)
{
    if (ltuya_json_validate(payload, len) != LTUYA_OK ||
        ltuya_json_iter_init(it, payload, len) != LTUYA_OK || !it->object) {
        seterr(err, errcap, "the payload must be one JSON object");
        return false;
    }
    return true;
}

bool bridge_parse_raw_set(const char *payload, size_t len, bridge_cmd_t *cmd, char *err,
                          size_t errcap)
{
    memset(cmd, 0, sizeof *cmd);
    ltuya_json_iter_t it;
    if (!object_of(payload, len, &it, err, errcap))
        return false;
    ltuya_str_t k, v;
    bool is_str;
    ltuya_status_t st;
    while ((st = ltuya_json_iter_next(&it, &k, &v, &is_str)) == LTUYA_OK) {
        if (key_is(k, "transaction")) {
            if (!take_transaction(v, is_str, cmd->transaction, sizeof cmd->transaction, err,
                                  errcap))
                return false;
            continue;
        }
        if (!raw_member(k, v, is_str, cmd, err, errcap))
            return false;
    }
    if (st != LTUYA_ERR_NOT_FOUND) {
        seterr(err, errcap, "malformed JSON");
        return false;
    }
    if (cmd->n == 0) {
        seterr(err, errcap, "nothing to set");
        return false;
    }
    return true;
}

bool bridge_parse_set(const bridge_devcfg_t *d, const char *payload, size_t len, bridge_cmd_t *cmd,
                      char *err, size_t errcap)
{
    memset(cmd, 0, sizeof *cmd);
    ltuya_json_iter_t it;
    if (!object_of(payload, len, &it, err, errcap))
        return false;
    ltuya_str_t k, v;
    bool is_str;
    ltuya_status_t st;
    while ((st = ltuya_json_iter_next(&it, &k, &v, &is_str)) == LTUYA_OK) {
        if (key_is(k, "transaction")) {
            if (!take_transaction(v, is_str, cmd->transaction, sizeof cmd->transaction, err,
                                  errcap))
                return false;
            continue;
        }
        if (key_is(k, "dps") && !is_str && v.len && v.ptr[0] == '{') {
            ltuya_json_iter_t in;
            ltuya_str_t ik, iv;
            bool istr;
            if (ltuya_json_iter_init(&in, v.ptr, v.len) != LTUYA_OK)
                return false;
            ltuya_status_t ist;
            while ((ist = ltuya_json_iter_next(&in, &ik, &iv, &istr)) == LTUYA_OK)
                if (!raw_member(ik, iv, istr, cmd, err, errcap))
                    return false;
            if (ist != LTUYA_ERR_NOT_FOUND) {
                seterr(err, errcap, "malformed \"dps\"");
                return false;
            }
            continue;
        }
        char attr[40];
        if (!text_of(k, attr, sizeof attr)) {
            seterr(err, errcap, "attribute name too long");
            return false;
        }
        if (!is_str && v.len && (v.ptr[0] == '{' || v.ptr[0] == '[')) {
            const bridge_dp_map_t *m = bridge_devcfg_by_code(d, attr);
            if (!m || m->kind != BRIDGE_DP_JSON) {
                seterr(err, errcap, "\"%s\": objects and arrays are not values here", attr);
                return false;
            }
        }
        if (!attr_value(d, attr, v, true, is_str, cmd, err, errcap))
            return false;
    }
    if (st != LTUYA_ERR_NOT_FOUND) {
        seterr(err, errcap, "malformed JSON");
        return false;
    }
    if (cmd->n == 0 && !cmd->toggle_dp) {
        seterr(err, errcap, "nothing to set");
        return false;
    }
    return true;
}

bool bridge_parse_set_attr(const bridge_devcfg_t *d, const char *attr, const char *payload,
                           size_t len, bridge_cmd_t *cmd, char *err, size_t errcap)
{
    memset(cmd, 0, sizeof *cmd);
    /* trailing whitespace of a hand-typed payload is no part of the value */
    while (len && (payload[len - 1] == '\n' || payload[len - 1] == '\r' || payload[len - 1] == ' '))
        len--;
    if (len == 0 || len >= BRIDGE_CMD_TEXT || memchr(payload, '\0', len)) {
        seterr(err, errcap, "the value must be 1 to %d bytes of text", BRIDGE_CMD_TEXT - 1);
        return false;
    }
    ltuya_str_t v = {payload, len};
    return attr_value(d, attr, v, false, false, cmd, err, errcap);
}

bool bridge_parse_request(const char *what, const char *payload, size_t len, bridge_req_t *req,
                          char *err, size_t errcap)
{
    memset(req, 0, sizeof *req);
    if (!strcmp(what, "device/reconnect"))
        req->kind = BRIDGE_REQ_RECONNECT;
    else if (!strcmp(what, "device/options"))
        req->kind = BRIDGE_REQ_OPTIONS;
    else if (!strcmp(what, "device/add"))
        req->kind = BRIDGE_REQ_ADD;
    else if (!strcmp(what, "device/remove"))
        req->kind = BRIDGE_REQ_REMOVE;
    else if (!strcmp(what, "devices/rescan"))
        req->kind = BRIDGE_REQ_RESCAN;
    else {
        seterr(err, errcap, "unknown request");
        return false;
    }
    /* a bare name is accepted for the one-device requests, as zigbee2mqtt does */
    size_t i = 0;
    while (i < len &&
           (payload[i] == ' ' || payload[i] == '\n' || payload[i] == '\r' || payload[i] == '\t'))
        i++;
    if (i == len && req->kind == BRIDGE_REQ_RESCAN) {
        req->seconds = 10;
        return true;
    }
    if (i < len && payload[i] != '{') {
        if (req->kind != BRIDGE_REQ_RECONNECT && req->kind != BRIDGE_REQ_REMOVE) {
            seterr(err, errcap, "the payload must be one JSON object");
            return false;
        }
        ltuya_str_t v = {payload, len};
        if (len >= sizeof req->device || !text_of(v, req->device, sizeof req->device) ||
            !req->device[0] || strchr(req->device, '"')) {
            seterr(err, errcap, "no such device name");
            return false;
        }
        return true;
    }
    ltuya_json_iter_t it;
    if (!object_of(payload, len, &it, err, errcap))
        return false;
    ltuya_str_t k, v;
    bool is_str;
    ltuya_status_t st;
    bool has_device = false, has_options = false;
    while ((st = ltuya_json_iter_next(&it, &k, &v, &is_str)) == LTUYA_OK) {
        if (key_is(k, "transaction")) {
            if (!take_transaction(v, is_str, req->transaction, sizeof req->transaction, err,
                                  errcap))
                return false;
        } else if (key_is(k, "device") || key_is(k, "id")) {
            if (req->kind == BRIDGE_REQ_ADD) {
                if (key_is(k, "device")) {
                    if (is_str || !v.len || v.ptr[0] != '{') {
                        seterr(err, errcap, "\"device\" must be a device object");
                        return false;
                    }
                    req->object = v;
                    has_device = true;
                }
                continue;
            }
            if (!is_str || !text_of(v, req->device, sizeof req->device) || !req->device[0]) {
                seterr(err, errcap, "\"device\" must be a device name or id");
                return false;
            }
            has_device = true;
        } else if (key_is(k, "options")) {
            if (req->kind != BRIDGE_REQ_OPTIONS || is_str || !v.len || v.ptr[0] != '{') {
                seterr(err, errcap, "\"options\" must be an object (device/options only)");
                return false;
            }
            req->object = v;
            has_options = true;
        } else if (key_is(k, "seconds")) {
            char tmp[8];
            if (req->kind != BRIDGE_REQ_RESCAN || is_str || v.len == 0 || v.len >= sizeof tmp) {
                seterr(err, errcap, "\"seconds\" must be 1 to 120 (devices/rescan only)");
                return false;
            }
            memcpy(tmp, v.ptr, v.len);
            tmp[v.len] = '\0';
            char *end;
            long s = strtol(tmp, &end, 10);
            if (*end || s < 1 || s > 120) {
                seterr(err, errcap, "\"seconds\" must be 1 to 120");
                return false;
            }
            req->seconds = (uint32_t)s;
        } else if (req->kind != BRIDGE_REQ_ADD) {
            seterr(err, errcap, "unknown field \"%.*s\"", (int)(k.len > 32 ? 32 : k.len), k.ptr);
            return false;
        }
    }
    if (st != LTUYA_ERR_NOT_FOUND) {
        seterr(err, errcap, "malformed JSON");
        return false;
    }
    if (req->kind == BRIDGE_REQ_ADD && !has_device) {
        /* the device's fields at top level, as in devices.json */
        req->object.ptr = payload;
        req->object.len = len;
    } else if ((req->kind == BRIDGE_REQ_RECONNECT || req->kind == BRIDGE_REQ_REMOVE ||
                req->kind == BRIDGE_REQ_OPTIONS) &&
               !has_device) {
        seterr(err, errcap, "\"device\" is required");
        return false;
    }
    if (req->kind == BRIDGE_REQ_OPTIONS && !has_options) {
        seterr(err, errcap, "\"options\" is required");
        return false;
    }
    if (req->kind == BRIDGE_REQ_RESCAN && !req->seconds)
        req->seconds = 10;
    return true;
}
