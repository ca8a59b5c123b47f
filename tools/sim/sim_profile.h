/*
 * The simulator's built-in device profiles: for each product, its DPs as
 * Tuya's standard instruction set describes them (code, type, range, scale,
 * unit), the category and product id the cloud would report, and the checks
 * a real device makes on a write. `--print-devices-json` writes the same
 * description in the format of tinytuya's wizard (devices.json).
 */
#ifndef LTUYA_SIM_PROFILE_H
#define LTUYA_SIM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ltuya/json.h"

/* A DP's type as the cloud's instruction set names it. */
typedef enum {
    SIM_K_BOOL,   /* "Boolean" */
    SIM_K_INT,    /* "Integer": min..max, step, scale (value = raw / 10^scale) */
    SIM_K_ENUM,   /* "Enum": one of range */
    SIM_K_STRING, /* "String": at most max bytes */
    SIM_K_HSV,    /* "Json" colour_data_v2: 12 hex digits hhhh ssss vvvv, h 0-360, s/v 0-1000 */
    SIM_K_BITMAP, /* "Bitmap": an integer, one bit per label */
} sim_kind_t;

typedef struct {
    uint16_t id;
    const char *code;
    sim_kind_t kind;
    bool ro;          /* reported by the device only: writes are refused */
    int32_t min, max; /* INT; STRING: max is the length limit */
    uint8_t scale;
    uint16_t step;
    const char *unit;  /* INT, as the cloud writes it, or NULL */
    const char *range; /* ENUM values / BITMAP labels, '|' between them */
    int64_t init_i;    /* BOOL, INT, BITMAP */
    const char *init_s;
} sim_dp_spec_t;

typedef struct {
    const char *name;
    const char *category; /* Tuya's category code: cz, kg, dj, cl, wk, wsdcg */
    const char *product_name;
    const char *product_id; /* also the productKey in UDP beacons */
    const sim_dp_spec_t *dps;
    size_t n;
    uint16_t sw, cur, pow, volt, energy; /* the relay and meter DPs, 0 = none */
    uint32_t quirks;                     /* SIM_Q_* the product always has */
} sim_profile_t;

/* The profile called `name`, or NULL. */
const sim_profile_t *sim_profile_find(const char *name);

/* "plug, plug34, ..." for messages. */
const char *sim_profile_names(void);

/* NULL if `v` is a value this DP accepts, else why not ("out of range" ...).
 * `local`: the change comes from the device itself (a button, a sensor), which
 * may also set the DPs a client cannot write. */
const char *sim_dp_check(const sim_dp_spec_t *s, const ltuya_dp_t *v, bool local);

/* The wire type of a DP of this kind (BOOL, INT or STR). */
ltuya_dp_type_t sim_kind_wire_type(sim_kind_t k);

/* One devices.json entry (tinytuya wizard format) for a simulated device. */
void sim_profile_print_entry(FILE *f, const sim_profile_t *p, const char *id, const char *key,
                             const char *ip, const char *version);

#endif
