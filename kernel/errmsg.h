/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_ERRMSG_H
#define KERNEL_ERRMSG_H

/*
 * The one way a failure is explained. A function whose failures deserve
 * more than an errno (bad input from the console, the command line, a
 * /proc or /sys write, a system call) takes a struct errmsg * and, when it
 * fails, records the errno and one line saying what was wrong, then
 * returns the negative errno. The caller prints errmsg_why() and never
 * re-validates the input to find the reason. NULL is allowed where the
 * caller does not want the reason.
 */
#include "kernel/types.h"

struct errmsg {
	int err;		/* negative errno, 0 while nothing failed */
	char why[160];
};

static inline void errmsg_init(struct errmsg *e)
{
	if (!e)
		return;
	e->err = 0;
	e->why[0] = '\0';
}

/* Record err and the reason; returns err, for `return errmsg_set(...)`. */
__printf(3, 4) int errmsg_set(struct errmsg *e, int err, const char *fmt, ...);
/* The reason, else strerror(err) when the failure gave none. */
const char *errmsg_why(const struct errmsg *e, int err);

#endif
