/*
 * What every device command shares: which device (a name or id from
 * devices.json, or --ip --id --key --version [--port]), the options that
 * shape the connection, and how errors become messages and exit codes.
 */
#ifndef LTUYA_CLI_TARGET_H
#define LTUYA_CLI_TARGET_H

#include <stdbool.h>

#include "devices.h"
#include "ltuya/device.h"
#include "ltuya_posix.h"

typedef struct {
    /* from the command line */
    const char *name; /* DEVICE positional */
    const char *devices_file;
    const char *ip, *id, *key, *version;
    unsigned port;
    double timeout_s;
    bool json;
    int verbose;
    bool device22;
    /* resolved */
    cli_device_entry_t entry;
    ltuya_version_t ver;
    ltuya_posix_tcp_t tcp;
    ltuya_transport_t transport;
    ltuya_device_t dev;
    uint8_t rx[LTUYA_DEVICE_RX_SIZE];
    uint8_t tx[LTUYA_DEVICE_TX_SIZE];
} cli_target_t;

/* The option table every device command accepts (merged into its own). */
#define CLI_TARGET_LONGOPTS                                                                        \
    {"ip", required_argument, NULL, 1001}, {"id", required_argument, NULL, 1002},                  \
        {"key", required_argument, NULL, 1003}, {"version", required_argument, NULL, 'V'},         \
        {"port", required_argument, NULL, 1004}, {"devices", required_argument, NULL, 1005},       \
        {"timeout", required_argument, NULL, 't'}, {"json", no_argument, NULL, 'j'},               \
        {"verbose", no_argument, NULL, 'v'}, {"device22", no_argument, NULL, 1006},                \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }
#define CLI_TARGET_SHORTOPTS "V:t:jvh"

/* Handle one option of the shared table; false if it is not one of them. */
bool cli_target_option(cli_target_t *t, int opt, const char *arg);

/* Resolve the device and open it (not yet connected). Prints a message and
 * returns an exit code (non-zero) on failure. keep_alive for watch. */
int cli_target_open(cli_target_t *t, bool keep_alive);

/* Print the message a person can act on for a failed call; returns the exit code. */
int cli_target_fail(cli_target_t *t, ltuya_status_t st, const char *what);

/* Text of the shared options for --help. */
extern const char cli_target_help[];

void cli_target_close(cli_target_t *t);

#endif
