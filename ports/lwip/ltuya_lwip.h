/*
 * The lwIP port: a non-blocking TCP transport (transport.h) over lwIP's
 * BSD-style socket API, plus the clocks and the random source, for ESP-IDF
 * and any other system that runs lwIP with LWIP_SOCKET=1 (which needs an
 * RTOS, NO_SYS=0).
 *
 * ESP-IDF (ESP_PLATFORM defined): nothing to supply.
 *   now_ms   esp_timer_get_time() / 1000
 *   wall_s   time(NULL): correct once SNTP has set the clock
 *   sleep_ms vTaskDelay(), rounded up to whole ticks
 *   random   esp_fill_random(): true random while Wi-Fi or Bluetooth runs
 *
 * Other lwIP systems: the clock comes from lwIP itself (sys_now(), widened
 * to 64 bits, and sys_msleep()); wall_s is time(NULL) unless a hook is
 * given; there is no random source unless one is given (3.1-3.3 work
 * without one; 3.4 and 3.5 handshakes then fail with LTUYA_ERR_NO_RANDOM).
 *
 *   ltuya_lwip_init(NULL);                     // or &hooks, see below
 *   static ltuya_lwip_tcp_t tcp; static ltuya_transport_t t;
 *   ltuya_lwip_tcp_init(&tcp, &t);
 *   opts.client.transport = &t; opts.client.clock = ltuya_lwip_clock();
 *
 * One transport serves one connection at a time and must be driven from
 * one task at a time (like the client that owns it).
 */
#ifndef LTUYA_LWIP_H
#define LTUYA_LWIP_H

#include <stdint.h>

#include "ltuya/crypto.h"
#include "ltuya/transport.h"

typedef struct {
    int fd; /* lwIP socket, -1 when closed */
} ltuya_lwip_tcp_t;

/* What the application supplies where the port has no source of its own.
 * Valid when zero-initialised; a NULL member keeps the default. */
typedef struct {
    ltuya_random_fn random; /* random bytes (required off ESP-IDF for 3.4 / 3.5) */
    void *random_ctx;
    int64_t (*wall_s)(void); /* Unix seconds; default time(NULL) */
} ltuya_lwip_hooks_t;

/* Install the random hook (ltuya_random_set_hook) and the wall clock.
 * hooks may be NULL. Call once before the first connection. */
void ltuya_lwip_init(const ltuya_lwip_hooks_t *hooks);

/* Fill *t with the TCP transport over *tcp (closed at first), with the
 * non-blocking connect (connect_start / connect_finish; handle() is the lwIP
 * socket number, for lwip_select / lwip_poll). Host names
 * other than dotted IPv4 are resolved with lwip_getaddrinfo() when lwIP
 * has DNS (LWIP_DNS); that lookup is bounded by lwIP's DNS timeout, not by
 * the connect timeout. */
void ltuya_lwip_tcp_init(ltuya_lwip_tcp_t *tcp, ltuya_transport_t *t);

/* Monotonic milliseconds, Unix seconds and a task sleep (see above). */
const ltuya_clock_t *ltuya_lwip_clock(void);

#endif
