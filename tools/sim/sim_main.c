/*
 * `ltuya sim`: simulated Tuya devices on loopback, one poll() loop for all of
 * them. Options, the event loop and the control interface (JSON lines on
 * stdin, answers on stdout) live here; device behaviour in sim_device.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ltuya/discovery.h"
#include "sim.h"
#include "sim_device.h"

#define MAX_CONNS 64

typedef struct {
    sim_device_t dev;
    int listen_fd;
    char host[64];
    unsigned port;
    int udp_fd;         /* beacons go out from here */
    unsigned udp_port;  /* ...to 127.0.0.1:udp_port */
    int solicit_fd;     /* 3.5: 0x25 requests come in here */
    uint32_t beacon_ms; /* 0 = no periodic beacons */
    uint64_t next_beacon;
} sim_slot_t;

static sim_slot_t slot; /* one device per process for now; --config comes next */
static sim_conn_t *conns[MAX_CONNS];

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool loopback_only(const char *host)
{
    struct in_addr a;
    return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static int listen_on(const char *host, unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0) {
        fprintf(stderr, "ltuya sim: cannot listen on %s:%u: %s\n", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

static void drop(size_t i, bool reset)
{
    sim_conn_t *c = conns[i];
    if (reset) {
        struct linger l = {1, 0}; /* RST instead of FIN */
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close(c->fd);
    c->dev->open_clients--;
    free(c);
    conns[i] = NULL;
}

static void flush(sim_conn_t *c)
{
    size_t off = 0;
    while (off < c->out_len) {
        ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* a stuck peer loses the rest; real firmware would too */
        off += (size_t)n;
    }
    c->out_len = 0;
}

static void accept_one(sim_slot_t *s)
{
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    sim_device_t *d = &s->dev;
    size_t free_i = MAX_CONNS;
    for (size_t i = 0; i < MAX_CONNS && free_i == MAX_CONNS; i++)
        if (!conns[i])
            free_i = i;
    if (d->open_clients >= d->max_clients || free_i == MAX_CONNS) {
        /* like most plugs: accept, then close at once */
        d->stats.refused++;
        close(fd);
        return;
    }
    sim_conn_t *c = malloc(sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    sim_conn_init(c, d, fd, now_ms());
    conns[free_i] = c;
    d->open_clients++;
    d->stats.accepted++;
    sim_conn_opened(c);
    flush(c);
}

/* ---- discovery ----------------------------------------------------------------- */

static size_t beacon_frame(const sim_slot_t *sl, uint8_t *buf, size_t cap)
{
    const sim_device_t *d = &sl->dev;
    char json[256];
    uint8_t nonce[12];
    size_t n;
    int len = snprintf(json, sizeof json,
                       "{\"ip\":\"%s\",\"gwId\":\"%s\",\"active\":2,\"ablilty\":0,"
                       "\"encrypt\":true,\"productKey\":\"%s\",\"version\":\"%s\"}",
                       sl->host, d->id, d->product_key, ltuya_version_str(d->version));
    getrandom(nonce, sizeof nonce, 0);
    if (len <= 0 || (size_t)len >= sizeof json ||
        ltuya_discovery_beacon(d->version, json, (size_t)len, nonce, buf, cap, &n) != LTUYA_OK)
        return 0;
    return n;
}

static void send_beacon(sim_slot_t *sl, const struct sockaddr_in *to)
{
    uint8_t frame[512];
    size_t n = beacon_frame(sl, frame, sizeof frame);
    /* never anything but loopback: checked by every caller, asserted here */
    if (n && (ntohl(to->sin_addr.s_addr) >> 24) == 127)
        sendto(sl->udp_fd, frame, n, 0, (const struct sockaddr *)to, sizeof *to);
}

static void periodic_beacon(sim_slot_t *sl, uint64_t t)
{
    if (!sl->beacon_ms || sl->udp_fd < 0 || t < sl->next_beacon)
        return;
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)sl->udp_port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    send_beacon(sl, &to);
    sl->next_beacon = t + sl->beacon_ms;
}

/* A 3.5 discovery request: {"from":"app","ip":IP}; answer to IP at the
 * request's source port, if IP is a loopback address. */
static void answer_solicit(sim_slot_t *sl)
{
    uint8_t buf[512];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(sl->solicit_fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    if (n <= 0)
        return;
    ltuya_decode_opts_t o = {LTUYA_V35, ltuya_udp_key, LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    ltuya_str_t ip;
    bool is_str;
    char ipbuf[40];
    struct sockaddr_in to = from;
    if (ltuya_frame_decode_whole(buf, (size_t)n, &o, &f) != LTUYA_OK ||
        f.cmd != LTUYA_CMD_REQ_DEVINFO ||
        ltuya_json_get((const char *)f.payload, f.payload_len, "ip", &ip, &is_str) != LTUYA_OK ||
        !is_str || ip.len >= sizeof ipbuf)
        return;
    memcpy(ipbuf, ip.ptr, ip.len);
    ipbuf[ip.len] = 0;
    if (inet_pton(AF_INET, ipbuf, &to.sin_addr) != 1 || (ntohl(to.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "ltuya sim: ignoring a discovery request for %s (loopback only)\n", ipbuf);
        return;
    }
    send_beacon(sl, &to);
}

static int udp_bind(const char *host, unsigned port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- control interface: one JSON object per line ---------------------------------- */

static void reply_state(const sim_device_t *d)
{
    char json[1024];
    size_t n = sim_device_dps_json(d, json, sizeof json);
    printf("{\"ok\":true,\"id\":\"%s\",\"dps\":%.*s}\n", d->id, (int)n, json);
}

static bool control_line(char *line)
{
    sim_device_t *d = &slot.dev;
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = 0;
    if (!len)
        return true;
    ltuya_str_t cmd;
    bool is_str;
    if (ltuya_json_validate(line, len) != LTUYA_OK ||
        ltuya_json_get(line, len, "cmd", &cmd, &is_str) != LTUYA_OK || !is_str) {
        printf("{\"ok\":false,\"error\":\"expected {\\\"cmd\\\":...}\"}\n");
    } else if (cmd.len == 3 && !memcmp(cmd.ptr, "set", 3)) {
        ltuya_dps_t changes;
        if (ltuya_json_parse_dps(line, len, &changes) != LTUYA_OK || !changes.has_dps) {
            printf("{\"ok\":false,\"error\":\"set needs \\\"dps\\\"\"}\n");
        } else {
            sim_device_set(d, &changes, conns, MAX_CONNS);
            for (size_t i = 0; i < MAX_CONNS; i++)
                if (conns[i])
                    flush(conns[i]);
            reply_state(d);
        }
    } else if (cmd.len == 3 && !memcmp(cmd.ptr, "get", 3)) {
        reply_state(d);
    } else if (cmd.len == 5 && !memcmp(cmd.ptr, "stats", 5)) {
        const sim_stats_t *s = &d->stats;
        printf("{\"ok\":true,\"accepted\":%u,\"refused\":%u,\"open\":%u,\"handshakes\":%u,"
               "\"frames_in\":%u,\"frames_out\":%u,\"pushes\":%u,\"bad_frames\":%u,"
               "\"closed_by_device\":%u}\n",
               s->accepted, s->refused, d->open_clients, s->handshakes, s->frames_in, s->frames_out,
               s->pushes, s->bad_frames, s->closed_by_sim);
    } else if (cmd.len == 4 && !memcmp(cmd.ptr, "quit", 4)) {
        printf("{\"ok\":true}\n");
        return false;
    } else {
        printf("{\"ok\":false,\"error\":\"unknown cmd\"}\n");
    }
    fflush(stdout);
    return true;
}

/* ---- options ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: ltuya sim --id ID --key KEY --version V --port P [options]\n"
        "\n"
        "Serve a simulated Tuya device on loopback TCP, speaking the LAN protocol as\n"
        "firmware does. Prints READY once it listens; then reads control commands,\n"
        "one JSON object per line, on stdin and answers each on stdout.\n"
        "\n"
        "options:\n"
        "  --id ID             device id (20-22 characters)\n"
        "  --key KEY           16-character local key\n"
        "  --version V         3.1 .. 3.5\n"
        "  --port P            TCP port to listen on (6668 needs no root on loopback)\n"
        "  --host ADDR         127.0.0.x address to listen on (default 127.0.0.1)\n"
        "  --profile NAME      plug (default: the seed's AUBESS 20A, energy on 18/19/20),\n"
        "                      plug34 (21/22/23), plug31 (4/5/6), bulb, device22\n"
        "  --quirk NAME        device22, push-on-connect, reject-multi-dp, header-on-query,\n"
        "                      silent-beacons (3.5 only answers requests), strict-headers\n"
        "                      (no header allowed on queries, one required on writes);\n"
        "                      repeatable\n"
        "  --clients N         connections accepted at once (default 1, like most plugs);\n"
        "                      more are accepted and closed immediately\n"
        "  --idle-timeout S    close a connection quiet for S seconds (default 30)\n"
        "  --seed N            seed for the energy readings (reproducible runs)\n"
        "  --udp-port P        send beacons to 127.0.0.1:P (default 6666 for 3.1, else 6667)\n"
        "  --beacon-interval S seconds between beacons (default 5; 0 = none)\n"
        "  --solicit-port P    3.5: answer discovery requests on P (default 7000; 0 = no)\n"
        "\n"
        "control commands (stdin):\n"
        "  {\"cmd\":\"set\",\"dps\":{\"1\":false}}   change DPs as a button press would, and push\n"
        "  {\"cmd\":\"get\"}                     the state\n"
        "  {\"cmd\":\"stats\"}                   connections, frames, pushes\n"
        "  {\"cmd\":\"quit\"}\n"
        "\n"
        "example:\n"
        "  ltuya sim --id bf0123456789abcdefgh --key 0123456789abcdef --version 3.3 \\\n"
        "            --port 16668 &\n"
        "  ltuya get --ip 127.0.0.1 --port 16668 --id bf0123456789abcdefgh \\\n"
        "            --key 0123456789abcdef --version 3.3\n");
}

static bool parse_quirk(const char *name, uint32_t *q)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } quirks[] = {{"device22", SIM_Q_DEVICE22},
                  {"push-on-connect", SIM_Q_PUSH_ON_CONNECT},
                  {"reject-multi-dp", SIM_Q_REJECT_MULTI_DP},
                  {"header-on-query", SIM_Q_HEADER_ON_QUERY},
                  {"silent-beacons", SIM_Q_SILENT_BEACONS},
                  {"strict-headers", SIM_Q_STRICT_HEADERS}};
    for (size_t i = 0; i < sizeof quirks / sizeof *quirks; i++)
        if (!strcmp(name, quirks[i].name)) {
            *q |= quirks[i].bit;
            return true;
        }
    return false;
}

int ltuya_sim_main(int argc, char **argv)
{
    static const struct option longopts[] = {{"id", required_argument, NULL, 'i'},
                                             {"key", required_argument, NULL, 'k'},
                                             {"version", required_argument, NULL, 'V'},
                                             {"port", required_argument, NULL, 'p'},
                                             {"host", required_argument, NULL, 'H'},
                                             {"profile", required_argument, NULL, 'P'},
                                             {"quirk", required_argument, NULL, 'q'},
                                             {"clients", required_argument, NULL, 'c'},
                                             {"idle-timeout", required_argument, NULL, 't'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"udp-port", required_argument, NULL, 'u'},
                                             {"beacon-interval", required_argument, NULL, 'b'},
                                             {"solicit-port", required_argument, NULL, 'S'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *id = NULL, *key = NULL, *host = "127.0.0.1", *profile = "plug";
    ltuya_version_t version = LTUYA_V33;
    unsigned port = 0, clients = 1, idle = 30;
    uint32_t quirks = 0, seed = 0;
    unsigned udp_port = 0, solicit_port = LTUYA_UDP_PORT_35;
    double beacon_s = 5;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'i':
            id = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'V':
            if (ltuya_version_parse(optarg, &version) != LTUYA_OK) {
                fprintf(stderr, "ltuya sim: unknown version '%s'\n", optarg);
                return 2;
            }
            break;
        case 'p':
            port = (unsigned)atoi(optarg);
            break;
        case 'H':
            host = optarg;
            break;
        case 'P':
            profile = optarg;
            break;
        case 'q':
            if (!parse_quirk(optarg, &quirks)) {
                fprintf(stderr, "ltuya sim: unknown quirk '%s'\n", optarg);
                return 2;
            }
            break;
        case 'c':
            clients = (unsigned)atoi(optarg);
            break;
        case 't':
            idle = (unsigned)atoi(optarg);
            break;
        case 's':
            seed = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'u':
            udp_port = (unsigned)atoi(optarg);
            break;
        case 'b':
            beacon_s = atof(optarg);
            break;
        case 'S':
            solicit_port = (unsigned)atoi(optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!id || !key || strlen(key) != 16 || !port || port > 65535) {
        fprintf(stderr, "ltuya sim: --id, a 16-character --key and --port are required\n\n");
        usage(stderr);
        return 2;
    }
    if (!loopback_only(host)) {
        fprintf(stderr, "ltuya sim: --host must be a 127.0.0.0/8 address\n");
        return 2;
    }
    if (!sim_device_init(&slot.dev, id, (const uint8_t *)key, version, profile, seed)) {
        fprintf(stderr, "ltuya sim: unknown profile '%s'\n", profile);
        return 2;
    }
    slot.dev.quirks |= quirks;
    slot.dev.max_clients = clients ? clients : 1;
    slot.dev.idle_timeout_ms = idle * 1000u;
    snprintf(slot.host, sizeof slot.host, "%s", host);
    slot.port = port;
    slot.listen_fd = listen_on(host, port);
    if (slot.listen_fd < 0)
        return 1;
    /* discovery: beacons to 127.0.0.1 (6666 for 3.1, else 6667), and 3.5 answers */
    slot.udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    slot.udp_port = udp_port ? udp_port : version == LTUYA_V31 ? LTUYA_UDP_PORT_31 : LTUYA_UDP_PORT;
    slot.beacon_ms = (quirks & SIM_Q_SILENT_BEACONS) ? 0 : (uint32_t)(beacon_s * 1000);
    slot.solicit_fd = -1;
    if (version == LTUYA_V35 && solicit_port) {
        slot.solicit_fd = udp_bind(host, solicit_port);
        if (slot.solicit_fd < 0)
            fprintf(stderr, "ltuya sim: cannot listen for discovery requests on %s:%u\n", host,
                    solicit_port);
    }
    signal(SIGPIPE, SIG_IGN);
    printf("READY\n");
    fflush(stdout);

    static char line[4096];
    size_t line_len = 0;
    bool stdin_open = true;
    for (;;) {
        struct pollfd pfd[MAX_CONNS + 2];
        size_t map[MAX_CONNS + 2];
        size_t n = 0;
        if (stdin_open) {
            pfd[n] = (struct pollfd){0, POLLIN, 0};
            map[n++] = SIZE_MAX - 1;
        }
        for (size_t i = 0; i < MAX_CONNS; i++)
            if (conns[i]) {
                pfd[n] = (struct pollfd){conns[i]->fd, POLLIN, 0};
                map[n++] = i;
            }
        if (slot.solicit_fd >= 0) {
            pfd[n] = (struct pollfd){slot.solicit_fd, POLLIN, 0};
            map[n++] = SIZE_MAX - 2;
        }
        /* the listener goes last: a client that just hung up must be seen
         * leaving before a new one is counted against the client limit */
        pfd[n] = (struct pollfd){slot.listen_fd, POLLIN, 0};
        map[n++] = SIZE_MAX;
        int wait = 1000;
        if (slot.beacon_ms) {
            uint64_t t0 = now_ms();
            wait = slot.next_beacon <= t0
                       ? 0
                       : (int)(slot.next_beacon - t0 < 1000 ? slot.next_beacon - t0 : 1000);
        }
        if (poll(pfd, (nfds_t)n, wait) < 0 && errno != EINTR)
            return 1;
        uint64_t t = now_ms();
        periodic_beacon(&slot, t);
        for (size_t k = 0; k < n; k++) {
            if (!pfd[k].revents)
                continue;
            if (map[k] == SIZE_MAX) {
                accept_one(&slot);
            } else if (map[k] == SIZE_MAX - 2) {
                answer_solicit(&slot);
            } else if (map[k] == SIZE_MAX - 1) {
                ssize_t r = read(0, line + line_len, sizeof line - 1 - line_len);
                if (r <= 0) {
                    stdin_open = false; /* keep serving without a controller */
                    continue;
                }
                line_len += (size_t)r;
                line[line_len] = 0;
                char *nl;
                while ((nl = strchr(line, '\n'))) {
                    *nl = 0;
                    bool go_on = control_line(line);
                    size_t used = (size_t)(nl + 1 - line);
                    memmove(line, nl + 1, line_len - used + 1);
                    line_len -= used;
                    if (!go_on)
                        return 0;
                }
                if (line_len == sizeof line - 1)
                    line_len = 0; /* an overlong line: drop it */
            } else {
                sim_conn_t *c = conns[map[k]];
                uint8_t buf[2048];
                ssize_t r = recv(c->fd, buf, sizeof buf, 0);
                if (r <= 0) {
                    drop(map[k], false);
                    continue;
                }
                bool keep = sim_conn_input(c, buf, (size_t)r, t);
                flush(c);
                if (!keep) {
                    c->dev->stats.closed_by_sim++;
                    drop(map[k], false);
                }
            }
        }
        /* idle connections are closed, as firmware does after ~30 s */
        t = now_ms(); /* connections accepted above are newer than the poll */
        for (size_t i = 0; i < MAX_CONNS; i++)
            if (conns[i] && t > conns[i]->last_rx_ms &&
                t - conns[i]->last_rx_ms > conns[i]->dev->idle_timeout_ms) {
                conns[i]->dev->stats.closed_by_sim++;
                drop(i, false);
            }
    }
}
