/*
 * The 3.4 / 3.5 session-key negotiation maths (no framing, no I/O).
 *
 *   client -> SESS_KEY_NEG_START  payload Lc (16 random bytes)
 *   device -> SESS_KEY_NEG_RESP   payload Ld (16) || HMAC-SHA256(local_key, Lc)
 *   client -> SESS_KEY_NEG_FINISH payload HMAC-SHA256(local_key, Ld)
 *   both:  3.4 session key = AES-ECB(local_key, Lc ^ Ld)
 *          3.5 session key = AES-GCM(local_key, nonce = Lc[0..11], no AAD, Lc ^ Ld), tag dropped
 *
 * The frames themselves are built with frame.h using the local key.
 */
#ifndef LTUYA_HANDSHAKE_H
#define LTUYA_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "ltuya/frame.h"
#include "ltuya/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTUYA_HS_NONCE_LEN  16
#define LTUYA_HS_RESP_LEN   (LTUYA_HS_NONCE_LEN + LTUYA_SHA256_LEN) /* 48 */
#define LTUYA_HS_FINISH_LEN LTUYA_SHA256_LEN                        /* 32 */

/* Session key for version 3.4 or 3.5 (else LTUYA_ERR_UNSUPPORTED_VERSION). */
LTUYA_API ltuya_status_t ltuya_hs_session_key(ltuya_version_t v,
                                              const uint8_t local_key[LTUYA_KEY_LEN],
                                              const uint8_t lc[LTUYA_HS_NONCE_LEN],
                                              const uint8_t ld[LTUYA_HS_NONCE_LEN],
                                              uint8_t session_key[LTUYA_KEY_LEN]);

/* Client: check a RESP payload against our nonce and copy out the device
 * nonce. LTUYA_ERR_HANDSHAKE if the payload is not 48 bytes,
 * LTUYA_ERR_WRONG_KEY if the HMAC does not match (constant-time compare). */
LTUYA_API ltuya_status_t ltuya_hs_check_resp(const uint8_t local_key[LTUYA_KEY_LEN],
                                             const uint8_t lc[LTUYA_HS_NONCE_LEN],
                                             const uint8_t *payload, size_t len,
                                             uint8_t ld[LTUYA_HS_NONCE_LEN]);

/* Client: the FINISH payload, HMAC(local_key, Ld). */
LTUYA_API ltuya_status_t ltuya_hs_finish_payload(const uint8_t local_key[LTUYA_KEY_LEN],
                                                 const uint8_t ld[LTUYA_HS_NONCE_LEN],
                                                 uint8_t out[LTUYA_HS_FINISH_LEN]);

/* Device: the RESP payload, Ld || HMAC(local_key, Lc). */
LTUYA_API ltuya_status_t ltuya_hs_resp_payload(const uint8_t local_key[LTUYA_KEY_LEN],
                                               const uint8_t lc[LTUYA_HS_NONCE_LEN],
                                               const uint8_t ld[LTUYA_HS_NONCE_LEN],
                                               uint8_t out[LTUYA_HS_RESP_LEN]);

/* Device: check a FINISH payload. LTUYA_ERR_WRONG_KEY on mismatch. */
LTUYA_API ltuya_status_t ltuya_hs_check_finish(const uint8_t local_key[LTUYA_KEY_LEN],
                                               const uint8_t ld[LTUYA_HS_NONCE_LEN],
                                               const uint8_t *payload, size_t len);

#ifdef __cplusplus
}
#endif

#endif
