/* ltuya light: bulb helpers in the manner of tinytuya's BulbDevice, on the
 * DPs the device's profile names (brightness, colour temperature, colour,
 * work mode, switch), written together and confirmed by the device. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "confirm.h"
#include "target.h"
#include "typed.h"
#include "util.h"
#include "value.h"

static cli_target_t t;
static ltuya_dps_t status_now;
static bool report_missing; /* only once the status is known */

typedef struct {
    const char *brightness; /* percent text */
    const char *colour;     /* #rrggbb or hsv(h,s,v) */
    const char *temp;       /* percent or Kelvin */
    const char *mode;
    int power; /* 1 --on, 0 --off, -1 neither */
} light_req_t;

static const char usage_text[] =
    "usage: ltuya light DEVICE [--on|--off] [--brightness P] [--colour C] [--temp T]\n"
    "                   [--mode M] [options]\n"
    "\n"
    "Set a bulb as tinytuya's BulbDevice does, on the DPs its profile names\n"
    "(bright_value_v2, temp_value_v2, colour_data_v2, work_mode, switch_led, or the\n"
    "legacy DP 1-5 layout), in one write confirmed by the device.\n"
    "  --brightness P   0-100 %, mapped onto the DP's range (50 % of 10-1000 is\n"
    "                   505); in colour mode it sets the colour's value instead\n"
    "  --colour C       #rrggbb or hsv(H,S,V) (H 0-360, S and V 0-1000); sets\n"
    "                   colour mode\n"
    "  --temp T         colour temperature, 0-100 % of the range or 2700K-6500K;\n"
    "                   sets white mode\n"
    "  --mode M         white, colour, scene, music (as the device's work_mode lists)\n"
    "  --on, --off      switch the light\n"
    "Values are checked before anything is sent (exit 2).\n"
    "--json: {\"id\",\"name\",\"ok\":true,\"dps\":{..}}.\n"
    "\n"
    "examples:\n"
    "  ltuya light Lamp --brightness 50\n"
    "  ltuya light Lamp --colour '#ff8800'\n"
    "  ltuya light Lamp --temp 3000K --brightness 80\n";

/* A DP of the profile by role, or an error naming what is missing. */
static const ltuya_pdp_t *need(ltuya_role_t role, const char *opt, bool *missing)
{
    const ltuya_pdp_t *d = ltuya_profile_find_role(cli_typed_profile(), role);
    if (!d && report_missing) {
        fprintf(stderr, "ltuya light: %s: the device's profile has no %s DP (%s)\n", opt,
                ltuya_role_name(role), "'ltuya get -v' shows the profile");
        *missing = true;
    }
    return d;
}

/* Percent text "50", "50%", "12.5" -> hundredths 0..10000. */
static bool percent(const char *opt, const char *text, int64_t *hundredths)
{
    size_t n = strlen(text);
    if (n && text[n - 1] == '%')
        n--;
    if (ltuya_scaled_parse(text, n, 2, hundredths) != LTUYA_OK || *hundredths < 0 ||
        *hundredths > 10000) {
        fprintf(stderr, "ltuya light: %s wants a percentage 0-100 (got '%s'); nothing was sent\n",
                opt, text);
        return false;
    }
    return true;
}

/* Check one typed value on a DP (message and false on refusal). */
static bool typed(const ltuya_pdp_t *d, const char *text, ltuya_dp_t *out, char *buf, size_t cap)
{
    int r = cli_typed_assignment(d->id, text, out, buf, cap);
    if (r == 0) /* a profile DP always has a type; a raw one is refused here */
        fprintf(stderr, "ltuya light: DP %u has no type in the profile; nothing was sent\n", d->id);
    return r > 0;
}

/* The writes for the request. status may be NULL (before connecting: checks
 * only). 0, or CLI_EXIT_USAGE after a message; *missing when the profile
 * lacks a DP (a status may still reveal it). */
