/*
 * The transport and platform hooks: the only way the client reaches the
 * network and the clock. ports/posix and ports/lwip provide them; tests may
 * provide their own.
 *
 * Contract (as in coreMQTT's transport interface):
 *  - connect() blocks for at most timeout_ms and returns LTUYA_OK,
 *    LTUYA_ERR_REFUSED, LTUYA_ERR_UNREACHABLE, LTUYA_ERR_TIMEOUT or LTUYA_ERR_IO.
 *    Only used when connect_start (below) is NULL; may then be NULL itself
 *    when connect_start is given.
 *  - send() and recv() never block. They return the number of bytes moved
 *    (> 0), 0 for "try again later" (never 0 for a closed connection), or a
 *    negated ltuya_status_t: -LTUYA_ERR_CLOSED when the peer closed the
 *    connection in order, -LTUYA_ERR_RESET when it reset it, -LTUYA_ERR_IO
 *    otherwise.
 *    A negative value that is not a negated error status (a stray -1) is
 *    taken as LTUYA_ERR_IO.
 *  - wait() blocks until the connection is readable (or writable when
 *    want_write is true) or timeout_ms passed: LTUYA_OK when ready,
 *    LTUYA_ERR_TIMEOUT when not, another error on failure.
 *  - close() may be called on a closed transport; it is then a no-op.
 *
 * Non-blocking connection (what event loops and ltuya_engine need; the
 * three members below are optional: a transport without them, e.g. one
 * written before they existed, still works, but then connecting blocks in
 * connect() for up to the connect timeout even in the readiness API):
 *  - connect_start() begins a connection and returns at once: LTUYA_OK when
 *    it is already up (loopback may do that), LTUYA_NEED_MORE when it is in
 *    progress (wait until handle() is writable, then call connect_finish()),
 *    or LTUYA_ERR_REFUSED / LTUYA_ERR_UNREACHABLE / LTUYA_ERR_IO at once.
 *    `host` should be a numeric address: resolving names is the caller's job
 *    (ltuya_uv resolves with a bound in the tools). A port that still accepts
 *    a name there resolves it synchronously, before the connect deadline
 *    starts, and must say so and how long it can take (ports/posix: the
 *    system resolver's own timeout).
 *  - connect_finish() after handle() became writable: LTUYA_OK when the
 *    connection is up, LTUYA_NEED_MORE if it is still in progress (spurious
 *    wake-up), or the error that ended it (LTUYA_ERR_REFUSED, ...). The caller
 *    owns the connect timeout: it calls close() when its deadline passes.
 *  - handle() is what to poll: a POSIX file descriptor or an lwIP socket
 *    number while a connection exists or is being made, -1 otherwise.
 *    It may change with every connection.
 */
#ifndef LTUYA_TRANSPORT_H
#define LTUYA_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/status.h"

typedef struct ltuya_transport {
    void *ctx;
    ltuya_status_t (*connect)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
    int (*send)(void *ctx, const uint8_t *buf, size_t len);
    int (*recv)(void *ctx, uint8_t *buf, size_t len);
    ltuya_status_t (*wait)(void *ctx, bool want_write, uint32_t timeout_ms);
    void (*close)(void *ctx);
    /* Optional (NULL: not supported); appended so that positional
     * initialisers written for the five members above stay valid. */
    ltuya_status_t (*connect_start)(void *ctx, const char *host, uint16_t port);
    ltuya_status_t (*connect_finish)(void *ctx);
    int (*handle)(void *ctx);
} ltuya_transport_t;

/* Clocks. now_ms is monotonic (never goes back); wall_s is Unix time in
 * seconds (for the "t" field; devices do not check it closely); sleep_ms
 * blocks (an RTOS delay on a microcontroller). */
typedef struct ltuya_clock {
    uint64_t (*now_ms)(void *ctx);
    int64_t (*wall_s)(void *ctx);
    void (*sleep_ms)(void *ctx, uint32_t ms); /* waiting out a reconnect backoff */
    void *ctx;
} ltuya_clock_t;

#endif
