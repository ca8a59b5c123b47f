/* ltuya get, set, on, off, toggle, refresh: one request each, then exit. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "target.h"
#include "util.h"

#define MAX_ARGS 32

typedef struct {
    cli_target_t t;
    const char *pos[MAX_ARGS]; /* positionals after DEVICE */
    int npos;
    unsigned dp; /* --dp for on/off/toggle */
} cmd_t;

static cmd_t cmd; /* large (buffers): static, one command per process */

/* Parse the shared options; the first positional without '=' is DEVICE. */
static int parse(int argc, char **argv, const char *usage_text, bool takes_dp)
{
    static const struct option longopts[] = {
        CLI_TARGET_LONGOPTS, {"dp", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_TARGET_SHORTOPTS "d:", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("%s\n%s", usage_text, cli_target_help);
            exit(CLI_EXIT_OK);
        }
        if (opt == 'd' && takes_dp) {
            cmd.dp = (unsigned)atoi(optarg);
            continue;
        }
        if (!cli_target_option(&cmd.t, opt, optarg)) {
            fprintf(stderr, "%s\n", usage_text);
            return CLI_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (!cmd.t.name && !cmd.t.ip && !strchr(argv[i], '='))
            cmd.t.name = argv[i];
        else if (cmd.npos < MAX_ARGS)
            cmd.pos[cmd.npos++] = argv[i];
    }
    return CLI_EXIT_OK;
}

/* ---- output -------------------------------------------------------------- */

static void print_value(FILE *f, const ltuya_dp_t *dp)
{
    switch (dp->type) {
    case LTUYA_DP_BOOL:
        fputs(dp->b ? "true" : "false", f);
        break;
    case LTUYA_DP_INT:
        fprintf(f, "%lld", (long long)dp->i);
        break;
    case LTUYA_DP_STR:
        fprintf(f, "\"%.*s\"", (int)dp->str.len, dp->str.ptr);
        break;
    case LTUYA_DP_RAW:
        fprintf(f, "%.*s", (int)dp->str.len, dp->str.ptr);
        break;
    default:
        fputs("null", f);
    }
}

static void print_milli(FILE *f, int32_t v, int decimals)
{
    /* milli-units to a decimal string without floating point */
    const char *sign = v < 0 ? "-" : "";
    long a = v < 0 ? -(long)v : v;
    if (decimals == 1)
        fprintf(f, "%s%ld.%ld", sign, a / 1000, (a % 1000) / 100);
    else
        fprintf(f, "%s%ld.%03ld", sign, a / 1000, a % 1000);
}

static void print_energy_human(const ltuya_energy_t *e)
{
    printf("energy:");
    if (e->has_voltage) {
        printf("  ");
        print_milli(stdout, e->voltage_mv, 1);
        printf(" V");
    }
    if (e->has_current) {
        printf("  ");
        print_milli(stdout, e->current_ma, 3);
        printf(" A");
    }
    if (e->has_power) {
        printf("  ");
        print_milli(stdout, e->power_mw, 1);
        printf(" W");
    }
    printf("\n");
}

static void print_status(const ltuya_dps_t *d)
{
    cli_target_t *t = &cmd.t;
    ltuya_energy_t e;
    ltuya_energy_from_dps(&t->dev.energy, d, &e);
    bool energy = e.has_voltage || e.has_current || e.has_power;
    if (t->json) {
        printf("{\"id\":");
        cli_json_string(stdout, t->dev.client.dev_id, strlen(t->dev.client.dev_id));
        if (t->entry.name[0]) {
            printf(",\"name\":");
            cli_json_string(stdout, t->entry.name, strlen(t->entry.name));
        }
        printf(",\"version\":\"%s\",\"dps\":{", ltuya_version_str(t->ver));
        for (size_t i = 0; i < d->count; i++) {
            printf("%s\"%u\":", i ? "," : "", d->dp[i].id);
            print_value(stdout, &d->dp[i]);
        }
        printf("}");
        if (energy) {
            printf(",\"energy\":{");
            const char *sep = "";
            if (e.has_voltage) {
                printf("\"voltage\":");
                print_milli(stdout, e.voltage_mv, 1);
                sep = ",";
            }
            if (e.has_current) {
                printf("%s\"current\":", sep);
                print_milli(stdout, e.current_ma, 3);
                sep = ",";
            }
            if (e.has_power) {
                printf("%s\"power\":", sep);
                print_milli(stdout, e.power_mw, 1);
            }
            printf("}");
        }
        printf("}\n");
        return;
    }
    printf("%s%s%s (%s, protocol %s)\n", t->entry.name[0] ? t->entry.name : "",
           t->entry.name[0] ? " " : "", t->dev.client.dev_id, t->dev.client.host,
           ltuya_version_str(t->ver));
    for (size_t i = 0; i < d->count; i++) {
        const cli_dp_info_t *info = cli_devices_dp(&t->entry, d->dp[i].id);
        printf("  %3u  %-18s ", d->dp[i].id, info && info->code[0] ? info->code : "");
        print_value(stdout, &d->dp[i]);
        if (info && info->unit[0] && info->scale)
            printf("  (%s x 10^-%u)", info->unit, info->scale);
        else if (info && info->unit[0])
            printf("  (%s)", info->unit);
        printf("\n");
    }
    if (energy)
        print_energy_human(&e);
}

/* ---- commands ------------------------------------------------------------- */

static int open_target(void)
{
    return cli_target_open(&cmd.t, false);
}

int cli_get_main(int argc, char **argv)
{
    int rc = parse(argc, argv,
                   "usage: ltuya get DEVICE [DP ...] [options]\n"
                   "\n"
                   "Read the device's data points: switch state, energy (V, A, W), settings.\n"
                   "With DP numbers, print just those values.\n"
                   "\n"
                   "examples:\n"
                   "  ltuya get Kitchen\n"
                   "  ltuya get --ip 192.168.1.55 --id bf0123456789abcdefgh --key KEY -V 3.3\n"
                   "  ltuya get Kitchen 1 --json\n",
                   false);
    if (rc || (rc = open_target()))
        return rc;
    ltuya_dps_t d;
    ltuya_status_t st = ltuya_device_status(&cmd.t.dev, &d);
    if (st != LTUYA_OK) {
        rc = cli_target_fail(&cmd.t, st, "status");
        cli_target_close(&cmd.t);
        return rc;
    }
    if (cmd.npos) {
        for (int i = 0; i < cmd.npos; i++) {
            const ltuya_dp_t *v = ltuya_dps_find(&d, (uint16_t)atoi(cmd.pos[i]));
            if (!v) {
                fprintf(stderr, "ltuya: the device has no DP %s\n", cmd.pos[i]);
                rc = CLI_EXIT_FAIL;
                continue;
            }
            print_value(stdout, v);
            printf("\n");
        }
    } else {
        print_status(&d);
    }
    cli_target_close(&cmd.t);
    return rc;
}

/* "1=true", "9=300", "38=memory", "switch_1=false" (a code from the mapping) */
static bool parse_assignment(const char *s, ltuya_dp_t *out)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s)
        return false;
    char name[40];
    size_t nl = (size_t)(eq - s) < sizeof name - 1 ? (size_t)(eq - s) : sizeof name - 1;
    memcpy(name, s, nl);
    name[nl] = 0;
    char *end;
    long id = strtol(name, &end, 10);
    if (*end) {
        id = 0;
        for (size_t i = 0; i < cmd.t.entry.map_count; i++)
            if (!strcmp(cmd.t.entry.map[i].code, name))
                id = cmd.t.entry.map[i].dp;
    }
    if (id <= 0 || id > 65535) {
        fprintf(stderr, "ltuya: '%s' is not a DP number%s\n", name,
                cmd.t.entry.map_count ? " or a code from the device's mapping" : "");
        return false;
    }
    const char *v = eq + 1;
    long long iv = strtoll(v, &end, 10);
    if (!strcmp(v, "true") || !strcmp(v, "false"))
        *out = ltuya_dp_bool((uint16_t)id, v[0] == 't');
    else if (*v && !*end)
        *out = ltuya_dp_int((uint16_t)id, iv);
    else if (v[0] == '"' && strlen(v) >= 2 && v[strlen(v) - 1] == '"')
        *out = ltuya_dp_str((uint16_t)id, v + 1, strlen(v) - 2);
    else
        *out = ltuya_dp_str((uint16_t)id, v, strlen(v));
    return true;
}

