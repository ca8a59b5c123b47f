/*
 * The bridge's core: MQTT topics to device commands and device events to
 * MQTT topics (docs/bridge.md lists them), Home Assistant discovery, the
 * requests on bridge/request/<what>, health and the persisted kWh counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge.h"
#include "bridge_log.h"
#include "bridge_parse.h"
#include "bridge_payloads.h"

typedef struct {
    bridge_t *b;
    bridge_cmd_t cmd; /* owns the DP strings until the write ends */
    char device[BRIDGE_NAME_MAX];
} cmd_ctx_t;

static bridge_devcfg_t *loaded;
static size_t loaded_count;
static char *state_text; /* the state file as loaded: kWh counters by id */
static size_t state_len;

static uint64_t now_ms(void)
{
    return uv_hrtime() / 1000000u;
}

/* ---- publishing ----------------------------------------------------------- */

static void pub(bridge_t *b, const char *topic, const char *payload, bool retain)
{
    bridge_mqtt_publish(b->mqtt, topic, payload, strlen(payload), 1, retain);
}

static const char *topic_of(bridge_t *b, const char *fmt, const char *a)
{
    bbuf_reset(&b->topic);
    bbuf_printf(&b->topic, "%s/", b->s.base);
    bbuf_printf(&b->topic, fmt, a);
    return bbuf_str(&b->topic);
}

static void publish_state(bridge_t *b, bridge_dev_t *d)
{
    bbuf_reset(&b->payload);
    bridge_json_state(&b->payload, d);
    pub(b, topic_of(b, "%s", bridge_dev_cfg(d)->name), bbuf_str(&b->payload), b->s.retain_state);
}

static void publish_avail(bridge_t *b, bridge_dev_t *d)
{
    bbuf_reset(&b->payload);
    bridge_json_avail(&b->payload, d);
    pub(b, topic_of(b, "%s/availability", bridge_dev_cfg(d)->name), bbuf_str(&b->payload), true);
}

static void publish_devices(bridge_t *b)
{
    bbuf_reset(&b->payload);
    bbuf_puts(&b->payload, "[");
    for (bridge_dev_t *d = bridge_devs_first(b->devs); d; d = bridge_devs_next(d)) {
        if (d != bridge_devs_first(b->devs))
            bbuf_puts(&b->payload, ",");
        bridge_json_device_entry(&b->payload, d);
    }
    bbuf_puts(&b->payload, "]");
    pub(b, topic_of(b, "%s", "bridge/devices"), bbuf_str(&b->payload), true);
}

static const uint32_t all_comps[] = {BRIDGE_HA_SWITCH, BRIDGE_HA_POWER, BRIDGE_HA_VOLTAGE,
                                     BRIDGE_HA_CURRENT, BRIDGE_HA_ENERGY};

static void publish_discovery(bridge_t *b, bridge_dev_t *d, bool force)
{
    bridge_side_t *side = bridge_dev_user(d);
    if (b->s.disc_mode == BRIDGE_DISC_OFF || !bridge_mqtt_connected(b->mqtt))
        return;
    uint32_t comps = bridge_ha_components(d);
    if (!comps || (!force && side->announced && comps == side->disc_comps))
        return;
    const bridge_devcfg_t *c = bridge_dev_cfg(d);
    bbuf_t t;
    bbuf_init(&t);
    if (b->s.disc_mode == BRIDGE_DISC_DEVICE) {
        bbuf_printf(&t, "%s/device/ltuya_%s/config", b->s.disc_prefix, c->id);
        bbuf_reset(&b->payload);
        bridge_ha_device_config(&b->payload, &b->s, d, comps);
        pub(b, bbuf_str(&t), bbuf_str(&b->payload), true);
    } else {
        for (size_t i = 0; i < sizeof all_comps / sizeof *all_comps; i++) {
            bbuf_reset(&t);
            bridge_ha_entity_topic(&t, &b->s, d, all_comps[i]);
            bbuf_reset(&b->payload);
            if (comps & all_comps[i])
                bridge_ha_entity_config(&b->payload, &b->s, d, all_comps[i]);
            else if (!(side->disc_comps & all_comps[i]))
                continue;
            pub(b, bbuf_str(&t), bbuf_str(&b->payload), true); /* "" removes a gone entity */
        }
    }
    bbuf_free(&t);
    side->disc_comps = comps;
    side->announced = true;
}

