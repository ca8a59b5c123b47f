/* json.c: byte-exact payloads, size-first writing, the DPS reader, the
 * iterator, and the reader's bounds on hostile input. */
#include <stdio.h>
#include <stdlib.h>
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

/* A heap copy of exactly n bytes, so that ASan flags any read past n (a
 * stack or static buffer would have slack after the text). */
static char *exact_copy(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

static const ltuya_version_t all_versions[] = {LTUYA_V31, LTUYA_V32, LTUYA_V33, LTUYA_V34,
                                               LTUYA_V35};

/* ---- writer ----------------------------------------------------------------- */

static void test_query_shapes_every_version(void **state)
{
    (void)state;
    ltuya_jw_t w;
    for (size_t i = 0; i < sizeof all_versions / sizeof all_versions[0]; i++) {
        ltuya_version_t v = all_versions[i];
        bool legacy = v <= LTUYA_V33;
        ltuya_jw_init(&w, out, sizeof out);
        ltuya_json_query(&w, v, ID, NULL, T);
        expect(&w, legacy ? "{\"gwId\":\"" ID "\",\"devId\":\"" ID "\",\"uid\":\"" ID
                            "\",\"t\":\"1700000000\"}"
                          : "{}");
        ltuya_jw_init(&w, out, sizeof out);
        ltuya_json_query(&w, v, ID, "C", T);
        expect(&w, legacy ? "{\"cid\":\"C\",\"t\":1700000000}" : "{\"cid\":\"C\"}");
    }
}

static void test_control_shapes_every_version(void **state)
{
    (void)state;
    ltuya_jw_t w;
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    ltuya_dp_t two[2] = {ltuya_dp_bool(1, false), ltuya_dp_int(2, 42)};
    for (size_t i = 0; i < sizeof all_versions / sizeof all_versions[0]; i++) {
        ltuya_version_t v = all_versions[i];
        bool legacy = v <= LTUYA_V33;
        ltuya_jw_init(&w, out, sizeof out);
        ltuya_json_control(&w, v, ID, NULL, T, &on, 1);
        expect(&w, legacy ? "{\"devId\":\"" ID "\",\"uid\":\"" ID
                            "\",\"t\":\"1700000000\",\"dps\":{\"1\":true}}"
                          : "{\"protocol\":5,\"t\":1700000000,\"data\":{\"dps\":{\"1\":true}}}");
        ltuya_jw_init(&w, out, sizeof out);
        ltuya_json_control(&w, v, ID, "C", T, two, 2);
        expect(&w, legacy ? "{\"t\":1700000000,\"cid\":\"C\",\"dps\":{\"1\":false,\"2\":42}}"
                          : "{\"protocol\":5,\"t\":1700000000,\"data\":{\"cid\":\"C\",\"ctype\":0,"
                            "\"dps\":{\"1\":false,\"2\":42}},\"cid\":\"C\"}");
    }
    /* no DPs at all still gives a well-formed (empty) "dps" */
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_control(&w, LTUYA_V35, ID, NULL, T, NULL, 0);
    expect(&w, "{\"protocol\":5,\"t\":1700000000,\"data\":{\"dps\":{}}}");
}

static void test_other_payload_shapes(void **state)
{
    (void)state;
    ltuya_jw_t w;
    uint16_t ids[] = {1, 2}, energy[] = {18, 19, 20}, big[] = {65535};

    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_device22_query(&w, ID, T, ids, 2);
    expect(&w, "{\"devId\":\"" ID "\",\"uid\":\"" ID
               "\",\"t\":\"1700000000\",\"dps\":{\"1\":null,\"2\":null}}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_refresh(&w, energy, 3);
    expect(&w, "{\"dpId\":[18,19,20]}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_refresh(&w, big, 1);
    expect(&w, "{\"dpId\":[65535]}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_refresh(&w, NULL, 0);
    expect(&w, "{\"dpId\":[]}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_heartbeat(&w, ID);
    expect(&w, "{\"gwId\":\"" ID "\",\"devId\":\"" ID "\"}");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_discovery_request(&w, "192.168.1.10");
    expect(&w, "{\"from\":\"app\",\"ip\":\"192.168.1.10\"}");
}

static void test_dp_values_and_escaping(void **state)
{
    (void)state;
    ltuya_jw_t w;
    static const char weird[] = "a\"b\\c\n\x01\xc3\xa9";
    ltuya_dp_t all[8] = {ltuya_dp_int(2, INT64_MIN),
                         ltuya_dp_int(3, -7),
                         ltuya_dp_str(4, weird, sizeof weird - 1),
                         ltuya_dp_null(5),
                         ltuya_dp_bool(6, false),
                         ltuya_dp_str(7, "x\\\"y", 4),
                         ltuya_dp_int(9, INT64_MAX)};
    all[5].escaped = true; /* already JSON-escaped: copied as is */
    all[7].id = 8;
    all[7].type = LTUYA_DP_RAW;
    all[7].str.ptr = "[1,{\"a\":2}]";
    all[7].str.len = strlen(all[7].str.ptr);
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_json_control(&w, LTUYA_V34, ID, NULL, T, all, 8);
    expect(&w, "{\"protocol\":5,\"t\":1700000000,\"data\":{\"dps\":{\"2\":-9223372036854775808,"
               "\"3\":-7,\"4\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\",\"5\":null,\"6\":false,"
               "\"7\":\"x\\\"y\",\"9\":9223372036854775807,\"8\":[1,{\"a\":2}]}}}");
    assert_int_equal(ltuya_json_validate(out, w.len), LTUYA_OK);
}

static void test_string_escaping(void **state)
{
    (void)state;
    ltuya_jw_t w;
    static const char in[] = "\"\\/\n\r\t\b\f\x01\x1f\x7f\xc3\xa9\xff ok";
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_jw_str(&w, in, sizeof in - 1);
    /* short forms where JSON has them, \u00XX for other controls, '/' and
     * DEL and bytes >= 0x80 (UTF-8 or not) passed through */
    expect(&w, "\"\\\"\\\\/\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\xc3\xa9\xff ok\"");
    /* every control character round-trips through the reader */
    char ctl[32];
    for (int i = 0; i < 32; i++)
        ctl[i] = (char)i;
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_jw_str(&w, ctl, sizeof ctl);
    size_t n;
    assert_int_equal(ltuya_jw_finish(&w, &n), LTUYA_OK);
    assert_int_equal(ltuya_json_validate(out, n), LTUYA_OK);
    char back[32];
    ltuya_str_t content = {out + 1, n - 2};
    assert_int_equal(ltuya_json_unescape(content, back, sizeof back, &n), LTUYA_OK);
    assert_int_equal(n, 32);
    assert_memory_equal(back, ctl, 32);
    /* the empty string, and a key needing escapes */
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_jw_obj_begin(&w);
    ltuya_jw_key(&w, "k\"\n");
    ltuya_jw_str(&w, "", 0);
    ltuya_jw_obj_end(&w);
    expect(&w, "{\"k\\\"\\n\":\"\"}");
}

static void test_low_level_writer(void **state)
{
    (void)state;
    ltuya_jw_t w;
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_jw_obj_begin(&w);
    ltuya_jw_key(&w, "a");
    ltuya_jw_arr_begin(&w);
    ltuya_jw_int(&w, 0);
    ltuya_jw_int(&w, -1);
    ltuya_jw_int_str(&w, -42);
    ltuya_jw_int_str(&w, INT64_MIN);
    ltuya_jw_bool(&w, true);
    ltuya_jw_null(&w);
    ltuya_jw_raw(&w, "{\"x\":[]}", 8);
    ltuya_jw_obj_begin(&w);
    ltuya_jw_obj_end(&w);
    ltuya_jw_arr_begin(&w);
    ltuya_jw_arr_begin(&w);
    ltuya_jw_arr_end(&w);
    ltuya_jw_int(&w, 7);
    ltuya_jw_arr_end(&w);
    ltuya_jw_arr_end(&w);
    ltuya_jw_key(&w, "b");
    ltuya_jw_obj_begin(&w);
    ltuya_jw_key(&w, "c");
    ltuya_jw_bool(&w, false);
    ltuya_jw_key(&w, "d");
    ltuya_jw_int(&w, INT64_MIN);
    ltuya_jw_obj_end(&w);
    ltuya_jw_obj_end(&w);
    expect(&w, "{\"a\":[0,-1,\"-42\",\"-9223372036854775808\",true,null,{\"x\":[]},{},[[],7]],"
               "\"b\":{\"c\":false,\"d\":-9223372036854775808}}");
    assert_int_equal(ltuya_json_validate(out, w.len), LTUYA_OK);
    /* a lone value at the top level needs no comma */
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_dp_t n = ltuya_dp_null(1);
    ltuya_jw_dp_value(&w, &n);
    expect(&w, "null");
}

/* Every builder, by number, so the size-first test can sweep them all. */
static void build(int which, ltuya_jw_t *w)
{
    static const uint16_t ids[] = {1, 2, 101};
    static const char esc[] = "tab\there \"q\" \x02";
    ltuya_dp_t dps[4] = {ltuya_dp_bool(1, true), ltuya_dp_int(2, INT64_MIN),
                         ltuya_dp_str(3, esc, sizeof esc - 1), ltuya_dp_null(4)};
    switch (which) {
    case 0:
        ltuya_json_query(w, LTUYA_V33, ID, NULL, T);
        break;
    case 1:
        ltuya_json_query(w, LTUYA_V35, ID, "C", T);
        break;
    case 2:
        ltuya_json_control(w, LTUYA_V33, ID, NULL, T, dps, 4);
        break;
    case 3:
        ltuya_json_control(w, LTUYA_V35, ID, "a4c1", T, dps, 4);
        break;
    case 4:
        ltuya_json_device22_query(w, ID, T, ids, 3);
        break;
    case 5:
        ltuya_json_refresh(w, ids, 3);
        break;
    case 6:
        ltuya_json_heartbeat(w, ID);
        break;
    default:
        ltuya_json_discovery_request(w, "192.168.1.10");
        break;
    }
}

static void test_size_first(void **state)
{
    (void)state;
    ltuya_jw_t w;
    size_t need, n;

    /* the documented reference size: the 3.3 query is 114 bytes (padded to
     * 128 in the gen33-dp-query vector) */
    ltuya_jw_init(&w, NULL, 0);
    ltuya_json_query(&w, LTUYA_V33, ID, NULL, T);
    assert_int_equal(ltuya_jw_finish(&w, &need), LTUYA_ERR_BUF_TOO_SMALL);
    assert_int_equal(need, 114);

    for (int which = 0; which < 8; which++) {
        char full[512], buf[512];
        ltuya_jw_init(&w, NULL, 0);
        build(which, &w);
        assert_int_equal(ltuya_jw_finish(&w, &need), LTUYA_ERR_BUF_TOO_SMALL);
        assert_in_range(need, 2, sizeof full - 2);
        ltuya_jw_init(&w, full, sizeof full);
        build(which, &w);
        assert_int_equal(ltuya_jw_finish(&w, &n), LTUYA_OK);
        assert_int_equal(n, need); /* counting and writing agree */
        assert_int_equal(ltuya_json_validate(full, n), LTUYA_OK);
        for (size_t cap = 0; cap <= need + 1; cap++) {
            memset(buf, '#', sizeof buf);
            ltuya_jw_init(&w, buf, cap);
            build(which, &w);
            assert_int_equal(ltuya_jw_finish(&w, &n),
                             cap < need ? LTUYA_ERR_BUF_TOO_SMALL : LTUYA_OK);
            assert_int_equal(n, need);
            size_t wrote = cap < need ? cap : need;
            assert_memory_equal(buf, full, wrote); /* the prefix is the real output */
            for (size_t i = wrote; i < sizeof buf; i++)
                assert_int_equal(buf[i], '#'); /* canary: nothing past cap or the payload */
        }
    }
}

/* ---- reader: DPS ------------------------------------------------------------- */

static ltuya_dps_t d;

static void parse_ok(const char *s)
{
    char *copy = exact_copy(s, strlen(s));
    ltuya_status_t st = ltuya_json_parse_dps(copy, strlen(s), &d);
    if (st != LTUYA_OK)
        fail_msg("%s: %s", s, ltuya_status_str(st));
    /* views must point into the caller's text: re-aim them at s */
    for (size_t i = 0; i < d.count; i++)
        if (d.dp[i].type == LTUYA_DP_STR || d.dp[i].type == LTUYA_DP_RAW)
            d.dp[i].str.ptr = s + (d.dp[i].str.ptr - copy);
    d.dev_id.ptr = s + (d.dev_id.ptr - copy);
    d.cid.ptr = s + (d.cid.ptr - copy);
    free(copy);
}

static void assert_view(ltuya_str_t v, const char *want)
{
    if (v.len != strlen(want) || memcmp(v.ptr, want, v.len))
        fail_msg("got '%.*s' want '%s'", (int)v.len, v.ptr, want);
}

static void test_reader_real_payloads(void **state)
{
    (void)state;
    parse_ok("{\"devId\":\"abc\",\"dps\":{\"20\":true,\"22\":500},\"t\":1700000000}");
    assert_true(d.has_dps);
    assert_int_equal(d.count, 2);
    assert_int_equal(d.dropped, 0);
    assert_int_equal(d.dp[0].id, 20);
    assert_int_equal(d.dp[0].type, LTUYA_DP_BOOL);
    assert_true(d.dp[0].b);
    assert_int_equal(ltuya_dps_find(&d, 22)->type, LTUYA_DP_INT);
    assert_int_equal(ltuya_dps_find(&d, 22)->i, 500);
    assert_null(ltuya_dps_find(&d, 1));
    assert_view(d.dev_id, "abc");
    assert_int_equal(d.cid.len, 0);
    assert_true(d.has_t);
    assert_int_equal(d.t, T);
    assert_int_equal(d.protocol, 0);

    /* the 3.4/3.5 push envelope */
    parse_ok("{\"protocol\":4,\"t\":1700000000,\"data\":{\"dps\":{\"1\":true}}}");
    assert_int_equal(d.protocol, 4);
    assert_true(d.has_dps);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.dp[0].id, 1);
    assert_true(d.dp[0].b);
    assert_int_equal(d.t, T);
    assert_int_equal(d.dev_id.len, 0);

    /* the 3.1 test vector */
    parse_ok("{\"devId\":\"002004265ccf7fb1b659\",\"dps\":{\"1\":false,\"2\":0},\"t\":1529442366,"
             "\"s\":8}");
    assert_int_equal(d.count, 2);
    assert_int_equal(d.dp[0].type, LTUYA_DP_BOOL);
    assert_false(d.dp[0].b);
    assert_int_equal(d.dp[1].type, LTUYA_DP_INT);
    assert_int_equal(d.dp[1].i, 0);
    assert_view(d.dev_id, "002004265ccf7fb1b659");
    assert_int_equal(d.t, 1529442366);

    /* a discovery beacon is an object without "dps": OK, nothing found */
    parse_ok("{\"ip\":\"10.2.1.98\",\"gwId\":\"bf90769136c9ac3653oqwj\",\"active\":2,"
             "\"ablilty\":0,\"encrypt\":true,\"productKey\":\"3bhylhz5zhogklel\","
             "\"version\":\"3.3\"}");
    assert_false(d.has_dps);
    assert_int_equal(d.count, 0);
    assert_int_equal(d.dev_id.len, 0); /* gwId is not devId */
    assert_false(d.has_t);
    assert_int_equal(d.protocol, 0);

    /* sub-device pushes, in both envelopes; "t" as a string of digits */
    parse_ok("{\"dps\":{\"1\":true},\"cid\":\"a4c1\",\"t\":\"1700000000\"}");
    assert_view(d.cid, "a4c1");
    assert_true(d.has_t);
    assert_int_equal(d.t, T);
    parse_ok("{\"protocol\":4,\"t\":1,\"data\":{\"cid\":\"z1\",\"dps\":{\"3\":\"on\"}}}");
    assert_view(d.cid, "z1");
    assert_int_equal(d.t, 1);
    assert_int_equal(d.dp[0].id, 3);
    assert_int_equal(d.dp[0].type, LTUYA_DP_STR);
    assert_true(d.dp[0].escaped);
    assert_view(d.dp[0].str, "on");

    /* an ACK or an envelope without data */
    parse_ok("{}");
    assert_false(d.has_dps);
    assert_int_equal(d.count, 0);
    /* an empty dps is still a dps */
    parse_ok("{\"dps\":{}}");
    assert_true(d.has_dps);
    assert_int_equal(d.count, 0);
}

static void test_reader_value_types(void **state)
{
    (void)state;
    parse_ok(" {\r\n\t\"dps\" : { \"24\" : \"000003e803e8\" , \"101\" : {\"a\":[1,2]}, "
             "\"102\": 1.5, \"103\": 99999999999999999999, \"104\": -1.5e3, \"105\": 1E+2,"
             "\"106\":-9223372036854775808, \"107\":9223372036854775807, "
             "\"108\":9223372036854775808, \"109\":-9223372036854775809, \"110\":-0, "
             "\"111\":null, \"112\":[], \"113\":\"a\\\"b\\u00e9\", \"114\" : false } } \n");
    assert_int_equal(d.count, 15);
    assert_int_equal(d.dropped, 0);
    static const struct {
        uint16_t id;
        ltuya_dp_type_t type;
        const char *text; /* str view for STR/RAW */
    } want[] = {
        {24, LTUYA_DP_STR, "000003e803e8"},
        {101, LTUYA_DP_RAW, "{\"a\":[1,2]}"},
        {102, LTUYA_DP_RAW, "1.5"},
        {103, LTUYA_DP_RAW, "99999999999999999999"},
        {104, LTUYA_DP_RAW, "-1.5e3"},
        {105, LTUYA_DP_RAW, "1E+2"},
        {106, LTUYA_DP_INT, NULL},
        {107, LTUYA_DP_INT, NULL},
        {108, LTUYA_DP_RAW, "9223372036854775808"},
        {109, LTUYA_DP_RAW, "-9223372036854775809"},
        {110, LTUYA_DP_INT, NULL},
        {111, LTUYA_DP_NULL, NULL},
        {112, LTUYA_DP_RAW, "[]"},
        {113, LTUYA_DP_STR, "a\\\"b\\u00e9"},
        {114, LTUYA_DP_BOOL, NULL},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(d.dp[i].id, want[i].id);
        assert_int_equal(d.dp[i].type, want[i].type);
        if (want[i].text)
            assert_view(d.dp[i].str, want[i].text);
    }
    assert_int_equal(ltuya_dps_find(&d, 106)->i, INT64_MIN);
    assert_int_equal(ltuya_dps_find(&d, 107)->i, INT64_MAX);
    assert_int_equal(ltuya_dps_find(&d, 110)->i, 0);
    assert_false(ltuya_dps_find(&d, 114)->b);
    assert_true(ltuya_dps_find(&d, 113)->escaped);

    char buf[16];
    size_t n;
    assert_int_equal(ltuya_json_unescape(ltuya_dps_find(&d, 113)->str, buf, sizeof buf, &n),
                     LTUYA_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "a\"b\xc3\xa9", 5);

    /* a parsed DP written back comes out as it came in */
    ltuya_jw_t w;
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_jw_dp_value(&w, ltuya_dps_find(&d, 113));
    expect(&w, "\"a\\\"b\\u00e9\"");
    ltuya_jw_init(&w, out, sizeof out);
    ltuya_jw_dp_value(&w, ltuya_dps_find(&d, 101));
    expect(&w, "{\"a\":[1,2]}");
}

/* An empty "dps" or "data" object ends where it starts: what follows is not
 * read as its members (the one-pass reader once kept them open). */
static void test_reader_empty_envelope_objects(void **state)
{
    (void)state;
    parse_ok("{\"dps\":{},\"\":true,\"2\":{\"a\":[1,{}]},\"x\":{\"3\":4}}");
    assert_true(d.has_dps);
    assert_int_equal(d.count, 0);
    assert_int_equal(d.dropped, 0);
    parse_ok("{\"data\":{},\"x\":{\"cid\":\"c\",\"t\":5,\"dps\":{\"1\":true}}}");
    assert_false(d.has_dps);
    assert_int_equal(d.cid.len, 0);
    assert_false(d.has_t);
    parse_ok("{\"data\":{\"dps\":{}},\"y\":[{\"9\":1}],\"dps\":{\"7\":[]}}");
    assert_true(d.has_dps);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.dp[0].id, 7);
    assert_int_equal(d.dp[0].type, LTUYA_DP_RAW);
}

static void test_reader_dp_ids_and_fields(void **state)
{
    (void)state;
    /* only decimal 1..65535 without leading zeros are DP ids */
    parse_ok("{\"dps\":{\"0\":1,\"01\":1,\"-1\":1,\"65536\":1,\"\":1,\"1 \":1,\"a\":1,"
             "\"1.0\":1,\"+2\":1,\"99999999999999999999\":1,\"\\u0031\":1,"
             "\"65535\":2,\"1\":3}}");
    assert_int_equal(d.count, 2);
    assert_int_equal(d.dropped, 11);
    assert_int_equal(d.dp[0].id, 65535);
    assert_int_equal(d.dp[1].id, 1);

    /* fields that are there but unusable are left unset */
    parse_ok("{\"t\":\"soon\",\"devId\":5,\"cid\":null,\"protocol\":\"4\",\"dps\":[1]}");
    assert_false(d.has_t);
    assert_int_equal(d.dev_id.len, 0);
    assert_int_equal(d.cid.len, 0);
    assert_int_equal(d.protocol, 0);
    assert_false(d.has_dps); /* a "dps" that is not an object */
    parse_ok("{\"t\":1.5}");
    assert_false(d.has_t);
    parse_ok("{\"t\":-5}");
    assert_true(d.has_t);
    assert_int_equal(d.t, -5);

    /* "data" only counts at the top level; "devId" and "protocol" too */
    parse_ok("{\"x\":{\"dps\":{\"1\":true}},\"data\":{\"devId\":\"no\",\"protocol\":3,"
             "\"data\":{\"dps\":{\"2\":true}}}}");
    assert_false(d.has_dps);
    assert_int_equal(d.dev_id.len, 0);
    assert_int_equal(d.protocol, 0);
}

static void test_reader_duplicates(void **state)
{
    (void)state;
    /* the last "dps" object wins, wherever it is */
    parse_ok("{\"dps\":{\"1\":true,\"x\":0},\"dps\":{\"2\":false}}");
    assert_int_equal(d.count, 1);
    assert_int_equal(d.dropped, 0);
    assert_int_equal(d.dp[0].id, 2);
    parse_ok("{\"data\":{\"dps\":{\"1\":true}},\"dps\":{\"3\":1}}");
    assert_int_equal(d.count, 1);
    assert_int_equal(d.dp[0].id, 3);
    parse_ok("{\"dps\":{\"3\":1},\"data\":{\"dps\":{\"1\":true,\"4\":2}}}");
    assert_int_equal(d.count, 2);
    assert_int_equal(d.dp[0].id, 1);
    /* a later non-object "dps" does not erase an earlier object */
    parse_ok("{\"dps\":{\"5\":1},\"dps\":null}");
    assert_int_equal(d.count, 1);
    assert_int_equal(d.dp[0].id, 5);
    /* cid and t: last wins */
    parse_ok("{\"cid\":\"a\",\"t\":1,\"data\":{\"cid\":\"b\",\"t\":2}}");
    assert_view(d.cid, "b");
    assert_int_equal(d.t, 2);
    /* an id repeated inside one dps: both kept, find gives the later */
    parse_ok("{\"dps\":{\"1\":true,\"1\":false}}");
    assert_int_equal(d.count, 2);
    assert_false(ltuya_dps_find(&d, 1)->b);
}

static void test_too_many_dps(void **state)
{
    (void)state;
    char doc[4096];
    size_t n = (size_t)snprintf(doc, sizeof doc, "{\"dps\":{\"0\":0,\"x\":1");
    for (int i = 1; i <= LTUYA_MAX_DPS + 5; i++)
        n += (size_t)snprintf(doc + n, sizeof doc - n, ",\"%d\":%d", i, i);
    n += (size_t)snprintf(doc + n, sizeof doc - n, "}}");
    assert_true(n < sizeof doc);
    assert_int_equal(ltuya_json_parse_dps(doc, n, &d), LTUYA_OK);
    assert_int_equal(d.count, LTUYA_MAX_DPS);
    assert_int_equal(d.dropped, 5 + 2); /* 5 over the limit, 2 bad ids */
    assert_int_equal(d.dp[LTUYA_MAX_DPS - 1].id, LTUYA_MAX_DPS);
    assert_int_equal(d.dp[LTUYA_MAX_DPS - 1].i, LTUYA_MAX_DPS);
    assert_null(ltuya_dps_find(&d, LTUYA_MAX_DPS + 1));
}

/* ---- reader: validate, get, iterate -------------------------------------------- */

static void test_get(void **state)
{
    (void)state;
    const char *beacon = "{\"ip\":\"10.2.1.98\",\"gwId\":\"bf90769136c9ac3653oqwj\",\"active\":2,"
                         "\"ablilty\":0,\"encrypt\":true,\"productKey\":\"3bhylhz5zhogklel\","
                         "\"version\":\"3.3\"}";
    size_t len = strlen(beacon);
    ltuya_str_t v;
    bool s = false;
    assert_int_equal(ltuya_json_validate(beacon, len), LTUYA_OK);
    assert_int_equal(ltuya_json_get(beacon, len, "version", &v, &s), LTUYA_OK);
    assert_true(s);
    assert_view(v, "3.3");
    assert_int_equal(ltuya_json_get(beacon, len, "active", &v, &s), LTUYA_OK);
    assert_false(s);
    assert_view(v, "2");
    assert_int_equal(ltuya_json_get(beacon, len, "encrypt", &v, NULL), LTUYA_OK);
    assert_view(v, "true");
    assert_int_equal(ltuya_json_get(beacon, len, "gwId", NULL, &s), LTUYA_OK);
    assert_true(s);
    assert_int_equal(ltuya_json_get(beacon, len, "nope", &v, &s), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_json_get(beacon, len, "3.3", &v, &s), LTUYA_ERR_NOT_FOUND);

    /* only the top level is searched; nested values come back raw */
    const char *doc = " {\"a\":{\"b\":1},\"c\":[\"b\"],\"s\":\"x\\\"y\",\"a\":2} ";
    len = strlen(doc);
    assert_int_equal(ltuya_json_get(doc, len, "b", &v, &s), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_json_get(doc, len, "a", &v, &s), LTUYA_OK);
    assert_false(s);
    assert_view(v, "{\"b\":1}"); /* the first of a repeated member */
    assert_int_equal(ltuya_json_get(doc, len, "c", &v, &s), LTUYA_OK);
    assert_view(v, "[\"b\"]");
    assert_int_equal(ltuya_json_get(doc, len, "s", &v, &s), LTUYA_OK);
    assert_true(s);
    assert_view(v, "x\\\"y");
    /* not an object, or broken before the member */
    assert_int_equal(ltuya_json_get("[1]", 3, "a", &v, &s), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_json_get("5", 1, "a", &v, &s), LTUYA_ERR_MALFORMED_JSON);
    const char *broken = "{\"x\":tru,\"a\":1}", *junk = "{\"x\":1} junk";
    assert_int_equal(ltuya_json_get(broken, strlen(broken), "a", &v, &s), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_get(junk, strlen(junk), "a", &v, &s), LTUYA_ERR_MALFORMED_JSON);
}

static void test_iterate_devices_json(void **state)
{
    (void)state;
    /* the shape the wizard writes: an array of devices with nested mappings */
    static const char devices[] =
        "[\n"
        "  {\"name\":\"Plug \\\"A\\\"\",\"id\":\"eb0123456789abcdefghij\",\"key\":\"k1\","
        "\"mapping\":{\"1\":{\"code\":\"switch_1\",\"type\":\"Boolean\",\"values\":{}},"
        "\"18\":{\"code\":\"cur_current\",\"type\":\"Integer\","
        "\"values\":{\"unit\":\"mA\",\"min\":0,\"max\":30000,\"scale\":0,\"step\":1}}}},\n"
        "  {\"name\":\"Lamp\",\"id\":\"bf90769136c9ac3653oqwj\",\"mapping\":{}, \"sub\":false}\n"
        "]\n";
    char *text = exact_copy(devices, sizeof devices - 1);
    size_t len = sizeof devices - 1;
    ltuya_json_iter_t it, mit;
    ltuya_str_t k, v, f;
    bool s;
    assert_int_equal(ltuya_json_iter_init(&it, text, len), LTUYA_OK);
    assert_false(it.object);

    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_OK);
    assert_int_equal(k.len, 0);
    assert_false(s);
    assert_int_equal(v.ptr[0], '{');
    assert_int_equal(v.ptr[v.len - 1], '}');
    assert_int_equal(ltuya_json_get(v.ptr, v.len, "name", &f, &s), LTUYA_OK);
    assert_true(s);
    assert_view(f, "Plug \\\"A\\\"");
    assert_int_equal(ltuya_json_get(v.ptr, v.len, "mapping", &f, &s), LTUYA_OK);
    assert_false(s);
    assert_int_equal(ltuya_json_iter_init(&mit, f.ptr, f.len), LTUYA_OK);
    assert_true(mit.object);
    ltuya_str_t mv;
    assert_int_equal(ltuya_json_iter_next(&mit, &k, &mv, &s), LTUYA_OK);
    assert_view(k, "1");
    assert_view(mv, "{\"code\":\"switch_1\",\"type\":\"Boolean\",\"values\":{}}");
    assert_int_equal(ltuya_json_iter_next(&mit, &k, &mv, &s), LTUYA_OK);
    assert_view(k, "18");
    assert_int_equal(ltuya_json_get(mv.ptr, mv.len, "values", &mv, &s), LTUYA_OK);
    assert_int_equal(ltuya_json_get(mv.ptr, mv.len, "unit", &mv, &s), LTUYA_OK);
    assert_view(mv, "mA");
    assert_int_equal(ltuya_json_iter_next(&mit, &k, &mv, &s), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_json_iter_next(&mit, &k, &mv, &s), LTUYA_ERR_NOT_FOUND);

    assert_int_equal(ltuya_json_iter_next(&it, NULL, &v, NULL), LTUYA_OK);
    assert_int_equal(ltuya_json_get(v.ptr, v.len, "id", &f, &s), LTUYA_OK);
    assert_view(f, "bf90769136c9ac3653oqwj");
    assert_int_equal(ltuya_json_get(v.ptr, v.len, "mapping", &f, &s), LTUYA_OK);
    assert_view(f, "{}");
    assert_int_equal(ltuya_json_iter_init(&mit, f.ptr, f.len), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&mit, &k, &mv, &s), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_NOT_FOUND);
    assert_true(it.done);
    free(text);

    /* mixed element types, all pointers optional */
    const char *mixed = "[\"skip\", 3, -1.5, null, [], {\"a\":1}]";
    static const char *const texts[] = {"skip", "3", "-1.5", "null", "[]", "{\"a\":1}"};
    assert_int_equal(ltuya_json_iter_init(&it, mixed, strlen(mixed)), LTUYA_OK);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_OK);
        assert_view(v, texts[i]);
        assert_int_equal(s, i == 0);
    }
    assert_int_equal(ltuya_json_iter_next(&it, NULL, NULL, NULL), LTUYA_ERR_NOT_FOUND);
}