int cli_set_main(int argc, char **argv)
{
    int rc = parse(argc, argv,
                   "usage: ltuya set DEVICE DP=VALUE ... [options]\n"
                   "\n"
                   "Write data points. Values: true / false, integers, anything else is a\n"
                   "string (quote it to keep digits as a string: 38='\"1\"'). DP may be a code\n"
                   "from the device's mapping in devices.json (switch_1=true).\n"
                   "\n"
                   "examples:\n"
                   "  ltuya set Kitchen 1=false\n"
                   "  ltuya set Kitchen 9=3600 38=memory\n",
                   false);
    if (rc || (rc = open_target()))
        return rc;
    ltuya_dp_t dps[MAX_ARGS];
    if (!cmd.npos) {
        fprintf(stderr, "ltuya set: nothing to set (give DP=VALUE)\n");
        return CLI_EXIT_USAGE;
    }
    for (int i = 0; i < cmd.npos; i++)
        if (!parse_assignment(cmd.pos[i], &dps[i]))
            return CLI_EXIT_USAGE;
    ltuya_status_t st = ltuya_device_set(&cmd.t.dev, dps, (size_t)cmd.npos);
    if (st != LTUYA_OK) {
        rc = cli_target_fail(&cmd.t, st, "set");
    } else if (cmd.t.json) {
        printf("{\"ok\":true}\n");
    } else {
        printf("ok\n");
    }
    cli_target_close(&cmd.t);
    return rc;
}

