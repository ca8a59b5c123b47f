/* Read the status of many devices at once from one thread with plain
 * poll(): the engine's readiness loop without any event library (the same
 * loop works with lwip_select() on a microcontroller).
 *
 *   engine_poll HOST:PORT:ID:KEY:VERSION ...
 *
 * Prints one line per device; exits 1 if any failed. */
#include <poll.h>

#include "fleet.h"
#include "ltuya/engine.h"

static void done(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    fleet_dev_t *d = cookie;
    (void)ed;
    d->done = 1;
    d->status = r->status;
}

int main(int argc, char **argv)
{
    int n = argc - 1, failed = 0, left = n;
    if (n < 1) {
        fprintf(stderr, "usage: %s HOST:PORT:ID:KEY:VERSION ...\n", argv[0]);
        return 2;
    }
    ltuya_posix_init();
    fleet_dev_t *devs = calloc((size_t)n, sizeof *devs);
    ltuya_engine_dev_t *eds = calloc((size_t)n, sizeof *eds);
    struct pollfd *pfd = calloc((size_t)n, sizeof *pfd);
    ltuya_engine_dev_t **who = calloc((size_t)n, sizeof *who);
    if (!devs || !eds || !pfd || !who)
        return 1;
    ltuya_engine_t e;
    ltuya_engine_init(&e, NULL, NULL); /* a poll() loop re-reads every handle each turn */
    for (int i = 0; i < n; i++) {
        if (fleet_dev_init(&devs[i], argv[i + 1]) != 0)
            return 2;
        ltuya_engine_add(&e, &eds[i], &devs[i].dev, NULL);
        ltuya_engine_status(&eds[i], done, &devs[i]);
    }
    const ltuya_clock_t *clk = ltuya_posix_clock();
    while (left > 0) {
        /* what to watch: every device's handle, writable only when it wants */
        nfds_t k = 0;
        for (ltuya_engine_dev_t *ed = ltuya_engine_first(&e); ed; ed = ltuya_engine_next(ed)) {
            int fd = ltuya_engine_dev_socket(ed);
            if (fd < 0)
                continue;
            pfd[k].fd = fd;
            pfd[k].events = (short)(POLLIN | (ltuya_engine_dev_want_write(ed) ? POLLOUT : 0));
            pfd[k].revents = 0;
            who[k++] = ed;
        }
        uint64_t now = clk->now_ms(clk->ctx), next = ltuya_engine_next_deadline(&e);
        int timeout = next == UINT64_MAX ? 1000 : next <= now ? 0 : (int)(next - now);
        if (poll(pfd, k, timeout) < 0)
            break;
        now = clk->now_ms(clk->ctx);
        for (nfds_t i = 0; i < k; i++) {
            if (pfd[i].revents & (POLLOUT | POLLERR | POLLHUP))
                ltuya_engine_dev_on_writable(who[i], now);
            /* the handle may belong to a new connection by now: only the same one reads */
            if ((pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) &&
                ltuya_engine_dev_socket(who[i]) == pfd[i].fd)
                ltuya_engine_dev_on_readable(who[i], now);
        }
        ltuya_engine_run_timers(&e, now);
        left = 0;
        for (int i = 0; i < n; i++)
            left += !devs[i].done;
    }
    for (int i = 0; i < n; i++) {
        fleet_print(&devs[i]);
        failed += devs[i].status != LTUYA_OK;
        ltuya_engine_remove(&eds[i]);
        ltuya_device_deinit(&devs[i].dev);
    }
    free(devs);
    free(eds);
    free(pfd);
    free(who);
    return failed ? 1 : 0;
}
