/* SPDX-License-Identifier: MIT */
#ifndef MM_PT_RECLAIM_H
#define MM_PT_RECLAIM_H

/*
 * Freeing page-table pages that become empty (Linux's mm/pt_reclaim.c):
 * an empty table's parent entry is cleared, which drops the parent's
 * count, and the table is gathered (mm/mmu_gather.h) and freed after the
 * TLB flush. PTE -> PMD -> PUD tables; never the PGD.
 */
#include "kernel/types.h"
#include "mm/pgtable.h"

struct mm;
struct mmu_gather;

/* The empty page-table reclaim switch (pt_reclaim=, /proc/sys/vm/pt_reclaim). */
bool pt_reclaim_enabled(void);
/* Switching it on frees the empty tables every mm holds. */
void set_pt_reclaim(bool on);

/* Free every empty table of mm (when reclaim is switched on). */
unsigned long reclaim_empty_tables(struct mm *mm);

/*
 * Linux's free_pgtables(): after the VMAs of [start, end) are gone, free
 * the tables that serve only addresses in [floor, ceiling) (no VMA left).
 * What munmap does whether or not reclaim is on.
 */
void free_pgtables(struct mmu_gather *tlb, unsigned long start, unsigned long end,
		   unsigned long floor, unsigned long ceiling);

/*
 * For the zap (mm/memory.c), under page_table_lock: clear the parent's
 * entry for an empty child, gathered for freeing after the flush; and
 * the same for a PTE table under its own lock, once its PMD entry is
 * seen to still point at it (false: not empty, or already unlinked).
 */
void unlink_table(struct mmu_gather *tlb, pteval_t *parent, unsigned int idx,
		  pteval_t *child);
bool try_unlink_pte_table(struct mmu_gather *tlb, pteval_t *pmd, unsigned int idx,
			  pteval_t *pte);

#endif
