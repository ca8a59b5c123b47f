/*
 * Fuzz target: UDP discovery (ltuya_discovery_parse, _beacon, _request).
 *
 * Input: byte 0 picks the mode (mod 4), byte 1 the beacon version (mod 5):
 *   0  the rest is one received datagram;
 *   1  the rest is a beacon's JSON, framed and encrypted as a device of that
 *      version would (ltuya_discovery_beacon) and then parsed;
 *   2  a beacon with the fields (id, ip, product key, active) taken from the
 *      input in a safe alphabet: it must parse back to the same values;
 *   3  the rest is a reply address for the 3.5 request, which our own
 *      parser must then recognise as a request (LTUYA_ERR_UNEXPECTED).
 * Every string of a parsed beacon must be terminated inside its field.
 */
#include <stdio.h>

#include "fuzz_common.h"
#include "ltuya/discovery.h"

static const ltuya_version_t versions[5] = {LTUYA_V31, LTUYA_V32, LTUYA_V33, LTUYA_V34, LTUYA_V35};

static ltuya_status_t parse_copy(const uint8_t *dg, size_t n, ltuya_beacon_t *b)
{
    uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees any overread */
    if (!copy)
        return LTUYA_ERR_INVALID_ARG;
    if (n)
        memcpy(copy, dg, n);
    ltuya_status_t st = ltuya_discovery_parse(copy, n, b);
    free(copy);
    if (st == LTUYA_OK) {
        FZ_CHECK(memchr(b->id, 0, sizeof b->id) && b->id[0]);
        FZ_CHECK(memchr(b->ip, 0, sizeof b->ip));
        FZ_CHECK(memchr(b->version, 0, sizeof b->version));
        FZ_CHECK(memchr(b->product_key, 0, sizeof b->product_key));
        FZ_CHECK(b->active >= -1);
    }
    return st;
}

/* n input bytes mapped to [0-9a-z], NUL-terminated. */
static void safe_text(fz_in_t *in, char *out, size_t n)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[fz_u8(in) % 36];
    out[n] = 0;
}

static void known_beacon(fz_in_t *in, ltuya_version_t v, const uint8_t *nonce)
{
    static uint8_t dg[LTUYA_MAX_FRAME];
    char id[LTUYA_MAX_ID + 1], ip[16], pk[33], json[256];
    safe_text(in, id, 1 + fz_u8(in) % LTUYA_MAX_ID);
    uint8_t a[4]; /* read in order: argument evaluation order is unspecified */
    for (int i = 0; i < 4; i++)
        a[i] = fz_u8(in);
    snprintf(ip, sizeof ip, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    safe_text(in, pk, fz_u8(in) % 33);
    unsigned active = fz_u8(in) % 3;
    int len = snprintf(json, sizeof json,
                       "{\"ip\":\"%s\",\"gwId\":\"%s\",\"active\":%u,\"ability\":0,\"mode\":0,"
                       "\"encrypt\":true,\"productKey\":\"%s\",\"version\":\"%s\"}",
                       ip, id, active, pk, ltuya_version_str(v));
    size_t n;
    FZ_CHECK(ltuya_discovery_beacon(v, json, (size_t)len, nonce, dg, sizeof dg, &n) == LTUYA_OK);
    ltuya_beacon_t b;
    FZ_CHECK(parse_copy(dg, n, &b) == LTUYA_OK);
    FZ_CHECK(!strcmp(b.id, id) && !strcmp(b.ip, ip) && !strcmp(b.product_key, pk));
    FZ_CHECK(b.active == (int)active && b.encrypt && b.protocol == v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t dg[LTUYA_MAX_FRAME];
    fz_in_t in = {data, size};
    uint8_t b0 = fz_u8(&in), b1 = fz_u8(&in);
    ltuya_version_t v = versions[b1 % 5];
    uint8_t nonce[LTUYA_GCM_NONCE_LEN] = {b1};
    ltuya_beacon_t b;
    size_t n;
    fz_random_reset(b1);

    switch (b0 % 4) {
    case 0:
        parse_copy(in.p, in.n, &b);
        break;
    case 1:
        if (ltuya_discovery_beacon(v, (const char *)in.p, in.n, b0 & 0x80 ? NULL : nonce, dg,
                                   sizeof dg, &n) == LTUYA_OK)
            parse_copy(dg, n, &b);
        break;
    case 2:
        known_beacon(&in, v, nonce);
        break;
    default: {
        char ip[32];
        const uint8_t *p;
        size_t len = fz_bytes(&in, sizeof ip - 1, &p);
        memcpy(ip, p, len);
        ip[len] = 0;
        ltuya_status_t st = ltuya_discovery_request(ip, nonce, dg, sizeof dg, &n);
        if (st == LTUYA_OK) {
            FZ_CHECK(n <= LTUYA_DISCOVERY_REQUEST_MAX);
            FZ_CHECK(parse_copy(dg, n, &b) == LTUYA_ERR_UNEXPECTED);
        } else {
            FZ_CHECK(st == LTUYA_ERR_INVALID_ARG);
        }
        break;
    }
    }
    return 0;
}
