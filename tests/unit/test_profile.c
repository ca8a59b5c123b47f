/* profile.c: conversions raw <-> engineering values, colour codecs, the
 * precedence of sources, built-in category defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltuya/profile.h"
#include "test_support.h"

static ltuya_pdp_t int_dp(uint16_t id, int32_t min, int32_t max, uint8_t scale, const char *unit)
{
    ltuya_pdp_t d;
    memset(&d, 0, sizeof d);
    d.id = id;
    d.type = LTUYA_VT_INT;
    d.scale = scale;
    d.set = LTUYA_PF_TYPE | LTUYA_PF_SCALE;
    ltuya_pdp_set_range(&d, min, max);
    if (unit)
        ltuya_pdp_set_unit(&d, unit, strlen(unit));
    return d;
}

/* Parse text on a DP; returns the status and the raw integer in *raw. */
static ltuya_status_t parse_int(const ltuya_pdp_t *d, const char *text, int64_t *raw)
{
    char scratch[64];
    ltuya_dp_t v;
    memset(&v, 0, sizeof v);
    ltuya_status_t st = ltuya_pdp_parse(d, text, strlen(text), scratch, sizeof scratch, &v);
    if (st == LTUYA_OK) {
        assert_int_equal(v.type, LTUYA_DP_INT);
        assert_int_equal(v.id, d->id);
        *raw = v.i;
    }
    return st;
}

