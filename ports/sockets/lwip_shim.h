/*
 * What the lwIP port gives the shared sockets code (tcp_sockets.c,
 * discovery_sockets.c): lwIP's headers, sockets made non-blocking with
 * lwip_fcntl, lwip_getaddrinfo() for names (with LWIP_DNS), lwip_select or
 * lwip_poll for waiting, and the public names of ports/lwip. Included by
 * the .c files of ports/lwip only.
 *
 * Only lwip_* entry points are called, never the BSD names: those are
 * macros or inline wrappers that depend on LWIP_COMPAT_SOCKETS and
 * LWIP_POSIX_SOCKETS_IO_NAMES (ESP-IDF turns both off and routes through
 * its VFS), while the lwip_* functions exist in every configuration.
 */
#ifndef LTUYA_LWIP_SHIM_H
#define LTUYA_LWIP_SHIM_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lwip/opt.h"

#include "lwip/def.h"
#include "lwip/sockets.h"
#if LWIP_DNS
#include "lwip/netdb.h"
#endif

#include "ltuya_discovery_lwip.h"
#include "ltuya_lwip.h"

#if !LWIP_SOCKET
#error "ports/lwip needs lwIP's socket API (LWIP_SOCKET=1)"
#endif
#if !LWIP_SOCKET_SELECT && !LWIP_SOCKET_POLL
#error "ports/lwip needs lwip_select (LWIP_SOCKET_SELECT) or lwip_poll (LWIP_SOCKET_POLL)"
#endif

#define SOCK_WAIT_SELECT              LWIP_SOCKET_SELECT
#define sock_select                   lwip_select
#define sock_poll                     lwip_poll
#define SOCK_CONNECT_RESET_IS_REFUSED 1 /* see connect_status() */
#define sock_close                    lwip_close
#define sock_connect                  lwip_connect
#define sock_bind                     lwip_bind
#define sock_getsockname              lwip_getsockname
#define sock_getsockopt               lwip_getsockopt
#define sock_setsockopt               lwip_setsockopt
#define sock_sendto                   lwip_sendto
#define sock_htons                    lwip_htons
#define sock_ntohs                    lwip_ntohs
#define sock_inet_pton                lwip_inet_pton
#define sock_inet_ntop                lwip_inet_ntop

/* The public names the shared code defines. */
#define SOCK_TCP_T          ltuya_lwip_tcp_t
#define SOCK_TCP_INIT       ltuya_lwip_tcp_init
#define SOCK_DISC_T         ltuya_lwip_discovery_t
#define SOCK_DISC_OPTS_T    ltuya_lwip_discovery_opts_t
#define SOCK_DISC_SRC_T     ltuya_lwip_datagram_src_t
#define SOCK_DISC_MAX_PORTS LTUYA_LWIP_DISCOVERY_MAX_PORTS
#define SOCK_DISC_OPEN      ltuya_lwip_discovery_open
#define SOCK_DISC_RECV      ltuya_lwip_discovery_recv
#define SOCK_DISC_SOLICIT   ltuya_lwip_discovery_solicit
#define SOCK_DISC_CLOSE     ltuya_lwip_discovery_close
/* The datagram buffer lives in the context, not on a task's small stack. */
#define SOCK_DISC_BUF_IN_CTX 1

/* A non-blocking socket, or -1 with errno set (ENOMEM when lwIP set none:
 * out of sockets, MEMP_NUM_NETCONN). */
static inline int sock_open(int family, int type, int protocol)
{
    int fd = lwip_socket(family, type, protocol);
    if (fd < 0) {
        if (!errno)
            errno = ENOMEM;
        return -1;
    }
    int flags = lwip_fcntl(fd, F_GETFL, 0);
    if (flags < 0 || lwip_fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        int e = errno ? errno : EIO;
        lwip_close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static inline ssize_t sock_send(int fd, const void *buf, size_t len)
{
    return lwip_send(fd, buf, len, MSG_DONTWAIT);
}

static inline ssize_t sock_recv(int fd, void *buf, size_t len)
{
    return lwip_recv(fd, buf, len, MSG_DONTWAIT);
}

static inline ssize_t sock_recvfrom(int fd, void *buf, size_t len, struct sockaddr *from,
                                    socklen_t *flen)
{
    return lwip_recvfrom(fd, buf, len, MSG_DONTWAIT, from, flen);
}

static inline void sock_share_port(int fd)
{
    int one = 1;
#if SO_REUSE
    /* Other Tuya software on this host may listen on the same ports. */
    lwip_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
#endif
#if IP_SOF_BROADCAST_RECV
    /* This lwIP hands broadcast datagrams (every beacon) only to sockets that ask. */
    lwip_setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
#endif
    (void)one;
    (void)fd;
}

/* Dotted IPv4, or (with LWIP_DNS) a name looked up with lwip_getaddrinfo,
 * bounded by lwIP's DNS timeout, not by the connect timeout. */
static inline ltuya_status_t sock_resolve(const char *host, uint16_t port,
                                          struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in sa;
    ltuya_status_t st = LTUYA_ERR_UNREACHABLE;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = lwip_htons(port);
    if (lwip_inet_pton(AF_INET, host, &sa.sin_addr) == 1)
        st = LTUYA_OK;
#if LWIP_DNS
    if (st != LTUYA_OK) {
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_INET;
        hints.ai_socktype = SOCK_STREAM;
        if (lwip_getaddrinfo(host, NULL, &hints, &res) == 0 && res &&
            res->ai_addrlen >= sizeof sa) {
            sa.sin_addr = ((const struct sockaddr_in *)(const void *)res->ai_addr)->sin_addr;
            st = LTUYA_OK;
        }
        if (res)
            lwip_freeaddrinfo(res);
    }
#endif
    if (st == LTUYA_OK) {
        memset(ss, 0, sizeof *ss);
        memcpy(ss, &sa, sizeof sa);
        *len = (socklen_t)sizeof sa;
    }
    return st;
}

#endif
