/* tuya-local-format device configs -> ltuya profiles, with libyaml's
 * document API (profile_yaml.h lists the subset read). */
#include "profile_yaml.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LTUYA_HAVE_YAML
#include <yaml.h>
#endif

static bool fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && cap)
        vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return false;
}

int cli_yaml_matches(const cli_yaml_profile_t *y, const char *product_key,
                     const ltuya_dps_t *status)
{
    if (product_key && *product_key)
        for (size_t i = 0; i < y->n_products; i++)
            if (!strcmp(y->products[i], product_key))
                return 2;
    if (!status || !status->count || !y->profile.count)
        return 0;
    for (size_t i = 0; i < status->count; i++)
        if (!ltuya_profile_find(&y->profile, status->dp[i].id))
            return 0;
    for (size_t i = 0; i < y->profile.count; i++) {
        uint16_t id = y->profile.dp[i].id;
        bool optional = false;
        for (size_t k = 0; k < y->n_optional; k++)
            optional |= y->optional[k] == id;
        if (!optional && !ltuya_dps_find(status, id))
            return 0;
    }
    return 1;
}

#ifndef LTUYA_HAVE_YAML

bool cli_yaml_available(void)
{
    return false;
}

bool cli_yaml_parse(const char *text, size_t len, const char *filename, cli_yaml_profile_t *out,
                    char *err, size_t errcap)
{
    (void)text, (void)len, (void)out;
    return fail(err, errcap, "%s: this ltuya was built without libyaml (install libyaml-dev)",
                filename);
}

#else

bool cli_yaml_available(void)
{
    return true;
}

/* ---- document helpers -------------------------------------------------------- */

typedef struct {
    yaml_document_t *doc;
    const char *file;
    char *err;
    size_t errcap;
    cli_yaml_profile_t *out;
} ctx_t;

static bool fail_at(ctx_t *c, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fail(c->err, c->errcap, "%s:%zu: %s", c->file, n ? n->start_mark.line + 1 : 1, msg);
}

static yaml_node_t *node(ctx_t *c, int index)
{
    return yaml_document_get_node(c->doc, index);
}

static bool is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

/* A scalar's text, NUL-terminated into buf; false if not a scalar or too long. */
static bool scalar(const yaml_node_t *n, char *buf, size_t cap)
{
    if (!is_scalar(n) || n->data.scalar.length >= cap)
        return false;
    memcpy(buf, n->data.scalar.value, n->data.scalar.length);
    buf[n->data.scalar.length] = 0;
    return true;
}

static bool scalar_is(const yaml_node_t *n, const char *lit)
{
    return is_scalar(n) && n->data.scalar.length == strlen(lit) &&
           !memcmp(n->data.scalar.value, lit, n->data.scalar.length);
}

static yaml_node_t *map_get(ctx_t *c, const yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        if (scalar_is(node(c, p->key), key))
            return node(c, p->value);
    return NULL;
}

static bool get_int(ctx_t *c, const yaml_node_t *n, const char *what, int64_t lo, int64_t hi,
                    int64_t *out)
{
    char buf[32];
    if (!scalar(n, buf, sizeof buf) || ltuya_scaled_parse(buf, strlen(buf), 0, out) != LTUYA_OK)
        return fail_at(c, n, "%s must be a whole number", what);
    if (*out < lo || *out > hi)
        return fail_at(c, n, "%s %lld is out of range", what, (long long)*out);
    return true;
}

static bool get_bool(const yaml_node_t *n)
{
    return scalar_is(n, "true") || scalar_is(n, "True") || scalar_is(n, "yes");
}

/* ---- roles and codes ----------------------------------------------------------- */

