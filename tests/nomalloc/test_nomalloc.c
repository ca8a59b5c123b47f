/*
 * The core never allocates: this binary links the core's objects with
 * malloc, calloc and realloc wrapped by functions that abort,
 * then runs every codec path: encode and decode for each version, the
 * handshake maths, the stream reassembler and the JSON writer and reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ltuya/frame.h"
#include "ltuya/handshake.h"
#include "ltuya/json.h"
#include "ltuya/profile.h"

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static int probing; /* set while proving the wrap is in place */
static int intercepted;

static void *refuse(void)
{
    intercepted++;
    if (probing)
        return NULL;
    abort(); /* the core allocated */
}
void *__wrap_malloc(size_t n)
{
    (void)n;
    return refuse();
}
void *__wrap_calloc(size_t n, size_t m)
{
    (void)n;
    (void)m;
    return refuse();
}
void *__wrap_realloc(void *p, size_t n)
{
    (void)p;
    (void)n;
    return refuse();
}

static const uint8_t key[16] = "0123456789abcdef";
static const char *id = "eb0123456789abcdefghij";

static int fixed_random(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    memset(buf, 0x5a, n);
    return 0;
}

static void test_wrap_is_active(void **state)
{
    (void)state;
    probing = 1;
    void *volatile p = malloc(16);
    probing = 0;
    assert_null(p);
    assert_int_equal(intercepted, 1);
}

/* Build a payload, frame it as client and device, decode both. */
static void roundtrip(ltuya_version_t v, uint32_t cmd)
{
    char json[256];
    ltuya_jw_t w;
    size_t jlen;
    ltuya_dp_t dps[2] = {ltuya_dp_bool(1, true), ltuya_dp_int(2, 42)};
    ltuya_jw_init(&w, json, sizeof json);
    ltuya_json_control(&w, v, id, NULL, 1700000000, dps, 2);
    assert_int_equal(ltuya_jw_finish(&w, &jlen), LTUYA_OK);

    for (int from_device = 0; from_device < 2; from_device++) {
        uint8_t frame[1024];
        size_t flen;
        ltuya_frame_spec_t s = {0};
        s.version = v;
        s.key = key;
        s.seq = 7;
        s.cmd = cmd;
        s.from_device = from_device;
        s.payload = (const uint8_t *)json;
        s.payload_len = jlen;
        s.nonce = (const uint8_t *)"clientiv0001";
        s.v31_encrypt = ltuya_v31_encrypts(cmd, from_device);
        assert_int_equal(ltuya_frame_encode(&s, frame, sizeof frame, &flen), LTUYA_OK);

        /* Through the reassembler in two pieces, then decoded in place. */
        uint8_t rbuf[LTUYA_MAX_FRAME];
        ltuya_reasm_t r;
        size_t acc;
        uint8_t *got;
        size_t glen;
        ltuya_reasm_init(&r, rbuf, sizeof rbuf);
        ltuya_reasm_feed(&r, frame, 5, &acc);
        assert_int_equal(ltuya_reasm_next(&r, &got, &glen), LTUYA_NEED_MORE);
        ltuya_reasm_feed(&r, frame + 5, flen - 5, &acc);
        assert_int_equal(ltuya_reasm_next(&r, &got, &glen), LTUYA_OK);
        assert_int_equal(glen, flen);

        ltuya_decode_opts_t o = {v, key, from_device ? LTUYA_FROM_DEVICE : LTUYA_FROM_CLIENT};
        ltuya_frame_t f;
        size_t used;
        assert_int_equal(ltuya_frame_decode(got, glen, &o, &f, &used), LTUYA_OK);
        assert_memory_equal(f.payload, json, jlen);

        ltuya_dps_t parsed;
        assert_int_equal(ltuya_json_parse_dps((const char *)f.payload, f.payload_len, &parsed),
                         LTUYA_OK);
        assert_int_equal(parsed.count, 2);
    }
}

