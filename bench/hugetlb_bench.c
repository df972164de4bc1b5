// SPDX-License-Identifier: MIT
/*
 * `bench hugetlb`: the cost of HVO when pages enter and leave the pool,
 * measured in one boot with the optimization on and off, as the seed's
 * cover letter measured Linux (10240 x 2 MiB: 0.066 s without, 0.166 s
 * with, about 2.5x; Linux 6.7's batching brought it to about 1.8x).
 *
 * Since pagefold never writes the tails of an optimized page, growth with
 * HVO does less work than without: the ratio optimized/unoptimized is
 * reported in percent (100 = same cost).
 */
#include "bench/bench.h"
#include "kernel/time.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page_alloc.h"
#include "libc/errno.h"
#include "libc/stdio.h"


struct pool_timing {
	u64 grow[BENCH_RUNS];
	u64 shrink[BENCH_RUNS];
};

/* Grow by n and shrink back; ns per page for each, 0 when short of memory. */
static int time_cycle(struct hstate *h, unsigned long n, bool hvo, u64 *grow, u64 *shrink)
{
	unsigned long base = h->nr_huge_pages;
	u64 t0, t1, t2;

	hugetlb_set_optimize_vmemmap(hvo);
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
		   struct pool_timing *off)
{
	/* Interleaved, so that drift in the host hits both alike. */
	for (int r = 0; r < BENCH_RUNS; r++) {
		if (time_cycle(h, n, false, &off->grow[r], &off->shrink[r]) ||
		    time_cycle(h, n, true, &on->grow[r], &on->shrink[r]))
			return -ENOMEM;
	}
	return 0;
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
	static struct pool_timing on, off;
	struct hstate *h = &hstates[HSTATE_2M];
	bool hvo = hugetlb_optimize_vmemmap_enabled();
	unsigned long n;

	drain_all_pages();
	/* Half of free memory, at most 1024 pages (2 GiB). */
	n = min(nr_free_pages() / 512 / 2, 1024UL);
	if (n < 8 || measure(h, n, &on, &off))
		bench_skip(b, "2M", "not enough free memory for the 2 MiB pool");
	else
		report(b, "2M", n, &on, &off);

	/* The page-by-page restore, for comparison with the section rebuild. */
	hugetlb_set_section_restore(false);
	if (n >= 8 && !measure(h, n, &on, &off))
		bench_row(b, "2M_shrink_page_by_page_hvo_on", bench_median(on.shrink, BENCH_RUNS),
			  "ns/page", n, BENCH_RUNS);
	hugetlb_set_section_restore(true);

	h = &hstates[HSTATE_1G];
	if (!h->supported)
		bench_skip(b, "1G", "CPU has no 1 GiB pages");
	else if (measure(h, 1, &on, &off))
		bench_skip(b, "1G", "no free aligned 1 GiB range");
	else
		report(b, "1G", 1, &on, &off);
	hugetlb_set_optimize_vmemmap(hvo);
	return 0;
}
BENCHMARK(hugetlb, "HugeTLB pool growth and shrink per page, HVO on vs off");
