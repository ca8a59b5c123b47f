/*
 * Zero-allocation JSON for Tuya payloads.
 *
 * Writer: builds the request payloads of every protocol version into the
 * caller's buffer. It is size-first: it keeps counting after the buffer is
 * full, so running it with cap 0 yields the size needed, and
 * ltuya_jw_finish() reports LTUYA_ERR_BUF_TOO_SMALL instead of overflowing.
 *
 * Reader: finds the data points of a status / reply payload, wherever the
 * firmware put them ({"dps":..}, {"data":{"dps":..}}, with "cid", "t",
 * "devId", "protocol"), and yields each DP as bool / integer / string / null
 * / raw JSON. Results are views into the caller's text, valid as long as it
 * is. Nesting is bounded by LTUYA_JSON_MAX_DEPTH; there is no recursion on
 * input-controlled depth.
 *
 * Example:
 *   char out[256]; ltuya_jw_t w; size_t n;
 *   ltuya_dp_t dp = ltuya_dp_bool(1, true);
 *   ltuya_jw_init(&w, out, sizeof out);
 *   ltuya_json_control(&w, LTUYA_V33, "eb0123456789abcdefghij", NULL, 1700000000, &dp, 1);
 *   if (ltuya_jw_finish(&w, &n) == LTUYA_OK) ... out[0..n) is the payload
 */
#ifndef LTUYA_JSON_H
#define LTUYA_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ltuya/config.h"
#include "ltuya/frame.h"
#include "ltuya/status.h"
#include "ltuya/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A read-only piece of text (not NUL-terminated). */
typedef struct {
    const char *ptr;
    size_t len;
} ltuya_str_t;

typedef enum {
    LTUYA_DP_NULL = 0,
    LTUYA_DP_BOOL,
    LTUYA_DP_INT,
    LTUYA_DP_STR,
    LTUYA_DP_RAW, /* any other JSON value (object, array, float), verbatim */
} ltuya_dp_type_t;

/* One data point. For LTUYA_DP_STR, `str` is the string's content; when
 * `escaped` is true (as the reader yields it) it is still JSON-escaped and
 * ltuya_json_unescape() gives the text; the writer escapes unescaped strings
 * and copies escaped ones as they are. For LTUYA_DP_RAW, `str` is the JSON. */
typedef struct {
    int64_t i;
    ltuya_str_t str;
    ltuya_dp_type_t type;
    uint16_t id;
    bool escaped;
    bool b;
} ltuya_dp_t; /* largest members first: 24 bytes on 32-bit targets */

static inline ltuya_dp_t ltuya_dp_bool(uint16_t id, bool v)
{
    ltuya_dp_t d = LTUYA_ZERO_INIT;
    d.id = id;
    d.type = LTUYA_DP_BOOL;
    d.b = v;
    return d;
}
static inline ltuya_dp_t ltuya_dp_int(uint16_t id, int64_t v)
{
    ltuya_dp_t d = LTUYA_ZERO_INIT;
    d.id = id;
    d.type = LTUYA_DP_INT;
    d.i = v;
    return d;
}
/* s must stay valid until the payload is written; len is strlen-like. */
static inline ltuya_dp_t ltuya_dp_str(uint16_t id, const char *s, size_t len)
{
    ltuya_dp_t d = LTUYA_ZERO_INIT;
    d.id = id;
    d.type = LTUYA_DP_STR;
    d.str.ptr = s;
    d.str.len = len;
    return d;
}
static inline ltuya_dp_t ltuya_dp_null(uint16_t id)
{
    ltuya_dp_t d = LTUYA_ZERO_INIT;
    d.id = id;
    d.type = LTUYA_DP_NULL;
    return d;
}

/* ---- Writer ------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t cap;
    size_t len; /* bytes the output needs so far (may exceed cap) */
    uint8_t depth;
    uint32_t first; /* bit d set: nothing written yet at depth d (no comma needed) */
} ltuya_jw_t;

