/* Home Assistant entities from a profile's roles: data the MQTT bridge turns
 * into discovery messages. Composite entities (light, cover, climate, fan)
 * absorb the DPs they are made of; every other DP becomes one simple entity
 * (switch, sensor, binary_sensor, select, number) or none. */
#include <string.h>

#include "ltuya/profile.h"

const char *ltuya_ha_component_name(ltuya_ha_component_t c)
{
    static const char *const names[] = {
        "none", "switch", "light",  "cover",  "climate",
        "fan",  "number", "select", "sensor", "binary_sensor",
    };
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "none";
}

/* Where the entities go: an array (cap may be 0), and/or a search for the
 * entity holding one DP. */
typedef struct {
    ltuya_ha_entity_t *out;
    size_t cap, n;
    uint16_t want;
    ltuya_ha_entity_t *found;
    bool hit;
} sink_t;

static bool entity_has(const ltuya_ha_entity_t *e, uint16_t id)
{
    const uint16_t ids[] = {
        e->dp,           e->brightness_dp,     e->colour_temp_dp, e->colour_dp,       e->mode_dp,
        e->position_dp,  e->position_state_dp, e->target_temp_dp, e->current_temp_dp, e->speed_dp,
        e->direction_dp, e->scene_dp};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (ids[i] && ids[i] == id)
            return true;
    return false;
}

static void emit(sink_t *s, ltuya_ha_entity_t *e)
{
    e->component_name = ltuya_ha_component_name(e->component);
    if (s->n < s->cap)
        s->out[s->n] = *e;
    s->n++;
    if (s->want && !s->hit && entity_has(e, s->want)) {
        s->hit = true;
        *s->found = *e;
    }
}

static const char *ha_unit(const char *u)
{
    if (!u[0])
        return NULL;
    if (!strcmp(u, "℃") || !strcmp(u, "°C") || !strcmp(u, "C"))
        return "°C";
    if (!strcmp(u, "℉") || !strcmp(u, "°F") || !strcmp(u, "F"))
        return "°F";
    return u;
}

/* A bool without a known role that reads like a sensor's state. */
static bool looks_like_state(const char *code)
{
    static const char *const words[] = {"state", "alarm",    "contact", "pir",
                                        "leak",  "presence", "detect"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(code, words[i]))
            return true;
    return false;
}

/* The profile's DP with a role that is not yet absorbed. */
static const ltuya_pdp_t *take(const ltuya_profile_t *p, bool *used, ltuya_role_t role)
{
    for (size_t i = 0; i < p->count; i++)
        if (!used[i] && p->dp[i].role == role) {
            used[i] = true;
            return &p->dp[i];
        }
    return NULL;
}

static uint16_t id_of(const ltuya_pdp_t *d)
{
    return d ? d->id : 0;
}

static void sensor(ltuya_ha_entity_t *e, const ltuya_pdp_t *d, const char *cls,
                   const char *state_class, const char *default_unit)
{
    e->component = LTUYA_HA_SENSOR;
    e->device_class = cls;
    e->state_class = state_class;
    e->unit = ha_unit(d->unit);
    if (!e->unit)
        e->unit = default_unit;
}

static void simple_entity(const ltuya_pdp_t *d, ltuya_ha_entity_t *e)
{
    switch ((ltuya_role_t)d->role) {
    case LTUYA_ROLE_SWITCH:
    case LTUYA_ROLE_CHILD_LOCK:
        e->component = LTUYA_HA_SWITCH;
        return;
    case LTUYA_ROLE_POWER:
        sensor(e, d, "power", "measurement", "W");
        return;
    case LTUYA_ROLE_VOLTAGE:
        sensor(e, d, "voltage", "measurement", "V");
        return;
    case LTUYA_ROLE_CURRENT:
        sensor(e, d, "current", "measurement", "mA");
        return;
    case LTUYA_ROLE_ENERGY:
        /* add_ele is an increment since the last report; the bridge sums it */
        sensor(e, d, "energy", "total_increasing", "kWh");
        return;
    case LTUYA_ROLE_CURRENT_TEMP:
        sensor(e, d, "temperature", "measurement", "°C");
        return;
    case LTUYA_ROLE_HUMIDITY:
        sensor(e, d, "humidity", "measurement", "%");
        return;
    case LTUYA_ROLE_BATTERY:
        sensor(e, d, "battery", "measurement", "%");
        return;
    case LTUYA_ROLE_POSITION_STATE:
        sensor(e, d, NULL, "measurement", "%");
        return;
    case LTUYA_ROLE_BATTERY_STATE:
        e->component = LTUYA_HA_SENSOR;
        e->device_class = "enum";
        return;
    case LTUYA_ROLE_COUNTDOWN:
        e->component = LTUYA_HA_NUMBER;
        e->device_class = "duration";
        e->unit = ha_unit(d->unit) ? ha_unit(d->unit) : "s";
        return;
    case LTUYA_ROLE_FAULT:
    case LTUYA_ROLE_COLOUR: /* a colour or scene without a light to belong to */
    case LTUYA_ROLE_SCENE:
        return;
    default:
        break;
    }
    switch ((ltuya_vtype_t)d->type) {
    case LTUYA_VT_BOOL:
        e->component = (d->role == LTUYA_ROLE_NONE && looks_like_state(d->code))
                           ? LTUYA_HA_BINARY_SENSOR
                           : LTUYA_HA_SWITCH;
        return;
    case LTUYA_VT_ENUM:
        e->component = LTUYA_HA_SELECT;
        return;
    case LTUYA_VT_INT:
        e->unit = ha_unit(d->unit);
        if (!strncmp(d->code, "cur_", 4) || !strncmp(d->code, "va_", 3)) {
            e->component = LTUYA_HA_SENSOR;
            e->state_class = "measurement";
        } else if (d->code[0] || d->role != LTUYA_ROLE_NONE) {
            e->component = LTUYA_HA_NUMBER;
        }
        return;
    default:
        return; /* strings, JSON, raw: nothing Home Assistant can show as is */
    }
}

