/*
 * PSA Crypto backend: the API of mbedTLS 4 (ESP-IDF 6), where the legacy
 * mbedtls_aes / _gcm / _md5 calls of mbedtls.c are gone, and of mbedTLS 3.x;
 * tested against Debian's mbedTLS 2.28 PSA implementation.
 *
 * Keys are imported as volatile keys for one operation and destroyed at
 * once. mbedTLS keeps key material in its key store, which allocates inside
 * the library (the core itself still does not).
 *
 * mbedTLS 2.28 implements only the one-shot AEAD calls (psa_aead_encrypt_setup
 * and the rest of the multipart API are declared but not in the library), and
 * one-shot GCM wants ciphertext and tag side by side. So on 2.28 the GCM
 * functions work in place when the tag follows the data (the frame codec's
 * layout), else through a small stack buffer (the handshake's 16-byte session
 * key); a longer buffer with a tag elsewhere is LTUYA_ERR_INVALID_ARG there.
 * From 3.0 on the multipart calls take any layout.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <psa/crypto.h>
#if defined(__has_include)
#if __has_include(<mbedtls/version.h>)
#include <mbedtls/version.h>
#endif
#endif

#include "ltuya/crypto.h"

#if defined(MBEDTLS_VERSION_NUMBER) && MBEDTLS_VERSION_NUMBER < 0x03000000
#define ONE_SHOT_AEAD_ONLY 1
#define BOUNCE_MAX         64 /* longest separate-tag GCM buffer on 2.28 */
#else
#define ONE_SHOT_AEAD_ONLY 0
#endif

static ltuya_status_t status_of(psa_status_t st)
{
    switch (st) {
    case PSA_SUCCESS:
        return LTUYA_OK;
    case PSA_ERROR_INVALID_SIGNATURE:
        return LTUYA_ERR_BAD_TAG;
    case PSA_ERROR_INVALID_ARGUMENT:
        return LTUYA_ERR_INVALID_ARG;
    default:
        return LTUYA_ERR_CRYPTO;
    }
}

/* A volatile key for one operation (psa_crypto_init is cheap once done). */
static psa_status_t import(psa_key_type_t type, psa_algorithm_t alg, psa_key_usage_t usage,
                           const uint8_t *key, size_t len, psa_key_id_t *id)
{
    psa_status_t st = psa_crypto_init();
    if (st != PSA_SUCCESS)
        return st;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, type);
    psa_set_key_algorithm(&a, alg);
    psa_set_key_usage_flags(&a, usage);
    st = psa_import_key(&a, key, len, id);
    psa_reset_key_attributes(&a);
    return st;
}

static ltuya_status_t ecb(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len, bool enc)
{
    if (len % LTUYA_AES_BLOCK)
        return LTUYA_ERR_INVALID_ARG;
    if (len == 0)
        return LTUYA_OK;
    psa_key_id_t id = 0;
    size_t n = 0;
    psa_status_t st =
        import(PSA_KEY_TYPE_AES, PSA_ALG_ECB_NO_PADDING,
               enc ? PSA_KEY_USAGE_ENCRYPT : PSA_KEY_USAGE_DECRYPT, key, LTUYA_KEY_LEN, &id);
    if (st == PSA_SUCCESS)
        st = enc ? psa_cipher_encrypt(id, PSA_ALG_ECB_NO_PADDING, buf, len, buf, len, &n)
                 : psa_cipher_decrypt(id, PSA_ALG_ECB_NO_PADDING, buf, len, buf, len, &n);
    psa_destroy_key(id);
    if (st == PSA_SUCCESS && n != len)
        st = PSA_ERROR_GENERIC_ERROR;
    return st == PSA_SUCCESS ? LTUYA_OK : LTUYA_ERR_CRYPTO;
}

ltuya_status_t ltuya_aes_ecb_encrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    return ecb(key, buf, len, true);
}

ltuya_status_t ltuya_aes_ecb_decrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    return ecb(key, buf, len, false);
}

#if ONE_SHOT_AEAD_ONLY
/* ct||tag side by side: in place if the tag follows buf, else bounced. */
static psa_status_t gcm_one_shot(psa_key_id_t id, bool enc, const uint8_t *nonce,
                                 const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
                                 uint8_t *tag)
{
    uint8_t bounce[BOUNCE_MAX + LTUYA_GCM_TAG_LEN];
    bool in_place = buf && tag == buf + len;
    uint8_t *p = in_place ? buf : bounce;
    size_t n = 0;
    psa_status_t st;
    if (!in_place) {
        if (len > BOUNCE_MAX)
            return PSA_ERROR_INVALID_ARGUMENT;
        if (len)
            memcpy(bounce, buf, len);
        if (!enc)
            memcpy(bounce + len, tag, LTUYA_GCM_TAG_LEN);
    }
    if (enc)
        st = psa_aead_encrypt(id, PSA_ALG_GCM, nonce, LTUYA_GCM_NONCE_LEN, aad, aad_len, p, len, p,
                              len + LTUYA_GCM_TAG_LEN, &n);
    else
        st = psa_aead_decrypt(id, PSA_ALG_GCM, nonce, LTUYA_GCM_NONCE_LEN, aad, aad_len, p,
                              len + LTUYA_GCM_TAG_LEN, p, len, &n);
    if (st == PSA_SUCCESS && n != (enc ? len + LTUYA_GCM_TAG_LEN : len))
        st = PSA_ERROR_GENERIC_ERROR;
    if (st == PSA_SUCCESS && !in_place) {
        if (len)
            memcpy(buf, bounce, len);
        if (enc)
            memcpy(tag, bounce + len, LTUYA_GCM_TAG_LEN);
    }
    ltuya_zeroize(bounce, sizeof bounce);
    return st;
}
#else
static psa_status_t gcm_multipart(psa_key_id_t id, bool enc, const uint8_t *nonce,
                                  const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
                                  uint8_t *tag)
{
    psa_aead_operation_t op = PSA_AEAD_OPERATION_INIT;
    size_t n = 0, rest = 0, tag_len = 0;
    psa_status_t st = enc ? psa_aead_encrypt_setup(&op, id, PSA_ALG_GCM)
                          : psa_aead_decrypt_setup(&op, id, PSA_ALG_GCM);
    if (st == PSA_SUCCESS)
        st = psa_aead_set_nonce(&op, nonce, LTUYA_GCM_NONCE_LEN);
    if (st == PSA_SUCCESS && aad_len)
        st = psa_aead_update_ad(&op, aad, aad_len);
    /* GCM is a stream mode: every input byte comes out at once, in place */
    if (st == PSA_SUCCESS && len)
        st = psa_aead_update(&op, buf, len, buf, len, &n);
    if (st == PSA_SUCCESS && n != len)
        st = PSA_ERROR_GENERIC_ERROR;
    if (st == PSA_SUCCESS)
        st = enc ? psa_aead_finish(&op, NULL, 0, &rest, tag, LTUYA_GCM_TAG_LEN, &tag_len)
                 : psa_aead_verify(&op, NULL, 0, &rest, tag, LTUYA_GCM_TAG_LEN);
    if (st == PSA_SUCCESS && (rest != 0 || (enc && tag_len != LTUYA_GCM_TAG_LEN)))
        st = PSA_ERROR_GENERIC_ERROR;
    psa_aead_abort(&op);
    return st;
}
#endif

