/* devices.json "mapping" / "category" / "overrides" -> ltuya_profile_t. */
#include "profile_mapping.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && cap)
        vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return false;
}

/* Unescaped copy of a JSON string value; false if it does not fit. */
static bool unescape(ltuya_str_t v, char *dst, size_t cap, size_t *n)
{
    if (ltuya_json_unescape(v, dst, cap - 1, n) != LTUYA_OK)
        return false;
    dst[*n] = 0;
    return true;
}

bool cli_mapping_find_entry(const char *text, size_t len, const char *name_or_id,
                            ltuya_str_t *entry)
{
    ltuya_json_iter_t it;
    ltuya_str_t key, val, v;
    bool is_str, vs;
    if (ltuya_json_iter_init(&it, text, len) != LTUYA_OK || it.object)
        return false;
    while (ltuya_json_iter_next(&it, &key, &val, &is_str) == LTUYA_OK) {
        if (is_str)
            continue;
        char buf[128];
        size_t n;
        if (ltuya_json_get(val.ptr, val.len, "id", &v, &vs) == LTUYA_OK && vs &&
            unescape(v, buf, sizeof buf, &n) && !strcmp(buf, name_or_id)) {
            *entry = val;
            return true;
        }
        if (ltuya_json_get(val.ptr, val.len, "name", &v, &vs) == LTUYA_OK && vs &&
            unescape(v, buf, sizeof buf, &n) && !strcasecmp(buf, name_or_id)) {
            *entry = val;
            return true;
        }
    }
    return false;
}

/* An integer member of an object; *present false when absent. */
static bool get_int(ltuya_str_t obj, const char *key, long long lo, long long hi, bool *present,
                    int64_t *out)
{
    ltuya_str_t v;
    bool vs;
    *present = false;
    if (ltuya_json_get(obj.ptr, obj.len, key, &v, &vs) != LTUYA_OK)
        return true;
    *present = true;
    (void)vs; /* some exports quote numbers ("scale": "1"); both are read */
    if (ltuya_scaled_parse(v.ptr, v.len, 0, out) != LTUYA_OK || *out < lo || *out > hi)
        return false;
    return true;
}

/* A string member, unescaped into dst; *present false when absent. */
static bool get_str(ltuya_str_t obj, const char *key, char *dst, size_t cap, bool *present)
{
    ltuya_str_t v;
    bool vs;
    size_t n;
    *present = false;
    if (ltuya_json_get(obj.ptr, obj.len, key, &v, &vs) != LTUYA_OK)
        return true;
    *present = true;
    return vs && unescape(v, dst, cap, &n);
}

/* Read the fields of one DP description (mapping entry, "values" object or
 * override) into d. */
