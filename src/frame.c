/*
 * The frame codec: 55AA (3.1-3.4) and 6699 (3.5). See frame.h for the
 * layouts and docs/protocol.md for where each rule comes from.
 */
#include "ltuya/frame.h"

#include <string.h>

#define TRAILER_CRC  4
#define TRAILER_HMAC LTUYA_SHA256_LEN
#define FOOTER       4
#define RETCODE      4
#define V31_SIG      16 /* md5 hex chars 8..23 */
#define V31_PREFIX   (3 + V31_SIG)
#define GCM_OVERHEAD (LTUYA_GCM_NONCE_LEN + LTUYA_GCM_TAG_LEN)

/* A 3.4 frame (HMAC trailer, encrypted header) only in builds with 3.4:
 * otherwise the test is constant false and the 3.4 paths drop out. */
#define IS_V34(v) (LTUYA_WITH_V34 && (v) == LTUYA_V34)

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- versions and commands ---------------------------------------------- */

bool ltuya_version_supported(ltuya_version_t v)
{
    switch (v) {
    case LTUYA_V31:
        return LTUYA_WITH_V31;
    case LTUYA_V32:
    case LTUYA_V33:
        return true;
    case LTUYA_V34:
        return LTUYA_WITH_V34;
    case LTUYA_V35:
        return LTUYA_WITH_V35;
    default:
        return false;
    }
}

ltuya_status_t ltuya_version_parse(const char *s, ltuya_version_t *out)
{
    if (!s || s[0] != '3')
        return LTUYA_ERR_UNSUPPORTED_VERSION;
    const char *d = s[1] == '.' ? s + 2 : s + 1;
    if (d[0] < '1' || d[0] > '5')
        return LTUYA_ERR_UNSUPPORTED_VERSION;
    /* "3.3" and "33" and "3.30" are fine; "3.35" is not */
    for (const char *p = d + 1; *p; p++)
        if (*p != '0')
            return LTUYA_ERR_UNSUPPORTED_VERSION;
    ltuya_version_t v = (ltuya_version_t)(30 + (d[0] - '0'));
    if (!ltuya_version_supported(v))
        return LTUYA_ERR_UNSUPPORTED_VERSION;
    *out = v;
    return LTUYA_OK;
}

const char *ltuya_version_str(ltuya_version_t v)
{
    switch (v) {
    case LTUYA_V31:
        return "3.1";
    case LTUYA_V32:
        return "3.2";
    case LTUYA_V33:
        return "3.3";
    case LTUYA_V34:
        return "3.4";
    case LTUYA_V35:
        return "3.5";
    default:
        return "?";
    }
}

const char *ltuya_cmd_name(uint32_t cmd)
{
    switch (cmd) {
#define LTUYA_CMD_NAME_(name, val)                                                                 \
    case val:                                                                                      \
        return #name;
        LTUYA_CMD_LIST(LTUYA_CMD_NAME_)
#undef LTUYA_CMD_NAME_
    default:
        return NULL;
    }
}

bool ltuya_cmd_has_version_header(ltuya_version_t v, uint32_t cmd)
{
    if (v == LTUYA_V31)
        return false;
    switch (cmd) {
    case LTUYA_CMD_DP_QUERY:
    case LTUYA_CMD_DP_QUERY_NEW:
    case LTUYA_CMD_UPDATEDPS:
    case LTUYA_CMD_HEART_BEAT:
    case LTUYA_CMD_SESS_KEY_NEG_START:
    case LTUYA_CMD_SESS_KEY_NEG_RESP:
    case LTUYA_CMD_SESS_KEY_NEG_FINISH:
    case LTUYA_CMD_LAN_EXT_STREAM:
        return false;
    default:
        return true;
    }
}

bool ltuya_v31_encrypts(uint32_t cmd, bool from_device)
{
    return from_device ? cmd == LTUYA_CMD_STATUS : cmd == LTUYA_CMD_CONTROL;
}

