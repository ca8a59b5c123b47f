/* The engine over a libuv loop; see ltuya_uv.h. */
#include "ltuya_uv.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ltuya_uv_dev_t *of(ltuya_engine_dev_t *ed)
{
    return (ltuya_uv_dev_t *)(void *)ed; /* ed is the first member */
}

uint64_t ltuya_uv_now(const ltuya_uv_dev_t *ud)
{
    const ltuya_clock_t *clk = ltuya_engine_dev_device(&ud->ed)->client.opts.clock;
    return clk->now_ms(clk->ctx);
}

static void free_poll(uv_handle_t *h)
{
    free(h);
}

static void drop_poll(ltuya_uv_dev_t *ud)
{
    if (!ud->poll)
        return;
    uv_poll_stop(ud->poll);
    uv_close((uv_handle_t *)ud->poll, free_poll);
    ud->poll = NULL;
    ud->events = 0;
}

static void on_poll(uv_poll_t *h, int status, int events);
static void on_timer(uv_timer_t *t);

void ltuya_uv_sync(ltuya_uv_dev_t *ud)
{
    if (ud->closing)
        return;
    int fd = ltuya_engine_dev_socket(&ud->ed);
    unsigned id = ltuya_engine_dev_connection_id(&ud->ed);
    /* a new connection is watched afresh, even when it got the old number */
    if (ud->poll && (fd != ud->fd || id != ud->conn_id))
        drop_poll(ud);
    if (fd >= 0 && !ud->poll) {
        ud->poll = malloc(sizeof *ud->poll);
        if (ud->poll && uv_poll_init(ud->owner->loop, ud->poll, fd) != 0) {
            free(ud->poll);
            ud->poll = NULL;
        }
        if (ud->poll) {
            ud->poll->data = ud;
            ud->fd = fd;
            ud->conn_id = id;
        }
    }
    if (ud->poll) {
        int ev = UV_READABLE | (ltuya_engine_dev_want_write(&ud->ed) ? UV_WRITABLE : 0);
        if (ev != ud->events && uv_poll_start(ud->poll, ev, on_poll) == 0)
            ud->events = ev;
    }
    uint64_t d = ltuya_engine_dev_deadline(&ud->ed);
    if (d == UINT64_MAX) {
        if (ud->timer_on)
            uv_timer_stop(&ud->timer);
        ud->timer_on = false;
        return;
    }
    uint64_t now = ltuya_uv_now(ud);
    uv_timer_start(&ud->timer, on_timer, d > now ? d - now : 0, 0);
    ud->timer_on = true;
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    ltuya_uv_dev_t *ud = h->data;
    unsigned id = ud->conn_id;
    int fd = ud->fd;
    if (status < 0) /* an error on the socket: let the client find out which */
        events = UV_READABLE | UV_WRITABLE;
    if (events & UV_WRITABLE)
        ltuya_engine_dev_on_writable(&ud->ed, ltuya_uv_now(ud));
    /* the same connection still? (the write side may have ended it) */
    if ((events & UV_READABLE) && ltuya_engine_dev_socket(&ud->ed) == fd &&
        ltuya_engine_dev_connection_id(&ud->ed) == id)
        ltuya_engine_dev_on_readable(&ud->ed, ltuya_uv_now(ud));
    ltuya_uv_sync(ud);
}

static void on_timer(uv_timer_t *t)
{
    ltuya_uv_dev_t *ud = t->data;
    ud->timer_on = false;
    ltuya_engine_dev_on_timer(&ud->ed, ltuya_uv_now(ud));
    ltuya_uv_sync(ud);
}

static void on_interest(void *user, ltuya_engine_dev_t *ed)
{
    (void)user;
    ltuya_uv_sync(of(ed));
}

void ltuya_uv_init(ltuya_uv_t *u, uv_loop_t *loop)
{
    u->loop = loop;
    ltuya_engine_init(&u->engine, on_interest, u);
}

