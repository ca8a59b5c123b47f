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
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ltuya/discovery.h"
#include "sim.h"
#include "sim_device.h"

typedef struct {
    sim_device_t dev;
    int listen_fd;
    char host[64];
    unsigned port;
    size_t file_index;  /* its place in a fleet file (control commands name it) */
    unsigned udp_port;  /* beacons go to 127.0.0.1:udp_port */
    int solicit_fd;     /* 3.5: 0x25 requests come in here */
    uint32_t beacon_ms; /* 0 = no periodic beacons */
    uint64_t next_beacon;
} sim_slot_t;

static sim_slot_t *slots; /* one per simulated device */
static size_t nslots;
static sim_conn_t **conns; /* open connections, any device */
static size_t max_conns;
static int beacon_fd = -1; /* every device's beacons go out from here */
static bool print_only;    /* --print-devices-json: set devices up, bind nothing */
static bool control_stdin; /* --control: read commands from stdin even if it is a terminal */

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
        if (slots[i].solicit_fd >= 0)
            close(slots[i].solicit_fd);
    }
    if (beacon_fd >= 0)
        close(beacon_fd);
    beacon_fd = -1;
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
    uint64_t t = now_ms();
    if (c->hold_until && t < c->hold_until)
        return true; /* latency, delay, coalesce: later, with whatever joins it */
    c->hold_until = 0;
    if (c->held_since && c->out_len) /* how long the reply really waited (stats) */
        sim_device_note_held(c->dev, (uint32_t)(t - c->held_since));
    c->held_since = 0;
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
        sendto(beacon_fd, frame, n, 0, (const struct sockaddr *)to, sizeof *to);
}

