/* Published JSON (bridge_payloads.h). */
#include "bridge_payloads.h"

#include <stdio.h>
#include <string.h>

#include "ltuya/device.h"
#include "ltuya/version.h"

#define ORIGIN_NAME "ltuya"
#define ORIGIN_SW   LTUYA_VERSION_STRING

static void str(bbuf_t *b, const char *s)
{
    bbuf_json_str(b, s, strlen(s));
}

static void dp_value(bbuf_t *b, const ltuya_dp_t *v)
{
    switch (v->type) {
    case LTUYA_DP_BOOL:
        bbuf_puts(b, v->b ? "true" : "false");
        break;
    case LTUYA_DP_INT:
        bbuf_printf(b, "%lld", (long long)v->i);
        break;
    case LTUYA_DP_STR:
        if (v->escaped) { /* still JSON-escaped as the device sent it */
            bbuf_add(b, "\"", 1);
            bbuf_add(b, v->str.ptr, v->str.len);
            bbuf_add(b, "\"", 1);
        } else {
            bbuf_json_str(b, v->str.ptr, v->str.len);
        }
        break;
    case LTUYA_DP_RAW:
        bbuf_add(b, v->str.ptr, v->str.len);
        break;
    default:
        bbuf_puts(b, "null");
    }
}

static bool is_energy_dp(const ltuya_device_t *dev, uint16_t dp)
{
    /* the DPs the library reads volts/amps/watts from (its map, else the usual triples) */
    const ltuya_energy_map_t *m = &dev->energy;
    if (m->power_dp)
        return dp == m->power_dp || dp == m->voltage_dp || dp == m->current_dp;
    return (dp >= 18 && dp <= 20) || (dp >= 4 && dp <= 6 && dev->cache_count > 0 &&
                                      ltuya_device_cached(dev, 18, &(ltuya_dp_t){0}) != LTUYA_OK);
}

void bridge_json_state(bbuf_t *b, const bridge_dev_t *d)
{
    const bridge_devcfg_t *c = bridge_dev_cfg(d);
    const ltuya_device_t *dev = bridge_dev_device(d);
    ltuya_dp_t v;
    bbuf_puts(b, "{");
    if (c->switch_dp && ltuya_device_cached(dev, c->switch_dp, &v) == LTUYA_OK &&
        v.type == LTUYA_DP_BOOL) {
        bbuf_json_key(b, "state");
        str(b, v.b ? "ON" : "OFF");
    }
    ltuya_energy_t e;
    ltuya_device_energy_cached(dev, &e);
    if (e.has_power) {
        bbuf_json_key(b, "power"); /* W, one decimal as the plugs measure */
        bbuf_json_scaled(b, e.power_mw / 100, 1);
    }
    if (e.has_voltage) {
        bbuf_json_key(b, "voltage");
        bbuf_json_scaled(b, e.voltage_mv / 100, 1);
    }
    if (e.has_current) {
        bbuf_json_key(b, "current");
        bbuf_json_scaled(b, e.current_ma, 3);
    }
    double kwh = bridge_dev_kwh(d);
    if (kwh >= 0) {
        bbuf_json_key(b, "energy");
        bbuf_printf(b, "%.3f", kwh);
    }
    /* the mapping's other codes, scaled */
    for (size_t i = 0; i < c->map_count; i++) {
        const bridge_dp_map_t *m = &c->map[i];
        if (m->dp == c->switch_dp || m->dp == c->add_ele_dp || is_energy_dp(dev, m->dp))
            continue;
        if (!strcmp(m->code, "state") || !strcmp(m->code, "dps") || !strcmp(m->code, "energy") ||
            !strcmp(m->code, "power") || !strcmp(m->code, "voltage") || !strcmp(m->code, "current"))
            continue;
        if (ltuya_device_cached(dev, m->dp, &v) != LTUYA_OK)
            continue;
        bbuf_json_key(b, m->code);
        if (v.type == LTUYA_DP_INT && m->scale)
            bbuf_json_scaled(b, v.i, m->scale);
        else
            dp_value(b, &v);
    }
    bbuf_json_key(b, "dps");
    bbuf_puts(b, "{");
    for (size_t i = 0; ltuya_device_cache_at(dev, i, &v); i++) {
        char id[8];
        snprintf(id, sizeof id, "%u", v.id);
        bbuf_json_key(b, id);
        dp_value(b, &v);
    }
    bbuf_puts(b, "}}");
}

void bridge_json_avail(bbuf_t *b, const bridge_dev_t *d)
{
    if (bridge_dev_online(d)) {
        bbuf_puts(b, "{\"state\":\"online\"}");
        return;
    }
    bbuf_puts(b, "{\"state\":\"offline\",\"reason\":");
    str(b, bridge_dev_reason(d));
    if (bridge_dev_last_error(d)[0]) {
        bbuf_puts(b, ",\"error\":");
        str(b, bridge_dev_last_error(d));
    }
    bbuf_puts(b, "}");
}

