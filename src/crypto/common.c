/*
 * Backend-independent crypto helpers: CRC-32, base64, PKCS#7, the
 * constant-time compare and the random-bytes hook. None of these is a
 * cipher; the ciphers and hashes live in the backend files.
 */
#include <stdbool.h>
#include <string.h>

#include "ltuya/crypto.h"

/* ---- CRC-32 (IEEE 802.3, reflected 0xEDB88320) ---------------------------- */

static uint32_t crc_table[256];
static int crc_table_ready;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    crc_table_ready = 1;
}

uint32_t ltuya_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (!crc_table_ready)
        crc_init(); /* idempotent: a race only computes the same table twice */
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- base64 --------------------------------------------------------------- */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

ltuya_status_t ltuya_base64_encode(const uint8_t *src, size_t len, char *dst, size_t cap,
                                   size_t *out_len)
{
    size_t need = ltuya_base64_encoded_len(len);
    if (cap < need)
        return LTUYA_ERR_BUF_TOO_SMALL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)src[i + 1] << 8;
        if (i + 2 < len)
            v |= src[i + 2];
        dst[o++] = b64_alphabet[v >> 18 & 63];
        dst[o++] = b64_alphabet[v >> 12 & 63];
        dst[o++] = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
        dst[o++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
    }
    *out_len = o;
    return LTUYA_OK;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

ltuya_status_t ltuya_base64_decode(const char *src, size_t len, uint8_t *dst, size_t cap,
                                   size_t *out_len)
{
    if (len % 4)
        return LTUYA_ERR_BAD_BASE64;
    size_t pad = 0;
    if (len && src[len - 1] == '=')
        pad++;
    if (len > 1 && src[len - 2] == '=')
        pad++;
    size_t need = len / 4 * 3 - pad;
    if (cap < need)
        return LTUYA_ERR_BUF_TOO_SMALL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        int v[4];
        for (int k = 0; k < 4; k++) {
            char c = src[i + (size_t)k];
            if (c == '=' && last && k >= 4 - (int)pad) {
                v[k] = 0;
                continue;
            }
            v[k] = b64_value(c);
            if (v[k] < 0)
                return LTUYA_ERR_BAD_BASE64;
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        /* Reading 4 chars then writing at most 3 bytes keeps the output
         * behind the input, so dst == src is safe. */
        dst[o++] = (uint8_t)(w >> 16);
        if (!last || pad < 2)
            dst[o++] = (uint8_t)(w >> 8);
        if (!last || pad < 1)
            dst[o++] = (uint8_t)w;
        /* Bits hidden under padding must be zero (canonical encoding). */
        if (last && ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff))))
            return LTUYA_ERR_BAD_BASE64;
    }
    *out_len = o;
    return LTUYA_OK;
}

/* ---- PKCS#7 over the backend's raw ECB ---------------------------------- */

ltuya_status_t ltuya_pkcs7_unpad(const uint8_t *buf, size_t len, size_t *out_len)
{
    if (len == 0 || len % LTUYA_AES_BLOCK)
        return LTUYA_ERR_BAD_PADDING;
    uint8_t pad = buf[len - 1];
    if (pad == 0 || pad > LTUYA_AES_BLOCK)
        return LTUYA_ERR_BAD_PADDING;
    uint8_t diff = 0;
    for (size_t i = len - pad; i < len; i++)
        diff |= (uint8_t)(buf[i] ^ pad);
    if (diff)
        return LTUYA_ERR_BAD_PADDING;
    *out_len = len - pad;
    return LTUYA_OK;
}

ltuya_status_t ltuya_aes_ecb_encrypt_pkcs7(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf,
                                           size_t len, size_t cap, size_t *out_len)
{
    size_t padded = ltuya_pkcs7_padded_len(len);
    if (cap < padded)
        return LTUYA_ERR_BUF_TOO_SMALL;
    memset(buf + len, (int)(padded - len), padded - len);
    ltuya_status_t st = ltuya_aes_ecb_encrypt(key, buf, padded);
    if (st == LTUYA_OK)
        *out_len = padded;
    return st;
}

ltuya_status_t ltuya_aes_ecb_decrypt_pkcs7(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf,
                                           size_t len, size_t *out_len)
{
    if (len == 0 || len % LTUYA_AES_BLOCK)
        return LTUYA_ERR_INVALID_ARG;
    ltuya_status_t st = ltuya_aes_ecb_decrypt(key, buf, len);
    if (st != LTUYA_OK)
        return st;
    return ltuya_pkcs7_unpad(buf, len, out_len);
}

/* ---- compare, random -------------------------------------------------------- */

int ltuya_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (uint8_t)(x[i] ^ y[i]);
    return diff == 0;
}

static ltuya_random_fn random_fn;
static void *random_ctx;

void ltuya_random_set_hook(ltuya_random_fn fn, void *ctx)
{
    random_fn = fn;
    random_ctx = ctx;
}

ltuya_status_t ltuya_random(uint8_t *buf, size_t n)
{
    if (!random_fn || random_fn(random_ctx, buf, n) != 0)
        return LTUYA_ERR_NO_RANDOM;
    return LTUYA_OK;
}
