/* frame.c: error statuses, header rules, plaintext errors, reassembly, robustness. */
#include <string.h>

#include "ltuya/frame.h"
#include "test_support.h"

static const uint8_t key[16] = "0123456789abcdef";
static const char json[] = "{\"dps\":{\"1\":true,\"20\":2352}}";

static size_t build(ltuya_version_t v, uint32_t cmd, bool from_device, uint8_t *out, size_t cap)
{
    ltuya_frame_spec_t s = {0};
    s.version = v;
    s.key = key;
    s.seq = 5;
    s.cmd = cmd;
    s.from_device = from_device;
    s.payload = (const uint8_t *)json;
    s.payload_len = sizeof json - 1;
    s.nonce = (const uint8_t *)"abcdefghijkl";
    s.v31_encrypt = ltuya_v31_encrypts(cmd, from_device);
    size_t n = 0;
    assert_int_equal(ltuya_frame_encode(&s, out, cap, &n), LTUYA_OK);
    assert_int_equal(n, ltuya_frame_encoded_size(&s));
    return n;
}

static ltuya_status_t decode(ltuya_version_t v, uint8_t *buf, size_t len, ltuya_frame_t *f)
{
    ltuya_decode_opts_t o = {v, key, LTUYA_FROM_DEVICE};
    return ltuya_frame_decode_whole(buf, len, &o, f);
}

static const ltuya_version_t all_versions[] = {LTUYA_V31, LTUYA_V32, LTUYA_V33, LTUYA_V34,
                                               LTUYA_V35};

static void test_roundtrip_every_version(void **state)
{
    (void)state;
    for (size_t i = 0; i < 5; i++) {
        ltuya_version_t v = all_versions[i];
        uint32_t cmds[] = {LTUYA_CMD_STATUS, LTUYA_CMD_DP_QUERY, LTUYA_CMD_CONTROL_NEW};
        for (size_t c = 0; c < 3; c++) {
            uint8_t buf[512];
            ltuya_frame_t f;
            size_t n = build(v, cmds[c], true, buf, sizeof buf);
            assert_int_equal(decode(v, buf, n, &f), LTUYA_OK);
            assert_int_equal(f.seq, 5);
            assert_int_equal(f.cmd, cmds[c]);
            assert_true(f.has_retcode);
            assert_int_equal(f.payload_len, sizeof json - 1);
            assert_memory_equal(f.payload, json, f.payload_len);
            bool want_header = ltuya_cmd_has_version_header(v, cmds[c]);
            assert_int_equal(f.has_version_header, want_header);
            if (want_header)
                assert_int_equal(f.version_header[2], '0' + v % 10);
        }
    }
}

static void test_header_rules_and_overrides(void **state)
{
    (void)state;
    static const uint32_t bare[] = {LTUYA_CMD_DP_QUERY,
                                    LTUYA_CMD_DP_QUERY_NEW,
                                    LTUYA_CMD_UPDATEDPS,
                                    LTUYA_CMD_HEART_BEAT,
                                    LTUYA_CMD_SESS_KEY_NEG_START,
                                    LTUYA_CMD_SESS_KEY_NEG_RESP,
                                    LTUYA_CMD_SESS_KEY_NEG_FINISH,
                                    LTUYA_CMD_LAN_EXT_STREAM};
    for (size_t v = 1; v < 5; v++) {
        for (size_t i = 0; i < sizeof bare / sizeof bare[0]; i++)
            assert_false(ltuya_cmd_has_version_header(all_versions[v], bare[i]));
        assert_true(ltuya_cmd_has_version_header(all_versions[v], LTUYA_CMD_CONTROL));
        assert_true(ltuya_cmd_has_version_header(all_versions[v], LTUYA_CMD_CONTROL_NEW));
    }
    assert_false(ltuya_cmd_has_version_header(LTUYA_V31, LTUYA_CMD_CONTROL));

    /* forced on for a heartbeat (tuyapi does this on 3.3), with "3.3" digits on 3.2 */
    ltuya_frame_spec_t s = {0};
    s.version = LTUYA_V32;
    s.key = key;
    s.cmd = LTUYA_CMD_HEART_BEAT;
    s.header = LTUYA_HEADER_ON;
    s.header_version = 33;
    s.payload = (const uint8_t *)"{}";
    s.payload_len = 2;
    uint8_t buf[256];
    size_t n;
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_OK);
    assert_memory_equal(buf + 16, "3.3", 3);
    ltuya_decode_opts_t o = {LTUYA_V32, key, LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    assert_int_equal(ltuya_frame_decode_whole(buf, n, &o, &f), LTUYA_OK);
    assert_true(f.has_version_header);
    assert_memory_equal(f.payload, "{}", 2);
    /* forced off for a control */
    s.cmd = LTUYA_CMD_CONTROL;
    s.header = LTUYA_HEADER_OFF;
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_OK);
    assert_int_equal(n, 16 + 16 + 8);
    assert_int_equal(ltuya_frame_decode_whole(buf, n, &o, &f), LTUYA_OK);
    assert_false(f.has_version_header);
}

