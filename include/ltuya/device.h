/*
 * High-level device API: the calls a program (or the CLI, or the MicroPython
 * module) makes. One ltuya_device_t drives one device over one connection
 * (client.h), reconnecting when needed.
 *
 * Blocking form: every call below connects if needed (with the 3.4/3.5
 * handshake), does its work and returns within its timeout with a specific
 * status. Non-blocking form, for many devices from one thread: engine.h
 * (its per-device state lives outside ltuya_device_t, which stays small).
 *
 * Memory: the context holds no large buffers (under 1 KiB on a 32-bit MCU
 * with the defaults of config.h; docs/size.md has the figures). The caller
 * gives a receive and a transmit buffer at init (LTUYA_DEVICE_RX_SIZE /
 * LTUYA_DEVICE_TX_SIZE are comfortable sizes); they must outlive the device,
 * as must the transport and clock of the options.
 *
 * Example:
 *   static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
 *   ltuya_device_opts_t o = {0};
 *   o.host = "192.168.1.55"; o.dev_id = "bf..."; o.local_key = "0123456789abcdef";
 *   o.version = LTUYA_V33;
 *   ltuya_device_t d;
 *   ltuya_device_init(&d, &o, rx, sizeof rx, tx, sizeof tx);
 *   ltuya_device_on(&d, 1);
 *   ltuya_energy_t e;
 *   if (ltuya_device_energy(&d, &e) == LTUYA_OK) printf("%ld mW\n", (long)e.power_mw);
 *   ltuya_device_deinit(&d);
 */
#ifndef LTUYA_DEVICE_H
#define LTUYA_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/client.h"
#include "ltuya/json.h"

/* Where the energy readings live and how they are scaled (value / 10^scale
 * in the unit: V, mA, W). All zero = find out from the status: 18/19/20
 * (mA, W x10, V x10), else 4/5/6, else 21/22/23 with the same scales. */
typedef struct {
    uint16_t voltage_dp, current_dp, power_dp;
    uint8_t voltage_scale, current_scale, power_scale;
} ltuya_energy_map_t;

typedef struct {
    bool has_voltage, has_current, has_power;
    int32_t voltage_mv;
    int32_t current_ma;
    int32_t power_mw;
} ltuya_energy_t;

typedef struct {
    ltuya_client_opts_t client; /* host, port, ids, key, version, quirks, timeouts */
    ltuya_energy_map_t energy;
    bool keep_alive; /* stay connected between calls (else close after each) */
} ltuya_device_opts_t;

/* One remembered DP, 8 bytes. Text (strings, raw JSON) lives in the
 * device's pool at [off, off + len); so do the 8 bytes of an integer that
 * does not fit 32 bits. Read entries with ltuya_device_cached() and
 * ltuya_device_cache_at(), not directly. */
typedef struct {
    uint16_t id;
    uint8_t type;  /* ltuya_dp_type_t */
    uint8_t flags; /* internal: escaped text, wide integer */
    union {
        int32_t i;
        struct {
            uint16_t off, len;
        } text;
    } v;
} ltuya_cache_entry_t;

typedef struct {
    ltuya_client_t client;
    ltuya_energy_map_t energy;
    bool keep_alive;
    uint8_t cache_count;
    uint16_t pool_len;
    ltuya_cache_entry_t cache[LTUYA_CACHE_DPS]; /* merged state, in order of first sight */
    char pool[LTUYA_CACHE_POOL];
    void (*user_push)(void *user, const ltuya_dps_t *dps);
    void (*user_done)(void *user, ltuya_req_t req, ltuya_status_t st, const ltuya_dps_t *dps);
    void (*user_state)(void *user, ltuya_client_state_t state, ltuya_status_t why);
    void *user;
} ltuya_device_t;

ltuya_status_t ltuya_device_init(ltuya_device_t *d, const ltuya_device_opts_t *opts, uint8_t *rx,
                                 size_t rx_cap, uint8_t *tx, size_t tx_cap);

/* Connect now (otherwise the first call does). */
ltuya_status_t ltuya_device_connect(ltuya_device_t *d);

/* Ask for all DPs. The cache is updated; `out`, if not NULL, receives the
 * reply as the device sent it (views valid until the next call on d). With
 * out = NULL no ltuya_dps_t is needed at all (read the cache instead). */
ltuya_status_t ltuya_device_status(ltuya_device_t *d, ltuya_dps_t *out);

