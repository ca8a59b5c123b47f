/*
 * ltuya probe: find out how a device wants to be spoken to, the days of
 * trial and error the seed's author spent, in one command. Each finding
 * comes from trying it on the device, never from a table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "target.h"
#include "util.h"

#define MAX_CONN_TRY 4

static cli_target_t t;

typedef struct {
    ltuya_version_t version;
    bool device22;
    bool push_on_connect;
    unsigned connections; /* accepted at once; MAX_CONN_TRY means "at least" */
    int header_on_query;  /* 1 accepted, 0 refused, -1 not tried */
    int control_without_header;
    size_t dps;
} findings_t;

static ltuya_device_opts_t base_opts(ltuya_version_t v)
{
    ltuya_device_opts_t o = {0};
    o.client = t.dev.client.opts; /* host, port, transport, clock, timeouts */
    o.client.dev_id = t.dev.client.dev_id;
    o.client.local_key = t.key ? t.key : t.entry.key;
    o.client.version = v;
    o.client.on_push = NULL; /* the device's own hooks, not ours */
    o.client.on_done = NULL;
    o.client.on_state = NULL;
    o.client.user = NULL;
    o.keep_alive = true;
    return o;
}

/* A fresh device object over a fresh socket, so probes do not share state. */
typedef struct {
    ltuya_posix_tcp_t tcp;
    ltuya_transport_t tr;
    ltuya_device_t dev;
    uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    unsigned pushes;
} probe_conn_t;

static probe_conn_t conns[MAX_CONN_TRY];

static void count_push(void *user, const ltuya_dps_t *d)
{
    (void)d;
    ((probe_conn_t *)user)->pushes++;
}

static ltuya_status_t open_conn(probe_conn_t *c, ltuya_device_opts_t o)
{
    ltuya_posix_tcp_init(&c->tcp, &c->tr);
    o.client.transport = &c->tr;
    o.client.on_push = count_push;
    o.client.user = c;
    c->pushes = 0;
    ltuya_status_t st = ltuya_device_init(&c->dev, &o, c->rx, sizeof c->rx, c->tx, sizeof c->tx);
    return st == LTUYA_OK ? ltuya_device_connect(&c->dev) : st;
}

static void say(const char *what, const char *answer)
{
    if (!t.json)
        printf("  %-34s %s\n", what, answer);
}

