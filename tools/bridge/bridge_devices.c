/* Devices over the library's engine on libuv (bridge_devices.h). */
#include "bridge_devices.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_log.h"
#include "ltuya/engine.h"
#include "ltuya_posix.h"
#include "ltuya_uv.h"

typedef struct overflow {
    struct overflow *next;
    const ltuya_dp_t *dps;
    size_t n;
    void *cookie;
} overflow_t;

struct bridge_dev {
    bridge_devs_t *owner;
    bridge_dev_t *next, *prev;
    bridge_devcfg_t cfg;
    ltuya_device_t dev;
    ltuya_uv_dev_t ud; /* the engine's per-device state and its libuv watchers (ltuya_uv.h) */
    ltuya_posix_tcp_t tcp;
    ltuya_transport_t tr;
    uv_timer_t energy; /* DP refresh of the energy DPs */
    int closing_handles;
    bool online;
    bool good; /* the device answered on this connection */
    bool ever_good;
    bool removed;
    void *user;
    char reason[24];
    char last_error[96];
    /* commands the engine's queue had no room for, in order */
    overflow_t *ov_head, *ov_tail;
    size_t ov_len;
    /* kWh */
    bool has_kwh, saw_add_ele;
    double kwh;
    uint64_t power_ts;
    int32_t power_mw;
    uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
};

struct bridge_devs {
    uv_loop_t *loop;
    ltuya_uv_t uv;
    bridge_devs_cbs_t cbs;
    bridge_dev_t *head, *tail;
    size_t count;
};

/* Cookies of the bridge's own requests (never a command's). */
static char internal_status, internal_get, internal_refresh;

static uint64_t now_ms(void)
{
    const ltuya_clock_t *c = ltuya_posix_clock();
    return c->now_ms(c->ctx);
}

static void rearm(bridge_dev_t *d);

static void set_avail(bridge_dev_t *d, bool online, const char *reason)
{
    if (d->online == online && !strcmp(d->reason, reason))
        return;
    d->online = online;
    snprintf(d->reason, sizeof d->reason, "%s", reason);
    if (online)
        blog(BLOG_INFO, "%s: online", d->cfg.name);
    else
        blog(BLOG_WARN, "%s: offline (%s%s%s)", d->cfg.name, reason, d->last_error[0] ? ": " : "",
             d->last_error);
    if (d->owner->cbs.on_avail)
        d->owner->cbs.on_avail(d->owner->cbs.user, d);
}

/* Why a connection ended, in the words of the availability topic. A wrong
 * key is concluded only before the device ever answered on the connection
 * (a failed handshake or first reply): a corrupted frame on a working
 * session fails its integrity check the same way. */
static const char *reason_of(const bridge_dev_t *d, ltuya_status_t why)
{
    switch (why) {
    case LTUYA_ERR_WRONG_KEY:
        return d->good ? "protocol error" : "wrong key";
    case LTUYA_ERR_CONN_LIMIT:
        return "client limit";
    case LTUYA_ERR_REJECTED:
        /* a 3.4/3.5 device drops a handshake it cannot decrypt, and a frame of a version it
         * does not speak, alike: on a device that worked with this version it is the key */
        return d->ever_good ? "wrong key" : "wrong key or version";
    case LTUYA_ERR_REFUSED:
    case LTUYA_ERR_UNREACHABLE:
    case LTUYA_ERR_TIMEOUT:
    case LTUYA_ERR_NO_REPLY:
    case LTUYA_ERR_CLOSED:
    case LTUYA_ERR_RESET:
    case LTUYA_ERR_IO:
        return "unreachable";
    default:
        return "protocol error";
    }
}

static void note_good(bridge_dev_t *d)
{
    d->good = d->ever_good = true;
    d->last_error[0] = '\0';
    set_avail(d, true, "");
}

/* ---- kWh ----------------------------------------------------------------- */