static void periodic_beacon(sim_slot_t *sl, uint64_t t)
{
    if (!sl->beacon_ms || beacon_fd < 0 || t < sl->next_beacon)
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
        for (size_t k = 0; k < nslots; k++) /* an index into the file, also in a shard */
            if (slots[k].file_index == i)
                return &slots[k].dev;
        return NULL;
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
            const char *why = sim_device_set(d, &changes, conns, max_conns);
            for (size_t i = 0; i < max_conns; i++)
                if (conns[i] && !flush(conns[i]))
                    drop(i, true);
            if (why)
                printf("{\"ok\":false,\"error\":\"%s\"}\n", why);
            else
                reply_state(d);
        }
    } else if (cmd.len == 3 && !memcmp(cmd.ptr, "get", 3)) {
        reply_state(d);
    } else if (cmd.len == 5 && !memcmp(cmd.ptr, "stats", 5)) {
        const sim_stats_t *st = &d->stats;
        printf("{\"ok\":true,\"accepted\":%u,\"refused\":%u,\"open\":%u,\"handshakes\":%u,"
               "\"frames_in\":%u,\"frames_out\":%u,\"pushes\":%u,\"bad_frames\":%u,"
               "\"rejected_writes\":%u,\"late_pushes\":%u,\"late_pushes_lost\":%u,"
               "\"closed_by_device\":%u,\"faults\":{",
               st->accepted, st->refused, d->open_clients, st->handshakes, st->frames_in,
               st->frames_out, st->pushes, st->bad_frames, st->rejected_writes, st->late_pushes,
               st->late_pushes_lost, st->closed_by_sim);
        for (int f = 0; f < SIM_F_COUNT; f++)
            printf("%s\"%s\":%u", f ? "," : "", sim_fault_name(f), st->faults[f]);
        printf("},\"latency\":{\"ms\":%u,\"jitter_ms\":%u,\"frames\":%u,\"drawn_min_ms\":%u,"
               "\"drawn_max_ms\":%u,\"held_min_ms\":%u}}\n",
               d->latency_ms, d->jitter_ms, st->lat_frames, st->lat_frames ? st->lat_min : 0,
               st->lat_max, st->held_n ? st->held_min : 0);
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
        "one JSON object per line, on stdin and answers each on stdout. A terminal\n"
        "is read only with --control, so `ltuya sim ... &` keeps running.\n"
        "\n"
        "options:\n"
        "  --config FILE       many devices in one process: a JSON array of {\"id\",\"key\",\n"
        "                      \"port\",\"version\",\"host\",\"profile\",\"quirks\":[..],\n"
        "                      \"clients\",\"latency\"}; the options below fill missing fields\n"
        "  --id ID             device id (20-22 characters)\n"
        "  --key KEY           16-character local key\n"
        "  --version V         3.1 .. 3.5\n"
        "  --port P            TCP port to listen on (6668 needs no root on loopback)\n"
        "  --host ADDR         127.0.0.x address to listen on (default 127.0.0.1)\n"
        "  --profile NAME      plug (default: the seed's AUBESS 20A, energy on 18/19/20),\n"
        "                      plug34 (21/22/23), plug31 (4/5/6), device22, bulb (v2:\n"
        "                      20-24), curtain, thermostat, switch3 (3 gangs), sensor\n"
        "                      (temperature, humidity); writes are checked as the real\n"
        "                      device does (type, range, read-only DPs)\n"
        "  --print-devices-json  print the devices.json entry tinytuya's wizard would\n"
        "                      write for the device(s), with mapping and category, and\n"
        "                      exit (it holds the simulator's key)\n"
        "  --quirk NAME        device22, push-on-connect, reject-multi-dp, header-on-query,\n"
        "                      silent-beacons (3.5 only answers requests), strict-headers\n"
        "                      (no header allowed on queries, one required on writes),\n"
        "                      heartbeat-required (only heartbeats keep a connection),\n"
        "                      back-to-back (a write's status push right behind its ACK;\n"
        "                      by default it follows 20-80 ms later, seeded),\n"
        "                      handshake-wedge (two handshakes within 0.5 s wedge it until a\n"
        "                      power-cycle); as firmware on Tuya's device SDK (TuyaOpen):\n"
        "                      silent-reject (refused writes are ACKed and dropped),\n"
        "                      no-refresh-reply (DP refresh 0x12 ignored),\n"
        "                      native-endian-ack (write ACKs with return code 1 in\n"
        "                      little-endian bytes), push-before-ack, push-during-handshake\n"
        "                      (a push between RESP and FINISH, sealed with the local key);\n"
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
        "  --control           read control commands from stdin even when it is a terminal\n"
        "  --latency MS[:J]    each frame the device sends leaves MS +- J ms later (seeded,\n"
        "                      J <= MS): LAN round trips on loopback; \"latency\" per entry\n"
        "                      in a fleet file\n"
        "  --shard K/N         serve only the fleet entries whose index %% N == K (run N\n"
        "                      processes for fleets beyond one process's descriptors)\n"
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
                  {"handshake-wedge", SIM_Q_HANDSHAKE_WEDGE},
                  {"silent-reject", SIM_Q_SILENT_REJECT},
                  {"back-to-back", SIM_Q_BACK_TO_BACK},
                  {"push-before-ack", SIM_Q_PUSH_BEFORE_ACK},
                  {"no-refresh-reply", SIM_Q_NO_REFRESH_REPLY},
                  {"native-endian-ack", SIM_Q_NATIVE_ENDIAN_ACK},
                  {"push-during-handshake", SIM_Q_PUSH_IN_HANDSHAKE}};
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
    unsigned latency_ms, jitter_ms;
    unsigned shard, shards; /* serve fleet entries whose index % shards == shard */
} sim_setup_t;

