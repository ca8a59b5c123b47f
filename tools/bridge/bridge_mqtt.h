/*
 * The MQTT side: one libmosquitto client driven from the libuv loop (its
 * socket under a uv_poll, mosquitto_want_write for writability,
 * loop_read / loop_write / loop_misc), no thread of its own. Reconnects
 * with a capped backoff; the bridge re-publishes its retained state from
 * on_connect.
 */
#ifndef LTUYA_BRIDGE_MQTT_H
#define LTUYA_BRIDGE_MQTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "bridge_config.h"

typedef struct bridge_mqtt bridge_mqtt_t;

typedef struct {
    void (*on_connect)(void *user);
    void (*on_disconnect)(void *user);
    void (*on_message)(void *user, const char *topic, const char *payload, size_t len);
    void (*on_closed)(void *user); /* after bridge_mqtt_close: the DISCONNECT went out */
    void *user;
} bridge_mqtt_cbs_t;

/* Set up (no connection yet). The will is published retained with QoS 1. NULL with a message in
 * err. */
bridge_mqtt_t *bridge_mqtt_new(uv_loop_t *loop, const bridge_settings_t *s,
                               const bridge_mqtt_cbs_t *cbs, const char *will_topic,
                               const char *will_payload, char *err, size_t errcap);
/* Start connecting (and keep reconnecting). */
void bridge_mqtt_start(bridge_mqtt_t *m);
bool bridge_mqtt_connected(const bridge_mqtt_t *m);
bool bridge_mqtt_publish(bridge_mqtt_t *m, const char *topic, const void *payload, size_t len,
                         int qos, bool retain);
bool bridge_mqtt_subscribe(bridge_mqtt_t *m, const char *pattern, int qos);
/* Send DISCONNECT once what is queued went out (on_closed), or after 3 s. */
void bridge_mqtt_close(bridge_mqtt_t *m);
void bridge_mqtt_free(bridge_mqtt_t *m);
/* Messages in and out since the start. */
void bridge_mqtt_counts(const bridge_mqtt_t *m, uint64_t *in, uint64_t *out);

#endif