/* Removing a device clears everything retained about it. */
static void clear_retained(bridge_t *b, bridge_dev_t *d)
{
    const bridge_devcfg_t *c = bridge_dev_cfg(d);
    bbuf_t t;
    bbuf_init(&t);
    bbuf_printf(&t, "%s/device/ltuya_%s/config", b->s.disc_prefix, c->id);
    pub(b, bbuf_str(&t), "", true);
    for (size_t i = 0; i < sizeof all_comps / sizeof *all_comps; i++) {
        bbuf_reset(&t);
        bridge_ha_entity_topic(&t, &b->s, d, all_comps[i]);
        pub(b, bbuf_str(&t), "", true);
    }
    bbuf_free(&t);
    pub(b, topic_of(b, "%s", c->name), "", true);
    pub(b, topic_of(b, "%s/availability", c->name), "", true);
}

static void publish_all(bridge_t *b)
{
    pub(b, topic_of(b, "%s", "bridge/state"), "{\"state\":\"online\"}", true);
    publish_devices(b);
    for (bridge_dev_t *d = bridge_devs_first(b->devs); d; d = bridge_devs_next(d)) {
        publish_avail(b, d);
        if (bridge_dev_device(d)->cache_count) {
            publish_state(b, d);
            publish_discovery(b, d, true);
        }
    }
}

static void respond(bridge_t *b, const char *what, bool ok, const char *data_json,
                    const char *error, const char *transaction)
{
    bbuf_t p;
    bbuf_init(&p);
    bbuf_printf(&p, "{\"status\":\"%s\",\"data\":%s", ok ? "ok" : "error",
                data_json && data_json[0] ? data_json : "{}");
    if (!ok) {
        bbuf_puts(&p, ",\"error\":");
        bbuf_json_str(&p, error, strlen(error));
    }
    if (transaction && transaction[0])
        bbuf_printf(&p, ",\"transaction\":%s", transaction);
    bbuf_puts(&p, "}");
    bbuf_t t;
    bbuf_init(&t);
    bbuf_printf(&t, "%s/bridge/response/%s", b->s.base, what);
    pub(b, bbuf_str(&t), bbuf_str(&p), false);
    bbuf_free(&t);
    bbuf_free(&p);
}

static void device_data(bbuf_t *out, const char *name)
{
    bbuf_puts(out, "{\"device\":");
    bbuf_json_str(out, name, strlen(name));
    bbuf_puts(out, "}");
}

/* ---- kWh state file -------------------------------------------------------- */

static void state_path(const bridge_t *b, char *out, size_t cap)
{
    snprintf(out, cap, "%s/state.json", b->s.state_dir);
}

static void load_kwh(bridge_dev_t *d)
{
    if (!state_text)
        return;
    ltuya_str_t energy, v;
    bool is_str;
    if (ltuya_json_get(state_text, state_len, "energy", &energy, &is_str) != LTUYA_OK || is_str)
        return;
    if (ltuya_json_get(energy.ptr, energy.len, bridge_dev_cfg(d)->id, &v, &is_str) != LTUYA_OK ||
        is_str || v.len == 0 || v.len > 30)
        return;
    char num[32];
    memcpy(num, v.ptr, v.len);
    num[v.len] = '\0';
    char *end;
    double kwh = strtod(num, &end);
    if (*end == '\0' && kwh >= 0)
        bridge_dev_set_kwh(d, kwh);
}

