// Every public header in one C++ translation unit (extern "C" in each; no
// C-only constructs in declarations or inline functions), and calls into
// each layer linked against the C library: status texts, versions, the
// configuration check, a 3.3 frame encoded and decoded, the JSON writer and
// reader. Prints "N passed, N failed".
#include <cstdio>
#include <cstring>

#include "ltuya/client.h"
#include "ltuya/config.h"
#include "ltuya/crypto.h"
#include "ltuya/device.h"
#include "ltuya/discovery.h"
#include "ltuya/engine.h"
#include "ltuya/export.h"
#include "ltuya/frame.h"
#include "ltuya/check_config.h"
#include "ltuya/handshake.h"
#include "ltuya/json.h"
#include "ltuya/profile.h"
#include "ltuya/session.h"
#include "ltuya/status.h"
#include "ltuya/transport.h"
#include "ltuya/version.h"
#include "ltuya_discovery_posix.h"
#include "ltuya_posix.h"

static int passed, failed;
static void check(bool ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: %s\n", what);
    }
}

int main()
{
    check(std::strcmp(ltuya_status_name(LTUYA_ERR_BAD_CRC), "ERR_BAD_CRC") == 0, "status name");
    check(LTUYA_ERR_CONFIG_MISMATCH == 36, "status numbers are fixed");
    check(std::strcmp(ltuya_version(), LTUYA_VERSION_STRING) == 0, "ltuya_version()");
    check(ltuya_config_id() == LTUYA_CONFIG_ID, "config fingerprint");

    // init refuses a caller with other limits, accepts ours (no I/O at init)
    ltuya_posix_init();
    ltuya_posix_tcp_t tcp;
    ltuya_transport_t t;
    ltuya_posix_tcp_init(&tcp, &t);
    static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    ltuya_device_opts_t o = {};
    o.client.host = "127.0.0.1";
    o.client.dev_id = "bf0123456789abcdefgh";
    o.client.local_key = "0123456789abcdef";
    o.client.version = LTUYA_V33;
    o.client.transport = &t;
    o.client.clock = ltuya_posix_clock();
    static ltuya_device_t d;
    check(ltuya_device_init_abi(&d, &o, rx, sizeof rx, tx, sizeof tx, LTUYA_CONFIG_ID ^ 1u,
                                sizeof d) == LTUYA_ERR_CONFIG_MISMATCH,
          "other config refused");
    check(ltuya_device_init(&d, &o, rx, sizeof rx, tx, sizeof tx) == LTUYA_OK, "device init");
    static ltuya_client_t c;
    check(ltuya_client_init_abi(&c, &o.client, rx, sizeof rx, tx, sizeof tx, LTUYA_CONFIG_ID,
                                sizeof c + 8) == LTUYA_ERR_CONFIG_MISMATCH,
          "other client size refused");
    check(ltuya_client_init(&c, &o.client, rx, sizeof rx, tx, sizeof tx) == LTUYA_OK,
          "client init");
    ltuya_client_deinit(&c);
    ltuya_device_deinit(&d);

    // JSON writer -> 3.3 frame -> decode -> JSON reader
    char json[128];
    ltuya_jw_t w;
    ltuya_jw_init(&w, json, sizeof json);
    ltuya_jw_obj_begin(&w);
    ltuya_jw_key(&w, "dps");
    ltuya_jw_obj_begin(&w);
    ltuya_jw_key(&w, "1");
    ltuya_jw_bool(&w, true);
    ltuya_jw_obj_end(&w);
    ltuya_jw_obj_end(&w);
    size_t json_len = 0;
    check(ltuya_jw_finish(&w, &json_len) == LTUYA_OK, "JSON written");

    const uint8_t key[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                             '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    ltuya_frame_spec_t s = {};
    s.version = LTUYA_V33;
    s.key = key;
    s.seq = 7;
    s.cmd = LTUYA_CMD_STATUS;
    s.from_device = true;
    s.payload = reinterpret_cast<const uint8_t *>(json);
    s.payload_len = json_len;
    uint8_t frame[256];
    size_t n = 0;
    check(ltuya_frame_encode(&s, frame, sizeof frame, &n) == LTUYA_OK &&
              n == ltuya_frame_encoded_size(&s),
          "frame encoded");
    ltuya_decode_opts_t dopts = {};
    dopts.version = LTUYA_V33;
    dopts.key = key;
    dopts.direction = LTUYA_FROM_DEVICE;
    ltuya_frame_t f;
    check(ltuya_frame_decode_whole(frame, n, &dopts, &f) == LTUYA_OK && f.seq == 7 &&
              f.cmd == LTUYA_CMD_STATUS,
          "frame decoded");
    static ltuya_dps_t dps;
    check(ltuya_json_parse_dps(reinterpret_cast<const char *>(f.payload), f.payload_len, &dps) ==
                  LTUYA_OK &&
              dps.count == 1 && ltuya_dps_find(&dps, 1) && ltuya_dps_find(&dps, 1)->b,
          "DP 1 read back");
    check(ltuya_crc32(0, "123456789", 9) == 0xCBF43926u, "CRC32");
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
