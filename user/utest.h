/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result convention of the user test programs, shared by pagefold's
 * runner and the Linux host test: the last line is "PASS NAME" or
 * "FAIL NAME: reason", and the exit status is 0 or 1.
 */
#ifndef USER_UTEST_H
#define USER_UTEST_H

#include <sys/types.h>

/* Names the program for PASS/FAIL and line-buffers stdout, so that a fork
 * never inherits (and prints twice) text still in the stdio buffer. */
void utest_init(const char *name);

__attribute__((noreturn)) void utest_pass(void);
__attribute__((noreturn, format(printf, 1, 2)))
void utest_fail(const char *fmt, ...);

/* Fails the program with the reason when cond is false. */
__attribute__((format(printf, 2, 3)))
void utest_check(int cond, const char *fmt, ...);

/* In a forked child: says why on stderr and leaves with status 1, without
 * flushing the parent's stdio buffers a second time. */
__attribute__((noreturn, format(printf, 1, 2)))
void child_fail(const char *fmt, ...);

/* Waits for pid with wait4 and fails the program unless it exited 0. */
void utest_wait_ok(pid_t pid, const char *what);

#endif
