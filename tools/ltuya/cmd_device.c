/* ltuya get, set, on, off, toggle, refresh: one request each, then exit. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "confirm.h"
#include "multi.h"
#include "target.h"
#include "typed.h"
#include "util.h"
#include "value.h"

typedef struct {
    cli_target_t t;
    unsigned dp;   /* --dp for on/off/toggle, 0 if not given */
    bool raw;      /* --raw: values as the device sends them, no profile */
    bool all;      /* --all: every device in devices.json */
    unsigned jobs; /* --jobs: devices at once (several devices) */
    /* several devices (multi.h): this device's state */
    const char *verb;
    ltuya_dp_t want[CLI_MAX_POS];
    size_t nwant;
    char (*text)[LTUYA_MAX_FRAME];
    const char *why;
    char *snap; /* snapshot: this device's JSON object */
    size_t snap_len;
} cmd_t;

/* The command being worked on. One device: the static one. Several: each
 * device has its own, and `cur` points at the one whose callback runs (the
 * helpers below read `cmd`). */
static cmd_t cmd_one; /* large (buffers): static */
static cmd_t *cur = &cmd_one;
#define cmd (*cur)
static ltuya_dps_t status_now; /* large too */
static bool multi_json;        /* several devices: JSON lines carry "error" */

static const char several_help[] =
    "several devices (docs/cli.md):\n"
    "  DEVICE,DEVICE...     a comma-separated list of names or ids, run concurrently\n"
    "      --all            every device of devices.json\n"
    "      --jobs N         devices in progress at once, 1 .. 1024 (default 64)\n"
    "  one block (or --json line, with \"error\") per device; exit status: the failed\n"
    "  devices' shared code, else 1; stderr names each failed device\n";

/* Parse the shared options and the positionals (DEVICE, then up to max_extra). */
static int parse(int argc, char **argv, const char *usage_text, bool takes_dp, int max_extra)
{
    static const struct option longopts[] = {CLI_TARGET_LONGOPTS,
                                             {"dp", required_argument, NULL, 'd'},
                                             {"all", no_argument, NULL, 1201},
                                             {"jobs", required_argument, NULL, 1202},
                                             CLI_TYPED_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    int opt;
    unsigned long n;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_TARGET_SHORTOPTS "d:", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("%s\n%s%s%s", usage_text, cli_target_help, cli_typed_help, several_help);
            if (fflush(stdout) == 0 && !ferror(stdout))
                exit(CLI_EXIT_OK);
            fprintf(stderr, "ltuya: cannot write the output: %s\n", strerror(errno));
            exit(CLI_EXIT_FAIL);
        }
        if (opt == 1201) {
            cmd.all = true;
            continue;
        }
        if (opt == 1202) {
            if (!cli_arg_uint(optarg, 1, 1024, "--jobs", &n))
                return CLI_EXIT_USAGE;
            cmd.jobs = (unsigned)n;
            continue;
        }
        if (opt == 'd' && takes_dp) {
            if (!cli_arg_uint(optarg, 1, 65535, "--dp", &n))
                return CLI_EXIT_USAGE;
            cmd.dp = (unsigned)n;
            continue;
        }
        if (opt == CLI_OPT_RAW || opt == CLI_OPT_PROFILES) { /* typed.h */
            cmd.raw |= opt == CLI_OPT_RAW;
            if (opt == CLI_OPT_PROFILES)
                cli_profiles_dir = optarg;
            continue;
        }
        int r = cli_target_option(&cmd.t, opt, optarg);
        if (r <= 0) {
            if (r == 0)
                fprintf(stderr, "%s", usage_text);
            return CLI_EXIT_USAGE;
        }
    }
    if (cmd.all && cmd.t.ip) {
        fprintf(stderr, "ltuya %s: --all takes the devices from devices.json, not --ip\n", argv[0]);
        return CLI_EXIT_USAGE;
    }
    /* --all: no DEVICE positional, every one is a DP or an assignment (the
     * positionals are taken as after --ip, which names no DEVICE either) */
    if (cmd.all)
        cmd.t.ip = "";
    int rc = cli_target_positionals(&cmd.t, argc, argv, optind, max_extra, argv[0]);
    if (cmd.all)
        cmd.t.ip = NULL;
    return rc;
}

static int run_several(const char *verb);

static bool several(void)
{
    return cmd.all || (cmd.t.name && strchr(cmd.t.name, ','));
}

