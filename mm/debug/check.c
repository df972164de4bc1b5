// SPDX-License-Identifier: MIT
#include "mm/debug/check.h"
#include "libc/errno.h"
#include "libc/stdio.h"

int check_failed(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}
