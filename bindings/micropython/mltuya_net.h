/*
 * The module's port: ltuya's transport, clocks and random source built on
 * MicroPython's own modules (socket, time, os), so the module runs
 * on every MicroPython port that has a network, whatever its network stack
 * (lwIP without sockets on rp2, ESP-IDF's sockets on esp32, POSIX on unix).
 *
 * Sockets are MicroPython socket objects used through the stream protocol
 * (non-blocking read/write, MP_STREAM_POLL), so moving bytes raises and
 * allocates nothing; waits ask the socket's readiness between 1 ms
 * time.sleep_ms() calls (the port's event hook runs in them).
 * connect() is the socket's blocking connect with a timeout.
 *
 * Exceptions never cross the C core: each call into Python is protected.
 * A network error becomes a status; any other exception (KeyboardInterrupt,
 * MemoryError) ends the call as LTUYA_ERR_IO and is kept in `pending`, for
 * the module to raise once the core has returned (mltuya_net_check).
 */
#ifndef MLTUYA_NET_H
#define MLTUYA_NET_H

#include "mltuya_compat.h"

#include "ltuya/crypto.h"
#include "ltuya/transport.h"

typedef struct {
    mp_obj_t sock;                 /* the connected socket, or MP_OBJ_NULL */
    mp_obj_t addr;                 /* the peer's address as this port's connect() takes it */
    mp_obj_t family;               /* its address family */
    mp_obj_t pending;              /* an exception that is not a network error, or MP_OBJ_NULL */
    mp_obj_t socket_mod, time_mod; /* imported once */
    int last_errno;                /* of the last failed socket call, for the message */
    bool epoch_known, epoch_2000;  /* the port's time.time() counts from 2000 */
    /* the clock: ticks_ms() widened to 64 bits, Unix time taken at connect */
    uint32_t ticks_last;
    uint64_t ticks_high;
    int64_t wall_base_s;
    uint64_t wall_base_ms;
    ltuya_clock_t clock;
} mltuya_net_t;

/* Fill *t (transport) and net->clock; nothing is connected yet. Allocates
 * nothing. Raises if the port has no socket module. */
void mltuya_net_init(mltuya_net_t *net, ltuya_transport_t *t);

/* Install ltuya's random source (the 3.4/3.5 session nonce, the 3.5 frame
 * nonces): mbedTLS's CTR_DRBG seeded from os.urandom(). Safe to call more
 * than once. */
void mltuya_net_random_init(void);

/* Raise the pending exception, if any (call after each core call). */
void mltuya_net_check(mltuya_net_t *net);

/* Close the socket (the transport's close). */
void mltuya_net_close(mltuya_net_t *net);

#endif
