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
    bool is_int;
} cli_dp_info_t;

typedef struct {
    char name[64];
    char id[LTUYA_MAX_ID + 1];
    char key[65]; /* longer than 16 on purpose: a wrong key is reported with its length */
    char ip[64];
    char port_text[8];
    unsigned port; /* 0 if absent */
    char version[8];
    char product[32];
    cli_dp_info_t map[CLI_MAX_MAPPING];
    size_t map_count;
} cli_device_entry_t;

/* The file to read: explicit path, else $LTUYA_DEVICES, else ./devices.json,
 * else $XDG_CONFIG_HOME/ltuya/devices.json ($HOME/.config when unset). NULL if
 * none exists. Static storage. */
const char *cli_devices_path(const char *explicit_path);

/* Find DEVICE (a name, any case, or an id) in the file cli_devices_path()
 * picks: 0, or an exit code after a message naming the file (and the
 * line:column of a syntax error, or both entries of a duplicate name). */
int cli_devices_resolve(const char *explicit_path, const char *name, cli_device_entry_t *out);

/* Load the file (malloc'd text in *text, free it after use). Warns on stderr
 * when the file is readable by other users (it holds local keys). */
bool cli_devices_load(const char *path, char **text, size_t *len);

/* Find an entry by name (case-insensitive) or id. Returns false if absent
 * or on a malformed file (with a message on stderr when `quiet` is false). */
bool cli_devices_find(const char *text, size_t len, const char *name_or_id, cli_device_entry_t *out,
                      bool quiet);

/* Call fn for every entry, in file order (--all). False (after a message)
 * on a malformed file. */
bool cli_devices_each(const char *text, size_t len,
                      void (*fn)(void *user, const cli_device_entry_t *e), void *user);

/* Energy DPs and scales from a mapping (cur_voltage / cur_current / cur_power codes). */
void cli_devices_energy_map(const cli_device_entry_t *e, ltuya_energy_map_t *map);

/* Mapping info for a DP, or NULL. */
const cli_dp_info_t *cli_devices_dp(const cli_device_entry_t *e, uint16_t dp);

#endif
