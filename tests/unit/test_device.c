/* device.c's compact DP cache, over an in-memory 3.3 device: merging,
 * string pool reuse, wide integers, a cached view written back, a pool
 * overflow, and energy from the cache (no sockets, no real time). */
#include <stdio.h>
#include <string.h>

#include "ltuya/device.h"
#include "test_support.h"

static const uint8_t key[16] = "0123456789abcdef";
static uint64_t fake_now = 1000;
static uint8_t to_client[4096];
static size_t to_client_len;
static const char *status_json; /* what the device answers a DP_QUERY with */

static uint64_t clock_now(void *ctx)
{
    (void)ctx;
    return fake_now;
}

static ltuya_status_t t_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)ctx, (void)host, (void)port, (void)timeout_ms;
    return LTUYA_OK;
}

/* DP_QUERY -> status_json; anything else -> an empty ACK. */
static int t_send(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    uint8_t copy[1024];
    memcpy(copy, buf, len);
    ltuya_decode_opts_t o = {LTUYA_V33, key, LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    assert_int_equal(ltuya_frame_decode_whole(copy, len, &o, &f), LTUYA_OK);
    ltuya_frame_spec_t s = {0};
    s.version = LTUYA_V33;
    s.key = key;
    s.seq = f.seq;
    s.cmd = f.cmd;
    s.from_device = true;
    if (f.cmd == LTUYA_CMD_DP_QUERY) {
        s.payload = (const uint8_t *)status_json;
        s.payload_len = strlen(status_json);
    }
    size_t n;
    assert_int_equal(
        ltuya_frame_encode(&s, to_client + to_client_len, sizeof to_client - to_client_len, &n),
        LTUYA_OK);
    to_client_len += n;
    return (int)len;
}

static int t_recv(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    size_t n = to_client_len < len ? to_client_len : len;
    memcpy(buf, to_client, n);
    memmove(to_client, to_client + n, to_client_len - n);
    to_client_len -= n;
    return (int)n;
}

static ltuya_status_t t_wait(void *ctx, bool want_write, uint32_t timeout_ms)
{
    (void)ctx;
    if (want_write || to_client_len)
        return LTUYA_OK;
    fake_now += timeout_ms;
    return LTUYA_ERR_TIMEOUT;
}

static void t_close(void *ctx)
{
    (void)ctx;
}

static const ltuya_transport_t transport = {NULL,    t_connect, t_send, t_recv, t_wait,
                                            t_close, NULL,      NULL,   NULL};
static const ltuya_clock_t clk = {clock_now, NULL, NULL, NULL};
static ltuya_device_t dev;
static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];

static void open_device(void)
{
    ltuya_device_opts_t o = {0};
    o.client.host = "127.0.0.1";
    o.client.dev_id = "bf0123456789abcdefgh";
    o.client.local_key = "0123456789abcdef";
    o.client.version = LTUYA_V33;
    o.client.transport = &transport;
    o.client.clock = &clk;
    o.keep_alive = true;
    to_client_len = 0;
    assert_int_equal(ltuya_device_init(&dev, &o, rx, sizeof rx, tx, sizeof tx), LTUYA_OK);
}

static void status(const char *json)
{
    status_json = json;
    assert_int_equal(ltuya_device_status(&dev, NULL), LTUYA_OK);
}

static void assert_cached_str(uint16_t id, const char *want)
{
    ltuya_dp_t v;
    assert_int_equal(ltuya_device_cached(&dev, id, &v), LTUYA_OK);
    assert_int_equal(v.type, LTUYA_DP_STR);
    assert_int_equal(v.str.len, strlen(want));
    assert_memory_equal(v.str.ptr, want, v.str.len);
}

static void assert_cached_int(uint16_t id, int64_t want)
{
    ltuya_dp_t v;
    assert_int_equal(ltuya_device_cached(&dev, id, &v), LTUYA_OK);
    assert_int_equal(v.type, LTUYA_DP_INT);
    assert_true(v.i == want);
}

static void test_merge_and_reuse(void **state)
{
    (void)state;
    open_device();
    assert_true(sizeof(ltuya_cache_entry_t) == 8);
    status("{\"dps\":{\"1\":true,\"20\":2300,\"38\":\"memory\",\"42\":\"abcdefgh\","
           "\"9\":5000000000,\"7\":-2147483648,\"50\":{\"a\":1}}}");
    ltuya_dp_t v;
    assert_int_equal(ltuya_device_cached(&dev, 1, &v), LTUYA_OK);
    assert_int_equal(v.type, LTUYA_DP_BOOL);
    assert_true(v.b);
    assert_cached_int(20, 2300);
    assert_cached_int(9, 5000000000); /* beyond 32 bits: kept whole in the pool */
    assert_cached_int(7, INT32_MIN);
    assert_cached_str(38, "memory");
    assert_cached_str(42, "abcdefgh");
    assert_int_equal(ltuya_device_cached(&dev, 50, &v), LTUYA_OK);
    assert_int_equal(v.type, LTUYA_DP_RAW);
    assert_int_equal(ltuya_device_cached(&dev, 99, &v), LTUYA_ERR_NOT_FOUND);
    size_t n = 0;
    while (ltuya_device_cache_at(&dev, n, &v))
        n++;
    assert_int_equal(n, 7);
    assert_int_equal(dev.pool_len, 6 + 8 + 8 + 7);

    /* A partial update: old text is released, the pool does not grow. */
    status("{\"dps\":{\"38\":\"on\",\"42\":\"xyz\",\"1\":false}}");
    assert_cached_str(38, "on");
    assert_cached_str(42, "xyz");
    assert_cached_int(9, 5000000000);
    assert_int_equal(ltuya_device_cached(&dev, 50, &v), LTUYA_OK);
    assert_int_equal(v.str.len, 7);
    assert_memory_equal(v.str.ptr, "{\"a\":1}", 7);
    assert_int_equal(dev.pool_len, 2 + 3 + 8 + 7);

    ltuya_dps_t all;
    ltuya_device_cache(&dev, &all);
    assert_int_equal(all.count, 7);
    assert_true(all.has_dps);
    assert_false(ltuya_dps_find(&all, 1)->b);
    ltuya_device_deinit(&dev);
}

