// SPDX-License-Identifier: MIT
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "libc/errno.h"
#include "libc/string.h"

KTEST(shell, split_words)
{
	char line[] = "  echo  hello\tworld  ";
	char *argv[8];

	ASSERT_EQ(test, shell_split(line, argv, 8), 3);
	EXPECT_STREQ(test, argv[0], "echo");
	EXPECT_STREQ(test, argv[1], "hello");
	EXPECT_STREQ(test, argv[2], "world");
}

KTEST(shell, split_quotes)
{
	char line[] = "echo \"a b\" c\"d e\"f \"\"";
	char *argv[8];

	ASSERT_EQ(test, shell_split(line, argv, 8), 4);
	EXPECT_STREQ(test, argv[1], "a b");
	EXPECT_STREQ(test, argv[2], "cd ef");
	EXPECT_STREQ(test, argv[3], "");
}

KTEST(shell, split_errors)
{
	char unterminated[] = "echo \"abc";
	char many[] = "a b c d e";
	char empty[] = "   ";
	char *argv[4];

	EXPECT_EQ(test, shell_split(unterminated, argv, 4), -EINVAL);
	EXPECT_EQ(test, shell_split(many, argv, 4), -E2BIG);
	EXPECT_EQ(test, shell_split(empty, argv, 4), 0);
}

static char echoed[512];
static size_t echoed_len;

static void record_echo(const char *s, size_t n)
{
	if (echoed_len + n >= sizeof(echoed))
		return;
	memcpy(echoed + echoed_len, s, n);
	echoed_len += n;
	echoed[echoed_len] = '\0';
}

static enum line_status feed(struct line_editor *le, const char *keys)
{
	enum line_status st = LINE_MORE;

	for (; *keys; keys++)
		st = line_editor_feed(le, (unsigned char)*keys);
	return st;
}

KTEST(shell, editor_backspace_and_kill)
{
	struct line_editor le;

	echoed_len = 0;
	line_editor_init(&le, record_echo);
	EXPECT_EQ(test, feed(&le, "helq\x7fp"), LINE_MORE);
	EXPECT_STREQ(test, le.buf, "help");
	EXPECT_EQ(test, feed(&le, "xx\x15"), LINE_MORE);	/* Ctrl-U */
	EXPECT_STREQ(test, le.buf, "");
	EXPECT_EQ(test, feed(&le, "\b\bok\r"), LINE_DONE);
	EXPECT_STREQ(test, le.buf, "ok");
}

KTEST(shell, editor_ctrl_c_abandons)
{
	struct line_editor le;

	line_editor_init(&le, NULL);
	EXPECT_EQ(test, feed(&le, "poweroff\x03"), LINE_CANCEL);
	EXPECT_STREQ(test, le.buf, "");
	EXPECT_EQ(test, le.len, 0);
}

KTEST(shell, editor_crlf_is_one_enter)
{
	struct line_editor le;

	line_editor_init(&le, NULL);
	EXPECT_EQ(test, feed(&le, "a\r"), LINE_DONE);
	le.len = 0;
	le.buf[0] = '\0';
	EXPECT_EQ(test, line_editor_feed(&le, '\n'), LINE_MORE);
	EXPECT_EQ(test, line_editor_feed(&le, '\n'), LINE_DONE);
}

KTEST(shell, editor_escape_sequences_ignored)
{
	struct line_editor le;

	line_editor_init(&le, NULL);
	feed(&le, "ab\x1b[A\x1b[1;5Cc");
	EXPECT_STREQ(test, le.buf, "abc");
}

KTEST(shell, editor_overlong_refused)
{
	struct line_editor le;
	int i;

	line_editor_init(&le, NULL);
	for (i = 0; i < SHELL_LINE_MAX + 50; i++)
		line_editor_feed(&le, 'x');
	EXPECT_EQ(test, le.len, SHELL_LINE_MAX - 1);
	EXPECT_EQ(test, le.buf[SHELL_LINE_MAX - 1], '\0');
	EXPECT_EQ(test, line_editor_feed(&le, '\r'), LINE_TOO_LONG);
	EXPECT_EQ(test, le.len, 0);
}

KTEST(shell, unknown_command)
{
	char out[128];

	EXPECT_EQ(test, ktest_shell("frobnicate 1 2", out, sizeof(out)), -ENOENT);
	EXPECT_STREQ(test, out, "frobnicate: command not found (try 'help')\n");
}