static void test_plaintext_error_replies(void **state)
{
    (void)state;
    static const char err[] = "data format error";
    for (size_t i = 1; i < 4; i++) { /* 3.2, 3.3, 3.4 */
        ltuya_frame_spec_t s = {0};
        s.version = all_versions[i];
        s.key = key;
        s.cmd = LTUYA_CMD_DP_QUERY;
        s.from_device = true;
        s.retcode = 1;
        s.plaintext = true;
        s.payload = (const uint8_t *)err;
        s.payload_len = sizeof err - 1;
        uint8_t buf[256];
        size_t n;
        ltuya_frame_t f;
        assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_OK);
        assert_int_equal(decode(s.version, buf, n, &f), LTUYA_OK);
        assert_false(f.encrypted);
        assert_int_equal(f.retcode, 1);
        assert_int_equal(f.payload_len, sizeof err - 1);
        assert_memory_equal(f.payload, err, f.payload_len);
    }
}

static void test_each_bad_frame_has_its_status(void **state)
{
    (void)state;
    uint8_t buf[512], work[512];
    ltuya_frame_t f;
    size_t n;

    /* bad CRC (3.3), bad HMAC (3.4), bad tag (3.5): flip one payload byte */
    struct {
        ltuya_version_t v;
        ltuya_status_t want;
    } integrity[] = {{LTUYA_V33, LTUYA_ERR_BAD_CRC},
                     {LTUYA_V34, LTUYA_ERR_BAD_HMAC},
                     {LTUYA_V35, LTUYA_ERR_BAD_TAG}};
    for (size_t i = 0; i < 3; i++) {
        n = build(integrity[i].v, LTUYA_CMD_STATUS, true, buf, sizeof buf);
        memcpy(work, buf, n);
        work[n / 2] ^= 0x40;
        assert_int_equal(decode(integrity[i].v, work, n, &f), integrity[i].want);
        /* a wrong key, too */
        memcpy(work, buf, n);
        ltuya_decode_opts_t o = {integrity[i].v, (const uint8_t *)"fedcba9876543210",
                                 LTUYA_FROM_DEVICE};
        ltuya_status_t st = ltuya_frame_decode_whole(work, n, &o, &f);
        assert_int_equal(st,
                         integrity[i].v == LTUYA_V33 ? LTUYA_ERR_BAD_PADDING : integrity[i].want);
    }

    n = build(LTUYA_V33, LTUYA_CMD_STATUS, true, buf, sizeof buf);
    /* bad footer */
    memcpy(work, buf, n);
    work[n - 1] ^= 1;
    assert_int_equal(decode(LTUYA_V33, work, n, &f), LTUYA_ERR_BAD_FOOTER);
    /* bad prefix */
    memcpy(work, buf, n);
    work[2] = 0x12;
    assert_int_equal(decode(LTUYA_V33, work, n, &f), LTUYA_ERR_BAD_PREFIX);
    /* truncated, and NEED_MORE from the streaming form */
    memcpy(work, buf, n);
    assert_int_equal(decode(LTUYA_V33, work, n - 1, &f), LTUYA_ERR_TRUNCATED);
    ltuya_decode_opts_t o = {LTUYA_V33, key, LTUYA_FROM_DEVICE};
    size_t used;
    assert_int_equal(ltuya_frame_decode(work, n - 1, &o, &f, &used), LTUYA_NEED_MORE);
    assert_int_equal(ltuya_frame_decode(work, 3, &o, &f, &used), LTUYA_NEED_MORE);
    /* impossible length (under the minimum) */
    memcpy(work, buf, n);
    work[12] = work[13] = work[14] = 0;
    work[15] = 3;
    assert_int_equal(decode(LTUYA_V33, work, n, &f), LTUYA_ERR_BAD_LENGTH);
    /* oversize, decided from the header alone */
    memcpy(work, buf, 16);
    work[12] = 0;
    work[13] = 0x01;
    work[14] = 0;
    work[15] = 0;
    assert_int_equal(decode(LTUYA_V33, work, 16, &f), LTUYA_ERR_FRAME_TOO_LARGE);
    size_t fl;
    assert_int_equal(ltuya_frame_peek(work, 16, &fl), LTUYA_ERR_FRAME_TOO_LARGE);
    /* 6699 oversize and short length */
    n = build(LTUYA_V35, LTUYA_CMD_STATUS, true, buf, sizeof buf);
    memcpy(work, buf, n);
    work[15] = 0x10;
    assert_int_equal(ltuya_frame_peek(work, n, &fl), LTUYA_ERR_FRAME_TOO_LARGE);
    memcpy(work, buf, n);
    work[16] = 0;
    work[17] = 27;
    assert_int_equal(ltuya_frame_peek(work, n, &fl), LTUYA_ERR_BAD_LENGTH);
    /* a 6699 frame is not 3.3 */
    memcpy(work, buf, n);
    assert_int_equal(decode(LTUYA_V33, work, n, &f), LTUYA_ERR_UNSUPPORTED_VERSION);
}

