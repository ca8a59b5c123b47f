/* OpenSSL 3 backend (hosts only: OpenSSL allocates internally). */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>

#include "ltuya/crypto.h"

static ltuya_status_t ecb(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len, int enc)
{
    if (len % LTUYA_AES_BLOCK || len > INT_MAX)
        return LTUYA_ERR_INVALID_ARG;
    if (len == 0)
        return LTUYA_OK;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL, enc) &&
                       EVP_CIPHER_CTX_set_padding(ctx, 0) &&
                       EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) && outl == (int)len;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? LTUYA_OK : LTUYA_ERR_CRYPTO;
}

ltuya_status_t ltuya_aes_ecb_encrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    return ecb(key, buf, len, 1);
}

ltuya_status_t ltuya_aes_ecb_decrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    return ecb(key, buf, len, 0);
}

ltuya_status_t ltuya_aes_gcm_encrypt(const uint8_t key[LTUYA_KEY_LEN],
                                     const uint8_t nonce[LTUYA_GCM_NONCE_LEN], const uint8_t *aad,
                                     size_t aad_len, uint8_t *buf, size_t len,
                                     uint8_t tag[LTUYA_GCM_TAG_LEN])
{
    /* EVP takes int lengths; GCM's final step outputs nothing, but is given a
     * scratch block so that buf may be NULL for an empty message. */
    uint8_t fin[LTUYA_AES_BLOCK];
    if (len > INT_MAX || aad_len > INT_MAX)
        return LTUYA_ERR_INVALID_ARG;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0;
    int ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, LTUYA_GCM_NONCE_LEN, NULL) &&
             EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce);
    if (ok && aad_len)
        ok = EVP_EncryptUpdate(ctx, NULL, &outl, aad, (int)aad_len);
    if (ok && len)
        ok = EVP_EncryptUpdate(ctx, buf, &outl, buf, (int)len);
    if (ok)
        ok = EVP_EncryptFinal_ex(ctx, fin, &outl) &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, LTUYA_GCM_TAG_LEN, tag);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? LTUYA_OK : LTUYA_ERR_CRYPTO;
}

ltuya_status_t ltuya_aes_gcm_decrypt(const uint8_t key[LTUYA_KEY_LEN],
                                     const uint8_t nonce[LTUYA_GCM_NONCE_LEN], const uint8_t *aad,
                                     size_t aad_len, uint8_t *buf, size_t len,
                                     const uint8_t tag[LTUYA_GCM_TAG_LEN])
{
    uint8_t fin[LTUYA_AES_BLOCK]; /* see ltuya_aes_gcm_encrypt */
    if (len > INT_MAX || aad_len > INT_MAX)
        return LTUYA_ERR_INVALID_ARG;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0;
    int ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, LTUYA_GCM_NONCE_LEN, NULL) &&
             EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce);
    if (ok && aad_len)
        ok = EVP_DecryptUpdate(ctx, NULL, &outl, aad, (int)aad_len);
    if (ok && len)
        ok = EVP_DecryptUpdate(ctx, buf, &outl, buf, (int)len);
    if (!ok) {
        EVP_CIPHER_CTX_free(ctx);
        return LTUYA_ERR_CRYPTO;
    }
    ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, LTUYA_GCM_TAG_LEN, (void *)tag) &&
         EVP_DecryptFinal_ex(ctx, fin, &outl) > 0;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? LTUYA_OK : LTUYA_ERR_BAD_TAG;
}

ltuya_status_t ltuya_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                                 uint8_t out[LTUYA_SHA256_LEN])
{
    unsigned int outl = 0;
    /* Empty inputs are passed as a valid pointer, never NULL: in OpenSSL's
     * HMAC init calls a NULL key means "keep the previous key". */
    static const uint8_t empty;
    if (key_len > INT_MAX)
        return LTUYA_ERR_INVALID_ARG;
    return HMAC(EVP_sha256(), key_len ? key : &empty, (int)key_len, len ? data : &empty, len, out,
                &outl) &&
                   outl == LTUYA_SHA256_LEN
               ? LTUYA_OK
               : LTUYA_ERR_CRYPTO;
}

ltuya_status_t ltuya_md5(const ltuya_iov_t *parts, size_t n, uint8_t out[LTUYA_MD5_LEN])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(ctx, parts[i].ptr, parts[i].len);
    if (ok)
        ok = EVP_DigestFinal_ex(ctx, out, NULL);
    EVP_MD_CTX_free(ctx);
    return ok ? LTUYA_OK : LTUYA_ERR_CRYPTO;
}

void ltuya_zeroize(void *p, size_t n)
{
    OPENSSL_cleanse(p, n);
}

const char *ltuya_crypto_backend(void)
{
    return "openssl " OPENSSL_VERSION_STR;
}