static bool setup_slot(sim_slot_t *sl, size_t file_index, const char *id, const char *key,
                       unsigned port, const sim_setup_t *c)
{
    if (!loopback_only(c->host)) {
        fprintf(stderr, "ltuya sim: --host must be a 127.0.0.0/8 address\n");
        return false;
    }
    if (strlen(key) != 16) {
        fprintf(stderr, "ltuya sim: %s: the key must be 16 characters\n", id);
        return false;
    }
    if (!port || port > 65535) {
        fprintf(stderr, "ltuya sim: %s: port %u is not 1..65535\n", id, port);
        return false;
    }
    if (!sim_device_init(&sl->dev, id, (const uint8_t *)key, c->version, c->profile,
                         c->seed + (uint32_t)file_index)) {
        fprintf(stderr, "ltuya sim: unknown profile '%s' (one of %s)\n", c->profile,
                sim_profile_names());
        return false;
    }
    sl->dev.quirks |= c->quirks;
    memcpy(sl->dev.fault_rate, c->faults, sizeof sl->dev.fault_rate);
    sl->dev.max_clients = c->clients;
    sl->dev.idle_timeout_ms = c->idle_s * 1000u;
    sl->dev.latency_ms = c->latency_ms;
    sl->dev.jitter_ms = c->jitter_ms;
    snprintf(sl->host, sizeof sl->host, "%s", c->host);
    sl->port = port;
    sl->file_index = file_index;
    sl->listen_fd = sl->solicit_fd = -1;
    if (print_only)
        return true;
    sl->listen_fd = listen_on(c->host, port);
    if (sl->listen_fd < 0)
        return false;
    /* discovery: beacons to 127.0.0.1 (6666 for 3.1, else 6667), and 3.5 answers */
    if (beacon_fd < 0)
        beacon_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
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

/* A whole decimal number 0..max, nothing else ("12x", "-1", "" are not). */
static bool parse_uint(const char *text, unsigned long max, unsigned *out)
{
    char *end;
    if (!text || *text < '0' || *text > '9')
        return false;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

/* --latency MS[:JITTER]: each frame the device sends leaves MS +- JITTER ms later. */
static bool parse_latency(const char *text, unsigned *ms, unsigned *jitter)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%s", text);
    char *colon = strchr(buf, ':');
    if (colon)
        *colon = 0;
    *jitter = 0;
    return strlen(text) < sizeof buf && parse_uint(buf, 600000, ms) &&
           (!colon || parse_uint(colon + 1, *ms, jitter));
}

/* The optional fields of a fleet entry, over the command line's values. */
static bool entry_options(const char *e, size_t len, const char *id, sim_setup_t *c, char *host,
                          char *profile)
{
    char ver[8], num[16];
    bool is_str;
    if (json_text(e, len, "version", ver, sizeof ver) &&
        ltuya_version_parse(ver, &c->version) != LTUYA_OK) {
        fprintf(stderr, "ltuya sim: %s: unknown version %s\n", id, ver);
        return false;
    }
    if (json_text(e, len, "host", host, 32))
        c->host = host;
    if (json_text(e, len, "profile", profile, 16))
        c->profile = profile;
    if (json_text(e, len, "clients", num, sizeof num) && !parse_uint(num, 1000, &c->clients)) {
        fprintf(stderr, "ltuya sim: %s: clients %s is not a number\n", id, num);
        return false;
    }
    if (json_text(e, len, "latency", num, sizeof num) &&
        !parse_latency(num, &c->latency_ms, &c->jitter_ms)) {
        fprintf(stderr, "ltuya sim: %s: latency %s is not MS or \"MS:JITTER\"\n", id, num);
        return false;
    }
    ltuya_str_t q;
    if (ltuya_json_get(e, len, "quirks", &q, &is_str) == LTUYA_OK && !is_str) {
        ltuya_json_iter_t qi;
        ltuya_str_t name;
        char nb[32];
        if (ltuya_json_iter_init(&qi, q.ptr, q.len) == LTUYA_OK)
            while (ltuya_json_iter_next(&qi, NULL, &name, NULL) == LTUYA_OK) {
                snprintf(nb, sizeof nb, "%.*s", (int)name.len, name.ptr);
                if (name.len >= sizeof nb || !parse_quirk(nb, &c->quirks)) {
                    fprintf(stderr, "ltuya sim: %s: unknown quirk %s\n", id, nb);
                    return false;
                }
            }
    }
    return true;
}

/* One fleet entry: its own slot, if it belongs to this process's shard. */
static bool load_entry(const char *e, size_t len, size_t index, const char *path,
                       const sim_setup_t *common)
{
    char id[LTUYA_MAX_ID + 1], key[32], port_s[8], host[32], profile[16];
    unsigned port;
    sim_setup_t c = *common;
    if (!json_text(e, len, "id", id, sizeof id) || !json_text(e, len, "key", key, sizeof key) ||
        !json_text(e, len, "port", port_s, sizeof port_s)) {
        fprintf(stderr, "ltuya sim: device %zu in %s needs id, key and port\n", index, path);
        return false;
    }
    if (!parse_uint(port_s, 65535, &port)) {
        fprintf(stderr, "ltuya sim: %s: port %s is not a number\n", id, port_s);
        return false;
    }
    if (!entry_options(e, len, id, &c, host, profile))
        return false;
    if (index % common->shards != common->shard)
        return true; /* another process serves it */
    if (!setup_slot(&slots[nslots], index, id, key, port, &c))
        return false;
    nslots++;
    return true;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ltuya sim: cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
    *len = text ? fread(text, 1, (size_t)size, f) : 0;
    fclose(f);
    if (text)
        text[*len] = 0;
    return text;
}

/* A fleet: a JSON array (or {"devices":[...]}) of {"id","key","version","port","host",
 * "profile","quirks":[...],"clients","latency"}; missing fields come from the command line. */
static bool load_config(const char *path, const sim_setup_t *common)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text)
        return false;
    ltuya_str_t list, entry;
    bool is_str, ok = true;
    if (ltuya_json_get(text, len, "devices", &list, &is_str) != LTUYA_OK)
        list = (ltuya_str_t){text, len};
    ltuya_json_iter_t it;
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
    for (size_t i = 0; ok && ltuya_json_iter_next(&it, NULL, &entry, &is_str) == LTUYA_OK; i++)
        ok = load_entry(entry.ptr, entry.len, i, path, common);
    free(text);
    return ok;
}

