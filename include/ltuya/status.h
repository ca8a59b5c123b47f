/*
 * Status codes shared by every ltuya layer.
 *
 * One X-macro list defines the enum and the strings together so they cannot
 * drift apart. LTUYA_OK is 0, LTUYA_NEED_MORE is the only other non-error
 * status; everything after it is an error.
 *
 * The numbers are part of the ABI (docs/abi.md): a program may store or send
 * them, and a shared library of a later version must mean the same thing by
 * each. So every code carries its number explicitly; a code is never
 * renumbered or reused, and new codes take the next free number at the end of
 * the list (keep it in ascending order: LTUYA_STATUS_COUNT_ is one past the
 * last). A duplicate number fails to compile (the switch in status.c).
 */
#ifndef LTUYA_STATUS_H
#define LTUYA_STATUS_H

#include "ltuya/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, text) */
#define LTUYA_STATUS_LIST(X)                                                                       \
    X(OK, 0, "ok")                                                                                 \
    X(NEED_MORE, 1, "need more bytes")                                                             \
    /* caller mistakes */                                                                          \
    X(ERR_INVALID_ARG, 2, "invalid argument")                                                      \
    X(ERR_BUF_TOO_SMALL, 3, "buffer too small")                                                    \
    X(ERR_UNSUPPORTED_VERSION, 4, "protocol version not supported by this build")                  \
    X(ERR_BAD_STATE, 5, "call not valid in the current state")                                     \
    X(ERR_BUSY, 6, "a request is already in flight")                                               \
    /* framing */                                                                                  \
    X(ERR_BAD_PREFIX, 7, "frame does not start with 000055aa or 00006699")                         \
    X(ERR_BAD_LENGTH, 8, "frame length field is impossible")                                       \
    X(ERR_FRAME_TOO_LARGE, 9, "frame larger than LTUYA_MAX_FRAME")                                 \
    X(ERR_BAD_FOOTER, 10, "frame footer missing or wrong")                                         \
    X(ERR_TRUNCATED, 11, "frame truncated")                                                        \
    /* integrity and crypto */                                                                     \
    X(ERR_BAD_CRC, 12, "CRC32 mismatch")                                                           \
    X(ERR_BAD_HMAC, 13, "HMAC-SHA256 mismatch (wrong key or session)")                             \
    X(ERR_BAD_TAG, 14, "AES-GCM tag mismatch (wrong key or session)")                              \
    X(ERR_BAD_PADDING, 15, "bad PKCS#7 padding (wrong key?)")                                      \
    X(ERR_BAD_SIGNATURE, 16, "3.1 MD5 signature mismatch")                                         \
    X(ERR_BAD_BASE64, 17, "malformed base64")                                                      \
    X(ERR_CRYPTO, 18, "crypto backend failure")                                                    \
    X(ERR_NO_RANDOM, 19, "no random source installed")                                             \
    /* payloads */                                                                                 \
    X(ERR_MALFORMED_JSON, 20, "malformed JSON")                                                    \
    X(ERR_JSON_TOO_DEEP, 21, "JSON nested too deeply")                                             \
    X(ERR_NOT_FOUND, 22, "not found")                                                              \
    /* sessions and devices */                                                                     \
    X(ERR_WRONG_KEY, 23, "wrong local key")                                                        \
    X(ERR_HANDSHAKE, 24, "handshake failed")                                                       \
    X(ERR_DEVICE, 25, "device returned an error")                                                  \
    X(ERR_UNEXPECTED, 26, "unexpected frame from device")                                          \
    X(ERR_TIMEOUT, 27, "timed out")                                                                \
    X(ERR_NO_REPLY, 28, "connected, but the device never answered")                                \
    X(ERR_REJECTED, 29, "device closed the connection after our first frame")                      \
    X(ERR_CONN_LIMIT, 30, "device closes every new connection (client limit)")                     \
    X(ERR_CLOSED, 31, "connection closed by device")                                               \
    X(ERR_RESET, 32, "connection reset by device")                                                 \
    X(ERR_REFUSED, 33, "connection refused")                                                       \
    X(ERR_UNREACHABLE, 34, "host unreachable")                                                     \
    X(ERR_IO, 35, "I/O error")                                                                     \
    /* the build */                                                                                \
    X(ERR_CONFIG_MISMATCH, 36, "application and library built with different config.h limits")     \
    /* typed values (profile.h) */                                                                 \
    X(ERR_OUT_OF_RANGE, 37, "value outside the data point's range")                                \
    X(ERR_BAD_VALUE, 38, "value not understood for the data point's type")                         \
    /* the engine */                                                                               \
    X(ERR_CANCELLED, 39, "request cancelled")

typedef enum {
#define LTUYA_STATUS_ENUM_(name, value, text) LTUYA_##name = value,
    LTUYA_STATUS_LIST(LTUYA_STATUS_ENUM_)
#undef LTUYA_STATUS_ENUM_
        LTUYA_STATUS_COUNT_
} ltuya_status_t;

/* A short English description; never NULL (unknown values give "unknown status").
 * Built with LTUYA_WITH_STATUS_TEXT=0 (config.h) it returns ltuya_status_name(). */
LTUYA_API const char *ltuya_status_str(ltuya_status_t st);

/* The enum name without the LTUYA_ prefix, e.g. "ERR_BAD_CRC"; never NULL. */
LTUYA_API const char *ltuya_status_name(ltuya_status_t st);

#ifdef __cplusplus
}
#endif

#endif
