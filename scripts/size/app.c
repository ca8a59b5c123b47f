/*
 * A program that uses the whole device API, linked with --gc-sections to
 * show what the core costs a real firmware (unused functions drop out).
 * Transport and clock are dummies: nothing here ever runs.
 */
#include "ltuya/device.h"

static ltuya_status_t t_connect(void *ctx, const char *host, uint16_t port, uint32_t ms)
{
    (void)ctx, (void)host, (void)port, (void)ms;
    return LTUYA_ERR_REFUSED;
}
static int t_send(void *ctx, const uint8_t *b, size_t n)
{
    (void)ctx, (void)b;
    return (int)n;
}
static int t_recv(void *ctx, uint8_t *b, size_t n)
{
    (void)ctx, (void)b, (void)n;
    return 0;
}
static ltuya_status_t t_wait(void *ctx, bool w, uint32_t ms)
{
    (void)ctx, (void)w, (void)ms;
    return LTUYA_ERR_TIMEOUT;
}
static void t_close(void *ctx)
{
    (void)ctx;
}
static uint64_t c_now(void *ctx)
{
    (void)ctx;
    return 0;
}

static const ltuya_transport_t tr = {0,       t_connect, t_send, t_recv, t_wait,
                                     t_close, NULL,      NULL,   NULL};
static const ltuya_clock_t clk = {c_now, 0, 0, 0};
static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
static ltuya_device_t dev;
volatile int32_t size_app_sink;

int size_app(void);
int size_app(void)
{
    ltuya_device_opts_t o = {0};
    o.client.host = "10.0.0.2";
    o.client.dev_id = "bf0123456789abcdefgh";
    o.client.local_key = "0123456789abcdef";
    o.client.version = LTUYA_V33;
    o.client.transport = &tr;
    o.client.clock = &clk;
    ltuya_device_init(&dev, &o, rx, sizeof rx, tx, sizeof tx);
    ltuya_device_connect(&dev);
    ltuya_device_status(&dev, 0);
    ltuya_dp_t v = ltuya_dp_int(2, 42);
    ltuya_device_set(&dev, &v, 1);
    ltuya_device_get(&dev, 1, &v);
    ltuya_device_on(&dev, 1);
    ltuya_device_off(&dev, 1);
    bool on;
    ltuya_device_toggle(&dev, 1, &on);
    ltuya_device_refresh(&dev, 0, 0);
    ltuya_energy_t e;
    ltuya_device_energy(&dev, &e);
    ltuya_status_t st = ltuya_device_run(&dev, 1000);
    for (size_t i = 0; ltuya_device_cache_at(&dev, i, &v); i++)
        size_app_sink += (int32_t)v.i;
    size_app_sink += ltuya_status_str(st)[0] + ltuya_device_last_error(&dev)[0];
    ltuya_device_deinit(&dev);
    return 0;
}
