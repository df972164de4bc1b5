// SPDX-License-Identifier: MIT
/*
 * `bench smp_mm`: the mm's cost on several CPUs at once, in ns per
 * operation from the TSC (median of the runs; each CPU times itself).
 *
 *   order0_pair_cpus_N   alloc_page + __free_page on N CPUs at once (1,
 *                        2, 4, as many as are online), ns per pair per
 *                        CPU, the mean over the N CPUs. The pairs run in
 *                        a call sent to each CPU, interrupts off, started
 *                        together: the per-CPU lists take no lock, so
 *                        the figure should not grow with N until the
 *                        lists refill or drain under zone->lock.
 *   order0_pair_cpus_N_max  the slowest CPU of the same runs
 *   hvo_grow_2m_on/off   growing the 2 MiB pool by GROW_PAGES with every
 *                        CPU online, HVO on and off, ns per page
 *   hvo_grow_2m_ratio    on/off in percent (100 = same cost)
 *   hvo_grow_2m_shootdowns  remote TLB shootdowns per 1000 pages grown
 *                        with HVO on (a batch of 64 pages is one: the
 *                        goal is at most 1000/64 = 15.6)
 *
 * Page poisoning is off while the pairs are timed (as in `bench buddy`).
 */
#include "bench/bench.h"
#include "kernel/io.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "mm/hugetlb.h"
#include "mm/page_alloc.h"
#include "mm/page_fill.h"
#include "libc/errno.h"
#include "libc/stdio.h"

#define PAIR_OPS	20000UL
#define GROW_PAGES	64UL

/* On each CPU taking part, interrupts off: wait for all, then time the pairs. */
static void pair_loop(void *arg)
{
	struct bench_cpus_run *r = arg;
	unsigned int slot = bench_cpus_start(r);
	u64 t0 = get_cycles();

	for (unsigned long i = 0; i < PAIR_OPS; i++) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN);

		if (!page) {
			__atomic_store_n(&r->failed, 1, __ATOMIC_RELAXED);
			break;
		}
		__free_page(page);
	}
	bench_cpus_done(r, slot, t0, PAIR_OPS);
}

/* One run on the first n online CPUs, this one among them: mean and max ns. */
static int pair_run_once(unsigned int n, u64 *mean, u64 *max)
{
	struct bench_cpus_run r = { .nr_cpus = n };
	unsigned int cpu, sent = 0, me = smp_processor_id();
	unsigned long flags;

	for_each_online_cpu(cpu) {
		if (sent + 1 >= n)
			break;
		if (cpu == me)
			continue;
		smp_call_function_single(cpu, pair_loop, &r, false);
		sent++;
	}
	flags = local_irq_save();
	pair_loop(&r);
	local_irq_restore(flags);
	while (__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) < n)
		cpu_relax();
	if (r.failed)
		return -ENOMEM;
	bench_cpus_mean_max(&r, mean, max);
	return 0;
}

/* Grow by GROW_PAGES and back; ns per page grown and shootdowns sent. */
static int grow_once(struct hstate *h, bool hvo, u64 *ns, unsigned long *shootdowns)
{
	unsigned long base = h->nr_huge_pages - h->surplus_huge_pages;
	unsigned long sd;
	u64 t0;

	hugetlb_set_optimize_vmemmap(hvo);
	drain_all_pages();
	sd = tlb_stat(NR_TLB_REMOTE_FLUSH);
	t0 = get_cycles();
	if (set_max_huge_pages(h, base + GROW_PAGES) != base + GROW_PAGES) {
		set_max_huge_pages(h, base);
		return -ENOMEM;
	}
	*ns = cycles_to_ns(get_cycles() - t0) / GROW_PAGES;
	*shootdowns = tlb_stat(NR_TLB_REMOTE_FLUSH) - sd;
	set_max_huge_pages(h, base);
	return 0;
}

static void measure_hvo_grow(struct bench_ctx *b)
{
	struct hstate *h = &hstates[HSTATE_2M];
	bool was = hugetlb_optimize_vmemmap_enabled();
	u64 on[BENCH_RUNS], off[BENCH_RUNS], m_on, m_off;
	unsigned long sd_on = 0, sd;
	int err = 0;

	/* Interleaved, so that drift in the host hits both alike. */
	for (unsigned int i = 0; i < BENCH_RUNS && !err; i++) {
		err = grow_once(h, true, &on[i], &sd);
		sd_on += sd;
		if (!err)
			err = grow_once(h, false, &off[i], &sd);
	}
	hugetlb_set_optimize_vmemmap(was);
	if (err) {
		bench_skip(b, "hvo_grow_2m_on", "the 2 MiB pool cannot grow by 64 pages");
		return;
	}
	m_on = bench_median(on, BENCH_RUNS);
	m_off = bench_median(off, BENCH_RUNS);
	bench_row(b, "hvo_grow_2m_on", m_on, "ns/page", GROW_PAGES, BENCH_RUNS);
	bench_row(b, "hvo_grow_2m_off", m_off, "ns/page", GROW_PAGES, BENCH_RUNS);
	bench_row(b, "hvo_grow_2m_ratio", m_off ? m_on * 100 / m_off : 0, "%", GROW_PAGES,
		  BENCH_RUNS);
	bench_row(b, "hvo_grow_2m_shootdowns", sd_on * 1000 / (GROW_PAGES * BENCH_RUNS),
		  "per 1000 pages", GROW_PAGES, BENCH_RUNS);
}

static int bench_smp_mm(struct bench_ctx *b)
{
	bool poison = page_fill_enabled();
	unsigned int online = num_online_cpus();

	set_page_fill(false);
	for (unsigned int n = 1; n <= online; n *= 2)
		bench_cpus_rows(b, "order0_pair", n, pair_run_once, PAIR_OPS, "out of memory");
	if (online & (online - 1))
		bench_cpus_rows(b, "order0_pair", online, pair_run_once, PAIR_OPS, "out of memory");
	set_page_fill(poison);
	measure_hvo_grow(b);
	return 0;
}
BENCHMARK(smp_mm, "mm on several CPUs: order-0 pairs on 1/2/4 CPUs at once, HVO grow with every CPU online");
