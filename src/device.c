/* The high-level device API; see device.h. */
#include "ltuya/device.h"

#include <string.h>

/* ---- the DP cache ----------------------------------------------------------- */

/* Rebuild the string pool from the live entries (old strings are dropped
 * when a DP changes, so the pool only fills up with garbage over time). */
static void pool_compact(ltuya_device_t *d)
{
    char fresh[LTUYA_CACHE_POOL];
    size_t used = 0;
    for (size_t i = 0; i < d->cache.count; i++) {
        ltuya_dp_t *dp = &d->cache.dp[i];
        if (dp->type != LTUYA_DP_STR && dp->type != LTUYA_DP_RAW)
            continue;
        memcpy(fresh + used, dp->str.ptr, dp->str.len);
        dp->str.ptr = d->pool + used;
        used += dp->str.len;
    }
    memcpy(d->pool, fresh, used);
    d->pool_len = used;
}

static bool pool_store(ltuya_device_t *d, ltuya_dp_t *dp, ltuya_str_t text)
{
    if (LTUYA_CACHE_POOL - d->pool_len < text.len)
        pool_compact(d);
    if (LTUYA_CACHE_POOL - d->pool_len < text.len)
        return false;
    memcpy(d->pool + d->pool_len, text.ptr, text.len);
    dp->str.ptr = d->pool + d->pool_len;
    dp->str.len = text.len;
    d->pool_len += text.len;
    return true;
}

/* Pushes carry only what changed: merge them into what we know. */
static void cache_merge(ltuya_device_t *d, const ltuya_dps_t *in)
{
    for (size_t i = 0; i < in->count; i++) {
        const ltuya_dp_t *src = &in->dp[i];
        ltuya_dp_t *dst = NULL;
        for (size_t k = 0; k < d->cache.count; k++)
            if (d->cache.dp[k].id == src->id)
                dst = &d->cache.dp[k];
        if (!dst) {
            if (d->cache.count >= LTUYA_MAX_DPS)
                continue;
            dst = &d->cache.dp[d->cache.count++];
        }
        *dst = *src;
        if (src->type == LTUYA_DP_STR || src->type == LTUYA_DP_RAW) {
            dst->type = LTUYA_DP_NULL; /* not stored while the pool is being rebuilt */
            if (pool_store(d, dst, src->str))
                dst->type = src->type;
        }
    }
    d->cache.has_dps = true;
}

static void on_push(void *user, const ltuya_dps_t *dps)
{
    ltuya_device_t *d = user;
    cache_merge(d, dps);
    if (d->user_push)
        d->user_push(d->user, dps);
}

/* ---- life cycle ------------------------------------------------------------- */

ltuya_status_t ltuya_device_init(ltuya_device_t *d, const ltuya_device_opts_t *opts, uint8_t *rx,
                                 size_t rx_cap, uint8_t *tx, size_t tx_cap)
{
    memset(d, 0, sizeof *d);
    ltuya_client_opts_t co = opts->client;
    d->user_push = co.on_push;
    d->user = co.user;
    co.on_push = on_push;
    co.user = d;
    d->energy = opts->energy;
    d->keep_alive = opts->keep_alive;
    return ltuya_client_init(&d->client, &co, rx, rx_cap, tx, tx_cap);
}

ltuya_status_t ltuya_device_connect(ltuya_device_t *d)
{
    return ltuya_client_connect(&d->client);
}

void ltuya_device_close(ltuya_device_t *d)
{
    ltuya_client_close(&d->client);
}

void ltuya_device_deinit(ltuya_device_t *d)
{
    ltuya_client_deinit(&d->client);
}

/* One request; closes the connection afterwards unless keep_alive. */
static ltuya_status_t call(ltuya_device_t *d, ltuya_req_t req, const ltuya_dp_t *dps, size_t n,
                           ltuya_dps_t *out)
{
    ltuya_status_t st = ltuya_client_call(&d->client, req, dps, n, out);
    if (st == LTUYA_OK && out && out->has_dps)
        cache_merge(d, out);
    if (!d->keep_alive)
        ltuya_client_close(&d->client);
    return st;
}

