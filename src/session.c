/* The sans-I/O session; see session.h and docs/protocol.md sections 3 and 5. */
#include "ltuya/session.h"

#include <string.h>

#include "ltuya/handshake.h"

static const uint16_t default_d22[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                       16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
static const uint16_t energy_dps[] = {18, 19, 20};

void ltuya_session_init(ltuya_session_t *s, const ltuya_session_opts_t *opts, uint8_t *rx,
                        size_t rx_cap, uint8_t *tx, size_t tx_cap)
{
    memset(s, 0, sizeof *s);
    s->opts = *opts;
    if (opts->local_key)
        memcpy(s->local_key, opts->local_key, LTUYA_KEY_LEN);
    s->opts.local_key = NULL; /* only our copy is used, and wiped */
    if (!s->opts.reply_timeout_ms)
        s->opts.reply_timeout_ms = LTUYA_DEFAULT_REPLY_TIMEOUT_MS;
    if (!s->opts.heartbeat_ms)
        s->opts.heartbeat_ms = LTUYA_DEFAULT_HEARTBEAT_MS;
    if (!opts->device22_dps) {
        s->opts.device22_dps = default_d22;
        s->opts.device22_count = sizeof default_d22 / sizeof *default_d22;
    }
    s->device22 = opts->device22;
    ltuya_reasm_init(&s->rx, rx, rx_cap);
    s->tx = tx;
    s->tx_cap = tx_cap;
}

void ltuya_session_reset(ltuya_session_t *s)
{
    ltuya_zeroize(s->session_key, sizeof s->session_key);
    ltuya_zeroize(s->lc, sizeof s->lc);
    s->state = LTUYA_SESSION_IDLE;
    s->got_frame = false;
    s->seq = 0;
    ltuya_reasm_reset(&s->rx);
    s->tx_len = s->tx_off = 0;
    s->req = LTUYA_REQ_NONE;
    s->req_cmd = 0;
    s->req_acked = false;
    s->resend_query = false;
    s->refresh_by_query = false;
    s->key_settling = false;
    s->req_deadline = 0;
    s->hb_pending = false;
    s->hb_deadline = s->last_tx_ms = s->hs_deadline = 0;
}

void ltuya_session_deinit(ltuya_session_t *s)
{
    ltuya_zeroize(s->local_key, sizeof s->local_key);
    ltuya_zeroize(s->session_key, sizeof s->session_key);
    ltuya_zeroize(s->lc, sizeof s->lc);
    s->state = LTUYA_SESSION_IDLE;
}

/* 3.4 and 3.5 negotiate a session key first (always false without them,
 * so the handshake code is left out). */
static bool keyed_version(const ltuya_session_t *s)
{
    return LTUYA_WITH_HANDSHAKE && s->opts.version >= LTUYA_V34;
}

static const uint8_t *frame_key(const ltuya_session_t *s)
{
    return keyed_version(s) && s->state == LTUYA_SESSION_READY ? s->session_key : s->local_key;
}

static void emit(ltuya_session_t *s, const ltuya_event_t *ev)
{
    if (s->opts.on_event)
        s->opts.on_event(s->opts.user, ev);
}

static ltuya_status_t fail(ltuya_session_t *s, ltuya_status_t st)
{
    ltuya_event_t ev = {0};
    s->state = LTUYA_SESSION_FAILED;
    s->req = LTUYA_REQ_NONE;
    s->hb_pending = false;
    ev.type = LTUYA_EV_FAILED;
    ev.status = st;
    emit(s, &ev);
    return st;
}

static void finish(ltuya_session_t *s, ltuya_status_t st, const ltuya_dps_t *dps,
                   const uint8_t *err, size_t err_len)
{
    ltuya_event_t ev = {0};
    ev.type = LTUYA_EV_DONE;
    ev.req = s->req;
    ev.status = st;
    ev.dps = dps;
    ev.device_error = (const char *)err;
    ev.device_error_len = err ? err_len : 0;
    s->req = LTUYA_REQ_NONE;
    s->req_acked = false;
    emit(s, &ev);
}

/* ---- sending ------------------------------------------------------------ */

static ltuya_header_mode_t header_mode(const ltuya_session_t *s, uint32_t cmd)
{
    if (cmd < 64 && (s->opts.header_on >> cmd & 1))
        return LTUYA_HEADER_ON;
    if (cmd < 64 && (s->opts.header_off >> cmd & 1))
        return LTUYA_HEADER_OFF;
    return LTUYA_HEADER_AUTO;
}

static ltuya_status_t send_frame(ltuya_session_t *s, uint32_t cmd, const void *payload, size_t len,
                                 const uint8_t *key, uint64_t now)
{
    uint8_t nonce[LTUYA_GCM_NONCE_LEN];
    ltuya_frame_spec_t f = {0};
    f.version = s->opts.version;
    f.key = key;
    f.seq = s->seq + 1; /* strictly increasing, never 0 */
    f.cmd = cmd;
    f.payload = payload;
    f.payload_len = len;
    f.header = header_mode(s, cmd);
    f.header_version = s->opts.header_version;
    f.v31_encrypt = ltuya_v31_encrypts(cmd, false);
    if (LTUYA_WITH_V35 && f.version == LTUYA_V35) {
        ltuya_status_t st = ltuya_random(nonce, sizeof nonce);
        if (st != LTUYA_OK)
            return st;
        f.nonce = nonce;
    }
    /* compact the queue before appending */
    if (s->tx_off) {
        memmove(s->tx, s->tx + s->tx_off, s->tx_len - s->tx_off);
        s->tx_len -= s->tx_off;
        s->tx_off = 0;
    }
    size_t n;
    ltuya_status_t st = ltuya_frame_encode(&f, s->tx + s->tx_len, s->tx_cap - s->tx_len, &n);
    if (st != LTUYA_OK)
        return st;
    if (s->opts.on_frame)
        s->opts.on_frame(s->opts.user, true, s->tx + s->tx_len, n, NULL, LTUYA_OK);
    s->tx_len += n;
    s->seq++;
    s->last_tx_ms = now;
    return LTUYA_OK;
}

static int64_t wall(const ltuya_session_t *s)
{
    return s->opts.wall_s ? s->opts.wall_s(s->opts.user) : 0;
}

/* Queue the JSON written into w as one frame: LTUYA_ERR_BUF_TOO_SMALL if it
 * overflowed its scratch buffer or does not fit the transmit buffer. */
static ltuya_status_t send_json(ltuya_session_t *s, uint32_t cmd, const ltuya_jw_t *w, uint64_t now)
{
    size_t n;
    ltuya_status_t st = ltuya_jw_finish(w, &n);
    if (st == LTUYA_OK)
        st = send_frame(s, cmd, w->buf, n, frame_key(s), now);
    return st;
}

/* Requested by the user or due by the timer: the same frame. */
static ltuya_status_t send_heartbeat(ltuya_session_t *s, uint64_t now)
{
    char json[LTUYA_JSON_SCRATCH];
    ltuya_jw_t w;
    ltuya_jw_init(&w, json, sizeof json);
    ltuya_json_heartbeat(&w, s->opts.dev_id);
    return send_json(s, LTUYA_CMD_HEART_BEAT, &w, now);
}

static ltuya_status_t send_query(ltuya_session_t *s, uint64_t now)
{
    char json[LTUYA_JSON_SCRATCH];
    ltuya_jw_t w;
    uint32_t cmd;
    ltuya_jw_init(&w, json, sizeof json);
    if (s->device22) {
        ltuya_json_device22_query(&w, s->opts.dev_id, wall(s), s->opts.device22_dps,
                                  s->opts.device22_count);
        cmd = LTUYA_CMD_CONTROL_NEW;
    } else {
        ltuya_json_query(&w, s->opts.version, s->opts.dev_id, s->opts.cid, wall(s));
        cmd = keyed_version(s) ? LTUYA_CMD_DP_QUERY_NEW : LTUYA_CMD_DP_QUERY;
    }
    s->req_cmd = cmd;
    return send_json(s, cmd, &w, now);
}

ltuya_status_t ltuya_session_start(ltuya_session_t *s, uint64_t now)
{
    if (!ltuya_version_supported(s->opts.version))
        return LTUYA_ERR_UNSUPPORTED_VERSION;
    s->seq = 0;
    s->got_frame = false;
    s->last_tx_ms = now;
    if (!keyed_version(s)) {
        ltuya_event_t ev = {0};
        s->state = LTUYA_SESSION_READY;
        ev.type = LTUYA_EV_READY;
        emit(s, &ev);
        return LTUYA_OK;
    }
    ltuya_status_t st = ltuya_random(s->lc, sizeof s->lc);
    if (st == LTUYA_OK)
        st = send_frame(s, LTUYA_CMD_SESS_KEY_NEG_START, s->lc, sizeof s->lc, s->local_key, now);
    if (st != LTUYA_OK)
        return st;
    s->state = LTUYA_SESSION_HANDSHAKE;
    s->hs_deadline = now + s->opts.reply_timeout_ms;
    return LTUYA_OK;
}

static ltuya_status_t send_refresh(ltuya_session_t *s, ltuya_jw_t *w, const uint16_t *ids, size_t n,
                                   uint64_t now)
{
    if (n > LTUYA_MAX_REFRESH)
        n = LTUYA_MAX_REFRESH;
    ltuya_json_refresh(w, n ? ids : energy_dps, n ? n : 3);
    s->req_cmd = LTUYA_CMD_UPDATEDPS;
    return send_json(s, LTUYA_CMD_UPDATEDPS, w, now);
}

/* A request frame is queued: wait for its answer. */
static ltuya_status_t started(ltuya_session_t *s, ltuya_req_t req, uint64_t now)
{
    s->req = req;
    s->req_acked = false;
    s->refresh_by_query = false;
    s->req_deadline = now + s->opts.reply_timeout_ms;
    /* Refresh is best effort (firmware on Tuya's device SDK ignores 0x12):
     * half the reply timeout for its answer, then a status query stands in. */
    if (req == LTUYA_REQ_REFRESH)
        s->req_deadline = now + s->opts.reply_timeout_ms / 2;
    return LTUYA_OK;
}

ltuya_status_t ltuya_session_request(ltuya_session_t *s, ltuya_req_t req, const ltuya_dp_t *dps,
                                     size_t n, uint64_t now)
{
    char json[LTUYA_JSON_SCRATCH];
    ltuya_jw_t w;
    ltuya_status_t st;
    if (s->state != LTUYA_SESSION_READY)
        return LTUYA_ERR_BAD_STATE;
    if (s->req != LTUYA_REQ_NONE)
        return LTUYA_ERR_BUSY;
    ltuya_jw_init(&w, json, sizeof json);
    switch (req) {
    case LTUYA_REQ_STATUS:
        st = send_query(s, now);
        break;
    case LTUYA_REQ_SET:
        if (!n)
            return LTUYA_ERR_INVALID_ARG;
        ltuya_json_control(&w, s->opts.version, s->opts.dev_id, s->opts.cid, wall(s), dps, n);
        s->req_cmd = keyed_version(s) ? LTUYA_CMD_CONTROL_NEW : LTUYA_CMD_CONTROL;
        st = send_json(s, s->req_cmd, &w, now);
        break;
    case LTUYA_REQ_REFRESH: {
        /* kept for callers of this form; ltuya_session_refresh takes the ids */
        uint16_t ids[LTUYA_MAX_REFRESH];
        size_t k = n < LTUYA_MAX_REFRESH ? n : LTUYA_MAX_REFRESH;
        for (size_t i = 0; i < k; i++)
            ids[i] = dps[i].id;
        st = send_refresh(s, &w, ids, k, now);
        break;
    }
    case LTUYA_REQ_HEARTBEAT:
        s->req_cmd = LTUYA_CMD_HEART_BEAT;
        st = send_heartbeat(s, now);
        break;
    default:
        return LTUYA_ERR_INVALID_ARG;
    }
    return st == LTUYA_OK ? started(s, req, now) : st;
}

ltuya_status_t ltuya_session_refresh(ltuya_session_t *s, const uint16_t *ids, size_t n,
                                     uint64_t now)
{
    char json[LTUYA_JSON_SCRATCH];
    ltuya_jw_t w;
    if (s->state != LTUYA_SESSION_READY)
        return LTUYA_ERR_BAD_STATE;
    if (s->req != LTUYA_REQ_NONE)
        return LTUYA_ERR_BUSY;
    if (n && !ids)
        return LTUYA_ERR_INVALID_ARG;
    ltuya_jw_init(&w, json, sizeof json);
    ltuya_status_t st = send_refresh(s, &w, ids, n, now);
    return st == LTUYA_OK ? started(s, LTUYA_REQ_REFRESH, now) : st;
}

size_t ltuya_session_output(const ltuya_session_t *s, const uint8_t **data)
{
    *data = s->tx + s->tx_off;
    return s->tx_len - s->tx_off;
}

void ltuya_session_output_done(ltuya_session_t *s, size_t n)
{
    if (n > s->tx_len - s->tx_off)
        n = s->tx_len - s->tx_off;
    s->tx_off += n;
    if (s->tx_off == s->tx_len)
        s->tx_off = s->tx_len = 0;
}

/* ---- receiving ---------------------------------------------------------- */

static bool text_contains(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(p + i, needle, k))
            return true;
    return false;
}

