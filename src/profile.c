/* Typed DP profiles: merging sources by precedence, built-in category
 * defaults, and conversions between raw DP values and engineering values.
 * Integer arithmetic only for values; no allocation, no I/O. */
#include "ltuya/profile.h"

#include <string.h>

/* ---- small text helpers ---------------------------------------------------- */

static bool ch_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool ch_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char ch_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool eq_nocase(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (ch_lower(a[i]) != ch_lower(b[i]))
            return false;
    return true;
}

static bool eq_text(const char *a, size_t alen, const char *b)
{
    return alen == strlen(b) && !memcmp(a, b, alen);
}

static void copy_text(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, src, len);
    dst[len] = 0;
}

static void trim(const char **s, size_t *len)
{
    while (*len && ch_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && ch_space((*s)[*len - 1]))
        (*len)--;
}

/* If text ends with suffix (optionally preceded by spaces), cut it off. */
static bool strip_suffix(const char *s, size_t *len, const char *suffix)
{
    size_t n = strlen(suffix);
    if (!n || *len <= n || memcmp(s + *len - n, suffix, n))
        return false;
    *len -= n;
    while (*len && ch_space(s[*len - 1]))
        (*len)--;
    return *len > 0;
}

/* ---- names ------------------------------------------------------------------ */

static const char *const role_names[] = {
#define LTUYA_ROLE_STR_(name, text) text,
    LTUYA_ROLE_LIST(LTUYA_ROLE_STR_)
#undef LTUYA_ROLE_STR_
};

static const char *const psrc_names[] = {
#define LTUYA_PSRC_STR_(name, text) text,
    LTUYA_PSRC_LIST(LTUYA_PSRC_STR_)
#undef LTUYA_PSRC_STR_
};

const char *ltuya_role_name(ltuya_role_t r)
{
    return (unsigned)r < LTUYA_ROLE_COUNT_ ? role_names[r] : "none";
}

ltuya_role_t ltuya_role_from_name(const char *name)
{
    for (unsigned i = 0; i < LTUYA_ROLE_COUNT_; i++)
        if (!strcmp(role_names[i], name))
            return (ltuya_role_t)i;
    return LTUYA_ROLE_NONE;
}

const char *ltuya_psrc_name(ltuya_psrc_t s)
{
    return (unsigned)s < LTUYA_PSRC_COUNT_ ? psrc_names[s] : "none";
}

const char *ltuya_vtype_name(ltuya_vtype_t t)
{
    switch (t) {
    case LTUYA_VT_BOOL:
        return "Boolean";
    case LTUYA_VT_INT:
        return "Integer";
    case LTUYA_VT_ENUM:
        return "Enum";
    case LTUYA_VT_STRING:
        return "String";
    case LTUYA_VT_JSON:
        return "Json";
    case LTUYA_VT_RAW:
        return "Raw";
    case LTUYA_VT_BITMAP:
        return "Bitmap";
    default:
        return "unknown";
    }
}

ltuya_vtype_t ltuya_vtype_from_name(const char *name, size_t len)
{
    static const struct {
        const char *name;
        ltuya_vtype_t type;
    } names[] = {
        {"boolean", LTUYA_VT_BOOL},    {"bool", LTUYA_VT_BOOL}, {"integer", LTUYA_VT_INT},
        {"value", LTUYA_VT_INT},       {"enum", LTUYA_VT_ENUM}, {"string", LTUYA_VT_STRING},
        {"json", LTUYA_VT_JSON},       {"raw", LTUYA_VT_RAW},   {"bitmap", LTUYA_VT_BITMAP},
        {"bitfield", LTUYA_VT_BITMAP},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (eq_nocase(name, len, names[i].name))
            return names[i].type;
    return LTUYA_VT_UNKNOWN;
}

/* "prefix" followed by nothing or by digits only ("switch_3"). */
static bool code_is_numbered(const char *code, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(code, prefix, n))
        return false;
    for (const char *c = code + n; *c; c++)
        if (!ch_digit(*c))
            return false;
    return true;
}

ltuya_role_t ltuya_role_from_code(const char *code)
{
    static const struct {
        const char *code;
        ltuya_role_t role;
    } exact[] = {
        {"switch", LTUYA_ROLE_SWITCH},
        {"switch_led", LTUYA_ROLE_SWITCH},
        {"led_switch", LTUYA_ROLE_SWITCH},
        {"cur_power", LTUYA_ROLE_POWER},
        {"cur_voltage", LTUYA_ROLE_VOLTAGE},
        {"cur_current", LTUYA_ROLE_CURRENT},
        {"add_ele", LTUYA_ROLE_ENERGY},
        {"bright_value", LTUYA_ROLE_BRIGHTNESS},
        {"bright_value_v2", LTUYA_ROLE_BRIGHTNESS},
        {"temp_value", LTUYA_ROLE_COLOUR_TEMP},
        {"temp_value_v2", LTUYA_ROLE_COLOUR_TEMP},
        {"colour_data", LTUYA_ROLE_COLOUR},
        {"colour_data_v2", LTUYA_ROLE_COLOUR},
        {"work_mode", LTUYA_ROLE_MODE},
        {"mode", LTUYA_ROLE_MODE},
        {"scene_data", LTUYA_ROLE_SCENE},
        {"scene_data_v2", LTUYA_ROLE_SCENE},
        {"control", LTUYA_ROLE_COVER_CONTROL},
        {"percent_control", LTUYA_ROLE_POSITION},
        {"position", LTUYA_ROLE_POSITION},
        {"percent_state", LTUYA_ROLE_POSITION_STATE},
        {"temp_set", LTUYA_ROLE_TARGET_TEMP},
        {"temp_set_f", LTUYA_ROLE_TARGET_TEMP},
        {"temp_current", LTUYA_ROLE_CURRENT_TEMP},
        {"temp_current_f", LTUYA_ROLE_CURRENT_TEMP},
        {"va_temperature", LTUYA_ROLE_CURRENT_TEMP},
        {"va_humidity", LTUYA_ROLE_HUMIDITY},
        {"humidity_value", LTUYA_ROLE_HUMIDITY},
        {"humidity_current", LTUYA_ROLE_HUMIDITY},
        {"countdown_left", LTUYA_ROLE_COUNTDOWN},
        {"fan_speed", LTUYA_ROLE_FAN_SPEED},
        {"fan_speed_percent", LTUYA_ROLE_FAN_SPEED},
        {"fan_speed_enum", LTUYA_ROLE_FAN_SPEED},
        {"fan_direction", LTUYA_ROLE_DIRECTION},
        {"child_lock", LTUYA_ROLE_CHILD_LOCK},
        {"battery_percentage", LTUYA_ROLE_BATTERY},
        {"va_battery", LTUYA_ROLE_BATTERY},
        {"battery_state", LTUYA_ROLE_BATTERY_STATE},
        {"fault", LTUYA_ROLE_FAULT},
        {"relay_status", LTUYA_ROLE_SETTING},
        {"light_mode", LTUYA_ROLE_SETTING},
        {"control_back_mode", LTUYA_ROLE_SETTING},
        {"temp_unit_convert", LTUYA_ROLE_SETTING},
    };
    if (!code || !*code)
        return LTUYA_ROLE_NONE;
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (!strcmp(code, exact[i].code))
            return exact[i].role;
    if (code_is_numbered(code, "switch_") || code_is_numbered(code, "switch_usb"))
        return LTUYA_ROLE_SWITCH;
    if (code_is_numbered(code, "countdown_") || code_is_numbered(code, "countdown"))
        return LTUYA_ROLE_COUNTDOWN;
    if (code_is_numbered(code, "bright_value_"))
        return LTUYA_ROLE_BRIGHTNESS;
    return LTUYA_ROLE_NONE;
}

