/* Settings and device list parsing (bridge_config.h). */
#include "bridge_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ltuya/json.h"

void bridge_settings_defaults(bridge_settings_t *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->host, sizeof s->host, "127.0.0.1");
    s->port = 1883;
    s->keepalive_s = 60;
    s->protocol = 4;
    snprintf(s->base, sizeof s->base, "ltuya");
    snprintf(s->disc_prefix, sizeof s->disc_prefix, "homeassistant");
    s->retain_state = true;
    s->energy_interval_s = 15;
    s->min_write_interval_ms = 0; /* the engine's default */
    s->health_interval_s = 60;
    s->log_level = 2; /* info */
    s->beacons = true;
    s->beacon_ports[0] = 6666; /* 3.1 plaintext */
    s->beacon_ports[1] = 6667; /* 3.2-3.4 */
    s->beacon_ports[2] = 7000; /* 3.5 */
    s->beacon_port_count = 3;
}

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

/* Unescaped string value into dst (NUL-terminated); false if it does not fit. */
static bool text_of(ltuya_str_t v, char *dst, size_t cap)
{
    size_t n = 0;
    if (cap == 0 || ltuya_json_unescape(v, dst, cap - 1, &n) != LTUYA_OK)
        return false;
    dst[n] = '\0';
    return strlen(dst) == n; /* no embedded NUL */
}

static bool int_of(ltuya_str_t v, bool is_string, long long lo, long long hi, long long *out)
{
    char tmp[32];
    if (is_string || v.len == 0 || v.len >= sizeof tmp)
        return false;
    memcpy(tmp, v.ptr, v.len);
    tmp[v.len] = '\0';
    char *end;
    long long x = strtoll(tmp, &end, 10);
    if (*end || x < lo || x > hi)
        return false;
    *out = x;
    return true;
}

static bool bool_of(ltuya_str_t v, bool is_string, bool *out)
{
    if (is_string)
        return false;
    if (v.len == 4 && !memcmp(v.ptr, "true", 4))
        *out = true;
    else if (v.len == 5 && !memcmp(v.ptr, "false", 5))
        *out = false;
    else
        return false;
    return true;
}

static bool key_is(ltuya_str_t k, const char *name)
{
    return k.len == strlen(name) && !memcmp(k.ptr, name, k.len);
}

bool bridge_parse_url(bridge_settings_t *s, const char *url, const char **err)
{
    const char *rest;
    if (!strncmp(url, "mqtt://", 7)) {
        s->tls = false;
        rest = url + 7;
    } else if (!strncmp(url, "mqtts://", 8)) {
        s->tls = true;
        rest = url + 8;
    } else {
        *err = "the broker URL must start with mqtt:// or mqtts://";
        return false;
    }
    const char *at = strrchr(rest, '@');
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        size_t ulen = (size_t)((colon ? colon : at) - rest);
        if (ulen >= sizeof s->username) {
            *err = "user name too long";
            return false;
        }
        memcpy(s->username, rest, ulen);
        s->username[ulen] = '\0';
        if (colon) {
            size_t plen = (size_t)(at - colon - 1);
            if (plen >= sizeof s->password) {
                *err = "password too long";
                return false;
            }
            memcpy(s->password, colon + 1, plen);
            s->password[plen] = '\0';
        }
        rest = at + 1;
    }
    size_t hlen = strcspn(rest, ":/");
    if (hlen == 0 || hlen >= sizeof s->host) {
        *err = "no broker host in the URL";
        return false;
    }
    memcpy(s->host, rest, hlen);
    s->host[hlen] = '\0';
    rest += hlen;
    s->port = s->tls ? 8883 : 1883;
    if (*rest == ':') {
        char *end;
        long p = strtol(rest + 1, &end, 10);
        if (end == rest + 1 || p < 1 || p > 65535 || (*end && strcmp(end, "/"))) {
            *err = "bad port in the broker URL";
            return false;
        }
        s->port = (uint16_t)p;
    } else if (*rest && strcmp(rest, "/")) {
        *err = "unexpected text after the broker host";
        return false;
    }
    return true;
}

