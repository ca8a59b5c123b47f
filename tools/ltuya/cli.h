/* Shared pieces of the ltuya command-line tool. */
#ifndef LTUYA_CLI_H
#define LTUYA_CLI_H

#define LTUYA_VERSION_STRING "0.1.0"

/* Exit codes (documented in docs/cli.md and `ltuya --help`). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,  /* the command ran but failed (e.g. a frame did not decode) */
    CLI_EXIT_USAGE = 2, /* bad arguments */
};

int cli_decode_main(int argc, char **argv);

#endif
