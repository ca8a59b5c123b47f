/*
 * ltuya's crypto interface (include/ltuya/crypto.h) for the native module:
 * the firmware's own cryptolib (AES-128-ECB) and hashlib (SHA-256, MD5)
 * where it has them, so the .mpy carries no copy; AES-GCM (3.5) from
 * mbedTLS compiled in (MicroPython's lib/mbedtls, mbedtls_config_natmod.h),
 * since cryptolib has no GCM.
 *
 * ECB reuses its cipher objects while the key stays the same (below); a
 * hash makes a few short-lived objects (the hash object, views over the C
 * buffers, the digest). The user C module's mbedTLS backend allocates
 * nothing.
 */
#include <string.h>

#include "mltuya_compat.h"

#include "py/objarray.h"

#include "mbedtls/gcm.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/version.h"

#include "ltuya/crypto.h"

static mp_obj_t import(qstr name)
{
    return mp_import_name(name, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
}

/* A bytearray over C memory: no copy, the object only. */
static mp_obj_t view(const void *p, size_t len)
{
    return mp_obj_new_bytearray_by_ref(len, (void *)p);
}

/* ---- AES-128-ECB: cryptolib.aes(key, 1) --------------------------------- */

/* The module's globals (set at import), where the ECB cache lives so that
 * the collector sees it: [key bytes, encrypting aes, decrypting aes, a
 * bytearray view that is re-pointed at each buffer]. A session uses one key
 * at a time, so after the first frame ECB makes no object at all. Not
 * static: a native module's zero-initialised data must be global. */
mp_obj_dict_t *mltuya_natmod_globals;
mp_obj_t mltuya_ecb_cache;

enum { CACHE_KEY, CACHE_ENC, CACHE_DEC, CACHE_VIEW, CACHE_LEN };

typedef struct {
    const uint8_t *key;
    uint8_t *buf;
    size_t len;
    bool encrypt;
} ecb_op_t;

static mp_obj_t *cache_items(void)
{
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(mltuya_ecb_cache, &n, &items);
    return items;
}

static void call_ecb(void *arg)
{
    ecb_op_t *op = arg;
    if (mltuya_ecb_cache == MP_OBJ_NULL) {
        mp_obj_t init[CACHE_LEN] = {mp_const_none, mp_const_none, mp_const_none,
                                    mp_obj_new_bytearray_by_ref(0, NULL)};
        mltuya_ecb_cache = mp_obj_new_list(CACHE_LEN, init);
        mp_obj_dict_store(MP_OBJ_FROM_PTR(mltuya_natmod_globals),
                          MP_OBJ_NEW_QSTR(MP_QSTR__ecb_cache), mltuya_ecb_cache);
    }
    mp_obj_t *c = cache_items();
    size_t klen = 0;
    const char *k = c[CACHE_KEY] == mp_const_none ? NULL : mp_obj_str_get_data(c[CACHE_KEY], &klen);
    if (!k || klen != LTUYA_KEY_LEN || memcmp(k, op->key, LTUYA_KEY_LEN) != 0) {
        c[CACHE_KEY] = mp_obj_new_bytes(op->key, LTUYA_KEY_LEN);
        c[CACHE_ENC] = mp_const_none;
        c[CACHE_DEC] = mp_const_none;
    }
    int which = op->encrypt ? CACHE_ENC : CACHE_DEC;
    if (c[which] == mp_const_none) {
        mp_obj_t args[2] = {c[CACHE_KEY], MP_OBJ_NEW_SMALL_INT(1)}; /* MODE_ECB */
        c[which] = mltuya_call_method(import(MP_QSTR_cryptolib), MP_QSTR_aes, 2, args);
    }
    /* the view: a by-reference bytearray, pointed at this buffer */
    mp_obj_array_t *v = MP_OBJ_TO_PTR(c[CACHE_VIEW]);
    v->items = op->buf;
    v->len = op->len;
    mp_obj_t io[2] = {c[CACHE_VIEW], c[CACHE_VIEW]}; /* in place */
    mltuya_call_method(c[which], op->encrypt ? MP_QSTR_encrypt : MP_QSTR_decrypt, 2, io);
    v->items = NULL;
    v->len = 0;
}

static ltuya_status_t ecb(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len, bool encrypt)
{
    if (len % LTUYA_AES_BLOCK)
        return LTUYA_ERR_INVALID_ARG;
    if (len == 0)
        return LTUYA_OK;
    ecb_op_t op = {key, buf, len, encrypt};
    mp_obj_t exc = mltuya_protect(call_ecb, &op);
    if (exc != MP_OBJ_NULL && mltuya_ecb_cache != MP_OBJ_NULL) {
        mp_obj_array_t *v = MP_OBJ_TO_PTR(cache_items()[CACHE_VIEW]);
        v->items = NULL; /* never left pointing at the caller's buffer */
        v->len = 0;
    }
    return exc == MP_OBJ_NULL ? LTUYA_OK : LTUYA_ERR_CRYPTO;
}

ltuya_status_t ltuya_aes_ecb_encrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    return ecb(key, buf, len, true);
}

