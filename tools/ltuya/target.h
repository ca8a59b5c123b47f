/*
 * What every device command shares: which device (a name or id from
 * devices.json, or --ip --id --key --version [--port]), the options that
 * shape the connection, its positional arguments, and how errors become
 * messages and exit codes.
 */
#ifndef LTUYA_CLI_TARGET_H
#define LTUYA_CLI_TARGET_H

#include <stdbool.h>

#include "devices.h"
#include "ltuya/device.h"
#include "ltuya_posix.h"

#define CLI_MAX_POS 32

typedef void (*cli_push_fn)(void *user, const ltuya_dps_t *dps);

typedef struct {
    /* from the command line */
    const char *name; /* DEVICE positional */
    const char *devices_file;
    const char *ip, *id, *key;
    bool version_given;
    ltuya_version_t ver; /* -V, else devices.json, else 3.3 */
    unsigned port;       /* 0: devices.json's, else 6668 */
    double timeout_s;
    bool json;
    int verbose;
    bool device22;
    bool addresses_only; /* several devices: no beacon search, no name lookup (they block) */
    const char *pos[CLI_MAX_POS]; /* positionals after DEVICE */
    int npos;
    /* resolved by cli_target_open */
    cli_device_entry_t entry;
    const char *host, *dev_id;
    unsigned rport;
    ltuya_energy_map_t energy;
    ltuya_posix_tcp_t tcp;
    ltuya_transport_t transport;
    ltuya_device_t dev;
    uint8_t rx[LTUYA_DEVICE_RX_SIZE];
    uint8_t tx[LTUYA_DEVICE_TX_SIZE];
    /* every status push goes to both: the write confirmation, then the command */
    cli_push_fn on_push;
    void *push_user;
    cli_push_fn confirm_push;
    void *confirm_user;
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

/* Handle one option of the shared table: 1 handled, 0 not one of them,
 * -1 a bad value (the message is printed: exit CLI_EXIT_USAGE). */
int cli_target_option(cli_target_t *t, int opt, const char *arg);

/* Take the positionals from argv[first..argc): DEVICE first unless --ip was
 * given, then at most max_extra more (into pos[]). Prints the usage error and
 * returns CLI_EXIT_USAGE on a missing DEVICE or extra arguments. */
int cli_target_positionals(cli_target_t *t, int argc, char **argv, int first, int max_extra,
                           const char *cmd);

/* Resolve the device and open it (not yet connected). Prints a message and
 * returns an exit code (non-zero) on failure. keep_alive: one connection for
 * every call of the command. */
int cli_target_open(cli_target_t *t, bool keep_alive);

/* Print the message a person can act on for a failed call; returns the exit code. */
int cli_target_fail(cli_target_t *t, ltuya_status_t st, const char *what);

/* Print "{"id":..,"name":.." (no closing brace) for the JSON answers. */
void cli_target_json_head(const cli_target_t *t);

/* Text of the shared options for --help. */
extern const char cli_target_help[];

void cli_target_close(cli_target_t *t);

#endif
