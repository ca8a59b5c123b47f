/* ltuya scan: listen for device beacons and list what is on the network. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "devices.h"
#include "ltuya/discovery.h"
#include "ltuya_posix.h"
#include "util.h"

#define MAX_FOUND 256
#define MAX_PORTS 8

typedef struct {
    ltuya_beacon_t b;
    char name[64];
} found_t;

static found_t found[MAX_FOUND];
static size_t nfound;

static uint64_t now_ms(void)
{
    const ltuya_clock_t *c = ltuya_posix_clock();
    return c->now_ms(c->ctx);
}

static int udp_socket(const char *bind_addr, unsigned port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (fd < 0 || inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1)
        return -1;
    /* other Tuya software on this host may listen on the same ports */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The local address the system would use to reach `addr`. */
static void local_ip_for(const char *addr, char *out, size_t cap)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    snprintf(out, cap, "127.0.0.1");
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(LTUYA_UDP_PORT_35);
    if (fd >= 0 && inet_pton(AF_INET, addr, &sa.sin_addr) == 1 &&
        connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        inet_ntop(AF_INET, &sa.sin_addr, out, (socklen_t)cap);
    if (fd >= 0)
        close(fd);
}

static void solicit(int fd, const char *addr, unsigned port, const char *reply_ip)
{
    uint8_t frame[256];
    size_t n;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
        ltuya_discovery_request(reply_ip, NULL, frame, sizeof frame, &n) != LTUYA_OK)
        return;
    if (sendto(fd, frame, n, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
        perror("ltuya scan: sending the 3.5 request");
}

static void remember(const ltuya_beacon_t *b, const char *devices_text, size_t devices_len)
{
    for (size_t i = 0; i < nfound; i++)
        if (!strcmp(found[i].b.id, b->id)) {
            found[i].b = *b; /* a newer beacon (the IP may have changed) */
            return;
        }
    if (nfound == MAX_FOUND)
        return;
    found_t *f = &found[nfound++];
    f->b = *b;
    f->name[0] = 0;
    cli_device_entry_t e;
    if (devices_text && cli_devices_find(devices_text, devices_len, b->id, &e, true))
        snprintf(f->name, sizeof f->name, "%s", e.name);
}

static int by_ip(const void *a, const void *b)
{
    struct in_addr x = {0}, y = {0};
    inet_pton(AF_INET, ((const found_t *)a)->b.ip, &x);
    inet_pton(AF_INET, ((const found_t *)b)->b.ip, &y);
    uint32_t u = ntohl(x.s_addr), v = ntohl(y.s_addr);
    return u < v ? -1 : u > v;
}

static void print_results(bool json)
{
    qsort(found, nfound, sizeof *found, by_ip);
    if (json) {
        printf("[");
        for (size_t i = 0; i < nfound; i++) {
            const ltuya_beacon_t *b = &found[i].b;
            printf("%s{\"name\":", i ? "," : "");
            if (found[i].name[0])
                cli_json_string(stdout, found[i].name, strlen(found[i].name));
            else
                printf("null");
            printf(",\"id\":");
            cli_json_string(stdout, b->id, strlen(b->id));
            printf(",\"ip\":");
            cli_json_string(stdout, b->ip, strlen(b->ip));
            printf(",\"version\":");
            cli_json_string(stdout, b->version, strlen(b->version));
            printf(",\"product_key\":");
            cli_json_string(stdout, b->product_key, strlen(b->product_key));
            printf("}");
        }
        printf("]\n");
        return;
    }
    if (!nfound) {
        printf("no devices found.\n"
               "  Devices must be on this subnet; many stop beaconing while the Smart Life app\n"
               "  is connected to them; 3.5 devices with newer firmware only answer a request:\n"
               "  try --solicit with your subnet's broadcast address (e.g. 192.168.1.255).\n");
        return;
    }
    printf("%-20s %-24s %-16s %-8s %s\n", "NAME", "ID", "IP", "VERSION", "PRODUCT");
    for (size_t i = 0; i < nfound; i++) {
        const ltuya_beacon_t *b = &found[i].b;
        printf("%-20s %-24s %-16s %-8s %s\n", found[i].name[0] ? found[i].name : "-", b->id, b->ip,
               b->version, b->product_key);
    }
}

int cli_scan_main(int argc, char **argv)
{
    static const struct option longopts[] = {{"timeout", required_argument, NULL, 't'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"bind", required_argument, NULL, 'b'},
                                             {"ports", required_argument, NULL, 'p'},
                                             {"solicit", required_argument, NULL, 's'},
                                             {"reply-ip", required_argument, NULL, 'r'},
                                             {"devices", required_argument, NULL, 'd'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    static const char usage_text[] =
        "usage: ltuya scan [--timeout S] [--json] [--solicit ADDR] [options]\n"
        "\n"
        "Listen for Tuya devices announcing themselves (UDP 6666, 6667 and 7000) and\n"
        "list each one's name (from devices.json), id, IP, protocol version and product.\n"
        "Listening sends nothing. 3.5 devices with newer firmware stay silent until\n"
        "asked: --solicit ADDR sends the 3.5 request to ADDR:7000 every 6 s (on a LAN,\n"
        "your subnet's broadcast address).\n"
        "\n"
        "options:\n"
        "  -t, --timeout S     listen for S seconds (default 6; devices beacon every ~5 s)\n"
        "  -j, --json          a JSON array instead of the table\n"
        "      --solicit ADDR  ask 3.5 devices to answer (to ADDR:7000; ADDR:PORT also works)\n"
        "      --reply-ip IP   the address they should answer to (default: ours towards ADDR)\n"
        "      --bind ADDR     local address to listen on (default 0.0.0.0)\n"
        "      --ports LIST    ports to listen on (default 6666,6667,7000)\n"
        "      --devices FILE  devices.json for names\n"
        "\n"
        "examples:\n"
        "  ltuya scan\n"
        "  ltuya scan --solicit 192.168.1.255 --json\n";
    double timeout_s = 6;
    bool json = false;
    const char *bind_addr = "0.0.0.0", *solicit_addr = NULL, *reply_ip = NULL;
    const char *devices_file = NULL;
    unsigned ports[MAX_PORTS] = {LTUYA_UDP_PORT_31, LTUYA_UDP_PORT, LTUYA_UDP_PORT_35};
    size_t nports = 3;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "t:jh", longopts, NULL)) != -1) {
        switch (opt) {
        case 't':
            timeout_s = atof(optarg);
            break;
        case 'j':
            json = true;
            break;
        case 'b':
            bind_addr = optarg;
            break;
        case 'p': {
            nports = 0;
            char *save = NULL, *list = strdup(optarg);
            for (char *tok = strtok_r(list, ",", &save); tok && nports < MAX_PORTS;
                 tok = strtok_r(NULL, ",", &save))
                ports[nports++] = (unsigned)atoi(tok);
            free(list);
            break;
        }
        case 's':
            solicit_addr = optarg;
            break;
        case 'r':
            reply_ip = optarg;
            break;
        case 'd':
            devices_file = optarg;
            break;
        case 'h':
            printf("%s", usage_text);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "%s", usage_text);
            return CLI_EXIT_USAGE;
        }
    }
    ltuya_posix_init();
    struct pollfd pfd[MAX_PORTS];
    size_t nfd = 0;
    int solicit_fd = -1;
    for (size_t i = 0; i < nports; i++) {
        int fd = udp_socket(bind_addr, ports[i]);
        if (fd < 0) {
            fprintf(stderr, "ltuya scan: cannot listen on %s:%u (in use?)\n", bind_addr, ports[i]);
            continue;
        }
        if (i == nports - 1)
            solicit_fd = fd; /* the last port (7000): answers come back to it */
        pfd[nfd++] = (struct pollfd){fd, POLLIN, 0};
    }
    if (!nfd)
        return CLI_EXIT_FAIL;
    char reply_buf[40], addr_buf[64];
    unsigned solicit_port = LTUYA_UDP_PORT_35;
    if (solicit_addr && strchr(solicit_addr, ':')) { /* ADDR:PORT, for tests on loopback */
        snprintf(addr_buf, sizeof addr_buf, "%s", solicit_addr);
        char *colon = strchr(addr_buf, ':');
        *colon = 0;
        solicit_port = (unsigned)atoi(colon + 1);
        solicit_addr = addr_buf;
    }
    if (solicit_addr && !reply_ip) {
        local_ip_for(solicit_addr, reply_buf, sizeof reply_buf);
        reply_ip = reply_buf;
    }
    char *devices_text = NULL;
    size_t devices_len = 0;
    const char *path = cli_devices_path(devices_file);
    if (path && !cli_devices_load(path, &devices_text, &devices_len))
        devices_text = NULL;

    bool tty = isatty(2);
    uint64_t start = now_ms(), end = start + (uint64_t)(timeout_s * 1000), next_solicit = start;
    for (uint64_t t = start; t < end; t = now_ms()) {
        if (solicit_addr && solicit_fd >= 0 && t >= next_solicit) {
            solicit(solicit_fd, solicit_addr, solicit_port, reply_ip);
            next_solicit = t + 6000;
        }
        if (tty && !json)
            fprintf(stderr, "\rscanning... %2llu s left, %zu device%s ",
                    (unsigned long long)((end - t + 999) / 1000), nfound, nfound == 1 ? "" : "s");
        uint64_t wait = end - t < 500 ? end - t : 500;
        if (poll(pfd, (nfds_t)nfd, (int)wait) <= 0)
            continue;
        for (size_t i = 0; i < nfd; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            uint8_t buf[2048];
            ssize_t n = recv(pfd[i].fd, buf, sizeof buf, 0);
            ltuya_beacon_t b;
            if (n > 0 && ltuya_discovery_parse(buf, (size_t)n, &b) == LTUYA_OK)
                remember(&b, devices_text, devices_len);
        }
    }
    if (tty && !json)
        fprintf(stderr, "\r%40s\r", "");
    for (size_t i = 0; i < nfd; i++)
        close(pfd[i].fd);
    free(devices_text);
    print_results(json);
    return CLI_EXIT_OK;
}
