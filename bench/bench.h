/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H

/*
 * Benchmarks, registered where they are implemented (like SHELL_CMD):
 *
 *	static int bench_buddy(struct bench_ctx *b) { ... }
 *	BENCHMARK(buddy, "buddy allocator: order-0/9/10 pairs, 1 GiB range");
 *
 * They run from the console (`bench NAME`, `bench all`, `bench list`) or
 * at boot with `bench=NAME[,NAME]` (then QEMU exits with the verdict).
 * Time comes from the TSC (kernel/time.h). A benchmark reports rows with
 * bench_row(); when it returns, the framework prints them as a table and
 * once more as lines a host script can parse:
 *
 *	bench: <bench> <metric> <value> <unit> [<ops> ops] [<runs> runs]
 *	bench: <bench> <metric> skipped <reason...>
 *
 * tests/host/runner.py --bench (make bench) reads the second form.
 */
#include "kernel/types.h"
#include "kernel/percpu.h"

#define BENCH_MAX_ROWS		32

struct bench_row {
	const char *metric;
	char name[40];			/* metric's storage when made by the framework */
	u64 value;
	const char *unit;		/* "ns/op" for timings */
	unsigned long ops;		/* operations per timed run */
	unsigned int runs;		/* the value is the median of runs */
	const char *skip_reason;	/* not measured: why */
};

struct bench_ctx {
	const char *name;
	unsigned int nr_rows;
	struct bench_row rows[BENCH_MAX_ROWS];
};

struct benchmark {
	const char *name;
	const char *help;
	int (*run)(struct bench_ctx *b);	/* 0, or a negative errno */
};

#define BENCHMARK(bname, help)						\
	static const struct benchmark __benchmark_##bname		\
	__used __section(".benchmarks") __aligned(8) =			\
		{ #bname, help, bench_##bname }

/* Record a measured row (value in unit, median of runs runs of ops ops). */
void bench_row(struct bench_ctx *b, const char *metric, u64 value,
	       const char *unit, unsigned long ops, unsigned int runs);
/* Record a row that could not be measured here (too little memory...). */
void bench_skip(struct bench_ctx *b, const char *metric, const char *reason);

/*
 * One run on several CPUs at once: each CPU taking part calls
 * bench_cpus_start() (it returns when all nr_cpus have, with that CPU's
 * slot), times its ops, and calls bench_cpus_done(); the caller waits
 * for done == nr_cpus and takes bench_cpus_mean_max().
 */
struct bench_cpus_run {
	unsigned int nr_cpus;
	unsigned int ready;		/* atomic: CPUs at the start line */
	unsigned int done;		/* atomic */
	unsigned int failed;		/* atomic: a CPU could not do its ops */
	unsigned int slot;		/* atomic: next slot */
	u64 ns[NR_CPUS];		/* per op, by slot */
};
unsigned int bench_cpus_start(struct bench_cpus_run *r);
void bench_cpus_done(struct bench_cpus_run *r, unsigned int slot, u64 t0, unsigned long ops);
void bench_cpus_mean_max(const struct bench_cpus_run *r, u64 *mean, u64 *max);

/*
 * Runs of a measurement on n CPUs at once: run_once(n, &mean, &max)
 * times one run (the mean and the slowest CPU's ns per op, or a negative
 * errno), runs times; rows "<prefix>_cpus_<n>" and "<prefix>_cpus_<n>_max"
 * are their medians, or one skipped row with skip_reason on an error.
 */
void bench_cpus_rows(struct bench_ctx *b, const char *prefix, unsigned int n,
		     int (*run_once)(unsigned int n, u64 *mean, u64 *max),
		     unsigned long ops, const char *skip_reason);

/* Median of n samples (sorts v in place); 0 when n is 0. */
u64 bench_median(u64 *v, unsigned int n);

/*
 * Run fn(arg, ops) runs times (at most BENCH_MAX_RUNS), timing each run
 * with the TSC, and return the median nanoseconds per operation. fn
 * returns 0, or a negative errno that ends the measurement: then the
 * result is 0 and *err is set.
 */
#define BENCH_MAX_RUNS		15
/* Timed runs of each measurement unless a benchmark says otherwise. */
#define BENCH_RUNS		5
u64 bench_measure(int (*fn)(void *arg, unsigned long ops), void *arg,
		  unsigned long ops, unsigned int runs, int *err);
/*
 * The same with interrupts on (the timer tick lands in the runs): for
 * work that needs them, such as an allocation that restores an optimized
 * block's memmap, which flushes every CPU's TLB.
 */
u64 bench_measure_irqs_on(int (*fn)(void *arg, unsigned long ops), void *arg,
			  unsigned long ops, unsigned int runs, int *err);

/* Run "all" or a comma-separated list of names; 0 when all succeeded. */
int bench_run(const char *names);
const struct benchmark *bench_find(const char *name, size_t len);
/* Print every benchmark's name and help, by name. */
void bench_list(void);

/* The `bench=` boot parameter: run them, then leave QEMU (pass/fail). */
void bench_run_boot(void);

#endif
