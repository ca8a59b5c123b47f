/* UDP discovery over lwIP sockets; the contract is in ltuya_discovery_lwip.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lwip/opt.h"

#include "lwip/def.h"
#include "lwip/sockets.h"

#include "ltuya_discovery_lwip.h"

static const uint16_t default_ports[] = {LTUYA_UDP_PORT_31, LTUYA_UDP_PORT, LTUYA_UDP_PORT_35};

static bool parse_ipv4(const char *s, struct in_addr *a)
{
    return s && lwip_inet_pton(AF_INET, s, a) == 1;
}

static int bind_udp(const struct in_addr *addr, uint16_t *port)
{
    int fd = lwip_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP), one = 1;
    if (fd < 0)
        return -(errno ? errno : ENOMEM);
#if SO_REUSE
    /* Other Tuya software on this host may listen on the same ports. */
    lwip_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
#endif
#if IP_SOF_BROADCAST_RECV
    /* This lwIP hands broadcast datagrams (every beacon) only to sockets that ask. */
    lwip_setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
#endif
    int flags = lwip_fcntl(fd, F_GETFL, 0);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr = *addr;
    sa.sin_port = lwip_htons(*port);
    if (flags < 0 || lwip_fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        lwip_bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        lwip_getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        int e = errno ? errno : EIO;
        lwip_close(fd);
        return -e;
    }
    (void)one;
    *port = lwip_ntohs(sa.sin_port);
    return fd;
}

void ltuya_lwip_discovery_close(ltuya_lwip_discovery_t *d)
{
    for (size_t i = 0; i < d->count; i++) {
        if (d->fd[i] >= 0)
            lwip_close(d->fd[i]);
        d->fd[i] = -1;
    }
}