static bool spec_has_header(const ltuya_frame_spec_t *s)
{
    if (s->version == LTUYA_V31 || (s->plaintext && s->version != LTUYA_V35))
        return false;
    if (s->header == LTUYA_HEADER_ON)
        return true;
    if (s->header == LTUYA_HEADER_OFF)
        return false;
    /* A device's ACK is bare (a 3.5 one is the return code alone), like the
     * 55AA ones, which have no payload bytes at all. */
    if (s->from_device && s->payload_len == 0)
        return false;
    return ltuya_cmd_has_version_header(s->version, s->cmd);
}

static void write_version_header(const ltuya_frame_spec_t *s, uint8_t *p)
{
    unsigned digits = s->header_version ? s->header_version : (unsigned)s->version;
    p[0] = (uint8_t)('0' + digits / 10);
    p[1] = '.';
    p[2] = (uint8_t)('0' + digits % 10);
    if (s->header_tail)
        memcpy(p + 3, s->header_tail, LTUYA_VERSION_HEADER - 3);
    else
        memset(p + 3, 0, LTUYA_VERSION_HEADER - 3);
}

/* ---- encoding ----------------------------------------------------------- */

/* memmove: the caller may build the payload inside the frame buffer itself.
 * An empty payload may come as NULL, which memmove must not see. */
static void copy_payload(uint8_t *dst, const ltuya_frame_spec_t *s)
{
    if (s->payload_len)
        memmove(dst, s->payload, s->payload_len);
}

/* Sent as is: an empty ACK, a 3.2-3.4 plaintext error, an unencrypted 3.1
 * frame. Devices acknowledge with no payload bytes at all on 55AA (28-byte
 * 3.3 ACKs), not with an encrypted empty block; 3.5 still carries the
 * retcode inside the GCM plaintext. */
static bool sent_plain(const ltuya_frame_spec_t *s)
{
    if (s->version == LTUYA_V35)
        return false;
    if (s->version == LTUYA_V31)
        return !s->v31_encrypt;
    return (s->from_device && s->payload_len == 0) || s->plaintext;
}

/* Bytes between the length field's end (or the nonce, on 6699) and the
 * trailer: retcode + payload area, as sent. */
static size_t body_size(const ltuya_frame_spec_t *s)
{
    size_t hdr = spec_has_header(s) ? LTUYA_VERSION_HEADER : 0;
    size_t ret = s->from_device ? RETCODE : 0;
    if (sent_plain(s))
        return ret + s->payload_len;
    /* encrypted; the callers checked the version */
    switch (s->version) {
    case LTUYA_V31:
        return ret + V31_PREFIX + ltuya_base64_encoded_len(ltuya_pkcs7_padded_len(s->payload_len));
    case LTUYA_V32:
    case LTUYA_V33:
        return ret + hdr + ltuya_pkcs7_padded_len(s->payload_len);
    case LTUYA_V34:
        return ret + ltuya_pkcs7_padded_len(hdr + s->payload_len);
    default:                               /* LTUYA_V35 */
        return ret + hdr + s->payload_len; /* GCM: no padding */
    }
}

size_t ltuya_frame_encoded_size(const ltuya_frame_spec_t *s)
{
    if (!s || !ltuya_version_supported(s->version) || (s->payload_len && !s->payload))
        return 0;
    /* the header spells the digits as "3.x": only a protocol version fits */
    if (s->header_version && (s->header_version < LTUYA_V31 || s->header_version > LTUYA_V35))
        return 0;
    size_t body = body_size(s);
    if (s->version == LTUYA_V35)
        return LTUYA_HEADER_6699 + LTUYA_GCM_NONCE_LEN + body + LTUYA_GCM_TAG_LEN + FOOTER;
    return LTUYA_HEADER_55AA + body + (IS_V34(s->version) ? TRAILER_HMAC : TRAILER_CRC) + FOOTER;
}

