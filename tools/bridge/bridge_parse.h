/*
 * Parsers for what arrives over MQTT: everything here is untrusted input
 * (fuzz/fuzz_bridge.c). They only fill structs; nothing is sent to a device
 * unless a parser returned true, and a false always comes with a message.
 */
#ifndef LTUYA_BRIDGE_PARSE_H
#define LTUYA_BRIDGE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge_config.h"
#include "ltuya/json.h"

#define BRIDGE_CMD_DPS         8
#define BRIDGE_CMD_TEXT        512
#define BRIDGE_TRANSACTION_MAX 64

typedef struct {
    ltuya_dp_t dps[BRIDGE_CMD_DPS]; /* strings point into text[] */
    size_t n;
    uint16_t toggle_dp; /* 1..: "TOGGLE" asked for this DP (resolved against the state) */
    char text[BRIDGE_CMD_TEXT];
    size_t text_len;
    char transaction[BRIDGE_TRANSACTION_MAX + 1]; /* raw JSON value, "" if none */
} bridge_cmd_t;

/* <name>/set: a JSON object of attributes ("state", mapped codes) and/or "dps". */
bool bridge_parse_set(const bridge_devcfg_t *d, const char *payload, size_t len, bridge_cmd_t *cmd,
                      char *err, size_t errcap);

/* <name>/set/<attr>: a plain value. */
bool bridge_parse_set_attr(const bridge_devcfg_t *d, const char *attr, const char *payload,
                           size_t len, bridge_cmd_t *cmd, char *err, size_t errcap);

/* <name>/raw/set: {"<dp id>": value, ...}; booleans, integers, strings. */
bool bridge_parse_raw_set(const char *payload, size_t len, bridge_cmd_t *cmd, char *err,
                          size_t errcap);

typedef enum {
    BRIDGE_REQ_RECONNECT = 1, /* device/reconnect */
    BRIDGE_REQ_OPTIONS,       /* device/options */
    BRIDGE_REQ_ADD,           /* device/add */
    BRIDGE_REQ_REMOVE,        /* device/remove */
    BRIDGE_REQ_RESCAN,        /* devices/rescan */
} bridge_req_kind_t;

typedef struct {
    bridge_req_kind_t kind;
    char device[BRIDGE_NAME_MAX]; /* name or id (RECONNECT, OPTIONS, REMOVE) */
    ltuya_str_t object;           /* OPTIONS: the "options" object; ADD: the device object */
    uint32_t seconds;             /* RESCAN: how long to listen */
    char transaction[BRIDGE_TRANSACTION_MAX + 1];
} bridge_req_t;

/* `what` is the topic after bridge/request/. An unknown `what` is an error
 * (the caller still answers on bridge/response/<what>). */
bool bridge_parse_request(const char *what, const char *payload, size_t len, bridge_req_t *req,
                          char *err, size_t errcap);

/* The transaction of any payload, for error responses (best effort). */
void bridge_parse_transaction(const char *payload, size_t len, char *out, size_t cap);

#endif
