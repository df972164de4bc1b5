// SPDX-License-Identifier: MIT
/*
 * vsnprintf() and friends: the integer and string subset of C99 printf.
 * There is no floating point because the kernel is built without SSE.
 */
#include "libc/stdio.h"
#include "libc/string.h"
#include "libc/ctype.h"
#include <stdbool.h>

/* GCC's <limits.h> needs the C library's under -nostdinc. */
#define INT_MAX		__INT_MAX__
#define INT_MIN		(-INT_MAX - 1)

#define F_LEFT	0x01
#define F_ZERO	0x02
#define F_PLUS	0x04
#define F_SPACE	0x08
#define F_ALT	0x10
#define F_UPPER	0x20
#define F_PTR	0x40	/* %p: "0x" even for NULL */

struct out {
	char *buf;
	size_t size;
	size_t len;		/* length the whole output would have */
};

struct spec {
	unsigned int flags;
	int width;
	int prec;		/* -1: none given */
};

enum len { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE };

/* Count every byte but store only what fits, leaving room for the NUL. */
static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	int n;

	if (!s)
		s = "(null)";
	/* With a precision the string need not be terminated: strnlen. */
	if (sp->prec >= 0)
		n = strnlen(s, sp->prec);
	else
		n = strlen(s);
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', sp->width - n);
}

static void put_char(struct out *o, char c, const struct spec *sp)
{
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', sp->width - 1);
	put(o, c);
	if (sp->flags & F_LEFT)
		pad(o, ' ', sp->width - 1);
}

static const char *num_prefix(unsigned long long v, unsigned int base,
			      unsigned int flags)
{
	if (flags & F_PTR)
		return "0x";
	/* C: "%#x" of zero has no prefix. */
	if ((flags & F_ALT) && base == 16 && v)
		return flags & F_UPPER ? "0X" : "0x";
	return "";
}

/*
 * Layout: [spaces] [sign] [prefix] [zeros] digits [spaces]. The zeros come
 * from the precision, from '#' for octal, or from the '0' flag, which C
 * ignores when a precision is given or with '-'.
 */
