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
 * Interrupts on while spinning: the holder may wait on this CPU's IPIs.
 * The wait is a loop of its own, not one instruction after STI: an
 * interrupt must have a window it can actually be taken in.
 */
static void lock_kernel(void)
{
	unsigned long flags = local_irq_save();

	while (!spin_trylock(&kernel_flag)) {
		local_irq_enable();
		while (spin_is_locked(&kernel_flag))
			cpu_relax();
		local_irq_disable();
	}
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
	if (!spin_trylock(&kernel_flag))
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
	spin_unlock(&kernel_flag);
}

void bkl_release_for_switch(struct task_struct *prev)
{
	if (prev->bkl_held)
		spin_unlock(&kernel_flag);
}

void bkl_reacquire_after_switch(struct task_struct *curr)
{
	if (curr->bkl_held)
		lock_kernel();
}
