/*
 * The client: one session (session.h) over one transport (transport.h),
 * with connect and reply timeouts, heartbeats, reconnects with backoff, and
 * errors a person can act on.
 *
 * Readiness form (the libmosquitto model), for event loops: nothing in it
 * ever blocks (with a transport that has connect_start, see transport.h).
 *
 *   ltuya_client_open(c, now);            // non-blocking connect starts
 *   loop:
 *     fd = ltuya_client_socket(c);         // -1: nothing to poll
 *     poll fd for POLLIN, plus POLLOUT if ltuya_client_want_write(c),
 *       at most until ltuya_client_next_deadline(c)
 *     readable -> ltuya_client_on_readable(c, now)
 *     writable -> ltuya_client_on_writable(c, now)
 *     deadline -> ltuya_client_on_timer(c, now)
 *   requests: ltuya_client_begin() once ltuya_client_state() is READY; the
 *   end comes through opts.on_done, state changes through opts.on_state.
 *
 * Connecting, the 3.4/3.5 handshake, heartbeats, reconnecting after the
 * backoff (opts.reconnect) and the diagnosis of a device that closes every
 * new connection are states of the client, advanced by those calls.
 *
 * Blocking form, written on top of it: ltuya_client_call() connects if
 * needed and returns when the request is done or its time is up, waiting
 * with the transport's wait().
 *
 * Threading: a client is driven from one thread at a time; callbacks run
 * inside the calls above, on that thread. No locks inside.
 */
#ifndef LTUYA_CLIENT_H
#define LTUYA_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/session.h"
#include "ltuya/transport.h"

typedef struct ltuya_client ltuya_client_t;

/* Where a connection stands (ltuya_client_state(), opts.on_state). */
typedef enum {
    LTUYA_CLIENT_IDLE = 0,   /* no connection, none being made */
    LTUYA_CLIENT_BACKOFF,    /* waiting out the backoff before the next attempt */
    LTUYA_CLIENT_CONNECTING, /* TCP connect in progress: wants writable */
    LTUYA_CLIENT_HANDSHAKE,  /* TCP up, 3.4/3.5 session key negotiation running */
    LTUYA_CLIENT_READY,      /* requests can be begun */
    LTUYA_CLIENT_PROBING,    /* the device closed before answering anything: a second,
                                silent connection tells "closes every new connection"
                                (LTUYA_ERR_CONN_LIMIT) from "disliked our frame"
                                (LTUYA_ERR_REJECTED) */
} ltuya_client_state_t;

typedef struct {
    const char *host;      /* IP address (a name only where the port resolves it, which blocks:
                              transport.h); copied */
    uint16_t port;         /* 0 = 6668 */
    const char *dev_id;    /* copied */
    const char *local_key; /* the 16-character local key; copied, wiped on deinit */
    ltuya_version_t version;
    const char *cid;             /* sub-device node id, or NULL */
    uint32_t connect_timeout_ms; /* 0 = 3 s */
    uint32_t reply_timeout_ms;   /* 0 = 5 s */
    uint32_t heartbeat_ms;       /* 0 = 10 s */
    bool device22;               /* see session.h */
    uint64_t header_on, header_off;
    uint8_t header_version;
    bool one_dp_per_write; /* write DPs one per frame (some devices refuse more) */
    /* Readiness form: after a lost connection or a failed attempt, connect
     * again when the backoff is over (else go IDLE until the next open). */
    bool reconnect;
    /* A status push, at any time (views valid during the call). */
    void (*on_push)(void *user, const ltuya_dps_t *dps);
    /* A request started with ltuya_client_begin() ended. */
    void (*on_done)(void *user, ltuya_req_t req, ltuya_status_t st, const ltuya_dps_t *dps);
    ltuya_frame_fn on_frame; /* logging hook (-v) */
    void *user;
    /* Required; not copied: both must outlive the client. */
    const ltuya_transport_t *transport;
    const ltuya_clock_t *clock;
    /* The connection changed state. `why` is LTUYA_OK, or the error that ended
     * a connection or an attempt (LTUYA_ERR_REFUSED, LTUYA_ERR_TIMEOUT,
     * LTUYA_ERR_WRONG_KEY, LTUYA_ERR_CONN_LIMIT, ...) when the new state is
     * IDLE or BACKOFF. */
    void (*on_state)(void *user, ltuya_client_state_t state, ltuya_status_t why);
} ltuya_client_opts_t;