static void test_v31_padding_and_base64_errors(void **state)
{
    (void)state;
    uint8_t buf[512];
    ltuya_frame_t f;
    size_t n = build(LTUYA_V31, LTUYA_CMD_STATUS, true, buf, sizeof buf);
    /* the signature is reported, not fatal: a tampered signature still decodes */
    uint8_t work[512];
    memcpy(work, buf, n);
    assert_int_equal(decode(LTUYA_V31, work, n, &f), LTUYA_OK);
    assert_int_equal(f.v31_signature, LTUYA_SIG_OK);
    assert_true(f.encrypted);
    /* base64 damage: a '*' in the body; recompute the CRC so the frame is intact */
    memcpy(work, buf, n);
    work[16 + 4 + 19 + 2] = '*';
    uint32_t crc = ltuya_crc32(0, work, n - 8);
    work[n - 8] = (uint8_t)(crc >> 24);
    work[n - 7] = (uint8_t)(crc >> 16);
    work[n - 6] = (uint8_t)(crc >> 8);
    work[n - 5] = (uint8_t)crc;
    assert_int_equal(decode(LTUYA_V31, work, n, &f), LTUYA_ERR_BAD_BASE64);
    /* a wrong key shows as bad padding, and the signature as a mismatch */
    memcpy(work, buf, n);
    ltuya_decode_opts_t o = {LTUYA_V31, (const uint8_t *)"fedcba9876543210", LTUYA_FROM_DEVICE};
    assert_int_equal(ltuya_frame_decode_whole(work, n, &o, &f), LTUYA_ERR_BAD_PADDING);
}

static void test_size_first_and_short_buffers(void **state)
{
    (void)state;
    ltuya_frame_spec_t s = {0};
    s.version = LTUYA_V33;
    s.key = key;
    s.cmd = LTUYA_CMD_CONTROL;
    s.payload = (const uint8_t *)json;
    s.payload_len = sizeof json - 1;
    size_t need = ltuya_frame_encoded_size(&s);
    assert_true(need > 0);
    uint8_t buf[512];
    for (size_t cap = 0; cap < need; cap++) {
        memset(buf, 0xA5, sizeof buf);
        size_t n = 1234;
        assert_int_equal(ltuya_frame_encode(&s, buf, cap, &n), LTUYA_ERR_BUF_TOO_SMALL);
        assert_int_equal(n, 1234);
        for (size_t i = 0; i < sizeof buf; i++)
            assert_int_equal(buf[i], 0xA5); /* not a byte written */
    }
    /* missing key / nonce */
    s.key = NULL;
    size_t n;
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_ERR_INVALID_ARG);
    s.key = key;
    s.version = LTUYA_V35;
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_ERR_INVALID_ARG);
    /* too large for LTUYA_MAX_FRAME */
    static uint8_t big[LTUYA_MAX_FRAME];
    s.version = LTUYA_V33;
    s.payload = big;
    s.payload_len = sizeof big;
    assert_int_equal(ltuya_frame_encode(&s, big, sizeof big, &n), LTUYA_ERR_FRAME_TOO_LARGE);
    /* unknown version */
    s.version = (ltuya_version_t)36;
    assert_int_equal(ltuya_frame_encoded_size(&s), 0);
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_ERR_UNSUPPORTED_VERSION);
}