#if LTUYA_WITH_V31
/* md5hex("data=" + b64 + "||lpv=3.1||" + key)[8..24): the middle 16 hex digits. */
static ltuya_status_t v31_signature(const uint8_t *key, const uint8_t *b64, size_t b64_len,
                                    uint8_t out[V31_SIG])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t md[LTUYA_MD5_LEN];
    ltuya_iov_t parts[4] = {
        {"data=", 5}, {b64, b64_len}, {"||lpv=3.1||", 11}, {key, LTUYA_KEY_LEN}};
    ltuya_status_t st = ltuya_md5(parts, 4, md);
    if (st != LTUYA_OK)
        return st;
    for (size_t i = 0; i < V31_SIG / 2; i++) {
        out[2 * i] = (uint8_t)hex[md[4 + i] >> 4];
        out[2 * i + 1] = (uint8_t)hex[md[4 + i] & 15];
    }
    return LTUYA_OK;
}

/* Where the plaintext goes inside the "3.1" + sig + base64 area at p: at its
 * end, so the ciphertext can be base64-encoded towards the front in place
 * (the encoder writes 4 bytes per 3 it has read, and starting
 * b64_len - ct_len bytes earlier it never overtakes its unread input). */
static uint8_t *v31_plain_at(const ltuya_frame_spec_t *s, uint8_t *p)
{
    size_t ct_len = ltuya_pkcs7_padded_len(s->payload_len);
    return p + V31_PREFIX + (ltuya_base64_encoded_len(ct_len) - ct_len);
}

/* Turn the plaintext already at v31_plain_at() into "3.1" + sig + base64(ECB(json)). */
static ltuya_status_t v31_encrypt(const ltuya_frame_spec_t *s, uint8_t *p, size_t room)
{
    size_t ct_len = ltuya_pkcs7_padded_len(s->payload_len);
    size_t b64_len = ltuya_base64_encoded_len(ct_len);
    uint8_t *b64 = p + V31_PREFIX;
    uint8_t *ct = v31_plain_at(s, p);
    size_t n;
    ltuya_status_t st = ltuya_aes_ecb_encrypt_pkcs7(s->key, ct, s->payload_len, ct_len, &n);
    if (st == LTUYA_OK)
        st = ltuya_base64_encode(ct, ct_len, (char *)b64, room - V31_PREFIX, &n);
    if (st == LTUYA_OK) {
        memcpy(p, "3.1", 3);
        st = v31_signature(s->key, b64, b64_len, p + 3);
    }
    return st;
}
#endif

