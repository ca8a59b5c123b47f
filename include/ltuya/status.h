/*
 * Status codes shared by every ltuya layer.
 *
 * One X-macro list defines the enum and the strings together so they cannot
 * drift apart. LTUYA_OK is 0, LTUYA_NEED_MORE is the only other non-error
 * status; everything after it is an error.
 */
#ifndef LTUYA_STATUS_H
#define LTUYA_STATUS_H

/* X(name, text) */
#define LTUYA_STATUS_LIST(X)                                                                       \
    X(OK, "ok")                                                                                    \
    X(NEED_MORE, "need more bytes")                                                                \
    /* caller mistakes */                                                                          \
    X(ERR_INVALID_ARG, "invalid argument")                                                         \
    X(ERR_BUF_TOO_SMALL, "buffer too small")                                                       \
    X(ERR_UNSUPPORTED_VERSION, "protocol version not supported by this build")                     \
    X(ERR_BAD_STATE, "call not valid in the current state")                                        \
    X(ERR_BUSY, "a request is already in flight")                                                  \
    /* framing */                                                                                  \
    X(ERR_BAD_PREFIX, "frame does not start with 000055aa or 00006699")                            \
    X(ERR_BAD_LENGTH, "frame length field is impossible")                                          \
    X(ERR_FRAME_TOO_LARGE, "frame larger than LTUYA_MAX_FRAME")                                    \
    X(ERR_BAD_FOOTER, "frame footer missing or wrong")                                             \
    X(ERR_TRUNCATED, "frame truncated")                                                            \
    /* integrity and crypto */                                                                     \
    X(ERR_BAD_CRC, "CRC32 mismatch")                                                               \
    X(ERR_BAD_HMAC, "HMAC-SHA256 mismatch (wrong key or session)")                                 \
    X(ERR_BAD_TAG, "AES-GCM tag mismatch (wrong key or session)")                                  \
    X(ERR_BAD_PADDING, "bad PKCS#7 padding (wrong key?)")                                          \
    X(ERR_BAD_SIGNATURE, "3.1 MD5 signature mismatch")                                             \
    X(ERR_BAD_BASE64, "malformed base64")                                                          \
    X(ERR_CRYPTO, "crypto backend failure")                                                        \
    X(ERR_NO_RANDOM, "no random source installed")                                                 \
    /* payloads */                                                                                 \
    X(ERR_MALFORMED_JSON, "malformed JSON")                                                        \
    X(ERR_JSON_TOO_DEEP, "JSON nested too deeply")                                                 \
    X(ERR_NOT_FOUND, "not found")                                                                  \
    /* sessions and devices */                                                                     \
    X(ERR_WRONG_KEY, "wrong local key")                                                            \
    X(ERR_HANDSHAKE, "handshake failed")                                                           \
    X(ERR_DEVICE, "device returned an error")                                                      \
    X(ERR_UNEXPECTED, "unexpected frame from device")                                              \
    X(ERR_TIMEOUT, "timed out")                                                                    \
    X(ERR_NO_REPLY, "connected, but the device never answered")                                    \
    X(ERR_REJECTED, "device closed the connection after our first frame")                          \
    X(ERR_CONN_LIMIT, "device closes every new connection (client limit)")                         \
    X(ERR_CLOSED, "connection closed by device")                                                   \
    X(ERR_RESET, "connection reset by device")                                                     \
    X(ERR_REFUSED, "connection refused")                                                           \
    X(ERR_UNREACHABLE, "host unreachable")                                                         \
    X(ERR_IO, "I/O error")                                                                         \
    /* typed values (profile.h) */                                                                 \
    X(ERR_OUT_OF_RANGE, "value outside the data point's range")                                    \
    X(ERR_BAD_VALUE, "value not understood for the data point's type")                             \
    X(ERR_CANCELLED, "request cancelled")

typedef enum {
#define LTUYA_STATUS_ENUM_(name, text) LTUYA_##name,
    LTUYA_STATUS_LIST(LTUYA_STATUS_ENUM_)
#undef LTUYA_STATUS_ENUM_
        LTUYA_STATUS_COUNT_
} ltuya_status_t;

/* A short English description; never NULL (unknown values give "unknown status").
 * Built with LTUYA_WITH_STATUS_TEXT=0 (config.h) it returns ltuya_status_name(). */
const char *ltuya_status_str(ltuya_status_t st);

/* The enum name without the LTUYA_ prefix, e.g. "ERR_BAD_CRC"; never NULL. */
const char *ltuya_status_name(ltuya_status_t st);

#endif
