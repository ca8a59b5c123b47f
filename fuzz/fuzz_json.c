/*
 * Fuzz target: the JSON reader (ltuya_json_parse_dps, _validate, _get, the
 * iterator, _unescape) and, for what it reads, the writer.
 *
 * Input: byte 0 is the length (mod 33) of a member name for
 * ltuya_json_get(), which follows; then one byte gives the output size for
 * ltuya_json_unescape(); the rest is the JSON text (an exact-size copy, so
 * ASan sees any read past it).
 *
 * Invariants: every view returned lies inside the text; parse_dps accepts
 * exactly the objects validate accepts; unescaping into a small buffer
 * either fails or gives what a large one gives; and a parsed status, written
 * back with ltuya_json_control() and parsed again, yields the same DPs.
 */
#include "fuzz_common.h"
#include "ltuya/json.h"

static const char *text_start;
static size_t text_len;

static void check_view(ltuya_str_t s)
{
    if (!s.len)
        return;
    FZ_CHECK(s.ptr >= text_start && s.ptr + s.len <= text_start + text_len);
    fz_touch(s.ptr, s.len);
}

static void check_unescape(ltuya_str_t s, size_t small_cap)
{
    size_t big_len = 0, small_len = 0;
    char *big = malloc(s.len ? s.len : 1); /* unescaping never grows the text */
    char *small = malloc(small_cap ? small_cap : 1);
    if (!big || !small) {
        free(big);
        free(small);
        return;
    }
    ltuya_status_t st_big = ltuya_json_unescape(s, big, s.len, &big_len);
    ltuya_status_t st_small = ltuya_json_unescape(s, small, small_cap, &small_len);
    FZ_CHECK(st_big == LTUYA_OK || st_big == LTUYA_ERR_MALFORMED_JSON);
    if (st_big == LTUYA_OK)
        FZ_CHECK(big_len <= s.len);
    if (st_small == LTUYA_OK) {
        FZ_CHECK(small_len <= small_cap);
        FZ_CHECK(st_big == LTUYA_OK && small_len == big_len && !memcmp(small, big, small_len));
    } else if (st_big == LTUYA_OK && big_len <= small_cap) {
        fz_fail("unescape failed with room enough", __FILE__, __LINE__);
    }
    free(big);
    free(small);
}

/* Walk a container one level deep, then each element's own members. */
static void walk(ltuya_str_t v, int depth, size_t cap)
{
    ltuya_json_iter_t it;
    ltuya_str_t key, val;
    bool is_str;
    if (ltuya_json_iter_init(&it, v.ptr, v.len) != LTUYA_OK)
        return;
    for (int steps = 0; steps < 256; steps++) {
        ltuya_status_t st = ltuya_json_iter_next(&it, &key, &val, &is_str);
        if (st != LTUYA_OK) {
            /* after an error or the end, it stays there */
            FZ_CHECK(ltuya_json_iter_next(&it, NULL, NULL, NULL) != LTUYA_OK);
            break;
        }
        check_view(key);
        check_view(val);
        if (is_str && steps < 8)
            check_unescape(val, cap);
        if (!is_str && depth < 2 && val.len)
            walk(val, depth + 1, cap);
    }
}

static bool same_dp(const ltuya_dp_t *a, const ltuya_dp_t *b)
{
    if (a->id != b->id || a->type != b->type)
        return false;
    switch (a->type) {
    case LTUYA_DP_BOOL:
        return a->b == b->b;
    case LTUYA_DP_INT:
        return a->i == b->i;
    case LTUYA_DP_STR:
    case LTUYA_DP_RAW:
        return a->str.len == b->str.len && !memcmp(a->str.ptr, b->str.ptr, a->str.len);
    default:
        return true;
    }
}

/* Write the DPs back as a 3.3 CONTROL payload and read them again. */
static void rewrite(const ltuya_dps_t *d)
{
    static char out[64 * 1024];
    static ltuya_dps_t again;
    ltuya_jw_t w;
    size_t n;
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_control(&w, LTUYA_V33, "eb0123456789abcdefghij", NULL, 1700000000, d->dp, d->count);
    if (ltuya_jw_finish(&w, &n) != LTUYA_OK)
        return;
    FZ_CHECK(ltuya_json_validate(out, n) == LTUYA_OK);
    FZ_CHECK(ltuya_json_parse_dps(out, n, &again) == LTUYA_OK);
    FZ_CHECK(again.has_dps && again.count == d->count);
    for (size_t i = 0; i < d->count; i++)
        FZ_CHECK(same_dp(&d->dp[i], &again.dp[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ltuya_dps_t d;
    fz_in_t in = {data, size};
    char key[33];
    const uint8_t *k;
    size_t klen = fz_bytes(&in, fz_u8(&in) % 33, &k);
    memcpy(key, k, klen);
    key[klen] = 0;
    size_t cap = fz_u8(&in);
    size_t len = in.n;
    /* the terminator is never read by the code under test (lengths are
     * explicit); it keeps gcc -O2 from seeing an uninitialised byte when len is 0 */
    char *json = malloc(len + 1);
    if (!json)
        return 0;
    memcpy(json, in.p, len);
    json[len] = 0;
    text_start = json;
    text_len = len;

    ltuya_status_t parsed = ltuya_json_parse_dps(json, len, &d);
    ltuya_status_t valid = ltuya_json_validate(json, len);
    size_t i = 0;
    while (i < len && (json[i] == ' ' || json[i] == '\t' || json[i] == '\r' || json[i] == '\n'))
        i++;
    bool object = i < len && json[i] == '{';
    /* parse_dps reads exactly the documents validate accepts that are objects */
    FZ_CHECK((parsed == LTUYA_OK) == (valid == LTUYA_OK && object));
    if (parsed == LTUYA_OK) {
        FZ_CHECK(d.count <= LTUYA_MAX_DPS);
        check_view(d.dev_id);
        check_view(d.cid);
        for (size_t j = 0; j < d.count; j++) {
            const ltuya_dp_t *dp = &d.dp[j];
            FZ_CHECK(ltuya_dps_find(&d, dp->id) && ltuya_dps_find(&d, dp->id)->id == dp->id);
            if (dp->type == LTUYA_DP_STR || dp->type == LTUYA_DP_RAW)
                check_view(dp->str);
            if (dp->type == LTUYA_DP_STR && j < 8)
                check_unescape(dp->str, cap);
        }
        if (d.count)
            rewrite(&d);
    } else {
        FZ_CHECK(d.count == 0 && !d.has_dps);
    }

    ltuya_str_t v;
    bool is_str = false;
    if (ltuya_json_get(json, len, key, &v, &is_str) == LTUYA_OK) {
        check_view(v);
        if (is_str)
            check_unescape(v, cap);
    }
    ltuya_str_t whole = {json, len};
    walk(whole, 0, cap);
    free(json);
    return 0;
}