static bool read_fields(ltuya_str_t obj, uint16_t id, ltuya_pdp_t *d, char *err, size_t cap)
{
    bool present;
    int64_t x, min = 0, max = 0;
    bool has_min, has_max;
    char text[LTUYA_PROFILE_ENUM_LEN];

    if (!get_str(obj, "code", text, LTUYA_PROFILE_CODE_LEN, &present))
        return fail(err, cap, "DP %u: \"code\" must be a short string", id);
    if (present)
        ltuya_pdp_set_code(d, text, strlen(text));
    if (!get_str(obj, "type", text, 16, &present))
        return fail(err, cap, "DP %u: \"type\" must be a string", id);
    if (present) {
        ltuya_vtype_t t = ltuya_vtype_from_name(text, strlen(text));
        if (t == LTUYA_VT_UNKNOWN)
            return fail(err, cap, "DP %u: unknown type \"%s\"", id, text);
        d->type = (uint8_t)t;
        d->set |= LTUYA_PF_TYPE;
    }
    if (!get_str(obj, "unit", text, LTUYA_PROFILE_UNIT_LEN, &present))
        return fail(err, cap, "DP %u: \"unit\" must be a short string", id);
    if (present)
        ltuya_pdp_set_unit(d, text, strlen(text));
    if (!get_str(obj, "role", text, 24, &present))
        return fail(err, cap, "DP %u: \"role\" must be a string", id);
    if (present) {
        ltuya_role_t r = ltuya_role_from_name(text);
        if (r == LTUYA_ROLE_NONE && strcmp(text, "none"))
            return fail(err, cap, "DP %u: unknown role \"%s\"", id, text);
        d->role = (uint8_t)r;
        d->set |= LTUYA_PF_ROLE;
    }
    if (!get_int(obj, "scale", 0, 9, &present, &x))
        return fail(err, cap, "DP %u: \"scale\" must be 0-9", id);
    if (present) {
        d->scale = (uint8_t)x;
        d->set |= LTUYA_PF_SCALE;
    }
    if (!get_int(obj, "step", 0, INT32_MAX, &present, &x))
        return fail(err, cap, "DP %u: \"step\" must be a whole number", id);
    if (present) {
        d->step = (int32_t)x;
        d->set |= LTUYA_PF_STEP;
    }
    if (!get_int(obj, "min", INT32_MIN, INT32_MAX, &has_min, &min) ||
        !get_int(obj, "max", INT32_MIN, INT32_MAX, &has_max, &max))
        return fail(err, cap, "DP %u: \"min\"/\"max\" must be whole numbers", id);
    if (has_min && has_max) {
        if (min > max)
            return fail(err, cap, "DP %u: min %lld is above max %lld", id, (long long)min,
                        (long long)max);
        ltuya_pdp_set_range(d, (int32_t)min, (int32_t)max);
    } else if (has_max && max >= 0 && d->type == LTUYA_VT_STRING) {
        ltuya_pdp_set_range(d, 0, (int32_t)max); /* "maxlen" style */
    }
    ltuya_str_t range;
    bool rs;
    if (ltuya_json_get(obj.ptr, obj.len, "range", &range, &rs) == LTUYA_OK && !rs) {
        ltuya_json_iter_t it;
        ltuya_str_t v;
        bool vs;
        if (ltuya_json_iter_init(&it, range.ptr, range.len) != LTUYA_OK || it.object)
            return fail(err, cap, "DP %u: \"range\" must be a list of values", id);
        d->enums[0] = 0;
        ltuya_status_t st;
        while ((st = ltuya_json_iter_next(&it, NULL, &v, &vs)) == LTUYA_OK) {
            size_t n;
            if (!vs || !unescape(v, text, sizeof text, &n))
                return fail(err, cap, "DP %u: \"range\" values must be strings", id);
            st = ltuya_pdp_add_enum(d, text, n);
            if (st == LTUYA_ERR_BUF_TOO_SMALL)
                return fail(err, cap, "DP %u: too many enum values (over %d bytes)", id,
                            LTUYA_PROFILE_ENUM_LEN);
            if (st != LTUYA_OK)
                return fail(err, cap, "DP %u: enum value \"%s\" is empty or holds ','", id, text);
        }
        if (st != LTUYA_ERR_NOT_FOUND)
            return fail(err, cap, "DP %u: \"range\" is malformed", id);
        d->set |= LTUYA_PF_ENUM;
    }
    return true;
}

