/* The engine: many devices from one thread; see engine.h. (API stubs: the
 * implementation follows.) */
#include "ltuya/engine.h"

#include <string.h>

void ltuya_engine_init(ltuya_engine_t *e, void (*on_interest)(void *user, ltuya_engine_dev_t *ed),
                       void *user)
{
    memset(e, 0, sizeof *e);
    e->on_interest = on_interest;
    e->user = user;
}

ltuya_status_t ltuya_engine_add(ltuya_engine_t *e, ltuya_engine_dev_t *ed, ltuya_device_t *d,
                                const ltuya_engine_dev_opts_t *opts)
{
    (void)e, (void)ed, (void)d, (void)opts;
    return LTUYA_ERR_UNSUPPORTED_VERSION;
}
void ltuya_engine_remove(ltuya_engine_dev_t *ed)
{
    (void)ed;
}
ltuya_engine_dev_t *ltuya_engine_first(const ltuya_engine_t *e)
{
    return e->head;
}
ltuya_engine_dev_t *ltuya_engine_next(const ltuya_engine_dev_t *ed)
{
    return ed->next;
}
size_t ltuya_engine_count(const ltuya_engine_t *e)
{
    return e->count;
}
uint64_t ltuya_engine_run_timers(ltuya_engine_t *e, uint64_t now_ms)
{
    (void)e, (void)now_ms;
    return UINT64_MAX;
}
uint64_t ltuya_engine_next_deadline(const ltuya_engine_t *e)
{
    (void)e;
    return UINT64_MAX;
}
int ltuya_engine_dev_socket(const ltuya_engine_dev_t *ed)
{
    (void)ed;
    return -1;
}
bool ltuya_engine_dev_want_write(const ltuya_engine_dev_t *ed)
{
    (void)ed;
    return false;
}
void ltuya_engine_dev_on_readable(ltuya_engine_dev_t *ed, uint64_t now_ms)
{
    (void)ed, (void)now_ms;
}
void ltuya_engine_dev_on_writable(ltuya_engine_dev_t *ed, uint64_t now_ms)
{
    (void)ed, (void)now_ms;
}
void ltuya_engine_dev_on_timer(ltuya_engine_dev_t *ed, uint64_t now_ms)
{
    (void)ed, (void)now_ms;
}
uint64_t ltuya_engine_dev_deadline(const ltuya_engine_dev_t *ed)
{
    (void)ed;
    return UINT64_MAX;
}
ltuya_device_t *ltuya_engine_dev_device(const ltuya_engine_dev_t *ed)
{
    return ed->dev;
}
void *ltuya_engine_dev_user(const ltuya_engine_dev_t *ed)
{
    return ed->opts.user;
}
size_t ltuya_engine_dev_pending(const ltuya_engine_dev_t *ed)
{
    return ed->q_len;
}
ltuya_status_t ltuya_engine_dev_open(ltuya_engine_dev_t *ed)
{
    (void)ed;
    return LTUYA_ERR_BAD_STATE;
}
void ltuya_engine_dev_close(ltuya_engine_dev_t *ed)
{
    (void)ed;
}
ltuya_status_t ltuya_engine_status(ltuya_engine_dev_t *ed, ltuya_engine_done_fn fn, void *cookie)
{
    (void)ed, (void)fn, (void)cookie;
    return LTUYA_ERR_BAD_STATE;
}
ltuya_status_t ltuya_engine_set(ltuya_engine_dev_t *ed, const ltuya_dp_t *dps, size_t n,
                                ltuya_engine_done_fn fn, void *cookie)
{
    (void)ed, (void)dps, (void)n, (void)fn, (void)cookie;
    return LTUYA_ERR_BAD_STATE;
}
ltuya_status_t ltuya_engine_refresh(ltuya_engine_dev_t *ed, const uint16_t *ids, size_t n,
                                    ltuya_engine_done_fn fn, void *cookie)
{
    (void)ed, (void)ids, (void)n, (void)fn, (void)cookie;
    return LTUYA_ERR_BAD_STATE;
}
ltuya_status_t ltuya_engine_heartbeat(ltuya_engine_dev_t *ed, ltuya_engine_done_fn fn, void *cookie)
{
    (void)ed, (void)fn, (void)cookie;
    return LTUYA_ERR_BAD_STATE;
}
size_t ltuya_engine_cancel(ltuya_engine_dev_t *ed, const void *cookie)
{
    (void)ed, (void)cookie;
    return 0;
}
size_t ltuya_engine_cancel_all(ltuya_engine_dev_t *ed)
{
    (void)ed;
    return 0;
}
