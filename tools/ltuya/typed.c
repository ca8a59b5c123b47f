/* Typed values for the device commands (typed.h). */
#include "typed.h"

#include <string.h>

#include "cli.h"
#include "util.h"
#include "value.h"

const char *cli_profiles_dir;

const char cli_typed_help[] =
    "typed values (docs/profiles.md):\n"
    "  --raw                values as the device sends them (no profile)\n"
    "  --profiles DIR       tuya-local-format YAML device configs (else $LTUYA_PROFILES)\n";

static ltuya_profile_t profile;
static cli_profile_info_t info;

int cli_typed_load(const cli_target_t *t, const ltuya_dps_t *status)
{
    cli_profile_req_t req;
    memset(&req, 0, sizeof req);
    req.devices_file = t->devices_file;
    req.device = t->entry.id[0] ? t->entry.id : NULL;
    req.product_key = t->entry.product[0] ? t->entry.product : NULL;
    req.profiles_dir = cli_profiles_dir;
    return cli_profile_build(&req, status, &profile, &info);
}

const ltuya_profile_t *cli_typed_profile(void)
{
    return &profile;
}

const cli_profile_info_t *cli_typed_info(void)
{
    return &info;
}

bool cli_typed_code(const char *name, size_t len, uint16_t *id)
{
    char code[LTUYA_PROFILE_CODE_LEN];
    if (len >= sizeof code)
        return false;
    memcpy(code, name, len);
    code[len] = 0;
    const ltuya_pdp_t *d = ltuya_profile_find_code(&profile, code);
    if (d)
        *id = d->id;
    return d != NULL;
}

static const char *what_it_takes(const ltuya_pdp_t *d, char *buf, size_t cap)
{
    char lo[24], hi[24];
    switch ((ltuya_vtype_t)d->type) {
    case LTUYA_VT_BOOL:
        return "true or false (on/off)";
    case LTUYA_VT_ENUM:
        snprintf(buf, cap, "one of %s", d->enums[0] ? d->enums : "its values");
        return buf;
    case LTUYA_VT_INT:
        if (!(d->set & LTUYA_PF_RANGE))
            return "a number";
        ltuya_scaled_format(d->min, d->scale, lo, sizeof lo, NULL);
        ltuya_scaled_format(d->max, d->scale, hi, sizeof hi, NULL);
        snprintf(buf, cap, "%s .. %s%s%s%s%s", lo, hi, d->unit[0] ? " " : "", d->unit,
                 strcmp(d->unit, "%") ? ", or 0-100%" : "",
                 d->role == LTUYA_ROLE_COLOUR_TEMP ? ", or 2700K-6500K" : "");
        if (d->step > 1) {
            char st[24];
            ltuya_scaled_format(d->step, d->scale, st, sizeof st, NULL);
            snprintf(buf + strlen(buf), cap - strlen(buf), " in steps of %s", st);
        }
        return buf;
    case LTUYA_VT_JSON:
        return "JSON";
    default:
        return "text";
    }
}

int cli_typed_assignment(uint16_t id, const char *value, ltuya_dp_t *out, char *buf, size_t cap)
{
    const ltuya_pdp_t *d = ltuya_profile_find(&profile, id);
    if (!d || (d->type == LTUYA_VT_UNKNOWN && d->role != LTUYA_ROLE_COLOUR) ||
        ltuya_pdp_source(d) <= LTUYA_PSRC_RAW)
        return 0; /* nothing known beyond what the device reports */
    /* JSON-quoted strings as the untyped syntax writes them: "white" */
    size_t len = strlen(value);
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"' && d->type != LTUYA_VT_JSON) {
        value++;
        len -= 2;
    }
    ltuya_status_t st = ltuya_pdp_parse(d, value, len, buf, cap, out);
    if (st == LTUYA_OK)
        return 1;
    char takes[160];
    const char *name = d->code[0] ? d->code : "";
    if (st == LTUYA_ERR_BUF_TOO_SMALL)
        fprintf(stderr, "ltuya: %s (DP %u): the value is too long\n", name, id);
    else if (d->role == LTUYA_ROLE_COLOUR)
        fprintf(stderr,
                "ltuya: %s (DP %u) = %.*s: %s; a colour is #rrggbb or hsv(H,S,V) with H 0-360, "
                "S and V 0-1000\n",
                name, id, (int)len, value, ltuya_status_str(st));
    else
        fprintf(stderr, "ltuya: %s (DP %u) = %.*s: %s; it takes %s (profile: %s)\n", name, id,
                (int)len, value, ltuya_status_str(st), what_it_takes(d, takes, sizeof takes),
                ltuya_psrc_name(ltuya_pdp_source(d)));
    fprintf(stderr, "       nothing was sent\n");
    return -1;
}

