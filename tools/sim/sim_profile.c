/* The simulator's built-in profiles; see sim_profile.h and docs/simulator.md. */
#include "sim_profile.h"

#include <string.h>

#include "sim_device.h"

#define N(a) (sizeof(a) / sizeof *(a))

/* Shorthands for the tables: a DP that can be written, and one the device
 * only reports. */
#define BOOL_(id, code, init)                                                                      \
    {                                                                                              \
        id, code, SIM_K_BOOL, false, 0, 1, 0, 1, NULL, NULL, init, NULL                            \
    }
#define INT_(id, code, lo, hi, scale, step, unit, init)                                            \
    {                                                                                              \
        id, code, SIM_K_INT, false, lo, hi, scale, step, unit, NULL, init, NULL                    \
    }
#define RO_INT_(id, code, lo, hi, scale, unit, init)                                               \
    {                                                                                              \
        id, code, SIM_K_INT, true, lo, hi, scale, 1, unit, NULL, init, NULL                        \
    }
#define ENUM_(id, code, range, init)                                                               \
    {                                                                                              \
        id, code, SIM_K_ENUM, false, 0, 0, 0, 1, NULL, range, 0, init                              \
    }
#define RO_ENUM_(id, code, range, init)                                                            \
    {                                                                                              \
        id, code, SIM_K_ENUM, true, 0, 0, 0, 1, NULL, range, 0, init                               \
    }
#define STR_(id, code, maxlen, init)                                                               \
    {                                                                                              \
        id, code, SIM_K_STRING, false, 0, maxlen, 0, 1, NULL, NULL, 0, init                        \
    }

#define CELSIUS "\xe2\x84\x83" /* U+2103, the unit Tuya's cloud uses */

/* The seed's AUBESS Smart Socket 20A (protocol.md 8.1): Tuya's "cz" socket
 * set with the energy DPs 17-20 and their calibration factors. */
static const sim_dp_spec_t plug_dps[] = {
    BOOL_(1, "switch_1", 1),
    INT_(9, "countdown_1", 0, 86400, 0, 1, "s", 0),
    RO_INT_(17, "add_ele", 0, 50000, 3, "kWh", 0),
    RO_INT_(18, "cur_current", 0, 30000, 0, "mA", 0),
    RO_INT_(19, "cur_power", 0, 50000, 1, "W", 0),
    RO_INT_(20, "cur_voltage", 0, 5000, 1, "V", 0),
    RO_INT_(21, "test_bit", 0, 5, 0, NULL, 1),
    RO_INT_(22, "voltage_coe", 0, 1000000, 0, NULL, 630),
    RO_INT_(23, "electric_coe", 0, 1000000, 0, NULL, 10640),
    RO_INT_(24, "power_coe", 0, 1000000, 0, NULL, 5912),
    RO_INT_(25, "electricity_coe", 0, 1000000, 0, NULL, 2900),
    {26, "fault", SIM_K_BITMAP, true, 0, 0, 0, 1, NULL, "ov_cr|ov_vol|ov_pwr|ls_cr|ls_vol|ls_pow",
     0, NULL},
    ENUM_(38, "relay_status", "off|on|memory", "memory"),
    BOOL_(39, "overcharge_switch", 0),
    ENUM_(40, "light_mode", "relay|pos|none", "relay"),
    BOOL_(41, "child_lock", 0),
    STR_(42, "cycle_time", 255, ""),
    STR_(43, "random_time", 255, ""),
    STR_(44, "switch_inching", 255, ""),
};

/* A plug reporting on 21 (mA), 22 (W x10), 23 (V x10). */
static const sim_dp_spec_t plug34_dps[] = {
    BOOL_(1, "switch_1", 1),
    INT_(9, "countdown_1", 0, 86400, 0, 1, "s", 0),
    RO_INT_(17, "add_ele", 0, 50000, 3, "kWh", 0),
    RO_INT_(21, "cur_current", 0, 30000, 0, "mA", 0),
    RO_INT_(22, "cur_power", 0, 50000, 1, "W", 0),
    RO_INT_(23, "cur_voltage", 0, 5000, 1, "V", 0),
    ENUM_(38, "relay_status", "off|on|memory", "off"),
};

