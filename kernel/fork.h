/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_FORK_H
#define KERNEL_FORK_H

#include "kernel/task.h"

#define CSIGNAL			0x000000ff
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_PIDFD		0x00001000
#define CLONE_PTRACE		0x00002000
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_NEWNS		0x00020000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_DETACHED		0x00400000
#define CLONE_UNTRACED		0x00800000
#define CLONE_CHILD_SETTID	0x01000000

/*
 * A new user task, not yet runnable, with a fresh kernel stack whose
 * user frame is a copy of the caller's; mm, files and handlers as flags
 * say. ERR: *err set, NULL returned.
 */
struct task_struct *copy_process(unsigned long flags, unsigned long newsp,
				 unsigned long tls, int *err);
/*
 * A new process for the kernel to start a program in (the console's
 * `run`, tests): an empty mm, console files, no parent. It is not on
 * any list until start_user_process() makes it runnable; until then
 * discard_user_process() undoes it.
 */
struct task_struct *create_user_process(const char *comm, int *err);
void start_user_process(struct task_struct *p);
void discard_user_process(struct task_struct *p);
/* The vfork child execs or exits: let the parent continue. */
void vfork_done(struct task_struct *t);

#endif
