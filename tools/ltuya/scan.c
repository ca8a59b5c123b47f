/* ltuya scan: listen for device beacons and list what is on the network. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "devices.h"
#include "ltuya/discovery.h"
#include "ltuya/json.h"
#include "ltuya_discovery_posix.h"
#include "ltuya_posix.h"
#include "util.h"

#define MAX_FOUND     256
#define SOLICIT_EVERY 6000 /* ms; what tinytuya does, about a beacon interval */
#define MAX_TIMEOUT_S 3600

typedef struct {
    ltuya_beacon_t b;
    char name[64];
} found_t;

typedef struct {
    found_t found[MAX_FOUND];
    size_t count;
    size_t dropped;  /* new devices past MAX_FOUND */
    size_t rejected; /* datagrams that were not beacons */
    ltuya_status_t last_reject;
    char *devices; /* devices.json text, or NULL */
    size_t devices_len;
} scan_t;

static const char usage_text[] =
    "usage: ltuya scan [--timeout S] [--json] [--solicit ADDR] [options]\n"
    "\n"
    "Listen for Tuya devices announcing themselves on UDP 6666, 6667 and 7000 and\n"
    "list each one's name (from devices.json), id, IP address, protocol version and\n"
    "product key, a row as each device is first heard. Listening sends nothing.\n"
    "\n"
    "Devices on 3.1-3.4 (and some on 3.5) announce themselves every ~5 s. Newer 3.5\n"
    "firmware stays silent until asked: --solicit ADDR sends the 3.5 discovery\n"
    "request to ADDR:7000 every 6 s while listening. On a LAN, ADDR is your\n"
    "subnet's broadcast address (e.g. 192.168.1.255 for 192.168.1.x/24).\n"
    "\n"
    "options:\n"
    "  -t, --timeout S      listen for S seconds (default 6)\n"
    "  -j, --json           print one JSON array of devices instead of the table\n"
    "      --solicit ADDR   ask 3.5 devices to answer (request sent to ADDR:7000;\n"
    "                       ADDR:PORT sends elsewhere, e.g. to a simulator)\n"
    "      --reply-ip IP    where devices should answer (default: our address\n"
    "                       towards ADDR, or the --bind address)\n"
    "      --bind ADDR      local IPv4 address to listen on (default 0.0.0.0: all)\n"
    "      --ports LIST     comma-separated ports (default 6666,6667,7000)\n"
    "      --devices FILE   devices.json to take names from (default $LTUYA_DEVICES,\n"
    "                       ./devices.json, $XDG_CONFIG_HOME/ltuya/devices.json)\n"
    "  -v, --verbose        report every datagram received on stderr\n"
    "  -h, --help           this text\n"
    "\n"
    "Ctrl-C ends the scan early (the rows printed so far are the devices found).\n"
    "\n"
    "--json prints one array at the end, sorted by address (empty when nothing\n"
    "answered):\n"
    "  [{\"name\":\"Desk plug\" or null,\"id\":\"...\",\"ip\":\"...\",\"version\":\"3.3\",\n"
    "    \"product_key\":\"...\",\"active\":2 or null}, ...]\n"
    "\n"
    "examples:\n"
    "  ltuya scan\n"
    "  ltuya scan --timeout 12 --json\n"
    "  ltuya scan --solicit 192.168.1.255\n"
    "\n"
    "exit status: 0 when the scan ran (even if it found nothing), 1 when no port\n"
    "could be opened, 2 on bad arguments.\n";

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static uint64_t now_ms(void)
{
    const ltuya_clock_t *c = ltuya_posix_clock();
    return c->now_ms(c->ctx);
}

static bool str_eq(ltuya_str_t s, const char *z)
{
    return s.len == strlen(z) && !memcmp(s.ptr, z, s.len);
}

/* devices.json is an array of objects; only "id" -> "name" is needed here,
 * so walk it directly rather than parse every entry in full. */
