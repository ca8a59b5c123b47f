/*
 * The TCP transport over lwIP sockets; the contract is in transport.h.
 *
 * Only lwip_* entry points are called, never the BSD names: those are
 * macros or inline wrappers that depend on LWIP_COMPAT_SOCKETS and
 * LWIP_POSIX_SOCKETS_IO_NAMES (ESP-IDF turns both off and routes through
 * its VFS), while the lwip_* functions exist in every configuration.
 */
#include <errno.h>
#include <string.h>

#include "lwip/opt.h"

#include "lwip/def.h"
#include "lwip/sockets.h"
#if LWIP_DNS
#include "lwip/netdb.h"
#endif

#include "ltuya_lwip.h"

#if !LWIP_SOCKET
#error "ports/lwip needs lwIP's socket API (LWIP_SOCKET=1)"
#endif
#if !LWIP_SOCKET_SELECT && !LWIP_SOCKET_POLL
#error "ports/lwip needs lwip_select (LWIP_SOCKET_SELECT) or lwip_poll (LWIP_SOCKET_POLL)"
#endif

/* errno after a failed call: lwIP maps its err_t with err_to_errno(). */
static ltuya_status_t from_errno(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return LTUYA_ERR_REFUSED;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ENETDOWN:
        return LTUYA_ERR_UNREACHABLE;
    case ETIMEDOUT:
        return LTUYA_ERR_TIMEOUT;
    case ECONNRESET:
    case ECONNABORTED:
    case EPIPE:
        return LTUYA_ERR_RESET;
    case ENOTCONN:
        return LTUYA_ERR_CLOSED; /* ERR_CLSD: the connection is gone */
    default:
        return LTUYA_ERR_IO;
    }
}

/* While connecting, lwIP reports a RST answering our SYN as ERR_RST, which
 * err_to_errno() turns into ECONNRESET, not ECONNREFUSED. */
static ltuya_status_t connect_status(int e)
{
    if (e == ECONNRESET || e == ECONNABORTED)
        return LTUYA_ERR_REFUSED;
    return from_errno(e);
}

static bool would_block(int e)
{
    return e == EWOULDBLOCK || e == EAGAIN || e == EINTR;
}

/* Wait until fd is readable (or writable); 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, bool want_read, bool want_write, uint32_t timeout_ms)
{
#if LWIP_SOCKET_SELECT
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    if (want_read)
        FD_SET(fd, &rd);
    if (want_write)
        FD_SET(fd, &wr);
    struct timeval tv;
    tv.tv_sec = (long)(timeout_ms / 1000u);
    tv.tv_usec = (long)(timeout_ms % 1000u) * 1000L;
    int n = lwip_select(fd + 1, want_read ? &rd : NULL, want_write ? &wr : NULL, NULL, &tv);
#else
    struct pollfd p;
    memset(&p, 0, sizeof p);
    p.fd = fd;
    p.events = (short)((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0));
    int n = lwip_poll(&p, 1, timeout_ms > (uint32_t)INT32_MAX ? -1 : (int)timeout_ms);
#endif
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    return n > 0;
}

static void tcp_close(void *ctx)
{
    ltuya_lwip_tcp_t *t = ctx;
    if (t->fd >= 0)
        lwip_close(t->fd);
    t->fd = -1;
}

/* Dotted IPv4, or (with LWIP_DNS) a name looked up with lwip_getaddrinfo. */
static ltuya_status_t resolve(const char *host, uint16_t port, struct sockaddr_in *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = lwip_htons(port);
    if (lwip_inet_pton(AF_INET, host, &sa->sin_addr) == 1)
        return LTUYA_OK;
#if LWIP_DNS
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (lwip_getaddrinfo(host, NULL, &hints, &res) == 0 && res && res->ai_addrlen >= sizeof *sa) {
        sa->sin_addr = ((const struct sockaddr_in *)(const void *)res->ai_addr)->sin_addr;
        lwip_freeaddrinfo(res);
        return LTUYA_OK;
    }
    if (res)
        lwip_freeaddrinfo(res);
#endif
    return LTUYA_ERR_UNREACHABLE;
}

static ltuya_status_t tcp_connect_start(void *ctx, const char *host, uint16_t port)
{
    ltuya_lwip_tcp_t *t = ctx;
    struct sockaddr_in sa;
    tcp_close(t);
    if (!host)
        return LTUYA_ERR_UNREACHABLE;
    ltuya_status_t st = resolve(host, port, &sa);
    if (st != LTUYA_OK)
        return st;
    int fd = lwip_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (fd < 0)
        return LTUYA_ERR_IO; /* out of sockets (MEMP_NUM_NETCONN) */
    int flags = lwip_fcntl(fd, F_GETFL, 0);
    if (flags < 0 || lwip_fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        lwip_close(fd);
        return LTUYA_ERR_IO;
    }
    int one = 1;
    lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* small frames */
    if (lwip_connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (errno != EINPROGRESS) {
            st = connect_status(errno);
            lwip_close(fd);
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
    ltuya_lwip_tcp_t *t = ctx;
    if (t->fd < 0)
        return LTUYA_ERR_CLOSED;
    int n = wait_fd(t->fd, false, true, 0);
    if (n == 0)
        return LTUYA_NEED_MORE;
    /* Writable also after a failure: SO_ERROR tells which. */
    int err = 0;
    socklen_t len = sizeof err;
    if (n < 0 || lwip_getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        tcp_close(t);
        return err ? connect_status(err) : LTUYA_ERR_IO;
    }
    return LTUYA_OK;
}

static int tcp_handle(void *ctx)
{
    return ((ltuya_lwip_tcp_t *)ctx)->fd;
}

/* The blocking connect of the old contract: start, wait, finish. */
static ltuya_status_t tcp_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    ltuya_lwip_tcp_t *t = ctx;
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
    ltuya_lwip_tcp_t *t = ctx;
    if (t->fd < 0)
        return -LTUYA_ERR_CLOSED;
    ssize_t n = lwip_send(t->fd, buf, len, MSG_DONTWAIT);
    if (n >= 0)
        return (int)n;
    if (would_block(errno))
        return 0;
    return -(int)from_errno(errno);
}

static int tcp_recv(void *ctx, uint8_t *buf, size_t len)
{
    ltuya_lwip_tcp_t *t = ctx;
    if (t->fd < 0)
        return -LTUYA_ERR_CLOSED;
    ssize_t n = lwip_recv(t->fd, buf, len, MSG_DONTWAIT);
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
    ltuya_lwip_tcp_t *t = ctx;
    if (t->fd < 0)
        return LTUYA_ERR_CLOSED;
    int n = wait_fd(t->fd, true, want_write, timeout_ms);
    if (n < 0)
        return LTUYA_ERR_IO;
    return n ? LTUYA_OK : LTUYA_ERR_TIMEOUT;
}

void ltuya_lwip_tcp_init(ltuya_lwip_tcp_t *tcp, ltuya_transport_t *t)
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