/* --print-devices-json: what tinytuya's wizard would have written for these
 * devices. It holds their keys: the simulator's own, given on its command line. */
static void print_devices_json(void)
{
    printf("[\n");
    for (size_t i = 0; i < nslots; i++) {
        const sim_device_t *d = &slots[i].dev;
        char key[17];
        memcpy(key, d->key, 16);
        key[16] = 0;
        sim_profile_print_entry(stdout, d->prof, d->id, key, slots[i].host,
                                ltuya_version_str(d->version));
        printf("%s\n", i + 1 < nslots ? "," : "");
    }
    printf("]\n");
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

/* ---- options ------------------------------------------------------------------------ */

typedef struct {
    sim_setup_t common;
    const char *config, *id, *key;
    unsigned port;
    float faults[SIM_F_COUNT];
} sim_options_t;

/* --fault NAME=RATE */
static bool parse_fault(const char *arg, float *faults)
{
    char name[16];
    const char *eq = strchr(arg, '=');
    size_t nl = eq ? (size_t)(eq - arg) : 0;
    int f = -1;
    char *end = NULL;
    if (eq && nl < sizeof name) {
        memcpy(name, arg, nl);
        name[nl] = 0;
        f = sim_fault_parse(name);
    }
    double rate = eq ? strtod(eq + 1, &end) : -1;
    if (f < 0 || end == eq + 1 || *end || rate < 0 || rate > 1) {
        fprintf(stderr, "ltuya sim: --fault NAME=RATE, NAME one of drop, delay, reset, "
                        "corrupt, split, coalesce, garbage, close; RATE 0..1\n");
        return false;
    }
    faults[f] = (float)rate;
    return true;
}

/* --shard K/N */
static bool parse_shard(const char *arg, unsigned *k, unsigned *n)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%s", arg);
    char *slash = strchr(buf, '/');
    if (!slash || strlen(arg) >= sizeof buf)
        return false;
    *slash = 0;
    return parse_uint(slash + 1, 1000, n) && *n && parse_uint(buf, *n - 1, k);
}