void bridge_settings_apply_env(bridge_settings_t *s)
{
    const char *u = getenv("LTUYA_BRIDGE_USERNAME"), *p = getenv("LTUYA_BRIDGE_PASSWORD");
    if (u && strlen(u) < sizeof s->username)
        snprintf(s->username, sizeof s->username, "%s", u);
    if (p && strlen(p) < sizeof s->password)
        snprintf(s->password, sizeof s->password, "%s", p);
}

/* String settings of the config file: name, destination, size, secret. */
typedef struct {
    const char *name;
    size_t off, cap;
} str_setting_t;

#define SS(n, f)                                                                                   \
    {                                                                                              \
        n, offsetof(bridge_settings_t, f), sizeof(((bridge_settings_t *)0)->f)                     \
    }
static const str_setting_t str_settings[] = {
    SS("username", username),    SS("password", password),   SS("client_id", client_id),
    SS("ca_file", ca_file),      SS("ca_path", ca_path),     SS("cert_file", cert_file),
    SS("key_file", key_file),    SS("base_topic", base),     SS("discovery_prefix", disc_prefix),
    SS("devices", devices_path), SS("state_dir", state_dir),
};

bool bridge_settings_apply_json(bridge_settings_t *s, const char *text, size_t len, char *err,
                                size_t errcap)
{
    ltuya_json_iter_t it;
    ltuya_str_t k, v;
    bool is_str;
    if (ltuya_json_iter_init(&it, text, len) != LTUYA_OK || !it.object) {
        seterr(err, errcap, "the config file must hold one JSON object");
        return false;
    }
    ltuya_status_t st;
    while ((st = ltuya_json_iter_next(&it, &k, &v, &is_str)) == LTUYA_OK) {
        long long n;
        bool b;
        bool done = false;
        for (size_t i = 0; i < sizeof str_settings / sizeof *str_settings; i++) {
            if (!key_is(k, str_settings[i].name))
                continue;
            if (!is_str || !text_of(v, (char *)s + str_settings[i].off, str_settings[i].cap)) {
                seterr(err, errcap, "config: \"%s\" must be a string (and not too long)",
                       str_settings[i].name);
                return false;
            }
            done = true;
        }
        if (done)
            continue;
        if (key_is(k, "mqtt")) {
            char url[512];
            const char *e;
            if (!is_str || !text_of(v, url, sizeof url) || !bridge_parse_url(s, url, &e)) {
                seterr(err, errcap, "config: \"mqtt\" must be an mqtt:// or mqtts:// URL");
                return false;
            }
        } else if (key_is(k, "keepalive")) {
            if (!int_of(v, is_str, 5, 65535, &n)) {
                seterr(err, errcap, "config: \"keepalive\" must be 5 to 65535 seconds");
                return false;
            }
            s->keepalive_s = (int)n;
        } else if (key_is(k, "protocol")) {
            char p[8];
            if (!is_str || !text_of(v, p, sizeof p) || (strcmp(p, "3.1.1") && strcmp(p, "5"))) {
                seterr(err, errcap, "config: \"protocol\" must be \"3.1.1\" or \"5\"");
                return false;
            }
            s->protocol = strcmp(p, "5") ? 4 : 5;
        } else if (key_is(k, "tls_insecure")) {
            if (!bool_of(v, is_str, &s->tls_insecure)) {
                seterr(err, errcap, "config: \"tls_insecure\" must be true or false");
                return false;
            }
        } else if (key_is(k, "retain_state")) {
            if (!bool_of(v, is_str, &b)) {
                seterr(err, errcap, "config: \"retain_state\" must be true or false");
                return false;
            }
            s->retain_state = b;
        } else if (key_is(k, "discovery")) {
            char m[16];
            if (!is_str || !text_of(v, m, sizeof m)) {
                seterr(err, errcap,
                       "config: \"discovery\" must be \"device\", \"entity\" or \"off\"");
                return false;
            }
            if (!strcmp(m, "device"))
                s->disc_mode = BRIDGE_DISC_DEVICE;
            else if (!strcmp(m, "entity"))
                s->disc_mode = BRIDGE_DISC_ENTITY;
            else if (!strcmp(m, "off"))
                s->disc_mode = BRIDGE_DISC_OFF;
            else {
                seterr(err, errcap,
                       "config: \"discovery\" must be \"device\", \"entity\" or \"off\"");
                return false;
            }
        } else if (key_is(k, "energy_interval")) {
            if (!int_of(v, is_str, 5, 86400, &n)) {
                seterr(err, errcap, "config: \"energy_interval\" must be 5 to 86400 seconds");
                return false;
            }
            s->energy_interval_s = (uint32_t)n;
        } else if (key_is(k, "min_write_interval_ms")) {
            if (!int_of(v, is_str, 0, 60000, &n)) {
                seterr(err, errcap, "config: \"min_write_interval_ms\" must be 0 to 60000");
                return false;
            }
            s->min_write_interval_ms = (uint32_t)n;
        } else if (key_is(k, "health_interval")) {
            if (!int_of(v, is_str, 1, 86400, &n)) {
                seterr(err, errcap, "config: \"health_interval\" must be 1 to 86400 seconds");
                return false;
            }
            s->health_interval_s = (uint32_t)n;
        } else if (key_is(k, "log_level")) {
            char l[16];
            static const char *const names[] = {"error", "warning", "info", "debug"};
            int found = -1;
            if (is_str && text_of(v, l, sizeof l))
                for (int i = 0; i < 4; i++)
                    if (!strcmp(l, names[i]))
                        found = i;
            if (found < 0) {
                seterr(err, errcap, "config: \"log_level\" must be error, warning, info or debug");
                return false;
            }
            s->log_level = found;
        } else if (key_is(k, "beacons")) {
            if (!bool_of(v, is_str, &s->beacons)) {
                seterr(err, errcap, "config: \"beacons\" must be true or false");
                return false;
            }
        } else if (key_is(k, "beacon_ports")) {
            ltuya_json_iter_t pi;
            ltuya_str_t pv;
            bool ps;
            size_t cnt = 0;
            bool okp = !is_str && ltuya_json_iter_init(&pi, v.ptr, v.len) == LTUYA_OK && !pi.object;
            ltuya_status_t pst = LTUYA_OK;
            while (okp && (pst = ltuya_json_iter_next(&pi, NULL, &pv, &ps)) == LTUYA_OK) {
                if (cnt == 4 || !int_of(pv, ps, 1, 65535, &n)) {
                    okp = false;
                    break;
                }
                s->beacon_ports[cnt++] = (uint16_t)n;
            }
            if (!okp || pst != LTUYA_ERR_NOT_FOUND || cnt == 0) {
                seterr(err, errcap, "config: \"beacon_ports\" must be 1 to 4 port numbers");
                return false;
            }
            s->beacon_port_count = cnt;
        } else if (key_is(k, "overrides")) {
            if (is_str || v.len == 0 || v.ptr[0] != '{') {
                seterr(err, errcap,
                       "config: \"overrides\" must be an object keyed by device id or name");
                return false;
            }
            free(s->overrides_json);
            s->overrides_json = malloc(v.len + 1);
            if (!s->overrides_json) {
                seterr(err, errcap, "out of memory");
                return false;
            }
            memcpy(s->overrides_json, v.ptr, v.len);
            s->overrides_json[v.len] = '\0';
            s->overrides_len = v.len;
        } else {
            seterr(err, errcap, "config: unknown setting \"%.*s\"", (int)(k.len > 40 ? 40 : k.len),
                   k.ptr);
            return false;
        }
    }
    if (st != LTUYA_ERR_NOT_FOUND) {
        seterr(err, errcap, "config: malformed JSON");
        return false;
    }
    return true;
}

