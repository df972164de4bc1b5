// SPDX-License-Identifier: MIT
/*
 * The console as a file (fds 0, 1, 2), a terminal in canonical mode: a
 * read waits for a whole line, edited with the shell's line editor
 * (Backspace, Ctrl-U), and returns it with its '\n'; a line longer than
 * the read is kept for the next reads. Ctrl-D on an empty line is end of
 * file; Ctrl-C abandons the line (-EINTR). Writes go to every console.
 */
#include "fs/file.h"
#include "kernel/console.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/errno.h"
#include "libc/string.h"

#define CTRL_D	4

/* One terminal, so one line being typed and one line being handed out. */
static struct line_editor editor;
static char pending[SHELL_LINE_MAX + 1];
static size_t pending_len, pending_pos;

static void console_echo(const char *s, size_t n)
{
	console_write(s, n, LOGLEVEL_INFO);
}

/* Wait for a line into pending: its length, 0 at end of file, or -EINTR. */
static ssize_t read_line(void)
{
	line_editor_init(&editor, console_echo);
	for (;;) {
		int c = console_getc();

		if (c == CTRL_D && !editor.len)
			return 0;
		if (c == CTRL_D)
			break;		/* hand out what is typed, without '\n' */
		/* An over-long line is cut to what fits, as a tty drops the rest. */
		if (c == '\r' || c == '\n')
			editor.overflow = false;
		switch (line_editor_feed(&editor, c)) {
		case LINE_MORE:
			continue;
		case LINE_CANCEL:
			return -EINTR;
		default:
			editor.buf[editor.len++] = '\n';
			break;
		}
		break;
	}
	memcpy(pending, editor.buf, editor.len);
	pending_len = editor.len;
	pending_pos = 0;
	return pending_len;
}

static ssize_t console_read(struct file *f, char *buf, size_t count, loff_t *pos)
{
	size_t n;

	(void)f;
	(void)pos;
	if (!count)
		return 0;
	if (pending_pos == pending_len) {
		ssize_t ret = read_line();

		if (ret <= 0)
			return ret;
	}
	n = min(count, pending_len - pending_pos);
	memcpy(buf, pending + pending_pos, n);
	pending_pos += n;
	return n;
}

static ssize_t console_file_write(struct file *f, const char *buf, size_t count, loff_t *pos)
{
	(void)f;
	(void)pos;
	printk_write(buf, count);
	return count;
}

static void console_getattr(struct file *f, struct kstat *st)
{
	(void)f;
	/* /dev/console: character device 5:1. */
	st->mode = S_IFCHR | 0620;
	st->rdev = 5 << 8 | 1;
	st->nlink = 1;
	st->blksize = 1024;
}

static const struct file_operations console_fops = {
	.read = console_read,
	.write = console_file_write,
	.getattr = console_getattr,
};

struct file *console_file_open(unsigned int flags)
{
	return alloc_file(&console_fops, flags, NULL);
}
