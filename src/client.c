/* The client: a session over a transport; see client.h. */
#include "ltuya/client.h"

#include <string.h>

static uint64_t now(const ltuya_client_t *c)
{
    return c->opts.clock->now_ms(c->opts.clock->ctx);
}

static int64_t wall(void *user)
{
    const ltuya_clock_t *clk = ((ltuya_client_t *)user)->opts.clock;
    return clk->wall_s ? clk->wall_s(clk->ctx) : 0;
}

/* The transport, for brevity. */
#define TR(c) ((c)->opts.transport)

/* Copy a status reply out of the event (its views stay in the rx buffer,
 * which the next frame does not overwrite before the call returns). */
static void on_event(void *user, const ltuya_event_t *ev)
{
    ltuya_client_t *c = user;
    switch (ev->type) {
    case LTUYA_EV_PUSH:
        if (c->opts.on_push)
            c->opts.on_push(c->opts.user, ev->dps);
        break;
    case LTUYA_EV_DONE:
        if (ev->req == LTUYA_REQ_HEARTBEAT && !c->waiting)
            break;
        /* Unanswered: the reply may still come, and with no sequence number to tell it
         * apart, the next request on this connection would take it for its own answer. */
        if (ev->status == LTUYA_ERR_TIMEOUT || ev->status == LTUYA_ERR_NO_REPLY)
            c->stale = true;
        c->waiting = false;
        c->result = ev->status;
        c->result_has_dps = ev->dps != NULL;
        if (ev->dps && c->result_dps)
            *c->result_dps = *ev->dps;
        c->device_error[0] = 0;
        if (ev->device_error) {
            size_t n = ev->device_error_len < sizeof c->device_error - 1
                           ? ev->device_error_len
                           : sizeof c->device_error - 1;
            memcpy(c->device_error, ev->device_error, n);
            c->device_error[n] = 0;
        }
        if (c->opts.on_done)
            c->opts.on_done(c->opts.user, ev->req, ev->status, ev->dps);
        break;
    case LTUYA_EV_FAILED:
        if (c->waiting) {
            c->waiting = false;
            c->result = ev->status;
            if (c->opts.on_done)
                c->opts.on_done(c->opts.user, c->req, ev->status, NULL);
        }
        break;
    case LTUYA_EV_READY:
        c->backoff_ms = 0; /* a good connection resets the backoff */
        break;
    }
}

static void on_frame(void *user, bool outgoing, const uint8_t *raw, size_t len,
                     const ltuya_frame_t *f, ltuya_status_t st)
{
    ltuya_client_t *c = user;
    /* saturating: only "none" / "some" matters */
    if (outgoing && c->frames_sent < UINT16_MAX)
        c->frames_sent++;
    else if (!outgoing && f && c->frames_seen < UINT16_MAX)
        c->frames_seen++;
    if (c->opts.on_frame)
        c->opts.on_frame(c->opts.user, outgoing, raw, len, f, st);
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = 0;
}

ltuya_status_t ltuya_client_init_abi(ltuya_client_t *c, const ltuya_client_opts_t *opts,
                                     uint8_t *rx, size_t rx_cap, uint8_t *tx, size_t tx_cap,
                                     uint32_t config_id, size_t client_size)
{
    /* the caller was compiled with other config.h limits: its struct is not ours */
    if (config_id != LTUYA_CONFIG_ID || client_size != sizeof *c)
        return LTUYA_ERR_CONFIG_MISMATCH;
    memset(c, 0, sizeof *c);
    if (!opts->host || !opts->dev_id || !opts->transport || !opts->clock || !opts->local_key ||
        strlen(opts->local_key) != LTUYA_KEY_LEN || !rx || !tx)
        return LTUYA_ERR_INVALID_ARG;
    if (!ltuya_version_supported(opts->version))
        return LTUYA_ERR_UNSUPPORTED_VERSION;
    c->opts = *opts;
    copy_str(c->host, sizeof c->host, opts->host);
    copy_str(c->dev_id, sizeof c->dev_id, opts->dev_id);
    copy_str(c->cid, sizeof c->cid, opts->cid);
    c->opts.host = c->host;
    c->opts.dev_id = c->dev_id;
    c->opts.cid = opts->cid ? c->cid : NULL;
    c->opts.local_key = NULL; /* the session keeps the only copy */
    if (!c->opts.port)
        c->opts.port = LTUYA_DEFAULT_PORT;
    if (!c->opts.connect_timeout_ms)
        c->opts.connect_timeout_ms = LTUYA_DEFAULT_CONNECT_TIMEOUT_MS;
    c->rng = (uint32_t)now(c) * 2654435761u + 1;

    ltuya_session_opts_t so = {0};
    so.version = opts->version;
    so.dev_id = c->dev_id;
    so.cid = c->opts.cid;
    so.local_key = (const uint8_t *)opts->local_key;
    so.reply_timeout_ms = opts->reply_timeout_ms;
    so.heartbeat_ms = opts->heartbeat_ms;
    so.device22 = opts->device22;
    so.header_on = opts->header_on;
    so.header_off = opts->header_off;
    so.header_version = opts->header_version;
    so.on_event = on_event;
    so.on_frame = on_frame;
    so.wall_s = wall;
    so.user = c;
    ltuya_session_init(&c->session, &so, rx, rx_cap, tx, tx_cap);
    return LTUYA_OK;
}

