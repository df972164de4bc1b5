// SPDX-License-Identifier: MIT
#include "kernel/errmsg.h"
#include "kernel/strerror.h"
#include "libc/stdio.h"

int errmsg_set(struct errmsg *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	return err;
}

const char *errmsg_why(const struct errmsg *e, int err)
{
	return e && e->why[0] ? e->why : strerror(err);
}