static void put_num(struct out *o, unsigned long long v, char sign,
		    unsigned int base, const struct spec *sp)
{
	const char *digits = sp->flags & F_UPPER ? "0123456789ABCDEF" :
						   "0123456789abcdef";
	const char *prefix = num_prefix(v, base, sp->flags);
	char tmp[24];		/* 22 octal digits for 2^64 - 1 */
	int n = 0, zeros, total;

	/* "%.0d" of 0 prints no digits at all. */
	if (v || sp->prec != 0) {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	zeros = sp->prec > n ? sp->prec - n : 0;
	/* '#' with octal makes the first digit a 0, adding one if needed. */
	if ((sp->flags & F_ALT) && base == 8 && !zeros &&
	    (!n || tmp[n - 1] != '0'))
		zeros = 1;
	total = n + zeros + (sign != 0) + (int)strlen(prefix);
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0 &&
	    sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', sp->width - total);
	if (sign)
		put(o, sign);
	while (*prefix)
		put(o, *prefix++);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', sp->width - total);
}

static void put_signed(struct out *o, long long v, const struct spec *sp)
{
	unsigned long long mag = v;
	char sign = 0;

	if (v < 0) {
		/* Negated as unsigned, so that LLONG_MIN works. */
		mag = 0 - mag;
		sign = '-';
	} else if (sp->flags & F_PLUS)
		sign = '+';
	else if (sp->flags & F_SPACE)
		sign = ' ';
	put_num(o, mag, sign, 10, sp);
}

static const char *parse_flags(const char *f, struct spec *sp)
{
	for (;; f++) {
		switch (*f) {
		case '-':
			sp->flags |= F_LEFT;
			break;
		case '0':
			sp->flags |= F_ZERO;
			break;
		case '+':
			sp->flags |= F_PLUS;
			break;
		case ' ':
			sp->flags |= F_SPACE;
			break;
		case '#':
			sp->flags |= F_ALT;
			break;
		default:
			return f;
		}
	}
}

/* A width or precision: digits or '*'. Saturates instead of overflowing. */
static const char *parse_int(const char *f, int *v, va_list *ap)
{
	if (*f == '*') {
		*v = va_arg(*ap, int);
		return f + 1;
	}
	*v = 0;
	for (; isdigit((unsigned char)*f); f++) {
		int d = *f - '0';

		*v = *v > (INT_MAX - d) / 10 ? INT_MAX : *v * 10 + d;
	}
	return f;
}

static const char *parse_len(const char *f, enum len *l)
{
	*l = L_INT;
	if (f[0] == 'h' && f[1] == 'h') {
		*l = L_CHAR;
		return f + 2;
	}
	if (f[0] == 'l' && f[1] == 'l') {
		*l = L_LLONG;
		return f + 2;
	}
	switch (*f) {
	case 'h':
		*l = L_SHORT;
		return f + 1;
	case 'l':
		*l = L_LONG;
		return f + 1;
	case 'z':
	case 't':
	case 'j':
		/* size_t, ptrdiff_t and intmax_t are all long on x86_64. */
		*l = L_SIZE;
		return f + 1;
	}
	return f;
}

static long long get_signed(enum len l, va_list *ap)
{
	switch (l) {
	case L_CHAR:
		return (signed char)va_arg(*ap, int);
	case L_SHORT:
		return (short)va_arg(*ap, int);
	case L_LONG:
	case L_SIZE:
		return va_arg(*ap, long);
	case L_LLONG:
		return va_arg(*ap, long long);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long get_unsigned(enum len l, va_list *ap)
{
	switch (l) {
	case L_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case L_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case L_LONG:
	case L_SIZE:
		return va_arg(*ap, unsigned long);
	case L_LLONG:
		return va_arg(*ap, unsigned long long);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/*
 * One conversion. Returns false for a conversion character it does not
 * know, which the caller then copies out literally.
 */
static bool convert(struct out *o, char c, enum len l, struct spec *sp,
		    va_list *ap)
{
	/* C: '+' and ' ' only apply to signed conversions. */
	if (c != 'd' && c != 'i')
		sp->flags &= ~(F_PLUS | F_SPACE);

	switch (c) {
	case 'd':
	case 'i':
		put_signed(o, get_signed(l, ap), sp);
		return true;
	case 'u':
		put_num(o, get_unsigned(l, ap), 0, 10, sp);
		return true;
	case 'X':
		sp->flags |= F_UPPER;
		/* fall through */
	case 'x':
		put_num(o, get_unsigned(l, ap), 0, 16, sp);
		return true;
	case 'o':
		put_num(o, get_unsigned(l, ap), 0, 8, sp);
		return true;
	case 'p':
		/* Always "0x" and 16 digits so that addresses line up. */
		sp->flags = (sp->flags & F_LEFT) | F_PTR;
		sp->prec = 16;
		put_num(o, (unsigned long)va_arg(*ap, void *), 0, 16, sp);
		return true;
	case 's':
		put_str(o, va_arg(*ap, const char *), sp);
		return true;
	case 'c':
		put_char(o, (char)va_arg(*ap, int), sp);
		return true;
	case '%':
		/* "%5%" is still just '%', as in glibc and Linux. */
		put(o, '%');
		return true;
	}
	return false;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list aq;

	/* A local copy, so that its address can be passed down. */
	va_copy(aq, ap);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { 0, 0, -1 };
		enum len l;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_flags(fmt + 1, &sp);
		fmt = parse_int(fmt, &sp.width, &aq);
		if (sp.width < 0) {
			sp.flags |= F_LEFT;
			sp.width = sp.width == INT_MIN ? INT_MAX : -sp.width;
		}
		if (*fmt == '.') {
			fmt = parse_int(fmt + 1, &sp.prec, &aq);
			/* C: a negative '*' precision is as if none was given. */
			if (sp.prec < 0)
				sp.prec = -1;
		}
		fmt = parse_len(fmt, &l);
		if (*fmt && convert(&o, *fmt, l, &sp, &aq)) {
			fmt++;
			continue;
		}
		/* Unknown or truncated conversion: copy it out as written. */
		if (*fmt)
			fmt++;
		while (start < fmt)
			put(&o, *start++);
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Linux semantics: what was stored, not counting the NUL. */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if ((size_t)n < size)
		return n;
	return size ? (int)size - 1 : 0;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
