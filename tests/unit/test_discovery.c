/* discovery.c: real and reference beacons, the 3.5 request byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltuya/discovery.h"
#include "test_support.h"

static char *data;

/* The frame of vector `id` from vectors.data. */
static size_t vector_frame(const char *id, uint8_t *out, size_t cap)
{
    char needle[80];
    snprintf(needle, sizeof needle, "id=%s ", id);
    const char *line = strstr(data, needle);
    assert_non_null(line);
    const char *f = strstr(line, " frame=");
    assert_non_null(f);
    f += 7;
    char hex[2048];
    size_t n = strcspn(f, " \n");
    assert_true(n < sizeof hex);
    memcpy(hex, f, n);
    hex[n] = 0;
    long len = ts_unhex(hex, out, cap);
    assert_true(len > 0);
    return (size_t)len;
}

static int setup(void **state)
{
    (void)state;
    data = ts_read_data_file("vectors.data", NULL);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    free(data);
    return 0;
}

static void expect_beacon(const char *vec, const char *id, const char *ip, const char *version,
                          const char *pk)
{
    uint8_t buf[512];
    ltuya_beacon_t b;
    size_t n = vector_frame(vec, buf, sizeof buf);
    ltuya_status_t st = ltuya_discovery_parse(buf, n, &b);
    if (st != LTUYA_OK)
        fail_msg("%s: %s", vec, ltuya_status_str(st));
    assert_string_equal(b.id, id);
    assert_string_equal(b.ip, ip);
    assert_string_equal(b.version, version);
    if (pk)
        assert_string_equal(b.product_key, pk);
}

static void test_beacons(void **state)
{
    (void)state;
    expect_beacon("gen33-udp-beacon", "eb0123456789abcdefghij", "192.168.1.20", "3.3", NULL);
    expect_beacon("gen35-udp-beacon", "eb0123456789abcdefghij", "192.168.1.20", "3.5",
                  "keyabcdefghijklm");
    expect_beacon("silverline-33-udp-beacon", "bf90769136c9ac3653oqwj", "10.2.1.98", "3.3",
                  "3bhylhz5zhogklel");
    expect_beacon("malkusch-33-udp-beacon", "bf3f795ce962dadfd88hx5", "192.168.188.120", "3.3",
                  NULL);
    expect_beacon("halo-35-udp", "abc", "192.168.1.50", "3.5", "pk"); /* no retcode */
}

static void test_bad_datagrams(void **state)
{
    (void)state;
    uint8_t buf[512];
    ltuya_beacon_t b;
    size_t n = vector_frame("gen35-udp-beacon", buf, sizeof buf);
    buf[40] ^= 1;
    assert_int_equal(ltuya_discovery_parse(buf, n, &b), LTUYA_ERR_BAD_TAG);
    n = vector_frame("gen33-udp-beacon", buf, sizeof buf);
    assert_int_equal(ltuya_discovery_parse(buf, n - 10, &b), LTUYA_ERR_TRUNCATED);
    buf[20] ^= 1;
    assert_int_equal(ltuya_discovery_parse(buf, n, &b), LTUYA_ERR_BAD_CRC);
    assert_int_equal(ltuya_discovery_parse((uint8_t *)"hello world, no frame", 21, &b),
                     LTUYA_ERR_BAD_PREFIX);
}

static void test_request_matches_reference(void **state)
{
    (void)state;
    uint8_t want[256], got[256];
    size_t wn = vector_frame("gen35-udp-discovery-request", want, sizeof want), gn;
    assert_int_equal(ltuya_discovery_request("192.168.1.10", (const uint8_t *)"clientiv0001", got,
                                             sizeof got, &gn),
                     LTUYA_OK);
    assert_int_equal(gn, wn);
    assert_memory_equal(got, want, gn);
}

static void test_beacon_roundtrip_every_version(void **state)
{
    (void)state;
    static const char json[] = "{\"ip\":\"127.0.0.1\",\"gwId\":\"bf0123456789abcdefgh\","
                               "\"active\":2,\"productKey\":\"2iepauebcvo74ujc\",\"version\":\"3.x\"}";
    ltuya_version_t vs[] = {LTUYA_V31, LTUYA_V33, LTUYA_V34, LTUYA_V35};
    for (size_t i = 0; i < 4; i++) {
        uint8_t buf[512];
        size_t n;
        ltuya_beacon_t b;
        assert_int_equal(ltuya_discovery_beacon(vs[i], json, sizeof json - 1,
                                                (const uint8_t *)"deviceiv0001", buf, sizeof buf, &n),
                         LTUYA_OK);
        assert_int_equal(ltuya_discovery_parse(buf, n, &b), LTUYA_OK);
        assert_string_equal(b.id, "bf0123456789abcdefgh");
        assert_int_equal(b.active, 2);
        assert_int_equal(b.cmd, vs[i] == LTUYA_V31   ? 0
                                : vs[i] == LTUYA_V34 ? 0x23
                                                     : 0x13);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beacons),
        cmocka_unit_test(test_bad_datagrams),
        cmocka_unit_test(test_request_matches_reference),
        cmocka_unit_test(test_beacon_roundtrip_every_version),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
