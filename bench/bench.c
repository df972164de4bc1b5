// SPDX-License-Identifier: MIT
/*
 * The benchmark framework: a registry in the .benchmarks section, the
 * `bench` console command, the `bench=` boot parameter, and TSC timing
 * helpers. See bench/bench.h for the output format.
 *
 * A timed run keeps interrupts off, so that a tick does not land in one
 * sample and not another; the median of several runs then hides what
 * the host did to the guest (TCG and KVM guests are both preempted).
 */
#include "bench/bench.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/strerror.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "drivers/qemu_exit.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

extern const struct benchmark __bench_start[], __bench_end[];

#define BENCH_NAMES_MAX	128
static char boot_names[BENCH_NAMES_MAX];

static int bench_param(const char *val)
{
	return param_copy_names(val, boot_names, sizeof(boot_names));
}
early_param("bench", bench_param);

static struct bench_row *next_row(struct bench_ctx *b, const char *metric)
{
	struct bench_row *r;

	if (b->nr_rows == BENCH_MAX_ROWS) {
		pr_warn("bench %s: too many rows, '%s' dropped\n", b->name, metric);
		return NULL;
	}
	r = &b->rows[b->nr_rows++];
	memset(r, 0, sizeof(*r));
	r->metric = metric;
	return r;
}

void bench_row(struct bench_ctx *b, const char *metric, u64 value,
	       const char *unit, unsigned long ops, unsigned int runs)
{
	struct bench_row *r = next_row(b, metric);

	if (!r)
		return;
	r->value = value;
	r->unit = unit;
	r->ops = ops;
	r->runs = runs;
}

void bench_skip(struct bench_ctx *b, const char *metric, const char *reason)
{
	struct bench_row *r = next_row(b, metric);

	if (r)
		r->skip_reason = reason;
}

unsigned int bench_cpus_start(struct bench_cpus_run *r)
{
	unsigned int slot = __atomic_fetch_add(&r->slot, 1, __ATOMIC_RELAXED);

	__atomic_add_fetch(&r->ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) < r->nr_cpus)
		cpu_relax();
	return slot;
}

void bench_cpus_done(struct bench_cpus_run *r, unsigned int slot, u64 t0, unsigned long ops)
{
	r->ns[slot] = cycles_to_ns(get_cycles() - t0) / ops;
	__atomic_add_fetch(&r->done, 1, __ATOMIC_RELEASE);
}

void bench_cpus_mean_max(const struct bench_cpus_run *r, u64 *mean, u64 *max)
{
	u64 sum = 0;

	*max = 0;
	for (unsigned int i = 0; i < r->nr_cpus; i++) {
		sum += r->ns[i];
		if (r->ns[i] > *max)
			*max = r->ns[i];
	}
	*mean = sum / r->nr_cpus;
}

/* A row whose name is made here, from prefix, n and suffix. */
static struct bench_row *named_row(struct bench_ctx *b, const char *prefix, unsigned int n,
				   const char *suffix)
{
	struct bench_row *r = next_row(b, prefix);

	if (!r)
		return NULL;
	snprintf(r->name, sizeof(r->name), "%s_cpus_%u%s", prefix, n, suffix);
	r->metric = r->name;
	return r;
}

static void cpus_row(struct bench_ctx *b, const char *prefix, unsigned int n,
		     const char *suffix, u64 *v, unsigned long ops)
{
	struct bench_row *r = named_row(b, prefix, n, suffix);

	if (!r)
		return;
	r->value = bench_median(v, BENCH_RUNS);
	r->unit = "ns/op";
	r->ops = ops;
	r->runs = BENCH_RUNS;
}

void bench_cpus_rows(struct bench_ctx *b, const char *prefix, unsigned int n,
		     int (*run_once)(unsigned int n, u64 *mean, u64 *max),
		     unsigned long ops, const char *skip_reason)
{
	u64 mean[BENCH_RUNS], max[BENCH_RUNS];

	for (unsigned int i = 0; i < BENCH_RUNS; i++) {
		if (run_once(n, &mean[i], &max[i]) < 0) {
			struct bench_row *r = named_row(b, prefix, n, "");

			if (r)
				r->skip_reason = skip_reason;
			return;
		}
	}
	cpus_row(b, prefix, n, "", mean, ops);
	cpus_row(b, prefix, n, "_max", max, ops);
}

