/*
 * Debian's lwIP options with select() and DNS turned on, to compile the
 * other half of ports/lwip: ESP-IDF's lwIP has lwip_select and
 * lwip_getaddrinfo, Debian's build (the GNU Hurd's) has lwip_poll and no
 * DNS. Compile-only: nothing links these objects against liblwip.
 */
#ifndef LTUYA_TEST_SELECT_LWIPOPTS_H
#define LTUYA_TEST_SELECT_LWIPOPTS_H

#include_next <lwipopts.h>

#undef LWIP_SOCKET_SELECT
#define LWIP_SOCKET_SELECT 1
#undef LWIP_SOCKET_POLL
#define LWIP_SOCKET_POLL 0
#undef LWIP_DNS
#define LWIP_DNS 1
#undef IP_SOF_BROADCAST
#define IP_SOF_BROADCAST 1
#undef IP_SOF_BROADCAST_RECV
#define IP_SOF_BROADCAST_RECV 1

#endif
