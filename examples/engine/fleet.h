/* Shared by the two engine examples: a device per command-line argument
 * "HOST:PORT:ID:KEY:VERSION" (HOST an address: the engine resolves no
 * names), each with its own POSIX transport and buffers. Example code: it
 * allocates with calloc, which the library itself never does. */
#ifndef EXAMPLE_FLEET_H
#define EXAMPLE_FLEET_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltuya/device.h"
#include "ltuya_posix.h"

typedef struct {
    ltuya_posix_tcp_t tcp;
    ltuya_transport_t transport;
    ltuya_device_t dev;
    uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    char id[LTUYA_MAX_ID + 1];
    int done;
    ltuya_status_t status;
} fleet_dev_t;

/* Parse one spec into d and initialise its device; 0 on success. */
static int fleet_dev_init(fleet_dev_t *d, const char *spec)
{
    char buf[256], *f[5], *save = NULL;
    snprintf(buf, sizeof buf, "%s", spec);
    for (int i = 0; i < 5; i++) {
        f[i] = strtok_r(i ? NULL : buf, ":", &save);
        if (!f[i]) {
            fprintf(stderr, "bad device '%s': want HOST:PORT:ID:KEY:VERSION\n", spec);
            return -1;
        }
    }
    char *end;
    unsigned long port = strtoul(f[1], &end, 10);
    ltuya_version_t v;
    if (*end || port == 0 || port > 65535 || ltuya_version_parse(f[4], &v) != LTUYA_OK) {
        fprintf(stderr, "bad port or version in '%s'\n", f[2]);
        return -1;
    }
    snprintf(d->id, sizeof d->id, "%s", f[2]);
    ltuya_posix_tcp_init(&d->tcp, &d->transport);
    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    o.client.host = f[0];
    o.client.port = (uint16_t)port;
    o.client.dev_id = f[2];
    o.client.local_key = f[3];
    o.client.version = v;
    o.client.transport = &d->transport;
    o.client.clock = ltuya_posix_clock();
    ltuya_status_t st = ltuya_device_init(&d->dev, &o, d->rx, sizeof d->rx, d->tx, sizeof d->tx);
    memset(buf, 0, sizeof buf); /* the key was in it */
    if (st != LTUYA_OK) {
        fprintf(stderr, "%s: %s\n", d->id, ltuya_status_str(st));
        return -1;
    }
    return 0;
}

/* One line per device: its id, and its DPs or its error. */
static void fleet_print(const fleet_dev_t *d)
{
    if (d->status != LTUYA_OK) {
        printf("%s error %s\n", d->id, ltuya_status_name(d->status));
        return;
    }
    printf("%s ok", d->id);
    ltuya_dp_t v;
    for (size_t i = 0; ltuya_device_cache_at(&d->dev, i, &v); i++) {
        if (v.type == LTUYA_DP_BOOL)
            printf(" %u=%s", v.id, v.b ? "true" : "false");
        else if (v.type == LTUYA_DP_INT)
            printf(" %u=%lld", v.id, (long long)v.i);
    }
    printf("\n");
}

#endif