static void name_for(const scan_t *s, const char *id, char *name, size_t cap)
{
    ltuya_json_iter_t it;
    ltuya_str_t dev, v;
    bool is_str;
    name[0] = 0;
    if (!s->devices || ltuya_json_iter_init(&it, s->devices, s->devices_len) != LTUYA_OK)
        return;
    while (ltuya_json_iter_next(&it, NULL, &dev, &is_str) == LTUYA_OK) {
        if (is_str || ltuya_json_get(dev.ptr, dev.len, "id", &v, &is_str) != LTUYA_OK || !is_str ||
            !str_eq(v, id))
            continue;
        size_t n = 0;
        if (ltuya_json_get(dev.ptr, dev.len, "name", &v, &is_str) != LTUYA_OK || !is_str ||
            ltuya_json_unescape(v, name, cap - 1, &n) != LTUYA_OK)
            n = 0;
        name[n] = 0;
        return;
    }
}

static void remember(scan_t *s, const ltuya_beacon_t *b)
{
    for (size_t i = 0; i < s->count; i++)
        if (!strcmp(s->found[i].b.id, b->id)) {
            s->found[i].b = *b; /* the latest word: its address may have changed */
            return;
        }
    if (s->count == MAX_FOUND) {
        s->dropped++;
        return;
    }
    found_t *f = &s->found[s->count++];
    f->b = *b;
    name_for(s, b->id, f->name, sizeof f->name);
}

static uint32_t ip_value(const char *ip)
{
    struct in_addr a;
    return inet_pton(AF_INET, ip, &a) == 1 ? ntohl(a.s_addr) : UINT32_MAX;
}

static int by_ip(const void *pa, const void *pb)
{
    const found_t *a = pa, *b = pb;
    uint32_t x = ip_value(a->b.ip), y = ip_value(b->b.ip);
    if (x != y)
        return x < y ? -1 : 1;
    return strcmp(a->b.id, b->b.id); /* a stable order for equal or odd addresses */
}

/* Beacon fields come from the network: never let them drive the terminal. */
static void print_safe(const char *s, int width)
{
    int n = 0;
    for (; *s; s++, n++)
        putchar((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?');
    for (; n < width; n++)
        putchar(' ');
}

static void json_str_field(const char *key, const char *v, bool first)
{
    printf("%s\"%s\":", first ? "" : ",", key);
    cli_json_string(stdout, v, strlen(v));
}

static void print_json(const scan_t *s)
{
    printf("[");
    for (size_t i = 0; i < s->count; i++) {
        const found_t *f = &s->found[i];
        printf("%s{\"name\":", i ? ",\n " : "");
        if (f->name[0])
            cli_json_string(stdout, f->name, strlen(f->name));
        else
            printf("null");
        json_str_field("id", f->b.id, false);
        json_str_field("ip", f->b.ip, false);
        json_str_field("version", f->b.version, false);
        json_str_field("product_key", f->b.product_key, false);
        if (f->b.active >= 0)
            printf(",\"active\":%d}", f->b.active);
        else
            printf(",\"active\":null}");
    }
    printf("]\n");
}

static void print_header(void)
{
    printf("%-20s %-24s %-16s %-8s %s\n", "NAME", "ID", "IP", "VERSION", "PRODUCT KEY");
}

static void print_row(const found_t *f)
{
    print_safe(f->name[0] ? f->name : "-", 20);
    putchar(' ');
    print_safe(f->b.id, 24);
    putchar(' ');
    print_safe(f->b.ip[0] ? f->b.ip : "?", 16);
    putchar(' ');
    print_safe(f->b.version[0] ? f->b.version : "?", 8);
    putchar(' ');
    print_safe(f->b.product_key, 0);
    putchar('\n');
}

static void no_devices_hint(bool solicited)
{
    fprintf(stderr, "no devices found.\n"
                    "  - The devices must be on this computer's subnet (beacons are not routed).\n"
                    "  - Many devices stop announcing themselves while the Smart Life / Tuya app\n"
                    "    is connected to them: close the app and scan again.\n");
    if (!solicited)
        fprintf(stderr,
                "  - 3.5 devices with newer firmware only answer when asked: add\n"
                "    --solicit with your subnet's broadcast address (e.g. 192.168.1.255).\n");
    else
        fprintf(stderr, "  - Devices answer a --solicit on UDP 7000: check that the firewall\n"
                        "    lets it in and that no other scanner holds that port.\n");
}

static bool parse_ports(const char *arg, uint16_t *ports, size_t *n)
{
    const char *p = arg;
    *n = 0;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < 1 || v > 65535 || (*end && *end != ',') ||
            *n == LTUYA_POSIX_DISCOVERY_MAX_PORTS)
            return false;
        ports[(*n)++] = (uint16_t)v;
        p = *end ? end + 1 : end;
        if (*end && !*p)
            return false; /* trailing comma */
    }
    return *n > 0;
}

