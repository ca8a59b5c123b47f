/*
 * One connection's protocol state, without I/O: bytes in, bytes out, time as
 * an argument. The 3.4/3.5 handshake, sequence numbers, request/reply
 * matching, status pushes, heartbeats and the device22 fallback live here;
 * client.h drives it over a socket.
 *
 *   ltuya_session_init(&s, &opts, rx, sizeof rx, tx, sizeof tx);
 *   ltuya_session_start(&s, now);                 // after the TCP connect
 *   loop:
 *     send ltuya_session_output() bytes, then ltuya_session_output_done(n)
 *     feed received bytes with ltuya_session_input()
 *     call ltuya_session_tick() at ltuya_session_deadline()
 *     events arrive through opts.on_event, synchronously, inside these calls
 *
 * Replies are matched by command and order, never by sequence number (3.4/3.5
 * devices count on their own). One user request is outstanding at a time
 * (LTUYA_ERR_BUSY otherwise); a heartbeat may be outstanding beside it.
 * A failed session is not renegotiated: make a new one on a new connection.
 */
#ifndef LTUYA_SESSION_H
#define LTUYA_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/frame.h"
#include "ltuya/json.h"

typedef enum {
    LTUYA_REQ_NONE = 0,
    LTUYA_REQ_STATUS,    /* DP_QUERY / DP_QUERY_NEW / device22 CONTROL_NEW with nulls */
    LTUYA_REQ_SET,       /* CONTROL / CONTROL_NEW */
    LTUYA_REQ_REFRESH,   /* UPDATEDPS 0x12 */
    LTUYA_REQ_HEARTBEAT, /* HEART_BEAT */
} ltuya_req_t;

typedef enum {
    LTUYA_EV_READY,  /* the connection can carry requests (after the handshake on 3.4/3.5) */
    LTUYA_EV_DONE,   /* the outstanding request ended: status, and dps for a status request */
    LTUYA_EV_PUSH,   /* the device reported DPs on its own (cmd 8), at any time */
    LTUYA_EV_FAILED, /* the session is dead (wrong key, heartbeat lost, ...): reconnect */
} ltuya_event_type_t;

typedef struct {
    ltuya_event_type_t type;
    ltuya_req_t req;          /* DONE: which request */
    ltuya_status_t status;    /* DONE / FAILED */
    const ltuya_dps_t *dps;   /* DONE (status, refresh) / PUSH; valid during the callback */
    const char *device_error; /* the device's error text with LTUYA_ERR_DEVICE, else NULL */
    size_t device_error_len;
} ltuya_event_t;

typedef void (*ltuya_event_fn)(void *user, const ltuya_event_t *ev);

/* Raw frame hook for logging. Outgoing frames: once, as sent. Incoming
 * frames: twice, first as received (st == LTUYA_NEED_MORE, f NULL, raw the
 * wire bytes), then after decoding (f NULL when decoding failed; raw may have
 * been decrypted in place by then). Keys are never passed. */
typedef void (*ltuya_frame_fn)(void *user, bool outgoing, const uint8_t *raw, size_t len,
                               const ltuya_frame_t *f, ltuya_status_t st);

typedef struct {
    ltuya_version_t version;
    /* dev_id, cid and device22_dps are not copied (the client keeps the
     * copies): they must stay valid and unchanged while the session lives. */
    const char *dev_id;           /* at most LTUYA_MAX_ID characters */
    const char *cid;              /* sub-device node id, or NULL */
    const uint8_t *local_key;     /* 16 bytes; copied, wiped by deinit */
    uint32_t reply_timeout_ms;    /* 0 = LTUYA_DEFAULT_REPLY_TIMEOUT_MS */
    uint32_t heartbeat_ms;        /* 0 = LTUYA_DEFAULT_HEARTBEAT_MS; UINT32_MAX = never */
    bool device22;                /* query with CONTROL_NEW + null DPs from the start */
    const uint16_t *device22_dps; /* DP ids for device22 queries (NULL = 1..30 and energy) */
    size_t device22_count;
    uint64_t header_on;     /* bit c: always send the version header on cmd c (< 64) */
    uint64_t header_off;    /* bit c: never send it on cmd c */
    uint8_t header_version; /* "3.x" digits in the header, 0 = the version's own */
    ltuya_event_fn on_event;
    ltuya_frame_fn on_frame;
    int64_t (*wall_s)(void *user); /* Unix time for the "t" fields (NULL: 0) */
    void *user;
} ltuya_session_opts_t;