void bridge_json_device_entry(bbuf_t *b, const bridge_dev_t *d)
{
    const bridge_devcfg_t *c = bridge_dev_cfg(d);
    bbuf_puts(b, "{\"id\":");
    str(b, c->id);
    bbuf_puts(b, ",\"name\":");
    str(b, c->name);
    bbuf_puts(b, ",\"ip\":");
    str(b, c->ip);
    if (c->port) {
        bbuf_printf(b, ",\"port\":%u", c->port);
    }
    bbuf_puts(b, ",\"version\":");
    str(b, ltuya_version_str(c->version));
    bbuf_puts(b, ",\"product_key\":");
    if (c->product[0])
        str(b, c->product);
    else
        bbuf_puts(b, "null");
    uint32_t comps = bridge_ha_components(d);
    bbuf_puts(b, ",\"profile\":");
    str(b, (comps & BRIDGE_HA_POWER)    ? "plug with energy"
           : (comps & BRIDGE_HA_SWITCH) ? "switch"
                                        : "raw");
    bbuf_printf(b, ",\"online\":%s,\"last_error\":", bridge_dev_online(d) ? "true" : "false");
    if (bridge_dev_last_error(d)[0])
        str(b, bridge_dev_last_error(d));
    else
        bbuf_puts(b, "null");
    if (!bridge_dev_online(d)) {
        bbuf_puts(b, ",\"reason\":");
        str(b, bridge_dev_reason(d));
    }
    bbuf_puts(b, "}");
}

uint32_t bridge_ha_components(const bridge_dev_t *d)
{
    const bridge_devcfg_t *c = bridge_dev_cfg(d);
    const ltuya_device_t *dev = bridge_dev_device(d);
    uint32_t comps = 0;
    ltuya_dp_t v;
    if (c->switch_dp && ltuya_device_cached(dev, c->switch_dp, &v) == LTUYA_OK &&
        v.type == LTUYA_DP_BOOL)
        comps |= BRIDGE_HA_SWITCH;
    ltuya_energy_t e;
    ltuya_device_energy_cached(dev, &e);
    if (e.has_power)
        comps |= BRIDGE_HA_POWER;
    if (e.has_voltage)
        comps |= BRIDGE_HA_VOLTAGE;
    if (e.has_current)
        comps |= BRIDGE_HA_CURRENT;
    if (bridge_dev_kwh(d) >= 0 && c->kwh_mode != BRIDGE_KWH_OFF)
        comps |= BRIDGE_HA_ENERGY;
    return comps;
}

typedef struct {
    uint32_t bit;
    const char *key;      /* object id within the device, and the state's JSON key */
    const char *platform; /* switch, sensor */
    const char *name;     /* NULL: the device's own name (the main switch) */
    const char *device_class, *unit, *state_class;
} comp_t;

static const comp_t comps_table[] = {
    {BRIDGE_HA_SWITCH, "state", "switch", NULL, "outlet", NULL, NULL},
    {BRIDGE_HA_POWER, "power", "sensor", "Power", "power", "W", "measurement"},
    {BRIDGE_HA_VOLTAGE, "voltage", "sensor", "Voltage", "voltage", "V", "measurement"},
    {BRIDGE_HA_CURRENT, "current", "sensor", "Current", "current", "A", "measurement"},
    {BRIDGE_HA_ENERGY, "energy", "sensor", "Energy", "energy", "kWh", "total_increasing"},
};

static void topic(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d, const char *tail)
{
    bbuf_printf(b, "%s/%s%s", s->base, bridge_dev_cfg(d)->name, tail);
}

static void json_topic(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d,
                       const char *tail)
{
    bbuf_t t;
    bbuf_init(&t);
    topic(&t, s, d, tail);
    bbuf_json_str(b, bbuf_str(&t), strlen(bbuf_str(&t)));
    bbuf_free(&t);
}

/* The options every entity shares: state topic, availability of the bridge AND the device. */
static void shared(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d)
{
    bbuf_puts(b, "\"state_topic\":");
    json_topic(b, s, d, "");
    bbuf_puts(b, ",\"availability_mode\":\"all\",\"availability\":[{\"topic\":");
    bbuf_t t;
    bbuf_init(&t);
    bbuf_printf(&t, "%s/bridge/state", s->base);
    bbuf_json_str(b, bbuf_str(&t), strlen(bbuf_str(&t)));
    bbuf_free(&t);
    bbuf_puts(b, ",\"value_template\":\"{{ value_json.state }}\"},{\"topic\":");
    json_topic(b, s, d, "/availability");
    bbuf_puts(b, ",\"value_template\":\"{{ value_json.state }}\"}],\"qos\":1");
}

