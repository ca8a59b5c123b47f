/*
 * UDP discovery on POSIX hosts: listen for device beacons on several ports
 * at once and, only when asked, send the 3.5 discovery request.
 *
 * Listening is passive: nothing is sent until ltuya_posix_discovery_solicit()
 * is called. The sockets use SO_REUSEADDR and SO_REUSEPORT so that other Tuya
 * software on the same host (tinytuya, Home Assistant) can keep its own
 * listeners on 6666/6667/7000. Broadcast beacons reach every such listener;
 * a datagram sent to one address (a 3.5 device's answer) reaches only one of
 * them, so run one scanner at a time when soliciting.
 *
 *   ltuya_posix_discovery_t d;
 *   ltuya_posix_discovery_opts_t o = {0};          // 0.0.0.0, ports 6666 6667 7000
 *   if (ltuya_posix_discovery_open(&d, &o) != LTUYA_OK) ...
 *   ltuya_posix_discovery_solicit(&d, "192.168.1.255", 0, NULL); // optional, 3.5
 *   ltuya_beacon_t b;
 *   while (... time left ...)
 *       if (ltuya_posix_discovery_recv(&d, 500, &b, NULL) == LTUYA_OK) ... b.id, b.ip
 *   ltuya_posix_discovery_close(&d);
 */
#ifndef LTUYA_DISCOVERY_POSIX_H
#define LTUYA_DISCOVERY_POSIX_H

#include <stddef.h>
#include <stdint.h>

#include "ltuya/discovery.h"
#include "ltuya/status.h"
#include "ltuya/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTUYA_POSIX_DISCOVERY_MAX_PORTS 8

/* Valid when zero-initialised. */
typedef struct {
    const char *bind_addr; /* dotted IPv4 to listen on; NULL = "0.0.0.0" (every interface) */
    const uint16_t *ports; /* NULL = 6666, 6667, 7000; a 0 entry takes a free port */
    size_t port_count;     /* entries in ports (at most LTUYA_POSIX_DISCOVERY_MAX_PORTS) */
} ltuya_posix_discovery_opts_t;

typedef struct {
    int fd[LTUYA_POSIX_DISCOVERY_MAX_PORTS];        /* -1: not listening */
    uint16_t port[LTUYA_POSIX_DISCOVERY_MAX_PORTS]; /* as bound (a 0 request becomes the
                                                       port the system chose) */
    int error[LTUYA_POSIX_DISCOVERY_MAX_PORTS];     /* errno of a port that failed, else 0 */
    size_t count;                                   /* ports requested */
    size_t next;                                    /* where the next recv starts looking */
    char bind_addr[16];
} ltuya_posix_discovery_t;

/* Where a datagram came from. */
typedef struct {
    char addr[16];       /* sender, dotted IPv4 */
    uint16_t port;       /* sender's port */
    uint16_t local_port; /* our port it arrived on */
} ltuya_posix_datagram_src_t;

/* Bind one UDP socket per port. LTUYA_OK when at least one port listens (a
 * port that could not be bound has fd -1 and its errno in error[]);
 * LTUYA_ERR_INVALID_ARG for a bad address or port list; LTUYA_ERR_IO when no
 * port could be bound (d is then closed). */
LTUYA_API ltuya_status_t ltuya_posix_discovery_open(ltuya_posix_discovery_t *d,
                                                    const ltuya_posix_discovery_opts_t *opts);

/* Wait up to timeout_ms for one datagram on any port and parse it.
 * LTUYA_OK: *out holds a beacon; when the beacon names no "ip", the sender's
 * address is filled in. LTUYA_ERR_TIMEOUT: nothing arrived. Any status of
 * ltuya_discovery_parse(): a datagram arrived that is not a beacon (src still
 * says where from; callers usually count it and go on).
 * LTUYA_ERR_FRAME_TOO_LARGE: a datagram over LTUYA_MAX_FRAME. LTUYA_ERR_IO on
 * a socket error. src may be NULL. */
LTUYA_API ltuya_status_t ltuya_posix_discovery_recv(ltuya_posix_discovery_t *d, uint32_t timeout_ms,
                                                    ltuya_beacon_t *out,
                                                    ltuya_posix_datagram_src_t *src);

/* Send the 3.5 request to addr:port (port 0 = 7000), asking devices to
 * answer to reply_ip (NULL = ltuya_posix_discovery_reply_ip()). It leaves
 * from our socket on port 7000 if we listen there, else from the last open
 * one, so an answer sent back to the request's source port is heard too.
 * On a LAN, addr is the subnet's broadcast address (e.g. 192.168.1.255); this
 * call enables SO_BROADCAST on that socket. LTUYA_OK;
 * LTUYA_ERR_INVALID_ARG (addr or reply_ip not dotted IPv4); LTUYA_ERR_BAD_STATE
 * (nothing open); LTUYA_ERR_UNREACHABLE (no route); LTUYA_ERR_IO (e.g.
 * sending to a LAN address from a socket bound to 127.0.0.1). */
LTUYA_API ltuya_status_t ltuya_posix_discovery_solicit(ltuya_posix_discovery_t *d, const char *addr,
                                                       uint16_t port, const char *reply_ip);

/* The address devices should answer to: the bound address if it is a
 * specific one, else the local address the system would use to reach addr. */
LTUYA_API ltuya_status_t ltuya_posix_discovery_reply_ip(const ltuya_posix_discovery_t *d,
                                                        const char *addr, char *out, size_t cap);

/* The local IPv4 address the routing table picks to reach addr (found by
 * connecting a UDP socket, which sends nothing). LTUYA_ERR_INVALID_ARG for a
 * bad address or cap < 16, LTUYA_ERR_UNREACHABLE when there is no route. */
LTUYA_API ltuya_status_t ltuya_posix_local_ip_for(const char *addr, char *out, size_t cap);

/* Close every socket; safe to call twice. */
LTUYA_API void ltuya_posix_discovery_close(ltuya_posix_discovery_t *d);

#ifdef __cplusplus
}
#endif

#endif