static void build(const ltuya_profile_t *p, sink_t *s)
{
    bool used[LTUYA_PROFILE_MAX_DPS];
    memset(used, 0, sizeof used);
    ltuya_ha_entity_t e;

    /* light: a switch with brightness / colour temperature / colour */
    if (ltuya_profile_find_role(p, LTUYA_ROLE_BRIGHTNESS) ||
        ltuya_profile_find_role(p, LTUYA_ROLE_COLOUR_TEMP) ||
        ltuya_profile_find_role(p, LTUYA_ROLE_COLOUR)) {
        memset(&e, 0, sizeof e);
        e.component = LTUYA_HA_LIGHT;
        const ltuya_pdp_t *sw = NULL;
        for (size_t i = 0; i < p->count && !sw; i++) /* switch_led before switch_1 */
            if (!strcmp(p->dp[i].code, "switch_led") || !strcmp(p->dp[i].code, "led_switch")) {
                sw = &p->dp[i];
                used[i] = true;
            }
        if (!sw)
            sw = take(p, used, LTUYA_ROLE_SWITCH);
        e.brightness_dp = id_of(take(p, used, LTUYA_ROLE_BRIGHTNESS));
        e.colour_temp_dp = id_of(take(p, used, LTUYA_ROLE_COLOUR_TEMP));
        e.colour_dp = id_of(take(p, used, LTUYA_ROLE_COLOUR));
        e.mode_dp = id_of(take(p, used, LTUYA_ROLE_MODE));
        e.scene_dp = id_of(take(p, used, LTUYA_ROLE_SCENE)); /* the light's effects */
        e.dp = sw ? sw->id : (e.brightness_dp ? e.brightness_dp : e.colour_dp);
        emit(s, &e);
    }
    /* cover */
    if (ltuya_profile_find_role(p, LTUYA_ROLE_COVER_CONTROL) ||
        ltuya_profile_find_role(p, LTUYA_ROLE_POSITION)) {
        memset(&e, 0, sizeof e);
        e.component = LTUYA_HA_COVER;
        uint16_t control = id_of(take(p, used, LTUYA_ROLE_COVER_CONTROL));
        e.position_dp = id_of(take(p, used, LTUYA_ROLE_POSITION));
        e.position_state_dp = id_of(take(p, used, LTUYA_ROLE_POSITION_STATE));
        e.dp = control ? control : e.position_dp;
        e.device_class = "curtain";
        emit(s, &e);
    }
    /* climate: target temperature, with the power switch, current temperature, mode */
    if (ltuya_profile_find_role(p, LTUYA_ROLE_TARGET_TEMP)) {
        memset(&e, 0, sizeof e);
        e.component = LTUYA_HA_CLIMATE;
        const ltuya_pdp_t *target = take(p, used, LTUYA_ROLE_TARGET_TEMP);
        const ltuya_pdp_t *sw = take(p, used, LTUYA_ROLE_SWITCH);
        e.target_temp_dp = target->id;
        e.current_temp_dp = id_of(take(p, used, LTUYA_ROLE_CURRENT_TEMP));
        e.mode_dp = id_of(take(p, used, LTUYA_ROLE_MODE));
        e.dp = sw ? sw->id : target->id;
        e.unit = ha_unit(target->unit) ? ha_unit(target->unit) : "°C";
        emit(s, &e);
    }
    /* fan */
    if (ltuya_profile_find_role(p, LTUYA_ROLE_FAN_SPEED)) {
        memset(&e, 0, sizeof e);
        e.component = LTUYA_HA_FAN;
        const ltuya_pdp_t *sw = take(p, used, LTUYA_ROLE_SWITCH);
        e.speed_dp = id_of(take(p, used, LTUYA_ROLE_FAN_SPEED));
        e.direction_dp = id_of(take(p, used, LTUYA_ROLE_DIRECTION));
        e.mode_dp = id_of(take(p, used, LTUYA_ROLE_MODE));
        e.dp = sw ? sw->id : e.speed_dp;
        emit(s, &e);
    }
    for (size_t i = 0; i < p->count; i++) {
        if (used[i])
            continue;
        memset(&e, 0, sizeof e);
        e.dp = p->dp[i].id;
        simple_entity(&p->dp[i], &e);
        if (e.component != LTUYA_HA_NONE)
            emit(s, &e);
    }
}

size_t ltuya_profile_ha_entities(const ltuya_profile_t *p, ltuya_ha_entity_t *out, size_t cap)
{
    sink_t s = {out, cap, 0, 0, NULL, false};
    build(p, &s);
    return s.n;
}

ltuya_status_t ltuya_profile_ha_entity(const ltuya_profile_t *p, uint16_t id,
                                       ltuya_ha_entity_t *out)
{
    sink_t s = {NULL, 0, 0, id, out, false};
    if (!id)
        return LTUYA_ERR_NOT_FOUND;
    build(p, &s);
    return s.hit ? LTUYA_OK : LTUYA_ERR_NOT_FOUND;
}
