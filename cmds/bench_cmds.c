// SPDX-License-Identifier: MIT
/* bench and ptreclaim_bench: the benchmarks (bench/) from the console. */
#include "bench/bench.h"
#include "bench/ptreclaim_bench.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

static int cmd_bench(int argc, char **argv)
{
	if (argc != 2) {
		printk("bench: usage: bench NAME[,NAME]|all|list\n");
		return -EINVAL;
	}
	if (!strcmp(argv[1], "list")) {
		bench_list();
		return 0;
	}
	return bench_run(argv[1]);
}
SHELL_CMD(bench, "NAME[,NAME]|all|list", "run benchmarks (ns per operation from the TSC)");

static int cmd_ptreclaim_bench(int argc, char **argv)
{
	unsigned long n = 0, r = BENCH_RUNS;

	if (argc > 3 || (argc > 1 && (kstrtoul(argv[1], 0, &n) || !n || n > 1UL << 24)) ||
	    (argc > 2 && (kstrtoul(argv[2], 0, &r) || !r || r > BENCH_MAX_RUNS))) {
		printk("ptreclaim_bench: usage: ptreclaim_bench [N [ROUNDS]] (N 1..16777216, default %lu here; ROUNDS 1..%d, default %d)\n",
		       ptreclaim_bench_default_iters(), BENCH_MAX_RUNS, BENCH_RUNS);
		return -EINVAL;
	}
	return ptreclaim_bench_run(n, r);
}
SHELL_CMD(ptreclaim_bench, "[N [ROUNDS]]", "bench ptreclaim with N iterations (25600 is the seed's)");
