/*
 * A device's profile from its devices.json entry (tinytuya wizard format):
 *   "category": "dj",
 *   "mapping": {"22": {"code": "bright_value_v2", "type": "Integer",
 *               "values": {"min": 10, "max": 1000, "scale": 0, "step": 1, "unit": ""}},
 *               "21": {"code": "work_mode", "type": "Enum",
 *               "values": {"range": ["white", "colour", "scene", "music"]}}, ...}
 * ("values" may also be a JSON string holding that object), and the user's
 * per-device overrides in the same entry, same shape, fields also directly
 * in the DP object, plus "role" and a "category" member:
 *   "overrides": {"category": "cz", "19": {"code": "cur_power", "scale": 2, "unit": "W"}}
 * docs/profiles.md describes both.
 */
#ifndef LTUYA_CLI_PROFILE_MAPPING_H
#define LTUYA_CLI_PROFILE_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include "ltuya/profile.h"

/* The entry object of a device (by id, or name case-insensitively) in a
 * devices.json text; false if absent or the text is not an array. */
bool cli_mapping_find_entry(const char *text, size_t len, const char *name_or_id,
                            ltuya_str_t *entry);

/* Merge an entry's "category" and "mapping" (source MAPPING) and
 * "overrides" (source OVERRIDE) into p. false on a malformed mapping or
 * override (err gets a message naming the DP and what is wrong); an entry
 * without them is fine. */
bool cli_mapping_apply(ltuya_str_t entry, ltuya_profile_t *p, char *err, size_t errcap);

/* One mapping object ({"19": {...}, ...}) under source src. */
bool cli_mapping_apply_object(ltuya_str_t mapping, ltuya_psrc_t src, ltuya_profile_t *p, char *err,
                              size_t errcap);

#endif
