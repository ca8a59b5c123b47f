/* frame.c: error statuses, header rules, plaintext errors, reassembly, robustness. */
#include <stdio.h>
#include <string.h>

#include "ltuya/frame.h"
#include "test_support.h"

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t other_key[16] = "fedcba9876543210";
static const char json[] = "{\"dps\":{\"1\":true,\"20\":2352}}";

static const ltuya_version_t all_versions[] = {LTUYA_V31, LTUYA_V32, LTUYA_V33, LTUYA_V34,
                                               LTUYA_V35};

static ltuya_frame_spec_t spec_of(ltuya_version_t v, uint32_t cmd, bool from_device)
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
    return s;
}

static size_t encode_ok(const ltuya_frame_spec_t *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    ltuya_status_t st = ltuya_frame_encode(s, out, cap, &n);
    if (st != LTUYA_OK)
        fail_msg("encode v%d cmd %u: %s", s->version, s->cmd, ltuya_status_str(st));
    assert_int_equal(n, ltuya_frame_encoded_size(s));
    return n;
}

static size_t build(ltuya_version_t v, uint32_t cmd, bool from_device, uint8_t *out, size_t cap)
{
    ltuya_frame_spec_t s = spec_of(v, cmd, from_device);
    return encode_ok(&s, out, cap);
}

static ltuya_status_t decode_dir(ltuya_version_t v, ltuya_direction_t d, uint8_t *buf, size_t len,
                                 ltuya_frame_t *f)
{
    ltuya_decode_opts_t o = {v, key, d};
    return ltuya_frame_decode_whole(buf, len, &o, f);
}

static ltuya_status_t decode(ltuya_version_t v, uint8_t *buf, size_t len, ltuya_frame_t *f)
{
    return decode_dir(v, LTUYA_FROM_DEVICE, buf, len, f);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Recompute a 55AA frame's CRC after editing it (so only the edit is tested). */
static void fix_crc(uint8_t *frame, size_t n)
{
    uint32_t crc = ltuya_crc32(0, frame, n - 8);
    frame[n - 8] = (uint8_t)(crc >> 24);
    frame[n - 7] = (uint8_t)(crc >> 16);
    frame[n - 6] = (uint8_t)(crc >> 8);
    frame[n - 5] = (uint8_t)crc;
}

/* A 55AA 3.2/3.3 frame around a raw payload area, for payload layouts the
 * encoder would not produce. */
static size_t raw_55aa(uint32_t cmd, bool retcode, const uint8_t *p, size_t n, uint8_t *out)
{
    static const uint8_t head[16] = {0, 0, 0x55, 0xaa, 0, 0, 0, 9};
    size_t r = retcode ? 4 : 0, total = 16 + r + n + 8;
    memcpy(out, head, 16);
    out[11] = (uint8_t)cmd;
    out[14] = (uint8_t)((total - 16) >> 8);
    out[15] = (uint8_t)(total - 16);
    memset(out + 16, 0, r);
    memcpy(out + 16 + r, p, n);
    memcpy(out + total - 4, "\x00\x00\xaa\x55", 4);
    fix_crc(out, total);
    return total;
}

/* ---- round trips and directions ------------------------------------------ */

static void test_roundtrip_every_version_and_direction(void **state)
{
    (void)state;
    static const uint32_t cmds[] = {LTUYA_CMD_STATUS, LTUYA_CMD_DP_QUERY, LTUYA_CMD_CONTROL_NEW,
                                    LTUYA_CMD_CONTROL, LTUYA_CMD_HEART_BEAT};
    static const ltuya_direction_t dirs[] = {LTUYA_FROM_DEVICE, LTUYA_FROM_CLIENT, LTUYA_FROM_ANY};
    size_t checked = 0;
    for (size_t i = 0; i < 5; i++) {
        ltuya_version_t v = all_versions[i];
        for (size_t c = 0; c < 5; c++) {
            for (int dev = 0; dev < 2; dev++) {
                uint8_t frame[512], buf[512];
                size_t n = build(v, cmds[c], dev, frame, sizeof frame);
                for (size_t d = 0; d < 3; d++) {
                    /* the known direction, or a guess */
                    if (dirs[d] != LTUYA_FROM_ANY && (dirs[d] == LTUYA_FROM_DEVICE) != dev)
                        continue;
                    ltuya_frame_t f;
                    memcpy(buf, frame, n);
                    assert_int_equal(decode_dir(v, dirs[d], buf, n, &f), LTUYA_OK);
                    assert_int_equal(f.version, v);
                    assert_int_equal(f.seq, 5);
                    assert_int_equal(f.cmd, cmds[c]);
                    assert_int_equal(f.has_retcode, dev);
                    assert_int_equal(f.retcode, 0);
                    assert_int_equal(f.payload_len, sizeof json - 1);
                    assert_memory_equal(f.payload, json, f.payload_len);
                    /* the payload is a view into the decoded buffer */
                    assert_true(f.payload > buf && f.payload + f.payload_len <= buf + n);
                    bool want_header = ltuya_cmd_has_version_header(v, cmds[c]);
                    assert_int_equal(f.has_version_header, want_header);
                    if (want_header)
                        assert_int_equal(f.version_header[2], '0' + v % 10);
                    assert_int_equal(f.encrypted,
                                     v != LTUYA_V31 || ltuya_v31_encrypts(cmds[c], dev));
                    if (v == LTUYA_V35)
                        assert_memory_equal(f.nonce, "abcdefghijkl", 12);
                    checked++;
                }
            }
        }
    }
    assert_int_equal(checked, 5 * 5 * 2 * 2);
}

/* The guess for handshake frames is made by command: a RESP always has a
 * return code, START and FINISH never, whatever their bytes look like. */
static void test_direction_guess_for_handshake_and_acks(void **state)
{
    (void)state;
    uint8_t nonce_like[16] = {0}; /* starts with zero bytes, like a return code */
    for (size_t i = 3; i < 5; i++) {
        ltuya_version_t v = all_versions[i];
        ltuya_frame_spec_t s = spec_of(v, LTUYA_CMD_SESS_KEY_NEG_START, false);
        s.payload = nonce_like;
        s.payload_len = sizeof nonce_like;
        uint8_t buf[256];
        ltuya_frame_t f;
        size_t n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode_dir(v, LTUYA_FROM_ANY, buf, n, &f), LTUYA_OK);
        assert_false(f.has_retcode);
        assert_int_equal(f.payload_len, 16);

        s.cmd = LTUYA_CMD_SESS_KEY_NEG_RESP;
        s.from_device = true;
        s.retcode = 0;
        n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode_dir(v, LTUYA_FROM_ANY, buf, n, &f), LTUYA_OK);
        assert_true(f.has_retcode);
        assert_int_equal(f.payload_len, 16);

        /* an empty ACK with retcode 1 (TuyaOpen acknowledges CONTROL so) */
        s = spec_of(v, LTUYA_CMD_CONTROL_NEW, true);
        s.payload_len = 0;
        s.retcode = 1;
        n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode_dir(v, LTUYA_FROM_ANY, buf, n, &f), LTUYA_OK);
        assert_true(f.has_retcode);
        assert_int_equal(f.retcode, 1);
        assert_int_equal(f.payload_len, 0);
        /* a client heartbeat with no payload at all */
        s = spec_of(v, LTUYA_CMD_HEART_BEAT, false);
        s.payload_len = 0;
        n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode_dir(v, LTUYA_FROM_ANY, buf, n, &f), LTUYA_OK);
        assert_false(f.has_retcode);
        assert_int_equal(f.payload_len, 0);
    }
}