static void test_versions_and_names(void **state)
{
    (void)state;
    ltuya_version_t v;
    assert_int_equal(ltuya_version_parse("3.3", &v), LTUYA_OK);
    assert_int_equal(v, LTUYA_V33);
    assert_int_equal(ltuya_version_parse("35", &v), LTUYA_OK);
    assert_int_equal(v, LTUYA_V35);
    assert_int_equal(ltuya_version_parse("3.30", &v), LTUYA_OK);
    assert_int_equal(ltuya_version_parse("3.6", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("3.35", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("2.2", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_string_equal(ltuya_version_str(LTUYA_V34), "3.4");
    assert_string_equal(ltuya_cmd_name(0x40), "LAN_EXT_STREAM");
    assert_string_equal(ltuya_cmd_name(10), "DP_QUERY");
    assert_null(ltuya_cmd_name(0x99));
    assert_string_equal(ltuya_status_str(LTUYA_ERR_BAD_CRC), "CRC32 mismatch");
    assert_string_equal(ltuya_status_name(LTUYA_ERR_BAD_TAG), "ERR_BAD_TAG");
    assert_string_equal(ltuya_status_str((ltuya_status_t)999), "unknown status");
}

/* ---- reassembly ---------------------------------------------------------- */

static uint8_t rbuf[LTUYA_MAX_FRAME];

static void test_reasm_several_frames_in_one_read(void **state)
{
    (void)state;
    uint8_t stream[1024];
    size_t n1 = build(LTUYA_V33, LTUYA_CMD_STATUS, true, stream, sizeof stream);
    size_t n2 = build(LTUYA_V35, LTUYA_CMD_STATUS, true, stream + n1, sizeof stream - n1);
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, rbuf, sizeof rbuf);
    size_t acc;
    ltuya_reasm_feed(&r, stream, n1 + n2, &acc);
    assert_int_equal(acc, n1 + n2);
    uint8_t *fr;
    size_t fl;
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_OK);
    assert_int_equal(fl, n1);
    ltuya_frame_t f;
    assert_int_equal(decode(LTUYA_V33, fr, fl, &f), LTUYA_OK); /* in place */
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_OK);
    assert_int_equal(fl, n2);
    assert_int_equal(decode(LTUYA_V35, fr, fl, &f), LTUYA_OK);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_NEED_MORE);
    assert_int_equal(r.skipped, 0);
}

static void test_reasm_byte_by_byte_with_garbage(void **state)
{
    (void)state;
    uint8_t stream[1024];
    /* garbage, including a false start of a prefix */
    static const uint8_t junk[] = {0xde, 0xad, 0x00, 0x00, 0x55, 0x01, 0x00, 0x00};
    memcpy(stream, junk, sizeof junk);
    size_t n = sizeof junk;
    size_t n1 = build(LTUYA_V34, LTUYA_CMD_STATUS, true, stream + n, sizeof stream - n);
    n += n1;
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, rbuf, sizeof rbuf);
    uint8_t *fr;
    size_t fl, got = 0;
    for (size_t i = 0; i < n; i++) {
        ltuya_reasm_feed(&r, stream + i, 1, NULL);
        ltuya_status_t st = ltuya_reasm_next(&r, &fr, &fl);
        if (st == LTUYA_OK) {
            assert_int_equal(i, n - 1); /* only once the last byte arrived */
            assert_int_equal(fl, n1);
            ltuya_frame_t f;
            assert_int_equal(decode(LTUYA_V34, fr, fl, &f), LTUYA_OK);
            got++;
        } else {
            assert_int_equal(st, LTUYA_NEED_MORE);
        }
    }
    assert_int_equal(got, 1);
    assert_int_equal(r.skipped, sizeof junk);
}