/* A DP named by number ("18") or by its code in the mapping ("cur_power"). */
static bool dp_by_name(const char *name, size_t len, uint16_t *id)
{
    char buf[40];
    if (len == 0 || len >= sizeof buf)
        goto bad;
    memcpy(buf, name, len);
    buf[len] = 0;
    bool digits = true;
    for (size_t i = 0; i < len; i++)
        digits &= buf[i] >= '0' && buf[i] <= '9';
    if (digits) {
        long v = len <= 5 ? strtol(buf, NULL, 10) : 0;
        if (v >= 1 && v <= 65535) {
            *id = (uint16_t)v;
            return true;
        }
        goto bad;
    }
    for (size_t i = 0; i < cmd.t.entry.map_count; i++)
        if (!strcmp(cmd.t.entry.map[i].code, buf)) {
            *id = cmd.t.entry.map[i].dp;
            return true;
        }
    if (cli_typed_code(buf, len, id)) /* a code of the device's profile */
        return true;
bad:
    fprintf(stderr, "ltuya: '%.*s' is not a DP number (1 .. 65535)%s\n", (int)len, name,
            cmd.t.entry.map_count ? " or a code from the device's mapping" : "");
    return false;
}

/* ---- output -------------------------------------------------------------- */

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

static void print_dps_json(const ltuya_dp_t *dp, size_t n)
{
    printf(",\"dps\":{");
    for (size_t i = 0; i < n; i++) {
        printf("%s\"%u\":", i ? "," : "", dp[i].id);
        cli_value_print(stdout, &dp[i]);
    }
    printf("}");
}

static void print_status(const ltuya_dps_t *d)
{
    cli_target_t *t = &cmd.t;
    ltuya_energy_t e;
    ltuya_energy_from_dps(&t->energy, d, &e);
    bool energy = e.has_voltage || e.has_current || e.has_power;
    if (t->json) {
        cli_target_json_head(t);
        printf(",\"version\":\"%s\"", ltuya_version_str(t->ver));
        print_dps_json(d->dp, d->count);
        if (!cmd.raw)
            cli_typed_print_json(d);
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
        printf("%s}\n", multi_json ? ",\"error\":null" : "");
        return;
    }
    printf("%s%s%s (%s, protocol %s)\n", t->entry.name[0] ? t->entry.name : "",
           t->entry.name[0] ? " " : "", t->dev_id, t->host, ltuya_version_str(t->ver));
    if (t->verbose && !cmd.raw)
        cli_profile_print_sources(stdout, cli_typed_profile(), cli_typed_info());
    if (!cmd.raw) {
        cli_typed_print_human(d, false);
        if (energy)
            print_energy_human(&e);
        return;
    }
    for (size_t i = 0; i < d->count; i++) {
        const cli_dp_info_t *info = cli_devices_dp(&t->entry, d->dp[i].id);
        printf("  %3u  %-18s ", d->dp[i].id, info && info->code[0] ? info->code : "");
        cli_value_print(stdout, &d->dp[i]);
        if (info && info->unit[0] && info->scale)
            printf("  (%s x 10^-%u)", info->unit, info->scale);
        else if (info && info->unit[0])
            printf("  (%s)", info->unit);
        printf("\n");
    }
    if (energy)
        print_energy_human(&e);
}

/* The answer of a confirmed write: {"id":..,"name":..,"ok":true,"dps":{..}} */
static void print_written(const ltuya_dp_t *dps, size_t n)
{
    cli_target_json_head(&cmd.t);
    printf(",\"ok\":true");
    print_dps_json(dps, n);
    printf("%s}\n", multi_json ? ",\"error\":null" : "");
}

/* ---- commands ------------------------------------------------------------- */

/* Open (one connection for everything the command does) and read the state. */
static int open_and_read(const char *what)
{
    int rc = cli_target_open(&cmd.t, true);
    if (rc)
        return rc;
    ltuya_status_t st = ltuya_device_status(&cmd.t.dev, &status_now);
    if (st != LTUYA_OK) {
        rc = cli_target_fail(&cmd.t, st, what);
        cli_target_close(&cmd.t);
    }
    return rc;
}