static void account_energy(bridge_dev_t *d, const ltuya_dps_t *push)
{
    uint8_t mode = d->cfg.kwh_mode;
    if (mode == BRIDGE_KWH_OFF)
        return;
    /* add_ele is what was used since the device's last report: count it from pushes only
     * (a status reply may repeat the last report) */
    if (push && d->cfg.add_ele_dp && (mode == BRIDGE_KWH_AUTO || mode == BRIDGE_KWH_ADD_ELE)) {
        const ltuya_dp_t *a = ltuya_dps_find(push, d->cfg.add_ele_dp);
        if (a && a->type == LTUYA_DP_INT && a->i >= 0 && a->i < 1000000) {
            double div = pow(10.0, d->cfg.add_ele_scale);
            d->kwh = (d->has_kwh ? d->kwh : 0) + (double)a->i / div;
            d->has_kwh = d->saw_add_ele = true;
        }
    }
    if (mode == BRIDGE_KWH_ADD_ELE || (mode == BRIDGE_KWH_AUTO && d->saw_add_ele))
        return;
    ltuya_energy_t e;
    ltuya_device_energy_cached(&d->dev, &e);
    if (!e.has_power)
        return;
    uint64_t t = now_ms();
    if (d->power_ts) {
        /* left sum over the interval; a gap (offline) longer than a few refreshes is not
         * integrated: nothing says what was drawn then */
        uint64_t dt = t - d->power_ts;
        uint64_t cap = 3ull * 1000 * d->cfg.energy_interval_s;
        if (dt <= cap && d->power_mw > 0)
            d->kwh = (d->has_kwh ? d->kwh : 0) + (double)d->power_mw * (double)dt / 3.6e12;
    }
    d->has_kwh = true;
    d->power_ts = t;
    d->power_mw = e.power_mw;
}

/* ---- engine callbacks ---------------------------------------------------- */

static void drain_overflow(bridge_dev_t *d);

static void internal_done(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    bridge_dev_t *d = ltuya_engine_dev_user(ed);
    if (r->status == LTUYA_ERR_CANCELLED)
        return;
    if (r->status == LTUYA_OK) {
        if (cookie == &internal_status || cookie == &internal_get)
            note_good(d);
        account_energy(d, NULL);
        if (cookie != &internal_refresh && d->owner->cbs.on_state)
            d->owner->cbs.on_state(d->owner->cbs.user, d);
    } else {
        snprintf(d->last_error, sizeof d->last_error, "%s", ltuya_status_str(r->status));
        if (!d->good)
            set_avail(d, false, reason_of(d, r->status));
    }
    drain_overflow(d);
}

static void command_done(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    bridge_dev_t *d = ltuya_engine_dev_user(ed);
    char err[160] = "";
    bool ok = false;
    if (r->status == LTUYA_ERR_CANCELLED)
        snprintf(err, sizeof err, "cancelled (device removed or reconfigured)");
    else if (r->status == LTUYA_ERR_DEVICE)
        snprintf(err, sizeof err, "the device refused the write: %s", r->device_error);
    else if (r->status != LTUYA_OK)
        snprintf(err, sizeof err, "%s", ltuya_status_str(r->status));
    else if (r->proof == LTUYA_PROOF_CONFIRMED)
        ok = true;
    else if (r->proof == LTUYA_PROOF_CONTRADICTED)
        snprintf(err, sizeof err, "the device reports another value (it rejected the write)");
    else
        snprintf(err, sizeof err, "acknowledged, but the device never reported the new value");
    if (d->owner->cbs.on_done)
        d->owner->cbs.on_done(d->owner->cbs.user, d, cookie, ok, err);
    if (!d->removed)
        drain_overflow(d);
}

static void on_push(void *user, ltuya_engine_dev_t *ed, const ltuya_dps_t *dps)
{
    (void)ed;
    bridge_dev_t *d = user;
    note_good(d);
    account_energy(d, dps);
    if (d->owner->cbs.on_state)
        d->owner->cbs.on_state(d->owner->cbs.user, d);
}

static void on_conn_state(void *user, ltuya_engine_dev_t *ed, ltuya_client_state_t state,
                          ltuya_status_t why)
{
    bridge_dev_t *d = user;
    switch (state) {
    case LTUYA_CLIENT_CONNECTING:
        d->good = false;
        break;
    case LTUYA_CLIENT_READY:
        /* online once the device answers: a 3.3 device with a wrong key accepts TCP too */
        ltuya_engine_status(ed, internal_done, &internal_status);
        break;
    case LTUYA_CLIENT_IDLE:
    case LTUYA_CLIENT_BACKOFF:
        if (why != LTUYA_OK) {
            snprintf(d->last_error, sizeof d->last_error, "%s", ltuya_status_str(why));
            set_avail(d, false, reason_of(d, why));
        }
        d->good = false;
        break;
    default:
        break;
    }
}

/* Re-arm the device's watchers after work queued from outside its own callbacks. */
static void rearm(bridge_dev_t *d)
{
    if (!d->removed)
        ltuya_uv_sync(&d->ud);
}

