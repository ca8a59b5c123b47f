/*
 * frame.c off the main paths: ciphertext that looks like JSON, payloads that
 * look like headers but are not, missing keys, return-code guessing, every
 * command name. The main rules are in test_frame.c.
 */
#include <stdio.h>
#include <string.h>

#include "ltuya/crypto.h"
#include "ltuya/frame.h"
#include "test_support.h"

static const uint8_t key[16] = "0123456789abcdef";

static ltuya_status_t decode_with(ltuya_version_t v, const uint8_t *k, ltuya_direction_t d,
                                  uint8_t *buf, size_t len, ltuya_frame_t *f)
{
    ltuya_decode_opts_t o = {v, k, d};
    return ltuya_frame_decode_whole(buf, len, &o, f);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A 55AA frame around a raw body (retcode and payload area as given), with a
 * CRC (3.1-3.3) or, for 3.4, an HMAC under key: layouts the encoder would not
 * produce, but with a valid trailer so only the body is under test. */
static size_t raw_frame(ltuya_version_t v, uint32_t cmd, const uint8_t *body, size_t n,
                        uint8_t *out)
{
    size_t trailer = v == LTUYA_V34 ? 32 : 4, total = 16 + n + trailer + 4;
    put_be32(out, LTUYA_PREFIX_55AA);
    put_be32(out + 4, 1);
    put_be32(out + 8, cmd);
    put_be32(out + 12, (uint32_t)(n + trailer + 4));
    memcpy(out + 16, body, n);
    if (v == LTUYA_V34)
        assert_int_equal(ltuya_hmac_sha256(key, 16, out, 16 + n, out + 16 + n), LTUYA_OK);
    else
        put_be32(out + 16 + n, ltuya_crc32(0, out, 16 + n));
    put_be32(out + total - 4, LTUYA_SUFFIX_55AA);
    return total;
}

/* A 3.2/3.3 device frame carrying `text` encrypted. */
static size_t encrypted_reply(ltuya_version_t v, const char *text, uint8_t *out, size_t cap)
{
    ltuya_frame_spec_t s = {0};
    size_t n;
    s.version = v;
    s.key = key;
    s.cmd = LTUYA_CMD_DP_QUERY;
    s.from_device = true;
    s.payload = (const uint8_t *)text;
    s.payload_len = strlen(text);
    assert_int_equal(ltuya_frame_encode(&s, out, cap, &n), LTUYA_OK);
    return n;
}

/* Ciphertext starts with '{' in one frame of 256. It used to be taken for
 * plaintext JSON and handed on undecrypted. */
static void test_ciphertext_starting_with_brace(void **state)
{
    (void)state;
    for (ltuya_version_t v = LTUYA_V32; v <= LTUYA_V33; v++) {
        uint8_t buf[256];
        ltuya_frame_t f;
        /* an error text whose ciphertext under this key starts with 0x7b */
        size_t n = encrypted_reply(v, "permission denied", buf, sizeof buf);
        assert_int_equal(buf[20], '{');
        assert_int_equal(decode_with(v, key, LTUYA_FROM_DEVICE, buf, n, &f), LTUYA_OK);
        assert_true(f.encrypted);
        assert_int_equal(f.payload_len, 17);
        assert_memory_equal(f.payload, "permission denied", 17);
        /* and status replies: find a few whose ciphertext starts with '{'
         * (the number sits in the first AES block, so each try differs) */
        int found = 0;
        for (int i = 0; i < 20000 && found < 4; i++) {
            char json[64];
            snprintf(json, sizeof json, "{\"t\":%d,\"dps\":{\"1\":true}}", 1700000000 + i);
            n = encrypted_reply(v, json, buf, sizeof buf);
            if (buf[20] != '{')
                continue;
            found++;
            assert_int_equal(decode_with(v, key, LTUYA_FROM_DEVICE, buf, n, &f), LTUYA_OK);
            assert_true(f.encrypted);
            assert_int_equal(f.payload_len, strlen(json));
            assert_memory_equal(f.payload, json, f.payload_len);
        }
        assert_int_equal(found, 4);
    }
}

/* The same ambiguity without a key to look with: read as it stands. */
static void test_brace_payload_without_key_is_plaintext(void **state)
{
    (void)state;
    static const char clear[] = "{\"dps\":{\"1\":true},\"t\":170000000}"; /* 32 bytes */
    uint8_t body[4 + 32] = {0, 0, 0, 0}, buf[128];
    memcpy(body + 4, clear, 32);
    size_t n = raw_frame(LTUYA_V33, LTUYA_CMD_STATUS, body, sizeof body, buf);
    ltuya_frame_t f;
    assert_int_equal(decode_with(LTUYA_V33, NULL, LTUYA_FROM_DEVICE, buf, n, &f), LTUYA_OK);
    assert_false(f.encrypted);
    assert_int_equal(f.payload_len, 32);
    assert_memory_equal(f.payload, clear, 32);
    /* whole blocks that do not start with '{' need the key */
    memset(body + 4, 0x5a, 32);
    n = raw_frame(LTUYA_V33, LTUYA_CMD_STATUS, body, sizeof body, buf);
    assert_int_equal(decode_with(LTUYA_V33, NULL, LTUYA_FROM_DEVICE, buf, n, &f),
                     LTUYA_ERR_INVALID_ARG);
}

static void test_every_command_has_its_name(void **state)
{
    (void)state;
#define CHECK_NAME_(name, val) assert_string_equal(ltuya_cmd_name(val), #name);
    LTUYA_CMD_LIST(CHECK_NAME_)
#undef CHECK_NAME_
    assert_null(ltuya_cmd_name(0x15));
    assert_null(ltuya_cmd_name(0xffffffffu));
}

/* A device ACK stays bare even when the header is forced on. */
static void test_device_ack_ignores_forced_header(void **state)
{
    (void)state;
    for (ltuya_version_t v = LTUYA_V32; v <= LTUYA_V34; v++) {
        ltuya_frame_spec_t s = {0};
        uint8_t buf[128];
        size_t n;
        s.version = v;
        s.key = key;
        s.cmd = LTUYA_CMD_CONTROL;
        s.from_device = true;
        s.header = LTUYA_HEADER_ON;
        assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_OK);
        assert_int_equal(n, v == LTUYA_V34 ? 56 : 28); /* header, retcode, trailer, footer */
        ltuya_frame_t f;
        assert_int_equal(decode_with(v, key, LTUYA_FROM_DEVICE, buf, n, &f), LTUYA_OK);
        assert_false(f.has_version_header);
        assert_true(f.has_retcode);
        assert_int_equal(f.payload_len, 0);
    }
}

