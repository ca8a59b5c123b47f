/*
 * UDP discovery: reading device beacons (UDP 6666/6667, and 3.5 answers on
 * 7000) and building the 3.5 discovery request (cmd 0x25 to UDP 7000). Pure:
 * the sockets are the caller's (tools/ltuya/scan.c on POSIX).
 *
 *   3.1          55AA, cmd 0, plaintext JSON                   (UDP 6666)
 *   3.2 / 3.3    55AA, cmd 0x13, AES-ECB with the UDP key      (UDP 6667)
 *   3.4          55AA, cmd 0x23, AES-ECB with the UDP key      (UDP 6667)
 *   3.5          6699, cmd 0x13, AES-GCM with the UDP key      (UDP 6667, or the 7000 answer)
 */
#ifndef LTUYA_DISCOVERY_H
#define LTUYA_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/frame.h"

#define LTUYA_UDP_PORT_31 6666
#define LTUYA_UDP_PORT 6667
#define LTUYA_UDP_PORT_35 7000

/* MD5("yGAdlopoPVldABfn"), the fixed key of discovery datagrams. */
extern const uint8_t ltuya_udp_key[16];

typedef struct {
    char id[LTUYA_MAX_ID + 1];   /* "gwId" */
    char ip[40];
    char version[8];             /* "3.3" as announced: use it to choose the protocol */
    char product_key[32];
    int active;                  /* 2 = bound to an account */
    ltuya_version_t frame;       /* how the beacon itself was framed (V33 for 55AA, V35) */
    uint32_t cmd;
} ltuya_beacon_t;

/* Decode one datagram in place. LTUYA_ERR_NOT_FOUND if it decodes but has
 * no "gwId"; the frame and JSON errors otherwise (a datagram that is not a
 * whole frame is LTUYA_ERR_TRUNCATED or LTUYA_ERR_BAD_PREFIX). */
ltuya_status_t ltuya_discovery_parse(uint8_t *datagram, size_t len, ltuya_beacon_t *out);

/* The 3.5 request {"from":"app","ip":IP} as a 6699 frame, seq 0, cmd 0x25.
 * nonce may be NULL (12 bytes from ltuya_random). */
ltuya_status_t ltuya_discovery_request(const char *reply_ip, const uint8_t *nonce, uint8_t *buf,
                                       size_t cap, size_t *len);

/* A device beacon (the simulator's, or a device's reply): the JSON is
 * encrypted as `frame_version` announces it. */
ltuya_status_t ltuya_discovery_beacon(ltuya_version_t v, const char *json, size_t json_len,
                                      const uint8_t *nonce, uint8_t *buf, size_t cap,
                                      size_t *len);

#endif
