/* SPDX-License-Identifier: MIT */
#ifndef MM_MMU_GATHER_H
#define MM_MMU_GATHER_H

/*
 * The mmu_gather (Linux's mm/mmu_gather.c): what a zap takes out of an
 * address space, pages and unlinked page tables, waits here for the TLB
 * flush and is freed after it.
 */
#include "kernel/types.h"
#include "mm/pgtable.h"

struct mm;
struct page;

/*
 * Deferred freeing: pages and tables go only after the TLB flush. The
 * pages wait in the gather's own array, and once that is full in a page
 * the gather borrows (TLB_MORE_PAGES of them, as Linux's batch pages),
 * so that a large zap shoots the other CPUs down once per 512 pages,
 * not once per 64: with threads on every CPU each round waits for all
 * of them. Without a page to borrow it flushes every 64, as before.
 */
#define TLB_BATCH_PAGES		64
#define TLB_MORE_PAGES		(PAGE_SIZE / sizeof(struct page *))
#define TLB_BATCH_TABLES	32

struct mmu_gather {
	struct mm *mm;
	unsigned long start, end;	/* leaves cleared since the last flush */
	unsigned int nr_pages, max_pages;
	unsigned int nr_tables;
	struct page **pages;		/* local, or the borrowed page */
	struct page *local[TLB_BATCH_PAGES];	/* 4 KiB pages, hugetlb heads */
	pteval_t *tables[TLB_BATCH_TABLES];
};

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm);
/*
 * For tests: called right after the gather frees each page or table, the
 * moment at which no translation to it may be left in the TLB (NULL:
 * none). What makes a free before the flush visible.
 */
typedef void (*tlb_free_observer_t)(struct mm *mm, struct page *page);
void set_tlb_free_observer(tlb_free_observer_t fn);
/* Flush what was cleared, then free what was gathered. */
void tlb_finish_mmu(struct mmu_gather *tlb);

/*
 * What the zap and the table unlinking (mm/memory.c, mm/pt_reclaim.c)
 * hand over: [start, end) of leaves cleared, a page whose last
 * reference the gather drops, an unlinked table it frees.
 */
void tlb_track(struct mmu_gather *tlb, unsigned long start, unsigned long end);
void tlb_remove_page(struct mmu_gather *tlb, struct page *page);
void tlb_remove_table(struct mmu_gather *tlb, pteval_t *table);

#endif
