/* UDP discovery sockets for POSIX hosts: the shared sockets code with the
 * POSIX shim, plus what only a host can do (find its own reply address);
 * the contract is in ltuya_discovery_posix.h. */
#include "../sockets/posix_shim.h"

#define SOCK_DISC_REPLY_IP ltuya_posix_discovery_reply_ip
#include "../sockets/discovery_sockets.c"

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
