/*
 * ports/lwip over a real lwIP stack (Debian's liblwip) running inside this
 * process: its only interface has 127.0.0.1, and every packet is either
 * looped back by lwIP itself or discarded by the interface's output
 * function, so nothing reaches the host's network or its ports.
 *
 * A fake 3.3 plug listens on lwIP port 6668 in a thread of its own; the
 * tests drive the transport by hand (connect, send, recv, wait, close,
 * refused, timeout) and then the whole device API (status, energy, toggle)
 * through it.
 */
#include <string.h>

#include "lwip/opt.h"

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

#include "ltuya/device.h"
#include "ltuya_lwip.h"
#include "test_support.h"

#define DEVICE_PORT 6668
#define SILENT_PORT 6999 /* nobody listens: a SYN there is answered with RST */

static const uint8_t local_key[16] = "0123456789abcdef";
static const char *dev_id = "bf0123456789abcdefgh";

/* ---- the in-process stack ------------------------------------------------ */

static struct netif nif;

/* Packets for other hosts go nowhere: the test has no network at all. */
static err_t discard_output(struct netif *n, struct pbuf *p, const ip4_addr_t *dst)
{
    (void)n;
    (void)p;
    (void)dst;
    return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
    n->name[0] = 'l';
    n->name[1] = 't';
    n->output = discard_output;
    n->mtu = 1500;
    return ERR_OK;
}

static void stack_ready(void *arg)
{
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 127, 0, 0, 1);
    IP4_ADDR(&mask, 255, 0, 0, 0);
    IP4_ADDR(&gw, 0, 0, 0, 0);
    netif_add(&nif, &ip, &mask, &gw, NULL, nif_init, tcpip_input);
    netif_set_default(&nif);
    netif_set_up(&nif);
    netif_set_link_up(&nif);
    sys_sem_signal((sys_sem_t *)arg);
}

/* ---- a fake 3.3 plug on the lwIP side ------------------------------------ */

static volatile bool plug_on = true;
static volatile unsigned plug_connections;

static void reply(int fd, const ltuya_frame_t *req, const char *payload)
{
    ltuya_frame_spec_t s;
    memset(&s, 0, sizeof s);
    s.version = LTUYA_V33;
    s.key = local_key;
    s.seq = req->seq;
    s.cmd = req->cmd;
    s.from_device = true;
    s.payload = (const uint8_t *)payload;
    s.payload_len = payload ? strlen(payload) : 0;
    uint8_t out[512];
    size_t n;
    if (ltuya_frame_encode(&s, out, sizeof out, &n) == LTUYA_OK)
        lwip_send(fd, out, n, 0);
}

static void answer(int fd, const ltuya_frame_t *f)
{
    char body[160];
    if (f->cmd == LTUYA_CMD_DP_QUERY) {
        /* 18 mA, 19 W x10, 20 V x10: the default energy map */
        strcpy(body, plug_on ? "{\"dps\":{\"1\":true,\"18\":250,\"19\":575,\"20\":2301}}"
                             : "{\"dps\":{\"1\":false,\"18\":0,\"19\":0,\"20\":2301}}");
        reply(fd, f, body);
        return;
    }
    if (f->cmd == LTUYA_CMD_CONTROL) {
        char text[256];
        size_t n = f->payload_len < sizeof text - 1 ? f->payload_len : sizeof text - 1;
        memcpy(text, f->payload, n);
        text[n] = 0;
        if (strstr(text, "\"1\":false"))
            plug_on = false;
        else if (strstr(text, "\"1\":true"))
            plug_on = true;
    }
    reply(fd, f, NULL); /* an empty acknowledgement */
}

static void serve(int fd)
{
    static uint8_t buf[LTUYA_MAX_FRAME];
    size_t len = 0;
    for (;;) {
        ssize_t n = lwip_recv(fd, buf + len, sizeof buf - len, 0);
        if (n <= 0)
            return;
        len += (size_t)n;
        for (;;) {
            ltuya_decode_opts_t o = {LTUYA_V33, local_key, LTUYA_FROM_CLIENT};
            ltuya_frame_t f;
            size_t used = 0;
            ltuya_status_t st = ltuya_frame_decode(buf, len, &o, &f, &used);
            if (st == LTUYA_NEED_MORE)
                break;
            if (st == LTUYA_OK)
                answer(fd, &f);
            if (!used)
                return; /* garbage we cannot skip */
            memmove(buf, buf + used, len - used);
            len -= used;
        }
    }
}

static void plug_thread(void *arg)
{
    int ls = *(int *)arg;
    for (;;) {
        int fd = lwip_accept(ls, NULL, NULL);
        if (fd < 0)
            return;
        plug_connections++;
        serve(fd);
        lwip_close(fd);
    }
}

