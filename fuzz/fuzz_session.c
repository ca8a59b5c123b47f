/*
 * Fuzz target: the sans-I/O session (include/ltuya/session.h) fed device
 * frames for every version, built with the core's own encoder and the known
 * key, so the fuzzer gets past the CRC / HMAC / GCM checks and reaches the
 * request matching, device22 fallback, error and push handling.
 *
 * Input: byte 0 picks the version (low 7 bits mod 5) and raw mode (bit 7); byte 1 the
 * options (device22, cid, header overrides, heartbeat); byte 2 seeds the
 * random source. Raw mode feeds the rest as bytes, in chunks whose sizes
 * are taken from the input. Otherwise 3.4/3.5 first complete the handshake
 * (device nonce from the input; the client nonce is read from the START
 * frame the session sends), and the rest is a script of operations:
 *   0-3 a device frame: command, return code, flags, plaintext payload;
 *       encoded with the local or session key, optionally damaged, fed in
 *       chunks;
 *   4   a request (status, set with DPs from the input, refresh, heartbeat);
 *   5   time passes (tick);
 *   6   raw bytes into the stream;
 *   7   part of the pending output is taken (the rest stays queued).
 *
 * Invariants: everything the session sends decodes with the key it must
 * use, with strictly increasing sequence numbers and (apart from the
 * handshake) a payload that is valid JSON; event views are readable;
 * READY comes at most once.
 */
#include "fuzz_common.h"
#include "ltuya/handshake.h"
#include "ltuya/session.h"

static const ltuya_version_t versions[5] = {LTUYA_V31, LTUYA_V32, LTUYA_V33, LTUYA_V34, LTUYA_V35};
static const uint32_t cmds[10] = {LTUYA_CMD_STATUS,       LTUYA_CMD_DP_QUERY,
                                  LTUYA_CMD_DP_QUERY_NEW, LTUYA_CMD_CONTROL,
                                  LTUYA_CMD_CONTROL_NEW,  LTUYA_CMD_HEART_BEAT,
                                  LTUYA_CMD_UPDATEDPS,    LTUYA_CMD_SESS_KEY_NEG_RESP,
                                  LTUYA_CMD_STATUS,       LTUYA_CMD_DP_QUERY};

static ltuya_session_t s;
static uint8_t rx[LTUYA_MAX_FRAME], tx[2048];
static uint8_t session_key[LTUYA_KEY_LEN];
static uint8_t lc[LTUYA_HS_NONCE_LEN];
static bool have_lc;
static unsigned ready_events;

/* What the session sent, not yet checked (frames may arrive in parts). */
static uint8_t wire[4 * LTUYA_MAX_FRAME];
static size_t wire_len;
static uint32_t last_seq;

static bool keyed(void)
{
    return s.opts.version >= LTUYA_V34;
}

static void on_event(void *user, const ltuya_event_t *ev)
{
    (void)user;
    if (ev->type == LTUYA_EV_READY) {
        ready_events++;
        FZ_CHECK(ready_events == 1);
    }
    if (ev->dps) {
        FZ_CHECK(ev->dps->count <= LTUYA_MAX_DPS);
        for (size_t i = 0; i < ev->dps->count; i++)
            if (ev->dps->dp[i].type == LTUYA_DP_STR || ev->dps->dp[i].type == LTUYA_DP_RAW)
                fz_touch(ev->dps->dp[i].str.ptr, ev->dps->dp[i].str.len);
    }
    if (ev->device_error)
        fz_touch(ev->device_error, ev->device_error_len);
    if (ev->type == LTUYA_EV_DONE)
        FZ_CHECK(ev->req != LTUYA_REQ_NONE);
}

static void on_frame(void *user, bool outgoing, const uint8_t *raw, size_t len,
                     const ltuya_frame_t *f, ltuya_status_t st)
{
    (void)user;
    (void)outgoing;
    (void)st;
    fz_touch(raw, len);
    if (f)
        fz_touch(f->payload, f->payload_len);
}