int cli_get_main(int argc, char **argv)
{
    int rc = parse(argc, argv,
                   "usage: ltuya get DEVICE [DP ...] [options]\n"
                   "\n"
                   "Read the device's data points: switch state, energy (V, A, W), settings.\n"
                   "With DPs (numbers, or codes from devices.json's mapping), just those.\n"
                   "--json: {\"id\",\"name\",\"version\",\"dps\":{..},\"energy\":{..}}; with DPs\n"
                   "{\"id\",\"name\",\"dps\":{..}}.\n"
                   "\n"
                   "examples:\n"
                   "  ltuya get Kitchen\n"
                   "  ltuya get --ip 192.168.1.55 --id bf0123456789abcdefgh --key KEY -V 3.3\n"
                   "  ltuya get Kitchen 1 switch_1 --json\n"
                   "  ltuya get --all --json         (several devices: docs/cli.md)\n",
                   false, CLI_MAX_POS);
    if (rc)
        return rc;
    if (several() && cmd.t.npos) {
        fprintf(stderr, "ltuya get: with several devices get reads every DP (give no DP)\n");
        return CLI_EXIT_USAGE;
    }
    if (several())
        return run_several("get");
    uint16_t ids[CLI_MAX_POS];
    int rc_open = cli_target_open(&cmd.t, false);                  /* the mapping names the codes */
    if (!rc_open && (rc_open = cli_typed_load(&cmd.t, NULL)) != 0) /* and the profile's */
        cli_target_close(&cmd.t);
    if (rc_open)
        return rc_open;
    for (int i = 0; i < cmd.t.npos; i++)
        if (!dp_by_name(cmd.t.pos[i], strlen(cmd.t.pos[i]), &ids[i])) {
            cli_target_close(&cmd.t);
            return CLI_EXIT_USAGE;
        }
    ltuya_status_t st = ltuya_device_status(&cmd.t.dev, &status_now);
    if (st != LTUYA_OK) {
        rc = cli_target_fail(&cmd.t, st, "status");
        cli_target_close(&cmd.t);
        return rc;
    }
    if ((rc = cli_typed_load(&cmd.t, &status_now)) != 0) { /* now with the DP set */
        cli_target_close(&cmd.t);
        return rc;
    }
    if (!cmd.t.npos) {
        print_status(&status_now);
        cli_target_close(&cmd.t);
        return rc;
    }
    ltuya_dp_t found[CLI_MAX_POS];
    size_t nfound = 0;
    for (int i = 0; i < cmd.t.npos; i++) {
        const ltuya_dp_t *v = ltuya_dps_find(&status_now, ids[i]);
        if (!v) {
            fprintf(stderr, "ltuya: the device has no DP %u ('ltuya get' lists them)\n", ids[i]);
            rc = CLI_EXIT_FAIL;
            continue;
        }
        found[nfound++] = *v;
    }
    if (cmd.t.json) {
        cli_target_json_head(&cmd.t);
        print_dps_json(found, nfound);
        if (!cmd.raw) {
            ltuya_dps_t *sel = &status_now; /* the selected DPs only */
            memcpy(sel->dp, found, nfound * sizeof found[0]);
            sel->count = nfound;
            cli_typed_print_json(sel);
        }
        printf("}\n");
    } else {
        for (size_t i = 0; i < nfound; i++) {
            const ltuya_pdp_t *p = ltuya_profile_find(cli_typed_profile(), found[i].id);
            if (cmd.raw || !p || p->type == LTUYA_VT_UNKNOWN)
                cli_value_print(stdout, &found[i]);
            else
                cli_typed_value_human(stdout, p, &found[i]);
            printf("\n");
        }
    }
    cli_target_close(&cmd.t);
    return rc;
}

/* "1=true", "9=300", "38=memory", "switch_1=false" (a code from the mapping) */
static bool parse_assignment(const char *s, ltuya_dp_t *out, char *buf, size_t cap)
{
    const char *eq = strchr(s, '=');
    if (!eq) {
        fprintf(stderr, "ltuya set: '%s' is not DP=VALUE (e.g. 1=true, 9=300, 38=memory)\n", s);
        return false;
    }
    uint16_t id;
    if (!dp_by_name(s, (size_t)(eq - s), &id))
        return false;
    int typed = cmd.raw ? 0 : cli_typed_assignment(id, eq + 1, out, buf, cap);
    if (typed)
        return typed > 0;
    return cli_value_parse(eq + 1, id, out, buf, cap);
}

