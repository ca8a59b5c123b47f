/* A program that uses an installed (or embedded) ltuya as its README says:
 * switch a device off and on and read the state back. Run against `ltuya sim`.
 * Usage: consumer HOST PORT ID KEY VERSION; exit 0 only when the device
 * confirmed both switches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ltuya/device.h>
#include <ltuya/version.h>
#include <ltuya_posix.h>

static int expect_switch(ltuya_device_t *d, bool want)
{
    ltuya_dp_t dp;
    ltuya_status_t st = ltuya_device_get(d, 1, &dp);
    if (st != LTUYA_OK || dp.type != LTUYA_DP_BOOL || dp.b != want) {
        fprintf(stderr, "consumer: DP 1 is not %s (%s)\n", want ? "on" : "off",
                ltuya_status_str(st));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    if (strcmp(ltuya_version(), LTUYA_VERSION_STRING)) {
        fprintf(stderr, "consumer: header %s, library %s\n", LTUYA_VERSION_STRING, ltuya_version());
        return 1;
    }
    static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    ltuya_posix_init();
    ltuya_posix_tcp_t tcp;
    ltuya_transport_t t;
    ltuya_posix_tcp_init(&tcp, &t);
    ltuya_device_opts_t o = {0};
    o.client.host = argv[1];
    o.client.port = (uint16_t)atoi(argv[2]);
    o.client.dev_id = argv[3];
    o.client.local_key = argv[4];
    o.client.transport = &t;
    o.client.clock = ltuya_posix_clock();
    o.keep_alive = true;
    ltuya_device_t d;
    ltuya_status_t st = ltuya_version_parse(argv[5], &o.client.version);
    if (st == LTUYA_OK)
        st = ltuya_device_init(&d, &o, rx, sizeof rx, tx, sizeof tx);
    if (st != LTUYA_OK) {
        fprintf(stderr, "consumer: init: %s\n", ltuya_status_str(st));
        return 1;
    }
    int bad = 0;
    st = ltuya_device_off(&d, 1);
    bad |= st != LTUYA_OK || expect_switch(&d, false);
    st = ltuya_device_on(&d, 1);
    bad |= st != LTUYA_OK || expect_switch(&d, true);
    ltuya_device_deinit(&d);
    printf("%s: C consumer of ltuya %s\n", bad ? "FAILED" : "switched off and on", ltuya_version());
    return bad;
}
