/* The high-level device API; see device.h. */
#include "ltuya/device.h"

#include <string.h>

/* ---- the DP cache ----------------------------------------------------------- */

#define FLAG_ESCAPED 1u /* string text still JSON-escaped */
#define FLAG_WIDE    2u /* integer beyond 32 bits: its 8 bytes are in the pool */

_Static_assert(LTUYA_CACHE_DPS <= 255, "cache_count is a uint8_t");
_Static_assert(LTUYA_CACHE_POOL <= 65535, "pool offsets are uint16_t");

/* Bytes an entry holds in the pool (0 for none). */
static size_t pool_bytes(const ltuya_cache_entry_t *e)
{
    if (e->type == LTUYA_DP_STR || e->type == LTUYA_DP_RAW)
        return e->v.text.len;
    return e->type == LTUYA_DP_INT && (e->flags & FLAG_WIDE) ? 8 : 0;
}

/* Give back an entry's pool bytes, closing the gap so the pool never fills
 * with stale text. */
static void pool_release(ltuya_device_t *d, ltuya_cache_entry_t *e)
{
    size_t n = pool_bytes(e);
    if (!n)
        return;
    uint16_t off = e->v.text.off;
    memmove(d->pool + off, d->pool + off + n, d->pool_len - off - n);
    d->pool_len = (uint16_t)(d->pool_len - n);
    for (size_t k = 0; k < d->cache_count; k++) {
        ltuya_cache_entry_t *o = &d->cache[k];
        if (o != e && pool_bytes(o) && o->v.text.off > off)
            o->v.text.off = (uint16_t)(o->v.text.off - n);
    }
    e->type = LTUYA_DP_NULL;
}

/* Copy n bytes to the end of the pool; false if they do not fit. */
static bool pool_append(ltuya_device_t *d, const void *bytes, size_t n, size_t *at)
{
    if ((size_t)LTUYA_CACHE_POOL - d->pool_len < n)
        return false;
    memcpy(d->pool + d->pool_len, bytes, n);
    *at = d->pool_len;
    d->pool_len = (uint16_t)(d->pool_len + n);
    return true;
}

/* Store one DP into entry e (new or old), replacing its value. */
static void entry_store(ltuya_device_t *d, ltuya_cache_entry_t *e, const ltuya_dp_t *src)
{
    const void *bytes = NULL;
    size_t n = 0, at = 0;
    uint8_t flags = 0;
    if (src->type == LTUYA_DP_STR || src->type == LTUYA_DP_RAW) {
        bytes = src->str.len ? src->str.ptr : "";
        n = src->str.len;
        flags = src->escaped ? FLAG_ESCAPED : 0;
    } else if (src->type == LTUYA_DP_INT && (src->i < INT32_MIN || src->i > INT32_MAX)) {
        bytes = &src->i;
        n = 8;
        flags = FLAG_WIDE;
    }
    bool stored = true;
    const char *b = bytes;
    if (b && b >= d->pool && b < d->pool + sizeof d->pool) {
        /* A view of this very pool (a cached value written back): copy it
         * before the old bytes are released and the pool moves. */
        size_t old = pool_bytes(e), old_off = e->v.text.off;
        stored = pool_append(d, bytes, n, &at);
        pool_release(d, e);
        if (stored && old && old_off < at)
            at -= old;
    } else {
        pool_release(d, e);
        if (bytes)
            stored = pool_append(d, bytes, n, &at);
    }
    e->id = src->id;
    e->flags = flags;
    e->type = stored ? (uint8_t)src->type : LTUYA_DP_NULL; /* no room: known, value unknown */
    e->v.i = 0;
    if (bytes && stored) {
        e->v.text.off = (uint16_t)at;
        e->v.text.len = (uint16_t)n;
    } else if (src->type == LTUYA_DP_INT) {
        e->v.i = (int32_t)src->i;
    } else if (src->type == LTUYA_DP_BOOL) {
        e->v.i = src->b;
    }
}

/* Pushes carry only what changed: merge them into what we know. */
static void cache_merge(ltuya_device_t *d, const ltuya_dp_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ltuya_cache_entry_t *e = NULL;
        for (size_t k = 0; k < d->cache_count && !e; k++)
            if (d->cache[k].id == in[i].id)
                e = &d->cache[k];
        if (!e) {
            if (d->cache_count >= LTUYA_CACHE_DPS)
                continue;
            e = &d->cache[d->cache_count++];
            memset(e, 0, sizeof *e);
        }
        entry_store(d, e, &in[i]);
    }
}