static int64_t wall(void *user)
{
    (void)user;
    return 1700000000;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Check one frame the session sent. */
static void check_sent(uint8_t *frame, size_t len)
{
    bool v35 = s.opts.version == LTUYA_V35;
    uint32_t cmd = get32(frame + (v35 ? 10 : 8));
    bool hs = cmd == LTUYA_CMD_SESS_KEY_NEG_START || cmd == LTUYA_CMD_SESS_KEY_NEG_FINISH;
    ltuya_decode_opts_t o = {s.opts.version, keyed() && !hs ? session_key : fz_key,
                             LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    FZ_CHECK(ltuya_frame_decode_whole(frame, len, &o, &f) == LTUYA_OK);
    FZ_CHECK(f.seq > last_seq);
    last_seq = f.seq;
    if (cmd == LTUYA_CMD_SESS_KEY_NEG_START) {
        FZ_CHECK(f.payload_len == LTUYA_HS_NONCE_LEN);
        memcpy(lc, f.payload, LTUYA_HS_NONCE_LEN);
        have_lc = true;
    } else if (!hs) {
        FZ_CHECK(ltuya_json_validate((const char *)f.payload, f.payload_len) == LTUYA_OK);
    }
}

/* Take up to `max` bytes of output and check every whole frame. */
static void take_output(size_t max)
{
    const uint8_t *p;
    size_t n = ltuya_session_output(&s, &p);
    if (n > max)
        n = max;
    FZ_CHECK(n <= sizeof wire - wire_len);
    memcpy(wire + wire_len, p, n);
    wire_len += n;
    ltuya_session_output_done(&s, n);
    size_t off = 0;
    for (;;) {
        size_t flen;
        ltuya_status_t st = ltuya_frame_peek(wire + off, wire_len - off, &flen);
        if (st == LTUYA_NEED_MORE || (st == LTUYA_OK && flen > wire_len - off))
            break;
        FZ_CHECK(st == LTUYA_OK); /* the session sends nothing but frames */
        check_sent(wire + off, flen);
        off += flen;
    }
    memmove(wire, wire + off, wire_len - off);
    wire_len -= off;
}

/* Feed bytes in chunks whose sizes come from the input. */
static void feed(fz_in_t *in, const uint8_t *p, size_t n, uint64_t now)
{
    uint8_t chunk = fz_u8(in);
    size_t step = chunk ? chunk : n;
    while (n) {
        size_t k = n < step ? n : step;
        ltuya_status_t st = ltuya_session_input(&s, p, k, now);
        FZ_CHECK(st != LTUYA_OK || s.state != LTUYA_SESSION_FAILED);
        take_output(SIZE_MAX);
        p += k;
        n -= k;
    }
}

static uint32_t device_seq;

/* Encode a device frame with the key the session expects and feed it. */
static void device_frame(fz_in_t *in, uint32_t cmd, const uint8_t *payload, size_t len,
                         uint64_t now)
{
    static uint8_t frame[LTUYA_MAX_FRAME];
    uint8_t flags = fz_u8(in);
    uint8_t nonce[LTUYA_GCM_NONCE_LEN] = {0};
    ltuya_frame_spec_t f = {0};
    f.version = s.opts.version;
    f.key = keyed() && s.state == LTUYA_SESSION_READY ? session_key : fz_key;
    f.seq = ++device_seq;
    f.cmd = cmd;
    f.from_device = true;
    f.retcode = flags & 0x03 ? 0 : 1;
    if ((flags & 0x0c) == 0x0c)
        f.retcode = fz_u32(in);
    f.payload = payload;
    f.payload_len = len;
    f.header = (ltuya_header_mode_t)((flags >> 4) % 3);
    f.plaintext = (flags & 0xc0) == 0xc0;
    f.v31_encrypt = ltuya_v31_encrypts(cmd, true) != ((flags & 0x40) != 0);
    memcpy(nonce, &device_seq, sizeof device_seq);
    f.nonce = nonce;
    size_t n;
    if (ltuya_frame_encode(&f, frame, sizeof frame, &n) != LTUYA_OK)
        return;
    if ((flags & 0x82) == 0x82) { /* a damaged frame now and then */
        uint16_t at = fz_u16(in);
        frame[at % n] ^= 1 << (at >> 13);
    }
    feed(in, frame, n, now);
}

static void handshake(fz_in_t *in, uint64_t now)
{
    uint8_t ld[LTUYA_HS_NONCE_LEN], resp[LTUYA_HS_RESP_LEN];
    uint8_t variant = fz_u8(in);
    const uint8_t *p;
    size_t n = fz_bytes(in, sizeof ld, &p);
    memset(ld, 0x5a, sizeof ld);
    memcpy(ld, p, n);
    if (!have_lc)
        return;
    if (variant % 8 == 7) {
        /* a device that answers with something else first */
        n = fz_bytes(in, fz_u8(in), &p);
        device_frame(in, cmds[variant / 8 % 10], p, n, now);
    }
    if (s.state != LTUYA_SESSION_HANDSHAKE)
        return;
    FZ_CHECK(ltuya_hs_resp_payload(fz_key, lc, ld, resp) == LTUYA_OK);
    FZ_CHECK(ltuya_hs_session_key(s.opts.version, fz_key, lc, ld, session_key) == LTUYA_OK);
    device_frame(in, LTUYA_CMD_SESS_KEY_NEG_RESP, resp, sizeof resp, now);
}

static void request(fz_in_t *in, uint64_t now)
{
    static char strings[4][64];
    ltuya_dp_t dps[4];
    uint8_t b = fz_u8(in);
    size_t n = b >> 5 & 3;
    for (size_t i = 0; i < n; i++) {
        uint16_t id = fz_u8(in);
        uint8_t type = fz_u8(in);
        const uint8_t *p;
        size_t len;
        switch (type % 4) {
        case 0:
            dps[i] = ltuya_dp_bool(id, type & 0x80);
            break;
        case 1:
            dps[i] = ltuya_dp_int(id, (int32_t)fz_u32(in));
            break;
        case 2:
            len = fz_bytes(in, type >> 2 & 0x3f, &p);
            memcpy(strings[i], p, len);
            dps[i] = ltuya_dp_str(id, strings[i], len);
            break;
        default:
            dps[i] = ltuya_dp_null(id);
        }
    }
    ltuya_status_t st = ltuya_session_request(&s, (ltuya_req_t)(b % 6), dps, n, now);
    if (st == LTUYA_OK)
        FZ_CHECK(ltuya_session_busy(&s));
    take_output(SIZE_MAX);
}

static void script(fz_in_t *in)
{
    uint64_t now = 0;
    if (keyed())
        handshake(in, now);
    while (in->n) {
        uint8_t op = fz_u8(in);
        const uint8_t *p;
        size_t n;
        switch (op % 8) {
        case 0:
        case 1:
        case 2:
        case 3: {
            uint32_t cmd = op & 0x80 ? fz_u8(in) : cmds[(op >> 3) % 10];
            n = fz_bytes(in, fz_u16(in) % 1024, &p);
            device_frame(in, cmd, p, n, now);
            break;
        }
        case 4:
            request(in, now);
            break;
        case 5: {
            now += (uint64_t)fz_u16(in) * 8;
            ltuya_session_tick(&s, now);
            (void)ltuya_session_deadline(&s);
            take_output(SIZE_MAX);
            break;
        }
        case 6:
            n = fz_bytes(in, fz_u8(in), &p);
            feed(in, p, n, now);
            break;
        default:
            take_output(fz_u8(in));
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t d22[3] = {1, 2, 18};
    fz_in_t in = {data, size};
    uint8_t b0 = fz_u8(&in), b1 = fz_u8(&in);
    fz_random_reset(fz_u8(&in));
    ltuya_session_opts_t o = {0};
    o.version = versions[(b0 & 0x7f) % 5];
    o.dev_id = "eb0123456789abcdefghij";
    o.cid = b1 & 0x02 ? "a4c1380000000001" : NULL;
    o.local_key = fz_key;
    o.reply_timeout_ms = 1000;
    o.heartbeat_ms = b1 & 0x10 ? 2000 : 0;
    o.device22 = b1 & 0x01;
    if (b1 & 0x20) {
        o.device22_dps = d22;
        o.device22_count = 3;
    }
    o.header_on = b1 & 0x04 ? (uint64_t)1 << LTUYA_CMD_DP_QUERY : 0;
    o.header_off = b1 & 0x08 ? (uint64_t)1 << LTUYA_CMD_CONTROL : 0;
    o.header_version = b1 & 0x40 ? 33 : 0;
    o.on_event = on_event;
    o.on_frame = b1 & 0x80 ? on_frame : NULL;
    o.wall_s = wall;

    wire_len = 0;
    last_seq = 0;
    device_seq = 0;
    have_lc = false;
    ready_events = 0;
    memset(session_key, 0, sizeof session_key);
    ltuya_session_init(&s, &o, rx, sizeof rx, tx, sizeof tx);
    FZ_CHECK(ltuya_session_start(&s, 0) == LTUYA_OK);
    take_output(SIZE_MAX);

    if (b0 & 0x80) {
        uint64_t now = 0;
        while (in.n) {
            const uint8_t *p;
            size_t n = fz_bytes(&in, (size_t)fz_u8(&in) + 1, &p);
            ltuya_session_input(&s, p, n, now);
            now += 100;
            ltuya_session_tick(&s, now);
            take_output(SIZE_MAX);
        }
    } else {
        script(&in);
    }
    ltuya_session_deinit(&s);
    return 0;
}