/* ---- the version header -------------------------------------------------- */

static void test_header_rules(void **state)
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
        assert_true(ltuya_cmd_has_version_header(all_versions[v], LTUYA_CMD_STATUS));
        assert_true(ltuya_cmd_has_version_header(all_versions[v], LTUYA_CMD_AP_CONFIG));
    }
    for (uint32_t cmd = 0; cmd < 0x100; cmd++)
        assert_false(ltuya_cmd_has_version_header(LTUYA_V31, cmd));

    /* where it goes: clear before the ciphertext on 3.2/3.3, inside it on 3.4/3.5 */
    uint8_t buf[512];
    size_t n = build(LTUYA_V33, LTUYA_CMD_CONTROL, false, buf, sizeof buf);
    assert_memory_equal(buf + 16, "3.3\0\0\0\0\0\0\0\0\0\0\0\0", 15);
    assert_int_equal(n, 16 + 15 + 32 + 8);
    assert_int_equal(be32(buf + 12), n - 16); /* length: everything after itself */
    n = build(LTUYA_V34, LTUYA_CMD_CONTROL_NEW, false, buf, sizeof buf);
    assert_int_equal(n, 16 + 48 + 32 + 4); /* 15 + 28 bytes padded to 48 */
    assert_memory_not_equal(buf + 16, "3.4", 3);
    n = build(LTUYA_V35, LTUYA_CMD_CONTROL_NEW, false, buf, sizeof buf);
    assert_int_equal(n, 18 + 12 + 15 + 28 + 16 + 4); /* GCM: no padding */
    assert_int_equal(be32(buf + 14), n - 22);        /* nonce + ciphertext + tag */
    assert_memory_equal(buf + 4, "\0\0", 2);         /* reserved */
    assert_int_equal(be32(buf + n - 4), LTUYA_SUFFIX_6699);
}

static void test_header_overrides(void **state)
{
    (void)state;
    uint8_t buf[512];
    ltuya_frame_t f;
    size_t n;
    static const uint8_t tail[12] = {0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 1};

    /* forced on for a heartbeat (tuyapi does this on 3.3), with "3.3" digits on 3.2 */
    ltuya_frame_spec_t s = spec_of(LTUYA_V32, LTUYA_CMD_HEART_BEAT, false);
    s.header = LTUYA_HEADER_ON;
    s.header_version = 33;
    s.payload = (const uint8_t *)"{}";
    s.payload_len = 2;
    n = encode_ok(&s, buf, sizeof buf);
    assert_memory_equal(buf + 16, "3.3", 3);
    assert_int_equal(decode_dir(LTUYA_V32, LTUYA_FROM_CLIENT, buf, n, &f), LTUYA_OK);
    assert_true(f.has_version_header);
    assert_memory_equal(f.payload, "{}", 2);
    /* forced off for a control */
    s.cmd = LTUYA_CMD_CONTROL;
    s.header = LTUYA_HEADER_OFF;
    n = encode_ok(&s, buf, sizeof buf);
    assert_int_equal(n, 16 + 16 + 8);
    assert_int_equal(decode_dir(LTUYA_V32, LTUYA_FROM_CLIENT, buf, n, &f), LTUYA_OK);
    assert_false(f.has_version_header);
    /* never on 3.1, even when asked */
    s = spec_of(LTUYA_V31, LTUYA_CMD_DP_QUERY, false);
    s.header = LTUYA_HEADER_ON;
    n = encode_ok(&s, buf, sizeof buf);
    assert_int_equal(n, 16 + sizeof json - 1 + 8);
    assert_memory_equal(buf + 16, json, sizeof json - 1);

    /* on 3.4 and 3.5: on for DP_QUERY_NEW, off for CONTROL_NEW; a device
     * push with its header tail (crc 0, seq 0x1234, source 1) and "3.3" digits */
    for (size_t i = 3; i < 5; i++) {
        ltuya_version_t v = all_versions[i];
        s = spec_of(v, LTUYA_CMD_DP_QUERY_NEW, false);
        s.header = LTUYA_HEADER_ON;
        n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode_dir(v, LTUYA_FROM_CLIENT, buf, n, &f), LTUYA_OK);
        assert_true(f.has_version_header);
        assert_memory_equal(f.version_header, v == LTUYA_V34 ? "3.4" : "3.5", 3);
        s = spec_of(v, LTUYA_CMD_CONTROL_NEW, false);
        s.header = LTUYA_HEADER_OFF;
        n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode_dir(v, LTUYA_FROM_CLIENT, buf, n, &f), LTUYA_OK);
        assert_false(f.has_version_header);
        assert_int_equal(f.payload_len, sizeof json - 1);

        s = spec_of(v, LTUYA_CMD_STATUS, true);
        s.header_version = 33;
        s.header_tail = tail;
        n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode(v, buf, n, &f), LTUYA_OK);
        assert_true(f.has_version_header);
        assert_memory_equal(f.version_header, "3.3", 3);
        assert_memory_equal(f.version_header + 3, tail, 12);
        assert_memory_equal(f.payload, json, sizeof json - 1);
    }
}

