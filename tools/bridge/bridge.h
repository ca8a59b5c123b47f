/* `ltuya bridge`: Tuya devices on an MQTT broker (docs/bridge.md). */
#ifndef LTUYA_BRIDGE_H
#define LTUYA_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "bridge_beacons.h"
#include "bridge_buf.h"
#include "bridge_cmd.h"
#include "bridge_config.h"
#include "bridge_devices.h"
#include "bridge_mqtt.h"

/* What the bridge keeps per device beside the device side's state. */
typedef struct {
    uint32_t disc_comps; /* the components last announced to Home Assistant */
    bool announced;
} bridge_side_t;

typedef struct {
    bridge_settings_t s;
    uv_loop_t *loop;
    bridge_mqtt_t *mqtt;
    bridge_devs_t *devs;
    bridge_beacons_t *beacons;
    /* devices/rescan in progress: beacons seen so far */
    bool rescanning;
    uv_timer_t rescan_timer;
    ltuya_beacon_t *seen;
    size_t seen_count, seen_cap;
    char rescan_transaction[72];
    uv_signal_t sigterm, sigint, sighup;
    uv_timer_t health, save;
    uint64_t started_ms;
    uint64_t last_in, last_out, last_health_ms;
    bool started; /* bridge_start succeeded: the state file is ours to write */
    bool stopping;
    bool state_dirty;
    int exit_code;
    bbuf_t topic, payload;
} bridge_t;

/* Core, used by bridge_main.c. */
bool bridge_start(bridge_t *b, char *err, size_t errcap);
void bridge_stop(bridge_t *b);
/* Load (or reload) devices.json: adds, reconfigures and removes devices. */
bool bridge_load_devices(bridge_t *b, char *err, size_t errcap);

#endif
