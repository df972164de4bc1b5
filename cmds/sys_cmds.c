// SPDX-License-Identifier: MIT
/* The shell's basic commands: help, echo, cmdline, uptime, dmesg, test. */
#include "kernel/shell.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "tests/ktest.h"
#include "libc/errno.h"
#include "libc/string.h"

extern const struct shell_cmd __shell_cmd_start[], __shell_cmd_end[];

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *c;

	if (argc > 2) {
		printk("help: usage: help [COMMAND]\n");
		return -EINVAL;
	}
	if (argc == 2) {
		c = shell_find(argv[1]);
		if (!c) {
			printk("help: no such command '%s'\n", argv[1]);
			return -ENOENT;
		}
		printk("%s %s\n    %s\n", c->name, c->usage, c->help);
		return 0;
	}
	for (c = __shell_cmd_start; c < __shell_cmd_end; c++) {
		int n = strlen(c->name) + (c->usage[0] ? 1 + strlen(c->usage) : 0);

		/* A long usage gets its own line rather than being cut. */
		printk("  %s%s%s", c->name, c->usage[0] ? " " : "", c->usage);
		if (n > 30)
			printk("\n  %-30s %s\n", "", c->help);
		else
			printk("%*s %s\n", 30 - n, "", c->help);
	}
	return 0;
}
SHELL_CMD(help, "[COMMAND]", "list commands, or show one command's usage");

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printk("%s%s", argv[i], i + 1 < argc ? " " : "");
	printk("\n");
	return 0;
}
SHELL_CMD(echo, "[WORD...] [> FILE]", "print words (or write them to a /proc or /sys file)");

static int cmd_cmdline(int argc, char **argv)
{
	if (shell_no_args(argc, argv))
		return -EINVAL;
	printk("%s\n", saved_command_line());
	return 0;
}
SHELL_CMD(cmdline, "", "show the kernel command line");

static int cmd_uptime(int argc, char **argv)
{
	u64 ns = ktime_get_ns();

	if (shell_no_args(argc, argv))
		return -EINVAL;
	printk("up %lu.%06lu s\n", (unsigned long)(ns / NSEC_PER_SEC),
	       (unsigned long)(ns % NSEC_PER_SEC / 1000));
	return 0;
}
SHELL_CMD(uptime, "", "time since boot");

static int cmd_dmesg(int argc, char **argv)
{
	static char buf[16384];
	size_t n;

	if (shell_no_args(argc, argv))
		return -EINVAL;
	n = printk_log_read(buf, sizeof(buf) - 1);
	buf[n] = '\0';
	printk_write(buf, n);
	return 0;
}
SHELL_CMD(dmesg, "", "print the kernel log (last 16 KiB)");

static int cmd_test(int argc, char **argv)
{
	char word[64];
	int failed = 0;

	if (argc > 2) {
		printk("test: usage: test [all|list|SUITE[,SUITE...]|SUITE.CASE]\n");
		return -EINVAL;
	}
	if (argc == 2 && !strcmp(argv[1], "list")) {
		ktest_list();
		return 0;
	}
	if (argc == 2 && ktest_filter_unmatched(argv[1], word, sizeof(word))) {
		if (word[0])
			printk("test: no suite or case '%s' (try 'test list')\n", word);
		else
			printk("test: empty name in '%s' (SUITE[,SUITE...])\n", argv[1]);
		return -ENOENT;
	}
	if (!ktest_run(argc == 2 ? argv[1] : "all", &failed)) {
		printk("test: no suite matches '%s' (try 'test list')\n", argv[1]);
		return -ENOENT;
	}
	return failed ? -EIO : 0;
}
SHELL_CMD(test, "[all|list|SUITE|SUITE.CASE]", "run the in-kernel test suites (KTAP output)");
