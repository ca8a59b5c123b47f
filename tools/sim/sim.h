/* The device simulator, run as `ltuya sim ...`. */
#ifndef LTUYA_SIM_H
#define LTUYA_SIM_H

/* Entry point: argv[0] is "sim". Returns the process exit code. */
int ltuya_sim_main(int argc, char **argv);

#endif
