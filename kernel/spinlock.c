// SPDX-License-Identifier: MIT
/*
 * Ticket spinlocks (see kernel/spinlock.h). The ticket counter is taken
 * with a locked xadd; the owner is advanced with a release store, so that
 * everything written inside the critical section is visible to the next
 * owner before it sees its ticket come up.
 */
#include "kernel/spinlock.h"
#include "kernel/io.h"
#include "kernel/ksyms.h"
#include "kernel/lockdep.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/traps.h"
#include "libc/stdio.h"

void spin_lock_init(spinlock_t *lock, const char *name)
{
	lock->owner = 0;
	lock->next = 0;
#ifdef CONFIG_DEBUG_SPINLOCK
	lock->owner_cpu = 0;
	lock->owner_ip = 0;
	lock->name = name;
#else
	(void)name;
#endif
}

#ifdef CONFIG_DEBUG_SPINLOCK
static const char *lock_name(const spinlock_t *lock)
{
	return lock->name ? lock->name : "(unnamed)";
}

static const char *sym(unsigned long ip, char *buf, size_t len)
{
	return ksym_snprint(buf, len, ip);
}
static void debug_before_lock(spinlock_t *lock, unsigned long ip)
{
	char a[64], b[64];

	/* Spinning here would never end: say who took it and where. */
	if (READ_ONCE(lock->owner_cpu) == (int)smp_processor_id() + 1)
		panic("BUG: spinlock recursion on CPU#%u: lock '%s' taken at %s, again at %s",
		      smp_processor_id(), lock_name(lock),
		      sym(lock->owner_ip, a, sizeof(a)), sym(ip, b, sizeof(b)));
}

static void debug_after_lock(spinlock_t *lock, unsigned long ip)
{
	lock->owner_cpu = smp_processor_id() + 1;
	lock->owner_ip = ip;
}

static void debug_unlock(spinlock_t *lock, unsigned long ip)
{
	char a[64], b[64];

	if (lock->owner == lock->next)
		panic("BUG: spinlock already unlocked on CPU#%u: lock '%s', unlock at %s",
		      smp_processor_id(), lock_name(lock), sym(ip, b, sizeof(b)));
	if (lock->owner_cpu != (int)smp_processor_id() + 1)
		panic("BUG: spinlock wrong CPU on CPU#%u: lock '%s' held by CPU#%d (taken at %s), unlock at %s",
		      smp_processor_id(), lock_name(lock), lock->owner_cpu - 1,
		      sym(lock->owner_ip, a, sizeof(a)), sym(ip, b, sizeof(b)));
	lock->owner_cpu = 0;
	lock->owner_ip = 0;
}
#else
static inline void debug_before_lock(spinlock_t *lock, unsigned long ip)
{
	(void)lock;
	(void)ip;
}

static inline void debug_after_lock(spinlock_t *lock, unsigned long ip)
{
	(void)lock;
	(void)ip;
}

static inline void debug_unlock(spinlock_t *lock, unsigned long ip)
{
	(void)lock;
	(void)ip;
}
#endif

/* The lock's lockdep class is its name (debug builds only have one). */
#ifdef CONFIG_DEBUG_SPINLOCK
#define lock_class_name(lock)	((lock)->name)
#else
#define lock_class_name(lock)	((const char *)NULL)
#endif

static void ticket_lock(spinlock_t *lock, unsigned long ip)
{
	u16 ticket;

	debug_before_lock(lock, ip);
	ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
	debug_after_lock(lock, ip);
}

static void ticket_unlock(spinlock_t *lock, unsigned long ip)
{
	debug_unlock(lock, ip);
	__atomic_store_n(&lock->owner, (u16)(lock->owner + 1), __ATOMIC_RELEASE);
}

static void do_lock(spinlock_t *lock, unsigned long ip)
{
	lock_acquire_spin(lock_class_name(lock), ip, false);
	ticket_lock(lock, ip);
}

static void do_unlock(spinlock_t *lock, unsigned long ip)
{
	lock_release_spin(lock_class_name(lock), ip);
	ticket_unlock(lock, ip);
}

void spin_lock(spinlock_t *lock)
{
	do_lock(lock, (unsigned long)__builtin_return_address(0));
}

void spin_unlock(spinlock_t *lock)
{
	do_unlock(lock, (unsigned long)__builtin_return_address(0));
}

/* Outside lockdep: the big kernel lock, held across sleeps by design. */
void raw_spin_lock(spinlock_t *lock)
{
	ticket_lock(lock, (unsigned long)__builtin_return_address(0));
}

void raw_spin_unlock(spinlock_t *lock)
{
	ticket_unlock(lock, (unsigned long)__builtin_return_address(0));
}

static bool do_trylock(spinlock_t *lock, unsigned long ip)
{
	u32 old = __atomic_load_n((u32 *)lock, __ATOMIC_RELAXED);
	u16 owner = old & 0xffff, next = old >> 16;
	u32 want = owner | (u32)(u16)(next + 1) << 16;

	/* Free only when no ticket is out: owner == next, then take one. */
	if (owner != next)
		return false;
	if (!__atomic_compare_exchange_n((u32 *)lock, &old, want, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	debug_after_lock(lock, ip);
	return true;
}

bool spin_trylock(spinlock_t *lock)
{
	unsigned long ip = (unsigned long)__builtin_return_address(0);

	if (!do_trylock(lock, ip))
		return false;
	lock_acquire_spin(lock_class_name(lock), ip, true);
	return true;
}

bool raw_spin_trylock(spinlock_t *lock)
{
	return do_trylock(lock, (unsigned long)__builtin_return_address(0));
}

bool spin_is_locked(spinlock_t *lock)
{
	return READ_ONCE(lock->owner) != READ_ONCE(lock->next);
}

unsigned long _spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags = local_irq_save();

	do_lock(lock, (unsigned long)__builtin_return_address(0));
	return flags;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	do_unlock(lock, (unsigned long)__builtin_return_address(0));
	local_irq_restore(flags);
}
