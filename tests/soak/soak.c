/*
 * Fault soak: the device API (device.h, blocking, keep-alive) against `ltuya sim` with seeded
 * faults, for each protocol version. Every set command must end CONFIRMED (the simulator's own
 * state, read through its control interface, shows the value) or with an explicit error; a command
 * that returned OK whose value the device does not hold is a silent loss, and any silent loss
 * fails the run. An error whose value the device did get is "ambiguous" (the write landed, the
 * answer did not), counted apart. The run also fails on descriptor growth, on a reconnect that
 * came before the backoff's lower bound, and (under ASan/LSan) on leaks and memory errors.
 *
 * Usage: soak --ltuya PATH [--commands N] [--versions 3.1,3.2,3.3,3.4,3.5] [--port P]
 *             [--seed S] [--faults drop=R,delay=R,...] [--reply-timeout MS]
 *             [--idle-every N] [--idle-timeout S] [-v]
 * See docs/soak.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include "ltuya/device.h"
#include "ltuya_posix.h"

#define DEV_ID  "bf0123456789abcdefgh"
#define DEV_KEY "0123456789abcdef"
#define DP_NUM  9 /* the plug's countdown: an integer DP, written 1..N */
#define DP_SW   1 /* the relay, written with the counter now and then */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static unsigned count_fds(void)
{
    unsigned n = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (!d)
        return 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

/* ---- the simulator process: stdin/stdout pipes, one JSON line each way ---------------- */

typedef struct {
    pid_t pid;
    int to, from; /* its stdin, its stdout */
    char buf[8192];
    size_t len;
} sim_t;

static sim_t *live_sim; /* killed on a signal */

/* A call that never returns is a hang: the longest wait a call may have is the backoff's cap
 * (37.5 s) plus its connect and reply timeouts, well under WATCHDOG_S. */
#define WATCHDOG_S 120

static void on_alarm(int sig)
{
    static const char msg[] = "soak: HANG: a call did not return within the watchdog\n";
    (void)sig;
    if (write(2, msg, sizeof msg - 1) < 0) {
    }
    if (live_sim && live_sim->pid > 0)
        kill(live_sim->pid, SIGKILL);
    _exit(3);
}

static void on_signal(int sig)
{
    if (live_sim && live_sim->pid > 0)
        kill(live_sim->pid, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* One line from the simulator into out (without the newline), within timeout_ms. */
static bool sim_line(sim_t *s, char *out, size_t cap, uint32_t timeout_ms)
{
    uint64_t end = mono_ms() + timeout_ms;
    for (;;) {
        char *nl = memchr(s->buf, '\n', s->len);
        if (nl) {
            size_t n = (size_t)(nl - s->buf);
            size_t k = n < cap - 1 ? n : cap - 1;
            memcpy(out, s->buf, k);
            out[k] = 0;
            memmove(s->buf, nl + 1, s->len - n - 1);
            s->len -= n + 1;
            return true;
        }
        uint64_t t = mono_ms();
        if (t >= end || s->len == sizeof s->buf)
            return false;
        struct pollfd p = {s->from, POLLIN, 0};
        if (poll(&p, 1, (int)(end - t)) <= 0)
            continue;
        ssize_t r = read(s->from, s->buf + s->len, sizeof s->buf - s->len);
        if (r <= 0)
            return false;
        s->len += (size_t)r;
    }
}

static bool sim_cmd(sim_t *s, const char *cmd, char *out, size_t cap)
{
    size_t n = strlen(cmd);
    if (write(s->to, cmd, n) != (ssize_t)n || write(s->to, "\n", 1) != 1)
        return false;
    return sim_line(s, out, cap, 10000);
}

static bool sim_start(sim_t *s, const char *bin, const char *version, unsigned port, unsigned seed,
                      unsigned idle_s, const char *faults)
{
    int in[2], out[2];
    memset(s, 0, sizeof *s);
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        return false;
    char ports[16], seeds[16], idles[16];
    snprintf(ports, sizeof ports, "%u", port);
    snprintf(seeds, sizeof seeds, "%u", seed);
    snprintf(idles, sizeof idles, "%u", idle_s);
    const char *argv[64] = {bin,
                            "sim",
                            "--id",
                            DEV_ID,
                            "--key",
                            DEV_KEY,
                            "--version",
                            version,
                            "--port",
                            ports,
                            "--seed",
                            seeds,
                            "--idle-timeout",
                            idles,
                            "--beacon-interval",
                            "0",
                            "--solicit-port",
                            "0"};
    size_t argc = 18;
    /* "drop=0.01,delay=0.01" -> --fault drop=0.01 --fault delay=0.01 */
    static char fbuf[512];
    snprintf(fbuf, sizeof fbuf, "%s", faults ? faults : "");
    for (char *tok = strtok(fbuf, ","); tok && argc < 60; tok = strtok(NULL, ",")) {
        argv[argc++] = "--fault";
        argv[argc++] = tok;
    }
    argv[argc] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the soak, even if it crashes */
        dup2(in[0], 0);
        dup2(out[1], 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->pid = pid;
    s->to = in[1];
    s->from = out[0];
    live_sim = s;
    char line[256];
    return sim_line(s, line, sizeof line, 10000) && !strcmp(line, "READY");
}

/* Quit it; true when it exited cleanly (no crash, nothing for its sanitizers to report). */
static bool sim_stop(sim_t *s)
{
    char line[256];
    int status = -1;
    if (s->pid <= 0)
        return false;
    if (!sim_cmd(s, "{\"cmd\":\"quit\"}", line, sizeof line))
        kill(s->pid, SIGKILL);
    close(s->to);
    close(s->from);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    live_sim = NULL;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The device's value of a DP, from {"ok":true,"id":..,"dps":{..}}. */
static bool sim_dp(sim_t *s, uint16_t dp, ltuya_dp_t *out)
{
    char line[2048];
    ltuya_dps_t dps;
    if (!sim_cmd(s, "{\"cmd\":\"get\"}", line, sizeof line) ||
        ltuya_json_parse_dps(line, strlen(line), &dps) != LTUYA_OK)
        return false;
    const ltuya_dp_t *v = ltuya_dps_find(&dps, dp);
    if (!v)
        return false;
    *out = *v;
    return true;
}

/* ---- a transport that watches the client's connection attempts ----------------------- */

/* The client's documented schedule: after a connection is lost, the next attempt waits
 * B +-25 % counted from the start of the lost connection's attempt, B = 0.5 s doubling for each
 * attempt in a row that never got ready, up to 30 s, and back to 0.5 s after a ready one. */
typedef struct {
    ltuya_transport_t inner;
    bool keyed; /* 3.4/3.5: ready only after the handshake (a second write) */
    /* the connection being attempted or open */
    bool ok;
    uint64_t start;
    unsigned writes;
    uint64_t gap; /* since the previous real attempt started (if have_prev) */
    /* the last real (non-probe) attempt, once it is over */
    bool have_prev;
    uint64_t prev_start;
    uint32_t backoff; /* B after it */
    /* tallies */
    unsigned attempts, probes, checked, violations;
    double min_ratio, max_ratio; /* gap / B of reconnects that had to wait */
} watch_t;

/* The attempt in progress is over: a probe, or a real attempt to check and remember. */
static void watch_finish(watch_t *w)
{
    if (!w->start)
        return;
    if (w->ok && w->writes == 0) {
        /* a listen-only probe (the client diagnosing a close) writes nothing: not an attempt */
        w->probes++;
        w->start = 0;
        return;
    }
    if (w->have_prev) {
        double ratio = (double)w->gap / w->backoff;
        w->checked++;
        /* 2 ms for the millisecond clocks on both sides */
        if (w->gap + 2 < w->backoff - w->backoff / 4) {
            w->violations++;
            fprintf(stderr, "soak: reconnect %llu ms after the previous attempt, backoff %u ms\n",
                    (unsigned long long)w->gap, w->backoff);
        }
        if (ratio < 1.5) { /* it had to wait (otherwise the caller simply came later) */
            if (ratio < w->min_ratio)
                w->min_ratio = ratio;
            if (ratio > w->max_ratio)
                w->max_ratio = ratio;
        }
    }
    bool ready = w->ok && (!w->keyed || w->writes >= 2);
    uint32_t b = !w->have_prev || ready ? LTUYA_BACKOFF_MIN_MS : w->backoff * 2;
    w->backoff = b > LTUYA_BACKOFF_MAX_MS ? LTUYA_BACKOFF_MAX_MS : b;
    w->prev_start = w->start;
    w->have_prev = true;
    w->attempts++;
    w->start = 0;
}

static ltuya_status_t w_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    watch_t *w = ctx;
    watch_finish(w);
    uint64_t t = mono_ms();
    w->gap = w->have_prev ? t - w->prev_start : 0;
    w->start = t ? t : 1;
    w->writes = 0;
    ltuya_status_t st = w->inner.connect(w->inner.ctx, host, port, timeout_ms);
    w->ok = st == LTUYA_OK;
    return st;
}

static int w_send(void *ctx, const uint8_t *buf, size_t len)
{
    watch_t *w = ctx;
    int n = w->inner.send(w->inner.ctx, buf, len);
    if (n > 0)
        w->writes++;
    return n;
}

static int w_recv(void *ctx, uint8_t *buf, size_t len)
{
    watch_t *w = ctx;
    return w->inner.recv(w->inner.ctx, buf, len);
}

static ltuya_status_t w_wait(void *ctx, bool want_write, uint32_t timeout_ms)
{
    watch_t *w = ctx;
    return w->inner.wait(w->inner.ctx, want_write, timeout_ms);
}

static void w_close(void *ctx)
{
    watch_t *w = ctx;
    w->inner.close(w->inner.ctx);
}

/* ---- one version ---------------------------------------------------------------------- */

typedef struct {
    const char *version;
    unsigned commands, confirmed, failed, ambiguous, lost;
    unsigned by_status[LTUYA_STATUS_COUNT_];
    unsigned reconnects, probes, backoff_checked, backoff_violations;
    double min_ratio, max_ratio;
    unsigned fds_before, fds_after;
    char sim_stats[1024];
    double seconds;
    bool sim_ok;
} tally_t;

typedef struct {
    const char *bin;
    unsigned commands;
    unsigned port;
    unsigned seed;
    const char *faults;
    uint32_t reply_timeout_ms;
    unsigned idle_every;
    unsigned idle_s;
    bool verbose;
} config_t;

static void run_version(const config_t *cfg, unsigned index, tally_t *t)
{
    sim_t sim;
    uint64_t t0 = mono_ms();
    t->sim_ok = sim_start(&sim, cfg->bin, t->version, cfg->port + index, cfg->seed + index,
                          cfg->idle_s, cfg->faults);
    if (!t->sim_ok) {
        fprintf(stderr, "soak: %s: the simulator did not start\n", t->version);
        sim_stop(&sim);
        return;
    }
    ltuya_version_t v;
    ltuya_version_parse(t->version, &v);

    t->fds_before = count_fds();
    static uint8_t rx[LTUYA_DEVICE_RX_SIZE], tx[LTUYA_DEVICE_TX_SIZE];
    ltuya_posix_tcp_t tcp;
    watch_t w;
    memset(&w, 0, sizeof w);
    w.min_ratio = 1e9;
    w.keyed = v >= LTUYA_V34;
    ltuya_posix_tcp_init(&tcp, &w.inner);
    ltuya_transport_t tr = {&w, w_connect, w_send, w_recv, w_wait, w_close, NULL, NULL, NULL};
    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    o.client.host = "127.0.0.1";
    o.client.port = (uint16_t)(cfg->port + index);
    o.client.dev_id = DEV_ID;
    o.client.local_key = DEV_KEY;
    o.client.version = v;
    o.client.connect_timeout_ms = 1000;
    o.client.reply_timeout_ms = cfg->reply_timeout_ms;
    o.client.transport = &tr;
    o.client.clock = ltuya_posix_clock();
    o.keep_alive = true;
    ltuya_device_t d;
    if (ltuya_device_init(&d, &o, rx, sizeof rx, tx, sizeof tx) != LTUYA_OK) {
        fprintf(stderr, "soak: %s: device init failed\n", t->version);
        t->sim_ok = false;
        sim_stop(&sim);
        return;
    }

    int64_t last_confirmed = 0;
    for (unsigned i = 1; i <= cfg->commands; i++) {
        /* now and then the connection sits idle until the device closes it */
        if (cfg->idle_every && i % cfg->idle_every == 0)
            usleep(cfg->idle_s * 1000000u + 200000u);
        ltuya_dp_t w2[2] = {ltuya_dp_int(DP_NUM, (int64_t)i), ltuya_dp_bool(DP_SW, i % 8 < 4)};
        size_t n = i % 5 == 0 ? 2 : 1; /* every fifth write carries two DPs */
        alarm(WATCHDOG_S);
        ltuya_status_t st = ltuya_device_set(&d, w2, n);
        alarm(0);
        t->commands++;
        ltuya_dp_t now, sw;
        if (!sim_dp(&sim, DP_NUM, &now) || now.type != LTUYA_DP_INT || !sim_dp(&sim, DP_SW, &sw)) {
            fprintf(stderr, "soak: %s: no answer from the simulator's control interface\n",
                    t->version);
            t->sim_ok = false;
            break;
        }
        bool has = now.i == (int64_t)i && (n == 1 || sw.b == w2[1].b);
        if (st == LTUYA_OK && has) {
            t->confirmed++;
            last_confirmed = (int64_t)i;
        } else if (st == LTUYA_OK) {
            t->lost++;
            fprintf(stderr, "soak: %s: SILENT LOSS: set %u returned OK, the device holds %lld\n",
                    t->version, i, (long long)now.i);
        } else {
            t->by_status[st < LTUYA_STATUS_COUNT_ ? st : LTUYA_ERR_IO]++;
            if (has)
                t->ambiguous++;
            else
                t->failed++;
            if (cfg->verbose)
                fprintf(stderr, "soak: %s: set %u: %s%s\n", t->version, i, ltuya_status_name(st),
                        has ? " (the device got it)" : "");
        }
        /* a confirmed value overwritten by an older one would be a loss too */
        if (now.i < last_confirmed) {
            t->lost++;
            fprintf(stderr,
                    "soak: %s: SILENT LOSS: %lld confirmed, then the device went back to "
                    "%lld\n",
                    t->version, (long long)last_confirmed, (long long)now.i);
        }
    }
    ltuya_device_deinit(&d);
    watch_finish(&w);
    t->fds_after = count_fds();
    t->reconnects = w.attempts ? w.attempts - 1 : 0;
    t->probes = w.probes;
    t->backoff_checked = w.checked;
    t->backoff_violations = w.violations;
    t->min_ratio = w.min_ratio;
    t->max_ratio = w.max_ratio;

    char line[1024];
    if (sim_cmd(&sim, "{\"cmd\":\"stats\"}", line, sizeof line)) {
        const char *f = strstr(line, "\"faults\":");
        snprintf(t->sim_stats, sizeof t->sim_stats, "%s", f ? f + 9 : line);
        size_t k = strlen(t->sim_stats);
        if (k >= 2 && t->sim_stats[k - 1] == '}')
            t->sim_stats[k - 1] = 0; /* the outer object's brace */
    }
    if (!sim_stop(&sim)) {
        fprintf(stderr, "soak: %s: the simulator did not exit cleanly\n", t->version);
        t->sim_ok = false;
    }
    t->seconds = (double)(mono_ms() - t0) / 1000.0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: soak --ltuya PATH [--commands N per version] [--versions 3.1,3.3,...]\n"
               "            [--port P] [--seed S] [--faults drop=R,delay=R,...]\n"
               "            [--reply-timeout MS] [--idle-every N] [--idle-timeout S] [-v]\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"ltuya", required_argument, NULL, 'b'},
                                             {"commands", required_argument, NULL, 'n'},
                                             {"versions", required_argument, NULL, 'V'},
                                             {"port", required_argument, NULL, 'p'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"faults", required_argument, NULL, 'f'},
                                             {"reply-timeout", required_argument, NULL, 'r'},
                                             {"idle-every", required_argument, NULL, 'i'},
                                             {"idle-timeout", required_argument, NULL, 't'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    config_t cfg = {NULL, 200, 30100, 1, NULL, 300, 0, 1, false};
    char versions[64] = "3.1,3.2,3.3,3.4,3.5";
    int opt;
    while ((opt = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
        switch (opt) {
        case 'b':
            cfg.bin = optarg;
            break;
        case 'n':
            cfg.commands = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'V':
            snprintf(versions, sizeof versions, "%s", optarg);
            break;
        case 'p':
            cfg.port = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 's':
            cfg.seed = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'f':
            cfg.faults = optarg;
            break;
        case 'r':
            cfg.reply_timeout_ms = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'i':
            cfg.idle_every = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 't':
            cfg.idle_s = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'v':
            cfg.verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!cfg.bin || !cfg.commands || !cfg.idle_s) {
        usage(stderr);
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    ltuya_posix_init();

    tally_t tallies[8];
    size_t nv = 0;
    memset(tallies, 0, sizeof tallies);
    for (char *v = strtok(versions, ","); v && nv < 8; v = strtok(NULL, ","))
        tallies[nv++].version = v;
    printf("soak: %u set commands per version, faults %s, reply timeout %u ms, idle close every "
           "%u commands\n",
           cfg.commands, cfg.faults ? cfg.faults : "none", cfg.reply_timeout_ms, cfg.idle_every);
    fflush(stdout);

    unsigned passed = 0, failed = 0, total = 0, lost = 0;
    for (size_t k = 0; k < nv; k++) {
        tally_t *t = &tallies[k];
        run_version(&cfg, (unsigned)k, t);
        bool ok = t->sim_ok && t->lost == 0 && t->fds_before == t->fds_after &&
                  t->backoff_violations == 0 &&
                  t->confirmed + t->failed + t->ambiguous + t->lost == t->commands &&
                  t->commands == cfg.commands;
        printf("%s: %u commands: %u confirmed, %u failed, %u ambiguous, %u SILENTLY LOST; "
               "%u reconnects (+%u probes), backoff checked %u, too early %u",
               t->version, t->commands, t->confirmed, t->failed, t->ambiguous, t->lost,
               t->reconnects, t->probes, t->backoff_checked, t->backoff_violations);
        if (t->max_ratio > 0)
            printf(" (gap/B of quick ones %.2f..%.2f)", t->min_ratio, t->max_ratio);
        printf("; fds %u -> %u; %.1f s %s\n", t->fds_before, t->fds_after, t->seconds,
               ok ? "ok" : "FAILED");
        printf("     errors:");
        bool any = false;
        for (int s = 0; s < LTUYA_STATUS_COUNT_; s++)
            if (t->by_status[s]) {
                printf(" %s %u", ltuya_status_name((ltuya_status_t)s), t->by_status[s]);
                any = true;
            }
        printf("%s\n     faults fired: %s\n", any ? "" : " none", t->sim_stats);
        fflush(stdout);
        total += t->commands;
        lost += t->lost;
        if (ok)
            passed++;
        else
            failed++;
    }
    printf("soak: %u commands, %u silently lost\n", total, lost);
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
