/*
 * Typed data points: what DP 19 of this device means and how to read and
 * write it in engineering units.
 *
 * A profile lists, per DP id, its Tuya code ("cur_power"), value type,
 * raw range, scale (Tuya's exponent: raw 837 with scale 1 is 83.7), step,
 * unit, enum values and role (switch, power, brightness, colour ...). It is
 * filled from several sources; each field of each DP remembers the source
 * that set it, and a field set by a higher source is never replaced by a
 * lower one, whatever order the sources are applied in (precedence, highest
 * first: user override, devices.json mapping, profile file, built-in
 * category defaults, the raw DPs a device reports). docs/profiles.md
 * describes the sources; the readers of files live in the tools.
 *
 * Everything here works on caller-owned storage: no allocation, no I/O.
 * Text values are checked and converted with integer arithmetic (83.7 is
 * parsed as 837 tenths, never through a float).
 *
 * Example (a plug whose devices.json entry gave no mapping):
 *   ltuya_profile_t p;
 *   ltuya_profile_init(&p);
 *   ltuya_profile_builtin(&p, "cz", &status);     status: an ltuya_dps_t
 *   ltuya_profile_add_raw(&p, &status);
 *   const ltuya_pdp_t *d = ltuya_profile_find_code(&p, "cur_power");
 *   char text[32]; size_t n;
 *   ltuya_pdp_format(d, ltuya_dps_find(&status, d->id), text, sizeof text, &n);  "83.7"
 *
 *   ltuya_dp_t dp; char scratch[32];
 *   d = ltuya_profile_find_code(&p, "bright_value_v2");
 *   ltuya_pdp_parse(d, "50%", 3, scratch, sizeof scratch, &dp);   dp: {22: 505}
 */
#ifndef LTUYA_PROFILE_H
#define LTUYA_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/export.h"
#include "ltuya/config.h"
#include "ltuya/json.h"
#include "ltuya/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Value types, as the wizard's mapping names them (Boolean, Integer, Enum,
 * String, Json, Raw, Bitmap). */
typedef enum {
    LTUYA_VT_UNKNOWN = 0,
    LTUYA_VT_BOOL,
    LTUYA_VT_INT,
    LTUYA_VT_ENUM,
    LTUYA_VT_STRING,
    LTUYA_VT_JSON,
    LTUYA_VT_RAW,
    LTUYA_VT_BITMAP, /* an integer whose bits are flags (fault codes) */
} ltuya_vtype_t;

/* What a DP is for. X(name, text): the text is what the CLI prints and what
 * ltuya_role_from_name() accepts. */
#define LTUYA_ROLE_LIST(X)                                                                         \
    X(NONE, "none")                                                                                \
    X(SWITCH, "switch")                                                                            \
    X(POWER, "power")                                                                              \
    X(VOLTAGE, "voltage")                                                                          \
    X(CURRENT, "current")                                                                          \
    X(ENERGY, "energy") /* an energy increment (add_ele) */                                        \
    X(BRIGHTNESS, "brightness")                                                                    \
    X(COLOUR_TEMP, "colour_temp")                                                                  \
    X(COLOUR, "colour") /* HSV colour (colour_data, colour_data_v2) */                             \
    X(MODE, "mode")     /* work_mode, thermostat mode */                                           \
    X(SCENE, "scene")                                                                              \
    X(COVER_CONTROL, "cover_control") /* open / stop / close */                                    \
    X(POSITION, "position")           /* target position */                                        \
    X(POSITION_STATE, "position_state")                                                            \
    X(TARGET_TEMP, "target_temp")                                                                  \
    X(CURRENT_TEMP, "current_temp")                                                                \
    X(HUMIDITY, "humidity")                                                                        \
    X(COUNTDOWN, "countdown")                                                                      \
    X(FAN_SPEED, "fan_speed")                                                                      \
    X(DIRECTION, "direction")                                                                      \
    X(CHILD_LOCK, "child_lock")                                                                    \
    X(BATTERY, "battery")                                                                          \
    X(BATTERY_STATE, "battery_state")                                                              \
    X(FAULT, "fault")                                                                              \
    X(SETTING, "setting") /* any other writable configuration DP */

typedef enum {
#define LTUYA_ROLE_ENUM_(name, text) LTUYA_ROLE_##name,
    LTUYA_ROLE_LIST(LTUYA_ROLE_ENUM_)
#undef LTUYA_ROLE_ENUM_
        LTUYA_ROLE_COUNT_
} ltuya_role_t;