/* header_version names the "3.x" digits: only 31..35 can be written as
 * such (issue 10: 99 became "9.9" and 200 "T.0" on the wire). */
static void test_header_version_range(void **state)
{
    (void)state;
    static const struct {
        uint8_t hv;
        ltuya_status_t want;
    } cases[] = {{0, LTUYA_OK},
                 {31, LTUYA_OK},
                 {33, LTUYA_OK},
                 {35, LTUYA_OK},
                 {30, LTUYA_ERR_INVALID_ARG},
                 {36, LTUYA_ERR_INVALID_ARG},
                 {99, LTUYA_ERR_INVALID_ARG},
                 {200, LTUYA_ERR_INVALID_ARG},
                 {3, LTUYA_ERR_INVALID_ARG}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ltuya_frame_spec_t s = {0};
        uint8_t buf[128];
        size_t n = 0;
        s.version = LTUYA_V33;
        s.key = key;
        s.cmd = LTUYA_CMD_CONTROL;
        s.payload = (const uint8_t *)"{}";
        s.payload_len = 2;
        s.header_version = cases[i].hv;
        assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), cases[i].want);
        if (cases[i].want != LTUYA_OK) {
            assert_int_equal(ltuya_frame_encoded_size(&s), 0);
            continue;
        }
        unsigned hv = cases[i].hv ? cases[i].hv : LTUYA_V33;
        char want[4] = {(char)('0' + hv / 10), '.', (char)('0' + hv % 10), 0};
        assert_memory_equal(buf + 16, want, 3);
    }
}