static void expect_format(const ltuya_pdp_t *d, ltuya_dp_t v, const char *want)
{
    char buf[64];
    size_t n = 0;
    assert_int_equal(ltuya_pdp_format(d, &v, buf, sizeof buf, &n), LTUYA_OK);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

/* ---- scaled numbers ----------------------------------------------------------- */

static void test_scaled_format_every_scale(void **state)
{
    (void)state;
    static const struct {
        int64_t raw;
        unsigned scale;
        const char *text;
    } cases[] = {
        {837, 0, "837"},
        {837, 1, "83.7"},
        {837, 2, "8.37"},
        {837, 3, "0.837"},
        {5, 3, "0.005"},
        {0, 2, "0.00"},
        {-5, 2, "-0.05"},
        {-2350, 1, "-235.0"},
        {-1, 0, "-1"},
        {1000, 3, "1.000"},
        {2147483647, 0, "2147483647"},
        {INT64_MIN, 0, "-9223372036854775808"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        size_t n;
        assert_int_equal(ltuya_scaled_format(cases[i].raw, cases[i].scale, buf, sizeof buf, &n),
                         LTUYA_OK);
        assert_string_equal(buf, cases[i].text);
        assert_int_equal(n, strlen(cases[i].text));
    }
    char small[4];
    size_t n;
    assert_int_equal(ltuya_scaled_format(837, 1, small, sizeof small, &n), LTUYA_ERR_BUF_TOO_SMALL);
    assert_int_equal(n, 4);
}

static void test_scaled_parse_every_scale(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned scale;
        int64_t raw;
    } ok[] = {
        {"83.7", 1, 837}, {"83.7", 2, 8370}, {"83.7", 3, 83700}, {"837", 0, 837},
        {"8.37", 2, 837}, {"0.837", 3, 837}, {"-0.05", 2, -5},   {"-23.5", 1, -235},
        {" 12 ", 0, 12},  {"83.70", 1, 837}, {".5", 1, 5},       {"+7", 0, 7},
        {"5.", 1, 50},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t raw = 0;
        assert_int_equal(ltuya_scaled_parse(ok[i].text, strlen(ok[i].text), ok[i].scale, &raw),
                         LTUYA_OK);
        assert_int_equal(raw, ok[i].raw);
    }
    static const struct {
        const char *text;
        unsigned scale;
        ltuya_status_t st;
    } bad[] = {
        {"83.75", 1, LTUYA_ERR_BAD_VALUE}, /* finer than the DP resolves: never rounded */
        {"8.3", 0, LTUYA_ERR_BAD_VALUE},
        {"abc", 0, LTUYA_ERR_BAD_VALUE},
        {"", 0, LTUYA_ERR_BAD_VALUE},
        {"-", 0, LTUYA_ERR_BAD_VALUE},
        {"1e3", 0, LTUYA_ERR_BAD_VALUE},
        {"1 2", 0, LTUYA_ERR_BAD_VALUE},
        {"99999999999999999999", 0, LTUYA_ERR_OUT_OF_RANGE},
        {"2147483648", 0, LTUYA_ERR_OUT_OF_RANGE},
        {"99999999999", 9, LTUYA_ERR_OUT_OF_RANGE}, /* no int64 overflow on the way */
        {"3", 9, LTUYA_ERR_OUT_OF_RANGE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t raw = 0;
        assert_int_equal(ltuya_scaled_parse(bad[i].text, strlen(bad[i].text), bad[i].scale, &raw),
                         bad[i].st);
    }
}

static void test_int_dp_both_ways_with_units(void **state)
{
    (void)state;
    ltuya_pdp_t power = int_dp(19, 0, 50000, 1, "W");
    int64_t raw;
    assert_int_equal(parse_int(&power, "83.7", &raw), LTUYA_OK);
    assert_int_equal(raw, 837);
    assert_int_equal(parse_int(&power, "83.7W", &raw), LTUYA_OK);
    assert_int_equal(raw, 837);
    assert_int_equal(parse_int(&power, "83.7 W", &raw), LTUYA_OK);
    assert_int_equal(raw, 837);
    assert_int_equal(parse_int(&power, "83.7 V", &raw), LTUYA_ERR_BAD_VALUE); /* wrong unit */
    assert_int_equal(parse_int(&power, "5000.1", &raw), LTUYA_ERR_OUT_OF_RANGE);
    assert_int_equal(parse_int(&power, "-0.1", &raw), LTUYA_ERR_OUT_OF_RANGE);
    assert_int_equal(parse_int(&power, "true", &raw), LTUYA_ERR_BAD_VALUE);
    expect_format(&power, ltuya_dp_int(19, 837), "83.7");

    ltuya_pdp_t temp = int_dp(3, -200, 1000, 1, "°C");
    assert_int_equal(parse_int(&temp, "-12.5°C", &raw), LTUYA_OK);
    assert_int_equal(raw, -125);
    assert_int_equal(parse_int(&temp, "-20.1", &raw), LTUYA_ERR_OUT_OF_RANGE);
    expect_format(&temp, ltuya_dp_int(3, -125), "-12.5");

    ltuya_pdp_t energy = int_dp(17, 0, 50000, 3, "kWh");
    assert_int_equal(parse_int(&energy, "1.234", &raw), LTUYA_OK);
    assert_int_equal(raw, 1234);
    expect_format(&energy, ltuya_dp_int(17, 5), "0.005");

    ltuya_pdp_t volt2 = int_dp(20, 0, 30000, 2, "V");
    assert_int_equal(parse_int(&volt2, "230.05", &raw), LTUYA_OK);
    assert_int_equal(raw, 23005);

    /* a type mismatch between the DP and the value reported */
    char buf[16];
    ltuya_dp_t s = ltuya_dp_str(19, "x", 1);
    assert_int_equal(ltuya_pdp_format(&power, &s, buf, sizeof buf, NULL), LTUYA_ERR_BAD_VALUE);
}

static void test_step(void **state)
{
    (void)state;
    ltuya_pdp_t d = int_dp(2, 50, 350, 1, "°C");
    d.step = 5;
    d.set |= LTUYA_PF_STEP;
    int64_t raw;
    assert_int_equal(parse_int(&d, "21.5", &raw), LTUYA_OK);
    assert_int_equal(raw, 215);
    assert_int_equal(parse_int(&d, "21.3", &raw), LTUYA_ERR_OUT_OF_RANGE);
    assert_int_equal(ltuya_pdp_check_int(&d, 55), LTUYA_OK);
    assert_int_equal(ltuya_pdp_check_int(&d, 56), LTUYA_ERR_OUT_OF_RANGE);
}

static void test_percent_as_tinytuya(void **state)
{
    (void)state;
    ltuya_pdp_t bright = int_dp(22, 10, 1000, 0, NULL);
    int64_t raw;
    assert_int_equal(parse_int(&bright, "50%", &raw), LTUYA_OK);
    assert_int_equal(raw, 505);
    assert_int_equal(parse_int(&bright, "0%", &raw), LTUYA_OK);
    assert_int_equal(raw, 10);
    assert_int_equal(parse_int(&bright, "100%", &raw), LTUYA_OK);
    assert_int_equal(raw, 1000);
    assert_int_equal(parse_int(&bright, "33%", &raw), LTUYA_OK);
    assert_int_equal(raw, 336); /* 10 + 990 * 0.33 = 336.7, truncated */
    assert_int_equal(parse_int(&bright, "12.5 %", &raw), LTUYA_OK);
    assert_int_equal(raw, 133); /* 10 + 123.75 */
    assert_int_equal(parse_int(&bright, "101%", &raw), LTUYA_ERR_OUT_OF_RANGE);
    assert_int_equal(parse_int(&bright, "-1%", &raw), LTUYA_ERR_OUT_OF_RANGE);
    assert_int_equal(parse_int(&bright, "x%", &raw), LTUYA_ERR_BAD_VALUE);
    assert_int_equal(parse_int(&bright, "1001", &raw), LTUYA_ERR_OUT_OF_RANGE);
    assert_int_equal(parse_int(&bright, "9", &raw), LTUYA_ERR_OUT_OF_RANGE);

    /* a DP measured in % takes the number itself */
    ltuya_pdp_t pos = int_dp(2, 0, 100, 0, "%");
    assert_int_equal(parse_int(&pos, "40%", &raw), LTUYA_OK);
    assert_int_equal(raw, 40);

    /* no range known: nothing to map a percentage onto */
    ltuya_pdp_t norange = bright;
    norange.set &= (uint16_t)~LTUYA_PF_RANGE;
    assert_int_equal(parse_int(&norange, "50%", &raw), LTUYA_ERR_BAD_VALUE);
}

static void test_kelvin_and_durations(void **state)
{
    (void)state;
    ltuya_pdp_t ct = int_dp(23, 0, 1000, 0, NULL);
    ltuya_pdp_set_code(&ct, "temp_value_v2", 13);
    ct.role = LTUYA_ROLE_COLOUR_TEMP;
    ct.set |= LTUYA_PF_ROLE;
    int64_t raw;
    assert_int_equal(parse_int(&ct, "2700K", &raw), LTUYA_OK);
    assert_int_equal(raw, 0);
    assert_int_equal(parse_int(&ct, "6500K", &raw), LTUYA_OK);
    assert_int_equal(raw, 1000);
    assert_int_equal(parse_int(&ct, "3000K", &raw), LTUYA_OK);
    assert_int_equal(raw, 78); /* 300/3800 = 7.89 % of 0-1000, truncated twice */
    assert_int_equal(parse_int(&ct, "2000K", &raw), LTUYA_ERR_OUT_OF_RANGE);
    /* K only where the role says colour temperature */
    ltuya_pdp_t plain = int_dp(5, 0, 1000, 0, NULL);
    assert_int_equal(parse_int(&plain, "3000K", &raw), LTUYA_ERR_BAD_VALUE);

    ltuya_pdp_t cd = int_dp(9, 0, 86400, 0, "s");
    assert_int_equal(parse_int(&cd, "90s", &raw), LTUYA_OK);
    assert_int_equal(raw, 90);
    assert_int_equal(parse_int(&cd, "90", &raw), LTUYA_OK);
    assert_int_equal(raw, 90);
    assert_int_equal(parse_int(&cd, "1.5min", &raw), LTUYA_OK);
    assert_int_equal(raw, 90);
    assert_int_equal(parse_int(&cd, "2h", &raw), LTUYA_OK);
    assert_int_equal(raw, 7200);
    assert_int_equal(parse_int(&cd, "25h", &raw), LTUYA_ERR_OUT_OF_RANGE);
    assert_int_equal(parse_int(&cd, "0.5s", &raw), LTUYA_ERR_BAD_VALUE);
    ltuya_pdp_t cdm = int_dp(9, 0, 1440, 0, "min");
    assert_int_equal(parse_int(&cdm, "90s", &raw), LTUYA_ERR_BAD_VALUE); /* 1.5 min */
    assert_int_equal(parse_int(&cdm, "120s", &raw), LTUYA_OK);
    assert_int_equal(raw, 2);
}

/* ---- other types --------------------------------------------------------------- */

static void test_bool_enum_string_json(void **state)
{
    (void)state;
    char scratch[64];
    ltuya_dp_t v;
    ltuya_pdp_t sw = {0};
    sw.id = 1;
    sw.type = LTUYA_VT_BOOL;
    sw.set = LTUYA_PF_TYPE;
    const char *yes[] = {"true", "on", "1", "yes", "ON"}, *no[] = {"false", "off", "0", "no"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(ltuya_pdp_parse(&sw, yes[i], strlen(yes[i]), scratch, 64, &v), LTUYA_OK);
        assert_true(v.type == LTUYA_DP_BOOL && v.b && v.id == 1);
    }
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ltuya_pdp_parse(&sw, no[i], strlen(no[i]), scratch, 64, &v), LTUYA_OK);
        assert_true(v.type == LTUYA_DP_BOOL && !v.b);
    }
    assert_int_equal(ltuya_pdp_parse(&sw, "2", 1, scratch, 64, &v), LTUYA_ERR_BAD_VALUE);
    expect_format(&sw, ltuya_dp_bool(1, true), "true");

    ltuya_pdp_t mode = {0};
    mode.id = 21;
    mode.type = LTUYA_VT_ENUM;
    mode.set = LTUYA_PF_TYPE;
    assert_int_equal(ltuya_pdp_add_enum(&mode, "white", 5), LTUYA_OK);
    assert_int_equal(ltuya_pdp_add_enum(&mode, "colour", 6), LTUYA_OK);
    assert_int_equal(ltuya_pdp_add_enum(&mode, "a,b", 3), LTUYA_ERR_INVALID_ARG);
    assert_string_equal(mode.enums, "white,colour");
    assert_int_equal(ltuya_pdp_parse(&mode, "colour", 6, scratch, 64, &v), LTUYA_OK);
    assert_int_equal(v.type, LTUYA_DP_STR);
    assert_int_equal(v.str.len, 6);
    assert_memory_equal(v.str.ptr, "colour", 6);
    assert_int_equal(ltuya_pdp_parse(&mode, "colo", 4, scratch, 64, &v), LTUYA_ERR_BAD_VALUE);
    assert_int_equal(ltuya_pdp_parse(&mode, "Colour", 6, scratch, 64, &v), LTUYA_ERR_BAD_VALUE);
    expect_format(&mode, ltuya_dp_str(21, "white", 5), "white");
    char full[LTUYA_PROFILE_ENUM_LEN + 8];
    memset(full, 'x', sizeof full);
    assert_int_equal(ltuya_pdp_add_enum(&mode, full, sizeof full), LTUYA_ERR_BUF_TOO_SMALL);

    ltuya_pdp_t js = {0};
    js.id = 27;
    js.type = LTUYA_VT_JSON;
    js.set = LTUYA_PF_TYPE;
    assert_int_equal(ltuya_pdp_parse(&js, "{\"a\":1}", 7, scratch, 64, &v), LTUYA_OK);
    assert_int_equal(ltuya_pdp_parse(&js, "{\"a\":", 5, scratch, 64, &v), LTUYA_ERR_BAD_VALUE);
    assert_int_equal(ltuya_pdp_parse(&js, "{\"a\":1}", 7, scratch, 4, &v), LTUYA_ERR_BUF_TOO_SMALL);

    /* escaped strings as the reader yields them are unescaped for people */
    ltuya_pdp_t str = {0};
    str.id = 42;
    str.type = LTUYA_VT_STRING;
    str.set = LTUYA_PF_TYPE;
    ltuya_dp_t esc = ltuya_dp_str(42, "a\\\"b", 4);
    esc.escaped = true;
    expect_format(&str, esc, "a\"b");
    ltuya_dp_t i = ltuya_dp_int(42, 1);
    char buf[16];
    assert_int_equal(ltuya_pdp_format(&str, &i, buf, sizeof buf, NULL), LTUYA_ERR_BAD_VALUE);
    /* no profile entry: by the JSON type */
    expect_format(NULL, ltuya_dp_int(99, -3), "-3");
    expect_format(NULL, ltuya_dp_null(99), "null");
}

