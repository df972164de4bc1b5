// SPDX-License-Identifier: MIT
/* Page allocator fault injection: see mm/fail_page_alloc.h. */
#include "mm/fail_page_alloc.h"
#include "kernel/param.h"
#include "kernel/spinlock.h"
#include "libc/errno.h"
#include "libc/stdlib.h"

static unsigned long fail_nth;
static unsigned long fail_one_in;
static u64 fail_rng;
static unsigned long nr_injected;
static DEFINE_SPINLOCK(fail_rng_lock);

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

/*
 * Allocations run on every CPU at once (faults of threads, per-CPU
 * lists): the countdown and the counter are atomic, so that the nth
 * allocation fails exactly once; the random stream is one generator
 * under a lock (IRQs off: it may be drawn from an interrupt).
 */
static bool countdown_hits(void)
{
	unsigned long n = __atomic_load_n(&fail_nth, __ATOMIC_RELAXED);

	while (n) {
		if (__atomic_compare_exchange_n(&fail_nth, &n, n - 1, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return n == 1;
	}
	return false;
}

static bool random_hits(void)
{
	unsigned long one_in = __atomic_load_n(&fail_one_in, __ATOMIC_RELAXED), flags;
	bool hit;

	if (!one_in)
		return false;
	spin_lock_irqsave(&fail_rng_lock, flags);
	hit = xorshift64(&fail_rng) % one_in == 0;
	spin_unlock_irqrestore(&fail_rng_lock, flags);
	return hit;
}

bool should_fail_alloc_page(void)
{
	bool hit = __atomic_load_n(&fail_nth, __ATOMIC_RELAXED) ? countdown_hits() : random_hits();

	if (hit)
		__atomic_fetch_add(&nr_injected, 1, __ATOMIC_RELAXED);
	return hit;
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
