#include "devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ltuya/json.h"

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

const char *cli_devices_path(const char *explicit_path)
{
    static char home_path[1024];
    if (explicit_path)
        return explicit_path;
    if (file_exists("devices.json"))
        return "devices.json";
    const char *home = getenv("HOME");
    if (home) {
        snprintf(home_path, sizeof home_path, "%s/.config/ltuya/devices.json", home);
        if (file_exists(home_path))
            return home_path;
    }
    return NULL;
}

bool cli_devices_load(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ltuya: cannot open %s\n", path);
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
        fprintf(stderr,
                "ltuya: warning: %s holds local keys and is readable by other users "
                "(chmod 600 %s)\n",
                path, path);
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return false;
    }
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                fclose(f);
                return false;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    buf[n] = 0;
    *text = buf;
    *len = n;
    return true;
}

/* Copy a JSON string value (unescaped) into a fixed field, truncating safely. */
static void copy_field(char *dst, size_t cap, ltuya_str_t v)
{
    size_t n = 0;
    if (ltuya_json_unescape(v, dst, cap - 1, &n) != LTUYA_OK)
        n = 0;
    dst[n] = 0;
}

static bool str_is(ltuya_str_t s, const char *lit)
{
    return s.len == strlen(lit) && !memcmp(s.ptr, lit, s.len);
}

/* {"18":{"code":"cur_current","type":"Integer","values":{"unit":"mA","scale":0}}, ...}
 * Some wizard versions store "values" as a JSON string; both are read. */
static void parse_mapping(ltuya_str_t json, cli_device_entry_t *e)
{
    ltuya_json_iter_t it;
    ltuya_str_t key, val;
    bool is_str;
    if (ltuya_json_iter_init(&it, json.ptr, json.len) != LTUYA_OK)
        return;
    while (e->map_count < CLI_MAX_MAPPING &&
           ltuya_json_iter_next(&it, &key, &val, &is_str) == LTUYA_OK) {
        char idbuf[8];
        if (is_str || key.len == 0 || key.len >= sizeof idbuf)
            continue;
        memcpy(idbuf, key.ptr, key.len);
        idbuf[key.len] = 0;
        long dp = strtol(idbuf, NULL, 10);
        if (dp <= 0 || dp > 65535)
            continue;
        cli_dp_info_t *d = &e->map[e->map_count];
        memset(d, 0, sizeof *d);
        d->dp = (uint16_t)dp;
        ltuya_str_t v;
        bool vs;
        if (ltuya_json_get(val.ptr, val.len, "code", &v, &vs) == LTUYA_OK && vs)
            copy_field(d->code, sizeof d->code, v);
        if (ltuya_json_get(val.ptr, val.len, "type", &v, &vs) == LTUYA_OK && vs)
            d->is_bool = str_is(v, "Boolean") || str_is(v, "bool");
        ltuya_str_t values;
        char unescaped[512];
        if (ltuya_json_get(val.ptr, val.len, "values", &values, &vs) == LTUYA_OK) {
            if (vs) {
                size_t n;
                if (ltuya_json_unescape(values, unescaped, sizeof unescaped, &n) != LTUYA_OK)
                    n = 0;
                values.ptr = unescaped;
                values.len = n;
            }
            if (ltuya_json_get(values.ptr, values.len, "unit", &v, &vs) == LTUYA_OK && vs)
                copy_field(d->unit, sizeof d->unit, v);
            if (ltuya_json_get(values.ptr, values.len, "scale", &v, &vs) == LTUYA_OK && !vs &&
                v.len == 1 && v.ptr[0] >= '0' && v.ptr[0] <= '9')
                d->scale = (uint8_t)(v.ptr[0] - '0');
        }
        e->map_count++;
    }
}

static void parse_entry(ltuya_str_t obj, cli_device_entry_t *e)
{
    static const struct {
        const char *key;
        size_t off, cap;
    } fields[] = {
        {"name", offsetof(cli_device_entry_t, name), sizeof e->name},
        {"id", offsetof(cli_device_entry_t, id), sizeof e->id},
        {"key", offsetof(cli_device_entry_t, key), sizeof e->key},
        {"ip", offsetof(cli_device_entry_t, ip), sizeof e->ip},
        {"version", offsetof(cli_device_entry_t, version), sizeof e->version},
        {"product_id", offsetof(cli_device_entry_t, product), sizeof e->product},
        {"productKey", offsetof(cli_device_entry_t, product), sizeof e->product},
    };
    memset(e, 0, sizeof *e);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        ltuya_str_t v;
        bool is_str;
        if (ltuya_json_get(obj.ptr, obj.len, fields[i].key, &v, &is_str) != LTUYA_OK)
            continue;
        char *dst = (char *)e + fields[i].off;
        if (is_str) {
            copy_field(dst, fields[i].cap, v);
        } else if (v.len < fields[i].cap) { /* "version": 3.3 as a number */
            memcpy(dst, v.ptr, v.len);
            dst[v.len] = 0;
        }
    }
    ltuya_str_t mapping;
    bool is_str;
    if (ltuya_json_get(obj.ptr, obj.len, "mapping", &mapping, &is_str) == LTUYA_OK && !is_str)
        parse_mapping(mapping, e);
}

bool cli_devices_find(const char *text, size_t len, const char *name_or_id, cli_device_entry_t *out,
                      bool quiet)
{
    ltuya_json_iter_t it;
    ltuya_str_t key, val;
    bool is_str;
    if (ltuya_json_iter_init(&it, text, len) != LTUYA_OK || it.object) {
        if (!quiet)
            fprintf(stderr, "ltuya: devices.json is not a JSON array of devices\n");
        return false;
    }
    ltuya_status_t st;
    while ((st = ltuya_json_iter_next(&it, &key, &val, &is_str)) == LTUYA_OK) {
        if (is_str)
            continue;
        parse_entry(val, out);
        if (!strcmp(out->id, name_or_id) || (out->name[0] && !strcasecmp(out->name, name_or_id)))
            return true;
    }
    if (st != LTUYA_ERR_NOT_FOUND && !quiet)
        fprintf(stderr, "ltuya: devices.json is malformed (%s)\n", ltuya_status_str(st));
    memset(out, 0, sizeof *out);
    return false;
}

const cli_dp_info_t *cli_devices_dp(const cli_device_entry_t *e, uint16_t dp)
{
    for (size_t i = 0; i < e->map_count; i++)
        if (e->map[i].dp == dp)
            return &e->map[i];
    return NULL;
}

static const cli_dp_info_t *find_code(const cli_device_entry_t *e, const char *code)
{
    for (size_t i = 0; i < e->map_count; i++)
        if (!strcmp(e->map[i].code, code))
            return &e->map[i];
    return NULL;
}

void cli_devices_energy_map(const cli_device_entry_t *e, ltuya_energy_map_t *map)
{
    const cli_dp_info_t *v = find_code(e, "cur_voltage");
    const cli_dp_info_t *c = find_code(e, "cur_current");
    const cli_dp_info_t *p = find_code(e, "cur_power");
    memset(map, 0, sizeof *map);
    if (!v || !c || !p)
        return; /* let the library find the layout from the status */
    map->voltage_dp = v->dp;
    map->voltage_scale = v->scale;
    map->current_dp = c->dp;
    map->current_scale = c->scale;
    map->power_dp = p->dp;
    map->power_scale = p->scale;
}
