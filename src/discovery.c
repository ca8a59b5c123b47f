/* UDP discovery datagrams; see discovery.h and docs/protocol.md section 6. */
#include "ltuya/discovery.h"

#include <stdio.h>
#include <string.h>

#include "ltuya/json.h"

const uint8_t ltuya_udp_key[16] = {0x6c, 0x1e, 0xc8, 0xe2, 0xbb, 0x9b, 0xb5, 0x9a,
                                   0xb5, 0x0b, 0x0d, 0xaf, 0x64, 0x9b, 0x41, 0x0a};

static void field(const char *json, size_t len, const char *key, char *dst, size_t cap)
{
    ltuya_str_t v;
    bool is_str;
    size_t n = 0;
    dst[0] = 0;
    if (ltuya_json_get(json, len, key, &v, &is_str) != LTUYA_OK)
        return;
    if (is_str) {
        if (ltuya_json_unescape(v, dst, cap - 1, &n) != LTUYA_OK)
            n = 0;
    } else {
        n = v.len < cap - 1 ? v.len : cap - 1; /* "version": 3.3 as a number */
        memcpy(dst, v.ptr, n);
    }
    dst[n] = 0;
}

ltuya_status_t ltuya_discovery_parse(uint8_t *datagram, size_t len, ltuya_beacon_t *out)
{
    ltuya_frame_t f;
    ltuya_status_t st;
    memset(out, 0, sizeof *out);
    if (len >= 4 && datagram[2] == 0x66) {
        ltuya_decode_opts_t o = {LTUYA_V35, ltuya_udp_key, LTUYA_FROM_DEVICE};
        st = ltuya_frame_decode_whole(datagram, len, &o, &f);
    } else {
        /* 3.1 plaintext and 3.2-3.4 ECB frame alike; the decoder tells them apart */
        ltuya_decode_opts_t o = {LTUYA_V33, ltuya_udp_key, LTUYA_FROM_DEVICE};
        st = ltuya_frame_decode_whole(datagram, len, &o, &f);
    }
    if (st != LTUYA_OK)
        return st;
    size_t n = f.payload_len;
    while (n && f.payload[n - 1] == 0)
        n--; /* some firmware pads with NULs */
    const char *json = (const char *)f.payload;
    st = ltuya_json_validate(json, n);
    if (st != LTUYA_OK)
        return st;
    field(json, n, "gwId", out->id, sizeof out->id);
    if (!out->id[0])
        return LTUYA_ERR_NOT_FOUND;
    field(json, n, "ip", out->ip, sizeof out->ip);
    field(json, n, "version", out->version, sizeof out->version);
    field(json, n, "productKey", out->product_key, sizeof out->product_key);
    char active[8];
    field(json, n, "active", active, sizeof active);
    out->active = active[0] ? active[0] - '0' : 0;
    out->frame = f.version;
    out->cmd = f.cmd;
    return LTUYA_OK;
}

ltuya_status_t ltuya_discovery_request(const char *reply_ip, const uint8_t *nonce, uint8_t *buf,
                                       size_t cap, size_t *len)
{
    char json[96];
    size_t jlen;
    uint8_t fresh[LTUYA_GCM_NONCE_LEN];
    ltuya_jw_t w;
    ltuya_jw_init(&w, json, sizeof json);
    ltuya_json_discovery_request(&w, reply_ip);
    ltuya_status_t st = ltuya_jw_finish(&w, &jlen);
    if (st != LTUYA_OK)
        return st;
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
                                      const uint8_t *nonce, uint8_t *buf, size_t cap,
                                      size_t *len)
{
    ltuya_frame_spec_t s = {0};
    s.version = v == LTUYA_V35 ? LTUYA_V35 : LTUYA_V33; /* 3.1-3.4 beacons are 55AA + CRC */
    s.key = ltuya_udp_key;
    s.cmd = v == LTUYA_V31 ? LTUYA_CMD_UDP : v == LTUYA_V34 ? LTUYA_CMD_BOARDCAST_LPV34
                                                             : LTUYA_CMD_UDP_NEW;
    s.from_device = true;
    s.plaintext = v == LTUYA_V31;
    s.header = LTUYA_HEADER_OFF;
    s.payload = (const uint8_t *)json;
    s.payload_len = json_len;
    s.nonce = nonce;
    return ltuya_frame_encode(&s, buf, cap, len);
}