int cli_set_main(int argc, char **argv)
{
    static char text[CLI_MAX_POS][LTUYA_MAX_FRAME];
    int rc = parse(argc, argv,
                   "usage: ltuya set DEVICE DP=VALUE ... [options]\n"
                   "\n"
                   "Write data points and wait until the device shows the new values. Values\n"
                   "are JSON: true, false, integers (32-bit), \"quoted strings\"; a bare word\n"
                   "is a string (38=memory). A value of the wrong type for the DP (as the\n"
                   "device reports it, or the mapping says) is refused before anything is\n"
                   "sent. DP may be a code from devices.json's mapping (switch_1=true).\n"
                   "Exit 10 when the device acknowledged but did not take a value.\n"
                   "--json: {\"id\",\"name\",\"ok\":true,\"dps\":{..}}.\n"
                   "\n"
                   "examples:\n"
                   "  ltuya set Kitchen 1=false\n"
                   "  ltuya set Kitchen 9=3600 38=memory\n"
                   "  ltuya set Kitchen,Hall 1=false (several devices: docs/cli.md)\n",
                   false, CLI_MAX_POS);
    if (rc)
        return rc;
    if (!cmd.t.npos) {
        fprintf(stderr, "ltuya set: nothing to set (give DP=VALUE; see 'ltuya set --help')\n");
        return CLI_EXIT_USAGE;
    }
    if (several())
        return run_several("set");
    if ((rc = cli_target_open(&cmd.t, true)) != 0)
        return rc;
    if ((rc = cli_typed_load(&cmd.t, NULL)) != 0) { /* values are checked before connecting */
        cli_target_close(&cmd.t);
        return rc;
    }
    ltuya_dp_t dps[CLI_MAX_POS];
    size_t n = (size_t)cmd.t.npos;
    for (size_t i = 0; i < n; i++)
        if (!parse_assignment(cmd.t.pos[i], &dps[i], text[i], sizeof text[i])) {
            cli_target_close(&cmd.t);
            return CLI_EXIT_USAGE;
        }
    if (!cli_value_fits(cmd.t.ver, cmd.t.dev_id, dps, n)) {
        cli_target_close(&cmd.t);
        return CLI_EXIT_USAGE;
    }
    ltuya_status_t st = ltuya_device_status(&cmd.t.dev, &status_now);
    if (st != LTUYA_OK) {
        rc = cli_target_fail(&cmd.t, st, "status");
        cli_target_close(&cmd.t);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (!cli_value_check(&dps[i], ltuya_dps_find(&status_now, dps[i].id),
                             cli_devices_dp(&cmd.t.entry, dps[i].id))) {
            cli_target_close(&cmd.t);
            return CLI_EXIT_USAGE;
        }
    rc = cli_write_confirmed(&cmd.t, dps, n, "set");
    if (!rc && cmd.t.json)
        print_written(dps, n);
    else if (!rc)
        printf("ok\n");
    cli_target_close(&cmd.t);
    return rc;
}

static const char *const switch_codes[] = {"switch_1", "switch_led", "switch", "led_switch"};

/* Which DP switches the device: --dp, else the mapping's switch code, else
 * DP 1, else DP 20 when the device reports it as a boolean (bulbs). *why
 * says which rule chose it ("" for the plain DP 1). 0 or an exit code. */
static int pick_switch(uint16_t *dp, const char **why, const char *verb)
{
    static char because[96];
    *why = "";
    *dp = 1;
    if (cmd.dp) {
        *dp = (uint16_t)cmd.dp;
    } else {
        for (size_t c = 0; c < sizeof switch_codes / sizeof *switch_codes && !cmd.dp; c++)
            for (size_t i = 0; i < cmd.t.entry.map_count; i++)
                if (!strcmp(cmd.t.entry.map[i].code, switch_codes[c])) {
                    *dp = cmd.t.entry.map[i].dp;
                    snprintf(because, sizeof because, "%s in devices.json's mapping",
                             switch_codes[c]);
                    *why = because;
                    cmd.dp = *dp;
                    break;
                }
    }
    if (!cmd.dp && cli_typed_load(&cmd.t, &status_now) == 0 && cli_typed_switch(&status_now, dp)) {
        snprintf(because, sizeof because, "the switch of the profile (%s)",
                 ltuya_psrc_name(ltuya_pdp_source(ltuya_profile_find(cli_typed_profile(), *dp))));
        *why = *dp == 1 ? "" : because;
        cmd.dp = *dp;
    }
    if (!cmd.dp) {
        const ltuya_dp_t *one = ltuya_dps_find(&status_now, 1);
        const ltuya_dp_t *twenty = ltuya_dps_find(&status_now, 20);
        if (!one && twenty && twenty->type == LTUYA_DP_BOOL) {
            *dp = 20;
            *why = "no DP 1; the device reports DP 20 as a switch, as bulbs do";
        }
    }
    const ltuya_dp_t *current = ltuya_dps_find(&status_now, *dp);
    if (!current) {
        fprintf(stderr,
                "ltuya %s: the device has no DP %u%s%s%s; nothing was sent. Give the switch's\n"
                "  DP with --dp N ('ltuya get' lists the DPs)\n",
                verb, *dp, **why ? " (" : "", *why, **why ? ")" : "");
        return CLI_EXIT_FAIL;
    }
    ltuya_dp_t want = ltuya_dp_bool(*dp, true);
    return cli_value_check(&want, current, NULL) ? 0 : CLI_EXIT_USAGE;
}

/* on / off / toggle share everything but the verb (argv[0]). */
int cli_switch_main(int argc, char **argv)
{
    const char *verb = argv[0];
    char usage_text[768];
    snprintf(usage_text, sizeof usage_text,
             "usage: ltuya %s DEVICE [--dp N] [options]\n"
             "\n"
             "Switch the relay %s and wait until the device shows it (exit 10 if it\n"
             "acknowledged but did not switch). The switch is --dp N, else the switch\n"
             "code in devices.json's mapping, else DP 1, else DP 20 when the device\n"
             "reports it as a boolean (bulbs).\n"
             "--json: {\"id\",\"name\",\"ok\":true,\"dps\":{\"1\":%s}}.\n"
             "\n"
             "examples:\n"
             "  ltuya %s Kitchen\n"
             "  ltuya %s Kitchen,Hall    (or --all; several devices: docs/cli.md)\n",
             verb, !strcmp(verb, "toggle") ? "over" : verb, !strcmp(verb, "off") ? "false" : "true",
             verb, verb);
    int rc = parse(argc, argv, usage_text, true, 0);
    if (!rc && several())
        return run_several(verb);
    if (rc || (rc = open_and_read("status")))
        return rc;
    uint16_t dp;
    const char *why;
    if ((rc = pick_switch(&dp, &why, verb)) != 0) {
        cli_target_close(&cmd.t);
        return rc;
    }
    bool on = !strcmp(verb, "on");
    if (!strcmp(verb, "toggle"))
        on = !ltuya_dps_find(&status_now, dp)->b;
    ltuya_dp_t v = ltuya_dp_bool(dp, on);
    rc = cli_write_confirmed(&cmd.t, &v, 1, verb);
    if (!rc && cmd.t.json)
        print_written(&v, 1);
    else if (!rc && *why)
        printf("%s (DP %u: %s)\n", on ? "on" : "off", dp, why);
    else if (!rc)
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
                   "stale values until asked. Default: the energy DPs. Prints the fresh state\n"
                   "(--json: the shape of 'ltuya get --json').\n"
                   "\n"
                   "example:\n"
                   "  ltuya refresh Kitchen 18 19 20\n"
                   "  ltuya refresh --all           (several devices: docs/cli.md)\n",
                   false, LTUYA_MAX_REFRESH);
    if (!rc && several() && cmd.t.npos) {
        fprintf(stderr, "ltuya refresh: with several devices refresh asks for the energy DPs "
                        "(give no DP)\n");
        return CLI_EXIT_USAGE;
    }
    if (!rc && several())
        return run_several("refresh");
    if (rc || (rc = cli_target_open(&cmd.t, true)))
        return rc;
    uint16_t ids[CLI_MAX_POS];
    size_t n = 0;
    for (int i = 0; i < cmd.t.npos; i++)
        if (!dp_by_name(cmd.t.pos[i], strlen(cmd.t.pos[i]), &ids[n++])) {
            cli_target_close(&cmd.t);
            return CLI_EXIT_USAGE;
        }
    if (!n) {
        static const uint16_t energy[] = {18, 19, 20};
        const ltuya_energy_map_t *m = &cmd.t.energy;
        uint16_t mapped[3] = {m->current_dp, m->power_dp, m->voltage_dp};
        memcpy(ids, m->power_dp ? mapped : energy, sizeof mapped);
        n = 3;
    }
    ltuya_status_t st = ltuya_device_refresh(&cmd.t.dev, ids, n);
    if (st == LTUYA_OK)
        st = ltuya_device_status(&cmd.t.dev, &status_now);
    if (st != LTUYA_OK)
        rc = cli_target_fail(&cmd.t, st, "refresh");
    else
        print_status(&status_now);
    cli_target_close(&cmd.t);
    return rc;
}