/* Receivers strip a leading "3.x" block only where it cannot be data. */
static void test_header_stripping_guards(void **state)
{
    (void)state;
    uint8_t buf[512], area[128];
    ltuya_frame_t f;
    size_t n;

    /* 3.3: "3.3"+12 then 20 plaintext bytes: the rest is not whole blocks,
     * so nothing is stripped and the whole is a plaintext reply */
    memcpy(area, "3.3\0\0\0\0\0\0\0\0\0\0\0\0", 15);
    memcpy(area + 15, "query dp failed!!!!!", 20);
    n = raw_55aa(LTUYA_CMD_UPDATEDPS, true, area, 35, buf);
    assert_int_equal(decode(LTUYA_V33, buf, n, &f), LTUYA_OK);
    assert_false(f.has_version_header);
    assert_false(f.encrypted);
    assert_int_equal(f.payload_len, 35);
    /* header then 32 bytes of plaintext JSON: stripped, and '{' means clear */
    memcpy(area + 15, "{\"dps\":{\"1\":true},\"t\":170000000}", 32);
    n = raw_55aa(LTUYA_CMD_STATUS, true, area, 47, buf);
    assert_int_equal(decode(LTUYA_V33, buf, n, &f), LTUYA_OK);
    assert_true(f.has_version_header);
    assert_false(f.encrypted);
    assert_int_equal(f.payload_len, 32);
    assert_int_equal(f.payload[0], '{');

    /* 3.4/3.5: a binary payload that happens to start with "3.4" stays whole */
    uint8_t bin[40];
    memset(bin, 0xee, sizeof bin);
    memcpy(bin, "3.4abcdefghijklmnop", 19);
    for (size_t i = 3; i < 5; i++) {
        ltuya_version_t v = all_versions[i];
        ltuya_frame_spec_t s = spec_of(v, LTUYA_CMD_LAN_EXT_STREAM, false);
        s.payload = bin;
        s.payload_len = sizeof bin;
        n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode_dir(v, LTUYA_FROM_CLIENT, buf, n, &f), LTUYA_OK);
        assert_false(f.has_version_header);
        assert_int_equal(f.payload_len, sizeof bin);
        assert_memory_equal(f.payload, bin, sizeof bin);
        /* exactly 15 bytes: a header with nothing after it */
        s = spec_of(v, LTUYA_CMD_CONTROL_NEW, false);
        s.payload_len = 0;
        n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode_dir(v, LTUYA_FROM_CLIENT, buf, n, &f), LTUYA_OK);
        assert_true(f.has_version_header);
        assert_int_equal(f.payload_len, 0);
    }
}

/* ---- what devices send that a client does not ----------------------------- */

static void test_plaintext_error_replies(void **state)
{
    (void)state;
    static const char err[] = "data format error";
    for (size_t i = 1; i < 4; i++) { /* 3.2, 3.3, 3.4 */
        ltuya_frame_spec_t s = spec_of(all_versions[i], LTUYA_CMD_DP_QUERY, true);
        s.retcode = 1;
        s.plaintext = true;
        s.payload = (const uint8_t *)err;
        s.payload_len = sizeof err - 1;
        uint8_t buf[256];
        ltuya_frame_t f;
        size_t n = encode_ok(&s, buf, sizeof buf);
        assert_memory_equal(buf + 20, err, sizeof err - 1); /* on the wire as is */
        assert_int_equal(decode(s.version, buf, n, &f), LTUYA_OK);
        assert_false(f.encrypted);
        assert_int_equal(f.retcode, 1);
        assert_int_equal(f.payload_len, sizeof err - 1);
        assert_memory_equal(f.payload, err, f.payload_len);
        /* plaintext that starts with '{' and fills whole blocks, too (3.2/3.3) */
        if (s.version != LTUYA_V34) {
            s.payload = (const uint8_t *)"{\"err\":\"unvalid\"}..............";
            s.payload_len = 32;
            n = encode_ok(&s, buf, sizeof buf);
            assert_int_equal(decode(s.version, buf, n, &f), LTUYA_OK);
            assert_false(f.encrypted);
            assert_int_equal(f.payload_len, 32);
        }
        /* the same text encrypted, as other firmware sends it */
        s.payload = (const uint8_t *)err;
        s.payload_len = sizeof err - 1;
        s.plaintext = false;
        n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode(s.version, buf, n, &f), LTUYA_OK);
        assert_true(f.encrypted);
        assert_memory_equal(f.payload, err, f.payload_len);
    }
}

/* 3.2/3.3 ciphertext whose first byte happens to be '{' (one frame in 256)
 * is still ciphertext: found by fuzz/fuzz_frame (roundtrip) and
 * fuzz/fuzz_session, where such status replies were read as plaintext
 * garbage and silently dropped. A '{' plaintext error of whole blocks stays
 * readable (test_plaintext_error_replies). */
static void test_ciphertext_starting_with_brace(void **state)
{
    (void)state;
    size_t found = 0;
    for (size_t vi = 1; vi < 3; vi++) { /* 3.2, 3.3 */
        for (int dev = 0; dev < 2; dev++) {
            for (int i = 0; i < 512; i++) {
                char text[64];
                int len = snprintf(text, sizeof text, "{\"dps\":{\"1\":%d}}", i);
                ltuya_frame_spec_t s =
                    spec_of(all_versions[vi], dev ? LTUYA_CMD_STATUS : LTUYA_CMD_UPDATEDPS, dev);
                s.payload = (const uint8_t *)text;
                s.payload_len = (size_t)len;
                uint8_t buf[256];
                ltuya_frame_t f;
                size_t n = encode_ok(&s, buf, sizeof buf);
                size_t at = n - 4 - 4 - ltuya_pkcs7_padded_len((size_t)len); /* first ct byte */
                if (buf[at] != '{')
                    continue;
                found++;
                assert_int_equal(
                    decode_dir(s.version, dev ? LTUYA_FROM_DEVICE : LTUYA_FROM_CLIENT, buf, n, &f),
                    LTUYA_OK);
                assert_true(f.encrypted);
                assert_int_equal(f.payload_len, (size_t)len);
                assert_memory_equal(f.payload, text, (size_t)len);
            }
        }
    }
    assert_true(found >= 2); /* the loop did meet such frames */

    /* The other way round: a plaintext '{' error of whole blocks whose
     * decryption happens to end in valid padding (found by fuzz_frame) is
     * still plaintext, since what it decrypts to is not text. */
    found = 0;
    for (int i = 0; i < 20000 && found < 3; i++) {
        char text[33];
        uint8_t trial[32];
        size_t plen;
        snprintf(text, sizeof text, "{\"x\":\"............\",\"err\":%05d}", i);
        memcpy(trial, text, 32);
        if (ltuya_aes_ecb_decrypt_pkcs7(key, trial, 32, &plen) != LTUYA_OK)
            continue;
        found++;
        ltuya_frame_spec_t s = spec_of(LTUYA_V33, LTUYA_CMD_DP_QUERY, true);
        s.plaintext = true;
        s.retcode = 1;
        s.payload = (const uint8_t *)text;
        s.payload_len = 32;
        uint8_t buf[256];
        ltuya_frame_t f;
        size_t n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(decode(LTUYA_V33, buf, n, &f), LTUYA_OK);
        assert_false(f.encrypted);
        assert_int_equal(f.payload_len, 32);
        assert_memory_equal(f.payload, text, 32);
    }
    assert_true(found >= 1);
}

