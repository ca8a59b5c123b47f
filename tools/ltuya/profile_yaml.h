/*
 * Device configs in tuya-local's YAML format, read with libyaml
 * (`--profiles DIR`). The subset read (docs/profiles.md):
 *
 *   name: Smart bulb
 *   products:
 *     - id: keyabcdefgh123456        matched against the beacon's productKey
 *   entities:                        (also primary_entity + secondary_entities)
 *     - entity: light                light, switch, cover, climate, fan, sensor ...
 *       class: power                 Home Assistant device class (sensors)
 *       dps:
 *         - id: 22
 *           name: brightness         the DP's part in the entity -> role
 *           type: integer            boolean integer string json base64 hex bitfield float
 *           unit: W
 *           optional: true           may be missing from the device's DPs
 *           range: {min: 10, max: 1000}
 *           mapping:
 *             - scale: 10            divisor: raw 837 -> 83.7 (a power of 10)
 *             - dps_val: white       enum values of a string DP
 *           format:                  colour layout of a hex DP (h/s/v bytes)
 *             - {name: h, bytes: 2}
 *
 * Everything else is ignored. A file that is not YAML, or where a read key
 * has the wrong shape, is an error naming the file and line.
 */
#ifndef LTUYA_CLI_PROFILE_YAML_H
#define LTUYA_CLI_PROFILE_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "ltuya/profile.h"

#define CLI_YAML_MAX_PRODUCTS 16

typedef struct {
    char name[64];
    char products[CLI_YAML_MAX_PRODUCTS][40];
    size_t n_products;
    ltuya_profile_t profile; /* DPs under source FILE */
    uint16_t optional[LTUYA_PROFILE_MAX_DPS];
    size_t n_optional;
} cli_yaml_profile_t;

/* Whether this build can read YAML (libyaml was found at build time). */
bool cli_yaml_available(void);

/* Parse one config. `filename` names it in errors ("bulb.yaml:12: ..."). */
bool cli_yaml_parse(const char *text, size_t len, const char *filename, cli_yaml_profile_t *out,
                    char *err, size_t errcap);

/* Whether a parsed config fits a device: its product ids hold product_key,
 * or (status known) every non-optional DP of the config is in the status and
 * every DP of the status is in the config. 2 by product, 1 by DP set, 0 not. */
int cli_yaml_matches(const cli_yaml_profile_t *y, const char *product_key,
                     const ltuya_dps_t *status);

/* Read every *.yaml / *.yml in dir (name order) and keep the best match in
 * *out (a product match beats a DP-set match; ties go to the first file),
 * its path in matched. 1 if one matched, 0 if none, -1 on an error (a file
 * unreadable or malformed: err names it and the line). */
int cli_yaml_match_dir(const char *dir, const char *product_key, const ltuya_dps_t *status,
                       cli_yaml_profile_t *out, char *matched, size_t matched_cap, char *err,
                       size_t errcap);

#endif