ltuya_status_t ltuya_frame_encode(const ltuya_frame_spec_t *s, uint8_t *buf, size_t cap,
                                  size_t *out_len)
{
    size_t total = ltuya_frame_encoded_size(s);
    if (total == 0)
        return s && !ltuya_version_supported(s->version) ? LTUYA_ERR_UNSUPPORTED_VERSION
                                                         : LTUYA_ERR_INVALID_ARG;
    bool needs_key = IS_V34(s->version) || s->version == LTUYA_V35 || !sent_plain(s);
    if ((needs_key && !s->key) || (s->version == LTUYA_V35 && !s->nonce))
        return LTUYA_ERR_INVALID_ARG;
    if (total > LTUYA_MAX_FRAME)
        return LTUYA_ERR_FRAME_TOO_LARGE;
    if (cap < total)
        return LTUYA_ERR_BUF_TOO_SMALL;

    /* The payload is moved to its final place before anything else is
     * written, so a caller may build it anywhere inside buf (no second
     * frame-sized buffer on a small MCU); then the fixed fields go around
     * it and it is encrypted in place. */
    bool v35 = s->version == LTUYA_V35;
    size_t hdr = spec_has_header(s) ? LTUYA_VERSION_HEADER : 0;
    size_t ret = s->from_device ? RETCODE : 0;
    size_t body = body_size(s);
    uint8_t *area = buf + (v35 ? LTUYA_HEADER_6699 + LTUYA_GCM_NONCE_LEN : LTUYA_HEADER_55AA);
    uint8_t *data = area + ret; /* after the retcode: header and payload */
    size_t room = body - ret;
    ltuya_status_t st = LTUYA_OK;

#if LTUYA_WITH_V31
    if (s->version == LTUYA_V31 && !sent_plain(s))
        copy_payload(v31_plain_at(s, data), s);
    else
#endif
        copy_payload(data + (sent_plain(s) ? 0 : hdr), s);
    if (s->from_device)
        put32(area, s->retcode);
    if (hdr && !sent_plain(s))
        write_version_header(s, data);

    if (v35) {
#if LTUYA_WITH_V35
        put32(buf, LTUYA_PREFIX_6699);
        buf[4] = buf[5] = 0;
        put32(buf + 6, s->seq);
        put32(buf + 10, s->cmd);
        put32(buf + 14, (uint32_t)(LTUYA_GCM_NONCE_LEN + body + LTUYA_GCM_TAG_LEN));
        memmove(buf + LTUYA_HEADER_6699, s->nonce, LTUYA_GCM_NONCE_LEN);
        /* AAD: the 14 bytes after the prefix (reserved, seq, cmd, length) */
        st = ltuya_aes_gcm_encrypt(s->key, buf + LTUYA_HEADER_6699, buf + 4, 14, area, body,
                                   area + body);
        put32(area + body + LTUYA_GCM_TAG_LEN, LTUYA_SUFFIX_6699);
#endif
    } else {
        size_t trailer = IS_V34(s->version) ? TRAILER_HMAC : TRAILER_CRC;
        size_t n;
        put32(buf, LTUYA_PREFIX_55AA);
        put32(buf + 4, s->seq);
        put32(buf + 8, s->cmd);
        put32(buf + 12, (uint32_t)(body + trailer + FOOTER));
        if (sent_plain(s)) {
            /* already in place */
        } else if (s->version == LTUYA_V31) {
#if LTUYA_WITH_V31
            st = v31_encrypt(s, data, room);
#endif
        } else if (IS_V34(s->version)) {
            /* 3.4: the version header is encrypted with the payload */
            st = ltuya_aes_ecb_encrypt_pkcs7(s->key, data, hdr + s->payload_len, room, &n);
        } else {
            /* 3.2/3.3: the version header stays in clear before the ciphertext */
            st = ltuya_aes_ecb_encrypt_pkcs7(s->key, data + hdr, s->payload_len, room - hdr, &n);
        }
        uint8_t *trail = area + body;
        if (st == LTUYA_OK) {
            if (IS_V34(s->version))
                st = ltuya_hmac_sha256(s->key, LTUYA_KEY_LEN, buf, (size_t)(trail - buf), trail);
            else
                put32(trail, ltuya_crc32(0, buf, (size_t)(trail - buf)));
        }
        put32(trail + trailer, LTUYA_SUFFIX_55AA);
    }
    if (st != LTUYA_OK)
        return st;
    *out_len = total;
    return LTUYA_OK;
}

/* ---- decoding ----------------------------------------------------------- */

ltuya_status_t ltuya_frame_peek(const uint8_t *buf, size_t len, size_t *frame_len)
{
    if (len < 4) {
        /* a partial prefix may still become one; anything else never will */
        static const uint8_t a[3] = {0, 0, 0x55}, b[3] = {0, 0, 0x66};
        return len == 0 || !memcmp(buf, a, len) || !memcmp(buf, b, len) ? LTUYA_NEED_MORE
                                                                        : LTUYA_ERR_BAD_PREFIX;
    }
    uint32_t prefix = get32(buf);
    if (prefix == LTUYA_PREFIX_55AA) {
        if (len < LTUYA_HEADER_55AA)
            return LTUYA_NEED_MORE;
        uint32_t l = get32(buf + 12);
        /* smallest: an empty client frame, CRC + footer */
        if (l < TRAILER_CRC + FOOTER)
            return LTUYA_ERR_BAD_LENGTH;
        if (l > LTUYA_MAX_FRAME - LTUYA_HEADER_55AA)
            return LTUYA_ERR_FRAME_TOO_LARGE;
        *frame_len = LTUYA_HEADER_55AA + l;
        return LTUYA_OK;
    }
    if (prefix == LTUYA_PREFIX_6699) {
        if (len < LTUYA_HEADER_6699)
            return LTUYA_NEED_MORE;
        uint32_t l = get32(buf + 14);
        if (l < GCM_OVERHEAD)
            return LTUYA_ERR_BAD_LENGTH;
        if (l > LTUYA_MAX_FRAME - LTUYA_HEADER_6699 - FOOTER)
            return LTUYA_ERR_FRAME_TOO_LARGE;
        *frame_len = LTUYA_HEADER_6699 + l + FOOTER;
        return LTUYA_OK;
    }
    return LTUYA_ERR_BAD_PREFIX;
}