KTEST(shell, echo_output)
{
	char out[128];

	EXPECT_EQ(test, ktest_shell("echo  a \"b c\"", out, sizeof(out)), 0);
	EXPECT_STREQ(test, out, "a b c\n");
}

KTEST(shell, bad_arguments_one_line_error)
{
	char out[128];

	EXPECT_NE(test, ktest_shell("uptime now", out, sizeof(out)), 0);
	EXPECT_STREQ(test, out, "uptime: takes no arguments\n");
	EXPECT_NE(test, ktest_shell("help nosuch", out, sizeof(out)), 0);
	EXPECT_STREQ(test, out, "help: no such command 'nosuch'\n");
	EXPECT_NE(test, ktest_shell("echo \"open", out, sizeof(out)), 0);
	EXPECT_STREQ(test, out, "shell: unterminated quote\n");
}

KTEST(shell, redirect_errors)
{
	char out[160];

	EXPECT_EQ(test, ktest_shell("echo 1 > /no/such/file", out, sizeof(out)), -ENOENT);
	EXPECT_STREQ(test, out, "echo: /no/such/file: No such file or directory\n");
	EXPECT_EQ(test, ktest_shell("echo 1 > a b", out, sizeof(out)), -EINVAL);
	EXPECT_STREQ(test, out, "shell: '>' must be followed by exactly one file name\n");
}

KTEST(shell, help_lists_commands)
{
	static char out[4096];

	EXPECT_EQ(test, ktest_shell("help", out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "poweroff"));
	EXPECT_NOT_NULL(test, strstr(out, "uptime"));
	EXPECT_NOT_NULL(test, strstr(out, "test "));
}

KTEST(shell, editor_tab_separates_words)
{
	struct line_editor le;
	char *argv[4];

	echoed_len = 0;
	line_editor_init(&le, record_echo);
	EXPECT_EQ(test, feed(&le, "cat\t/proc/meminfo\r"), LINE_DONE);
	EXPECT_STREQ(test, le.buf, "cat /proc/meminfo");
	EXPECT_STREQ(test, echoed, "cat /proc/meminfo\n");
	ASSERT_EQ(test, shell_split(le.buf, argv, 4), 2);
	EXPECT_STREQ(test, argv[1], "/proc/meminfo");
}

/*
 * Slips once answered with nothing, or with less than the whole story:
 * each gets one line naming what is wrong, and runs nothing.
 */
KTEST(shell, slips_get_one_line_errors)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{ "bench ,", "bench: empty name in ',' (bench NAME[,NAME]; bench list)\n" },
		{ "bench buddy,", "bench: empty name in 'buddy,' (bench NAME[,NAME]; bench list)\n" },
		{ "bench buddy,nosuch", "bench: no benchmark 'nosuch' (bench list)\n" },
		{ "test buddy,nosuch", "test: no suite or case 'nosuch' (try 'test list')\n" },
		{ "test shell,", "test: empty name in 'shell,' (SUITE[,SUITE...])\n" },
		{ "test ,", "test: empty name in ',' (SUITE[,SUITE...])\n" },
		{ "slabcheck x", "slabcheck: takes no arguments\n" },
		{ "cat /proc/", "cat: /proc/: Is a directory\n" },
		{ "cat /proc", "cat: /proc: Is a directory\n" },
		{ "cat /proc/meminfo/", "cat: /proc/meminfo/: Not a directory\n" },
		{ "cat /proc/nosuch/", "cat: /proc/nosuch/: No such file or directory\n" },
	};
	static char before[4096], after[4096], out[256];

	/* Settled first: pages parked in per-CPU lists would move MemFree. */
	ktest_settled_free_pages();
	ASSERT_GT(test, ktest_shell("cat /proc/meminfo", before, sizeof(before)), -1);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_NE(test, ktest_shell(cases[i].line, out, sizeof(out)), 0);
		if (strcmp(out, cases[i].want))
			ktest_fail(test, __FILE__, __LINE__, "'%s' answered '%s'", cases[i].line,
				   out);
	}
	ktest_settled_free_pages();
	EXPECT_EQ(test, ktest_shell("cat /proc/meminfo", after, sizeof(after)), 0);
	EXPECT_STREQ(test, after, before);
}