/* An old 3.1 plug: 4 (mA), 5 (W x10), 6 (V x10). */
static const sim_dp_spec_t plug31_dps[] = {
    BOOL_(1, "switch_1", 1),
    INT_(2, "countdown_1", 0, 86400, 0, 1, "s", 0),
    RO_INT_(4, "cur_current", 0, 30000, 0, "mA", 0),
    RO_INT_(5, "cur_power", 0, 50000, 1, "W", 0),
    RO_INT_(6, "cur_voltage", 0, 5000, 1, "V", 0),
};

/* A v2 bulb ("dj"): tinytuya's layout B, codes as the cloud names them. */
static const sim_dp_spec_t bulb_dps[] = {
    BOOL_(20, "switch_led", 1),
    ENUM_(21, "work_mode", "white|colour|scene|music", "white"),
    INT_(22, "bright_value_v2", 10, 1000, 0, 1, NULL, 1000),
    INT_(23, "temp_value_v2", 0, 1000, 0, 1, NULL, 500),
    {24, "colour_data_v2", SIM_K_HSV, false, 0, 0, 0, 1, NULL, NULL, 0, "000003e803e8"},
    INT_(26, "countdown_1", 0, 86400, 0, 1, "s", 0),
};

/* A curtain motor ("cl"): control, target and reported position. */
static const sim_dp_spec_t curtain_dps[] = {
    ENUM_(1, "control", "open|stop|close|continue", "stop"),
    INT_(2, "percent_control", 0, 100, 0, 1, "%", 0),
    RO_INT_(3, "percent_state", 0, 100, 0, "%", 0),
    ENUM_(5, "control_back_mode", "forward|back", "forward"),
    RO_ENUM_(7, "work_state", "opening|closing", "closing"),
    RO_INT_(10, "time_total", 0, 120000, 0, "ms", 25000),
};

/* A radiator thermostat ("wk"): 0.5 degree steps, temperatures in tenths. */
static const sim_dp_spec_t thermostat_dps[] = {
    BOOL_(1, "switch", 1),
    INT_(2, "temp_set", 50, 350, 1, 5, CELSIUS, 210),
    RO_INT_(3, "temp_current", -200, 1000, 1, CELSIUS, 195),
    ENUM_(4, "mode", "auto|manual|holiday", "manual"),
    BOOL_(6, "child_lock", 0),
};

/* A 3-gang wall switch ("kg"). */
static const sim_dp_spec_t switch3_dps[] = {
    BOOL_(1, "switch_1", 1),
    BOOL_(2, "switch_2", 0),
    BOOL_(3, "switch_3", 0),
    INT_(7, "countdown_1", 0, 86400, 0, 1, "s", 0),
    INT_(8, "countdown_2", 0, 86400, 0, 1, "s", 0),
    INT_(9, "countdown_3", 0, 86400, 0, 1, "s", 0),
    ENUM_(14, "relay_status", "power_off|power_on|last", "last"),
    ENUM_(15, "light_mode", "none|relay|pos", "relay"),
};

/* A temperature and humidity sensor ("wsdcg"). */
static const sim_dp_spec_t sensor_dps[] = {
    RO_INT_(1, "va_temperature", -200, 600, 1, CELSIUS, 215),
    RO_INT_(2, "va_humidity", 0, 100, 0, "%", 45),
    RO_INT_(4, "battery_percentage", 0, 100, 0, "%", 100),
    ENUM_(9, "temp_unit_convert", "c|f", "c"),
    INT_(10, "maxtemp_set", -200, 600, 1, 1, CELSIUS, 390),
    INT_(11, "minitemp_set", -200, 600, 1, 1, CELSIUS, 0),
    INT_(12, "maxhum_set", 0, 100, 0, 1, "%", 80),
    INT_(13, "minihum_set", 0, 100, 0, 1, "%", 20),
    RO_ENUM_(14, "temp_alarm", "loweralarm|upperalarm|cancel", "cancel"),
    RO_ENUM_(15, "hum_alarm", "loweralarm|upperalarm|cancel", "cancel"),
};

