#include "util.h"

#include <ctype.h>
#include <string.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long cli_unhex(const char *s, size_t len, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c) || c == ':' || c == '-')
            continue;
        int v = hexval(c);
        if (v < 0)
            return -1;
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n >= cap)
            return -1;
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    return hi < 0 ? (long)n : -1;
}

void cli_print_hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
}

bool cli_key_from_text(const char *s, uint8_t key[16])
{
    size_t len = s ? strlen(s) : 0;
    if (len == 16) {
        memcpy(key, s, 16);
        return true;
    }
    return len == 32 && cli_unhex(s, len, key, 16) == 16;
}

bool cli_parse_key(const char *s, uint8_t key[16], const char *what)
{
    size_t len = s ? strlen(s) : 0;
    if (cli_key_from_text(s, key))
        return true;
    fprintf(stderr,
            "ltuya: %s must be the device's 16-character local key (got %zu characters).\n"
            "       Get it with 'python -m tinytuya wizard' or from devices.json; it changes\n"
            "       whenever the device is removed and re-added in the Smart Life app.\n",
            what, len);
    return false;
}

void cli_json_string(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
    }
    fputc('"', f);
}

bool cli_is_text(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t') || p[i] >= 0x7f)
            return false;
    return true;
}