ltuya_status_t ltuya_device_status(ltuya_device_t *d, ltuya_dps_t *out)
{
    ltuya_dps_t local;
    ltuya_dps_t *dst = out ? out : &local;
    return call(d, LTUYA_REQ_STATUS, NULL, 0, dst);
}

ltuya_status_t ltuya_device_get(ltuya_device_t *d, uint16_t dp, ltuya_dp_t *out)
{
    ltuya_dps_t all;
    ltuya_status_t st = ltuya_device_status(d, &all);
    if (st != LTUYA_OK)
        return st;
    /* answer from the cache: its strings outlive the receive buffer */
    const ltuya_dp_t *v = ltuya_dps_find(&d->cache, dp);
    if (!v)
        return LTUYA_ERR_NOT_FOUND;
    *out = *v;
    return LTUYA_OK;
}

ltuya_status_t ltuya_device_set(ltuya_device_t *d, const ltuya_dp_t *dps, size_t n)
{
    ltuya_status_t st = call(d, LTUYA_REQ_SET, dps, n, NULL);
    if (st == LTUYA_OK) {
        /* what we wrote is the new state (the push confirms it later) */
        ltuya_dps_t wrote;
        memset(&wrote, 0, sizeof wrote);
        for (size_t i = 0; i < n && i < LTUYA_MAX_DPS; i++)
            wrote.dp[wrote.count++] = dps[i];
        cache_merge(d, &wrote);
    }
    return st;
}

ltuya_status_t ltuya_device_on(ltuya_device_t *d, uint16_t dp)
{
    ltuya_dp_t v = ltuya_dp_bool(dp, true);
    return ltuya_device_set(d, &v, 1);
}

ltuya_status_t ltuya_device_off(ltuya_device_t *d, uint16_t dp)
{
    ltuya_dp_t v = ltuya_dp_bool(dp, false);
    return ltuya_device_set(d, &v, 1);
}

ltuya_status_t ltuya_device_toggle(ltuya_device_t *d, uint16_t dp, bool *now_on)
{
    bool keep = d->keep_alive;
    d->keep_alive = true; /* read and write on one connection */
    ltuya_dp_t cur;
    ltuya_status_t st = ltuya_device_get(d, dp, &cur);
    d->keep_alive = keep;
    if (st == LTUYA_OK && cur.type != LTUYA_DP_BOOL)
        st = LTUYA_ERR_UNEXPECTED;
    if (st != LTUYA_OK) {
        if (!keep)
            ltuya_client_close(&d->client);
        return st;
    }
    ltuya_dp_t v = ltuya_dp_bool(dp, !cur.b);
    st = ltuya_device_set(d, &v, 1);
    if (st == LTUYA_OK && now_on)
        *now_on = v.b;
    return st;
}

ltuya_status_t ltuya_device_heartbeat(ltuya_device_t *d)
{
    return call(d, LTUYA_REQ_HEARTBEAT, NULL, 0, NULL);
}

ltuya_status_t ltuya_device_refresh(ltuya_device_t *d, const uint16_t *ids, size_t n)
{
    ltuya_dp_t which[LTUYA_MAX_DPS];
    size_t k = 0;
    if (n == 0 && d->energy.power_dp) {
        which[k++] = ltuya_dp_null(d->energy.current_dp);
        which[k++] = ltuya_dp_null(d->energy.power_dp);
        which[k++] = ltuya_dp_null(d->energy.voltage_dp);
    }
    for (size_t i = 0; i < n && k < LTUYA_MAX_DPS; i++)
        which[k++] = ltuya_dp_null(ids[i]);
    ltuya_dps_t out;
    memset(&out, 0, sizeof out);
    return call(d, LTUYA_REQ_REFRESH, which, k, &out);
}

/* ---- energy ----------------------------------------------------------------- */