/* ---- several devices: DEVICE,DEVICE... or --all (multi.h) ------------------
 * The same steps as one device (status, check, write, proof), as engine
 * requests chained through callbacks; `cur` is set to the device's command
 * state at each step so the helpers above serve both paths. */

static void got_status(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r);

/* One device of `ltuya snapshot`, kept as text until every device ended:
 * {"id","name","ip","version","dps","energy","error"}, never the key.
 * dps NULL: the device failed (error says why). */
static void snapshot_entry(cli_multi_dev_t *d, const ltuya_dps_t *dps)
{
    FILE *f = open_memstream(&cmd.snap, &cmd.snap_len);
    if (!f)
        return;
    const cli_target_t *t = &cmd.t;
    const char *id = t->dev_id ? t->dev_id : t->name;
    fprintf(f, "{\"id\":");
    cli_json_string(f, id, strlen(id));
    fprintf(f, ",\"name\":");
    if (t->entry.name[0])
        cli_json_string(f, t->entry.name, strlen(t->entry.name));
    else
        fprintf(f, "null");
    fprintf(f, ",\"ip\":");
    const char *ip = t->host ? t->host : t->entry.ip;
    if (ip[0])
        cli_json_string(f, ip, strlen(ip));
    else
        fprintf(f, "null");
    if (t->host) /* resolved: the version the device was spoken to with */
        fprintf(f, ",\"version\":\"%s\"", ltuya_version_str(t->ver));
    else
        fprintf(f, ",\"version\":null");
    if (!dps) {
        fprintf(f, ",\"dps\":null,\"energy\":null,\"error\":");
        cli_json_string(f, d->error, strlen(d->error));
        fprintf(f, "}");
        fclose(f);
        return;
    }
    fprintf(f, ",\"dps\":{");
    for (size_t i = 0; i < dps->count; i++) {
        fprintf(f, "%s\"%u\":", i ? "," : "", dps->dp[i].id);
        cli_value_print(f, &dps->dp[i]);
    }
    ltuya_energy_t e;
    ltuya_energy_from_dps(&t->energy, dps, &e);
    fprintf(f, "},\"energy\":");
    if (e.has_voltage || e.has_current || e.has_power) {
        const char *sep = "";
        fprintf(f, "{");
        if (e.has_voltage) {
            fprintf(f, "\"voltage\":");
            print_milli(f, e.voltage_mv, 1);
            sep = ",";
        }
        if (e.has_current) {
            fprintf(f, "%s\"current\":", sep);
            print_milli(f, e.current_ma, 3);
            sep = ",";
        }
        if (e.has_power) {
            fprintf(f, "%s\"power\":", sep);
            print_milli(f, e.power_mw, 1);
        }
        fprintf(f, "}");
    } else {
        fprintf(f, "null");
    }
    fprintf(f, ",\"error\":null}");
    fclose(f);
}