static const char *const option_names[] = {
    ['p'] = "--port",
    ['c'] = "--clients",
    ['t'] = "--idle-timeout",
    ['s'] = "--seed",
    ['u'] = "--udp-port",
    ['S'] = "--solicit-port",
    ['b'] = "--beacon-interval",
    ['L'] = "--latency",
    ['D'] = "--shard",
};

static bool bad_value(int opt, const char *arg)
{
    fprintf(stderr, "ltuya sim: %s: '%s' is not a valid value\n", option_names[opt], arg);
    return false;
}

/* One option into o; false after saying what is wrong with it. */
static bool take_option(int opt, const char *arg, sim_options_t *o)
{
    sim_setup_t *c = &o->common;
    char *end;
    switch (opt) {
    case 'i':
        o->id = arg;
        return true;
    case 'k':
        o->key = arg;
        return true;
    case 'C':
        o->config = arg;
        return true;
    case 'H':
        c->host = arg;
        return true;
    case 'P':
        c->profile = arg;
        return true;
    case 'J':
        print_only = true;
        return true;
    case 'K':
        control_stdin = true;
        return true;
    case 'F':
        return parse_fault(arg, o->faults);
    case 'V':
        if (ltuya_version_parse(arg, &c->version) == LTUYA_OK)
            return true;
        fprintf(stderr, "ltuya sim: unknown version '%s'\n", arg);
        return false;
    case 'q':
        if (parse_quirk(arg, &c->quirks))
            return true;
        fprintf(stderr, "ltuya sim: unknown quirk '%s'\n", arg);
        return false;
    case 'p':
        return parse_uint(arg, 65535, &o->port) && o->port ? true : bad_value(opt, arg);
    case 'c':
        return parse_uint(arg, 1000, &c->clients) && c->clients ? true : bad_value(opt, arg);
    case 't':
        return parse_uint(arg, 86400, &c->idle_s) ? true : bad_value(opt, arg);
    case 'u':
        return parse_uint(arg, 65535, &c->udp_port) ? true : bad_value(opt, arg);
    case 'S':
        return parse_uint(arg, 65535, &c->solicit_port) ? true : bad_value(opt, arg);
    case 's': {
        unsigned seed;
        if (!parse_uint(arg, UINT32_MAX, &seed))
            return bad_value(opt, arg);
        c->seed = seed;
        return true;
    }
    case 'b':
        c->beacon_s = strtod(arg, &end);
        return end != arg && !*end && c->beacon_s >= 0 ? true : bad_value(opt, arg);
    case 'L':
        return parse_latency(arg, &c->latency_ms, &c->jitter_ms) ? true : bad_value(opt, arg);
    case 'D':
        return parse_shard(arg, &c->shard, &c->shards) ? true : bad_value(opt, arg);
    }
    return false;
}

