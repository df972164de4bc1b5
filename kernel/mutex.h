/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_MUTEX_H
#define KERNEL_MUTEX_H

/*
 * Sleeping locks, Linux's mutex: one owner, who must unlock it; a task
 * that finds it taken sleeps on its wait queue (uninterruptibly) until
 * the owner lets go and wakes the first waiter. For paths that may
 * sleep while holding it (allocation, I/O, faults); never from an
 * interrupt handler, never under a spinlock (lockdep reports both).
 * No optimistic spinning and no hand-off: a woken waiter competes with
 * newcomers, which is fair enough for the few users here.
 */
#include "kernel/lockdep.h"
#include "kernel/sched.h"
#include "kernel/types.h"

struct task_struct;

struct mutex {
	struct task_struct *owner;	/* NULL when free */
	struct wait_queue_head wait;
	struct lockdep_map dep_map;
};

#define DEFINE_MUTEX(m)							\
	struct mutex m = {						\
		.owner = NULL,						\
		.wait = { LIST_HEAD_INIT(m.wait.head), __SPIN_LOCK_UNLOCKED(m.wait) }, \
		.dep_map = STATIC_LOCKDEP_MAP_INIT(#m),			\
	}

/* Its lockdep class is the text of the argument, as Linux's init site. */
#define mutex_init(m)	__mutex_init((m), #m)
void __mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
/* true when taken; never sleeps. */
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_is_locked(struct mutex *m);

#endif
