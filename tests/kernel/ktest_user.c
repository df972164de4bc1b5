// SPDX-License-Identifier: MIT
/* The user suite's baseline (tests/kernel/ktest_user.h). */
#include "tests/kernel/ktest_user.h"
#include "tests/kernel/ktest_mm.h"
#include "kernel/sched.h"
#include "kernel/task.h"
#include "mm/pgtable.h"

void ktest_user_take_baseline(struct ktest_user_baseline *b)
{
	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		b->huge[i] = hstates[i].nr_huge_pages;
	b->free = ktest_settled_free_pages();
	b->tables = ktest_pgtable_pages();
}

static bool baseline_reached(const void *arg)
{
	const struct ktest_user_baseline *b = arg;

	return ktest_settled_free_pages() + ktest_pgtable_pages() == b->free + b->tables;
}

void ktest_user_expect_baseline(struct kunit *test, const struct ktest_user_baseline *b)
{
	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		EXPECT_EQ(test, hstates[i].nr_huge_pages, b->huge[i]);
	/*
	 * A task that exited on another CPU has its stack freed there, after
	 * its last switch away (seen 6 pages short at -smp 4, then 6 over in
	 * the next case): wait for those CPUs to get there.
	 */
	ktest_wait_settled(baseline_reached, b);
	EXPECT_EQ(test, ktest_settled_free_pages() + ktest_pgtable_pages(),
		  b->free + b->tables);
	EXPECT_TRUE(test, list_empty(&process_list));
	KTEST_MM_CHECKERS(test);
}
