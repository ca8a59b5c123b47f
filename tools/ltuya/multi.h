/*
 * Several devices in one command (get, set, on, off, toggle, refresh,
 * snapshot with DEVICE,DEVICE... or --all): every device runs on the
 * engine (ltuya/engine.h) from one libuv loop, at most `jobs` of them at a
 * time, no threads and no blocking call per device. The command supplies
 * what one device does (start) and how its end is shown (report); this
 * file owns the device list, the concurrency bound, the loop and the exit
 * status.
 */
#ifndef LTUYA_CLI_MULTI_H
#define LTUYA_CLI_MULTI_H

#include <stdbool.h>
#include <stddef.h>

#include "ltuya/engine.h"
#include "target.h"

#define CLI_MULTI_JOBS 64 /* default --jobs: enough to overlap round trips, few fds */

typedef struct cli_multi cli_multi_t;

typedef struct {
    cli_target_t *t; /* the device (the command's state holds it) */
    void *state;     /* the command's per-device state */
    cli_multi_t *m;
    int rc;            /* 0, or the device's exit code */
    const char *error; /* why it failed, one line (no key in it) */
    bool added, done;
} cli_multi_dev_t;

struct cli_multi {
    const char *verb;
    unsigned jobs;
    cli_multi_dev_t *devs;
    size_t n;
    /* Queue the device's first request (engine calls through
     * cli_multi_engine(d)), or return an exit code after cli_multi_fail. */
    int (*start)(cli_multi_dev_t *d);
    /* Print the device's block or JSON line once it ended (rc, error set). */
    void (*report)(cli_multi_dev_t *d);
    /* internals */
    void *uv;
    size_t next, running;
};

/* The names: "A,B,C" (one DEVICE argument) or every entry of the devices
 * file with --all. *names is malloc'd (free it and (*names)[0]'s text with
 * cli_multi_names_free). 0 or an exit code after a message. */
int cli_multi_names(const char *list, bool all, const char *devices_file, char ***names, size_t *n);
void cli_multi_names_free(char **names, size_t n);

/* Run: opens every device's target (failures become that device's error),
 * starts up to `jobs`, and returns when all ended. Exit status: 0 if all
 * succeeded; the failures' exit code when they all share it, else 1. The
 * failed devices are named on stderr. */
int cli_multi_run(cli_multi_t *m);

ltuya_engine_dev_t *cli_multi_engine(cli_multi_dev_t *d);

/* The device ended: rc 0 for success. st / what: the failed request, for the
 * message (cli_target_fail's, prefixed with the device's name) and the
 * exit code; pass rc for a failure that has its own message already. */
void cli_multi_done(cli_multi_dev_t *d, int rc);
void cli_multi_fail(cli_multi_dev_t *d, ltuya_status_t st, const char *what);

/* The device's label for messages: "Name (id)" or "id". */
const char *cli_multi_label(const cli_multi_dev_t *d);

#endif
