/*
 * What the size app links against but the core does not own: the crypto
 * backend (excluded from the figures: mbedTLS or the chip's ROM provides it)
 * and the few C library functions. Byte loops; never run.
 */
#include <stddef.h>
#include <stdint.h>

#include "ltuya/crypto.h"

ltuya_status_t ltuya_aes_ecb_encrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    (void)key, (void)buf, (void)len;
    return LTUYA_ERR_CRYPTO;
}
ltuya_status_t ltuya_aes_ecb_decrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    (void)key, (void)buf, (void)len;
    return LTUYA_ERR_CRYPTO;
}
ltuya_status_t ltuya_aes_gcm_encrypt(const uint8_t key[LTUYA_KEY_LEN],
                                     const uint8_t nonce[LTUYA_GCM_NONCE_LEN], const uint8_t *aad,
                                     size_t aad_len, uint8_t *buf, size_t len,
                                     uint8_t tag[LTUYA_GCM_TAG_LEN])
{
    (void)key, (void)nonce, (void)aad, (void)aad_len, (void)buf, (void)len, (void)tag;
    return LTUYA_ERR_CRYPTO;
}
ltuya_status_t ltuya_aes_gcm_decrypt(const uint8_t key[LTUYA_KEY_LEN],
                                     const uint8_t nonce[LTUYA_GCM_NONCE_LEN], const uint8_t *aad,
                                     size_t aad_len, uint8_t *buf, size_t len,
                                     const uint8_t tag[LTUYA_GCM_TAG_LEN])
{
    (void)key, (void)nonce, (void)aad, (void)aad_len, (void)buf, (void)len, (void)tag;
    return LTUYA_ERR_CRYPTO;
}
ltuya_status_t ltuya_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                                 uint8_t out[LTUYA_SHA256_LEN])
{
    (void)key, (void)key_len, (void)data, (void)len, (void)out;
    return LTUYA_ERR_CRYPTO;
}
ltuya_status_t ltuya_md5(const ltuya_iov_t *parts, size_t n, uint8_t out[LTUYA_MD5_LEN])
{
    (void)parts, (void)n, (void)out;
    return LTUYA_ERR_CRYPTO;
}
void ltuya_zeroize(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}
const char *ltuya_crypto_backend(void)
{
    return "none";
}

/* C library */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
char *strchr(const char *s, int c);

void *memcpy(void *d, const void *s, size_t n)
{
    return memmove(d, s, n);
}
void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *o = d;
    const unsigned char *i = s;
    if (o < i)
        while (n--)
            *o++ = *i++;
    else
        while (n--)
            o[n] = i[n];
    return d;
}
void *memset(void *d, int c, size_t n)
{
    unsigned char *o = d;
    while (n--)
        *o++ = (unsigned char)c;
    return d;
}
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}
size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)(uintptr_t)s;
        if (!*s)
            return NULL;
    }
}
