#include "devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <errno.h>

#include "cli.h"
#include "ltuya/json.h"
#include "util.h"

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

const char *cli_devices_path(const char *explicit_path)
{
    static char conf_path[1024];
    if (explicit_path)
        return explicit_path;
    const char *env = getenv("LTUYA_DEVICES");
    if (env && *env)
        return env;
    if (file_exists("devices.json"))
        return "devices.json";
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(conf_path, sizeof conf_path, "%s/ltuya/devices.json", xdg);
    else if (home)
        snprintf(conf_path, sizeof conf_path, "%s/.config/ltuya/devices.json", home);
    else
        return NULL;
    return file_exists(conf_path) ? conf_path : NULL;
}

bool cli_devices_load(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ltuya: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        /* a directory or /dev/null is a wrong path, not a device list */
        fprintf(stderr, "ltuya: %s is not a file (give the path of devices.json)\n", path);
        fclose(f);
        return false;
    }
    if (st.st_mode & (S_IRGRP | S_IROTH))
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
        if (ltuya_json_get(val.ptr, val.len, "type", &v, &vs) == LTUYA_OK && vs) {
            d->is_bool = str_is(v, "Boolean") || str_is(v, "bool");
            d->is_int = str_is(v, "Integer") || str_is(v, "value");
        }
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
        {"port", offsetof(cli_device_entry_t, port_text), sizeof e->port_text},
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

bool cli_devices_each(const char *text, size_t len,
                      void (*fn)(void *user, const cli_device_entry_t *e), void *user)
{
    static cli_device_entry_t e; /* large */
    ltuya_json_iter_t it;
    ltuya_str_t key, val;
    bool is_str;
    if (ltuya_json_iter_init(&it, text, len) != LTUYA_OK || it.object) {
        fprintf(stderr, "ltuya: devices.json is not a JSON array of devices\n");
        return false;
    }
    ltuya_status_t st;
    while ((st = ltuya_json_iter_next(&it, &key, &val, &is_str)) == LTUYA_OK) {
        if (is_str)
            continue;
        memset(&e, 0, sizeof e);
        parse_entry(val, &e);
        fn(user, &e);
    }
    if (st != LTUYA_ERR_NOT_FOUND) {
        fprintf(stderr, "ltuya: devices.json is malformed (%s)\n", ltuya_status_str(st));
        return false;
    }
    return true;
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

/* line:column (from 1) of byte `off` in text */
static void line_col(const char *text, size_t off, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static bool entry_matches(const cli_device_entry_t *e, const char *name_or_id)
{
    return !strcmp(e->id, name_or_id) || (e->name[0] && !strcasecmp(e->name, name_or_id));
}

/* An entry's own fields, checked as the command line checks them. */
static int check_entry(const char *path, unsigned line, cli_device_entry_t *e)
{
    if (e->port_text[0]) {
        char *end;
        long p = strtol(e->port_text, &end, 10);
        if (*end || p < 1 || p > 65535) {
            fprintf(stderr, "ltuya: %s:%u: \"port\" must be 1 .. 65535 (got %s)\n", path, line,
                    e->port_text);
            return CLI_EXIT_USAGE;
        }
        e->port = (unsigned)p;
    }
    uint8_t k[16];
    if (e->key[0] && !cli_key_from_text(e->key, k)) {
        fprintf(stderr, "ltuya: %s:%u: ", path, line);
        (void)cli_parse_key(e->key, k, "\"key\"");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_devices_resolve(const char *explicit_path, const char *name, cli_device_entry_t *out)
{
    const char *path = cli_devices_path(explicit_path);
    if (!path) {
        fprintf(stderr,
                "ltuya: no devices.json found (looked at $LTUYA_DEVICES, ./devices.json and\n"
                "       $XDG_CONFIG_HOME/ltuya/devices.json). Give --devices FILE, or the\n"
                "       device directly: --ip --id --key --version\n");
        return CLI_EXIT_CONFIG;
    }
    char *text = NULL;
    size_t len = 0;
    if (!cli_devices_load(path, &text, &len))
        return CLI_EXIT_CONFIG;
    ltuya_json_iter_t it;
    ltuya_str_t val;
    bool is_str;
    int rc = 0;
    unsigned found_line = 0, line, col;
    static cli_device_entry_t e; /* large: one lookup per process */
    memset(out, 0, sizeof *out);
    if (ltuya_json_iter_init(&it, text, len) != LTUYA_OK || it.object) {
        fprintf(stderr, "ltuya: %s: not a JSON array of devices (tinytuya's devices.json)\n", path);
        free(text);
        return CLI_EXIT_CONFIG;
    }
    ltuya_status_t st;
    for (;;) {
        size_t at = it.pos;
        st = ltuya_json_iter_next(&it, NULL, &val, &is_str);
        if (st != LTUYA_OK) {
            if (st != LTUYA_ERR_NOT_FOUND) {
                /* the element that failed starts after `at`: point at its first byte */
                while (at < len && (text[at] == ' ' || text[at] == '\n' || text[at] == '\r' ||
                                    text[at] == '\t' || text[at] == ',' || text[at] == '['))
                    at++;
                line_col(text, at, &line, &col);
                fprintf(stderr, "ltuya: %s:%u:%u: malformed JSON (%s) in the entry starting here\n",
                        path, line, col, ltuya_status_str(st));
                rc = CLI_EXIT_CONFIG;
            }
            break;
        }
        if (is_str)
            continue;
        parse_entry(val, &e);
        if (!entry_matches(&e, name))
            continue;
        line_col(text, (size_t)(val.ptr - text), &line, &col);
        if (found_line) {
            fprintf(stderr,
                    "ltuya: %s: '%s' matches two devices, at lines %u and %u ('%s' and '%s');\n"
                    "       rename one, or use the id\n",
                    path, name, found_line, line, out->name[0] ? out->name : out->id,
                    e.name[0] ? e.name : e.id);
            rc = CLI_EXIT_CONFIG;
            break;
        }
        if ((rc = check_entry(path, line, &e)) != 0)
            break;
        *out = e;
        found_line = line;
    }
    free(text);
    if (!rc && !found_line) {
        fprintf(stderr, "ltuya: no device named '%s' in %s\n", name, path);
        rc = CLI_EXIT_CONFIG;
    }
    return rc;
}