/* ---- devices ------------------------------------------------------------ */

static void topic_safe(char *name)
{
    for (char *p = name; *p; p++)
        if (*p == '+' || *p == '#' || *p == '/' || (unsigned char)*p < 0x20)
            *p = '_';
}

static bridge_dp_kind_t kind_of(const char *type)
{
    if (!strcasecmp(type, "Boolean") || !strcasecmp(type, "bool"))
        return BRIDGE_DP_BOOL;
    if (!strcasecmp(type, "Integer") || !strcasecmp(type, "value"))
        return BRIDGE_DP_INT;
    if (!strcasecmp(type, "Enum"))
        return BRIDGE_DP_ENUM;
    if (!strcasecmp(type, "String"))
        return BRIDGE_DP_STRING;
    if (!strcasecmp(type, "Json") || !strcasecmp(type, "Raw"))
        return BRIDGE_DP_JSON;
    return BRIDGE_DP_UNKNOWN;
}

/* tinytuya's "mapping":
 * {"18":{"code":"cur_current","type":"Integer","values":{"unit":"mA","scale":0}}} */
static bool parse_mapping(bridge_devcfg_t *d, ltuya_str_t m, char *err, size_t errcap)
{
    ltuya_json_iter_t it;
    ltuya_str_t k, v;
    bool is_str;
    if (ltuya_json_iter_init(&it, m.ptr, m.len) != LTUYA_OK || !it.object) {
        seterr(err, errcap, "\"mapping\" must be an object");
        return false;
    }
    d->map_count = 0;
    ltuya_status_t st;
    while ((st = ltuya_json_iter_next(&it, &k, &v, &is_str)) == LTUYA_OK) {
        long long dp;
        if (!int_of(k, false, 1, 65535, &dp) || is_str) {
            seterr(err, errcap, "\"mapping\" keys must be DP numbers with object values");
            return false;
        }
        if (d->map_count == BRIDGE_MAX_MAPPING)
            continue; /* more DPs than we name: the rest stay raw */
        bridge_dp_map_t *e = &d->map[d->map_count];
        memset(e, 0, sizeof *e);
        e->dp = (uint16_t)dp;
        ltuya_str_t f;
        bool fs;
        if (ltuya_json_get(v.ptr, v.len, "code", &f, &fs) == LTUYA_OK && fs)
            text_of(f, e->code, sizeof e->code);
        char type[16] = "";
        if (ltuya_json_get(v.ptr, v.len, "type", &f, &fs) == LTUYA_OK && fs)
            text_of(f, type, sizeof type);
        e->kind = (uint8_t)kind_of(type);
        ltuya_str_t vals;
        bool vs;
        if (ltuya_json_get(v.ptr, v.len, "values", &vals, &vs) == LTUYA_OK) {
            /* tinytuya sometimes stores "values" as a JSON string */
            char tmp[512];
            const char *vp = vals.ptr;
            size_t vl = vals.len;
            if (vs && text_of(vals, tmp, sizeof tmp)) {
                vp = tmp;
                vl = strlen(tmp);
            }
            long long sc;
            if (ltuya_json_get(vp, vl, "scale", &f, &fs) == LTUYA_OK && int_of(f, fs, 0, 9, &sc))
                e->scale = (uint8_t)sc;
            if (ltuya_json_get(vp, vl, "unit", &f, &fs) == LTUYA_OK && fs)
                text_of(f, e->unit, sizeof e->unit);
        }
        if (e->code[0])
            d->map_count++;
    }
    if (st != LTUYA_ERR_NOT_FOUND) {
        seterr(err, errcap, "malformed \"mapping\"");
        return false;
    }
    return true;
}

