// SPDX-License-Identifier: MIT
/*
 * The interim big kernel lock (see kernel/bkl.h). A task's bkl_held says
 * it owns the lock, or, while it is switched out, that it wants it back.
 */
#include "kernel/bkl.h"
#include "kernel/io.h"
#include "kernel/spinlock.h"
#include "kernel/task.h"
#include "kernel/traps.h"

static DEFINE_SPINLOCK(kernel_flag);

/*
 * A ticket lock, so that a task making system calls in a loop cannot
 * starve the others (64 children spinning on sched_yield() while their
 * parent forks them). Interrupts on while waiting: the holder may wait
 * for this CPU to answer a TLB shootdown.
 */
static void lock_kernel(void)
{
	unsigned long flags = local_irq_save();

	local_irq_enable();
	raw_spin_lock(&kernel_flag);
	local_irq_restore(flags);
}

void bkl_enter(void)
{
	struct task_struct *t = current;

	if (t->bkl_held)
		return;
	lock_kernel();
	t->bkl_held = true;
}

bool bkl_tryenter(void)
{
	struct task_struct *t = current;

	if (t->bkl_held)
		return true;
	if (!raw_spin_trylock(&kernel_flag))
		return false;
	t->bkl_held = true;
	return true;
}

void bkl_exit(void)
{
	struct task_struct *t = current;

	if (!t->bkl_held)
		return;
	t->bkl_held = false;
	raw_spin_unlock(&kernel_flag);
}

void bkl_release_for_switch(struct task_struct *prev)
{
	if (prev->bkl_held)
		raw_spin_unlock(&kernel_flag);
}

void bkl_reacquire_after_switch(struct task_struct *curr)
{
	if (curr->bkl_held)
		lock_kernel();
}
