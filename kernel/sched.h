/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

/*
 * The scheduler, on every online CPU: round robin over one run queue, a
 * 10 ms slice counted by a 1 kHz tick (each CPU's local APIC timer, or
 * the PIT where there is no APIC: then there is one CPU), so that a
 * timed sleep (futex, nanosleep) ends within a millisecond of its time.
 * The kernel is not preemptible: a task switches only when it sleeps or
 * yields in the kernel, or when the tick finds its slice used up as it
 * returns to user mode, as in Linux without CONFIG_PREEMPT.
 *
 * Per CPU (struct percpu): current, the idle task, need_resched. A task
 * runs on any CPU its cpus_allowed lets it (kthread_bind() pins one);
 * a CPU with nothing to run halts in its idle task with interrupts on,
 * and a wake-up sends an idle CPU that may run the task a reschedule IPI.
 */
#include "kernel/types.h"
#include "kernel/list.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/task.h"

#define HZ		1000
#define SLICE_TICKS	10
#define TICK_NSEC	(1000000000UL / HZ)

/* Set by the tick: this CPU's task has used its slice. */
static inline bool need_resched(void)
{
	return READ_ONCE(this_cpu()->need_resched);
}

/* Boot CPU ticks since sched_init(). */
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

/* Context switches on cpu so far. */
unsigned long nr_context_switches_cpu(unsigned int cpu);

/* Wait queues, Linux's shape; the lock orders waiters against wakers. */
struct wait_queue_head {
	struct list_head head;
	spinlock_t lock;
};

struct wait_queue_entry {
	struct task_struct *task;
	struct list_head entry;
};

#define DECLARE_WAIT_QUEUE_HEAD(name) \
	struct wait_queue_head name = { LIST_HEAD_INIT(name.head), __SPIN_LOCK_UNLOCKED(name) }

static inline void init_waitqueue_head(struct wait_queue_head *wq)
{
	INIT_LIST_HEAD(&wq->head);
	spin_lock_init(&wq->lock, "wait_queue_head");
}

/*
 * Queue the caller on wq and set its state; then test, then schedule().
 * A wake_up_all() on another CPU after the state is set makes the
 * schedule() return at once (no lost wake-up).
 */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w,
		     int state);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w);
/* Wake every task queued on wq. */
void wake_up_all(struct wait_queue_head *wq);

/* Completions (Linux's): how a kernel thread is joined. */
struct completion {
	unsigned int done;
	struct wait_queue_head wait;
};

void init_completion(struct completion *c);
void complete(struct completion *c);
/* Sleep (uninterruptibly) until complete() was called. */
void wait_for_completion(struct completion *c);

/* Low level: the context switch (kernel/syscall_64.S). */
void __switch_to_asm(unsigned long *prev_sp, unsigned long next_sp);
/* A new task's first run (ret_from_fork): the end of the switch to it. */
void schedule_tail(void);

#endif
