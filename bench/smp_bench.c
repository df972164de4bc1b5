// SPDX-License-Identifier: MIT
/*
 * `bench smp`: what cross-CPU work costs, in ns per operation (median of
 * several runs, TSC time on the boot CPU).
 *
 *   ipi_round_trip      smp_call_function_single(1, fn, arg, wait): queue,
 *                       IPI, the AP wakes from hlt, runs fn, the boot CPU
 *                       sees it done
 *   ipi_round_trip_last the same to the highest-numbered online CPU
 *   on_each_cpu_wait    on_each_cpu(fn, arg, wait) over every online CPU
 *   shootdown_all       flush_tlb_all(): a full local flush, then one call
 *                       to every other online CPU, waited for
 *   shootdown_4_pages   flush_tlb_kernel_range() of 4 pages (invlpg each)
 *
 * The cross-CPU rows are skipped with one CPU online. The rows that reach
 * every CPU run fewer operations as CPUs are added (ops / CPUs, at least
 * 20), so that -smp 64 under TCG still ends in minutes.
 */
#include "bench/bench.h"
#include "kernel/smp.h"
#include "kernel/tlbflush.h"
#include "mm/layout.h"

#define IPI_OPS		2000UL
#define FLUSH_OPS	1000UL

static void nop_fn(void *arg)
{
	(void)arg;
}

static int round_trips(void *arg, unsigned long ops)
{
	unsigned int cpu = (unsigned long)arg;

	for (unsigned long i = 0; i < ops; i++) {
		int ret = smp_call_function_single(cpu, nop_fn, NULL, true);

		if (ret)
			return ret;
	}
	return 0;
}

static int each_cpu(void *arg, unsigned long ops)
{
	(void)arg;
	for (unsigned long i = 0; i < ops; i++)
		on_each_cpu(nop_fn, NULL, true);
	return 0;
}

static int shootdowns(void *arg, unsigned long ops)
{
	unsigned long pages = (unsigned long)arg;

	for (unsigned long i = 0; i < ops; i++) {
		if (pages)
			flush_tlb_kernel_range(VMEMMAP_START, VMEMMAP_START + pages * PAGE_SIZE);
		else
			flush_tlb_all();
	}
	return 0;
}

static void measure(struct bench_ctx *b, const char *metric,
		    int (*fn)(void *arg, unsigned long ops), void *arg,
		    unsigned long ops)
{
	int err;
	u64 ns = bench_measure(fn, arg, ops, BENCH_RUNS, &err);

	if (err)
		bench_skip(b, metric, "a call failed");
	else
		bench_row(b, metric, ns, "ns/op", ops, BENCH_RUNS);
}

static unsigned int last_online_cpu(void)
{
	unsigned int cpu, last = 0;

	for_each_online_cpu(cpu)
		last = cpu;
	return last;
}

static int bench_smp(struct bench_ctx *b)
{
	unsigned long every = max(20UL, IPI_OPS / num_online_cpus());
	unsigned long flushes = max(20UL, FLUSH_OPS / num_online_cpus());

	if (num_online_cpus() < 2) {
		bench_skip(b, "ipi_round_trip", "one CPU online");
		bench_skip(b, "ipi_round_trip_last", "one CPU online");
	} else {
		measure(b, "ipi_round_trip", round_trips, (void *)1UL, IPI_OPS);
		measure(b, "ipi_round_trip_last", round_trips,
			(void *)(unsigned long)last_online_cpu(), IPI_OPS);
	}
	measure(b, "on_each_cpu_wait", each_cpu, NULL, every);
	measure(b, "shootdown_all", shootdowns, NULL, flushes);
	measure(b, "shootdown_4_pages", shootdowns, (void *)4UL, flushes);
	return 0;
}
BENCHMARK(smp, "cross-CPU calls and TLB shootdowns: IPI round trip, on_each_cpu, flush_tlb_*");
