/* Assembling a device's profile from its sources (profile_load.h). */
#include "profile_load.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devices.h"
#include "profile_mapping.h"
#include "profile_yaml.h"
#include "util.h"

static char *read_quietly(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    *len = n;
    return buf;
}

static int from_devices_json(const cli_profile_req_t *req, ltuya_profile_t *p, char *product,
                             size_t product_cap)
{
    const char *path = cli_devices_path(req->devices_file);
    if (!path || !req->device)
        return 0;
    size_t len = 0;
    char *text = read_quietly(path, &len); /* the command already warned about it */
    if (!text)
        return 0; /* the command reports an unreadable file itself */
    ltuya_str_t entry;
    int rc = 0;
    if (cli_mapping_find_entry(text, len, req->device, &entry)) {
        char err[256];
        if (!cli_mapping_apply(entry, p, err, sizeof err)) {
            fprintf(stderr, "ltuya: %s: %s\n", path, err);
            rc = CLI_EXIT_CONFIG;
        }
        ltuya_str_t v;
        bool vs;
        size_t n;
        if (product[0] == 0 &&
            (ltuya_json_get(entry.ptr, entry.len, "product_id", &v, &vs) == LTUYA_OK ||
             ltuya_json_get(entry.ptr, entry.len, "productKey", &v, &vs) == LTUYA_OK) &&
            vs && ltuya_json_unescape(v, product, product_cap - 1, &n) == LTUYA_OK)
            product[n] = 0;
    }
    free(text);
    return rc;
}

int cli_profile_build(const cli_profile_req_t *req, const ltuya_dps_t *status, ltuya_profile_t *p,
                      cli_profile_info_t *info)
{
    char product[64] = "";
    memset(info, 0, sizeof *info);
    ltuya_profile_init(p);
    if (req->product_key)
        snprintf(product, sizeof product, "%s", req->product_key);
    int rc = from_devices_json(req, p, product, sizeof product);
    if (rc)
        return rc;
    const char *dir = req->profiles_dir ? req->profiles_dir : getenv("LTUYA_PROFILES");
    if (dir && *dir) {
        cli_yaml_profile_t *y = malloc(sizeof *y);
        char err[512];
        if (!y)
            return CLI_EXIT_FAIL;
        int m = cli_yaml_match_dir(dir, product, status, y, info->yaml_file, sizeof info->yaml_file,
                                   err, sizeof err);
        if (m < 0) {
            fprintf(stderr, "ltuya: profiles: %s\n", err);
            free(y);
            return CLI_EXIT_CONFIG;
        }
        if (m > 0) {
            info->yaml_match = cli_yaml_matches(y, product, status);
            for (size_t i = 0; i < y->profile.count; i++)
                (void)ltuya_profile_put(p, &y->profile.dp[i], LTUYA_PSRC_FILE);
        }
        free(y);
    }
    const char *category = p->category[0] ? p->category : NULL;
    if (!category && !(p->sources & (1u << LTUYA_PSRC_FILE))) {
        category = ltuya_profile_guess_category(status);
        info->category_guessed = category != NULL;
    }
    if (category) {
        char cat[sizeof p->category];
        snprintf(cat, sizeof cat, "%s", category);
        (void)ltuya_profile_builtin(p, cat, status);
    }
    if (status)
        ltuya_profile_add_raw(p, status);
    return 0;
}

static const ltuya_psrc_t order[] = {LTUYA_PSRC_OVERRIDE, LTUYA_PSRC_MAPPING, LTUYA_PSRC_FILE,
                                     LTUYA_PSRC_BUILTIN, LTUYA_PSRC_RAW};

void cli_profile_print_sources(FILE *f, const ltuya_profile_t *p, const cli_profile_info_t *info)
{
    fprintf(f, "profile:");
    bool any = false;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(p->sources & (1u << order[i])))
            continue;
        fprintf(f, "%s %s", any ? "," : "", ltuya_psrc_name(order[i]));
        if (order[i] == LTUYA_PSRC_FILE && info->yaml_file[0])
            fprintf(f, " %s (matched by %s)", info->yaml_file,
                    info->yaml_match == 2 ? "product key" : "DP set");
        any = true;
    }
    if (!any)
        fprintf(f, " none");
    if (p->category[0])
        fprintf(f, " (category %s%s)", p->category, info->category_guessed ? ", guessed" : "");
    fprintf(f, "\n");
}

void cli_profile_json_sources(FILE *f, const ltuya_profile_t *p, const cli_profile_info_t *info)
{
    fprintf(f, "{\"sources\":[");
    bool any = false;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(p->sources & (1u << order[i])))
            continue;
        const char *name = ltuya_psrc_name(order[i]);
        fprintf(f, "%s", any ? "," : "");
        cli_json_string(f, name, strlen(name));
        any = true;
    }
    fprintf(f, "],\"category\":");
    if (p->category[0])
        cli_json_string(f, p->category, strlen(p->category));
    else
        fprintf(f, "null");
    fprintf(f, ",\"category_guessed\":%s,\"file\":", info->category_guessed ? "true" : "false");
    if (info->yaml_file[0])
        cli_json_string(f, info->yaml_file, strlen(info->yaml_file));
    else
        fprintf(f, "null");
    fprintf(f, "}");
}