/* Where a field came from, lowest precedence first. */
#define LTUYA_PSRC_LIST(X)                                                                         \
    X(NONE, "none")                                                                                \
    X(RAW, "raw DPs")                                                                              \
    X(BUILTIN, "built-in category defaults")                                                       \
    X(FILE, "profile file")                                                                        \
    X(MAPPING, "devices.json mapping")                                                             \
    X(OVERRIDE, "user override")

typedef enum {
#define LTUYA_PSRC_ENUM_(name, text) LTUYA_PSRC_##name,
    LTUYA_PSRC_LIST(LTUYA_PSRC_ENUM_)
#undef LTUYA_PSRC_ENUM_
        LTUYA_PSRC_COUNT_
} ltuya_psrc_t;

/* How a colour DP encodes HSV (h 0-360, s and v 0-1000 in ltuya_hsv_t). */
typedef enum {
    LTUYA_COLOUR_NONE = 0,
    LTUYA_COLOUR_HEX12,    /* colour_data_v2 on the LAN: "hhhhssssvvvv", s/v 0-1000 */
    LTUYA_COLOUR_HEX14,    /* legacy colour_data: "rrggbb0hhhssvv", s/v 0-255 */
    LTUYA_COLOUR_JSON1000, /* {"h":0-360,"s":0-1000,"v":0-1000} */
    LTUYA_COLOUR_JSON255,  /* {"h":0-360,"s":0-255,"v":0-255} */
} ltuya_colour_fmt_t;

typedef struct {
    uint16_t h; /* 0-360 */
    uint16_t s; /* 0-1000 */
    uint16_t v; /* 0-1000 */
} ltuya_hsv_t;

/* Field bits of ltuya_pdp_t.set (which fields an entry defines). */
enum {
    LTUYA_PF_CODE = 1 << 0,
    LTUYA_PF_TYPE = 1 << 1,
    LTUYA_PF_RANGE = 1 << 2, /* min, max */
    LTUYA_PF_SCALE = 1 << 3,
    LTUYA_PF_STEP = 1 << 4,
    LTUYA_PF_UNIT = 1 << 5,
    LTUYA_PF_ENUM = 1 << 6,
    LTUYA_PF_ROLE = 1 << 7,
    LTUYA_PF_COLOUR = 1 << 8,
    LTUYA_PF_COUNT_ = 9
};

/* One typed DP. Zero-initialised, then fill the fields you know and set
 * their LTUYA_PF_* bits in `set` (ltuya_pdp_set_*() do both). */
typedef struct {
    int32_t min, max; /* raw range (INT), inclusive; for STRING the longest length */
    int32_t step;     /* raw step (INT); 0 or 1: any integer */
    uint16_t id;
    uint16_t set;                       /* LTUYA_PF_* */
    uint8_t type;                       /* ltuya_vtype_t */
    uint8_t role;                       /* ltuya_role_t */
    uint8_t scale;                      /* 0-9: engineering value = raw / 10^scale */
    uint8_t colour;                     /* ltuya_colour_fmt_t, for a COLOUR DP */
    uint8_t src[LTUYA_PF_COUNT_];       /* per field: the ltuya_psrc_t that set it */
    char code[LTUYA_PROFILE_CODE_LEN];  /* "cur_power"; empty if unknown */
    char unit[LTUYA_PROFILE_UNIT_LEN];  /* "W"; UTF-8 */
    char enums[LTUYA_PROFILE_ENUM_LEN]; /* "white,colour,scene,music" */
} ltuya_pdp_t;

typedef struct {
    ltuya_pdp_t dp[LTUYA_PROFILE_MAX_DPS]; /* sorted by id */
    size_t count;
    size_t dropped;       /* DPs that did not fit */
    char category[8];     /* "cz", "dj" ...; empty if unknown */
    uint8_t category_src; /* ltuya_psrc_t of category */
    uint8_t sources;      /* bit (1 << ltuya_psrc_t) per source used */
} ltuya_profile_t;

/* ---- Names ---------------------------------------------------------------- */

LTUYA_API const char *ltuya_role_name(ltuya_role_t r);         /* "brightness"; "none" if unknown */
LTUYA_API ltuya_role_t ltuya_role_from_name(const char *name); /* LTUYA_ROLE_NONE if unknown */
LTUYA_API const char *ltuya_psrc_name(ltuya_psrc_t s);         /* "devices.json mapping" */
LTUYA_API const char *ltuya_vtype_name(ltuya_vtype_t t); /* "Integer", as the mapping spells it */
/* "Boolean"/"bool", "Integer"/"Value"/"value", "Enum", "String", "Json",
 * "Raw", "Bitmap" (case-insensitive); LTUYA_VT_UNKNOWN otherwise. */
