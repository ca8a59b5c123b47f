// The same from C++: every public header (extern "C" in each), the POSIX
// port, and calls into each layer; switches the device off and on, and
// checks that a mismatched configuration is refused at init.
// Usage: consumer_cxx HOST PORT ID KEY VERSION
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <ltuya/client.h>
#include <ltuya/config.h>
#include <ltuya/crypto.h>
#include <ltuya/device.h>
#include <ltuya/discovery.h>
#include <ltuya/export.h>
#include <ltuya/frame.h>
#include <ltuya/handshake.h>
#include <ltuya/json.h>
#include <ltuya/session.h>
#include <ltuya/status.h>
#include <ltuya/transport.h>
#include <ltuya/version.h>
#include <ltuya_discovery_posix.h>
#include <ltuya_posix.h>

static bool switch_is(ltuya_device_t &d, bool want)
{
    ltuya_dp_t dp;
    return ltuya_device_get(&d, 1, &dp) == LTUYA_OK && dp.type == LTUYA_DP_BOOL && dp.b == want;
}

int main(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    int bad = 0;
    // status numbers are ABI: spot-check two and the names
    bad |= LTUYA_OK != 0 || LTUYA_NEED_MORE != 1;
    bad |= std::strcmp(ltuya_status_name(LTUYA_ERR_CONFIG_MISMATCH), "ERR_CONFIG_MISMATCH") != 0;
    bad |= ltuya_version_number() != LTUYA_VERSION_NUMBER || ltuya_config_id() != LTUYA_CONFIG_ID;

    static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    ltuya_posix_init();
    ltuya_posix_tcp_t tcp;
    ltuya_transport_t t;
    ltuya_posix_tcp_init(&tcp, &t);
    ltuya_device_opts_t o = {};
    o.client.host = argv[1];
    o.client.port = static_cast<uint16_t>(std::atoi(argv[2]));
    o.client.dev_id = argv[3];
    o.client.local_key = argv[4];
    o.client.transport = &t;
    o.client.clock = ltuya_posix_clock();
    o.keep_alive = true;
    if (ltuya_version_parse(argv[5], &o.client.version) != LTUYA_OK)
        return 2;

    ltuya_device_t d;
    // a program built with other limits than the library is refused
    bad |= ltuya_device_init_abi(&d, &o, rx, sizeof rx, tx, sizeof tx, LTUYA_CONFIG_ID + 1,
                                 sizeof d) != LTUYA_ERR_CONFIG_MISMATCH;
    bad |= ltuya_device_init_abi(&d, &o, rx, sizeof rx, tx, sizeof tx, LTUYA_CONFIG_ID,
                                 sizeof d - 1) != LTUYA_ERR_CONFIG_MISMATCH;

    ltuya_status_t st = ltuya_device_init(&d, &o, rx, sizeof rx, tx, sizeof tx);
    if (st != LTUYA_OK) {
        std::fprintf(stderr, "consumer_cxx: init: %s\n", ltuya_status_str(st));
        return 1;
    }
    bad |= ltuya_device_off(&d, 1) != LTUYA_OK || !switch_is(d, false);
    bad |= ltuya_device_on(&d, 1) != LTUYA_OK || !switch_is(d, true);
    ltuya_energy_t e;
    bad |= ltuya_device_energy(&d, &e) != LTUYA_OK || !e.has_voltage;
    ltuya_device_deinit(&d);
    std::printf("%s: C++ consumer of ltuya %s\n", bad ? "FAILED" : "switched off and on",
                ltuya_version());
    return bad;
}