static cli_multi_dev_t *enter(void *cookie)
{
    cli_multi_dev_t *d = cookie;
    cur = d->state;
    return d;
}

static void written(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    cli_multi_dev_t *d = enter(cookie);
    (void)ed;
    if (r->status != LTUYA_OK) {
        cli_multi_fail(d, r->status, cmd.verb);
        return;
    }
    if (r->proof != LTUYA_PROOF_CONFIRMED) { /* no false success: exit 10 as for one device */
        fprintf(stderr, "ltuya %s: %s: sent; the device acknowledged but %s\n", cmd.verb,
                cli_multi_label(d),
                r->proof == LTUYA_PROOF_CONTRADICTED
                    ? "reported another value (it did not take it)"
                    : "neither a push nor a status read showed the new value");
        d->error = "acknowledged but not confirmed";
        cli_multi_done(d, CLI_EXIT_UNCONFIRMED);
        return;
    }
    if (cmd.t.json)
        print_written(cmd.want, cmd.nwant);
    else if (!strcmp(cmd.verb, "set"))
        printf("%s: ok\n", cli_multi_label(d));
    else
        printf("%s: %s%s%s%s\n", cli_multi_label(d), cmd.want[0].b ? "on" : "off",
               *cmd.why ? " (" : "", cmd.why, *cmd.why ? ")" : "");
    cli_multi_done(d, CLI_EXIT_OK);
}

static void refreshed(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    cli_multi_dev_t *d = enter(cookie);
    ltuya_status_t st = r->status;
    if (st == LTUYA_OK)
        st = ltuya_engine_status(ed, got_status, d);
    if (st != LTUYA_OK)
        cli_multi_fail(d, st, "refresh");
}

/* Write the values in cmd.want once the state showed they fit. */
static void write_checked(cli_multi_dev_t *d, ltuya_engine_dev_t *ed)
{
    ltuya_status_t st = ltuya_engine_set(ed, cmd.want, cmd.nwant, written, d);
    if (st != LTUYA_OK)
        cli_multi_fail(d, st, cmd.verb);
}

