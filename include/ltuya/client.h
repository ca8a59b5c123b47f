/*
 * The client: one session (session.h) over one transport (transport.h),
 * with connect and reply timeouts, heartbeats, reconnects with backoff, and
 * errors a person can act on.
 *
 * Blocking form: ltuya_client_call() connects if needed and returns when the
 * request is done or its time is up. Poll-driven form, for event loops:
 * ltuya_client_begin() starts a request, ltuya_client_pump(c, 0) is called
 * when the socket is readable or ltuya_client_deadline() has come, and the
 * result arrives through on_done.
 */
#ifndef LTUYA_CLIENT_H
#define LTUYA_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/session.h"
#include "ltuya/transport.h"
#include "ltuya/export.h"
#include "ltuya/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ltuya_client ltuya_client_t;

typedef struct {
    const char *host;      /* IP address or name; copied */
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
    /* A status push, at any time (views valid during the call). */
    void (*on_push)(void *user, const ltuya_dps_t *dps);
    /* A request started with ltuya_client_begin() ended. */
    void (*on_done)(void *user, ltuya_req_t req, ltuya_status_t st, const ltuya_dps_t *dps);
    ltuya_frame_fn on_frame; /* logging hook (-v) */
    void *user;
    /* Required; not copied: both must outlive the client. */
    const ltuya_transport_t *transport;
    const ltuya_clock_t *clock;
} ltuya_client_opts_t;

struct ltuya_client {
    ltuya_client_opts_t opts; /* as given, with host/dev_id/cid pointing at the copies below */
    char host[LTUYA_MAX_HOST + 1];
    char dev_id[LTUYA_MAX_ID + 1];
    char cid[LTUYA_MAX_ID + 1];
    ltuya_session_t session; /* holds the local key */
    bool connected;
    bool waiting; /* a request (blocking or begun) is in flight */
    bool result_has_dps;
    uint16_t frames_sent; /* on this connection (saturating) */
    uint16_t frames_seen; /* valid frames received on this connection (saturating) */
    ltuya_req_t req;
    ltuya_status_t result;
    ltuya_dps_t *result_dps; /* where a status reply is copied (may be NULL) */
    char device_error[LTUYA_MAX_DEVICE_ERROR + 1];
    bool stale; /* a request went unanswered: its reply may still come */
    /* reconnects */
    uint32_t backoff_ms;
    uint64_t last_connect_ms; /* when the current or last connection was attempted */
    uint32_t rng;
    uint64_t next_connect_ms;
};

/* ltuya_client_init() (below) calls this with the application's view of the
 * configuration (version.h): LTUYA_ERR_CONFIG_MISMATCH when config_id or
 * client_size differ from the library's (built with other config.h limits). */
LTUYA_API ltuya_status_t ltuya_client_init_abi(ltuya_client_t *c, const ltuya_client_opts_t *opts,
                                               uint8_t *rx, size_t rx_cap, uint8_t *tx,
                                               size_t tx_cap, uint32_t config_id,
                                               size_t client_size);
/* LTUYA_ERR_INVALID_ARG for a missing host/id/transport/clock or a key that
 * is not 16 characters, LTUYA_ERR_UNSUPPORTED_VERSION for a bad version,
 * LTUYA_ERR_CONFIG_MISMATCH (see above). */
static inline ltuya_status_t ltuya_client_init(ltuya_client_t *c, const ltuya_client_opts_t *opts,
                                               uint8_t *rx, size_t rx_cap, uint8_t *tx,
                                               size_t tx_cap)
{
    return ltuya_client_init_abi(c, opts, rx, rx_cap, tx, tx_cap, LTUYA_CONFIG_ID,
                                 sizeof(ltuya_client_t));
}

/* Connect (TCP, then the 3.4/3.5 handshake). Errors: LTUYA_ERR_REFUSED
 * (nothing listens: wrong IP/port, device off), LTUYA_ERR_UNREACHABLE,
 * LTUYA_ERR_TIMEOUT (no TCP answer), LTUYA_ERR_WRONG_KEY, LTUYA_ERR_NO_REPLY
 * (handshake unanswered), LTUYA_ERR_REJECTED / LTUYA_ERR_CONN_LIMIT (see
 * ltuya_client_call). */
LTUYA_API ltuya_status_t ltuya_client_connect(ltuya_client_t *c);

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
 * Reconnects, blocking or pumped, keep a backoff: after a lost connection or
 * a failed connect, the next attempt comes no sooner than B +-25 % after the
 * lost one was attempted, B = LTUYA_BACKOFF_MIN_MS doubling with each attempt
 * in a row that did not get ready, up to LTUYA_BACKOFF_MAX_MS. A blocking call
 * sleeps (clock.sleep_ms) until then, so it can take that much longer. */
LTUYA_API ltuya_status_t ltuya_client_call(ltuya_client_t *c, ltuya_req_t req,
                                           const ltuya_dp_t *dps, size_t n, ltuya_dps_t *out);

/* Poll-driven: start a request (connecting first if needed, blocking for
 * the connect only); the end comes through opts.on_done. */
LTUYA_API ltuya_status_t ltuya_client_begin(ltuya_client_t *c, ltuya_req_t req,
                                            const ltuya_dp_t *dps, size_t n);

/* Do the work that is due: wait up to wait_ms for data, read, send, run the
 * timers, reconnect (with backoff) when keep-alive and disconnected. */
LTUYA_API ltuya_status_t ltuya_client_pump(ltuya_client_t *c, uint32_t wait_ms, bool reconnect);

/* When pump must run next, in the clock's milliseconds. */
LTUYA_API uint64_t ltuya_client_deadline(const ltuya_client_t *c);

LTUYA_API const char *ltuya_client_device_error(const ltuya_client_t *c);

LTUYA_API void ltuya_client_close(ltuya_client_t *c);
/* Close and wipe the keys. */
LTUYA_API void ltuya_client_deinit(ltuya_client_t *c);

#ifdef __cplusplus
}
#endif

#endif