static ltuya_role_t role_of(const char *entity, const char *dp_name, const char *cls)
{
    static const struct {
        const char *name;
        ltuya_role_t role;
    } by_name[] = {
        {"brightness", LTUYA_ROLE_BRIGHTNESS},
        {"color_temp", LTUYA_ROLE_COLOUR_TEMP},
        {"rgbhsv", LTUYA_ROLE_COLOUR},
        {"color_mode", LTUYA_ROLE_MODE},
        {"effect", LTUYA_ROLE_SCENE},
        {"position", LTUYA_ROLE_POSITION},
        {"current_position", LTUYA_ROLE_POSITION_STATE},
        {"current_temperature", LTUYA_ROLE_CURRENT_TEMP},
        {"current_humidity", LTUYA_ROLE_HUMIDITY},
        {"hvac_mode", LTUYA_ROLE_MODE},
        {"preset_mode", LTUYA_ROLE_MODE},
        {"speed", LTUYA_ROLE_FAN_SPEED},
        {"direction", LTUYA_ROLE_DIRECTION},
    };
    static const struct {
        const char *cls;
        ltuya_role_t role;
    } by_class[] = {
        {"power", LTUYA_ROLE_POWER},
        {"voltage", LTUYA_ROLE_VOLTAGE},
        {"current", LTUYA_ROLE_CURRENT},
        {"energy", LTUYA_ROLE_ENERGY},
        {"temperature", LTUYA_ROLE_CURRENT_TEMP},
        {"humidity", LTUYA_ROLE_HUMIDITY},
        {"battery", LTUYA_ROLE_BATTERY},
    };
    for (size_t i = 0; i < sizeof by_name / sizeof by_name[0]; i++)
        if (!strcmp(dp_name, by_name[i].name))
            return by_name[i].role;
    if (!strcmp(dp_name, "switch"))
        return LTUYA_ROLE_SWITCH;
    if (!strcmp(dp_name, "control") && !strcmp(entity, "cover"))
        return LTUYA_ROLE_COVER_CONTROL;
    if (!strcmp(dp_name, "temperature") && !strcmp(entity, "climate"))
        return LTUYA_ROLE_TARGET_TEMP;
    if (!strcmp(dp_name, "sensor") || !strcmp(dp_name, "value"))
        for (size_t i = 0; i < sizeof by_class / sizeof by_class[0]; i++)
            if (!strcmp(cls, by_class[i].cls))
                return by_class[i].role;
    return LTUYA_ROLE_NONE;
}

/* The code a config's DP gets: its name within the entity, or for an
 * entity's main value ("switch" of a switch, "sensor" of a sensor) the
 * entity's name or class; "_<id>" is appended when another DP has it. */
