/* The client: a session over a transport; see client.h. */
#include "ltuya/client.h"

#include <string.h>

#include "ltuya/crypto.h"

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
 * which the next frame does not overwrite before the call returns). Events
 * arrive from inside session calls: nothing here starts a new session call. */
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
        c->req = LTUYA_REQ_NONE;
        c->finished = true;
        c->result = ev->status;
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
        /* the failing call returns the same status: end_connection() reports it */
        break;
    case LTUYA_EV_READY:
        c->backoff_ms = 0; /* a good connection resets the backoff */
        c->ready_pending = true;
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

ltuya_status_t ltuya_client_init(ltuya_client_t *c, const ltuya_client_opts_t *opts, uint8_t *rx,
                                 size_t rx_cap, uint8_t *tx, size_t tx_cap)
{
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
    /* The backoff jitter: from the random source, so clients started in the same
     * millisecond do not reconnect in step; the clock only where there is none. */
    uint8_t seed[4];
    if (ltuya_random(seed, sizeof seed) == LTUYA_OK)
        c->rng = (uint32_t)seed[0] | (uint32_t)seed[1] << 8 | (uint32_t)seed[2] << 16 |
                 (uint32_t)seed[3] << 24;
    else
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

_Static_assert(LTUYA_STATUS_COUNT_ <= 255, "last_error is a uint8_t");

/* ---- connection life cycle --------------------------------------------------- */

/* How long the diagnosis listens on its silent connection for the close. */
#define LTUYA_PROBE_LISTEN_MS 300

/* A negative transport return as a status: only a negated error status is
 * taken at its word; anything else (a stray -1 would read as NEED_MORE) is
 * an I/O error. */
static ltuya_status_t io_status(int n)
{
    int e = -n;
    if (e > (int)LTUYA_NEED_MORE && e < (int)LTUYA_STATUS_COUNT_)
        return (ltuya_status_t)e;
    return LTUYA_ERR_IO;
}

static void set_state(ltuya_client_t *c, ltuya_client_state_t st, ltuya_status_t why)
{
    c->state = (uint8_t)st;
    if (c->opts.on_state)
        c->opts.on_state(c->opts.user, st, why);
}

/* Tell on_state about a READY the session reached inside a call. */
static void deliver_ready(ltuya_client_t *c)
{
    if (c->ready_pending && c->connected && ltuya_session_ready(&c->session)) {
        c->ready_pending = false;
        set_state(c, LTUYA_CLIENT_READY, LTUYA_OK);
    }
}

static void transport_close(ltuya_client_t *c)
{
    if (c->connected)
        TR(c)->close(TR(c)->ctx);
    c->connected = false;
    c->ready_pending = false;
    /* The 3.4/3.5 session key dies with the connection; the local key stays
     * in the session for the next connect (wiped by deinit). */
    ltuya_session_reset(&c->session);
}

/* The request in flight ends with st (exactly once: waiting guards it). */
static void fail_request(ltuya_client_t *c, ltuya_status_t st)
{
    if (!c->waiting)
        return;
    ltuya_req_t req = c->req;
    c->waiting = false;
    c->req = LTUYA_REQ_NONE;
    c->finished = true;
    c->result = st;
    if (c->opts.on_done)
        c->opts.on_done(c->opts.user, req, st, NULL);
}

/* exponential backoff with +-25 % jitter, so a fleet does not reconnect in step; counted
 * from when the lost connection was attempted, so a connection that lived long (and was
 * dropped while idle) is reopened at once, one that failed early waits */
static void schedule_backoff(ltuya_client_t *c)
{
    c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : LTUYA_BACKOFF_MIN_MS;
    if (c->backoff_ms > LTUYA_BACKOFF_MAX_MS)
        c->backoff_ms = LTUYA_BACKOFF_MAX_MS;
    c->rng = c->rng * 1664525u + 1013904223u;
    uint32_t jitter = c->backoff_ms / 2 ? (c->rng >> 8) % (c->backoff_ms / 2) : 0;
    c->next_connect_ms = c->last_connect_ms + c->backoff_ms - c->backoff_ms / 4 + jitter;
}

/* A connection or an attempt ended with st: close, fail the request in
 * flight, schedule the next attempt, tell on_state. */
static ltuya_status_t end_connection(ltuya_client_t *c, ltuya_status_t st)
{
    transport_close(c);
    c->stale = false;
    schedule_backoff(c);
    c->last_error = (uint8_t)st;
    fail_request(c, st);
    if (c->want_open && c->opts.reconnect) {
        set_state(c, LTUYA_CLIENT_BACKOFF, st);
    } else {
        c->want_open = false;
        set_state(c, LTUYA_CLIENT_IDLE, st);
    }
    return st;
}

/* Start a TCP connection: LTUYA_OK when up, LTUYA_NEED_MORE in progress,
 * else the error. A transport without connect_start connects blocking. */
static ltuya_status_t tcp_start(ltuya_client_t *c)
{
    if (TR(c)->connect_start)
        return TR(c)->connect_start(TR(c)->ctx, c->host, c->opts.port);
    return TR(c)->connect(TR(c)->ctx, c->host, c->opts.port, c->opts.connect_timeout_ms);
}

/* Send what the session has queued until the socket has no more room; what
 * is left waits in the session (want_write says so). */
static ltuya_status_t flush(ltuya_client_t *c)
{
    const uint8_t *p;
    size_t n;
    while ((n = ltuya_session_output(&c->session, &p)) > 0) {
        int sent = TR(c)->send(TR(c)->ctx, p, n);
        if (sent < 0)
            return io_status(sent);
        if (sent == 0)
            return LTUYA_OK;
        ltuya_session_output_done(&c->session, (size_t)sent);
    }
    return LTUYA_OK;
}

/* TCP is up: start the session (READY at once on 3.1-3.3, a handshake on
 * 3.4/3.5). */
static ltuya_status_t tcp_up(ltuya_client_t *c, uint64_t t)
{
    c->state = LTUYA_CLIENT_HANDSHAKE;
    ltuya_status_t st = ltuya_session_start(&c->session, t);
    if (st == LTUYA_OK)
        st = flush(c);
    if (st != LTUYA_OK)
        return end_connection(c, st);
    if (!c->ready_pending)
        set_state(c, LTUYA_CLIENT_HANDSHAKE, LTUYA_OK);
    deliver_ready(c);
    return LTUYA_OK;
}

/* One connection attempt, now (the caller checked the backoff). */
static ltuya_status_t attempt(ltuya_client_t *c)
{
    transport_close(c);
    c->last_connect_ms = now(c);
    c->stale = false;
    c->frames_sent = c->frames_seen = 0;
    c->result = LTUYA_OK;
    c->conn_id++;
    ltuya_status_t st = tcp_start(c);
    /* the connect deadline starts after connect_start returned: a port that
     * resolves a name there has done so by now (transport.h) */
    uint64_t t = now(c);
    if (st == LTUYA_NEED_MORE) {
        c->connected = true;
        c->next_connect_ms = t + c->opts.connect_timeout_ms;
        set_state(c, LTUYA_CLIENT_CONNECTING, LTUYA_OK);
        return LTUYA_OK;
    }
    if (st != LTUYA_OK)
        return end_connection(c, st);
    c->connected = true;
    return tcp_up(c, t);
}

/* The device closed before it answered anything. Tell a device that
 * refuses every new connection (its only slot is taken) from one that
 * disliked our first frame: connect again and listen without sending. */
static ltuya_status_t start_probe(ltuya_client_t *c, ltuya_status_t cause)
{
    transport_close(c);
    c->state = LTUYA_CLIENT_PROBING;
    c->conn_id++;
    ltuya_status_t st = tcp_start(c);
    uint64_t t = now(c);
    if (st != LTUYA_OK && st != LTUYA_NEED_MORE)
        return end_connection(c, LTUYA_ERR_REJECTED);
    c->connected = true;
    c->next_connect_ms = t + (st == LTUYA_OK ? LTUYA_PROBE_LISTEN_MS : c->opts.connect_timeout_ms);
    c->probe_listening = st == LTUYA_OK;
    set_state(c, LTUYA_CLIENT_PROBING, cause);
    return LTUYA_OK;
}

static bool probe_connecting(const ltuya_client_t *c)
{
    return c->state == LTUYA_CLIENT_PROBING && !c->probe_listening;
}

/* An established connection failed with st. */
static ltuya_status_t lost(ltuya_client_t *c, ltuya_status_t st)
{
    if ((st == LTUYA_ERR_CLOSED || st == LTUYA_ERR_RESET) && c->frames_seen == 0 &&
        c->frames_sent > 0) {
        start_probe(c, st);
        return c->state == LTUYA_CLIENT_PROBING ? LTUYA_OK : (ltuya_status_t)c->last_error;
    }
    /* a handshake nobody answered: most likely the wrong version */
    if (st == LTUYA_ERR_HANDSHAKE && c->frames_seen == 0)
        st = LTUYA_ERR_NO_REPLY;
    return end_connection(c, st);
}

/* After a session call: a failed session or an unanswered request ends the
 * connection (a late reply must not answer the next request). */
static ltuya_status_t settle(ltuya_client_t *c, ltuya_status_t st)
{
    if (st == LTUYA_OK && c->session.state == LTUYA_SESSION_FAILED)
        st = LTUYA_ERR_HANDSHAKE;
    if (st != LTUYA_OK)
        return lost(c, st);
    if (c->stale) {
        c->stale = false;
        return end_connection(c, c->result);
    }
    deliver_ready(c);
    return LTUYA_OK;
}

/* Reads per drain(): a peer that sends without pause (a garbage flood) must
 * not keep us from looking at the clock. */
#define LTUYA_DRAIN_READS 16

/* Read what is available (up to LTUYA_DRAIN_READS reads), straight into the
 * session's receive buffer. */
static ltuya_status_t drain(ltuya_client_t *c, uint64_t t)
{
    c->finished = false;
    for (int reads = 0; reads < LTUYA_DRAIN_READS; reads++) {
        size_t room;
        uint8_t *p = ltuya_session_rx_space(&c->session, &room);
        int n = TR(c)->recv(TR(c)->ctx, p, room);
        if (n == 0)
            return LTUYA_OK;
        if (n < 0)
            return io_status(n);
        ltuya_status_t st = ltuya_session_rx_commit(&c->session, (size_t)n, t);
        if (st != LTUYA_OK)
            return st;
        /* A request that ended in this read has DP views into the receive
         * buffer: stop reading so they stay valid until the caller has them
         * (the rest is read on the next readable event). */
        if (c->finished)
            return LTUYA_OK;
    }
    return LTUYA_OK;
}

/* The connect in progress (a connection or the probe's) may have ended. */
static ltuya_status_t connect_progress(ltuya_client_t *c, uint64_t t)
{
    ltuya_status_t st = TR(c)->connect_finish ? TR(c)->connect_finish(TR(c)->ctx) : LTUYA_OK;
    if (st == LTUYA_NEED_MORE)
        return LTUYA_OK;
    if (c->state == LTUYA_CLIENT_PROBING) {
        if (st != LTUYA_OK)
            return end_connection(c, LTUYA_ERR_REJECTED);
        c->probe_listening = true; /* sending nothing */
        c->next_connect_ms = t + LTUYA_PROBE_LISTEN_MS;
        return LTUYA_OK;
    }
    if (st != LTUYA_OK)
        return end_connection(c, st);
    return tcp_up(c, t);
}

/* ---- readiness form ---------------------------------------------------------- */

ltuya_status_t ltuya_client_open(ltuya_client_t *c, uint64_t now_ms)
{
    c->want_open = true;
    if (c->state != LTUYA_CLIENT_IDLE)
        return LTUYA_OK; /* connecting, connected, or BACKOFF (on_timer goes on) */
    if (now_ms < c->next_connect_ms) {
        set_state(c, LTUYA_CLIENT_BACKOFF, LTUYA_OK);
        return LTUYA_OK;
    }
    return attempt(c);
}

int ltuya_client_socket(const ltuya_client_t *c)
{
    if (!c->connected || !TR(c)->handle)
        return -1;
    return TR(c)->handle(TR(c)->ctx);
}

bool ltuya_client_want_write(const ltuya_client_t *c)
{
    if (!c->connected)
        return false;
    if (c->state == LTUYA_CLIENT_CONNECTING || probe_connecting(c))
        return true;
    if (c->state == LTUYA_CLIENT_PROBING)
        return false;
    return ltuya_session_output(&c->session, &(const uint8_t *){NULL}) > 0;
}

ltuya_status_t ltuya_client_on_readable(ltuya_client_t *c, uint64_t now_ms)
{
    if (!c->connected)
        return LTUYA_OK;
    /* a failed connect makes the socket readable (error, hang-up) too */
    if (c->state == LTUYA_CLIENT_CONNECTING || probe_connecting(c))
        return connect_progress(c, now_ms);
    if (c->state == LTUYA_CLIENT_PROBING) {
        uint8_t b[64];
        int n = TR(c)->recv(TR(c)->ctx, b, sizeof b);
        if (n < 0) /* closed a connection on which we said nothing */
            return end_connection(c, LTUYA_ERR_CONN_LIMIT);
        return LTUYA_OK;
    }
    ltuya_status_t st = drain(c, now_ms);
    if (st == LTUYA_OK)
        st = flush(c);
    return settle(c, st);
}

ltuya_status_t ltuya_client_on_writable(ltuya_client_t *c, uint64_t now_ms)
{
    if (!c->connected)
        return LTUYA_OK;
    if (c->state == LTUYA_CLIENT_CONNECTING || probe_connecting(c))
        return connect_progress(c, now_ms);
    if (c->state == LTUYA_CLIENT_PROBING)
        return LTUYA_OK;
    return settle(c, flush(c));
}

ltuya_status_t ltuya_client_on_timer(ltuya_client_t *c, uint64_t now_ms)
{
    switch (c->state) {
    case LTUYA_CLIENT_IDLE:
        return LTUYA_OK;
    case LTUYA_CLIENT_BACKOFF:
        if (now_ms < c->next_connect_ms)
            return LTUYA_OK;
        return attempt(c);
    case LTUYA_CLIENT_CONNECTING:
        if (now_ms < c->next_connect_ms)
            return LTUYA_OK;
        return end_connection(c, LTUYA_ERR_TIMEOUT);
    case LTUYA_CLIENT_PROBING:
        if (now_ms < c->next_connect_ms)
            return LTUYA_OK;
        /* the silent connection stayed open: it was our frame it disliked */
        return end_connection(c, LTUYA_ERR_REJECTED);
    case LTUYA_CLIENT_HANDSHAKE:
    case LTUYA_CLIENT_READY:
        break;
    }
    ltuya_status_t st = ltuya_session_tick(&c->session, now_ms);
    if (st == LTUYA_OK)
        st = flush(c);
    return settle(c, st);
}

uint64_t ltuya_client_next_deadline(const ltuya_client_t *c)
{
    switch (c->state) {
    case LTUYA_CLIENT_IDLE:
        return UINT64_MAX;
    case LTUYA_CLIENT_BACKOFF:
        return c->next_connect_ms;
    case LTUYA_CLIENT_CONNECTING:
    case LTUYA_CLIENT_PROBING:
        return c->next_connect_ms;
    default:
        return ltuya_session_deadline(&c->session);
    }
}

uint64_t ltuya_client_deadline(const ltuya_client_t *c)
{
    /* idle: the old poll-driven form reconnects after the backoff */
    if (c->state == LTUYA_CLIENT_IDLE)
        return c->next_connect_ms;
    return ltuya_client_next_deadline(c);
}

ltuya_client_state_t ltuya_client_state(const ltuya_client_t *c)
{
    return (ltuya_client_state_t)c->state;
}

ltuya_status_t ltuya_client_last_error(const ltuya_client_t *c)
{
    return (ltuya_status_t)c->last_error;
}

unsigned ltuya_client_connection_id(const ltuya_client_t *c)
{
    return c->conn_id;
}

unsigned ltuya_client_frames_seen(const ltuya_client_t *c)
{
    return c->frames_seen;
}

ltuya_status_t ltuya_client_begin(ltuya_client_t *c, ltuya_req_t req, const ltuya_dp_t *dps,
                                  size_t n)
{
    /* nothing of the client changes before the session took the request: a
     * rejected begin must leave the one in flight alone */
    if (c->waiting || ltuya_session_busy(&c->session))
        return LTUYA_ERR_BUSY;
    if (c->state != LTUYA_CLIENT_READY || !ltuya_session_ready(&c->session))
        return LTUYA_ERR_BAD_STATE;
    ltuya_status_t st = ltuya_session_request(&c->session, req, dps, n, now(c));
    if (st != LTUYA_OK)
        return st;
    c->req = req;
    c->waiting = true;
    c->result = LTUYA_OK;
    c->device_error[0] = 0;
    st = flush(c);
    if (st != LTUYA_OK)
        lost(c, st); /* the request ends through on_done */
    return LTUYA_OK;
}

const char *ltuya_client_device_error(const ltuya_client_t *c)
{
    return c->device_error;
}

void ltuya_client_close(ltuya_client_t *c)
{
    c->want_open = false;
    transport_close(c);
    c->state = LTUYA_CLIENT_IDLE;
    fail_request(c, LTUYA_ERR_CLOSED);
}

void ltuya_client_deinit(ltuya_client_t *c)
{
    ltuya_client_close(c);
    ltuya_session_deinit(&c->session);
}

/* ---- blocking form, over the readiness form ------------------------------------ */

static bool settled_state(const ltuya_client_t *c)
{
    return c->state == LTUYA_CLIENT_IDLE || c->state == LTUYA_CLIENT_BACKOFF;
}

/* Wait with the transport's wait() and run the readiness calls until done(c)
 * or the connection ended. */
static ltuya_status_t block_until(ltuya_client_t *c, bool (*done)(const ltuya_client_t *))
{
    for (;;) {
        if (done(c))
            return LTUYA_OK;
        if (settled_state(c))
            return c->last_error != LTUYA_OK ? (ltuya_status_t)c->last_error : LTUYA_ERR_CLOSED;
        uint64_t t = now(c), d = ltuya_client_next_deadline(c);
        if (t >= d) {
            ltuya_client_on_timer(c, t);
            continue;
        }
        uint32_t wait = d - t > 1000 ? 1000 : (uint32_t)(d - t);
        bool ww = ltuya_client_want_write(c);
        ltuya_status_t st = TR(c)->wait(TR(c)->ctx, ww, wait);
        t = now(c);
        if (st == LTUYA_OK) {
            if (ww)
                ltuya_client_on_writable(c, t);
            if (c->connected && !done(c))
                ltuya_client_on_readable(c, t);
        } else if (st != LTUYA_ERR_TIMEOUT) {
            end_connection(c, st);
        }
        if (c->connected && now(c) >= ltuya_client_next_deadline(c))
            ltuya_client_on_timer(c, now(c));
    }
}

static bool is_ready(const ltuya_client_t *c)
{
    return c->state == LTUYA_CLIENT_READY;
}

static bool not_waiting(const ltuya_client_t *c)
{
    return !c->waiting;
}

ltuya_status_t ltuya_client_connect(ltuya_client_t *c)
{
    if (is_ready(c))
        return LTUYA_OK;
    if (settled_state(c)) {
        /* the blocking form keeps the backoff too */
        uint64_t t = now(c);
        if (t < c->next_connect_ms && c->opts.clock->sleep_ms)
            c->opts.clock->sleep_ms(c->opts.clock->ctx, (uint32_t)(c->next_connect_ms - t));
        c->state = LTUYA_CLIENT_IDLE;
        ltuya_status_t st = attempt(c);
        if (st != LTUYA_OK)
            return st;
    }
    return block_until(c, is_ready);
}

static ltuya_status_t call_once(ltuya_client_t *c, ltuya_req_t req, const ltuya_dp_t *dps, size_t n)
{
    ltuya_status_t st = ltuya_client_connect(c);
    if (st != LTUYA_OK)
        return st;
    st = ltuya_client_begin(c, req, dps, n);
    if (st != LTUYA_OK)
        return st;
    st = block_until(c, not_waiting);
    if (st == LTUYA_OK || !c->waiting)
        st = c->result;
    return st;
}

ltuya_status_t ltuya_client_call(ltuya_client_t *c, ltuya_req_t req, const ltuya_dp_t *dps,
                                 size_t n, ltuya_dps_t *out)
{
    c->result_dps = out;
    bool was_connected = is_ready(c);
    ltuya_status_t st;
    if (req == LTUYA_REQ_SET && n > 1 && c->opts.one_dp_per_write) {
        for (size_t i = 0; i < n; i++)
            if ((st = ltuya_client_call(c, req, dps + i, 1, NULL)) != LTUYA_OK)
                return st;
        return LTUYA_OK;
    }
    st = call_once(c, req, dps, n);
    /* An idle persistent connection the device dropped: reopen once (at once if it had
     * lived longer than the backoff, see schedule_backoff). */
    if (was_connected && (st == LTUYA_ERR_CLOSED || st == LTUYA_ERR_RESET))
        st = call_once(c, req, dps, n);
    c->result_dps = NULL;
    /* Some devices refuse several DPs in one write: retry one by one, and remember. */
    if (st == LTUYA_ERR_DEVICE && req == LTUYA_REQ_SET && n > 1) {
        c->opts.one_dp_per_write = true;
        return ltuya_client_call(c, req, dps, n, NULL);
    }
    return st;
}

ltuya_status_t ltuya_client_pump(ltuya_client_t *c, uint32_t wait_ms, bool reconnect)
{
    uint64_t t = now(c);
    if (settled_state(c)) {
        if (!reconnect || t < c->next_connect_ms)
            return LTUYA_OK; /* nothing to do until the backoff expires */
        c->state = LTUYA_CLIENT_IDLE;
        ltuya_status_t st = attempt(c);
        return st != LTUYA_OK ? st : settled_state(c) ? (ltuya_status_t)c->last_error : LTUYA_OK;
    }
    ltuya_status_t last = LTUYA_OK;
    uint64_t d = ltuya_client_next_deadline(c);
    uint32_t wait = d <= t ? 0 : d - t < wait_ms ? (uint32_t)(d - t) : wait_ms;
    bool ww = ltuya_client_want_write(c);
    ltuya_status_t st = TR(c)->wait(TR(c)->ctx, ww, wait);
    t = now(c);
    if (st == LTUYA_OK) {
        if (ww)
            last = ltuya_client_on_writable(c, t);
        if (last == LTUYA_OK && c->connected)
            last = ltuya_client_on_readable(c, t);
    } else if (st != LTUYA_ERR_TIMEOUT) {
        return end_connection(c, st);
    }
    if (last == LTUYA_OK && c->connected && now(c) >= ltuya_client_next_deadline(c))
        last = ltuya_client_on_timer(c, now(c));
    return last;
}