static void got_status(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    cli_multi_dev_t *d = enter(cookie);
    if (r->status != LTUYA_OK || !r->dps) {
        cli_multi_fail(d, r->status != LTUYA_OK ? r->status : LTUYA_ERR_NO_REPLY, "status");
        return;
    }
    status_now = *r->dps;
    int rc;
    if (!strcmp(cmd.verb, "snapshot")) {
        snapshot_entry(d, &status_now);
        cli_multi_done(d, CLI_EXIT_OK);
        return;
    }
    if (!strcmp(cmd.verb, "get") || !strcmp(cmd.verb, "refresh")) {
        if ((rc = cli_typed_load(&cmd.t, &status_now)) != 0) {
            d->error = "profile";
            cli_multi_done(d, rc);
            return;
        }
        print_status(&status_now);
        cli_multi_done(d, CLI_EXIT_OK);
        return;
    }
    if (!strcmp(cmd.verb, "set")) {
        for (size_t i = 0; i < cmd.nwant; i++)
            if (!cli_value_check(&cmd.want[i], ltuya_dps_find(&status_now, cmd.want[i].id),
                                 cli_devices_dp(&cmd.t.entry, cmd.want[i].id))) {
                fprintf(stderr, "ltuya set: %s: the value above was not sent\n",
                        cli_multi_label(d));
                d->error = "value refused before sending";
                cli_multi_done(d, CLI_EXIT_USAGE);
                return;
            }
        write_checked(d, ed);
        return;
    }
    uint16_t dp; /* on, off, toggle */
    if ((rc = pick_switch(&dp, &cmd.why, cmd.verb)) != 0) {
        fprintf(stderr, "ltuya %s: %s: nothing was sent (above)\n", cmd.verb, cli_multi_label(d));
        d->error = "no switch to use";
        cli_multi_done(d, rc);
        return;
    }
    bool on = !strcmp(cmd.verb, "on");
    if (!strcmp(cmd.verb, "toggle"))
        on = !ltuya_dps_find(&status_now, dp)->b;
    cmd.want[0] = ltuya_dp_bool(dp, on);
    cmd.nwant = 1;
    write_checked(d, ed);
}

static int start_several(cli_multi_dev_t *d)
{
    enter(d);
    ltuya_engine_dev_t *ed = cli_multi_engine(d);
    ltuya_status_t st;
    if (!strcmp(cmd.verb, "set")) { /* values are checked before connecting */
        int rc = cli_typed_load(&cmd.t, NULL);
        for (size_t i = 0; !rc && i < (size_t)cmd.t.npos; i++)
            if (!parse_assignment(cmd.t.pos[i], &cmd.want[i], cmd.text[i], sizeof cmd.text[i]))
                rc = CLI_EXIT_USAGE;
        cmd.nwant = (size_t)cmd.t.npos;
        if (!rc && !cli_value_fits(cmd.t.ver, cmd.t.dev_id, cmd.want, cmd.nwant))
            rc = CLI_EXIT_USAGE;
        if (rc) {
            fprintf(stderr, "ltuya set: %s: nothing was sent (above)\n", cli_multi_label(d));
            d->error = "values refused before sending";
            return rc;
        }
    }
    if (!strcmp(cmd.verb, "refresh"))
        st = ltuya_engine_refresh(ed, NULL, 0, refreshed, d); /* the energy DPs */
    else
        st = ltuya_engine_status(ed, got_status, d);
    if (st != LTUYA_OK)
        cli_multi_fail(d, st, cmd.verb);
    return 0;
}

/* Failures: one block or JSON line; successes printed themselves. */
static void report_several(cli_multi_dev_t *d)
{
    enter(d);
    if (d->rc && !strcmp(cmd.verb, "snapshot"))
        snapshot_entry(d, NULL);
    if (!d->rc || !strcmp(cmd.verb, "snapshot"))
        return;
    const char *id = cmd.t.dev_id ? cmd.t.dev_id : cmd.t.name;
    if (cmd.t.json) {
        printf("{\"id\":");
        cli_json_string(stdout, id, strlen(id));
        if (cmd.t.entry.name[0]) {
            printf(",\"name\":");
            cli_json_string(stdout, cmd.t.entry.name, strlen(cmd.t.entry.name));
        }
        printf(",\"error\":");
        cli_json_string(stdout, d->error, strlen(d->error));
        printf(",\"exit\":%d}\n", d->rc);
    } else {
        printf("%s: error: %s (exit %d)\n", cli_multi_label(d), d->error, d->rc);
    }
}

static const char *snapshot_out; /* -o FILE, NULL: stdout */

