// SPDX-License-Identifier: MIT
#include "libc/stdio.h"
#include "libc/string.h"
#include "libc/ctype.h"
#include <stdbool.h>

#define F_LEFT	0x01
#define F_ZERO	0x02
#define F_PLUS	0x04
#define F_SPACE	0x08
#define F_ALT	0x10
#define F_UPPER	0x20

struct out {
	char *buf;
	size_t size;
	size_t len;		/* would-be length */
};

struct spec {
	unsigned int flags;
	int width;
	int prec;		/* -1: none */
};

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
	n = sp->prec >= 0 ? (int)strnlen(s, sp->prec) : (int)strlen(s);
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', sp->width - n);
}

static void put_num(struct out *o, unsigned long long v, bool neg,
		    unsigned int base, const struct spec *sp)
{
	const char *digits = sp->flags & F_UPPER ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], sign = 0;
	const char *prefix = "";
	int n = 0, zeros, total;

	if (neg)
		sign = '-';
	else if (sp->flags & F_PLUS)
		sign = '+';
	else if (sp->flags & F_SPACE)
		sign = ' ';
	if (v == 0 && sp->prec == 0)
		n = 0;			/* "%.0d" of 0 prints nothing */
	else
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	if ((sp->flags & F_ALT) && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = sp->flags & F_UPPER ? "0X" : "0x";
	zeros = sp->prec > n ? sp->prec - n : 0;
	if ((sp->flags & F_ALT) && base == 8 && !zeros && (!n || tmp[n - 1] != '0'))
		zeros = 1;
	total = n + zeros + (sign != 0) + (int)strlen(prefix);
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0) {
		zeros += sp->width > total ? sp->width - total : 0;
		total = sp->width > total ? sp->width : total;
	}
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', sp->width - total);
	if (sign)
		put(o, sign);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', sp->width - total);
}

static const char *parse_flags(const char *f, struct spec *sp)
{
	for (;; f++) {
		switch (*f) {
		case '-': sp->flags |= F_LEFT; continue;
		case '0': sp->flags |= F_ZERO; continue;
		case '+': sp->flags |= F_PLUS; continue;
		case ' ': sp->flags |= F_SPACE; continue;
		case '#': sp->flags |= F_ALT; continue;
		}
		return f;
	}
}

static const char *parse_int(const char *f, int *v, va_list *ap)
{
	if (*f == '*') {
		*v = va_arg(*ap, int);
		return f + 1;
	}
	*v = 0;
	while (isdigit((unsigned char)*f))
		*v = *v * 10 + (*f++ - '0');
	return f;
}

enum len { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE };

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
	case 'h': *l = L_SHORT; return f + 1;
	case 'l': *l = L_LONG; return f + 1;
	case 'z':
	case 't': *l = L_SIZE; return f + 1;
	}
	return f;
}

static long long get_signed(enum len l, va_list *ap)
{
	switch (l) {
	case L_CHAR: return (signed char)va_arg(*ap, int);
	case L_SHORT: return (short)va_arg(*ap, int);
	case L_LONG: return va_arg(*ap, long);
	case L_LLONG: return va_arg(*ap, long long);
	case L_SIZE: return va_arg(*ap, long);
	default: return va_arg(*ap, int);
	}
}

static unsigned long long get_unsigned(enum len l, va_list *ap)
{
	switch (l) {
	case L_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
	case L_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
	case L_LONG: return va_arg(*ap, unsigned long);
	case L_LLONG: return va_arg(*ap, unsigned long long);
	case L_SIZE: return va_arg(*ap, unsigned long);
	default: return va_arg(*ap, unsigned int);
	}
}

/* One conversion; f points at the conversion character. */
static void convert(struct out *o, char c, enum len l, struct spec *sp, va_list *ap)
{
	long long sv;

	switch (c) {
	case 'd':
	case 'i':
		sv = get_signed(l, ap);
		put_num(o, sv < 0 ? -(unsigned long long)sv : (unsigned long long)sv,
			sv < 0, 10, sp);
		return;
	case 'u':
		put_num(o, get_unsigned(l, ap), false, 10, sp);
		return;
	case 'X':
		sp->flags |= F_UPPER;
		/* fall through */
	case 'x':
		put_num(o, get_unsigned(l, ap), false, 16, sp);
		return;
	case 'o':
		put_num(o, get_unsigned(l, ap), false, 8, sp);
		return;
	case 'p':
		sp->flags |= F_ALT | F_ZERO;
		sp->width = 18;
		sp->prec = -1;
		put_num(o, (unsigned long)va_arg(*ap, void *), false, 16, sp);
		return;
	case 's':
		put_str(o, va_arg(*ap, const char *), sp);
		return;
	case 'c': {
		char ch[2] = { (char)va_arg(*ap, int), 0 };

		sp->prec = 1;
		if (!(sp->flags & F_LEFT))
			pad(o, ' ', sp->width - 1);
		put(o, ch[0]);
		if (sp->flags & F_LEFT)
			pad(o, ' ', sp->width - 1);
		return;
	}
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { 0, 0, -1 };
		enum len l;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_flags(fmt, &sp);
		fmt = parse_int(fmt, &sp.width, &aq);
		if (sp.width < 0) {
			sp.flags |= F_LEFT;
			sp.width = -sp.width;
		}
		if (*fmt == '.') {
			fmt = parse_int(fmt + 1, &sp.prec, &aq);
			if (sp.prec < 0)
				sp.prec = -1;
		}
		fmt = parse_len(fmt, &l);
		if (!*fmt || !strchr("diuxXopsc", *fmt)) {
			/* Unknown conversion: print it as written. */
			while (start < fmt)
				put(&o, *start++);
			continue;
		}
		convert(&o, *fmt++, l, &sp, &aq);
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

int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (!size)
		return 0;
	return (size_t)n < size ? n : (int)size - 1;
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
