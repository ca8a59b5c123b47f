/*
 * Typed values for the device commands: the device's profile (profile_load.h)
 * names DPs by code, shows engineering values with units, and checks typed
 * values before anything is sent. One profile per process (the commands
 * handle one device).
 */
#ifndef LTUYA_CLI_TYPED_H
#define LTUYA_CLI_TYPED_H

#include <stdbool.h>
#include <stdio.h>

#include "ltuya/profile.h"
#include "profile_load.h"
#include "target.h"

/* --profiles DIR (NULL: $LTUYA_PROFILES). */
extern const char *cli_profiles_dir;

/* The options of typed values, for a command's getopt table. */
enum { CLI_OPT_RAW = 1101, CLI_OPT_PROFILES = 1102 };
#define CLI_TYPED_LONGOPTS                                                                         \
    {"raw", no_argument, NULL, CLI_OPT_RAW},                                                       \
    {                                                                                              \
        "profiles", required_argument, NULL, CLI_OPT_PROFILES                                      \
    }
extern const char cli_typed_help[];

/* (Re)build the device's profile, with the status when there is one. 0 or an
 * exit code after a message. */
int cli_typed_load(const cli_target_t *t, const ltuya_dps_t *status);

const ltuya_profile_t *cli_typed_profile(void);
const cli_profile_info_t *cli_typed_info(void);

/* A DP by code in the profile ("bright_value_v2"); false if unknown. */
bool cli_typed_code(const char *name, size_t len, uint16_t *id);

/* Parse "CODE=VALUE" / "DP=VALUE" against the profile. 1: *out holds the
 * checked raw value; 0: the DP has no type in the profile (the caller parses
 * the value its own way); -1: the value was refused (message printed: exit
 * CLI_EXIT_USAGE). */
int cli_typed_assignment(uint16_t id, const char *value, ltuya_dp_t *out, char *buf, size_t cap);

/* The switch DP the profile names (the first DP whose role is switch), only
 * if the status has it as a boolean. */
bool cli_typed_switch(const ltuya_dps_t *status, uint16_t *dp);

/* One DP's value for people: "83.7 W", "white", "hsv(32,1000,1000)". */
void cli_typed_value_human(FILE *f, const ltuya_pdp_t *p, const ltuya_dp_t *v);

/* Human lines per DP: "   19  cur_power          83.7 W" (raw: the JSON value). */
void cli_typed_print_human(const ltuya_dps_t *d, bool raw);

/* The JSON members ,"typed":{"cur_power":{"dp":19,"value":83.7,"unit":"W",
 * "raw":837,"type":"Integer","role":"power","source":"devices.json mapping"},..}
 * and ,"profile":{"sources":[..],"category":..,"category_guessed":..,"file":..}. */
void cli_typed_print_json(const ltuya_dps_t *d);

/* One DP's typed value as JSON (number with its decimals, bool, string,
 * {"h","s","v"} for a colour); the raw value when it does not convert. */
void cli_typed_value_json(FILE *f, const ltuya_pdp_t *p, const ltuya_dp_t *v);

#endif