int cli_probe_main(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_TARGET_LONGOPTS, {NULL, 0, NULL, 0}};
    static const char usage_text[] =
        "usage: ltuya probe DEVICE [options]\n"
        "\n"
        "Find out how a device wants to be spoken to, by trying: its protocol version\n"
        "(unless -V is given), whether it answers status queries or needs the device22\n"
        "form, whether it pushes its state on connect or must be asked, how many\n"
        "connections it accepts at once, and whether it minds the version header on\n"
        "queries or its absence on writes. Then prints the settings to use. It writes\n"
        "nothing but DP 1's current value back to it.\n"
        "\n"
        "example:\n"
        "  ltuya probe --ip 192.168.1.55 --id bf0123456789abcdefgh --key KEY\n";
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_TARGET_SHORTOPTS, longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("%s\n%s", usage_text, cli_target_help);
            return CLI_EXIT_OK;
        }
        if (!cli_target_option(&t, opt, optarg)) {
            fprintf(stderr, "%s", usage_text);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc)
        t.name = argv[optind];
    bool version_given = t.version != NULL;
    if (t.timeout_s <= 0)
        t.timeout_s = 2; /* a probe tries many things: do not wait 5 s on each */
    int rc = cli_target_open(&t, true);
    if (rc)
        return rc;
    findings_t f = {0};
    f.header_on_query = f.control_without_header = -1;
    if (!t.json)
        printf("probing %s:%u ...\n", t.dev.client.host, t.dev.client.opts.port);

    /* 1. version: the first that answers a status query */
    static const ltuya_version_t order[] = {LTUYA_V33, LTUYA_V34, LTUYA_V35, LTUYA_V31};
    ltuya_status_t st = LTUYA_ERR_NO_REPLY, first_err = LTUYA_OK;
    ltuya_dps_t dps;
    for (size_t i = 0; i < 4; i++) {
        ltuya_version_t v = version_given ? t.ver : order[i];
        probe_conn_t *c = &conns[0];
        st = open_conn(c, base_opts(v));
        if (st == LTUYA_OK)
            st = ltuya_device_status(&c->dev, &dps);
        if (st == LTUYA_OK) {
            f.version = v;
            f.device22 = c->dev.client.session.device22;
            f.dps = dps.count;
        }
        ltuya_device_deinit(&c->dev);
        if (st == LTUYA_OK || version_given)
            break;
        if (first_err == LTUYA_OK)
            first_err = st;
        /* a refused port or a wrong key will not improve with another version */
        if (st == LTUYA_ERR_REFUSED || st == LTUYA_ERR_UNREACHABLE || st == LTUYA_ERR_CONN_LIMIT)
            break;
    }
    if (st != LTUYA_OK) {
        t.ver = version_given ? t.ver : order[0];
        return cli_target_fail(&t, first_err != LTUYA_OK ? first_err : st, "probe");
    }
    char line[128];
    snprintf(line, sizeof line, "%s%s", ltuya_version_str(f.version),
             f.version == LTUYA_V33 ? " (3.2 frames alike)" : "");
    say("protocol version", line);
    say("status query",
        f.device22 ? "refused: needs the device22 form (CONTROL_NEW + nulls)" : "DP_QUERY works");
    snprintf(line, sizeof line, "%zu", f.dps);
    say("data points reported", line);

    /* 2. pushes on connect: connect and listen without asking */
    ltuya_device_opts_t o = base_opts(f.version);
    o.client.device22 = f.device22;
    probe_conn_t *c = &conns[0];
    if (open_conn(c, o) == LTUYA_OK) {
        ltuya_device_run(&c->dev, 1500);
        f.push_on_connect = c->pushes > 0;
    }
    say("state pushed on connect", f.push_on_connect ? "yes" : "no: it must be asked (poll it)");

    /* 3. connections at once: keep opening while holding the earlier ones */
    f.connections = 1;
    for (unsigned k = 1; k < MAX_CONN_TRY; k++) {
        if (open_conn(&conns[k], o) != LTUYA_OK ||
            ltuya_device_status(&conns[k].dev, NULL) != LTUYA_OK)
            break;
        f.connections = k + 1;
    }
    for (unsigned k = 0; k < MAX_CONN_TRY; k++)
        ltuya_device_deinit(&conns[k].dev);
    snprintf(line, sizeof line, "%s%u%s", f.connections == MAX_CONN_TRY ? "at least " : "",
             f.connections,
             f.connections == 1 ? " (close the phone app while ltuya is connected)" : "");
    say("connections accepted at once", line);

    /* 4. header rules: a header on a query, no header on a write of DP 1's own value */
    if (!f.device22 && f.version != LTUYA_V31) {
        uint32_t q = f.version >= LTUYA_V34 ? LTUYA_CMD_DP_QUERY_NEW : LTUYA_CMD_DP_QUERY;
        ltuya_device_opts_t h = o;
        h.client.header_on = (uint64_t)1 << q;
        if (open_conn(c, h) == LTUYA_OK)
            f.header_on_query = ltuya_device_status(&c->dev, &dps) == LTUYA_OK;
        ltuya_device_deinit(&c->dev);
        const ltuya_dp_t *sw = NULL;
        ltuya_device_opts_t w = o;
        uint32_t ctl = f.version >= LTUYA_V34 ? LTUYA_CMD_CONTROL_NEW : LTUYA_CMD_CONTROL;
        w.client.header_off = (uint64_t)1 << ctl;
        if (open_conn(c, w) == LTUYA_OK && ltuya_device_status(&c->dev, &dps) == LTUYA_OK &&
            (sw = ltuya_dps_find(&dps, 1)) && sw->type == LTUYA_DP_BOOL) {
            ltuya_dp_t same = ltuya_dp_bool(1, sw->b);
            f.control_without_header = ltuya_device_set(&c->dev, &same, 1) == LTUYA_OK;
        }
        ltuya_device_deinit(&c->dev);
    }
    say("version header on a status query", f.header_on_query < 0 ? "not tried"
                                            : f.header_on_query   ? "tolerated"
                                                                  : "refused (never send it)");
    say("write without the version header", f.control_without_header < 0 ? "not tried"
                                            : f.control_without_header
                                                ? "accepted"
                                                : "refused (always send it)");

    /* the settings to use */
    char flags[96];
    snprintf(flags, sizeof flags, "--version %s%s", ltuya_version_str(f.version),
             f.device22 ? " --device22" : "");
    if (t.json) {
        printf("{\"version\":\"%s\",\"device22\":%s,\"push_on_connect\":%s,\"connections\":%u,"
               "\"connections_at_least\":%s,\"dps\":%zu,\"header_on_query\":%s,"
               "\"control_without_header\":%s,\"flags\":\"%s\"}\n",
               ltuya_version_str(f.version), f.device22 ? "true" : "false",
               f.push_on_connect ? "true" : "false", f.connections,
               f.connections == MAX_CONN_TRY ? "true" : "false", f.dps,
               f.header_on_query < 0 ? "null"
               : f.header_on_query   ? "true"
                                     : "false",
               f.control_without_header < 0 ? "null"
               : f.control_without_header   ? "true"
                                            : "false",
               flags);
    } else {
        printf("settings to use: %s\n", flags);
        if (!f.push_on_connect)
            printf("  poll it (ltuya get, or watch, which refreshes every 5 s)\n");
    }
    cli_target_close(&t);
    return CLI_EXIT_OK;
}
