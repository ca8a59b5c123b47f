#include "locate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "cli.h"
#include "ltuya/discovery.h"
#include "ltuya_discovery_posix.h"
#include "ltuya_posix.h"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "6666,6667,7000" -> ports; false after a message. */
static bool parse_ports(const char *text, uint16_t *ports, size_t *n)
{
    char buf[64];
    if (strlen(text) >= sizeof buf) {
        fprintf(stderr, "ltuya: LTUYA_DISCOVERY_PORTS is too long\n");
        return false;
    }
    strcpy(buf, text);
    *n = 0;
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        unsigned long v;
        if (*n == LTUYA_POSIX_DISCOVERY_MAX_PORTS ||
            !cli_arg_uint(p, 1, 65535, "LTUYA_DISCOVERY_PORTS", &v))
            return false;
        ports[(*n)++] = (uint16_t)v;
    }
    return *n > 0;
}

int cli_locate(const char *id, double timeout_s, char *ip, size_t ip_cap, char *version,
               size_t version_cap)
{
    uint16_t ports[LTUYA_POSIX_DISCOVERY_MAX_PORTS] = {LTUYA_UDP_PORT_31, LTUYA_UDP_PORT,
                                                       LTUYA_UDP_PORT_35};
    size_t nports = 3;
    const char *bind_addr = getenv("LTUYA_DISCOVERY_BIND");
    const char *port_text = getenv("LTUYA_DISCOVERY_PORTS");
    if (port_text && *port_text && !parse_ports(port_text, ports, &nports))
        return CLI_EXIT_USAGE;
    ltuya_posix_init();
    ltuya_posix_discovery_t d;
    ltuya_posix_discovery_opts_t o = {bind_addr && *bind_addr ? bind_addr : NULL, ports, nports};
    if (ltuya_posix_discovery_open(&d, &o) != LTUYA_OK) {
        fprintf(stderr, "ltuya: cannot listen for device beacons (UDP %u...): %s\n",
                (unsigned)ports[0], strerror(errno));
        return CLI_EXIT_CONFIG;
    }
    fprintf(stderr,
            "ltuya: no \"ip\" for %s in devices.json: listening for its beacon (up to %g s)\n", id,
            timeout_s);
    int rc = CLI_EXIT_CONFIG;
    uint64_t end = now_ms() + (uint64_t)(timeout_s * 1000);
    for (uint64_t t = now_ms(); t < end; t = now_ms()) {
        ltuya_beacon_t b;
        ltuya_posix_datagram_src_t src;
        ltuya_status_t st = ltuya_posix_discovery_recv(&d, (uint32_t)(end - t), &b, &src);
        if (st == LTUYA_ERR_IO)
            break;
        if (st != LTUYA_OK || strcmp(b.id, id) != 0)
            continue;
        /* the address the beacon came from: the device's own "ip" may be stale */
        snprintf(ip, ip_cap, "%s", src.addr[0] ? src.addr : b.ip);
        snprintf(version, version_cap, "%s", b.version);
        rc = 0;
        break;
    }
    ltuya_posix_discovery_close(&d);
    if (rc)
        fprintf(stderr,
                "ltuya: no beacon from %s within %g s. Add its \"ip\" to devices.json, or give\n"
                "       --ip ('ltuya scan' lists what announces itself)\n",
                id, timeout_s);
    return rc;
}