bool bridge_devcfg_override(bridge_devcfg_t *d, const char *obj, size_t len, char *err,
                            size_t errcap)
{
    ltuya_json_iter_t it;
    ltuya_str_t k, v;
    bool is_str;
    if (ltuya_json_iter_init(&it, obj, len) != LTUYA_OK || !it.object) {
        seterr(err, errcap, "a device entry must be a JSON object");
        return false;
    }
    ltuya_status_t st;
    while ((st = ltuya_json_iter_next(&it, &k, &v, &is_str)) == LTUYA_OK) {
        long long n;
        if (key_is(k, "id") || key_is(k, "gwId")) {
            if (!is_str || !text_of(v, d->id, sizeof d->id) || !d->id[0]) {
                seterr(err, errcap, "\"id\" must be a string of at most 32 characters");
                return false;
            }
        } else if (key_is(k, "key") || key_is(k, "local_key")) {
            if (!is_str || !text_of(v, d->key, sizeof d->key) || strlen(d->key) != 16) {
                /* the message never quotes the key */
                seterr(err, errcap, "\"key\" must be the 16-character local key");
                return false;
            }
        } else if (key_is(k, "name")) {
            if (!is_str || !text_of(v, d->name, sizeof d->name)) {
                seterr(err, errcap, "\"name\" must be a string of at most 63 bytes");
                return false;
            }
            topic_safe(d->name);
        } else if (key_is(k, "ip")) {
            if (!is_str || !text_of(v, d->ip, sizeof d->ip)) {
                seterr(err, errcap, "\"ip\" must be a string");
                return false;
            }
        } else if (key_is(k, "port")) {
            if (!int_of(v, is_str, 1, 65535, &n)) {
                seterr(err, errcap, "\"port\" must be 1 to 65535");
                return false;
            }
            d->port = (uint16_t)n;
        } else if (key_is(k, "version") || key_is(k, "ver")) {
            char ver[8];
            ltuya_version_t lv;
            bool ok = false;
            if (is_str && text_of(v, ver, sizeof ver))
                ok = !ver[0] || ltuya_version_parse(ver, &lv) == LTUYA_OK;
            else if (!is_str && v.len < sizeof ver) { /* 3.3 as a number */
                memcpy(ver, v.ptr, v.len);
                ver[v.len] = '\0';
                ok = ltuya_version_parse(ver, &lv) == LTUYA_OK;
            }
            if (!ok) {
                seterr(err, errcap, "\"version\" must be 3.1 to 3.5");
                return false;
            }
            if (ver[0])
                d->version = lv;
        } else if (key_is(k, "product_id") || key_is(k, "productKey") || key_is(k, "product_key")) {
            if (is_str)
                text_of(v, d->product, sizeof d->product);
        } else if (key_is(k, "mapping")) {
            if (!is_str && v.len && v.ptr[0] == '{' && !parse_mapping(d, v, err, errcap))
                return false;
        } else if (key_is(k, "switch_dp")) {
            if (!int_of(v, is_str, 0, 65535, &n)) {
                seterr(err, errcap, "\"switch_dp\" must be a DP number (0: none)");
                return false;
            }
            d->switch_dp = (uint16_t)n;
        } else if (key_is(k, "energy_interval")) {
            if (!int_of(v, is_str, 5, 86400, &n)) {
                seterr(err, errcap, "\"energy_interval\" must be 5 to 86400 seconds");
                return false;
            }
            d->energy_interval_s = (uint32_t)n;
        } else if (key_is(k, "min_write_interval_ms")) {
            if (!int_of(v, is_str, 0, 60000, &n)) {
                seterr(err, errcap, "\"min_write_interval_ms\" must be 0 to 60000");
                return false;
            }
            d->min_write_interval_ms = (uint32_t)n;
        } else if (key_is(k, "kwh")) {
            char m[16] = "";
            if (is_str)
                text_of(v, m, sizeof m);
            if (!strcmp(m, "auto"))
                d->kwh_mode = BRIDGE_KWH_AUTO;
            else if (!strcmp(m, "add_ele"))
                d->kwh_mode = BRIDGE_KWH_ADD_ELE;
            else if (!strcmp(m, "power"))
                d->kwh_mode = BRIDGE_KWH_POWER;
            else if (!strcmp(m, "off"))
                d->kwh_mode = BRIDGE_KWH_OFF;
            else {
                seterr(err, errcap, "\"kwh\" must be auto, add_ele, power or off");
                return false;
            }
        }
        /* other tinytuya fields (category, icon, uuid, sn, ...) are not needed */
    }
    if (st != LTUYA_ERR_NOT_FOUND) {
        seterr(err, errcap, "malformed device entry");
        return false;
    }
    return true;
}

