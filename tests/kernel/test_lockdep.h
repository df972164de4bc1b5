/* SPDX-License-Identifier: MIT */
#ifndef TESTS_KERNEL_TEST_LOCKDEP_H
#define TESTS_KERNEL_TEST_LOCKDEP_H

/* The lockdep reports the lockdep suite caused on purpose. */
unsigned long lockdep_reports_provoked(void);

#endif
