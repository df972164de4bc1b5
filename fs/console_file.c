// SPDX-License-Identifier: MIT
/*
 * The console as a file (fds 0, 1, 2), a terminal in canonical mode: a
 * read waits for a whole line, edited with the shell's line editor
 * (Backspace, Ctrl-U), and returns it with its '\n'; a line longer than
 * the read is kept for the next reads. Ctrl-D on an empty line is end of
 * file. Writes go to every console.
 *
 * While a program runs, the console's input is shared by its reader and
 * the shell waiting in `run`, which must see Ctrl-C even when nothing
 * reads: both take it through console_poll_input(), which keeps
 * characters for read() in the terminal's queue and hands Ctrl-C to
 * whoever polled. A reader that gets it sends SIGINT to its own process
 * and returns -EINTR, as a tty's foreground reader would be interrupted.
 */
#include "fs/file.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/shell.h"
#include "kernel/signal.h"
#include "kernel/task.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/string.h"

#define CTRL_C		3
#define CTRL_D		4
#define TTY_QUEUE	256

/* One terminal: characters received and not yet read, one line being typed and one handed out. */
static char queue[TTY_QUEUE];
static unsigned int q_head, q_tail;
static unsigned long nr_intr;		/* Ctrl-C seen by anyone, ever */
static struct line_editor editor;
static char pending[SHELL_LINE_MAX + 1];
static size_t pending_len, pending_pos;

int console_poll_input(void)
{
	unsigned long flags = local_irq_save();
	int c, intr = 0;

	while ((c = console_trygetc()) >= 0) {
		unsigned int next = (q_head + 1) % TTY_QUEUE;

		if (c == CTRL_C) {
			/* As a tty's ISIG: what was typed before is thrown away. */
			intr++;
			nr_intr++;
			q_tail = q_head;
		} else if (next != q_tail) {	/* full: dropped, as a tty does */
			queue[q_head] = c;
			q_head = next;
		}
	}
	local_irq_restore(flags);
	return intr;
}

static int queue_pop(void)
{
	unsigned long flags = local_irq_save();
	int c = -1;

	if (q_tail != q_head) {
		c = (unsigned char)queue[q_tail];
		q_tail = (q_tail + 1) % TTY_QUEUE;
	}
	local_irq_restore(flags);
	return c;
}

static void console_echo(const char *s, size_t n)
{
	console_write(s, n, LOGLEVEL_INFO);
}

/* Ctrl-C while reading: abandon the line, interrupt our own process. */
static ssize_t interrupted(void)
{
	struct task_struct *me = current;

	console_echo("^C\n", 3);
	if (!(me->flags & PF_KTHREAD))
		kill_process(me->group_leader, SIGINT);
	return -EINTR;
}

/*
 * The next character typed, or a negative errno when interrupted: by a
 * Ctrl-C we polled, one the shell polled since the line began (it has
 * signalled us), or a signal.
 */
static int next_char(unsigned long intr_at_start)
{
	for (;;) {
		int c;

		if (console_poll_input())
			return interrupted();
		if (READ_ONCE(nr_intr) != intr_at_start)
			return -EINTR;
		c = queue_pop();
		if (c >= 0)
			return c;
		if (signal_pending(current))
			return -EINTR;
		if (sched_running())
			schedule_timeout(NSEC_PER_MSEC);
		else
			cpu_relax();
	}
}

/* Wait for a line into pending: its length, 0 at end of file, or -EINTR. */
static ssize_t read_line(void)
{
	unsigned long intr_at_start = READ_ONCE(nr_intr);

	line_editor_init(&editor, console_echo);
	for (;;) {
		int c = next_char(intr_at_start);

		if (c < 0)
			return c;
		if (c == CTRL_D && !editor.len)
			return 0;
		if (c == CTRL_D)
			break;		/* hand out what is typed, without '\n' */
		/* An over-long line is cut to what fits, as a tty drops the rest. */
		if (c == '\r' || c == '\n')
			editor.overflow = false;
		if (line_editor_feed(&editor, c) != LINE_MORE) {
			editor.buf[editor.len++] = '\n';
			break;
		}
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
