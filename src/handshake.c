/* The 3.4 / 3.5 session-key negotiation maths; see handshake.h. */
#include "ltuya/handshake.h"

#include <string.h>

ltuya_status_t ltuya_hs_session_key(ltuya_version_t v, const uint8_t local_key[LTUYA_KEY_LEN],
                                    const uint8_t lc[LTUYA_HS_NONCE_LEN],
                                    const uint8_t ld[LTUYA_HS_NONCE_LEN],
                                    uint8_t session_key[LTUYA_KEY_LEN])
{
    ltuya_status_t st;
    /* Copy the 3.5 nonce first: the XOR below may overwrite lc when the
     * caller derives the key into its own nonce buffer. */
    uint8_t nonce[LTUYA_GCM_NONCE_LEN];
    memcpy(nonce, lc, sizeof nonce);
    for (size_t i = 0; i < LTUYA_KEY_LEN; i++)
        session_key[i] = lc[i] ^ ld[i];
    if (v == LTUYA_V34) {
        st = ltuya_aes_ecb_encrypt(local_key, session_key, LTUYA_KEY_LEN);
#if LTUYA_WITH_V35
    } else if (v == LTUYA_V35) {
        /* The GCM ciphertext of the XOR, nonce = Lc[0..11]; the tag is dropped. */
        uint8_t tag[LTUYA_GCM_TAG_LEN];
        st = ltuya_aes_gcm_encrypt(local_key, nonce, NULL, 0, session_key, LTUYA_KEY_LEN, tag);
        ltuya_zeroize(tag, sizeof tag);
#endif
    } else {
        st = LTUYA_ERR_UNSUPPORTED_VERSION;
    }
    if (st != LTUYA_OK)
        ltuya_zeroize(session_key, LTUYA_KEY_LEN);
    return st;
}

ltuya_status_t ltuya_hs_check_resp(const uint8_t local_key[LTUYA_KEY_LEN],
                                   const uint8_t lc[LTUYA_HS_NONCE_LEN], const uint8_t *payload,
                                   size_t len, uint8_t ld[LTUYA_HS_NONCE_LEN])
{
    uint8_t expect[LTUYA_SHA256_LEN];
    if (len != LTUYA_HS_RESP_LEN)
        return LTUYA_ERR_HANDSHAKE;
    ltuya_status_t st = ltuya_hmac_sha256(local_key, LTUYA_KEY_LEN, lc, LTUYA_HS_NONCE_LEN, expect);
    if (st == LTUYA_OK && !ltuya_ct_equal(expect, payload + LTUYA_HS_NONCE_LEN, sizeof expect))
        st = LTUYA_ERR_WRONG_KEY;
    if (st == LTUYA_OK)
        memcpy(ld, payload, LTUYA_HS_NONCE_LEN);
    ltuya_zeroize(expect, sizeof expect);
    return st;
}

ltuya_status_t ltuya_hs_finish_payload(const uint8_t local_key[LTUYA_KEY_LEN],
                                       const uint8_t ld[LTUYA_HS_NONCE_LEN],
                                       uint8_t out[LTUYA_HS_FINISH_LEN])
{
    return ltuya_hmac_sha256(local_key, LTUYA_KEY_LEN, ld, LTUYA_HS_NONCE_LEN, out);
}

ltuya_status_t ltuya_hs_resp_payload(const uint8_t local_key[LTUYA_KEY_LEN],
                                     const uint8_t lc[LTUYA_HS_NONCE_LEN],
                                     const uint8_t ld[LTUYA_HS_NONCE_LEN],
                                     uint8_t out[LTUYA_HS_RESP_LEN])
{
    memcpy(out, ld, LTUYA_HS_NONCE_LEN);
    return ltuya_hmac_sha256(local_key, LTUYA_KEY_LEN, lc, LTUYA_HS_NONCE_LEN,
                             out + LTUYA_HS_NONCE_LEN);
}

ltuya_status_t ltuya_hs_check_finish(const uint8_t local_key[LTUYA_KEY_LEN],
                                     const uint8_t ld[LTUYA_HS_NONCE_LEN], const uint8_t *payload,
                                     size_t len)
{
    uint8_t expect[LTUYA_HS_FINISH_LEN];
    if (len != LTUYA_HS_FINISH_LEN)
        return LTUYA_ERR_HANDSHAKE;
    ltuya_status_t st = ltuya_hs_finish_payload(local_key, ld, expect);
    if (st == LTUYA_OK && !ltuya_ct_equal(expect, payload, sizeof expect))
        st = LTUYA_ERR_WRONG_KEY;
    ltuya_zeroize(expect, sizeof expect);
    return st;
}