static int plan(const light_req_t *q, const ltuya_dps_t *status, ltuya_dp_t *dps, size_t *n,
                bool *missing)
{
    static char bufs[4][64];
    int64_t h;
    *n = 0;
    *missing = false;
    if (q->brightness && !percent("--brightness", q->brightness, &h))
        return CLI_EXIT_USAGE;
    if (q->temp && strchr(q->temp, 'K') == NULL && !percent("--temp", q->temp, &h))
        return CLI_EXIT_USAGE;
    if (q->colour && q->mode && strcmp(q->mode, "colour")) {
        fprintf(stderr, "ltuya light: --colour sets colour mode, not --mode %s; nothing was sent\n",
                q->mode);
        return CLI_EXIT_USAGE;
    }
    if (q->temp && q->mode && strcmp(q->mode, "white")) {
        fprintf(stderr, "ltuya light: --temp sets white mode, not --mode %s; nothing was sent\n",
                q->mode);
        return CLI_EXIT_USAGE;
    }
    if (q->colour && q->temp) {
        fprintf(stderr, "ltuya light: --colour (colour mode) and --temp (white mode) exclude "
                        "each other; nothing was sent\n");
        return CLI_EXIT_USAGE;
    }
    const char *mode = q->mode ? q->mode : q->colour ? "colour" : q->temp ? "white" : NULL;
    const ltuya_pdp_t *mode_dp = ltuya_profile_find_role(cli_typed_profile(), LTUYA_ROLE_MODE);
    const ltuya_dp_t *cur_mode = status && mode_dp ? ltuya_dps_find(status, mode_dp->id) : NULL;
    bool colour_mode = mode ? !strcmp(mode, "colour")
                            : (cur_mode && cur_mode->type == LTUYA_DP_STR &&
                               cur_mode->str.len == 6 && !memcmp(cur_mode->str.ptr, "colour", 6));

    if (q->power >= 0) {
        const ltuya_pdp_t *sw = need(LTUYA_ROLE_SWITCH, q->power ? "--on" : "--off", missing);
        if (sw)
            dps[(*n)++] = ltuya_dp_bool(sw->id, q->power == 1);
    }
    if (mode) {
        const ltuya_pdp_t *d = need(LTUYA_ROLE_MODE, "--mode", missing);
        if (d && !typed(d, mode, &dps[(*n)++], bufs[0], sizeof bufs[0]))
            return CLI_EXIT_USAGE;
    }
    if (q->temp) {
        const ltuya_pdp_t *d = need(LTUYA_ROLE_COLOUR_TEMP, "--temp", missing);
        char text[40];
        /* a bare number is a percentage, as tinytuya's set_colourtemp_percentage */
        snprintf(text, sizeof text, "%s%s", q->temp,
                 strchr(q->temp, 'K') || strchr(q->temp, '%') ? "" : "%");
        if (d && !typed(d, text, &dps[(*n)++], bufs[1], sizeof bufs[1]))
            return CLI_EXIT_USAGE;
    }
    if (q->colour || (q->brightness && colour_mode)) {
        const ltuya_pdp_t *d =
            need(LTUYA_ROLE_COLOUR, q->colour ? "--colour" : "--brightness", missing);
        if (!d)
            return 0;
        ltuya_hsv_t c = {0, 1000, 1000};
        if (q->colour) {
            ltuya_dp_t v;
            if (!typed(d, q->colour, &v, bufs[2], sizeof bufs[2]))
                return CLI_EXIT_USAGE;
            (void)ltuya_colour_decode(v.str.ptr, v.str.len, LTUYA_COLOUR_JSON1000, &c, NULL);
        } else {
            const ltuya_dp_t *cur = status ? ltuya_dps_find(status, d->id) : NULL;
            if (!cur) /* before connecting: the colour is not known yet */
                return 0;
            if (cur->type != LTUYA_DP_STR ||
                ltuya_colour_decode(cur->str.ptr, cur->str.len,
                                    d->colour == LTUYA_COLOUR_HEX14 ? LTUYA_COLOUR_JSON255
                                                                    : LTUYA_COLOUR_JSON1000,
                                    &c, NULL) != LTUYA_OK) {
                fprintf(stderr, "ltuya light: the device's colour (DP %u) does not decode\n",
                        d->id);
                return CLI_EXIT_FAIL;
            }
        }
        if (q->brightness) { /* tinytuya: brightness in colour mode is the colour's value */
            percent("--brightness", q->brightness, &h);
            c.v = (uint16_t)(h / 10);
        }
        char text[32];
        snprintf(text, sizeof text, "hsv(%u,%u,%u)", c.h, c.s, c.v);
        if (!typed(d, text, &dps[(*n)++], bufs[2], sizeof bufs[2]))
            return CLI_EXIT_USAGE;
    } else if (q->brightness) {
        const ltuya_pdp_t *d = need(LTUYA_ROLE_BRIGHTNESS, "--brightness", missing);
        char text[40];
        snprintf(text, sizeof text, "%s%s", q->brightness, strchr(q->brightness, '%') ? "" : "%");
        if (d && !typed(d, text, &dps[(*n)++], bufs[3], sizeof bufs[3]))
            return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_light_main(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_TARGET_LONGOPTS,
                                             CLI_TYPED_LONGOPTS,
                                             {"brightness", required_argument, NULL, 'b'},
                                             {"colour", required_argument, NULL, 'c'},
                                             {"color", required_argument, NULL, 'c'},
                                             {"temp", required_argument, NULL, 'T'},
                                             {"mode", required_argument, NULL, 'm'},
                                             {"on", no_argument, NULL, 'O'},
                                             {"off", no_argument, NULL, 'F'},
                                             {NULL, 0, NULL, 0}};
    light_req_t q = {NULL, NULL, NULL, NULL, -1};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_TARGET_SHORTOPTS, longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("%s\n%s%s", usage_text, cli_target_help, cli_typed_help);
            return fflush(stdout) || ferror(stdout) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
        case 'b':
            q.brightness = optarg;
            continue;
        case 'c':
            q.colour = optarg;
            continue;
        case 'T':
            q.temp = optarg;
            continue;
        case 'm':
            q.mode = optarg;
            continue;
        case 'O':
        case 'F':
            if (q.power >= 0 && q.power != (opt == 'O')) {
                fprintf(stderr, "ltuya light: --on and --off exclude each other\n");
                return CLI_EXIT_USAGE;
            }
            q.power = opt == 'O';
            continue;
        case CLI_OPT_PROFILES:
            cli_profiles_dir = optarg;
            continue;
        case CLI_OPT_RAW:
            fprintf(stderr, "ltuya light: --raw does not apply (use 'ltuya set')\n");
            return CLI_EXIT_USAGE;
        default:
            break;
        }
        int r = cli_target_option(&t, opt, optarg);
        if (r <= 0) {
            if (r == 0)
                fprintf(stderr, "%s", usage_text);
            return CLI_EXIT_USAGE;
        }
    }
    int rc = cli_target_positionals(&t, argc, argv, optind, 0, "light");
    if (rc)
        return rc;
    if (!q.brightness && !q.colour && !q.temp && !q.mode && q.power < 0) {
        fprintf(stderr, "ltuya light: nothing to do (see 'ltuya light --help')\n");
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_target_open(&t, true)) != 0)
        return rc;
    ltuya_dp_t dps[8];
    size_t n;
    bool missing;
    /* everything that can be checked without the device, before connecting */
    if ((rc = cli_typed_load(&t, NULL)) != 0 || (rc = plan(&q, NULL, dps, &n, &missing)) != 0) {
        cli_target_close(&t);
        return rc;
    }
    ltuya_status_t st = ltuya_device_status(&t.dev, &status_now);
    if (st != LTUYA_OK) {
        rc = cli_target_fail(&t, st, "status");
        cli_target_close(&t);
        return rc;
    }
    report_missing = true;
    if ((rc = cli_typed_load(&t, &status_now)) != 0 ||
        (rc = plan(&q, &status_now, dps, &n, &missing)) != 0 ||
        (missing && (rc = CLI_EXIT_USAGE) != 0)) {
        if (missing)
            fprintf(stderr, "ltuya light: nothing was sent\n");
        cli_target_close(&t);
        return rc;
    }
    rc = cli_write_confirmed(&t, dps, n, "light");
    if (!rc && t.json) {
        cli_target_json_head(&t);
        printf(",\"ok\":true,\"dps\":{");
        for (size_t i = 0; i < n; i++) {
            printf("%s\"%u\":", i ? "," : "", dps[i].id);
            cli_value_print(stdout, &dps[i]);
        }
        printf("}}\n");
    } else if (!rc) {
        printf("ok:");
        for (size_t i = 0; i < n; i++) {
            const ltuya_pdp_t *p = ltuya_profile_find(cli_typed_profile(), dps[i].id);
            printf(" %s=", p && p->code[0] ? p->code : "?");
            cli_typed_value_human(stdout, p, &dps[i]);
        }
        printf("\n");
    }
    cli_target_close(&t);
    return rc;
}
