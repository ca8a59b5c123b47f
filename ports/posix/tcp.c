/* The TCP transport over POSIX sockets: the shared sockets code with the POSIX shim. */
#include "../sockets/posix_shim.h"

#include "../sockets/tcp_sockets.c"
