/*
 * DP values typed on the command line (set DP=VALUE): JSON first (true,
 * false, numbers, "quoted strings"), a bare word that is not JSON is a
 * string, and nothing is ever quietly turned into another type.
 */
#ifndef LTUYA_CLI_VALUE_H
#define LTUYA_CLI_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "devices.h"
#include "ltuya/json.h"

/* Parse VALUE for DP `id`; a string's text is copied to buf (which must
 * outlive *out). false after a message: null, fractions, objects, integers
 * outside the 32 bits Tuya uses, malformed quoted strings. */
bool cli_value_parse(const char *text, uint16_t id, ltuya_dp_t *out, char *buf, size_t cap);

/* Check a value against what the DP is known to be: its current value on the
 * device (may be NULL) or its type in the mapping (may be NULL). false after
 * a message naming the DP and both types. */
bool cli_value_check(const ltuya_dp_t *want, const ltuya_dp_t *current, const cli_dp_info_t *info);

/* true when two values are the same (strings compared unescaped). */
bool cli_value_equal(const ltuya_dp_t *a, const ltuya_dp_t *b);

/* Print a value as JSON. */
void cli_value_print(FILE *f, const ltuya_dp_t *dp);

/* The longest control payload one frame carries (JSON bytes). */
#define CLI_MAX_WRITE_JSON                                                                         \
    (LTUYA_JSON_SCRATCH < LTUYA_DEVICE_TX_SIZE - 96 ? LTUYA_JSON_SCRATCH                           \
                                                    : LTUYA_DEVICE_TX_SIZE - 96)

/* false after a message when the write would not fit one frame. */
bool cli_value_fits(ltuya_version_t v, const char *dev_id, const ltuya_dp_t *dps, size_t n);

#endif
