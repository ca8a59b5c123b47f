/* Poll watchers that follow reconnecting sockets (bridge_poll.h). */
#include "bridge_poll.h"

#include <stdlib.h>

void bridge_poll_init(bridge_poll_t *p)
{
    p->h = NULL;
    p->fd = -1;
    p->events = 0;
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

void bridge_poll_stop(bridge_poll_t *p)
{
    if (p->h) {
        /* uv_close stops the watcher now; the memory goes when the loop says so */
        uv_close((uv_handle_t *)p->h, free_handle);
        p->h = NULL;
    }
    p->fd = -1;
    p->events = 0;
}

bool bridge_poll_set(bridge_poll_t *p, uv_loop_t *loop, int fd, int events, bool fresh,
                     uv_poll_cb cb, void *data)
{
    if (fd < 0) {
        bridge_poll_stop(p);
        return true;
    }
    if (p->h && (fresh || fd != p->fd))
        bridge_poll_stop(p);
    if (!p->h) {
        p->h = malloc(sizeof *p->h);
        if (!p->h)
            return false;
        if (uv_poll_init_socket(loop, p->h, fd) != 0) {
            free(p->h);
            p->h = NULL;
            return false;
        }
        p->h->data = data;
        p->fd = fd;
        p->events = 0;
    }
    if (events != p->events) {
        if (uv_poll_start(p->h, events, cb) != 0)
            return false;
        p->events = events;
    }
    return true;
}
