/*
 * Waiting on sockets, shared by tcp_sockets.c and discovery_sockets.c.
 * The port's shim (posix_shim.h, lwip_shim.h) is included first and says
 * which call waits: SOCK_WAIT_SELECT 1 for sock_select (lwIP built with
 * LWIP_SOCKET_SELECT), else sock_poll.
 */
#ifndef LTUYA_SOCKETS_WAIT_H
#define LTUYA_SOCKETS_WAIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most sockets one wait watches: the discovery ports of either port. */
#define SOCK_WAIT_MAX 8

/* Wait up to timeout_ms until one of fd[0..n) is readable (want_read) or
 * writable (want_write); negative entries are skipped. ready[i] says which.
 * Returns how many are ready, 0 on timeout or a signal, -1 on an error or
 * when no entry is open. */
static inline int sock_wait(const int fd[], size_t n, bool want_read, bool want_write,
                            uint32_t timeout_ms, bool ready[])
{
    int r;
    for (size_t i = 0; i < n; i++)
        ready[i] = false;
#if SOCK_WAIT_SELECT
    fd_set rd, wr;
    int maxfd = -1;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    for (size_t i = 0; i < n; i++) {
        if (fd[i] < 0)
            continue;
        if (want_read)
            FD_SET(fd[i], &rd);
        if (want_write)
            FD_SET(fd[i], &wr);
        if (fd[i] > maxfd)
            maxfd = fd[i];
    }
    if (maxfd < 0)
        return -1;
    struct timeval tv;
    tv.tv_sec = (long)(timeout_ms / 1000u);
    tv.tv_usec = (long)(timeout_ms % 1000u) * 1000L;
    r = sock_select(maxfd + 1, want_read ? &rd : NULL, want_write ? &wr : NULL, NULL, &tv);
    for (size_t i = 0; r > 0 && i < n; i++)
        ready[i] = fd[i] >= 0 &&
                   ((want_read && FD_ISSET(fd[i], &rd)) || (want_write && FD_ISSET(fd[i], &wr)));
#else
    struct pollfd p[SOCK_WAIT_MAX];
    size_t map[SOCK_WAIT_MAX], k = 0;
    for (size_t i = 0; i < n && k < SOCK_WAIT_MAX; i++) {
        if (fd[i] < 0)
            continue;
        memset(&p[k], 0, sizeof p[k]);
        p[k].fd = fd[i];
        p[k].events = (short)((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0));
        map[k++] = i;
    }
    if (!k)
        return -1;
    r = sock_poll(p, (nfds_t)k, timeout_ms > (uint32_t)INT32_MAX ? -1 : (int)timeout_ms);
    /* POLLERR and POLLHUP too: the next read or SO_ERROR tells what happened. */
    for (size_t j = 0; r > 0 && j < k; j++)
        ready[map[j]] = (p[j].revents & (POLLIN | POLLOUT | POLLERR | POLLHUP)) != 0;
#endif
    if (r < 0)
        return errno == EINTR ? 0 : -1;
    return r;
}

#endif
