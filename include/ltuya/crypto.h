/*
 * The crypto primitives the Tuya protocol needs, behind one interface.
 *
 * Protocol code calls only these functions, never a crypto library. The
 * backend is chosen at build time (src/crypto/mbedtls.c by default,
 * src/crypto/openssl.c with -DLTUYA_CRYPTO=openssl). CRC-32, base64, PKCS#7,
 * the constant-time compare and the random hook are backend-independent
 * (src/crypto/common.c).
 *
 * All functions are reentrant, allocate nothing and keep no state except the
 * random hook. Keys are 16 raw bytes (the 16 ASCII characters of a Tuya
 * local key are used directly).
 */
#ifndef LTUYA_CRYPTO_H
#define LTUYA_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "ltuya/status.h"
#include "ltuya/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTUYA_KEY_LEN       16
#define LTUYA_AES_BLOCK     16
#define LTUYA_GCM_NONCE_LEN 12
#define LTUYA_GCM_TAG_LEN   16
#define LTUYA_SHA256_LEN    32
#define LTUYA_MD5_LEN       16

/* A read-only byte range, for functions that hash several pieces at once. */
typedef struct {
    const void *ptr;
    size_t len;
} ltuya_iov_t;

/* ---- AES-128-ECB ------------------------------------------------------- */

/* Encrypt / decrypt `len` bytes in place; `len` must be a multiple of 16
 * (else LTUYA_ERR_INVALID_ARG). No padding is added or removed. */
LTUYA_API ltuya_status_t ltuya_aes_ecb_encrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf,
                                               size_t len);
LTUYA_API ltuya_status_t ltuya_aes_ecb_decrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf,
                                               size_t len);

/* PKCS#7 size: always pads, so a 16-byte multiple gains a whole block. */
static inline size_t ltuya_pkcs7_padded_len(size_t len)
{
    return (len / LTUYA_AES_BLOCK + 1) * LTUYA_AES_BLOCK;
}

/* Pad `len` bytes at `buf` (capacity `cap`) with PKCS#7 and encrypt in place.
 * *out_len = ltuya_pkcs7_padded_len(len). LTUYA_ERR_BUF_TOO_SMALL if cap is short. */
LTUYA_API ltuya_status_t ltuya_aes_ecb_encrypt_pkcs7(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf,
                                                     size_t len, size_t cap, size_t *out_len);

/* Decrypt in place and strip PKCS#7; *out_len is the plaintext length.
 * LTUYA_ERR_INVALID_ARG if len is 0 or not a block multiple,
 * LTUYA_ERR_BAD_PADDING if the padding is wrong (usually a wrong key). */
LTUYA_API ltuya_status_t ltuya_aes_ecb_decrypt_pkcs7(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf,
                                                     size_t len, size_t *out_len);

/* Strip PKCS#7 padding from an already decrypted buffer. */
LTUYA_API ltuya_status_t ltuya_pkcs7_unpad(const uint8_t *buf, size_t len, size_t *out_len);

/* ---- AES-128-GCM (12-byte nonce, 16-byte tag) --------------------------- */

/* Encrypt `len` bytes in place and write the tag. `aad` may be NULL when aad_len is 0. */
LTUYA_API ltuya_status_t ltuya_aes_gcm_encrypt(const uint8_t key[LTUYA_KEY_LEN],
                                               const uint8_t nonce[LTUYA_GCM_NONCE_LEN],
                                               const uint8_t *aad, size_t aad_len, uint8_t *buf,
                                               size_t len, uint8_t tag[LTUYA_GCM_TAG_LEN]);

/* Verify the tag and decrypt in place. LTUYA_ERR_BAD_TAG on mismatch, in
 * which case the buffer content is unspecified (callers must drop it). */
LTUYA_API ltuya_status_t ltuya_aes_gcm_decrypt(const uint8_t key[LTUYA_KEY_LEN],
                                               const uint8_t nonce[LTUYA_GCM_NONCE_LEN],
                                               const uint8_t *aad, size_t aad_len, uint8_t *buf,
                                               size_t len, const uint8_t tag[LTUYA_GCM_TAG_LEN]);

/* ---- Hashes ------------------------------------------------------------ */

LTUYA_API ltuya_status_t ltuya_hmac_sha256(const uint8_t *key, size_t key_len, const void *data,
                                           size_t len, uint8_t out[LTUYA_SHA256_LEN]);

/* MD5 over the concatenation of `n` pieces (3.1 signatures, the UDP key). */
LTUYA_API ltuya_status_t ltuya_md5(const ltuya_iov_t *parts, size_t n, uint8_t out[LTUYA_MD5_LEN]);

/* CRC-32 (IEEE 802.3, as zlib): pass crc = 0 to start, the previous result to continue. */
LTUYA_API uint32_t ltuya_crc32(uint32_t crc, const void *data, size_t len);

/* ---- base64 (standard alphabet, '=' padding) ---------------------------- */

static inline size_t ltuya_base64_encoded_len(size_t len)
{
    return (len + 2) / 3 * 4;
}

/* Writes no terminator. LTUYA_ERR_BUF_TOO_SMALL if cap < ltuya_base64_encoded_len(len). */
LTUYA_API ltuya_status_t ltuya_base64_encode(const uint8_t *src, size_t len, char *dst, size_t cap,
                                             size_t *out_len);

/* Strict decode (length a multiple of 4, padding only at the end, no
 * whitespace). `dst` may equal `src` (decoding in place is safe because the
 * output never overtakes the input). LTUYA_ERR_BAD_BASE64 on bad input. */
LTUYA_API ltuya_status_t ltuya_base64_decode(const char *src, size_t len, uint8_t *dst, size_t cap,
                                             size_t *out_len);

/* ---- Helpers ------------------------------------------------------------ */

/* 1 when equal, 0 otherwise; time depends only on n. For tags and HMACs. */
LTUYA_API int ltuya_ct_equal(const void *a, const void *b, size_t n);

/* Wipe memory in a way the compiler will not optimise away. */
LTUYA_API void ltuya_zeroize(void *p, size_t n);

/* ---- Random bytes (a port hook) ------------------------------------------ */

/* Fill buf with n unpredictable bytes; return 0 on success. */
typedef int (*ltuya_random_fn)(void *ctx, uint8_t *buf, size_t n);

/* Install the process-wide random source (ports/posix provides one; tests
 * install a fixed one to reproduce reference frames). NULL uninstalls. */
LTUYA_API void ltuya_random_set_hook(ltuya_random_fn fn, void *ctx);

/* LTUYA_ERR_NO_RANDOM when no hook is installed or the hook fails. */
LTUYA_API ltuya_status_t ltuya_random(uint8_t *buf, size_t n);

/* Name of the compiled-in backend, e.g. "mbedtls 2.28.3" or "openssl 3.0.19". */
LTUYA_API const char *ltuya_crypto_backend(void);

#ifdef __cplusplus
}
#endif

#endif
