/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_PARAM_H
#define KERNEL_PARAM_H

#include "kernel/types.h"

/*
 * Kernel command-line parameters, registered by the code that owns them
 * (Linux's early_param). The command line is parsed once, very early,
 * before the memory manager exists: a handler only records what it was
 * given; the owner acts on it later in boot. Handlers run in command-line
 * order, once per occurrence, so that repeated parameters (memmap=) and
 * ordered pairs (hugepagesz= hugepages=) work.
 *
 * A handler returns 0, or a negative errno (-EINVAL for a malformed value,
 * -ERANGE for a number out of range); the parser then reports
 *	cmdline: bad value 'abc' for parameter 'hugepages': <strerror>
 * and the owner must have left its default untouched. Unknown parameters
 * are reported and ignored.
 */
struct kernel_param {
	const char *name;
	int (*setup)(const char *val);	/* val is "" for a bare "name" */
};

#define early_param(str, fn)						\
	static const struct kernel_param __param_##fn			\
	__used __section(".init.params") __aligned(8) = { str, fn }

void parse_cmdline(const char *cmdline);
const char *saved_command_line(void);

/*
 * For the parameters that name what to run (test=, bench=): val copied
 * into buf of size bytes, "all" for a bare name; -ERANGE, buf untouched,
 * when it does not fit.
 */
int param_copy_names(const char *val, char *buf, size_t size);

/* Exposed for the tests: parse without touching the saved line. */
int parse_args(const char *cmdline, const struct kernel_param *start,
	       const struct kernel_param *end, int *nr_bad);

#endif
