/* Shared pieces of the ltuya command-line tool. */
#ifndef LTUYA_CLI_H
#define LTUYA_CLI_H

/* Exit codes (documented in docs/cli.md and each command's --help). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,          /* the command ran but failed (e.g. a frame did not decode) */
    CLI_EXIT_USAGE = 2,         /* bad arguments */
    CLI_EXIT_CONFIG = 3,        /* device not found in devices.json, or its entry is unusable */
    CLI_EXIT_CONNECT = 4,       /* nothing listens there / host unreachable / no TCP answer */
    CLI_EXIT_NO_REPLY = 5,      /* connected, but no reply in time */
    CLI_EXIT_KEY = 6,           /* wrong local key */
    CLI_EXIT_REJECTED = 7,      /* the device closed the connection after our first frame */
    CLI_EXIT_BUSY = 8,          /* the device closes every new connection (its slot is taken) */
    CLI_EXIT_DEVICE = 9,        /* the device refused the request (its error text is shown) */
    CLI_EXIT_UNCONFIRMED = 10,  /* a write was acknowledged but the device did not take the value */
    CLI_EXIT_INTERRUPTED = 130, /* Ctrl-C (128 + SIGINT) */
};

int cli_decode_main(int argc, char **argv);
int cli_get_main(int argc, char **argv);
int cli_set_main(int argc, char **argv);
int cli_switch_main(int argc, char **argv); /* on, off, toggle */
int cli_refresh_main(int argc, char **argv);
int cli_snapshot_main(int argc, char **argv); /* every device at once, one JSON document */
int cli_watch_main(int argc, char **argv);
int cli_scan_main(int argc, char **argv);
int cli_probe_main(int argc, char **argv);
int cli_light_main(int argc, char **argv); /* cmd_light.c */
int cli_complete_main(int argc, char **argv); /* hidden: for the shell completions */

#endif
