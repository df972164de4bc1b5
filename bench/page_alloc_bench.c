// SPDX-License-Identifier: MIT
/*
 * `bench buddy`: what the buddy allocator costs, in ns per operation
 * (median of several runs, TSC time, interrupts off while timing).
 *
 *   order0_pcp          alloc_page + __free_page through the per-CPU cache
 *                       (warm: both ends stay on the pcp list)
 *   order0_pcp_poisoned the same with page poisoning on (debug builds'
 *                       default: memset on free, check on allocation)
 *   order0_zone         the same pair through the zone free lists: the
 *                       pcp is drained and set to batch 1, high 1, so that
 *                       every allocation takes its page from the free
 *                       lists (splitting) and every free gives it back
 *                       (merging), as Linux with a zero pcp high mark
 *   order9_pair         alloc_pages + free_pages of order 9 (2 MiB)
 *   order10_pair        the same at order 10 (4 MiB, MAX_ORDER)
 *   contig_1g_alloc     alloc_contig_pages(262144, align 262144): find and
 *   contig_1g_free      take a free 1 GiB aligned range; free_contig_range
 *
 * Poisoning is off except where the name says: it is a debug check whose
 * memset would otherwise be most of what is measured. The pcp settings
 * and the poisoning state are restored afterwards.
 */
#include "bench/bench.h"
#include "kernel/time.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
#include "mm/page_fill.h"
#include "mm/buddy_vmemmap.h"
#include "libc/stdio.h"
#include "libc/errno.h"

#define ORDER0_OPS	100000UL
#define HIGH_ORDER_OPS	10000UL
#define CONTIG_RUNS	3
#define CONTIG_PAGES	(SZ_1G >> PAGE_SHIFT)

static int pairs(void *arg, unsigned long ops)
{
	unsigned int order = (unsigned long)arg;

	for (unsigned long i = 0; i < ops; i++) {
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

		if (!page)
			return -ENOMEM;
		free_pages(page, order);
	}
	return 0;
}

static int measure_pairs(struct bench_ctx *b, const char *metric,
			 unsigned int order, unsigned long ops)
{
	void *arg = (void *)(unsigned long)order;
	int err;
	u64 ns;

	/* Warm-up: fills the pcp (order 0) and touches the code once. */
	if (pairs(arg, 64))
		return -ENOMEM;
	ns = bench_measure(pairs, arg, ops, BENCH_RUNS, &err);
	if (err)
		return err;
	bench_row(b, metric, ns, "ns/op", ops, BENCH_RUNS);
	return 0;
}

/*
 * A whole block (order 9 or 10) with free memory optimized is handed out
 * with its memmap restored and shared again when freed, each a flush of
 * every CPU: timed with interrupts on, which those need (the timer tick
 * lands in the runs). The same pairs with the dedup off, in this boot,
 * and the ratio.
 */
static int measure_block_pairs(struct bench_ctx *b, unsigned int order)
{
	static char names[2][3][40];
	void *arg = (void *)(unsigned long)order;
	bool was = buddy_vmemmap_enabled();
	int k = order > pageblock_order, err = 0;
	u64 ns[2];

	for (int plain = 0; plain < 2 && !err; plain++) {
		err = buddy_vmemmap_set(!plain);
		if (!err)
			err = pairs(arg, 64);
		if (!err)
			ns[plain] = bench_measure_irqs_on(pairs, arg, HIGH_ORDER_OPS, BENCH_RUNS,
							  &err);
	}
	/* The switch as it was, whatever failed. */
	buddy_vmemmap_set(was);
	if (err)
		return err;
	snprintf(names[k][0], 40, "order%u_pair", order);
	snprintf(names[k][1], 40, "order%u_pair_plain", order);
	snprintf(names[k][2], 40, "order%u_pair_ratio_dedup/off", order);
	bench_row(b, names[k][0], ns[0], "ns/op", HIGH_ORDER_OPS, BENCH_RUNS);
	bench_row(b, names[k][1], ns[1], "ns/op", HIGH_ORDER_OPS, BENCH_RUNS);
	bench_row(b, names[k][2], ns[1] ? ns[0] * 100 / ns[1] : 0, "%", HIGH_ORDER_OPS,
		  BENCH_RUNS);
	return 0;
}

struct pcp_saved {
	unsigned int batch[MAX_NR_ZONES];
	unsigned int high[MAX_NR_ZONES];
};

/*
 * Batch 1, high 1 on this CPU's lists: a free drains at once, an
 * allocation refills one page.
 */
static void pcp_bypass(struct pcp_saved *s)
{
	drain_all_pages();
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct per_cpu_pages *pcp = &zones[z].pcp[smp_processor_id()];

		s->batch[z] = pcp->batch;
		s->high[z] = pcp->high;
		pcp->batch = 1;
		pcp->high = 1;
	}
}

static void pcp_restore(const struct pcp_saved *s)
{
	drain_all_pages();
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct per_cpu_pages *pcp = &zones[z].pcp[smp_processor_id()];

		pcp->batch = s->batch[z];
		pcp->high = s->high[z];
	}
}

static int measure_zone_pairs(struct bench_ctx *b)
{
	struct pcp_saved saved;
	int ret;

	pcp_bypass(&saved);
	ret = measure_pairs(b, "order0_zone", 0, ORDER0_OPS);
	pcp_restore(&saved);
	return ret;
}

static void measure_contig(struct bench_ctx *b)
{
	u64 alloc_ns[CONTIG_RUNS], free_ns[CONTIG_RUNS];

	for (unsigned int i = 0; i < CONTIG_RUNS; i++) {
		u64 t0 = get_cycles(), t1;
		struct page *page = alloc_contig_pages(CONTIG_PAGES, CONTIG_PAGES,
						       GFP_KERNEL | __GFP_NOWARN);

		t1 = get_cycles();
		if (!page) {
			bench_skip(b, "contig_1g_alloc", "no free 1 GiB aligned range in one zone");
			bench_skip(b, "contig_1g_free", "no free 1 GiB aligned range in one zone");
			return;
		}
		alloc_ns[i] = cycles_to_ns(t1 - t0);
		t0 = get_cycles();
		free_contig_range(page_to_pfn(page), CONTIG_PAGES);
		free_ns[i] = cycles_to_ns(get_cycles() - t0);
	}
	bench_row(b, "contig_1g_alloc", bench_median(alloc_ns, CONTIG_RUNS), "ns/op", 1,
		  CONTIG_RUNS);
	bench_row(b, "contig_1g_free", bench_median(free_ns, CONTIG_RUNS), "ns/op", 1,
		  CONTIG_RUNS);
}

static int bench_buddy(struct bench_ctx *b)
{
	bool poison = page_fill_enabled();
	int ret;

	set_page_fill(false);
	ret = measure_pairs(b, "order0_pcp", 0, ORDER0_OPS);
	if (!ret) {
		set_page_fill(true);
		ret = measure_pairs(b, "order0_pcp_poisoned", 0, ORDER0_OPS / 10);
		set_page_fill(false);
	}
	if (!ret)
		ret = measure_zone_pairs(b);
	if (!ret)
		ret = measure_block_pairs(b, 9);
	if (!ret)
		ret = measure_block_pairs(b, 10);
	if (!ret)
		measure_contig(b);
	set_page_fill(poison);
	return ret;
}
BENCHMARK(buddy, "buddy allocator: order-0 pcp/zone, order-9/10 pairs, 1 GiB contiguous");
