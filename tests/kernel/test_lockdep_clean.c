// SPDX-License-Identifier: MIT
/*
 * lockdep_clean: linked after every other suite (the Makefile puts this
 * file last), so that its one case runs when the rest of the run is
 * over: lockdep must have found nothing in it but what the lockdep suite
 * provoked on purpose.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/test_lockdep.h"
#include "kernel/lockdep.h"

KTEST(lockdep_clean, no_violations_in_this_run)
{
#ifndef CONFIG_LOCKDEP
	ktest_skip(test, "lockdep is off in this build (DEBUG=0)");
	return;
#endif
	ktest_log(test, "%lu lockdep reports in this run, %lu provoked by the lockdep suite",
		  lockdep_violations(), lockdep_reports_provoked());
	EXPECT_EQ(test, lockdep_violations(), lockdep_reports_provoked());
}
