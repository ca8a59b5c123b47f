/*
 * ltuya_uv: the engine (ltuya/engine.h) driven by a libuv loop, for the
 * tools (the CLI's multi-device commands, watch, the MQTT bridge). The
 * library itself does not depend on libuv; only tools link this file.
 *
 * Per device: a uv_poll_t on its socket (re-created with every new
 * connection, since a new socket may reuse the old number) with
 * UV_WRITABLE only while the device wants it, and a uv_timer_t on its next
 * deadline. Both are re-armed after every call into the device and from
 * the engine's on_interest hook (work queued from another device's
 * callback), so the loop sleeps until something is due.
 *
 *   ltuya_uv_t u;  ltuya_uv_init(&u, uv_default_loop());
 *   ltuya_uv_dev_t *ud = ...;   // caller's memory, one per device
 *   ltuya_device_init(&ud->dev_storage...);  ltuya_uv_add(&u, ud, &dev, &opts);
 *   ltuya_engine_status(&ud->ed, done, cookie);
 *   uv_run(u.loop, UV_RUN_DEFAULT);       // returns when nothing is pending
 *   ltuya_uv_remove(ud);  ...  uv_run(u.loop, UV_RUN_DEFAULT);  // let the handles close
 *
 * One ltuya_uv_t per loop and thread (the engine's threading rule).
 */
#ifndef LTUYA_UV_H
#define LTUYA_UV_H

#include <uv.h>

#include "ltuya/engine.h"

typedef struct ltuya_uv ltuya_uv_t;

typedef struct ltuya_uv_dev {
    ltuya_engine_dev_t ed; /* first: the adapter finds itself from the engine's pointer */
    ltuya_uv_t *owner;
    uv_timer_t timer;
    uv_poll_t *poll; /* NULL when no socket is watched */
    int fd;
    unsigned conn_id;
    int events;                                 /* what poll watches now */
    bool timer_on;                              /* the timer runs */
    bool closing;                               /* removed: waiting for the timer handle to close */
    void (*on_closed)(struct ltuya_uv_dev *ud); /* after remove, once libuv let go */
} ltuya_uv_dev_t;

struct ltuya_uv {
    uv_loop_t *loop;
    ltuya_engine_t engine;
};

void ltuya_uv_init(ltuya_uv_t *u, uv_loop_t *loop);

/* Add a device (ltuya_device_init'ed, with a transport that has a handle,
 * e.g. the POSIX port) to the engine and the loop. 0 or a libuv error. */
int ltuya_uv_add(ltuya_uv_t *u, ltuya_uv_dev_t *ud, ltuya_device_t *d,
                 const ltuya_engine_dev_opts_t *opts);

/* Re-arm the device's watchers (the adapter does it after its own calls;
 * call it after queuing requests from outside a callback if the engine was
 * set up without on_interest, which ltuya_uv_init does set). */
void ltuya_uv_sync(ltuya_uv_dev_t *ud);

/* Take the device out (its queued requests end with LTUYA_ERR_CANCELLED),
 * close its handles; on_closed (may be NULL) runs from the loop once ud
 * may be freed. */
void ltuya_uv_remove(ltuya_uv_dev_t *ud, void (*on_closed)(ltuya_uv_dev_t *ud));

/* ---- names, resolved with a bound ------------------------------------------
 * The engine connects to addresses. This looks a name up on libuv's thread
 * pool (getaddrinfo) and gives up after timeout_ms: cb then gets
 * LTUYA_ERR_TIMEOUT even if the lookup is still running (its late answer is
 * dropped). A numeric address is answered without a lookup. cb runs from the
 * loop, never from inside this call, with the address as text (IPv4 or IPv6)
 * or an error (LTUYA_ERR_UNREACHABLE: the name is unknown). r must stay
 * valid until ltuya_uv_resolve_busy(r) is false (after cb, once libuv has
 * let go of the lookup and the timer). */
typedef struct ltuya_uv_resolve ltuya_uv_resolve_t;
typedef void (*ltuya_uv_resolve_fn)(ltuya_uv_resolve_t *r, ltuya_status_t st, const char *addr);
struct ltuya_uv_resolve {
    uv_getaddrinfo_t req;
    uv_timer_t timer;
    ltuya_uv_resolve_fn cb;
    void *user;
    int busy;      /* libuv handles and requests still out */
    bool answered; /* cb has run */
    char addr[64];
};

int ltuya_uv_resolve(uv_loop_t *loop, ltuya_uv_resolve_t *r, const char *name, uint32_t timeout_ms,
                     ltuya_uv_resolve_fn cb, void *user);
bool ltuya_uv_resolve_busy(const ltuya_uv_resolve_t *r);

/* Milliseconds on the devices' clock (what the engine's deadlines use). */
uint64_t ltuya_uv_now(const ltuya_uv_dev_t *ud);

#endif
