/*
 * `ltuya sim`: simulated Tuya devices on loopback, one poll() loop for all of
 * them. Options, connections, discovery, the event loop and the control
 * interface (JSON lines on stdin, answers on stdout) live here; setting the
 * devices up in sim_fleet.c, their behaviour in sim_device.c, their data
 * points in sim_profile.c.
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
#include "sim_fleet.h"

static sim_conn_t **conns; /* open connections, any device */
static size_t max_conns;
static bool control_stdin; /* --control: read commands from stdin even if it is a terminal */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
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
    for (size_t i = 0; i < sim_nslots; i++) {
        if (sim_slots[i].listen_fd >= 0)
            close(sim_slots[i].listen_fd);
        if (sim_slots[i].solicit_fd >= 0)
            close(sim_slots[i].solicit_fd);
    }
    if (sim_beacon_fd >= 0)
        close(sim_beacon_fd);
    sim_beacon_fd = -1;
    free(conns);
    free(sim_slots);
    free(pfd);
    free(map);
    conns = NULL;
    sim_slots = NULL;
    sim_nslots = max_conns = 0;
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
        sendto(sim_beacon_fd, frame, n, 0, (const struct sockaddr *)to, sizeof *to);
}

static void periodic_beacon(sim_slot_t *sl, uint64_t t)
{
    if (!sl->beacon_ms || sim_beacon_fd < 0 || t < sl->next_beacon)
        return;
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)sl->udp_port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    send_beacon(sl, &to);
    sl->next_beacon = t + sl->beacon_ms;
}

/* --push-interval: the status pushed to the device's clients; the first push
 * of each device falls at a point of the first interval spread by its index,
 * so a fleet does not push all at once. */
static void periodic_push(sim_slot_t *sl, size_t index, uint64_t t)
{
    if (!sl->push_ms)
        return;
    if (!sl->next_push) {
        sl->next_push = t + 1 + (uint64_t)sl->push_ms * index / (sim_nslots ? sim_nslots : 1);
        return;
    }
    if (t < sl->next_push)
        return;
    sim_device_push_status(&sl->dev, conns, max_conns);
    for (size_t i = 0; i < max_conns; i++)
        if (conns[i] && conns[i]->dev == &sl->dev && !flush(conns[i]))
            drop(i, true);
    sl->next_push = t + sl->push_ms;
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
        return &sim_slots[0].dev;
    if (!is_str) {
        size_t i = (size_t)strtoul(v.ptr, NULL, 10);
        for (size_t k = 0; k < sim_nslots; k++) /* an index into the file, also in a shard */
            if (sim_slots[k].file_index == i)
                return &sim_slots[k].dev;
        return NULL;
    }
    for (size_t i = 0; i < sim_nslots; i++)
        if (strlen(sim_slots[i].dev.id) == v.len && !memcmp(sim_slots[i].dev.id, v.ptr, v.len))
            return &sim_slots[i].dev;
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
        "  --push-interval S   push the whole status to connected clients every S seconds\n"
        "                      (default 0 = only when something changes)\n"
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
    return sim_parse_uint(slash + 1, 1000, n) && *n && sim_parse_uint(buf, *n - 1, k);
}