void ltuya_client_close(ltuya_client_t *c)
{
    if (c->connected)
        TR(c)->close(TR(c)->ctx);
    c->connected = false;
    /* The 3.4/3.5 session key dies with the connection; the local key stays
     * in the session for the next connect (wiped by deinit). */
    ltuya_session_reset(&c->session);
}

void ltuya_client_deinit(ltuya_client_t *c)
{
    ltuya_client_close(c);
    ltuya_session_deinit(&c->session);
}

/* Send what the session has queued until the socket has no more room; what
 * is left waits in the session (run_until waits for room, up to the
 * session's deadline, so a peer that stops reading cannot hold us). */
static ltuya_status_t flush(ltuya_client_t *c)
{
    const uint8_t *p;
    size_t n;
    while ((n = ltuya_session_output(&c->session, &p)) > 0) {
        int sent = TR(c)->send(TR(c)->ctx, p, n);
        if (sent < 0)
            return (ltuya_status_t)-sent;
        if (sent == 0)
            return LTUYA_OK;
        ltuya_session_output_done(&c->session, (size_t)sent);
    }
    return LTUYA_OK;
}

/* Reads per drain(): a peer that sends without pause (a garbage flood) must
 * not keep us from looking at the clock. */
#define LTUYA_DRAIN_READS 16

/* Read what is available (up to LTUYA_DRAIN_READS reads), straight into the
 * session's receive buffer. */
static ltuya_status_t drain(ltuya_client_t *c)
{
    for (int reads = 0; reads < LTUYA_DRAIN_READS; reads++) {
        size_t room;
        uint8_t *p = ltuya_session_rx_space(&c->session, &room);
        int n = TR(c)->recv(TR(c)->ctx, p, room);
        if (n == 0)
            return LTUYA_OK;
        if (n < 0)
            return (ltuya_status_t)-n;
        ltuya_status_t st = ltuya_session_rx_commit(&c->session, (size_t)n, now(c));
        if (st != LTUYA_OK)
            return st;
        /* A finished request's DP views point into the receive buffer:
         * stop reading so they stay valid until the caller has them. */
        if (c->req != LTUYA_REQ_NONE && !c->waiting)
            return LTUYA_OK;
    }
    return LTUYA_OK;
}

/* The device closed on us. Before anything was answered, tell apart a
 * device that refuses every new connection (its only slot is taken) from
 * one that disliked our first frame: reconnect and listen without sending. */
static ltuya_status_t diagnose_close(ltuya_client_t *c, ltuya_status_t st)
{
    if (c->frames_seen > 0)
        return st;
    ltuya_client_close(c);
    if (TR(c)->connect(TR(c)->ctx, c->host, c->opts.port, c->opts.connect_timeout_ms) != LTUYA_OK)
        return LTUYA_ERR_REJECTED;
    uint8_t b[64];
    ltuya_status_t verdict = LTUYA_ERR_REJECTED;
    uint64_t until = now(c) + 300;
    while (now(c) < until) {
        if (TR(c)->wait(TR(c)->ctx, false, (uint32_t)(until - now(c))) != LTUYA_OK)
            break;
        int n = TR(c)->recv(TR(c)->ctx, b, sizeof b);
        if (n < 0) {
            verdict = LTUYA_ERR_CONN_LIMIT;
            break;
        }
    }
    TR(c)->close(TR(c)->ctx);
    return verdict;
}