/* -1 to go on, else the exit code (--help, or a bad option). */
static int parse_options(int argc, char **argv, sim_options_t *o)
{
    static const struct option longopts[] = {
        {"id", required_argument, NULL, 'i'},
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
        {"latency", required_argument, NULL, 'L'},
        {"shard", required_argument, NULL, 'D'},
        {"print-devices-json", no_argument, NULL, 'J'},
        {"control", no_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->common = (sim_setup_t){.host = "127.0.0.1",
                              .profile = "plug",
                              .version = LTUYA_V33,
                              .clients = 1,
                              .idle_s = 30,
                              .beacon_s = 5,
                              .solicit_port = LTUYA_UDP_PORT_35,
                              .faults = o->faults,
                              .shards = 1};
    print_only = control_stdin = false;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return 0;
        }
        if (opt == '?' || !take_option(opt, optarg, o)) {
            if (opt == '?')
                usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ltuya sim: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return -1;
}

/* The devices of --config, or the one of --id/--key/--port. */
static bool setup_devices(const sim_options_t *o)
{
    if (o->config)
        return load_config(o->config, &o->common);
    if (!o->id || !o->key || strlen(o->key) != 16 || !o->port) {
        fprintf(stderr, "ltuya sim: --id, a 16-character --key and --port are required "
                        "(or --config FILE)\n\n");
        usage(stderr);
        return false;
    }
    slots = calloc(1, sizeof *slots);
    if (!slots || !setup_slot(&slots[0], 0, o->id, o->key, o->port, &o->common))
        return false;
    nslots = 1;
    return true;
}

/* ---- the event loop ---------------------------------------------------------------- */

/* map[] codes: below SOLICIT_TAG a connection index; then solicit sockets and listeners */
#define STDIN_TAG   SIZE_MAX
#define LISTEN_TAG  (SIZE_MAX / 2)
#define SOLICIT_TAG (SIZE_MAX / 4)

typedef struct {
    struct pollfd *pfd;
    size_t *map; /* what each pfd[] entry is */
    size_t n;
    char line[4096]; /* a control command being read */
    size_t line_len;
    bool stdin_open;
} sim_loop_t;

static void build_pollset(sim_loop_t *l)
{
    size_t n = 0;
    for (size_t i = 0; i < max_conns; i++)
        if (conns[i]) {
            l->pfd[n] = (struct pollfd){conns[i]->fd, POLLIN, 0};
            l->map[n++] = i;
        }
    for (size_t i = 0; i < nslots; i++)
        if (slots[i].solicit_fd >= 0) {
            l->pfd[n] = (struct pollfd){slots[i].solicit_fd, POLLIN, 0};
            l->map[n++] = SOLICIT_TAG + i;
        }
    /* the listeners go last: a client that just hung up must be seen
     * leaving before a new one is counted against the client limit */
    for (size_t i = 0; i < nslots; i++) {
        l->pfd[n] = (struct pollfd){slots[i].listen_fd, POLLIN, 0};
        l->map[n++] = LISTEN_TAG + i;
    }
    /* control commands after everything the clients did in the same wake-up:
     * "stats" counts a connection that closed meanwhile */
    if (l->stdin_open) {
        l->pfd[n] = (struct pollfd){0, POLLIN, 0};
        l->map[n++] = STDIN_TAG;
    }
    l->n = n;
}

/* ms until the next timer: held output, a push due after its ACK, a beacon */
static int poll_timeout(uint64_t t0)
{
    uint64_t next = t0 + 1000;
    for (size_t i = 0; i < max_conns; i++) {
        if (!conns[i])
            continue;
        uint64_t due = sim_conn_next_due(conns[i]);
        if (conns[i]->hold_until && conns[i]->hold_until < next)
            next = conns[i]->hold_until;
        if (due && due < next)
            next = due;
    }
    for (size_t i = 0; i < nslots; i++)
        if (slots[i].beacon_ms && slots[i].next_beacon < next)
            next = slots[i].next_beacon;
    return next > t0 ? (int)(next - t0) : 0;
}

/* Control commands, one per line; false at quit. */
static bool read_control(sim_loop_t *l)
{
    ssize_t r = read(0, l->line + l->line_len, sizeof l->line - 1 - l->line_len);
    if (r <= 0) {
        l->stdin_open = false; /* keep serving without a controller */
        return true;
    }
    l->line_len += (size_t)r;
    l->line[l->line_len] = 0;
    char *nl;
    while ((nl = strchr(l->line, '\n'))) {
        *nl = 0;
        bool go_on = control_line(l->line);
        size_t used = (size_t)(nl + 1 - l->line);
        memmove(l->line, nl + 1, l->line_len - used + 1);
        l->line_len -= used;
        if (!go_on)
            return false;
    }
    if (l->line_len == sizeof l->line - 1)
        l->line_len = 0; /* an overlong line: drop it */
    return true;
}

/* Bytes from a client: the device answers, or closes the connection. */
static void serve_conn(size_t i, uint64_t t)
{
    sim_conn_t *c = conns[i];
    uint8_t buf[2048];
    ssize_t r = recv(c->fd, buf, sizeof buf, 0);
    if (r <= 0) {
        drop(i, false);
        return;
    }
    bool keep = sim_conn_input(c, buf, (size_t)r, t);
    if (!flush(c)) {
        drop(i, true); /* a reset fault */
        return;
    }
    if (!keep) {
        c->dev->stats.closed_by_sim++;
        drop(i, false);
    }
}

/* What time brings: pushes due after their ACK, held output whose time has
 * come, connections the device closes (a close fault, the idle timeout). */
static void run_timers(void)
{
    for (size_t i = 0; i < max_conns; i++) {
        sim_conn_t *c = conns[i];
        if (!c)
            continue;
        uint64_t t = now_ms();
        if (sim_conn_next_due(c))
            sim_conn_tick(c, t);
        if (c->out_len && !flush(c)) {
            drop(i, true);
            continue;
        }
        /* a close fault: the frame went out (not held back), now the FIN */
        if (c->close_after_flush && !c->hold_until && !c->out_len) {
            c->dev->stats.closed_by_sim++;
            drop(i, false);
            continue;
        }
        /* idle connections are closed, as firmware does after ~30 s; with
         * heartbeat-required, only heartbeats count as signs of life */
        uint64_t last = (c->dev->quirks & SIM_Q_HEARTBEAT_REQUIRED) ? c->last_hb_ms : c->last_rx_ms;
        if (t > last && t - last > c->dev->idle_timeout_ms) {
            c->dev->stats.closed_by_sim++;
            drop(i, false);
        }
    }
}

/* Until quit (0) or a poll failure (1). */
static int serve(sim_loop_t *l)
{
    for (;;) {
        build_pollset(l);
        if (poll(l->pfd, (nfds_t)l->n, poll_timeout(now_ms())) < 0 && errno != EINTR)
            return 1;
        uint64_t t = now_ms();
        for (size_t i = 0; i < nslots; i++)
            periodic_beacon(&slots[i], t);
        for (size_t k = 0; k < l->n; k++) {
            size_t m = l->map[k];
            if (!l->pfd[k].revents)
                continue;
            if (m == STDIN_TAG) {
                if (!read_control(l))
                    return 0;
            } else if (m >= LISTEN_TAG) {
                accept_one(&slots[m - LISTEN_TAG]);
            } else if (m >= SOLICIT_TAG) {
                answer_solicit(&slots[m - SOLICIT_TAG]);
            } else if (conns[m]) {
                serve_conn(m, t);
            }
        }
        run_timers();
    }
}

int ltuya_sim_main(int argc, char **argv)
{
    sim_options_t o;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (!setup_devices(&o)) {
        release_all(NULL, NULL);
        return 2;
    }
    if (print_only) {
        print_devices_json();
        release_all(NULL, NULL);
        return 0;
    }
    raise_fd_limit();
    /* room for every device's clients, within the descriptors we may open */
    max_conns = 16;
    for (size_t i = 0; i < nslots; i++)
        max_conns += slots[i].dev.max_clients;
    conns = calloc(max_conns, sizeof *conns);
    static sim_loop_t loop;
    size_t cap = max_conns + 2 * nslots + 1;
    loop.pfd = calloc(cap, sizeof *loop.pfd);
    loop.map = calloc(cap, sizeof *loop.map);
    loop.line_len = 0;
    /* a terminal is read only when asked (--control): `ltuya sim ... &` in an
     * interactive shell would otherwise be stopped (SIGTTIN) by its first read */
    loop.stdin_open = control_stdin || !isatty(0);
    if (!conns || !loop.pfd || !loop.map) {
        release_all(loop.pfd, loop.map);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    printf("READY\n");
    fflush(stdout);
    rc = serve(&loop);
    release_all(loop.pfd, loop.map);
    return rc;
}