/* Empty ACKs: no payload bytes at all on 55AA (not an encrypted empty
 * block); on 3.5 the GCM plaintext is the bare return code. */
static void test_empty_acks(void **state)
{
    (void)state;
    static const size_t sizes[] = {28, 28, 28, 56, 54};
    for (size_t i = 0; i < 5; i++) {
        ltuya_frame_spec_t s = spec_of(all_versions[i], LTUYA_CMD_CONTROL, true);
        s.payload = NULL;
        s.payload_len = 0;
        uint8_t buf[128];
        ltuya_frame_t f;
        size_t n = encode_ok(&s, buf, sizeof buf);
        assert_int_equal(n, sizes[i]);
        assert_int_equal(decode(s.version, buf, n, &f), LTUYA_OK);
        assert_true(f.has_retcode);
        assert_int_equal(f.payload_len, 0);
        assert_false(f.has_version_header);
    }
}

static void test_v35_beacon_without_retcode(void **state)
{
    (void)state;
    /* some firmware's UDP beacon is bare JSON in the GCM plaintext */
    ltuya_frame_spec_t s = spec_of(LTUYA_V35, LTUYA_CMD_UDP_NEW, false);
    s.header = LTUYA_HEADER_OFF;
    uint8_t buf[256];
    ltuya_frame_t f;
    size_t n = encode_ok(&s, buf, sizeof buf);
    assert_int_equal(decode(LTUYA_V35, buf, n, &f), LTUYA_OK);
    assert_false(f.has_retcode);
    assert_int_equal(f.payload_len, sizeof json - 1);
    assert_memory_equal(f.payload, json, f.payload_len);
}

/* ---- every bad frame has its own status ----------------------------------- */

static void test_each_bad_frame_has_its_status(void **state)
{
    (void)state;
    uint8_t buf[512], work[512];
    ltuya_frame_t f;
    size_t n, fl;

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
        /* the trailer itself */
        memcpy(work, buf, n);
        work[n - 5] ^= 1;
        assert_int_equal(decode(integrity[i].v, work, n, &f), integrity[i].want);
        /* a wrong key: 3.3 has only the padding to notice it */
        memcpy(work, buf, n);
        ltuya_decode_opts_t o = {integrity[i].v, other_key, LTUYA_FROM_DEVICE};
        assert_int_equal(ltuya_frame_decode_whole(work, n, &o, &f),
                         integrity[i].v == LTUYA_V33 ? LTUYA_ERR_BAD_PADDING : integrity[i].want);
    }

    n = build(LTUYA_V33, LTUYA_CMD_STATUS, true, buf, sizeof buf);
    /* bad footer */
    memcpy(work, buf, n);
    work[n - 1] ^= 1;
    assert_int_equal(decode(LTUYA_V33, work, n, &f), LTUYA_ERR_BAD_FOOTER);
    /* bad prefix, whole or as the first bytes of a stream */
    memcpy(work, buf, n);
    work[2] = 0x12;
    assert_int_equal(decode(LTUYA_V33, work, n, &f), LTUYA_ERR_BAD_PREFIX);
    assert_int_equal(ltuya_frame_peek(work, 3, &fl), LTUYA_ERR_BAD_PREFIX);
    assert_int_equal(ltuya_frame_peek((const uint8_t *)"\x00\x00\x66", 3, &fl), LTUYA_NEED_MORE);
    assert_int_equal(ltuya_frame_peek(work, 0, &fl), LTUYA_NEED_MORE);
    /* truncated, and NEED_MORE from the streaming form */
    memcpy(work, buf, n);
    assert_int_equal(decode(LTUYA_V33, work, n - 1, &f), LTUYA_ERR_TRUNCATED);
    ltuya_decode_opts_t o = {LTUYA_V33, key, LTUYA_FROM_DEVICE};
    size_t used = 0;
    assert_int_equal(ltuya_frame_decode(work, n - 1, &o, &f, &used), LTUYA_NEED_MORE);
    assert_int_equal(ltuya_frame_decode(work, 3, &o, &f, &used), LTUYA_NEED_MORE);
    assert_int_equal(decode(LTUYA_V33, work, 10, &f), LTUYA_ERR_TRUNCATED);
    /* extra bytes after a whole frame are not part of it */
    assert_int_equal(ltuya_frame_decode(work, sizeof work, &o, &f, &used), LTUYA_OK);
    assert_int_equal(used, n);
    /* impossible length (under the minimum) */
    memcpy(work, buf, n);
    work[12] = work[13] = work[14] = 0;
    work[15] = 7;
    assert_int_equal(decode(LTUYA_V33, work, n, &f), LTUYA_ERR_BAD_LENGTH);
    /* 3.4: long enough for a CRC but not for an HMAC */
    n = build(LTUYA_V34, LTUYA_CMD_STATUS, true, buf, sizeof buf);
    memcpy(work, buf, 16);
    work[12] = work[13] = work[14] = 0;
    work[15] = 20;
    memcpy(work + 32, "\x00\x00\xaa\x55", 4);
    assert_int_equal(decode(LTUYA_V34, work, 36, &f), LTUYA_ERR_BAD_LENGTH);
    /* oversize, decided from the header alone */
    memcpy(work, buf, 16);
    work[12] = 0;
    work[13] = 0x01;
    work[14] = 0;
    work[15] = 0;
    assert_int_equal(decode(LTUYA_V33, work, 16, &f), LTUYA_ERR_FRAME_TOO_LARGE);
    assert_int_equal(ltuya_frame_peek(work, 16, &fl), LTUYA_ERR_FRAME_TOO_LARGE);
    work[12] = 0xff; /* and no overflow in the size arithmetic */
    assert_int_equal(ltuya_frame_peek(work, 16, &fl), LTUYA_ERR_FRAME_TOO_LARGE);
    /* the largest allowed is fine */
    work[12] = 0;
    work[13] = 0;
    work[14] = (uint8_t)((LTUYA_MAX_FRAME - 16) >> 8);
    work[15] = (uint8_t)(LTUYA_MAX_FRAME - 16);
    assert_int_equal(ltuya_frame_peek(work, 16, &fl), LTUYA_OK);
    assert_int_equal(fl, LTUYA_MAX_FRAME);
    work[15]++;
    assert_int_equal(ltuya_frame_peek(work, 16, &fl), LTUYA_ERR_FRAME_TOO_LARGE);

    /* 6699: oversize, short length, footer, truncation */
    n = build(LTUYA_V35, LTUYA_CMD_STATUS, true, buf, sizeof buf);
    memcpy(work, buf, n);
    work[15] = 0x10;
    assert_int_equal(ltuya_frame_peek(work, n, &fl), LTUYA_ERR_FRAME_TOO_LARGE);
    memcpy(work, buf, n);
    work[16] = 0;
    work[17] = 27;
    assert_int_equal(ltuya_frame_peek(work, n, &fl), LTUYA_ERR_BAD_LENGTH);
    memcpy(work, buf, n);
    work[n - 2] ^= 0xff;
    assert_int_equal(decode(LTUYA_V35, work, n, &f), LTUYA_ERR_BAD_FOOTER);
    memcpy(work, buf, n);
    assert_int_equal(decode(LTUYA_V35, work, n - 4, &f), LTUYA_ERR_TRUNCATED);
    assert_int_equal(decode(LTUYA_V35, work, 17, &f), LTUYA_ERR_TRUNCATED);
    /* the reserved bytes are covered by the tag */
    memcpy(work, buf, n);
    work[4] = 0x10;
    assert_int_equal(decode(LTUYA_V35, work, n, &f), LTUYA_ERR_BAD_TAG);
    /* a 6699 frame is not 3.3, a 55AA frame not 3.5 */
    memcpy(work, buf, n);
    assert_int_equal(decode(LTUYA_V33, work, n, &f), LTUYA_ERR_UNSUPPORTED_VERSION);
    n = build(LTUYA_V33, LTUYA_CMD_STATUS, true, buf, sizeof buf);
    memcpy(work, buf, n);
    assert_int_equal(decode(LTUYA_V35, work, n, &f), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(decode((ltuya_version_t)30, work, n, &f), LTUYA_ERR_UNSUPPORTED_VERSION);
    /* missing arguments and keys */
    assert_int_equal(ltuya_frame_decode(NULL, 0, &o, &f, &used), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_frame_decode(work, n, NULL, &f, &used), LTUYA_ERR_INVALID_ARG);
    ltuya_decode_opts_t nokey = {LTUYA_V33, NULL, LTUYA_FROM_DEVICE};
    assert_int_equal(ltuya_frame_decode_whole(work, n, &nokey, &f), LTUYA_ERR_INVALID_ARG);
}