/* ---- colour --------------------------------------------------------------------- */

static void test_colour_codecs(void **state)
{
    (void)state;
    ltuya_hsv_t c;
    char buf[48];
    size_t n;
    ltuya_colour_fmt_t fmt;

    ltuya_rgb_to_hsv(0xff, 0, 0, &c);
    assert_int_equal(c.h, 0);
    assert_int_equal(c.s, 1000);
    assert_int_equal(c.v, 1000);
    assert_int_equal(ltuya_colour_encode(&c, LTUYA_COLOUR_HEX12, buf, sizeof buf, &n), LTUYA_OK);
    assert_string_equal(buf, "000003e803e8");
    assert_int_equal(n, 12);

    ltuya_rgb_to_hsv(0xff, 0x88, 0x00, &c); /* hue 32 */
    assert_int_equal(c.h, 32);
    assert_int_equal(ltuya_colour_encode(&c, LTUYA_COLOUR_HEX12, buf, sizeof buf, &n), LTUYA_OK);
    assert_string_equal(buf, "002003e803e8");
    ltuya_rgb_to_hsv(0, 0, 0xff, &c);
    assert_int_equal(c.h, 240);
    ltuya_rgb_to_hsv(0xff, 0, 0x80, &c); /* red max, g < b: hue wraps */
    assert_int_equal(c.h, 330);
    ltuya_rgb_to_hsv(0x80, 0x80, 0x80, &c);
    assert_int_equal(c.s, 0);
    assert_int_equal(c.v, 502);

    /* decode every format */
    assert_int_equal(ltuya_colour_decode("00f003e801f4", 12, LTUYA_COLOUR_NONE, &c, &fmt),
                     LTUYA_OK);
    assert_int_equal(fmt, LTUYA_COLOUR_HEX12);
    assert_true(c.h == 240 && c.s == 1000 && c.v == 500);
    assert_int_equal(ltuya_colour_decode("0000ff00f0ff80", 14, LTUYA_COLOUR_NONE, &c, &fmt),
                     LTUYA_OK);
    assert_int_equal(fmt, LTUYA_COLOUR_HEX14);
    assert_true(c.h == 240 && c.s == 1000 && c.v == 502);
    assert_int_equal(ltuya_colour_decode("{\"h\":120,\"s\":500,\"v\":1000}",
                                         strlen("{\"h\":120,\"s\":500,\"v\":1000}"),
                                         LTUYA_COLOUR_JSON1000, &c, &fmt),
                     LTUYA_OK);
    assert_int_equal(fmt, LTUYA_COLOUR_JSON1000);
    assert_true(c.h == 120 && c.s == 500 && c.v == 1000);
    assert_int_equal(ltuya_colour_decode("{\"h\":120,\"s\":255,\"v\":0}",
                                         strlen("{\"h\":120,\"s\":255,\"v\":0}"),
                                         LTUYA_COLOUR_JSON255, &c, &fmt),
                     LTUYA_OK);
    assert_true(c.h == 120 && c.s == 1000 && c.v == 0);

    /* encode every format, and back */
    ltuya_hsv_t in = {200, 750, 400}, back;
    const ltuya_colour_fmt_t fmts[] = {LTUYA_COLOUR_HEX12, LTUYA_COLOUR_JSON1000};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(ltuya_colour_encode(&in, fmts[i], buf, sizeof buf, &n), LTUYA_OK);
        assert_int_equal(ltuya_colour_decode(buf, n, fmts[i], &back, &fmt), LTUYA_OK);
        assert_int_equal(fmt, fmts[i]);
        assert_true(back.h == 200 && back.s == 750 && back.v == 400);
    }
    assert_int_equal(ltuya_colour_encode(&in, LTUYA_COLOUR_JSON255, buf, sizeof buf, &n), LTUYA_OK);
    assert_string_equal(buf, "{\"h\":200,\"s\":191,\"v\":102}");
    ltuya_hsv_t red = {0, 1000, 1000};
    assert_int_equal(ltuya_colour_encode(&red, LTUYA_COLOUR_HEX14, buf, sizeof buf, &n), LTUYA_OK);
    assert_string_equal(buf, "ff00000000ffff");

    /* rgb <-> hsv round trip over a grid */
    for (int r = 0; r < 256; r += 51)
        for (int g = 0; g < 256; g += 51)
            for (int b = 0; b < 256; b += 51) {
                uint8_t r2, g2, b2;
                ltuya_rgb_to_hsv((uint8_t)r, (uint8_t)g, (uint8_t)b, &c);
                ltuya_hsv_to_rgb(&c, &r2, &g2, &b2);
                assert_true(abs(r - r2) <= 2 && abs(g - g2) <= 2 && abs(b - b2) <= 2);
            }

    /* malformed or out of range */
    const char *bad[] = {"000003e803e",
                         "0000003e803e8",
                         "zz0003e803e8",
                         "016903e803e8",
                         "000003e903e8",
                         "{\"h\":1,\"s\":2}",
                         "{\"h\":361,\"s\":0,\"v\":0}",
                         "",
                         "#ff0000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ltuya_colour_decode(bad[i], strlen(bad[i]), LTUYA_COLOUR_NONE, &c, NULL),
                         LTUYA_ERR_BAD_VALUE);
    ltuya_hsv_t over = {361, 0, 0};
    assert_int_equal(ltuya_colour_encode(&over, LTUYA_COLOUR_HEX12, buf, sizeof buf, &n),
                     LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_colour_encode(&red, LTUYA_COLOUR_HEX12, buf, 12, &n),
                     LTUYA_ERR_BUF_TOO_SMALL);
}

