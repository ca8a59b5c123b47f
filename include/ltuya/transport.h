/*
 * The transport and platform hooks: the only way the client reaches the
 * network and the clock. ports/posix and ports/lwip provide them; tests may
 * provide their own.
 *
 * Contract (as in coreMQTT's transport interface):
 *  - connect() blocks for at most timeout_ms and returns LTUYA_OK,
 *    LTUYA_ERR_REFUSED, LTUYA_ERR_UNREACHABLE, LTUYA_ERR_TIMEOUT or LTUYA_ERR_IO.
 *  - send() and recv() never block. They return the number of bytes moved
 *    (> 0), 0 for "try again later" (never 0 for a closed connection), or a
 *    negated ltuya_status_t: -LTUYA_ERR_CLOSED when the peer closed the
 *    connection in order, -LTUYA_ERR_RESET when it reset it, -LTUYA_ERR_IO
 *    otherwise.
 *  - wait() blocks until the connection is readable (or writable when
 *    want_write is true) or timeout_ms passed: LTUYA_OK when ready,
 *    LTUYA_ERR_TIMEOUT when not, another error on failure.
 *  - close() may be called on a closed transport; it is then a no-op.
 */
#ifndef LTUYA_TRANSPORT_H
#define LTUYA_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ltuya_transport {
    void *ctx;
    ltuya_status_t (*connect)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
    int (*send)(void *ctx, const uint8_t *buf, size_t len);
    int (*recv)(void *ctx, uint8_t *buf, size_t len);
    ltuya_status_t (*wait)(void *ctx, bool want_write, uint32_t timeout_ms);
    void (*close)(void *ctx);
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

#ifdef __cplusplus
}
#endif

#endif
