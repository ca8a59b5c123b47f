/*
 * A libuv poll watcher that follows a socket that comes and goes. The
 * library and libmosquitto close and reopen their sockets, and a new socket
 * often gets the old number: libuv must not keep watching a stale
 * registration, so every new connection gets a fresh uv_poll_t
 * (bridge_poll_renew) and a closed one loses its watcher at once.
 */
#ifndef LTUYA_BRIDGE_POLL_H
#define LTUYA_BRIDGE_POLL_H

#include <stdbool.h>
#include <uv.h>

typedef struct {
    uv_poll_t *h; /* NULL: not watching */
    int fd;
    int events;
} bridge_poll_t;

void bridge_poll_init(bridge_poll_t *p);

/* Watch fd for events (UV_READABLE | UV_WRITABLE); fd < 0 stops watching.
 * A different fd, or `fresh`, replaces the watcher. false if libuv refused. */
bool bridge_poll_set(bridge_poll_t *p, uv_loop_t *loop, int fd, int events, bool fresh,
                     uv_poll_cb cb, void *data);

/* Stop and release the watcher (the socket itself is not touched). */
void bridge_poll_stop(bridge_poll_t *p);

#endif
