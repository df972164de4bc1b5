// SPDX-License-Identifier: MIT
/* Page allocator fault injection: see mm/fail_page_alloc.h. */
#include "mm/fail_page_alloc.h"
#include "kernel/param.h"
#include "libc/errno.h"
#include "libc/stdlib.h"

static unsigned long fail_nth;
static unsigned long fail_one_in;
static u64 fail_rng;
static unsigned long nr_injected;

void fail_page_alloc_nth(unsigned long nth)
{
	fail_nth = nth;
	fail_one_in = 0;
}

void fail_page_alloc_random(unsigned long one_in, u64 seed)
{
	fail_one_in = one_in;
	fail_rng = seed ? seed : 1;
	fail_nth = 0;
}

void fail_page_alloc_off(void)
{
	fail_nth = 0;
	fail_one_in = 0;
}

unsigned long fail_page_alloc_injected(void)
{
	return nr_injected;
}

bool should_fail_alloc_page(void)
{
	if (fail_nth) {
		if (--fail_nth)
			return false;
		nr_injected++;
		return true;
	}
	if (fail_one_in && xorshift64(&fail_rng) % fail_one_in == 0) {
		nr_injected++;
		return true;
	}
	return false;
}

static int fail_page_alloc_param(const char *val)
{
	unsigned long n;
	char *end;

	n = strtoul(val, &end, 0);
	if (end == val || (*end && *end != ','))
		return -EINVAL;
	if (*end == ',') {
		u64 seed;
		char *e2;

		seed = strtoull(end + 1, &e2, 0);
		if (e2 == end + 1 || *e2 || !n)
			return -EINVAL;
		fail_page_alloc_random(n, seed);
	} else {
		fail_page_alloc_nth(n);
	}
	return 0;
}
early_param("fail_page_alloc", fail_page_alloc_param);
