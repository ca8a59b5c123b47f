/*
 * What the POSIX port gives the shared sockets code (tcp_sockets.c,
 * discovery_sockets.c): the system's headers, sockets opened non-blocking
 * and close-on-exec, getaddrinfo() for names, poll() for waiting, and the
 * public names of ports/posix. Included by the .c files of ports/posix only.
 */
#ifndef LTUYA_POSIX_SHIM_H
#define LTUYA_POSIX_SHIM_H

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ltuya_discovery_posix.h"
#include "ltuya_posix.h"

#define SOCK_WAIT_SELECT              0
#define sock_poll                     poll
#define SOCK_CONNECT_RESET_IS_REFUSED 0 /* see connect_status() */
#define sock_close                    close
#define sock_connect                  connect
#define sock_bind                     bind
#define sock_getsockname              getsockname
#define sock_getsockopt               getsockopt
#define sock_setsockopt               setsockopt
#define sock_sendto                   sendto
#define sock_htons                    htons
#define sock_ntohs                    ntohs
#define sock_inet_pton                inet_pton
#define sock_inet_ntop                inet_ntop

/* The public names the shared code defines. */
#define SOCK_TCP_T          ltuya_posix_tcp_t
#define SOCK_TCP_INIT       ltuya_posix_tcp_init
#define SOCK_DISC_T         ltuya_posix_discovery_t
#define SOCK_DISC_OPTS_T    ltuya_posix_discovery_opts_t
#define SOCK_DISC_SRC_T     ltuya_posix_datagram_src_t
#define SOCK_DISC_MAX_PORTS LTUYA_POSIX_DISCOVERY_MAX_PORTS
#define SOCK_DISC_OPEN      ltuya_posix_discovery_open
#define SOCK_DISC_RECV      ltuya_posix_discovery_recv
#define SOCK_DISC_SOLICIT   ltuya_posix_discovery_solicit
#define SOCK_DISC_CLOSE     ltuya_posix_discovery_close
/* The datagram buffer is on the stack: a host has stack to spare. */
#define SOCK_DISC_BUF_IN_CTX 0

/* A non-blocking, close-on-exec socket, or -1 with errno set. */
static inline int sock_open(int family, int type, int protocol)
{
    return socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
}

/* MSG_NOSIGNAL: a peer that went away is an error, not SIGPIPE. */
static inline ssize_t sock_send(int fd, const void *buf, size_t len)
{
    return send(fd, buf, len, MSG_NOSIGNAL);
}

static inline ssize_t sock_recv(int fd, void *buf, size_t len)
{
    return recv(fd, buf, len, 0);
}

static inline ssize_t sock_recvfrom(int fd, void *buf, size_t len, struct sockaddr *from,
                                    socklen_t *flen)
{
    return recvfrom(fd, buf, len, 0, from, flen);
}

/* Other Tuya software on this host may listen on the same ports. */
static inline void sock_share_port(int fd)
{
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
#ifdef SO_REUSEPORT
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
#endif
}

/* Numeric addresses (IPv4, IPv6) are parsed without a lookup. A name is
 * resolved here, synchronously, by the system resolver (bounded by its own
 * timeout and attempts in resolv.conf, not by the connect timeout, which the
 * client starts counting after connect_start returns): event loops pass
 * addresses. */
static inline ltuya_status_t sock_resolve(const char *host, uint16_t port,
                                          struct sockaddr_storage *sa, socklen_t *len)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
    snprintf(service, sizeof service, "%u", (unsigned)port);
    if (getaddrinfo(host, service, &hints, &res) != 0 || !res) {
        res = NULL;
        hints.ai_flags = AI_NUMERICSERV;
        if (getaddrinfo(host, service, &hints, &res) != 0 || !res)
            return LTUYA_ERR_UNREACHABLE;
    }
    ltuya_status_t st = LTUYA_ERR_UNREACHABLE;
    if (res->ai_addrlen <= sizeof *sa) {
        memset(sa, 0, sizeof *sa);
        memcpy(sa, res->ai_addr, res->ai_addrlen);
        *len = (socklen_t)res->ai_addrlen;
        st = LTUYA_OK;
    }
    freeaddrinfo(res);
    return st;
}

#endif
