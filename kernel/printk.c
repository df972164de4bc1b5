// SPDX-License-Identifier: MIT
/*
 * printk formats into a line buffer, keeps a copy in the log ring (for
 * `dmesg`) and hands it to every console, or to the capture buffer while
 * the shell redirects a command's output.
 */
#include "kernel/printk.h"
#include "kernel/console.h"
#include "kernel/traps.h"
#include "libc/stdio.h"
#include "libc/string.h"

#define LOG_BUF_SIZE	(64 * 1024)

static char log_buf[LOG_BUF_SIZE];
static size_t log_head;		/* total bytes ever logged */
static int console_loglevel = LOGLEVEL_DEBUG;
static struct printk_capture *capture;

static void log_store(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_buf[(log_head + i) % LOG_BUF_SIZE] = s[i];
	log_head += len;
}

size_t printk_log_read(char *dst, size_t size)
{
	size_t avail = log_head < LOG_BUF_SIZE ? log_head : LOG_BUF_SIZE;
	size_t start = log_head - avail;
	size_t n = avail < size ? avail : size;

	/* The newest bytes when the caller's buffer is smaller. */
	start += avail - n;
	for (size_t i = 0; i < n; i++)
		dst[i] = log_buf[(start + i) % LOG_BUF_SIZE];
	return n;
}

void printk_capture_begin(struct printk_capture *c)
{
	c->len = 0;
	c->overflow = false;
	if (c->size)
		c->buf[0] = '\0';
	c->prev = capture;
	capture = c;
}

void printk_capture_end(struct printk_capture *c)
{
	capture = c->prev;
}

static void capture_store(const char *s, size_t len)
{
	struct printk_capture *c = capture;
	size_t room = c->size - 1 - c->len;

	if (len > room) {
		c->overflow = true;
		len = room;
	}
	memcpy(c->buf + c->len, s, len);
	c->len += len;
	c->buf[c->len] = '\0';
}

int vprintk_level(int level, const char *fmt, va_list ap)
{
	char buf[512];
	unsigned long flags;
	int n;

	n = vscnprintf(buf, sizeof(buf), fmt, ap);
	flags = local_irq_save();
	if (capture) {
		capture_store(buf, n);
	} else {
		log_store(buf, n);
		if (level <= console_loglevel)
			console_write(buf, n, level);
	}
	local_irq_restore(flags);
	return n;
}

void printk_write(const char *s, size_t len)
{
	unsigned long flags = local_irq_save();

	if (capture) {
		capture_store(s, len);
	} else {
		log_store(s, len);
		console_write(s, len, LOGLEVEL_INFO);
	}
	local_irq_restore(flags);
}

int printk_level(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk_level(level, fmt, ap);
	va_end(ap);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk_level(LOGLEVEL_INFO, fmt, ap);
	va_end(ap);
	return n;
}
