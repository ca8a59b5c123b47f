/* The TCP transport over lwIP sockets: the shared sockets code with the lwIP shim. */
#include "../sockets/lwip_shim.h"

#include "../sockets/tcp_sockets.c"
