/*
 * The 3.4 / 3.5 session-key negotiation maths against published vectors
 * (tests/vectors/vectors.json ids in the comments), plus a real device RESP.
 */
#include <string.h>

#include "ltuya/crypto.h"
#include "ltuya/handshake.h"
#include "test_support.h"

#define K(s) ((const uint8_t *)(s))

static void unhex_exact(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(ts_unhex(hex, out, n), (long)n);
}

typedef struct {
    const char *key, *lc, *ld, *sk34, *sk35;
} kdf_case_t;

static const kdf_case_t kdf_cases[] = {
    /* gen34-* / gen35-*: the generated reference conversation */
    {"0123456789abcdef", "0123456789abcdef", "9876543210fedcba", "908f368b7415420a2fc8573ed691a24e",
     "6b4b08fe2f61288c0a0a70e383dda4f4"},
    /* ttkotlin-session-keys */
    {"JvEuI)cyLCdpGFf:", "0123456789abcdef", "abcdef0123456789", "74a78f53509872490e78048a8c6c45f2",
     "864a1aee47bc070f79ecc471e1c1ec1c"},
    /* go-session-keys: 16 x 'L' and 16 x 'R' */
    {"0123456789abcdef", "LLLLLLLLLLLLLLLL", "RRRRRRRRRRRRRRRR", "bc6a855faf3e089afe8721f5925ffef2",
     "86fce4ea964f68132ec71b85283981d4"},
};
#define N_KDF (sizeof kdf_cases / sizeof kdf_cases[0])

static void test_session_key_34(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_KDF; i++) {
        const kdf_case_t *c = &kdf_cases[i];
        uint8_t sk[16], expect[16];
        unhex_exact(c->sk34, expect, 16);
        assert_int_equal(ltuya_hs_session_key(LTUYA_V34, K(c->key), K(c->lc), K(c->ld), sk),
                         LTUYA_OK);
        assert_memory_equal(sk, expect, 16);
    }
}

static void test_session_key_35(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_KDF; i++) {
        const kdf_case_t *c = &kdf_cases[i];
        uint8_t sk[16], expect[16];
#if LTUYA_WITH_V35
        unhex_exact(c->sk35, expect, 16);
        assert_int_equal(ltuya_hs_session_key(LTUYA_V35, K(c->key), K(c->lc), K(c->ld), sk),
                         LTUYA_OK);
        assert_memory_equal(sk, expect, 16);
        /* Independent route (protocol.md 3.4): GCM's first data block uses
         * counter 2, so the key is (Lc ^ Ld) ^ AES-ECB(key, Lc[0..11] || 00000002). */
        uint8_t ks[16];
        memcpy(ks, c->lc, 12);
        memcpy(ks + 12, "\x00\x00\x00\x02", 4);
        assert_int_equal(ltuya_aes_ecb_encrypt(K(c->key), ks, 16), LTUYA_OK);
        for (size_t j = 0; j < 16; j++)
            expect[j] = (uint8_t)(c->lc[j] ^ c->ld[j] ^ ks[j]);
        assert_memory_equal(sk, expect, 16);
#else
        (void)expect;
        assert_int_equal(ltuya_hs_session_key(LTUYA_V35, K(c->key), K(c->lc), K(c->ld), sk),
                         LTUYA_ERR_UNSUPPORTED_VERSION);
#endif
    }
}

static void test_session_key_other_versions(void **state)
{
    (void)state;
    const uint8_t *k = K("0123456789abcdef");
    uint8_t sk[16];
    static const ltuya_version_t others[] = {LTUYA_V31, LTUYA_V33};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        memset(sk, 0xa5, sizeof sk);
        assert_int_equal(ltuya_hs_session_key(others[i], k, k, k, sk),
                         LTUYA_ERR_UNSUPPORTED_VERSION);
        /* nothing half-derived is left behind */
        for (size_t j = 0; j < sizeof sk; j++)
            assert_int_equal(sk[j], 0);
    }
}

/* Deriving straight into the buffer that holds Lc (or Ld) gives the same key. */
static void test_session_key_aliasing(void **state)
{
    (void)state;
    const kdf_case_t *c = &kdf_cases[0];
    uint8_t buf[16], expect[16];
    static const ltuya_version_t vs[] = {
        LTUYA_V34,
#if LTUYA_WITH_V35
        LTUYA_V35
#endif
    };
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        assert_int_equal(ltuya_hs_session_key(vs[i], K(c->key), K(c->lc), K(c->ld), expect),
                         LTUYA_OK);
        memcpy(buf, c->lc, 16);
        assert_int_equal(ltuya_hs_session_key(vs[i], K(c->key), buf, K(c->ld), buf), LTUYA_OK);
        assert_memory_equal(buf, expect, 16);
        memcpy(buf, c->ld, 16);
        assert_int_equal(ltuya_hs_session_key(vs[i], K(c->key), K(c->lc), buf, buf), LTUYA_OK);
        assert_memory_equal(buf, expect, 16);
    }
}

