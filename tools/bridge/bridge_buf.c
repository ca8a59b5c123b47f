/* Growable text buffer (bridge_buf.h). */
#include "bridge_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bbuf_init(bbuf_t *b)
{
    memset(b, 0, sizeof *b);
}

void bbuf_free(bbuf_t *b)
{
    free(b->p);
    bbuf_init(b);
}

void bbuf_reset(bbuf_t *b)
{
    b->len = 0;
    b->failed = false;
    if (b->p)
        b->p[0] = '\0';
}

static bool reserve(bbuf_t *b, size_t more)
{
    if (b->failed)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void bbuf_add(bbuf_t *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void bbuf_puts(bbuf_t *b, const char *s)
{
    bbuf_add(b, s, strlen(s));
}

void bbuf_printf(bbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        bbuf_add(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bbuf_json_str(bbuf_t *b, const char *s, size_t n)
{
    bbuf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            bbuf_add(b, e, 2);
        } else if (c < 0x20) {
            bbuf_printf(b, "\\u%04x", c);
        } else {
            bbuf_add(b, (const char *)&s[i], 1);
        }
    }
    bbuf_add(b, "\"", 1);
}

void bbuf_json_key(bbuf_t *b, const char *key)
{
    if (b->len > 0 && b->p[b->len - 1] != '{' && b->p[b->len - 1] != '[')
        bbuf_add(b, ",", 1);
    bbuf_json_str(b, key, strlen(key));
    bbuf_add(b, ":", 1);
}

void bbuf_json_scaled(bbuf_t *b, int64_t value, unsigned scale)
{
    if (scale == 0 || scale > 9) {
        bbuf_printf(b, "%lld", (long long)value);
        return;
    }
    int64_t div = 1;
    for (unsigned i = 0; i < scale; i++)
        div *= 10;
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    bbuf_printf(b, "%s%llu.%0*llu", value < 0 ? "-" : "", (unsigned long long)(mag / (uint64_t)div),
                (int)scale, (unsigned long long)(mag % (uint64_t)div));
}

const char *bbuf_str(bbuf_t *b)
{
    if (b->failed || !b->p)
        return "";
    return b->p;
}
