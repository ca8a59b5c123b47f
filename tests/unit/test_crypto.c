/* Known answers for every primitive in crypto.h, run against the backend built in. */
#include <string.h>

#include "ltuya/crypto.h"
#include "ltuya/handshake.h"
#include "test_support.h"

static void unhex_exact(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(ts_unhex(hex, out, n), (long)n);
}

static void test_aes_ecb_fips197(void **state)
{
    (void)state;
    uint8_t key[16], block[16], expect[16];
    unhex_exact("000102030405060708090a0b0c0d0e0f", key, 16);
    unhex_exact("00112233445566778899aabbccddeeff", block, 16);
    unhex_exact("69c4e0d86a7b0430d8cdb78070b4c55a", expect, 16);
    assert_int_equal(ltuya_aes_ecb_encrypt(key, block, 16), LTUYA_OK);
    assert_memory_equal(block, expect, 16);
    assert_int_equal(ltuya_aes_ecb_decrypt(key, block, 16), LTUYA_OK);
    uint8_t plain[16];
    unhex_exact("00112233445566778899aabbccddeeff", plain, 16);
    assert_memory_equal(block, plain, 16);
    assert_int_equal(ltuya_aes_ecb_encrypt(key, block, 15), LTUYA_ERR_INVALID_ARG);
}

static void test_pkcs7(void **state)
{
    (void)state;
    const uint8_t *key = (const uint8_t *)"0123456789abcdef";
    uint8_t buf[48];
    size_t n;
    assert_int_equal(ltuya_pkcs7_padded_len(0), 16);
    assert_int_equal(ltuya_pkcs7_padded_len(15), 16);
    assert_int_equal(ltuya_pkcs7_padded_len(16), 32);
    /* empty plaintext: one block of sixteen 0x10 */
    assert_int_equal(ltuya_aes_ecb_encrypt_pkcs7(key, buf, 0, sizeof buf, &n), LTUYA_OK);
    assert_int_equal(n, 16);
    assert_int_equal(ltuya_aes_ecb_decrypt(key, buf, 16), LTUYA_OK);
    for (int i = 0; i < 16; i++)
        assert_int_equal(buf[i], 0x10);
    /* a whole block gains a whole block */
    memcpy(buf, "0123456789abcdef", 16);
    assert_int_equal(ltuya_aes_ecb_encrypt_pkcs7(key, buf, 16, sizeof buf, &n), LTUYA_OK);
    assert_int_equal(n, 32);
    assert_int_equal(ltuya_aes_ecb_decrypt_pkcs7(key, buf, 32, &n), LTUYA_OK);
    assert_int_equal(n, 16);
    assert_memory_equal(buf, "0123456789abcdef", 16);
    /* short capacity */
    assert_int_equal(ltuya_aes_ecb_encrypt_pkcs7(key, buf, 16, 31, &n), LTUYA_ERR_BUF_TOO_SMALL);
    /* wrong key: the padding does not check out */
    memcpy(buf, "{\"dps\":{\"1\":true}}", 18);
    assert_int_equal(ltuya_aes_ecb_encrypt_pkcs7(key, buf, 18, sizeof buf, &n), LTUYA_OK);
    assert_int_equal(ltuya_aes_ecb_decrypt_pkcs7((const uint8_t *)"fedcba9876543210", buf, n, &n),
                     LTUYA_ERR_BAD_PADDING);
    uint8_t bad[16] = {0};
    bad[15] = 17;
    assert_int_equal(ltuya_pkcs7_unpad(bad, 16, &n), LTUYA_ERR_BAD_PADDING);
    bad[15] = 0;
    assert_int_equal(ltuya_pkcs7_unpad(bad, 16, &n), LTUYA_ERR_BAD_PADDING);
    bad[15] = 2;
    bad[14] = 3;
    assert_int_equal(ltuya_pkcs7_unpad(bad, 16, &n), LTUYA_ERR_BAD_PADDING);
    bad[14] = 2;
    assert_int_equal(ltuya_pkcs7_unpad(bad, 16, &n), LTUYA_OK);
    assert_int_equal(n, 14);
    assert_int_equal(ltuya_aes_ecb_decrypt_pkcs7(key, buf, 0, &n), LTUYA_ERR_INVALID_ARG);
}