static void test_codec_paths_do_not_allocate(void **state)
{
    (void)state;
    ltuya_random_set_hook(fixed_random, NULL);
#if LTUYA_WITH_V31
    roundtrip(LTUYA_V31, LTUYA_CMD_CONTROL);
#endif
    roundtrip(LTUYA_V32, LTUYA_CMD_CONTROL);
    roundtrip(LTUYA_V33, LTUYA_CMD_CONTROL);
    roundtrip(LTUYA_V34, LTUYA_CMD_CONTROL_NEW);
#if LTUYA_WITH_V35
    roundtrip(LTUYA_V35, LTUYA_CMD_CONTROL_NEW);
#endif
    assert_int_equal(intercepted, 1); /* only the probe */
}

static void test_handshake_does_not_allocate(void **state)
{
    (void)state;
    const uint8_t *lc = (const uint8_t *)"0123456789abcdef";
    const uint8_t *ld = (const uint8_t *)"9876543210fedcba";
    uint8_t resp[LTUYA_HS_RESP_LEN], fin[LTUYA_HS_FINISH_LEN], got_ld[16], sk[16];
    assert_int_equal(ltuya_hs_resp_payload(key, lc, ld, resp), LTUYA_OK);
    assert_int_equal(ltuya_hs_check_resp(key, lc, resp, sizeof resp, got_ld), LTUYA_OK);
    assert_int_equal(ltuya_hs_finish_payload(key, got_ld, fin), LTUYA_OK);
    assert_int_equal(ltuya_hs_check_finish(key, ld, fin, sizeof fin), LTUYA_OK);
    assert_int_equal(ltuya_hs_session_key(LTUYA_V34, key, lc, ld, sk), LTUYA_OK);
#if LTUYA_WITH_V35
    assert_int_equal(ltuya_hs_session_key(LTUYA_V35, key, lc, ld, sk), LTUYA_OK);
#endif
    assert_int_equal(intercepted, 1);
}

/* Typed profiles (profile.h): built-in defaults, merging, conversions, colour
 * codecs and the Home Assistant entities, all on caller storage. */
static void test_profile_does_not_allocate(void **state)
{
    (void)state;
    static ltuya_profile_t p;
    static ltuya_dps_t st;
    const char *json =
        "{\"dps\":{\"20\":true,\"21\":\"white\",\"22\":505,\"24\":\"000003e803e8\"}}";
    assert_int_equal(ltuya_json_parse_dps(json, strlen(json), &st), LTUYA_OK);
    ltuya_profile_init(&p);
    assert_int_equal(ltuya_profile_builtin(&p, ltuya_profile_guess_category(&st), &st), LTUYA_OK);
    ltuya_profile_add_raw(&p, &st);
    char text[48], scratch[48];
    ltuya_dp_t v;
    const ltuya_pdp_t *b = ltuya_profile_find_code(&p, "bright_value_v2");
    assert_int_equal(ltuya_pdp_parse(b, "50%", 3, scratch, sizeof scratch, &v), LTUYA_OK);
    assert_int_equal(ltuya_pdp_format(b, &v, text, sizeof text, NULL), LTUYA_OK);
    const ltuya_pdp_t *c = ltuya_profile_find_code(&p, "colour_data_v2");
    assert_int_equal(ltuya_pdp_parse(c, "#ff8800", 7, scratch, sizeof scratch, &v), LTUYA_OK);
    assert_int_equal(ltuya_pdp_format(c, &v, text, sizeof text, NULL), LTUYA_OK);
    ltuya_ha_entity_t e[8];
    assert_true(ltuya_profile_ha_entities(&p, e, 8) >= 1);
    assert_int_equal(intercepted, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_is_active),
        cmocka_unit_test(test_codec_paths_do_not_allocate),
        cmocka_unit_test(test_handshake_does_not_allocate),
        cmocka_unit_test(test_profile_does_not_allocate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