/* A leading "3.x" + 12-byte block: strip it into out when the rest looks
 * like what follows a header (see the rules in the callers). */
static bool looks_like_header(const uint8_t *p, size_t len)
{
    return len >= LTUYA_VERSION_HEADER && p[0] == '3' && p[1] == '.' && p[2] >= '0' && p[2] <= '9';
}

static void take_header(ltuya_frame_t *out, const uint8_t **p, size_t *len)
{
    memcpy(out->version_header, *p, LTUYA_VERSION_HEADER);
    out->has_version_header = true;
    *p += LTUYA_VERSION_HEADER;
    *len -= LTUYA_VERSION_HEADER;
}

/* Inside-the-ciphertext header (3.4/3.5): strip only when JSON follows or
 * nothing does, so a binary payload that starts with "3.x" stays whole. */
static void strip_inner_header(ltuya_frame_t *out, const uint8_t **p, size_t *len)
{
    if (looks_like_header(*p, *len) &&
        (*len == LTUYA_VERSION_HEADER || (*p)[LTUYA_VERSION_HEADER] == '{'))
        take_header(out, p, len);
}

/* LTUYA_FROM_ANY: does a frame whose payload area starts at p (len bytes)
 * carry a return code? The handshake commands say it outright (RESP comes
 * only from devices, START and FINISH only from clients). Otherwise return
 * codes are small numbers (0 or 1 in practice), so their top three bytes are
 * zero, while a client payload starts with '{', a "3.x" header or
 * ciphertext (all zero in its first three bytes once in 2^24 frames). */
static bool guess_retcode(uint32_t cmd, const uint8_t *p, size_t len)
{
    if (cmd == LTUYA_CMD_SESS_KEY_NEG_RESP)
        return len >= RETCODE;
    if (cmd == LTUYA_CMD_SESS_KEY_NEG_START || cmd == LTUYA_CMD_SESS_KEY_NEG_FINISH)
        return false;
    /* Alone in the frame, a small number in little-endian bytes is one too:
     * TuyaOpen's empty ACK carries 1 as 01 00 00 00 (protocol.md section 7
     * item 0 (b)); no client payload is 4 bytes long. */
    if (len == RETCODE && !p[1] && !p[2] && !p[3])
        return true;
    return len >= RETCODE && !p[0] && !p[1] && !p[2];
}

/* 3.2/3.3: whole blocks that start with '{' are either a plaintext error or
 * ciphertext whose first byte happens to be 0x7b (one frame in 256), so the
 * first byte alone cannot tell. Decrypt: valid padding around text that
 * looks like a payload (JSON, or printable ASCII as some error replies)
 * means ciphertext; otherwise it was plaintext, and encrypting again (ECB is
 * a permutation) puts its bytes back. Returns LTUYA_OK with *len the
 * plaintext length, KEEP_PLAIN for a '{' text left as it was, or the
 * decrypt error. */
#define KEEP_PLAIN LTUYA_NEED_MORE /* never a decrypt result */
static bool looks_like_payload(const uint8_t *p, size_t len)
{
    if (len && p[0] == '{')
        return true;
    for (size_t i = 0; i < len; i++)
        if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return false;
    return true;
}

