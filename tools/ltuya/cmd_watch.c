/* ltuya watch: stay connected, print every push and a live energy line. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "target.h"
#include "util.h"

#define SPARK 24

static cli_target_t t;
static volatile sig_atomic_t stop;
static int32_t history[SPARK];
static size_t nhist;
static double duration_s;

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

static void print_dp_value(const ltuya_dp_t *dp)
{
    if (dp->type == LTUYA_DP_BOOL)
        printf("%s", dp->b ? "true" : "false");
    else if (dp->type == LTUYA_DP_INT)
        printf("%lld", (long long)dp->i);
    else if (dp->type == LTUYA_DP_NULL)
        printf("null");
    else if (dp->type == LTUYA_DP_STR)
        printf("\"%.*s\"", (int)dp->str.len, dp->str.ptr);
    else
        printf("%.*s", (int)dp->str.len, dp->str.ptr);
}

/* Recent power as a sparkline: one block per sample, scaled to the window's max. */
static void sparkline(void)
{
    static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    int32_t max = 1;
    for (size_t i = 0; i < nhist; i++)
        if (history[i] > max)
            max = history[i];
    for (size_t i = 0; i < nhist; i++)
        printf("%s", blocks[(size_t)((int64_t)history[i] * 7 / max)]);
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
        printf("{\"t\":%lld,\"energy\":{\"power\":%.1f,\"voltage\":%.1f,\"current\":%.3f}}\n",
               (long long)time(NULL), e.power_mw / 1000.0, e.voltage_mv / 1000.0,
               e.current_ma / 1000.0);
    } else {
        stamp();
        printf("  %7.1f W  %5.1f V  %6.3f A  ", e.power_mw / 1000.0, e.voltage_mv / 1000.0,
               e.current_ma / 1000.0);
        sparkline();
        printf("\n");
    }
    fflush(stdout);
}

static void show(const ltuya_dps_t *dps, const char *what)
{
    if (t.json) {
        printf("{\"t\":%lld,\"%s\":{", (long long)time(NULL), what);
        for (size_t i = 0; i < dps->count; i++) {
            printf("%s\"%u\":", i ? "," : "", dps->dp[i].id);
            print_dp_value(&dps->dp[i]);
        }
        printf("}}\n");
    } else {
        stamp();
        printf("  %s:", what);
        for (size_t i = 0; i < dps->count; i++) {
            const cli_dp_info_t *info = cli_devices_dp(&t.entry, dps->dp[i].id);
            if (info && info->code[0])
                printf(" %s=", info->code);
            else
                printf(" %u=", dps->dp[i].id);
            print_dp_value(&dps->dp[i]);
        }
        printf("\n");
    }
    fflush(stdout);
}

static void on_push(void *user, const ltuya_dps_t *dps)
{
    (void)user;
    show(dps, "push");
}

int cli_watch_main(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_TARGET_LONGOPTS,
                                             {"interval", required_argument, NULL, 'i'},
                                             {"for", required_argument, NULL, 'f'},
                                             {NULL, 0, NULL, 0}};
    static const char usage_text[] =
        "usage: ltuya watch DEVICE [--interval S] [--for S] [options]\n"
        "\n"
        "Stay connected and print every status push as it comes (a button pressed,\n"
        "the app switching it, ...), and an energy line with a sparkline of recent\n"
        "power. Every --interval seconds (default 5) the energy DPs are refreshed,\n"
        "since plugs only re-measure when asked. Heartbeats keep the connection\n"
        "alive; it reconnects by itself. Ctrl-C stops (or --for S seconds).\n"
        "\n"
        "example:\n"
        "  ltuya watch Kitchen\n";
    double interval = 5;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_TARGET_SHORTOPTS "i:f:", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("%s\n%s", usage_text, cli_target_help);
            return CLI_EXIT_OK;
        } else if (opt == 'i') {
            interval = atof(optarg);
        } else if (opt == 'f') {
            duration_s = atof(optarg);
        } else if (!cli_target_option(&t, opt, optarg)) {
            fprintf(stderr, "%s", usage_text);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc)
        t.name = argv[optind];
    int rc = cli_target_open(&t, true);
    if (rc)
        return rc;
    t.dev.user_push = on_push;
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);

    ltuya_dps_t d;
    ltuya_status_t st = ltuya_device_status(&t.dev, &d);
    if (st != LTUYA_OK) {
        rc = cli_target_fail(&t, st, "status");
        cli_target_close(&t);
        return rc;
    }
    if (!t.json) {
        stamp();
        printf("  connected to %s (protocol %s); Ctrl-C to stop\n", t.dev.client.host,
               ltuya_version_str(t.ver));
    }
    show(&d, "state");
    energy_line();
    const ltuya_clock_t *clk = ltuya_posix_clock();
    uint64_t start = clk->now_ms(NULL);
    while (!stop) {
        uint64_t elapsed = clk->now_ms(NULL) - start;
        if (duration_s > 0 && elapsed >= (uint64_t)(duration_s * 1000))
            break;
        /* wait for pushes in short slices so Ctrl-C is prompt */
        uint64_t until = clk->now_ms(NULL) + (uint64_t)(interval * 1000);
        while (!stop && clk->now_ms(NULL) < until) {
            if (duration_s > 0 && clk->now_ms(NULL) - start >= (uint64_t)(duration_s * 1000))
                break;
            st = ltuya_device_run(&t.dev, 250);
        }
        if (stop)
            break;
        st = ltuya_device_refresh(&t.dev, NULL, 0);
        if (st == LTUYA_OK)
            energy_line();
        else if (!t.json)
            fprintf(stderr, "ltuya watch: %s (reconnecting)\n", ltuya_status_str(st));
    }
    cli_target_close(&t);
    return CLI_EXIT_OK;
}
