/*
 * The Tuya LAN frame codec: 55AA frames (3.1-3.4) and 6699 frames (3.5).
 *
 * Pure functions: no I/O, no clock, no allocation. Encoding is size-first
 * (ltuya_frame_encoded_size, then ltuya_frame_encode into the caller's
 * buffer). Decoding verifies the trailer (CRC32, HMAC-SHA256 or GCM tag),
 * decrypts in place and returns the payload as a view into the caller's
 * buffer, valid as long as that buffer is.
 *
 * Wire layouts (all integers big-endian; see docs/protocol.md):
 *
 *   55AA: 000055aa seq(4) cmd(4) len(4) [retcode(4)] payload trailer(4|32) 0000aa55
 *         len counts everything after itself, footer included.
 *   6699: 00006699 0000 seq(4) cmd(4) len(4) nonce(12) ciphertext tag(16) 00009966
 *         len = 12 + ciphertext + 16; AAD = the 14 bytes at offsets 4..17.
 *
 * Example (3.3 status query):
 *
 *   ltuya_frame_spec_t s = {0};
 *   s.version = LTUYA_V33; s.key = local_key; s.seq = 1; s.cmd = LTUYA_CMD_DP_QUERY;
 *   s.payload = json; s.payload_len = json_len;
 *   size_t need = ltuya_frame_encoded_size(&s);       // 136 for a 20-char id
 *   uint8_t buf[LTUYA_MAX_FRAME]; size_t n;
 *   ltuya_status_t st = ltuya_frame_encode(&s, buf, sizeof buf, &n);
 */
#ifndef LTUYA_FRAME_H
#define LTUYA_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/config.h"
#include "ltuya/crypto.h"
#include "ltuya/status.h"
#include "ltuya/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Protocol versions; the value is the version times ten. */
typedef enum {
    LTUYA_V31 = 31,
    LTUYA_V32 = 32,
    LTUYA_V33 = 33,
    LTUYA_V34 = 34,
    LTUYA_V35 = 35,
} ltuya_version_t;

/* Parse "3.3" / "33" / "3.30" into *out; LTUYA_ERR_UNSUPPORTED_VERSION otherwise. */
LTUYA_API ltuya_status_t ltuya_version_parse(const char *s, ltuya_version_t *out);
/* "3.1".."3.5", or "?" */
LTUYA_API const char *ltuya_version_str(ltuya_version_t v);
/* true if v is a known version compiled into this build */
LTUYA_API bool ltuya_version_supported(ltuya_version_t v);

/* Command codes ("frame types"). */
#define LTUYA_CMD_LIST(X)                                                                          \
    X(UDP, 0x00)                                                                                   \
    X(AP_CONFIG, 0x01)                                                                             \
    X(ACTIVE, 0x02)                                                                                \
    X(SESS_KEY_NEG_START, 0x03)                                                                    \
    X(SESS_KEY_NEG_RESP, 0x04)                                                                     \
    X(SESS_KEY_NEG_FINISH, 0x05)                                                                   \
    X(UNBIND, 0x06)                                                                                \
    X(CONTROL, 0x07)                                                                               \
    X(STATUS, 0x08)                                                                                \
    X(HEART_BEAT, 0x09)                                                                            \
    X(DP_QUERY, 0x0a)                                                                              \
    X(QUERY_WIFI, 0x0b)                                                                            \
    X(TOKEN_BIND, 0x0c)                                                                            \
    X(CONTROL_NEW, 0x0d)                                                                           \
    X(ENABLE_WIFI, 0x0e)                                                                           \
    X(WIFI_INFO, 0x0f)                                                                             \
    X(DP_QUERY_NEW, 0x10)                                                                          \
    X(SCENE_EXECUTE, 0x11)                                                                         \
    X(UPDATEDPS, 0x12)                                                                             \
    X(UDP_NEW, 0x13)                                                                               \
    X(AP_CONFIG_NEW, 0x14)                                                                         \
    X(BOARDCAST_LPV34, 0x23)                                                                       \
    X(REQ_DEVINFO, 0x25)                                                                           \
    X(LAN_EXT_STREAM, 0x40)

enum {
#define LTUYA_CMD_ENUM_(name, val) LTUYA_CMD_##name = val,
    LTUYA_CMD_LIST(LTUYA_CMD_ENUM_)
#undef LTUYA_CMD_ENUM_
};

/* "DP_QUERY", ... or NULL for a code without a name. */
LTUYA_API const char *ltuya_cmd_name(uint32_t cmd);

