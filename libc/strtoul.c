// SPDX-License-Identifier: MIT
#include "libc/stdlib.h"
#include "libc/ctype.h"
#include "libc/errno.h"
#include <stdbool.h>

#define ULLONG_MAX_	(~0ULL)

static int digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Skip a 0x / 0 prefix as base demands; returns the base to use. */
static unsigned int parse_base(const char **sp, unsigned int base)
{
	const char *s = *sp;

	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] | 0x20) == 'x' &&
	    isxdigit((unsigned char)s[2])) {
		*sp = s + 2;
		return 16;
	}
	if (base == 0)
		return s[0] == '0' ? 8 : 10;
	return base;
}

/*
 * Parse digits: returns how many were consumed; *overflow is set when the
 * value does not fit (the result then saturates).
 */
static unsigned int parse_digits(const char *s, unsigned int base,
				 unsigned long long *res, bool *overflow)
{
	unsigned long long v = 0;
	unsigned int n = 0;

	*overflow = false;
	for (;; n++) {
		int d = digit_value((unsigned char)s[n]);

		if (d >= (int)base)
			break;
		if (v > (ULLONG_MAX_ - d) / base) {
			*overflow = true;
			v = ULLONG_MAX_;
			continue;
		}
		if (!*overflow)
			v = v * base + d;
	}
	*res = v;
	return n;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long long v;
	bool neg = false, ovf;
	unsigned int n;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	base = parse_base(&p, base);
	if (base < 2 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	n = parse_digits(p, base, &v, &ovf);
	if (end)
		*end = (char *)(n ? p + n : s);
	if (!n)
		return 0;
	return neg && !ovf ? -v : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}

long long strtoll(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long long v;
	bool neg;

	while (isspace((unsigned char)*p))
		p++;
	neg = *p == '-';
	v = strtoull(p + (*p == '-' || *p == '+'), end, base);
	if (end && *end == p + (*p == '-' || *p == '+'))
		*end = (char *)s;
	if (neg)
		return v > (1ULL << 63) ? (long long)(1ULL << 63) : -(long long)v;
	return v > (~0ULL >> 1) ? (long long)(~0ULL >> 1) : (long long)v;
}

long strtol(const char *s, char **end, int base)
{
	return strtoll(s, end, base);
}

int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long v;
	unsigned int n;
	bool ovf;

	if (*s == '+')
		s++;
	base = parse_base(&s, base);
	if (base < 2 || base > 36)
		return -EINVAL;
	n = parse_digits(s, base, &v, &ovf);
	if (!n)
		return -EINVAL;
	s += n;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	if (ovf)
		return -ERANGE;
	*res = v;
	return 0;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long v;
	int ret = kstrtoull(s, base, &v);

	if (!ret)
		*res = v;
	return ret;
}

int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int ret = kstrtoull(s, base, &v);

	if (ret)
		return ret;
	if (v > 0xffffffffULL)
		return -ERANGE;
	*res = v;
	return 0;
}

int kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long v;
	int ret;

	if (*s == '-') {
		ret = kstrtoull(s + 1, base, &v);
		if (ret)
			return ret;
		if (v > (1ULL << 63))
			return -ERANGE;
		*res = -(long long)v;
		return 0;
	}
	ret = kstrtoull(s, base, &v);
	if (ret)
		return ret;
	if (v > (~0ULL >> 1))
		return -ERANGE;
	*res = v;
	return 0;
}

int kstrtoint(const char *s, unsigned int base, int *res)
{
	long long v;
	int ret = kstrtoll(s, base, &v);

	if (ret)
		return ret;
	if (v > 0x7fffffffLL || v < -0x80000000LL)
		return -ERANGE;
	*res = v;
	return 0;
}

static int suffix_shift(char c)
{
	switch (c) {
	case 'E': case 'e': return 60;
	case 'P': case 'p': return 50;
	case 'T': case 't': return 40;
	case 'G': case 'g': return 30;
	case 'M': case 'm': return 20;
	case 'K': case 'k': return 10;
	}
	return -1;
}

unsigned long long memparse(const char *s, char **retptr)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	int shift = suffix_shift(*end);

	if (shift > 0) {
		v <<= shift;
		end++;
	}
	if (retptr)
		*retptr = end;
	return v;
}

int kmemparse(const char *s, unsigned long long *res)
{
	unsigned long long v;
	unsigned int base, n;
	const char *p = s;
	int shift;
	bool ovf;

	base = parse_base(&p, 0);
	n = parse_digits(p, base, &v, &ovf);
	if (!n)
		return -EINVAL;
	p += n;
	shift = suffix_shift(*p);
	if (shift > 0)
		p++;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	if (ovf)
		return -ERANGE;
	if (shift > 0) {
		if (v > (ULLONG_MAX_ >> shift))
			return -ERANGE;
		v <<= shift;
	}
	*res = v;
	return 0;
}
