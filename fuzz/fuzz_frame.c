/*
 * Fuzz target: the frame codec (ltuya_frame_peek / _decode / _decode_whole,
 * and _encode for the round trip).
 *
 * Input: byte 0 picks the version (mod 5) and the direction (/5 mod 3),
 * byte 1 the mode (mod 3) and whether a key is given (bit 7):
 *   0  the rest is a byte stream, decoded frame after frame as a TCP
 *      reader would (skipping what a failed frame consumed);
 *   1  the rest is one datagram for ltuya_frame_decode_whole();
 *   2  the rest describes a frame (cmd, seq, retcode, flags, payload) that is
 *      encoded with the known key and decoded again: a JSON-like payload
 *      must come back unchanged. Then one byte chosen by the input is
 *      flipped and the damaged frame is decoded (errors are fine, crashes
 *      and bad views are not).
 */
#include "fuzz_common.h"
#include "ltuya/frame.h"

static const ltuya_version_t versions[5] = {LTUYA_V31, LTUYA_V32, LTUYA_V33, LTUYA_V34, LTUYA_V35};

/* A decoded frame's views must lie inside the buffer it was decoded from. */
static void check_frame(const ltuya_frame_t *f, const uint8_t *buf, size_t len)
{
    if (f->payload_len) {
        FZ_CHECK(f->payload >= buf && f->payload + f->payload_len <= buf + len);
        fz_touch(f->payload, f->payload_len);
    }
}

static void decode_stream(uint8_t *buf, size_t len, const ltuya_decode_opts_t *o)
{
    size_t off = 0;
    while (off < len) {
        ltuya_frame_t f;
        size_t used = 0, peek_len = 0;
        ltuya_status_t pst = ltuya_frame_peek(buf + off, len - off, &peek_len);
        ltuya_status_t st = ltuya_frame_decode(buf + off, len - off, o, &f, &used);
        if (st == LTUYA_NEED_MORE)
            break;
        if (st == LTUYA_OK) {
            FZ_CHECK(pst == LTUYA_OK && used == peek_len && used <= len - off);
            check_frame(&f, buf + off, used);
            off += used;
        } else if (pst == LTUYA_OK && used) {
            FZ_CHECK(used == peek_len);
            off += used; /* delimited but bad: skip the whole frame */
        } else {
            off++; /* bad header: resynchronise byte by byte */
        }
    }
}

static void roundtrip(fz_in_t *in, ltuya_version_t v, bool from_device)
{
    static uint8_t frame[LTUYA_MAX_FRAME + 64];
    static const uint8_t header_versions[6] = {0, 31, 32, 33, 34, 35};
    uint8_t nonce[LTUYA_GCM_NONCE_LEN] = {0};
    uint8_t tail[12] = {0};
    ltuya_frame_spec_t s = {0};
    uint8_t flags = fz_u8(in);
    s.version = v;
    s.key = fz_key;
    s.from_device = from_device;
    s.cmd = flags & 0x80 ? fz_u32(in) : fz_u8(in) % 0x41;
    s.seq = fz_u32(in);
    s.retcode = fz_u8(in); /* small, as real return codes are */
    s.header = (ltuya_header_mode_t)(flags % 3);
    s.plaintext = flags & 0x04;
    s.v31_encrypt = flags & 0x08;
    s.header_version = header_versions[(flags >> 4) % 6];
    if (flags & 0x40)
        s.header_tail = tail;
    nonce[0] = fz_u8(in);
    s.nonce = nonce;
    size_t flip = fz_u16(in);
    uint8_t flip_mask = fz_u8(in);
    const uint8_t *payload;
    s.payload_len = fz_bytes(in, LTUYA_MAX_FRAME, &payload);
    s.payload = payload;

    size_t need = ltuya_frame_encoded_size(&s), n = 0;
    ltuya_status_t st = ltuya_frame_encode(&s, frame, sizeof frame, &n);
    if (st != LTUYA_OK) {
        FZ_CHECK(st == LTUYA_ERR_FRAME_TOO_LARGE || need == 0);
        return;
    }
    FZ_CHECK(n == need && n <= LTUYA_MAX_FRAME);

    ltuya_decode_opts_t o = {v, fz_key, from_device ? LTUYA_FROM_DEVICE : LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    uint8_t *copy = malloc(n);
    if (!copy)
        return;
    memcpy(copy, frame, n);
    st = ltuya_frame_decode_whole(copy, n, &o, &f);
    /* Frames sent in clear are told from ciphertext by their look: 3.4 by
     * the length alone, 3.2/3.3 by length, a leading '{' and whether whole
     * blocks decrypt to text (or a "3.x" header), 3.1 by a leading "3.1".
     * Clear payloads that could be either are not expected back. */
    size_t len = s.payload_len;
    bool header_like = len >= 15 && payload[0] == '3' && payload[1] == '.' && payload[2] >= '0' &&
                       payload[2] <= '9';
    bool ambiguous = false;
    if (s.plaintext && v == LTUYA_V34)
        ambiguous = len % 16 == 0 && len;
    else if (s.plaintext && (v == LTUYA_V32 || v == LTUYA_V33))
        ambiguous = len && (len % 16 == 0 || header_like); /* may decrypt to text */
    else if (v == LTUYA_V31 && !s.v31_encrypt)
        ambiguous = len >= 19 && !memcmp(payload, "3.1", 3);
    if (!ambiguous) {
        FZ_CHECK(st == LTUYA_OK);
        FZ_CHECK(f.cmd == s.cmd && f.seq == s.seq);
        FZ_CHECK(f.has_retcode == from_device);
        if (from_device)
            FZ_CHECK(f.retcode == s.retcode);
        /* Payloads that look like what devices send (JSON, or nothing) come
         * back exactly; binary ones may be mistaken for a version header. */
        if (s.payload_len == 0 || payload[0] == '{') {
            FZ_CHECK(f.payload_len == s.payload_len);
            FZ_CHECK(!s.payload_len || !memcmp(f.payload, payload, s.payload_len));
        }
    }
    if (st == LTUYA_OK)
        check_frame(&f, copy, n);

    /* The same frame with one byte damaged. */
    memcpy(copy, frame, n);
    copy[flip % n] ^= flip_mask ? flip_mask : 1;
    if (ltuya_frame_decode_whole(copy, n, &o, &f) == LTUYA_OK)
        check_frame(&f, copy, n);
    o.direction = LTUYA_FROM_ANY;
    memcpy(copy, frame, n);
    if (ltuya_frame_decode_whole(copy, n, &o, &f) == LTUYA_OK)
        check_frame(&f, copy, n);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    uint8_t b0 = fz_u8(&in), b1 = fz_u8(&in);
    ltuya_version_t v = versions[b0 % 5];
    ltuya_direction_t dir = (ltuya_direction_t)(b0 / 5 % 3);
    ltuya_decode_opts_t o = {v, b1 & 0x80 ? NULL : fz_key, dir};
    fz_random_reset(b0);

    switch (b1 % 3) {
    case 0:
    case 1: {
        /* an exact-size heap copy (decoding writes in place), so ASan
         * reports any read past the input */
        size_t n = in.n;
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf)
            return 0;
        memcpy(buf, in.p, n);
        if (b1 % 3 == 0) {
            decode_stream(buf, n, &o);
        } else {
            ltuya_frame_t f;
            if (ltuya_frame_decode_whole(buf, n, &o, &f) == LTUYA_OK)
                check_frame(&f, buf, n);
        }
        free(buf);
        break;
    }
    default:
        roundtrip(&in, v, dir == LTUYA_FROM_DEVICE);
        break;
    }
    return 0;
}