static void test_reasm_oversize_is_skipped_without_its_body(void **state)
{
    (void)state;
    uint8_t stream[1024];
    /* a header declaring 1 MiB, then a good frame right after it */
    static const uint8_t huge[16] = {0, 0, 0x55, 0xaa, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0x10, 0, 0};
    memcpy(stream, huge, 16);
    size_t n1 = build(LTUYA_V33, LTUYA_CMD_STATUS, true, stream + 16, sizeof stream - 16);
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, rbuf, sizeof rbuf);
    ltuya_reasm_feed(&r, stream, 16 + n1, NULL);
    uint8_t *fr;
    size_t fl;
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_ERR_FRAME_TOO_LARGE);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_OK);
    assert_int_equal(fl, n1);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_NEED_MORE);
}

static void test_reasm_zero_copy_and_full_buffer(void **state)
{
    (void)state;
    uint8_t frame[512];
    size_t n = build(LTUYA_V33, LTUYA_CMD_STATUS, true, frame, sizeof frame);
    uint8_t small[200];
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, small, sizeof small);
    uint8_t *fr;
    size_t fl, room;
    /* three frames through a small buffer in chunks of 37 bytes, read straight in */
    size_t total = 0, frames = 0;
    uint8_t stream[1024];
    for (int i = 0; i < 3; i++)
        memcpy(stream + i * n, frame, n);
    while (total < 3 * n || frames < 3) {
        uint8_t *dst = ltuya_reasm_space(&r, &room);
        size_t chunk = 3 * n - total < 37 ? 3 * n - total : 37;
        if (chunk > room)
            chunk = room;
        memcpy(dst, stream + total, chunk);
        ltuya_reasm_commit(&r, chunk);
        total += chunk;
        while (ltuya_reasm_next(&r, &fr, &fl) == LTUYA_OK) {
            assert_int_equal(fl, n);
            frames++;
        }
        if (total == 3 * n && frames < 3)
            fail_msg("stream ended with %zu frames", frames);
    }
    assert_int_equal(frames, 3);
    ltuya_reasm_reset(&r);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_NEED_MORE);
}

/* Every truncation and every single-byte corruption of valid frames: an
 * error or NEED_MORE, never a crash or an out-of-bounds access (ASan). */
static void test_truncations_and_corruptions(void **state)
{
    (void)state;
    for (size_t vi = 0; vi < 5; vi++) {
        ltuya_version_t v = all_versions[vi];
        for (int dev = 0; dev < 2; dev++) {
            uint8_t frame[512], work[512];
            size_t n =
                build(v, dev ? LTUYA_CMD_STATUS : LTUYA_CMD_CONTROL, dev, frame, sizeof frame);
            ltuya_decode_opts_t o = {v, key, dev ? LTUYA_FROM_DEVICE : LTUYA_FROM_CLIENT};
            ltuya_frame_t f;
            size_t used;
            for (size_t len = 0; len < n; len++) {
                memcpy(work, frame, len);
                ltuya_status_t st = ltuya_frame_decode(work, len, &o, &f, &used);
                assert_true(st == LTUYA_NEED_MORE);
            }
            for (size_t i = 0; i < n; i++) {
                for (int bit = 0; bit < 8; bit += 3) {
                    memcpy(work, frame, n);
                    work[i] ^= (uint8_t)(1u << bit);
                    ltuya_status_t st = ltuya_frame_decode(work, n, &o, &f, &used);
                    /* 3.1 plaintext fields are not covered by anything but the CRC;
                     * everything else must be caught */
                    if (st == LTUYA_OK)
                        fail_msg("v%d dev=%d byte %zu bit %d: corruption not detected", v, dev, i,
                                 bit);
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_version),
        cmocka_unit_test(test_header_rules_and_overrides),
        cmocka_unit_test(test_plaintext_error_replies),
        cmocka_unit_test(test_each_bad_frame_has_its_status),
        cmocka_unit_test(test_v31_padding_and_base64_errors),
        cmocka_unit_test(test_size_first_and_short_buffers),
        cmocka_unit_test(test_versions_and_names),
        cmocka_unit_test(test_reasm_several_frames_in_one_read),
        cmocka_unit_test(test_reasm_byte_by_byte_with_garbage),
        cmocka_unit_test(test_reasm_oversize_is_skipped_without_its_body),
        cmocka_unit_test(test_reasm_zero_copy_and_full_buffer),
        cmocka_unit_test(test_truncations_and_corruptions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
