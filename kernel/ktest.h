/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

/*
 * The in-kernel test runner: it runs the cases a test build (make
 * KTEST=1) links into the .ktest_cases section and prints KTAP version 1.
 * A normal image links no case, and the runner says so instead of
 * reporting an empty pass. Suites are written against tests/kernel/ktest.h.
 */
#include "kernel/types.h"

struct kunit {
	const char *suite;
	const char *name;
	int failed;
	const char *skip_reason;
};

struct ktest_case {
	const char *suite;
	const char *name;
	void (*run)(struct kunit *test);
};

/*
 * Run the suites matching filter ("all", or comma-separated suite names,
 * SUITE.CASE or globs). Returns the number of suites run, or -ENOSYS
 * (with *nr_failed set) in an image built without tests.
 */
int ktest_run(const char *filter, int *nr_failed);
int ktest_list(void);

/*
 * True when a comma-separated word of filter selects no case (an empty
 * word included); the first such word is copied to word. False in an
 * image without tests, for which ktest_run() says so.
 */
bool ktest_filter_unmatched(const char *filter, char *word, size_t len);

/* The test= boot parameter, or NULL when it was not given. */
const char *ktest_boot_filter(void);

#endif
