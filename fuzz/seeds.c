/*
 * Seed inputs for the fuzz targets, in each target's own input format,
 * made from tests/vectors/vectors.data (payloads, commands, captured frames)
 * and re-encoded with the fuzzers' key so they reach past the integrity
 * checks. fuzz/update_corpus.sh runs it and minimises the result into
 * fuzz/corpus/; it is not part of any test.
 *
 * Usage: fuzz_seeds VECTORS_DATA OUTDIR   (writes OUTDIR/<target>/seed-N)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "ltuya/discovery.h"
#include "ltuya/frame.h"

#define MAX_VECTORS 256

typedef struct {
    int vi;  /* version index 0..4 (3.1..3.5), -1 if none */
    int dev; /* 1 device, 0 client */
    uint32_t cmd, seq, retcode;
    bool has_cmd, udp_key;
    uint8_t frame[LTUYA_MAX_FRAME], payload[LTUYA_MAX_FRAME];
    size_t frame_len, payload_len;
    bool has_payload;
} vec_t;

static vec_t vecs[MAX_VECTORS];
static size_t nvecs;
static const char *outdir;

/* One seed: a growing byte buffer. */
typedef struct {
    uint8_t b[16384];
    size_t n;
} seed_t;

static void put(seed_t *s, const void *p, size_t n)
{
    if (n > sizeof s->b - s->n)
        n = sizeof s->b - s->n;
    memcpy(s->b + s->n, p, n);
    s->n += n;
}
static void put8(seed_t *s, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(s, &b, 1);
}
static void put16(seed_t *s, unsigned v)
{
    put8(s, v >> 8);
    put8(s, v);
}
static void put32(seed_t *s, uint32_t v)
{
    put16(s, v >> 16);
    put16(s, v & 0xffff);
}
static void puts_(seed_t *s, const char *t)
{
    put(s, t, strlen(t));
}

