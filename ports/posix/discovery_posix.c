/* UDP discovery sockets for POSIX hosts; the contract is in ltuya_discovery_posix.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ltuya_discovery_posix.h"

static const uint16_t default_ports[] = {LTUYA_UDP_PORT_31, LTUYA_UDP_PORT, LTUYA_UDP_PORT_35};

static bool parse_ipv4(const char *s, struct in_addr *a)
{
    return s && inet_pton(AF_INET, s, a) == 1;
}

static int bind_udp(const struct in_addr *addr, uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
    if (fd < 0)
        return -errno;
    /* Other Tuya software on this host may listen on the same ports. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
#ifdef SO_REUSEPORT
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
#endif
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr = *addr;
    sa.sin_port = htons(*port);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

void ltuya_posix_discovery_close(ltuya_posix_discovery_t *d)
{
    for (size_t i = 0; i < d->count; i++) {
        if (d->fd[i] >= 0)
            close(d->fd[i]);
        d->fd[i] = -1;
    }
}

ltuya_status_t ltuya_posix_discovery_open(ltuya_posix_discovery_t *d,
                                          const ltuya_posix_discovery_opts_t *opts)
{
    static const ltuya_posix_discovery_opts_t none = {0};
    if (!d)
        return LTUYA_ERR_INVALID_ARG;
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < LTUYA_POSIX_DISCOVERY_MAX_PORTS; i++)
        d->fd[i] = -1;
    if (!opts)
        opts = &none;
    const uint16_t *ports = opts->ports ? opts->ports : default_ports;
    size_t n = opts->ports ? opts->port_count : sizeof default_ports / sizeof *default_ports;
    const char *bind_addr = opts->bind_addr ? opts->bind_addr : "0.0.0.0";
    struct in_addr addr;
    if (!n || n > LTUYA_POSIX_DISCOVERY_MAX_PORTS || !parse_ipv4(bind_addr, &addr))
        return LTUYA_ERR_INVALID_ARG;
    inet_ntop(AF_INET, &addr, d->bind_addr, sizeof d->bind_addr);
    d->count = n;
    size_t open = 0;
    for (size_t i = 0; i < n; i++) {
        d->port[i] = ports[i];
        int fd = bind_udp(&addr, &d->port[i]);
        if (fd < 0) {
            d->error[i] = -fd;
            continue;
        }
        d->fd[i] = fd;
        open++;
    }
    return open ? LTUYA_OK : LTUYA_ERR_IO;
}

/* Read one pending datagram from socket i, if there is one. */
static ltuya_status_t read_one(ltuya_posix_discovery_t *d, size_t i, ltuya_beacon_t *out,
                               ltuya_posix_datagram_src_t *src, bool *got)
{
    uint8_t buf[LTUYA_MAX_FRAME];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    memset(&from, 0, sizeof from);
    /* MSG_TRUNC: the real size, so an oversized datagram is reported as
     * such instead of being parsed cut short. */
    ssize_t n = recvfrom(d->fd[i], buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&from, &flen);
    *got = false;
    if (n < 0) {
        /* ECONNREFUSED: an ICMP error for something sent from this socket
         * (a solicitation nobody listened to); not a reason to stop. */
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNREFUSED)
            return LTUYA_ERR_TIMEOUT;
        return LTUYA_ERR_IO;
    }
    *got = true;
    ltuya_posix_datagram_src_t s;
    memset(&s, 0, sizeof s);
    inet_ntop(AF_INET, &from.sin_addr, s.addr, sizeof s.addr);
    s.port = ntohs(from.sin_port);
    s.local_port = d->port[i];
    if (src)
        *src = s;
    memset(out, 0, sizeof *out);
    if ((size_t)n > sizeof buf)
        return LTUYA_ERR_FRAME_TOO_LARGE;
    ltuya_status_t st = ltuya_discovery_parse(buf, (size_t)n, out);
    if (st == LTUYA_OK && !out->ip[0])
        snprintf(out->ip, sizeof out->ip, "%s", s.addr);
    return st;
}

