/*
 * json.c off the main paths: number and escape grammar near misses,
 * surrogate pairs that are not, envelope fields with odd values, and a
 * writer closed more often than opened. The main rules are in test_json.c.
 */
#include <string.h>

#include "ltuya/json.h"
#include "test_support.h"

static ltuya_status_t validate(const char *s)
{
    return ltuya_json_validate(s, strlen(s));
}

static void test_number_grammar_near_misses(void **state)
{
    (void)state;
    /* a fraction or exponent needs a digit; characters above '9' are not one */
    assert_int_equal(validate("{\"a\":1.x}"), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(validate("{\"a\":1e:}"), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(validate("{\"a\":1E+a}"), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(validate("{\"a\":-z}"), LTUYA_ERR_MALFORMED_JSON);
    /* nor are characters below '0' */
    assert_int_equal(validate("{\"a\":1.,\"b\":2}"), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(validate("{\"a\":1e-,\"b\":2}"), LTUYA_ERR_MALFORMED_JSON);
    /* and the well-formed neighbours pass */
    assert_int_equal(validate("{\"a\":1.5e+3,\"b\":-0.25E-2,\"c\":7e9}"), LTUYA_OK);
}

static void test_escape_followed_by_nul(void **state)
{
    (void)state;
    /* "a\<NUL>": strchr() finds the terminator, which is not an escape */
    static const char doc[] = {'{', '"', 'k', '"', ':', '"', 'a', '\\', '\0', '"', '}'};
    assert_int_equal(ltuya_json_validate(doc, sizeof doc), LTUYA_ERR_MALFORMED_JSON);
    static const char ok[] = "{\"k\":\"a\\/b\\\"c\"}";
    assert_int_equal(ltuya_json_validate(ok, sizeof ok - 1), LTUYA_OK);
}

static ltuya_status_t unescape(const char *s, char *out, size_t cap, size_t *n)
{
    ltuya_str_t str = {s, strlen(s)};
    return ltuya_json_unescape(str, out, cap, n);
}

static void test_surrogates(void **state)
{
    (void)state;
    char out[16];
    size_t n;
    /* a high surrogate must be followed by "\u" and a low one */
    assert_int_equal(unescape("\\ud83dxx\\ude00", out, sizeof out, &n), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(unescape("\\ud83d\\nabcde", out, sizeof out, &n), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(unescape("\\ud83d\\ue000", out, sizeof out, &n), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(unescape("\\ud83d\\ud83d", out, sizeof out, &n), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(unescape("\\ud83d\\uzz00", out, sizeof out, &n), LTUYA_ERR_MALFORMED_JSON);
    /* a lone low surrogate is malformed; just above the range is a plain character */
    assert_int_equal(unescape("\\udfff", out, sizeof out, &n), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(unescape("\\ue000", out, sizeof out, &n), LTUYA_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "\xee\x80\x80", 3);
    /* the pair itself: U+1F600 in four bytes, which must fit */
    assert_int_equal(unescape("\\ud83d\\ude00", out, sizeof out, &n), LTUYA_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "\xf0\x9f\x98\x80", 4);
    assert_int_equal(unescape("\\ud83d\\ude00", out, 3, &n), LTUYA_ERR_BUF_TOO_SMALL);
}

static void test_envelope_fields_with_odd_values(void **state)
{
    (void)state;
    ltuya_dps_t d;
    /* "protocol" must be an integer in 0..999 */
    static const char *const bad[] = {"{\"protocol\":-1}", "{\"protocol\":1000}",
                                      "{\"protocol\":4.5}"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ltuya_json_parse_dps(bad[i], strlen(bad[i]), &d), LTUYA_OK);
        assert_int_equal(d.protocol, 0);
    }
    static const char good[] = "{\"protocol\":999}";
    assert_int_equal(ltuya_json_parse_dps(good, sizeof good - 1, &d), LTUYA_OK);
    assert_int_equal(d.protocol, 999);
    /* only the top level's "data" is an envelope: one inside it is a value */
    static const char nested[] = "{\"data\":{\"data\":{\"dps\":{\"1\":true}},\"cid\":\"c1\"}}";
    assert_int_equal(ltuya_json_parse_dps(nested, sizeof nested - 1, &d), LTUYA_OK);
    assert_false(d.has_dps);
    assert_int_equal(d.cid.len, 2);
    assert_memory_equal(d.cid.ptr, "c1", 2);
    /* a "data" that is not an object is just a member */
    static const char flat[] = "{\"data\":\"x\",\"dps\":{\"2\":3}}";
    assert_int_equal(ltuya_json_parse_dps(flat, sizeof flat - 1, &d), LTUYA_OK);
    assert_true(d.has_dps);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.dp[0].i, 3);
}

static void test_writer_extra_close(void **state)
{
    (void)state;
    char buf[16];
    size_t n;
    ltuya_jw_t w;
    ltuya_jw_init(&w, buf, sizeof buf);
    /* closing what was never opened writes the bracket and keeps depth at 0 */
    ltuya_jw_obj_end(&w);
    assert_int_equal(w.depth, 0);
    ltuya_jw_arr_begin(&w);
    ltuya_jw_int(&w, 1);
    ltuya_jw_arr_end(&w);
    assert_int_equal(ltuya_jw_finish(&w, &n), LTUYA_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "}[1]", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_grammar_near_misses),
        cmocka_unit_test(test_escape_followed_by_nul),
        cmocka_unit_test(test_surrogates),
        cmocka_unit_test(test_envelope_fields_with_odd_values),
        cmocka_unit_test(test_writer_extra_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
