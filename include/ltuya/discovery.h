/*
 * UDP discovery: reading the beacons devices send (UDP 6666 / 6667, and the
 * answers of 3.5 devices on 7000) and building the 3.5 discovery request.
 *
 * Pure like the rest of the core: no sockets. ports/posix/ltuya_discovery_posix.h
 * listens and sends on POSIX hosts; on a microcontroller, hand each received
 * datagram to ltuya_discovery_parse().
 *
 *   version     frame  cmd   body                                 port
 *   3.1         55AA   0x00  plaintext JSON                       6666
 *   3.2 / 3.3   55AA   0x13  AES-128-ECB with the UDP key         6667
 *   3.4         55AA   0x23  AES-128-ECB with the UDP key         6667
 *   3.5         6699   0x13  AES-128-GCM with the UDP key:        6667, or 7000 when
 *                            retcode 0 + JSON (some: JSON only)   answering a request
 *   3.5 request 6699   0x25  GCM: {"from":"app","ip":IP}          to 7000; the device
 *                                                                 answers to IP:7000
 *
 * Newer 3.5 firmware sends no beacons at all until it sees the request, so a
 * scan that only listens finds no such device.
 *
 * Example (one datagram already received into buf[0..n)):
 *
 *   ltuya_beacon_t b;
 *   if (ltuya_discovery_parse(buf, n, &b) == LTUYA_OK)
 *       printf("%s at %s speaks %s\n", b.id, b.ip, b.version);
 */
#ifndef LTUYA_DISCOVERY_H
#define LTUYA_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/config.h"
#include "ltuya/frame.h"
#include "ltuya/status.h"
#include "ltuya/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTUYA_UDP_PORT_31 6666 /* 3.1 beacons (plaintext) */
#define LTUYA_UDP_PORT    6667 /* 3.2-3.5 beacons (encrypted) */
#define LTUYA_UDP_PORT_35 7000 /* 3.5 requests, and the devices' answers */

/* Largest request ltuya_discovery_request() builds (a 15-character IPv4 address). */
#define LTUYA_DISCOVERY_REQUEST_MAX 96

/* MD5("yGAdlopoPVldABfn"), the fixed key of every discovery datagram. */
LTUYA_API extern const uint8_t ltuya_udp_key[16];

/* What one beacon says. Every string is NUL-terminated and, apart from `id`,
 * empty when the beacon lacks the field or its value does not fit. The
 * strings are the device's own words: untrusted, not checked for format, so
 * escape them before showing them on a terminal. */
typedef struct {
    char id[LTUYA_MAX_ID + 1]; /* "gwId": the id to use as devId */
    char ip[40];               /* "ip": the device's address as it announces it */
    char version[8];           /* "version", e.g. "3.3": use it to choose the protocol */
    char product_key[40];      /* "productKey" (Tuya's product id) */
    ltuya_version_t protocol;  /* `version` parsed; 0 if absent or not one this build speaks */
    int active;                /* "active": 2 = bound to an account, 0 = not; -1 if absent */
    bool encrypt;              /* "encrypt": true on every known firmware */
    ltuya_version_t frame;     /* how the datagram was framed: V31 (plaintext 55AA),
                                  V33 (ECB 55AA, cmd 0x13), V34 (ECB 55AA, cmd 0x23),
                                  V35 (6699) */
    uint32_t cmd;              /* the frame's command (0x00, 0x13 or 0x23 as sent) */
} ltuya_beacon_t;

/* Decode one datagram, in place (the buffer is decrypted and so modified).
 *
 * 6699 frames are opened with AES-GCM and the UDP key; a leading return code
 * (4 bytes) is dropped when the plaintext does not start with '{' but its
 * fifth byte does. 55AA frames carry plaintext JSON when the payload starts
 * with '{' (3.1), otherwise AES-ECB with the UDP key. Trailing NUL bytes,
 * which some firmware adds, are ignored.
 *
 * Returns LTUYA_OK and fills *out, or (with *out zeroed):
 *  - LTUYA_ERR_INVALID_ARG     NULL datagram or out;
 *  - LTUYA_ERR_TRUNCATED       shorter than the frame it starts (or empty);
 *  - LTUYA_ERR_BAD_PREFIX      not a Tuya frame at all;
 *  - LTUYA_ERR_BAD_LENGTH, LTUYA_ERR_FRAME_TOO_LARGE, LTUYA_ERR_BAD_FOOTER
 *                              an impossible frame;
 *  - LTUYA_ERR_BAD_CRC, LTUYA_ERR_BAD_TAG
 *                              damaged, or (tag) not encrypted with the UDP key;
 *  - LTUYA_ERR_BAD_PADDING     ECB ciphertext not made with the UDP key;
 *  - LTUYA_ERR_UNSUPPORTED_VERSION
 *                              a 6699 frame in a build without 3.5;
 *  - LTUYA_ERR_UNEXPECTED      a 3.5 discovery request (cmd 0x25): another
 *                              app asking, or our own broadcast heard back;
 *  - LTUYA_ERR_MALFORMED_JSON, LTUYA_ERR_JSON_TOO_DEEP
 *                              the plaintext is not one JSON object;
 *  - LTUYA_ERR_NOT_FOUND       a JSON object without a usable "gwId" (absent,
 *                              not a string, empty or longer than LTUYA_MAX_ID).
 */
LTUYA_API ltuya_status_t ltuya_discovery_parse(uint8_t *datagram, size_t len, ltuya_beacon_t *out);

/* Build the 3.5 request {"from":"app","ip":REPLY_IP}: a 6699 frame, seq 0,
 * cmd 0x25, AES-GCM with the UDP key. Devices answer with a beacon sent to
 * REPLY_IP:7000, so reply_ip must be an address of the asking host (dotted
 * IPv4). nonce: 12 bytes, or NULL to take them from ltuya_random().
 * A buffer of LTUYA_DISCOVERY_REQUEST_MAX bytes is always enough.
 * Returns LTUYA_OK, LTUYA_ERR_INVALID_ARG (NULL pointer, reply_ip not a
 * dotted IPv4 address), LTUYA_ERR_BUF_TOO_SMALL, LTUYA_ERR_NO_RANDOM,
 * LTUYA_ERR_UNSUPPORTED_VERSION (a build without 3.5). */
LTUYA_API ltuya_status_t ltuya_discovery_request(const char *reply_ip, const uint8_t *nonce,
                                                 uint8_t *buf, size_t cap, size_t *len);

/* Build a device's beacon (the simulator's; tests): `json` framed the way a
 * device of version v sends it (see the table above; 3.2 and 3.3 alike).
 * nonce (3.5 only): 12 bytes, or NULL for ltuya_random(). Returns the
 * statuses of ltuya_frame_encode() and LTUYA_ERR_NO_RANDOM. */
LTUYA_API ltuya_status_t ltuya_discovery_beacon(ltuya_version_t v, const char *json,
                                                size_t json_len, const uint8_t *nonce, uint8_t *buf,
                                                size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