static ltuya_colour_fmt_t colour_from_code(const char *code)
{
    if (!strcmp(code, "colour_data_v2"))
        return LTUYA_COLOUR_HEX12;
    if (!strcmp(code, "colour_data"))
        return LTUYA_COLOUR_HEX14;
    return LTUYA_COLOUR_NONE;
}

/* ---- building --------------------------------------------------------------- */

void ltuya_profile_init(ltuya_profile_t *p)
{
    memset(p, 0, sizeof *p);
}

void ltuya_pdp_set_code(ltuya_pdp_t *d, const char *code, size_t len)
{
    copy_text(d->code, sizeof d->code, code, len);
    d->set |= LTUYA_PF_CODE;
}

void ltuya_pdp_set_unit(ltuya_pdp_t *d, const char *unit, size_t len)
{
    copy_text(d->unit, sizeof d->unit, unit, len);
    d->set |= LTUYA_PF_UNIT;
}

void ltuya_pdp_set_range(ltuya_pdp_t *d, int32_t min, int32_t max)
{
    d->min = min;
    d->max = max;
    d->set |= LTUYA_PF_RANGE;
}

ltuya_status_t ltuya_pdp_add_enum(ltuya_pdp_t *d, const char *value, size_t len)
{
    if (!len || memchr(value, ',', len))
        return LTUYA_ERR_INVALID_ARG;
    size_t have = strlen(d->enums);
    size_t need = have + (have ? 1 : 0) + len;
    if (need >= sizeof d->enums)
        return LTUYA_ERR_BUF_TOO_SMALL;
    if (have)
        d->enums[have++] = ',';
    memcpy(d->enums + have, value, len);
    d->enums[have + len] = 0;
    d->set |= LTUYA_PF_ENUM;
    return LTUYA_OK;
}

static ltuya_pdp_t *find_mut(ltuya_profile_t *p, uint16_t id)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->dp[i].id == id)
            return &p->dp[i];
    return NULL;
}

/* Copy field bit f from src to dst. */
static void copy_field(ltuya_pdp_t *dst, const ltuya_pdp_t *src, unsigned f)
{
    switch (1u << f) {
    case LTUYA_PF_CODE:
        memcpy(dst->code, src->code, sizeof dst->code);
        dst->code[sizeof dst->code - 1] = 0;
        break;
    case LTUYA_PF_TYPE:
        dst->type = src->type;
        break;
    case LTUYA_PF_RANGE:
        dst->min = src->min;
        dst->max = src->max;
        break;
    case LTUYA_PF_SCALE:
        dst->scale = src->scale > 9 ? 9 : src->scale;
        break;
    case LTUYA_PF_STEP:
        dst->step = src->step;
        break;
    case LTUYA_PF_UNIT:
        memcpy(dst->unit, src->unit, sizeof dst->unit);
        dst->unit[sizeof dst->unit - 1] = 0;
        break;
    case LTUYA_PF_ENUM:
        memcpy(dst->enums, src->enums, sizeof dst->enums);
        dst->enums[sizeof dst->enums - 1] = 0;
        break;
    case LTUYA_PF_ROLE:
        dst->role = src->role;
        break;
    case LTUYA_PF_COLOUR:
        dst->colour = src->colour;
        break;
    }
}

ltuya_status_t ltuya_profile_put(ltuya_profile_t *p, const ltuya_pdp_t *d, ltuya_psrc_t src)
{
    if (!d->id || src == LTUYA_PSRC_NONE || (unsigned)src >= LTUYA_PSRC_COUNT_)
        return LTUYA_ERR_INVALID_ARG;
    ltuya_pdp_t *e = find_mut(p, d->id);
    if (!e) {
        if (p->count >= LTUYA_PROFILE_MAX_DPS) {
            p->dropped++;
            return LTUYA_ERR_BUF_TOO_SMALL;
        }
        size_t at = 0;
        while (at < p->count && p->dp[at].id < d->id)
            at++;
        memmove(&p->dp[at + 1], &p->dp[at], (p->count - at) * sizeof p->dp[0]);
        e = &p->dp[at];
        memset(e, 0, sizeof *e);
        e->id = d->id;
        p->count++;
    }
    for (unsigned f = 0; f < LTUYA_PF_COUNT_; f++) {
        if (!(d->set & (1u << f)))
            continue;
        if ((e->set & (1u << f)) && e->src[f] > src)
            continue; /* a higher source already set it */
        copy_field(e, d, f);
        e->set |= (uint16_t)(1u << f);
        e->src[f] = (uint8_t)src;
    }
    /* Derived fields carry no source bit, so any real source replaces them. */
    if (!(e->set & LTUYA_PF_ROLE))
        e->role = (uint8_t)ltuya_role_from_code(e->code);
    if (!(e->set & LTUYA_PF_COLOUR))
        e->colour = e->role == LTUYA_ROLE_COLOUR ? (uint8_t)colour_from_code(e->code) : 0;
    if (e->role == LTUYA_ROLE_COLOUR && e->colour == LTUYA_COLOUR_NONE)
        e->colour = LTUYA_COLOUR_HEX12;
    p->sources |= (uint8_t)(1u << src);
    return LTUYA_OK;
}

void ltuya_profile_set_category(ltuya_profile_t *p, const char *category, ltuya_psrc_t src)
{
    if (!category || !*category || (p->category[0] && p->category_src > src))
        return;
    copy_text(p->category, sizeof p->category, category, strlen(category));
    p->category_src = (uint8_t)src;
}

/* ---- lookup ----------------------------------------------------------------- */

