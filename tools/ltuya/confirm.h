/*
 * A write counts only when the device confirms it: Tuya devices acknowledge
 * every CONTROL frame, including writes they then drop (an unknown DP, a
 * value of the wrong type, a switch DP the device does not have). The proof
 * is the new value in the device's status push, or, when it pushes nothing,
 * in a status read.
 */
#ifndef LTUYA_CLI_CONFIRM_H
#define LTUYA_CLI_CONFIRM_H

#include "target.h"

/* Write dps[0..n) and wait for the device to show each value. 0 when every
 * value is confirmed; otherwise a message ("sent; the device acknowledged but
 * did not change DP 1") and CLI_EXIT_UNCONFIRMED, or the exit code of the
 * failed call. The target must be open with keep_alive. */
int cli_write_confirmed(cli_target_t *t, const ltuya_dp_t *dps, size_t n, const char *what);

#endif