/* Only "3.<digit>" is a version header: near misses stay in the payload. */
static void test_header_lookalikes_stay_in_payload(void **state)
{
    (void)state;
    static const char *const starts[] = {"3x3", "3./", "3.:"};
    for (size_t i = 0; i < 3; i++) {
        uint8_t body[4 + 31] = {0, 0, 0, 1}, buf[128];
        memset(body + 4, '!', 31);
        memcpy(body + 4, starts[i], 3); /* then 12 + 16 bytes, as after a real header */
        size_t n = raw_frame(LTUYA_V33, LTUYA_CMD_STATUS, body, sizeof body, buf);
        ltuya_frame_t f;
        assert_int_equal(decode_with(LTUYA_V33, key, LTUYA_FROM_DEVICE, buf, n, &f), LTUYA_OK);
        assert_false(f.has_version_header);
        assert_false(f.encrypted);
        assert_int_equal(f.payload_len, 31);
        assert_memory_equal(f.payload, body + 4, 31);
    }
}

/* 3.1: only "3.1" + signature + base64 is encrypted; other text is plain. */
static void test_v31_prefix_lookalikes_are_plaintext(void **state)
{
    (void)state;
    static const char *const texts[] = {"3x1 is not a signature prefix",
                                        "3.2 is not one either, really"};
    for (size_t i = 0; i < 2; i++) {
        uint8_t body[64] = {0, 0, 0, 0}, buf[128];
        size_t len = strlen(texts[i]);
        memcpy(body + 4, texts[i], len);
        size_t n = raw_frame(LTUYA_V31, LTUYA_CMD_STATUS, body, 4 + len, buf);
        ltuya_frame_t f;
        assert_int_equal(decode_with(LTUYA_V31, key, LTUYA_FROM_DEVICE, buf, n, &f), LTUYA_OK);
        assert_false(f.encrypted);
        assert_int_equal(f.v31_signature, LTUYA_SIG_NONE);
        assert_int_equal(f.payload_len, len);
        assert_memory_equal(f.payload, texts[i], len);
    }
}

static void test_missing_key_or_output(void **state)
{
    (void)state;
    for (ltuya_version_t v = LTUYA_V31; v <= LTUYA_V35; v++) {
        if (v == LTUYA_V32 || v == LTUYA_V33)
            continue; /* covered above: they depend on the payload */
        ltuya_frame_spec_t s = {0};
        uint8_t buf[256];
        size_t n;
        s.version = v;
        s.key = key;
        s.cmd = LTUYA_CMD_STATUS;
        s.from_device = true;
        s.payload = (const uint8_t *)"{\"dps\":{\"1\":true}}";
        s.payload_len = 18;
        s.nonce = (const uint8_t *)"abcdefghijkl";
        s.v31_encrypt = true;
        assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_OK);
        ltuya_frame_t f;
        /* encrypted 3.1, HMAC'd 3.4 and GCM 3.5 all need the key */
        assert_int_equal(decode_with(v, NULL, LTUYA_FROM_DEVICE, buf, n, &f),
                         LTUYA_ERR_INVALID_ARG);
        ltuya_decode_opts_t o = {v, key, LTUYA_FROM_DEVICE};
        assert_int_equal(ltuya_frame_decode(buf, n, &o, NULL, NULL), LTUYA_ERR_INVALID_ARG);
        assert_int_equal(ltuya_frame_decode_whole(buf, n, &o, &f), LTUYA_OK);
    }
}

/* FROM_ANY: a return code is a small number, so its top three bytes are zero. */
static void test_guessed_return_code_needs_three_zero_bytes(void **state)
{
    (void)state;
    uint8_t buf[128];
    ltuya_frame_t f;
    /* 00 00 01 ...: not a return code, a 17-byte plaintext payload */
    uint8_t body[17] = {0, 0, 1, 'x'};
    size_t n = raw_frame(LTUYA_V33, LTUYA_CMD_STATUS, body, sizeof body, buf);
    assert_int_equal(decode_with(LTUYA_V33, key, LTUYA_FROM_ANY, buf, n, &f), LTUYA_OK);
    assert_false(f.has_retcode);
    assert_int_equal(f.payload_len, 17);
    /* 00 00 00 01 + text: return code 1 and the text */
    static const uint8_t err[] = {0, 0, 0, 1, 'n', 'o', 'p', 'e'};
    n = raw_frame(LTUYA_V33, LTUYA_CMD_STATUS, err, sizeof err, buf);
    assert_int_equal(decode_with(LTUYA_V33, key, LTUYA_FROM_ANY, buf, n, &f), LTUYA_OK);
    assert_true(f.has_retcode);
    assert_int_equal(f.retcode, 1);
    assert_int_equal(f.payload_len, 4);
    assert_memory_equal(f.payload, "nope", 4);
}

