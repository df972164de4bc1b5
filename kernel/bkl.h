/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_BKL_H
#define KERNEL_BKL_H

/*
 * The big kernel lock: INTERIM, for what has no lock of its own yet.
 * As Linux's old BKL: a task takes it on every entry from ring 3 but
 * those below (system call, exception other than a page fault, the
 * signal work before returning there) and drops it on the way back to
 * ring 3; the console task (kshell) holds it whenever it runs, since its
 * commands and the boot tests drive the mm too. A holder that sleeps or
 * is switched out lets go in schedule() and takes it back when it runs
 * again. Kernel threads that only schedule (the idle tasks, the
 * scheduler tests) never take it.
 *
 * Off it (they take the locks of what they touch: README, Locking):
 * - user page faults and kernel-mode faults on user addresses
 *   (handle_mm_fault(): mmap_lock for read, the page-table locks); the
 *   signal for a fault that cannot be resolved takes it;
 * - mmap, munmap, mprotect, madvise, mremap, brk, mincore (mmap_lock,
 *   the page-table locks, shmem object locks, hugetlb_lock);
 * - sched_yield and clock_gettime (the run queue, the caller's timespec).
 *
 * Still under it, until their own locks exist: signals (delivery,
 * sigaction, masks), fork, exec, exit and wait (the task list, pids,
 * mm_users, the files), futexes (their one queue: the value check and
 * the sleep), the file system calls (fd tables, the ramfs, /proc and
 * /sys writes), the console's commands, and the reaping of dead tasks.
 *
 * Spinning for it is done with interrupts on: the holder may be waiting
 * for this CPU to answer a TLB shootdown.
 *
 * Everything lives in bkl_enter()/bkl_exit() and the two scheduler
 * hooks, so that removing it is one commit.
 */
#include "kernel/types.h"

struct task_struct;

/* Take it for current (nothing if current holds it already). */
void bkl_enter(void);
/* Let go of it, if current holds it. */
void bkl_exit(void);
/* Try once; true if current holds it now. */
bool bkl_tryenter(void);
/* schedule(): let go while switched out, and take it back after. */
void bkl_release_for_switch(struct task_struct *prev);
void bkl_reacquire_after_switch(struct task_struct *curr);

#endif
