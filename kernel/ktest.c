// SPDX-License-Identifier: MIT
/*
 * The in-kernel test runner. Cases come from the .ktest_cases section;
 * a suite is every case with the same suite name, in link order. Output
 * is KTAP version 1 as Linux's KUnit prints it, so that
 * tools/testing/kunit/kunit.py parse can read the serial log. Only test
 * builds (make KTEST=1) link cases; the section is empty otherwise.
 */
#include "kernel/ktest.h"
#include "kernel/lockdep.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/string.h"

extern const struct ktest_case __ktest_start[], __ktest_end[];

#define FILTER_MAX	256
static char boot_filter[FILTER_MAX];
static bool boot_filter_set;

static int test_param(const char *val)
{
	int ret = param_copy_names(val, boot_filter, sizeof(boot_filter));

	boot_filter_set |= !ret;
	return ret;
}
early_param("test", test_param);

const char *ktest_boot_filter(void)
{
	return boot_filter_set ? boot_filter : NULL;
}

/* One filter word: "suite", "suite.case", or a prefix ending in '*'. */
static bool word_matches(const char *word, size_t n, const struct ktest_case *c,
			 bool *case_level)
{
	size_t sl = strlen(c->suite);

	*case_level = false;
	if (n && word[n - 1] == '*')
		return !strncmp(word, c->suite, n - 1) &&
		       strncmp(c->suite, "runner_", 7);
	if (n == sl && !strncmp(word, c->suite, n))
		return true;
	if (n > sl + 1 && !strncmp(word, c->suite, sl) && word[sl] == '.' &&
	    strlen(c->name) == n - sl - 1 && !strncmp(word + sl + 1, c->name, n - sl - 1)) {
		*case_level = true;
		return true;
	}
	return false;
}

static bool suite_selected(const char *filter, const struct ktest_case *c,
			   bool whole_suite)
{
	const char *p = filter;

	if (!strcmp(filter, "all"))
		return strncmp(c->suite, "runner_", 7) != 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		bool case_level;

		if (word_matches(p, n, c, &case_level) &&
		    (!case_level || !whole_suite))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

static bool case_selected(const char *filter, const struct ktest_case *c)
{
	return suite_selected(filter, c, false);
}

static bool first_of_suite(const struct ktest_case *c)
{
	for (const struct ktest_case *p = __ktest_start; p < c; p++)
		if (!strcmp(p->suite, c->suite))
			return false;
	return true;
}

static int count_cases(const char *filter, const char *suite)
{
	int n = 0;

	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++)
		if (!strcmp(c->suite, suite) && case_selected(filter, c))
			n++;
	return n;
}

struct totals {
	int pass, fail, skip;
};

/* One suite's results while it runs. */
struct suite_tally {
	int n, failed, skipped;
	const char *reason;	/* the cases' skip reason, if they agree */
	bool reasons_differ;
};

/*
 * Every case starts as a kernel thread's code does: interrupts on, no
 * spinlock held, free to sleep (the task running the tests holds only
 * the big kernel lock, which a sleep lets go). A case that returns
 * otherwise fails, and the next one starts clean all the same: left
 * alone, one panic caught with interrupts off once had every later
 * suite run with them off, and every sleeping lock they took reported.
 */
static void case_context_check(struct kunit *test, unsigned int held)
{
	unsigned int now = lockdep_held_depth();

	if (irqs_disabled()) {
		printk("    # %s: returned with interrupts off\n", test->name);
		test->failed++;
		local_irq_enable();
	}
	if (now != held) {
		printk("    # %s: returned holding %u spinlock(s)\n", test->name,
		       now - held);
		test->failed++;
		lockdep_unwind(held);
	}
}

static void run_case(const struct ktest_case *c, struct suite_tally *s,
		     struct totals *t)
{
	struct kunit test = { .suite = c->suite, .name = c->name };
	unsigned int held = lockdep_held_depth();

