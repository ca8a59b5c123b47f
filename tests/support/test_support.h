/* Small helpers shared by the unit tests (hex, files, fixed random source). */
#ifndef LTUYA_TEST_SUPPORT_H
#define LTUYA_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* Decode hex (whitespace ignored) into out; returns the byte count or -1. */
long ts_unhex(const char *hex, uint8_t *out, size_t cap);

/* Lower-case hex of bytes into out (needs 2*len+1); returns out. */
char *ts_hex(const uint8_t *p, size_t len, char *out);

/* Read a whole file under $LTUYA_TEST_DATA (or tests/vectors) into a fresh
 * malloc'd NUL-terminated buffer; *len gets its length. Fails the test if missing. */
char *ts_read_data_file(const char *name, size_t *len);

/* Install a random hook that returns the bytes given (repeating them). */
void ts_fixed_random(const uint8_t *bytes, size_t n);

#endif