static void test_v31_signature_padding_and_base64(void **state)
{
    (void)state;
    uint8_t buf[512], work[512];
    ltuya_frame_t f;
    size_t n = build(LTUYA_V31, LTUYA_CMD_STATUS, true, buf, sizeof buf);
    memcpy(work, buf, n);
    assert_int_equal(decode(LTUYA_V31, work, n, &f), LTUYA_OK);
    assert_int_equal(f.v31_signature, LTUYA_SIG_OK);
    assert_true(f.encrypted);
    assert_memory_equal(f.payload, json, sizeof json - 1);
    /* a tampered signature is reported, not fatal: real devices are not strict */
    memcpy(work, buf, n);
    work[16 + 4 + 3] ^= 1;
    fix_crc(work, n);
    assert_int_equal(decode(LTUYA_V31, work, n, &f), LTUYA_OK);
    assert_int_equal(f.v31_signature, LTUYA_SIG_BAD);
    assert_memory_equal(f.payload, json, sizeof json - 1);
    /* base64 damage: a '*' in the body */
    memcpy(work, buf, n);
    work[16 + 4 + 19 + 2] = '*';
    fix_crc(work, n);
    assert_int_equal(decode(LTUYA_V31, work, n, &f), LTUYA_ERR_BAD_BASE64);
    /* a wrong key shows as bad padding */
    memcpy(work, buf, n);
    ltuya_decode_opts_t o = {LTUYA_V31, other_key, LTUYA_FROM_DEVICE};
    assert_int_equal(ltuya_frame_decode_whole(work, n, &o, &f), LTUYA_ERR_BAD_PADDING);
    /* base64 of a ragged ciphertext (not whole blocks) is bad padding too */
    uint8_t area[64];
    memcpy(area, "3.1", 3);
    memset(area + 3, 'a', 16);
    memcpy(area + 19, "QUJD", 4); /* "ABC" */
    n = raw_55aa(LTUYA_CMD_STATUS, true, area, 23, work);
    assert_int_equal(decode(LTUYA_V31, work, n, &f), LTUYA_ERR_BAD_PADDING);
    /* plaintext frames (queries and their replies) need no key */
    n = build(LTUYA_V31, LTUYA_CMD_DP_QUERY, true, buf, sizeof buf);
    ltuya_decode_opts_t nokey = {LTUYA_V31, NULL, LTUYA_FROM_DEVICE};
    assert_int_equal(ltuya_frame_decode_whole(buf, n, &nokey, &f), LTUYA_OK);
    assert_false(f.encrypted);
    assert_int_equal(f.v31_signature, LTUYA_SIG_NONE);
    ltuya_frame_spec_t s = spec_of(LTUYA_V31, LTUYA_CMD_DP_QUERY, false);
    s.key = NULL;
    encode_ok(&s, buf, sizeof buf);
}

/* ---- encoding into the caller's buffer ------------------------------------ */

static void test_size_first_and_short_buffers(void **state)
{
    (void)state;
    uint8_t buf[600];
    for (size_t i = 0; i < 5; i++) {
        for (int dev = 0; dev < 2; dev++) {
            ltuya_frame_spec_t s =
                spec_of(all_versions[i], dev ? LTUYA_CMD_STATUS : LTUYA_CMD_CONTROL, dev);
            size_t need = ltuya_frame_encoded_size(&s);
            assert_true(need > 0 && need < sizeof buf);
            for (size_t cap = 0; cap < need; cap++) {
                memset(buf, 0xA5, sizeof buf);
                size_t n = 1234;
                assert_int_equal(ltuya_frame_encode(&s, buf, cap, &n), LTUYA_ERR_BUF_TOO_SMALL);
                assert_int_equal(n, 1234);
                for (size_t k = 0; k < sizeof buf; k++)
                    assert_int_equal(buf[k], 0xA5); /* not a byte written */
            }
            /* exactly enough: nothing past the end is touched */
            memset(buf, 0xA5, sizeof buf);
            size_t n = 0;
            assert_int_equal(ltuya_frame_encode(&s, buf, need, &n), LTUYA_OK);
            assert_int_equal(n, need);
            for (size_t k = need; k < sizeof buf; k++)
                assert_int_equal(buf[k], 0xA5);
        }
    }

    ltuya_frame_spec_t s = spec_of(LTUYA_V33, LTUYA_CMD_CONTROL, false);
    size_t n;
    /* missing key / nonce / payload */
    s.key = NULL;
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_ERR_INVALID_ARG);
    s.key = key;
    s.version = LTUYA_V35;
    s.nonce = NULL;
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_ERR_INVALID_ARG);
    s.version = LTUYA_V33;
    s.payload = NULL;
    assert_int_equal(ltuya_frame_encoded_size(&s), 0);
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_frame_encode(NULL, buf, sizeof buf, &n), LTUYA_ERR_INVALID_ARG);
    /* too large for LTUYA_MAX_FRAME, whatever the buffer */
    static uint8_t big[LTUYA_MAX_FRAME];
    s.payload = big;
    s.payload_len = sizeof big;
    assert_int_equal(ltuya_frame_encode(&s, big, sizeof big, &n), LTUYA_ERR_FRAME_TOO_LARGE);
    /* the largest that fits: 16 + 15 + 4048 (4047 padded) + 8 = 4087; one more
     * byte pads to 4064 and the frame to 4103 */
    static uint8_t out[LTUYA_MAX_FRAME];
    s.header = LTUYA_HEADER_ON;
    s.payload_len = 4047;
    assert_int_equal(ltuya_frame_encode(&s, out, sizeof out, &n), LTUYA_OK);
    assert_int_equal(n, 4087);
    s.payload_len = 4048;
    assert_int_equal(ltuya_frame_encode(&s, out, sizeof out, &n), LTUYA_ERR_FRAME_TOO_LARGE);
    /* unknown version */
    s.version = (ltuya_version_t)36;
    assert_int_equal(ltuya_frame_encoded_size(&s), 0);
    assert_int_equal(ltuya_frame_encode(&s, buf, sizeof buf, &n), LTUYA_ERR_UNSUPPORTED_VERSION);
}