/* "json obj data unvalid" / "data format error": the device cannot answer a
 * plain status query; it wants the device22 form. */
static bool wants_device22(const ltuya_frame_t *f)
{
    return text_contains(f->payload, f->payload_len, "data unvalid") ||
           text_contains(f->payload, f->payload_len, "data format error");
}

static ltuya_status_t on_handshake_reply(ltuya_session_t *s, const ltuya_frame_t *f, uint64_t now)
{
    uint8_t ld[16], fin[LTUYA_HS_FINISH_LEN];
    if (f->cmd != LTUYA_CMD_SESS_KEY_NEG_RESP)
        return LTUYA_OK; /* nothing else is expected; ignore */
    ltuya_status_t st = ltuya_hs_check_resp(s->local_key, s->lc, f->payload, f->payload_len, ld);
    if (st == LTUYA_OK)
        st = ltuya_hs_finish_payload(s->local_key, ld, fin);
    if (st == LTUYA_OK)
        st = send_frame(s, LTUYA_CMD_SESS_KEY_NEG_FINISH, fin, sizeof fin, s->local_key, now);
    if (st == LTUYA_OK)
        st = ltuya_hs_session_key(s->opts.version, s->local_key, s->lc, ld, s->session_key);
    ltuya_zeroize(ld, sizeof ld);
    if (st != LTUYA_OK)
        return fail(s, st);
    s->state = LTUYA_SESSION_READY;
    s->key_settling = true;
    ltuya_event_t ev = {0};
    ev.type = LTUYA_EV_READY;
    emit(s, &ev);
    return LTUYA_OK;
}

