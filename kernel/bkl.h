/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_BKL_H
#define KERNEL_BKL_H

/*
 * The big kernel lock: INTERIM, until the mm has its own locks (zone
 * lock, slab lock, mmap_lock, page-table locks: issue 13's mm and
 * address-space work). With the scheduler on every CPU, the threads of
 * one process fault and make system calls on several CPUs at once, and
 * nothing in mm/, fs/ or the process core is safe against that yet. So,
 * as Linux's old BKL: a task takes it on every entry from ring 3 (system
 * call but sched_yield, which touches only the run queue and is what
 * polling loops call; exception; the work before returning there),
 * drops it on the
 * way back to ring 3; the console task (kshell) holds it whenever it
 * runs, since its commands and the boot tests drive the mm too. A holder
 * that sleeps or is switched out lets go in schedule() and takes it back
 * when it runs again. Kernel threads that only schedule (the idle tasks,
 * the scheduler tests) never take it.
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
