/*
 * bench/latency: status round trips on one persistent connection.
 *
 *   latency ltuya HOST PORT VERSION N   N status requests through ltuya's client
 *   latency echo-server PORT REQ RESP   a TCP peer answering every REQ bytes with RESP bytes
 *   latency echo HOST PORT REQ RESP N   N raw round trips of those sizes (the floor)
 *   latency fleet HOST PORT0 COUNT SECONDS
 *                                       poll COUNT devices (ports PORT0.., versions 3.1..3.5
 *                                       in turn) once per second on persistent connections
 *
 * Prints "median_us p99_us" for the client modes. bench/latency.sh runs it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ltuya/device.h"
#include "ltuya_posix.h"

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(uint64_t *t, size_t n)
{
    qsort(t, n, sizeof *t, cmp);
    printf("%llu %llu\n", (unsigned long long)t[n / 2], (unsigned long long)t[n * 99 / 100]);
}

static int bench_ltuya(const char *host, int port, const char *ver, size_t n)
{
    static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    ltuya_posix_tcp_t tcp;
    ltuya_transport_t t;
    ltuya_device_t d;
    ltuya_device_opts_t o;
    ltuya_posix_init();
    ltuya_posix_tcp_init(&tcp, &t);
    memset(&o, 0, sizeof o);
    o.client.host = host;
    o.client.port = (uint16_t)port;
    o.client.dev_id = "bf0123456789abcdefgh";
    o.client.local_key = "0123456789abcdef";
    ltuya_version_parse(ver, &o.client.version);
    o.client.transport = &t;
    o.client.clock = ltuya_posix_clock();
    o.keep_alive = true;
    if (ltuya_device_init(&d, &o, rx, sizeof rx, tx, sizeof tx) != LTUYA_OK ||
        ltuya_device_connect(&d) != LTUYA_OK)
        return 1;
    uint64_t *times = calloc(n, sizeof *times);
    for (size_t i = 0; i < n; i++) {
        ltuya_dps_t dps;
        uint64_t t0 = now_us();
        if (ltuya_device_status(&d, &dps) != LTUYA_OK)
            return 1;
        times[i] = now_us() - t0;
    }
    report(times, n);
    ltuya_device_deinit(&d);
    return 0;
}

static int tcp_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int read_full(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int echo_server(int port, size_t req, size_t resp)
{
    int fd = tcp_socket(), one = 1;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1))
        return 1;
    printf("READY\n");
    fflush(stdout);
    int c = accept(fd, NULL, NULL);
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    static uint8_t buf[8192];
    while (read_full(c, buf, req) == 0)
        if (write(c, buf, resp) != (ssize_t)resp)
            break;
    return 0;
}

static int echo_client(const char *host, int port, size_t req, size_t resp, size_t n)
{
    int fd = tcp_socket();
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa))
        return 1;
    static uint8_t buf[8192];
    uint64_t *times = calloc(n, sizeof *times);
    for (size_t i = 0; i < n; i++) {
        uint64_t t0 = now_us();
        if (write(fd, buf, req) != (ssize_t)req || read_full(fd, buf, resp))
            return 1;
        times[i] = now_us() - t0;
    }
    report(times, n);
    return 0;
}

/* The fleet side of bench/fleet.sh: every device polled once per second. */
static int bench_fleet(const char *host, int port0, size_t count, int seconds)
{
    typedef struct {
        ltuya_posix_tcp_t tcp;
        ltuya_transport_t t;
        ltuya_device_t d;
        uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    } dev_t_;
    dev_t_ *devs = calloc(count, sizeof *devs);
    char id[32];
    ltuya_posix_init();
    for (size_t i = 0; i < count; i++) {
        ltuya_device_opts_t o;
        memset(&o, 0, sizeof o);
        snprintf(id, sizeof id, "bf%018zu", i);
        ltuya_posix_tcp_init(&devs[i].tcp, &devs[i].t);
        o.client.host = host;
        o.client.port = (uint16_t)(port0 + (int)i);
        o.client.dev_id = id;
        o.client.local_key = "0123456789abcdef";
        o.client.version = (ltuya_version_t)(31 + i % 5);
        o.client.transport = &devs[i].t;
        o.client.clock = ltuya_posix_clock();
        o.keep_alive = true;
        if (ltuya_device_init(&devs[i].d, &o, devs[i].rx, sizeof devs[i].rx, devs[i].tx,
                              sizeof devs[i].tx) != LTUYA_OK)
            return 1;
    }
    size_t ok = 0, failed = 0;
    for (int s = 0; s < seconds; s++) {
        uint64_t t0 = now_us();
        for (size_t i = 0; i < count; i++)
            ltuya_device_status(&devs[i].d, NULL) == LTUYA_OK ? ok++ : failed++;
        uint64_t spent = now_us() - t0;
        if (spent < 1000000)
            usleep((useconds_t)(1000000 - spent));
    }
    printf("%zu %zu\n", ok, failed);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "fleet"))
        return bench_fleet(argv[2], atoi(argv[3]), (size_t)atol(argv[4]), atoi(argv[5]));
    if (argc == 6 && !strcmp(argv[1], "ltuya"))
        return bench_ltuya(argv[2], atoi(argv[3]), argv[4], (size_t)atol(argv[5]));
    if (argc == 5 && !strcmp(argv[1], "echo-server"))
        return echo_server(atoi(argv[2]), (size_t)atol(argv[3]), (size_t)atol(argv[4]));
    if (argc == 7 && !strcmp(argv[1], "echo"))
        return echo_client(argv[2], atoi(argv[3]), (size_t)atol(argv[4]), (size_t)atol(argv[5]),
                           (size_t)atol(argv[6]));
    fprintf(stderr, "usage: latency ltuya HOST PORT VERSION N | echo-server PORT REQ RESP | "
                    "echo HOST PORT REQ RESP N | fleet HOST PORT0 COUNT SECONDS\n");
    return 2;
}
