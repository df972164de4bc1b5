// SPDX-License-Identifier: MIT
/*
 * Reader-writer semaphores (see kernel/rwsem.h): a count and a FIFO of
 * waiters under one spinlock, and hand-over on release.
 *
 * Why hand-over rather than "wake and retry": a woken waiter that had to
 * compete again could lose to a newcomer on another CPU every time, and
 * a wake-up sent between a waiter's test and its sleep would be lost.
 * Here the releaser changes count for the waiter, sets its granted flag
 * and only then wakes it; the waiter marked itself asleep before it let
 * go of wait_lock, so the wake either finds it asleep or makes its
 * coming schedule() return at once, and it re-tests granted each time.
 *
 *   waiter (CPU A)                       releaser (CPU B)
 *   lock wait_lock; queue w;
 *   prepare(): state = sleeping;
 *   unlock wait_lock                     lock wait_lock
 *                                        count = -1 (for w); dequeue w
 *                                        granted = true (release)
 *                                        unlock; wake(w.task): running
 *   granted? yes -> return               (or sleep() returns at once)
 */
#include "kernel/rwsem.h"
#include "kernel/io.h"
#include "kernel/panic.h"

struct rwsem_waiter {
	struct list_head list;
	void *task;
	bool write;
	bool granted;
};

static const struct rwsem_sleeper *sleeper;

void rwsem_set_sleeper(const struct rwsem_sleeper *s)
{
	sleeper = s;
}

void init_rwsem(struct rw_semaphore *sem, const char *name)
{
	/* A class of its own: name is the rwsem's, in lockdep's eyes. */
	spin_lock_init(&sem->wait_lock, "rwsem.wait_lock");
	sem->count = 0;
	INIT_LIST_HEAD(&sem->wait_list);
	sem->name = name;
	sem->dep_map.name = name;
	sem->dep_map.class_id = 0;
}

/* Grant the lock to the head of the queue (and the readers behind it). */
static void rwsem_hand_over(struct rw_semaphore *sem, struct list_head *woken)
{
	struct rwsem_waiter *w, *n;

	list_for_each_entry_safe(w, n, &sem->wait_list, list) {
		if (w->write) {
			if (sem->count)
				break;
			sem->count = -1;
			list_del(&w->list);
			list_add_tail(&w->list, woken);
			break;
		}
		if (sem->count < 0)
			break;
		sem->count++;
		list_del(&w->list);
		list_add_tail(&w->list, woken);
	}
}

/* Outside wait_lock: once granted is seen, w (on its stack) may be gone. */
static void rwsem_wake(struct list_head *woken)
{
	struct rwsem_waiter *w, *n;

	list_for_each_entry_safe(w, n, woken, list) {
		void *task = w->task;

		__atomic_store_n(&w->granted, true, __ATOMIC_RELEASE);
		if (sleeper && task)
			sleeper->wake(task);
	}
}

static void rwsem_wait(struct rw_semaphore *sem, struct rwsem_waiter *w,
		       unsigned long flags)
{
	w->task = sleeper ? sleeper->task() : NULL;
	w->granted = false;
	list_add_tail(&w->list, &sem->wait_list);
	if (sleeper)
		sleeper->prepare();
	spin_unlock_irqrestore(&sem->wait_lock, flags);
	while (!__atomic_load_n(&w->granted, __ATOMIC_ACQUIRE)) {
		if (!sleeper || !w->task) {
			cpu_relax();
			continue;
		}
		sleeper->sleep();
		sleeper->prepare();
	}
	if (sleeper)
		sleeper->finish();
}

/* Free for this kind of holder, with no one queued before us: take it. */
static bool rwsem_try(struct rw_semaphore *sem, bool write)
{
	if (!list_empty(&sem->wait_list))
		return false;
	if (write ? sem->count != 0 : sem->count < 0)
		return false;
	sem->count = write ? -1 : sem->count + 1;
	return true;
}

static void rwsem_down(struct rw_semaphore *sem, bool write)
{
	struct rwsem_waiter w = { .write = write };
	unsigned long flags;

	spin_lock_irqsave(&sem->wait_lock, flags);
	if (rwsem_try(sem, write)) {
		spin_unlock_irqrestore(&sem->wait_lock, flags);
		return;
	}
	rwsem_wait(sem, &w, flags);
}

static bool rwsem_trylock(struct rw_semaphore *sem, bool write)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&sem->wait_lock, flags);
	ok = rwsem_try(sem, write);
	spin_unlock_irqrestore(&sem->wait_lock, flags);
	return ok;
}

#define RET_IP	((unsigned long)__builtin_return_address(0))

/* lockdep first: a report must come out before a deadlock that it names. */
void down_read(struct rw_semaphore *sem)
{
	lock_acquire_shared(&sem->dep_map, RET_IP, false);
	rwsem_down(sem, false);
}

void down_write(struct rw_semaphore *sem)
{
	lock_acquire(&sem->dep_map, RET_IP, false);
	rwsem_down(sem, true);
}

bool down_read_trylock(struct rw_semaphore *sem)
{
	if (!rwsem_trylock(sem, false))
		return false;
	lock_acquire_shared(&sem->dep_map, RET_IP, true);
	return true;
}

bool down_write_trylock(struct rw_semaphore *sem)
{
	if (!rwsem_trylock(sem, true))
		return false;
	lock_acquire(&sem->dep_map, RET_IP, true);
	return true;
}

static void rwsem_release(struct rw_semaphore *sem, bool write)
{
	LIST_HEAD(woken);
	unsigned long flags;

	spin_lock_irqsave(&sem->wait_lock, flags);
	if (write ? sem->count != -1 : sem->count <= 0)
		panic("BUG: rwsem '%s': %s release with count %ld", sem->name,
		      write ? "write" : "read", sem->count);
	sem->count = write ? 0 : sem->count - 1;
	if (!sem->count)
		rwsem_hand_over(sem, &woken);
	spin_unlock_irqrestore(&sem->wait_lock, flags);
	rwsem_wake(&woken);
}

void up_read(struct rw_semaphore *sem)
{
	lock_release(&sem->dep_map, RET_IP);
	rwsem_release(sem, false);
}

void up_write(struct rw_semaphore *sem)
{
	lock_release(&sem->dep_map, RET_IP);
	rwsem_release(sem, true);
}

bool rwsem_is_write_locked(struct rw_semaphore *sem)
{
	return READ_ONCE(sem->count) < 0;
}

bool rwsem_is_locked(struct rw_semaphore *sem)
{
	return READ_ONCE(sem->count) != 0;
}
