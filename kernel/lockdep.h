/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_LOCKDEP_H
#define KERNEL_LOCKDEP_H

/*
 * lockdep-lite: Linux's lock validator cut down to its two commonest
 * finds, on in debug builds (CONFIG_LOCKDEP) and no-ops otherwise.
 *
 * - Order. Each lock class (a name: one spinlock's, or a lockdep_map's)
 *   is a node; taking B while A is the lock most recently taken on this
 *   CPU (or, for sleeping locks, by this task) adds the edge A -> B and
 *   remembers where A and B were taken. An edge that closes a cycle
 *   (B -> ... -> A seen, now A -> B) is reported once, with the sites of
 *   both orders, and is not added.
 * - Sleeping in atomic context. might_sleep(), mutex_lock(), down_read(),
 *   down_write() and schedule() while this CPU holds a spinlock (and all
 *   but schedule() with interrupts off) are reported with the site that
 *   took the spinlock.
 * - Recursion on one sleeping lock. A task that takes a lock it holds
 *   (a mutex again, an rwsem for write while holding it for read, the
 *   upgrade that never completes, or for anything while holding it for
 *   write) is reported with both sites. Taking an rwsem for read again
 *   while holding it for read is allowed (mm's fault-in under a read of
 *   the same mmap_lock would be one).
 *
 * rwsems (mmap_lock) order like mutexes, readers and writers alike: a
 * fair rwsem blocks a new reader behind a waiting writer, so a cycle
 * through a read acquisition deadlocks as surely as through a write.
 * Two instances of one class (fork's parent and child mmap_lock) nest
 * without an edge, as Linux's down_write_nested().
 *
 * Interrupt handlers start a fresh chain (do_trap counts them): the
 * locks of the code they interrupted are not an order they chose.
 * Trylocks are pushed but add no edge (they cannot wait). Locks of one
 * class nested in each other add no edge either. The big kernel lock is
 * outside all this (raw_spin_lock): it is dropped across sleeps by
 * design and is going away.
 */
#include "kernel/types.h"

#define LOCKDEP_HELD_MAX	16

struct lockdep_map {
	const char *name;
	int class_id;			/* 0 until first taken; then index + 1 */
};

struct held_lock {
	int class_id;
	bool sleeping;
	bool read;			/* an rwsem held for read */
	int irq;			/* the interrupt nesting it was taken in */
	unsigned long ip;		/* where it was taken */
	const struct lockdep_map *map;	/* a sleeping lock's instance */
};

/* A task's sleeping locks (mutexes, rwsems): they go with it across CPUs. */
struct lockdep_task {
	struct held_lock held[LOCKDEP_HELD_MAX];
	int depth;
};

#define STATIC_LOCKDEP_MAP_INIT(n)	{ .name = (n), .class_id = 0 }

#ifdef CONFIG_LOCKDEP
void lock_acquire(struct lockdep_map *m, unsigned long ip, bool trylock);
/* An rwsem taken for read (lock_acquire(): exclusive). */
void lock_acquire_shared(struct lockdep_map *m, unsigned long ip, bool trylock);
void lock_release(struct lockdep_map *m, unsigned long ip);
/* The same for a spinlock, whose class is its name (NULL: not tracked). */
void lock_acquire_spin(const char *name, unsigned long ip, bool trylock);
void lock_release_spin(const char *name, unsigned long ip);
void __might_sleep(unsigned long ip);
#define might_sleep()	__might_sleep((unsigned long)__builtin_return_address(0))
/* schedule(): a spinlock held across a switch (bar the run queue's). */
void lockdep_schedule_check(unsigned long ip);
/* Violations reported since boot (every distinct one once). */
unsigned long lockdep_violations(void);
/* This CPU's spinlocks held; a panic caught by a test drops those above depth. */
unsigned int lockdep_held_depth(void);
void lockdep_unwind(unsigned int depth);
#else
static inline void lock_acquire(struct lockdep_map *m, unsigned long ip, bool trylock)
{
	(void)m;
	(void)ip;
	(void)trylock;
}

static inline void lock_acquire_shared(struct lockdep_map *m, unsigned long ip,
				       bool trylock)
{
	(void)m;
	(void)ip;
	(void)trylock;
}

static inline void lock_release(struct lockdep_map *m, unsigned long ip)
{
	(void)m;
	(void)ip;
}

static inline void lock_acquire_spin(const char *name, unsigned long ip, bool trylock)
{
	(void)name;
	(void)ip;
	(void)trylock;
}

static inline void lock_release_spin(const char *name, unsigned long ip)
{
	(void)name;
	(void)ip;
}

static inline void might_sleep(void)
{
}

static inline void lockdep_schedule_check(unsigned long ip)
{
	(void)ip;
}

static inline unsigned long lockdep_violations(void)
{
	return 0;
}

static inline unsigned int lockdep_held_depth(void)
{
	return 0;
}

static inline void lockdep_unwind(unsigned int depth)
{
	(void)depth;
}
#endif

#endif