/* {"devices":[..]} in the order of devices.json, written once all ended. */
static int write_snapshot(const cmd_t *cmds, size_t n, int rc)
{
    FILE *f = snapshot_out ? fopen(snapshot_out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "ltuya snapshot: cannot write %s: %s\n", snapshot_out, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    fprintf(f, "{\"devices\":[");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s\n%s", i ? "," : "", cmds[i].snap ? cmds[i].snap : "null");
    fprintf(f, "\n]}\n");
    if (f != stdout && fclose(f) != 0) {
        fprintf(stderr, "ltuya snapshot: cannot write %s: %s\n", snapshot_out, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return rc;
}

static int run_several(const char *verb)
{
    char **names;
    size_t n;
    int rc = cli_multi_names(cmd.all ? NULL : cmd.t.name, cmd.all, cmd.t.devices_file, &names, &n);
    if (rc)
        return rc;
    cmd_t *cmds = calloc(n, sizeof *cmds);
    cli_multi_dev_t *devs = calloc(n, sizeof *devs);
    bool ok = cmds && devs;
    for (size_t i = 0; ok && i < n; i++) {
        cmds[i] = cmd_one; /* the options; nothing is open yet */
        cmds[i].t.name = names[i];
        cmds[i].verb = verb;
        cmds[i].why = "";
        if (cmd_one.t.npos && !strcmp(verb, "set"))
            ok = (cmds[i].text = calloc((size_t)cmd_one.t.npos, sizeof *cmds[i].text)) != NULL;
        devs[i].t = &cmds[i].t;
        devs[i].state = &cmds[i];
    }
    if (ok) {
        multi_json = cmd_one.t.json;
        cli_multi_t m = {0};
        m.verb = verb;
        m.jobs = cmd_one.jobs ? cmd_one.jobs : CLI_MULTI_JOBS;
        m.devs = devs;
        m.n = n;
        m.start = start_several;
        m.report = report_several;
        rc = cli_multi_run(&m);
        cur = &cmd_one;
        if (!strcmp(verb, "snapshot"))
            rc = write_snapshot(cmds, n, rc);
    } else {
        fprintf(stderr, "ltuya: out of memory for %zu devices\n", n);
        rc = CLI_EXIT_FAIL;
    }
    for (size_t i = 0; cmds && i < n; i++) {
        free(cmds[i].text);
        free(cmds[i].snap);
    }
    free(cmds);
    free(devs);
    cli_multi_names_free(names, n);
    return rc;
}

int cli_snapshot_main(int argc, char **argv)
{
    static const char usage_text[] =
        "usage: ltuya snapshot [--devices FILE] [-o FILE] [--jobs N] [-t S]\n"
        "\n"
        "Read every device of devices.json at once (--jobs at a time, default 64) and\n"
        "write one JSON document: {\"devices\":[{\"id\",\"name\",\"ip\",\"version\",\n"
        "\"dps\",\"energy\",\"error\"}, ...]} in the file's order; a device that failed\n"
        "has \"dps\":null and its error. Never a key. Exit status as for one device when\n"
        "every failure shares its code, else 1; 0 if every device answered.\n"
        "\n"
        "options:\n"
        "  --devices FILE       the device list (else as for DEVICE below)\n"
        "  -o, --output FILE    write the document there instead of stdout\n"
        "  --jobs N             devices at once, 1 .. 1024 (default 64)\n"
        "  -t, --timeout S      reply timeout in seconds, 0.1 .. 600 (default 5)\n"
        "\n"
        "example:\n"
        "  ltuya snapshot -o snapshot.json\n";
    static const struct option longopts[] = {
        {"devices", required_argument, NULL, 1005}, {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 1202},    {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int opt;
    unsigned long n;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:t:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("%s", usage_text);
            return CLI_EXIT_OK;
        case 'o':
            snapshot_out = optarg;
            break;
        case 1202:
            if (!cli_arg_uint(optarg, 1, 1024, "--jobs", &n))
                return CLI_EXIT_USAGE;
            cmd.jobs = (unsigned)n;
            break;
        case 1005:
        case 't':
            if (cli_target_option(&cmd.t, opt, optarg) < 0)
                return CLI_EXIT_USAGE;
            break;
        default:
            fprintf(stderr, "%s", usage_text);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ltuya snapshot: unexpected argument '%s' (it reads every device)\n",
                argv[optind]);
        return CLI_EXIT_USAGE;
    }
    cmd.all = true;
    cmd.raw = true;
    return run_several("snapshot");
}