static void push(ltuya_session_t *s, const ltuya_dps_t *d)
{
    ltuya_event_t ev = {0};
    ev.type = LTUYA_EV_PUSH;
    ev.dps = d;
    emit(s, &ev);
}

static ltuya_status_t on_frame(ltuya_session_t *s, const ltuya_frame_t *f, uint64_t now)
{
    if (LTUYA_WITH_HANDSHAKE && s->state == LTUYA_SESSION_HANDSHAKE)
        return on_handshake_reply(s, f, now);

    ltuya_dps_t d;
    bool has_dps = f->payload_len && f->payload[0] == '{' &&
                   ltuya_json_parse_dps((const char *)f->payload, f->payload_len, &d) == LTUYA_OK &&
                   d.has_dps;
    bool is_error = f->has_retcode && f->retcode != 0 && f->payload_len > 0 && !has_dps;

    if (f->cmd == LTUYA_CMD_HEART_BEAT) {
        s->hb_pending = false;
        if (s->req == LTUYA_REQ_HEARTBEAT)
            finish(s, LTUYA_OK, NULL, NULL, 0);
        return LTUYA_OK;
    }

    /* The reply to the outstanding request (same command), or a push. */
    if (s->req != LTUYA_REQ_NONE && f->cmd == s->req_cmd) {
        if (s->req == LTUYA_REQ_STATUS && is_error && wants_device22(f) && !s->device22) {
            /* fall back and ask again the way this firmware understands */
            s->device22 = true;
            s->resend_query = true; /* sent by the caller, after this frame's parse is gone */
            s->req_deadline = now + s->opts.reply_timeout_ms;
            return LTUYA_OK;
        }
        if (is_error) {
            finish(s, LTUYA_ERR_DEVICE, NULL, f->payload, f->payload_len);
            return LTUYA_OK;
        }
        if (has_dps) {
            finish(s, LTUYA_OK, &d, NULL, 0);
            return LTUYA_OK;
        }
        /* An empty ACK: a write is done; a device22 query or a refresh
         * still waits for the push that carries the values. */
        if (s->req == LTUYA_REQ_SET || s->req == LTUYA_REQ_REFRESH)
            finish(s, LTUYA_OK, NULL, NULL, 0);
        else
            s->req_acked = true;
        return LTUYA_OK;
    }

    if (has_dps) {
        bool completes = s->req == LTUYA_REQ_STATUS && s->device22;
        if (completes)
            finish(s, LTUYA_OK, &d, NULL, 0);
        else
            push(s, &d);
    } else if (is_error && s->req != LTUYA_REQ_NONE && s->req != LTUYA_REQ_HEARTBEAT) {
        /* an error under another command (some firmware answers CONTROL_NEW with cmd 8) */
        finish(s, LTUYA_ERR_DEVICE, NULL, f->payload, f->payload_len);
    }
    return LTUYA_OK;
}

static bool integrity_failure(ltuya_status_t st)
{
    return st == LTUYA_ERR_BAD_HMAC || st == LTUYA_ERR_BAD_TAG || st == LTUYA_ERR_BAD_PADDING;
}

static ltuya_status_t decode_failure(ltuya_session_t *s, ltuya_status_t st)
{
    /* Integrity failures mean the key is not the device's: during the
     * handshake that is certain, later on (3.3) the reply did not decrypt.
     * After a 3.4/3.5 handshake that verified (the device proved it holds
     * our local key) no frame is proof of a wrong key: drop it. */
    if (integrity_failure(st) && !(keyed_version(s) && s->state == LTUYA_SESSION_READY))
        return fail(s, LTUYA_ERR_WRONG_KEY);
    return LTUYA_OK; /* a damaged frame: drop it, the request times out or is retried */
}

/* Right after a 3.4/3.5 handshake, before any frame has verified under the
 * session key, a device built on Tuya's SDK may push a DP change sealed with
 * the local key (sent between its SESS_KEY_NEG_RESP and our FINISH,
 * protocol.md section 7 item 0 (f)). Keep a copy of such a frame while that
 * can happen (3.5 decrypts in place; a failed 3.4 HMAC check leaves the frame
 * as it was), in the transmit buffer's free tail: no memory of its own. */