LTUYA_API ltuya_vtype_t ltuya_vtype_from_name(const char *name, size_t len);

/* The role Tuya's standard code implies ("cur_power" -> POWER,
 * "switch_led" -> SWITCH, "bright_value_v2" -> BRIGHTNESS ...); NONE if the
 * code is not a known one. */
LTUYA_API ltuya_role_t ltuya_role_from_code(const char *code);

/* ---- Building a profile --------------------------------------------------- */

LTUYA_API void ltuya_profile_init(ltuya_profile_t *p);

/* Setters for building an entry (each sets the matching LTUYA_PF_* bit).
 * Strings are truncated to their field; enum values are joined with ','. */
LTUYA_API void ltuya_pdp_set_code(ltuya_pdp_t *d, const char *code, size_t len);
LTUYA_API void ltuya_pdp_set_unit(ltuya_pdp_t *d, const char *unit, size_t len);
LTUYA_API void ltuya_pdp_set_range(ltuya_pdp_t *d, int32_t min, int32_t max);
/* Appends one enum value; LTUYA_ERR_BUF_TOO_SMALL if the field is full,
 * LTUYA_ERR_INVALID_ARG for an empty value or one holding ','. */
LTUYA_API ltuya_status_t ltuya_pdp_add_enum(ltuya_pdp_t *d, const char *value, size_t len);

/* Merge an entry into the profile under source `src`: each field the entry
 * sets replaces the profile's field unless that came from a higher source.
 * A new DP id is inserted in id order. When no source set the role, it is
 * derived from the code (ltuya_role_from_code), and a COLOUR DP's format
 * from its code. LTUYA_ERR_BUF_TOO_SMALL when the profile is full (counted
 * in `dropped`), LTUYA_ERR_INVALID_ARG for id 0 or src NONE. */
LTUYA_API ltuya_status_t ltuya_profile_put(ltuya_profile_t *p, const ltuya_pdp_t *d,
                                           ltuya_psrc_t src);

/* Set the category ("cz") under source src (same precedence rule). */
LTUYA_API void ltuya_profile_set_category(ltuya_profile_t *p, const char *category,
                                          ltuya_psrc_t src);

/* Built-in defaults from Tuya's standard codes for a category:
 *   cz, kg, pc, tdq  socket / switch: switch_1..6 (DP 1-6), countdown_1..6
 *                    (7-12; countdown_1 is DP 9 on a one-gang socket),
 *                    add_ele 17, cur_current 18, cur_power 19, cur_voltage 20,
 *                    the calibration DPs 21-26, relay_status 38, light_mode
 *                    40, child_lock 41; old firmware's cur_current/cur_power/
 *                    cur_voltage at 4/5/6 when those DPs hold integers;
 *   dj               light: the v2 codes on DP 20-28 (switch_led, work_mode,
 *                    bright_value_v2 10-1000, temp_value_v2 0-1000,
 *                    colour_data_v2, scene_data_v2, countdown_1 ...), or the
 *                    legacy layout on DP 1-5 (led_switch ... colour_data)
 *                    when the status has DP 1 and not DP 20;
 *   cl               curtain: control, percent_control, percent_state ...;
 *   wk               thermostat: switch, temp_set, temp_current, mode ...;
 *   fs               fan: switch, mode, fan_speed_percent, fan_direction;
 *   wsdcg            temperature / humidity sensor.
 * `status` (may be NULL) tells which DPs the device has and their JSON types:
 * with it only DPs present are added (a 3-gang switch gets switch_1..3);
 * without it the whole layout is. Sets the category (source BUILTIN).
 * LTUYA_ERR_NOT_FOUND for a category without defaults. */
LTUYA_API ltuya_status_t ltuya_profile_builtin(ltuya_profile_t *p, const char *category,
                                               const ltuya_dps_t *status);

/* A category guessed from the DP set and value types (a bool DP 20 with
 * work_mode-like DP 21 is a light, DP 1 "open"/"close"/"stop" a curtain, a
 * bool DP 1 with integers at 18-20 or 4-6 a socket, ...); NULL if nothing
 * fits. Used when neither devices.json nor a profile file names one. */
LTUYA_API const char *ltuya_profile_guess_category(const ltuya_dps_t *status);

/* Add the DPs of a status that the profile lacks, typed from their JSON
 * values (source RAW; codes stay empty). */