struct ltuya_client {
    ltuya_client_opts_t opts; /* as given, with host/dev_id/cid pointing at the copies below */
    char host[LTUYA_MAX_HOST + 1];
    char dev_id[LTUYA_MAX_ID + 1];
    char cid[LTUYA_MAX_ID + 1];
    /* Members are ordered to leave no padding: ltuya_device_t must stay
     * <= 1 KiB on a 32-bit MCU (scripts/size.sh). */
    uint8_t state;           /* ltuya_client_state_t */
    uint8_t last_error;      /* ltuya_status_t: why the last connection or attempt ended */
    uint16_t frames_sent;    /* on this connection (saturating) */
    uint16_t frames_seen;    /* valid frames received on this connection (saturating) */
    ltuya_session_t session; /* holds the local key */
    bool connected;          /* a transport connection exists (CONNECTING to PROBING) */
    bool waiting;            /* a request (blocking or begun) is in flight */
    bool want_open;          /* open() was called and close() was not: keep reconnecting */
    bool stale;              /* a request went unanswered: its reply may still come */
    bool probe_listening;    /* PROBING: connected, listening (else still connecting) */
    bool ready_pending;      /* READY reached inside a session call: tell on_state after */
    bool finished;           /* a request ended during the current drain() */
    uint8_t conn_id;         /* counts transport connections (wraps) */
    ltuya_req_t req;
    ltuya_status_t result;
    ltuya_dps_t *result_dps; /* where a status reply is copied (may be NULL) */
    char device_error[LTUYA_MAX_DEVICE_ERROR + 1];
    /* reconnects */
    uint32_t backoff_ms;
    uint32_t rng;
    uint64_t last_connect_ms; /* when the current or last connection was attempted */
    /* BACKOFF (and IDLE): when the next attempt may come; CONNECTING and
     * PROBING: when that state times out */
    uint64_t next_connect_ms;
};

/* LTUYA_ERR_INVALID_ARG for a missing host/id/transport/clock or a key that
 * is not 16 characters, LTUYA_ERR_UNSUPPORTED_VERSION for a bad version. */
ltuya_status_t ltuya_client_init(ltuya_client_t *c, const ltuya_client_opts_t *opts, uint8_t *rx,
                                 size_t rx_cap, uint8_t *tx, size_t tx_cap);

/* ---- readiness form: none of these blocks --------------------------------- */

/* Start connecting if not connected or connecting (honouring the backoff:
 * before the backoff is over the client waits in BACKOFF and connects from
 * on_timer). Sets the wish to stay connected that opts.reconnect keeps.
 * LTUYA_OK when started (or already open), or an error the transport gave
 * at once (also reported through on_state). */
ltuya_status_t ltuya_client_open(ltuya_client_t *c, uint64_t now_ms);

/* What to poll: the transport's handle, -1 when there is none (IDLE,
 * BACKOFF, or a transport without handle()). Changes with each connection. */
int ltuya_client_socket(const ltuya_client_t *c);

/* Poll for writable too: a connect in progress or output the socket did not
 * take yet. */
bool ltuya_client_want_write(const ltuya_client_t *c);

/* The socket is readable / writable / the deadline came. Each does what is
 * due and returns LTUYA_OK, or the error that just ended the connection
 * (also reported through on_state, and to a request in flight through
 * on_done, exactly once). Calling one when nothing is ready is harmless. */
ltuya_status_t ltuya_client_on_readable(ltuya_client_t *c, uint64_t now_ms);
ltuya_status_t ltuya_client_on_writable(ltuya_client_t *c, uint64_t now_ms);
ltuya_status_t ltuya_client_on_timer(ltuya_client_t *c, uint64_t now_ms);

/* Changes with every new transport connection (the diagnosis's too), so an
 * event loop that keys its watcher on the handle can tell a new socket that
 * got the old number (watch it afresh) from the same one. Wraps at 256. */
unsigned ltuya_client_connection_id(const ltuya_client_t *c);

/* When on_timer must run next (clock milliseconds), UINT64_MAX for never. */
uint64_t ltuya_client_next_deadline(const ltuya_client_t *c);