	s->n++;
	local_irq_enable();
	c->run(&test);
	case_context_check(&test, held);
	if (test.failed) {
		printk("    not ok %d %s\n", s->n, c->name);
		s->failed++;
		t->fail++;
	} else if (test.skip_reason) {
		printk("    ok %d %s # SKIP %s\n", s->n, c->name, test.skip_reason);
		if (s->reason && strcmp(s->reason, test.skip_reason))
			s->reasons_differ = true;
		s->reason = test.skip_reason;
		s->skipped++;
		t->skip++;
	} else {
		printk("    ok %d %s\n", s->n, c->name);
		t->pass++;
	}
}

/*
 * KTAP wants a suite whose every case was skipped reported as skipped,
 * not passed: "ok N name # SKIP reason".
 */
static void print_suite_result(int index, const char *suite,
			       const struct suite_tally *s)
{
	if (s->failed || !s->n || s->skipped < s->n) {
		printk("%sok %d %s\n", s->failed ? "not " : "", index, suite);
		return;
	}
	printk("ok %d %s # SKIP %s\n", index, suite,
	       s->reasons_differ ? "every case skipped" : s->reason);
}

static bool run_suite(const char *filter, const char *suite, int index,
		      struct totals *t)
{
	struct suite_tally s = { 0 };

	printk("    KTAP version 1\n");
	printk("    # Subtest: %s\n", suite);
	printk("    1..%d\n", count_cases(filter, suite));
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++)
		if (!strcmp(c->suite, suite) && case_selected(filter, c))
			run_case(c, &s, t);
	print_suite_result(index, suite, &s);
	return s.failed == 0;
}

static bool no_cases(void)
{
	return __ktest_end - __ktest_start == 0;
}

/* An image built without tests says so, rather than "no suite matches". */
static bool image_has_tests(void)
{
	if (!no_cases())
		return true;
	printk("ktest: this image has no tests: build it with make KTEST=1 "
	       "(make test and tests/host/runner.py do)\n");
	return false;
}

int ktest_run(const char *filter, int *nr_failed)
{
	struct totals t = { 0, 0, 0 };
	int nsuites = 0, i = 0;

	if (!image_has_tests()) {
		if (nr_failed)
			*nr_failed = 1;
		return -ENOSYS;
	}

	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++)
		if (first_of_suite(c) && count_cases(filter, c->suite))
			nsuites++;
	printk("KTAP version 1\n");
	printk("1..%d\n", nsuites);
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++) {
		if (!first_of_suite(c) || !count_cases(filter, c->suite))
			continue;
		run_suite(filter, c->suite, ++i, &t);
	}
	printk("# Totals: pass:%d fail:%d skip:%d total:%d\n", t.pass, t.fail,
	       t.skip, t.pass + t.fail + t.skip);
	if (nr_failed)
		*nr_failed = t.fail;
	return nsuites;
}

int ktest_list(void)
{
	int n = 0;

	if (!image_has_tests())
		return 0;

	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++) {
		if (!first_of_suite(c))
			continue;
		printk("%-24s %d cases%s\n", c->suite, count_cases(c->suite, c->suite),
		       strncmp(c->suite, "runner_", 7) ? "" : " (runner self-test, run only by name)");
		n++;
	}
	return n;
}

bool ktest_filter_unmatched(const char *filter, char *word, size_t len)
{
	const char *p = filter;

	if (!strcmp(filter, "all") || no_cases())
		return false;
	for (;;) {
		size_t n = strcspn(p, ",");
		bool found = false;

		if (n < len) {
			memcpy(word, p, n);
			word[n] = '\0';
			for (const struct ktest_case *c = __ktest_start; c < __ktest_end && !found; c++)
				found = n && case_selected(word, c);
		}
		if (!found) {
			strlcpy(word, p, min(n + 1, len));
			return true;
		}
		if (!p[n])
			return false;
		p += n + 1;
	}
}
