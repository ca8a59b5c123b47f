/*
 * The device side of the bridge: every configured device driven by the
 * library's engine (ltuya/engine.h) on the libuv loop, with the state the
 * users asked for: availability with a reason, a never-ending reconnect
 * (the client's capped backoff with jitter), energy refresh at most every N
 * seconds, the kWh counter, and commands through the engine's queue
 * (paced, merged) with an overflow list so that a burst is never dropped.
 * Only the library's public API is used; no protocol code lives here.
 */
#ifndef LTUYA_BRIDGE_DEVICES_H
#define LTUYA_BRIDGE_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "bridge_config.h"
#include "ltuya/device.h"

typedef struct bridge_devs bridge_devs_t;
typedef struct bridge_dev bridge_dev_t;

typedef struct {
    /* The device's state changed (a push or a status reply updated its cache). */
    void (*on_state)(void *user, bridge_dev_t *d);
    /* Availability changed; reason is "" when online. */
    void (*on_avail)(void *user, bridge_dev_t *d);
    /* A command ended: ok only when the device reported the written values; else error. */
    void (*on_done)(void *user, bridge_dev_t *d, void *cookie, bool ok, const char *error);
    void *user;
} bridge_devs_cbs_t;

bridge_devs_t *bridge_devs_new(uv_loop_t *loop, const bridge_devs_cbs_t *cbs);
void bridge_devs_free(bridge_devs_t *ds);

/* Start driving a device (connects at once, then stays connected). NULL on a
 * configuration the library refuses (message in err, never with the key). */
bridge_dev_t *bridge_devs_add(bridge_devs_t *ds, const bridge_devcfg_t *cfg, char *err,
                              size_t errcap);
/* Stop it: pending commands end with an error first. Not from its callbacks. */
void bridge_devs_remove(bridge_devs_t *ds, bridge_dev_t *d);

const bridge_devcfg_t *bridge_dev_cfg(const bridge_dev_t *d);
const ltuya_device_t *bridge_dev_device(const bridge_dev_t *d);
bool bridge_dev_online(const bridge_dev_t *d);
/* "unreachable", "wrong key", "wrong key or version" (a 3.4/3.5 device that closed the
 * connection before it ever answered), "client limit", "protocol error", "connecting", or ""
 * when online. */
const char *bridge_dev_reason(const bridge_dev_t *d);
/* The library's text for the last error ("" if none). */
const char *bridge_dev_last_error(const bridge_dev_t *d);

/* The kWh counter (see bridge_config.h kwh modes); -1 when the device has no energy readings. */
double bridge_dev_kwh(const bridge_dev_t *d);
void bridge_dev_set_kwh(bridge_dev_t *d, double kwh);

/* Queue a write; the DP string views must stay valid until on_done (the
 * caller's cookie owns them). Never refused for a full queue: the overflow
 * waits in order. false only for a malformed request (err set). */
bool bridge_dev_set(bridge_dev_t *d, const ltuya_dp_t *dps, size_t n, void *cookie, char *err,
                    size_t errcap);
/* A fresh status read; on_state follows (no on_done). */
void bridge_dev_get(bridge_dev_t *d);
/* Drop the connection and connect again now. */
void bridge_dev_reconnect(bridge_dev_t *d);
/* Commands waiting (engine queue and overflow). */
size_t bridge_dev_pending(const bridge_dev_t *d);

/* The bridge core's own per-device data. */
void *bridge_dev_user(const bridge_dev_t *d);
void bridge_dev_set_user(bridge_dev_t *d, void *user);

/* Iteration: add order. */
bridge_dev_t *bridge_devs_first(bridge_devs_t *ds);
bridge_dev_t *bridge_devs_next(bridge_dev_t *d);
size_t bridge_devs_count(const bridge_devs_t *ds);

#endif