static bool scaled(const ltuya_dps_t *dps, uint16_t dp, uint8_t scale, int32_t milli, int32_t *out)
{
    const ltuya_dp_t *v = dp ? ltuya_dps_find(dps, dp) : NULL;
    if (!v || v->type != LTUYA_DP_INT)
        return false;
    /* value / 10^scale in the unit, times `milli` for the milli-unit */
    int64_t x = v->i * milli;
    for (uint8_t i = 0; i < scale; i++)
        x /= 10;
    *out = (int32_t)x;
    return true;
}

/* The layouts real plugs use (protocol.md 8.1): mA, W x10, V x10. */
static void guess_map(const ltuya_dps_t *dps, ltuya_energy_map_t *m)
{
    static const uint16_t layouts[3][3] = {{18, 19, 20}, {4, 5, 6}, {21, 22, 23}};
    for (size_t i = 0; i < 3; i++) {
        const ltuya_dp_t *c = ltuya_dps_find(dps, layouts[i][0]);
        const ltuya_dp_t *p = ltuya_dps_find(dps, layouts[i][1]);
        const ltuya_dp_t *v = ltuya_dps_find(dps, layouts[i][2]);
        if (c && p && v && c->type == LTUYA_DP_INT && p->type == LTUYA_DP_INT &&
            v->type == LTUYA_DP_INT) {
            m->current_dp = layouts[i][0];
            m->power_dp = layouts[i][1];
            m->voltage_dp = layouts[i][2];
            m->current_scale = 0;
            m->power_scale = 1;
            m->voltage_scale = 1;
            return;
        }
    }
}

void ltuya_energy_from_dps(const ltuya_energy_map_t *map, const ltuya_dps_t *dps,
                           ltuya_energy_t *out)
{
    ltuya_energy_map_t m = *map;
    memset(out, 0, sizeof *out);
    if (!m.power_dp && !m.voltage_dp && !m.current_dp)
        guess_map(dps, &m);
    out->has_voltage = scaled(dps, m.voltage_dp, m.voltage_scale, 1000, &out->voltage_mv);
    /* current is usually in mA already: scale 0 means the value is milliamps */
    out->has_current = scaled(dps, m.current_dp, m.current_scale, 1, &out->current_ma);
    out->has_power = scaled(dps, m.power_dp, m.power_scale, 1000, &out->power_mw);
}

ltuya_status_t ltuya_device_energy(ltuya_device_t *d, ltuya_energy_t *out)
{
    ltuya_status_t st = ltuya_device_status(d, NULL);
    if (st != LTUYA_OK)
        return st;
    ltuya_energy_from_dps(&d->energy, &d->cache, out);
    return out->has_power || out->has_voltage || out->has_current ? LTUYA_OK : LTUYA_ERR_NOT_FOUND;
}

ltuya_status_t ltuya_device_run(ltuya_device_t *d, uint32_t timeout_ms)
{
    const ltuya_clock_t *clk = &d->client.clock;
    uint64_t end = clk->now_ms(clk->ctx) + timeout_ms;
    ltuya_status_t last = LTUYA_OK;
    if (!d->client.connected)
        last = ltuya_client_connect(&d->client);
    for (;;) {
        uint64_t t = clk->now_ms(clk->ctx);
        if (t >= end)
            return last;
        uint64_t next = ltuya_client_deadline(&d->client);
        uint64_t until = next < end ? next : end;
        uint32_t wait = until > t ? (uint32_t)(until - t) : 0;
        if (wait > 1000)
            wait = 1000;
        if (!d->client.connected && clk->sleep_ms) {
            /* no socket to wait on while the reconnect backoff runs */
            uint64_t nc = d->client.next_connect_ms;
            uint64_t until2 = nc < until ? nc : until;
            if (until2 > t)
                clk->sleep_ms(clk->ctx, (uint32_t)(until2 - t));
        }
        ltuya_status_t st = ltuya_client_pump(&d->client, wait, true);
        if (st != LTUYA_OK)
            last = st;
        else if (d->client.connected)
            last = LTUYA_OK;
    }
}

const ltuya_dps_t *ltuya_device_cache(const ltuya_device_t *d)
{
    return &d->cache;
}

const char *ltuya_device_last_error(const ltuya_device_t *d)
{
    return ltuya_client_device_error(&d->client);
}