static uint8_t *keep_copy(ltuya_session_t *s, const uint8_t *raw, size_t len)
{
    if (!keyed_version(s) || s->state != LTUYA_SESSION_READY || !s->key_settling)
        return NULL;
    if (s->opts.version != LTUYA_V35)
        return (uint8_t *)raw;
    if (s->tx_cap - s->tx_len < len)
        return NULL; /* no room: such a push is dropped instead */
    memcpy(s->tx + s->tx_len, raw, len);
    return s->tx + s->tx_len;
}

static ltuya_status_t decode_with_local_key(ltuya_session_t *s, uint8_t *raw, size_t len,
                                            const uint8_t *copy, ltuya_frame_t *f)
{
    ltuya_decode_opts_t o = {s->opts.version, s->local_key, LTUYA_FROM_DEVICE};
    if (copy != raw)
        memcpy(raw, copy, len);
    return ltuya_frame_decode_whole(raw, len, &o, f);
}

/* Decode and handle every whole frame the reassembler holds. */
static ltuya_status_t take_frames(ltuya_session_t *s, uint64_t now)
{
    for (;;) {
        if (s->state == LTUYA_SESSION_FAILED)
            return LTUYA_ERR_BAD_STATE;
        uint8_t *raw;
        size_t len;
        ltuya_status_t st = ltuya_reasm_next(&s->rx, &raw, &len);
        if (st == LTUYA_NEED_MORE)
            return LTUYA_OK;
        if (st != LTUYA_OK)
            continue; /* oversize header: skipped by the reassembler */
        ltuya_decode_opts_t o = {s->opts.version, frame_key(s), LTUYA_FROM_DEVICE};
        ltuya_frame_t f;
        if (s->opts.on_frame)
            s->opts.on_frame(s->opts.user, false, raw, len, NULL, LTUYA_NEED_MORE);
        const uint8_t *copy = keep_copy(s, raw, len);
        st = ltuya_frame_decode_whole(raw, len, &o, &f);
        if (st == LTUYA_OK)
            s->key_settling = false;
        else if (copy && integrity_failure(st))
            st = decode_with_local_key(s, raw, len, copy, &f);
        if (s->opts.on_frame)
            s->opts.on_frame(s->opts.user, false, raw, len, st == LTUYA_OK ? &f : NULL, st);
        if (st != LTUYA_OK) {
            st = decode_failure(s, st);
            if (st != LTUYA_OK)
                return st;
            continue;
        }
        s->got_frame = true;
        st = on_frame(s, &f, now);
        if (st != LTUYA_OK)
            return st;
        if (s->resend_query) {
            s->resend_query = false;
            st = send_query(s, now);
            if (st != LTUYA_OK)
                return fail(s, st);
        }
    }
}