ltuya_status_t ltuya_lwip_discovery_open(ltuya_lwip_discovery_t *d,
                                         const ltuya_lwip_discovery_opts_t *opts)
{
    static const ltuya_lwip_discovery_opts_t none = {0};
    if (!d)
        return LTUYA_ERR_INVALID_ARG;
    d->count = 0;
    d->next = 0;
    for (size_t i = 0; i < LTUYA_LWIP_DISCOVERY_MAX_PORTS; i++) {
        d->fd[i] = -1;
        d->port[i] = 0;
        d->error[i] = 0;
    }
    if (!opts)
        opts = &none;
    const uint16_t *ports = opts->ports ? opts->ports : default_ports;
    size_t n = opts->ports ? opts->port_count : sizeof default_ports / sizeof *default_ports;
    const char *bind_addr = opts->bind_addr ? opts->bind_addr : "0.0.0.0";
    struct in_addr addr;
    if (!n || n > LTUYA_LWIP_DISCOVERY_MAX_PORTS || !parse_ipv4(bind_addr, &addr))
        return LTUYA_ERR_INVALID_ARG;
    lwip_inet_ntop(AF_INET, &addr, d->bind_addr, sizeof d->bind_addr);
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
static ltuya_status_t read_one(ltuya_lwip_discovery_t *d, size_t i, ltuya_beacon_t *out,
                               ltuya_lwip_datagram_src_t *src, bool *got)
{
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    memset(&from, 0, sizeof from);
    /* One byte more than the largest frame: a datagram that fills it all
     * was cut short (lwIP drops the rest), so it is reported as too large. */
    ssize_t n = lwip_recvfrom(d->fd[i], d->buf, sizeof d->buf, MSG_DONTWAIT,
                              (struct sockaddr *)&from, &flen);
    *got = false;
    if (n < 0)
        return errno == EWOULDBLOCK || errno == EAGAIN || errno == EINTR ? LTUYA_ERR_TIMEOUT
                                                                         : LTUYA_ERR_IO;
    *got = true;
    ltuya_lwip_datagram_src_t s;
    memset(&s, 0, sizeof s);
    lwip_inet_ntop(AF_INET, &from.sin_addr, s.addr, sizeof s.addr);
    s.port = lwip_ntohs(from.sin_port);
    s.local_port = d->port[i];
    if (src)
        *src = s;
    memset(out, 0, sizeof *out);
    if ((size_t)n > LTUYA_MAX_FRAME)
        return LTUYA_ERR_FRAME_TOO_LARGE;
    ltuya_status_t st = ltuya_discovery_parse(d->buf, (size_t)n, out);
    if (st == LTUYA_OK && !out->ip[0])
        snprintf(out->ip, sizeof out->ip, "%s", s.addr);
    return st;
}

/* Wait for any open socket to be readable; returns how many are (0: timeout, -1: error). */
static int wait_any(ltuya_lwip_discovery_t *d, uint32_t timeout_ms, bool ready[])
{
    int n;
#if LWIP_SOCKET_SELECT
    fd_set rd;
    int maxfd = -1;
    FD_ZERO(&rd);
    for (size_t i = 0; i < d->count; i++) {
        if (d->fd[i] < 0)
            continue;
        FD_SET(d->fd[i], &rd);
        if (d->fd[i] > maxfd)
            maxfd = d->fd[i];
    }
    if (maxfd < 0)
        return -1;
    struct timeval tv;
    tv.tv_sec = (long)(timeout_ms / 1000u);
    tv.tv_usec = (long)(timeout_ms % 1000u) * 1000L;
    n = lwip_select(maxfd + 1, &rd, NULL, NULL, &tv);
    for (size_t i = 0; n > 0 && i < d->count; i++)
        ready[i] = d->fd[i] >= 0 && FD_ISSET(d->fd[i], &rd);
#else
    struct pollfd p[LTUYA_LWIP_DISCOVERY_MAX_PORTS];
    size_t map[LTUYA_LWIP_DISCOVERY_MAX_PORTS], k = 0;
    for (size_t i = 0; i < d->count; i++) {
        if (d->fd[i] < 0)
            continue;
        memset(&p[k], 0, sizeof p[k]);
        p[k].fd = d->fd[i];
        p[k].events = POLLIN;
        map[k++] = i;
    }
    if (!k)
        return -1;
    n = lwip_poll(p, (nfds_t)k, timeout_ms > (uint32_t)INT32_MAX ? -1 : (int)timeout_ms);
    for (size_t j = 0; n > 0 && j < k; j++)
        ready[map[j]] = (p[j].revents & (POLLIN | POLLERR)) != 0;
#endif
    if (n < 0 && errno == EINTR)
        return 0;
    return n;
}

ltuya_status_t ltuya_lwip_discovery_recv(ltuya_lwip_discovery_t *d, uint32_t timeout_ms,
                                         ltuya_beacon_t *out, ltuya_lwip_datagram_src_t *src)
{
    if (!d || !out)
        return LTUYA_ERR_INVALID_ARG;
    bool ready[LTUYA_LWIP_DISCOVERY_MAX_PORTS] = {false};
    int r = wait_any(d, timeout_ms, ready);
    if (r < 0)
        return d->count ? LTUYA_ERR_IO : LTUYA_ERR_BAD_STATE;
    /* Start after the socket served last, so a chatty port cannot starve the others. */
    for (size_t k = 0; r > 0 && k < d->count; k++) {
        size_t i = (d->next + k) % d->count;
        if (!ready[i])
            continue;
        bool got;
        ltuya_status_t st = read_one(d, i, out, src, &got);
        if (got || st == LTUYA_ERR_IO) {
            d->next = (i + 1) % d->count;
            return st;
        }
    }
    return LTUYA_ERR_TIMEOUT;
}

ltuya_status_t ltuya_lwip_discovery_solicit(ltuya_lwip_discovery_t *d, const char *addr,
                                            uint16_t port, const char *reply_ip)
{
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = lwip_htons(port ? port : LTUYA_UDP_PORT_35);
    if (!d || !reply_ip || !parse_ipv4(addr, &to.sin_addr))
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
    uint8_t frame[LTUYA_DISCOVERY_REQUEST_MAX];
    size_t n;
    ltuya_status_t st = ltuya_discovery_request(reply_ip, NULL, frame, sizeof frame, &n);
    if (st != LTUYA_OK)
        return st;
    /* Only now, because the caller asked to send: a broadcast needs it. */
    int one = 1;
    lwip_setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    if (lwip_sendto(fd, frame, n, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)n)
        return errno == ENETUNREACH || errno == EHOSTUNREACH ? LTUYA_ERR_UNREACHABLE : LTUYA_ERR_IO;
    return LTUYA_OK;
}
