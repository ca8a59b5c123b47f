/* Known answers for every primitive in crypto.h, run against the backend built in. */
#include <stdbool.h>
#include <string.h>

#include "ltuya/crypto.h"
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
    assert_int_equal(ltuya_aes_ecb_decrypt(key, block, 17), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_aes_ecb_encrypt(key, block, 0), LTUYA_OK);
}

/* ECB treats each block alone: three equal blocks give three equal ciphertexts. */
static void test_aes_ecb_multiblock(void **state)
{
    (void)state;
    uint8_t key[16], buf[48], expect[16];
    unhex_exact("000102030405060708090a0b0c0d0e0f", key, 16);
    for (int b = 0; b < 3; b++)
        unhex_exact("00112233445566778899aabbccddeeff", buf + 16 * b, 16);
    unhex_exact("69c4e0d86a7b0430d8cdb78070b4c55a", expect, 16);
    assert_int_equal(ltuya_aes_ecb_encrypt(key, buf, sizeof buf), LTUYA_OK);
    for (int b = 0; b < 3; b++)
        assert_memory_equal(buf + 16 * b, expect, 16);
    assert_int_equal(ltuya_aes_ecb_decrypt(key, buf, sizeof buf), LTUYA_OK);
    unhex_exact("00112233445566778899aabbccddeeff", expect, 16);
    assert_memory_equal(buf + 32, expect, 16);
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
    assert_int_equal(ltuya_aes_ecb_decrypt_pkcs7(key, buf, 17, &n), LTUYA_ERR_INVALID_ARG);
    /* a whole block of padding strips to nothing */
    memset(bad, 0x10, sizeof bad);
    assert_int_equal(ltuya_pkcs7_unpad(bad, 16, &n), LTUYA_OK);
    assert_int_equal(n, 0);
    bad[0] = 0x0f;
    assert_int_equal(ltuya_pkcs7_unpad(bad, 16, &n), LTUYA_ERR_BAD_PADDING);
    assert_int_equal(ltuya_pkcs7_unpad(bad, 0, &n), LTUYA_ERR_BAD_PADDING);
    /* exact capacity is enough */
    assert_int_equal(ltuya_aes_ecb_encrypt_pkcs7(key, buf, 17, 32, &n), LTUYA_OK);
    assert_int_equal(n, 32);
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

/* The two layouts the core uses: the tag right after the data (frames, any
 * length) and a tag elsewhere (the handshake's 16-byte session key). Both
 * give the same bytes. The PSA backend on mbedTLS 2.28, which has only
 * one-shot AEAD, takes the second layout only up to 64 bytes. */
static void test_aes_gcm_layouts(void **state)
{
    (void)state;
    const uint8_t key[16] = "0123456789abcdef", iv[12] = "nonce-nonce!";
    static uint8_t joined[300 + 16], apart[300], tag[16];
    for (size_t i = 0; i < 300; i++)
        joined[i] = apart[i] = (uint8_t)(i * 7);
    assert_int_equal(ltuya_aes_gcm_encrypt(key, iv, iv, 5, joined, 300, joined + 300), LTUYA_OK);
    bool psa228 = strncmp(ltuya_crypto_backend(), "psa (mbedtls 2.", 15) == 0;
    ltuya_status_t st = ltuya_aes_gcm_encrypt(key, iv, iv, 5, apart, 300, tag);
    if (psa228) {
        assert_int_equal(st, LTUYA_ERR_INVALID_ARG);
    } else {
        assert_int_equal(st, LTUYA_OK);
        assert_memory_equal(apart, joined, 300);
        assert_memory_equal(tag, joined + 300, 16);
    }
    for (size_t i = 0; i < 64; i++)
        apart[i] = (uint8_t)(i * 7);
    uint8_t short_joined[64 + 16];
    memcpy(short_joined, apart, 64);
    assert_int_equal(ltuya_aes_gcm_encrypt(key, iv, NULL, 0, short_joined, 64, short_joined + 64),
                     LTUYA_OK);
    assert_int_equal(ltuya_aes_gcm_encrypt(key, iv, NULL, 0, apart, 64, tag), LTUYA_OK);
    assert_memory_equal(apart, short_joined, 64);
    assert_memory_equal(tag, short_joined + 64, 16);
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, iv, 5, joined, 300, joined + 300), LTUYA_OK);
    for (size_t i = 0; i < 300; i++)
        assert_int_equal(joined[i], (uint8_t)(i * 7));
    joined[299] ^= 1;
    assert_int_equal(ltuya_aes_gcm_encrypt(key, iv, iv, 5, joined, 300, joined + 300), LTUYA_OK);
    joined[0] ^= 1;
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, iv, 5, joined, 300, joined + 300),
                     LTUYA_ERR_BAD_TAG);
}