/* ADDR or ADDR:PORT (the latter for simulators on loopback). */
static bool parse_target(const char *arg, char *addr, size_t cap, uint16_t *port)
{
    const char *colon = strchr(arg, ':');
    size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
    struct in_addr a;
    *port = LTUYA_UDP_PORT_35;
    if (len == 0 || len >= cap)
        return false;
    memcpy(addr, arg, len);
    addr[len] = 0;
    if (inet_pton(AF_INET, addr, &a) != 1)
        return false;
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end || v < 1 || v > 65535)
            return false;
        *port = (uint16_t)v;
    }
    return true;
}

static void solicit(ltuya_posix_discovery_t *d, const char *addr, uint16_t port,
                    const char *reply_ip, bool verbose, bool *warned)
{
    ltuya_status_t st = ltuya_posix_discovery_solicit(d, addr, port, reply_ip);
    int err = errno;
    if (st == LTUYA_OK) {
        if (verbose)
            fprintf(stderr, "sent the 3.5 discovery request to %s:%u\n", addr, (unsigned)port);
        return;
    }
    if (*warned)
        return;
    *warned = true; /* once: the same failure would repeat every 6 s */
    fprintf(stderr, "ltuya scan: cannot send the discovery request to %s:%u: %s", addr,
            (unsigned)port, ltuya_status_str(st));
    if (st == LTUYA_ERR_IO || st == LTUYA_ERR_UNREACHABLE)
        fprintf(stderr, " (%s)", strerror(err));
    fprintf(stderr, "\n");
    if (strcmp(d->bind_addr, "0.0.0.0") != 0)
        fprintf(stderr, "  (listening on %s: the request leaves from that address)\n",
                d->bind_addr);
}

static void countdown(const scan_t *s, uint64_t left_ms)
{
    fprintf(stderr, "\rscanning... %llu s left, %zu device%s   ",
            (unsigned long long)((left_ms + 999) / 1000), s->count, s->count == 1 ? "" : "s");
}

/* What the command line asks for. */
typedef struct {
    double timeout_s;
    bool json, verbose;
    const char *bind_addr, *solicit_arg, *reply_ip, *devices_file;
    char solicit_addr[INET_ADDRSTRLEN];
    uint16_t solicit_port;
    uint16_t ports[LTUYA_POSIX_DISCOVERY_MAX_PORTS];
    size_t nports;
} scan_opts_t;

/* One option into o; false after saying what is wrong with it. */
static bool take_option(int opt, const char *arg, scan_opts_t *o)
{
    char *end;
    switch (opt) {
    case 't':
        o->timeout_s = strtod(arg, &end);
        if (end == arg || *end || !(o->timeout_s > 0) || o->timeout_s > MAX_TIMEOUT_S) {
            fprintf(stderr, "ltuya scan: --timeout wants seconds, 0 < S <= %d\n", MAX_TIMEOUT_S);
            return false;
        }
        return true;
    case 'j':
        o->json = true;
        return true;
    case 'v':
        o->verbose = true;
        return true;
    case 'b':
        o->bind_addr = arg;
        return true;
    case 'p':
        if (parse_ports(arg, o->ports, &o->nports))
            return true;
        fprintf(stderr, "ltuya scan: --ports wants up to %d ports like 6666,6667,7000\n",
                LTUYA_POSIX_DISCOVERY_MAX_PORTS);
        return false;
    case 's':
        o->solicit_arg = arg;
        return true;
    case 'r':
        o->reply_ip = arg;
        return true;
    case 'd':
        o->devices_file = arg;
        return true;
    default:
        fprintf(stderr, "%s", usage_text);
        return false;
    }
}

