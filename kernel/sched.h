/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

/*
 * The scheduler: one CPU, round robin over the run queue, a 10 ms slice
 * counted by a 1 kHz tick (the local APIC timer, or the PIT where there
 * is no APIC), so that a timed sleep (futex, nanosleep) ends within a
 * millisecond of its time. The kernel is not preemptible: a task switches only when it
 * sleeps or yields in the kernel, or when the timer finds its slice used
 * up as it returns to user mode. That keeps the buddy, the slab and the
 * page tables free of locks, as in Linux without CONFIG_PREEMPT.
 *
 * When the run queue is empty the idle task halts until an interrupt.
 */
#include "kernel/types.h"
#include "kernel/list.h"
#include "kernel/task.h"

#define HZ		1000
#define SLICE_TICKS	10
#define TICK_NSEC	(1000000000UL / HZ)

/* Set by the timer: the running task has used its slice. */
extern bool need_resched;
extern unsigned long jiffies;

/* The idle task and the timer; the boot context becomes "kshell". */
void sched_init(void);
bool sched_running(void);

/* Give up the CPU; the caller set its state first if it wants to sleep. */
void schedule(void);
/* Put a sleeping (or new) task on the run queue; true if it was asleep. */
bool wake_up_process(struct task_struct *t);
/* Sleep (TASK_INTERRUPTIBLE) for ns or until woken: the ns left, or 0. */
u64 schedule_timeout(u64 ns);
/* The task is leaving for good: off the run queue, never picked again. */
void sched_remove(struct task_struct *t);

/* Wait queues, Linux's shape. */
struct wait_queue_head {
	struct list_head head;
};

struct wait_queue_entry {
	struct task_struct *task;
	struct list_head entry;
};

static inline void init_waitqueue_head(struct wait_queue_head *wq)
{
	INIT_LIST_HEAD(&wq->head);
}

/* Queue the caller on wq and set its state; then test, then schedule(). */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w,
		     int state);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w);
/* Wake every task queued on wq. */
void wake_up_all(struct wait_queue_head *wq);

/* Low level: the context switch (kernel/switch.S). */
void __switch_to_asm(unsigned long *prev_sp, unsigned long next_sp);

#endif
