// SPDX-License-Identifier: MIT
/*
 * Command-line parsing against a private parameter table, so that the
 * live parameters are not disturbed.
 */
#include "tests/kernel/ktest.h"
#include "kernel/param.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

static unsigned long t_pages = 7;
static char t_name[32];
static int t_flag_calls;
static int t_order[4];
static int t_norder;

static int t_pages_setup(const char *val)
{
	unsigned long v;
	int ret = kstrtoul(val, 0, &v);

	if (ret)
		return ret;
	if (v > 1000)
		return -ERANGE;
	t_pages = v;
	t_order[t_norder++ & 3] = 1;
	return 0;
}

static int t_name_setup(const char *val)
{
	if (strlen(val) >= sizeof(t_name))
		return -EINVAL;
	strlcpy(t_name, val, sizeof(t_name));
	t_order[t_norder++ & 3] = 2;
	return 0;
}

static int t_flag_setup(const char *val)
{
	(void)val;
	t_flag_calls++;
	return 0;
}

static const struct kernel_param t_params[] = {
	{ "t_pages", t_pages_setup },
	{ "t_name", t_name_setup },
	{ "t-flag", t_flag_setup },
};

static int parse(const char *line, int *bad)
{
	t_pages = 7;
	t_name[0] = '\0';
	t_flag_calls = 0;
	t_norder = 0;
	return parse_args(line, t_params, t_params + 3, bad);
}

KTEST(cmdline, simple_values)
{
	int bad = -1;

	EXPECT_EQ(test, parse("t_pages=12 t_name=abc", &bad), 2);
	EXPECT_EQ(test, bad, 0);
	EXPECT_EQ(test, t_pages, 12);
	EXPECT_STREQ(test, t_name, "abc");
}

KTEST(cmdline, malformed_number_keeps_default)
{
	int bad = 0;

	EXPECT_EQ(test, parse("t_pages=abc", &bad), 0);
	EXPECT_EQ(test, bad, 1);
	EXPECT_EQ(test, t_pages, 7);
}

KTEST(cmdline, number_too_large_keeps_default)
{
	int bad = 0;

	parse("t_pages=99999999999999999999999", &bad);
	EXPECT_EQ(test, bad, 1);
	EXPECT_EQ(test, t_pages, 7);
	parse("t_pages=1001", &bad);
	EXPECT_EQ(test, bad, 1);
	EXPECT_EQ(test, t_pages, 7);
}

KTEST(cmdline, unknown_parameter_ignored)
{
	int bad = 0;

	EXPECT_EQ(test, parse("bogus=1 t_pages=3 alsobogus", &bad), 1);
	EXPECT_EQ(test, bad, 2);
	EXPECT_EQ(test, t_pages, 3);
}

KTEST(cmdline, quoted_value_with_spaces)
{
	int bad = 0;

	EXPECT_EQ(test, parse("t_name=\"a b  c\" t_pages=5", &bad), 2);
	EXPECT_STREQ(test, t_name, "a b  c");
	EXPECT_EQ(test, t_pages, 5);
}

KTEST(cmdline, dash_and_underscore_equal)
{
	int bad = 0;

	parse("t_flag t-pages=9 t_flag=", &bad);
	EXPECT_EQ(test, bad, 0);
	EXPECT_EQ(test, t_flag_calls, 2);
	EXPECT_EQ(test, t_pages, 9);
}

KTEST(cmdline, order_and_repeats_kept)
{
	int bad = 0;

	parse("t_pages=1 t_name=x t_pages=2", &bad);
	EXPECT_EQ(test, t_norder, 3);
	EXPECT_EQ(test, t_order[0], 1);
	EXPECT_EQ(test, t_order[1], 2);
	EXPECT_EQ(test, t_order[2], 1);
	EXPECT_EQ(test, t_pages, 2);
}

KTEST(cmdline, blanks_and_empty)
{
	int bad = -1;

	EXPECT_EQ(test, parse("", &bad), 0);
	EXPECT_EQ(test, bad, 0);
	EXPECT_EQ(test, parse("   \t  ", &bad), 0);
	EXPECT_EQ(test, parse("  t_pages=4   ", &bad), 1);
	EXPECT_EQ(test, t_pages, 4);
}

KTEST(cmdline, empty_value_is_error_for_number)
{
	int bad = 0;

	parse("t_pages=", &bad);
	EXPECT_EQ(test, bad, 1);
	EXPECT_EQ(test, t_pages, 7);
}

KTEST(cmdline, overlong_value_rejected)
{
	int bad = 0;

	parse("t_name=0123456789012345678901234567890123456789", &bad);
	EXPECT_EQ(test, bad, 1);
	EXPECT_STREQ(test, t_name, "");
}
