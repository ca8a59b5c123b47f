/* The JSON the bridge publishes: device state, availability, the device
 * list, Home Assistant discovery. Pure builders over a device's cache and
 * settings; none of them can reach a local key (bridge_devcfg_t.key is
 * never read here). */
#ifndef LTUYA_BRIDGE_PAYLOADS_H
#define LTUYA_BRIDGE_PAYLOADS_H

#include <stdbool.h>
#include <stdint.h>

#include "bridge_buf.h"
#include "bridge_config.h"
#include "bridge_devices.h"

/* Components a device gets in Home Assistant (bit set). */
enum {
    BRIDGE_HA_SWITCH = 1u << 0,
    BRIDGE_HA_POWER = 1u << 1,
    BRIDGE_HA_VOLTAGE = 1u << 2,
    BRIDGE_HA_CURRENT = 1u << 3,
    BRIDGE_HA_ENERGY = 1u << 4,
};

/* {"state":"ON","power":83.7,"voltage":232.6,"current":0.371,"energy":12.345,<codes>,"dps":{..}} */
void bridge_json_state(bbuf_t *b, const bridge_dev_t *d);
/* {"state":"online"} / {"state":"offline","reason":"wrong key","error":".."} */
void bridge_json_avail(bbuf_t *b, const bridge_dev_t *d);
/* One entry of bridge/devices. */
void bridge_json_device_entry(bbuf_t *b, const bridge_dev_t *d);

uint32_t bridge_ha_components(const bridge_dev_t *d);

/* Device-based discovery: the config for <prefix>/device/<id>/config. */
void bridge_ha_device_config(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d,
                             uint32_t comps);
/* Per-entity discovery: the topic and the config of component bit `comp`. */
void bridge_ha_entity_topic(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d,
                            uint32_t comp);
void bridge_ha_entity_config(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d,
                             uint32_t comp);

#endif