static bool read_dp(ltuya_str_t key, ltuya_str_t val, ltuya_psrc_t src, ltuya_profile_t *p,
                    char *err, size_t cap)
{
    char idtext[8];
    size_t n;
    if (key.len == 0 || key.len >= sizeof idtext)
        return fail(err, cap, "\"%.*s\" is not a DP number", (int)(key.len > 20 ? 20 : key.len),
                    key.ptr);
    memcpy(idtext, key.ptr, key.len);
    idtext[key.len] = 0;
    int64_t id;
    if (ltuya_scaled_parse(idtext, key.len, 0, &id) != LTUYA_OK || id < 1 || id > 65535 ||
        !(idtext[0] >= '0' && idtext[0] <= '9'))
        return fail(err, cap, "\"%s\" is not a DP number", idtext);
    ltuya_pdp_t d;
    memset(&d, 0, sizeof d);
    d.id = (uint16_t)id;
    if (!read_fields(val, d.id, &d, err, cap))
        return false;
    ltuya_str_t values;
    bool vs;
    char unescaped[1024];
    if (ltuya_json_get(val.ptr, val.len, "values", &values, &vs) == LTUYA_OK) {
        if (vs) { /* older wizard versions: the object as a JSON string */
            if (!unescape(values, unescaped, sizeof unescaped, &n))
                return fail(err, cap, "DP %u: \"values\" is too long", d.id);
            values.ptr = unescaped;
            values.len = n;
        }
        if (values.len && values.ptr[0] == '{' && !read_fields(values, d.id, &d, err, cap))
            return false;
    }
    (void)n;
    ltuya_status_t st = ltuya_profile_put(p, &d, src);
    if (st == LTUYA_ERR_BUF_TOO_SMALL)
        return fail(err, cap, "more than %d DPs", LTUYA_PROFILE_MAX_DPS);
    return st == LTUYA_OK ? true : fail(err, cap, "DP %u: %s", d.id, ltuya_status_str(st));
}

bool cli_mapping_apply_object(ltuya_str_t mapping, ltuya_psrc_t src, ltuya_profile_t *p, char *err,
                              size_t cap)
{
    ltuya_json_iter_t it;
    ltuya_str_t key, val;
    bool is_str;
    if (ltuya_json_iter_init(&it, mapping.ptr, mapping.len) != LTUYA_OK || !it.object)
        return fail(err, cap, "not a JSON object");
    ltuya_status_t st;
    while ((st = ltuya_json_iter_next(&it, &key, &val, &is_str)) == LTUYA_OK) {
        if (key.len == 8 && !memcmp(key.ptr, "category", 8)) {
            char cat[8];
            size_t n;
            if (!is_str || !unescape(val, cat, sizeof cat, &n) || !n)
                return fail(err, cap, "\"category\" must be a short string");
            ltuya_profile_set_category(p, cat, src);
            continue;
        }
        if (is_str || !val.len || val.ptr[0] != '{')
            return fail(err, cap, "DP \"%.*s\": not an object", (int)(key.len > 20 ? 20 : key.len),
                        key.ptr);
        if (!read_dp(key, val, src, p, err, cap))
            return false;
    }
    if (st != LTUYA_ERR_NOT_FOUND)
        return fail(err, cap, "malformed JSON (%s)", ltuya_status_str(st));
    return true;
}

bool cli_mapping_apply(ltuya_str_t entry, ltuya_profile_t *p, char *err, size_t cap)
{
    ltuya_str_t v;
    bool vs;
    char cat[8];
    size_t n;
    if (ltuya_json_get(entry.ptr, entry.len, "category", &v, &vs) == LTUYA_OK && vs &&
        unescape(v, cat, sizeof cat, &n) && n)
        ltuya_profile_set_category(p, cat, LTUYA_PSRC_MAPPING);
    char sub[200];
    if (ltuya_json_get(entry.ptr, entry.len, "mapping", &v, &vs) == LTUYA_OK && !vs &&
        !(v.len == 4 && !memcmp(v.ptr, "null", 4)) &&
        !(v.len >= 2 && v.ptr[0] == '{' && v.ptr[v.len - 1] == '}' &&
          cli_mapping_apply_object(v, LTUYA_PSRC_MAPPING, p, sub, sizeof sub)))
        return fail(err, cap, "devices.json mapping: %s",
                    v.len && v.ptr[0] == '{' ? sub : "not a JSON object");
    if (ltuya_json_get(entry.ptr, entry.len, "overrides", &v, &vs) == LTUYA_OK &&
        (vs || !cli_mapping_apply_object(v, LTUYA_PSRC_OVERRIDE, p, sub, sizeof sub)))
        return fail(err, cap, "devices.json overrides: %s", vs ? "not a JSON object" : sub);
    return true;
}