const ltuya_pdp_t *ltuya_profile_find(const ltuya_profile_t *p, uint16_t id)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->dp[i].id == id)
            return &p->dp[i];
    return NULL;
}

const ltuya_pdp_t *ltuya_profile_find_code(const ltuya_profile_t *p, const char *code)
{
    if (!code || !*code)
        return NULL;
    for (size_t i = 0; i < p->count; i++)
        if (!strcmp(p->dp[i].code, code))
            return &p->dp[i];
    return NULL;
}

const ltuya_pdp_t *ltuya_profile_find_role(const ltuya_profile_t *p, ltuya_role_t role)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->dp[i].role == role)
            return &p->dp[i];
    return NULL;
}

ltuya_psrc_t ltuya_pdp_source(const ltuya_pdp_t *d)
{
    uint8_t best = LTUYA_PSRC_NONE;
    for (unsigned f = 0; f < LTUYA_PF_COUNT_; f++)
        if ((d->set & (1u << f)) && d->src[f] > best)
            best = d->src[f];
    return (ltuya_psrc_t)best;
}

bool ltuya_pdp_has_enum(const ltuya_pdp_t *d, const char *value, size_t len)
{
    const char *s = d->enums;
    while (*s) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n == len && !memcmp(s, value, len))
            return true;
        if (!end)
            break;
        s = end + 1;
    }
    return false;
}

/* ---- built-in category defaults ---------------------------------------------- */

typedef struct {
    uint16_t id;
    uint8_t type;
    uint8_t scale;
    int32_t min, max;
    const char *code, *unit, *enums;
} builtin_t;

#define B_BOOL(id, code)                                                                           \
    {                                                                                              \
        id, LTUYA_VT_BOOL, 0, 0, 0, code, NULL, NULL                                               \
    }
#define B_INT(id, code, min, max, sc, unit)                                                        \
    {                                                                                              \
        id, LTUYA_VT_INT, sc, min, max, code, unit, NULL                                           \
    }
#define B_ENUM(id, code, values)                                                                   \
    {                                                                                              \
        id, LTUYA_VT_ENUM, 0, 0, 0, code, NULL, values                                             \
    }
#define B_STR(id, code)                                                                            \
    {                                                                                              \
        id, LTUYA_VT_STRING, 0, 0, 0, code, NULL, NULL                                             \
    }
#define B_BITS(id, code)                                                                           \
    {                                                                                              \
        id, LTUYA_VT_BITMAP, 0, 0, 0, code, NULL, NULL                                             \
    }

static const builtin_t socket_common[] = {
    B_INT(17, "add_ele", 0, 50000, 3, "kWh"),
    B_INT(18, "cur_current", 0, 30000, 0, "mA"),
    B_INT(19, "cur_power", 0, 50000, 1, "W"),
    B_INT(20, "cur_voltage", 0, 5000, 1, "V"),
    B_INT(21, "test_bit", 0, 5, 0, NULL),
    B_INT(22, "voltage_coe", 0, 1000000, 0, NULL),
    B_INT(23, "electric_coe", 0, 1000000, 0, NULL),
    B_INT(24, "power_coe", 0, 1000000, 0, NULL),
    B_INT(25, "electricity_coe", 0, 1000000, 0, NULL),
    B_BITS(26, "fault"),
    B_ENUM(38, "relay_status", "power_off,power_on,last"),
    B_BOOL(39, "overcharge_switch"),
    B_ENUM(40, "light_mode", "relay,pos,none"),
    B_BOOL(41, "child_lock"),
    B_STR(42, "cycle_time"),
    B_STR(43, "random_time"),
    B_STR(44, "switch_inching"),
};
/* Energy on old firmware (4/5/6) and on the 21/22/23 variant (protocol.md 8.1). */
static const builtin_t socket_energy_456[] = {
    B_INT(4, "cur_current", 0, 30000, 0, "mA"),
    B_INT(5, "cur_power", 0, 50000, 1, "W"),
    B_INT(6, "cur_voltage", 0, 5000, 1, "V"),
};
static const builtin_t socket_energy_212223[] = {
    B_INT(21, "cur_current", 0, 30000, 0, "mA"),
    B_INT(22, "cur_power", 0, 50000, 1, "W"),
    B_INT(23, "cur_voltage", 0, 5000, 1, "V"),
};
static const builtin_t light_v2[] = {
    B_BOOL(20, "switch_led"),
    B_ENUM(21, "work_mode", "white,colour,scene,music"),
    B_INT(22, "bright_value_v2", 10, 1000, 0, NULL),
    B_INT(23, "temp_value_v2", 0, 1000, 0, NULL),
    B_STR(24, "colour_data_v2"),
    B_STR(25, "scene_data_v2"),
    B_INT(26, "countdown_1", 0, 86400, 0, "s"),
    B_STR(27, "music_data"),
    B_STR(28, "control_data"),
};
static const builtin_t light_legacy[] = {
    B_BOOL(1, "led_switch"),
    B_ENUM(2, "work_mode", "white,colour,scene,scene_1,scene_2,scene_3,scene_4"),
    B_INT(3, "bright_value", 25, 255, 0, NULL),
    B_INT(4, "temp_value", 0, 255, 0, NULL),
    B_STR(5, "colour_data"),
};
static const builtin_t curtain[] = {
    B_ENUM(1, "control", "open,stop,close,continue"),
    B_INT(2, "percent_control", 0, 100, 0, "%"),
    B_INT(3, "percent_state", 0, 100, 0, "%"),
    B_ENUM(5, "control_back_mode", "forward,back"),
    B_ENUM(7, "work_state", "opening,closing"),
    B_INT(10, "time_total", 0, 120000, 0, "ms"),
    B_BITS(12, "fault"),
};
static const builtin_t thermostat[] = {
    B_BOOL(1, "switch"),
    B_INT(2, "temp_set", 50, 350, 1, "°C"),
    B_INT(3, "temp_current", -200, 1000, 1, "°C"),
    B_ENUM(4, "mode", "auto,manual"),
    B_BOOL(7, "child_lock"),
    B_BITS(13, "fault"),
};
static const builtin_t fan[] = {
    B_BOOL(1, "switch"),
    B_ENUM(2, "mode", "normal,nature,sleep"),
    B_INT(3, "fan_speed_percent", 1, 100, 0, "%"),
    B_ENUM(8, "fan_direction", "forward,reverse"),
};
static const builtin_t th_sensor[] = {
    B_INT(1, "va_temperature", -200, 600, 1, "°C"),
    B_INT(2, "va_humidity", 0, 100, 0, "%"),
    B_ENUM(3, "battery_state", "low,middle,high"),
    B_INT(4, "battery_percentage", 0, 100, 0, "%"),
};

