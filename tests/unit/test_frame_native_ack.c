/* A frame whose sender is not known (`ltuya decode`, LTUYA_FROM_ANY): the empty
 * CONTROL acknowledgement of firmware built on Tuya's device SDK carries its
 * return code 1 in little-endian bytes (01 00 00 00, protocol.md section 7
 * item 0 (b)); it is a return code, not a 4-byte binary payload. */
#include <string.h>

#include "ltuya/frame.h"
#include "test_support.h"

static const uint8_t key[16] = "0123456789abcdef";

static void test_little_endian_retcode_on_empty_ack(void **state)
{
    (void)state;
    static const ltuya_version_t versions[] = {LTUYA_V33, LTUYA_V34, LTUYA_V35};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        ltuya_frame_spec_t s = {0};
        uint8_t buf[256];
        size_t n;
        s.version = versions[i];
        s.key = key;
        s.seq = 7;
        s.cmd = versions[i] >= LTUYA_V34 ? LTUYA_CMD_CONTROL_NEW : LTUYA_CMD_CONTROL;
        s.from_device = true;
        s.retcode = 0x01000000u; /* 01 00 00 00 on the wire */
        s.nonce = (const uint8_t *)"deviceiv0001";
        assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_OK);
        ltuya_decode_opts_t o = {versions[i], key, LTUYA_FROM_ANY};
        ltuya_frame_t f;
        assert_int_equal(ltuya_frame_decode_whole(buf, n, &o, &f), LTUYA_OK);
        assert_true(f.has_retcode);
        assert_int_equal(f.retcode, 0x01000000u);
        assert_int_equal(f.payload_len, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_little_endian_retcode_on_empty_ack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
