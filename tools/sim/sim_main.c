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
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ltuya/discovery.h"
#include "ltuya_posix.h"
#include "sim.h"
#include "sim_device.h"

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

static sim_slot_t *slots; /* one per simulated device */
static size_t nslots;
static sim_conn_t **conns; /* open connections, any device */
static size_t max_conns;

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
    sim_conn_closed(c);
    close(c->fd);
    c->dev->open_clients--;
    free(c);
    conns[i] = NULL;
}

/* Orderly end: every connection closed, every socket and allocation given
 * back (so memcheck and LeakSanitizer see a clean exit). */
static void release_all(void *pfd, void *map)
{
    for (size_t i = 0; conns && i < max_conns; i++)
        if (conns[i])
            drop(i, false);
    for (size_t i = 0; i < nslots; i++) {
        if (slots[i].listen_fd >= 0)
            close(slots[i].listen_fd);
        if (slots[i].udp_fd >= 0)
            close(slots[i].udp_fd);
        if (slots[i].solicit_fd >= 0)
            close(slots[i].solicit_fd);
    }
    free(conns);
    free(slots);
    free(pfd);
    free(map);
    conns = NULL;
    slots = NULL;
    nslots = max_conns = 0;
}

/* Send what the device has queued, unless a fault holds it back. Returns
 * false when a reset fault wants the connection gone. */