/* Frame prefixes and fixed sizes. */
#define LTUYA_PREFIX_55AA    0x000055aaU
#define LTUYA_SUFFIX_55AA    0x0000aa55U
#define LTUYA_PREFIX_6699    0x00006699U
#define LTUYA_SUFFIX_6699    0x00009966U
#define LTUYA_HEADER_55AA    16 /* prefix seq cmd len */
#define LTUYA_HEADER_6699    18 /* prefix reserved seq cmd len */
#define LTUYA_VERSION_HEADER 15 /* "3.x" + crc(4) + seq(4) + source(4) */

/* ---- The 15-byte version header ------------------------------------------ */

/* Whether a client sends the version header on `cmd` for version `v` by
 * default: never on 3.1; on 3.2+ always except DP_QUERY, DP_QUERY_NEW,
 * UPDATEDPS, HEART_BEAT, the handshake (3/4/5) and LAN_EXT_STREAM. */
LTUYA_API bool ltuya_cmd_has_version_header(ltuya_version_t v, uint32_t cmd);

typedef enum {
    LTUYA_HEADER_AUTO = 0, /* follow ltuya_cmd_has_version_header(); none on
                              a device frame without payload (an ACK) */
    LTUYA_HEADER_ON,       /* always add it (firmware that wants it) */
    LTUYA_HEADER_OFF,      /* never add it */
} ltuya_header_mode_t;

/* ---- Encoding ----------------------------------------------------------- */

/* Everything needed to build one frame; valid when zero-initialised apart
 * from version/cmd/key. Pointers are only read during the call. */
typedef struct {
    ltuya_version_t version;
    const uint8_t *key; /* 16 B: local key, session key or UDP key; may be NULL
                           only for 3.1 frames that are sent in plaintext */
    uint32_t seq;
    uint32_t cmd;
    bool from_device;       /* device frames carry a return code */
    uint32_t retcode;       /* only with from_device */
    const uint8_t *payload; /* plaintext (JSON or binary); may be NULL if payload_len is 0 */
    size_t payload_len;
    ltuya_header_mode_t header;
    uint8_t header_version;     /* digits of the "3.x" header; 0 = the frame's version
                                   (tuyapi sends "3.3" to 3.2 devices) */
    const uint8_t *header_tail; /* 12 bytes after "3.x" (crc, seq, source id); NULL = zeros */
    const uint8_t *nonce;       /* 3.5: 12-byte GCM nonce (fresh per frame); required */
    bool plaintext;             /* 3.2-3.4: send the payload unencrypted, as
                                   devices send some error replies
                                   ("data format error"); no header */
    bool v31_encrypt;           /* 3.1: encrypt (base64 + MD5 signature). Clients
                                   set it for CONTROL, devices for STATUS pushes;
                                   ltuya_v31_encrypts() gives the usual rule. */
} ltuya_frame_spec_t;

/* The usual 3.1 rule: CONTROL from a client and STATUS from a device are encrypted. */
LTUYA_API bool ltuya_v31_encrypts(uint32_t cmd, bool from_device);

/* Whole encoded size in bytes, or 0 if the spec is invalid. */
LTUYA_API size_t ltuya_frame_encoded_size(const ltuya_frame_spec_t *spec);

/* Encode into buf[0..cap). LTUYA_ERR_BUF_TOO_SMALL if cap is short (nothing
 * meaningful is left in buf), LTUYA_ERR_FRAME_TOO_LARGE if the frame would
 * exceed LTUYA_MAX_FRAME, LTUYA_ERR_INVALID_ARG for a missing key/nonce. */
LTUYA_API ltuya_status_t ltuya_frame_encode(const ltuya_frame_spec_t *spec, uint8_t *buf,
                                            size_t cap, size_t *out_len);

/* ---- Decoding ----------------------------------------------------------- */

typedef enum {
    LTUYA_FROM_DEVICE = 0, /* replies, pushes, beacons: carry a return code */
    LTUYA_FROM_CLIENT,     /* requests: no return code */
    LTUYA_FROM_ANY,        /* guess, for captures of both directions: a return
                              code is read when the command is
                              SESS_KEY_NEG_RESP, never for START/FINISH, and
                              otherwise when the first three bytes (after the
                              55AA length, or of the 6699 plaintext) are zero,
                              since client payloads start with '{', "3.x" or
                              ciphertext; on 3.4 a block-sized body that
                              would leave a ragged remainder is a client's */
} ltuya_direction_t;

typedef struct {
    ltuya_version_t version;
    const uint8_t *key; /* 16 B; NULL only to read 3.1 plaintext frames */
    ltuya_direction_t direction;
} ltuya_decode_opts_t;

typedef enum {
    LTUYA_SIG_NONE = 0, /* frame carried no 3.1 signature */
    LTUYA_SIG_OK,
    LTUYA_SIG_BAD, /* reported, not fatal: real devices are not strict */
} ltuya_sig_t;