ltuya_status_t ltuya_aes_ecb_decrypt(const uint8_t key[LTUYA_KEY_LEN], uint8_t *buf, size_t len)
{
    return ecb(key, buf, len, false);
}

/* ---- hashes: hashlib.sha256 / hashlib.md5 -------------------------------- */

typedef struct {
    qstr algo;
    const ltuya_iov_t *parts;
    size_t n;
    uint8_t *out;
    size_t out_len;
} hash_op_t;

static void call_hash(void *arg)
{
    hash_op_t *op = arg;
    mp_obj_t h = mltuya_call_method(import(MP_QSTR_hashlib), op->algo, 0, NULL);
    for (size_t i = 0; i < op->n; i++) {
        if (op->parts[i].len == 0)
            continue;
        mp_obj_t v = view(op->parts[i].ptr, op->parts[i].len);
        mltuya_call_method(h, MP_QSTR_update, 1, &v);
    }
    mp_obj_t d = mltuya_call_method(h, MP_QSTR_digest, 0, NULL);
    size_t len;
    const char *p = mp_obj_str_get_data(d, &len);
    if (len != op->out_len)
        mp_raise_ValueError(MP_ERROR_TEXT("digest"));
    memcpy(op->out, p, len);
}

static ltuya_status_t hash(qstr algo, const ltuya_iov_t *parts, size_t n, uint8_t *out,
                           size_t out_len)
{
    hash_op_t op = {algo, parts, n, out, out_len};
    return mltuya_protect(call_hash, &op) == MP_OBJ_NULL ? LTUYA_OK : LTUYA_ERR_CRYPTO;
}

/* HMAC (RFC 2104) around the firmware's SHA-256. */
ltuya_status_t ltuya_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                                 uint8_t out[LTUYA_SHA256_LEN])
{
    uint8_t k[64] = {0}, pad[64];
    ltuya_status_t st = LTUYA_OK;
    if (key_len > sizeof k) {
        ltuya_iov_t whole = {key, key_len};
        st = hash(MP_QSTR_sha256, &whole, 1, k, LTUYA_SHA256_LEN);
    } else {
        memcpy(k, key, key_len);
    }
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = k[i] ^ 0x36;
    ltuya_iov_t inner[2] = {{pad, sizeof pad}, {data, len}};
    if (st == LTUYA_OK)
        st = hash(MP_QSTR_sha256, inner, 2, out, LTUYA_SHA256_LEN);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = k[i] ^ 0x5c;
    ltuya_iov_t outer[2] = {{pad, sizeof pad}, {out, LTUYA_SHA256_LEN}};
    if (st == LTUYA_OK)
        st = hash(MP_QSTR_sha256, outer, 2, out, LTUYA_SHA256_LEN);
    ltuya_zeroize(k, sizeof k);
    ltuya_zeroize(pad, sizeof pad);
    return st;
}

/* 3.1 signatures: hashlib.md5, which not every firmware has (then 3.1 fails
 * with LTUYA_ERR_CRYPTO; 3.2 to 3.5 do not need it). */
ltuya_status_t ltuya_md5(const ltuya_iov_t *parts, size_t n, uint8_t out[LTUYA_MD5_LEN])
{
    return hash(MP_QSTR_md5, parts, n, out, LTUYA_MD5_LEN);
}

/* ---- AES-128-GCM: mbedTLS, compiled in ----------------------------------- */

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

void ltuya_zeroize(void *p, size_t n)
{
    mbedtls_platform_zeroize(p, n);
}

const char *ltuya_crypto_backend(void)
{
    return "micropython cryptolib+hashlib, mbedtls " MBEDTLS_VERSION_STRING " gcm";
}
