// SPDX-License-Identifier: MIT
/*
 * `bench ptreclaim`: the seed's workload (Qi Zheng, "Free user PTE page
 * table pages"): mmap 50 GiB anonymous MAP_NORESERVE, then N times touch
 * 2 MiB (one write per 4 KiB page) and MADV_DONTNEED it, walking up the
 * range. It runs with reclaim off and on in the same boot, alternating,
 * each pass in a fresh address space, and prints VIRT, RES and VmPTE
 * before and after, and the page-fault rate of each mode.
 *
 * With reclaim off every 2 MiB leaves its PTE table behind (N = 25600:
 * 100 MiB of tables, plus 50 PMD tables and a PUD table, for nothing
 * resident); with reclaim on nothing survives. Reclaim on frees the PTE,
 * PMD and PUD tables at each DONTNEED (the walk leaves each one empty)
 * and the next touch allocates them again: that is its cost, measured as
 * ns per fault over the touches and ns per 2 MiB round trip.
 *
 *   refault_*	the worst case for reclaim: the same 2 MiB touched and
 *		dropped again and again, so that reclaim off never
 *		allocates a table and reclaim on allocates three each time.
 *
 * N is 25600 (the seed's) on hardware and under KVM, 128 under TCG so
 * that CI finishes in seconds; `ptreclaim_bench N [ROUNDS]` runs any N
 * (the median of ROUNDS alternating off/on passes is reported). Page
 * poisoning (a debug check: a memset per free, a compare per allocation)
 * is off while it runs, as in the buddy benchmark, and restored after.
 */
#include "bench/bench.h"
#include "bench/ptreclaim_bench.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "mm/memory.h"
#include "mm/pt_reclaim.h"
#include "kernel/uaccess.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/page_fill.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define BENCH_VIRT		(50UL << 30)
#define CHUNK			SZ_2M
#define FULL_ITERS		25600UL
#define TCG_ITERS		128UL
#define REFAULT_MAX_ITERS	2048UL

static unsigned long bench_iters;	/* 0: the default for this machine */
static unsigned int bench_rounds = BENCH_RUNS;

struct pt_sample {
	unsigned long virt_kb, res_kb, pte_kb;
	unsigned long pud, pmd, pte;
};

struct pass_result {
	struct pt_sample before, after;
	u64 touch_ns, dontneed_ns;
	unsigned long faults;
};

/* QEMU's TCG says so in the hypervisor CPUID leaf ("TCGTCGTCGTCG"). */
static bool running_under_tcg(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & BIT(31)))
		return false;
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	return b == 0x54474354 && c == 0x43544743 && d == 0x47435447;
}

unsigned long ptreclaim_bench_default_iters(void)
{
	return running_under_tcg() ? TCG_ITERS : FULL_ITERS;
}

static void sample(const struct mm *mm, struct pt_sample *s)
{
	s->pud = mm->nr_pgtables[PG_LEVEL_1G];
	s->pmd = mm->nr_pgtables[PG_LEVEL_2M];
	s->pte = mm->nr_pgtables[PG_LEVEL_4K];
	s->virt_kb = mm->total_vm << (PAGE_SHIFT - 10);
	s->res_kb = mm->rss << (PAGE_SHIFT - 10);
	s->pte_kb = (s->pud + s->pmd + s->pte) << (PAGE_SHIFT - 10);
}

static int touch_chunk(unsigned long addr)
{
	for (unsigned long off = 0; off < CHUNK; off += PAGE_SIZE) {
		int ret = put_user_u64(off, (u64 __user *)(addr + off));

		if (ret)
			return ret;
	}
	return 0;
}

/*
 * iters rounds of touch + DONTNEED; stride 0 keeps to the first 2 MiB.
 * Interrupts stay off so that no tick lands in one pass and not another.
 */
static int run_loop(struct mm *mm, unsigned long base, unsigned long iters,
		    unsigned long stride, struct pass_result *r)
{
	unsigned long flags = local_irq_save();
	int ret = 0;

	for (unsigned long i = 0; i < iters && !ret; i++) {
		unsigned long addr = base + (i * stride) % BENCH_VIRT;
		u64 t0, t1, t2;

		t0 = get_cycles();
		ret = touch_chunk(addr);
		t1 = get_cycles();
		if (!ret)
			ret = do_madvise(mm, addr, CHUNK, MADV_DONTNEED);
		t2 = get_cycles();
		r->touch_ns += t1 - t0;
		r->dontneed_ns += t2 - t1;
	}
	local_irq_restore(flags);
	r->touch_ns = cycles_to_ns(r->touch_ns);
	r->dontneed_ns = cycles_to_ns(r->dontneed_ns);
	return ret;
}

static int run_pass(bool reclaim, unsigned long iters, unsigned long stride,
		    struct pass_result *r)
{
	bool was = pt_reclaim_enabled();
	struct mm *mm;
	long base;
	int ret;

