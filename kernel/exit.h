/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_EXIT_H
#define KERNEL_EXIT_H

#include "kernel/types.h"
#include "kernel/task.h"

#define WNOHANG		1
#define WUNTRACED	2
#define __WALL		0x40000000
#define __WCLONE	0x80000000

/* The calling thread ends with wait status `code` (already encoded). */
__noreturn void do_exit(int code);
/* Every thread of the caller's process ends; status `code`. */
__noreturn void do_group_exit(int code);
/* The end of a kernel thread's function. */
__noreturn void kthread_exit(void);

/*
 * Wait, from the kernel, for process pid to exit and reap it (processes
 * the kernel started have no parent). -EINTR if interrupted by the
 * console's Ctrl-C check (see wait_fn); *status is the wait4 status.
 * poll, when set, is called every 10 ms while waiting.
 */
int kernel_wait(int pid, int *status, void (*poll)(int pid));
/*
 * execve's de_thread() made another thread the leader: the old leader,
 * a zombie off every list, gives back its pid and is freed.
 */
void release_old_leader(struct task_struct *old);
/* Free the memory of tasks that exited (called after a task switch). */
void reap_dead_tasks(void);

#endif