/* The payload may be built inside the output buffer (an MCU has no room for
 * a second frame-sized buffer): the frame comes out the same. */
static void test_payload_inside_the_output_buffer(void **state)
{
    (void)state;
    for (size_t i = 0; i < 5; i++) {
        for (int dev = 0; dev < 2; dev++) {
            uint32_t cmd = dev ? LTUYA_CMD_STATUS : LTUYA_CMD_CONTROL;
            uint8_t want[512];
            size_t n = build(all_versions[i], cmd, dev, want, sizeof want);
            static const size_t offsets[] = {0, 7, 16, 20, 30, 100};
            for (size_t k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
                uint8_t buf[512];
                memset(buf, 0x5a, sizeof buf);
                memcpy(buf + offsets[k], json, sizeof json - 1);
                ltuya_frame_spec_t s = spec_of(all_versions[i], cmd, dev);
                s.payload = buf + offsets[k];
                size_t m = encode_ok(&s, buf, sizeof buf);
                assert_int_equal(m, n);
                assert_memory_equal(buf, want, n);
            }
        }
    }
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
    assert_int_equal(v, LTUYA_V33);
    assert_int_equal(ltuya_version_parse("3.1", &v),
                     LTUYA_WITH_V31 ? LTUYA_OK : LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("3.6", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("3.0", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("3.35", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("3.", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("3", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("2.2", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse("", &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(ltuya_version_parse(NULL, &v), LTUYA_ERR_UNSUPPORTED_VERSION);
    for (size_t i = 0; i < 5; i++) {
        assert_true(ltuya_version_supported(all_versions[i]));
        assert_int_equal(ltuya_version_parse(ltuya_version_str(all_versions[i]), &v), LTUYA_OK);
        assert_int_equal(v, all_versions[i]);
    }
    assert_false(ltuya_version_supported((ltuya_version_t)36));
    assert_string_equal(ltuya_version_str(LTUYA_V34), "3.4");
    assert_string_equal(ltuya_version_str((ltuya_version_t)0), "?");
    assert_string_equal(ltuya_cmd_name(0x40), "LAN_EXT_STREAM");
    assert_string_equal(ltuya_cmd_name(10), "DP_QUERY");
    assert_string_equal(ltuya_cmd_name(0x25), "REQ_DEVINFO");
    assert_null(ltuya_cmd_name(0x99));
    assert_true(ltuya_v31_encrypts(LTUYA_CMD_CONTROL, false));
    assert_true(ltuya_v31_encrypts(LTUYA_CMD_STATUS, true));
    assert_false(ltuya_v31_encrypts(LTUYA_CMD_DP_QUERY, false));
    assert_false(ltuya_v31_encrypts(LTUYA_CMD_DP_QUERY, true));
    assert_false(ltuya_v31_encrypts(LTUYA_CMD_STATUS, false));
    assert_string_equal(ltuya_status_str(LTUYA_ERR_BAD_CRC), "CRC32 mismatch");
    assert_string_equal(ltuya_status_name(LTUYA_ERR_BAD_TAG), "ERR_BAD_TAG");
}

/* ---- reassembly ---------------------------------------------------------- */

static uint8_t rbuf[LTUYA_MAX_FRAME];

static void test_reasm_several_frames_in_one_read(void **state)
{
    (void)state;
    uint8_t stream[1024];
    size_t n1 = build(LTUYA_V33, LTUYA_CMD_STATUS, true, stream, sizeof stream);
    size_t n2 = build(LTUYA_V35, LTUYA_CMD_STATUS, true, stream + n1, sizeof stream - n1);
    size_t n3 =
        build(LTUYA_V33, LTUYA_CMD_DP_QUERY, true, stream + n1 + n2, sizeof stream - n1 - n2);
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, rbuf, sizeof rbuf);
    size_t acc;
    ltuya_reasm_feed(&r, stream, n1 + n2 + n3, &acc);
    assert_int_equal(acc, n1 + n2 + n3);
    uint8_t *fr;
    size_t fl;
    ltuya_frame_t f;
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_OK);
    assert_int_equal(fl, n1);
    assert_ptr_equal(fr, rbuf); /* zero-copy: a view into the buffer */
    assert_int_equal(decode(LTUYA_V33, fr, fl, &f), LTUYA_OK); /* in place */
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_OK);
    assert_int_equal(fl, n2);
    assert_int_equal(decode(LTUYA_V35, fr, fl, &f), LTUYA_OK);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_OK);
    assert_int_equal(fl, n3);
    assert_int_equal(decode(LTUYA_V33, fr, fl, &f), LTUYA_OK);
    assert_int_equal(f.cmd, LTUYA_CMD_DP_QUERY);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_NEED_MORE);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_NEED_MORE);
    assert_int_equal(r.skipped, 0);
}

static void test_reasm_byte_by_byte_with_garbage(void **state)
{
    (void)state;
    uint8_t stream[1024];
    /* garbage, including false starts of both prefixes */
    static const uint8_t junk[] = {0xde, 0xad, 0x00, 0x00, 0x55, 0x01, 0x00,
                                   0x00, 0x66, 0x00, 0x00, 0x00, 0x00};
    memcpy(stream, junk, sizeof junk);
    size_t n = sizeof junk;
    size_t n1 = build(LTUYA_V34, LTUYA_CMD_STATUS, true, stream + n, sizeof stream - n);
    n += n1;
    size_t n2 = build(LTUYA_V35, LTUYA_CMD_CONTROL_NEW, false, stream + n, sizeof stream - n);
    n += n2;
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, rbuf, sizeof rbuf);
    uint8_t *fr;
    size_t fl, got = 0;
    for (size_t i = 0; i < n; i++) {
        ltuya_reasm_feed(&r, stream + i, 1, NULL);
        ltuya_status_t st = ltuya_reasm_next(&r, &fr, &fl);
        if (st == LTUYA_OK) {
            ltuya_frame_t f;
            /* only once each frame's last byte arrived */
            if (got == 0) {
                assert_int_equal(i, sizeof junk + n1 - 1);
                assert_int_equal(fl, n1);
                assert_int_equal(decode(LTUYA_V34, fr, fl, &f), LTUYA_OK);
            } else {
                assert_int_equal(i, n - 1);
                assert_int_equal(fl, n2);
                assert_int_equal(decode_dir(LTUYA_V35, LTUYA_FROM_CLIENT, fr, fl, &f), LTUYA_OK);
            }
            got++;
            assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_NEED_MORE);
        } else {
            assert_int_equal(st, LTUYA_NEED_MORE);
        }
    }
    assert_int_equal(got, 2);
    assert_int_equal(r.skipped, sizeof junk);
}

