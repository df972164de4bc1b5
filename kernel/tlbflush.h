/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_TLBFLUSH_H
#define KERNEL_TLBFLUSH_H

/*
 * TLB flushes. The local_ forms act on this CPU only. A user address
 * space is flushed where it is loaded: struct mm's cpu_mask has the bit
 * of every CPU that loaded it (set before its CR3 load, cleared when the
 * CPU loads another: a kernel thread keeps the last one, Linux's lazy
 * TLB), and flush_tlb_mm_range() flushes here if this CPU is in it and
 * sends one call to each other CPU in it, nothing to the rest. The
 * global forms are for kernel mappings (vmemmap
 * remaps, page tables freed, ioremap, the direct map) and reach every
 * online CPU: the caller's CPU flushes, then every other online CPU is
 * sent one call and the caller waits until all have flushed, so that a
 * page freed after the flush cannot be read through any CPU's stale
 * entry. A caller that changes many mappings flushes once for all of
 * them (an HVO batch is one shootdown).
 *
 * Counted per CPU with Linux's /proc/vmstat names: nr_tlb_remote_flush
 * (shootdowns sent), nr_tlb_remote_flush_received (taken by a CPU),
 * nr_tlb_local_flush_all and nr_tlb_local_flush_one (invlpg per page).
 */
#include "kernel/percpu.h"

void local_flush_tlb_all(void);
void local_flush_tlb_one(unsigned long va);
void local_flush_tlb_range(unsigned long start, unsigned long end);

void flush_tlb_all(void);
void flush_tlb_one(unsigned long va);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);

struct mm;
/*
 * [start, end) of mm on every CPU of its cpu_mask (a full flush past 32
 * pages, or when page tables were freed): one IPI round at most. Defined
 * beside switch_mm() in mm/mmap.c, which keeps the mask, as
 * flush_tlb_mask_range(&mm->cpu_mask, ...).
 */
void flush_tlb_mm_range(struct mm *mm, unsigned long start, unsigned long end,
			bool freed_tables);
void flush_tlb_mask_range(const u64 *cpu_mask, unsigned long start, unsigned long end,
			  bool freed_tables);

/*
 * How the flushes above reach the other CPUs: the SMP bring-up sits
 * above mm/, which flushes, so it lends a call that runs func(info) on
 * the other online CPUs of cpus, waits, and returns how many it reached.
 * Until then there is one CPU and the local flush is all.
 */
typedef unsigned int (*tlb_remote_call_t)(u64 cpus, void (*func)(void *info), void *info);
void tlb_set_remote_call(tlb_remote_call_t call);
/* func(info) on every other CPU of *cpu_mask, waited for (mm_destroy's lazy CR3s). */
void tlb_call_cpus(const u64 *cpu_mask, void (*func)(void *info), void *info);

/* A counter summed over every CPU. */
unsigned long tlb_stat(enum tlb_stat item);

#endif