/* One DP from a fresh status (LTUYA_ERR_NOT_FOUND if the device lacks it). */
ltuya_status_t ltuya_device_get(ltuya_device_t *d, uint16_t dp, ltuya_dp_t *out);

/* Set one or more DPs; returns when the device acknowledged them. LTUYA_ERR_DEVICE with the
 * device's text in ltuya_device_last_error() if it refused. */
ltuya_status_t ltuya_device_set(ltuya_device_t *d, const ltuya_dp_t *dps, size_t n);
ltuya_status_t ltuya_device_on(ltuya_device_t *d, uint16_t dp);
ltuya_status_t ltuya_device_off(ltuya_device_t *d, uint16_t dp);
/* Reads the switch state first, then sets the opposite; *now_on (may be NULL) gets the new state.
 */
ltuya_status_t ltuya_device_toggle(ltuya_device_t *d, uint16_t dp, bool *now_on);

ltuya_status_t ltuya_device_heartbeat(ltuya_device_t *d);

/* Ask the device to re-measure DPs (UPDATEDPS 0x12); n = 0 uses the energy DPs. */
ltuya_status_t ltuya_device_refresh(ltuya_device_t *d, const uint16_t *ids, size_t n);

/* Volts, amps and watts from a fresh status (energy map above). */
ltuya_status_t ltuya_device_energy(ltuya_device_t *d, ltuya_energy_t *out);

/* Energy from DPs already at hand (a push, a status reply); no I/O. */
void ltuya_energy_from_dps(const ltuya_energy_map_t *map, const ltuya_dps_t *dps,
                           ltuya_energy_t *out);

/* Energy from the cache (the device's map); no I/O. */
void ltuya_device_energy_cached(const ltuya_device_t *d, ltuya_energy_t *out);

/* Wait up to timeout_ms for pushes (delivered to the client's on_push),
 * sending heartbeats and reconnecting as needed. LTUYA_OK when the time is
 * up, or the error that stopped it. */
ltuya_status_t ltuya_device_run(ltuya_device_t *d, uint32_t timeout_ms);

/* ---- The cache: the merged state of every DP seen so far (pushes are
 * partial), without I/O. Up to LTUYA_CACHE_DPS DPs with LTUYA_CACHE_POOL
 * bytes of text; a string that does not fit is remembered as null. String
 * views point into the device and stay valid until the next call on d. */

/* One DP: LTUYA_OK, or LTUYA_ERR_NOT_FOUND if it was never seen. */
ltuya_status_t ltuya_device_cached(const ltuya_device_t *d, uint16_t dp, ltuya_dp_t *out);

/* The i-th cached DP (0 <= i < count, in order of first sight); false past the end.
 *   ltuya_dp_t v; for (size_t i = 0; ltuya_device_cache_at(d, i, &v); i++) ... */
bool ltuya_device_cache_at(const ltuya_device_t *d, size_t i, ltuya_dp_t *out);

/* All of it as a status reply would look (count, dp[], has_dps = count > 0),
 * e.g. for ltuya_energy_from_dps(). Needs the caller's ltuya_dps_t (large:
 * LTUYA_MAX_DPS entries); the two calls above do not. */
void ltuya_device_cache(const ltuya_device_t *d, ltuya_dps_t *out);

/* The device's own error text of the last LTUYA_ERR_DEVICE ("" if none). */
const char *ltuya_device_last_error(const ltuya_device_t *d);

/* ---- Read-only views and setters for tools (src/device_access.c), so no
 * program needs to reach into the structs above. */

/* Replace the push handler given in the options (NULL for none). `user` is
 * the one pointer both handlers receive: it replaces the options' user for
 * on_done too. */
void ltuya_device_set_push_handler(ltuya_device_t *d,
                                   void (*fn)(void *user, const ltuya_dps_t *dps), void *user);

/* true while a connection is open (and, on 3.4/3.5, its handshake done). */
bool ltuya_device_is_connected(const ltuya_device_t *d);

/* true once the device answered a status query only in the device22 form
 * (CONTROL_NEW with null DPs), whether asked for or found by fallback. */
bool ltuya_device_uses_device22(const ltuya_device_t *d);

/* Valid frames received on the current connection (saturating): 0 means the
 * device never answered on it. */
unsigned ltuya_device_frames_seen(const ltuya_device_t *d);

void ltuya_device_close(ltuya_device_t *d);

/* Close and wipe the keys. */
void ltuya_device_deinit(ltuya_device_t *d);

#endif