static void write_seed(const char *target, const seed_t *s)
{
    static unsigned counter;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", outdir, target);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/seed-%04u", outdir, target, counter++);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->b, 1, s->n, f) != s->n) {
        fprintf(stderr, "seeds: cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

static size_t unhex(const char *h, size_t hl, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i + 1 < hl && n < cap; i += 2) {
        unsigned v;
        if (sscanf(h + i, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* The value of `name=` in a vectors.data line (length in *len), or NULL. */
static const char *field(const char *line, const char *name, size_t *len)
{
    size_t k = strlen(name);
    for (const char *p = line; (p = strstr(p, name)) != NULL; p++) {
        if ((p == line || p[-1] == ' ') && p[k] == '=') {
            const char *v = p + k + 1;
            *len = strcspn(v, " \n");
            return v;
        }
    }
    return NULL;
}

static void load(const char *path)
{
    static char line[65536];
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "seeds: cannot open %s\n", path);
        exit(1);
    }
    static const char udp_hex[] = "6c1ec8e2bb9bb59ab50b0daf649b410a";
    while (fgets(line, sizeof line, f) && nvecs < MAX_VECTORS) {
        if (line[0] == '#')
            continue;
        vec_t *v = &vecs[nvecs];
        memset(v, 0, sizeof *v);
        size_t l;
        const char *x = field(line, "ver", &l);
        v->vi = x && l == 2 && x[0] == '3' && x[1] >= '1' && x[1] <= '5' ? x[1] - '1' : -1;
        x = field(line, "dir", &l);
        v->dev = x && !strncmp(x, "device", 6);
        if ((x = field(line, "cmd", &l)) != NULL) {
            v->cmd = (uint32_t)strtoul(x, NULL, 10);
            v->has_cmd = true;
        }
        if ((x = field(line, "seq", &l)) != NULL)
            v->seq = (uint32_t)strtoul(x, NULL, 10);
        if ((x = field(line, "retcode", &l)) != NULL)
            v->retcode = (uint32_t)strtoul(x, NULL, 10);
        if ((x = field(line, "key", &l)) != NULL)
            v->udp_key = l == 32 && !strncmp(x, udp_hex, 32);
        if ((x = field(line, "frame", &l)) != NULL)
            v->frame_len = unhex(x, l, v->frame, sizeof v->frame);
        if ((x = field(line, "payload", &l)) != NULL && !(l == 1 && x[0] == '-')) {
            v->payload_len = unhex(x, l, v->payload, sizeof v->payload);
            v->has_payload = true;
        } else if (x) {
            v->has_payload = true; /* "-": empty */
        }
        nvecs++;
    }
    fclose(f);
}

static const ltuya_version_t versions[5] = {LTUYA_V31, LTUYA_V32, LTUYA_V33, LTUYA_V34, LTUYA_V35};

/* A vector's payload re-encoded with the fuzz key. */
static size_t reencode(const vec_t *v, uint8_t *out, size_t cap)
{
    uint8_t nonce[LTUYA_GCM_NONCE_LEN] = {1, 2, 3};
    ltuya_frame_spec_t s = {0};
    s.version = versions[v->vi];
    s.key = fz_key;
    s.seq = v->seq;
    s.cmd = v->cmd;
    s.from_device = v->dev;
    s.retcode = v->retcode;
    s.payload = v->payload;
    s.payload_len = v->payload_len;
    s.nonce = nonce;
    s.v31_encrypt = ltuya_v31_encrypts(v->cmd, v->dev);
    size_t n = 0;
    return ltuya_frame_encode(&s, out, cap, &n) == LTUYA_OK ? n : 0;
}

static void frame_seeds(void)
{
    uint8_t enc[LTUYA_MAX_FRAME];
    for (size_t i = 0; i < nvecs; i++) {
        const vec_t *v = &vecs[i];
        if (v->vi < 0)
            continue;
        unsigned b0 = (unsigned)v->vi + 5u * (v->dev ? 0u : 1u);
        seed_t s;
        if (v->frame_len) { /* the capture as it is (its own key) */
            s.n = 0;
            put8(&s, b0);
            put8(&s, 1);
            put(&s, v->frame, v->frame_len);
            write_seed("frame", &s);
        }
        if (!v->has_cmd || !v->has_payload)
            continue;
        size_t n = reencode(v, enc, sizeof enc);
        if (n) {
            s.n = 0;
            put8(&s, b0);
            put8(&s, 0);
            put(&s, enc, n);
            put(&s, enc, n); /* two in a row: the stream path */
            write_seed("frame", &s);
        }
        s.n = 0; /* round trip: flags, cmd, seq, retcode, nonce, flip, mask, payload */
        put8(&s, b0);
        put8(&s, 2);
        put8(&s, v->cmd < 0x41 ? 0x00 : 0x80);
        if (v->cmd < 0x41)
            put8(&s, v->cmd);
        else
            put32(&s, v->cmd);
        put32(&s, v->seq);
        put8(&s, v->retcode);
        put8(&s, 7);
        put16(&s, 20);
        put8(&s, 0x10);
        put(&s, v->payload, v->payload_len);
        write_seed("frame", &s);
    }
}

static void reasm_seeds(void)
{
    static const uint8_t chunk_sets[4][4] = {{0}, {1, 0}, {6, 2, 99, 0}, {200, 0}};
    for (int vi = 0; vi < 5; vi++) {
        for (int c = 0; c < 4; c++) {
            seed_t s = {.n = 0};
            put8(&s, c == 3 ? 0x80 : (unsigned)c);
            put8(&s, 8);
            size_t k = 0;
            while (chunk_sets[c][k])
                k++;
            put8(&s, k);
            put(&s, chunk_sets[c], k);
            puts_(&s, "garbage\x00\x00");
            for (size_t i = 0; i < nvecs; i++) {
                uint8_t enc[LTUYA_MAX_FRAME];
                if (vecs[i].vi != vi || !vecs[i].has_cmd || !vecs[i].has_payload)
                    continue;
                size_t n = reencode(&vecs[i], enc, sizeof enc);
                put(&s, enc, n);
                if (i % 3 == 0)
                    put(&s, "\x00\x00\x55", 3); /* a prefix cut short */
            }
            write_seed("reasm", &s);
        }
    }
}

static void json_seed(const char *key, unsigned cap, const void *text, size_t len)
{
    seed_t s = {.n = 0};
    put8(&s, strlen(key));
    puts_(&s, key);
    put8(&s, cap);
    put(&s, text, len);
    write_seed("json", &s);
}

static void json_seeds(void)
{
    static const char *extra[] = {
        "{\"dps\":{\"1\":true,\"2\":-12,\"3\":\"a\\\"b\\u00e9\\ud83d\\ude00\",\"4\":null,\"5\":1."
        "5e3,"
        "\"6\":{\"x\":[1,2]},\"7\":99999999999999999999},\"t\":1700000000,\"devId\":\"x\"}",
        "{\"protocol\":5,\"t\":1,\"data\":{\"cid\":\"c1\",\"dps\":{\"1\":false}},\"dps\":{\"2\":1}"
        "}",
        "[{\"name\":\"Kitchen\",\"id\":\"eb01\",\"key\":\"0123456789abcdef\",\"mapping\":{\"1\":"
        "{\"code\":\"switch_1\",\"type\":\"Boolean\",\"values\":\"{}\"}}}]",
        " {\"a\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]} ",
        "{\"dps\":{\"01\":1,\"0\":2,\"65536\":3,\"x\":4}}",
        "{\"gwId\":\"\\/\\b\\f\\n\\r\\t\",\"k\":\"\\ud800\"}",
    };
    for (size_t i = 0; i < sizeof extra / sizeof *extra; i++)
        json_seed(i % 2 ? "devId" : "dps", (unsigned)(i * 40), extra[i], strlen(extra[i]));
    for (size_t i = 0; i < nvecs; i++) {
        const vec_t *v = &vecs[i];
        if (v->payload_len && v->payload[0] == '{')
            json_seed(i % 3 == 0   ? "t"
                      : i % 3 == 1 ? "dps"
                                   : "gwId",
                      (unsigned)(i * 13 % 256), v->payload, v->payload_len);
    }
}

/* ---- session scripts (see fuzz_session.c for the format) ----------------- */

enum { C_STATUS, C_DP_QUERY, C_DP_QUERY_NEW, C_CONTROL, C_CONTROL_NEW, C_HEART_BEAT, C_UPDATEDPS };

static void dev_frame(seed_t *s, unsigned cmd_index, const char *payload, unsigned flags)
{
    put8(s, 0 | cmd_index << 3);
    put16(s, (unsigned)strlen(payload));
    puts_(s, payload);
    put8(s, flags);
    put8(s, 0); /* fed whole */
}

static void session_seeds(void)
{
    static const char status[] = "{\"devId\":\"eb0123456789abcdefghij\",\"dps\":{\"1\":true,"
                                 "\"18\":120,\"19\":253,\"20\":2352},\"t\":1700000000}";
    for (int vi = 0; vi < 5; vi++) {
        bool keyed = vi >= 3;
        for (int variant = 0; variant < 3; variant++) {
            seed_t s = {.n = 0};
            put8(&s, (unsigned)vi);
            put8(&s, variant == 2 ? 0x12 : 0x00);
            put8(&s, 0);
            if (keyed) {
                put8(&s, 0);
                puts_(&s, "9876543210fedcba"); /* device nonce */
            }
            unsigned query = keyed ? C_DP_QUERY_NEW : C_DP_QUERY;
            unsigned control = keyed ? C_CONTROL_NEW : C_CONTROL;
            put8(&s, 4); /* status request */
            put8(&s, 1);
            if (variant == 1) {
                /* a plaintext "data format error": fall back to device22 */
                dev_frame(&s, query, "data format error", 0xc0);
                dev_frame(&s, C_CONTROL_NEW, "", 0x01);
                dev_frame(&s, C_STATUS, status, 0x01);
            } else {
                dev_frame(&s, query, status, 0x01);
            }
            dev_frame(&s, C_STATUS, "{\"dps\":{\"1\":false},\"t\":1}", 0x01); /* push */
            put8(&s, 4);                                                      /* set 1=true, 2=-5 */
            put8(&s, 68); /* 68 % 6 = SET, (68 >> 5) & 3 = two DPs */
            put8(&s, 1);
            put8(&s, 0x80);
            put8(&s, 2);
            put8(&s, 1);
            put32(&s, (uint32_t)-5);
            dev_frame(&s, control, "", 0x01);
            put8(&s, 4); /* heartbeat */
            put8(&s, 4);
            dev_frame(&s, C_HEART_BEAT, "", 0x01);
            put8(&s, 4); /* refresh */
            put8(&s, 3);
            dev_frame(&s, C_UPDATEDPS, "", 0x01);
            dev_frame(&s, C_STATUS, "{\"dps\":{\"18\":0,\"19\":0,\"20\":2300}}", 0x01);
            put8(&s, 5); /* time passes: heartbeat, then a timeout */
            put16(&s, 2000);
            put8(&s, 7);
            put8(&s, 10); /* part of the output */
            put8(&s, 5);
            put16(&s, 60000);
            write_seed("session", &s);
        }
        if (!keyed) { /* raw mode: the frames as bytes */
            seed_t s = {.n = 0};
            uint8_t enc[LTUYA_MAX_FRAME];
            put8(&s, (unsigned)vi | 0x80);
            put8(&s, 0);
            put8(&s, 0);
            for (size_t i = 0; i < nvecs; i++) {
                if (vecs[i].vi != vi || !vecs[i].dev || !vecs[i].has_cmd || !vecs[i].has_payload)
                    continue;
                size_t n = reencode(&vecs[i], enc, sizeof enc);
                for (size_t off = 0; off < n; off += 200) {
                    size_t k = n - off < 200 ? n - off : 200;
                    put8(&s, k - 1);
                    put(&s, enc + off, k);
                }
            }
            write_seed("session", &s);
        }
    }
}

static void discovery_seeds(void)
{
    for (size_t i = 0; i < nvecs; i++) {
        if (!vecs[i].udp_key || !vecs[i].frame_len)
            continue;
        seed_t s = {.n = 0};
        put8(&s, 0);
        put8(&s, 0);
        put(&s, vecs[i].frame, vecs[i].frame_len);
        write_seed("discovery", &s);
    }
    static const char beacon[] =
        "{\"ip\":\"192.168.1.20\",\"gwId\":\"eb0123456789abcdefghij\",\"active\":2,\"ability\":0,"
        "\"mode\":0,\"encrypt\":true,\"productKey\":\"keyabc\",\"version\":\"3.3\"}";
    for (unsigned vi = 0; vi < 5; vi++) {
        seed_t s = {.n = 0};
        put8(&s, 1);
        put8(&s, vi);
        puts_(&s, beacon);
        write_seed("discovery", &s);
        s.n = 0;
        put8(&s, 2);
        put8(&s, vi);
        puts_(&s, "\x14"
                  "abcdefghij0123456789\xc0\xa8\x01\x14\x06keyabc\x02");
        write_seed("discovery", &s);
    }
    static const char *ips[] = {"192.168.1.10", "10.0.0.255", "1.2.3", "01.2.3.4", "256.0.0.1"};
    for (size_t i = 0; i < sizeof ips / sizeof *ips; i++) {
        seed_t s = {.n = 0};
        put8(&s, 3);
        put8(&s, 4);
        puts_(&s, ips[i]);
        write_seed("discovery", &s);
    }
}

static void cli_seeds(void)
{
    static const char devices[] =
        "[{\"name\":\"Kitchen\",\"id\":\"eb0123456789abcdefghij\",\"key\":\"0123456789abcdef\","
        "\"ip\":\"192.168.1.20\",\"version\":3.3,\"product_id\":\"keyabc\",\"mapping\":{"
        "\"1\":{\"code\":\"switch_1\",\"type\":\"Boolean\",\"values\":{}},"
        "\"18\":{\"code\":\"cur_current\",\"type\":\"Integer\",\"values\":{\"unit\":\"mA\","
        "\"scale\":0}},"
        "\"19\":{\"code\":\"cur_power\",\"type\":\"Integer\",\"values\":\"{\\\"unit\\\":\\\"W\\\","
        "\\\"scale\\\":1}\"},"
        "\"20\":{\"code\":\"cur_voltage\",\"type\":\"Integer\",\"values\":{\"unit\":\"V\","
        "\"scale\":1}}}},"
        "{\"name\":\"Lamp\",\"id\":\"bf01\",\"key\":\"k\\u0041y\",\"version\":\"3.5\"}]";
    static const char *names[] = {"Kitchen", "kitchen", "bf01", "nobody"};
    for (size_t i = 0; i < 4; i++) {
        seed_t s = {.n = 0};
        put8(&s, 0);
        put(&s, names[i], strlen(names[i]) + 1);
        puts_(&s, devices);
        write_seed("cli", &s);
    }
    static const char *const lines[][16] = {
        {"Kitchen", "--json", "-V", "3.3", "1", "2"},
        {"--ip", "127.0.0.1", "--id", "eb0123456789abcdefghij", "--key",
         "30313233343536373839616263646566", "--version", "3.4", "--port", "6668", "-t", "2.5",
         "-v", "--device22", "--dp", "1"},
        {"--devices", "devices.json", "Lamp", "-vv", "--timeout=3", "--key=0123456789abcdef", "-h",
         "--bogus", "1=true", "--", "-x"},
    };
    for (size_t i = 0; i < 3; i++) {
        seed_t s = {.n = 0};
        put8(&s, 1);
        for (size_t k = 0; k < 16 && lines[i][k]; k++)
            put(&s, lines[i][k], strlen(lines[i][k]) + 1);
        write_seed("cli", &s);
    }
    static const char *hex[] = {"00:11:22:aa-BB cc", "abc", "30313233343536373839616263646566",
                                "\"quote\\\n\x01\x7f\xc3\xa9"};
    for (size_t i = 0; i < 4; i++) {
        seed_t s = {.n = 0};
        put8(&s, 2);
        put8(&s, (unsigned)(i * 8));
        puts_(&s, hex[i]);
        write_seed("cli", &s);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz_seeds VECTORS_DATA OUTDIR\n");
        return 2;
    }
    outdir = argv[2];
    mkdir(outdir, 0755);
    load(argv[1]);
    fz_random_reset(0);
    frame_seeds();
    reasm_seeds();
    json_seeds();
    session_seeds();
    discovery_seeds();
    cli_seeds();
    printf("seeds: %zu vectors read, seeds written to %s\n", nvecs, outdir);
    return 0;
}
