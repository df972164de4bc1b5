// SPDX-License-Identifier: MIT
/*
 * Deliberately broken suites for tests/host/runner_selftest.py, which checks
 * that the host runner reports each as a failure with the right cause.
 * They run only when named (test=runner_fail), never under test=all.
 */
#include "tests/kernel/ktest.h"
#include "kernel/io.h"
#include "mm/layout.h"

KTEST(runner_fail, passes)
{
	EXPECT_EQ(test, 1 + 1, 2);
}

KTEST(runner_fail, fails_on_purpose)
{
	EXPECT_EQ(test, 1 + 1, 3);
}

KTEST(runner_fault, unexpected_page_fault)
{
	volatile u64 *p = (u64 *)(VMALLOC_START + 0x5000);

	EXPECT_EQ(test, *p, 0);
}

KTEST(runner_hang, hangs_forever)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

/* Every case skipped: the suite's own result must say so (# SKIP). */
KTEST(runner_skip, skips_first)
{
	ktest_skip(test, "skipped on purpose");
}

KTEST(runner_skip, skips_second)
{
	ktest_skip(test, "skipped on purpose");
}
