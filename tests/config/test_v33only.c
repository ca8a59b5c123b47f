/*
 * A 3.2/3.3-only build (LTUYA_WITH_V31 = V34 = V35 = 0, compiled into a core
 * of its own by tests/CMakeLists.txt) refuses the versions it left out at
 * every entry point (issue 10 item 3: 3.4 used to be accepted and sent
 * HMAC'd queries with no handshake).
 */
#include <string.h>

#include "ltuya/frame.h"
#include "ltuya/session.h"
#include "test_support.h"

_Static_assert(!LTUYA_WITH_V31 && !LTUYA_WITH_V34 && !LTUYA_WITH_V35 && !LTUYA_WITH_HANDSHAKE,
               "this test is built for a 3.2/3.3-only core");

static const uint8_t key[LTUYA_KEY_LEN] = "0123456789abcdef";

static void test_versions(void **state)
{
    (void)state;
    ltuya_version_t v = LTUYA_V33;
    assert_true(ltuya_version_supported(LTUYA_V32));
    assert_true(ltuya_version_supported(LTUYA_V33));
    assert_false(ltuya_version_supported(LTUYA_V31));
    assert_false(ltuya_version_supported(LTUYA_V34));
    assert_false(ltuya_version_supported(LTUYA_V35));
    assert_int_equal(ltuya_version_parse("3.4", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("3.5", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("3.1", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("3.3", &v), LTUYA_OK);
    assert_int_equal(v, LTUYA_V33);
}

static void test_codec_refuses_34(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = 0;
    ltuya_frame_spec_t s;
    memset(&s, 0, sizeof s);
    s.version = LTUYA_V34;
    s.key = key;
    s.cmd = LTUYA_CMD_DP_QUERY_NEW;
    s.payload = (const uint8_t *)"{}";
    s.payload_len = 2;
    assert_int_equal(ltuya_frame_encoded_size(&s), 0);
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_ERR_UNSUPPORTED_VERSION);

    /* a well-formed 55AA frame, read as 3.4, is refused; as 3.3 it decodes */
    s.version = LTUYA_V33;
    s.cmd = LTUYA_CMD_HEART_BEAT;
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_OK);
    ltuya_frame_t f;
    ltuya_decode_opts_t o = {LTUYA_V34, key, LTUYA_FROM_CLIENT};
    assert_int_equal(ltuya_frame_decode_whole(buf, n, &o, &f), LTUYA_ERR_UNSUPPORTED_VERSION);
    o.version = LTUYA_V33;
    assert_int_equal(ltuya_frame_decode_whole(buf, n, &o, &f), LTUYA_OK);
    assert_int_equal(f.cmd, LTUYA_CMD_HEART_BEAT);
}

static void test_session_refuses_34(void **state)
{
    (void)state;
    static ltuya_session_t s;
    static uint8_t rx[1024], tx[1024];
    ltuya_session_opts_t o;
    memset(&o, 0, sizeof o);
    o.version = LTUYA_V34;
    o.dev_id = "bf0123456789abcdefgh";
    o.local_key = key;
    ltuya_session_init(&s, &o, rx, sizeof rx, tx, sizeof tx);
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_ERR_UNSUPPORTED_VERSION);
    const uint8_t *out = NULL;
    assert_int_equal(ltuya_session_output(&s, &out), 0); /* nothing queued for the wire */
    ltuya_session_deinit(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_codec_refuses_34),
        cmocka_unit_test(test_session_refuses_34),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