static void test_iterate_edges(void **state)
{
    (void)state;
    ltuya_json_iter_t it;
    ltuya_str_t k, v;
    bool s;
    assert_int_equal(ltuya_json_iter_init(&it, " \n[ ]\n", 6), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_json_iter_init(&it, "{}", 2), LTUYA_OK);
    assert_true(it.object);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_NOT_FOUND);
    /* not a container */
    assert_int_equal(ltuya_json_iter_init(&it, "\"x\"", 3), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_iter_init(&it, "1", 1), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_iter_init(&it, "", 0), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_iter_init(&it, "   ", 3), LTUYA_ERR_MALFORMED_JSON);
    /* a failed init leaves an iterator that only fails */
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_MALFORMED_JSON);
    /* garbage after the container is reported at the end */
    assert_int_equal(ltuya_json_iter_init(&it, "[1] x", 5), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_iter_init(&it, "{}}", 3), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_MALFORMED_JSON);
    /* errors mid-way, and they stick */
    assert_int_equal(ltuya_json_iter_init(&it, "[1,,2]", 6), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_MALFORMED_JSON);
    /* without the sticky error this would resume at "b" and read it as a key */
    const char *colon = "{\"a\":\"b\":1}";
    assert_int_equal(ltuya_json_iter_init(&it, colon, strlen(colon)), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_MALFORMED_JSON);
    assert_int_equal(ltuya_json_iter_next(&it, &k, &v, &s), LTUYA_ERR_MALFORMED_JSON);
    static const char *const bad[] = {"[1 2]", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "{1:2}",
                                      "[tru]", "{\"a\"}",   "[\"x]",      "{",    "["};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ltuya_status_t st;
        assert_int_equal(ltuya_json_iter_init(&it, bad[i], strlen(bad[i])), LTUYA_OK);
        while ((st = ltuya_json_iter_next(&it, &k, &v, &s)) == LTUYA_OK)
            ;
        if (st != LTUYA_ERR_MALFORMED_JSON)
            fail_msg("iterated '%s' to %s", bad[i], ltuya_status_str(st));
    }
}

/* ---- reader: hostile input ---------------------------------------------------- */

typedef struct {
    const char *s;
    size_t len;
} doc_t;
#define DOC(lit)                                                                                   \
    {                                                                                              \
        lit, sizeof(lit) - 1                                                                       \
    }

static void test_rejects_malformed(void **state)
{
    (void)state;
    static const doc_t bad[] = {
        DOC(""),
        DOC("   "),
        DOC("{"),
        DOC("}"),
        DOC("{,}"),
        DOC("{:1}"),
        DOC("{\"dps\":}"),
        DOC("{\"dps\":{\"1\":tru}}"),
        DOC("{\"a\":True}"),
        DOC("{\"a\":nulls}"),
        DOC("{\"a\":NaN}"),
        DOC("{\"a\":Infinity}"),
        DOC("{\"a\":-Infinity}"),
        DOC("{\"a\":1,}"),
        DOC("{\"a\":1,,\"b\":2}"),
        DOC("{\"a\" 1}"),
        DOC("{\"a\"::1}"),
        DOC("{\"a\":1:}"),
        DOC("{\"a\"}"),
        DOC("{\"a\":}"),
        DOC("{\"a\":1 \"b\":2}"),
        DOC("{\"a\":01}"),
        DOC("{\"a\":-01}"),
        DOC("{\"a\":00}"),
        DOC("{\"a\":-}"),
        DOC("{\"a\":- 1}"),
        DOC("{\"a\":--1}"),
        DOC("{\"a\":1.}"),
        DOC("{\"a\":1.e5}"),
        DOC("{\"a\":.5}"),
        DOC("{\"a\":+1}"),
        DOC("{\"a\":1e}"),
        DOC("{\"a\":1e+}"),
        DOC("{\"a\":1.5.2}"),
        DOC("{\"a\":0x10}"),
        DOC("{\"a\":\"x}"),
        DOC("{\"a\":\"x\\\"}"),
        DOC("{\"a\":\"\\q\"}"),
        DOC("{\"a\":\"\\x41\"}"),
        DOC("{\"a\":\"\\U0041\"}"),
        DOC("{\"a\":\"\\u12g4\"}"),
        DOC("{\"a\":\"\\u12\"}"),
        DOC("{\"a\":\"\\"),
        DOC("{\"\\u00zz\":1}"),
        DOC("{\"a\":\"\x01\"}"),
        DOC("{\"a\":\"\t\"}"),
        DOC("{\"a\":\"\n\"}"),
        DOC("{\"a\":\"\x1f\"}"),
        DOC("{\"a\":\"\0\"}"),
        DOC("{\"a\":'x'}"),
        DOC("{a:1}"),
        DOC("{\"a\":1} x"),
        DOC("{\"a\":1}}"),
        DOC("{\"a\":1}\0"),
        DOC("{} {}"),
        DOC("\xef\xbb\xbf{}"),
        DOC("{\f}"),
        DOC("{\v}"),
        DOC("[1 2]"),
        DOC("[1]]"),
        DOC("[,1]"),
        DOC("{\"a\":[1,]}"),
        DOC("{\"dps\":[1,2}"),
        DOC("{\"a\":[}]"),
        DOC("{\"a\":{]}"),
        DOC("[{]}"),
        DOC("[1:2]"),
        DOC("[[[["),
        DOC("nul"),
        DOC("\"open"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *copy = exact_copy(bad[i].s, bad[i].len);
        ltuya_status_t st = ltuya_json_validate(copy, bad[i].len);
        if (st != LTUYA_ERR_MALFORMED_JSON)
            fail_msg("validate #%zu '%.*s': %s", i, (int)bad[i].len, bad[i].s,
                     ltuya_status_str(st));
        st = ltuya_json_parse_dps(copy, bad[i].len, &d);
        if (st != LTUYA_ERR_MALFORMED_JSON)
            fail_msg("parse_dps #%zu '%.*s': %s", i, (int)bad[i].len, bad[i].s,
                     ltuya_status_str(st));
        assert_int_equal(d.count, 0);
        assert_false(d.has_dps);
        free(copy);
    }
    /* valid JSON but not an object: not a payload */
    static const doc_t not_obj[] = {DOC("[1]"), DOC("1"), DOC("\"s\""), DOC("null")};
    for (size_t i = 0; i < sizeof not_obj / sizeof not_obj[0]; i++) {
        assert_int_equal(ltuya_json_validate(not_obj[i].s, not_obj[i].len), LTUYA_OK);
        assert_int_equal(ltuya_json_parse_dps(not_obj[i].s, not_obj[i].len, &d),
                         LTUYA_ERR_MALFORMED_JSON);
    }
    /* things that look odd but are valid JSON */
    static const doc_t good[] = {
        DOC(" {\"a\":\"\x7f\\/\xc3\xa9\"} "),
        DOC("{\"\":0}"),
        DOC("{\"a\":-0.0e-0}"),
        DOC("[\"\\u0000\"]"),
        DOC("0"),
        DOC("\"\""),
        DOC("{\"dps\":{\"1\":1},\"dps\":2}"),
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (ltuya_json_validate(good[i].s, good[i].len) != LTUYA_OK)
            fail_msg("rejected valid '%.*s'", (int)good[i].len, good[i].s);
    /* the reader never looks past len: a valid prefix of a longer buffer */
    assert_int_equal(ltuya_json_validate("{\"a\":1}garbage", 7), LTUYA_OK);
    assert_int_equal(ltuya_json_parse_dps("{\"dps\":{\"1\":true}}garbage", 18, &d), LTUYA_OK);
    assert_int_equal(d.count, 1);
}

/* n nested arrays around a 1, e.g. n=2: [[1]] */
static size_t nest(char *doc, const char *pre, int n, const char *post)
{
    size_t len = (size_t)sprintf(doc, "%s", pre);
    for (int i = 0; i < n; i++)
        doc[len++] = '[';
    doc[len++] = '1';
    for (int i = 0; i < n; i++)
        doc[len++] = ']';
    len += (size_t)sprintf(doc + len, "%s", post);
    return len;
}

static void test_depth_bound(void **state)
{
    (void)state;
    char doc[8 * LTUYA_JSON_MAX_DEPTH + 64];
    const int max = LTUYA_JSON_MAX_DEPTH;
    size_t n;
    /* arrays and objects both count */
    n = nest(doc, "", max, "");
    assert_int_equal(ltuya_json_validate(doc, n), LTUYA_OK);
    n = nest(doc, "", max + 1, "");
    assert_int_equal(ltuya_json_validate(doc, n), LTUYA_ERR_JSON_TOO_DEEP);
    n = 0;
    for (int i = 0; i < max; i++)
        n += (size_t)sprintf(doc + n, "{\"a\":");
    doc[n++] = '1';
    for (int i = 0; i < max; i++)
        doc[n++] = '}';
    assert_int_equal(ltuya_json_validate(doc, n), LTUYA_OK);
    memmove(doc + 5, doc, n);
    memcpy(doc, "[    ", 5);
    doc[n + 5] = ']';
    assert_int_equal(ltuya_json_validate(doc, n + 6), LTUYA_ERR_JSON_TOO_DEEP);

    /* in a payload: the object and "dps" are levels 1 and 2 */
    n = nest(doc, "{\"dps\":{\"1\":", max - 2, "}}");
    assert_int_equal(ltuya_json_parse_dps(doc, n, &d), LTUYA_OK);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.dp[0].type, LTUYA_DP_RAW);
    n = nest(doc, "{\"dps\":{\"1\":", max - 1, "}}");
    assert_int_equal(ltuya_json_parse_dps(doc, n, &d), LTUYA_ERR_JSON_TOO_DEEP);
    assert_int_equal(d.count, 0);
    /* under "data", one level deeper */
    n = nest(doc, "{\"data\":{\"dps\":{\"1\":", max - 3, "}}}");
    assert_int_equal(ltuya_json_parse_dps(doc, n, &d), LTUYA_OK);
    n = nest(doc, "{\"data\":{\"dps\":{\"1\":", max - 2, "}}}");
    assert_int_equal(ltuya_json_parse_dps(doc, n, &d), LTUYA_ERR_JSON_TOO_DEEP);
    /* in a member the reader skips */
    n = nest(doc, "{\"x\":", max - 1, "}");
    assert_int_equal(ltuya_json_parse_dps(doc, n, &d), LTUYA_OK);
    n = nest(doc, "{\"x\":", max, "}");
    assert_int_equal(ltuya_json_parse_dps(doc, n, &d), LTUYA_ERR_JSON_TOO_DEEP);

    /* the iterator counts its own container as level 1 */
    ltuya_json_iter_t it;
    ltuya_str_t v;
    n = nest(doc, "", max, "");
    assert_int_equal(ltuya_json_iter_init(&it, doc, n), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, NULL, &v, NULL), LTUYA_OK);
    assert_int_equal(v.len, n - 2);
    n = nest(doc, "", max + 1, "");
    assert_int_equal(ltuya_json_iter_init(&it, doc, n), LTUYA_OK);
    assert_int_equal(ltuya_json_iter_next(&it, NULL, &v, NULL), LTUYA_ERR_JSON_TOO_DEEP);

    /* a huge nesting attack stops at the bound, without recursion */
    enum { DEEP_LEN = 100000 };
    char *deep = malloc(DEEP_LEN);
    assert_non_null(deep);
    memset(deep, '[', DEEP_LEN);
    assert_int_equal(ltuya_json_validate(deep, DEEP_LEN), LTUYA_ERR_JSON_TOO_DEEP);
    memcpy(deep, "{\"dps\":", 7);
    assert_int_equal(ltuya_json_parse_dps(deep, DEEP_LEN, &d), LTUYA_ERR_JSON_TOO_DEEP);
    memcpy(deep, "{\"dps\":{\"1\":", 12);
    assert_int_equal(ltuya_json_parse_dps(deep, DEEP_LEN, &d), LTUYA_ERR_JSON_TOO_DEEP);
    free(deep);
}

static void test_every_prefix_is_rejected(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{\"protocol\":4,\"t\":1700000000,\"data\":{\"cid\":\"x\",\"dps\":{\"1\":true,"
        "\"24\":\"00\\u00e9\",\"101\":[1,{\"a\":null}],\"102\":-1.5e3,\"103\":false}}}",
        " { \"devId\" : \"002004265ccf7fb1b659\" , \"dps\" : { \"1\" : false , \"2\" : 0 } , "
        "\"t\" : \"1529442366\" , \"s\" : 8 } ",
    };
    for (size_t k = 0; k < sizeof docs / sizeof docs[0]; k++) {
        size_t len = strlen(docs[k]);
        assert_int_equal(ltuya_json_parse_dps(docs[k], len, &d), LTUYA_OK);
        assert_true(d.count >= 2);
        /* the full trimmed text ends in '}'; every shorter cut lacks it */
        size_t last = len;
        while (docs[k][last - 1] != '}')
            last--;
        for (size_t i = 0; i < last; i++) {
            char *copy = exact_copy(docs[k], i);
            ltuya_status_t st = ltuya_json_parse_dps(copy, i, &d);
            if (st != LTUYA_ERR_MALFORMED_JSON)
                fail_msg("doc %zu prefix %zu: %s", k, i, ltuya_status_str(st));
            assert_int_equal(ltuya_json_validate(copy, i), LTUYA_ERR_MALFORMED_JSON);
            free(copy);
        }
    }
    /* an iterator over a cut array never ends cleanly */
    const char *arr = "[{\"a\":[1,2]},\"s\\\"\",-0.5,true,null,{}]";
    size_t len = strlen(arr);
    for (size_t i = 0; i < len; i++) {
        char *copy = exact_copy(arr, i);
        ltuya_json_iter_t it;
        ltuya_status_t st = ltuya_json_iter_init(&it, copy, i);
        size_t guard = 0;
        while (st == LTUYA_OK && guard++ < 100)
            st = ltuya_json_iter_next(&it, NULL, NULL, NULL);
        assert_int_equal(st, LTUYA_ERR_MALFORMED_JSON);
        free(copy);
    }
}

/* ---- unescape ---------------------------------------------------------------- */

static void test_unescape(void **state)
{
    (void)state;
    char buf[32];
    size_t n;
    ltuya_str_t s = {"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u20AC", 0};
    s.len = strlen(s.ptr);
    assert_int_equal(ltuya_json_unescape(s, buf, sizeof buf, &n), LTUYA_OK);
    assert_int_equal(n, 1 + 8 + 2 + 4 + 3);
    assert_memory_equal(buf, "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\xe2\x82\xac", n);
    /* exact room is enough; one byte short is not, and nothing past cap is written */
    assert_int_equal(ltuya_json_unescape(s, buf, 18, &n), LTUYA_OK);
    memset(buf, '#', sizeof buf);
    assert_int_equal(ltuya_json_unescape(s, buf, 17, &n), LTUYA_ERR_BUF_TOO_SMALL);
    for (size_t i = 17; i < sizeof buf; i++)
        assert_int_equal(buf[i], '#');
    assert_int_equal(ltuya_json_unescape(s, buf, 5, &n), LTUYA_ERR_BUF_TOO_SMALL);
    /* nothing to do: no destination needed */
    ltuya_str_t empty = {"", 0}, nul = {"\\u0000", 6}, plain = {"abc", 3};
    assert_int_equal(ltuya_json_unescape(empty, NULL, 0, &n), LTUYA_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ltuya_json_unescape(nul, buf, sizeof buf, &n), LTUYA_OK);
    assert_int_equal(n, 1);
    assert_int_equal(buf[0], 0);
    assert_int_equal(ltuya_json_unescape(plain, buf, 2, &n), LTUYA_ERR_BUF_TOO_SMALL);

    static const char *const bad[] = {
        "\\ud83d",        /* lone high surrogate */
        "\\ude00",        /* lone low surrogate */
        "\\ud83d\\u0041", /* high surrogate, then not a low one */
        "\\ud83dx",       /* high surrogate, then text */
        "\\ud83d\\ude0",  /* low surrogate cut short */
        "x\\",            /* trailing backslash */
        "\\u12",          /* short \u */
        "\\u12g4",        /* not hex */
        "\\x41",          /* unknown escape */
        "\\'",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ltuya_str_t b = {bad[i], strlen(bad[i])};
        if (ltuya_json_unescape(b, buf, sizeof buf, &n) != LTUYA_ERR_MALFORMED_JSON)
            fail_msg("unescaped '%s'", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_shapes_every_version),
        cmocka_unit_test(test_control_shapes_every_version),
        cmocka_unit_test(test_other_payload_shapes),
        cmocka_unit_test(test_dp_values_and_escaping),
        cmocka_unit_test(test_string_escaping),
        cmocka_unit_test(test_low_level_writer),
        cmocka_unit_test(test_size_first),
        cmocka_unit_test(test_reader_real_payloads),
        cmocka_unit_test(test_reader_value_types),
        cmocka_unit_test(test_reader_empty_envelope_objects),
        cmocka_unit_test(test_reader_dp_ids_and_fields),
        cmocka_unit_test(test_reader_duplicates),
        cmocka_unit_test(test_too_many_dps),
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_iterate_devices_json),
        cmocka_unit_test(test_iterate_edges),
        cmocka_unit_test(test_rejects_malformed),
        cmocka_unit_test(test_depth_bound),
        cmocka_unit_test(test_every_prefix_is_rejected),
        cmocka_unit_test(test_unescape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
