/* ltuya watch on several devices (DEVICE,DEVICE... or --all): every device
 * stays connected through the engine (keep_alive: heartbeats, reconnect with
 * backoff), one libuv loop, no threads; each line names its device. */
#include "watch_multi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ltuya_uv.h"
#include "multi.h"
#include "util.h"
#include "value.h"

typedef struct {
    ltuya_uv_dev_t ud; /* first: the adapter's pointer is ours */
    cli_target_t t;
    bool opened, added, connected, ever;
    int rc;
} wdev_t;

static uv_timer_t refresh_timer, stop_timer;
static uv_signal_t sig_int, sig_term;
static wdev_t *devs;
static size_t ndevs;
static bool write_failed;

static const char *label(const wdev_t *w)
{
    return w->t.entry.name[0] ? w->t.entry.name : w->t.dev_id;
}

/* {"id","name","event","t" ... or "HH:MM:SS  NAME  event" */
static void head(const wdev_t *w, const char *event)
{
    if (w->t.json) {
        cli_target_json_head(&w->t);
        if (!w->t.entry.name[0])
            printf(",\"name\":null");
        printf(",\"event\":\"%s\",\"t\":%lld", event, (long long)time(NULL));
        return;
    }
    char buf[16];
    time_t now = time(NULL);
    strftime(buf, sizeof buf, "%H:%M:%S", localtime(&now));
    printf("%s  %s  %s", buf, label(w), event);
}

static void tail(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        write_failed = true; /* a closed pipe ends the watch */
}

static void show(const wdev_t *w, const char *event, const ltuya_dps_t *dps)
{
    head(w, event);
    if (w->t.json) {
        printf(",\"dps\":{");
        for (size_t i = 0; i < dps->count; i++) {
            printf("%s\"%u\":", i ? "," : "", dps->dp[i].id);
            cli_value_print(stdout, &dps->dp[i]);
        }
        printf("}}\n");
    } else {
        printf(":");
        for (size_t i = 0; i < dps->count; i++) {
            const cli_dp_info_t *info = cli_devices_dp(&w->t.entry, dps->dp[i].id);
            if (info && info->code[0])
                printf(" %s=", info->code);
            else
                printf(" %u=", dps->dp[i].id);
            cli_value_print(stdout, &dps->dp[i]);
        }
        printf("\n");
    }
    tail();
}

static void event_line(const wdev_t *w, const char *event, const char *why)
{
    head(w, event);
    if (w->t.json) {
        if (why) {
            printf(",\"error\":");
            cli_json_string(stdout, why, strlen(why));
        }
        printf("}\n");
    } else {
        printf("%s%s\n", why ? ": " : "", why ? why : "");
    }
    tail();
}

static void stop_all(void);

static void on_push(void *user, ltuya_engine_dev_t *ed, const ltuya_dps_t *dps)
{
    (void)ed;
    show(user, "push", dps);
    if (write_failed)
        stop_all();
}

static void on_state(void *user, ltuya_engine_dev_t *ed, ltuya_client_state_t state,
                     ltuya_status_t why)
{
    wdev_t *w = user;
    (void)ed;
    bool up = state == LTUYA_CLIENT_READY;
    if (up && !w->connected && w->ever)
        event_line(w, "reconnected", NULL);
    else if (!up && w->connected)
        event_line(w, "disconnected", ltuya_status_str(why != LTUYA_OK ? why : LTUYA_ERR_CLOSED));
    w->ever |= up;
    w->connected = up;
}

static void got_state(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    wdev_t *w = cookie;
    (void)ed;
    if (r->status == LTUYA_OK && r->dps) {
        show(w, "state", r->dps);
        return;
    }
    if (r->status == LTUYA_ERR_CANCELLED)
        return;
    /* the first read failed: say why; the engine keeps reconnecting */
    fprintf(stderr, "ltuya watch: %s:\n", label(w));
    w->rc = cli_target_fail(&w->t, r->status, "status");
    event_line(w, "disconnected", ltuya_status_str(r->status));
}

