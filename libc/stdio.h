/* SPDX-License-Identifier: MIT */
#ifndef LIBC_STDIO_H
#define LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

/*
 * C99 semantics: the output is always NUL-terminated when size > 0 and the
 * return value is the length the whole output would have had. The
 * scnprintf() variants return what was actually written (Linux).
 *
 * Conversions: d i u x X o p s c %, flags - 0 + space #, width and
 * precision (also *), length hh h l ll z t j. No floating point. %p is
 * always "0x" and 16 hex digits, NULL included; %s of NULL is "(null)";
 * an unknown conversion is copied out as written.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int scnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
