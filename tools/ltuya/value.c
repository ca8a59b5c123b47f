#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * Sets *whole when there is no fraction and no exponent. */
static bool json_number(const char *s, bool *whole)
{
    const char *p = s;
    *whole = true;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (isdigit((unsigned char)*p))
            p++;
    else
        return false;
    if (*p == '.') {
        *whole = false;
        if (!isdigit((unsigned char)*++p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        *whole = false;
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == 0;
}

bool cli_value_parse(const char *text, uint16_t id, ltuya_dp_t *out, char *buf, size_t cap)
{
    bool whole;
    size_t len = strlen(text);
    if (!strcmp(text, "true") || !strcmp(text, "false")) {
        *out = ltuya_dp_bool(id, text[0] == 't');
        return true;
    }
    if (!strcmp(text, "null")) {
        fprintf(stderr,
                "ltuya: %u=null: null is not a value a device takes (quote it for the "
                "string: %u='\"null\"')\n",
                id, id);
        return false;
    }
    if (json_number(text, &whole)) {
        if (!whole) {
            fprintf(stderr,
                    "ltuya: %u=%s: Tuya values are whole numbers (a DP with a scale\n"
                    "       takes the scaled integer, e.g. 23.5 with scale 1 is 235)\n",
                    id, text);
            return false;
        }
        errno = 0;
        long long v = strtoll(text, NULL, 10);
        if (errno || v < INT32_MIN || v > INT32_MAX) {
            fprintf(stderr, "ltuya: %u=%s: out of range: Tuya integers are 32-bit (%ld .. %ld)\n",
                    id, text, (long)INT32_MIN, (long)INT32_MAX);
            return false;
        }
        *out = ltuya_dp_int(id, v);
        return true;
    }
    if (text[0] == '"') {
        size_t n = 0;
        ltuya_str_t inner = {text + 1, len >= 2 ? len - 2 : 0};
        if (len < 2 || text[len - 1] != '"' || ltuya_json_validate(text, len) != LTUYA_OK ||
            ltuya_json_unescape(inner, buf, cap, &n) != LTUYA_OK) {
            fprintf(stderr, "ltuya: %u=%s: not a well-formed JSON string\n", id, text);
            return false;
        }
        *out = ltuya_dp_str(id, buf, n);
        return true;
    }
    if (text[0] == '{' || text[0] == '[') {
        fprintf(stderr,
                "ltuya: %u=%s: objects and arrays are not DP values; quote the text to\n"
                "       send it as a string: %u='\"...\"' with inner quotes escaped\n",
                id, text, id);
        return false;
    }
    if (len >= cap) {
        fprintf(stderr, "ltuya: %u=...: the value is %zu bytes; at most %zu\n", id, len, cap - 1);
        return false;
    }
    memcpy(buf, text, len);
    *out = ltuya_dp_str(id, buf, len); /* a bare word is a string */
    return true;
}

static const char *type_name(ltuya_dp_type_t t)
{
    switch (t) {
    case LTUYA_DP_BOOL:
        return "a boolean (true/false)";
    case LTUYA_DP_INT:
        return "an integer";
    case LTUYA_DP_STR:
        return "a string";
    case LTUYA_DP_NULL:
        return "null";
    default:
        return "raw JSON";
    }
}

bool cli_value_check(const ltuya_dp_t *want, const ltuya_dp_t *current, const cli_dp_info_t *info)
{
    ltuya_dp_type_t known = LTUYA_DP_NULL;
    const char *from = "";
    if (current && (current->type == LTUYA_DP_BOOL || current->type == LTUYA_DP_INT ||
                    current->type == LTUYA_DP_STR)) {
        known = current->type;
        from = "the device reports it as";
    } else if (info && (info->is_bool || info->is_int)) {
        known = info->is_bool ? LTUYA_DP_BOOL : LTUYA_DP_INT;
        from = "devices.json's mapping says it is";
    }
    if (known == LTUYA_DP_NULL || known == want->type)
        return true;
    fprintf(stderr, "ltuya: DP %u: %s %s, not %s", want->id, from, type_name(known),
            type_name(want->type));
    if (want->type == LTUYA_DP_STR)
        fprintf(stderr, " ('%.*s')", (int)want->str.len, want->str.ptr);
    fprintf(stderr, "; nothing was sent\n");
    return false;
}

/* A string DP's text without JSON escapes, into buf. */
static ltuya_str_t plain(const ltuya_dp_t *d, char *buf, size_t cap)
{
    ltuya_str_t s = d->str;
    size_t n;
    if (d->escaped && ltuya_json_unescape(d->str, buf, cap, &n) == LTUYA_OK) {
        s.ptr = buf;
        s.len = n;
    }
    return s;
}

bool cli_value_equal(const ltuya_dp_t *a, const ltuya_dp_t *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case LTUYA_DP_BOOL:
        return a->b == b->b;
    case LTUYA_DP_INT:
        return a->i == b->i;
    case LTUYA_DP_STR:
    case LTUYA_DP_RAW: {
        static char ab[LTUYA_MAX_FRAME], bb[LTUYA_MAX_FRAME];
        ltuya_str_t x = plain(a, ab, sizeof ab), y = plain(b, bb, sizeof bb);
        return x.len == y.len && !memcmp(x.ptr, y.ptr, x.len);
    }
    default:
        return true;
    }
}

void cli_value_print(FILE *f, const ltuya_dp_t *dp)
{
    switch (dp->type) {
    case LTUYA_DP_BOOL:
        fputs(dp->b ? "true" : "false", f);
        break;
    case LTUYA_DP_INT:
        fprintf(f, "%lld", (long long)dp->i);
        break;
    case LTUYA_DP_STR:
        if (dp->escaped) /* still as the device escaped it: valid JSON inside quotes */
            fprintf(f, "\"%.*s\"", (int)dp->str.len, dp->str.ptr);
        else
            cli_json_string(f, dp->str.ptr, dp->str.len);
        break;
    case LTUYA_DP_RAW:
        fprintf(f, "%.*s", (int)dp->str.len, dp->str.ptr);
        break;
    default:
        fputs("null", f);
    }
}

bool cli_value_fits(ltuya_version_t v, const char *dev_id, const ltuya_dp_t *dps, size_t n)
{
    ltuya_jw_t w;
    char probe[1];
    size_t len;
    ltuya_jw_init(&w, probe, sizeof probe);
    ltuya_json_control(&w, v, dev_id, NULL, 1700000000, dps, n);
    (void)ltuya_jw_finish(&w, &len); /* too small on purpose: it reports the size */
    if (len <= CLI_MAX_WRITE_JSON)
        return true;
    fprintf(stderr,
            "ltuya: the write is %zu bytes of JSON; one frame carries at most %d\n"
            "       (LTUYA_JSON_SCRATCH / LTUYA_DEVICE_TX_SIZE); nothing was sent\n",
            len, (int)CLI_MAX_WRITE_JSON);
    return false;
}
