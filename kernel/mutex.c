// SPDX-License-Identifier: MIT
/*
 * Sleeping mutex (see kernel/mutex.h). The owner word is the lock: a
 * compare-and-swap from NULL takes it. A waiter queues itself and sets
 * its state before it tests the word again (prepare_to_wait), so an
 * unlock between the test and its schedule() makes that schedule()
 * return at once; the unlocker clears the word before it wakes.
 */
#include "kernel/mutex.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/task.h"
#include "kernel/traps.h"

void __mutex_init(struct mutex *m, const char *name)
{
	m->owner = NULL;
	init_waitqueue_head(&m->wait);
	m->dep_map.name = name;
	m->dep_map.class_id = 0;
}

static bool mutex_try(struct mutex *m)
{
	struct task_struct *free = NULL;

	return __atomic_compare_exchange_n(&m->owner, &free, current, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void mutex_lock(struct mutex *m)
{
	struct wait_queue_entry w = { .entry = LIST_HEAD_INIT(w.entry) };

	lock_acquire(&m->dep_map, (unsigned long)__builtin_return_address(0), false);
	if (READ_ONCE(m->owner) == current)
		panic("BUG: mutex '%s' taken again by its owner %s[%d]",
		      m->dep_map.name, current->comm, current->pid);
	if (mutex_try(m))
		return;
	for (;;) {
		prepare_to_wait(&m->wait, &w, TASK_UNINTERRUPTIBLE);
		if (mutex_try(m))
			break;
		schedule();
	}
	finish_wait(&m->wait, &w);
}

bool mutex_trylock(struct mutex *m)
{
	if (!mutex_try(m))
		return false;
	lock_acquire(&m->dep_map, (unsigned long)__builtin_return_address(0), true);
	return true;
}

/* Wake the first waiter: it takes the lock or queues again. */
static void wake_first(struct wait_queue_head *wq)
{
	struct wait_queue_entry *w;
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	if (!list_empty(&wq->head)) {
		w = list_first_entry(&wq->head, struct wait_queue_entry, entry);
		wake_up_process(w->task);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

void mutex_unlock(struct mutex *m)
{
	if (READ_ONCE(m->owner) != current)
		panic("BUG: mutex '%s' unlocked by %s[%d], not its owner",
		      m->dep_map.name, current->comm, current->pid);
	lock_release(&m->dep_map, (unsigned long)__builtin_return_address(0));
	__atomic_store_n(&m->owner, NULL, __ATOMIC_SEQ_CST);
	wake_first(&m->wait);
}

bool mutex_is_locked(struct mutex *m)
{
	return READ_ONCE(m->owner) != NULL;
}
