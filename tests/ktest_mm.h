/* SPDX-License-Identifier: MIT */
#ifndef TESTS_KTEST_MM_H
#define TESTS_KTEST_MM_H

/* Helpers shared by the mm suites. */
#include "tests/ktest.h"
#include "mm/hugetlb.h"

/*
 * At least n free pool pages of h that no reservation holds, growing the
 * pool if needed (the caller's baseline restores it). False, with the
 * case marked skipped, when the CPU or the guest cannot provide them.
 */
bool ktest_ensure_free_huge(struct kunit *test, struct hstate *h, unsigned long n);

#endif
