/*
 * Energy readings from device-supplied integers (issue 10 item 2): the
 * scaling saturates to the int32 range instead of overflowing, whatever
 * the device sends (3.1 status is plaintext, so any LAN host can send it).
 */
#include <string.h>

#include "ltuya/device.h"
#include "ltuya/json.h"
#include "test_support.h"

static ltuya_dps_t dps;

static void energy_of(const char *json, const ltuya_energy_map_t *map, ltuya_energy_t *e)
{
    static char text[512];
    size_t n = strlen(json);
    assert_true(n < sizeof text);
    memcpy(text, json, n);
    assert_int_equal(ltuya_json_parse_dps(text, n, &dps), LTUYA_OK);
    ltuya_energy_map_t none = {0};
    ltuya_energy_from_dps(map ? map : &none, &dps, e);
}

static void test_ordinary_plug(void **state)
{
    (void)state;
    ltuya_energy_t e;
    /* the 18/19/20 layout: mA, W x10, V x10 */
    energy_of("{\"dps\":{\"18\":123,\"19\":456,\"20\":2301}}", NULL, &e);
    assert_true(e.has_current && e.has_power && e.has_voltage);
    assert_int_equal(e.current_ma, 123);
    assert_int_equal(e.power_mw, 45600);
    assert_int_equal(e.voltage_mv, 230100);
    /* negative readings (some meters report export) truncate towards zero */
    energy_of("{\"dps\":{\"18\":-1,\"19\":-7,\"20\":0}}", NULL, &e);
    assert_int_equal(e.current_ma, -1);
    assert_int_equal(e.power_mw, -700);
    assert_int_equal(e.voltage_mv, 0);
}

static void test_int64_extremes_saturate(void **state)
{
    (void)state;
    ltuya_energy_t e;
    /* x * 1000 overflowed int64 here (UBSan abort) before the fix */
    energy_of("{\"dps\":{\"18\":9223372036854775807,\"19\":9223372036854775807,"
              "\"20\":-9223372036854775808}}",
              NULL, &e);
    assert_true(e.has_current && e.has_power && e.has_voltage);
    assert_int_equal(e.current_ma, INT32_MAX);
    assert_int_equal(e.power_mw, INT32_MAX);
    assert_int_equal(e.voltage_mv, INT32_MIN);
}

static void test_int32_result_overflow_saturates(void **state)
{
    (void)state;
    ltuya_energy_t e;
    /* in range for int64 maths, not for the int32 result (was a wrapped cast) */
    energy_of("{\"dps\":{\"18\":3000000000,\"19\":21474837,\"20\":-21474837}}", NULL, &e);
    assert_int_equal(e.current_ma, INT32_MAX);
    assert_int_equal(e.power_mw, INT32_MAX);
    assert_int_equal(e.voltage_mv, INT32_MIN);
    /* the last values that still fit */
    energy_of("{\"dps\":{\"18\":2147483647,\"19\":21474836,\"20\":-21474836}}", NULL, &e);
    assert_int_equal(e.current_ma, INT32_MAX);
    assert_int_equal(e.power_mw, 2147483600);
    assert_int_equal(e.voltage_mv, -2147483600);
}

static void test_explicit_scales(void **state)
{
    (void)state;
    ltuya_energy_t e;
    ltuya_energy_map_t m = {.voltage_dp = 1, .current_dp = 2, .power_dp = 3};
    m.voltage_scale = 5; /* 10^-5 V: value / 100 in mV */
    m.current_scale = 2; /* 10^-2 mA */
    m.power_scale = 255; /* absurd, still defined: 0 */
    energy_of("{\"dps\":{\"1\":-123456789,\"2\":99,\"3\":2147483647}}", &m, &e);
    assert_int_equal(e.voltage_mv, -1234567);
    assert_int_equal(e.current_ma, 0);
    assert_int_equal(e.power_mw, 0);
    m.voltage_scale = 0; /* volts: x1000 */
    m.power_scale = 0;
    energy_of("{\"dps\":{\"1\":2147484,\"2\":-2147483648,\"3\":1}}", &m, &e);
    assert_int_equal(e.voltage_mv, INT32_MAX);
    assert_int_equal(e.current_ma, -21474836); /* INT32_MIN / 100, truncated */
    assert_int_equal(e.power_mw, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary_plug),
        cmocka_unit_test(test_int64_extremes_saturate),
        cmocka_unit_test(test_int32_result_overflow_saturates),
        cmocka_unit_test(test_explicit_scales),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
