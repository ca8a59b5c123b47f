#include "confirm.h"

#include <stdio.h>

#include "cli.h"
#include "value.h"

/* How long to wait for the push before reading the state: real plugs push
 * tens of milliseconds after the ACK (once the relay has moved). */
#define PUSH_WAIT_MS 1500

typedef struct {
    const ltuya_dp_t *want;
    size_t n;
    bool seen[CLI_MAX_POS];
    size_t confirmed;
} pending_t;

static void on_push(void *user, const ltuya_dps_t *dps)
{
    pending_t *p = user;
    for (size_t i = 0; i < p->n; i++) {
        const ltuya_dp_t *got = ltuya_dps_find(dps, p->want[i].id);
        if (!p->seen[i] && got && cli_value_equal(got, &p->want[i])) {
            p->seen[i] = true;
            p->confirmed++;
        }
    }
}

int cli_write_confirmed(cli_target_t *t, const ltuya_dp_t *dps, size_t n, const char *what)
{
    static ltuya_dps_t now; /* large */
    pending_t p = {dps, n < CLI_MAX_POS ? n : CLI_MAX_POS, {false}, 0};
    t->confirm_push = on_push;
    t->confirm_user = &p;
    ltuya_status_t st = ltuya_device_set(&t->dev, dps, n);
    if (st != LTUYA_OK) {
        t->confirm_push = NULL;
        return cli_target_fail(t, st, what);
    }
    const ltuya_clock_t *clk = ltuya_posix_clock();
    uint64_t end = clk->now_ms(NULL) + PUSH_WAIT_MS;
    while (p.confirmed < p.n && clk->now_ms(NULL) < end)
        if (ltuya_device_run(&t->dev, 50) != LTUYA_OK)
            break;
    int rc = CLI_EXIT_OK;
    if (p.confirmed < p.n) {
        /* no push (or not all of it): the device's state decides */
        st = ltuya_device_status(&t->dev, &now);
        if (st != LTUYA_OK) {
            fprintf(stderr,
                    "ltuya %s: sent and acknowledged, but reading the state back to "
                    "check it failed:\n",
                    what);
            cli_target_fail(t, st, "the check");
            rc = CLI_EXIT_UNCONFIRMED;
        }
        for (size_t i = 0; st == LTUYA_OK && i < p.n; i++) {
            if (p.seen[i])
                continue;
            const ltuya_dp_t *got = ltuya_dps_find(&now, dps[i].id);
            if (got && cli_value_equal(got, &dps[i]))
                continue;
            rc = CLI_EXIT_UNCONFIRMED;
            if (!got) {
                fprintf(stderr,
                        "ltuya %s: sent; the device acknowledged but has no DP %u (it reports "
                        "%zu DPs; 'ltuya get' lists them)\n",
                        what, dps[i].id, now.count);
                continue;
            }
            fprintf(stderr,
                    "ltuya %s: sent; the device acknowledged but did not change DP %u "
                    "(it is still ",
                    what, dps[i].id);
            cli_value_print(stderr, got);
            fprintf(stderr, ", not ");
            cli_value_print(stderr, &dps[i]);
            fprintf(stderr, ")\n");
        }
    }
    t->confirm_push = NULL;
    return rc;
}