LTUYA_API void ltuya_jw_init(ltuya_jw_t *w, char *buf, size_t cap);
/* LTUYA_OK with *len the payload length, or LTUYA_ERR_BUF_TOO_SMALL with
 * *len the size that would have been needed. Writes no terminator. */
LTUYA_API ltuya_status_t ltuya_jw_finish(const ltuya_jw_t *w, size_t *len);

/* Low-level building blocks (commas are inserted automatically). */
LTUYA_API void ltuya_jw_obj_begin(ltuya_jw_t *w);
LTUYA_API void ltuya_jw_obj_end(ltuya_jw_t *w);
LTUYA_API void ltuya_jw_arr_begin(ltuya_jw_t *w);
LTUYA_API void ltuya_jw_arr_end(ltuya_jw_t *w);
LTUYA_API void ltuya_jw_key(ltuya_jw_t *w, const char *key);
LTUYA_API void ltuya_jw_str(ltuya_jw_t *w, const char *s, size_t len); /* escapes */
LTUYA_API void ltuya_jw_int(ltuya_jw_t *w, int64_t v);
LTUYA_API void ltuya_jw_int_str(ltuya_jw_t *w, int64_t v); /* "1700000000" as a string */
LTUYA_API void ltuya_jw_bool(ltuya_jw_t *w, bool v);
LTUYA_API void ltuya_jw_null(ltuya_jw_t *w);
LTUYA_API void ltuya_jw_raw(ltuya_jw_t *w, const char *json, size_t len); /* a value, verbatim */
LTUYA_API void ltuya_jw_dp_value(ltuya_jw_t *w, const ltuya_dp_t *dp);

/* The payload shapes of protocol.md section 4. `cid` (sub-device node id) may
 * be NULL. `t` is Unix time in seconds. */

/* Status query: 3.1-3.3 {"gwId":ID,"devId":ID,"uid":ID,"t":"T"};
 * 3.4/3.5 {}; with cid: 3.1-3.3 {"cid":C,"t":T}, 3.4/3.5 {"cid":C}. */
LTUYA_API void ltuya_json_query(ltuya_jw_t *w, ltuya_version_t v, const char *dev_id,
                                const char *cid, int64_t t);

/* Set DPs: 3.1-3.3 {"devId":ID,"uid":ID,"t":"T","dps":{..}};
 * 3.4/3.5 {"protocol":5,"t":T,"data":{"dps":{..}}};
 * with cid: 3.1-3.3 {"t":T,"cid":C,"dps":{..}},
 * 3.4/3.5 {"protocol":5,"t":T,"data":{"cid":C,"ctype":0,"dps":{..}},"cid":C}. */
LTUYA_API void ltuya_json_control(ltuya_jw_t *w, ltuya_version_t v, const char *dev_id,
                                  const char *cid, int64_t t, const ltuya_dp_t *dps, size_t n);

/* device22 query (CONTROL_NEW with null DPs):
 * {"devId":ID,"uid":ID,"t":"T","dps":{"1":null,...}} */
LTUYA_API void ltuya_json_device22_query(ltuya_jw_t *w, const char *dev_id, int64_t t,
                                         const uint16_t *ids, size_t n);

/* DP refresh (UPDATEDPS 0x12): {"dpId":[18,19,20]} */
LTUYA_API void ltuya_json_refresh(ltuya_jw_t *w, const uint16_t *ids, size_t n);

/* Heartbeat: {"gwId":ID,"devId":ID} */
LTUYA_API void ltuya_json_heartbeat(ltuya_jw_t *w, const char *dev_id);

/* 3.5 discovery request (0x25 to UDP 7000): {"from":"app","ip":IP} */
LTUYA_API void ltuya_json_discovery_request(ltuya_jw_t *w, const char *ip);

/* ---- Reader ------------------------------------------------------------ */

