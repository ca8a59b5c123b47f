/*
 * devices.json: the device list in tinytuya's wizard format, a JSON array of
 * objects with at least "id" and "key", usually "name", "ip", "version",
 * "product_id" and "mapping" ({"18":{"code":"cur_current","type":"Integer",
 * "values":{"unit":"mA","scale":0}}, ...}).
 */
#ifndef LTUYA_CLI_DEVICES_H
#define LTUYA_CLI_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/device.h"

#define CLI_MAX_MAPPING 64

typedef struct {
    uint16_t dp;
    char code[32];
    char unit[8];
    uint8_t scale;
    bool is_bool;
} cli_dp_info_t;

typedef struct {
    char name[64];
    char id[LTUYA_MAX_ID + 1];
    char key[17];
    char ip[64];
    char version[8];
    char product[32];
    cli_dp_info_t map[CLI_MAX_MAPPING];
    size_t map_count;
} cli_device_entry_t;

/* The file to read: explicit path, else ./devices.json, else
 * ~/.config/ltuya/devices.json. NULL if none exists. Static storage. */
const char *cli_devices_path(const char *explicit_path);

/* Load the file (malloc'd text in *text, free it after use). Warns on stderr
 * when the file is readable by other users (it holds local keys). */
bool cli_devices_load(const char *path, char **text, size_t *len);

/* Find an entry by name (case-insensitive) or id. Returns false if absent
 * or on a malformed file (with a message on stderr when `quiet` is false). */
bool cli_devices_find(const char *text, size_t len, const char *name_or_id, cli_device_entry_t *out,
                      bool quiet);

/* Energy DPs and scales from a mapping (cur_voltage / cur_current / cur_power codes). */
void cli_devices_energy_map(const cli_device_entry_t *e, ltuya_energy_map_t *map);

/* Mapping info for a DP, or NULL. */
const cli_dp_info_t *cli_devices_dp(const cli_device_entry_t *e, uint16_t dp);

#endif
