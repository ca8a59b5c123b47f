/*
 * Strict parsing of option values: a number is all digits in range, or it
 * is a usage error with a message naming the option (never atoi's 0, never
 * a silent clamp).
 */
#ifndef LTUYA_CLI_ARGS_H
#define LTUYA_CLI_ARGS_H

#include <stdbool.h>

#include "ltuya/frame.h"

/* A decimal integer min..max. Prints "ltuya: OPT wants ..." and returns false otherwise. */
bool cli_arg_uint(const char *arg, unsigned long min, unsigned long max, const char *opt,
                  unsigned long *out);

/* Seconds as a decimal number, min <= S <= max. */
bool cli_arg_seconds(const char *arg, double min, double max, const char *opt, double *out);

/* Exactly "3.1" .. "3.5". */
bool cli_arg_version(const char *arg, const char *where, ltuya_version_t *out);

/* A device address: an IPv4 or IPv6 literal, or a host name (letters, digits,
 * '-' and '.', not all digits and dots: 999.1.1.1 is a bad address, not a name). */
bool cli_arg_host(const char *arg, const char *opt);

#endif