typedef struct {
    ltuya_dp_t dp[LTUYA_MAX_DPS];
    size_t count;       /* entries in dp[] */
    size_t dropped;     /* DPs beyond LTUYA_MAX_DPS (or with ids that are not numbers) */
    bool has_dps;       /* a "dps" object was found (it may be empty) */
    ltuya_str_t dev_id; /* "devId", if present */
    ltuya_str_t cid;    /* "cid" at top level or under "data", if present */
    bool has_t;
    int64_t t;
    int protocol; /* "protocol" envelope number, 0 if absent */
} ltuya_dps_t;

/* Parse a payload. LTUYA_OK even if there is no "dps" (check has_dps);
 * LTUYA_ERR_MALFORMED_JSON if the text is not one JSON object,
 * LTUYA_ERR_JSON_TOO_DEEP past LTUYA_JSON_MAX_DEPTH (on error *out is reset:
 * count 0, has_dps false).
 * Duplicates: if several "dps" objects appear (top level and/or under
 * "data"), the last one in the text wins and the earlier ones' DPs and
 * `dropped` are discarded; a "dps" that is not an object is ignored. "cid"
 * and "t" likewise take the last occurrence. A DP id repeated inside one
 * "dps" is kept twice in dp[]; ltuya_dps_find() returns the later one. */
LTUYA_API ltuya_status_t ltuya_json_parse_dps(const char *json, size_t len, ltuya_dps_t *out);

/* Find a DP by id in a parsed payload (the last one if repeated); NULL if absent. */
LTUYA_API const ltuya_dp_t *ltuya_dps_find(const ltuya_dps_t *d, uint16_t id);

/* Check that json[0..len) is exactly one well-formed JSON value (surrounding
 * whitespace allowed), within the depth bound. */
LTUYA_API ltuya_status_t ltuya_json_validate(const char *json, size_t len);

/* Find a top-level member of an object and return its value's text: for a
 * string, the content without quotes (still escaped); otherwise the raw JSON.
 * *is_string tells which (may be NULL). LTUYA_ERR_NOT_FOUND if absent.
 * The first member with that name wins and the scan stops there, so text
 * after it is not checked; a malformed document is reported only if the
 * error comes before the member (or the member is absent). */
LTUYA_API ltuya_status_t ltuya_json_get(const char *json, size_t len, const char *key,
                                        ltuya_str_t *value, bool *is_string);

/* Walk the elements of an array or the members of an object, one level deep.
 * Example: for devices.json (an array of objects)
 *   ltuya_json_iter_t it; ltuya_str_t k, v; bool s;
 *   ltuya_json_iter_init(&it, text, len);
 *   while (ltuya_json_iter_next(&it, &k, &v, &s) == LTUYA_OK) ... v is one device object
 */
typedef struct {
    const char *json;
    size_t len;
    size_t pos;
    bool object;   /* iterating an object (members have keys) */
    bool done;     /* past the last element; pos is one past the closing bracket */
    uint8_t depth; /* nesting of the elements (1 for a top-level container) */
} ltuya_json_iter_t;

/* json must start (after whitespace) with '[' or '{'; else LTUYA_ERR_MALFORMED_JSON. */
LTUYA_API ltuya_status_t ltuya_json_iter_init(ltuya_json_iter_t *it, const char *json, size_t len);

/* Next element: *key gets the member name (escaped content; empty for
 * arrays), *value the value as ltuya_json_get gives it. Any pointer may be
 * NULL. LTUYA_ERR_NOT_FOUND after the last element; LTUYA_ERR_MALFORMED_JSON
 * or LTUYA_ERR_JSON_TOO_DEEP on bad input, including anything but whitespace
 * after the closing bracket (reported in place of LTUYA_ERR_NOT_FOUND). After
 * an error, further calls keep returning an error. */
LTUYA_API ltuya_status_t ltuya_json_iter_next(ltuya_json_iter_t *it, ltuya_str_t *key,
                                              ltuya_str_t *value, bool *is_string);

/* Unescape a JSON string content (\" \\ \/ \b \f \n \r \t \uXXXX incl.
 * surrogate pairs, to UTF-8). Writes no terminator. */
LTUYA_API ltuya_status_t ltuya_json_unescape(ltuya_str_t s, char *dst, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif
