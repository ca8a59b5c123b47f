/* UDP discovery datagrams; see discovery.h and docs/discovery.md. */
#include "ltuya/discovery.h"

#include <string.h>

#include "ltuya/json.h"

#define RETCODE 4

const uint8_t ltuya_udp_key[16] = {0x6c, 0x1e, 0xc8, 0xe2, 0xbb, 0x9b, 0xb5, 0x9a,
                                   0xb5, 0x0b, 0x0d, 0xaf, 0x64, 0x9b, 0x41, 0x0a};

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Copy member `key` into dst as a C string. Strings are unescaped; other
 * values are copied as written, because some firmware sends "version": 3.3
 * as a number. Leaves dst empty (and returns false) when the member is
 * absent or does not fit: a cut-off id or address would be worse than none. */
static bool field(const char *json, size_t len, const char *key, char *dst, size_t cap,
                  bool want_string)
{
    ltuya_str_t v;
    bool is_str = false;
    size_t n = 0;
    dst[0] = 0;
    if (ltuya_json_get(json, len, key, &v, &is_str) != LTUYA_OK || (want_string && !is_str))
        return false;
    if (is_str) {
        if (ltuya_json_unescape(v, dst, cap - 1, &n) != LTUYA_OK) {
            dst[0] = 0; /* the unescaper may have written part of it */
            return false;
        }
    } else {
        if (v.len >= cap)
            return false;
        memcpy(dst, v.ptr, v.len);
        n = v.len;
    }
    dst[n] = 0;
    return true;
}

/* "active": a small integer; -1 when absent or anything else. */
static int small_int(const char *json, size_t len, const char *key)
{
    char text[8];
    if (!field(json, len, key, text, sizeof text, false) || !text[0])
        return -1;
    int v = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

/* Open the frame with the UDP key and leave (payload, len) on its JSON. */
static ltuya_status_t open_frame(uint8_t *dg, size_t len, ltuya_frame_t *f, ltuya_version_t *frame)
{
    ltuya_decode_opts_t o = {LTUYA_V33, ltuya_udp_key, LTUYA_FROM_ANY};
    bool is_6699 = len >= 4 && get32(dg) == LTUYA_PREFIX_6699;
    if (is_6699) {
        /* Decoded as a client frame so the codec leaves any return code in
         * place; the rule for beacons (below) is narrower than the codec's. */
        o.version = LTUYA_V35;
        o.direction = LTUYA_FROM_CLIENT;
    }
    /* For 55AA, "any direction" lets the codec see whether a return code is
     * there (real beacons have one; a 3.1 payload that starts with '{' at
     * once has none), and the 3.3 rules tell '{' plaintext from ECB. */
    ltuya_status_t st = ltuya_frame_decode_whole(dg, len, &o, f);
    if (st != LTUYA_OK)
        return st;
    if (f->cmd == LTUYA_CMD_REQ_DEVINFO)
        return LTUYA_ERR_UNEXPECTED;
    if (is_6699) {
        /* TuyaOpen devices put a zero return code before the JSON; other
         * 3.5 beacons (and tinytuya's fake device) do not. */
        if (f->payload_len > RETCODE && f->payload[0] != '{' && f->payload[RETCODE] == '{') {
            f->payload += RETCODE;
            f->payload_len -= RETCODE;
        }
        *frame = LTUYA_V35;
    } else if (f->cmd == LTUYA_CMD_BOARDCAST_LPV34) {
        *frame = LTUYA_V34;
    } else {
        *frame = f->encrypted ? LTUYA_V33 : LTUYA_V31;
    }
    return LTUYA_OK;
}

ltuya_status_t ltuya_discovery_parse(uint8_t *datagram, size_t len, ltuya_beacon_t *out)
{
    if (!out)
        return LTUYA_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (!datagram)
        return LTUYA_ERR_INVALID_ARG;
    ltuya_frame_t f;
    ltuya_version_t frame = LTUYA_V33;
    ltuya_status_t st = open_frame(datagram, len, &f, &frame);
    if (st != LTUYA_OK)
        return st;

    const char *json = (const char *)f.payload;
    size_t n = f.payload_len;
    while (n && json[n - 1] == 0)
        n--; /* some firmware pads the JSON with NULs */
    size_t i = 0;
    while (i < n && (json[i] == ' ' || json[i] == '\t' || json[i] == '\r' || json[i] == '\n'))
        i++;
    if (i == n || json[i] != '{')
        return LTUYA_ERR_MALFORMED_JSON;
    if ((st = ltuya_json_validate(json, n)) != LTUYA_OK)
        return st;

    ltuya_beacon_t b;
    memset(&b, 0, sizeof b);
    if (!field(json, n, "gwId", b.id, sizeof b.id, true) || !b.id[0])
        return LTUYA_ERR_NOT_FOUND;
    field(json, n, "ip", b.ip, sizeof b.ip, true);
    field(json, n, "version", b.version, sizeof b.version, false);
    field(json, n, "productKey", b.product_key, sizeof b.product_key, true);
    if (ltuya_version_parse(b.version, &b.protocol) != LTUYA_OK)
        b.protocol = (ltuya_version_t)0;
    b.active = small_int(json, n, "active");
    ltuya_str_t v;
    bool is_str = true;
    b.encrypt = ltuya_json_get(json, n, "encrypt", &v, &is_str) == LTUYA_OK && !is_str &&
                v.len == 4 && !memcmp(v.ptr, "true", 4);
    b.frame = frame;
    b.cmd = f.cmd;
    *out = b;
    return LTUYA_OK;
}

/* Dotted IPv4, each part 0..255 without a leading zero: the device parses
 * the address and answers to it, so a host name or typo would be lost. */
static bool is_ipv4(const char *s)
{
    int parts = 0;
    while (parts < 4) {
        unsigned v = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (!digits || digits > 3 || v > 255 || (digits > 1 && s[-(int)digits] == '0'))
            return false;
        parts++;
        if (parts < 4 && *s++ != '.')
            return false;
    }
    return *s == 0;
}

ltuya_status_t ltuya_discovery_request(const char *reply_ip, const uint8_t *nonce, uint8_t *buf,
                                       size_t cap, size_t *len)
{
    if (!reply_ip || !buf || !len || !is_ipv4(reply_ip))
        return LTUYA_ERR_INVALID_ARG;
    char json[48];
    size_t jlen;
    ltuya_jw_t w;
    ltuya_jw_init(&w, json, sizeof json);
    ltuya_json_discovery_request(&w, reply_ip);
    ltuya_status_t st = ltuya_jw_finish(&w, &jlen);
    if (st != LTUYA_OK)
        return st;
    uint8_t fresh[LTUYA_GCM_NONCE_LEN];
    if (!nonce) {
        if ((st = ltuya_random(fresh, sizeof fresh)) != LTUYA_OK)
            return st;
        nonce = fresh;
    }
    ltuya_frame_spec_t s = {0};
    s.version = LTUYA_V35;
    s.key = ltuya_udp_key;
    s.cmd = LTUYA_CMD_REQ_DEVINFO;
    s.header = LTUYA_HEADER_OFF; /* a datagram, not a command: no "3.5" header */
    s.payload = (const uint8_t *)json;
    s.payload_len = jlen;
    s.nonce = nonce;
    return ltuya_frame_encode(&s, buf, cap, len);
}

ltuya_status_t ltuya_discovery_beacon(ltuya_version_t v, const char *json, size_t json_len,
                                      const uint8_t *nonce, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t fresh[LTUYA_GCM_NONCE_LEN];
    if (v == LTUYA_V35 && !nonce) {
        ltuya_status_t st = ltuya_random(fresh, sizeof fresh);
        if (st != LTUYA_OK)
            return st;
        nonce = fresh;
    }
    ltuya_frame_spec_t s = {0};
    s.version = v == LTUYA_V35 ? LTUYA_V35 : LTUYA_V33; /* 3.1-3.4 beacons: 55AA + CRC */
    s.key = ltuya_udp_key;
    s.cmd = v == LTUYA_V31   ? LTUYA_CMD_UDP
            : v == LTUYA_V34 ? LTUYA_CMD_BOARDCAST_LPV34
                             : LTUYA_CMD_UDP_NEW;
    s.from_device = true;
    s.plaintext = v == LTUYA_V31;
    s.header = LTUYA_HEADER_OFF;
    s.payload = (const uint8_t *)json;
    s.payload_len = json_len;
    s.nonce = nonce;
    return ltuya_frame_encode(&s, buf, cap, len);
}