/* McGrew & Viega GCM test cases 1 and 2: zero key and IV, no AAD. */
static void test_aes_gcm_zero(void **state)
{
    (void)state;
    uint8_t key[16] = {0}, iv[12] = {0}, buf[16] = {0}, tag[16], expect[16];
    assert_int_equal(ltuya_aes_gcm_encrypt(key, iv, NULL, 0, NULL, 0, tag), LTUYA_OK);
    unhex_exact("58e2fccefa7e3061367f1d57a4e7455a", expect, 16);
    assert_memory_equal(tag, expect, 16);
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, NULL, 0, NULL, 0, expect), LTUYA_OK);
    expect[0] ^= 1;
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, NULL, 0, NULL, 0, expect), LTUYA_ERR_BAD_TAG);

    assert_int_equal(ltuya_aes_gcm_encrypt(key, iv, NULL, 0, buf, 16, tag), LTUYA_OK);
    unhex_exact("0388dace60b6a392f328c2b971b2fe78", expect, 16);
    assert_memory_equal(buf, expect, 16);
    unhex_exact("ab6e47d42cec13bdf53a67b21257bddf", expect, 16);
    assert_memory_equal(tag, expect, 16);
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, NULL, 0, buf, 16, tag), LTUYA_OK);
    for (int i = 0; i < 16; i++)
        assert_int_equal(buf[i], 0);
    /* a tag made with another nonce does not verify */
    assert_int_equal(ltuya_aes_gcm_encrypt(key, iv, NULL, 0, buf, 16, tag), LTUYA_OK);
    iv[11] = 1;
    assert_int_equal(ltuya_aes_gcm_decrypt(key, iv, NULL, 0, buf, 16, tag), LTUYA_ERR_BAD_TAG);
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

/* RFC 4231 cases 3 and 7, and keys either side of the 64-byte block (the
 * mbedTLS backend builds HMAC itself, so its key handling is ours to test;
 * expected values from Python's hmac module). */
