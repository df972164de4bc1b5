/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include "kernel/types.h"

#define EXEC_MAX_ARGS	256
#define EXEC_MAX_STRINGS	(64 * 1024)

/*
 * Start the static program at path (in the initramfs) as a new process
 * with no parent, argv[0..argc) as its arguments and an empty
 * environment (PATH=/bin). Its pid, or a negative errno (-ENOENT,
 * -ENOEXEC: not a static x86_64 ELF executable, -E2BIG, -ENOMEM).
 * Reap it with kernel_wait().
 */
int user_spawn(const char *path, int argc, char *const argv[]);

#endif
