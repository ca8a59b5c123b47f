/* ltuya: control Tuya Wi-Fi devices over the local network. Command dispatch. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ltuya/version.h"
#include "sim.h"
#ifdef LTUYA_WITH_BRIDGE
#include "bridge_cmd.h"
#endif

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_t;

static const command_t commands[] = {
    {"decode", cli_decode_main, "decode captured frames (hex) into JSON"},
    {"get", cli_get_main, "read a device's data points and energy"},
    {"set", cli_set_main, "write data points: ltuya set DEVICE 1=true 9=300"},
    {"on", cli_switch_main, "switch the relay on"},
    {"off", cli_switch_main, "switch the relay off"},
    {"toggle", cli_switch_main, "switch the relay over"},
    {"light", cli_light_main, "bulbs: --brightness, --colour, --temp, --mode (typed, checked)"},
    {"refresh", cli_refresh_main, "make the device re-measure (energy) and print it"},
    {"snapshot", cli_snapshot_main, "every device's state as one JSON document"},
    {"watch", cli_watch_main, "stay connected: print pushes and live energy"},
    {"scan", cli_scan_main, "find devices on the network (UDP beacons)"},
    {"probe", cli_probe_main, "find the settings a device needs (version, quirks)"},
    {"sim", ltuya_sim_main, "run a simulated device on loopback"},
#ifdef LTUYA_WITH_BRIDGE
    {"bridge", ltuya_bridge_main, "every device on an MQTT broker (Home Assistant discovery)"},
#endif
};

/* The "commands:" list below ("  name  summary" lines up to a blank line) is
 * also read by docs/man/gen.sh (one man page per command) and the shell
 * completions (contrib/completion): keep its shape, and a new command gets its
 * page and completion from its entry in commands[] and its --help. */
static void usage(FILE *out)
{
    fprintf(out, "usage: ltuya COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-8s %s\n", "help", "help COMMAND: the same as COMMAND --help");
    fprintf(out, "  %-8s %s\n", "version", "print the version (also --version)");
    fprintf(out, "\nRun 'ltuya COMMAND --help' for a command's options and examples;\n"
                 "'man ltuya-COMMAND' has the same with more detail.\n");
}

/* `ltuya version` / `--version`: the tool's version, and the library's if a
 * shared libltuya of another version was loaded. */
static int print_version(void)
{
    if (strcmp(ltuya_version(), LTUYA_VERSION_STRING))
        printf("ltuya %s (library %s)\n", LTUYA_VERSION_STRING, ltuya_version());
    else
        printf("ltuya %s\n", LTUYA_VERSION_STRING);
    return 0;
}

static const command_t *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return &commands[i];
    return NULL;
}

/* Ctrl-C in a one-shot command: stop at once, with the shell's code for
 * SIGINT, and without a message blaming the device (watch and sim install
 * their own handler to stop cleanly). */
static void on_interrupt(int sig)
{
    (void)sig;
    static const char msg[] = "\nltuya: interrupted\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(CLI_EXIT_INTERRUPTED);
}

/* Output that did not reach its file (a full disk, /dev/full, a closed pipe)
 * is a failure, not a success. */
static int check_stdout(int rc)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    fprintf(stderr, "ltuya: cannot write the output: %s\n", errno ? strerror(errno) : "error");
    return rc ? rc : CLI_EXIT_FAIL;
}

int main(int argc, char **argv)
{
    signal(SIGINT, on_interrupt);
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "help") && argc >= 3) {
        /* ltuya help CMD: exactly what CMD --help prints */
        const command_t *cmd = find_command(argv[2]);
        if (!cmd || argc > 3) {
            fprintf(stderr, "ltuya help: %s '%s'\n", cmd ? "extra argument" : "unknown command",
                    cmd ? argv[3] : argv[2]);
            return CLI_EXIT_USAGE;
        }
        char *help_argv[] = {argv[2], "--help", NULL};
        return check_stdout(cmd->run(2, help_argv));
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return check_stdout(0);
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))
        return check_stdout(print_version());
    if (!strcmp(argv[1], "__complete"))
        return check_stdout(cli_complete_main(argc - 1, argv + 1));
    const command_t *cmd = find_command(argv[1]);
    if (cmd)
        return check_stdout(cmd->run(argc - 1, argv + 1));
    fprintf(stderr, "ltuya: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
