/* A growable text buffer for the bridge's MQTT payloads (the bridge is a
 * host tool: it may allocate, unlike the library's core). */
#ifndef LTUYA_BRIDGE_BUF_H
#define LTUYA_BRIDGE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *p;
    size_t len, cap;
    bool failed; /* an allocation failed: the content is incomplete */
} bbuf_t;

void bbuf_init(bbuf_t *b);
void bbuf_free(bbuf_t *b);
void bbuf_reset(bbuf_t *b);
void bbuf_add(bbuf_t *b, const char *s, size_t n);
void bbuf_puts(bbuf_t *b, const char *s);
void bbuf_printf(bbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s[0..n) as a JSON string literal, quotes included. */
void bbuf_json_str(bbuf_t *b, const char *s, size_t n);
/* "key": with the comma before it unless the object was just opened. */
void bbuf_json_key(bbuf_t *b, const char *key);
/* value / 10^scale as a JSON number, without float rounding noise. */
void bbuf_json_scaled(bbuf_t *b, int64_t value, unsigned scale);
/* The NUL-terminated text ("" after a failure). */
const char *bbuf_str(bbuf_t *b);

#endif
