/* SPDX-License-Identifier: MIT */
#ifndef BENCH_PTRECLAIM_BENCH_H
#define BENCH_PTRECLAIM_BENCH_H

/* The ptreclaim benchmark with a chosen size (the ptreclaim_bench command). */

/* Iterations when none are given: the seed's workload, or less under TCG. */
unsigned long ptreclaim_bench_default_iters(void);
/* iters 2 MiB steps (0: the default), the median of rounds passes. */
int ptreclaim_bench_run(unsigned long iters, unsigned int rounds);

#endif