static ltuya_status_t decrypt_or_keep_plain(const uint8_t *key, uint8_t *buf, size_t *len)
{
    bool brace = buf[0] == '{';
    size_t whole = *len, pt_len = 0;
    ltuya_status_t st = ltuya_aes_ecb_decrypt_pkcs7(key, buf, whole, &pt_len);
    if (!brace || (st == LTUYA_OK && looks_like_payload(buf, pt_len))) {
        if (st == LTUYA_OK)
            *len = pt_len;
        return st;
    }
    if (st != LTUYA_OK && st != LTUYA_ERR_BAD_PADDING)
        return st;
    st = ltuya_aes_ecb_encrypt(key, buf, whole);
    return st == LTUYA_OK ? KEEP_PLAIN : st;
}

/* Should the 4 bytes after the 55AA length be read as a return code? */
static bool has_retcode_55aa(const ltuya_decode_opts_t *o, uint32_t cmd, const uint8_t *body,
                             size_t body_len)
{
    if (o->direction == LTUYA_FROM_DEVICE)
        return body_len >= RETCODE;
    if (o->direction == LTUYA_FROM_CLIENT || !guess_retcode(cmd, body, body_len))
        return false;
    /* 3.4 client payloads are whole ECB blocks: a block-sized body that
     * would leave a ragged remainder is a client's ciphertext (a device's is
     * the return code and whole blocks, or a plaintext error). */
    if (IS_V34(o->version) && cmd != LTUYA_CMD_SESS_KEY_NEG_RESP)
        return body_len % 16 != 0;
    return true;
}

static ltuya_status_t decode_55aa(uint8_t *buf, size_t flen, const ltuya_decode_opts_t *o,
                                  ltuya_frame_t *out)
{
    size_t trailer = IS_V34(o->version) ? TRAILER_HMAC : TRAILER_CRC;
    if (flen < LTUYA_HEADER_55AA + trailer + FOOTER)
        return LTUYA_ERR_BAD_LENGTH;
    if (get32(buf + flen - FOOTER) != LTUYA_SUFFIX_55AA)
        return LTUYA_ERR_BAD_FOOTER;
    uint8_t *trail = buf + flen - FOOTER - trailer;
    size_t covered = (size_t)(trail - buf);
    if (IS_V34(o->version)) {
        uint8_t mac[LTUYA_SHA256_LEN];
        if (!o->key)
            return LTUYA_ERR_INVALID_ARG;
        ltuya_status_t st = ltuya_hmac_sha256(o->key, LTUYA_KEY_LEN, buf, covered, mac);
        if (st != LTUYA_OK)
            return st;
        if (!ltuya_ct_equal(mac, trail, sizeof mac))
            return LTUYA_ERR_BAD_HMAC;
    } else if (ltuya_crc32(0, buf, covered) != get32(trail)) {
        return LTUYA_ERR_BAD_CRC;
    }

    out->seq = get32(buf + 4);
    out->cmd = get32(buf + 8);
    uint8_t *body = buf + LTUYA_HEADER_55AA;
    size_t body_len = covered - LTUYA_HEADER_55AA;
    if (has_retcode_55aa(o, out->cmd, body, body_len)) {
        out->has_retcode = true;
        out->retcode = get32(body);
        body += RETCODE;
        body_len -= RETCODE;
    }
    const uint8_t *p = body;
    size_t len = body_len;
    ltuya_status_t st = LTUYA_OK;

    switch (o->version) {
    case LTUYA_V31:
#if LTUYA_WITH_V31
        if (len >= V31_PREFIX && p[0] == '3' && p[1] == '.' && p[2] == '1') {
            if (!o->key)
                return LTUYA_ERR_INVALID_ARG;
            uint8_t *b64 = body + V31_PREFIX;
            size_t b64_len = len - V31_PREFIX, ct_len = 0, pt_len = 0;
            uint8_t sig[V31_SIG];
            st = v31_signature(o->key, b64, b64_len, sig);
            if (st != LTUYA_OK)
                return st;
            out->v31_signature =
                ltuya_ct_equal(sig, body + 3, V31_SIG) ? LTUYA_SIG_OK : LTUYA_SIG_BAD;
            st = ltuya_base64_decode((const char *)b64, b64_len, b64, b64_len, &ct_len);
            if (st == LTUYA_OK)
                st = ltuya_aes_ecb_decrypt_pkcs7(o->key, b64, ct_len, &pt_len);
            if (st == LTUYA_ERR_INVALID_ARG)
                st = LTUYA_ERR_BAD_PADDING; /* ciphertext not a whole number of blocks */
            p = b64;
            len = pt_len;
            out->encrypted = true;
        }
#endif
        break;
    case LTUYA_V32:
    case LTUYA_V33:
        if (looks_like_header(p, len) && (len - LTUYA_VERSION_HEADER) % 16 == 0)
            take_header(out, &p, &len);
        /* Errors may come back in plaintext even on encrypted versions. */
        if (len == 0 || len % 16 || (p[0] == '{' && !o->key)) {
            out->encrypted = false;
        } else {
            uint8_t *ct = body + (size_t)(p - body);
            if (!o->key)
                return LTUYA_ERR_INVALID_ARG;
            st = decrypt_or_keep_plain(o->key, ct, &len);
            out->encrypted = st != KEEP_PLAIN;
            if (st == KEEP_PLAIN)
                st = LTUYA_OK;
        }
        break;
    default: /* LTUYA_V34 (the key was needed for the HMAC above); 3.5 is never 55AA */
        /* An empty ACK really is empty; an odd length is a plaintext error. */
        if (len != 0 && len % 16 == 0) {
            st = ltuya_aes_ecb_decrypt_pkcs7(o->key, body, len, &len);
            out->encrypted = true;
            if (st == LTUYA_OK)
                strip_inner_header(out, &p, &len);
        }
        break;
    }
    if (st != LTUYA_OK)
        return st;
    out->payload = p;
    out->payload_len = len;
    return LTUYA_OK;
}