static bool flush(sim_conn_t *c)
{
    if (c->reset_now)
        return false;
    if (c->hold_until && now_ms() < c->hold_until)
        return true; /* delay / coalesce: later, with whatever joins it */
    c->hold_until = 0;
    size_t off = 0;
    while (off < c->out_len) {
        size_t chunk = c->out_len - off;
        if (c->split && chunk > 7)
            chunk = 1 + (size_t)(off % 7); /* a frame trickling out in small writes */
        ssize_t n = send(c->fd, c->out + off, chunk, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* a stuck peer loses the rest; real firmware would too */
        off += (size_t)n;
        if (c->split && off < c->out_len)
            usleep(200); /* so the pieces travel as separate segments */
    }
    c->split = false;
    c->out_len = 0;
    return true;
}

static void accept_one(sim_slot_t *s)
{
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    sim_device_t *d = &s->dev;
    size_t free_i = max_conns;
    for (size_t i = 0; i < max_conns && free_i == max_conns; i++)
        if (!conns[i])
            free_i = i;
    if (d->open_clients >= d->max_clients || free_i == max_conns) {
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
    if (!flush(c))
        drop(free_i, true);
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
    sim_random(nonce, sizeof nonce);
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

/* "device": an id or an index into the fleet; the first device by default. */
static sim_device_t *control_target(const char *line, size_t len)
{
    ltuya_str_t v;
    bool is_str;
    if (ltuya_json_get(line, len, "device", &v, &is_str) != LTUYA_OK)
        return &slots[0].dev;
    if (!is_str) {
        size_t i = (size_t)strtoul(v.ptr, NULL, 10);
        return i < nslots ? &slots[i].dev : NULL;
    }
    for (size_t i = 0; i < nslots; i++)
        if (strlen(slots[i].dev.id) == v.len && !memcmp(slots[i].dev.id, v.ptr, v.len))
            return &slots[i].dev;
    return NULL;
}

static bool control_line(char *line)
{
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = 0;
    if (!len)
        return true;
    ltuya_str_t cmd;
    bool is_str;
    sim_device_t *d = NULL;
    if (ltuya_json_validate(line, len) != LTUYA_OK ||
        ltuya_json_get(line, len, "cmd", &cmd, &is_str) != LTUYA_OK || !is_str) {
        printf("{\"ok\":false,\"error\":\"expected {\\\"cmd\\\":...}\"}\n");
    } else if (!(d = control_target(line, len))) {
        printf("{\"ok\":false,\"error\":\"no such device\"}\n");
    } else if (cmd.len == 3 && !memcmp(cmd.ptr, "set", 3)) {
        ltuya_dps_t changes;
        if (ltuya_json_parse_dps(line, len, &changes) != LTUYA_OK || !changes.has_dps) {
            printf("{\"ok\":false,\"error\":\"set needs \\\"dps\\\"\"}\n");
        } else {
            sim_device_set(d, &changes, conns, max_conns);
            for (size_t i = 0; i < max_conns; i++)
                if (conns[i] && !flush(conns[i]))
                    drop(i, true);
            reply_state(d);
        }
    } else if (cmd.len == 3 && !memcmp(cmd.ptr, "get", 3)) {
        reply_state(d);
    } else if (cmd.len == 5 && !memcmp(cmd.ptr, "stats", 5)) {
        const sim_stats_t *st = &d->stats;
        printf("{\"ok\":true,\"accepted\":%u,\"refused\":%u,\"open\":%u,\"handshakes\":%u,"
               "\"frames_in\":%u,\"frames_out\":%u,\"pushes\":%u,\"bad_frames\":%u,"
               "\"closed_by_device\":%u,\"faults\":{",
               st->accepted, st->refused, d->open_clients, st->handshakes, st->frames_in,
               st->frames_out, st->pushes, st->bad_frames, st->closed_by_sim);
        for (int f = 0; f < SIM_F_COUNT; f++)
            printf("%s\"%s\":%u", f ? "," : "", sim_fault_name(f), st->faults[f]);
        printf("}}\n");
    } else if (cmd.len == 11 && !memcmp(cmd.ptr, "power-cycle", 11)) {
        /* off and on: every connection of this device drops, a wedge clears */
        for (size_t i = 0; i < max_conns; i++)
            if (conns[i] && conns[i]->dev == d)
                drop(i, false);
        sim_device_power_cycle(d);
        printf("{\"ok\":true}\n");
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
        "       ltuya sim --config FLEET.json [options]\n"
        "\n"
        "Serve simulated Tuya devices on loopback TCP, speaking the LAN protocol as\n"
        "firmware does. Prints READY once it listens; then reads control commands,\n"
        "one JSON object per line, on stdin and answers each on stdout.\n"
        "\n"
        "options:\n"
        "  --config FILE       many devices in one process: a JSON array of {\"id\",\"key\",\n"
        "                      \"port\",\"version\",\"host\",\"profile\",\"quirks\":[..],\n"
        "                      \"clients\"}; the options below fill missing fields\n"
        "  --id ID             device id (20-22 characters)\n"
        "  --key KEY           16-character local key\n"
        "  --version V         3.1 .. 3.5\n"
        "  --port P            TCP port to listen on (6668 needs no root on loopback)\n"
        "  --host ADDR         127.0.0.x address to listen on (default 127.0.0.1)\n"
        "  --profile NAME      plug (default: the seed's AUBESS 20A, energy on 18/19/20),\n"
        "                      plug34 (21/22/23), plug31 (4/5/6), bulb, device22\n"
        "  --quirk NAME        device22, push-on-connect, reject-multi-dp, header-on-query,\n"
        "                      silent-beacons (3.5 only answers requests), strict-headers\n"
        "                      (no header allowed on queries, one required on writes),\n"
        "                      heartbeat-required (only heartbeats keep a connection),\n"
        "                      handshake-wedge (two handshakes within 0.5 s wedge it until a\n"
        "                      power-cycle);\n"
        "                      repeatable\n"
        "  --clients N         connections accepted at once (default 1, like most plugs);\n"
        "                      more are accepted and closed immediately\n"
        "  --idle-timeout S    close a connection quiet for S seconds (default 30)\n"
        "  --seed N            seed for the energy readings and the faults\n"
        "  --fault NAME=RATE   inject faults into the frames it sends, RATE 0..1 per frame:\n"
        "                      drop, delay (0.1-2 s), reset, corrupt, split, coalesce,\n"
        "                      garbage, close (FIN after the frame) (repeatable; seeded)\n"
        "  --udp-port P        send beacons to 127.0.0.1:P (default 6666 for 3.1, else 6667)\n"
        "  --beacon-interval S seconds between beacons (default 5; 0 = none)\n"
        "  --solicit-port P    3.5: answer discovery requests on P (default 7000; 0 = no)\n"
        "\n"
        "control commands (stdin):\n"
        "  {\"cmd\":\"set\",\"dps\":{\"1\":false}}   change DPs as a button press would, and push\n"
        "  {\"cmd\":\"get\"}                     the state\n"
        "  (in a fleet, add \"device\": an id or an index, else the first device)\n"
        "  {\"cmd\":\"stats\"}                   connections, frames, pushes, faults fired\n"
        "  {\"cmd\":\"power-cycle\"}             drop every connection, clear a handshake wedge\n"
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
                  {"strict-headers", SIM_Q_STRICT_HEADERS},
                  {"heartbeat-required", SIM_Q_HEARTBEAT_REQUIRED},
                  {"handshake-wedge", SIM_Q_HANDSHAKE_WEDGE}};
    for (size_t i = 0; i < sizeof quirks / sizeof *quirks; i++)
        if (!strcmp(name, quirks[i].name)) {
            *q |= quirks[i].bit;
            return true;
        }
    return false;
}

/* ---- setting devices up ------------------------------------------------------------ */

/* What all devices share unless their entry in a fleet file says otherwise. */
typedef struct {
    const char *host, *profile;
    ltuya_version_t version;
    uint32_t quirks;
    unsigned clients, idle_s;
    uint32_t seed;
    unsigned udp_port;
    double beacon_s;
    unsigned solicit_port;
    const float *faults; /* SIM_F_COUNT rates */
} sim_setup_t;

static bool setup_slot(sim_slot_t *sl, const char *id, const char *key, unsigned port,
                       const sim_setup_t *c)
{
    if (!loopback_only(c->host)) {
        fprintf(stderr, "ltuya sim: --host must be a 127.0.0.0/8 address\n");
        return false;
    }
    if (strlen(key) != 16) {
        fprintf(stderr, "ltuya sim: %s: the key must be 16 characters\n", id);
        return false;
    }
    if (!sim_device_init(&sl->dev, id, (const uint8_t *)key, c->version, c->profile,
                         c->seed + (uint32_t)(sl - slots))) {
        fprintf(stderr, "ltuya sim: unknown profile '%s'\n", c->profile);
        return false;
    }
    sl->dev.quirks |= c->quirks;
    memcpy(sl->dev.fault_rate, c->faults, sizeof sl->dev.fault_rate);
    sl->dev.max_clients = c->clients;
    sl->dev.idle_timeout_ms = c->idle_s * 1000u;
    snprintf(sl->host, sizeof sl->host, "%s", c->host);
    sl->port = port;
    sl->listen_fd = listen_on(c->host, port);
    if (sl->listen_fd < 0)
        return false;
    /* discovery: beacons to 127.0.0.1 (6666 for 3.1, else 6667), and 3.5 answers */
    sl->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sl->udp_port = c->udp_port               ? c->udp_port
                   : c->version == LTUYA_V31 ? LTUYA_UDP_PORT_31
                                             : LTUYA_UDP_PORT;
    sl->beacon_ms = (sl->dev.quirks & SIM_Q_SILENT_BEACONS) ? 0 : (uint32_t)(c->beacon_s * 1000);
    sl->next_beacon = 0;
    sl->solicit_fd = -1;
    if (c->version == LTUYA_V35 && c->solicit_port) {
        sl->solicit_fd = udp_bind(c->host, c->solicit_port);
        if (sl->solicit_fd < 0)
            fprintf(stderr, "ltuya sim: cannot listen for discovery requests on %s:%u\n", c->host,
                    c->solicit_port);
    }
    return true;
}

static bool json_text(const char *obj, size_t len, const char *key, char *dst, size_t cap)
{
    ltuya_str_t v;
    bool is_str;
    size_t n = 0;
    if (ltuya_json_get(obj, len, key, &v, &is_str) != LTUYA_OK)
        return false;
    if (is_str ? ltuya_json_unescape(v, dst, cap - 1, &n) != LTUYA_OK : v.len >= cap)
        return false;
    if (!is_str)
        memcpy(dst, v.ptr, (n = v.len));
    dst[n] = 0;
    return true;
}

/* A fleet: a JSON array (or {"devices":[...]}) of {"id","key","version","port","host",
 * "profile","quirks":[...],"clients"}; missing fields come from the command line. */
static bool load_config(const char *path, const sim_setup_t *common)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ltuya sim: cannot open %s\n", path);
        return false;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    size_t len = text ? fread(text, 1, (size_t)size, f) : 0;
    fclose(f);
    if (!text)
        return false;
    text[len] = 0;
    ltuya_str_t list = {text, len};
    bool is_str;
    if (ltuya_json_get(text, len, "devices", &list, &is_str) != LTUYA_OK)
        list = (ltuya_str_t){text, len};
    ltuya_json_iter_t it;
    ltuya_str_t entry;
    size_t count = 0;
    if (ltuya_json_iter_init(&it, list.ptr, list.len) != LTUYA_OK || it.object) {
        fprintf(stderr, "ltuya sim: %s is not a JSON array of devices\n", path);
        free(text);
        return false;
    }
    while (ltuya_json_iter_next(&it, NULL, &entry, NULL) == LTUYA_OK)
        count++;
    slots = calloc(count ? count : 1, sizeof *slots);
    if (!slots || !count) {
        fprintf(stderr, "ltuya sim: no devices in %s\n", path);
        free(text);
        return false;
    }
    ltuya_json_iter_init(&it, list.ptr, list.len);
    while (ltuya_json_iter_next(&it, NULL, &entry, &is_str) == LTUYA_OK) {
        char id[LTUYA_MAX_ID + 1], key[32], ver[8], port[8], host[32], profile[16], clients[8];
        sim_setup_t c = *common;
        if (!json_text(entry.ptr, entry.len, "id", id, sizeof id) ||
            !json_text(entry.ptr, entry.len, "key", key, sizeof key) ||
            !json_text(entry.ptr, entry.len, "port", port, sizeof port)) {
            fprintf(stderr, "ltuya sim: device %zu in %s needs id, key and port\n", nslots, path);
            free(text);
            return false;
        }
        if (json_text(entry.ptr, entry.len, "version", ver, sizeof ver) &&
            ltuya_version_parse(ver, &c.version) != LTUYA_OK) {
            fprintf(stderr, "ltuya sim: %s: unknown version %s\n", id, ver);
            free(text);
            return false;
        }
        if (json_text(entry.ptr, entry.len, "host", host, sizeof host))
            c.host = host;
        if (json_text(entry.ptr, entry.len, "profile", profile, sizeof profile))
            c.profile = profile;
        if (json_text(entry.ptr, entry.len, "clients", clients, sizeof clients))
            c.clients = (unsigned)atoi(clients);
        ltuya_str_t q;
        if (ltuya_json_get(entry.ptr, entry.len, "quirks", &q, &is_str) == LTUYA_OK && !is_str) {
            ltuya_json_iter_t qi;
            ltuya_str_t name;
            char nb[32];
            if (ltuya_json_iter_init(&qi, q.ptr, q.len) == LTUYA_OK)
                while (ltuya_json_iter_next(&qi, NULL, &name, NULL) == LTUYA_OK)
                    if (name.len < sizeof nb) {
                        memcpy(nb, name.ptr, name.len);
                        nb[name.len] = 0;
                        if (!parse_quirk(nb, &c.quirks))
                            fprintf(stderr, "ltuya sim: %s: unknown quirk %s\n", id, nb);
                    }
        }
        if (!setup_slot(&slots[nslots], id, key, (unsigned)atoi(port), &c)) {
            free(text);
            return false;
        }
        nslots++;
    }
    free(text);
    return true;
}

/* A fleet needs a descriptor per device and per client: take what we may. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
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
                                             {"config", required_argument, NULL, 'C'},
                                             {"fault", required_argument, NULL, 'F'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    ltuya_posix_init(); /* ltuya_random() for nonces and the handshake (sim_random) */
    const char *config = NULL;
    float faults[SIM_F_COUNT] = {0};
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
        case 'C':
            config = optarg;
            break;
        case 'F': {
            char name[16];
            const char *eq = strchr(optarg, '=');
            size_t nl = eq ? (size_t)(eq - optarg) : 0;
            int f = -1;
            if (eq && nl < sizeof name) {
                memcpy(name, optarg, nl);
                name[nl] = 0;
                f = sim_fault_parse(name);
            }
            if (f < 0 || atof(eq + 1) < 0 || atof(eq + 1) > 1) {
                fprintf(stderr, "ltuya sim: --fault NAME=RATE, NAME one of drop, delay, reset, "
                                "corrupt, split, coalesce, garbage, close; RATE 0..1\n");
                return 2;
            }
            faults[f] = (float)atof(eq + 1);
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    sim_setup_t common = {host,  profile, version,  quirks,   clients ? clients : 1,
                          idle,  seed,    udp_port, beacon_s, solicit_port,
                          faults};
    if (config) {
        if (!load_config(config, &common))
            return 2;
    } else {
        if (!id || !key || strlen(key) != 16 || !port || port > 65535) {
            fprintf(stderr, "ltuya sim: --id, a 16-character --key and --port are required "
                            "(or --config FILE)\n\n");
            usage(stderr);
            return 2;
        }
        slots = calloc(1, sizeof *slots);
        nslots = 1;
        if (!slots || !setup_slot(&slots[0], id, key, port, &common))
            return 2;
    }
    raise_fd_limit();
    /* room for every device's clients, within the descriptors we may open */
    max_conns = nslots * (common.clients ? common.clients : 1) + 16;
    conns = calloc(max_conns, sizeof *conns);
    size_t pcap = max_conns + 2 * nslots + 1;
    struct pollfd *pfd = calloc(pcap, sizeof *pfd);
    size_t *map = calloc(pcap, sizeof *map);
    if (!conns || !pfd || !map)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    printf("READY\n");
    fflush(stdout);

    static char line[4096];
    size_t line_len = 0;
    bool stdin_open = true;
    /* map[] codes: below SLOT_BASE a connection index; then listeners and solicit sockets */
    const size_t STDIN_TAG = SIZE_MAX, LISTEN_TAG = SIZE_MAX / 2, SOLICIT_TAG = SIZE_MAX / 4;
    for (;;) {
        size_t n = 0;
        if (stdin_open) {
            pfd[n] = (struct pollfd){0, POLLIN, 0};
            map[n++] = STDIN_TAG;
        }
        for (size_t i = 0; i < max_conns; i++)
            if (conns[i]) {
                pfd[n] = (struct pollfd){conns[i]->fd, POLLIN, 0};
                map[n++] = i;
            }
        for (size_t i = 0; i < nslots; i++)
            if (slots[i].solicit_fd >= 0) {
                pfd[n] = (struct pollfd){slots[i].solicit_fd, POLLIN, 0};
                map[n++] = SOLICIT_TAG + i;
            }
        /* the listeners go last: a client that just hung up must be seen
         * leaving before a new one is counted against the client limit */
        for (size_t i = 0; i < nslots; i++) {
            pfd[n] = (struct pollfd){slots[i].listen_fd, POLLIN, 0};
            map[n++] = LISTEN_TAG + i;
        }
        uint64_t t0 = now_ms(), next = t0 + 1000;
        for (size_t i = 0; i < max_conns; i++)
            if (conns[i] && conns[i]->hold_until && conns[i]->hold_until < next)
                next = conns[i]->hold_until;
        for (size_t i = 0; i < nslots; i++)
            if (slots[i].beacon_ms && slots[i].next_beacon < next)
                next = slots[i].next_beacon;
        if (poll(pfd, (nfds_t)n, next > t0 ? (int)(next - t0) : 0) < 0 && errno != EINTR) {
            release_all(pfd, map);
            return 1;
        }
        uint64_t t = now_ms();
        for (size_t i = 0; i < nslots; i++)
            periodic_beacon(&slots[i], t);
        for (size_t k = 0; k < n; k++) {
            if (!pfd[k].revents)
                continue;
            if (map[k] >= LISTEN_TAG && map[k] < STDIN_TAG) {
                accept_one(&slots[map[k] - LISTEN_TAG]);
            } else if (map[k] >= SOLICIT_TAG && map[k] < LISTEN_TAG) {
                answer_solicit(&slots[map[k] - SOLICIT_TAG]);
            } else if (map[k] == STDIN_TAG) {
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
                    if (!go_on) {
                        release_all(pfd, map);
                        return 0;
                    }
                }
                if (line_len == sizeof line - 1)
                    line_len = 0; /* an overlong line: drop it */
            } else if (conns[map[k]]) {
                sim_conn_t *c = conns[map[k]];
                uint8_t buf[2048];
                ssize_t r = recv(c->fd, buf, sizeof buf, 0);
                if (r <= 0) {
                    drop(map[k], false);
                    continue;
                }
                bool keep = sim_conn_input(c, buf, (size_t)r, t);
                if (!flush(c)) {
                    drop(map[k], true); /* a reset fault */
                    continue;
                }
                if (!keep) {
                    c->dev->stats.closed_by_sim++;
                    drop(map[k], false);
                }
            }
        }
        /* output held back by delay / coalesce faults whose time has come */
        for (size_t i = 0; i < max_conns; i++)
            if (conns[i] && conns[i]->hold_until && now_ms() >= conns[i]->hold_until &&
                !flush(conns[i]))
                drop(i, true);
        /* idle connections are closed, as firmware does after ~30 s */
        t = now_ms(); /* connections accepted above are newer than the poll */
        for (size_t i = 0; i < max_conns; i++) {
            if (!conns[i])
                continue;
            /* a close fault: the frame went out (not held back), now the FIN */
            if (conns[i]->close_after_flush && !conns[i]->hold_until && !conns[i]->out_len) {
                conns[i]->dev->stats.closed_by_sim++;
                drop(i, false);
                continue;
            }
            /* with heartbeat-required, only heartbeats count as signs of life */
            uint64_t last = (conns[i]->dev->quirks & SIM_Q_HEARTBEAT_REQUIRED)
                                ? conns[i]->last_hb_ms
                                : conns[i]->last_rx_ms;
            if (t > last && t - last > conns[i]->dev->idle_timeout_ms) {
                conns[i]->dev->stats.closed_by_sim++;
                drop(i, false);
            }
        }
    }
}
