/* Small helpers for the CLI: hex, keys, JSON output. */
#ifndef LTUYA_CLI_UTIL_H
#define LTUYA_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decode hex, skipping spaces, ':' and '-' separators. Returns the byte
 * count, or -1 on a non-hex character, an odd digit count or overflow. */
long cli_unhex(const char *s, size_t len, uint8_t *out, size_t cap);

/* Print bytes as lower-case hex. */
void cli_print_hex(FILE *f, const uint8_t *p, size_t n);

/* A local key is the 16 characters from the cloud, used as raw bytes. Also
 * accepts 32 hex digits (a raw 16-byte key). Prints a hint and returns false
 * on anything else. `what` names the option in the message. */
bool cli_parse_key(const char *s, uint8_t key[16], const char *what);

/* The same rule without the message (for callers that report it their way, and the fuzzer). */
bool cli_key_from_text(const char *s, uint8_t key[16]);

/* Write s[0..n) as a JSON string literal (with quotes). */
void cli_json_string(FILE *f, const char *s, size_t n);

/* true if every byte is printable ASCII or common whitespace. */
bool cli_is_text(const uint8_t *p, size_t n);

#endif
