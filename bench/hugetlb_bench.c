// SPDX-License-Identifier: MIT
/*
 * `bench hugetlb`: the cost of HVO when pages enter and leave the pool,
 * measured in one boot with the optimization on and off, as the seed's
 * cover letter measured Linux (10240 x 2 MiB: 0.066 s without, 0.166 s
 * with, about 2.5x; Linux 6.7's batching brought it to about 1.8x).
 *
 * Since pagefold never writes the tails of an optimized page, growth with
 * HVO does less work than without: the ratio optimized/unoptimized is
 * reported in percent (100 = same cost). HVO on and off are measured
 * with free memory's memmap plain (buddy_vmemmap_optimize=0), as before
 * issue 14; the _dedup rows with free memory kept optimized (2 MiB
 * blocks and 1 GiB ranges, mm/free_gigantic.c), each cycle starting from
 * it optimized, against HVO off in the same boot.
 */
#include "bench/bench.h"
#include "kernel/time.h"
#include "mm/buddy_vmemmap.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page_alloc.h"
#include "libc/errno.h"
#include "libc/stdio.h"


struct pool_timing {
	u64 grow[BENCH_RUNS];
	u64 shrink[BENCH_RUNS];
};

enum mode { HVO_OFF, HVO_ON, DEDUP };

/* Grow by n and shrink back; ns per page for each, 0 when short of memory. */
static int time_cycle(struct hstate *h, unsigned long n, enum mode m, u64 *grow, u64 *shrink)
{
	unsigned long base = h->nr_huge_pages;
	u64 t0, t1, t2;

	hugetlb_set_optimize_vmemmap(m != HVO_OFF);
	if (buddy_vmemmap_set(m == DEDUP))
		return -ENOMEM;
	t0 = get_cycles();
	if (set_max_huge_pages(h, base + n) != base + n) {
		set_max_huge_pages(h, base);
		return -ENOMEM;
	}
	t1 = get_cycles();
	set_max_huge_pages(h, base);
	t2 = get_cycles();
	if (h->nr_huge_pages != base)
		return -ENOMEM;
	*grow = cycles_to_ns(t1 - t0) / n;
	*shrink = cycles_to_ns(t2 - t1) / n;
	return 0;
}

static int measure(struct hstate *h, unsigned long n, struct pool_timing *on,
		   struct pool_timing *off, struct pool_timing *dedup)
{
	/* Interleaved, so that drift in the host hits all alike. */
	for (int r = 0; r < BENCH_RUNS; r++) {
		if (time_cycle(h, n, HVO_OFF, &off->grow[r], &off->shrink[r]) ||
		    time_cycle(h, n, HVO_ON, &on->grow[r], &on->shrink[r]) ||
		    time_cycle(h, n, DEDUP, &dedup->grow[r], &dedup->shrink[r]))
			return -ENOMEM;
	}
	return 0;
}

static void report_dedup(struct bench_ctx *b, const char *size, unsigned long n,
			 struct pool_timing *dedup, struct pool_timing *off)
{
	static char names[2][6][40];
	int s = size[0] == '1';
	u64 g = bench_median(dedup->grow, BENCH_RUNS), g_off = bench_median(off->grow, BENCH_RUNS);
	u64 sh = bench_median(dedup->shrink, BENCH_RUNS), s_off = bench_median(off->shrink, BENCH_RUNS);

	snprintf(names[s][0], 40, "%s_grow_dedup", size);
	snprintf(names[s][1], 40, "%s_grow_ratio_dedup/off", size);
	snprintf(names[s][2], 40, "%s_shrink_dedup", size);
	snprintf(names[s][3], 40, "%s_shrink_ratio_dedup/off", size);
	bench_row(b, names[s][0], g, "ns/page", n, BENCH_RUNS);
	bench_row(b, names[s][1], g_off ? g * 100 / g_off : 0, "%", n, BENCH_RUNS);
	bench_row(b, names[s][2], sh, "ns/page", n, BENCH_RUNS);
	bench_row(b, names[s][3], s_off ? sh * 100 / s_off : 0, "%", n, BENCH_RUNS);
	/* Far under 1 %: the same ratios in parts per million. */
	snprintf(names[s][4], 40, "%s_grow_ratio_dedup/off_ppm", size);
	snprintf(names[s][5], 40, "%s_shrink_ratio_dedup/off_ppm", size);
	bench_row(b, names[s][4], g_off ? g * 1000000 / g_off : 0, "ppm", n, BENCH_RUNS);
	bench_row(b, names[s][5], s_off ? sh * 1000000 / s_off : 0, "ppm", n, BENCH_RUNS);
}

/*
 * Order-0 allocations of nr pages, free memory optimized or plain: the
 * difference is what the splits of optimized blocks add (one per 505
 * pages taken from fresh blocks). ns per page; 0 when short of memory.
 */