static void energy_cb(uv_timer_t *t)
{
    bridge_dev_t *d = t->data;
    ltuya_energy_t e;
    ltuya_device_energy_cached(&d->dev, &e);
    /* only plugs that measure, only when up, and never on top of a queue (a busy
     * device gets no extra load) */
    if (d->online && (e.has_power || e.has_voltage || e.has_current) &&
        ltuya_engine_dev_pending(&d->ud.ed) == 0 && d->ov_len == 0)
        ltuya_engine_refresh(&d->ud.ed, NULL, 0, internal_done, &internal_refresh);
    rearm(d);
}

/* ---- commands ------------------------------------------------------------- */

static void drain_overflow(bridge_dev_t *d)
{
    while (d->ov_head) {
        overflow_t *o = d->ov_head;
        ltuya_status_t st = ltuya_engine_set(&d->ud.ed, o->dps, o->n, command_done, o->cookie);
        if (st == LTUYA_ERR_BUSY)
            break;
        d->ov_head = o->next;
        if (!d->ov_head)
            d->ov_tail = NULL;
        d->ov_len--;
        void *cookie = o->cookie;
        free(o);
        if (st != LTUYA_OK && d->owner->cbs.on_done)
            d->owner->cbs.on_done(d->owner->cbs.user, d, cookie, false, ltuya_status_str(st));
    }
    rearm(d);
}

bool bridge_dev_set(bridge_dev_t *d, const ltuya_dp_t *dps, size_t n, void *cookie, char *err,
                    size_t errcap)
{
    if (n == 0 || n > LTUYA_ENGINE_SET_DPS) {
        snprintf(err, errcap, "1 to %d values per write", LTUYA_ENGINE_SET_DPS);
        return false;
    }
    ltuya_status_t st = LTUYA_ERR_BUSY;
    if (!d->ov_head) /* keep the order: nothing overtakes what already waits */
        st = ltuya_engine_set(&d->ud.ed, dps, n, command_done, cookie);
    if (st == LTUYA_ERR_BUSY) {
        overflow_t *o = malloc(sizeof *o);
        if (!o) {
            snprintf(err, errcap, "out of memory");
            return false;
        }
        o->next = NULL;
        o->dps = dps;
        o->n = n;
        o->cookie = cookie;
        if (d->ov_tail)
            d->ov_tail->next = o;
        else
            d->ov_head = o;
        d->ov_tail = o;
        d->ov_len++;
        st = LTUYA_OK;
    }
    if (st != LTUYA_OK) {
        snprintf(err, errcap, "%s", ltuya_status_str(st));
        return false;
    }
    rearm(d);
    return true;
}

void bridge_dev_get(bridge_dev_t *d)
{
    ltuya_engine_status(&d->ud.ed, internal_done, &internal_get);
    rearm(d);
}

void bridge_dev_reconnect(bridge_dev_t *d)
{
    ltuya_engine_dev_close(&d->ud.ed);
    ltuya_engine_dev_open(&d->ud.ed);
    rearm(d);
}

size_t bridge_dev_pending(const bridge_dev_t *d)
{
    return ltuya_engine_dev_pending(&d->ud.ed) + d->ov_len;
}

/* ---- the set of devices ------------------------------------------------------ */

bridge_devs_t *bridge_devs_new(uv_loop_t *loop, const bridge_devs_cbs_t *cbs)
{
    bridge_devs_t *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    ds->loop = loop;
    ds->cbs = *cbs;
    ltuya_posix_init();
    ltuya_uv_init(&ds->uv, loop);
    return ds;
}

