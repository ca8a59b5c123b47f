/*
 * Passive UDP beacon listening on the libuv loop (the POSIX port's
 * discovery sockets under uv_poll): the bridge re-learns the address of a
 * device that moved (DHCP) and answers devices/rescan. Nothing is sent.
 */
#ifndef LTUYA_BRIDGE_BEACONS_H
#define LTUYA_BRIDGE_BEACONS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "ltuya/discovery.h"

typedef struct bridge_beacons bridge_beacons_t;
typedef void (*bridge_beacon_fn)(void *user, const ltuya_beacon_t *b);

/* Listen on the ports (0.0.0.0). NULL when no port could be bound (err set). */
bridge_beacons_t *bridge_beacons_open(uv_loop_t *loop, const uint16_t *ports, size_t n,
                                      bridge_beacon_fn fn, void *user, char *err, size_t errcap);
void bridge_beacons_close(bridge_beacons_t *bb);

#endif