static void test_colour_dp_parse_and_format(void **state)
{
    (void)state;
    ltuya_profile_t p;
    ltuya_profile_init(&p);
    assert_int_equal(ltuya_profile_builtin(&p, "dj", NULL), LTUYA_OK);
    const ltuya_pdp_t *v2 = ltuya_profile_find_code(&p, "colour_data_v2");
    assert_non_null(v2);
    assert_int_equal(v2->role, LTUYA_ROLE_COLOUR);
    assert_int_equal(v2->colour, LTUYA_COLOUR_HEX12);
    char scratch[48];
    ltuya_dp_t v;
    assert_int_equal(ltuya_pdp_parse(v2, "#ff0000", 7, scratch, sizeof scratch, &v), LTUYA_OK);
    assert_int_equal(v.type, LTUYA_DP_STR);
    assert_int_equal(v.id, 24);
    assert_string_equal(scratch, "000003e803e8");
    assert_int_equal(ltuya_pdp_parse(v2, "#ff8800", 7, scratch, sizeof scratch, &v), LTUYA_OK);
    assert_string_equal(scratch, "002003e803e8");
    assert_int_equal(ltuya_pdp_parse(v2, "hsv(120,500,250)", 16, scratch, sizeof scratch, &v),
                     LTUYA_OK);
    assert_string_equal(scratch, "007801f400fa");
    expect_format(v2, ltuya_dp_str(24, "007801f400fa", 12), "hsv(120,500,250)");
    assert_int_equal(ltuya_pdp_parse(v2, "hsv(361,0,0)", 12, scratch, sizeof scratch, &v),
                     LTUYA_ERR_OUT_OF_RANGE);
    assert_int_equal(ltuya_pdp_parse(v2, "hsv(1,2)", 8, scratch, sizeof scratch, &v),
                     LTUYA_ERR_BAD_VALUE);
    assert_int_equal(ltuya_pdp_parse(v2, "hsv(1,2,3,4)", 12, scratch, sizeof scratch, &v),
                     LTUYA_ERR_BAD_VALUE);
    assert_int_equal(ltuya_pdp_parse(v2, "#ff00", 5, scratch, sizeof scratch, &v),
                     LTUYA_ERR_BAD_VALUE);
    assert_int_equal(ltuya_pdp_parse(v2, "red", 3, scratch, sizeof scratch, &v),
                     LTUYA_ERR_BAD_VALUE);
    char buf[32];
    ltuya_dp_t junk = ltuya_dp_str(24, "nothex", 6);
    assert_int_equal(ltuya_pdp_format(v2, &junk, buf, sizeof buf, NULL), LTUYA_ERR_BAD_VALUE);

    /* the legacy layout: colour_data in 14 hex digits */
    ltuya_dps_t st;
    const char *legacy = "{\"dps\":{\"1\":true,\"2\":\"white\",\"3\":255,\"4\":0,"
                         "\"5\":\"ff00000000ffff\"}}";
    assert_int_equal(ltuya_json_parse_dps(legacy, strlen(legacy), &st), LTUYA_OK);
    ltuya_profile_init(&p);
    assert_int_equal(ltuya_profile_builtin(&p, "dj", &st), LTUYA_OK);
    const ltuya_pdp_t *v1 = ltuya_profile_find(&p, 5);
    assert_non_null(v1);
    assert_string_equal(v1->code, "colour_data");
    assert_int_equal(v1->colour, LTUYA_COLOUR_HEX14);
    assert_null(ltuya_profile_find(&p, 20));
    assert_int_equal(ltuya_pdp_parse(v1, "#0000ff", 7, scratch, sizeof scratch, &v), LTUYA_OK);
    assert_string_equal(scratch, "0000ff00f0ffff");
    expect_format(v1, *ltuya_dps_find(&st, 5), "hsv(0,1000,1000)");
    assert_string_equal(ltuya_profile_find_role(&p, LTUYA_ROLE_SWITCH)->code, "led_switch");
}