static void ignore(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    (void)cookie, (void)ed, (void)r; /* the fresh values come as pushes */
}

static void on_refresh(uv_timer_t *h)
{
    (void)h;
    for (size_t i = 0; i < ndevs; i++)
        if (devs[i].added && devs[i].connected)
            ltuya_engine_refresh(&devs[i].ud.ed, NULL, 0, ignore, NULL);
}

static void stop_all(void)
{
    static bool stopped;
    if (stopped)
        return;
    stopped = true;
    for (size_t i = 0; i < ndevs; i++)
        if (devs[i].added)
            ltuya_uv_remove(&devs[i].ud, NULL);
    uv_close((uv_handle_t *)&refresh_timer, NULL);
    uv_close((uv_handle_t *)&stop_timer, NULL);
    uv_close((uv_handle_t *)&sig_int, NULL);
    uv_close((uv_handle_t *)&sig_term, NULL);
}

static void on_stop_timer(uv_timer_t *h)
{
    (void)h;
    stop_all();
}

static void on_signal(uv_signal_t *h, int sig)
{
    (void)h, (void)sig;
    stop_all();
}

int cli_watch_several(const cli_target_t *tmpl, const cli_watch_opts_t *opts)
{
    char **names;
    int rc = cli_multi_names(opts->all ? NULL : tmpl->name, opts->all, tmpl->devices_file, &names,
                             &ndevs);
    if (rc)
        return rc;
    devs = calloc(ndevs, sizeof *devs);
    if (!devs) {
        cli_multi_names_free(names, ndevs);
        return CLI_EXIT_FAIL;
    }
    ltuya_uv_t u;
    ltuya_uv_init(&u, uv_default_loop());
    size_t added = 0;
    for (size_t i = 0; i < ndevs; i++) {
        wdev_t *w = &devs[i];
        w->t = *tmpl;
        w->t.name = names[i];
        w->t.addresses_only = true;
        if ((w->rc = cli_target_open(&w->t, true)) != 0) {
            fprintf(stderr, "ltuya watch: %s: not watched (above)\n", names[i]);
            continue;
        }
        w->opened = true;
        ltuya_engine_dev_opts_t o = {0};
        o.keep_alive = true;
        o.on_push = on_push;
        o.on_state = on_state;
        o.user = w;
        if (ltuya_uv_add(&u, &w->ud, &w->t.dev, &o) != 0 ||
            ltuya_engine_status(&w->ud.ed, got_state, w) != LTUYA_OK) {
            w->rc = CLI_EXIT_FAIL;
            continue;
        }
        w->added = true;
        added++;
    }
    if (added) {
        uv_timer_init(u.loop, &refresh_timer);
        uv_timer_init(u.loop, &stop_timer);
        uv_signal_init(u.loop, &sig_int);
        uv_signal_init(u.loop, &sig_term);
        uint64_t every = (uint64_t)(opts->interval_s * 1000);
        uv_timer_start(&refresh_timer, on_refresh, every, every);
        if (opts->duration_s > 0)
            uv_timer_start(&stop_timer, on_stop_timer, (uint64_t)(opts->duration_s * 1000), 0);
        uv_signal_start(&sig_int, on_signal, SIGINT);
        uv_signal_start(&sig_term, on_signal, SIGTERM);
        uv_run(u.loop, UV_RUN_DEFAULT);
    }
    rc = 0;
    for (size_t i = 0; i < ndevs; i++) {
        if (devs[i].opened)
            cli_target_close(&devs[i].t);
        if (devs[i].rc)
            rc = rc && rc != devs[i].rc ? CLI_EXIT_FAIL : devs[i].rc;
    }
    uv_loop_close(u.loop);
    free(devs);
    cli_multi_names_free(names, ndevs);
    if (write_failed && !rc)
        rc = CLI_EXIT_FAIL;
    return rc;
}