static const ltuya_dp_t *status_dp(const ltuya_dps_t *st, uint16_t id)
{
    return st ? ltuya_dps_find(st, id) : NULL;
}

static bool status_is(const ltuya_dps_t *st, uint16_t id, ltuya_dp_type_t t)
{
    const ltuya_dp_t *d = status_dp(st, id);
    return d && d->type == t;
}

static void put_builtin(ltuya_profile_t *p, const builtin_t *b, uint16_t id)
{
    ltuya_pdp_t d;
    memset(&d, 0, sizeof d);
    d.id = id;
    ltuya_pdp_set_code(&d, b->code, strlen(b->code));
    d.type = b->type;
    d.set |= LTUYA_PF_TYPE;
    if (b->type == LTUYA_VT_INT) {
        ltuya_pdp_set_range(&d, b->min, b->max);
        d.scale = b->scale;
        d.step = 1;
        d.set |= LTUYA_PF_SCALE | LTUYA_PF_STEP;
    }
    if (b->unit)
        ltuya_pdp_set_unit(&d, b->unit, strlen(b->unit));
    if (b->enums) {
        copy_text(d.enums, sizeof d.enums, b->enums, strlen(b->enums));
        d.set |= LTUYA_PF_ENUM;
    }
    (void)ltuya_profile_put(p, &d, LTUYA_PSRC_BUILTIN);
}

/* Add the entries of a table: all of them without a status, else those the
 * status has. */
static void put_table(ltuya_profile_t *p, const builtin_t *t, size_t n, const ltuya_dps_t *st)
{
    for (size_t i = 0; i < n; i++)
        if (!st || status_dp(st, t[i].id))
            put_builtin(p, &t[i], t[i].id);
}

#define TABLE(t) t, sizeof t / sizeof t[0]

static void builtin_socket(ltuya_profile_t *p, const ltuya_dps_t *st)
{
    char code[16];
    bool energy_18 = !st || status_is(st, 19, LTUYA_DP_INT);
    bool energy_456 = st && !energy_18 && status_is(st, 4, LTUYA_DP_INT) &&
                      status_is(st, 5, LTUYA_DP_INT) && status_is(st, 6, LTUYA_DP_INT);
    bool energy_21 = st && !energy_18 && status_is(st, 21, LTUYA_DP_INT) &&
                     status_is(st, 22, LTUYA_DP_INT) && status_is(st, 23, LTUYA_DP_INT);
    unsigned gangs = 1;
    if (st) /* consecutive bool DPs from 1 are the gangs */
        for (gangs = 0; gangs < 6 && status_is(st, (uint16_t)(gangs + 1), LTUYA_DP_BOOL);)
            gangs++;
    for (unsigned g = 1; g <= (st ? gangs : 1); g++) {
        builtin_t sw = B_BOOL((uint16_t)g, code);
        memcpy(code, "switch_", 7);
        code[7] = (char)('0' + g);
        code[8] = 0;
        put_builtin(p, &sw, sw.id);
    }
    if (gangs > 1) {
        for (unsigned g = 1; g <= gangs; g++) {
            builtin_t cd = B_INT((uint16_t)(6 + g), code, 0, 86400, 0, "s");
            memcpy(code, "countdown_", 10);
            code[10] = (char)('0' + g);
            code[11] = 0;
            if (status_is(st, cd.id, LTUYA_DP_INT))
                put_builtin(p, &cd, cd.id);
        }
    } else {
        builtin_t cd = B_INT(9, "countdown_1", 0, 86400, 0, "s");
        if (!st || status_dp(st, 9))
            put_builtin(p, &cd, cd.id);
    }
    if (energy_456)
        put_table(p, TABLE(socket_energy_456), st);
    if (energy_21)
        put_table(p, TABLE(socket_energy_212223), st);
    for (size_t i = 0; i < sizeof socket_common / sizeof socket_common[0]; i++) {
        const builtin_t *b = &socket_common[i];
        if (!energy_18 && b->id >= 17 && b->id <= 20)
            continue;
        if (energy_21 && b->id >= 21 && b->id <= 23)
            continue;
        if (!st || status_dp(st, b->id))
            put_builtin(p, b, b->id);
    }
}

ltuya_status_t ltuya_profile_builtin(ltuya_profile_t *p, const char *category,
                                     const ltuya_dps_t *status)
{
    if (!category)
        return LTUYA_ERR_NOT_FOUND;
    if (!strcmp(category, "cz") || !strcmp(category, "kg") || !strcmp(category, "pc") ||
        !strcmp(category, "tdq")) {
        builtin_socket(p, status);
    } else if (!strcmp(category, "dj")) {
        bool legacy = status && !status_dp(status, 20) && status_dp(status, 1);
        if (legacy)
            put_table(p, TABLE(light_legacy), status);
        else
            put_table(p, TABLE(light_v2), status);
    } else if (!strcmp(category, "cl")) {
        put_table(p, TABLE(curtain), status);
    } else if (!strcmp(category, "wk")) {
        put_table(p, TABLE(thermostat), status);
    } else if (!strcmp(category, "fs")) {
        put_table(p, TABLE(fan), status);
    } else if (!strcmp(category, "wsdcg")) {
        put_table(p, TABLE(th_sensor), status);
    } else {
        return LTUYA_ERR_NOT_FOUND;
    }
    ltuya_profile_set_category(p, category, LTUYA_PSRC_BUILTIN);
    p->sources |= (uint8_t)(1u << LTUYA_PSRC_BUILTIN);
    return LTUYA_OK;
}

static bool status_str_is(const ltuya_dps_t *st, uint16_t id, const char *const *values)
{
    const ltuya_dp_t *d = status_dp(st, id);
    if (!d || d->type != LTUYA_DP_STR)
        return false;
    for (; *values; values++)
        if (eq_text(d->str.ptr, d->str.len, *values))
            return true;
    return false;
}

const char *ltuya_profile_guess_category(const ltuya_dps_t *st)
{
    static const char *const light_modes[] = {"white", "colour", "scene", "music", NULL};
    static const char *const cover_cmds[] = {"open", "close", "stop", "continue", NULL};
    static const char *const thermo_modes[] = {"auto", "manual", NULL};
    if (!st)
        return NULL;
    if (status_is(st, 20, LTUYA_DP_BOOL) &&
        (status_str_is(st, 21, light_modes) || status_is(st, 22, LTUYA_DP_INT)))
        return "dj";
    if (status_is(st, 1, LTUYA_DP_BOOL) && status_str_is(st, 2, light_modes))
        return "dj";
    if (status_str_is(st, 1, cover_cmds))
        return "cl";
    if (status_is(st, 1, LTUYA_DP_BOOL) && status_is(st, 2, LTUYA_DP_INT) &&
        status_is(st, 3, LTUYA_DP_INT) && status_str_is(st, 4, thermo_modes))
        return "wk";
    if (status_is(st, 1, LTUYA_DP_INT) && status_is(st, 2, LTUYA_DP_INT) && !status_dp(st, 18) &&
        !status_dp(st, 20))
        return "wsdcg";
    if (status_is(st, 1, LTUYA_DP_BOOL) &&
        (status_is(st, 19, LTUYA_DP_INT) || status_is(st, 5, LTUYA_DP_INT) ||
         status_is(st, 22, LTUYA_DP_INT)))
        return "cz";
    if (status_is(st, 1, LTUYA_DP_BOOL))
        return "kg";
    return NULL;
}