/* A trailing partial prefix is kept while the bytes before it are dropped. */
static void test_reasm_keeps_a_partial_prefix(void **state)
{
    (void)state;
    uint8_t frame[256];
    size_t n = build(LTUYA_V33, LTUYA_CMD_STATUS, true, frame, sizeof frame);
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, rbuf, sizeof rbuf);
    uint8_t *fr;
    size_t fl;
    static const uint8_t junk[] = {1, 2, 3, 4, 5};
    ltuya_reasm_feed(&r, junk, sizeof junk, NULL);
    ltuya_reasm_feed(&r, frame, 3, NULL); /* 00 00 55 */
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_NEED_MORE);
    assert_int_equal(r.skipped, sizeof junk);
    assert_int_equal(r.end - r.start, 3);
    ltuya_reasm_feed(&r, frame + 3, n - 3, NULL);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_OK);
    assert_int_equal(fl, n);
    assert_memory_equal(fr, frame, n);
    assert_int_equal(r.skipped, sizeof junk);
}

static void test_reasm_bad_headers_are_skipped_without_their_body(void **state)
{
    (void)state;
    uint8_t stream[1024];
    /* a 55AA header declaring 1 MiB, a 6699 one declaring 64 KiB, a 55AA one
     * with an impossible length, then a good frame right after them */
    static const uint8_t huge[16] = {0, 0, 0x55, 0xaa, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0x10, 0, 0};
    static const uint8_t huge35[18] = {0, 0, 0x66, 0x99, 0, 0, 0, 0, 0, 1, 0, 0, 0, 8, 0, 1, 0, 0};
    static const uint8_t tiny[16] = {0, 0, 0x55, 0xaa, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 2};
    size_t n = 0;
    memcpy(stream + n, huge, sizeof huge);
    n += sizeof huge;
    memcpy(stream + n, huge35, sizeof huge35);
    n += sizeof huge35;
    memcpy(stream + n, tiny, sizeof tiny);
    n += sizeof tiny;
    size_t n1 = build(LTUYA_V33, LTUYA_CMD_STATUS, true, stream + n, sizeof stream - n);
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, rbuf, sizeof rbuf);
    ltuya_reasm_feed(&r, stream, n + n1, NULL);
    uint8_t *fr;
    size_t fl;
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_ERR_FRAME_TOO_LARGE);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_ERR_FRAME_TOO_LARGE);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_ERR_BAD_LENGTH);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_OK);
    assert_int_equal(fl, n1);
    assert_memory_equal(fr, stream + n, n1);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_NEED_MORE);
    assert_int_equal(r.skipped, n); /* every byte of the bad headers */
}

/* A frame LTUYA_MAX_FRAME allows but the caller's smaller buffer cannot hold
 * is reported once and skipped, rather than waiting forever. */
static void test_reasm_frame_larger_than_the_buffer(void **state)
{
    (void)state;
    static uint8_t payload[300];
    memset(payload, '7', sizeof payload);
    ltuya_frame_spec_t s = spec_of(LTUYA_V33, LTUYA_CMD_STATUS, true);
    s.payload = payload;
    s.payload_len = sizeof payload;
    uint8_t stream[1024];
    size_t n1 = encode_ok(&s, stream, sizeof stream);
    size_t n2 = build(LTUYA_V33, LTUYA_CMD_STATUS, true, stream + n1, sizeof stream - n1);
    uint8_t small[200];
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, small, sizeof small);
    uint8_t *fr;
    size_t fl, fed = 0, acc, ok = 0, too_large = 0;
    while (fed < n1 + n2 || r.end > r.start) {
        ltuya_reasm_feed(&r, stream + fed, n1 + n2 - fed, &acc);
        fed += acc;
        ltuya_status_t st;
        while ((st = ltuya_reasm_next(&r, &fr, &fl)) != LTUYA_NEED_MORE) {
            if (st == LTUYA_OK) {
                assert_int_equal(fl, n2);
                assert_memory_equal(fr, stream + n1, n2);
                ok++;
            } else {
                assert_int_equal(st, LTUYA_ERR_FRAME_TOO_LARGE);
                too_large++;
            }
        }
        if (acc == 0 && fed < n1 + n2 && r.end - r.start == sizeof small)
            fail_msg("reassembler stuck with a full buffer");
        if (fed == n1 + n2 && ok)
            break;
    }
    assert_int_equal(too_large, 1);
    assert_int_equal(ok, 1);
}

static void test_reasm_zero_copy_and_compaction(void **state)
{
    (void)state;
    uint8_t frame[512];
    size_t n = build(LTUYA_V33, LTUYA_CMD_STATUS, true, frame, sizeof frame);
    uint8_t small[200];
    ltuya_reasm_t r;
    ltuya_reasm_init(&r, small, sizeof small);
    uint8_t *fr;
    size_t fl, room;
    /* five frames through a buffer of under three in chunks of 37 bytes,
     * read straight into the reassembler's space */
    size_t total = 0, frames = 0;
    uint8_t stream[1024];
    for (int i = 0; i < 5; i++)
        memcpy(stream + i * n, frame, n);
    while (total < 5 * n) {
        uint8_t *dst = ltuya_reasm_space(&r, &room);
        assert_true(room > 0); /* compaction always makes room here */
        size_t chunk = 5 * n - total < 37 ? 5 * n - total : 37;
        if (chunk > room)
            chunk = room;
        memcpy(dst, stream + total, chunk);
        ltuya_reasm_commit(&r, chunk);
        total += chunk;
        while (ltuya_reasm_next(&r, &fr, &fl) == LTUYA_OK) {
            assert_int_equal(fl, n);
            assert_memory_equal(fr, frame, n);
            frames++;
        }
    }
    assert_int_equal(frames, 5);
    assert_int_equal(r.skipped, 0);
    /* commit never goes past the space given */
    ltuya_reasm_space(&r, &room);
    ltuya_reasm_commit(&r, room + 100);
    assert_int_equal(r.end, sizeof small);
    ltuya_reasm_reset(&r);
    assert_int_equal(ltuya_reasm_next(&r, &fr, &fl), LTUYA_NEED_MORE);
    ltuya_reasm_space(&r, &room);
    assert_int_equal(room, sizeof small);
}