ltuya_status_t ltuya_posix_discovery_recv(ltuya_posix_discovery_t *d, uint32_t timeout_ms,
                                          ltuya_beacon_t *out, ltuya_posix_datagram_src_t *src)
{
    if (!d || !out)
        return LTUYA_ERR_INVALID_ARG;
    struct pollfd pfd[LTUYA_POSIX_DISCOVERY_MAX_PORTS];
    size_t map[LTUYA_POSIX_DISCOVERY_MAX_PORTS], n = 0;
    /* Start after the socket served last, so a chatty port cannot starve the others. */
    for (size_t k = 0; k < d->count; k++) {
        size_t i = (d->next + k) % d->count;
        if (d->fd[i] < 0)
            continue;
        pfd[n] = (struct pollfd){d->fd[i], POLLIN, 0};
        map[n++] = i;
    }
    if (!n)
        return LTUYA_ERR_BAD_STATE;
    int r = poll(pfd, (nfds_t)n, timeout_ms > (uint32_t)INT32_MAX ? -1 : (int)timeout_ms);
    if (r < 0)
        return errno == EINTR ? LTUYA_ERR_TIMEOUT : LTUYA_ERR_IO;
    for (size_t k = 0; r > 0 && k < n; k++) {
        if (!(pfd[k].revents & (POLLIN | POLLERR)))
            continue;
        bool got;
        ltuya_status_t st = read_one(d, map[k], out, src, &got);
        if (got || st == LTUYA_ERR_IO) {
            d->next = (map[k] + 1) % d->count;
            return st;
        }
    }
    return LTUYA_ERR_TIMEOUT;
}

ltuya_status_t ltuya_posix_local_ip_for(const char *addr, char *out, size_t cap)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (!out || cap < INET_ADDRSTRLEN)
        return LTUYA_ERR_INVALID_ARG;
    out[0] = 0;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(LTUYA_UDP_PORT_35);
    if (!parse_ipv4(addr, &sa.sin_addr))
        return LTUYA_ERR_INVALID_ARG;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0)
        return LTUYA_ERR_IO;
    /* connect() on a UDP socket only picks a route and a source address; no
     * packet leaves. Linux refuses a broadcast destination without SO_BROADCAST. */
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    ltuya_status_t st = LTUYA_OK;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        st = LTUYA_ERR_UNREACHABLE;
    else
        inet_ntop(AF_INET, &sa.sin_addr, out, (socklen_t)cap);
    close(fd);
    return st;
}

ltuya_status_t ltuya_posix_discovery_reply_ip(const ltuya_posix_discovery_t *d, const char *addr,
                                              char *out, size_t cap)
{
    if (!d || !out || cap < INET_ADDRSTRLEN)
        return LTUYA_ERR_INVALID_ARG;
    if (d->bind_addr[0] && strcmp(d->bind_addr, "0.0.0.0") != 0) {
        snprintf(out, cap, "%s", d->bind_addr);
        return LTUYA_OK;
    }
    return ltuya_posix_local_ip_for(addr, out, cap);
}

ltuya_status_t ltuya_posix_discovery_solicit(ltuya_posix_discovery_t *d, const char *addr,
                                             uint16_t port, const char *reply_ip)
{
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(port ? port : LTUYA_UDP_PORT_35);
    if (!d || !parse_ipv4(addr, &to.sin_addr))
        return LTUYA_ERR_INVALID_ARG;
    int fd = -1;
    for (size_t i = 0; i < d->count; i++) {
        if (d->fd[i] < 0)
            continue;
        fd = d->fd[i];
        if (d->port[i] == LTUYA_UDP_PORT_35)
            break; /* where real devices answer */
    }
    if (fd < 0)
        return LTUYA_ERR_BAD_STATE;
    char ip[INET_ADDRSTRLEN];
    ltuya_status_t st;
    if (!reply_ip) {
        if ((st = ltuya_posix_discovery_reply_ip(d, addr, ip, sizeof ip)) != LTUYA_OK)
            return st;
        reply_ip = ip;
    }
    uint8_t frame[LTUYA_DISCOVERY_REQUEST_MAX];
    size_t n;
    if ((st = ltuya_discovery_request(reply_ip, NULL, frame, sizeof frame, &n)) != LTUYA_OK)
        return st;
    /* Only now, because the caller asked to send: a broadcast needs it. */
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    if (sendto(fd, frame, n, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)n)
        return errno == ENETUNREACH || errno == EHOSTUNREACH ? LTUYA_ERR_UNREACHABLE : LTUYA_ERR_IO;
    return LTUYA_OK;
}