static const sim_profile_t profiles[] = {
    {"plug", "cz", "Smart Socket 20A", "2iepauebcvo74ujc", plug_dps, N(plug_dps), 1, 18, 19, 20, 17,
     0},
    {"plug34", "cz", "Smart Plug", "keyjup78v54myhan", plug34_dps, N(plug34_dps), 1, 21, 22, 23, 17,
     0},
    {"plug31", "cz", "Smart Plug", "7jIGJAymiH8OsFFb", plug31_dps, N(plug31_dps), 1, 4, 5, 6, 0, 0},
    {"device22", "cz", "Smart Socket", "7eue8lqgmvqyzpyx", plug_dps, 6, 1, 18, 19, 20, 17,
     SIM_Q_DEVICE22},
    {"bulb", "dj", "Smart Bulb RGBCW", "keyj3w8cmutjmmjj", bulb_dps, N(bulb_dps), 20, 0, 0, 0, 0,
     0},
    {"curtain", "cl", "Curtain Motor", "ltuyasimcurtain1", curtain_dps, N(curtain_dps), 0, 0, 0, 0,
     0, 0},
    {"thermostat", "wk", "Radiator Thermostat", "ltuyasimthermo01", thermostat_dps,
     N(thermostat_dps), 1, 0, 0, 0, 0, 0},
    {"switch3", "kg", "3 Gang Wall Switch", "ltuyasimswitch03", switch3_dps, N(switch3_dps), 1, 0,
     0, 0, 0, 0},
    {"sensor", "wsdcg", "Temperature Humidity Sensor", "ltuyasimsensor01", sensor_dps,
     N(sensor_dps), 0, 0, 0, 0, 0, 0},
};

const sim_profile_t *sim_profile_find(const char *name)
{
    for (size_t i = 0; i < N(profiles); i++)
        if (!strcmp(profiles[i].name, name))
            return &profiles[i];
    return NULL;
}

const char *sim_profile_names(void)
{
    return "plug, plug34, plug31, device22, bulb, curtain, thermostat, switch3, sensor";
}

ltuya_dp_type_t sim_kind_wire_type(sim_kind_t k)
{
    return k == SIM_K_BOOL                       ? LTUYA_DP_BOOL
           : k == SIM_K_INT || k == SIM_K_BITMAP ? LTUYA_DP_INT
                                                 : LTUYA_DP_STR;
}

/* Is `s` (len bytes) one of the '|'-separated words of `list`? */
static bool in_list(const char *list, const char *s, size_t len)
{
    for (const char *p = list; *p;) {
        const char *end = strchr(p, '|');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !memcmp(p, s, len))
            return true;
        p += n + (end != NULL);
    }
    return false;
}

static size_t list_count(const char *list)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == '|';
    return n;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

const char *sim_dp_check(const sim_dp_spec_t *s, const ltuya_dp_t *v, bool local)
{
    if (s->ro && !local)
        return "read-only";
    if (v->type != sim_kind_wire_type(s->kind))
        return "wrong type";
    switch (s->kind) {
    case SIM_K_BOOL:
        return NULL;
    case SIM_K_INT:
        if (v->i < s->min || v->i > s->max)
            return "out of range";
        return (v->i - s->min) % (s->step ? s->step : 1) ? "not a multiple of the step" : NULL;
    case SIM_K_BITMAP:
        return v->i < 0 || v->i >= (int64_t)1 << list_count(s->range) ? "out of range" : NULL;
    case SIM_K_ENUM:
        return in_list(s->range, v->str.ptr, v->str.len) ? NULL : "not one of its values";
    case SIM_K_STRING:
        if (v->str.len > (size_t)s->max)
            return "too long";
        return v->str.len >= SIM_STR ? "longer than the simulator keeps" : NULL;
    case SIM_K_HSV: {
        if (v->str.len != 12)
            return "not 12 hex digits";
        int h = hex4(v->str.ptr), sat = hex4(v->str.ptr + 4), val = hex4(v->str.ptr + 8);
        if (h < 0 || sat < 0 || val < 0)
            return "not 12 hex digits";
        return h > 360 || sat > 1000 || val > 1000 ? "out of range" : NULL;
    }
    }
    return "unknown";
}

/* ---- devices.json ------------------------------------------------------------ */

/* A JSON string with non-ASCII as \uXXXX, as Python's json.dump writes it. */
static void put_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        unsigned cp = *p++;
        if (cp >= 0xe0 && p[0] && p[1]) { /* three-byte UTF-8 (all the units use) */
            cp = (cp & 0x0f) << 12 | (unsigned)(p[0] & 0x3f) << 6 | (p[1] & 0x3f);
            p += 2;
        } else if (cp >= 0xc0 && p[0]) {
            cp = (cp & 0x1f) << 6 | (p[0] & 0x3f);
            p++;
        }
        if (cp == '"' || cp == '\\')
            fprintf(f, "\\%c", (char)cp);
        else if (cp < 0x20 || cp > 0x7e)
            fprintf(f, "\\u%04x", cp);
        else
            fputc((int)cp, f);
    }
    fputc('"', f);
}

