/* ltuya watch: stay connected, print every push and a live energy line. */
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "target.h"
#include "util.h"
#include "value.h"
#include "watch_multi.h"

#define SPARK 24

static cli_target_t t;
static volatile sig_atomic_t stop;
static int32_t history[SPARK];
static size_t nhist;
static bool utf8;
static ltuya_dps_t state; /* large */

/* The state before a disconnect, to show what changed while away. */
typedef struct {
    uint16_t id;
    ltuya_dp_type_t type;
    bool b;
    int64_t i;
    char s[64];
    size_t slen;
} saved_dp_t;
static saved_dp_t saved[LTUYA_CACHE_DPS];
static size_t nsaved;

static void on_sigint(int sig)
{
    (void)sig;
    stop = 1;
}

static void stamp(void)
{
    char buf[16];
    time_t now = time(NULL);
    strftime(buf, sizeof buf, "%H:%M:%S", localtime(&now));
    printf("%s", buf);
}

/* Every JSON line: {"id":..,"name":..,"event":E,"t":T ... */
static void json_head(const char *event)
{
    cli_target_json_head(&t);
    printf(",\"event\":\"%s\",\"t\":%lld", event, (long long)time(NULL));
}

/* Output that cannot be written ends the watch (a closed pipe, a full disk). */
static void flush_or_stop(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        stop = 1;
}

/* Recent power as a sparkline: one block per sample, scaled to the window's
 * max; block characters only where the locale is UTF-8, else ASCII. */
static void sparkline(void)
{
    static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char ascii[] = "_.-:=+*#";
    int32_t max = 1;
    for (size_t i = 0; i < nhist; i++)
        if (history[i] > max)
            max = history[i];
    for (size_t i = 0; i < nhist; i++) {
        size_t level = (size_t)((int64_t)(history[i] > 0 ? history[i] : 0) * 7 / max);
        if (utf8)
            printf("%s", blocks[level]);
        else
            putchar(ascii[level]);
    }
}

static void energy_line(void)
{
    ltuya_energy_t e;
    ltuya_device_energy_cached(&t.dev, &e);
    if (!e.has_power)
        return;
    if (nhist == SPARK) {
        memmove(history, history + 1, sizeof history - sizeof history[0]);
        nhist--;
    }
    history[nhist++] = e.power_mw;
    if (t.json) {
        json_head("energy");
        printf(",\"energy\":{\"power\":%.1f,\"voltage\":%.1f,\"current\":%.3f}}\n",
               e.power_mw / 1000.0, e.voltage_mv / 1000.0, e.current_ma / 1000.0);
    } else {
        stamp();
        printf("  %7.1f W  %5.1f V  %6.3f A  ", e.power_mw / 1000.0, e.voltage_mv / 1000.0,
               e.current_ma / 1000.0);
        sparkline();
        printf("\n");
    }
    flush_or_stop();
}

static void show(const ltuya_dp_t *dp, size_t n, const char *event)
{
    if (t.json) {
        json_head(event);
        printf(",\"dps\":{");
        for (size_t i = 0; i < n; i++) {
            printf("%s\"%u\":", i ? "," : "", dp[i].id);
            cli_value_print(stdout, &dp[i]);
        }
        printf("}}\n");
    } else {
        stamp();
        printf("  %s:", event);
        for (size_t i = 0; i < n; i++) {
            const cli_dp_info_t *info = cli_devices_dp(&t.entry, dp[i].id);
            if (info && info->code[0])
                printf(" %s=", info->code);
            else
                printf(" %u=", dp[i].id);
            cli_value_print(stdout, &dp[i]);
        }
        if (!n)
            printf(" (nothing)");
        printf("\n");
    }
    flush_or_stop();
}

static void on_push(void *user, const ltuya_dps_t *dps)
{
    (void)user;
    show(dps->dp, dps->count, "push");
}

static void save_state(void)
{
    ltuya_dp_t v;
    nsaved = 0;
    for (size_t i = 0; nsaved < LTUYA_CACHE_DPS && ltuya_device_cache_at(&t.dev, i, &v); i++) {
        saved_dp_t *s = &saved[nsaved++];
        memset(s, 0, sizeof *s);
        s->id = v.id;
        s->type = v.type;
        s->b = v.b;
        s->i = v.i;
        if (v.type == LTUYA_DP_STR || v.type == LTUYA_DP_RAW) {
            s->slen = v.str.len < sizeof s->s ? v.str.len : sizeof s->s;
            memcpy(s->s, v.str.ptr, s->slen);
        }
    }
}

static bool unchanged(const ltuya_dp_t *v)
{
    for (size_t i = 0; i < nsaved; i++) {
        const saved_dp_t *s = &saved[i];
        if (s->id != v->id)
            continue;
        if (s->type != v->type)
            return false;
        if (v->type == LTUYA_DP_BOOL)
            return s->b == v->b;
        if (v->type == LTUYA_DP_INT)
            return s->i == v->i;
        if (v->type == LTUYA_DP_STR || v->type == LTUYA_DP_RAW)
            return s->slen == v->str.len && !memcmp(s->s, v->str.ptr, s->slen);
        return true;
    }
    return false;
}

static void event_line(const char *event, const char *why)
{
    if (t.json) {
        json_head(event);
        if (why) {
            printf(",\"error\":");
            cli_json_string(stdout, why, strlen(why));
        }
        printf("}\n");
    } else {
        stamp();
        printf("  %s%s%s\n", event, why ? ": " : "", why ? why : "");
    }
    flush_or_stop();
}