static void entry_load(const ltuya_device_t *d, const ltuya_cache_entry_t *e, ltuya_dp_t *out)
{
    memset(out, 0, sizeof *out);
    out->id = e->id;
    out->type = (ltuya_dp_type_t)e->type;
    switch (out->type) {
    case LTUYA_DP_BOOL:
        out->b = e->v.i != 0;
        break;
    case LTUYA_DP_INT:
        if (e->flags & FLAG_WIDE)
            memcpy(&out->i, d->pool + e->v.text.off, 8);
        else
            out->i = e->v.i;
        break;
    case LTUYA_DP_STR:
    case LTUYA_DP_RAW:
        out->str.ptr = d->pool + e->v.text.off;
        out->str.len = e->v.text.len;
        out->escaped = (e->flags & FLAG_ESCAPED) != 0;
        break;
    default:
        break;
    }
}

ltuya_status_t ltuya_device_cached(const ltuya_device_t *d, uint16_t dp, ltuya_dp_t *out)
{
    for (size_t k = 0; k < d->cache_count; k++)
        if (d->cache[k].id == dp) {
            entry_load(d, &d->cache[k], out);
            return LTUYA_OK;
        }
    return LTUYA_ERR_NOT_FOUND;
}

bool ltuya_device_cache_at(const ltuya_device_t *d, size_t i, ltuya_dp_t *out)
{
    if (i >= d->cache_count)
        return false;
    entry_load(d, &d->cache[i], out);
    return true;
}

void ltuya_device_cache(const ltuya_device_t *d, ltuya_dps_t *out)
{
    memset(out, 0, sizeof *out);
    size_t n = d->cache_count < LTUYA_MAX_DPS ? d->cache_count : LTUYA_MAX_DPS;
    for (size_t i = 0; i < n; i++)
        entry_load(d, &d->cache[i], &out->dp[i]);
    out->count = n;
    out->dropped = d->cache_count - n;
    out->has_dps = n > 0;
}

static void on_push(void *user, const ltuya_dps_t *dps)
{
    ltuya_device_t *d = user;
    cache_merge(d, dps->dp, dps->count);
    if (d->user_push)
        d->user_push(d->user, dps);
}

/* Replies are merged here, straight from the session's parse, so a status
 * call needs no ltuya_dps_t of its own. */
static void on_done(void *user, ltuya_req_t req, ltuya_status_t st, const ltuya_dps_t *dps)
{
    ltuya_device_t *d = user;
    if (st == LTUYA_OK && dps)
        cache_merge(d, dps->dp, dps->count);
    if (d->user_done)
        d->user_done(d->user, req, st, dps);
}

static void on_state(void *user, ltuya_client_state_t state, ltuya_status_t why)
{
    ltuya_device_t *d = user;
    if (d->user_state)
        d->user_state(d->user, state, why);
}

/* ---- life cycle ------------------------------------------------------------- */

ltuya_status_t ltuya_device_init(ltuya_device_t *d, const ltuya_device_opts_t *opts, uint8_t *rx,
                                 size_t rx_cap, uint8_t *tx, size_t tx_cap)
{
    memset(d, 0, sizeof *d);
    ltuya_client_opts_t co = opts->client;
    d->user_push = co.on_push;
    d->user_done = co.on_done;
    d->user_state = co.on_state;
    d->user = co.user;
    co.on_push = on_push;
    co.on_done = on_done;
    co.on_state = on_state;
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
    if (!d->keep_alive)
        ltuya_client_close(&d->client);
    return st;
}

ltuya_status_t ltuya_device_status(ltuya_device_t *d, ltuya_dps_t *out)
{
    return call(d, LTUYA_REQ_STATUS, NULL, 0, out);
}

ltuya_status_t ltuya_device_get(ltuya_device_t *d, uint16_t dp, ltuya_dp_t *out)
{
    ltuya_status_t st = ltuya_device_status(d, NULL);
    if (st != LTUYA_OK)
        return st;
    /* answer from the cache: its strings outlive the receive buffer */
    return ltuya_device_cached(d, dp, out);
}