ltuya_status_t ltuya_session_input(ltuya_session_t *s, const uint8_t *data, size_t n, uint64_t now)
{
    while (n) {
        size_t acc;
        ltuya_reasm_feed(&s->rx, data, n, &acc);
        data += acc;
        n -= acc;
        ltuya_status_t st = take_frames(s, now);
        if (st != LTUYA_OK)
            return st;
    }
    return LTUYA_OK;
}

uint8_t *ltuya_session_rx_space(ltuya_session_t *s, size_t *room)
{
    return ltuya_reasm_space(&s->rx, room);
}

ltuya_status_t ltuya_session_rx_commit(ltuya_session_t *s, size_t n, uint64_t now)
{
    ltuya_reasm_commit(&s->rx, n);
    return take_frames(s, now);
}

ltuya_status_t ltuya_session_tick(ltuya_session_t *s, uint64_t now)
{
    if (s->state == LTUYA_SESSION_HANDSHAKE && now >= s->hs_deadline)
        return fail(s, s->got_frame ? LTUYA_ERR_HANDSHAKE : LTUYA_ERR_NO_REPLY);
    if (s->state != LTUYA_SESSION_READY)
        return LTUYA_OK;
    if (s->hb_pending && now >= s->hb_deadline)
        return fail(s, LTUYA_ERR_TIMEOUT); /* the connection is dead */
    if (s->req == LTUYA_REQ_REFRESH && !s->refresh_by_query && now >= s->req_deadline) {
        /* no answer to the refresh: ask for the status instead (the request
         * stays a refresh for the caller, and the connection stays up) */
        ltuya_status_t st = send_query(s, now);
        if (st != LTUYA_OK)
            return fail(s, st);
        s->refresh_by_query = true;
        s->req_deadline = now + s->opts.reply_timeout_ms;
        return LTUYA_OK;
    }
    if (s->req != LTUYA_REQ_NONE && now >= s->req_deadline) {
        /* nothing ever came back on this connection: say so */
        finish(s, s->got_frame ? LTUYA_ERR_TIMEOUT : LTUYA_ERR_NO_REPLY, NULL, NULL, 0);
        return LTUYA_OK;
    }
    if (s->opts.heartbeat_ms != UINT32_MAX && !s->hb_pending && s->req == LTUYA_REQ_NONE &&
        now - s->last_tx_ms >= s->opts.heartbeat_ms) {
        ltuya_status_t st = send_heartbeat(s, now);
        if (st != LTUYA_OK)
            return fail(s, st);
        s->hb_pending = true;
        s->hb_deadline = now + s->opts.reply_timeout_ms;
    }
    return LTUYA_OK;
}

uint64_t ltuya_session_deadline(const ltuya_session_t *s)
{
    uint64_t d = UINT64_MAX;
    if (s->state == LTUYA_SESSION_HANDSHAKE)
        return s->hs_deadline;
    if (s->state != LTUYA_SESSION_READY)
        return d;
    if (s->req != LTUYA_REQ_NONE)
        d = s->req_deadline;
    if (s->hb_pending && s->hb_deadline < d)
        d = s->hb_deadline;
    /* the next heartbeat is due only when nothing else is pending */
    if (!s->hb_pending && s->req == LTUYA_REQ_NONE && s->opts.heartbeat_ms != UINT32_MAX)
        d = s->last_tx_ms + s->opts.heartbeat_ms;
    return d;
}