static void put_list(FILE *f, const char *list)
{
    fputc('[', f);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, '|');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        fprintf(f, "%s\"%.*s\"", p == list ? "" : ", ", (int)n, p);
        p += n + (end != NULL);
    }
    fputc(']', f);
}

static void put_int_values(FILE *f, int32_t min, int32_t max, unsigned scale, unsigned step,
                           const char *unit)
{
    fputc('{', f);
    if (unit) {
        fputs("\"unit\": ", f);
        put_str(f, unit);
        fputs(", ", f);
    }
    fprintf(f, "\"min\": %ld, \"max\": %ld, \"scale\": %u, \"step\": %u}", (long)min, (long)max,
            scale, step);
}

static const char *type_name(sim_kind_t k)
{
    static const char *const names[] = {"Boolean", "Integer", "Enum", "String", "Json", "Bitmap"};
    return names[k];
}

static void put_mapping(FILE *f, const sim_profile_t *p)
{
    fputs("{", f);
    for (size_t i = 0; i < p->n; i++) {
        const sim_dp_spec_t *s = &p->dps[i];
        fprintf(f, "%s\n            \"%u\": {\"code\": \"%s\", \"type\": \"%s\", \"values\": ",
                i ? "," : "", s->id, s->code, type_name(s->kind));
        switch (s->kind) {
        case SIM_K_BOOL:
            fputs("{}", f);
            break;
        case SIM_K_INT:
            put_int_values(f, s->min, s->max, s->scale, s->step, s->unit);
            break;
        case SIM_K_ENUM:
            fputs("{\"range\": ", f);
            put_list(f, s->range);
            fputs("}", f);
            break;
        case SIM_K_STRING:
            fprintf(f, "{\"maxlen\": %ld}", (long)s->max);
            break;
        case SIM_K_BITMAP:
            fputs("{\"label\": ", f);
            put_list(f, s->range);
            fprintf(f, ", \"maxlen\": %zu}", list_count(s->range));
            break;
        case SIM_K_HSV:
            fputs("{\"h\": ", f);
            put_int_values(f, 0, 360, 0, 1, "");
            fputs(", \"s\": ", f);
            put_int_values(f, 0, 1000, 0, 1, "");
            fputs(", \"v\": ", f);
            put_int_values(f, 0, 1000, 0, 1, "");
            fputs("}", f);
            break;
        }
        fputs("}", f);
    }
    fputs("\n        }", f);
}

void sim_profile_print_entry(FILE *f, const sim_profile_t *p, const char *id, const char *key,
                             const char *ip, const char *version)
{
    size_t idlen = strlen(id);
    char name[40];
    snprintf(name, sizeof name, "%s %s", p->name, id + (idlen > 4 ? idlen - 4 : 0));
    /* a locally administered MAC made from the id, so each device has its own */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < idlen; i++)
        h = (h ^ (unsigned char)id[i]) * 16777619u;
    fputs("    {\n        \"name\": ", f);
    put_str(f, name);
    fputs(",\n        \"id\": ", f);
    put_str(f, id);
    fputs(",\n        \"key\": ", f);
    put_str(f, key);
    fprintf(f, ",\n        \"mac\": \"02:00:%02x:%02x:%02x:%02x\"", h >> 24, (h >> 16) & 0xff,
            (h >> 8) & 0xff, h & 0xff);
    fprintf(f, ",\n        \"category\": \"%s\",\n        \"product_name\": ", p->category);
    put_str(f, p->product_name);
    fprintf(f,
            ",\n        \"product_id\": \"%s\",\n        \"biz_type\": 0,\n        \"model\": \"\","
            "\n        \"sub\": false,\n        \"icon\": \"\",\n        \"mapping\": ",
            p->product_id);
    put_mapping(f, p);
    fputs(",\n        \"ip\": ", f);
    put_str(f, ip);
    fputs(",\n        \"version\": ", f);
    put_str(f, version);
    fputs("\n    }", f);
}
