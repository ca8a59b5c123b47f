/*
 * Fuzz target: the stream reassembler (ltuya_reasm_*).
 *
 * Input: byte 0 picks the buffer size (bit 7 set: a small buffer of
 * 32 + 8*byte1 bytes, so frames can be larger than it; else LTUYA_MAX_FRAME
 * plus up to 127), byte 2 the number of chunk sizes that follow (one byte
 * each, cycled), and the rest is the TCP byte stream. It is fed in those
 * chunks, alternating ltuya_reasm_feed() and ltuya_reasm_space()/_commit()
 * when a chunk size is odd, taking every frame out after each chunk.
 *
 * Invariants: every frame handed out lies in the buffer and is exactly what
 * ltuya_frame_peek() delimits; the reassembler never stalls (no room and no
 * frame); and the sequence of frames and errors does not depend on how the
 * stream was cut into chunks (it is compared with a run that feeds as much
 * as fits each time).
 */
#include "fuzz_common.h"
#include "ltuya/frame.h"

#define MAX_EVENTS 512

typedef struct {
    ltuya_status_t st[MAX_EVENTS];
    size_t len[MAX_EVENTS];
    uint32_t crc[MAX_EVENTS];
    size_t count;
    size_t skipped;
} trace_t;

/* Take every complete frame out, recording it. */
static void drain(ltuya_reasm_t *r, trace_t *t)
{
    for (;;) {
        uint8_t *frame;
        size_t len;
        ltuya_status_t st = ltuya_reasm_next(r, &frame, &len);
        if (st == LTUYA_NEED_MORE)
            return;
        FZ_CHECK(st == LTUYA_OK || st == LTUYA_ERR_FRAME_TOO_LARGE || st == LTUYA_ERR_BAD_LENGTH);
        uint32_t crc = 0;
        if (st == LTUYA_OK) {
            size_t peek_len = 0;
            FZ_CHECK(frame >= r->buf && len <= r->cap && frame + len <= r->buf + r->cap);
            FZ_CHECK(ltuya_frame_peek(frame, len, &peek_len) == LTUYA_OK && peek_len == len);
            crc = ltuya_crc32(0, frame, len);
        }
        if (t->count < MAX_EVENTS) {
            t->st[t->count] = st;
            t->len[t->count] = st == LTUYA_OK ? len : 0;
            t->crc[t->count] = crc;
        }
        t->count++;
    }
}

/* Feed n bytes through the chosen API; returns how many were taken. */
static size_t put(ltuya_reasm_t *r, const uint8_t *p, size_t n, bool zero_copy)
{
    if (!zero_copy) {
        size_t acc = 0;
        ltuya_reasm_feed(r, p, n, &acc);
        FZ_CHECK(acc <= n);
        return acc;
    }
    size_t room = 0;
    uint8_t *dst = ltuya_reasm_space(r, &room);
    size_t k = n < room ? n : room;
    memcpy(dst, p, k);
    ltuya_reasm_commit(r, k);
    return k;
}

static void run(uint8_t *buf, size_t cap, const uint8_t *stream, size_t n, const uint8_t *sizes,
                size_t nsizes, trace_t *t)
{
    ltuya_reasm_t r;
    size_t i = 0, chunk = 0;
    memset(t, 0, sizeof *t);
    ltuya_reasm_init(&r, buf, cap);
    while (i < n) {
        size_t want = nsizes ? (size_t)sizes[chunk++ % nsizes] + 1 : n - i;
        bool zero_copy = nsizes && (want & 1);
        if (want > n - i)
            want = n - i;
        size_t done = 0;
        while (done < want) {
            size_t k = put(&r, stream + i + done, want - done, zero_copy);
            drain(&r, t);
            /* Taking nothing is fine only if draining made room: a full
             * buffer without a frame to take out would stall a reader. */
            FZ_CHECK(k > 0 || r.end - r.start < r.cap);
            done += k;
        }
        i += done;
    }
    t->skipped = r.skipped;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static trace_t chunked, whole;
    fz_in_t in = {data, size};
    uint8_t b0 = fz_u8(&in), b1 = fz_u8(&in);
    size_t cap = b0 & 0x80 ? 32 + 8 * (size_t)b1 : (size_t)LTUYA_MAX_FRAME + (b0 & 0x7fu);
    const uint8_t *sizes, *stream;
    size_t nsizes = fz_bytes(&in, fz_u8(&in), &sizes);
    size_t n = fz_bytes(&in, 8 * LTUYA_MAX_FRAME, &stream);
    uint8_t *buf = malloc(cap); /* exact size: ASan sees any overrun */
    if (!buf)
        return 0;
    run(buf, cap, stream, n, sizes, nsizes, &chunked);
    run(buf, cap, stream, n, NULL, 0, &whole);
    free(buf);

    FZ_CHECK(chunked.count == whole.count);
    for (size_t i = 0; i < chunked.count && i < MAX_EVENTS; i++) {
        FZ_CHECK(chunked.st[i] == whole.st[i]);
        FZ_CHECK(chunked.len[i] == whole.len[i]);
        FZ_CHECK(chunked.crc[i] == whole.crc[i]);
    }
    FZ_CHECK(chunked.skipped == whole.skipped);
    return 0;
}
