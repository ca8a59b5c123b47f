/*
 * UDP discovery over BSD-style sockets, shared by ports/posix
 * (discovery_posix.c) and ports/lwip (discovery_lwip.c); the contract is in
 * ltuya_discovery_posix.h and ltuya_discovery_lwip.h. Not compiled on its
 * own: each port includes its shim (posix_shim.h, lwip_shim.h), then this
 * file. A port that can find a default reply address defines
 * SOCK_DISC_REPLY_IP(d, addr, out, cap) before including it.
 */
#include "sockets_wait.h"

_Static_assert(SOCK_DISC_MAX_PORTS <= SOCK_WAIT_MAX, "one wait must cover every port");

static const uint16_t default_ports[] = {LTUYA_UDP_PORT_31, LTUYA_UDP_PORT, LTUYA_UDP_PORT_35};

static bool parse_ipv4(const char *s, struct in_addr *a)
{
    return s && sock_inet_pton(AF_INET, s, a) == 1;
}

/* A bound socket (its fd), or -errno. */
static int bind_udp(const struct in_addr *addr, uint16_t *port)
{
    int fd = sock_open(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (fd < 0)
        return -(errno ? errno : ENOMEM);
    sock_share_port(fd);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr = *addr;
    sa.sin_port = sock_htons(*port);
    if (sock_bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        sock_getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        int e = errno ? errno : EIO;
        sock_close(fd);
        return -e;
    }
    *port = sock_ntohs(sa.sin_port);
    return fd;
}

void SOCK_DISC_CLOSE(SOCK_DISC_T *d)
{
    for (size_t i = 0; i < d->count; i++) {
        if (d->fd[i] >= 0)
            sock_close(d->fd[i]);
        d->fd[i] = -1;
    }
}

ltuya_status_t SOCK_DISC_OPEN(SOCK_DISC_T *d, const SOCK_DISC_OPTS_T *opts)
{
    static const SOCK_DISC_OPTS_T none = {0};
    if (!d)
        return LTUYA_ERR_INVALID_ARG;
    /* Field by field: lwIP's context also holds a datagram buffer. */
    d->count = 0;
    d->next = 0;
    d->bind_addr[0] = 0;
    for (size_t i = 0; i < SOCK_DISC_MAX_PORTS; i++) {
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
    if (!n || n > SOCK_DISC_MAX_PORTS || !parse_ipv4(bind_addr, &addr))
        return LTUYA_ERR_INVALID_ARG;
    sock_inet_ntop(AF_INET, &addr, d->bind_addr, sizeof d->bind_addr);
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
static ltuya_status_t read_one(SOCK_DISC_T *d, size_t i, ltuya_beacon_t *out, SOCK_DISC_SRC_T *src,
                               bool *got)
{
#if SOCK_DISC_BUF_IN_CTX
    uint8_t *buf = d->buf;
#else
    uint8_t buf[LTUYA_MAX_FRAME + 1];
#endif
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    memset(&from, 0, sizeof from);
    /* One byte more than the largest frame: a datagram that fills it all
     * was cut short (the stack drops the rest), so it is reported as too large. */
    ssize_t n = sock_recvfrom(d->fd[i], buf, LTUYA_MAX_FRAME + 1, (struct sockaddr *)&from, &flen);
    *got = false;
    if (n < 0) {
        /* ECONNREFUSED: an ICMP error for something sent from this socket
         * (a solicitation nobody listened to); not a reason to stop. */
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNREFUSED)
            return LTUYA_ERR_TIMEOUT;
        return LTUYA_ERR_IO;
    }
    *got = true;
    SOCK_DISC_SRC_T s;
    memset(&s, 0, sizeof s);
    sock_inet_ntop(AF_INET, &from.sin_addr, s.addr, sizeof s.addr);
    s.port = sock_ntohs(from.sin_port);
    s.local_port = d->port[i];
    if (src)
        *src = s;
    memset(out, 0, sizeof *out);
    if ((size_t)n > LTUYA_MAX_FRAME)
        return LTUYA_ERR_FRAME_TOO_LARGE;
    ltuya_status_t st = ltuya_discovery_parse(buf, (size_t)n, out);
    if (st == LTUYA_OK && !out->ip[0])
        snprintf(out->ip, sizeof out->ip, "%s", s.addr);
    return st;
}

ltuya_status_t SOCK_DISC_RECV(SOCK_DISC_T *d, uint32_t timeout_ms, ltuya_beacon_t *out,
                              SOCK_DISC_SRC_T *src)
{
    if (!d || !out)
        return LTUYA_ERR_INVALID_ARG;
    size_t open = 0;
    for (size_t i = 0; i < d->count; i++)
        open += d->fd[i] >= 0;
    if (!open)
        return LTUYA_ERR_BAD_STATE;
    bool ready[SOCK_DISC_MAX_PORTS];
    int r = sock_wait(d->fd, d->count, true, false, timeout_ms, ready);
    if (r < 0)
        return LTUYA_ERR_IO;
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

ltuya_status_t SOCK_DISC_SOLICIT(SOCK_DISC_T *d, const char *addr, uint16_t port,
                                 const char *reply_ip)
{
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = sock_htons(port ? port : LTUYA_UDP_PORT_35);
    if (!d || !parse_ipv4(addr, &to.sin_addr))
        return LTUYA_ERR_INVALID_ARG;
#ifndef SOCK_DISC_REPLY_IP
    if (!reply_ip)
        return LTUYA_ERR_INVALID_ARG; /* no default here: the caller knows its address */
#endif
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
    ltuya_status_t st;
#ifdef SOCK_DISC_REPLY_IP
    char ip[16];
    if (!reply_ip) {
        if ((st = SOCK_DISC_REPLY_IP(d, addr, ip, sizeof ip)) != LTUYA_OK)
            return st;
        reply_ip = ip;
    }
#endif
    uint8_t frame[LTUYA_DISCOVERY_REQUEST_MAX];
    size_t n;
    if ((st = ltuya_discovery_request(reply_ip, NULL, frame, sizeof frame, &n)) != LTUYA_OK)
        return st;
    /* Only now, because the caller asked to send: a broadcast needs it. */
    int one = 1;
    sock_setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    if (sock_sendto(fd, frame, n, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)n)
        return errno == ENETUNREACH || errno == EHOSTUNREACH ? LTUYA_ERR_UNREACHABLE : LTUYA_ERR_IO;
    return LTUYA_OK;
}
