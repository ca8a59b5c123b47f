/*
 * The engine: many devices driven from one thread, without blocking.
 *
 * An engine is a list of devices. Each device (an ltuya_device_t from
 * device.h, used only through the engine once added) gets an
 * ltuya_engine_dev_t beside it that holds its asynchronous state: a command
 * queue, the write pacing and the proof of writes. Both structs belong to
 * the caller (static, arrays, or its own allocator); the engine never
 * allocates and does no I/O of its own (the device's transport does).
 *
 * Requests (status, set, refresh, heartbeat) are queued per device and end
 * exactly once through a callback with the caller's cookie. The queue sends
 * one request at a time; writes are spaced by a minimum interval (devices
 * reboot when flooded), and a write queued behind another unsent write is
 * merged into it (the later value of a DP wins; both callbacks fire when the
 * merged write ends).
 *
 * The readiness loop, the libmosquitto model, for poll()/select() or any
 * event library (tools/common/ltuya_uv.h does it over libuv):
 *
 *   for (ltuya_engine_dev_t *ed = ltuya_engine_first(&e); ed; ed = ltuya_engine_next(ed)) {
 *       int fd = ltuya_engine_dev_socket(ed);          // -1: nothing to poll now
 *       if (fd >= 0) add fd with POLLIN | (ltuya_engine_dev_want_write(ed) ? POLLOUT : 0);
 *   }
 *   poll(fds, n, until ltuya_engine_next_deadline(&e));
 *   for each ready fd: ltuya_engine_dev_on_readable(ed, now) / _on_writable(ed, now)
 *   ltuya_engine_run_timers(&e, now);                 // every device whose deadline came
 *
 * Threading rule: one engine per thread. Every call on an engine, on its
 * devices and on their ltuya_device_t / ltuya_client_t is made from the
 * thread that drives it; callbacks run inside those calls, on that thread,
 * and may submit or cancel requests (on any device of the engine) but must
 * not remove the device they are called for. There are no locks inside;
 * several engines on several threads share nothing.
 *
 * Host names: the engine connects to addresses. Resolve names before
 * ltuya_device_init (the tools do it with a bound through libuv).
 */
#ifndef LTUYA_ENGINE_H
#define LTUYA_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/client.h"
#include "ltuya/device.h"

/* Requests a device can hold queued (the one in flight included). */
#ifndef LTUYA_ENGINE_QUEUE
#define LTUYA_ENGINE_QUEUE 4
#endif
/* DPs one queued write carries (after merging). */
#ifndef LTUYA_ENGINE_SET_DPS
#define LTUYA_ENGINE_SET_DPS 8
#endif
/* Callbacks one queued request can carry (merged writes add theirs). */
#ifndef LTUYA_ENGINE_WAITERS
#define LTUYA_ENGINE_WAITERS 4
#endif
/* Default minimum time between two writes to one device. */
#ifndef LTUYA_ENGINE_MIN_WRITE_INTERVAL_MS
#define LTUYA_ENGINE_MIN_WRITE_INTERVAL_MS 200
#endif
/* Default time to wait for the status push that proves a write. */
#ifndef LTUYA_ENGINE_CONFIRM_MS
#define LTUYA_ENGINE_CONFIRM_MS 1000
#endif

typedef struct ltuya_engine ltuya_engine_t;
typedef struct ltuya_engine_dev ltuya_engine_dev_t;

typedef enum {
    LTUYA_OP_NONE = 0,
    LTUYA_OP_STATUS,
    LTUYA_OP_SET,
    LTUYA_OP_REFRESH,
    LTUYA_OP_HEARTBEAT,
} ltuya_op_t;

/* What proves a write (ltuya_engine_result_t.proof). An acknowledgement
 * alone proves nothing: devices built on Tuya's own SDK acknowledge writes
 * they reject and drop them (protocol.md 4.4, 7). */
typedef enum {
    LTUYA_PROOF_NONE = 0,    /* not a write, or it failed */
    LTUYA_PROOF_ACKED,       /* acknowledged only: no report of the written DPs came */
    LTUYA_PROOF_CONFIRMED,   /* a push or status read reported every written DP with the
                                value written */
    LTUYA_PROOF_CONTRADICTED /* a report showed a written DP with another value: the
                                device rejected or changed it */
} ltuya_proof_t;

/* How hard a write looks for its proof. Zero-initialised options ask for
 * the most (READ). */
typedef enum {
    LTUYA_CONFIRM_READ = 0, /* wait confirm_ms for a push, then read the status */
    LTUYA_CONFIRM_PUSH,     /* wait confirm_ms for a push, else ACKED */
    LTUYA_CONFIRM_NONE,     /* end at the acknowledgement (CONFIRMED only if a push
                               came before it) */
} ltuya_confirm_t;