/* gen34-sess-resp / gen34-sess-finish (gen35-sess-resp has the same 48 bytes
 * after its 4-byte retcode). */
static void test_payloads_generated(void **state)
{
    (void)state;
    const uint8_t *key = K("0123456789abcdef"), *lc = K("0123456789abcdef"),
                  *ld = K("9876543210fedcba");
    uint8_t resp[LTUYA_HS_RESP_LEN], expect[48], fin[LTUYA_HS_FINISH_LEN], got_ld[16];
    assert_int_equal(LTUYA_HS_RESP_LEN, 48);
    assert_int_equal(LTUYA_HS_FINISH_LEN, 32);

    unhex_exact("39383736353433323130666564636261"
                "fb5b26229c20b7ed866706a2fbfae67e3f404bb6abe77ff45063a459a42924a4",
                expect, 48);
    assert_int_equal(ltuya_hs_resp_payload(key, lc, ld, resp), LTUYA_OK);
    assert_memory_equal(resp, expect, 48);
    assert_int_equal(ltuya_hs_check_resp(key, lc, resp, sizeof resp, got_ld), LTUYA_OK);
    assert_memory_equal(got_ld, ld, 16);

    unhex_exact("b043432002ecb2390acf62f1c658ca52b0ba96caa4b148b2d7cfe3c5735149ea", expect, 32);
    assert_int_equal(ltuya_hs_finish_payload(key, ld, fin), LTUYA_OK);
    assert_memory_equal(fin, expect, 32);
    assert_int_equal(ltuya_hs_check_finish(key, ld, fin, sizeof fin), LTUYA_OK);
}

/* ttkotlin-session-keys: HMAC(key, Lc) and HMAC(key, Ld). */
static void test_payloads_ttkotlin(void **state)
{
    (void)state;
    const uint8_t *key = K("JvEuI)cyLCdpGFf:"), *lc = K("0123456789abcdef"),
                  *ld = K("abcdef0123456789");
    uint8_t resp[48], fin[32], expect[32], got_ld[16];
    assert_int_equal(ltuya_hs_resp_payload(key, lc, ld, resp), LTUYA_OK);
    assert_memory_equal(resp, ld, 16);
    unhex_exact("00c9e4c5af08815ac00cad4f100aafb1e8534d6092778a4047ff86df64058239", expect, 32);
    assert_memory_equal(resp + 16, expect, 32);
    assert_int_equal(ltuya_hs_check_resp(key, lc, resp, 48, got_ld), LTUYA_OK);
    assert_memory_equal(got_ld, ld, 16);

    unhex_exact("2f9c07bb840c020193e8cd18deadf37e3fc102f48c389ba1dd1f33ce52b3a8e9", expect, 32);
    assert_int_equal(ltuya_hs_finish_payload(key, ld, fin), LTUYA_OK);
    assert_memory_equal(fin, expect, 32);
    assert_int_equal(ltuya_hs_check_finish(key, ld, fin, 32), LTUYA_OK);
}

/* ttkotlin-34-sess-resp: a real device's SESS_KEY_NEG_RESP frame, taken
 * apart with the primitives only (the frame codec has its own tests). */
static void test_real_device_resp_34(void **state)
{
    (void)state;
    const uint8_t *key = K("JvEuI)cyLCdpGFf:"), *lc = K("0123456789abcdef");
    uint8_t frame[120], mac[32], ld[16], sk[16], fin[32], expect[32];
    unhex_exact("000055aa00004098000000040000006800000000"
                "c507b7df11398d70196da2b0d733742e025e47725b6213cce72f220c81e5a4d3"
                "8216608c26bc3fad4c2f065b7979c44411e6ac7806d5759a3b5da8a05da8b85d"
                "ce16484a2e2c0b9071ebe018d7171692f6bf678dd908a67aa49064a3503da25c"
                "0000aa55",
                frame, sizeof frame);
    /* header(16) retcode(4) ECB payload(64) HMAC(32) footer(4); the trailer
     * is keyed with the real local key during the handshake */
    assert_int_equal(ltuya_hmac_sha256(key, 16, frame, 84, mac), LTUYA_OK);
    assert_memory_equal(mac, frame + 84, 32);

    uint8_t *payload = frame + 20;
    size_t plen;
    assert_int_equal(ltuya_aes_ecb_decrypt_pkcs7(key, payload, 64, &plen), LTUYA_OK);
    assert_int_equal(plen, LTUYA_HS_RESP_LEN);
    assert_int_equal(ltuya_hs_check_resp(key, lc, payload, plen, ld), LTUYA_OK);
    assert_memory_equal(ld, "0160771332ce8ed1", 16);

    unhex_exact("22050ab2f42da55764774a142d9c0765", expect, 16);
    assert_int_equal(ltuya_hs_session_key(LTUYA_V34, key, lc, ld, sk), LTUYA_OK);
    assert_memory_equal(sk, expect, 16);

    unhex_exact("b68c5081ad854888a34623dc5852e1b1acecaf946b5d7084932fdf08c89ef681", expect, 32);
    assert_int_equal(ltuya_hs_finish_payload(key, ld, fin), LTUYA_OK);
    assert_memory_equal(fin, expect, 32);

    /* The same RESP checked with another key or another client nonce: the
     * person typed the wrong key, or the answer is to someone else's START. */
    uint8_t keep[16];
    memset(ld, 0xee, sizeof ld);
    memcpy(keep, ld, sizeof keep);
    assert_int_equal(ltuya_hs_check_resp(K("JvEuI)cyLCdpGFf;"), lc, payload, plen, ld),
                     LTUYA_ERR_WRONG_KEY);
    assert_int_equal(ltuya_hs_check_resp(key, K("0123456789abcdeF"), payload, plen, ld),
                     LTUYA_ERR_WRONG_KEY);
    assert_memory_equal(ld, keep, 16); /* Ld is only written on success */
}

