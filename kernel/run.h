/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_RUN_H
#define KERNEL_RUN_H

/*
 * Run a program in the foreground, as the console's `run` does: Ctrl-C
 * on the console sends SIGINT, a second one SIGKILL. Returns the wait
 * status, or a negative errno when it could not start.
 */
int run_foreground(int argc, char **argv);

/* rdinit=PATH on the command line: run it once, at the end of boot. */
void run_rdinit(void);

#endif