bool bridge_devcfg_parse(const bridge_settings_t *s, const char *obj, size_t len,
                         bridge_devcfg_t *d, char *err, size_t errcap)
{
    memset(d, 0, sizeof *d);
    d->version = LTUYA_V33;
    d->switch_dp = 1;
    d->add_ele_dp = 17;
    d->add_ele_scale = 3;
    d->energy_interval_s = s->energy_interval_s;
    d->min_write_interval_ms = s->min_write_interval_ms;
    if (!bridge_devcfg_override(d, obj, len, err, errcap))
        return false;
    if (!d->id[0] || !d->key[0]) {
        seterr(err, errcap, "a device needs \"id\" and \"key\"");
        return false;
    }
    if (!d->name[0]) {
        snprintf(d->name, sizeof d->name, "%s", d->id);
        topic_safe(d->name);
    }
    /* the mapping names the switch and the energy counter when it has them */
    const bridge_dp_map_t *m = bridge_devcfg_by_code(d, "switch_1");
    if (!m)
        m = bridge_devcfg_by_code(d, "switch");
    if (m && m->kind == BRIDGE_DP_BOOL)
        d->switch_dp = m->dp;
    m = bridge_devcfg_by_code(d, "add_ele");
    if (m) {
        d->add_ele_dp = m->dp;
        d->add_ele_scale = m->scale;
    }
    return true;
}

