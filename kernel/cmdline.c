// SPDX-License-Identifier: MIT
/*
 * The kernel command line: `name=value` words separated by blanks, values
 * optionally in double quotes (name="a b"). Each word goes to the handler
 * registered for its name with early_param(); '-' and '_' in names are the
 * same, as in Linux.
 */
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/strerror.h"
#include "libc/errno.h"
#include "libc/string.h"
#include "libc/ctype.h"

#define COMMAND_LINE_SIZE	2048

extern const struct kernel_param __param_start[], __param_end[];
static char command_line[COMMAND_LINE_SIZE];

const char *saved_command_line(void)
{
	return command_line;
}

int param_copy_names(const char *val, char *buf, size_t size)
{
	if (!*val)
		val = "all";
	if (strlen(val) >= size)
		return -ERANGE;
	strlcpy(buf, val, size);
	return 0;
}

static bool parameq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : *a;
		char cb = *b == '-' ? '_' : *b;

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

/*
 * Split off the next word in place: NUL-terminate name and value, strip
 * the quotes. Returns the rest of the line.
 */
static char *next_arg(char *args, char **param, char **val)
{
	bool in_quote = false;
	char *p = args, *eq = NULL;

	while (*p && (in_quote || !isspace((unsigned char)*p))) {
		if (*p == '"')
			in_quote = !in_quote;
		else if (*p == '=' && !eq)
			eq = p;
		p++;
	}
	if (*p)
		*p++ = '\0';
	*param = args;
	*val = NULL;
	if (eq) {
		char *v = eq + 1;
		size_t n;

		*eq = '\0';
		if (*v == '"') {
			v++;
			n = strlen(v);
			if (n && v[n - 1] == '"')
				v[n - 1] = '\0';
		}
		*val = v;
	}
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

static const struct kernel_param *find_param(const char *name,
					     const struct kernel_param *start,
					     const struct kernel_param *end)
{
	for (const struct kernel_param *kp = start; kp < end; kp++)
		if (parameq(kp->name, name))
			return kp;
	return NULL;
}

int parse_args(const char *cmdline, const struct kernel_param *start,
	       const struct kernel_param *end, int *nr_bad)
{
	char buf[COMMAND_LINE_SIZE];
	char *p = buf;
	int handled = 0, bad = 0;

	strlcpy(buf, cmdline, sizeof(buf));
	while (*p && isspace((unsigned char)*p))
		p++;
	while (*p) {
		const struct kernel_param *kp;
		char *name, *val;
		int err;

		p = next_arg(p, &name, &val);
		if (!*name)
			continue;
		kp = find_param(name, start, end);
		if (!kp) {
			pr_warn("cmdline: unknown parameter '%s' ignored\n", name);
			bad++;
			continue;
		}
		err = kp->setup(val ? val : "");
		if (err) {
			pr_err("cmdline: bad value '%s' for parameter '%s': %s\n",
			       val ? val : "", name, strerror(err));
			bad++;
			continue;
		}
		handled++;
	}
	if (nr_bad)
		*nr_bad = bad;
	return handled;
}

void parse_cmdline(const char *cmdline)
{
	if (!cmdline)
		cmdline = "";
	if (strlcpy(command_line, cmdline, sizeof(command_line)) >= sizeof(command_line))
		pr_warn("cmdline: command line longer than %d bytes truncated\n",
			COMMAND_LINE_SIZE - 1);
	pr_info("Command line: %s\n", command_line);
	parse_args(command_line, __param_start, __param_end, NULL);
}