static void save_state(bridge_t *b)
{
    if (!b->s.state_dir[0])
        return;
    bbuf_t p;
    bbuf_init(&p);
    bbuf_puts(&p, "{\"energy\":{");
    bool first = true;
    /* counters of devices this instance does not drive (removed, or another shard's) stay */
    ltuya_str_t energy, k, v;
    bool is_str;
    ltuya_json_iter_t it;
    if (state_text &&
        ltuya_json_get(state_text, state_len, "energy", &energy, &is_str) == LTUYA_OK && !is_str &&
        ltuya_json_iter_init(&it, energy.ptr, energy.len) == LTUYA_OK) {
        while (ltuya_json_iter_next(&it, &k, &v, &is_str) == LTUYA_OK) {
            char id[40];
            if (is_str || k.len >= sizeof id || v.len > 30)
                continue;
            memcpy(id, k.ptr, k.len);
            id[k.len] = '\0';
            bridge_dev_t *d = bridge_devs_first(b->devs);
            while (d && strcmp(bridge_dev_cfg(d)->id, id))
                d = bridge_devs_next(d);
            if (d && bridge_dev_kwh(d) >= 0)
                continue;
            if (!first)
                bbuf_puts(&p, ",");
            first = false;
            bbuf_json_str(&p, id, k.len);
            bbuf_puts(&p, ":");
            bbuf_add(&p, v.ptr, v.len);
        }
    }
    for (bridge_dev_t *d = bridge_devs_first(b->devs); d; d = bridge_devs_next(d)) {
        double kwh = bridge_dev_kwh(d);
        if (kwh < 0)
            continue;
        if (!first)
            bbuf_puts(&p, ",");
        first = false;
        bbuf_json_str(&p, bridge_dev_cfg(d)->id, strlen(bridge_dev_cfg(d)->id));
        bbuf_printf(&p, ":%.6f", kwh);
    }
    bbuf_puts(&p, "}}\n");
    char path[600], tmp[620];
    state_path(b, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    bool ok = f && fputs(bbuf_str(&p), f) >= 0;
    if (f)
        ok = (fflush(f) == 0) & (fsync(fileno(f)) == 0) & (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0)
        blog(BLOG_ERROR, "cannot write %s: %s", path, strerror(errno));
    else {
        b->state_dirty = false;
        /* keep what was written as the reference for devices added later */
        free(state_text);
        state_text = strdup(bbuf_str(&p));
        state_len = state_text ? strlen(state_text) : 0;
    }
    bbuf_free(&p);
}

/* ---- device events ----------------------------------------------------------- */

static void dev_state(void *user, bridge_dev_t *d)
{
    bridge_t *b = user;
    b->state_dirty = true;
    publish_state(b, d);
    publish_discovery(b, d, false);
}

static uv_timer_t devlist_timer;
static bool devlist_pending;

static void devlist_cb(uv_timer_t *t)
{
    bridge_t *b = t->data;
    devlist_pending = false;
    publish_devices(b);
}

static void dev_avail(void *user, bridge_dev_t *d)
{
    bridge_t *b = user;
    publish_avail(b, d);
    /* the device list follows, coalesced: a thousand devices coming up make one list */
    if (!devlist_pending) {
        devlist_pending = true;
        uv_timer_start(&devlist_timer, devlist_cb, 500, 0);
    }
}

static void dev_done(void *user, bridge_dev_t *d, void *cookie, bool ok, const char *error)
{
    bridge_t *b = user;
    cmd_ctx_t *ctx = cookie;
    (void)d;
    bbuf_t data;
    bbuf_init(&data);
    device_data(&data, ctx->device);
    if (ok)
        blog(BLOG_DEBUG, "%s: write confirmed", ctx->device);
    else
        blog(BLOG_WARN, "%s: write failed: %s", ctx->device, error);
    respond(b, "device/set", ok, bbuf_str(&data), error, ctx->cmd.transaction);
    bbuf_free(&data);
    free(ctx);
}

/* ---- devices: add, remove, reconfigure --------------------------------------- */

static bridge_dev_t *find_dev(bridge_t *b, const char *name_or_id)
{
    for (bridge_dev_t *d = bridge_devs_first(b->devs); d; d = bridge_devs_next(d))
        if (!strcmp(bridge_dev_cfg(d)->name, name_or_id) ||
            !strcmp(bridge_dev_cfg(d)->id, name_or_id))
            return d;
    return NULL;
}

static bridge_dev_t *add_dev(bridge_t *b, const bridge_devcfg_t *cfg, char *err, size_t errcap)
{
    bridge_side_t *side = calloc(1, sizeof *side);
    if (!side) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    bridge_dev_t *d = bridge_devs_add(b->devs, cfg, err, errcap);
    if (!d) {
        free(side);
        return NULL;
    }
    bridge_dev_set_user(d, side);
    load_kwh(d);
    blog(BLOG_INFO, "%s: %s:%u, protocol %s", cfg->name, cfg->ip, cfg->port ? cfg->port : 6668,
         ltuya_version_str(cfg->version));
    if (bridge_mqtt_connected(b->mqtt))
        publish_avail(b, d);
    return d;
}

static void remove_dev(bridge_t *b, bridge_dev_t *d, bool clear)
{
    save_state(b); /* the counter outlives the device's entry */
    if (clear)
        clear_retained(b, d);
    free(bridge_dev_user(d));
    bridge_dev_set_user(d, NULL);
    bridge_devs_remove(b->devs, d);
}

/* Replace a device's settings (new key, ip, version...): its counter carries over. */
static bridge_dev_t *reconfigure(bridge_t *b, bridge_dev_t *d, const bridge_devcfg_t *cfg,
                                 char *err, size_t errcap)
{
    double kwh = bridge_dev_kwh(d);
    bool rename_ = strcmp(bridge_dev_cfg(d)->name, cfg->name) != 0;
    remove_dev(b, d, rename_);
    bridge_dev_t *n = add_dev(b, cfg, err, errcap);
    if (n && kwh >= 0)
        bridge_dev_set_kwh(n, kwh);
    return n;
}

bool bridge_load_devices(bridge_t *b, char *err, size_t errcap)
{
    size_t len;
    char *text = bridge_read_file(b->s.devices_path, &len);
    if (!text) {
        snprintf(err, errcap, "cannot read %s: %s", b->s.devices_path, strerror(errno));
        return false;
    }
    struct stat st;
    if (stat(b->s.devices_path, &st) == 0 && (st.st_mode & 077))
        blog(BLOG_WARN, "%s is readable by other users; it holds local keys (chmod 600)",
             b->s.devices_path);
    bridge_devcfg_t *list;
    size_t n;
    bool ok = bridge_devices_parse(&b->s, text, len, &list, &n, err, errcap);
    free(text);
    if (!ok)
        return false;
    /* gone from the file: removed, with their retained messages */
    for (bridge_dev_t *d = bridge_devs_first(b->devs), *next; d; d = next) {
        next = bridge_devs_next(d);
        bool keep = false;
        for (size_t i = 0; i < n; i++)
            keep |= !strcmp(list[i].id, bridge_dev_cfg(d)->id);
        if (!keep) {
            blog(BLOG_INFO, "%s: removed", bridge_dev_cfg(d)->name);
            remove_dev(b, d, true);
        }
    }
    for (size_t i = 0; i < n; i++) {
        bridge_dev_t *d = find_dev(b, list[i].id);
        char e[200];
        if (d && !memcmp(bridge_dev_cfg(d), &list[i], sizeof list[i]))
            continue; /* unchanged: keep the connection */
        if (d)
            d = reconfigure(b, d, &list[i], e, sizeof e);
        else
            d = add_dev(b, &list[i], e, sizeof e);
        if (!d)
            blog(BLOG_ERROR, "%s", e);
    }
    memset(list, 0, n * sizeof *list); /* keys */
    free(list);
    if (bridge_mqtt_connected(b->mqtt))
        publish_devices(b);
    blog(BLOG_INFO, "%zu devices", bridge_devs_count(b->devs));
    return true;
}

/* ---- requests -------------------------------------------------------------------- */

static bool options_allowed(ltuya_str_t obj, char *err, size_t errcap)
{
    static const char *const ok[] = {
        "key", "ip",        "port",    "version",   "energy_interval", "min_write_interval_ms",
        "kwh", "switch_dp", "mapping", "product_id"};
    ltuya_json_iter_t it;
    ltuya_str_t k;
    if (ltuya_json_iter_init(&it, obj.ptr, obj.len) != LTUYA_OK)
        return false;
    while (ltuya_json_iter_next(&it, &k, NULL, NULL) == LTUYA_OK) {
        bool found = false;
        for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
            found |= k.len == strlen(ok[i]) && !memcmp(k.ptr, ok[i], k.len);
        if (!found) {
            snprintf(err, errcap, "option \"%.*s\" cannot be changed here",
                     (int)(k.len > 32 ? 32 : k.len), k.ptr);
            return false;
        }
    }
    return true;
}

/* ---- beacons ------------------------------------------------------------------------ */

static void rescan_done(uv_timer_t *t)
{
    bridge_t *b = t->data;
    bbuf_t data;
    bbuf_init(&data);
    bbuf_puts(&data, "{\"devices\":[");
    for (size_t i = 0; i < b->seen_count; i++) {
        const ltuya_beacon_t *s = &b->seen[i];
        bridge_dev_t *d = find_dev(b, s->id);
        bbuf_puts(&data, i ? ",{\"id\":" : "{\"id\":");
        bbuf_json_str(&data, s->id, strlen(s->id));
        bbuf_puts(&data, ",\"ip\":");
        bbuf_json_str(&data, s->ip, strlen(s->ip));
        bbuf_puts(&data, ",\"version\":");
        bbuf_json_str(&data, s->version, strlen(s->version));
        bbuf_puts(&data, ",\"product_key\":");
        bbuf_json_str(&data, s->product_key, strlen(s->product_key));
        bbuf_puts(&data, ",\"name\":");
        if (d)
            bbuf_json_str(&data, bridge_dev_cfg(d)->name, strlen(bridge_dev_cfg(d)->name));
        else
            bbuf_puts(&data, "null");
        bbuf_puts(&data, "}");
    }
    bbuf_puts(&data, "]}");
    b->rescanning = false;
    respond(b, "devices/rescan", true, bbuf_str(&data), "", b->rescan_transaction);
    bbuf_free(&data);
}

static void on_beacon(void *user, const ltuya_beacon_t *bc)
{
    bridge_t *b = user;
    if (b->rescanning) {
        size_t i = 0;
        while (i < b->seen_count && strcmp(b->seen[i].id, bc->id))
            i++;
        if (i == b->seen_count && b->seen_count < 10000) {
            if (b->seen_count == b->seen_cap) {
                size_t cap = b->seen_cap ? b->seen_cap * 2 : 16;
                ltuya_beacon_t *n = realloc(b->seen, cap * sizeof *n);
                if (n) {
                    b->seen = n;
                    b->seen_cap = cap;
                }
            }
            if (b->seen_count < b->seen_cap)
                b->seen[b->seen_count++] = *bc;
        } else if (i < b->seen_count) {
            b->seen[i] = *bc; /* the latest address */
        }
    }
    bridge_dev_t *d = find_dev(b, bc->id);
    if (!d || bridge_dev_online(d) || !bc->ip[0])
        return;
    const bridge_devcfg_t *c = bridge_dev_cfg(d);
    if (!strcmp(c->ip, bc->ip) || strlen(bc->ip) >= sizeof c->ip)
        return;
    /* an offline device announces itself elsewhere: DHCP gave it a new address */
    blog(BLOG_INFO, "%s: beacon from %s (was %s): reconnecting there", c->name, bc->ip, c->ip);
    bridge_devcfg_t cfg = *c;
    snprintf(cfg.ip, sizeof cfg.ip, "%s", bc->ip);
    char err[200];
    if (!reconfigure(b, d, &cfg, err, sizeof err))
        blog(BLOG_ERROR, "%s", err);
    memset(&cfg, 0, sizeof cfg);
    if (bridge_mqtt_connected(b->mqtt))
        publish_devices(b);
}

static void handle_request(bridge_t *b, const char *what, const char *payload, size_t len)
{
    bridge_req_t r;
    char err[200] = "";
    if (!bridge_parse_request(what, payload, len, &r, err, sizeof err)) {
        char tr[BRIDGE_TRANSACTION_MAX + 1];
        bridge_parse_transaction(payload, len, tr, sizeof tr);
        blog(BLOG_WARN, "request %s refused: %s", what, err);
        respond(b, what, false, NULL, err, tr);
        return;
    }
    bbuf_t data;
    bbuf_init(&data);
    bridge_dev_t *d = NULL;
    if (r.kind != BRIDGE_REQ_ADD && r.kind != BRIDGE_REQ_RESCAN) {
        d = find_dev(b, r.device);
        if (!d) {
            respond(b, what, false, NULL, "no such device", r.transaction);
            bbuf_free(&data);
            return;
        }
    }
    bool ok = true;
    switch (r.kind) {
    case BRIDGE_REQ_RECONNECT:
        bridge_dev_reconnect(d);
        device_data(&data, bridge_dev_cfg(d)->name);
        break;
    case BRIDGE_REQ_OPTIONS: {
        bridge_devcfg_t cfg = *bridge_dev_cfg(d);
        ok = options_allowed(r.object, err, sizeof err) &&
             bridge_devcfg_override(&cfg, r.object.ptr, r.object.len, err, sizeof err);
        if (ok) {
            d = reconfigure(b, d, &cfg, err, sizeof err);
            ok = d != NULL;
        }
        memset(&cfg, 0, sizeof cfg);
        if (ok) {
            device_data(&data, bridge_dev_cfg(d)->name);
            publish_devices(b);
        }
        break;
    }
    case BRIDGE_REQ_ADD: {
        bridge_devcfg_t cfg;
        ok = bridge_devcfg_parse(&b->s, r.object.ptr, r.object.len, &cfg, err, sizeof err);
        if (ok && (find_dev(b, cfg.id) || find_dev(b, cfg.name))) {
            snprintf(err, sizeof err, "a device with that id or name exists");
            ok = false;
        }
        if (ok) {
            d = add_dev(b, &cfg, err, sizeof err);
            ok = d != NULL;
        }
        memset(&cfg, 0, sizeof cfg);
        if (ok) {
            device_data(&data, bridge_dev_cfg(d)->name);
            publish_devices(b);
        }
        break;
    }
    case BRIDGE_REQ_REMOVE:
        device_data(&data, bridge_dev_cfg(d)->name);
        remove_dev(b, d, true);
        publish_devices(b);
        break;
    case BRIDGE_REQ_RESCAN:
        if (!b->beacons) {
            ok = false;
            snprintf(err, sizeof err, "beacon listening is off (--no-beacons, or no port bound)");
        } else if (b->rescanning) {
            ok = false;
            snprintf(err, sizeof err, "a rescan is running");
        } else {
            /* answered when the time is up (rescan_done) */
            b->rescanning = true;
            b->seen_count = 0;
            snprintf(b->rescan_transaction, sizeof b->rescan_transaction, "%s", r.transaction);
            uv_timer_start(&b->rescan_timer, rescan_done, 1000ull * r.seconds, 0);
            bbuf_free(&data);
            return;
        }
        break;
    }
    respond(b, what, ok, bbuf_str(&data), err, r.transaction);
    bbuf_free(&data);
}

/* ---- commands --------------------------------------------------------------------- */

static void handle_command(bridge_t *b, const char *name, const char *rest, const char *payload,
                           size_t len)
{
    bridge_dev_t *d = find_dev(b, name);
    char err[200] = "";
    char tr[BRIDGE_TRANSACTION_MAX + 1] = "";
    if (!d) {
        bridge_parse_transaction(payload, len, tr, sizeof tr);
        respond(b, "device/set", false, NULL, "no such device", tr);
        return;
    }
    const bridge_devcfg_t *c = bridge_dev_cfg(d);
    if (!strcmp(rest, "get")) {
        bridge_dev_get(d);
        return;
    }
    cmd_ctx_t *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return;
    ctx->b = b;
    snprintf(ctx->device, sizeof ctx->device, "%s", c->name);
    bool ok;
    if (!strcmp(rest, "set"))
        ok = bridge_parse_set(c, payload, len, &ctx->cmd, err, sizeof err);
    else if (!strcmp(rest, "raw/set"))
        ok = bridge_parse_raw_set(payload, len, &ctx->cmd, err, sizeof err);
    else if (!strncmp(rest, "set/", 4) && rest[4] && !strchr(rest + 4, '/'))
        ok = bridge_parse_set_attr(c, rest + 4, payload, len, &ctx->cmd, err, sizeof err);
    else {
        free(ctx);
        return; /* not a topic of ours (the subscriptions make this rare) */
    }
    if (ok && ctx->cmd.toggle_dp) {
        ltuya_dp_t v;
        if (ltuya_device_cached(bridge_dev_device(d), ctx->cmd.toggle_dp, &v) != LTUYA_OK ||
            v.type != LTUYA_DP_BOOL) {
            snprintf(err, sizeof err, "the state is not known yet: cannot toggle");
            ok = false;
        } else {
            bool present = false;
            for (size_t i = 0; i < ctx->cmd.n; i++)
                present |= ctx->cmd.dps[i].id == ctx->cmd.toggle_dp;
            if (!present && ctx->cmd.n < BRIDGE_CMD_DPS)
                ctx->cmd.dps[ctx->cmd.n++] = ltuya_dp_bool(ctx->cmd.toggle_dp, !v.b);
        }
    }
    if (ok)
        ok = bridge_dev_set(d, ctx->cmd.dps, ctx->cmd.n, ctx, err, sizeof err);
    if (!ok) {
        if (!ctx->cmd.transaction[0])
            bridge_parse_transaction(payload, len, ctx->cmd.transaction,
                                     sizeof ctx->cmd.transaction);
        blog(BLOG_WARN, "%s: command refused: %s", c->name, err);
        bbuf_t data;
        bbuf_init(&data);
        device_data(&data, c->name);
        respond(b, "device/set", false, bbuf_str(&data), err, ctx->cmd.transaction);
        bbuf_free(&data);
        free(ctx);
    }
}

/* ---- MQTT events -------------------------------------------------------------------- */

static void subscribe_all(bridge_t *b)
{
    static const char *const mine[] = {"+/set", "+/set/+", "+/get", "+/raw/set",
                                       "bridge/request/#"};
    bbuf_t t;
    bbuf_init(&t);
    for (size_t i = 0; i < sizeof mine / sizeof *mine; i++) {
        bbuf_reset(&t);
        bbuf_printf(&t, "%s/%s", b->s.base, mine[i]);
        bridge_mqtt_subscribe(b->mqtt, bbuf_str(&t), 1);
    }
    if (b->s.disc_mode != BRIDGE_DISC_OFF) {
        bbuf_reset(&t);
        bbuf_printf(&t, "%s/status", b->s.disc_prefix);
        bridge_mqtt_subscribe(b->mqtt, bbuf_str(&t), 1);
    }
    bbuf_free(&t);
}

static void mqtt_connected(void *user)
{
    bridge_t *b = user;
    subscribe_all(b);
    publish_all(b);
}

static void mqtt_disconnected(void *user)
{
    (void)user;
}

static void mqtt_message(void *user, const char *topic, const char *payload, size_t len)
{
    bridge_t *b = user;
    size_t bl = strlen(b->s.base), pl = strlen(b->s.disc_prefix);
    if (!strncmp(topic, b->s.disc_prefix, pl) && !strcmp(topic + pl, "/status")) {
        if (len == 6 && !memcmp(payload, "online", 6)) {
            blog(BLOG_INFO, "Home Assistant is online: re-publishing discovery and state");
            publish_all(b);
        }
        return;
    }
    if (strncmp(topic, b->s.base, bl) || topic[bl] != '/')
        return;
    const char *rest = topic + bl + 1;
    if (!strncmp(rest, "bridge/request/", 15)) {
        handle_request(b, rest + 15, payload, len);
        return;
    }
    const char *slash = strchr(rest, '/');
    if (!slash || slash == rest || (size_t)(slash - rest) >= BRIDGE_NAME_MAX)
        return;
    char name[BRIDGE_NAME_MAX];
    memcpy(name, rest, (size_t)(slash - rest));
    name[slash - rest] = '\0';
    if (!strcmp(name, "bridge"))
        return;
    handle_command(b, name, slash + 1, payload, len);
}

static void mqtt_closed(void *user)
{
    bridge_t *b = user;
    uv_stop(b->loop);
}

/* ---- health, timers, signals -------------------------------------------------------- */

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void health_cb(uv_timer_t *t)
{
    bridge_t *b = t->data;
    uint64_t in, out, now = now_ms();
    bridge_mqtt_counts(b->mqtt, &in, &out);
    double secs = (double)(now - b->last_health_ms) / 1000.0;
    if (secs <= 0)
        secs = 1;
    size_t online = 0, total = bridge_devs_count(b->devs);
    for (bridge_dev_t *d = bridge_devs_first(b->devs); d; d = bridge_devs_next(d))
        online += bridge_dev_online(d);
    bbuf_reset(&b->payload);
    bbuf_printf(&b->payload,
                "{\"uptime\":%llu,\"rss_kib\":%ld,\"devices\":{\"online\":%zu,\"offline\":%zu},"
                "\"messages\":{\"in_per_s\":%.2f,\"out_per_s\":%.2f}}",
                (unsigned long long)((now - b->started_ms) / 1000), rss_kib(), online,
                total - online, (double)(in - b->last_in) / secs,
                (double)(out - b->last_out) / secs);
    b->last_in = in;
    b->last_out = out + 1; /* this message */
    b->last_health_ms = now;
    pub(b, topic_of(b, "%s", "bridge/health"), bbuf_str(&b->payload), false);
}

static void save_cb(uv_timer_t *t)
{
    bridge_t *b = t->data;
    if (b->state_dirty)
        save_state(b);
}

static void on_signal(uv_signal_t *h, int signum)
{
    bridge_t *b = h->data;
    if (signum == SIGHUP) {
        char err[300];
        blog(BLOG_INFO, "SIGHUP: reloading %s", b->s.devices_path);
        if (!bridge_load_devices(b, err, sizeof err))
            blog(BLOG_ERROR, "reload failed, keeping the current devices: %s", err);
        return;
    }
    if (b->stopping)
        return;
    b->stopping = true;
    blog(BLOG_INFO, "stopping");
    save_state(b);
    pub(b, topic_of(b, "%s", "bridge/state"), "{\"state\":\"offline\"}", true);
    bridge_mqtt_close(b->mqtt);
}

bool bridge_start(bridge_t *b, char *err, size_t errcap)
{
    b->started_ms = b->last_health_ms = now_ms();
    bbuf_init(&b->topic);
    bbuf_init(&b->payload);
    if (b->s.state_dir[0]) {
        char path[600];
        state_path(b, path, sizeof path);
        state_text = bridge_read_file(path, &state_len);
        if (!state_text && errno != ENOENT)
            blog(BLOG_WARN, "cannot read %s: %s (kWh counters start at 0)", path, strerror(errno));
    }
    bridge_devs_cbs_t dc = {dev_state, dev_avail, dev_done, b};
    b->devs = bridge_devs_new(b->loop, &dc);
    bridge_mqtt_cbs_t mc = {mqtt_connected, mqtt_disconnected, mqtt_message, mqtt_closed, b};
    char will_topic[200];
    snprintf(will_topic, sizeof will_topic, "%s/bridge/state", b->s.base);
    b->mqtt =
        bridge_mqtt_new(b->loop, &b->s, &mc, will_topic, "{\"state\":\"offline\"}", err, errcap);
    if (!b->devs || !b->mqtt)
        return false;
    uv_timer_init(b->loop, &b->rescan_timer);
    b->rescan_timer.data = b;
    if (b->s.beacons) {
        char berr[100];
        b->beacons = bridge_beacons_open(b->loop, b->s.beacon_ports, b->s.beacon_port_count,
                                         on_beacon, b, berr, sizeof berr);
        if (!b->beacons)
            blog(BLOG_WARN, "beacons: %s; moved devices are not re-learnt", berr);
    }
    uv_timer_init(b->loop, &devlist_timer);
    devlist_timer.data = b;
    if (!bridge_load_devices(b, err, errcap))
        return false;
    (void)loaded;
    (void)loaded_count;
    uv_timer_init(b->loop, &b->health);
    uv_timer_init(b->loop, &b->save);
    b->health.data = b->save.data = b;
    uv_timer_start(&b->health, health_cb, 1000ull * b->s.health_interval_s,
                   1000ull * b->s.health_interval_s);
    uv_timer_start(&b->save, save_cb, 30000, 30000);
    uv_signal_init(b->loop, &b->sigterm);
    uv_signal_init(b->loop, &b->sigint);
    uv_signal_init(b->loop, &b->sighup);
    b->sigterm.data = b->sigint.data = b->sighup.data = b;
    uv_signal_start(&b->sigterm, on_signal, SIGTERM);
    uv_signal_start(&b->sigint, on_signal, SIGINT);
    uv_signal_start(&b->sighup, on_signal, SIGHUP);
    bridge_mqtt_start(b->mqtt);
    b->started = true;
    return true;
}

static void close_one(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void bridge_stop(bridge_t *b)
{
    if (b->started)
        save_state(b);
    for (bridge_dev_t *d = b->devs ? bridge_devs_first(b->devs) : NULL; d;
         d = bridge_devs_next(d)) {
        free(bridge_dev_user(d));
        bridge_dev_set_user(d, NULL);
    }
    bridge_beacons_close(b->beacons);
    b->beacons = NULL;
    free(b->seen);
    b->seen = NULL;
    if (b->devs)
        bridge_devs_free(b->devs);
    if (b->mqtt)
        bridge_mqtt_free(b->mqtt);
    uv_walk(b->loop, close_one, NULL);
    uv_run(b->loop, UV_RUN_DEFAULT);
    bbuf_free(&b->topic);
    bbuf_free(&b->payload);
    free(state_text);
    state_text = NULL;
    free(b->s.overrides_json);
}