void ltuya_profile_add_raw(ltuya_profile_t *p, const ltuya_dps_t *st)
{
    for (size_t i = 0; i < st->count; i++) {
        const ltuya_dp_t *v = &st->dp[i];
        ltuya_pdp_t d;
        memset(&d, 0, sizeof d);
        d.id = v->id;
        switch (v->type) {
        case LTUYA_DP_BOOL:
            d.type = LTUYA_VT_BOOL;
            break;
        case LTUYA_DP_INT:
            d.type = LTUYA_VT_INT;
            break;
        case LTUYA_DP_STR:
            d.type = LTUYA_VT_STRING;
            break;
        case LTUYA_DP_RAW:
            d.type = LTUYA_VT_JSON;
            break;
        default:
            d.type = LTUYA_VT_UNKNOWN;
            break;
        }
        d.set = LTUYA_PF_TYPE;
        (void)ltuya_profile_put(p, &d, LTUYA_PSRC_RAW);
    }
}

/* ---- numbers ------------------------------------------------------------------ */

static const int64_t pow10_table[] = {1,      10,      100,      1000,      10000,
                                      100000, 1000000, 10000000, 100000000, 1000000000};

ltuya_status_t ltuya_scaled_format(int64_t raw, unsigned scale, char *buf, size_t cap, size_t *len)
{
    char tmp[32];
    size_t n = 0;
    if (scale > 9)
        scale = 9;
    uint64_t mag = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
    /* digits, least significant first, at least scale + 1 of them */
    char digits[24];
    size_t nd = 0;
    do {
        digits[nd++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag || nd <= scale);
    if (raw < 0)
        tmp[n++] = '-';
    for (size_t i = nd; i-- > 0;) {
        tmp[n++] = digits[i];
        if (i == scale && scale)
            tmp[n++] = '.';
    }
    if (len)
        *len = n;
    if (n + 1 > cap)
        return LTUYA_ERR_BUF_TOO_SMALL;
    memcpy(buf, tmp, n);
    buf[n] = 0;
    return LTUYA_OK;
}

ltuya_status_t ltuya_scaled_parse(const char *s, size_t len, unsigned scale, int64_t *raw)
{
    trim(&s, &len);
    if (scale > 9)
        return LTUYA_ERR_INVALID_ARG;
    bool neg = false;
    size_t i = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    int64_t v = 0;
    size_t int_digits = 0, frac_digits = 0;
    bool overflow = false;
    for (; i < len && ch_digit(s[i]); i++, int_digits++) {
        if (v > 100000000000LL)
            overflow = true;
        else
            v = v * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && ch_digit(s[i]); i++, frac_digits++) {
            if (frac_digits < scale) {
                if (v > 100000000000LL)
                    overflow = true;
                else
                    v = v * 10 + (s[i] - '0');
            } else if (s[i] != '0') {
                return LTUYA_ERR_BAD_VALUE; /* finer than the DP resolves */
            }
        }
    }
    if (i != len || (int_digits == 0 && frac_digits == 0))
        return LTUYA_ERR_BAD_VALUE;
    for (size_t k = frac_digits; k < scale && !overflow; k++) {
        v *= 10;
        overflow = v > INT32_MAX; /* stop before int64 could overflow */
    }
    if (overflow || v > INT32_MAX)
        return LTUYA_ERR_OUT_OF_RANGE;
    *raw = neg ? -v : v;
    return LTUYA_OK;
}

double ltuya_pdp_to_double(const ltuya_pdp_t *d, int64_t raw)
{
    unsigned scale = d && d->scale <= 9 ? d->scale : 0;
    return (double)raw / (double)pow10_table[scale];
}

ltuya_status_t ltuya_pdp_check_int(const ltuya_pdp_t *d, int64_t raw)
{
    if (d->set & LTUYA_PF_RANGE) {
        if (raw < d->min || raw > d->max)
            return LTUYA_ERR_OUT_OF_RANGE;
        if (d->step > 1 && (raw - d->min) % d->step)
            return LTUYA_ERR_OUT_OF_RANGE;
    } else if (d->step > 1 && raw % d->step) {
        return LTUYA_ERR_OUT_OF_RANGE;
    }
    return LTUYA_OK;
}

ltuya_status_t ltuya_pdp_from_percent(const ltuya_pdp_t *d, int64_t hundredths, int64_t *raw)
{
    if (!(d->set & LTUYA_PF_RANGE) || d->max < d->min)
        return LTUYA_ERR_BAD_VALUE; /* nothing to map onto */
    if (hundredths < 0 || hundredths > 10000)
        return LTUYA_ERR_OUT_OF_RANGE;
    int64_t span = (int64_t)d->max - d->min;
    int64_t off = span * hundredths / 10000; /* truncated, as tinytuya's int() */
    if (d->step > 1)
        off -= off % d->step;
    *raw = d->min + off;
    return LTUYA_OK;
}

/* ---- colour -------------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = ch_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool hex_field(const char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return false;
        v = v * 16 + (uint32_t)h;
    }
    *out = v;
    return true;
}

static bool hsv_ok(const ltuya_hsv_t *c)
{
    return c->h <= 360 && c->s <= 1000 && c->v <= 1000;
}

/* Scale 0-255 <-> 0-1000, rounded. */
static uint16_t from255(uint32_t x)
{
    return (uint16_t)((x * 1000 + 127) / 255);
}

static uint16_t to255(uint32_t x)
{
    return (uint16_t)((x * 255 + 500) / 1000);
}

/* The integer value of member `key` of a flat JSON object. */
static bool json_member_int(const char *json, size_t len, const char *key, int64_t *out)
{
    ltuya_str_t v;
    bool is_str;
    if (ltuya_json_get(json, len, key, &v, &is_str) != LTUYA_OK || is_str)
        return false;
    return ltuya_scaled_parse(v.ptr, v.len, 0, out) == LTUYA_OK;
}