/* ---- sources and precedence ------------------------------------------------------ */

static ltuya_pdp_t entry(uint16_t id, const char *code, uint8_t scale, const char *unit)
{
    ltuya_pdp_t d;
    memset(&d, 0, sizeof d);
    d.id = id;
    if (code)
        ltuya_pdp_set_code(&d, code, strlen(code));
    if (scale != 0xff) {
        d.scale = scale;
        d.set |= LTUYA_PF_SCALE;
    }
    if (unit)
        ltuya_pdp_set_unit(&d, unit, strlen(unit));
    return d;
}

static void test_precedence_any_order(void **state)
{
    (void)state;
    /* the same four sources applied in two different orders give one result */
    ltuya_pdp_t builtin = entry(19, "cur_power", 1, "W");
    ltuya_pdp_t file = entry(19, "power", 2, NULL);
    ltuya_pdp_t mapping = entry(19, NULL, 0, NULL);     /* mapping: only the scale */
    ltuya_pdp_t override = entry(19, NULL, 0xff, "kW"); /* override: only the unit */
    for (int order = 0; order < 2; order++) {
        ltuya_profile_t p;
        ltuya_profile_init(&p);
        if (order == 0) {
            ltuya_profile_put(&p, &builtin, LTUYA_PSRC_BUILTIN);
            ltuya_profile_put(&p, &file, LTUYA_PSRC_FILE);
            ltuya_profile_put(&p, &mapping, LTUYA_PSRC_MAPPING);
            ltuya_profile_put(&p, &override, LTUYA_PSRC_OVERRIDE);
        } else {
            ltuya_profile_put(&p, &override, LTUYA_PSRC_OVERRIDE);
            ltuya_profile_put(&p, &mapping, LTUYA_PSRC_MAPPING);
            ltuya_profile_put(&p, &file, LTUYA_PSRC_FILE);
            ltuya_profile_put(&p, &builtin, LTUYA_PSRC_BUILTIN);
        }
        const ltuya_pdp_t *d = ltuya_profile_find(&p, 19);
        assert_non_null(d);
        assert_int_equal(p.count, 1);
        assert_string_equal(d->code, "power");           /* the file beats built-in */
        assert_int_equal(d->scale, 0);                   /* the mapping beats the file */
        assert_string_equal(d->unit, "kW");              /* the override beats all */
        assert_int_equal(d->src[3], LTUYA_PSRC_MAPPING); /* LTUYA_PF_SCALE is bit 3 */
        assert_int_equal(ltuya_pdp_source(d), LTUYA_PSRC_OVERRIDE);
        assert_int_equal(p.sources, (1 << LTUYA_PSRC_BUILTIN) | (1 << LTUYA_PSRC_FILE) |
                                        (1 << LTUYA_PSRC_MAPPING) | (1 << LTUYA_PSRC_OVERRIDE));
    }
    /* a source replaces its own earlier value */
    ltuya_profile_t p;
    ltuya_profile_init(&p);
    ltuya_pdp_t a = entry(1, "switch_1", 0xff, NULL), b = entry(1, "switch", 0xff, NULL);
    ltuya_profile_put(&p, &a, LTUYA_PSRC_MAPPING);
    ltuya_profile_put(&p, &b, LTUYA_PSRC_MAPPING);
    assert_string_equal(p.dp[0].code, "switch");
    assert_int_equal(p.dp[0].role, LTUYA_ROLE_SWITCH);
    /* an explicit role beats the one derived from a code */
    ltuya_pdp_t r = entry(1, NULL, 0xff, NULL);
    r.role = LTUYA_ROLE_CHILD_LOCK;
    r.set |= LTUYA_PF_ROLE;
    ltuya_profile_put(&p, &r, LTUYA_PSRC_RAW);
    assert_int_equal(p.dp[0].role, LTUYA_ROLE_CHILD_LOCK);
    ltuya_profile_put(&p, &a, LTUYA_PSRC_OVERRIDE);
    assert_int_equal(p.dp[0].role, LTUYA_ROLE_CHILD_LOCK);

    /* category: the higher source wins */
    ltuya_profile_set_category(&p, "cz", LTUYA_PSRC_MAPPING);
    ltuya_profile_set_category(&p, "kg", LTUYA_PSRC_BUILTIN);
    assert_string_equal(p.category, "cz");
    ltuya_profile_set_category(&p, "dj", LTUYA_PSRC_OVERRIDE);
    assert_string_equal(p.category, "dj");

    /* bad arguments */
    ltuya_pdp_t zero = entry(0, "x", 0xff, NULL);
    assert_int_equal(ltuya_profile_put(&p, &zero, LTUYA_PSRC_RAW), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_profile_put(&p, &a, LTUYA_PSRC_NONE), LTUYA_ERR_INVALID_ARG);
}

