/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

/*
 * Ticket spinlocks: a CPU takes the next ticket and waits until the owner
 * field reaches it, so waiters are served in arrival order and none
 * starves under contention (Linux's x86 lock before qspinlock).
 *
 * The _irqsave forms disable interrupts on this CPU before spinning:
 * a lock that an interrupt handler takes (the IPI call queues) must be
 * taken that way everywhere, or the handler can spin on a lock its own
 * CPU holds.
 *
 * With CONFIG_DEBUG_SPINLOCK (debug builds) each lock records its owner:
 * taking a lock this CPU already holds, releasing one this CPU does not
 * hold, or releasing an unlocked lock panics with the lock's name and
 * both call sites, instead of hanging for ever.
 */
#include "kernel/types.h"

typedef struct {
	u16 owner;			/* the ticket being served */
	u16 next;			/* the next ticket to hand out */
#ifdef CONFIG_DEBUG_SPINLOCK
	int owner_cpu;			/* CPU number + 1; 0 when free, so zeroed memory is a free lock */
	unsigned long owner_ip;
	const char *name;
#endif
} spinlock_t;

#ifdef CONFIG_DEBUG_SPINLOCK
#define __SPIN_LOCK_UNLOCKED(lockname)	{ 0, 0, 0, 0, #lockname }
#else
#define __SPIN_LOCK_UNLOCKED(lockname)	{ 0, 0 }
#endif
#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

void spin_lock_init(spinlock_t *lock, const char *name);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
bool spin_trylock(spinlock_t *lock);
bool spin_is_locked(spinlock_t *lock);
unsigned long _spin_lock_irqsave(spinlock_t *lock);
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);

/* The same without lockdep (kernel/lockdep.h): only the big kernel lock. */
void raw_spin_lock(spinlock_t *lock);
void raw_spin_unlock(spinlock_t *lock);
bool raw_spin_trylock(spinlock_t *lock);

#define spin_lock_irqsave(lock, flags)	((flags) = _spin_lock_irqsave(lock))

#endif
