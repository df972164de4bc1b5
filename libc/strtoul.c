// SPDX-License-Identifier: MIT
/*
 * Number parsing: the C strto*() family, Linux's strict kstrto*() and
 * memparse(). There is no errno, so strto*() saturate on overflow the way
 * C specifies and callers that must know use the kstrto*() variants.
 */
#include "libc/stdlib.h"
#include "libc/ctype.h"
#include "libc/errno.h"
#include <stdbool.h>

/* GCC's <limits.h> needs the C library's under -nostdinc: spell them out. */
#define INT_MAX		__INT_MAX__
#define INT_MIN		(-INT_MAX - 1)
#define UINT_MAX	(INT_MAX * 2U + 1)
#define LLONG_MAX	__LONG_LONG_MAX__
#define LLONG_MIN	(-LLONG_MAX - 1)
#define ULLONG_MAX	(LLONG_MAX * 2ULL + 1)

/* strtoul() and strtol() simply forward to the long long versions. */
_Static_assert(sizeof(long) == sizeof(long long), "LP64 expected");

static unsigned int digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (islower(c))
		return c - 'a' + 10;
	if (isupper(c))
		return c - 'A' + 10;
	return 36;		/* not a digit in any base */
}

static bool base_valid(unsigned int base)
{
	return base == 0 || (base >= 2 && base <= 36);
}

/*
 * Resolve base 0 and skip a "0x" prefix in base 0 or 16. As C requires,
 * the prefix only counts when a hex digit follows it: "0x" alone and
 * "0xg" are the number 0 followed by "x...".
 */
static unsigned int parse_base(const char **sp, unsigned int base)
{
	const char *s = *sp;

	if ((base == 0 || base == 16) && s[0] == '0' &&
	    tolower((unsigned char)s[1]) == 'x' &&
	    isxdigit((unsigned char)s[2])) {
		*sp = s + 2;
		return 16;
	}
	if (base == 0)
		return s[0] == '0' ? 8 : 10;
	return base;
}

/*
 * Consume every digit of base at s, even past an overflow, so that the
 * end pointer lands after the number. Returns the number of digits; the
 * value saturates at ULLONG_MAX and *overflow says so.
 */
static unsigned int parse_digits(const char *s, unsigned int base,
				 unsigned long long *res, bool *overflow)
{
	unsigned long long v = 0;
	unsigned int n;

	*overflow = false;
	for (n = 0;; n++) {
		unsigned int d = digit_value((unsigned char)s[n]);

		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base) {
			*overflow = true;
			v = ULLONG_MAX;
		} else if (!*overflow) {
			v = v * base + d;
		}
	}
	*res = v;
	return n;
}

/*
 * The C subject sequence: blanks, an optional sign, a prefix, digits.
 * Returns the magnitude; with no digits *end is s itself, as C requires.
 */
static unsigned long long parse_c(const char *s, char **end, int base,
				  bool *neg, bool *overflow)
{
	const char *p = s;
	unsigned long long v = 0;
	unsigned int n = 0;

	*neg = false;
	*overflow = false;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if (base >= 0 && base_valid(base)) {
		unsigned int b = parse_base(&p, base);

		n = parse_digits(p, b, &v, overflow);
	}
	if (end)
		*end = (char *)(n ? p + n : s);
	return v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	bool neg, ovf;
	unsigned long long v = parse_c(s, end, base, &neg, &ovf);

	if (ovf)
		return ULLONG_MAX;
	/* C: "-1" is ULLONG_MAX, the negation done in the unsigned type. */
	return neg ? 0 - v : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}

long long strtoll(const char *s, char **end, int base)
{
	bool neg, ovf;
	unsigned long long v = parse_c(s, end, base, &neg, &ovf);

	if (!neg)
		return ovf || v > LLONG_MAX ? LLONG_MAX : (long long)v;
	if (ovf || v >= (unsigned long long)LLONG_MAX + 1)
		return LLONG_MIN;
	return -(long long)v;
}

long strtol(const char *s, char **end, int base)
{
	return strtoll(s, end, base);
}

/*
 * The strict parse shared by every kstrto*(): no blanks, no sign, the
 * whole string is the number but for one trailing newline (so that a
 * value written with echo parses). As in Linux, overflow is reported
 * before trailing garbage.
 */