bridge_dev_t *bridge_devs_add(bridge_devs_t *ds, const bridge_devcfg_t *cfg, char *err,
                              size_t errcap)
{
    bridge_dev_t *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    d->owner = ds;
    d->cfg = *cfg;
    snprintf(d->reason, sizeof d->reason, "connecting");
    ltuya_posix_tcp_init(&d->tcp, &d->tr);
    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    o.client.host = cfg->ip[0] ? cfg->ip : NULL;
    o.client.port = cfg->port;
    o.client.dev_id = cfg->id;
    o.client.local_key = cfg->key;
    o.client.version = cfg->version;
    o.client.transport = &d->tr;
    o.client.clock = ltuya_posix_clock();
    o.client.reconnect = true;
    o.keep_alive = true;
    ltuya_status_t st = ltuya_device_init(&d->dev, &o, d->rx, sizeof d->rx, d->tx, sizeof d->tx);
    if (st != LTUYA_OK) {
        snprintf(err, errcap, "%s: %s%s", cfg->name, ltuya_status_str(st),
                 cfg->ip[0] ? "" : " (no \"ip\": rescan or set it)");
        free(d);
        return NULL;
    }
    ltuya_engine_dev_opts_t eo;
    memset(&eo, 0, sizeof eo);
    eo.min_write_interval_ms = cfg->min_write_interval_ms;
    eo.keep_alive = true;
    eo.on_push = on_push;
    eo.on_state = on_conn_state;
    eo.user = d;
    int uvr = ltuya_uv_add(&ds->uv, &d->ud, &d->dev, &eo);
    if (uvr != 0) {
        snprintf(err, errcap, "%s: %s", cfg->name, uv_strerror(uvr));
        ltuya_device_deinit(&d->dev);
        free(d);
        return NULL;
    }
    uv_timer_init(ds->loop, &d->energy);
    d->energy.data = d;
    /* spread the refreshes of many devices over the interval */
    uint64_t every = 1000ull * cfg->energy_interval_s;
    uv_timer_start(&d->energy, energy_cb, every / 2 + (uint64_t)rand() % (every / 2 + 1), every);
    d->prev = ds->tail;
    if (ds->tail)
        ds->tail->next = d;
    else
        ds->head = d;
    ds->tail = d;
    ds->count++;
    ltuya_engine_dev_open(&d->ud.ed);
    rearm(d);
    return d;
}

static void one_closed(bridge_dev_t *d)
{
    if (--d->closing_handles == 0)
        free(d);
}

static void handle_closed(uv_handle_t *h)
{
    one_closed(h->data);
}

static void ud_closed(ltuya_uv_dev_t *ud)
{
    one_closed((bridge_dev_t *)(void *)((char *)ud - offsetof(bridge_dev_t, ud)));
}

void bridge_devs_remove(bridge_devs_t *ds, bridge_dev_t *d)
{
    d->removed = true;
    /* the overflow first, so that no cancelled command lets it into the engine */
    while (d->ov_head) {
        overflow_t *o = d->ov_head;
        d->ov_head = o->next;
        d->ov_len--;
        void *cookie = o->cookie;
        free(o);
        if (ds->cbs.on_done)
            ds->cbs.on_done(ds->cbs.user, d, cookie, false, "cancelled (device removed)");
    }
    d->ov_tail = NULL;
    d->closing_handles = 2;
    /* cancels what is queued (command_done reports each), closes the connection and watchers */
    ltuya_uv_remove(&d->ud, ud_closed);
    ltuya_device_deinit(&d->dev); /* wipes the key */
    memset(d->cfg.key, 0, sizeof d->cfg.key);
    if (d->prev)
        d->prev->next = d->next;
    else
        ds->head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else
        ds->tail = d->prev;
    ds->count--;
    uv_close((uv_handle_t *)&d->energy, handle_closed);
}

void bridge_devs_free(bridge_devs_t *ds)
{
    if (!ds)
        return;
    while (ds->head)
        bridge_devs_remove(ds, ds->head);
    uv_run(ds->loop, UV_RUN_NOWAIT);
    free(ds);
}

const bridge_devcfg_t *bridge_dev_cfg(const bridge_dev_t *d)
{
    return &d->cfg;
}

const ltuya_device_t *bridge_dev_device(const bridge_dev_t *d)
{
    return &d->dev;
}

bool bridge_dev_online(const bridge_dev_t *d)
{
    return d->online;
}

const char *bridge_dev_reason(const bridge_dev_t *d)
{
    return d->reason;
}

const char *bridge_dev_last_error(const bridge_dev_t *d)
{
    return d->last_error;
}

double bridge_dev_kwh(const bridge_dev_t *d)
{
    return d->has_kwh ? d->kwh : -1;
}

void bridge_dev_set_kwh(bridge_dev_t *d, double kwh)
{
    d->kwh = kwh;
    d->has_kwh = true;
}

bridge_dev_t *bridge_devs_first(bridge_devs_t *ds)
{
    return ds->head;
}

bridge_dev_t *bridge_devs_next(bridge_dev_t *d)
{
    return d->next;
}

size_t bridge_devs_count(const bridge_devs_t *ds)
{
    return ds->count;
}

void *bridge_dev_user(const bridge_dev_t *d)
{
    return d->user;
}

void bridge_dev_set_user(bridge_dev_t *d, void *user)
{
    d->user = user;
}
