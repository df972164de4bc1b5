// SPDX-License-Identifier: MIT
/*
 * Reader-writer semaphores (see kernel/rwsem.h): one atomic count, and a
 * FIFO of waiters under a spinlock with hand-over on release.
 *
 * The count, as Linux's rwsem (much simplified):
 *
 *    63                              2   1   0
 *   +---------------------------------+---+---+
 *   |  readers holding it             | W | Q |   W: a writer holds it
 *   +---------------------------------+---+---+   Q: someone is queued
 *
 * The fast paths touch only the count: a reader adds one reader while
 * neither W nor Q is set, a writer swaps 0 for W, and each takes it back
 * the same way. A page fault takes mmap_lock for read and gives it back
 * with one atomic each, not two rounds of a spinlock with interrupts off
 * (the cost measured on the fault path before this). Anything else goes
 * the slow way, under wait_lock.
 *
 * Q keeps the lock fair: while anyone waits no newcomer takes the fast
 * path, so a waiting writer holds back the readers after it, and with Q
 * set the count changes outside wait_lock only by a holder letting go.
 * A waiter sets Q after queueing and then looks at the count itself: a
 * holder that let go just before Q was set did not see anyone to hand
 * over to, so the waiter hands the lock over (to the head of the queue,
 * itself or not). A holder that lets go after sees Q and does it under
 * wait_lock. Either way no wake-up is lost.
 *
 * Why hand-over rather than "wake and retry": a woken waiter that had to
 * compete again could lose to a newcomer on another CPU every time, and
 * a wake-up sent between a waiter's test and its sleep would be lost.
 * Here the count is changed for the waiter, its granted flag set and
 * only then is it woken; the waiter marked itself asleep before it let
 * go of wait_lock, so the wake either finds it asleep or makes its
 * coming schedule() return at once, and it re-tests granted each time.
 *
 *   waiter (CPU A)                       releaser (CPU B)
 *   lock wait_lock; queue w; set Q
 *   count free? no
 *   prepare(): state = sleeping;
 *   unlock wait_lock                     count -= 1 reader: 0 readers, Q
 *                                        lock wait_lock
 *                                        count = W|Q (for w); dequeue w;
 *                                        clear Q (queue empty)
 *                                        unlock; granted = true (release)
 *                                        wake(w.task): running
 *   granted? yes -> return               (or sleep() returns at once)
 */
#include "kernel/rwsem.h"
#include "kernel/io.h"
#include "kernel/panic.h"

#define RWSEM_QUEUED		1L
#define RWSEM_WRITER		2L
#define RWSEM_READER_BIAS	4L

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

static long count_read(struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->count, __ATOMIC_RELAXED);
}

static bool count_cmpxchg(struct rw_semaphore *sem, long *old, long new)
{
	return __atomic_compare_exchange_n(&sem->count, old, new, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_RELAXED);
}

/* The fast paths: the count alone, and only while no one is queued. */
static bool read_trylock_fast(struct rw_semaphore *sem)
{
	long c = count_read(sem);

	while (!(c & (RWSEM_QUEUED | RWSEM_WRITER)))
		if (count_cmpxchg(sem, &c, c + RWSEM_READER_BIAS))
			return true;
	return false;
}

static bool write_trylock_fast(struct rw_semaphore *sem)
{
	long c = 0;

	return count_cmpxchg(sem, &c, RWSEM_WRITER);
}

static bool trylock_fast(struct rw_semaphore *sem, bool write)
{
	return write ? write_trylock_fast(sem) : read_trylock_fast(sem);
}

/*
 * Under wait_lock, Q set: grant the lock to the head of the queue (and
 * the readers behind it) while it is free for them. Only holders letting
 * go change the count meanwhile, and they only lower it.
 */
static void rwsem_hand_over(struct rw_semaphore *sem, struct list_head *woken)
{
	struct rwsem_waiter *w, *n;

	list_for_each_entry_safe(w, n, &sem->wait_list, list) {
		long c = count_read(sem);

		if (w->write) {
			if (c != RWSEM_QUEUED || !count_cmpxchg(sem, &c, RWSEM_WRITER | RWSEM_QUEUED))
				break;
			list_del(&w->list);
			list_add_tail(&w->list, woken);
			break;
		}
		if (c & RWSEM_WRITER)
			break;
		__atomic_add_fetch(&sem->count, RWSEM_READER_BIAS, __ATOMIC_ACQ_REL);
		list_del(&w->list);
		list_add_tail(&w->list, woken);
	}
	if (list_empty(&sem->wait_list))
		__atomic_and_fetch(&sem->count, ~RWSEM_QUEUED, __ATOMIC_RELEASE);
}