LTUYA_API void ltuya_profile_add_raw(ltuya_profile_t *p, const ltuya_dps_t *status);

/* ---- Lookup --------------------------------------------------------------- */

LTUYA_API const ltuya_pdp_t *ltuya_profile_find(const ltuya_profile_t *p, uint16_t id);
LTUYA_API const ltuya_pdp_t *ltuya_profile_find_code(const ltuya_profile_t *p, const char *code);
/* The lowest-id DP with that role (the main switch is the first SWITCH). */
LTUYA_API const ltuya_pdp_t *ltuya_profile_find_role(const ltuya_profile_t *p, ltuya_role_t role);
/* The highest source any field of the DP came from. */
LTUYA_API ltuya_psrc_t ltuya_pdp_source(const ltuya_pdp_t *d);
/* Whether `value` is one of the DP's enum values. */
LTUYA_API bool ltuya_pdp_has_enum(const ltuya_pdp_t *d, const char *value, size_t len);

/* ---- Conversions ---------------------------------------------------------- */

/* Raw integer -> engineering value as decimal text ("83.7" from 837 with
 * scale 1, "-0.05" from -5 with scale 2). Writes a NUL terminator;
 * LTUYA_ERR_BUF_TOO_SMALL if it does not fit (24 bytes always do). */
LTUYA_API ltuya_status_t ltuya_scaled_format(int64_t raw, unsigned scale, char *buf, size_t cap,
                                             size_t *len);
/* Decimal text -> raw integer ("83.7", scale 1 -> 837). More decimals than
 * the scale allows are LTUYA_ERR_BAD_VALUE (never rounded away), as is
 * anything that is not a number; LTUYA_ERR_OUT_OF_RANGE past int32. */
LTUYA_API ltuya_status_t ltuya_scaled_parse(const char *text, size_t len, unsigned scale,
                                            int64_t *raw);
/* The engineering value as a double (for consumers that want one). */
LTUYA_API double ltuya_pdp_to_double(const ltuya_pdp_t *d, int64_t raw);

/* A DP's value as text for people: bool "true"/"false", integer in
 * engineering units without the unit ("83.7"), enum and string values as they
 * are (unescaped), a colour as "hsv(h,s,v)" (s and v 0-1000), JSON and raw
 * verbatim. NUL-terminated. LTUYA_ERR_BAD_VALUE when the value's JSON type
 * does not fit the DP's type or a colour does not decode;
 * LTUYA_ERR_BUF_TOO_SMALL. A NULL profile entry formats by the JSON type. */
LTUYA_API ltuya_status_t ltuya_pdp_format(const ltuya_pdp_t *d, const ltuya_dp_t *raw, char *buf,
                                          size_t cap, size_t *len);

/* Text from a person -> the raw DP value to send, checked against the DP:
 *   bool      true/false, on/off, 1/0, yes/no
 *   integer   "83.7" (engineering units), optionally followed by the DP's
 *             unit ("83.7W", "83.7 W"); "50%" on a DP whose unit is not "%"
 *             maps onto the raw range as tinytuya does (min + (max-min) * p /
 *             100, truncated: 50 % of 10-1000 is 505); "3000K" on a colour
 *             temperature DP without a Kelvin unit maps 2700-6500 K onto the
 *             range (2700 K is min); "90s", "5min", "2h" on a DP in s, min or h
 *   enum      one of the values, exactly
 *   colour    "#rrggbb", "hsv(h,s,v)" (s, v 0-1000) or the DP's own encoding,
 *             encoded in the DP's format (#ff0000 on colour_data_v2 is
 *             "000003e803e8")
 *   string    as is; json: must be valid JSON; raw: as is
 * String results point into scratch (the caller keeps it while `out` is
 * used). LTUYA_ERR_BAD_VALUE for a value of the wrong type or unit,
 * LTUYA_ERR_OUT_OF_RANGE for one outside min..max or off the step,
 * LTUYA_ERR_BUF_TOO_SMALL for a short scratch. Nothing is sent, so a caller
 * can reject a command before connecting. */
LTUYA_API ltuya_status_t ltuya_pdp_parse(const ltuya_pdp_t *d, const char *text, size_t len,
                                         char *scratch, size_t cap, ltuya_dp_t *out);

/* Check a raw integer against the DP's range and step. */
LTUYA_API ltuya_status_t ltuya_pdp_check_int(const ltuya_pdp_t *d, int64_t raw);