/* on / off / toggle share everything but the verb (argv[0]). */
int cli_switch_main(int argc, char **argv)
{
    const char *verb = argv[0];
    char usage_text[512];
    snprintf(usage_text, sizeof usage_text,
             "usage: ltuya %s DEVICE [--dp N] [options]\n"
             "\n"
             "Switch the relay %s (DP 1, or the switch in devices.json's mapping;\n"
             "--dp N for another gang).\n"
             "\n"
             "example:\n"
             "  ltuya %s Kitchen\n",
             verb, !strcmp(verb, "toggle") ? "over" : verb, verb);
    int rc = parse(argc, argv, usage_text, true);
    if (rc || (rc = open_target()))
        return rc;
    uint16_t dp = (uint16_t)cmd.dp;
    if (!dp) {
        dp = 1;
        for (size_t i = 0; i < cmd.t.entry.map_count; i++)
            if (!strcmp(cmd.t.entry.map[i].code, "switch_1") ||
                !strcmp(cmd.t.entry.map[i].code, "switch_led") ||
                !strcmp(cmd.t.entry.map[i].code, "switch"))
                dp = cmd.t.entry.map[i].dp;
    }
    ltuya_status_t st;
    bool on = !strcmp(verb, "on");
    if (!strcmp(verb, "toggle"))
        st = ltuya_device_toggle(&cmd.t.dev, dp, &on);
    else
        st = on ? ltuya_device_on(&cmd.t.dev, dp) : ltuya_device_off(&cmd.t.dev, dp);
    if (st != LTUYA_OK)
        rc = cli_target_fail(&cmd.t, st, verb);
    else if (cmd.t.json)
        printf("{\"ok\":true,\"dp\":%u,\"on\":%s}\n", dp, on ? "true" : "false");
    else
        printf("%s\n", on ? "on" : "off");
    cli_target_close(&cmd.t);
    return rc;
}

int cli_refresh_main(int argc, char **argv)
{
    int rc = parse(argc, argv,
                   "usage: ltuya refresh DEVICE [DP ...] [options]\n"
                   "\n"
                   "Ask the device to re-measure DPs (UPDATEDPS): energy plugs often report\n"
                   "stale values until asked. Default: the energy DPs. Prints the fresh state.\n"
                   "\n"
                   "example:\n"
                   "  ltuya refresh Kitchen 18 19 20\n",
                   false);
    if (rc || (rc = open_target()))
        return rc;
    uint16_t ids[MAX_ARGS];
    size_t n = 0;
    for (int i = 0; i < cmd.npos; i++)
        ids[n++] = (uint16_t)atoi(cmd.pos[i]);
    if (!n) {
        static const uint16_t energy[] = {18, 19, 20};
        const ltuya_energy_map_t *m = &cmd.t.dev.energy;
        const uint16_t *src = energy;
        uint16_t mapped[3] = {m->current_dp, m->power_dp, m->voltage_dp};
        if (m->power_dp)
            src = mapped;
        memcpy(ids, src, sizeof mapped);
        n = 3;
    }
    cmd.t.dev.keep_alive = true; /* refresh, then read on the same connection */
    ltuya_status_t st = ltuya_device_refresh(&cmd.t.dev, ids, n);
    ltuya_dps_t d;
    if (st == LTUYA_OK)
        st = ltuya_device_status(&cmd.t.dev, &d);
    if (st != LTUYA_OK)
        rc = cli_target_fail(&cmd.t, st, "refresh");
    else
        print_status(&d);
    cli_target_close(&cmd.t);
    return rc;
}