static void test_write_back_cached_view(void **state)
{
    (void)state;
    open_device();
    status("{\"dps\":{\"38\":\"memory\",\"42\":\"abc\"}}");
    ltuya_dp_t v;
    /* a view into the device's own pool, written back (and moved by the write) */
    assert_int_equal(ltuya_device_cached(&dev, 38, &v), LTUYA_OK);
    assert_int_equal(ltuya_device_set(&dev, &v, 1), LTUYA_OK);
    assert_cached_str(38, "memory");
    assert_cached_str(42, "abc");
    assert_int_equal(dev.pool_len, 9);
    ltuya_dp_t s = ltuya_dp_str(42, "defg", 4);
    assert_int_equal(ltuya_device_set(&dev, &s, 1), LTUYA_OK);
    assert_cached_str(42, "defg");
    assert_cached_str(38, "memory");
    ltuya_device_deinit(&dev);
}

static void test_pool_overflow(void **state)
{
    (void)state;
    open_device();
    static char big[LTUYA_CACHE_POOL + 64];
    char text[LTUYA_CACHE_POOL + 2]; /* one byte more than the whole pool */
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = 0;
    snprintf(big, sizeof big, "{\"dps\":{\"1\":true,\"3\":\"%s\",\"4\":\"ok\"}}", text);
    status(big);
    ltuya_dp_t v;
    assert_int_equal(ltuya_device_cached(&dev, 3, &v), LTUYA_OK);
    assert_int_equal(v.type, LTUYA_DP_NULL); /* seen, but its text did not fit */
    assert_cached_str(4, "ok");
    assert_int_equal(ltuya_device_cached(&dev, 1, &v), LTUYA_OK);
    assert_true(v.b);
    ltuya_device_deinit(&dev);
}

static void test_energy_from_cache(void **state)
{
    (void)state;
    open_device();
    ltuya_energy_t e;
    status("{\"dps\":{\"1\":true,\"18\":100,\"19\":230,\"20\":2301}}");
    assert_int_equal(ltuya_device_energy(&dev, &e), LTUYA_OK);
    assert_true(e.has_power && e.has_voltage && e.has_current);
    assert_int_equal(e.current_ma, 100);
    assert_int_equal(e.power_mw, 23000);
    assert_int_equal(e.voltage_mv, 230100);
    ltuya_energy_t again;
    ltuya_device_energy_cached(&dev, &again);
    assert_memory_equal(&e, &again, sizeof e);
    ltuya_dp_t got;
    assert_int_equal(ltuya_device_get(&dev, 20, &got), LTUYA_OK);
    assert_int_equal(got.i, 2301);
    ltuya_device_deinit(&dev);
}

static unsigned pushes_seen;
static void count_push(void *user, const ltuya_dps_t *dps)
{
    assert_ptr_equal(user, &pushes_seen);
    const ltuya_dp_t *sw = ltuya_dps_find(dps, 1);
    assert_non_null(sw);
    assert_false(sw->b);
    pushes_seen++;
}

/* The accessors tools use instead of the struct's members (issue 10 item 6). */
static void test_accessors(void **state)
{
    (void)state;
    open_device();
    assert_false(ltuya_device_is_connected(&dev));
    assert_int_equal(ltuya_device_frames_seen(&dev), 0);
    status("{\"dps\":{\"1\":true}}");
    assert_true(ltuya_device_is_connected(&dev));
    assert_int_equal(ltuya_device_frames_seen(&dev), 1);
    assert_false(ltuya_device_uses_device22(&dev));
    /* a push after the handler was set reaches it, with its user pointer */
    ltuya_device_set_push_handler(&dev, count_push, &pushes_seen);
    static const char push[] = "{\"dps\":{\"1\":false}}";
    ltuya_frame_spec_t s = {0};
    s.version = LTUYA_V33;
    s.key = key;
    s.seq = 7;
    s.cmd = LTUYA_CMD_STATUS;
    s.from_device = true;
    s.payload = (const uint8_t *)push;
    s.payload_len = sizeof push - 1;
    size_t n;
    assert_int_equal(ltuya_frame_encode(&s, to_client, sizeof to_client, &n), LTUYA_OK);
    to_client_len = n;
    assert_int_equal(ltuya_device_run(&dev, 100), LTUYA_OK);
    assert_int_equal(pushes_seen, 1);
    assert_int_equal(ltuya_device_frames_seen(&dev), 2);
    ltuya_device_close(&dev);
    assert_false(ltuya_device_is_connected(&dev));
    ltuya_device_deinit(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_and_reuse), cmocka_unit_test(test_write_back_cached_view),
        cmocka_unit_test(test_pool_overflow),   cmocka_unit_test(test_energy_from_cache),
        cmocka_unit_test(test_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