/* 3.4 FROM_ANY: whole blocks are a client's ciphertext even when they start
 * with three zero bytes; a return code leaves 4 bytes over. */
static void test_v34_guess_by_block_remainder(void **state)
{
    (void)state;
    /* two ECB blocks: one starting 00 00 00 (any bytes decrypt to something),
     * then a whole padding block, so the ciphertext is valid */
    uint8_t body[4 + 32] = {0}, buf[128];
    uint8_t *ct = body + 4;
    memset(ct + 3, 0xa5, 13);
    memset(ct + 16, 16, 16);
    assert_int_equal(ltuya_aes_ecb_encrypt(key, ct + 16, 16), LTUYA_OK);
    size_t n = raw_frame(LTUYA_V34, LTUYA_CMD_CONTROL, ct, 32, buf);
    ltuya_frame_t f;
    assert_int_equal(decode_with(LTUYA_V34, key, LTUYA_FROM_ANY, buf, n, &f), LTUYA_OK);
    assert_false(f.has_retcode);
    assert_true(f.encrypted);
    assert_int_equal(f.payload_len, 16);
    /* return code 0 and the padding block alone: a device's empty reply */
    memcpy(body + 4, ct + 16, 16);
    n = raw_frame(LTUYA_V34, LTUYA_CMD_CONTROL, body, 20, buf);
    assert_int_equal(decode_with(LTUYA_V34, key, LTUYA_FROM_ANY, buf, n, &f), LTUYA_OK);
    assert_true(f.has_retcode);
    assert_int_equal(f.retcode, 0);
    assert_int_equal(f.payload_len, 0);
}

/* 3.4: a frame with a good HMAC can still carry bad ciphertext. */
static void test_v34_valid_hmac_bad_padding(void **state)
{
    (void)state;
    uint8_t body[4 + 16] = {0}, buf[128];
    memset(body + 4, 'A', 15);
    body[4 + 15] = 0; /* a padding byte of 0 is never valid */
    assert_int_equal(ltuya_aes_ecb_encrypt(key, body + 4, 16), LTUYA_OK);
    size_t n = raw_frame(LTUYA_V34, LTUYA_CMD_STATUS, body, sizeof body, buf);
    ltuya_frame_t f;
    assert_int_equal(decode_with(LTUYA_V34, key, LTUYA_FROM_DEVICE, buf, n, &f),
                     LTUYA_ERR_BAD_PADDING);
}

/* 3.5 device plaintexts shorter than a return code carry none. */
static void test_v35_short_plaintext_has_no_retcode(void **state)
{
    (void)state;
    ltuya_frame_spec_t s = {0};
    uint8_t buf[128];
    size_t n;
    s.version = LTUYA_V35;
    s.key = key;
    s.cmd = LTUYA_CMD_STATUS;
    s.payload = (const uint8_t *)"ok";
    s.payload_len = 2;
    s.nonce = (const uint8_t *)"abcdefghijkl";
    s.header = LTUYA_HEADER_OFF;
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_OK);
    ltuya_frame_t f;
    assert_int_equal(decode_with(LTUYA_V35, key, LTUYA_FROM_DEVICE, buf, n, &f), LTUYA_OK);
    assert_false(f.has_retcode);
    assert_int_equal(f.payload_len, 2);
    assert_memory_equal(f.payload, "ok", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ciphertext_starting_with_brace),
        cmocka_unit_test(test_brace_payload_without_key_is_plaintext),
        cmocka_unit_test(test_every_command_has_its_name),
        cmocka_unit_test(test_device_ack_ignores_forced_header),
        cmocka_unit_test(test_header_version_range),
        cmocka_unit_test(test_header_lookalikes_stay_in_payload),
        cmocka_unit_test(test_v31_prefix_lookalikes_are_plaintext),
        cmocka_unit_test(test_missing_key_or_output),
        cmocka_unit_test(test_guessed_return_code_needs_three_zero_bytes),
        cmocka_unit_test(test_v34_guess_by_block_remainder),
        cmocka_unit_test(test_v34_valid_hmac_bad_padding),
        cmocka_unit_test(test_v35_short_plaintext_has_no_retcode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