/* Back after a disconnect: read the state again and print what changed. */
static void catch_up(void)
{
    event_line("reconnected", NULL);
    if (ltuya_device_status(&t.dev, &state) != LTUYA_OK)
        return;
    ltuya_dp_t changed[LTUYA_MAX_DPS];
    size_t n = 0;
    for (size_t i = 0; i < state.count; i++)
        if (!unchanged(&state.dp[i]))
            changed[n++] = state.dp[i];
    show(changed, n, "changed");
}

int cli_watch_main(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_TARGET_LONGOPTS,
                                             {"interval", required_argument, NULL, 'i'},
                                             {"for", required_argument, NULL, 'f'},
                                             {"all", no_argument, NULL, 1201},
                                             {NULL, 0, NULL, 0}};
    static const char usage_text[] =
        "usage: ltuya watch DEVICE[,DEVICE...] | --all [--interval S] [--for S] [options]\n"
        "\n"
        "Stay connected and print every status push as it comes (a button pressed,\n"
        "the app switching it, ...), and an energy line with a sparkline of recent\n"
        "power. Every --interval seconds (0.5 .. 3600, default 5) the energy DPs are\n"
        "refreshed, since plugs only re-measure when asked. Heartbeats keep the\n"
        "connection alive; when it drops, watch says so, reconnects by itself and\n"
        "prints what changed while it was away. Ctrl-C stops (or --for S seconds).\n"
        "--json: one object per line, {\"id\",\"name\",\"event\",\"t\",...}: event \"state\",\n"
        "\"push\", \"changed\" with \"dps\"; \"energy\" with \"energy\"; \"disconnected\"\n"
        "with \"error\"; \"reconnected\".\n"
        "Several devices (a comma-separated list, or --all for every device of\n"
        "devices.json): their events interleave, each line naming its device\n"
        "(\"name\" in JSON); no energy line or catch-up there (pushes only).\n"
        "\n"
        "examples:\n"
        "  ltuya watch Kitchen\n"
        "  ltuya watch --all --json\n";
    double interval = 5, duration_s = 0;
    bool all = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_TARGET_SHORTOPTS "i:f:", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("%s\n%s", usage_text, cli_target_help);
            return CLI_EXIT_OK;
        } else if (opt == 'i') {
            /* a floor: every interval costs the device a refresh */
            if (!cli_arg_seconds(optarg, 0.5, 3600, "--interval", &interval))
                return CLI_EXIT_USAGE;
        } else if (opt == 1201) {
            all = true;
        } else if (opt == 'f') {
            if (!cli_arg_seconds(optarg, 0.1, 1e7, "--for", &duration_s))
                return CLI_EXIT_USAGE;
        } else {
            int r = cli_target_option(&t, opt, optarg);
            if (r <= 0) {
                if (r == 0)
                    fprintf(stderr, "%s", usage_text);
                return CLI_EXIT_USAGE;
            }
        }
    }
    if (all && (t.ip || optind < argc)) {
        fprintf(stderr, "ltuya watch: --all takes every device of devices.json: give no DEVICE "
                        "or --ip\n");
        return CLI_EXIT_USAGE;
    }
    int rc = all ? 0 : cli_target_positionals(&t, argc, argv, optind, 0, "watch");
    if (!rc && (all || (t.name && strchr(t.name, ',')))) {
        cli_watch_opts_t o = {all, interval, duration_s};
        return cli_watch_several(&t, &o);
    }
    if (rc || (rc = cli_target_open(&t, true)))
        return rc;
    const char *cs = setlocale(LC_CTYPE, "") ? nl_langinfo(CODESET) : "";
    utf8 = !strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8");
    t.on_push = on_push;
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);

    ltuya_status_t st = ltuya_device_status(&t.dev, &state);
    if (st != LTUYA_OK) {
        rc = cli_target_fail(&t, st, "status");
        cli_target_close(&t);
        return rc;
    }
    if (!t.json) {
        stamp();
        printf("  connected to %s (protocol %s); Ctrl-C to stop\n", t.host,
               ltuya_version_str(t.ver));
    }
    show(state.dp, state.count, "state");
    energy_line();
    const ltuya_clock_t *clk = ltuya_posix_clock();
    uint64_t start = clk->now_ms(NULL);
    bool was_connected = true;
    while (!stop) {
        if (duration_s > 0 && clk->now_ms(NULL) - start >= (uint64_t)(duration_s * 1000))
            break;
        /* wait for pushes in short slices so Ctrl-C is prompt */
        uint64_t until = clk->now_ms(NULL) + (uint64_t)(interval * 1000);
        while (!stop && clk->now_ms(NULL) < until) {
            if (duration_s > 0 && clk->now_ms(NULL) - start >= (uint64_t)(duration_s * 1000))
                break;
            if (was_connected)
                save_state();
            st = ltuya_device_run(&t.dev, 250);
            bool connected = ltuya_device_is_connected(&t.dev);
            if (was_connected && !connected)
                event_line("disconnected",
                           ltuya_status_str(st != LTUYA_OK ? st : LTUYA_ERR_CLOSED));
            else if (!was_connected && connected)
                catch_up();
            was_connected = connected;
        }
        if (stop || !was_connected)
            continue;
        st = ltuya_device_refresh(&t.dev, NULL, 0);
        if (st == LTUYA_OK)
            energy_line();
    }
    cli_target_close(&t);
    return CLI_EXIT_OK;
}
