/*
 * Find a device's address by its id from its UDP beacons, for devices.json
 * entries without "ip" (as tinytuya does). Listens on LTUYA_DISCOVERY_BIND
 * (default 0.0.0.0) and the ports in LTUYA_DISCOVERY_PORTS (default
 * 6666,6667,7000); sends nothing.
 */
#ifndef LTUYA_CLI_LOCATE_H
#define LTUYA_CLI_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

/* Wait up to timeout_s for a beacon from `id`. 0 with ip (and version, ""
 * if the beacon has none) filled, or an exit code after a message. */
int cli_locate(const char *id, double timeout_s, char *ip, size_t ip_cap, char *version,
               size_t version_cap);

#endif
