/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_RWSEM_H
#define KERNEL_RWSEM_H

/*
 * Reader-writer semaphores: a sleeping lock that many readers or one
 * writer hold (Linux's struct rw_semaphore; mm's mmap_lock is one).
 *
 * Fair, first come first served: a reader gets the lock at once only
 * when no one waits, so a waiting writer holds back the readers that
 * come after it and is never starved by a stream of them; waiters are
 * queued in arrival order. A release hands the lock over: it is granted
 * to the waiter at the head (and, when that is a reader, to every reader
 * queued behind it up to the next writer) before they are woken, so no
 * newcomer can take it in between and no wake-up can be lost (a waiter
 * tests its own "granted" flag, set under the lock, after setting its
 * state to sleeping).
 *
 * Taking and releasing it uncontended is one atomic on its count (the
 * page-fault path takes mmap_lock for read on every fault); waiting and
 * handing over go through wait_lock (rwsem.c has the count's layout).
 *
 * The lock sits with the kernel core, below mm/, but sleeping is the
 * scheduler's: it lends its way in with rwsem_set_sleeper(). Before that
 * (early boot, one task) a waiter spins. Never taken with interrupts off
 * or in interrupt context (but by a trylock).
 *
 * lockdep (kernel/lockdep.h) sees readers and writers: its class is the
 * name (every mm's mmap_lock is one class), down_read()/down_write()
 * under a spinlock or with interrupts off are reported, so are an
 * upgrade (down_write() while this task holds it for read) and any
 * order that closes a cycle through it. Read after read by one task is
 * allowed.
 */
#include "kernel/types.h"
#include "kernel/list.h"
#include "kernel/lockdep.h"
#include "kernel/spinlock.h"

struct rw_semaphore {
	spinlock_t wait_lock;		/* wait_list, and the hand-over */
	long count;			/* atomic: readers, writer, queued (rwsem.c) */
	struct list_head wait_list;	/* struct rwsem_waiter, oldest first */
	const char *name;
	struct lockdep_map dep_map;
};

#define __RWSEM_INITIALIZER(n)						\
	{ __SPIN_LOCK_UNLOCKED(n.wait_lock), 0,				\
	  { &(n).wait_list, &(n).wait_list }, #n,			\
	  STATIC_LOCKDEP_MAP_INIT(#n) }
#define DECLARE_RWSEM(n)	struct rw_semaphore n = __RWSEM_INITIALIZER(n)

void init_rwsem(struct rw_semaphore *sem, const char *name);
void down_read(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
/* true: taken; never sleeps. */
bool down_read_trylock(struct rw_semaphore *sem);
bool down_write_trylock(struct rw_semaphore *sem);
/* For assertions: held by someone for write / for read. */
bool rwsem_is_write_locked(struct rw_semaphore *sem);
bool rwsem_is_locked(struct rw_semaphore *sem);

/*
 * How a waiter sleeps: task() names the caller, prepare() marks it
 * asleep (TASK_UNINTERRUPTIBLE) before the lock's own spinlock is
 * dropped, sleep() gives up the CPU until wake(task), finish() marks it
 * running again.
 */
struct rwsem_sleeper {
	void *(*task)(void);
	void (*prepare)(void);
	void (*sleep)(void);
	void (*finish)(void);
	void (*wake)(void *task);
};
void rwsem_set_sleeper(const struct rwsem_sleeper *s);

#endif
