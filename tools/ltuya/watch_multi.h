/* ltuya watch on several devices: DEVICE,DEVICE... or --all. */
#ifndef LTUYA_CLI_WATCH_MULTI_H
#define LTUYA_CLI_WATCH_MULTI_H

#include <stdbool.h>

#include "target.h"

typedef struct {
    bool all;          /* every device of devices.json */
    double interval_s; /* energy refresh period */
    double duration_s; /* --for, 0: until Ctrl-C */
} cli_watch_opts_t;

/* tmpl: the parsed options, tmpl->name the comma list (unless all). Runs
 * until Ctrl-C, SIGTERM or --for. Exit status: 0, or the code of devices
 * that could not be opened or read at first (shared, else 1). */
int cli_watch_several(const cli_target_t *tmpl, const cli_watch_opts_t *opts);

#endif