#if LTUYA_WITH_V35
static ltuya_status_t decode_6699(uint8_t *buf, size_t flen, const ltuya_decode_opts_t *o,
                                  ltuya_frame_t *out)
{
    if (get32(buf + flen - FOOTER) != LTUYA_SUFFIX_6699)
        return LTUYA_ERR_BAD_FOOTER;
    if (!o->key)
        return LTUYA_ERR_INVALID_ARG;
    uint8_t *nonce = buf + LTUYA_HEADER_6699;
    uint8_t *ct = nonce + LTUYA_GCM_NONCE_LEN;
    size_t ct_len = flen - LTUYA_HEADER_6699 - GCM_OVERHEAD - FOOTER;
    ltuya_status_t st = ltuya_aes_gcm_decrypt(o->key, nonce, buf + 4, 14, ct, ct_len, ct + ct_len);
    if (st != LTUYA_OK)
        return st;
    out->seq = get32(buf + 6);
    out->cmd = get32(buf + 10);
    memcpy(out->nonce, nonce, LTUYA_GCM_NONCE_LEN);
    out->encrypted = true;
    const uint8_t *p = ct;
    size_t len = ct_len;
    /* Device plaintexts start with the return code, except the UDP beacons
     * of some firmware, which are bare JSON. */
    bool ret = false;
    if (o->direction == LTUYA_FROM_DEVICE)
        ret = len >= RETCODE && p[0] != '{';
    else if (o->direction == LTUYA_FROM_ANY)
        ret = guess_retcode(out->cmd, p, len);
    if (ret) {
        out->has_retcode = true;
        out->retcode = get32(p);
        p += RETCODE;
        len -= RETCODE;
    }
    strip_inner_header(out, &p, &len);
    out->payload = p;
    out->payload_len = len;
    return LTUYA_OK;
}
#endif