/* ---- robustness ----------------------------------------------------------- */

/* Every truncation and every single-bit corruption (and a few whole-byte
 * ones) of valid frames of every kind: an error or NEED_MORE, never OK,
 * never an out-of-bounds access (ASan/UBSan watch). */
static void test_truncations_and_corruptions(void **state)
{
    (void)state;
    static const char err[] = "json obj data unvalid";
    size_t frames = 0;
    for (size_t vi = 0; vi < 5; vi++) {
        ltuya_version_t v = all_versions[vi];
        for (int kind = 0; kind < 5; kind++) {
            bool dev = kind != 0 && kind != 3;
            ltuya_frame_spec_t s = spec_of(v,
                                           kind == 0   ? LTUYA_CMD_CONTROL
                                           : kind == 3 ? LTUYA_CMD_DP_QUERY
                                                       : LTUYA_CMD_STATUS,
                                           dev);
            if (kind == 2) { /* an empty ACK */
                s.cmd = LTUYA_CMD_CONTROL;
                s.payload_len = 0;
            } else if (kind == 4) { /* a plaintext error reply */
                s.cmd = LTUYA_CMD_DP_QUERY;
                s.retcode = 1;
                s.plaintext = true;
                s.payload = (const uint8_t *)err;
                s.payload_len = sizeof err - 1;
            }
            uint8_t frame[512], work[512];
            size_t n = encode_ok(&s, frame, sizeof frame);
            ltuya_direction_t dirs[2] = {dev ? LTUYA_FROM_DEVICE : LTUYA_FROM_CLIENT,
                                         LTUYA_FROM_ANY};
            for (int d = 0; d < 2; d++) {
                ltuya_decode_opts_t o = {v, key, dirs[d]};
                ltuya_frame_t f;
                size_t used;
                for (size_t len = 0; len < n; len++) {
                    memcpy(work, frame, len);
                    assert_int_equal(ltuya_frame_decode(work, len, &o, &f, &used), LTUYA_NEED_MORE);
                    memcpy(work, frame, len);
                    assert_int_equal(ltuya_frame_decode_whole(work, len, &o, &f),
                                     LTUYA_ERR_TRUNCATED);
                }
                for (size_t i = 0; i < n; i++) {
                    for (int m = 0; m < 10; m++) {
                        uint8_t x = m < 8 ? (uint8_t)(1u << m) : m == 8 ? 0xff : 0;
                        memcpy(work, frame, n);
                        work[i] = m == 9 ? (uint8_t)(work[i] ? 0 : 0x80) : work[i] ^ x;
                        ltuya_status_t st = ltuya_frame_decode(work, n, &o, &f, &used);
                        if (st == LTUYA_OK)
                            fail_msg("v%d kind %d dir %d byte %zu mod %d: corruption not detected",
                                     v, kind, d, i, m);
                    }
                }
            }
            frames++;
        }
    }
    assert_int_equal(frames, 25);
}

/* Random bytes behind a valid prefix and a plausible length, with and
 * without a matching footer: decoding must fail cleanly. */
static void test_random_frames(void **state)
{
    (void)state;
    uint32_t x = 0x12345678;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t buf[300];
        for (size_t i = 0; i < sizeof buf; i++) {
            x = x * 1664525u + 1013904223u;
            buf[i] = (uint8_t)(x >> 24);
        }
        bool v35 = iter & 1;
        size_t flen = (v35 ? 50 : 24) + (x >> 8) % 200;
        memcpy(buf, v35 ? "\x00\x00\x66\x99" : "\x00\x00\x55\xaa", 4);
        size_t l = v35 ? flen - 22 : flen - 16;
        uint8_t *lp = buf + (v35 ? 14 : 12);
        lp[0] = lp[1] = 0;
        lp[2] = (uint8_t)(l >> 8);
        lp[3] = (uint8_t)l;
        if (iter & 2)
            memcpy(buf + flen - 4, v35 ? "\x00\x00\x99\x66" : "\x00\x00\xaa\x55", 4);
        ltuya_version_t v = v35 ? LTUYA_V35 : all_versions[(x >> 4) % 4];
        ltuya_decode_opts_t o = {v, key, (ltuya_direction_t)((x >> 12) % 3)};
        ltuya_frame_t f;
        ltuya_status_t st = ltuya_frame_decode_whole(buf, flen, &o, &f);
        /* a 3.1-3.3 frame needs a matching CRC32, and then plaintext is fine */
        if (st == LTUYA_OK)
            fail_msg("random frame %d decoded", iter);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_version_and_direction),
        cmocka_unit_test(test_direction_guess_for_handshake_and_acks),
        cmocka_unit_test(test_header_rules),
        cmocka_unit_test(test_header_overrides),
        cmocka_unit_test(test_header_stripping_guards),
        cmocka_unit_test(test_plaintext_error_replies),
        cmocka_unit_test(test_ciphertext_starting_with_brace),
        cmocka_unit_test(test_empty_acks),
        cmocka_unit_test(test_v35_beacon_without_retcode),
        cmocka_unit_test(test_each_bad_frame_has_its_status),
        cmocka_unit_test(test_v31_signature_padding_and_base64),
        cmocka_unit_test(test_size_first_and_short_buffers),
        cmocka_unit_test(test_payload_inside_the_output_buffer),
        cmocka_unit_test(test_versions_and_names),
        cmocka_unit_test(test_reasm_several_frames_in_one_read),
        cmocka_unit_test(test_reasm_byte_by_byte_with_garbage),
        cmocka_unit_test(test_reasm_keeps_a_partial_prefix),
        cmocka_unit_test(test_reasm_bad_headers_are_skipped_without_their_body),
        cmocka_unit_test(test_reasm_frame_larger_than_the_buffer),
        cmocka_unit_test(test_reasm_zero_copy_and_compaction),
        cmocka_unit_test(test_truncations_and_corruptions),
        cmocka_unit_test(test_random_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
