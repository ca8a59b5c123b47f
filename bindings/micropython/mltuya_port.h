/*
 * Which ltuya port the MicroPython module runs on: the TCP transport, the
 * clocks and the random source come from ports/posix (unix port) or
 * ports/lwip (ESP32). ESP-IDF builds (ESP_PLATFORM) take lwip unless
 * MLTUYA_PORT_POSIX is defined; MLTUYA_PORT_LWIP forces lwip elsewhere.
 * modltuya.c only sees the mltuya_* names below.
 *
 * Under ESP-IDF the lwIP port needs no hooks (esp_timer, esp_fill_random).
 */
#ifndef MLTUYA_PORT_H
#define MLTUYA_PORT_H

#include "ltuya/transport.h"

#if defined(MLTUYA_PORT_LWIP) || (defined(ESP_PLATFORM) && !defined(MLTUYA_PORT_POSIX))
#include "ltuya_lwip.h"
typedef ltuya_lwip_tcp_t mltuya_tcp_t;
#define mltuya_platform_init()  ltuya_lwip_init(NULL)
#define mltuya_tcp_init(tcp, t) ltuya_lwip_tcp_init((tcp), (t))
#define mltuya_clock()          ltuya_lwip_clock()
#define MLTUYA_PORT_NAME        "lwip"
#else
#include "ltuya_posix.h"
typedef ltuya_posix_tcp_t mltuya_tcp_t;
#define mltuya_platform_init()  ltuya_posix_init()
#define mltuya_tcp_init(tcp, t) ltuya_posix_tcp_init((tcp), (t))
#define mltuya_clock()          ltuya_posix_clock()
#define MLTUYA_PORT_NAME        "posix"
#endif

#endif
