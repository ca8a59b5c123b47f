/*
 * UDP discovery over lwIP sockets: listen for device beacons on several
 * ports and, only when asked, send the 3.5 discovery request. The same
 * calls as ports/posix/ltuya_discovery_posix.h, sized for a microcontroller:
 * the receive buffer lives in the context (declare it static, not on a
 * task's stack) and every socket costs one of lwIP's MEMP_NUM_NETCONN.
 *
 *   static ltuya_lwip_discovery_t d;
 *   if (ltuya_lwip_discovery_open(&d, NULL) != LTUYA_OK) ...   // 6666 6667 7000
 *   ltuya_beacon_t b;
 *   if (ltuya_lwip_discovery_recv(&d, 1000, &b, NULL) == LTUYA_OK) ... b.id, b.ip
 *   ltuya_lwip_discovery_close(&d);
 *
 * With SO_REUSE=1 (CONFIG_LWIP_SO_REUSE on ESP-IDF, on by default) the
 * sockets set SO_REUSEADDR so other listeners on the same ports coexist.
 * With IP_SOF_BROADCAST_RECV they set SO_BROADCAST at once, since lwIP then
 * hides broadcast beacons from sockets without it; otherwise SO_BROADCAST
 * is set only when soliciting.
 */
#ifndef LTUYA_DISCOVERY_LWIP_H
#define LTUYA_DISCOVERY_LWIP_H

#include <stddef.h>
#include <stdint.h>

#include "ltuya/discovery.h"
#include "ltuya/status.h"
#include "ltuya/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTUYA_LWIP_DISCOVERY_MAX_PORTS 4

/* Valid when zero-initialised. */
typedef struct {
    const char *bind_addr; /* dotted IPv4 to listen on; NULL = "0.0.0.0" */
    const uint16_t *ports; /* NULL = 6666, 6667, 7000; a 0 entry takes a free port */
    size_t port_count;     /* entries in ports (at most LTUYA_LWIP_DISCOVERY_MAX_PORTS) */
} ltuya_lwip_discovery_opts_t;

typedef struct {
    int fd[LTUYA_LWIP_DISCOVERY_MAX_PORTS];        /* -1: not listening */
    uint16_t port[LTUYA_LWIP_DISCOVERY_MAX_PORTS]; /* as bound */
    int error[LTUYA_LWIP_DISCOVERY_MAX_PORTS];     /* errno of a port that failed, else 0 */
    size_t count;                                  /* ports requested */
    size_t next;                                   /* where the next recv starts looking */
    char bind_addr[16];
    uint8_t buf[LTUYA_MAX_FRAME + 1]; /* one datagram; +1 to tell an oversized one */
} ltuya_lwip_discovery_t;

/* Where a datagram came from. */
typedef struct {
    char addr[16];       /* sender, dotted IPv4 */
    uint16_t port;       /* sender's port */
    uint16_t local_port; /* our port it arrived on */
} ltuya_lwip_datagram_src_t;

/* As ltuya_posix_discovery_open(): LTUYA_OK when at least one port listens. */
LTUYA_API ltuya_status_t ltuya_lwip_discovery_open(ltuya_lwip_discovery_t *d,
                                                   const ltuya_lwip_discovery_opts_t *opts);

/* As ltuya_posix_discovery_recv(): LTUYA_OK with a beacon in *out,
 * LTUYA_ERR_TIMEOUT, a parse status for a datagram that is no beacon,
 * LTUYA_ERR_FRAME_TOO_LARGE, or LTUYA_ERR_IO. src may be NULL. */
LTUYA_API ltuya_status_t ltuya_lwip_discovery_recv(ltuya_lwip_discovery_t *d, uint32_t timeout_ms,
                                                   ltuya_beacon_t *out,
                                                   ltuya_lwip_datagram_src_t *src);

/* Send the 3.5 request to addr:port (port 0 = 7000; on a LAN addr is the
 * subnet's broadcast address), asking devices to answer to reply_ip, which
 * is required here (the station's own address, e.g. from esp_netif). */
LTUYA_API ltuya_status_t ltuya_lwip_discovery_solicit(ltuya_lwip_discovery_t *d, const char *addr,
                                                      uint16_t port, const char *reply_ip);

/* Close every socket; safe to call twice. */
LTUYA_API void ltuya_lwip_discovery_close(ltuya_lwip_discovery_t *d);

#ifdef __cplusplus
}
#endif

#endif
