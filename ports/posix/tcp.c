/* The TCP transport over POSIX sockets; the contract is in transport.h. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ltuya_posix.h"

static ltuya_status_t from_errno(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return LTUYA_ERR_REFUSED;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
        return LTUYA_ERR_UNREACHABLE;
    case ETIMEDOUT:
        return LTUYA_ERR_TIMEOUT;
    case ECONNRESET:
    case EPIPE:
        return LTUYA_ERR_RESET;
    default:
        return LTUYA_ERR_IO;
    }
}

static void tcp_close(void *ctx)
{
    ltuya_posix_tcp_t *t = ctx;
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

/* Numeric addresses are parsed without a lookup. A name is resolved here,
 * synchronously, by the system resolver (bounded by its own timeout and
 * attempts in resolv.conf, not by the connect timeout, which the client
 * starts counting after connect_start returns): event loops pass addresses. */
static ltuya_status_t lookup(const char *host, uint16_t port, struct addrinfo **res)
{
    struct addrinfo hints;
    char service[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
    snprintf(service, sizeof service, "%u", (unsigned)port);
    if (!host)
        return LTUYA_ERR_UNREACHABLE;
    if (getaddrinfo(host, service, &hints, res) == 0 && *res)
        return LTUYA_OK;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, service, &hints, res) == 0 && *res)
        return LTUYA_OK;
    return LTUYA_ERR_UNREACHABLE;
}

static ltuya_status_t tcp_connect_start(void *ctx, const char *host, uint16_t port)
{
    ltuya_posix_tcp_t *t = ctx;
    struct addrinfo *res = NULL;
    tcp_close(t);
    ltuya_status_t st = lookup(host, port, &res);
    if (st != LTUYA_OK)
        return st;
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        freeaddrinfo(res);
        return LTUYA_ERR_IO;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* small frames, no batching */
    int rc = connect(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (rc != 0 && errno != EINPROGRESS) {
        st = from_errno(errno);
        close(fd);
        return st;
    }
    t->fd = fd;
    return rc == 0 ? LTUYA_OK : LTUYA_NEED_MORE;
}

static ltuya_status_t tcp_connect_finish(void *ctx)
{
    ltuya_posix_tcp_t *t = ctx;
    if (t->fd < 0)
        return LTUYA_ERR_CLOSED;
    struct pollfd p = {t->fd, POLLOUT, 0};
    int n = poll(&p, 1, 0);
    if (n == 0)
        return LTUYA_NEED_MORE;
    int err = 0;
    socklen_t len = sizeof err;
    if (n < 0 || getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        ltuya_status_t st = from_errno(n < 0 ? errno : err);
        tcp_close(t);
        return st;
    }
    return LTUYA_OK;
}

static int tcp_handle(void *ctx)
{
    return ((ltuya_posix_tcp_t *)ctx)->fd;
}

/* The blocking connect, for callers of the old contract: start, wait, finish. */
static ltuya_status_t tcp_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    ltuya_posix_tcp_t *t = ctx;
    ltuya_status_t st = tcp_connect_start(ctx, host, port);
    if (st != LTUYA_NEED_MORE)
        return st;
    struct pollfd p = {t->fd, POLLOUT, 0};
    int n = poll(&p, 1, (int)timeout_ms);
    if (n <= 0) {
        tcp_close(t);
        return n == 0 ? LTUYA_ERR_TIMEOUT : from_errno(errno);
    }
    return tcp_connect_finish(ctx);
}

static int tcp_send(void *ctx, const uint8_t *buf, size_t len)
{
    ltuya_posix_tcp_t *t = ctx;
    if (t->fd < 0)
        return -LTUYA_ERR_CLOSED;
    ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);
    if (n >= 0)
        return (int)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -(int)from_errno(errno);
}

static int tcp_recv(void *ctx, uint8_t *buf, size_t len)
{
    ltuya_posix_tcp_t *t = ctx;
    if (t->fd < 0)
        return -LTUYA_ERR_CLOSED;
    ssize_t n = recv(t->fd, buf, len, 0);
    if (n > 0)
        return (int)n;
    if (n == 0)
        return -LTUYA_ERR_CLOSED; /* never 0 for a closed connection */
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -(int)from_errno(errno);
}

static ltuya_status_t tcp_wait(void *ctx, bool want_write, uint32_t timeout_ms)
{
    ltuya_posix_tcp_t *t = ctx;
    if (t->fd < 0)
        return LTUYA_ERR_CLOSED;
    struct pollfd p = {t->fd, (short)(POLLIN | (want_write ? POLLOUT : 0)), 0};
    int n = poll(&p, 1, (int)timeout_ms);
    if (n < 0)
        return errno == EINTR ? LTUYA_ERR_TIMEOUT : LTUYA_ERR_IO;
    return n == 0 ? LTUYA_ERR_TIMEOUT : LTUYA_OK;
}

void ltuya_posix_tcp_init(ltuya_posix_tcp_t *tcp, ltuya_transport_t *t)
{
    tcp->fd = -1;
    t->ctx = tcp;
    t->connect = tcp_connect;
    t->send = tcp_send;
    t->recv = tcp_recv;
    t->wait = tcp_wait;
    t->close = tcp_close;
    t->connect_start = tcp_connect_start;
    t->connect_finish = tcp_connect_finish;
    t->handle = tcp_handle;
}
