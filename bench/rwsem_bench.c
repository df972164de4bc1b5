// SPDX-License-Identifier: MIT
/*
 * `bench rwsem`: the cost of mmap_lock's kind of lock (kernel/rwsem.h),
 * in ns per operation from the TSC (median of the runs). A page fault
 * takes mmap_lock for read and gives it back, so the read pair is a
 * cost every fault pays, and on several CPUs at once every fault of a
 * multi-threaded program pays it on one shared lock.
 *
 *   read_pair_cpus_N    down_read + up_read on one rwsem on N CPUs at
 *                       once (1, 2, 4, as many as are online): this
 *                       task and a kernel thread bound to each other
 *                       CPU, started together: ns per pair per CPU, the
 *                       mean
 *   read_pair_cpus_N_max  the slowest thread of the same runs
 *   write_pair          down_write + up_write, one thread, uncontended
 *
 * Interrupts stay on (an rwsem is never taken with them off), so a
 * timer tick lands in some pairs: hence the median of BENCH_RUNS runs.
 */
#include "bench/bench.h"
#include "kernel/io.h"
#include "kernel/rwsem.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "kernel/time.h"
#include "libc/errno.h"
#include "libc/stdio.h"

#define PAIR_OPS	20000UL

static DECLARE_RWSEM(bench_sem);

static void read_pairs(void *arg)
{
	struct bench_cpus_run *r = arg;
	unsigned int slot = bench_cpus_start(r);
	u64 t0 = get_cycles();

	for (unsigned long i = 0; i < PAIR_OPS; i++) {
		down_read(&bench_sem);
		up_read(&bench_sem);
	}
	bench_cpus_done(r, slot, t0, PAIR_OPS);
}

/*
 * One run on n online CPUs, this one among them (it runs its share
 * itself: a kernel thread is not preempted, so one spinning at the start
 * line on this CPU would never let the others be made): mean and max ns
 * per pair.
 */
static int read_run_once(unsigned int n, u64 *mean, u64 *max)
{
	static struct bench_cpus_run r;
	unsigned int cpu, started = 1, me = smp_processor_id();

	r = (struct bench_cpus_run){ .nr_cpus = n };
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		if (started == n)
			break;
		if (cpu == me)
			continue;
		t = kthread_create(read_pairs, &r, "bench-rwsem");
		if (!t)
			break;
		kthread_bind(t, cpu);
		wake_up_process(t);
		started++;
	}
	/* A thread that could not be made: the others would wait forever. */
	if (started < n)
		__atomic_add_fetch(&r.ready, n - started, __ATOMIC_ACQ_REL);
	read_pairs(&r);
	while (__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) < started)
		schedule_timeout(NSEC_PER_MSEC);
	if (started < n)
		return -ENOMEM;
	bench_cpus_mean_max(&r, mean, max);
	return 0;
}

/* Interrupts on, as always for an rwsem (bench_measure() turns them off). */
static void measure_write(struct bench_ctx *b)
{
	u64 ns[BENCH_RUNS];

	for (unsigned int r = 0; r < BENCH_RUNS; r++) {
		u64 t0 = get_cycles();

		for (unsigned long i = 0; i < PAIR_OPS; i++) {
			down_write(&bench_sem);
			up_write(&bench_sem);
		}
		ns[r] = cycles_to_ns(get_cycles() - t0) / PAIR_OPS;
	}
	bench_row(b, "write_pair", bench_median(ns, BENCH_RUNS), "ns/op", PAIR_OPS, BENCH_RUNS);
}

static int bench_rwsem(struct bench_ctx *b)
{
	unsigned int online = num_online_cpus();

	for (unsigned int n = 1; n <= online; n *= 2)
		bench_cpus_rows(b, "read_pair", n, read_run_once, PAIR_OPS, "no memory for a kernel thread");
	if (online & (online - 1))
		bench_cpus_rows(b, "read_pair", online, read_run_once, PAIR_OPS, "no memory for a kernel thread");
	measure_write(b);
	return 0;
}
BENCHMARK(rwsem, "mmap_lock's rwsem: read pairs on 1/2/4 CPUs at once, an uncontended write pair");