/* Percentage (0-100, in hundredths: 5000 = 50 %) of the DP's range -> raw. */
LTUYA_API ltuya_status_t ltuya_pdp_from_percent(const ltuya_pdp_t *d, int64_t hundredths,
                                                int64_t *raw);

/* ---- Colour codecs -------------------------------------------------------- */

/* Decode a colour value in any of the formats (12 or 14 hex digits, or a
 * JSON object). `json_hint` says how to scale a JSON object's s and v
 * (LTUYA_COLOUR_JSON255 or JSON1000; anything else means 1000). *fmt (may
 * be NULL) gets the format found. LTUYA_ERR_BAD_VALUE if it is none, or a
 * component is out of its range. */
LTUYA_API ltuya_status_t ltuya_colour_decode(const char *text, size_t len,
                                             ltuya_colour_fmt_t json_hint, ltuya_hsv_t *out,
                                             ltuya_colour_fmt_t *fmt);
/* Encode; NUL-terminated. LTUYA_ERR_INVALID_ARG for fmt NONE or a component
 * out of range, LTUYA_ERR_BUF_TOO_SMALL (15 bytes do for hex, 40 for JSON). */
LTUYA_API ltuya_status_t ltuya_colour_encode(const ltuya_hsv_t *hsv, ltuya_colour_fmt_t fmt,
                                             char *buf, size_t cap, size_t *len);
LTUYA_API void ltuya_rgb_to_hsv(uint8_t r, uint8_t g, uint8_t b, ltuya_hsv_t *out);
LTUYA_API void ltuya_hsv_to_rgb(const ltuya_hsv_t *hsv, uint8_t *r, uint8_t *g, uint8_t *b);

/* ---- Home Assistant entities ---------------------------------------------- */

typedef enum {
    LTUYA_HA_NONE = 0,
    LTUYA_HA_SWITCH,
    LTUYA_HA_LIGHT,
    LTUYA_HA_COVER,
    LTUYA_HA_CLIMATE,
    LTUYA_HA_FAN,
    LTUYA_HA_NUMBER,
    LTUYA_HA_SELECT,
    LTUYA_HA_SENSOR,
    LTUYA_HA_BINARY_SENSOR,
} ltuya_ha_component_t;

/* One Home Assistant entity. `dp` is its main DP (state and command); the
 * other DP fields are 0 when the device has no such DP. Strings are static
 * or point into the profile. */
typedef struct {
    ltuya_ha_component_t component;
    uint16_t dp;
    /* light: brightness, colour temperature, HS colour, mode (white /
     * colour / scene), scene data (effects) */
    uint16_t brightness_dp, colour_temp_dp, colour_dp, mode_dp, scene_dp;
    /* cover: target and current position (dp is the open/stop/close DP, or
     * the position DP when there is none); climate: target / current
     * temperature, mode_dp; fan: speed_dp and direction_dp */
    uint16_t position_dp, position_state_dp;
    uint16_t target_temp_dp, current_temp_dp;
    uint16_t speed_dp, direction_dp;
    const char *component_name; /* "light" */
    const char *device_class;   /* "power", "temperature" ...; NULL if none */
    const char *state_class;    /* "measurement", "total_increasing"; NULL if none */
    const char *unit;           /* Home Assistant's spelling ("°C"); NULL if none */
} ltuya_ha_entity_t;

LTUYA_API const char *ltuya_ha_component_name(ltuya_ha_component_t c);

/* The Home Assistant entities of a device: one per switch DP (a light when
 * the profile has a brightness, colour temperature or colour DP, which it
 * absorbs with the mode DP), a cover for the curtain DPs, a climate for a
 * target temperature (absorbing current temperature and mode), a fan for a
 * fan speed (absorbing direction), a sensor per measurement (power, voltage,
 * current, energy, temperature, humidity, battery: device_class, unit and
 * state_class), a binary_sensor per read-only-looking bool, a select per
 * other enum and a number per other writable integer. Returns how many
 * there are; writes at most cap of them. */
LTUYA_API size_t ltuya_profile_ha_entities(const ltuya_profile_t *p, ltuya_ha_entity_t *out,
                                           size_t cap);

/* The entity that DP `id` belongs to (as main DP or absorbed);
 * LTUYA_ERR_NOT_FOUND if none (raw and fault DPs). */
LTUYA_API ltuya_status_t ltuya_profile_ha_entity(const ltuya_profile_t *p, uint16_t id,
                                                 ltuya_ha_entity_t *out);

#ifdef __cplusplus
}
#endif

#endif
