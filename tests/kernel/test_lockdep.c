// SPDX-License-Identifier: MIT
/*
 * lockdep-lite: an order inversion between two locks of this suite is
 * reported once, naming the functions that took each order; a sleep or
 * a mutex taken under a spinlock is reported with the spinlock's site;
 * consistent nesting (spinlocks in a fixed order, a spinlock under a
 * mutex) is not. The reports this suite provokes are counted here, so
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
#include "kernel/spinlock.h"
#include "kernel/traps.h"
#include "libc/string.h"

#define REPORT_BUF	4096

static DEFINE_SPINLOCK(ktest_ld_a);
static DEFINE_SPINLOCK(ktest_ld_b);
static DEFINE_SPINLOCK(ktest_ld_c);
static DEFINE_SPINLOCK(ktest_ld_outer);
static DEFINE_SPINLOCK(ktest_ld_inner);
static DEFINE_MUTEX(ktest_ld_mutex);
static DEFINE_MUTEX(ktest_ld_sleeper);

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
