// SPDX-License-Identifier: MIT
/*
 * lockdep-lite: an order inversion between two locks of this suite is
 * reported once, naming the functions that took each order; a sleep or
 * a mutex taken under a spinlock is reported with the spinlock's site;
 * consistent nesting (spinlocks in a fixed order, a spinlock under a
 * mutex) is not. The same for the rwsem (mmap_lock): an inversion with
 * a mutex, down_read() with interrupts off or under a spinlock, an
 * upgrade from read to write are reported; read after read, fork's two
 * mmap_locks and a spinlock under mmap_lock are not. The reports this suite provokes are counted here, so
 * that the lockdep_clean suite, linked last, can require that nothing
 * else in the run was reported.
 *
 * Every lock here is the suite's own (names no other code uses), so the
 * orders it records cannot clash with the kernel's.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/test_lockdep.h"
#include "kernel/lockdep.h"
#include "kernel/mutex.h"
#include "kernel/printk.h"
#include "kernel/rwsem.h"
#include "kernel/sched.h"
#include "kernel/task.h"
#include "kernel/time.h"
#include "kernel/spinlock.h"
#include "kernel/traps.h"
#include "libc/string.h"
#include "mm/mmap.h"

#define REPORT_BUF	4096

static DEFINE_SPINLOCK(ktest_ld_a);
static DEFINE_SPINLOCK(ktest_ld_b);
static DEFINE_SPINLOCK(ktest_ld_c);
static DEFINE_SPINLOCK(ktest_ld_outer);
static DEFINE_SPINLOCK(ktest_ld_inner);
static DEFINE_MUTEX(ktest_ld_mutex);
static DEFINE_MUTEX(ktest_ld_sleeper);
static DEFINE_MUTEX(ktest_ld_mm_mutex);
static DECLARE_RWSEM(ktest_ld_sem);
static DECLARE_RWSEM(ktest_ld_upgrade_sem);

static unsigned long provoked;
static char report[REPORT_BUF];

unsigned long lockdep_reports_provoked(void)
{
	return provoked;
}

static __attribute__((noinline)) void ld_take_a_then_b(void)
{
	spin_lock(&ktest_ld_a);
	spin_lock(&ktest_ld_b);
	spin_unlock(&ktest_ld_b);
	spin_unlock(&ktest_ld_a);
}

static __attribute__((noinline)) void ld_take_b_then_a(void)
{
	spin_lock(&ktest_ld_b);
	spin_lock(&ktest_ld_a);
	spin_unlock(&ktest_ld_a);
	spin_unlock(&ktest_ld_b);
}

/* Runs fn with printk captured into report; the reports it caused. */
static unsigned long captured(void (*fn)(void))
{
	struct printk_capture cap = { .buf = report, .size = sizeof(report) };
	unsigned long before = lockdep_violations();

	printk_capture_begin(&cap);
	fn();
	printk_capture_end(&cap);
	return lockdep_violations() - before;
}

/* Without CONFIG_LOCKDEP there is nothing to test: say so. */
static bool lockdep_on(struct kunit *test)
{
#ifdef CONFIG_LOCKDEP
	(void)test;
	return true;
#else
	ktest_skip(test, "lockdep is off in this build (DEBUG=0)");
	return false;
#endif
}

static bool reported(const char *what)
{
	return strstr(report, what) != NULL;
}

/* fn causes exactly one report, which says what and names site. */
static void expect_one_report(struct kunit *test, void (*fn)(void),
			      const char *what, const char *site)
{
	unsigned long n = captured(fn);

	provoked += n;
	EXPECT_EQ(test, n, 1);
	EXPECT_TRUE(test, reported(what));
	EXPECT_TRUE(test, reported(site));
}

static void inversion(void)
{
	ld_take_a_then_b();
	ld_take_b_then_a();
}

KTEST(lockdep, inversion_reported_with_both_sites)
{
	if (!lockdep_on(test))
		return;
	/* The new order's site, then the first order's site and both names. */
	expect_one_report(test, inversion, "possible circular locking",
			  "ld_take_b_then_a+");
	EXPECT_TRUE(test, reported("ld_take_a_then_b+"));
	EXPECT_TRUE(test, reported("'ktest_ld_a'"));
	EXPECT_TRUE(test, reported("'ktest_ld_b'"));
	/* Once: the same inversion again says nothing. */
	EXPECT_EQ(test, captured(ld_take_b_then_a), 0);
}

static __attribute__((noinline)) void ld_sleep_under_spinlock(void)
{
	spin_lock(&ktest_ld_c);
	might_sleep();
	spin_unlock(&ktest_ld_c);
}

