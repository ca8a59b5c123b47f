/* bench/engine_fleet: many devices from one thread through the engine and
 * its libuv adapter (tools/common/ltuya_uv), public API only.
 *
 *   engine_fleet read LIST
 *       read the status of every device once (connect, 3.4/3.5 handshake,
 *       query, close); prints "ok failed wall_ms cpu_ms peak_rss_kib"
 *   engine_fleet watch LIST SECONDS
 *       keep every device connected; once all are up, count status pushes
 *       for SECONDS; prints "connected pushes cpu_percent rss_kib"
 *
 * LIST has one HOST:PORT:ID:KEY:VERSION per line (the simulator's keys).
 * bench/engine_fleet.sh starts the simulators and runs it (make bench). */
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

#include "fleet.h"
#include "ltuya_uv.h"

static fleet_dev_t *devs;
static ltuya_uv_dev_t *uds;
static int n, left, failed, connected, pushes;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static long rss_kib(void) /* now, from /proc (ru_maxrss is the peak) */
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

/* 10,000 sockets need more than the usual soft limit of 1,024 */
static void raise_fd_limit(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

/* Count the lines first: each device points into its own fleet_dev_t
 * (transport, buffers), so the array is allocated once and never moved. */
static int load(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    int cap = 0;
    if (!f) {
        perror(path);
        return -1;
    }
    while (fgets(line, sizeof line, f))
        cap++;
    rewind(f);
    devs = calloc((size_t)(cap ? cap : 1), sizeof *devs);
    uds = calloc((size_t)(cap ? cap : 1), sizeof *uds);
    if (!devs || !uds)
        return -1;
    while (n < cap && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line)
            continue;
        if (fleet_dev_init(&devs[n], line) != 0)
            return -1;
        n++;
    }
    fclose(f);
    memset(line, 0, sizeof line); /* it held a key */
    return n ? 0 : -1;
}

static void read_done(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    fleet_dev_t *d = cookie;
    (void)ed;
    d->done = 1;
    d->status = r->status;
    failed += r->status != LTUYA_OK;
    left--;
}

static void on_push(void *user, ltuya_engine_dev_t *ed, const ltuya_dps_t *dps)
{
    (void)user, (void)ed, (void)dps;
    pushes++;
}

static void on_state(void *user, ltuya_engine_dev_t *ed, ltuya_client_state_t st,
                     ltuya_status_t why)
{
    fleet_dev_t *d = user;
    (void)ed, (void)why;
    int up = st == LTUYA_CLIENT_READY;
    if (up != d->done)
        connected += up ? 1 : -1;
    d->done = up;
}

/* watch: the measurement window */
static double w_cpu0, w_t0;
static int w_pushes0, w_seconds, w_started;
static uv_timer_t w_timer;

static void w_tick(uv_timer_t *t)
{
    if (!w_started) {
        if (connected < n && now_s() - w_t0 < 60)
            return; /* wait (at most a minute) until every device is up */
        w_started = 1;
        w_t0 = now_s();
        w_cpu0 = cpu_s();
        w_pushes0 = pushes;
        return;
    }
    if (now_s() - w_t0 < w_seconds)
        return;
    double cpu = cpu_s() - w_cpu0, wall = now_s() - w_t0;
    printf("%d %d %.2f %ld\n", connected, pushes - w_pushes0, cpu / wall * 100, rss_kib());
    fflush(stdout);
    uv_timer_stop(t);
    uv_stop(t->loop);
}

int main(int argc, char **argv)
{
    int watch = argc == 4 && !strcmp(argv[1], "watch");
    if (!(argc == 3 && !strcmp(argv[1], "read")) && !watch) {
        fprintf(stderr, "usage: %s read LIST | watch LIST SECONDS\n", argv[0]);
        return 2;
    }
    (void)fleet_print; /* fleet.h's, for the examples */
    raise_fd_limit();
    ltuya_posix_init();
    double t0 = now_s(), c0 = cpu_s();
    if (load(argv[2]) != 0)
        return 2;
    ltuya_uv_t u;
    ltuya_uv_init(&u, uv_default_loop());
    left = n;
    for (int i = 0; i < n; i++) {
        ltuya_engine_dev_opts_t o = {0};
        o.user = &devs[i];
        if (watch) {
            o.keep_alive = true;
            o.on_push = on_push;
            o.on_state = on_state;
        }
        if (ltuya_uv_add(&u, &uds[i], &devs[i].dev, &o) != 0)
            return 1;
        if (watch)
            ltuya_engine_dev_open(&uds[i].ed);
        else
            ltuya_engine_status(&uds[i].ed, read_done, &devs[i]);
    }
    if (watch) {
        w_seconds = atoi(argv[3]);
        w_t0 = now_s();
        uv_timer_init(u.loop, &w_timer);
        uv_timer_start(&w_timer, w_tick, 100, 100);
    }
    uv_run(u.loop, UV_RUN_DEFAULT); /* read: returns when no device has work left */
    if (!watch) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("%d %d %.1f %.1f %ld\n", n - left - failed, failed + left, (now_s() - t0) * 1000,
               (cpu_s() - c0) * 1000, ru.ru_maxrss);
        fflush(stdout);
    }
    return failed || left ? 1 : 0; /* the process exit releases the sockets */
}