bool cli_typed_switch(const ltuya_dps_t *status, uint16_t *dp)
{
    const ltuya_pdp_t *d = ltuya_profile_find_role(&profile, LTUYA_ROLE_SWITCH);
    if (!d)
        return false;
    const ltuya_dp_t *v = status ? ltuya_dps_find(status, d->id) : NULL;
    if (!v || v->type != LTUYA_DP_BOOL)
        return false;
    *dp = d->id;
    return true;
}

void cli_typed_value_json(FILE *f, const ltuya_pdp_t *p, const ltuya_dp_t *v)
{
    char text[512];
    size_t n;
    if (p && p->role == LTUYA_ROLE_COLOUR && v->type == LTUYA_DP_STR) {
        ltuya_hsv_t c;
        if (ltuya_colour_decode(v->str.ptr, v->str.len,
                                p->colour == LTUYA_COLOUR_HEX14 ? LTUYA_COLOUR_JSON255
                                                                : LTUYA_COLOUR_JSON1000,
                                &c, NULL) == LTUYA_OK) {
            uint8_t r, g, b;
            ltuya_hsv_to_rgb(&c, &r, &g, &b);
            fprintf(f, "{\"h\":%u,\"s\":%u,\"v\":%u,\"rgb\":\"#%02x%02x%02x\"}", c.h, c.s, c.v, r,
                    g, b);
            return;
        }
    }
    if (p && (p->type == LTUYA_VT_INT || p->type == LTUYA_VT_BITMAP) && v->type == LTUYA_DP_INT &&
        ltuya_scaled_format(v->i, p->type == LTUYA_VT_INT ? p->scale : 0, text, sizeof text, &n) ==
            LTUYA_OK) {
        fputs(text, f); /* a JSON number with exactly the DP's decimals */
        return;
    }
    if ((v->type == LTUYA_DP_STR) && ltuya_pdp_format(p, v, text, sizeof text, &n) == LTUYA_OK) {
        cli_json_string(f, text, n);
        return;
    }
    cli_value_print(f, v);
}

void cli_typed_value_human(FILE *f, const ltuya_pdp_t *p, const ltuya_dp_t *v)
{
    char text[512];
    size_t n;
    if (!p || (p->type == LTUYA_VT_UNKNOWN && p->role != LTUYA_ROLE_COLOUR) ||
        ltuya_pdp_format(p, v, text, sizeof text, &n) != LTUYA_OK) {
        cli_value_print(f, v); /* as the device sent it */
        return;
    }
    fputs(n ? text : "\"\"", f); /* an empty string stays visible */
    if (p->unit[0] && p->type == LTUYA_VT_INT)
        fprintf(f, " %s", p->unit);
}

void cli_typed_print_human(const ltuya_dps_t *d, bool raw)
{
    for (size_t i = 0; i < d->count; i++) {
        const ltuya_dp_t *v = &d->dp[i];
        const ltuya_pdp_t *p = ltuya_profile_find(&profile, v->id);
        printf("  %3u  %-18s ", v->id, p && p->code[0] ? p->code : "");
        if (raw)
            cli_value_print(stdout, v);
        else
            cli_typed_value_human(stdout, p, v);
        printf("\n");
    }
}

void cli_typed_print_json(const ltuya_dps_t *d)
{
    printf(",\"typed\":{");
    for (size_t i = 0; i < d->count; i++) {
        const ltuya_dp_t *v = &d->dp[i];
        const ltuya_pdp_t *p = ltuya_profile_find(&profile, v->id);
        char key[16];
        snprintf(key, sizeof key, "%u", v->id);
        const char *name = p && p->code[0] ? p->code : key;
        printf("%s", i ? "," : "");
        cli_json_string(stdout, name, strlen(name));
        printf(":{\"dp\":%u,\"value\":", v->id);
        cli_typed_value_json(stdout, p, v);
        printf(",\"raw\":");
        cli_value_print(stdout, v);
        printf(",\"unit\":");
        if (p && p->unit[0])
            cli_json_string(stdout, p->unit, strlen(p->unit));
        else
            printf("null");
        const char *type = p ? ltuya_vtype_name((ltuya_vtype_t)p->type) : "unknown";
        const char *src = p ? ltuya_psrc_name(ltuya_pdp_source(p)) : "none";
        printf(",\"type\":\"%s\",\"role\":\"%s\",\"source\":\"%s\"}", type,
               p ? ltuya_role_name((ltuya_role_t)p->role) : "none", src);
    }
    printf("},\"profile\":");
    cli_profile_json_sources(stdout, &profile, &info);
}