static __attribute__((noinline)) void ld_mutex_under_spinlock(void)
{
	spin_lock(&ktest_ld_c);
	mutex_lock(&ktest_ld_sleeper);
	mutex_unlock(&ktest_ld_sleeper);
	spin_unlock(&ktest_ld_c);
}

static __attribute__((noinline)) void ld_sleep_irqs_off(void)
{
	unsigned long flags = local_irq_save();

	might_sleep();
	local_irq_restore(flags);
}

KTEST(lockdep, sleep_under_spinlock_reported)
{
	if (!lockdep_on(test))
		return;
	/* The spinlock's name and the site that took it. */
	expect_one_report(test, ld_sleep_under_spinlock, "sleeping function called",
			  "'ktest_ld_c' taken at ld_sleep_under_spinlock+");
	expect_one_report(test, ld_mutex_under_spinlock, "sleeping lock taken",
			  "'ktest_ld_c' taken at ld_mutex_under_spinlock+");
	expect_one_report(test, ld_sleep_irqs_off, "with interrupts off",
			  "ld_sleep_irqs_off+");
}

static void nesting(void)
{
	unsigned long flags;

	for (int i = 0; i < 3; i++) {
		spin_lock(&ktest_ld_outer);
		spin_lock_irqsave(&ktest_ld_inner, flags);
		spin_unlock_irqrestore(&ktest_ld_inner, flags);
		spin_unlock(&ktest_ld_outer);
		mutex_lock(&ktest_ld_mutex);
		might_sleep();
		spin_lock(&ktest_ld_outer);
		spin_unlock(&ktest_ld_outer);
		mutex_unlock(&ktest_ld_mutex);
		/* A trylock in the other order cannot deadlock: no order. */
		spin_lock(&ktest_ld_inner);
		if (spin_trylock(&ktest_ld_outer))
			spin_unlock(&ktest_ld_outer);
		spin_unlock(&ktest_ld_inner);
	}
}

KTEST(lockdep, correct_nesting_not_reported)
{
	unsigned long was;

	if (!lockdep_on(test))
		return;
	/* Sleeping with interrupts off is a report of its own: not here. */
	was = local_irq_save();
	if (!(was & BIT(9)))
		ktest_log(test, "interrupts were off when the case began");
	local_irq_enable();
	EXPECT_EQ(test, captured(nesting), 0);
	if (!(was & BIT(9)))
		local_irq_disable();
	EXPECT_FALSE(test, reported("lockdep"));
	if (test->failed)
		ktest_log(test, "%.200s", report);
}

/* mmap_lock, readers and writers */

static struct mm *ld_mm;

static __attribute__((noinline)) void ld_mmap_lock_then_mutex(void)
{
	mmap_read_lock(ld_mm);
	mutex_lock(&ktest_ld_mm_mutex);
	mutex_unlock(&ktest_ld_mm_mutex);
	mmap_read_unlock(ld_mm);
}

static __attribute__((noinline)) void ld_mutex_then_mmap_lock(void)
{
	mutex_lock(&ktest_ld_mm_mutex);
	mmap_write_lock(ld_mm);
	mmap_write_unlock(ld_mm);
	mutex_unlock(&ktest_ld_mm_mutex);
}

static void mmap_lock_inversion(void)
{
	ld_mmap_lock_then_mutex();
	ld_mutex_then_mmap_lock();
}

KTEST(lockdep, mmap_lock_inversion_reported_with_both_sites)
{
	if (!lockdep_on(test))
		return;
	ld_mm = mm_create("ktest-lockdep");
	ASSERT_NOT_NULL(test, ld_mm);
	/* Taken for read in the first order: a fair rwsem deadlocks all the same. */
	expect_one_report(test, mmap_lock_inversion, "possible circular locking",
			  "'mmap_lock' taken at ld_mutex_then_mmap_lock+");
	EXPECT_TRUE(test, reported("while holding 'ktest_ld_mm_mutex' (taken at ld_mutex_then_mmap_lock+"));
	EXPECT_TRUE(test, reported("'mmap_lock' (taken at ld_mmap_lock_then_mutex+"));
	EXPECT_TRUE(test, reported("'ktest_ld_mm_mutex' (taken at ld_mmap_lock_then_mutex+"));
	EXPECT_EQ(test, captured(ld_mutex_then_mmap_lock), 0);
	mm_destroy(ld_mm);
}

static __attribute__((noinline)) void ld_down_read(void)
{
	down_read(&ktest_ld_sem);
	up_read(&ktest_ld_sem);
}

/* The trylock never sleeps: allowed with interrupts off. */
static __attribute__((noinline)) void ld_down_read_trylock(void)
{
	if (down_read_trylock(&ktest_ld_sem))
		up_read(&ktest_ld_sem);
}

