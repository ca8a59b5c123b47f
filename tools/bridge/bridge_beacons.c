/* Beacon listening (bridge_beacons.h). */
#include "bridge_beacons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_poll.h"
#include "ltuya_discovery_posix.h"

struct bridge_beacons {
    ltuya_posix_discovery_t d;
    bridge_poll_t poll[LTUYA_POSIX_DISCOVERY_MAX_PORTS];
    bridge_beacon_fn fn;
    void *user;
};

static void readable(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    bridge_beacons_t *bb = h->data;
    ltuya_beacon_t b;
    /* everything waiting, without blocking: recv polls with a zero timeout */
    for (int i = 0; i < 64; i++) {
        ltuya_status_t st = ltuya_posix_discovery_recv(&bb->d, 0, &b, NULL);
        if (st == LTUYA_ERR_TIMEOUT || st == LTUYA_ERR_IO)
            break;
        if (st == LTUYA_OK && bb->fn)
            bb->fn(bb->user, &b);
    }
}

bridge_beacons_t *bridge_beacons_open(uv_loop_t *loop, const uint16_t *ports, size_t n,
                                      bridge_beacon_fn fn, void *user, char *err, size_t errcap)
{
    bridge_beacons_t *bb = calloc(1, sizeof *bb);
    if (!bb) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    ltuya_posix_discovery_opts_t o;
    memset(&o, 0, sizeof o);
    o.ports = ports;
    o.port_count = n;
    if (ltuya_posix_discovery_open(&bb->d, &o) != LTUYA_OK) {
        snprintf(err, errcap, "no beacon port could be bound");
        free(bb);
        return NULL;
    }
    bb->fn = fn;
    bb->user = user;
    for (size_t i = 0; i < bb->d.count; i++) {
        bridge_poll_init(&bb->poll[i]);
        if (bb->d.fd[i] >= 0)
            bridge_poll_set(&bb->poll[i], loop, bb->d.fd[i], UV_READABLE, true, readable, bb);
    }
    return bb;
}

void bridge_beacons_close(bridge_beacons_t *bb)
{
    if (!bb)
        return;
    for (size_t i = 0; i < bb->d.count; i++)
        bridge_poll_stop(&bb->poll[i]);
    ltuya_posix_discovery_close(&bb->d);
    free(bb);
}