ltuya_status_t ltuya_colour_decode(const char *s, size_t len, ltuya_colour_fmt_t json_hint,
                                   ltuya_hsv_t *out, ltuya_colour_fmt_t *fmt)
{
    trim(&s, &len);
    uint32_t h, sat, val;
    ltuya_hsv_t c;
    ltuya_colour_fmt_t found;
    if (len == 12 && hex_field(s, 4, &h) && hex_field(s + 4, 4, &sat) &&
        hex_field(s + 8, 4, &val)) {
        found = LTUYA_COLOUR_HEX12;
        if (h > 360 || sat > 1000 || val > 1000)
            return LTUYA_ERR_BAD_VALUE;
        c.h = (uint16_t)h;
        c.s = (uint16_t)sat;
        c.v = (uint16_t)val;
    } else if (len == 14 && hex_field(s, 6, &val) && hex_field(s + 6, 4, &h) &&
               hex_field(s + 10, 2, &sat) && hex_field(s + 12, 2, &val)) {
        found = LTUYA_COLOUR_HEX14; /* rrggbb then the HSV it was made from */
        if (h > 360)
            return LTUYA_ERR_BAD_VALUE;
        c.h = (uint16_t)h;
        c.s = from255(sat);
        c.v = from255(val);
    } else if (len && s[0] == '{') {
        int64_t jh, js, jv;
        if (!json_member_int(s, len, "h", &jh) || !json_member_int(s, len, "s", &js) ||
            !json_member_int(s, len, "v", &jv))
            return LTUYA_ERR_BAD_VALUE;
        bool is255 = json_hint == LTUYA_COLOUR_JSON255;
        int64_t lim = is255 ? 255 : 1000;
        if (jh < 0 || jh > 360 || js < 0 || js > lim || jv < 0 || jv > lim)
            return LTUYA_ERR_BAD_VALUE;
        found = is255 ? LTUYA_COLOUR_JSON255 : LTUYA_COLOUR_JSON1000;
        c.h = (uint16_t)jh;
        c.s = is255 ? from255((uint32_t)js) : (uint16_t)js;
        c.v = is255 ? from255((uint32_t)jv) : (uint16_t)jv;
    } else {
        return LTUYA_ERR_BAD_VALUE;
    }
    *out = c;
    if (fmt)
        *fmt = found;
    return LTUYA_OK;
}

static size_t put_hex(char *dst, uint32_t v, unsigned digits)
{
    static const char hx[] = "0123456789abcdef";
    for (unsigned i = 0; i < digits; i++)
        dst[i] = hx[(v >> (4 * (digits - 1 - i))) & 15];
    return digits;
}