static void test_rejects(void **state)
{
    (void)state;
    const uint8_t *key = K("0123456789abcdef"), *lc = K("0123456789abcdef"),
                  *ld = K("9876543210fedcba"), *other = K("fedcba9876543210");
    uint8_t resp[49] = {0}, fin[33] = {0}, got_ld[16];
    assert_int_equal(ltuya_hs_resp_payload(key, lc, ld, resp), LTUYA_OK);
    assert_int_equal(ltuya_hs_finish_payload(key, ld, fin), LTUYA_OK);

    /* wrong key */
    assert_int_equal(ltuya_hs_check_resp(other, lc, resp, 48, got_ld), LTUYA_ERR_WRONG_KEY);
    assert_int_equal(ltuya_hs_check_finish(other, ld, fin, 32), LTUYA_ERR_WRONG_KEY);
    /* wrong length, whatever the content */
    assert_int_equal(ltuya_hs_check_resp(key, lc, resp, 47, got_ld), LTUYA_ERR_HANDSHAKE);
    assert_int_equal(ltuya_hs_check_resp(key, lc, resp, 49, got_ld), LTUYA_ERR_HANDSHAKE);
    assert_int_equal(ltuya_hs_check_resp(key, lc, resp, 0, got_ld), LTUYA_ERR_HANDSHAKE);
    assert_int_equal(ltuya_hs_check_finish(key, ld, fin, 31), LTUYA_ERR_HANDSHAKE);
    assert_int_equal(ltuya_hs_check_finish(key, ld, fin, 33), LTUYA_ERR_HANDSHAKE);
    /* one flipped bit anywhere in the MACs */
    for (size_t i = 16; i < 48; i++) {
        resp[i] ^= 0x01;
        assert_int_equal(ltuya_hs_check_resp(key, lc, resp, 48, got_ld), LTUYA_ERR_WRONG_KEY);
        resp[i] ^= 0x01;
    }
    for (size_t i = 0; i < 32; i++) {
        fin[i] ^= 0x80;
        assert_int_equal(ltuya_hs_check_finish(key, ld, fin, 32), LTUYA_ERR_WRONG_KEY);
        fin[i] ^= 0x80;
    }
    /* FINISH for another Ld */
    assert_int_equal(ltuya_hs_check_finish(key, lc, fin, 32), LTUYA_ERR_WRONG_KEY);
}

/* Client and device sides agree with each other (the simulator relies on it). */
static void test_both_sides_agree(void **state)
{
    (void)state;
    const uint8_t *key = K("a1b2c3d4e5f6g7h8");
    uint8_t lc[16], ld[16], resp[48], got_ld[16], fin[32], sk_c[16], sk_d[16];
    for (int i = 0; i < 16; i++) {
        lc[i] = (uint8_t)(i * 17 + 1);
        ld[i] = (uint8_t)(0xff - i * 3);
    }
    static const ltuya_version_t vs[] = {
        LTUYA_V34,
#if LTUYA_WITH_V35
        LTUYA_V35
#endif
    };
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        assert_int_equal(ltuya_hs_resp_payload(key, lc, ld, resp), LTUYA_OK);
        assert_int_equal(ltuya_hs_check_resp(key, lc, resp, 48, got_ld), LTUYA_OK);
        assert_int_equal(ltuya_hs_finish_payload(key, got_ld, fin), LTUYA_OK);
        assert_int_equal(ltuya_hs_check_finish(key, ld, fin, 32), LTUYA_OK);
        assert_int_equal(ltuya_hs_session_key(vs[i], key, lc, got_ld, sk_c), LTUYA_OK);
        assert_int_equal(ltuya_hs_session_key(vs[i], key, lc, ld, sk_d), LTUYA_OK);
        assert_memory_equal(sk_c, sk_d, 16);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_key_34),
        cmocka_unit_test(test_session_key_35),
        cmocka_unit_test(test_session_key_other_versions),
        cmocka_unit_test(test_session_key_aliasing),
        cmocka_unit_test(test_payloads_generated),
        cmocka_unit_test(test_payloads_ttkotlin),
        cmocka_unit_test(test_real_device_resp_34),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_both_sides_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