/* The addresses given, checked now rather than after the wait. */
static bool check_addresses(scan_opts_t *o)
{
    struct in_addr tmp;
    o->solicit_port = LTUYA_UDP_PORT_35;
    if (o->solicit_arg &&
        !parse_target(o->solicit_arg, o->solicit_addr, sizeof o->solicit_addr, &o->solicit_port)) {
        fprintf(stderr, "ltuya scan: --solicit wants an IPv4 address such as 192.168.1.255\n");
        return false;
    }
    if (o->reply_ip && inet_pton(AF_INET, o->reply_ip, &tmp) != 1) {
        fprintf(stderr, "ltuya scan: --reply-ip wants an IPv4 address of this computer\n");
        return false;
    }
    if (inet_pton(AF_INET, o->bind_addr, &tmp) != 1) {
        fprintf(stderr, "ltuya scan: --bind wants a local IPv4 address (or 0.0.0.0)\n");
        return false;
    }
    return true;
}

/* -1 to go on, else the exit code (--help, or a bad argument). */
static int parse_options(int argc, char **argv, scan_opts_t *o)
{
    static const struct option longopts[] = {
        {"timeout", required_argument, NULL, 't'}, {"json", no_argument, NULL, 'j'},
        {"bind", required_argument, NULL, 'b'},    {"ports", required_argument, NULL, 'p'},
        {"solicit", required_argument, NULL, 's'}, {"reply-ip", required_argument, NULL, 'r'},
        {"devices", required_argument, NULL, 'd'}, {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->timeout_s = 6;
    o->bind_addr = "0.0.0.0";
    o->ports[0] = LTUYA_UDP_PORT_31;
    o->ports[1] = LTUYA_UDP_PORT;
    o->ports[2] = LTUYA_UDP_PORT_35;
    o->nports = 3;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "t:jvh", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("%s", usage_text);
            return CLI_EXIT_OK;
        }
        if (!take_option(opt, optarg, o))
            return CLI_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "ltuya scan: unexpected argument '%s'\n%s", argv[optind], usage_text);
        return CLI_EXIT_USAGE;
    }
    return check_addresses(o) ? -1 : CLI_EXIT_USAGE;
}

/* Open the listening sockets; say which could not be opened. */
static bool open_listeners(const scan_opts_t *o, ltuya_posix_discovery_t *d)
{
    ltuya_posix_discovery_opts_t po = {o->bind_addr, o->ports, o->nports};
    ltuya_status_t st = ltuya_posix_discovery_open(d, &po);
    bool listening_7000 = false;
    for (size_t i = 0; i < d->count; i++) {
        if (d->fd[i] < 0)
            fprintf(stderr, "ltuya scan: cannot listen on %s:%u: %s\n", d->bind_addr,
                    (unsigned)d->port[i], strerror(d->error[i]));
        else
            listening_7000 |= d->port[i] == LTUYA_UDP_PORT_35;
    }
    if (st != LTUYA_OK) {
        if (st == LTUYA_ERR_IO)
            fprintf(stderr, "  Another program may hold the ports without sharing them, or\n"
                            "  --bind names an address this computer does not have.\n");
        return false;
    }
    if (o->solicit_arg && o->solicit_port == LTUYA_UDP_PORT_35 && !listening_7000)
        fprintf(stderr, "ltuya scan: note: 3.5 devices answer on UDP 7000, where this scan "
                        "does not listen\n");
    return true;
}

