#include "args.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cli_arg_uint(const char *arg, unsigned long min, unsigned long max, const char *opt,
                  unsigned long *out)
{
    /* strtoul alone would take " 12", "+12", "-1" (as a huge number) and "12abc" */
    bool digits = arg && *arg;
    for (const char *p = arg; digits && *p; p++)
        digits = isdigit((unsigned char)*p);
    unsigned long v = 0;
    if (digits) {
        errno = 0;
        v = strtoul(arg, NULL, 10);
        digits = errno == 0;
    }
    if (!digits || v < min || v > max) {
        fprintf(stderr, "ltuya: %s wants a whole number from %lu to %lu (got '%s')\n", opt, min,
                max, arg ? arg : "");
        return false;
    }
    *out = v;
    return true;
}

bool cli_arg_seconds(const char *arg, double min, double max, const char *opt, double *out)
{
    char *end = NULL;
    double v = 0;
    bool ok = arg && *arg && (isdigit((unsigned char)*arg) || *arg == '.');
    if (ok) {
        errno = 0;
        v = strtod(arg, &end);
        ok = errno == 0 && *end == 0 && isfinite(v) && v >= min && v <= max;
    }
    if (!ok) {
        fprintf(stderr, "ltuya: %s wants seconds from %g to %g (got '%s')\n", opt, min, max,
                arg ? arg : "");
        return false;
    }
    *out = v;
    return true;
}

bool cli_arg_version(const char *arg, const char *where, ltuya_version_t *out)
{
    static const struct {
        const char *text;
        ltuya_version_t v;
    } known[] = {{"3.1", LTUYA_V31},
                 {"3.2", LTUYA_V32},
                 {"3.3", LTUYA_V33},
                 {"3.4", LTUYA_V34},
                 {"3.5", LTUYA_V35}};
    for (size_t i = 0; arg && i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(arg, known[i].text)) {
            *out = known[i].v;
            return true;
        }
    fprintf(stderr,
            "ltuya: unknown protocol version '%s'%s (3.1, 3.2, 3.3, 3.4 or 3.5; "
            "'ltuya scan' shows it)\n",
            arg ? arg : "", where);
    return false;
}

bool cli_arg_host(const char *arg, const char *opt)
{
    unsigned char buf[16];
    size_t n = arg ? strlen(arg) : 0;
    if (n && (inet_pton(AF_INET, arg, buf) == 1 || inet_pton(AF_INET6, arg, buf) == 1))
        return true;
    bool name = n > 0 && n <= 63, numeric = true;
    for (size_t i = 0; name && i < n; i++) {
        unsigned char c = (unsigned char)arg[i];
        name = isalnum(c) || c == '-' || c == '.';
        numeric &= isdigit(c) || c == '.';
    }
    if (name && !numeric)
        return true;
    fprintf(stderr, "ltuya: %s wants an IP address like 192.168.1.55 (got '%s')\n", opt,
            arg ? arg : "");
    return false;
}
