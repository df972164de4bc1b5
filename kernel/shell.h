/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

#include "kernel/types.h"

/*
 * Console commands, registered where they are implemented:
 *
 *	static int cmd_uptime(int argc, char **argv) { ... }
 *	SHELL_CMD(uptime, "", "time since boot");
 *
 * A command returns 0 on success; on bad input it prints one line
 * "name: what was wrong" and returns a negative errno.
 */
struct shell_cmd {
	const char *name;
	const char *usage;
	const char *help;
	int (*fn)(int argc, char **argv);
};

#define SHELL_CMD(cmd, usage, help)					\
	static const struct shell_cmd __shell_cmd_##cmd			\
	__used __section(".shell_cmds") __aligned(8) =			\
		{ #cmd, usage, help, cmd_##cmd }

#define SHELL_LINE_MAX	256
#define SHELL_ARGS_MAX	32

/* Split a line into words in place ("double quotes" group). */
int shell_split(char *line, char **argv, int max);
/* Run one command line; returns the command's result. */
int shell_exec(const char *line);
/* For a command that takes none: 0, or -EINVAL after "CMD: takes no arguments". */
int shell_no_args(int argc, char **argv);
/* The interactive loop: never returns. */
__noreturn void shell_run(void);
const struct shell_cmd *shell_find(const char *name);

/*
 * The line editor, separate from the loop so that tests can feed it
 * keystrokes. echo() receives what should appear on the terminal.
 */
enum line_status { LINE_MORE, LINE_DONE, LINE_CANCEL, LINE_TOO_LONG };

struct line_editor {
	char buf[SHELL_LINE_MAX];
	size_t len;
	bool overflow;
	int esc;		/* inside an escape sequence */
	bool last_cr;
	void (*echo)(const char *s, size_t n);
};

void line_editor_init(struct line_editor *le, void (*echo)(const char *, size_t));
enum line_status line_editor_feed(struct line_editor *le, int c);

#endif