static void make_code(const cli_yaml_profile_t *y, uint16_t id, const char *entity,
                      const char *ename, const char *cls, const char *dp_name, char *code,
                      size_t cap)
{
    const char *base = dp_name;
    bool main_value = !strcmp(dp_name, "sensor") || !strcmp(dp_name, "value") ||
                      !strcmp(dp_name, "option") ||
                      (!strcmp(dp_name, "switch") && !strcmp(entity, "switch"));
    if (main_value)
        base = ename[0] ? ename : cls[0] ? cls : dp_name;
    size_t n = 0;
    for (const char *s = base; *s && n + 1 < cap; s++) /* "Child lock" -> child_lock */
        code[n++] = (*s == ' ' || *s == '-')   ? '_'
                    : (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a')
                                               : *s;
    code[n] = 0;
    const ltuya_pdp_t *other = ltuya_profile_find_code(&y->profile, code);
    if (other && other->id != id) {
        char suffix[8];
        snprintf(suffix, sizeof suffix, "_%u", id);
        if (n + strlen(suffix) < cap)
            strcat(code, suffix);
    }
}

/* ---- one DP of an entity -------------------------------------------------------- */

static bool read_mapping(ctx_t *c, const yaml_node_t *m, ltuya_pdp_t *d, bool enum_values)
{
    if (m->type != YAML_SEQUENCE_NODE)
        return fail_at(c, m, "mapping must be a list");
    for (yaml_node_item_t *it = m->data.sequence.items.start; it < m->data.sequence.items.top;
         it++) {
        yaml_node_t *item = node(c, *it);
        if (!item || item->type != YAML_MAPPING_NODE)
            return fail_at(c, item ? item : m, "a mapping entry must be a map");
        yaml_node_t *val = map_get(c, item, "dps_val");
        yaml_node_t *scale = map_get(c, item, "scale");
        if (scale && !val) {
            int64_t div;
            if (!get_int(c, scale, "scale", 1, 1000000000, &div))
                return false;
            unsigned exp = 0;
            while (div % 10 == 0) {
                div /= 10;
                exp++;
            }
            if (div != 1)
                return fail_at(c, scale, "scale must be a power of 10 (1, 10, 100 ...)");
            d->scale = (uint8_t)exp;
            d->set |= LTUYA_PF_SCALE;
        }
        if (val && enum_values && is_scalar(val) && val->data.scalar.length &&
            !scalar_is(val, "null")) {
            ltuya_status_t st = ltuya_pdp_add_enum(d, (const char *)val->data.scalar.value,
                                                   val->data.scalar.length);
            if (st == LTUYA_ERR_BUF_TOO_SMALL)
                return fail_at(c, val, "too many enum values for DP %u", d->id);
            if (st != LTUYA_OK)
                return fail_at(c, val, "enum value holds ','");
            d->type = LTUYA_VT_ENUM;
        }
    }
    return true;
}

static bool read_dp(ctx_t *c, const yaml_node_t *n, const char *entity, const char *ename,
                    const char *cls)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(c, n, "each dps entry must be a map");
    ltuya_pdp_t d;
    memset(&d, 0, sizeof d);
    int64_t id;
    yaml_node_t *idn = map_get(c, n, "id");
    if (!idn)
        return fail_at(c, n, "dps entry without id");
    if (!get_int(c, idn, "id", 1, 65535, &id))
        return false;
    d.id = (uint16_t)id;
    char name[48], type[16], unit[LTUYA_PROFILE_UNIT_LEN];
    yaml_node_t *nn = map_get(c, n, "name"), *tn = map_get(c, n, "type");
    if (!scalar(nn, name, sizeof name))
        return fail_at(c, nn ? nn : n, "DP %u: name missing or not a short text", d.id);
    if (!scalar(tn, type, sizeof type))
        return fail_at(c, tn ? tn : n, "DP %u: type missing or not a text", d.id);
    static const struct {
        const char *name;
        ltuya_vtype_t t;
    } types[] = {
        {"boolean", LTUYA_VT_BOOL},    {"integer", LTUYA_VT_INT},   {"string", LTUYA_VT_STRING},
        {"json", LTUYA_VT_JSON},       {"base64", LTUYA_VT_RAW},    {"hex", LTUYA_VT_RAW},
        {"bitfield", LTUYA_VT_BITMAP}, {"float", LTUYA_VT_UNKNOWN}, {"utf16b64", LTUYA_VT_RAW},
    };
    size_t ti = 0;
    while (ti < sizeof types / sizeof types[0] && strcmp(types[ti].name, type))
        ti++;
    if (ti == sizeof types / sizeof types[0])
        return fail_at(c, tn, "DP %u: unknown type '%s'", d.id, type);
    d.type = (uint8_t)types[ti].t;
    if (d.type != LTUYA_VT_UNKNOWN)
        d.set |= LTUYA_PF_TYPE;

    char code[LTUYA_PROFILE_CODE_LEN];
    make_code(c->out, d.id, entity, ename, cls, name, code, sizeof code);
    ltuya_pdp_set_code(&d, code, strlen(code));
    ltuya_role_t role = role_of(entity, name, cls);
    if (role != LTUYA_ROLE_NONE) {
        d.role = (uint8_t)role;
        d.set |= LTUYA_PF_ROLE;
    }
    yaml_node_t *un = map_get(c, n, "unit");
    if (un) {
        if (!scalar(un, unit, sizeof unit))
            return fail_at(c, un, "DP %u: unit must be a short text", d.id);
        ltuya_pdp_set_unit(&d, unit, strlen(unit));
    }
    yaml_node_t *rn = map_get(c, n, "range");
    if (rn) {
        int64_t min, max;
        yaml_node_t *mn = map_get(c, rn, "min"), *mx = map_get(c, rn, "max");
        if (!mn || !mx)
            return fail_at(c, rn, "DP %u: range needs min and max", d.id);
        if (!get_int(c, mn, "min", INT32_MIN, INT32_MAX, &min) ||
            !get_int(c, mx, "max", INT32_MIN, INT32_MAX, &max))
            return false;
        if (min > max)
            return fail_at(c, rn, "DP %u: min above max", d.id);
        ltuya_pdp_set_range(&d, (int32_t)min, (int32_t)max);
    }
    yaml_node_t *mp = map_get(c, n, "mapping");
    if (mp && !read_mapping(c, mp, &d, d.type == LTUYA_VT_STRING))
        return false;
    if (d.type == LTUYA_VT_ENUM)
        d.set |= LTUYA_PF_TYPE;
    yaml_node_t *fn = map_get(c, n, "format");
    if (fn && fn->type == YAML_SEQUENCE_NODE && role == LTUYA_ROLE_COLOUR) {
        int64_t bytes = 0, b;
        for (yaml_node_item_t *it = fn->data.sequence.items.start; it < fn->data.sequence.items.top;
             it++) {
            yaml_node_t *bn = map_get(c, node(c, *it), "bytes");
            if (!bn || !get_int(c, bn, "bytes", 1, 8, &b))
                return bn ? false : fail_at(c, fn, "DP %u: format entry without bytes", d.id);
            bytes += b;
        }
        if (bytes != 6 && bytes != 7)
            return fail_at(c, fn,
                           "DP %u: colour format of %lld bytes is not HSV (6) or "
                           "RGB+HSV (7)",
                           d.id, (long long)bytes);
        d.colour = bytes == 6 ? LTUYA_COLOUR_HEX12 : LTUYA_COLOUR_HEX14;
        d.set |= LTUYA_PF_COLOUR;
    }
    if (get_bool(map_get(c, n, "optional")) && c->out->n_optional < LTUYA_PROFILE_MAX_DPS)
        c->out->optional[c->out->n_optional++] = d.id;
    ltuya_status_t st = ltuya_profile_put(&c->out->profile, &d, LTUYA_PSRC_FILE);
    if (st != LTUYA_OK)
        return fail_at(c, n, "DP %u: %s (more than %d DPs?)", d.id, ltuya_status_str(st),
                       LTUYA_PROFILE_MAX_DPS);
    return true;
}