static void (*irqs_off_fn)(void);

static void irqs_off(void)
{
	unsigned long flags = local_irq_save();

	irqs_off_fn();
	local_irq_restore(flags);
}

/* What captured() runs: fn with interrupts off. */
static void (*with_irqs_off(void (*fn)(void)))(void)
{
	irqs_off_fn = fn;
	return irqs_off;
}

static __attribute__((noinline)) void ld_down_write_under_spinlock(void)
{
	spin_lock(&ktest_ld_c);
	down_write(&ktest_ld_sem);
	up_write(&ktest_ld_sem);
	spin_unlock(&ktest_ld_c);
}

KTEST(lockdep, rwsem_in_atomic_context_reported)
{
	if (!lockdep_on(test))
		return;
	expect_one_report(test, with_irqs_off(ld_down_read),
			  "sleeping lock taken at ld_down_read+", "with interrupts off");
	expect_one_report(test, ld_down_write_under_spinlock,
			  "sleeping lock taken at ld_down_write_under_spinlock+",
			  "while holding spinlock 'ktest_ld_c' taken at ld_down_write_under_spinlock+");
	EXPECT_EQ(test, captured(with_irqs_off(ld_down_read_trylock)), 0);
}

/*
 * The upgrade: a kernel thread holds the rwsem for read and asks for it
 * for write, which waits for its own read forever; lockdep must say so
 * before it waits. The case then lets go of the read in the thread's
 * place (an rwsem's count is no task's), so the thread gets the lock
 * and ends.
 */
#define UPGRADE_WAIT_ROUNDS	3000	/* x 1 ms: only a hang detector */

static struct completion ld_upgrade_done;

static __attribute__((noinline)) void ld_upgrade(void *arg)
{
	(void)arg;
	down_read(&ktest_ld_upgrade_sem);
	down_write(&ktest_ld_upgrade_sem);
	up_write(&ktest_ld_upgrade_sem);
	complete(&ld_upgrade_done);
}

static bool upgrade_started;

static void upgrade(void)
{
	struct task_struct *t = kthread_create(ld_upgrade, NULL, "ktest-ld-upgrade");
	int i;

	upgrade_started = t != NULL;
	if (!t)
		return;
	init_completion(&ld_upgrade_done);
	wake_up_process(t);
	for (i = 0; i < UPGRADE_WAIT_ROUNDS; i++) {
		if (!list_empty(&ktest_ld_upgrade_sem.wait_list))
			break;
		schedule_timeout(NSEC_PER_MSEC);
	}
	up_read(&ktest_ld_upgrade_sem);
	wait_for_completion(&ld_upgrade_done);
}

KTEST(lockdep, rwsem_upgrade_reported)
{
	if (!lockdep_on(test))
		return;
	expect_one_report(test, upgrade, "possible recursive locking",
			  "'ktest_ld_upgrade_sem' taken for write at ld_upgrade+");
	ASSERT_TRUE(test, upgrade_started);
	EXPECT_TRUE(test, reported("while this task holds it for read (taken at ld_upgrade+"));
	EXPECT_FALSE(test, rwsem_is_locked(&ktest_ld_upgrade_sem));
}

static struct rw_semaphore ld_rw_parent, ld_rw_child;
static DEFINE_SPINLOCK(ktest_ld_under_sem);

static void rwsem_nesting(void)
{
	for (int i = 0; i < 3; i++) {
		/* Read after read by one task: allowed. */
		down_read(&ktest_ld_sem);
		down_read(&ktest_ld_sem);
		spin_lock(&ktest_ld_under_sem);
		spin_unlock(&ktest_ld_under_sem);
		up_read(&ktest_ld_sem);
		up_read(&ktest_ld_sem);
		/* Two of one class, as fork's parent and child mmap_lock. */
		down_write(&ld_rw_parent);
		down_write(&ld_rw_child);
		up_write(&ld_rw_child);
		up_write(&ld_rw_parent);
		down_write(&ld_rw_child);
		down_read(&ld_rw_parent);
		up_read(&ld_rw_parent);
		up_write(&ld_rw_child);
	}
}

KTEST(lockdep, rwsem_correct_nesting_not_reported)
{
	if (!lockdep_on(test))
		return;
	init_rwsem(&ld_rw_parent, "ktest_ld_rw_pair");
	init_rwsem(&ld_rw_child, "ktest_ld_rw_pair");
	EXPECT_EQ(test, captured(rwsem_nesting), 0);
	EXPECT_FALSE(test, reported("lockdep"));
	EXPECT_FALSE(test, rwsem_is_locked(&ktest_ld_sem));
	if (test->failed)
		ktest_log(test, "%.200s", report);
}