static u64 time_order0(unsigned long nr, bool dedup)
{
	LIST_HEAD(held);
	unsigned long got = 0;
	u64 t0, t1;

	if (buddy_vmemmap_set(dedup))
		return 0;
	drain_all_pages();
	t0 = get_cycles();
	for (; got < nr; got++) {
		struct page *p = alloc_page(GFP_KERNEL | __GFP_NOWARN);

		if (!p)
			break;
		list_add(&p->lru, &held);
	}
	t1 = get_cycles();
	while (!list_empty(&held)) {
		struct page *p = list_first_entry(&held, struct page, lru);

		list_del(&p->lru);
		__free_page(p);
	}
	return got == nr ? cycles_to_ns(t1 - t0) / nr : 0;
}

static void bench_split(struct bench_ctx *b)
{
	/* 64 blocks' worth, well inside free memory: whole blocks get split. */
	const unsigned long nr = 64 * 512;
	u64 on[BENCH_RUNS], off[BENCH_RUNS], a, c;

	if (nr_free_pages() < 4 * nr) {
		bench_skip(b, "order0_split", "not enough free memory");
		return;
	}
	for (int r = 0; r < BENCH_RUNS; r++) {
		off[r] = time_order0(nr, false);
		on[r] = time_order0(nr, true);
	}
	a = bench_median(off, BENCH_RUNS);
	c = bench_median(on, BENCH_RUNS);
	bench_row(b, "order0_alloc_plain", a, "ns/page", nr, BENCH_RUNS);
	bench_row(b, "order0_alloc_dedup", c, "ns/page", nr, BENCH_RUNS);
	/* Per split (one per block of 505 pages handed out). */
	bench_row(b, "order0_split_added", c > a ? (c - a) * 505 : 0, "ns/split", nr, BENCH_RUNS);
}

static void report(struct bench_ctx *b, const char *size, unsigned long n,
		   struct pool_timing *on, struct pool_timing *off)
{
	static char names[2][6][40];
	int s = size[0] == '1';
	u64 g_on = bench_median(on->grow, BENCH_RUNS);
	u64 g_off = bench_median(off->grow, BENCH_RUNS);
	u64 s_on = bench_median(on->shrink, BENCH_RUNS);
	u64 s_off = bench_median(off->shrink, BENCH_RUNS);

	snprintf(names[s][0], 40, "%s_grow_hvo_off", size);
	snprintf(names[s][1], 40, "%s_grow_hvo_on", size);
	snprintf(names[s][2], 40, "%s_grow_ratio_on/off", size);
	snprintf(names[s][3], 40, "%s_shrink_hvo_off", size);
	snprintf(names[s][4], 40, "%s_shrink_hvo_on", size);
	snprintf(names[s][5], 40, "%s_shrink_ratio_on/off", size);
	bench_row(b, names[s][0], g_off, "ns/page", n, BENCH_RUNS);
	bench_row(b, names[s][1], g_on, "ns/page", n, BENCH_RUNS);
	bench_row(b, names[s][2], g_off ? g_on * 100 / g_off : 0, "%", n, BENCH_RUNS);
	bench_row(b, names[s][3], s_off, "ns/page", n, BENCH_RUNS);
	bench_row(b, names[s][4], s_on, "ns/page", n, BENCH_RUNS);
	bench_row(b, names[s][5], s_off ? s_on * 100 / s_off : 0, "%", n, BENCH_RUNS);
}

static int bench_hugetlb(struct bench_ctx *b)
{
	static struct pool_timing on, off, dedup;
	struct hstate *h = &hstates[HSTATE_2M];
	bool hvo = hugetlb_optimize_vmemmap_enabled(), was = buddy_vmemmap_enabled();
	unsigned long n;

	drain_all_pages();
	/* Half of free memory, at most 1024 pages (2 GiB). */
	n = min(nr_free_pages() / 512 / 2, 1024UL);
	if (n < 8 || measure(h, n, &on, &off, &dedup)) {
		bench_skip(b, "2M", "not enough free memory for the 2 MiB pool");
	} else {
		report(b, "2M", n, &on, &off);
		report_dedup(b, "2M", n, &dedup, &off);
	}

	/* The page-by-page restore, for comparison with the section rebuild. */
	hugetlb_set_section_restore(false);
	if (n >= 8 && !measure(h, n, &on, &off, &dedup))
		bench_row(b, "2M_shrink_page_by_page_hvo_on", bench_median(on.shrink, BENCH_RUNS),
			  "ns/page", n, BENCH_RUNS);
	hugetlb_set_section_restore(true);

	h = &hstates[HSTATE_1G];
	if (!h->supported) {
		bench_skip(b, "1G", "CPU has no 1 GiB pages");
	} else if (measure(h, 1, &on, &off, &dedup)) {
		bench_skip(b, "1G", "no free aligned 1 GiB range");
	} else {
		report(b, "1G", 1, &on, &off);
		report_dedup(b, "1G", 1, &dedup, &off);
	}
	bench_split(b);
	hugetlb_set_optimize_vmemmap(hvo);
	buddy_vmemmap_set(was);
	return 0;
}
BENCHMARK(hugetlb, "HugeTLB pool growth and shrink per page, HVO on vs off");
