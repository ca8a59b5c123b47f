/* json.c: byte-exact payloads, size-first writing, the DPS reader and its bounds. */
#include <stdio.h>
#include <string.h>

#include "ltuya/json.h"
#include "test_support.h"

#define ID "eb0123456789abcdefghij"
#define T  1700000000

static char out[1024];

/* Finish a writer and compare its output with the expected text. */
static void expect(ltuya_jw_t *w, const char *want)
{
    size_t n;
    assert_int_equal(ltuya_jw_finish(w, &n), LTUYA_OK);
    if (n != strlen(want) || memcmp(out, want, n))
        fail_msg("got  %.*s\nwant %s", (int)n, out, want);
}

static void test_payload_shapes(void **state)
{
    (void)state;
    ltuya_jw_t w;
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    uint16_t ids[] = {1, 2}, energy[] = {18, 19, 20};

    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_query(&w, LTUYA_V33, ID, NULL, T);
    expect(&w,
           "{\"gwId\":\"" ID "\",\"devId\":\"" ID "\",\"uid\":\"" ID "\",\"t\":\"1700000000\"}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_query(&w, LTUYA_V35, ID, NULL, T);
    expect(&w, "{}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_query(&w, LTUYA_V33, ID, "C", T);
    expect(&w, "{\"cid\":\"C\",\"t\":1700000000}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_query(&w, LTUYA_V34, ID, "C", T);
    expect(&w, "{\"cid\":\"C\"}");

    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_control(&w, LTUYA_V33, ID, NULL, T, &on, 1);
    expect(&w,
           "{\"devId\":\"" ID "\",\"uid\":\"" ID "\",\"t\":\"1700000000\",\"dps\":{\"1\":true}}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_control(&w, LTUYA_V34, ID, NULL, T, &on, 1);
    expect(&w, "{\"protocol\":5,\"t\":1700000000,\"data\":{\"dps\":{\"1\":true}}}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_control(&w, LTUYA_V33, ID, "C", T, &on, 1);
    expect(&w, "{\"t\":1700000000,\"cid\":\"C\",\"dps\":{\"1\":true}}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_control(&w, LTUYA_V35, ID, "C", T, &on, 1);
    expect(&w,
           "{\"protocol\":5,\"t\":1700000000,\"data\":{\"cid\":\"C\",\"ctype\":0,\"dps\":{\"1\":"
           "true}},\"cid\":\"C\"}");

    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_device22_query(&w, ID, T, ids, 2);
    expect(&w, "{\"devId\":\"" ID "\",\"uid\":\"" ID
               "\",\"t\":\"1700000000\",\"dps\":{\"1\":null,\"2\":null}}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_refresh(&w, energy, 3);
    expect(&w, "{\"dpId\":[18,19,20]}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_heartbeat(&w, ID);
    expect(&w, "{\"gwId\":\"" ID "\",\"devId\":\"" ID "\"}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_discovery_request(&w, "192.168.1.10");
    expect(&w, "{\"from\":\"app\",\"ip\":\"192.168.1.10\"}");
}

static void test_values_and_escaping(void **state)
{
    (void)state;
    ltuya_jw_t w;
    static const char weird[] = "a\"b\\c\n\x01\xc3\xa9";
    ltuya_dp_t dps[6] = {ltuya_dp_int(2, INT64_MIN),
                         ltuya_dp_int(3, -7),
                         ltuya_dp_str(4, weird, sizeof weird - 1),
                         ltuya_dp_null(5),
                         ltuya_dp_bool(6, false),
                         ltuya_dp_str(7, "x\\\"y", 4)};
    dps[5].escaped = true; /* already JSON-escaped: copied as is */
    ltuya_dp_t raw = {0};
    raw.id = 8;
    raw.type = LTUYA_DP_RAW;
    raw.str.ptr = "[1,{\"a\":2}]";
    raw.str.len = strlen(raw.str.ptr);
    ltuya_dp_t all[7];
    memcpy(all, dps, sizeof dps);
    all[6] = raw;
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_control(&w, LTUYA_V34, ID, NULL, T, all, 7);
    expect(&w, "{\"protocol\":5,\"t\":1700000000,\"data\":{\"dps\":{\"2\":-9223372036854775808,"
               "\"3\":-7,\"4\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\",\"5\":null,\"6\":false,"
               "\"7\":\"x\\\"y\",\"8\":[1,{\"a\":2}]}}}");
    assert_int_equal(ltuya_json_validate(out, w.len), LTUYA_OK);
}

static void test_size_first(void **state)
{
    (void)state;
    ltuya_jw_t w;
    size_t need, n;
    ltuya_jw_init(&w, NULL, 0);
    ltuya_json_query(&w, LTUYA_V33, ID, NULL, T);
    assert_int_equal(ltuya_jw_finish(&w, &need), LTUYA_ERR_BUF_TOO_SMALL);
    assert_int_equal(need, 114); /* padded to 128 in gen33-dp-query */
    for (size_t cap = 0; cap < need; cap++) {
        char buf[128];
        memset(buf, '#', sizeof buf);
        ltuya_jw_init(&w, buf, cap);
        ltuya_json_query(&w, LTUYA_V33, ID, NULL, T);
        assert_int_equal(ltuya_jw_finish(&w, &n), LTUYA_ERR_BUF_TOO_SMALL);
        assert_int_equal(n, need);
        for (size_t i = cap; i < sizeof buf; i++)
            assert_int_equal(buf[i], '#'); /* nothing past cap */
    }
    char exact[114];
    ltuya_jw_init(&w, exact, sizeof exact);
    ltuya_json_query(&w, LTUYA_V33, ID, NULL, T);
    assert_int_equal(ltuya_jw_finish(&w, &n), LTUYA_OK);
}

static ltuya_dps_t d;

static void parse_ok(const char *s)
{
    ltuya_status_t st = ltuya_json_parse_dps(s, strlen(s), &d);
    if (st != LTUYA_OK)
        fail_msg("%s: %s", s, ltuya_status_str(st));
}

static void test_reader_real_payloads(void **state)
{
    (void)state;
    parse_ok("{\"devId\":\"abc\",\"dps\":{\"20\":true,\"22\":500},\"t\":1700000000}");
    assert_true(d.has_dps);
    assert_int_equal(d.count, 2);
    assert_int_equal(d.dp[0].id, 20);
    assert_int_equal(d.dp[0].type, LTUYA_DP_BOOL);
    assert_true(d.dp[0].b);
    assert_int_equal(ltuya_dps_find(&d, 22)->i, 500);
    assert_null(ltuya_dps_find(&d, 1));
    assert_int_equal(d.dev_id.len, 3);
    assert_memory_equal(d.dev_id.ptr, "abc", 3);
    assert_true(d.has_t);
    assert_int_equal(d.t, T);

    parse_ok("{\"protocol\":4,\"t\":1700000000,\"data\":{\"dps\":{\"1\":true}}}");
    assert_int_equal(d.protocol, 4);
    assert_int_equal(d.count, 1);
    assert_true(d.dp[0].b);

    parse_ok("{\"devId\":\"002004265ccf7fb1b659\",\"dps\":{\"1\":false,\"2\":0},\"t\":1529442366,"
             "\"s\":8}");
    assert_int_equal(d.count, 2);
    assert_false(d.dp[0].b);
    assert_int_equal(d.dp[1].i, 0);

    /* a sub-device push, in both envelopes */
    parse_ok("{\"dps\":{\"1\":true},\"cid\":\"a4c1\",\"t\":\"1700000000\"}");
    assert_int_equal(d.cid.len, 4);
    assert_int_equal(d.t, T);
    parse_ok("{\"protocol\":4,\"t\":1,\"data\":{\"cid\":\"z1\",\"dps\":{\"3\":\"on\"}}}");
    assert_memory_equal(d.cid.ptr, "z1", 2);
    assert_int_equal(d.dp[0].type, LTUYA_DP_STR);
    assert_true(d.dp[0].escaped);
    assert_memory_equal(d.dp[0].str.ptr, "on", 2);

    /* nested values and floats come back raw */
    parse_ok(" { \"dps\" : { \"24\" : \"000003e803e8\" , \"101\" : {\"a\":[1,2]}, \"102\": 1.5, "
             "\"103\": 99999999999999999999, \"abc\": 1 } } ");
    assert_int_equal(d.count, 4);
    assert_int_equal(d.dropped, 1);
    assert_int_equal(d.dp[1].type, LTUYA_DP_RAW);
    assert_int_equal(d.dp[1].str.len, strlen("{\"a\":[1,2]}"));
    assert_int_equal(d.dp[2].type, LTUYA_DP_RAW);
    assert_int_equal(d.dp[3].type, LTUYA_DP_RAW);

    /* no dps at all: an ACK or an envelope without data */
    parse_ok("{}");
    assert_false(d.has_dps);
    assert_int_equal(d.count, 0);
}

static void test_reader_get_and_iterate(void **state)
{
    (void)state;
    const char *beacon = "{\"ip\":\"10.2.1.98\",\"gwId\":\"bf90769136c9ac3653oqwj\",\"active\":2,"
                         "\"ablilty\":0,\"encrypt\":true,\"productKey\":\"3bhylhz5zhogklel\","
                         "\"version\":\"3.3\"}";
    ltuya_str_t v;
    bool s;
    assert_int_equal(ltuya_json_get(beacon, strlen(beacon), "version", &v, &s), LTUYA_OK);
    assert_true(s);
    assert_memory_equal(v.ptr, "3.3", 3);
    assert_int_equal(ltuya_json_get(beacon, strlen(beacon), "active", &v, &s), LTUYA_OK);
    assert_false(s);
    assert_memory_equal(v.ptr, "2", 1);
    assert_int_equal(ltuya_json_get(beacon, strlen(beacon), "nope", &v, &s), LTUYA_ERR_NOT_FOUND);

    const char *devices = "[{\"name\":\"Plug\",\"mapping\":{\"1\":{\"code\":\"switch_1\"}}},"
                          "\"skip\", 3, {\"name\":\"Lamp\"}]";
    ltuya_json_iter_t it;
    ltuya_str_t k;
    size_t count = 0;
    assert_int_equal(ltuya_json_iter_init(&it, devices, strlen(devices)), LTUYA_OK);
    assert_false(it.object);
    while (ltuya_json_iter_next(&it, &k, &v, &s) == LTUYA_OK)
        count++;
    assert_int_equal(count, 4);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_json_iter_init(&it, "[]", 2), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_json_iter_init(&it, "\"x\"", 3), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_iter_init(&it, "[1,,2]", 6), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_MALFORMED_JSON);
}

static void test_reader_rejects_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "{",
        "}",
        "{\"dps\":}",
        "{\"dps\":{\"1\":tru}}",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{\"a\":01}",
        "{\"a\":-}",
        "{\"a\":1.}",
        "{\"a\":1e}",
        "{\"a\":\"x}",
        "{\"a\":\"\\q\"}",
        "{\"a\":\"\\u12g4\"}",
        "{\"a\":1} x",
        "{a:1}",
        "[1 2]",
        "{\"a\":[1,]}",
        "{\"a\":\"\x01\"}",
        "nul",
        "{\"a\":.5}",
        "{\"a\":+1}",
        "{\"a\":1}}",
        "{\"dps\":[1,2}",
        "\"open",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ltuya_status_t st = ltuya_json_validate(bad[i], strlen(bad[i]));
        if (st != LTUYA_ERR_MALFORMED_JSON)
            fail_msg("accepted or misjudged: '%s' (%s)", bad[i], ltuya_status_str(st));
        assert_int_not_equal(ltuya_json_parse_dps(bad[i], strlen(bad[i]), &d), LTUYA_OK);
    }
    /* a top-level value that is not an object is valid JSON but not a payload */
    assert_int_equal(ltuya_json_parse_dps("[1]", 3, &d), LTUYA_ERR_MALFORMED_JSON);
    /* the reader never looks past len: a valid prefix of a longer buffer */
    assert_int_equal(ltuya_json_validate("{\"a\":1}garbage", 7), LTUYA_OK);
}

static void test_depth_bound(void **state)
{
    (void)state;
    char doc[2 * LTUYA_JSON_MAX_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < LTUYA_JSON_MAX_DEPTH; i++)
        doc[n++] = '[';
    for (int i = 0; i < LTUYA_JSON_MAX_DEPTH; i++)
        doc[n++] = ']';
    assert_int_equal(ltuya_json_validate(doc, n), LTUYA_OK);
    n = 0;
    for (int i = 0; i <= LTUYA_JSON_MAX_DEPTH; i++)
        doc[n++] = '[';
    for (int i = 0; i <= LTUYA_JSON_MAX_DEPTH; i++)
        doc[n++] = ']';
    assert_int_equal(ltuya_json_validate(doc, n), LTUYA_ERR_JSON_TOO_DEEP);
    /* a huge nesting attack stops at the bound, without recursion */
    static char deep[100000];
    memset(deep, '[', sizeof deep);
    assert_int_equal(ltuya_json_validate(deep, sizeof deep), LTUYA_ERR_JSON_TOO_DEEP);
}

static void test_too_many_dps(void **state)
{
    (void)state;
    char doc[4096];
    size_t n = (size_t)snprintf(doc, sizeof doc, "{\"dps\":{");
    for (int i = 1; i <= LTUYA_MAX_DPS + 5; i++)
        n += (size_t)snprintf(doc + n, sizeof doc - n, "%s\"%d\":%d", i > 1 ? "," : "", i, i);
    n += (size_t)snprintf(doc + n, sizeof doc - n, "}}");
    assert_int_equal(ltuya_json_parse_dps(doc, n, &d), LTUYA_OK);
    assert_int_equal(d.count, LTUYA_MAX_DPS);
    assert_int_equal(d.dropped, 5);
}

static void test_every_prefix_is_rejected(void **state)
{
    (void)state;
    const char *doc =
        "{\"protocol\":4,\"t\":1700000000,\"data\":{\"cid\":\"x\",\"dps\":{\"1\":true,"
        "\"24\":\"00\\u00e9\",\"101\":[1,{\"a\":null}],\"102\":-1.5e3}}}";
    size_t len = strlen(doc);
    assert_int_equal(ltuya_json_parse_dps(doc, len, &d), LTUYA_OK);
    assert_int_equal(d.count, 4);
    for (size_t i = 0; i < len; i++) {
        char copy[256];
        memcpy(copy, doc, i); /* exactly i bytes: ASan sees any read past them */
        assert_int_not_equal(ltuya_json_parse_dps(copy, i, &d), LTUYA_OK);
    }
}

static void test_unescape(void **state)
{
    (void)state;
    char buf[32];
    size_t n;
    ltuya_str_t s = {"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00", 0};
    s.len = strlen(s.ptr);
    assert_int_equal(ltuya_json_unescape(s, buf, sizeof buf, &n), LTUYA_OK);
    assert_int_equal(n, 1 + 8 + 2 + 4);
    assert_memory_equal(buf, "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80", n);
    assert_int_equal(ltuya_json_unescape(s, buf, 5, &n), LTUYA_ERR_BUF_TOO_SMALL);
    ltuya_str_t lone = {"\\ud83d", 6}, low = {"\\ude00", 6}, trail = {"x\\", 2};
    assert_int_equal(ltuya_json_unescape(lone, buf, sizeof buf, &n), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_unescape(low, buf, sizeof buf, &n), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_unescape(trail, buf, sizeof buf, &n), LTUYA_ERR_MALFORMED_JSON);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload_shapes),
        cmocka_unit_test(test_values_and_escaping),
        cmocka_unit_test(test_size_first),
        cmocka_unit_test(test_reader_real_payloads),
        cmocka_unit_test(test_reader_get_and_iterate),
        cmocka_unit_test(test_reader_rejects_malformed),
        cmocka_unit_test(test_depth_bound),
        cmocka_unit_test(test_too_many_dps),
        cmocka_unit_test(test_every_prefix_is_rejected),
        cmocka_unit_test(test_unescape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