const bridge_dp_map_t *bridge_devcfg_by_code(const bridge_devcfg_t *d, const char *code)
{
    for (size_t i = 0; i < d->map_count; i++)
        if (!strcmp(d->map[i].code, code))
            return &d->map[i];
    return NULL;
}

const bridge_dp_map_t *bridge_devcfg_by_dp(const bridge_devcfg_t *d, uint16_t dp)
{
    for (size_t i = 0; i < d->map_count; i++)
        if (d->map[i].dp == dp)
            return &d->map[i];
    return NULL;
}

static bool apply_overrides(const bridge_settings_t *s, bridge_devcfg_t *d, char *err,
                            size_t errcap)
{
    if (!s->overrides_json)
        return true;
    ltuya_json_iter_t it;
    ltuya_str_t k, v;
    bool is_str;
    if (ltuya_json_iter_init(&it, s->overrides_json, s->overrides_len) != LTUYA_OK)
        return false;
    while (ltuya_json_iter_next(&it, &k, &v, &is_str) == LTUYA_OK) {
        char who[BRIDGE_NAME_MAX];
        if (!text_of(k, who, sizeof who))
            continue;
        if (strcmp(who, d->id) && strcmp(who, d->name))
            continue;
        if (is_str || !bridge_devcfg_override(d, v.ptr, v.len, err, errcap))
            return false;
    }
    return true;
}

bool bridge_devices_parse(const bridge_settings_t *s, const char *text, size_t len,
                          bridge_devcfg_t **out, size_t *count, char *err, size_t errcap)
{
    *out = NULL;
    *count = 0;
    ltuya_str_t list = {text, len}, inner;
    bool is_str;
    size_t lead = 0;
    while (lead < len &&
           (text[lead] == ' ' || text[lead] == '\n' || text[lead] == '\r' || text[lead] == '\t'))
        lead++;
    if (lead < len && text[lead] == '{') { /* {"devices":[...]} */
        if (ltuya_json_get(text, len, "devices", &inner, &is_str) != LTUYA_OK || is_str) {
            seterr(err, errcap, "devices.json: \"devices\" must be an array");
            return false;
        }
        list = inner;
    }
    ltuya_json_iter_t it;
    if (ltuya_json_iter_init(&it, list.ptr, list.len) != LTUYA_OK || it.object) {
        seterr(err, errcap, "devices.json must be an array of devices (tinytuya's format)");
        return false;
    }
    size_t cap = 16, n = 0;
    bridge_devcfg_t *arr = malloc(cap * sizeof *arr);
    if (!arr) {
        seterr(err, errcap, "out of memory");
        return false;
    }
    ltuya_str_t v;
    ltuya_status_t st;
    while ((st = ltuya_json_iter_next(&it, NULL, &v, &is_str)) == LTUYA_OK) {
        if (n == cap) {
            bridge_devcfg_t *b = realloc(arr, cap * 2 * sizeof *arr);
            if (!b) {
                free(arr);
                seterr(err, errcap, "out of memory");
                return false;
            }
            arr = b;
            cap *= 2;
        }
        char e[160];
        if (is_str || !bridge_devcfg_parse(s, v.ptr, v.len, &arr[n], e, sizeof e) ||
            !apply_overrides(s, &arr[n], e, sizeof e)) {
            seterr(err, errcap, "devices.json entry %zu: %s", n + 1, e);
            free(arr);
            return false;
        }
        for (size_t i = 0; i < n; i++)
            if (!strcmp(arr[i].id, arr[n].id) || !strcmp(arr[i].name, arr[n].name)) {
                seterr(err, errcap, "devices.json entry %zu: id or name \"%s\" used twice", n + 1,
                       arr[n].name);
                free(arr);
                return false;
            }
        n++;
    }
    if (st != LTUYA_ERR_NOT_FOUND) {
        seterr(err, errcap, "devices.json: malformed JSON");
        free(arr);
        return false;
    }
    *out = arr;
    *count = n;
    return true;
}

char *bridge_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        char *b = realloc(buf, cap * 2);
        if (!b) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    *len = n;
    return buf;
}