ltuya_status_t ltuya_device_set(ltuya_device_t *d, const ltuya_dp_t *dps, size_t n)
{
    ltuya_status_t st = call(d, LTUYA_REQ_SET, dps, n, NULL);
    if (st == LTUYA_OK)
        cache_merge(d, dps, n); /* what we wrote is the new state (the push confirms it later) */
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
    ltuya_dp_t which[LTUYA_MAX_REFRESH];
    size_t k = 0;
    if (n == 0 && d->energy.power_dp) {
        which[k++] = ltuya_dp_null(d->energy.current_dp);
        which[k++] = ltuya_dp_null(d->energy.power_dp);
        which[k++] = ltuya_dp_null(d->energy.voltage_dp);
    }
    for (size_t i = 0; i < n && k < LTUYA_MAX_REFRESH; i++)
        which[k++] = ltuya_dp_null(ids[i]);
    return call(d, LTUYA_REQ_REFRESH, which, k, NULL);
}

/* ---- energy ----------------------------------------------------------------- */

/* The energy maths reads integer DPs through this, from a status reply or
 * from the cache alike. */
typedef bool (*int_dp_fn)(const void *src, uint16_t id, int64_t *v);

static bool dps_int(const void *src, uint16_t id, int64_t *v)
{
    const ltuya_dp_t *p = id ? ltuya_dps_find(src, id) : NULL;
    if (!p || p->type != LTUYA_DP_INT)
        return false;
    *v = p->i;
    return true;
}

static bool cache_int(const void *src, uint16_t id, int64_t *v)
{
    ltuya_dp_t p;
    if (!id || ltuya_device_cached(src, id, &p) != LTUYA_OK || p.type != LTUYA_DP_INT)
        return false;
    *v = p.i;
    return true;
}

static bool scaled(int_dp_fn get, const void *src, uint16_t dp, uint8_t scale, int32_t milli,
                   int32_t *out)
{
    int64_t x;
    if (!get(src, dp, &x))
        return false;
    /* value / 10^scale in the unit, times `milli` for the milli-unit */
    x *= milli;
    for (uint8_t i = 0; i < scale; i++)
        x /= 10;
    *out = (int32_t)x;
    return true;
}

/* The layouts real plugs use (protocol.md 8.1): mA, W x10, V x10. */
static void guess_map(int_dp_fn get, const void *src, ltuya_energy_map_t *m)
{
    static const uint8_t layouts[3][3] = {{18, 19, 20}, {4, 5, 6}, {21, 22, 23}};
    int64_t x;
    for (size_t i = 0; i < 3; i++) {
        if (get(src, layouts[i][0], &x) && get(src, layouts[i][1], &x) &&
            get(src, layouts[i][2], &x)) {
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

static void energy(const ltuya_energy_map_t *map, int_dp_fn get, const void *src,
                   ltuya_energy_t *out)
{
    ltuya_energy_map_t m = *map;
    memset(out, 0, sizeof *out);
    if (!m.power_dp && !m.voltage_dp && !m.current_dp)
        guess_map(get, src, &m);
    out->has_voltage = scaled(get, src, m.voltage_dp, m.voltage_scale, 1000, &out->voltage_mv);
    /* current is usually in mA already: scale 0 means the value is milliamps */
    out->has_current = scaled(get, src, m.current_dp, m.current_scale, 1, &out->current_ma);
    out->has_power = scaled(get, src, m.power_dp, m.power_scale, 1000, &out->power_mw);
}

void ltuya_energy_from_dps(const ltuya_energy_map_t *map, const ltuya_dps_t *dps,
                           ltuya_energy_t *out)
{
    energy(map, dps_int, dps, out);
}

void ltuya_device_energy_cached(const ltuya_device_t *d, ltuya_energy_t *out)
{
    energy(&d->energy, cache_int, d, out);
}

ltuya_status_t ltuya_device_energy(ltuya_device_t *d, ltuya_energy_t *out)
{
    ltuya_status_t st = ltuya_device_status(d, NULL);
    if (st != LTUYA_OK)
        return st;
    ltuya_device_energy_cached(d, out);
    return out->has_power || out->has_voltage || out->has_current ? LTUYA_OK : LTUYA_ERR_NOT_FOUND;
}

ltuya_status_t ltuya_device_run(ltuya_device_t *d, uint32_t timeout_ms)
{
    const ltuya_clock_t *clk = d->client.opts.clock;
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

const char *ltuya_device_last_error(const ltuya_device_t *d)
{
    return ltuya_client_device_error(&d->client);
}