static int listen_on(uint16_t port)
{
    int fd = lwip_socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = lwip_htons(port);
    lwip_inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd < 0 || lwip_bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || lwip_listen(fd, 2) != 0)
        return -1;
    return fd;
}

static int setup_stack(void **state)
{
    (void)state;
    static int plug_fd;
    sys_sem_t ready;
    if (sys_sem_new(&ready, 0) != ERR_OK)
        return -1;
    tcpip_init(stack_ready, &ready);
    sys_sem_wait(&ready);
    sys_sem_free(&ready);
    plug_fd = listen_on(DEVICE_PORT);
    if (plug_fd < 0)
        return -1;
    sys_thread_new("plug", plug_thread, &plug_fd, 0, 0);
    ltuya_lwip_init(NULL);
    return 0;
}

/* ---- the transport by hand ----------------------------------------------- */

/* A raw echo peer: accept one connection and hand its socket to the test. */
static int echo_listen = -1;

static void test_transport_round_trip(void **state)
{
    (void)state;
    echo_listen = listen_on(7001);
    assert_true(echo_listen >= 0);
    ltuya_lwip_tcp_t tcp;
    ltuya_transport_t t;
    ltuya_lwip_tcp_init(&tcp, &t);
    uint8_t buf[16];
    assert_int_equal(t.recv(t.ctx, buf, sizeof buf), -LTUYA_ERR_CLOSED); /* not connected */
    assert_int_equal(t.wait(t.ctx, false, 10), LTUYA_ERR_CLOSED);

    assert_int_equal(t.connect(t.ctx, "127.0.0.1", 7001, 2000), LTUYA_OK);
    assert_true(tcp.fd >= 0);
    int peer = lwip_accept(echo_listen, NULL, NULL);
    assert_true(peer >= 0);

    assert_int_equal(t.wait(t.ctx, true, 1000), LTUYA_OK); /* writable at once */
    assert_int_equal(t.recv(t.ctx, buf, sizeof buf), 0);   /* nothing yet: try later */
    assert_int_equal(t.wait(t.ctx, false, 50), LTUYA_ERR_TIMEOUT);

    assert_int_equal(t.send(t.ctx, (const uint8_t *)"ping", 4), 4);
    char got[8] = {0};
    assert_int_equal(lwip_recv(peer, got, sizeof got, 0), 4);
    assert_memory_equal(got, "ping", 4);

    assert_int_equal(lwip_send(peer, "pong!", 5, 0), 5);
    assert_int_equal(t.wait(t.ctx, false, 2000), LTUYA_OK);
    assert_int_equal(t.recv(t.ctx, buf, sizeof buf), 5);
    assert_memory_equal(buf, "pong!", 5);

    /* The peer closes in order: recv says so (never 0). */
    lwip_close(peer);
    assert_int_equal(t.wait(t.ctx, false, 2000), LTUYA_OK);
    assert_int_equal(t.recv(t.ctx, buf, sizeof buf), -LTUYA_ERR_CLOSED);

    t.close(t.ctx);
    assert_int_equal(tcp.fd, -1);
    t.close(t.ctx); /* a no-op the second time */
    lwip_close(echo_listen);
}

static void test_connect_failures(void **state)
{
    (void)state;
    ltuya_lwip_tcp_t tcp;
    ltuya_transport_t t;
    ltuya_lwip_tcp_init(&tcp, &t);
    /* RST for our SYN: lwIP says ECONNRESET, the port says refused. */
    assert_int_equal(t.connect(t.ctx, "127.0.0.1", SILENT_PORT, 2000), LTUYA_ERR_REFUSED);
    assert_int_equal(tcp.fd, -1);
    /* No name service in this lwIP (LWIP_DNS=0): a name cannot be reached. */
    assert_int_equal(t.connect(t.ctx, "plug.invalid", DEVICE_PORT, 100), LTUYA_ERR_UNREACHABLE);
    /* A SYN that the interface discards (TEST-NET-1, never sent anywhere):
     * no answer within the timeout. */
    assert_int_equal(t.connect(t.ctx, "192.0.2.1", DEVICE_PORT, 200), LTUYA_ERR_TIMEOUT);
    assert_int_equal(tcp.fd, -1);
}

/* The non-blocking connect (connect_start, then connect_finish once the
 * handle is writable), as the engine drives it. */
static ltuya_status_t finish_when_writable(ltuya_transport_t *t)
{
    /* connect_finish looks at writability itself (a zero wait): ask until it knows */
    ltuya_status_t st = LTUYA_NEED_MORE;
    for (int i = 0; i < 100 && st == LTUYA_NEED_MORE; i++) {
        if (t->handle(t->ctx) < 0)
            return LTUYA_ERR_CLOSED;
        st = t->connect_finish(t->ctx);
        if (st == LTUYA_NEED_MORE)
            sys_msleep(20);
    }
    return st;
}

