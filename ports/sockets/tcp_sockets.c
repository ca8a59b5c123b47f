/*
 * The TCP transport over BSD-style sockets, shared by ports/posix (tcp.c)
 * and ports/lwip (tcp_lwip.c); the contract is in transport.h. Not compiled
 * on its own: each port includes its shim (posix_shim.h, lwip_shim.h), which
 * names the calls and types, then this file.
 */
#include "sockets_wait.h"

static ltuya_status_t from_errno(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return LTUYA_ERR_REFUSED;
    case EHOSTUNREACH:
    case ENETUNREACH:
#ifdef EHOSTDOWN
    case EHOSTDOWN:
#endif
    case ENETDOWN:
        return LTUYA_ERR_UNREACHABLE;
    case ETIMEDOUT:
        return LTUYA_ERR_TIMEOUT;
    case ECONNRESET:
    case ECONNABORTED:
    case EPIPE:
        return LTUYA_ERR_RESET;
    case ENOTCONN:
        return LTUYA_ERR_CLOSED; /* lwIP's ERR_CLSD: the connection is gone */
    default:
        return LTUYA_ERR_IO;
    }
}

/* While connecting, lwIP reports a RST answering our SYN as ERR_RST, which
 * err_to_errno() turns into ECONNRESET, not ECONNREFUSED. A POSIX host says
 * ECONNREFUSED for that, and ECONNRESET there means the connection was made
 * and then reset (the shim sets SOCK_CONNECT_RESET_IS_REFUSED). */
static ltuya_status_t connect_status(int e)
{
#if SOCK_CONNECT_RESET_IS_REFUSED
    if (e == ECONNRESET || e == ECONNABORTED)
        return LTUYA_ERR_REFUSED;
#endif
    return from_errno(e);
}

static bool would_block(int e)
{
    return e == EWOULDBLOCK || e == EAGAIN || e == EINTR;
}

/* 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, bool want_read, bool want_write, uint32_t timeout_ms)
{
    bool ready[1];
    int n = sock_wait(&fd, 1, want_read, want_write, timeout_ms, ready);
    return n < 0 ? -1 : n > 0;
}

static void tcp_close(void *ctx)
{
    SOCK_TCP_T *t = ctx;
    if (t->fd >= 0)
        sock_close(t->fd);
    t->fd = -1;
}

static ltuya_status_t tcp_connect_start(void *ctx, const char *host, uint16_t port)
{
    SOCK_TCP_T *t = ctx;
    struct sockaddr_storage sa;
    socklen_t salen = 0;
    tcp_close(t);
    if (!host)
        return LTUYA_ERR_UNREACHABLE;
    ltuya_status_t st = sock_resolve(host, port, &sa, &salen);
    if (st != LTUYA_OK)
        return st;
    int fd = sock_open(sa.ss_family, SOCK_STREAM, IPPROTO_TCP);
    if (fd < 0)
        return LTUYA_ERR_IO;
    int one = 1;
    sock_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* small frames */
    if (sock_connect(fd, (struct sockaddr *)&sa, salen) != 0) {
        if (errno != EINPROGRESS) {
            st = connect_status(errno);
            sock_close(fd);
            return st;
        }
        t->fd = fd;
        return LTUYA_NEED_MORE;
    }
    t->fd = fd;
    return LTUYA_OK;
}

static ltuya_status_t tcp_connect_finish(void *ctx)
{
    SOCK_TCP_T *t = ctx;
    if (t->fd < 0)
        return LTUYA_ERR_CLOSED;
    int n = wait_fd(t->fd, false, true, 0);
    if (n == 0)
        return LTUYA_NEED_MORE;
    /* Writable also after a failure: SO_ERROR tells which. */
    int err = 0;
    socklen_t len = sizeof err;
    if (n < 0 || sock_getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        tcp_close(t);
        return err ? connect_status(err) : LTUYA_ERR_IO;
    }
    return LTUYA_OK;
}

static int tcp_handle(void *ctx)
{
    return ((SOCK_TCP_T *)ctx)->fd;
}

/* The blocking connect of the old contract: start, wait, finish. */
static ltuya_status_t tcp_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    SOCK_TCP_T *t = ctx;
    ltuya_status_t st = tcp_connect_start(ctx, host, port);
    if (st != LTUYA_NEED_MORE)
        return st;
    int n = wait_fd(t->fd, false, true, timeout_ms);
    if (n <= 0) {
        tcp_close(t);
        return n == 0 ? LTUYA_ERR_TIMEOUT : LTUYA_ERR_IO;
    }
    return tcp_connect_finish(ctx);
}

static int tcp_send(void *ctx, const uint8_t *buf, size_t len)
{
    SOCK_TCP_T *t = ctx;
    if (t->fd < 0)
        return -LTUYA_ERR_CLOSED;
    ssize_t n = sock_send(t->fd, buf, len);
    if (n >= 0)
        return (int)n;
    if (would_block(errno))
        return 0;
    return -(int)from_errno(errno);
}

static int tcp_recv(void *ctx, uint8_t *buf, size_t len)
{
    SOCK_TCP_T *t = ctx;
    if (t->fd < 0)
        return -LTUYA_ERR_CLOSED;
    ssize_t n = sock_recv(t->fd, buf, len);
    if (n > 0)
        return (int)n;
    if (n == 0)
        return -LTUYA_ERR_CLOSED; /* never 0 for a closed connection */
    if (would_block(errno))
        return 0;
    return -(int)from_errno(errno);
}

static ltuya_status_t tcp_wait(void *ctx, bool want_write, uint32_t timeout_ms)
{
    SOCK_TCP_T *t = ctx;
    if (t->fd < 0)
        return LTUYA_ERR_CLOSED;
    int n = wait_fd(t->fd, true, want_write, timeout_ms);
    if (n < 0)
        return LTUYA_ERR_IO;
    return n ? LTUYA_OK : LTUYA_ERR_TIMEOUT;
}

void SOCK_TCP_INIT(SOCK_TCP_T *tcp, ltuya_transport_t *t)
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
