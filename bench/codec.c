/*
 * bench/codec: cost of decoding one status frame, framing + JSON versus the
 * bare crypto on the same bytes. Run under callgrind by bench/codec.sh, which
 * counts instructions inside bench_loop() only (repeatable, unlike time).
 *
 *   codec full   33|35 N   decode N status frames (verify, decrypt, parse DPs)
 *   codec crypto 33|35 N   the same decryption of the same bytes, nothing else
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltuya/frame.h"
#include "ltuya/json.h"

static const uint8_t key[16] = "0123456789abcdef";

/* A realistic energy-plug status push, as the simulator's default plug sends. */
static const char status_json[] =
    "{\"dps\":{\"1\":true,\"9\":0,\"17\":12,\"18\":371,\"19\":848,\"20\":2352,\"21\":1,"
    "\"22\":630,\"23\":10640,\"24\":5912,\"25\":2900,\"26\":0,\"38\":\"memory\","
    "\"39\":false,\"40\":\"relay\",\"41\":false},\"t\":1700000000}";

static uint8_t frame[1024], work[1024];
static size_t frame_len;
static ltuya_version_t version;
static volatile size_t sink;

static void build_frame(void)
{
    ltuya_frame_spec_t s = {0};
    s.version = version;
    s.key = key;
    s.seq = 42;
    s.cmd = LTUYA_CMD_STATUS;
    s.from_device = true;
    s.payload = (const uint8_t *)status_json;
    s.payload_len = sizeof status_json - 1;
    s.nonce = (const uint8_t *)"deviceiv0001";
    if (ltuya_frame_encode(&s, frame, sizeof frame, &frame_len) != LTUYA_OK) {
        fprintf(stderr, "codec: cannot build the frame\n");
        exit(1);
    }
}

/* Where the ciphertext sits in the frame, for the bare-crypto loop. */
static void crypto_once(void)
{
    if (version == LTUYA_V35) {
        size_t ct_len = frame_len - 18 - 12 - 16 - 4;
        if (ltuya_aes_gcm_decrypt(key, work + 18, work + 4, 14, work + 30, ct_len,
                                  work + 30 + ct_len) != LTUYA_OK)
            exit(1);
        sink += work[30];
    } else {
        /* 3.3 push: header(16) retcode(4) version header(15), ECB, CRC(4) footer(4) */
        size_t off = 16 + 4 + 15, ct_len = frame_len - off - 8;
        size_t pt_len;
        if (ltuya_aes_ecb_decrypt_pkcs7(key, work + off, ct_len, &pt_len) != LTUYA_OK)
            exit(1);
        sink += pt_len;
    }
}

static void full_once(void)
{
    ltuya_decode_opts_t o = {version, key, LTUYA_FROM_DEVICE};
    ltuya_frame_t f;
    ltuya_dps_t d;
    if (ltuya_frame_decode_whole(work, frame_len, &o, &f) != LTUYA_OK ||
        ltuya_json_parse_dps((const char *)f.payload, f.payload_len, &d) != LTUYA_OK)
        exit(1);
    sink += d.count;
}

/* callgrind collects inside this function only (--toggle-collect). */
__attribute__((noinline)) void bench_loop(void (*once)(void), long n);
__attribute__((noinline)) void bench_loop(void (*once)(void), long n)
{
    for (long i = 0; i < n; i++) {
        memcpy(work, frame, frame_len); /* decoding is in place */
        once();
    }
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "full") && strcmp(argv[1], "crypto"))) {
        fprintf(stderr, "usage: codec full|crypto 33|35 N\n");
        return 2;
    }
    version = atoi(argv[2]) == 35 ? LTUYA_V35 : LTUYA_V33;
    build_frame();
    bench_loop(strcmp(argv[1], "full") ? crypto_once : full_once, atol(argv[3]));
    printf("%s %d: %zu-byte frame, %zu\n", argv[1], (int)version, frame_len, (size_t)sink);
    return 0;
}
