// SPDX-License-Identifier: MIT
#include "kernel/seq_buf.h"
#include "libc/stdio.h"
#include "libc/string.h"

void seq_buf_init(struct seq_buf *s, char *buf, size_t size)
{
	s->buf = buf;
	s->size = size;
	s->len = 0;
	s->overflow = false;
	if (size)
		buf[0] = '\0';
}

void seq_printf(struct seq_buf *s, const char *fmt, ...)
{
	size_t room = s->size - s->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, room, fmt, ap);
	va_end(ap);
	if ((size_t)n >= room) {
		s->overflow = true;
		s->len = s->size ? s->size - 1 : 0;
		return;
	}
	s->len += n;
}

void seq_puts(struct seq_buf *s, const char *str)
{
	seq_printf(s, "%s", str);
}

void seq_write(struct seq_buf *s, const void *data, size_t len)
{
	/* Keep the byte seq_printf keeps for its NUL. */
	size_t room = s->size ? s->size - 1 - s->len : 0;
	size_t n = min(len, room);

	memcpy(s->buf + s->len, data, n);
	s->len += n;
	if (s->size)
		s->buf[s->len] = '\0';
	if (n < len)
		s->overflow = true;
}
