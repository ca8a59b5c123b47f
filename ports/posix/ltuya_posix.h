/*
 * The POSIX port: a non-blocking TCP transport (transport.h), the clocks and
 * the random source for Linux and other POSIX hosts.
 *
 *   ltuya_posix_init();                       // random bytes from getrandom()
 *   ltuya_posix_tcp_t tcp; ltuya_transport_t t;
 *   ltuya_posix_tcp_init(&tcp, &t);
 *   opts.transport = &t; opts.clock = ltuya_posix_clock();
 */
#ifndef LTUYA_POSIX_H
#define LTUYA_POSIX_H

#include "ltuya/transport.h"

typedef struct {
    int fd; /* -1 when closed */
} ltuya_posix_tcp_t;

/* Install getrandom() as the random hook. Safe to call more than once. */
void ltuya_posix_init(void);

/* Fill *t with the TCP transport over *tcp (closed at first), with the
 * non-blocking connect (connect_start / connect_finish / handle: the fd).
 * Numeric addresses (IPv4, IPv6) never block. A host name is resolved with
 * getaddrinfo() inside connect_start, synchronously: bounded by the system
 * resolver's timeout and attempts (resolv.conf), not by the connect
 * timeout, whose clock starts after the lookup. Event loops (ltuya_engine)
 * should pass addresses; the tools resolve names with a bound first. */
void ltuya_posix_tcp_init(ltuya_posix_tcp_t *tcp, ltuya_transport_t *t);

/* Monotonic milliseconds and Unix seconds. */
const ltuya_clock_t *ltuya_posix_clock(void);

#endif
