/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SEQ_BUF_H
#define KERNEL_SEQ_BUF_H

#include "kernel/types.h"

/* A bounded text buffer that pseudo-files print their contents into. */
struct seq_buf {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

void seq_buf_init(struct seq_buf *s, char *buf, size_t size);
__printf(2, 3) void seq_printf(struct seq_buf *s, const char *fmt, ...);
void seq_puts(struct seq_buf *s, const char *str);
/* Bytes as they are (NULs included); what does not fit sets overflow. */
void seq_write(struct seq_buf *s, const void *data, size_t len);

#endif