static void connection_lost(ltuya_client_t *c)
{
    ltuya_client_close(c);
    c->stale = false;
    /* exponential backoff with +-25 % jitter, so a fleet does not reconnect in step; counted
     * from when the lost connection was attempted, so a connection that lived long (and was
     * dropped while idle) is reopened at once, one that failed early waits */
    c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : LTUYA_BACKOFF_MIN_MS;
    if (c->backoff_ms > LTUYA_BACKOFF_MAX_MS)
        c->backoff_ms = LTUYA_BACKOFF_MAX_MS;
    c->rng = c->rng * 1664525u + 1013904223u;
    uint32_t jitter = c->backoff_ms / 2 ? (c->rng >> 8) % (c->backoff_ms / 2) : 0;
    c->next_connect_ms = c->last_connect_ms + c->backoff_ms - c->backoff_ms / 4 + jitter;
}

/* A request went unanswered: do not let its late reply answer the next one. */
static void drop_if_stale(ltuya_client_t *c)
{
    if (c->stale && c->connected)
        connection_lost(c);
    c->stale = false;
}

/* Wait for the session to reach `done()` or fail, up to its own deadlines. */
static ltuya_status_t run_until(ltuya_client_t *c, bool (*done)(const ltuya_client_t *))
{
    bool may_have_data = true; /* read only after poll said so, saving a syscall per trip */
    for (;;) {
        ltuya_status_t st = flush(c);
        if (st == LTUYA_OK && may_have_data)
            st = drain(c);
        if (st == LTUYA_OK && c->session.state == LTUYA_SESSION_FAILED)
            st = c->result != LTUYA_OK ? c->result : LTUYA_ERR_HANDSHAKE;
        if (st == LTUYA_OK && done(c))
            return LTUYA_OK;
        if (st == LTUYA_OK)
            st = ltuya_session_tick(&c->session, now(c));
        if (st == LTUYA_OK && c->session.state == LTUYA_SESSION_FAILED)
            st = LTUYA_ERR_HANDSHAKE;
        if (st == LTUYA_OK && done(c))
            return LTUYA_OK;
        if (st != LTUYA_OK) {
            if (st == LTUYA_ERR_CLOSED || st == LTUYA_ERR_RESET)
                st = diagnose_close(c, st);
            connection_lost(c);
            return st;
        }
        bool to_send = ltuya_session_output(&c->session, &(const uint8_t *){NULL}) > 0;
        uint64_t t = now(c), d = ltuya_session_deadline(&c->session);
        uint32_t wait = d == UINT64_MAX ? 1000 : d > t ? (uint32_t)(d - t) : 0;
        st = TR(c)->wait(TR(c)->ctx, to_send, wait);
        if (st != LTUYA_OK && st != LTUYA_ERR_TIMEOUT) {
            connection_lost(c);
            return st;
        }
        may_have_data = st == LTUYA_OK;
    }
}

static bool is_ready(const ltuya_client_t *c)
{
    return c->session.state == LTUYA_SESSION_READY;
}

static bool not_waiting(const ltuya_client_t *c)
{
    return !c->waiting;
}

ltuya_status_t ltuya_client_connect(ltuya_client_t *c)
{
    if (c->connected && is_ready(c))
        return LTUYA_OK;
    ltuya_client_close(c);
    /* the blocking form keeps the backoff too (pump waits for it by itself) */
    uint64_t t = now(c);
    if (t < c->next_connect_ms && c->opts.clock->sleep_ms)
        c->opts.clock->sleep_ms(c->opts.clock->ctx, (uint32_t)(c->next_connect_ms - t));
    c->last_connect_ms = now(c);
    c->stale = false;
    ltuya_status_t st =
        TR(c)->connect(TR(c)->ctx, c->host, c->opts.port, c->opts.connect_timeout_ms);
    if (st != LTUYA_OK) {
        connection_lost(c);
        return st;
    }
    c->connected = true;
    c->frames_sent = c->frames_seen = 0;
    c->result = LTUYA_OK;
    ltuya_session_reset(&c->session); /* keeps a learnt device22 mode */
    st = ltuya_session_start(&c->session, now(c));
    if (st != LTUYA_OK) {
        ltuya_client_close(c);
        return st;
    }
    st = run_until(c, is_ready);
    if (st == LTUYA_ERR_HANDSHAKE && c->frames_seen == 0)
        st = LTUYA_ERR_NO_REPLY;
    return st;
}

