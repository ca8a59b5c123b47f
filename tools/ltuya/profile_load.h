/*
 * A device's typed profile from every source, in precedence order: the
 * user's overrides and the mapping/category of its devices.json entry, a
 * matching tuya-local-format config from --profiles DIR (or
 * $LTUYA_PROFILES), the built-in defaults of its category (named, or
 * guessed from the status), and the raw DPs of the status.
 */
#ifndef LTUYA_CLI_PROFILE_LOAD_H
#define LTUYA_CLI_PROFILE_LOAD_H

#include <stdbool.h>
#include <stdio.h>

#include "ltuya/profile.h"

typedef struct {
    const char *devices_file; /* explicit devices.json, or NULL for the usual search */
    const char *device;       /* name or id in devices.json; NULL: none */
    const char *product_key;  /* from the entry or a beacon; NULL if unknown */
    const char *profiles_dir; /* NULL: $LTUYA_PROFILES, else no YAML */
} cli_profile_req_t;

typedef struct {
    char yaml_file[512]; /* the matched config, empty if none */
    int yaml_match;      /* 2 by product key, 1 by DP set */
    bool category_guessed;
} cli_profile_info_t;

/* Build p (status may be NULL: before connecting, e.g. to check a value to
 * write). 0, or an exit code after a message on stderr (a malformed mapping
 * or YAML file: CLI_EXIT_CONFIG). */
int cli_profile_build(const cli_profile_req_t *req, const ltuya_dps_t *status, ltuya_profile_t *p,
                      cli_profile_info_t *info);

/* "profile: devices.json mapping, built-in category defaults (category dj)" */
void cli_profile_print_sources(FILE *f, const ltuya_profile_t *p, const cli_profile_info_t *info);

/* The same as a JSON object {"sources":[...],"category":..,"file":..}. */
void cli_profile_json_sources(FILE *f, const ltuya_profile_t *p, const cli_profile_info_t *info);

#endif
