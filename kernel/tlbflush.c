// SPDX-License-Identifier: MIT
/*
 * TLB flushes and shootdowns (see kernel/tlbflush.h). Kernel mappings are
 * not global (CR4.PGE stays off), so a CR3 reload empties the TLB and the
 * paging-structure caches alike.
 */
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "mm/layout.h"

/* Past 32 pages a full flush is cheaper than invlpg each (Linux: 33). */
#define FLUSH_CEILING	32

struct flush_info {
	unsigned long start, end;	/* end 0: everything */
};

static void count(enum tlb_stat item, unsigned long n)
{
	this_cpu()->tlb_stats[item] += n;
}

static void write_cr3_raw(unsigned long pgd)
{
	__asm__ __volatile__("mov %0, %%cr3" :: "r"(pgd) : "memory");
}

void local_flush_tlb_all(void)
{
	write_cr3_raw(read_cr3_phys());
	count(NR_TLB_LOCAL_FLUSH_ALL, 1);
}

void local_flush_tlb_one(unsigned long va)
{
	__asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory");
	count(NR_TLB_LOCAL_FLUSH_ONE, 1);
}

void local_flush_tlb_range(unsigned long start, unsigned long end)
{
	if ((end - start) >> PAGE_SHIFT > FLUSH_CEILING) {
		local_flush_tlb_all();
		return;
	}
	for (unsigned long va = start; va < end; va += PAGE_SIZE)
		local_flush_tlb_one(va);
}

static void do_flush(const struct flush_info *f)
{
	if (f->end)
		local_flush_tlb_range(f->start, f->end);
	else
		local_flush_tlb_all();
}

static void flush_func(void *arg)
{
	count(NR_TLB_REMOTE_FLUSH_RECEIVED, 1);
	do_flush(arg);
}

static tlb_remote_call_t remote_call;

void tlb_set_remote_call(tlb_remote_call_t call)
{
	remote_call = call;
}

void tlb_call_cpus(const u64 *cpu_mask, void (*func)(void *info), void *info)
{
	u64 cpus = __atomic_load_n(cpu_mask, __ATOMIC_SEQ_CST);

	if (remote_call)
		remote_call(cpus, func, info);
}

/* The other CPUs of cpus, one round of calls; counted when any was sent. */
static void flush_remote(u64 cpus, const struct flush_info *f)
{
	if (remote_call && remote_call(cpus, flush_func, (void *)f))
		count(NR_TLB_REMOTE_FLUSH, 1);
}

static void flush_everywhere(const struct flush_info *f)
{
	do_flush(f);
	flush_remote(~0ULL, f);
}

void flush_tlb_mask_range(const u64 *cpu_mask, unsigned long start, unsigned long end,
			  bool freed_tables)
{
	/* Freed tables may sit in the paging-structure caches: all of it. */
	struct flush_info f = { freed_tables ? 0 : start, freed_tables ? 0 : end };
	u64 cpus = __atomic_load_n(cpu_mask, __ATOMIC_SEQ_CST);

	if (!freed_tables && end <= start)
		return;
	if (cpus & BIT(smp_processor_id()))
		do_flush(&f);
	flush_remote(cpus, &f);
}

void flush_tlb_all(void)
{
	struct flush_info f = { 0, 0 };

	flush_everywhere(&f);
}

void flush_tlb_one(unsigned long va)
{
	struct flush_info f = { va, va + PAGE_SIZE };

	flush_everywhere(&f);
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	struct flush_info f = { start, end };

	if (end <= start)
		return;
	flush_everywhere(&f);
}

unsigned long tlb_stat(enum tlb_stat item)
{
	unsigned long sum = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		sum += per_cpu_area(cpu)->tlb_stats[item];
	return sum;
}