static void test_hmac_sha256_more(void **state)
{
    (void)state;
    uint8_t key[131], data[50], mac[32], expect[32];
    memset(key, 0xaa, 20);
    memset(data, 0xdd, sizeof data);
    assert_int_equal(ltuya_hmac_sha256(key, 20, data, sizeof data, mac), LTUYA_OK);
    unhex_exact("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", expect, 32);
    assert_memory_equal(mac, expect, 32);

    memset(key, 0xaa, sizeof key);
    const char *msg = "This is a test using a larger than block-size key and a larger than "
                      "block-size data. The key needs to be hashed before being used by the "
                      "HMAC algorithm.";
    assert_int_equal(ltuya_hmac_sha256(key, 131, msg, strlen(msg), mac), LTUYA_OK);
    unhex_exact("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", expect, 32);
    assert_memory_equal(mac, expect, 32);

    for (int i = 0; i < 65; i++)
        key[i] = (uint8_t)i;
    assert_int_equal(ltuya_hmac_sha256(key, 64, "Tuya", 4, mac), LTUYA_OK);
    unhex_exact("74d392a74602b5860c466b7019c14e8280a82b324dfcd3f022708a9cff84d553", expect, 32);
    assert_memory_equal(mac, expect, 32);
    assert_int_equal(ltuya_hmac_sha256(key, 65, "Tuya", 4, mac), LTUYA_OK);
    unhex_exact("3a66b370c55fb470e6620e56325051418079641ea54b91db522e53b4df468370", expect, 32);
    assert_memory_equal(mac, expect, 32);

    /* empty message (a 3.4 frame's HMAC never is, but the API allows it) */
    assert_int_equal(ltuya_hmac_sha256((const uint8_t *)"0123456789abcdef", 16, NULL, 0, mac),
                     LTUYA_OK);
    unhex_exact("496dc93fa2d26eae500ec0bc37a122706b88f8963cebf0899d0245fae313e241", expect, 32);
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
    /* the rest of the RFC 1321 suite, the last split across a 64-byte block edge */
    static const struct {
        const char *msg, *md;
    } rfc[] = {
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
    };
    for (size_t i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
        ltuya_iov_t one = {rfc[i].msg, strlen(rfc[i].msg)};
        assert_int_equal(ltuya_md5(&one, 1, md), LTUYA_OK);
        unhex_exact(rfc[i].md, expect, 16);
        assert_memory_equal(md, expect, 16);
    }
    const char *digits = "1234567890123456789012345678901234567890"
                         "1234567890123456789012345678901234567890";
    ltuya_iov_t split[4] = {{digits, 7}, {digits + 7, 60}, {digits + 67, 0}, {digits + 67, 13}};
    assert_int_equal(ltuya_md5(split, 4, md), LTUYA_OK);
    unhex_exact("57edf4a22be3c955ac49da2e2107b67a", expect, 16);
    assert_memory_equal(md, expect, 16);
    assert_int_equal(ltuya_md5(NULL, 0, md), LTUYA_OK); /* no parts: MD5("") */
    unhex_exact("d41d8cd98f00b204e9800998ecf8427e", expect, 16);
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
    /* a longer buffer, whole and one byte at a time (expected from zlib.crc32) */
    uint8_t big[1000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(ltuya_crc32(0, big, sizeof big), 0x17bc2a46u);
    c = 0;
    for (size_t i = 0; i < sizeof big; i++)
        c = ltuya_crc32(c, big + i, 1);
    assert_int_equal(c, 0x17bc2a46u);
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
    /* more rejects: padding in the wrong place, too much of it, whitespace,
     * non-ASCII, the URL-safe alphabet, non-zero bits under the padding */
    static const char *const bad[] = {"Zg=A",  "====", "=Zg=",    "Zm=v", "Zm9v====", "Zg= ",
                                      "Zm9\n", "Zm 9", "Zm9\x80", "Zm-_", "Zm9=",     "Zg==Zm9v"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ltuya_base64_decode(bad[i], strlen(bad[i]), dec, sizeof dec, &n),
                         LTUYA_ERR_BAD_BASE64);
    /* exact capacities are enough */
    assert_int_equal(ltuya_base64_encode((const uint8_t *)"fo", 2, out, 4, &n), LTUYA_OK);
    assert_int_equal(ltuya_base64_decode("Zm8=", 4, dec, 2, &n), LTUYA_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ltuya_base64_decode("Zm8=", 4, dec, 1, &n), LTUYA_ERR_BUF_TOO_SMALL);
    /* in place with padding, and a long one that exercises every byte value */
    char io2[] = "Zm9vYg==";
    assert_int_equal(ltuya_base64_decode(io2, 8, (uint8_t *)io2, 8, &n), LTUYA_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(io2, "foob", 4);
    uint8_t all[256], back[344];
    char b64[344];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    assert_int_equal(ltuya_base64_encode(all, 256, b64, sizeof b64, &n), LTUYA_OK);
    assert_int_equal(n, 344);
    memcpy(back, b64, n);
    assert_int_equal(ltuya_base64_decode((const char *)back, n, back, sizeof back, &n), LTUYA_OK);
    assert_int_equal(n, 256);
    assert_memory_equal(back, all, 256);
}

static int failing_random(void *ctx, uint8_t *buf, size_t n)
{
    (void)buf;
    (void)n;
    ++*(int *)ctx;
    return -1;
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
    int calls = 0;
    ltuya_random_set_hook(failing_random, &calls);
    assert_int_equal(ltuya_random(r, 4), LTUYA_ERR_NO_RANDOM);
    assert_int_equal(calls, 1);
    ltuya_random_set_hook(NULL, NULL);
    const char *be = ltuya_crypto_backend();
    assert_true(strncmp(be, "mbedtls ", 8) == 0 || strncmp(be, "openssl ", 8) == 0 ||
                strncmp(be, "psa (mbedtls ", 13) == 0);
    assert_non_null(strchr(be, '.'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aes_ecb_fips197),
        cmocka_unit_test(test_aes_ecb_multiblock),
        cmocka_unit_test(test_pkcs7),
        cmocka_unit_test(test_aes_gcm),
        cmocka_unit_test(test_aes_gcm_zero),
        cmocka_unit_test(test_aes_gcm_layouts),
        cmocka_unit_test(test_hmac_sha256),
        cmocka_unit_test(test_hmac_sha256_more),
        cmocka_unit_test(test_md5),
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