ltuya_status_t ltuya_frame_decode(uint8_t *buf, size_t len, const ltuya_decode_opts_t *opts,
                                  ltuya_frame_t *out, size_t *consumed)
{
    size_t flen = 0;
    if (!buf || !opts || !out)
        return LTUYA_ERR_INVALID_ARG;
    ltuya_status_t st = ltuya_frame_peek(buf, len, &flen);
    if (st != LTUYA_OK)
        return st;
    if (len < flen)
        return LTUYA_NEED_MORE;
    if (consumed)
        *consumed = flen;
    memset(out, 0, sizeof *out);
    out->version = opts->version;
    if (!ltuya_version_supported(opts->version))
        return LTUYA_ERR_UNSUPPORTED_VERSION;
    bool is_6699 = get32(buf) == LTUYA_PREFIX_6699;
    if (is_6699 != (opts->version == LTUYA_V35))
        return LTUYA_ERR_UNSUPPORTED_VERSION;
#if LTUYA_WITH_V35
    if (is_6699)
        return decode_6699(buf, flen, opts, out);
#endif
    return decode_55aa(buf, flen, opts, out);
}

ltuya_status_t ltuya_frame_decode_whole(uint8_t *buf, size_t len, const ltuya_decode_opts_t *opts,
                                        ltuya_frame_t *out)
{
    ltuya_status_t st = ltuya_frame_decode(buf, len, opts, out, NULL);
    return st == LTUYA_NEED_MORE ? LTUYA_ERR_TRUNCATED : st;
}

/* ---- stream reassembly --------------------------------------------------- */

void ltuya_reasm_init(ltuya_reasm_t *r, uint8_t *buf, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->cap = cap;
}

void ltuya_reasm_reset(ltuya_reasm_t *r)
{
    r->start = r->end = r->pending = 0;
}

/* Release the frame handed out last time and move the rest to the front
 * when that makes room. */
static void reasm_settle(ltuya_reasm_t *r)
{
    r->start += r->pending;
    r->pending = 0;
    if (r->start == r->end) {
        r->start = r->end = 0;
    } else if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
}

uint8_t *ltuya_reasm_space(ltuya_reasm_t *r, size_t *room)
{
    reasm_settle(r);
    *room = r->cap - r->end;
    return r->buf + r->end;
}

void ltuya_reasm_commit(ltuya_reasm_t *r, size_t n)
{
    if (n > r->cap - r->end)
        n = r->cap - r->end;
    r->end += n;
}

void ltuya_reasm_feed(ltuya_reasm_t *r, const uint8_t *data, size_t n, size_t *accepted)
{
    size_t room;
    uint8_t *dst = ltuya_reasm_space(r, &room);
    if (n > room)
        n = room;
    memcpy(dst, data, n);
    r->end += n;
    if (accepted)
        *accepted = n;
}

static bool is_prefix_at(const uint8_t *p, size_t avail)
{
    static const uint8_t a[4] = {0, 0, 0x55, 0xaa}, b[4] = {0, 0, 0x66, 0x99};
    size_t n = avail < 4 ? avail : 4;
    return !memcmp(p, a, n) || !memcmp(p, b, n);
}

/* Drop bytes until a (possible) prefix starts at r->start. */
static void reasm_resync(ltuya_reasm_t *r)
{
    while (r->start < r->end && !is_prefix_at(r->buf + r->start, r->end - r->start)) {
        r->start++;
        r->skipped++;
    }
}

ltuya_status_t ltuya_reasm_next(ltuya_reasm_t *r, uint8_t **frame, size_t *frame_len)
{
    r->start += r->pending;
    r->pending = 0;
    /* After the resync a prefix (or a part of one) starts the data, so the
     * peek cannot say LTUYA_ERR_BAD_PREFIX. */
    reasm_resync(r);
    size_t avail = r->end - r->start, flen = 0;
    ltuya_status_t st = ltuya_frame_peek(r->buf + r->start, avail, &flen);
    if (st == LTUYA_NEED_MORE || (st == LTUYA_OK && flen > avail)) {
        if (st == LTUYA_OK && flen > r->cap)
            st = LTUYA_ERR_FRAME_TOO_LARGE; /* cannot ever fit this buffer */
        else
            return LTUYA_NEED_MORE;
    }
    if (st == LTUYA_OK) {
        *frame = r->buf + r->start;
        *frame_len = flen;
        r->pending = flen;
        return LTUYA_OK;
    }
    /* A bad header: skip its first byte so the next call scans on, and report it once. */
    r->start++;
    r->skipped++;
    return st;
}
