/*
 * mbedTLS backend (2.28 as in Debian 12, and 3.x). Contexts live on the
 * stack and are wiped; nothing here allocates, which is why HMAC is built
 * from the library's SHA-256 instead of mbedtls_md_hmac (its md_setup
 * allocates).
 */
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md5.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "ltuya/crypto.h"

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define LTUYA_MD5_STARTS    mbedtls_md5_starts
#define LTUYA_MD5_UPDATE    mbedtls_md5_update
#define LTUYA_MD5_FINISH    mbedtls_md5_finish
#define LTUYA_SHA256_STARTS mbedtls_sha256_starts
#define LTUYA_SHA256_UPDATE mbedtls_sha256_update
#define LTUYA_SHA256_FINISH mbedtls_sha256_finish
#else
#define LTUYA_MD5_STARTS    mbedtls_md5_starts_ret
#define LTUYA_MD5_UPDATE    mbedtls_md5_update_ret
#define LTUYA_MD5_FINISH    mbedtls_md5_finish_ret
#define LTUYA_SHA256_STARTS mbedtls_sha256_starts_ret
#define LTUYA_SHA256_UPDATE mbedtls_sha256_update_ret
#define LTUYA_SHA256_FINISH mbedtls_sha256_finish_ret
#endif

static ltuya_status_t ecb(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len, int mode)
{
    if (len % LTUYA_AES_BLOCK)
        return LTUYA_ERR_INVALID_ARG;
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    int rc = mode == MBEDTLS_AES_ENCRYPT ? mbedtls_aes_setkey_enc(&aes, key, 128)
                                         : mbedtls_aes_setkey_dec(&aes, key, 128);
    for (size_t off = 0; rc == 0 && off < len; off += LTUYA_AES_BLOCK)
        rc = mbedtls_aes_crypt_ecb(&aes, mode, buf + off, buf + off);
    mbedtls_aes_free(&aes);
    return rc ? LTUYA_ERR_CRYPTO : LTUYA_OK;
}

ltuya_status_t ltuya_aes_ecb_encrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    return ecb(key, buf, len, MBEDTLS_AES_ENCRYPT);
}

ltuya_status_t ltuya_aes_ecb_decrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    return ecb(key, buf, len, MBEDTLS_AES_DECRYPT);
}

ltuya_status_t ltuya_aes_gcm_encrypt(const uint8_t key[LTUYA_KEY_LEN],
                                     const uint8_t nonce[LTUYA_GCM_NONCE_LEN], const uint8_t *aad,
                                     size_t aad_len, uint8_t *buf, size_t len,
                                     uint8_t tag[LTUYA_GCM_TAG_LEN])
{
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128);
    if (rc == 0)
        rc = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, len, nonce, LTUYA_GCM_NONCE_LEN,
                                       aad, aad_len, buf, buf, LTUYA_GCM_TAG_LEN, tag);
    mbedtls_gcm_free(&gcm);
    return rc ? LTUYA_ERR_CRYPTO : LTUYA_OK;
}

ltuya_status_t ltuya_aes_gcm_decrypt(const uint8_t key[LTUYA_KEY_LEN],
                                     const uint8_t nonce[LTUYA_GCM_NONCE_LEN], const uint8_t *aad,
                                     size_t aad_len, uint8_t *buf, size_t len,
                                     const uint8_t tag[LTUYA_GCM_TAG_LEN])
{
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128);
    if (rc == 0)
        rc = mbedtls_gcm_auth_decrypt(&gcm, len, nonce, LTUYA_GCM_NONCE_LEN, aad, aad_len, tag,
                                      LTUYA_GCM_TAG_LEN, buf, buf);
    mbedtls_gcm_free(&gcm);
    if (rc == MBEDTLS_ERR_GCM_AUTH_FAILED)
        return LTUYA_ERR_BAD_TAG;
    return rc ? LTUYA_ERR_CRYPTO : LTUYA_OK;
}

/* HMAC (RFC 2104) around the library's SHA-256. */
ltuya_status_t ltuya_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                                 uint8_t out[LTUYA_SHA256_LEN])
{
    uint8_t k[64] = {0}, pad[64];
    mbedtls_sha256_context sha;
    int rc = 0;
    mbedtls_sha256_init(&sha);
    if (key_len > sizeof k) {
        rc |= LTUYA_SHA256_STARTS(&sha, 0);
        rc |= LTUYA_SHA256_UPDATE(&sha, key, key_len);
        rc |= LTUYA_SHA256_FINISH(&sha, k);
    } else {
        memcpy(k, key, key_len);
    }
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = k[i] ^ 0x36;
    rc |= LTUYA_SHA256_STARTS(&sha, 0);
    rc |= LTUYA_SHA256_UPDATE(&sha, pad, sizeof pad);
    rc |= LTUYA_SHA256_UPDATE(&sha, data, len);
    rc |= LTUYA_SHA256_FINISH(&sha, out);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = k[i] ^ 0x5c;
    rc |= LTUYA_SHA256_STARTS(&sha, 0);
    rc |= LTUYA_SHA256_UPDATE(&sha, pad, sizeof pad);
    rc |= LTUYA_SHA256_UPDATE(&sha, out, LTUYA_SHA256_LEN);
    rc |= LTUYA_SHA256_FINISH(&sha, out);
    mbedtls_sha256_free(&sha);
    mbedtls_platform_zeroize(k, sizeof k);
    mbedtls_platform_zeroize(pad, sizeof pad);
    return rc ? LTUYA_ERR_CRYPTO : LTUYA_OK;
}

ltuya_status_t ltuya_md5(const ltuya_iov_t *parts, size_t n, uint8_t out[LTUYA_MD5_LEN])
{
    mbedtls_md5_context md5;
    mbedtls_md5_init(&md5);
    int rc = LTUYA_MD5_STARTS(&md5);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = LTUYA_MD5_UPDATE(&md5, parts[i].ptr, parts[i].len);
    if (rc == 0)
        rc = LTUYA_MD5_FINISH(&md5, out);
    mbedtls_md5_free(&md5);
    return rc ? LTUYA_ERR_CRYPTO : LTUYA_OK;
}

void ltuya_zeroize(void *p, size_t n)
{
    mbedtls_platform_zeroize(p, n);
}

const char *ltuya_crypto_backend(void)
{
    return "mbedtls " MBEDTLS_VERSION_STRING;
}