u64 bench_median(u64 *v, unsigned int n)
{
	if (!n)
		return 0;
	/* Insertion sort: a handful of samples. */
	for (unsigned int i = 1; i < n; i++) {
		u64 x = v[i];
		unsigned int j = i;

		for (; j && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	if (n & 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static u64 measure(int (*fn)(void *arg, unsigned long ops), void *arg,
		   unsigned long ops, unsigned int runs, int *err, bool irqs_off)
{
	u64 samples[BENCH_MAX_RUNS];

	*err = 0;
	if (!ops || !runs)
		return 0;
	runs = min(runs, (unsigned int)BENCH_MAX_RUNS);
	for (unsigned int i = 0; i < runs; i++) {
		unsigned long flags = irqs_off ? local_irq_save() : 0;
		u64 t0 = get_cycles();
		int ret = fn(arg, ops);
		u64 t1 = get_cycles();

		if (irqs_off)
			local_irq_restore(flags);
		if (ret) {
			*err = ret;
			return 0;
		}
		/* Rounded to the nearest nanosecond per operation. */
		samples[i] = (cycles_to_ns(t1 - t0) + ops / 2) / ops;
	}
	return bench_median(samples, runs);
}

u64 bench_measure(int (*fn)(void *arg, unsigned long ops), void *arg,
		  unsigned long ops, unsigned int runs, int *err)
{
	return measure(fn, arg, ops, runs, err, true);
}

u64 bench_measure_irqs_on(int (*fn)(void *arg, unsigned long ops), void *arg,
			  unsigned long ops, unsigned int runs, int *err)
{
	return measure(fn, arg, ops, runs, err, false);
}

const struct benchmark *bench_find(const char *name, size_t len)
{
	for (const struct benchmark *bm = __bench_start; bm < __bench_end; bm++)
		if (strlen(bm->name) == len && !strncmp(bm->name, name, len))
			return bm;
	return NULL;
}

static void print_rows(const struct bench_ctx *b)
{
	printk("  %-28s %12s %-6s %10s %5s\n", "metric", "value", "unit", "ops", "runs");
	for (unsigned int i = 0; i < b->nr_rows; i++) {
		const struct bench_row *r = &b->rows[i];

		if (r->skip_reason)
			printk("  %-28s %12s        (%s)\n", r->metric, "skipped", r->skip_reason);
		else
			printk("  %-28s %12llu %-6s %10lu %5u\n", r->metric,
			       (unsigned long long)r->value, r->unit, r->ops, r->runs);
	}
	/* Machine-readable, after the table so that the two never interleave. */
	for (unsigned int i = 0; i < b->nr_rows; i++) {
		const struct bench_row *r = &b->rows[i];

		if (r->skip_reason)
			printk("bench: %s %s skipped %s\n", b->name, r->metric, r->skip_reason);
		else
			printk("bench: %s %s %llu %s %lu ops %u runs\n", b->name, r->metric,
			       (unsigned long long)r->value, r->unit, r->ops, r->runs);
	}
}

static int run_one(const struct benchmark *bm)
{
	static struct bench_ctx ctx;
	int ret;

	memset(&ctx, 0, sizeof(ctx));
	ctx.name = bm->name;
	printk("bench %s: %s (TSC %lu.%03lu MHz)\n", bm->name, bm->help,
	       tsc_khz() / 1000, tsc_khz() % 1000);
	ret = bm->run(&ctx);
	print_rows(&ctx);
	if (ret)
		printk("bench: %s failed %d %s\n", bm->name, ret, strerror(ret));
	return ret;
}

/*
 * The benchmark whose name follows prev's (NULL: the first), so that
 * `all` and `list` go by name, not by link order: a benchmark that
 * fragments memory (hugetlb pools) then runs after one that needs a free
 * GiB (buddy), whatever the Makefile's file order.
 */
static const struct benchmark *next_by_name(const struct benchmark *prev)
{
	const struct benchmark *best = NULL;

	for (const struct benchmark *bm = __bench_start; bm < __bench_end; bm++) {
		if (prev && strcmp(bm->name, prev->name) <= 0)
			continue;
		if (!best || strcmp(bm->name, best->name) < 0)
			best = bm;
	}
	return best;
}

/*
 * Every name of the list before anything runs: a typo must not cost the
 * minutes of the benchmarks in front of it, nor an empty name pass.
 */
static int check_names(const char *names)
{
	const char *p = names;

	for (;;) {
		size_t n = strcspn(p, ",");

		if (!n) {
			printk("bench: empty name in '%s' (bench NAME[,NAME]; bench list)\n", names);
			return -EINVAL;
		}
		if (!bench_find(p, n)) {
			printk("bench: no benchmark '%.*s' (bench list)\n", (int)n, p);
			return -ENOENT;
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

int bench_run(const char *names)
{
	const char *p = names;
	int ret = 0;

	if (!strcmp(names, "all")) {
		for (const struct benchmark *bm = next_by_name(NULL); bm; bm = next_by_name(bm))
			ret = run_one(bm) ?: ret;
		return ret;
	}
	ret = check_names(names);
	if (ret)
		return ret;
	for (;;) {
		size_t n = strcspn(p, ",");

		ret = run_one(bench_find(p, n)) ?: ret;
		if (!p[n])
			return ret;
		p += n + 1;
	}
}

void bench_run_boot(void)
{
	int ret;

	if (!boot_names[0])
		return;
	pr_info("bench: running '%s'\n", boot_names);
	ret = bench_run(boot_names);
	pr_info("bench: %s\n", ret ? "FAILED" : "done");
	qemu_exit(ret ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
	/* Not in QEMU: carry on to the shell. */
}

void bench_list(void)
{
	for (const struct benchmark *bm = next_by_name(NULL); bm; bm = next_by_name(bm))
		printk("  %-12s %s\n", bm->name, bm->help);
}