/* McGrew & Viega GCM test case 4 (AES-128, 96-bit IV, with AAD). */
static void test_aes_gcm(void **state)
{
    (void)state;
    uint8_t key[16], iv[12], aad[20], pt[60], ct[60], tag[16], got_tag[16];
    unhex_exact("feffe9928665731c6d6a8f9467308308", key, 16);
    unhex_exact("cafebabefacedbaddecaf888", iv, 12);
    unhex_exact("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, 20);
    unhex_exact("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809"
                "532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
                pt, 60);
    unhex_exact("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c"
                "7d8f6a5aac84aa051ba30b396a0aac973d58e091",
                ct, 60);
    unhex_exact("5bc94fbc3221a5db94fae95ae7121a47", tag, 16);
    uint8_t buf[60];
    memcpy(buf, pt, 60);
    assert_int_equal(ltuya_aes_gcm_encrypt(key, iv, aad, 20, buf, 60, got_tag), LTUYA_OK);
    assert_memory_equal(buf, ct, 60);
    assert_memory_equal(got_tag, tag, 16);
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, aad, 20, buf, 60, tag), LTUYA_OK);
    assert_memory_equal(buf, pt, 60);
    /* any change to ciphertext, AAD or tag is caught */
    memcpy(buf, ct, 60);
    buf[7] ^= 1;
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, aad, 20, buf, 60, tag), LTUYA_ERR_BAD_TAG);
    memcpy(buf, ct, 60);
    aad[0] ^= 1;
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, aad, 20, buf, 60, tag), LTUYA_ERR_BAD_TAG);
    aad[0] ^= 1;
    memcpy(buf, ct, 60);
    tag[15] ^= 0x80;
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, aad, 20, buf, 60, tag), LTUYA_ERR_BAD_TAG);
    /* empty plaintext, no AAD (a 3.5 heartbeat) */
    assert_int_equal(ltuya_aes_gcm_encrypt(key, iv, NULL, 0, buf, 0, got_tag), LTUYA_OK);
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, NULL, 0, buf, 0, got_tag), LTUYA_OK);
}

/* RFC 4231 test cases 1, 2 and 6 (key longer than a block). */
static void test_hmac_sha256(void **state)
{
    (void)state;
    uint8_t key[131], mac[32], expect[32];
    memset(key, 0x0b, 20);
    assert_int_equal(ltuya_hmac_sha256(key, 20, "Hi There", 8, mac), LTUYA_OK);
    unhex_exact("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", expect, 32);
    assert_memory_equal(mac, expect, 32);
    assert_int_equal(
        ltuya_hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, mac),
        LTUYA_OK);
    unhex_exact("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", expect, 32);
    assert_memory_equal(mac, expect, 32);
    memset(key, 0xaa, sizeof key);
    const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
    assert_int_equal(ltuya_hmac_sha256(key, 131, msg, strlen(msg), mac), LTUYA_OK);
    unhex_exact("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", expect, 32);
    assert_memory_equal(mac, expect, 32);
}

static void test_md5(void **state)
{
    (void)state;
    uint8_t md[16], expect[16];
    ltuya_iov_t empty = {"", 0};
    assert_int_equal(ltuya_md5(&empty, 1, md), LTUYA_OK);
    unhex_exact("d41d8cd98f00b204e9800998ecf8427e", expect, 16);
    assert_memory_equal(md, expect, 16);
    ltuya_iov_t parts[3] = {{"a", 1}, {"", 0}, {"bc", 2}};
    assert_int_equal(ltuya_md5(parts, 3, md), LTUYA_OK);
    unhex_exact("900150983cd24fb0d6963f7d28e17f72", expect, 16);
    assert_memory_equal(md, expect, 16);
    /* Tuya's UDP key is MD5 of a fixed string */
    ltuya_iov_t udp = {"yGAdlopoPVldABfn", 16};
    assert_int_equal(ltuya_md5(&udp, 1, md), LTUYA_OK);
    unhex_exact("6c1ec8e2bb9bb59ab50b0daf649b410a", expect, 16);
    assert_memory_equal(md, expect, 16);
}

