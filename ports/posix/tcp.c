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

static ltuya_status_t tcp_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    ltuya_posix_tcp_t *t = ctx;
    struct addrinfo hints, *res = NULL;
    char service[8];
    tcp_close(t);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(service, sizeof service, "%u", (unsigned)port);
    if (getaddrinfo(host, service, &hints, &res) != 0 || !res)
        return LTUYA_ERR_UNREACHABLE;
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
        ltuya_status_t st = from_errno(errno);
        close(fd);
        return st;
    }
    if (rc != 0) {
        struct pollfd p = {fd, POLLOUT, 0};
        int n = poll(&p, 1, (int)timeout_ms);
        if (n == 0) {
            close(fd);
            return LTUYA_ERR_TIMEOUT;
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
            close(fd);
            return from_errno(n < 0 ? errno : err);
        }
    }
    t->fd = fd;
    return LTUYA_OK;
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
}