/*
 * Outside wait_lock: once granted is seen, w (on its stack) may be gone.
 * self: a waiter that handed the lock over to itself is not woken (it
 * is running, and finds its flag set).
 */
static void rwsem_wake(struct list_head *woken, void *self)
{
	struct rwsem_waiter *w, *n;

	list_for_each_entry_safe(w, n, woken, list) {
		void *task = w->task;

		__atomic_store_n(&w->granted, true, __ATOMIC_RELEASE);
		if (sleeper && task && task != self)
			sleeper->wake(task);
	}
}

static void rwsem_down_slow(struct rw_semaphore *sem, bool write)
{
	struct rwsem_waiter w = { .write = write };
	unsigned long flags;
	LIST_HEAD(woken);

	spin_lock_irqsave(&sem->wait_lock, flags);
	/* Q may have gone since the fast path failed: first come, first served. */
	if (list_empty(&sem->wait_list) && trylock_fast(sem, write)) {
		spin_unlock_irqrestore(&sem->wait_lock, flags);
		return;
	}
	w.task = sleeper ? sleeper->task() : NULL;
	list_add_tail(&w.list, &sem->wait_list);
	__atomic_or_fetch(&sem->count, RWSEM_QUEUED, __ATOMIC_ACQ_REL);
	/* The holder may have let go before it could see Q. */
	rwsem_hand_over(sem, &woken);
	if (sleeper)
		sleeper->prepare();
	spin_unlock_irqrestore(&sem->wait_lock, flags);
	rwsem_wake(&woken, w.task);
	while (!__atomic_load_n(&w.granted, __ATOMIC_ACQUIRE)) {
		if (!sleeper || !w.task) {
			cpu_relax();
			continue;
		}
		sleeper->sleep();
		sleeper->prepare();
	}
	if (sleeper)
		sleeper->finish();
}

/* Under wait_lock, for a holder that let go and saw Q. */
static void rwsem_release_slow(struct rw_semaphore *sem)
{
	unsigned long flags;
	LIST_HEAD(woken);

	spin_lock_irqsave(&sem->wait_lock, flags);
	rwsem_hand_over(sem, &woken);
	spin_unlock_irqrestore(&sem->wait_lock, flags);
	rwsem_wake(&woken, NULL);
}

static void rwsem_bad_release(struct rw_semaphore *sem, bool write, long c)
{
	panic("BUG: rwsem '%s': %s release with count %ld", sem->name,
	      write ? "write" : "read", c);
}

#define RET_IP	((unsigned long)__builtin_return_address(0))

/* lockdep first: a report must come out before a deadlock that it names. */
void down_read(struct rw_semaphore *sem)
{
	lock_acquire_shared(&sem->dep_map, RET_IP, false);
	if (!read_trylock_fast(sem))
		rwsem_down_slow(sem, false);
}

void down_write(struct rw_semaphore *sem)
{
	lock_acquire(&sem->dep_map, RET_IP, false);
	if (!write_trylock_fast(sem))
		rwsem_down_slow(sem, true);
}

bool down_read_trylock(struct rw_semaphore *sem)
{
	if (!read_trylock_fast(sem))
		return false;
	lock_acquire_shared(&sem->dep_map, RET_IP, true);
	return true;
}

bool down_write_trylock(struct rw_semaphore *sem)
{
	if (!write_trylock_fast(sem))
		return false;
	lock_acquire(&sem->dep_map, RET_IP, true);
	return true;
}

/* The last reader out with someone queued hands the lock over. */
void up_read(struct rw_semaphore *sem)
{
	long c;

	lock_release(&sem->dep_map, RET_IP);
	c = __atomic_sub_fetch(&sem->count, RWSEM_READER_BIAS, __ATOMIC_RELEASE);
	if (c < 0 || (c & RWSEM_WRITER))
		rwsem_bad_release(sem, false, c + RWSEM_READER_BIAS);
	if (c == RWSEM_QUEUED)
		rwsem_release_slow(sem);
}

void up_write(struct rw_semaphore *sem)
{
	long c = RWSEM_WRITER;

	lock_release(&sem->dep_map, RET_IP);
	if (count_cmpxchg(sem, &c, 0))
		return;
	if ((c & ~RWSEM_QUEUED) != RWSEM_WRITER)
		rwsem_bad_release(sem, true, c);
	__atomic_and_fetch(&sem->count, ~RWSEM_WRITER, __ATOMIC_RELEASE);
	rwsem_release_slow(sem);
}

bool rwsem_is_write_locked(struct rw_semaphore *sem)
{
	return count_read(sem) & RWSEM_WRITER;
}

bool rwsem_is_locked(struct rw_semaphore *sem)
{
	return count_read(sem) & ~RWSEM_QUEUED;
}
