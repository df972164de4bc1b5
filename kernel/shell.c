// SPDX-License-Identifier: MIT
/*
 * The console shell: a prompt, a line editor (backspace, Ctrl-U kills the
 * line, Ctrl-C abandons it), words split with double quotes, and output
 * redirection `cmd args > /path` into the pseudo-filesystem, which is how
 * `echo 64 > /proc/sys/vm/nr_hugepages` works.
 */
#include "kernel/shell.h"
#include "kernel/console.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/strerror.h"
#include "libc/string.h"
#include "libc/ctype.h"
#include "libc/errno.h"

extern const struct shell_cmd __shell_cmd_start[], __shell_cmd_end[];

#define PROMPT	"pagefold# "

const struct shell_cmd *shell_find(const char *name)
{
	for (const struct shell_cmd *c = __shell_cmd_start; c < __shell_cmd_end; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int shell_no_args(int argc, char **argv)
{
	if (argc <= 1)
		return 0;
	printk("%s: takes no arguments\n", argv[0]);
	return -EINVAL;
}

int shell_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		char *out;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			return argc;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = out = p;
		while (*p && !isspace((unsigned char)*p)) {
			if (*p != '"') {
				*out++ = *p++;
				continue;
			}
			p++;
			while (*p && *p != '"')
				*out++ = *p++;
			if (!*p)
				return -EINVAL;
			p++;
		}
		if (*p)
			p++;
		*out = '\0';
	}
}

/*
 * `cmd ... > path`: run cmd with its output captured, then write the
 * output to path. A failed command writes nothing.
 */
static int exec_redirect(const struct shell_cmd *cmd, int argc, char **argv,
			 const char *path)
{
	static char out[4096];
	struct printk_capture cap = { .buf = out, .size = sizeof(out) };
	struct errmsg e;
	int ret;

	printk_capture_begin(&cap);
	ret = cmd->fn(argc, argv);
	printk_capture_end(&cap);
	if (ret) {
		printk("%s", out);	/* the command's own error line */
		return ret;
	}
	if (cap.overflow) {
		printk("%s: output too long to redirect\n", argv[0]);
		return -E2BIG;
	}
	ret = pseudofs_write(path, out, cap.len, &e);
	if (ret < 0)
		printk("%s: %s: %s\n", argv[0], path, errmsg_why(&e, ret));
	return ret < 0 ? ret : 0;
}

int shell_exec(const char *line)
{
	char buf[SHELL_LINE_MAX];
	char *argv[SHELL_ARGS_MAX + 1];
	const struct shell_cmd *cmd;
	const char *redirect = NULL;
	int argc;

	if (strlcpy(buf, line, sizeof(buf)) >= sizeof(buf)) {
		printk("shell: line too long (max %d characters)\n", SHELL_LINE_MAX - 1);
		return -E2BIG;
	}
	argc = shell_split(buf, argv, SHELL_ARGS_MAX);
	if (argc == -E2BIG) {
		printk("shell: too many words (max %d)\n", SHELL_ARGS_MAX);
		return argc;
	}
	if (argc == -EINVAL) {
		printk("shell: unterminated quote\n");
		return argc;
	}
	if (argc == 0)
		return 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], ">"))
			continue;
		if (i != argc - 2) {
			printk("shell: '>' must be followed by exactly one file name\n");
			return -EINVAL;
		}
		redirect = argv[i + 1];
		argc = i;
		break;
	}
	argv[argc] = NULL;
	cmd = shell_find(argv[0]);
	if (!cmd) {
		printk("%s: command not found (try 'help')\n", argv[0]);
		return -ENOENT;
	}
	if (redirect)
		return exec_redirect(cmd, argc, argv, redirect);
	return cmd->fn(argc, argv);
}

void line_editor_init(struct line_editor *le, void (*echo)(const char *, size_t))
{
	le->len = 0;
	le->buf[0] = '\0';
	le->overflow = false;
	le->esc = 0;
	le->last_cr = false;
	le->echo = echo;
}

static void le_echo(struct line_editor *le, const char *s)
{
	if (le->echo)
		le->echo(s, strlen(s));
}

static void le_reset(struct line_editor *le)
{
	le->len = 0;
	le->buf[0] = '\0';
	le->overflow = false;
}

/* Swallow ANSI escape sequences (arrow keys): ESC [ ... final byte. */
static bool le_escape(struct line_editor *le, int c)
{
	if (c == 0x1b) {
		le->esc = 1;
		return true;
	}
	if (!le->esc)
		return false;
	if (le->esc == 1 && (c == '[' || c == 'O')) {
		le->esc = 2;
		return true;
	}
	if (le->esc == 2 && c >= 0x20 && c < 0x40)
		return true;
	le->esc = 0;
	return true;
}

enum line_status line_editor_feed(struct line_editor *le, int c)
{
	bool after_cr = le->last_cr;

	le->last_cr = c == '\r';
	if (le_escape(le, c))
		return LINE_MORE;
	switch (c) {
	case '\n':
		if (after_cr)
			return LINE_MORE;	/* CR LF is one Enter */
		/* fall through */
	case '\r':
		le_echo(le, "\n");
		if (le->overflow) {
			le_reset(le);
			return LINE_TOO_LONG;
		}
		return LINE_DONE;
	case 3:					/* Ctrl-C */
		le_echo(le, "^C\n");
		le_reset(le);
		return LINE_CANCEL;
	case 21:				/* Ctrl-U */
		while (le->len) {
			le->len--;
			le_echo(le, "\b \b");
		}
		le->buf[0] = '\0';
		le->overflow = false;
		return LINE_MORE;
	case '\b':
	case 0x7f:
		if (le->len) {
			le->buf[--le->len] = '\0';
			le_echo(le, "\b \b");
		}
		return LINE_MORE;
	}
	/* A tab separates words as a space does (no completion here). */
	if (c == '\t')
		c = ' ';
	if (c < 0x20 || c > 0x7e)
		return LINE_MORE;
	if (le->len >= SHELL_LINE_MAX - 1) {
		le->overflow = true;	/* refuse; reported at Enter */
		return LINE_MORE;
	}
	le->buf[le->len++] = c;
	le->buf[le->len] = '\0';
	if (le->echo) {
		char ch = c;

		le->echo(&ch, 1);
	}
	return LINE_MORE;
}

static void console_echo(const char *s, size_t n)
{
	console_write(s, n, LOGLEVEL_INFO);
}

void shell_run(void)
{
	struct line_editor le;

	line_editor_init(&le, console_echo);
	printk("Type 'help' for the list of commands.\n");
	for (;;) {
		enum line_status st;

		printk(PROMPT);
		do {
			st = line_editor_feed(&le, console_getc());
		} while (st == LINE_MORE);
		if (st == LINE_TOO_LONG) {
			printk("shell: line too long (max %d characters), ignored\n",
			       SHELL_LINE_MAX - 1);
			continue;
		}
		if (st == LINE_DONE)
			shell_exec(le.buf);
		le_reset(&le);
	}
}