int ltuya_uv_add(ltuya_uv_t *u, ltuya_uv_dev_t *ud, ltuya_device_t *d,
                 const ltuya_engine_dev_opts_t *opts)
{
    ltuya_status_t st = ltuya_engine_add(&u->engine, &ud->ed, d, opts);
    if (st != LTUYA_OK)
        return UV_EINVAL;
    ud->owner = u;
    ud->poll = NULL;
    ud->fd = -1;
    ud->conn_id = 0;
    ud->events = 0;
    ud->timer_on = false;
    ud->closing = false;
    ud->on_closed = NULL;
    int rc = uv_timer_init(u->loop, &ud->timer);
    if (rc == 0) {
        ud->timer.data = ud;
        ltuya_uv_sync(ud);
    }
    return rc;
}

static void timer_closed(uv_handle_t *h)
{
    ltuya_uv_dev_t *ud = h->data;
    if (ud->on_closed)
        ud->on_closed(ud);
}

void ltuya_uv_remove(ltuya_uv_dev_t *ud, void (*on_closed)(ltuya_uv_dev_t *ud))
{
    ud->closing = true; /* no more re-arming from here on */
    ud->on_closed = on_closed;
    ltuya_engine_remove(&ud->ed); /* cancels (callbacks run) and closes the connection */
    drop_poll(ud);
    uv_timer_stop(&ud->timer);
    uv_close((uv_handle_t *)&ud->timer, timer_closed);
}

/* ---- names ------------------------------------------------------------------ */

static void answer(ltuya_uv_resolve_t *r, ltuya_status_t st, const char *addr)
{
    if (r->answered)
        return;
    r->answered = true;
    r->cb(r, st, addr);
}

static void resolve_timer_closed(uv_handle_t *h)
{
    ((ltuya_uv_resolve_t *)h->data)->busy--;
}

static void resolve_finish_timer(ltuya_uv_resolve_t *r)
{
    if (!uv_is_closing((uv_handle_t *)&r->timer)) {
        uv_timer_stop(&r->timer);
        uv_close((uv_handle_t *)&r->timer, resolve_timer_closed);
    }
}

static void resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    ltuya_uv_resolve_t *r = req->data;
    r->busy--;
    if (status == 0 && res && uv_ip_name(res->ai_addr, r->addr, sizeof r->addr) == 0)
        answer(r, LTUYA_OK, r->addr);
    else
        answer(r, status == UV_ECANCELED ? LTUYA_ERR_TIMEOUT : LTUYA_ERR_UNREACHABLE, NULL);
    uv_freeaddrinfo(res);
    resolve_finish_timer(r);
}

static void resolve_timeout(uv_timer_t *t)
{
    ltuya_uv_resolve_t *r = t->data;
    uv_cancel((uv_req_t *)&r->req); /* works if the lookup has not started yet */
    answer(r, LTUYA_ERR_TIMEOUT, NULL);
    resolve_finish_timer(r);
}

/* A numeric address: answered from the loop (cb never runs inside the call). */
static void numeric_ready(uv_timer_t *t)
{
    ltuya_uv_resolve_t *r = t->data;
    answer(r, LTUYA_OK, r->addr);
    resolve_finish_timer(r);
}

int ltuya_uv_resolve(uv_loop_t *loop, ltuya_uv_resolve_t *r, const char *name, uint32_t timeout_ms,
                     ltuya_uv_resolve_fn cb, void *user)
{
    memset(r, 0, sizeof *r);
    r->cb = cb;
    r->user = user;
    int rc = uv_timer_init(loop, &r->timer);
    if (rc != 0)
        return rc;
    r->timer.data = r;
    r->busy = 1;
    struct sockaddr_in6 a6;
    struct sockaddr_in a4;
    if (uv_ip4_addr(name, 0, &a4) == 0 || uv_ip6_addr(name, 0, &a6) == 0) {
        snprintf(r->addr, sizeof r->addr, "%s", name);
        return uv_timer_start(&r->timer, numeric_ready, 0, 0);
    }
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    r->req.data = r;
    rc = uv_getaddrinfo(loop, &r->req, resolved, name, NULL, &hints);
    if (rc != 0) {
        resolve_finish_timer(r);
        return rc;
    }
    r->busy++;
    return uv_timer_start(&r->timer, resolve_timeout, timeout_ms, 0);
}

bool ltuya_uv_resolve_busy(const ltuya_uv_resolve_t *r)
{
    return r->busy > 0;
}