typedef enum {
    LTUYA_SESSION_IDLE = 0,
    LTUYA_SESSION_HANDSHAKE,
    LTUYA_SESSION_READY,
    LTUYA_SESSION_FAILED,
} ltuya_session_state_t;

typedef struct {
    ltuya_session_opts_t opts;
    uint8_t local_key[LTUYA_KEY_LEN];
    uint8_t session_key[LTUYA_KEY_LEN];
    uint8_t lc[16];
    ltuya_session_state_t state;
    bool device22;
    bool got_frame; /* any valid frame on this connection */
    uint32_t seq;   /* last sequence number sent */
    ltuya_reasm_t rx;
    uint8_t *tx;
    size_t tx_cap, tx_len, tx_off;
    /* the outstanding user request */
    ltuya_req_t req;
    uint32_t req_cmd;      /* reply command that completes it */
    bool req_acked;        /* a write was acknowledged, waiting for nothing more */
    bool resend_query;     /* switched to device22: ask again once the reply is handled */
    bool refresh_by_query; /* a refresh went unanswered: a status query stands in for it */
    bool key_settling;     /* 3.4/3.5: no frame has verified under the session key yet */
    uint64_t req_deadline;
    /* heartbeat */
    bool hb_pending;
    uint64_t hb_deadline;
    uint64_t last_tx_ms;
    uint64_t hs_deadline;
} ltuya_session_t;

void ltuya_session_init(ltuya_session_t *s, const ltuya_session_opts_t *opts, uint8_t *rx,
                        size_t rx_cap, uint8_t *tx, size_t tx_cap);

/* Forget the connection (state, keys, buffers, timers) to start over on a
 * new one; keeps the options, the local key and a learnt device22 mode. */
void ltuya_session_reset(ltuya_session_t *s);

/* Call once the TCP connection is up: 3.4/3.5 queue the handshake, other
 * versions are ready at once (LTUYA_EV_READY is emitted). */
ltuya_status_t ltuya_session_start(ltuya_session_t *s, uint64_t now_ms);

/* Start a request. dps/n: the DPs to set (SET) or whose ids to refresh
 * (REFRESH; n = 0 refreshes 18, 19, 20). LTUYA_ERR_BUSY if one is outstanding,
 * LTUYA_ERR_BAD_STATE before READY, LTUYA_ERR_BUF_TOO_SMALL if the frame does
 * not fit the transmit buffer. */
ltuya_status_t ltuya_session_request(ltuya_session_t *s, ltuya_req_t req, const ltuya_dp_t *dps,
                                     size_t n, uint64_t now_ms);

/* Refresh (UPDATEDPS) by DP id, without building an ltuya_dp_t per id:
 * n = 0 refreshes 18, 19, 20; ids past LTUYA_MAX_REFRESH are ignored.
 * Errors as ltuya_session_request(). */
ltuya_status_t ltuya_session_refresh(ltuya_session_t *s, const uint16_t *ids, size_t n,
                                     uint64_t now_ms);

/* Bytes waiting to be sent (0 if none), and how many were sent. */
size_t ltuya_session_output(const ltuya_session_t *s, const uint8_t **data);
void ltuya_session_output_done(ltuya_session_t *s, size_t n);

/* Bytes received. Events fire from inside. Returns LTUYA_OK, or the error
 * that failed the session (it also emits LTUYA_EV_FAILED). */
ltuya_status_t ltuya_session_input(ltuya_session_t *s, const uint8_t *data, size_t n,
                                   uint64_t now_ms);

/* The same without a copy or a buffer of the caller's: receive straight
 * into the space rx_space() returns (never 0 bytes once the frames before
 * were handled), then rx_commit() the count actually received. */
uint8_t *ltuya_session_rx_space(ltuya_session_t *s, size_t *room);
ltuya_status_t ltuya_session_rx_commit(ltuya_session_t *s, size_t n, uint64_t now_ms);

/* Timers: reply timeouts and heartbeats. Same return as input. */
ltuya_status_t ltuya_session_tick(ltuya_session_t *s, uint64_t now_ms);

/* When tick must run next (UINT64_MAX: no timer pending). */
uint64_t ltuya_session_deadline(const ltuya_session_t *s);

static inline bool ltuya_session_ready(const ltuya_session_t *s)
{
    return s->state == LTUYA_SESSION_READY;
}
static inline bool ltuya_session_busy(const ltuya_session_t *s)
{
    return s->req != LTUYA_REQ_NONE;
}

/* Wipe the keys. */
void ltuya_session_deinit(ltuya_session_t *s);

#endif