static ltuya_status_t start(ltuya_client_t *c, ltuya_req_t req, const ltuya_dp_t *dps, size_t n)
{
    ltuya_status_t st = ltuya_client_connect(c);
    if (st != LTUYA_OK)
        return st;
    c->req = req;
    c->waiting = true;
    c->result = LTUYA_OK;
    c->device_error[0] = 0;
    st = ltuya_session_request(&c->session, req, dps, n, now(c));
    if (st != LTUYA_OK)
        c->waiting = false;
    return st;
}

static ltuya_status_t call_once(ltuya_client_t *c, ltuya_req_t req, const ltuya_dp_t *dps, size_t n)
{
    ltuya_status_t st = start(c, req, dps, n);
    if (st == LTUYA_OK)
        st = run_until(c, not_waiting);
    if (st == LTUYA_OK)
        st = c->result;
    drop_if_stale(c);
    return st;
}

ltuya_status_t ltuya_client_call(ltuya_client_t *c, ltuya_req_t req, const ltuya_dp_t *dps,
                                 size_t n, ltuya_dps_t *out)
{
    c->result_dps = out;
    bool was_connected = c->connected && is_ready(c);
    ltuya_status_t st;
    if (req == LTUYA_REQ_SET && n > 1 && c->opts.one_dp_per_write) {
        for (size_t i = 0; i < n; i++)
            if ((st = ltuya_client_call(c, req, dps + i, 1, NULL)) != LTUYA_OK)
                return st;
        return LTUYA_OK;
    }
    st = call_once(c, req, dps, n);
    /* An idle persistent connection the device dropped: reopen once (at once if it had
     * lived longer than the backoff, see connection_lost). */
    if (was_connected && (st == LTUYA_ERR_CLOSED || st == LTUYA_ERR_RESET))
        st = call_once(c, req, dps, n);
    /* Some devices refuse several DPs in one write: retry one by one, and remember. */
    if (st == LTUYA_ERR_DEVICE && req == LTUYA_REQ_SET && n > 1) {
        c->opts.one_dp_per_write = true;
        return ltuya_client_call(c, req, dps, n, NULL);
    }
    return st;
}

ltuya_status_t ltuya_client_begin(ltuya_client_t *c, ltuya_req_t req, const ltuya_dp_t *dps,
                                  size_t n)
{
    c->result_dps = NULL;
    ltuya_status_t st = start(c, req, dps, n);
    if (st == LTUYA_OK)
        st = flush(c);
    return st;
}

ltuya_status_t ltuya_client_pump(ltuya_client_t *c, uint32_t wait_ms, bool reconnect)
{
    if (!c->connected) {
        if (!reconnect || now(c) < c->next_connect_ms) {
            /* nothing to do until the backoff expires */
            return LTUYA_OK;
        }
        return ltuya_client_connect(c);
    }
    bool to_send = ltuya_session_output(&c->session, &(const uint8_t *){NULL}) > 0;
    ltuya_status_t st = TR(c)->wait(TR(c)->ctx, to_send, wait_ms);
    if (st != LTUYA_OK && st != LTUYA_ERR_TIMEOUT) {
        connection_lost(c);
        return st;
    }
    st = drain(c);
    if (st == LTUYA_OK)
        st = ltuya_session_tick(&c->session, now(c));
    if (st == LTUYA_OK)
        st = flush(c);
    if (st == LTUYA_OK && c->session.state == LTUYA_SESSION_FAILED)
        st = LTUYA_ERR_TIMEOUT;
    if (st != LTUYA_OK)
        connection_lost(c);
    else
        drop_if_stale(c);
    return st;
}

uint64_t ltuya_client_deadline(const ltuya_client_t *c)
{
    if (!c->connected)
        return c->next_connect_ms;
    return ltuya_session_deadline(&c->session);
}

const char *ltuya_client_device_error(const ltuya_client_t *c)
{
    return c->device_error;
}
