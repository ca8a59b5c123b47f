/* UDP discovery over lwIP sockets: the shared sockets code with the lwIP
 * shim; the contract is in ltuya_discovery_lwip.h. */
#include "../sockets/lwip_shim.h"

#include "../sockets/discovery_sockets.c"