static void device_block(bbuf_t *b, const bridge_dev_t *d)
{
    const bridge_devcfg_t *c = bridge_dev_cfg(d);
    bbuf_puts(b, "{\"identifiers\":[");
    bbuf_t id;
    bbuf_init(&id);
    bbuf_printf(&id, "ltuya_%s", c->id);
    str(b, bbuf_str(&id));
    bbuf_free(&id);
    bbuf_puts(b, "],\"name\":");
    str(b, c->name);
    bbuf_puts(b, ",\"manufacturer\":\"Tuya\",\"model\":");
    str(b, c->product[0] ? c->product : "Wi-Fi device");
    bbuf_puts(b, ",\"sw_version\":");
    bbuf_printf(b, "\"protocol %s\"}", ltuya_version_str(c->version));
}

static void origin_block(bbuf_t *b)
{
    bbuf_puts(b, "{\"name\":\"" ORIGIN_NAME "\",\"sw_version\":\"" ORIGIN_SW "\"}");
}

/* The component-specific options; device-based discovery names the platform
 * inside, per-entity discovery in the topic. */
static void comp_body(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d, const comp_t *k,
                      bool with_platform)
{
    const bridge_devcfg_t *c = bridge_dev_cfg(d);
    if (with_platform) {
        bbuf_puts(b, "\"platform\":");
        str(b, k->platform);
        bbuf_puts(b, ",");
    }
    bbuf_puts(b, "\"unique_id\":");
    bbuf_t u;
    bbuf_init(&u);
    bbuf_printf(&u, "ltuya_%s_%s", c->id, k->key);
    str(b, bbuf_str(&u));
    bbuf_free(&u);
    bbuf_puts(b, ",\"name\":");
    if (k->name)
        str(b, k->name);
    else
        bbuf_puts(b, "null");
    bbuf_puts(b, ",\"device_class\":");
    str(b, k->device_class);
    if (k->unit) {
        bbuf_puts(b, ",\"unit_of_measurement\":");
        str(b, k->unit);
    }
    if (k->state_class) {
        bbuf_puts(b, ",\"state_class\":");
        str(b, k->state_class);
    }
    bbuf_printf(b, ",\"value_template\":\"{{ value_json.%s }}\"", k->key);
    if (k->bit == BRIDGE_HA_SWITCH) {
        bbuf_puts(b, ",\"command_topic\":");
        json_topic(b, s, d, "/set/state");
        bbuf_puts(b, ",\"payload_on\":\"ON\",\"payload_off\":\"OFF\",\"state_on\":\"ON\","
                     "\"state_off\":\"OFF\"");
    }
}

void bridge_ha_device_config(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d,
                             uint32_t comps)
{
    bbuf_puts(b, "{\"device\":");
    device_block(b, d);
    bbuf_puts(b, ",\"origin\":");
    origin_block(b);
    bbuf_puts(b, ",");
    shared(b, s, d);
    bbuf_puts(b, ",\"components\":{");
    bool first = true;
    for (size_t i = 0; i < sizeof comps_table / sizeof *comps_table; i++) {
        const comp_t *k = &comps_table[i];
        if (!(comps & k->bit))
            continue;
        if (!first)
            bbuf_puts(b, ",");
        first = false;
        str(b, k->key);
        bbuf_puts(b, ":{");
        comp_body(b, s, d, k, true);
        bbuf_puts(b, "}");
    }
    bbuf_puts(b, "}}");
}

static const comp_t *comp_of(uint32_t bit)
{
    for (size_t i = 0; i < sizeof comps_table / sizeof *comps_table; i++)
        if (comps_table[i].bit == bit)
            return &comps_table[i];
    return NULL;
}

void bridge_ha_entity_topic(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d,
                            uint32_t comp)
{
    const comp_t *k = comp_of(comp);
    if (k)
        bbuf_printf(b, "%s/%s/ltuya_%s/%s/config", s->disc_prefix, k->platform,
                    bridge_dev_cfg(d)->id, k->key);
}

void bridge_ha_entity_config(bbuf_t *b, const bridge_settings_t *s, const bridge_dev_t *d,
                             uint32_t comp)
{
    const comp_t *k = comp_of(comp);
    if (!k)
        return;
    bbuf_puts(b, "{");
    comp_body(b, s, d, k, false);
    bbuf_puts(b, ",");
    shared(b, s, d);
    bbuf_puts(b, ",\"device\":");
    device_block(b, d);
    bbuf_puts(b, ",\"origin\":");
    origin_block(b);
    bbuf_puts(b, "}");
}