static bool read_entity(ctx_t *c, const yaml_node_t *e)
{
    if (!e || e->type != YAML_MAPPING_NODE)
        return fail_at(c, e, "an entity must be a map");
    char entity[24], ename[48] = "", cls[32] = "";
    yaml_node_t *en = map_get(c, e, "entity");
    if (!scalar(en, entity, sizeof entity))
        return fail_at(c, en ? en : e, "entity without a valid 'entity:' type");
    yaml_node_t *nn = map_get(c, e, "name"), *cn = map_get(c, e, "class");
    if (nn && !scalar(nn, ename, sizeof ename))
        return fail_at(c, nn, "entity name must be a short text");
    if (cn && !scalar(cn, cls, sizeof cls))
        return fail_at(c, cn, "class must be a short text");
    yaml_node_t *dps = map_get(c, e, "dps");
    if (!dps || dps->type != YAML_SEQUENCE_NODE)
        return fail_at(c, dps ? dps : e, "entity '%s' without a dps list", entity);
    for (yaml_node_item_t *it = dps->data.sequence.items.start; it < dps->data.sequence.items.top;
         it++) {
        yaml_node_t *dn = node(c, *it);
        if (!dn)
            return fail_at(c, dps, "bad dps entry");
        if (!read_dp(c, dn, entity, ename, cls))
            return false;
    }
    return true;
}