static const char *const option_names[] = {
    ['p'] = "--port",
    ['c'] = "--clients",
    ['t'] = "--idle-timeout",
    ['s'] = "--seed",
    ['u'] = "--udp-port",
    ['S'] = "--solicit-port",
    ['b'] = "--beacon-interval",
    ['I'] = "--push-interval",
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
        sim_print_only = true;
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
        if (sim_parse_quirk(arg, &c->quirks))
            return true;
        fprintf(stderr, "ltuya sim: unknown quirk '%s'\n", arg);
        return false;
    case 'p':
        return sim_parse_uint(arg, 65535, &o->port) && o->port ? true : bad_value(opt, arg);
    case 'c':
        return sim_parse_uint(arg, 1000, &c->clients) && c->clients ? true : bad_value(opt, arg);
    case 't':
        return sim_parse_uint(arg, 86400, &c->idle_s) ? true : bad_value(opt, arg);
    case 'u':
        return sim_parse_uint(arg, 65535, &c->udp_port) ? true : bad_value(opt, arg);
    case 'S':
        return sim_parse_uint(arg, 65535, &c->solicit_port) ? true : bad_value(opt, arg);
    case 's': {
        unsigned seed;
        if (!sim_parse_uint(arg, UINT32_MAX, &seed))
            return bad_value(opt, arg);
        c->seed = seed;
        return true;
    }
    case 'b':
        c->beacon_s = strtod(arg, &end);
        return end != arg && !*end && c->beacon_s >= 0 ? true : bad_value(opt, arg);
    case 'I':
        c->push_s = strtod(arg, &end);
        return end != arg && !*end && c->push_s >= 0 && c->push_s <= 86400 ? true
                                                                           : bad_value(opt, arg);
    case 'L':
        return sim_parse_latency(arg, &c->latency_ms, &c->jitter_ms) ? true : bad_value(opt, arg);
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
        {"push-interval", required_argument, NULL, 'I'},
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
    sim_print_only = control_stdin = false;
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
        return sim_load_config(o->config, &o->common);
    if (!o->id || !o->key || strlen(o->key) != 16 || !o->port) {
        fprintf(stderr, "ltuya sim: --id, a 16-character --key and --port are required "
                        "(or --config FILE)\n\n");
        usage(stderr);
        return false;
    }
    sim_slots = calloc(1, sizeof *sim_slots);
    if (!sim_slots || !sim_setup_slot(&sim_slots[0], 0, o->id, o->key, o->port, &o->common))
        return false;
    sim_nslots = 1;
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
    for (size_t i = 0; i < sim_nslots; i++)
        if (sim_slots[i].solicit_fd >= 0) {
            l->pfd[n] = (struct pollfd){sim_slots[i].solicit_fd, POLLIN, 0};
            l->map[n++] = SOLICIT_TAG + i;
        }
    /* the listeners go last: a client that just hung up must be seen
     * leaving before a new one is counted against the client limit */
    for (size_t i = 0; i < sim_nslots; i++) {
        l->pfd[n] = (struct pollfd){sim_slots[i].listen_fd, POLLIN, 0};
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
    for (size_t i = 0; i < sim_nslots; i++)
        if (sim_slots[i].beacon_ms && sim_slots[i].next_beacon < next)
            next = sim_slots[i].next_beacon;
    for (size_t i = 0; i < sim_nslots; i++)
        if (sim_slots[i].push_ms && sim_slots[i].next_push < next)
            next = sim_slots[i].next_push;
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
        for (size_t i = 0; i < sim_nslots; i++)
            periodic_beacon(&sim_slots[i], t);
        for (size_t i = 0; i < sim_nslots; i++)
            periodic_push(&sim_slots[i], i, t);
        for (size_t k = 0; k < l->n; k++) {
            size_t m = l->map[k];
            if (!l->pfd[k].revents)
                continue;
            if (m == STDIN_TAG) {
                if (!read_control(l))
                    return 0;
            } else if (m >= LISTEN_TAG) {
                accept_one(&sim_slots[m - LISTEN_TAG]);
            } else if (m >= SOLICIT_TAG) {
                answer_solicit(&sim_slots[m - SOLICIT_TAG]);
            } else if (conns[m]) {
                serve_conn(m, t);
            }
        }
        run_timers();
    }
}

int ltuya_sim_main(int argc, char **argv)
{
    ltuya_posix_init(); /* ltuya_random() for nonces and the handshake (sim_random) */
    sim_options_t o;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (!setup_devices(&o)) {
        release_all(NULL, NULL);
        return 2;
    }
    if (sim_print_only) {
        sim_print_devices_json();
        release_all(NULL, NULL);
        return 0;
    }
    sim_raise_fd_limit();
    /* room for every device's clients, within the descriptors we may open */
    max_conns = 16;
    for (size_t i = 0; i < sim_nslots; i++)
        max_conns += sim_slots[i].dev.max_clients;
    conns = calloc(max_conns, sizeof *conns);
    static sim_loop_t loop;
    size_t cap = max_conns + 2 * sim_nslots + 1;
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