ltuya_client_state_t ltuya_client_state(const ltuya_client_t *c);

/* Why the last connection or attempt ended (LTUYA_OK if none did). */
ltuya_status_t ltuya_client_last_error(const ltuya_client_t *c);

/* Start a request on a READY connection; the end comes through opts.on_done
 * (exactly once, also when the connection is lost first). LTUYA_ERR_BAD_STATE
 * when not READY, LTUYA_ERR_BUSY when a request is in flight (the one in
 * flight is not touched), LTUYA_ERR_BUF_TOO_SMALL when the frame does not fit
 * the transmit buffer. String views in dps are copied into the frame before
 * this returns. */
ltuya_status_t ltuya_client_begin(ltuya_client_t *c, ltuya_req_t req, const ltuya_dp_t *dps,
                                  size_t n);

/* Valid frames received on this connection (saturating at 65535): 0 means
 * the device has not answered anything yet. */
unsigned ltuya_client_frames_seen(const ltuya_client_t *c);

/* ---- blocking form ------------------------------------------------------------ */

/* Connect (TCP, then the 3.4/3.5 handshake) and wait until READY. Errors:
 * LTUYA_ERR_REFUSED (nothing listens: wrong IP/port, device off),
 * LTUYA_ERR_UNREACHABLE, LTUYA_ERR_TIMEOUT (no TCP answer),
 * LTUYA_ERR_WRONG_KEY, LTUYA_ERR_NO_REPLY (handshake unanswered),
 * LTUYA_ERR_REJECTED / LTUYA_ERR_CONN_LIMIT (see ltuya_client_call). Waits
 * out the backoff first (clock.sleep_ms). */
ltuya_status_t ltuya_client_connect(ltuya_client_t *c);

/* Run one request to its end. For LTUYA_REQ_STATUS and REFRESH, `out` (may be
 * NULL) receives the DPs; its views point into the client's receive buffer
 * and stay valid until the next call. Besides the connect errors:
 * LTUYA_ERR_DEVICE (text in ltuya_client_device_error()), LTUYA_ERR_TIMEOUT,
 * LTUYA_ERR_NO_REPLY (this connection never got an answer: wrong version?),
 * LTUYA_ERR_WRONG_KEY (a reply did not decrypt / the handshake HMAC failed),
 * LTUYA_ERR_REJECTED (the device closed the connection after our first
 * frame: wrong version or key), LTUYA_ERR_CONN_LIMIT (it closes every new
 * connection: another client holds its only slot). A persistent connection
 * that the device dropped while idle is reopened once, transparently. A
 * request that timed out closes the connection (its late reply must not
 * answer the next request), so the next call reconnects.
 *
 * Reconnects, blocking or not, keep a backoff: after a lost connection or
 * a failed connect, the next attempt comes no sooner than B +-25 % after the
 * lost one was attempted, B = LTUYA_BACKOFF_MIN_MS doubling with each attempt
 * in a row that did not get ready, up to LTUYA_BACKOFF_MAX_MS. The jitter is
 * seeded from ltuya_random (else the clock), so clients started together do
 * not reconnect in step. A blocking call sleeps (clock.sleep_ms) until then,
 * so it can take that much longer. */
ltuya_status_t ltuya_client_call(ltuya_client_t *c, ltuya_req_t req, const ltuya_dp_t *dps,
                                 size_t n, ltuya_dps_t *out);

/* Blocking helper over the readiness form: wait up to wait_ms (transport
 * wait()) for the socket, then run on_readable / on_writable / on_timer as
 * due. With `reconnect`, a closed client is reopened once its backoff is
 * over. Returns what those returned. */
ltuya_status_t ltuya_client_pump(ltuya_client_t *c, uint32_t wait_ms, bool reconnect);

/* Same as ltuya_client_next_deadline() (kept for existing callers). */
uint64_t ltuya_client_deadline(const ltuya_client_t *c);

const char *ltuya_client_device_error(const ltuya_client_t *c);

/* Close the connection (no on_state call: the caller asked for it) and
 * forget the wish to stay connected; a request in flight ends with
 * LTUYA_ERR_CLOSED through on_done. */
void ltuya_client_close(ltuya_client_t *c);
/* Close and wipe the keys. */
void ltuya_client_deinit(ltuya_client_t *c);

#endif
