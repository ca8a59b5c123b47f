/*
 * The bridge's settings (flags, environment, one JSON config file) and its
 * device list (tinytuya's devices.json with per-device overrides). Pure
 * parsing: no sockets, nothing logged that could hold a key.
 */
#ifndef LTUYA_BRIDGE_CONFIG_H
#define LTUYA_BRIDGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/frame.h"

#define BRIDGE_MAX_MAPPING 48
#define BRIDGE_NAME_MAX    64

typedef enum {
    BRIDGE_DP_UNKNOWN = 0,
    BRIDGE_DP_BOOL,
    BRIDGE_DP_INT,    /* scaled: value / 10^scale */
    BRIDGE_DP_ENUM,   /* a string from a fixed set */
    BRIDGE_DP_STRING, /* any string */
    BRIDGE_DP_JSON,   /* Json / Raw: passed as a string */
} bridge_dp_kind_t;

typedef struct {
    uint16_t dp;
    uint8_t kind; /* bridge_dp_kind_t */
    uint8_t scale;
    char code[32];
    char unit[8];
} bridge_dp_map_t;

/* How the kWh counter is fed. */
typedef enum {
    BRIDGE_KWH_AUTO = 0, /* add_ele (DP 17) increments if the device reports them, else power */
    BRIDGE_KWH_ADD_ELE,
    BRIDGE_KWH_POWER,
    BRIDGE_KWH_OFF,
} bridge_kwh_mode_t;

typedef struct {
    char name[BRIDGE_NAME_MAX]; /* as the topic uses it: '+', '#', '/' made '_' */
    char id[33];
    char key[17]; /* never printed, never published */
    char ip[64];
    uint16_t port;
    ltuya_version_t version;
    char product[40];
    uint16_t switch_dp;         /* 0: none (sensor only) */
    uint16_t add_ele_dp;        /* 17 unless the mapping says otherwise; 0: none */
    uint8_t add_ele_scale;      /* add_ele in 10^-scale kWh (3: Wh) */
    uint32_t energy_interval_s; /* DP refresh of the energy DPs at most this often */
    uint32_t min_write_interval_ms;
    uint8_t kwh_mode; /* bridge_kwh_mode_t */
    bridge_dp_map_t map[BRIDGE_MAX_MAPPING];
    size_t map_count;
} bridge_devcfg_t;

typedef enum { BRIDGE_DISC_DEVICE = 0, BRIDGE_DISC_ENTITY, BRIDGE_DISC_OFF } bridge_disc_mode_t;

typedef struct {
    /* MQTT */
    char host[256];
    uint16_t port;
    bool tls;
    char username[128];
    char password[128]; /* never printed */
    char client_id[128];
    int keepalive_s;
    int protocol; /* 4 = 3.1.1, 5 = 5 */
    char ca_file[256], ca_path[256], cert_file[256], key_file[256];
    bool tls_insecure; /* skip the server name check (self-signed test brokers) */
    /* topics */
    char base[128];
    char disc_prefix[128];
    uint8_t disc_mode; /* bridge_disc_mode_t */
    bool retain_state;
    /* files */
    char devices_path[512];
    char state_dir[512];
    char config_path[512];
    /* behaviour */
    uint32_t energy_interval_s;
    uint32_t min_write_interval_ms;
    uint32_t health_interval_s;
    int log_level;
    /* passive UDP beacon listening (re-learning moved devices, devices/rescan) */
    bool beacons;
    uint16_t beacon_ports[4];
    size_t beacon_port_count;
    /* per-device overrides from the config file ({"overrides":{"id or name":{..}}}), raw JSON */
    char *overrides_json;
    size_t overrides_len;
} bridge_settings_t;

void bridge_settings_defaults(bridge_settings_t *s);

/* mqtt://[user[:pass]@]host[:port] or mqtts://...; false with *err set on
 * anything else. Credentials in the URL win over the config file. */
bool bridge_parse_url(bridge_settings_t *s, const char *url, const char **err);

/* Apply a JSON config file's text (see docs/bridge.md). false with a message
 * in err (which never quotes a secret) on an unknown key or a bad value. */
bool bridge_settings_apply_json(bridge_settings_t *s, const char *text, size_t len, char *err,
                                size_t errcap);

/* LTUYA_BRIDGE_USERNAME / LTUYA_BRIDGE_PASSWORD. */
void bridge_settings_apply_env(bridge_settings_t *s);

/* Parse one device object (tinytuya's fields plus overrides) into *d, with
 * defaults from s. false with err on a missing id/key or a bad value. */
bool bridge_devcfg_parse(const bridge_settings_t *s, const char *obj, size_t len,
                         bridge_devcfg_t *d, char *err, size_t errcap);

/* Apply override fields (the same names as in a device object) to *d. */
bool bridge_devcfg_override(bridge_devcfg_t *d, const char *obj, size_t len, char *err,
                            size_t errcap);

/* Parse devices.json (an array, or {"devices":[...]}) into a malloc'd array
 * (*out, *count); overrides from s->overrides_json are applied by id or name.
 * Entries that fail are reported in err and skipped only when `lenient`;
 * otherwise the whole load fails. */
bool bridge_devices_parse(const bridge_settings_t *s, const char *text, size_t len,
                          bridge_devcfg_t **out, size_t *count, char *err, size_t errcap);

/* A mapping entry by code (case-sensitive) or NULL. */
const bridge_dp_map_t *bridge_devcfg_by_code(const bridge_devcfg_t *d, const char *code);
const bridge_dp_map_t *bridge_devcfg_by_dp(const bridge_devcfg_t *d, uint16_t dp);

/* Read a whole file (malloc'd, NUL-terminated). */
char *bridge_read_file(const char *path, size_t *len);

#endif