static void test_crc32(void **state)
{
    (void)state;
    assert_int_equal(ltuya_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(ltuya_crc32(0, "", 0), 0);
    uint32_t c = ltuya_crc32(0, "1234", 4);
    assert_int_equal(ltuya_crc32(c, "56789", 5), 0xCBF43926u);
    /* the empty 3.3 ACK from the vectors: 000055aa 00000001 00000007 0000000c 00000000 */
    uint8_t ack[20];
    unhex_exact("000055aa00000001000000070000000c00000000", ack, 20);
    assert_int_equal(ltuya_crc32(0, ack, 20), 0xa505a914u);
}

static void test_base64(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const enc[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    char out[16];
    uint8_t dec[16];
    size_t n;
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(
            ltuya_base64_encode((const uint8_t *)plain[i], strlen(plain[i]), out, sizeof out, &n),
            LTUYA_OK);
        assert_int_equal(n, strlen(enc[i]));
        assert_memory_equal(out, enc[i], n);
        assert_int_equal(ltuya_base64_decode(enc[i], strlen(enc[i]), dec, sizeof dec, &n),
                         LTUYA_OK);
        assert_int_equal(n, strlen(plain[i]));
        assert_memory_equal(dec, plain[i], n);
    }
    /* in place */
    char io[] = "Zm9vYmFy";
    assert_int_equal(ltuya_base64_decode(io, 8, (uint8_t *)io, 8, &n), LTUYA_OK);
    assert_memory_equal(io, "foobar", 6);
    /* rejects */
    assert_int_equal(ltuya_base64_decode("Zm9", 3, dec, sizeof dec, &n), LTUYA_ERR_BAD_BASE64);
    assert_int_equal(ltuya_base64_decode("Zm9*", 4, dec, sizeof dec, &n), LTUYA_ERR_BAD_BASE64);
    assert_int_equal(ltuya_base64_decode("Z===", 4, dec, sizeof dec, &n), LTUYA_ERR_BAD_BASE64);
    assert_int_equal(ltuya_base64_decode("Zg==Zg==", 8, dec, sizeof dec, &n), LTUYA_ERR_BAD_BASE64);
    assert_int_equal(ltuya_base64_decode("Zh==", 4, dec, sizeof dec, &n), LTUYA_ERR_BAD_BASE64);
    assert_int_equal(ltuya_base64_decode("Zm9vYmFy", 8, dec, 5, &n), LTUYA_ERR_BUF_TOO_SMALL);
    assert_int_equal(ltuya_base64_encode((const uint8_t *)"foo", 3, out, 3, &n),
                     LTUYA_ERR_BUF_TOO_SMALL);
}

static void test_helpers(void **state)
{
    (void)state;
    assert_true(ltuya_ct_equal("abcd", "abcd", 4));
    assert_false(ltuya_ct_equal("abcd", "abce", 4));
    assert_true(ltuya_ct_equal("x", "y", 0));
    uint8_t secret[8] = {1, 2, 3, 4, 5, 6, 7, 8}, zero[8] = {0};
    ltuya_zeroize(secret, sizeof secret);
    assert_memory_equal(secret, zero, 8);
    uint8_t r[4];
    ltuya_random_set_hook(NULL, NULL);
    assert_int_equal(ltuya_random(r, 4), LTUYA_ERR_NO_RANDOM);
    ts_fixed_random((const uint8_t *)"\x01\x02", 2);
    assert_int_equal(ltuya_random(r, 4), LTUYA_OK);
    assert_memory_equal(r, "\x01\x02\x01\x02", 4);
    ts_fixed_random(NULL, 0);
    assert_non_null(strstr(ltuya_crypto_backend(), "."));
}

/* ---- the 3.4 / 3.5 handshake maths ---------------------------------------- */

typedef struct {
    const char *key, *lc, *ld, *sk34, *sk35;
} kdf_case_t;

static void test_session_keys(void **state)
{
    (void)state;
    static const kdf_case_t cases[] = {
        /* the generated reference conversation */
        {"0123456789abcdef", "0123456789abcdef", "9876543210fedcba",
         "908f368b7415420a2fc8573ed691a24e", "6b4b08fe2f61288c0a0a70e383dda4f4"},
        /* tinytuya-kotlin's derivation vectors */
        {"JvEuI)cyLCdpGFf:", "0123456789abcdef", "abcdef0123456789",
         "74a78f53509872490e78048a8c6c45f2", "864a1aee47bc070f79ecc471e1c1ec1c"},
        /* a Go suite's: 16 x 'L' and 16 x 'R' */
        {"0123456789abcdef", "LLLLLLLLLLLLLLLL", "RRRRRRRRRRRRRRRR",
         "bc6a855faf3e089afe8721f5925ffef2", "86fce4ea964f68132ec71b85283981d4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const kdf_case_t *c = &cases[i];
        uint8_t sk[16], expect[16];
        assert_int_equal(ltuya_hs_session_key(LTUYA_V34, (const uint8_t *)c->key,
                                              (const uint8_t *)c->lc, (const uint8_t *)c->ld, sk),
                         LTUYA_OK);
        unhex_exact(c->sk34, expect, 16);
        assert_memory_equal(sk, expect, 16);
        assert_int_equal(ltuya_hs_session_key(LTUYA_V35, (const uint8_t *)c->key,
                                              (const uint8_t *)c->lc, (const uint8_t *)c->ld, sk),
                         LTUYA_OK);
        unhex_exact(c->sk35, expect, 16);
        assert_memory_equal(sk, expect, 16);
    }
    uint8_t sk[16];
    assert_int_equal(ltuya_hs_session_key(LTUYA_V33, (const uint8_t *)"0123456789abcdef",
                                          (const uint8_t *)"0123456789abcdef",
                                          (const uint8_t *)"0123456789abcdef", sk),
                     LTUYA_ERR_UNSUPPORTED_VERSION);
}

static void test_handshake_payloads(void **state)
{
    (void)state;
    const uint8_t *key = (const uint8_t *)"0123456789abcdef";
    const uint8_t *lc = (const uint8_t *)"0123456789abcdef";
    const uint8_t *ld = (const uint8_t *)"9876543210fedcba";
    uint8_t resp[48], expect[48], fin[32], got_ld[16];
    /* gen34-sess-resp plaintext: Ld || HMAC(key, Lc) */
    unhex_exact("39383736353433323130666564636261fb5b26229c20b7ed866706a2fbfae67e3f404bb6abe77ff4"
                "5063a459a42924a4",
                expect, 48);
    assert_int_equal(ltuya_hs_resp_payload(key, lc, ld, resp), LTUYA_OK);
    assert_memory_equal(resp, expect, 48);
    assert_int_equal(ltuya_hs_check_resp(key, lc, resp, 48, got_ld), LTUYA_OK);
    assert_memory_equal(got_ld, ld, 16);
    /* gen34-sess-finish plaintext */
    unhex_exact("b043432002ecb2390acf62f1c658ca52b0ba96caa4b148b2d7cfe3c5735149ea", expect, 32);
    assert_int_equal(ltuya_hs_finish_payload(key, ld, fin), LTUYA_OK);
    assert_memory_equal(fin, expect, 32);
    assert_int_equal(ltuya_hs_check_finish(key, ld, fin, 32), LTUYA_OK);
    /* the device answered with another key: a person's "wrong key" */
    assert_int_equal(ltuya_hs_check_resp((const uint8_t *)"fedcba9876543210", lc, resp, 48, got_ld),
                     LTUYA_ERR_WRONG_KEY);
    assert_int_equal(ltuya_hs_check_finish((const uint8_t *)"fedcba9876543210", ld, fin, 32),
                     LTUYA_ERR_WRONG_KEY);
    assert_int_equal(ltuya_hs_check_resp(key, lc, resp, 47, got_ld), LTUYA_ERR_HANDSHAKE);
    assert_int_equal(ltuya_hs_check_finish(key, ld, fin, 31), LTUYA_ERR_HANDSHAKE);
    /* tinytuya-kotlin: HMAC(key, Lc) and HMAC(key, Ld) */
    const uint8_t *k2 = (const uint8_t *)"JvEuI)cyLCdpGFf:";
    unhex_exact("2f9c07bb840c020193e8cd18deadf37e3fc102f48c389ba1dd1f33ce52b3a8e9", expect, 32);
    assert_int_equal(ltuya_hs_finish_payload(k2, (const uint8_t *)"abcdef0123456789", fin),
                     LTUYA_OK);
    assert_memory_equal(fin, expect, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aes_ecb_fips197),
        cmocka_unit_test(test_pkcs7),
        cmocka_unit_test(test_aes_gcm),
        cmocka_unit_test(test_hmac_sha256),
        cmocka_unit_test(test_md5),
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_session_keys),
        cmocka_unit_test(test_handshake_payloads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
