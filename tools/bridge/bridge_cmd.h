/* The `ltuya bridge` subcommand's entry point, for tools/ltuya/main.c. */
#ifndef LTUYA_BRIDGE_CMD_H
#define LTUYA_BRIDGE_CMD_H

int ltuya_bridge_main(int argc, char **argv);

#endif