static void test_sorted_and_full(void **state)
{
    (void)state;
    ltuya_profile_t p;
    ltuya_profile_init(&p);
    for (int i = LTUYA_PROFILE_MAX_DPS + 3; i >= 1; i--) {
        ltuya_pdp_t d = entry((uint16_t)i, NULL, 0, NULL);
        ltuya_status_t st = ltuya_profile_put(&p, &d, LTUYA_PSRC_RAW);
        assert_int_equal(st, i > 3 ? LTUYA_OK : LTUYA_ERR_BUF_TOO_SMALL);
    }
    assert_int_equal(p.count, LTUYA_PROFILE_MAX_DPS);
    assert_int_equal(p.dropped, 3);
    for (size_t i = 1; i < p.count; i++)
        assert_true(p.dp[i - 1].id < p.dp[i].id);
}

/* ---- built-in defaults -------------------------------------------------------------- */

static void parse_status(const char *json, ltuya_dps_t *st)
{
    assert_int_equal(ltuya_json_parse_dps(json, strlen(json), st), LTUYA_OK);
}

static void test_builtin_socket_layouts(void **state)
{
    (void)state;
    ltuya_profile_t p;
    ltuya_dps_t st;

    /* one-gang plug with energy at 17-20 and countdown at 9 */
    parse_status("{\"dps\":{\"1\":true,\"9\":0,\"17\":3,\"18\":210,\"19\":837,\"20\":2301,"
                 "\"21\":1,\"22\":600,\"38\":\"memory\"}}",
                 &st);
    ltuya_profile_init(&p);
    assert_int_equal(ltuya_profile_builtin(&p, "cz", &st), LTUYA_OK);
    assert_string_equal(p.category, "cz");
    assert_int_equal(p.category_src, LTUYA_PSRC_BUILTIN);
    assert_string_equal(ltuya_profile_find(&p, 1)->code, "switch_1");
    assert_string_equal(ltuya_profile_find(&p, 9)->code, "countdown_1");
    const ltuya_pdp_t *pw = ltuya_profile_find_role(&p, LTUYA_ROLE_POWER);
    assert_non_null(pw);
    assert_int_equal(pw->id, 19);
    char buf[16];
    assert_int_equal(ltuya_pdp_format(pw, ltuya_dps_find(&st, 19), buf, sizeof buf, NULL),
                     LTUYA_OK);
    assert_string_equal(buf, "83.7");
    assert_string_equal(pw->unit, "W");
    assert_string_equal(ltuya_profile_find(&p, 17)->unit, "kWh");
    assert_int_equal(ltuya_profile_find(&p, 17)->scale, 3);
    assert_string_equal(ltuya_profile_find(&p, 21)->code, "test_bit");
    assert_null(ltuya_profile_find(&p, 2)); /* not on this device */
    assert_int_equal(ltuya_pdp_source(pw), LTUYA_PSRC_BUILTIN);

    /* old firmware: energy at 4/5/6 */
    parse_status("{\"dps\":{\"1\":true,\"2\":0,\"4\":210,\"5\":837,\"6\":2301}}", &st);
    ltuya_profile_init(&p);
    ltuya_profile_builtin(&p, "cz", &st);
    assert_string_equal(ltuya_profile_find(&p, 5)->code, "cur_power");
    assert_string_equal(ltuya_profile_find(&p, 6)->code, "cur_voltage");
    assert_null(ltuya_profile_find(&p, 19));

    /* the 21/22/23 variant */
    parse_status("{\"dps\":{\"1\":true,\"21\":210,\"22\":837,\"23\":2301}}", &st);
    ltuya_profile_init(&p);
    ltuya_profile_builtin(&p, "cz", &st);
    assert_string_equal(ltuya_profile_find(&p, 22)->code, "cur_power");
    assert_string_equal(ltuya_profile_find(&p, 21)->code, "cur_current");

    /* 3-gang switch: switch_1..3 and countdown_1..3 at 7..9 */
    parse_status("{\"dps\":{\"1\":true,\"2\":false,\"3\":true,\"7\":0,\"8\":0,\"9\":0}}", &st);
    ltuya_profile_init(&p);
    ltuya_profile_builtin(&p, "kg", &st);
    assert_string_equal(ltuya_profile_find(&p, 3)->code, "switch_3");
    assert_string_equal(ltuya_profile_find(&p, 9)->code, "countdown_3");
    assert_null(ltuya_profile_find(&p, 4));
    assert_int_equal(ltuya_profile_find_role(&p, LTUYA_ROLE_SWITCH)->id, 1);

    /* without a status: the one-gang layout */
    ltuya_profile_init(&p);
    ltuya_profile_builtin(&p, "cz", NULL);
    assert_non_null(ltuya_profile_find_code(&p, "cur_voltage"));
    assert_int_equal(ltuya_profile_find_code(&p, "countdown_1")->id, 9);

    assert_int_equal(ltuya_profile_builtin(&p, "zz", NULL), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_profile_builtin(&p, NULL, NULL), LTUYA_ERR_NOT_FOUND);
}