typedef struct {
    ltuya_version_t version; /* version the frame was decoded as */
    uint32_t seq;
    uint32_t cmd;
    bool has_retcode;
    uint32_t retcode;
    bool has_version_header;
    uint8_t version_header[LTUYA_VERSION_HEADER];
    bool encrypted; /* payload was ciphertext (false for plaintext errors, 3.1 queries) */
    ltuya_sig_t v31_signature;
    uint8_t nonce[LTUYA_GCM_NONCE_LEN]; /* 3.5 only */
    const uint8_t *payload;             /* plaintext view into the decoded buffer */
    size_t payload_len;
} ltuya_frame_t;

/* Look at the start of buf: on LTUYA_OK *frame_len is the whole frame size.
 * LTUYA_NEED_MORE if fewer than the header's bytes are present (and those
 * could still start a frame), LTUYA_ERR_BAD_PREFIX, LTUYA_ERR_BAD_LENGTH
 * (length under the format's minimum) or LTUYA_ERR_FRAME_TOO_LARGE (over
 * LTUYA_MAX_FRAME) otherwise. */
LTUYA_API ltuya_status_t ltuya_frame_peek(const uint8_t *buf, size_t len, size_t *frame_len);

/* Decode the frame at the start of buf[0..len), decrypting in place (so the
 * frame's bytes are modified). On LTUYA_OK *consumed is the frame's size and
 * out describes it. LTUYA_NEED_MORE if the frame is not complete yet; the
 * errors of ltuya_frame_peek; LTUYA_ERR_BAD_FOOTER, LTUYA_ERR_BAD_CRC,
 * LTUYA_ERR_BAD_HMAC, LTUYA_ERR_BAD_TAG, LTUYA_ERR_BAD_PADDING,
 * LTUYA_ERR_BAD_BASE64; LTUYA_ERR_UNSUPPORTED_VERSION if the prefix does not
 * fit opts->version (6699 is 3.5 only); LTUYA_ERR_INVALID_ARG when opts has no
 * key and the frame needs one. On errors after the frame was delimited,
 * *consumed still says how long it was, so a stream can skip it. */
LTUYA_API ltuya_status_t ltuya_frame_decode(uint8_t *buf, size_t len,
                                            const ltuya_decode_opts_t *opts, ltuya_frame_t *out,
                                            size_t *consumed);

/* Same for a datagram or a capture that must hold exactly one whole frame:
 * an incomplete frame is LTUYA_ERR_TRUNCATED, extra bytes after it are ignored. */
LTUYA_API ltuya_status_t ltuya_frame_decode_whole(uint8_t *buf, size_t len,
                                                  const ltuya_decode_opts_t *opts,
                                                  ltuya_frame_t *out);

/* ---- Stream reassembly --------------------------------------------------- */

/* Turns a TCP byte stream into whole frames. The buffer belongs to the caller
 * and should hold at least LTUYA_MAX_FRAME bytes. Garbage before a prefix is
 * skipped (and counted); a frame declaring more than LTUYA_MAX_FRAME is
 * reported once and skipped without reading its body. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t start;   /* first unconsumed byte */
    size_t end;     /* one past the last byte received */
    size_t skipped; /* garbage bytes discarded so far */
    size_t pending; /* size of the frame returned by the last _next, consumed on the next call */
} ltuya_reasm_t;

LTUYA_API void ltuya_reasm_init(ltuya_reasm_t *r, uint8_t *buf, size_t cap);

/* Copy n bytes in; *accepted says how many fit (the rest must be fed again
 * after frames were taken out). */
LTUYA_API void ltuya_reasm_feed(ltuya_reasm_t *r, const uint8_t *data, size_t n, size_t *accepted);

/* Zero-copy alternative to feed: read straight into the space this returns,
 * then commit the number of bytes actually written. */
LTUYA_API uint8_t *ltuya_reasm_space(ltuya_reasm_t *r, size_t *room);
LTUYA_API void ltuya_reasm_commit(ltuya_reasm_t *r, size_t n);

/* Take the next whole frame: LTUYA_OK with (*frame, *frame_len) pointing into
 * the buffer (valid until the next call to any ltuya_reasm_ function; it may
 * be decoded in place), LTUYA_NEED_MORE when none is complete, or
 * LTUYA_ERR_FRAME_TOO_LARGE / LTUYA_ERR_BAD_LENGTH once per bad header (it is
 * skipped and the next call continues). */
LTUYA_API ltuya_status_t ltuya_reasm_next(ltuya_reasm_t *r, uint8_t **frame, size_t *frame_len);

/* Drop everything (after a reconnect). */
LTUYA_API void ltuya_reasm_reset(ltuya_reasm_t *r);

#ifdef __cplusplus
}
#endif

#endif