typedef struct {
    ltuya_op_t op;
    ltuya_status_t status;    /* LTUYA_OK, LTUYA_ERR_CANCELLED, or the request's error */
    ltuya_proof_t proof;      /* SET only */
    const ltuya_dps_t *dps;   /* STATUS / REFRESH reply (NULL if none); valid during
                                 the callback only; the device's cache has it too */
    const char *device_error; /* the device's text with LTUYA_ERR_DEVICE, else "" */
} ltuya_engine_result_t;

/* A request ended. Runs inside an engine call, on the engine's thread. */
typedef void (*ltuya_engine_done_fn)(void *cookie, ltuya_engine_dev_t *ed,
                                     const ltuya_engine_result_t *r);

typedef struct {
    uint32_t min_write_interval_ms; /* 0 = LTUYA_ENGINE_MIN_WRITE_INTERVAL_MS */
    uint32_t confirm_ms;            /* 0 = LTUYA_ENGINE_CONFIRM_MS */
    ltuya_confirm_t confirm;
    /* Stay connected (heartbeats; reconnect with backoff after a loss) from
     * the first request or ltuya_engine_dev_open() on. Without it a device
     * connects when a request is queued and closes when its queue is empty. */
    bool keep_alive;
    /* Status pushes (the cache is already updated); may be NULL. */
    void (*on_push)(void *user, ltuya_engine_dev_t *ed, const ltuya_dps_t *dps);
    /* Connection state changes (client.h); may be NULL. */
    void (*on_state)(void *user, ltuya_engine_dev_t *ed, ltuya_client_state_t state,
                     ltuya_status_t why);
    void *user;
} ltuya_engine_dev_opts_t;

/* ---- internals (read through the functions below) ---------------------- */

typedef struct {
    ltuya_engine_done_fn fn;
    void *cookie;
} ltuya_engine_waiter_t;

typedef struct {
    uint8_t op;      /* ltuya_op_t */
    uint8_t n;       /* dps used (SET, REFRESH) */
    uint8_t waiters; /* entries used in w[] */
    ltuya_dp_t dps[LTUYA_ENGINE_SET_DPS];
    ltuya_engine_waiter_t w[LTUYA_ENGINE_WAITERS];
} ltuya_engine_slot_t;

struct ltuya_engine_dev {
    ltuya_engine_t *engine;
    ltuya_engine_dev_t *next, *prev;
    ltuya_device_t *dev;
    ltuya_engine_dev_opts_t opts;
    ltuya_engine_slot_t q[LTUYA_ENGINE_QUEUE];
    uint8_t q_head, q_len;
    uint8_t phase;         /* of the head request: queued, sent, confirming, reading */
    uint8_t cstate;        /* the client's state as last reported (ltuya_client_state_t) */
    uint8_t busy;          /* inside an engine call on this device: no re-entry into it */
    bool kick;             /* the queue must be looked at (at the end of the call, or now) */
    bool wrote;            /* last_write_ms is valid */
    bool head_orphaned;    /* the head request was cancelled while in flight */
    uint32_t confirmed;    /* bit i: q[head].dps[i] reported with the value written */
    uint32_t contradicted; /* bit i: q[head].dps[i] last reported with another value */
    uint64_t last_write_ms;
    uint64_t confirm_deadline;
};

struct ltuya_engine {
    ltuya_engine_dev_t *head;
    size_t count;
    /* Called when a device's socket, want_write or deadline may have changed
     * outside of a call on that very device (a callback queued work on it, a
     * reconnect): event-loop adapters re-arm their watchers here. May be
     * NULL (a poll() loop re-reads everything each turn anyway). */
    void (*on_interest)(void *user, ltuya_engine_dev_t *ed);
    void *user;
};

/* ---- the engine -------------------------------------------------------- */

/* An empty engine; on_interest may be NULL. */
void ltuya_engine_init(ltuya_engine_t *e, void (*on_interest)(void *user, ltuya_engine_dev_t *ed),
                       void *user);

/* Drive device d (already ltuya_device_init'ed, not connected by the
 * blocking API) through the engine, with ed as its asynchronous state. The
 * device's own on_push/on_done callbacks are replaced by the engine's (use
 * opts.on_push). opts may be NULL. From here on, call no blocking
 * ltuya_device_* / ltuya_client_call on d until ltuya_engine_remove(). */
ltuya_status_t ltuya_engine_add(ltuya_engine_t *e, ltuya_engine_dev_t *ed, ltuya_device_t *d,
                                const ltuya_engine_dev_opts_t *opts);