static size_t put_uint(char *dst, uint32_t v)
{
    char tmp[12];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

ltuya_status_t ltuya_colour_encode(const ltuya_hsv_t *c, ltuya_colour_fmt_t fmt, char *buf,
                                   size_t cap, size_t *len)
{
    char tmp[48];
    size_t n = 0;
    if (!hsv_ok(c))
        return LTUYA_ERR_INVALID_ARG;
    switch (fmt) {
    case LTUYA_COLOUR_HEX12:
        n += put_hex(tmp + n, c->h, 4);
        n += put_hex(tmp + n, c->s, 4);
        n += put_hex(tmp + n, c->v, 4);
        break;
    case LTUYA_COLOUR_HEX14: {
        uint8_t r, g, b;
        ltuya_hsv_to_rgb(c, &r, &g, &b);
        n += put_hex(tmp + n, ((uint32_t)r << 16) | ((uint32_t)g << 8) | b, 6);
        n += put_hex(tmp + n, c->h, 4);
        n += put_hex(tmp + n, to255(c->s), 2);
        n += put_hex(tmp + n, to255(c->v), 2);
        break;
    }
    case LTUYA_COLOUR_JSON1000:
    case LTUYA_COLOUR_JSON255: {
        bool is255 = fmt == LTUYA_COLOUR_JSON255;
        memcpy(tmp + n, "{\"h\":", 5);
        n += 5;
        n += put_uint(tmp + n, c->h);
        memcpy(tmp + n, ",\"s\":", 5);
        n += 5;
        n += put_uint(tmp + n, is255 ? to255(c->s) : c->s);
        memcpy(tmp + n, ",\"v\":", 5);
        n += 5;
        n += put_uint(tmp + n, is255 ? to255(c->v) : c->v);
        tmp[n++] = '}';
        break;
    }
    default:
        return LTUYA_ERR_INVALID_ARG;
    }
    if (len)
        *len = n;
    if (n + 1 > cap)
        return LTUYA_ERR_BUF_TOO_SMALL;
    memcpy(buf, tmp, n);
    buf[n] = 0;
    return LTUYA_OK;
}

void ltuya_rgb_to_hsv(uint8_t r, uint8_t g, uint8_t b, ltuya_hsv_t *out)
{
    int32_t mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
    int32_t mn = r < g ? (r < b ? r : b) : (g < b ? g : b);
    int32_t d = mx - mn;
    int32_t h = 0;
    if (d) {
        /* hue in tenths of a degree, then rounded to degrees */
        int32_t t;
        if (mx == r)
            t = 600 * (g - b) / d;
        else if (mx == g)
            t = 600 * (b - r) / d + 1200;
        else
            t = 600 * (r - g) / d + 2400;
        if (t < 0)
            t += 3600;
        h = (t + 5) / 10;
        if (h >= 360)
            h -= 360;
    }
    out->h = (uint16_t)h;
    out->s = mx ? (uint16_t)((d * 1000 + mx / 2) / mx) : 0;
    out->v = from255((uint32_t)mx);
}

void ltuya_hsv_to_rgb(const ltuya_hsv_t *c, uint8_t *r, uint8_t *g, uint8_t *b)
{
    /* all in 0..255000 fixed point (value * 1000) */
    uint32_t h = c->h % 360, s = c->s > 1000 ? 1000 : c->s, v = c->v > 1000 ? 1000 : c->v;
    uint32_t vmax = v * 255;                      /* V in thousandths of 0..255 */
    uint32_t chroma = (v * s * 255 + 500) / 1000; /* C = V * S, same unit */
    uint32_t sector = h / 60, rem = h % 60;       /* X = C * (1 - |(h/60 mod 2) - 1|) */
    uint32_t x = sector % 2 ? chroma * (60 - rem) / 60 : chroma * rem / 60;
    uint32_t m = vmax - chroma;
    uint32_t rr, gg, bb;
    switch (sector) {
    case 0:
        rr = chroma, gg = x, bb = 0;
        break;
    case 1:
        rr = x, gg = chroma, bb = 0;
        break;
    case 2:
        rr = 0, gg = chroma, bb = x;
        break;
    case 3:
        rr = 0, gg = x, bb = chroma;
        break;
    case 4:
        rr = x, gg = 0, bb = chroma;
        break;
    default:
        rr = chroma, gg = 0, bb = x;
        break;
    }
    *r = (uint8_t)((rr + m + 500) / 1000);
    *g = (uint8_t)((gg + m + 500) / 1000);
    *b = (uint8_t)((bb + m + 500) / 1000);
}

/* ---- formatting and parsing values ------------------------------------------- */

static ltuya_status_t put_text(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    if (len)
        *len = n;
    if (n + 1 > cap)
        return LTUYA_ERR_BUF_TOO_SMALL;
    memcpy(buf, s, n);
    buf[n] = 0;
    return LTUYA_OK;
}

static ltuya_status_t put_string_dp(const ltuya_dp_t *v, char *buf, size_t cap, size_t *len)
{
    if (v->type == LTUYA_DP_RAW || !v->escaped)
        return put_text(buf, cap, len, v->str.ptr, v->str.len);
    size_t n = 0;
    if (!cap)
        return LTUYA_ERR_BUF_TOO_SMALL;
    ltuya_status_t st = ltuya_json_unescape(v->str, buf, cap - 1, &n);
    if (st != LTUYA_OK)
        return st;
    buf[n] = 0;
    if (len)
        *len = n;
    return LTUYA_OK;
}

static ltuya_colour_fmt_t json_hint_of(const ltuya_pdp_t *d)
{
    return (d->colour == LTUYA_COLOUR_HEX14 || d->colour == LTUYA_COLOUR_JSON255)
               ? LTUYA_COLOUR_JSON255
               : LTUYA_COLOUR_JSON1000;
}

static ltuya_status_t format_hsv(const ltuya_hsv_t *c, char *buf, size_t cap, size_t *len)
{
    char tmp[32];
    size_t n = 0;
    memcpy(tmp, "hsv(", 4);
    n = 4;
    n += put_uint(tmp + n, c->h);
    tmp[n++] = ',';
    n += put_uint(tmp + n, c->s);
    tmp[n++] = ',';
    n += put_uint(tmp + n, c->v);
    tmp[n++] = ')';
    return put_text(buf, cap, len, tmp, n);
}

ltuya_status_t ltuya_pdp_format(const ltuya_pdp_t *d, const ltuya_dp_t *v, char *buf, size_t cap,
                                size_t *len)
{
    ltuya_vtype_t t = d ? (ltuya_vtype_t)d->type : LTUYA_VT_UNKNOWN;
    if (!v)
        return LTUYA_ERR_INVALID_ARG;
    if (v->type == LTUYA_DP_NULL)
        return put_text(buf, cap, len, "null", 4);
    if (d && d->role == LTUYA_ROLE_COLOUR && v->type == LTUYA_DP_STR) {
        ltuya_hsv_t c;
        if (ltuya_colour_decode(v->str.ptr, v->str.len, json_hint_of(d), &c, NULL) != LTUYA_OK)
            return LTUYA_ERR_BAD_VALUE;
        return format_hsv(&c, buf, cap, len);
    }
    switch (t) {
    case LTUYA_VT_BOOL:
        if (v->type != LTUYA_DP_BOOL)
            return LTUYA_ERR_BAD_VALUE;
        break;
    case LTUYA_VT_INT:
    case LTUYA_VT_BITMAP:
        if (v->type != LTUYA_DP_INT)
            return LTUYA_ERR_BAD_VALUE;
        return ltuya_scaled_format(v->i, t == LTUYA_VT_INT ? d->scale : 0, buf, cap, len);
    case LTUYA_VT_ENUM:
        if (v->type != LTUYA_DP_STR)
            return LTUYA_ERR_BAD_VALUE;
        break;
    case LTUYA_VT_STRING:
    case LTUYA_VT_JSON:
    case LTUYA_VT_RAW:
        if (v->type != LTUYA_DP_STR && v->type != LTUYA_DP_RAW)
            return LTUYA_ERR_BAD_VALUE;
        break;
    default:
        break;
    }
    switch (v->type) {
    case LTUYA_DP_BOOL:
        return v->b ? put_text(buf, cap, len, "true", 4) : put_text(buf, cap, len, "false", 5);
    case LTUYA_DP_INT:
        return ltuya_scaled_format(v->i, 0, buf, cap, len);
    default:
        return put_string_dp(v, buf, cap, len);
    }
}

static ltuya_status_t parse_bool(const char *s, size_t n, bool *out)
{
    static const char *const yes[] = {"true", "on", "1", "yes"};
    static const char *const no[] = {"false", "off", "0", "no"};
    for (size_t i = 0; i < 4; i++) {
        if (eq_nocase(s, n, yes[i])) {
            *out = true;
            return LTUYA_OK;
        }
        if (eq_nocase(s, n, no[i])) {
            *out = false;
            return LTUYA_OK;
        }
    }
    return LTUYA_ERR_BAD_VALUE;
}

/* Seconds in one unit of a time unit name, 0 if it is not one. */
static int64_t time_unit_seconds(const char *u, size_t n)
{
    if (eq_text(u, n, "s") || eq_text(u, n, "sec"))
        return 1;
    if (eq_text(u, n, "min"))
        return 60;
    if (eq_text(u, n, "h"))
        return 3600;
    return 0;
}

/* "90s", "1.5min", "2h" on a DP whose unit is a time unit: *handled when the
 * text carried a time unit. */
static ltuya_status_t parse_duration(const ltuya_pdp_t *d, const char *s, size_t n, bool *handled,
                                     int64_t *raw)
{
    *handled = false;
    int64_t dp_unit = time_unit_seconds(d->unit, strlen(d->unit));
    if (!dp_unit)
        return LTUYA_OK;
    size_t k = n;
    while (k && !ch_digit(s[k - 1]) && s[k - 1] != '.')
        k--;
    size_t num_end = k;
    while (k < n && ch_space(s[k]))
        k++;
    int64_t text_unit = time_unit_seconds(s + k, n - k);
    if (!text_unit || num_end == 0)
        return LTUYA_OK;
    *handled = true;
    /* the number in thousandths of the text's unit, then exact division */
    int64_t milli;
    ltuya_status_t st = ltuya_scaled_parse(s, num_end, 3, &milli);
    if (st != LTUYA_OK)
        return st;
    int64_t ms_total = milli * text_unit; /* milliseconds */
    int64_t per_raw = dp_unit * 1000;
    for (unsigned i = 0; i < d->scale; i++)
        per_raw /= 10; /* a DP in tenths of seconds ... */
    if (per_raw <= 0 || ms_total % per_raw)
        return LTUYA_ERR_BAD_VALUE; /* not a whole number of the DP's units */
    *raw = ms_total / per_raw;
    return LTUYA_OK;
}

static ltuya_status_t parse_int(const ltuya_pdp_t *d, const char *s, size_t n, int64_t *raw)
{
    size_t m = n;
    bool unit_pct = !strcmp(d->unit, "%");
    if (!unit_pct && strip_suffix(s, &m, "%")) {
        int64_t hundredths;
        ltuya_status_t st = ltuya_scaled_parse(s, m, 2, &hundredths);
        if (st != LTUYA_OK)
            return st == LTUYA_ERR_OUT_OF_RANGE ? st : LTUYA_ERR_BAD_VALUE;
        return ltuya_pdp_from_percent(d, hundredths, raw);
    }
    m = n;
    if (d->role == LTUYA_ROLE_COLOUR_TEMP && strcmp(d->unit, "K") && strip_suffix(s, &m, "K")) {
        int64_t k;
        ltuya_status_t st = ltuya_scaled_parse(s, m, 0, &k);
        if (st != LTUYA_OK)
            return st;
        if (!(d->set & LTUYA_PF_RANGE))
            return LTUYA_ERR_BAD_VALUE;
        if (k < 2700 || k > 6500)
            return LTUYA_ERR_OUT_OF_RANGE;
        /* percent in hundredths, then the tinytuya mapping onto the range */
        return ltuya_pdp_from_percent(d, (k - 2700) * 10000 / 3800, raw);
    }
    bool handled;
    ltuya_status_t st = parse_duration(d, s, n, &handled, raw);
    if (handled || st != LTUYA_OK)
        return st;
    m = n;
    if (d->unit[0])
        (void)strip_suffix(s, &m, d->unit);
    return ltuya_scaled_parse(s, m, d->scale, raw);
}

static ltuya_status_t parse_colour(const ltuya_pdp_t *d, const char *s, size_t n, char *scratch,
                                   size_t cap, ltuya_dp_t *out)
{
    ltuya_hsv_t c;
    uint32_t rgb;
    if (n == 7 && s[0] == '#' && hex_field(s + 1, 6, &rgb)) {
        ltuya_rgb_to_hsv((uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb, &c);
    } else if (n > 5 && !memcmp(s, "hsv(", 4) && s[n - 1] == ')') {
        int64_t parts[3];
        size_t k = 4;
        for (int i = 0; i < 3; i++) {
            size_t start = k;
            while (k < n - 1 && s[k] != ',')
                k++;
            if (ltuya_scaled_parse(s + start, k - start, 0, &parts[i]) != LTUYA_OK)
                return LTUYA_ERR_BAD_VALUE;
            if ((i < 2) != (k < n - 1))
                return LTUYA_ERR_BAD_VALUE; /* two commas exactly */
            k++;
        }
        if (parts[0] < 0 || parts[0] > 360 || parts[1] < 0 || parts[1] > 1000 || parts[2] < 0 ||
            parts[2] > 1000)
            return LTUYA_ERR_OUT_OF_RANGE;
        c.h = (uint16_t)parts[0];
        c.s = (uint16_t)parts[1];
        c.v = (uint16_t)parts[2];
    } else if (ltuya_colour_decode(s, n, json_hint_of(d), &c, NULL) != LTUYA_OK) {
        return LTUYA_ERR_BAD_VALUE;
    }
    size_t len;
    ltuya_colour_fmt_t fmt = d->colour ? (ltuya_colour_fmt_t)d->colour : LTUYA_COLOUR_HEX12;
    ltuya_status_t st = ltuya_colour_encode(&c, fmt, scratch, cap, &len);
    if (st != LTUYA_OK)
        return st;
    *out = ltuya_dp_str(d->id, scratch, len);
    return LTUYA_OK;
}

static ltuya_status_t copy_to_scratch(uint16_t id, const char *s, size_t n, char *scratch,
                                      size_t cap, ltuya_dp_t *out)
{
    if (n + 1 > cap)
        return LTUYA_ERR_BUF_TOO_SMALL;
    memcpy(scratch, s, n);
    scratch[n] = 0;
    *out = ltuya_dp_str(id, scratch, n);
    return LTUYA_OK;
}

ltuya_status_t ltuya_pdp_parse(const ltuya_pdp_t *d, const char *s, size_t n, char *scratch,
                               size_t cap, ltuya_dp_t *out)
{
    ltuya_status_t st;
    if (!d || !s)
        return LTUYA_ERR_INVALID_ARG;
    if (d->role == LTUYA_ROLE_COLOUR)
        return parse_colour(d, s, n, scratch, cap, out);
    switch ((ltuya_vtype_t)d->type) {
    case LTUYA_VT_BOOL: {
        bool b;
        st = parse_bool(s, n, &b);
        if (st == LTUYA_OK)
            *out = ltuya_dp_bool(d->id, b);
        return st;
    }
    case LTUYA_VT_INT:
    case LTUYA_VT_BITMAP: {
        int64_t raw;
        trim(&s, &n);
        st = parse_int(d, s, n, &raw);
        if (st == LTUYA_OK)
            st = ltuya_pdp_check_int(d, raw);
        if (st == LTUYA_OK)
            *out = ltuya_dp_int(d->id, raw);
        return st;
    }
    case LTUYA_VT_ENUM:
        if ((d->set & LTUYA_PF_ENUM) && !ltuya_pdp_has_enum(d, s, n))
            return LTUYA_ERR_BAD_VALUE;
        return copy_to_scratch(d->id, s, n, scratch, cap, out);
    case LTUYA_VT_JSON:
        if (ltuya_json_validate(s, n) != LTUYA_OK)
            return LTUYA_ERR_BAD_VALUE;
        return copy_to_scratch(d->id, s, n, scratch, cap, out);
    case LTUYA_VT_STRING:
        if ((d->set & LTUYA_PF_RANGE) && d->max > 0 && n > (size_t)d->max)
            return LTUYA_ERR_OUT_OF_RANGE;
        return copy_to_scratch(d->id, s, n, scratch, cap, out);
    case LTUYA_VT_RAW:
        return copy_to_scratch(d->id, s, n, scratch, cap, out);
    default: { /* type unknown: a bool word, an integer, else text */
        bool b;
        int64_t raw;
        if (parse_bool(s, n, &b) == LTUYA_OK && !(n == 1)) {
            *out = ltuya_dp_bool(d->id, b);
            return LTUYA_OK;
        }
        if (ltuya_scaled_parse(s, n, 0, &raw) == LTUYA_OK) {
            *out = ltuya_dp_int(d->id, raw);
            return LTUYA_OK;
        }
        return copy_to_scratch(d->id, s, n, scratch, cap, out);
    }
    }
}