	memset(r, 0, sizeof(*r));
	set_pt_reclaim(reclaim);
	mm = mm_create(reclaim ? "ptbench-on" : "ptbench-off");
	if (!mm) {
		set_pt_reclaim(was);
		return -ENOMEM;
	}
	switch_mm(mm);
	base = do_mmap(mm, 0, BENCH_VIRT, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
	ret = base < 0 ? base : 0;
	if (!ret) {
		sample(mm, &r->before);
		ret = run_loop(mm, base, iters, stride, r);
		r->faults = mm->min_flt;
		sample(mm, &r->after);
	}
	mm_destroy(mm);
	set_pt_reclaim(was);
	return ret;
}

static void print_state(const char *mode, const struct pass_result *r)
{
	printk("  %-4s %10lu kB %6lu -> %-6lu kB %6lu -> %-7lu kB   %lu/%lu/%lu -> %lu/%lu/%lu\n",
	       mode, r->before.virt_kb, r->before.res_kb, r->after.res_kb, r->before.pte_kb,
	       r->after.pte_kb, r->before.pud, r->before.pmd, r->before.pte, r->after.pud,
	       r->after.pmd, r->after.pte);
}

static u64 per_fault(const struct pass_result *r)
{
	return r->faults ? (r->touch_ns + r->faults / 2) / r->faults : 0;
}

static u64 faults_per_s(u64 ns_per_fault)
{
	return ns_per_fault ? NSEC_PER_SEC / ns_per_fault : 0;
}

/* Signed difference of b against a, in hundredths of a percent. */
static long diff_bp(u64 a, u64 b)
{
	return a ? ((long)b - (long)a) * 10000 / (long)a : 0;
}

static void print_diff(const char *what, u64 off, u64 on)
{
	long d = diff_bp(off, on);

	printk("  %-30s off %8llu  on %8llu  (on %c%ld.%02ld%%)\n", what,
	       (unsigned long long)off, (unsigned long long)on, d < 0 ? '-' : '+',
	       (d < 0 ? -d : d) / 100, (d < 0 ? -d : d) % 100);
}

int bench_ptreclaim(struct bench_ctx *b)
{
	unsigned long iters = bench_iters ? bench_iters : ptreclaim_bench_default_iters();
	unsigned long refault = min(iters, REFAULT_MAX_ITERS);
	u64 fault[2][BENCH_MAX_RUNS], iter[2][BENCH_MAX_RUNS], refault_ns[2][BENCH_MAX_RUNS];
	unsigned long faults = iters * (CHUNK / PAGE_SIZE);
	unsigned int rounds = bench_rounds;
	struct pass_result first[2], r;
	bool poison = page_fill_enabled();
	struct mm *prev = current_mm;
	u64 f[2], it[2], rf[2];
	int ret = 0;

	printk("ptreclaim: mmap 50 GiB anonymous MAP_NORESERVE, %lu x (touch 2 MiB, MADV_DONTNEED 2 MiB), %u rounds%s\n",
	       iters, rounds, running_under_tcg() && !bench_iters ? " (TCG: a short run)" : "");
	set_page_fill(false);
	for (unsigned int round = 0; round < rounds && !ret; round++) {
		for (int on = 0; on < 2 && !ret; on++) {
			ret = run_pass(on, iters, CHUNK, &r);
			if (ret)
				break;
			if (!round)
				first[on] = r;
			fault[on][round] = per_fault(&r);
			iter[on][round] = (r.touch_ns + r.dontneed_ns + iters / 2) / iters;
			ret = run_pass(on, refault, 0, &r);
			refault_ns[on][round] = per_fault(&r);
		}
	}
	set_page_fill(poison);
	switch_mm(prev);
	if (ret)
		return ret;
	for (int on = 0; on < 2; on++) {
		f[on] = bench_median(fault[on], rounds);
		it[on] = bench_median(iter[on], rounds);
		rf[on] = bench_median(refault_ns[on], rounds);
	}
	printk("  mode       VIRT      RES before -> after   VmPTE before -> after   tables PUD/PMD/PTE\n");
	print_state("off", &first[0]);
	print_state("on", &first[1]);
	print_diff("page faults per second", faults_per_s(f[0]), faults_per_s(f[1]));
	print_diff("ns per fault", f[0], f[1]);
	print_diff("ns per 2 MiB touch+DONTNEED", it[0], it[1]);
	print_diff("ns per fault, same 2 MiB again", rf[0], rf[1]);

	bench_row(b, "virt_kB", first[0].after.virt_kb, "kB", iters, 1);
	bench_row(b, "res_after_off_kB", first[0].after.res_kb, "kB", iters, 1);
	bench_row(b, "res_after_on_kB", first[1].after.res_kb, "kB", iters, 1);
	bench_row(b, "vmpte_before_off_kB", first[0].before.pte_kb, "kB", iters, 1);
	bench_row(b, "vmpte_after_off_kB", first[0].after.pte_kb, "kB", iters, 1);
	bench_row(b, "vmpte_before_on_kB", first[1].before.pte_kb, "kB", iters, 1);
	bench_row(b, "vmpte_after_on_kB", first[1].after.pte_kb, "kB", iters, 1);
	bench_row(b, "fault_off", f[0], "ns/op", faults, rounds);
	bench_row(b, "fault_on", f[1], "ns/op", faults, rounds);
	bench_row(b, "faults_per_s_off", faults_per_s(f[0]), "1/s", faults, rounds);
	bench_row(b, "faults_per_s_on", faults_per_s(f[1]), "1/s", faults, rounds);
	bench_row(b, "touch_dontneed_2m_off", it[0], "ns/op", iters, rounds);
	bench_row(b, "touch_dontneed_2m_on", it[1], "ns/op", iters, rounds);
	bench_row(b, "refault_off", rf[0], "ns/op", refault * (CHUNK / PAGE_SIZE), rounds);
	bench_row(b, "refault_on", rf[1], "ns/op", refault * (CHUNK / PAGE_SIZE), rounds);
	return 0;
}
BENCHMARK(ptreclaim, "empty page-table reclaim: 50 GiB, touch + MADV_DONTNEED 2 MiB at a time, reclaim off vs on");

int ptreclaim_bench_run(unsigned long iters, unsigned int rounds)
{
	int ret;

	bench_iters = iters;
	bench_rounds = rounds;
	ret = bench_run("ptreclaim");
	bench_iters = 0;
	bench_rounds = BENCH_RUNS;
	return ret;
}