static int kstrtoull_nosign(const char *s, unsigned int base,
			    unsigned long long *res)
{
	unsigned long long v;
	unsigned int n;
	bool ovf;

	if (!base_valid(base))
		return -EINVAL;
	base = parse_base(&s, base);
	n = parse_digits(s, base, &v, &ovf);
	if (ovf)
		return -ERANGE;
	if (!n)
		return -EINVAL;
	s += n;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = v;
	return 0;
}

int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	if (*s == '+')
		s++;
	return kstrtoull_nosign(s, base, res);
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
	if (v > UINT_MAX)
		return -ERANGE;
	*res = v;
	return 0;
}

int kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long v;
	int ret;

	if (*s != '-') {
		ret = kstrtoull(s, base, &v);
		if (ret)
			return ret;
		if (v > LLONG_MAX)
			return -ERANGE;
		*res = v;
		return 0;
	}
	/* "-+1" is garbage, so the '+' skipping kstrtoull() is not used. */
	ret = kstrtoull_nosign(s + 1, base, &v);
	if (ret)
		return ret;
	if (v > (unsigned long long)LLONG_MAX + 1)
		return -ERANGE;
	/* -(v - 1) - 1 stays in range even for LLONG_MIN. */
	*res = v ? -(long long)(v - 1) - 1 : 0;
	return 0;
}

int kstrtoint(const char *s, unsigned int base, int *res)
{
	long long v;
	int ret = kstrtoll(s, base, &v);

	if (ret)
		return ret;
	if (v > INT_MAX || v < INT_MIN)
		return -ERANGE;
	*res = v;
	return 0;
}

static int suffix_shift(char c)
{
	switch (c) {
	case 'E':
	case 'e':
		return 60;
	case 'P':
	case 'p':
		return 50;
	case 'T':
	case 't':
		return 40;
	case 'G':
	case 'g':
		return 30;
	case 'M':
	case 'm':
		return 20;
	case 'K':
	case 'k':
		return 10;
	}
	return 0;
}

/*
 * Linux's memparse: like simple_strtoull() there are no blanks and no
 * sign. Unlike Linux, a value that overflows, in its digits or through
 * the suffix, saturates at ULLONG_MAX instead of wrapping around to a
 * small and plausible size; a suffix without digits is not consumed.
 */
unsigned long long memparse(const char *s, char **retptr)
{
	const char *p = s;
	unsigned long long v;
	unsigned int base, n;
	bool ovf;
	int shift;

	base = parse_base(&p, 0);
	n = parse_digits(p, base, &v, &ovf);
	if (!n) {
		if (retptr)
			*retptr = (char *)s;
		return 0;
	}
	p += n;
	shift = suffix_shift(*p);
	if (shift) {
		p++;
		v = v > (ULLONG_MAX >> shift) ? ULLONG_MAX : v << shift;
	}
	if (retptr)
		*retptr = (char *)p;
	return v;
}

/*
 * Strict memparse for values the kernel must not guess at: the whole
 * string (one trailing newline allowed) is the number and its suffix.
 * The syntax is checked first, so 30 nines then "x" is -EINVAL
 * rather than -ERANGE, then the range.
 */
int kmemparse(const char *s, unsigned long long *res)
{
	unsigned long long v;
	const char *p = s;
	unsigned int base, n;
	int shift;
	bool ovf;

	base = parse_base(&p, 0);
	n = parse_digits(p, base, &v, &ovf);
	if (!n)
		return -EINVAL;
	p += n;
	shift = suffix_shift(*p);
	if (shift)
		p++;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	if (ovf || v > (ULLONG_MAX >> shift))
		return -ERANGE;
	*res = v << shift;
	return 0;
}

static bool word_is(const char *s, const char *w)
{
	for (; *s && *w; s++, w++)
		if (tolower((unsigned char)*s) != *w)
			return false;
	return *s == *w || (*s == '\n' && !s[1] && !*w);
}

int kstrtobool(const char *s, bool *res)
{
	static const char *const yes[] = { "on", "1", "y", "yes" };
	static const char *const no[] = { "off", "0", "n", "no" };

	for (unsigned int i = 0; i < 4; i++) {
		if (word_is(s, yes[i])) {
			*res = true;
			return 0;
		}
		if (word_is(s, no[i])) {
			*res = false;
			return 0;
		}
	}
	return -EINVAL;
}