static void test_builtin_other_categories(void **state)
{
    (void)state;
    static const struct {
        const char *cat;
        uint16_t id;
        const char *code;
        ltuya_role_t role;
    } cases[] = {
        {"dj", 20, "switch_led", LTUYA_ROLE_SWITCH},
        {"dj", 22, "bright_value_v2", LTUYA_ROLE_BRIGHTNESS},
        {"dj", 23, "temp_value_v2", LTUYA_ROLE_COLOUR_TEMP},
        {"dj", 21, "work_mode", LTUYA_ROLE_MODE},
        {"cl", 1, "control", LTUYA_ROLE_COVER_CONTROL},
        {"cl", 2, "percent_control", LTUYA_ROLE_POSITION},
        {"cl", 3, "percent_state", LTUYA_ROLE_POSITION_STATE},
        {"wk", 2, "temp_set", LTUYA_ROLE_TARGET_TEMP},
        {"wk", 3, "temp_current", LTUYA_ROLE_CURRENT_TEMP},
        {"fs", 3, "fan_speed_percent", LTUYA_ROLE_FAN_SPEED},
        {"fs", 8, "fan_direction", LTUYA_ROLE_DIRECTION},
        {"wsdcg", 1, "va_temperature", LTUYA_ROLE_CURRENT_TEMP},
        {"wsdcg", 2, "va_humidity", LTUYA_ROLE_HUMIDITY},
        {"wsdcg", 4, "battery_percentage", LTUYA_ROLE_BATTERY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ltuya_profile_t p;
        ltuya_profile_init(&p);
        assert_int_equal(ltuya_profile_builtin(&p, cases[i].cat, NULL), LTUYA_OK);
        const ltuya_pdp_t *d = ltuya_profile_find(&p, cases[i].id);
        assert_non_null(d);
        assert_string_equal(d->code, cases[i].code);
        assert_int_equal(d->role, cases[i].role);
    }
    ltuya_profile_t p;
    ltuya_profile_init(&p);
    ltuya_profile_builtin(&p, "dj", NULL);
    int64_t raw;
    assert_int_equal(parse_int(ltuya_profile_find_code(&p, "bright_value_v2"), "50%", &raw),
                     LTUYA_OK);
    assert_int_equal(raw, 505);
    assert_int_equal(parse_int(ltuya_profile_find_code(&p, "countdown_1"), "90s", &raw), LTUYA_OK);
    assert_int_equal(raw, 90);
    ltuya_profile_init(&p);
    ltuya_profile_builtin(&p, "wk", NULL);
    assert_int_equal(parse_int(ltuya_profile_find_code(&p, "temp_set"), "21.5", &raw), LTUYA_OK);
    assert_int_equal(raw, 215);
    assert_int_equal(parse_int(ltuya_profile_find_code(&p, "temp_set"), "40", &raw),
                     LTUYA_ERR_OUT_OF_RANGE);
}

static void test_guess_and_raw(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *cat;
    } cases[] = {
        {"{\"dps\":{\"20\":true,\"21\":\"white\",\"22\":500}}", "dj"},
        {"{\"dps\":{\"1\":true,\"2\":\"colour\",\"3\":200}}", "dj"},
        {"{\"dps\":{\"1\":\"stop\",\"2\":50,\"3\":50}}", "cl"},
        {"{\"dps\":{\"1\":true,\"2\":215,\"3\":201,\"4\":\"manual\"}}", "wk"},
        {"{\"dps\":{\"1\":215,\"2\":48,\"3\":\"high\"}}", "wsdcg"},
        {"{\"dps\":{\"1\":true,\"9\":0,\"19\":837}}", "cz"},
        {"{\"dps\":{\"1\":true,\"2\":true,\"3\":false}}", "kg"},
        {"{\"dps\":{\"101\":\"x\"}}", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ltuya_dps_t st;
        parse_status(cases[i].json, &st);
        const char *got = ltuya_profile_guess_category(&st);
        if (cases[i].cat)
            assert_string_equal(got, cases[i].cat);
        else
            assert_null(got);
    }
    assert_null(ltuya_profile_guess_category(NULL));

    ltuya_dps_t st;
    parse_status("{\"dps\":{\"1\":true,\"19\":837,\"101\":\"abc\",\"102\":[1]}}", &st);
    ltuya_profile_t p;
    ltuya_profile_init(&p);
    ltuya_profile_builtin(&p, "cz", &st);
    ltuya_profile_add_raw(&p, &st);
    assert_int_equal(p.count, 4);
    assert_int_equal(ltuya_profile_find(&p, 101)->type, LTUYA_VT_STRING);
    assert_int_equal(ltuya_profile_find(&p, 102)->type, LTUYA_VT_JSON);
    assert_int_equal(ltuya_pdp_source(ltuya_profile_find(&p, 101)), LTUYA_PSRC_RAW);
    /* raw does not replace what a better source said */
    assert_int_equal(ltuya_profile_find(&p, 19)->type, LTUYA_VT_INT);
    assert_int_equal(ltuya_pdp_source(ltuya_profile_find(&p, 19)), LTUYA_PSRC_BUILTIN);
    /* an untyped DP takes what the text looks like */
    ltuya_pdp_t any = {0};
    any.id = 7;
    char scratch[16];
    ltuya_dp_t v;
    assert_int_equal(ltuya_pdp_parse(&any, "true", 4, scratch, sizeof scratch, &v), LTUYA_OK);
    assert_int_equal(v.type, LTUYA_DP_BOOL);
    assert_int_equal(ltuya_pdp_parse(&any, "-42", 3, scratch, sizeof scratch, &v), LTUYA_OK);
    assert_true(v.type == LTUYA_DP_INT && v.i == -42);
    assert_int_equal(ltuya_pdp_parse(&any, "hi", 2, scratch, sizeof scratch, &v), LTUYA_OK);
    assert_int_equal(v.type, LTUYA_DP_STR);
}

static void test_names(void **state)
{
    (void)state;
    for (int r = 0; r < LTUYA_ROLE_COUNT_; r++)
        assert_int_equal(ltuya_role_from_name(ltuya_role_name((ltuya_role_t)r)), r);
    assert_string_equal(ltuya_role_name(LTUYA_ROLE_COUNT_), "none");
    assert_string_equal(ltuya_psrc_name(LTUYA_PSRC_MAPPING), "devices.json mapping");
    assert_int_equal(ltuya_vtype_from_name("Boolean", 7), LTUYA_VT_BOOL);
    assert_int_equal(ltuya_vtype_from_name("value", 5), LTUYA_VT_INT);
    assert_int_equal(ltuya_vtype_from_name("Json", 4), LTUYA_VT_JSON);
    assert_int_equal(ltuya_vtype_from_name("Float", 5), LTUYA_VT_UNKNOWN);
    assert_string_equal(ltuya_vtype_name(LTUYA_VT_ENUM), "Enum");
    assert_int_equal(ltuya_role_from_code("switch_6"), LTUYA_ROLE_SWITCH);
    assert_int_equal(ltuya_role_from_code("switch_inching"), LTUYA_ROLE_NONE);
    assert_int_equal(ltuya_role_from_code("countdown_2"), LTUYA_ROLE_COUNTDOWN);
    assert_int_equal(ltuya_role_from_code(""), LTUYA_ROLE_NONE);
    assert_string_equal(ltuya_status_name(LTUYA_ERR_OUT_OF_RANGE), "ERR_OUT_OF_RANGE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scaled_format_every_scale),
        cmocka_unit_test(test_scaled_parse_every_scale),
        cmocka_unit_test(test_int_dp_both_ways_with_units),
        cmocka_unit_test(test_step),
        cmocka_unit_test(test_percent_as_tinytuya),
        cmocka_unit_test(test_kelvin_and_durations),
        cmocka_unit_test(test_bool_enum_string_json),
        cmocka_unit_test(test_colour_codecs),
        cmocka_unit_test(test_colour_dp_parse_and_format),
        cmocka_unit_test(test_precedence_any_order),
        cmocka_unit_test(test_sorted_and_full),
        cmocka_unit_test(test_builtin_socket_layouts),
        cmocka_unit_test(test_builtin_other_categories),
        cmocka_unit_test(test_guess_and_raw),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
