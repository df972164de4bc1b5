/* SPDX-License-Identifier: MIT */
#ifndef TESTS_KTEST_USER_H
#define TESTS_KTEST_USER_H

/*
 * Shared by the files of the user suite (test_user.c, test_user_mm.c):
 * the baseline every case compares against when its processes are gone.
 */
#include "tests/kernel/ktest.h"
#include "mm/hugetlb.h"

/*
 * Free pages plus kernel page-table pages: a pool that shrinks and grows
 * back may land its huge pages on other memmap blocks, and HVO then keeps
 * one more vmemmap PTE table split (never merged back, as Linux). That
 * page moved from free to a kernel table; it is not a leak.
 */
struct ktest_user_baseline {
	unsigned long free;
	unsigned long tables;
	unsigned long huge[HUGE_MAX_HSTATE];
};

void ktest_user_take_baseline(struct ktest_user_baseline *b);
/* Pools, free pages + kernel tables as taken, no process left, checkers clean. */
void ktest_user_expect_baseline(struct kunit *test, const struct ktest_user_baseline *b);

#endif
