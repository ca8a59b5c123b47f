/* Read the status of many devices at once through libuv (the adapter in
 * tools/common/ltuya_uv.h), then switch DP 1 of the first one and say what
 * proves the write.
 *
 *   engine_libuv HOST:PORT:ID:KEY:VERSION ...
 *
 * Prints one line per device and one for the write; exits 1 if any failed. */
#include "fleet.h"
#include "ltuya_uv.h"

static int failed;
static fleet_dev_t *first; /* the device whose DP 1 is switched */

static void write_done(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    fleet_dev_t *d = cookie;
    static const char *proof[] = {"none", "acknowledged only", "confirmed", "contradicted"};
    (void)ed;
    printf("%s set 1: %s (%s)\n", d->id, ltuya_status_name(r->status), proof[r->proof]);
    failed += r->status != LTUYA_OK || r->proof != LTUYA_PROOF_CONFIRMED;
}

static void read_done(void *cookie, ltuya_engine_dev_t *ed, const ltuya_engine_result_t *r)
{
    fleet_dev_t *d = cookie;
    d->done = 1;
    d->status = r->status;
    fleet_print(d);
    failed += r->status != LTUYA_OK;
    /* a request from inside a callback: the engine queues it */
    ltuya_dp_t cur;
    if (r->status == LTUYA_OK && d == first && ltuya_device_cached(&d->dev, 1, &cur) == LTUYA_OK &&
        cur.type == LTUYA_DP_BOOL) {
        ltuya_dp_t v = ltuya_dp_bool(1, !cur.b);
        ltuya_engine_set(ed, &v, 1, write_done, d);
    }
}

int main(int argc, char **argv)
{
    int n = argc - 1;
    if (n < 1) {
        fprintf(stderr, "usage: %s HOST:PORT:ID:KEY:VERSION ...\n", argv[0]);
        return 2;
    }
    ltuya_posix_init();
    fleet_dev_t *devs = calloc((size_t)n, sizeof *devs);
    ltuya_uv_dev_t *uds = calloc((size_t)n, sizeof *uds);
    if (!devs || !uds)
        return 1;
    first = &devs[0];
    ltuya_uv_t u;
    ltuya_uv_init(&u, uv_default_loop());
    for (int i = 0; i < n; i++) {
        if (fleet_dev_init(&devs[i], argv[i + 1]) != 0)
            return 2;
        ltuya_engine_dev_opts_t o = {0};
        o.user = &devs[i];
        if (ltuya_uv_add(&u, &uds[i], &devs[i].dev, &o) != 0)
            return 1;
        ltuya_engine_status(&uds[i].ed, read_done, &devs[i]);
    }
    uv_run(u.loop, UV_RUN_DEFAULT); /* returns when no device has work left */
    for (int i = 0; i < n; i++) {
        failed += !devs[i].done;
        ltuya_uv_remove(&uds[i], NULL);
    }
    uv_run(u.loop, UV_RUN_DEFAULT); /* let libuv close the handles */
    for (int i = 0; i < n; i++)
        ltuya_device_deinit(&devs[i].dev);
    uv_loop_close(u.loop);
    free(devs);
    free(uds);
    return failed ? 1 : 0;
}