static bool read_doc(ctx_t *c, const yaml_node_t *root)
{
    if (!root || root->type != YAML_MAPPING_NODE)
        return fail_at(c, root, "the document must be a map (name, products, entities)");
    yaml_node_t *nn = map_get(c, root, "name");
    if (nn && !scalar(nn, c->out->name, sizeof c->out->name))
        return fail_at(c, nn, "name must be a text of less than %zu bytes", sizeof c->out->name);
    yaml_node_t *products = map_get(c, root, "products");
    if (products) {
        if (products->type != YAML_SEQUENCE_NODE)
            return fail_at(c, products, "products must be a list");
        for (yaml_node_item_t *it = products->data.sequence.items.start;
             it < products->data.sequence.items.top; it++) {
            yaml_node_t *pid = map_get(c, node(c, *it), "id");
            if (!pid)
                return fail_at(c, node(c, *it) ? node(c, *it) : products, "product without id");
            if (c->out->n_products == CLI_YAML_MAX_PRODUCTS)
                continue; /* more products than kept: the DP set still matches */
            if (!scalar(pid, c->out->products[c->out->n_products], sizeof c->out->products[0]))
                return fail_at(c, pid, "product id must be a short text");
            c->out->n_products++;
        }
    }
    bool any = false;
    yaml_node_t *primary = map_get(c, root, "primary_entity");
    if (primary) {
        if (!read_entity(c, primary))
            return false;
        any = true;
    }
    const char *lists[] = {"secondary_entities", "entities"};
    for (size_t l = 0; l < 2; l++) {
        yaml_node_t *seq = map_get(c, root, lists[l]);
        if (!seq)
            continue;
        if (seq->type != YAML_SEQUENCE_NODE)
            return fail_at(c, seq, "%s must be a list", lists[l]);
        for (yaml_node_item_t *it = seq->data.sequence.items.start;
             it < seq->data.sequence.items.top; it++)
            if (!read_entity(c, node(c, *it)))
                return false;
        any = true;
    }
    if (!any)
        return fail_at(c, root, "no entities (entities: or primary_entity:)");
    return true;
}

bool cli_yaml_parse(const char *text, size_t len, const char *filename, cli_yaml_profile_t *out,
                    char *err, size_t errcap)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    memset(out, 0, sizeof *out);
    ltuya_profile_init(&out->profile);
    if (!yaml_parser_initialize(&parser))
        return fail(err, errcap, "%s: out of memory", filename);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        fail(err, errcap, "%s:%zu: %s%s%s", filename, parser.problem_mark.line + 1,
             parser.problem ? parser.problem : "malformed YAML", parser.context ? " " : "",
             parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return false;
    }
    ctx_t c = {&doc, filename, err, errcap, out};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    bool ok = root ? read_doc(&c, root) : fail(err, errcap, "%s:1: empty document", filename);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return ok;
}

#endif /* LTUYA_HAVE_YAML */

static bool yaml_name(const char *n)
{
    size_t l = strlen(n);
    return n[0] != '.' &&
           ((l > 5 && !strcmp(n + l - 5, ".yaml")) || (l > 4 && !strcmp(n + l - 4, ".yml")));
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 8192, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
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
    *len = n;
    return buf;
}

int cli_yaml_match_dir(const char *dir, const char *product_key, const ltuya_dps_t *status,
                       cli_yaml_profile_t *out, char *matched, size_t matched_cap, char *err,
                       size_t errcap)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        fail(err, errcap, "%s: cannot read the directory", dir);
        return -1;
    }
    cli_yaml_profile_t *cand = malloc(sizeof *cand);
    int best = 0, rc = 0;
    for (int i = 0; i < n; i++) {
        if (cand && rc >= 0 && yaml_name(names[i]->d_name)) {
            char path[4096];
            size_t len;
            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            char *text = read_file(path, &len);
            if (!text) {
                fail(err, errcap, "%s: cannot read", path);
                rc = -1;
            } else if (!cli_yaml_parse(text, len, path, cand, err, errcap)) {
                rc = -1;
            } else {
                int m = cli_yaml_matches(cand, product_key, status);
                if (m > best) {
                    best = m;
                    *out = *cand;
                    snprintf(matched, matched_cap, "%s", path);
                }
            }
            free(text);
        }
        free(names[i]);
    }
    free(names);
    if (!cand) {
        fail(err, errcap, "out of memory");
        return -1;
    }
    free(cand);
    return rc < 0 ? -1 : best > 0;
}