/* One datagram (or a timeout): false when receiving failed for good. */
static bool take_datagram(ltuya_posix_discovery_t *d, const scan_opts_t *o, scan_t *s,
                          uint32_t wait_ms, bool tty, uint64_t left_ms)
{
    ltuya_beacon_t b;
    ltuya_posix_datagram_src_t src;
    ltuya_status_t st = ltuya_posix_discovery_recv(d, wait_ms, &b, &src);
    if (st == LTUYA_ERR_TIMEOUT)
        return true;
    if (st == LTUYA_ERR_IO) {
        fprintf(stderr, "\nltuya scan: receiving: %s\n", strerror(errno));
        return false;
    }
    if (st == LTUYA_ERR_UNEXPECTED) {
        /* a 3.5 request: our own broadcast heard back, or another app's */
        if (o->verbose)
            fprintf(stderr, "%s:%u -> :%u: a discovery request, not a beacon\n", src.addr,
                    (unsigned)src.port, (unsigned)src.local_port);
        return true;
    }
    if (st != LTUYA_OK) {
        s->rejected++;
        s->last_reject = st;
        if (o->verbose)
            fprintf(stderr, "%s:%u -> :%u: not a beacon (%s)\n", src.addr, (unsigned)src.port,
                    (unsigned)src.local_port, ltuya_status_str(st));
        return true;
    }
    if (o->verbose)
        fprintf(stderr, "%s:%u -> :%u: %s %s version %s\n", src.addr, (unsigned)src.port,
                (unsigned)src.local_port, b.id, b.ip, b.version);
    size_t before = s->count;
    remember(s, &b);
    if (s->count != before && !o->json) {
        /* the table grows as devices answer (the JSON array comes at the end) */
        if (tty)
            fprintf(stderr, "\r%50s\r", "");
        if (!before)
            print_header();
        print_row(&s->found[s->count - 1]);
        fflush(stdout);
    }
    if (tty && s->count != before)
        countdown(s, left_ms);
    return true;
}

/* Listen (and solicit) until the timeout or Ctrl-C. */
static void listen_for_beacons(ltuya_posix_discovery_t *d, const scan_opts_t *o, scan_t *s)
{
    bool tty = isatty(STDERR_FILENO) && !o->verbose, send_warned = false;
    uint64_t start = now_ms(), end = start + (uint64_t)(o->timeout_s * 1000.0);
    uint64_t next_solicit = start, next_tick = start;
    /* Ctrl-C ends the scan early but still prints what was found. No
     * SA_RESTART, so the wait for a datagram returns at once. */
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_sa);
    for (uint64_t t = start; t < end && !interrupted; t = now_ms()) {
        if (o->solicit_arg && t >= next_solicit) {
            solicit(d, o->solicit_addr, o->solicit_port, o->reply_ip, o->verbose, &send_warned);
            next_solicit = t + SOLICIT_EVERY;
        }
        if (tty && t >= next_tick) {
            countdown(s, end - t);
            next_tick = t + 1000;
        }
        uint64_t wait = end - t;
        if (tty && next_tick - t < wait)
            wait = next_tick - t;
        if (o->solicit_arg && next_solicit - t < wait)
            wait = next_solicit - t;
        if (!take_datagram(d, o, s, (uint32_t)wait, tty, end - t))
            break;
    }
    if (tty)
        fprintf(stderr, "\r%50s\r", "");
    sigaction(SIGINT, &old_sa, NULL);
}

/* The devices found: the JSON array, sorted by address (the table was
 * printed row by row as they answered). */
static void report(scan_t *s, const scan_opts_t *o)
{
    qsort(s->found, s->count, sizeof *s->found, by_ip);
    if (o->json)
        print_json(s);
    if (s->dropped)
        fprintf(stderr, "ltuya scan: %zu more devices not listed (limit %d)\n", s->dropped,
                MAX_FOUND);
    if (!s->count) {
        no_devices_hint(o->solicit_arg != NULL);
        if (s->rejected)
            fprintf(stderr, "  (%zu datagram%s heard that did not decode as beacons; last: %s)\n",
                    s->rejected, s->rejected == 1 ? "" : "s", ltuya_status_str(s->last_reject));
    }
}

int cli_scan_main(int argc, char **argv)
{
    scan_opts_t o;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    ltuya_posix_init();
    ltuya_posix_discovery_t d;
    if (!open_listeners(&o, &d))
        return CLI_EXIT_FAIL;
    static scan_t s; /* 256 beacons: too big for the stack of a small thread */
    memset(&s, 0, sizeof s);
    const char *path = cli_devices_path(o.devices_file);
    if (path && !cli_devices_load(path, &s.devices, &s.devices_len))
        s.devices = NULL; /* names are optional: scan anyway */
    listen_for_beacons(&d, &o, &s);
    ltuya_posix_discovery_close(&d);
    free(s.devices);
    report(&s, &o);
    return CLI_EXIT_OK;
}