/* Cancel everything queued (callbacks fire with LTUYA_ERR_CANCELLED), close
 * the connection and take the device out of the engine. Not from inside
 * one of this device's callbacks. */
void ltuya_engine_remove(ltuya_engine_dev_t *ed);

/* Iterate the devices (order of adding): NULL at the end. */
ltuya_engine_dev_t *ltuya_engine_first(const ltuya_engine_t *e);
ltuya_engine_dev_t *ltuya_engine_next(const ltuya_engine_dev_t *ed);
size_t ltuya_engine_count(const ltuya_engine_t *e);

/* Run on_timer for every device whose deadline is at or before now_ms.
 * Returns the engine's next deadline afterwards (UINT64_MAX: none). */
uint64_t ltuya_engine_run_timers(ltuya_engine_t *e, uint64_t now_ms);

/* The earliest deadline of all devices (UINT64_MAX: none). O(devices). */
uint64_t ltuya_engine_next_deadline(const ltuya_engine_t *e);

/* ---- one device's readiness: none of these blocks ----------------------- */

int ltuya_engine_dev_socket(const ltuya_engine_dev_t *ed); /* -1: nothing to poll */
/* See ltuya_client_connection_id(): re-create a watcher when it changes. */
unsigned ltuya_engine_dev_connection_id(const ltuya_engine_dev_t *ed);
bool ltuya_engine_dev_want_write(const ltuya_engine_dev_t *ed);
void ltuya_engine_dev_on_readable(ltuya_engine_dev_t *ed, uint64_t now_ms);
void ltuya_engine_dev_on_writable(ltuya_engine_dev_t *ed, uint64_t now_ms);
void ltuya_engine_dev_on_timer(ltuya_engine_dev_t *ed, uint64_t now_ms);
uint64_t ltuya_engine_dev_deadline(const ltuya_engine_dev_t *ed); /* UINT64_MAX: none */

ltuya_device_t *ltuya_engine_dev_device(const ltuya_engine_dev_t *ed);
void *ltuya_engine_dev_user(const ltuya_engine_dev_t *ed);
/* Requests queued or in flight. */
size_t ltuya_engine_dev_pending(const ltuya_engine_dev_t *ed);

/* Connect now. A keep_alive device stays connected from then on; one
 * without keep_alive lets go again as soon as its queue is empty. */
ltuya_status_t ltuya_engine_dev_open(ltuya_engine_dev_t *ed);
/* Close the connection; queued requests are kept and reconnect it. */
void ltuya_engine_dev_close(ltuya_engine_dev_t *ed);

/* ---- asynchronous requests ------------------------------------------------
 * Each returns LTUYA_OK when queued (fn then fires exactly once, never from
 * inside this call), or an error with fn never called: LTUYA_ERR_BUSY (the
 * queue is full), LTUYA_ERR_INVALID_ARG (n = 0, more than
 * LTUYA_ENGINE_SET_DPS DPs, or fn NULL). The connection is made as needed.
 * String views in dps must stay valid until fn fires (they are sent later). */

ltuya_status_t ltuya_engine_status(ltuya_engine_dev_t *ed, ltuya_engine_done_fn fn, void *cookie);

/* A write. Merged into an unsent write at the tail of the queue when there
 * is one with room for the DPs and the callback; sent no sooner than the
 * device's min_write_interval_ms after the previous write. r->proof says
 * what proves it (see ltuya_confirm_t); status LTUYA_OK means acknowledged. */
ltuya_status_t ltuya_engine_set(ltuya_engine_dev_t *ed, const ltuya_dp_t *dps, size_t n,
                                ltuya_engine_done_fn fn, void *cookie);

/* UPDATEDPS 0x12 for these DP ids (n = 0: the energy DPs). */
ltuya_status_t ltuya_engine_refresh(ltuya_engine_dev_t *ed, const uint16_t *ids, size_t n,
                                    ltuya_engine_done_fn fn, void *cookie);

ltuya_status_t ltuya_engine_heartbeat(ltuya_engine_dev_t *ed, ltuya_engine_done_fn fn,
                                      void *cookie);

/* Cancel every request of this device carrying `cookie`: their callbacks
 * fire now with LTUYA_ERR_CANCELLED. A request already sent cannot be
 * recalled: it runs to its end unseen. DP values a cancelled write merged
 * into a write others still wait for are sent with it. Returns how many
 * callbacks were cancelled. ltuya_engine_cancel_all() cancels every one. */
size_t ltuya_engine_cancel(ltuya_engine_dev_t *ed, const void *cookie);
size_t ltuya_engine_cancel_all(ltuya_engine_dev_t *ed);

#endif