static ltuya_status_t gcm(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad,
                          size_t aad_len, uint8_t *buf, size_t len, uint8_t *tag, bool enc)
{
    psa_key_id_t id = 0;
    psa_status_t st =
        import(PSA_KEY_TYPE_AES, PSA_ALG_GCM, enc ? PSA_KEY_USAGE_ENCRYPT : PSA_KEY_USAGE_DECRYPT,
               key, LTUYA_KEY_LEN, &id);
    if (st == PSA_SUCCESS)
#if ONE_SHOT_AEAD_ONLY
        st = gcm_one_shot(id, enc, nonce, aad, aad_len, buf, len, tag);
#else
        st = gcm_multipart(id, enc, nonce, aad, aad_len, buf, len, tag);
#endif
    psa_destroy_key(id);
    return status_of(st);
}

ltuya_status_t ltuya_aes_gcm_encrypt(const uint8_t key[LTUYA_KEY_LEN],
                                     const uint8_t nonce[LTUYA_GCM_NONCE_LEN], const uint8_t *aad,
                                     size_t aad_len, uint8_t *buf, size_t len,
                                     uint8_t tag[LTUYA_GCM_TAG_LEN])
{
    return gcm(key, nonce, aad, aad_len, buf, len, tag, true);
}

ltuya_status_t ltuya_aes_gcm_decrypt(const uint8_t key[LTUYA_KEY_LEN],
                                     const uint8_t nonce[LTUYA_GCM_NONCE_LEN], const uint8_t *aad,
                                     size_t aad_len, uint8_t *buf, size_t len,
                                     const uint8_t tag[LTUYA_GCM_TAG_LEN])
{
    /* the tag is only read on decryption */
    return gcm(key, nonce, aad, aad_len, buf, len, (uint8_t *)(uintptr_t)tag, false);
}

ltuya_status_t ltuya_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                                 uint8_t out[LTUYA_SHA256_LEN])
{
    const psa_algorithm_t alg = PSA_ALG_HMAC(PSA_ALG_SHA_256);
    static const uint8_t zero = 0;
    psa_key_id_t id = 0;
    size_t n = 0;
    /* PSA refuses empty keys; HMAC pads the key with zeros to the block, so
     * one zero byte is the same key. */
    if (key_len == 0) {
        key = &zero;
        key_len = 1;
    }
    psa_status_t st = import(PSA_KEY_TYPE_HMAC, alg, PSA_KEY_USAGE_SIGN_MESSAGE, key, key_len, &id);
    if (st == PSA_SUCCESS)
        st = psa_mac_compute(id, alg, data, len, out, LTUYA_SHA256_LEN, &n);
    psa_destroy_key(id);
    return st == PSA_SUCCESS && n == LTUYA_SHA256_LEN ? LTUYA_OK : LTUYA_ERR_CRYPTO;
}

ltuya_status_t ltuya_md5(const ltuya_iov_t *parts, size_t n, uint8_t out[LTUYA_MD5_LEN])
{
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    size_t got = 0;
    psa_status_t st = psa_crypto_init();
    if (st == PSA_SUCCESS)
        st = psa_hash_setup(&op, PSA_ALG_MD5);
    for (size_t i = 0; st == PSA_SUCCESS && i < n; i++)
        st = psa_hash_update(&op, parts[i].ptr, parts[i].len);
    if (st == PSA_SUCCESS)
        st = psa_hash_finish(&op, out, LTUYA_MD5_LEN, &got);
    psa_hash_abort(&op);
    return st == PSA_SUCCESS && got == LTUYA_MD5_LEN ? LTUYA_OK : LTUYA_ERR_CRYPTO;
}

void ltuya_zeroize(void *p, size_t n)
{
    /* through a volatile pointer, so the stores are not optimised away */
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

const char *ltuya_crypto_backend(void)
{
#ifdef MBEDTLS_VERSION_STRING
    return "psa (mbedtls " MBEDTLS_VERSION_STRING ")";
#else
    return "psa";
#endif
}
