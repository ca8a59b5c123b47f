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
#include "typed.h"
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
    o.client.host = t.host;
    o.client.port = (uint16_t)t.rport;
    o.client.dev_id = t.dev_id;
    o.client.local_key = t.key ? t.key : (t.entry.key[0] ? t.entry.key : getenv("LTUYA_KEY"));
    o.client.version = v;
    o.client.reply_timeout_ms = (uint32_t)(t.timeout_s * 1000);
    o.client.clock = ltuya_posix_clock();
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
    ltuya_dp_t watch; /* a value a push should carry (id 0: none) */
    bool watched_seen;
} probe_conn_t;

static probe_conn_t conns[MAX_CONN_TRY];

static void count_push(void *user, const ltuya_dps_t *d)
{
    probe_conn_t *c = user;
    c->pushes++;
    const ltuya_dp_t *v = c->watch.id ? ltuya_dps_find(d, c->watch.id) : NULL;
    if (v && v->type == LTUYA_DP_BOOL && v->b == c->watch.b)
        c->watched_seen = true;
}

static ltuya_status_t open_conn(probe_conn_t *c, ltuya_device_opts_t o)
{
    ltuya_posix_tcp_init(&c->tcp, &c->tr);
    o.client.transport = &c->tr;
    o.client.on_push = count_push;
    o.client.user = c;
    c->pushes = 0;
    c->watch.id = 0;
    c->watched_seen = false;
    ltuya_status_t st = ltuya_device_init(&c->dev, &o, c->rx, sizeof c->rx, c->tx, sizeof c->tx);
    return st == LTUYA_OK ? ltuya_device_connect(&c->dev) : st;
}

static void say(const char *what, const char *answer)
{
    if (!t.json)
        printf("  %-34s %s\n", what, answer);
}

/* What each version did, for the report. */
typedef struct {
    ltuya_version_t version;
    ltuya_status_t read, write;
    bool pushed; /* the write's value came back in a push */
} version_try_t;

static version_try_t tries[4];
static size_t n_tried;

/* Write a boolean DP's own value back (the switch: 1, else 20, else the
 * first boolean) and look for the device to show it. LTUYA_OK, or why not. */
static ltuya_status_t write_test(probe_conn_t *c, const ltuya_dps_t *dps, version_try_t *tr)
{
    const ltuya_dp_t *sw = ltuya_dps_find(dps, 1);
    if (!sw || sw->type != LTUYA_DP_BOOL)
        sw = ltuya_dps_find(dps, 20);
    for (size_t i = 0; (!sw || sw->type != LTUYA_DP_BOOL) && i < dps->count; i++)
        sw = &dps->dp[i];
    if (!sw || sw->type != LTUYA_DP_BOOL)
        return LTUYA_OK; /* nothing safe to write: the read decides */
    ltuya_dp_t same = ltuya_dp_bool(sw->id, sw->b);
    c->watch = same;
    ltuya_status_t st = ltuya_device_set(&c->dev, &same, 1);
    if (st != LTUYA_OK)
        return st;
    const ltuya_clock_t *clk = ltuya_posix_clock();
    uint64_t end = clk->now_ms(NULL) + 1500;
    while (!c->watched_seen && clk->now_ms(NULL) < end)
        if (ltuya_device_run(&c->dev, 50) != LTUYA_OK)
            break;
    tr->pushed = c->watched_seen;
    if (c->watched_seen)
        return LTUYA_OK;
    /* no push: the connection must still answer a read after the write */
    ltuya_dp_t now;
    st = ltuya_device_get(&c->dev, same.id, &now);
    if (st == LTUYA_OK && (now.type != LTUYA_DP_BOOL || now.b != same.b))
        st = LTUYA_ERR_UNEXPECTED;
    return st;
}

static void report_versions(void)
{
    if (t.json)
        return;
    for (size_t i = 0; i < n_tried; i++) {
        const version_try_t *tr = &tries[i];
        char what[160];
        if (tr->read != LTUYA_OK)
            snprintf(what, sizeof what, "rejected: %s", ltuya_status_str(tr->read));
        else if (tr->write != LTUYA_OK)
            snprintf(what, sizeof what, "answered a read, but its write failed: %s",
                     ltuya_status_str(tr->write));
        else
            snprintf(what, sizeof what, "read and write work%s",
                     tr->pushed ? " (the write was confirmed by a push)" : "");
        char label[40];
        snprintf(label, sizeof label, "version %s", ltuya_version_str(tr->version));
        say(label, what);
    }
}

static void json_versions(void)
{
    printf(",\"tried\":[");
    for (size_t i = 0; i < n_tried; i++)
        printf("%s{\"version\":\"%s\",\"read\":\"%s\",\"write\":\"%s\"}", i ? "," : "",
               ltuya_version_str(tries[i].version),
               tries[i].read == LTUYA_OK ? "ok" : ltuya_status_str(tries[i].read),
               tries[i].read != LTUYA_OK    ? "not tried"
               : tries[i].write == LTUYA_OK ? "ok"
                                            : ltuya_status_str(tries[i].write));
    printf("]");
}

