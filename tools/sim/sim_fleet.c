/* Setting simulated devices up: one from the command line or many from a
 * fleet file, each with its listening sockets; see sim_fleet.h. */
#include "sim_fleet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ltuya/discovery.h"

sim_slot_t *sim_slots;
size_t sim_nslots;
int sim_beacon_fd = -1;
bool sim_print_only;

/* ---- sockets ----------------------------------------------------------------------- */

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

/* ---- devices ----------------------------------------------------------------------- */

bool sim_parse_quirk(const char *name, uint32_t *q)
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

bool sim_setup_slot(sim_slot_t *sl, size_t file_index, const char *id, const char *key,
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
    if (sim_print_only)
        return true;
    sl->listen_fd = listen_on(c->host, port);
    if (sl->listen_fd < 0)
        return false;
    /* discovery: beacons to 127.0.0.1 (6666 for 3.1, else 6667), and 3.5 answers */
    if (sim_beacon_fd < 0)
        sim_beacon_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sl->udp_port = c->udp_port               ? c->udp_port
                   : c->version == LTUYA_V31 ? LTUYA_UDP_PORT_31
                                             : LTUYA_UDP_PORT;
    sl->beacon_ms = (sl->dev.quirks & SIM_Q_SILENT_BEACONS) ? 0 : (uint32_t)(c->beacon_s * 1000);
    sl->next_beacon = 0;
    sl->push_ms = (uint32_t)(c->push_s * 1000);
    sl->next_push = 0; /* the loop spreads the first pushes over one interval */
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
bool sim_parse_uint(const char *text, unsigned long max, unsigned *out)
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
bool sim_parse_latency(const char *text, unsigned *ms, unsigned *jitter)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%s", text);
    char *colon = strchr(buf, ':');
    if (colon)
        *colon = 0;
    *jitter = 0;
    return strlen(text) < sizeof buf && sim_parse_uint(buf, 600000, ms) &&
           (!colon || sim_parse_uint(colon + 1, *ms, jitter));
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
    if (json_text(e, len, "clients", num, sizeof num) && !sim_parse_uint(num, 1000, &c->clients)) {
        fprintf(stderr, "ltuya sim: %s: clients %s is not a number\n", id, num);
        return false;
    }
    if (json_text(e, len, "latency", num, sizeof num) &&
        !sim_parse_latency(num, &c->latency_ms, &c->jitter_ms)) {
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
                if (name.len >= sizeof nb || !sim_parse_quirk(nb, &c->quirks)) {
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
    if (!sim_parse_uint(port_s, 65535, &port)) {
        fprintf(stderr, "ltuya sim: %s: port %s is not a number\n", id, port_s);
        return false;
    }
    if (!entry_options(e, len, id, &c, host, profile))
        return false;
    if (index % common->shards != common->shard)
        return true; /* another process serves it */
    if (!sim_setup_slot(&sim_slots[sim_nslots], index, id, key, port, &c))
        return false;
    sim_nslots++;
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
bool sim_load_config(const char *path, const sim_setup_t *common)
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
    sim_slots = calloc(count ? count : 1, sizeof *sim_slots);
    if (!sim_slots || !count) {
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
void sim_print_devices_json(void)
{
    printf("[\n");
    for (size_t i = 0; i < sim_nslots; i++) {
        const sim_device_t *d = &sim_slots[i].dev;
        char key[17];
        memcpy(key, d->key, 16);
        key[16] = 0;
        sim_profile_print_entry(stdout, d->prof, d->id, key, sim_slots[i].host,
                                ltuya_version_str(d->version));
        printf("%s\n", i + 1 < sim_nslots ? "," : "");
    }
    printf("]\n");
}

/* A fleet needs a descriptor per device and per client: take what we may. */
void sim_raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}
