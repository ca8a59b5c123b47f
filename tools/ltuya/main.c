/* ltuya: control Tuya Wi-Fi devices over the local network. Command dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
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
    {"refresh", cli_refresh_main, "make the device re-measure (energy) and print it"},
    {"watch", cli_watch_main, "stay connected: print pushes and live energy"},
    {"scan", cli_scan_main, "find devices on the network (UDP beacons)"},
    {"probe", cli_probe_main, "find the settings a device needs (version, quirks)"},
    {"sim", ltuya_sim_main, "run a simulated device on loopback"},
#ifdef LTUYA_WITH_BRIDGE
    {"bridge", ltuya_bridge_main, "every device on an MQTT broker (Home Assistant discovery)"},
#endif
};

static void usage(FILE *out)
{
    fprintf(out, "usage: ltuya COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'ltuya COMMAND --help' for a command's options and examples.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("ltuya %s\n", LTUYA_VERSION_STRING);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "ltuya: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