int cli_probe_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_TARGET_LONGOPTS,
        {"profiles", required_argument, NULL, CLI_OPT_PROFILES},
        {NULL, 0, NULL, 0}};
    static const char usage_text[] =
        "usage: ltuya probe DEVICE [options]\n"
        "\n"
        "Find out how a device wants to be spoken to, by trying: its protocol version\n"
        "(unless -V is given: each of 3.3, 3.4, 3.5, 3.1 with a status read and a write of\n"
        "a boolean DP's own value; the first whose read and write both work is the\n"
        "one recommended, and what each version did is listed), whether it answers\n"
        "status queries or needs the device22 form, whether it pushes its state on\n"
        "connect or must be asked, how many connections it accepts at once, and\n"
        "whether it minds the version header on queries or its absence on writes.\n"
        "Then prints the settings to use. It writes nothing but a DP's current value\n"
        "back to it. --json: {\"id\",\"name\",\"version\",..,\"flags\",\"tried\":[..]}.\n"
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
        if (opt == CLI_OPT_PROFILES) { /* typed.h */
            cli_profiles_dir = optarg;
            continue;
        }
        int r = cli_target_option(&t, opt, optarg);
        if (r <= 0) {
            if (r == 0)
                fprintf(stderr, "%s", usage_text);
            return CLI_EXIT_USAGE;
        }
    }
    bool version_given = t.version_given;
    int rc = cli_target_positionals(&t, argc, argv, optind, 0, "probe");
    if (rc)
        return rc;
    if (t.timeout_s <= 0)
        t.timeout_s = 2; /* a probe tries many things: do not wait 5 s on each */
    if ((rc = cli_target_open(&t, true)) != 0)
        return rc;
    findings_t f = {0};
    f.header_on_query = f.control_without_header = -1;
    if (!t.json)
        printf("probing %s:%u ...\n", t.host, t.rport);

    /* 1. version: the first whose status query AND write both work */
    static const ltuya_version_t order[] = {LTUYA_V33, LTUYA_V34, LTUYA_V35, LTUYA_V31};
    ltuya_status_t st = LTUYA_ERR_NO_REPLY, first_err = LTUYA_OK;
    ltuya_dps_t dps;
    size_t ntries = version_given ? 1 : 4;
    for (size_t i = 0; i < ntries; i++) {
        ltuya_version_t v = version_given ? t.ver : order[i];
        probe_conn_t *c = &conns[0];
        tries[i].version = v;
        st = open_conn(c, base_opts(v));
        if (st == LTUYA_OK)
            st = ltuya_device_status(&c->dev, &dps);
        tries[i].read = st;
        if (st == LTUYA_OK) {
            f.device22 = ltuya_device_uses_device22(&c->dev);
            f.dps = dps.count;
            st = write_test(c, &dps, &tries[i]);
        }
        tries[i].write = st;
        ltuya_device_deinit(&c->dev);
        n_tried = i + 1;
        if (st == LTUYA_OK) {
            f.version = v;
            break;
        }
        if (first_err == LTUYA_OK || (first_err == LTUYA_ERR_NO_REPLY && tries[i].read == LTUYA_OK))
            first_err = st;
        /* a refused port or a busy device will not improve with another version */
        if (st == LTUYA_ERR_REFUSED || st == LTUYA_ERR_UNREACHABLE || st == LTUYA_ERR_CONN_LIMIT)
            break;
    }
    report_versions();
    if (st != LTUYA_OK) {
        if (!version_given && n_tried == 4)
            fprintf(stderr, "ltuya probe: tried every version (3.3, 3.4, 3.5, 3.1): none both "
                            "answered a status query and took a write\n");
        t.ver = version_given ? t.ver : order[0];
        rc = cli_target_fail(&t, first_err != LTUYA_OK ? first_err : st, "probe");
        cli_target_close(&t);
        return rc;
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

    /* the typed profile: which sources describe the device (typed.h) */
    bool have_profile = f.dps && cli_typed_load(&t, &dps) == 0;
    if (have_profile && !t.json) {
        printf("  ");
        cli_profile_print_sources(stdout, cli_typed_profile(), cli_typed_info());
    }

    /* the settings to use */
    char flags[96];
    snprintf(flags, sizeof flags, "--version %s%s", ltuya_version_str(f.version),
             f.device22 ? " --device22" : "");
    if (t.json) {
        cli_target_json_head(&t);
        printf(",\"version\":\"%s\",\"device22\":%s,\"push_on_connect\":%s,\"connections\":%u,"
               "\"connections_at_least\":%s,\"dps\":%zu,\"header_on_query\":%s,"
               "\"control_without_header\":%s,\"flags\":\"%s\"",
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
        if (have_profile) {
            printf(",\"profile\":");
            cli_profile_json_sources(stdout, cli_typed_profile(), cli_typed_info());
        }
        json_versions();
        printf("}\n");
    } else {
        printf("settings to use: %s\n", flags);
        if (!f.push_on_connect)
            printf("  poll it (ltuya get, or watch, which refreshes every 5 s)\n");
    }
    cli_target_close(&t);
    return CLI_EXIT_OK;
}