static void test_nonblocking_connect(void **state)
{
    (void)state;
    int lfd = listen_on(7002);
    assert_true(lfd >= 0);
    ltuya_lwip_tcp_t tcp;
    ltuya_transport_t t;
    ltuya_lwip_tcp_init(&tcp, &t);
    assert_int_equal(t.handle(t.ctx), -1);
    ltuya_status_t st = t.connect_start(t.ctx, "127.0.0.1", 7002);
    assert_true(st == LTUYA_NEED_MORE || st == LTUYA_OK);
    assert_int_equal(t.handle(t.ctx), tcp.fd);
    assert_true(tcp.fd >= 0);
    if (st == LTUYA_NEED_MORE)
        st = finish_when_writable(&t);
    assert_int_equal(st, LTUYA_OK);
    int peer = lwip_accept(lfd, NULL, NULL);
    assert_true(peer >= 0);
    assert_int_equal(t.send(t.ctx, (const uint8_t *)"hi", 2), 2);
    lwip_close(peer);
    t.close(t.ctx);
    lwip_close(lfd);
    /* refused: at once or when the connect completes; the socket is gone either way */
    st = t.connect_start(t.ctx, "127.0.0.1", SILENT_PORT);
    if (st == LTUYA_NEED_MORE)
        st = finish_when_writable(&t);
    assert_int_equal(st, LTUYA_ERR_REFUSED);
    assert_int_equal(t.handle(t.ctx), -1);
}

/* ---- clocks and hooks ----------------------------------------------------- */

static int fixed_random(void *ctx, uint8_t *buf, size_t n)
{
    (*(int *)ctx)++;
    memset(buf, 0xA5, n);
    return 0;
}

static int64_t fixed_wall(void)
{
    return 1700000000;
}

static void test_clock_and_hooks(void **state)
{
    (void)state;
    const ltuya_clock_t *c = ltuya_lwip_clock();
    uint64_t a = c->now_ms(c->ctx);
    c->sleep_ms(c->ctx, 5);
    assert_true(c->now_ms(c->ctx) >= a); /* monotonic; no claim on how far */

    uint8_t r[4];
    ltuya_lwip_init(NULL); /* off ESP-IDF: no random source of its own */
    assert_int_equal(ltuya_random(r, sizeof r), LTUYA_ERR_NO_RANDOM);
    assert_true(c->wall_s(c->ctx) > 0); /* time(NULL) */

    int calls = 0;
    ltuya_lwip_hooks_t h = {fixed_random, &calls, fixed_wall};
    ltuya_lwip_init(&h);
    assert_int_equal(ltuya_random(r, sizeof r), LTUYA_OK);
    assert_int_equal(calls, 1);
    assert_int_equal(r[0], 0xA5);
    assert_int_equal(c->wall_s(c->ctx), 1700000000);
    ltuya_lwip_init(NULL);
}

/* ---- the device API over the port ---------------------------------------- */

static void test_device_over_lwip(void **state)
{
    (void)state;
    static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    static ltuya_device_t d;
    ltuya_lwip_tcp_t tcp;
    ltuya_transport_t t;
    ltuya_lwip_tcp_init(&tcp, &t);
    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    o.client.host = "127.0.0.1";
    o.client.dev_id = dev_id;
    o.client.local_key = "0123456789abcdef";
    o.client.version = LTUYA_V33;
    o.client.transport = &t;
    o.client.clock = ltuya_lwip_clock();
    o.keep_alive = true;
    assert_int_equal(ltuya_device_init(&d, &o, rx, sizeof rx, tx, sizeof tx), LTUYA_OK);

    ltuya_energy_t e;
    assert_int_equal(ltuya_device_energy(&d, &e), LTUYA_OK);
    assert_true(e.has_voltage && e.has_current && e.has_power);
    assert_int_equal(e.voltage_mv, 230100);
    assert_int_equal(e.current_ma, 250);
    assert_int_equal(e.power_mw, 57500);

    bool now_on = true;
    assert_int_equal(ltuya_device_toggle(&d, 1, &now_on), LTUYA_OK);
    assert_false(now_on);
    assert_false(plug_on);
    assert_int_equal(ltuya_device_on(&d, 1), LTUYA_OK);
    assert_true(plug_on);
    assert_int_equal(plug_connections, 1); /* keep_alive: one connection throughout */

    ltuya_device_deinit(&d);
    assert_int_equal(tcp.fd, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_round_trip), cmocka_unit_test(test_connect_failures),
        cmocka_unit_test(test_nonblocking_connect),  cmocka_unit_test(test_clock_and_hooks),
        cmocka_unit_test(test_device_over_lwip),
    };
    return cmocka_run_group_tests(tests, setup_stack, NULL);
}
