/* SPDX-License-Identifier: MIT */
#ifndef MM_GUP_H
#define MM_GUP_H

/*
 * The lockless page-table walker (Linux's GUP-fast): interrupts off, no
 * lock, each level read once. It may run on any CPU, in any mm, beside
 * faults, zaps and table reclaim on other CPUs: page tables are freed
 * only after an IPI round that a CPU with interrupts off cannot answer
 * (mm/mmu_gather.c, tlb_table_sync()), so every table it reaches stays a
 * table of that mm until it turns interrupts back on.
 *
 * Users: mincore() (is anything mapped), /proc/<pid>/pagemap (what, and
 * whether only this mapping maps it: a reference is taken for that).
 */
#include "kernel/types.h"
#include "mm/mm_types.h"
#include "mm/page.h"

struct gup_leaf {
	pteval_t entry;			/* as read; present or PROT_NONE */
	enum pg_level level;		/* PG_LEVEL_4K, _2M or _1G */
};

/* The leaf that maps addr, as one lockless walk saw it; false: none. */
bool gup_fast_leaf(struct mm *mm, unsigned long addr, struct gup_leaf *leaf);
/* A leaf maps addr (PROT_NONE pages count: they hold memory). */
bool gup_fast_present(struct mm *mm, unsigned long addr);

/*
 * Take a reference on the page mapped at addr (a huge leaf: its head)
 * with get_page_unless_zero(), then read the leaf again: if it changed
 * (zapped, remapped), the reference is dropped and -EAGAIN returned, as
 * GUP-fast backs off. 0 with *page and *leaf set: drop it with
 * put_page(). -EFAULT: nothing mapped (or device memory, never pinned).
 */
int get_user_page_fast(struct mm *mm, unsigned long addr, struct page **page,
		       struct gup_leaf *leaf);

/*
 * Debug builds: walks that read PT_FREED_POISON, i.e. read through a
 * page table after it was freed. Anything but 0 is a bug.
 */
unsigned long gup_fast_freed_reads(void);

/*
 * Tests: called inside each walk between reading a PMD entry and the
 * PTE table it points to (interrupts off), to widen the window a table
 * free must not fall into. NULL: none.
 */
void gup_fast_set_walk_hook(void (*fn)(void));

#endif
