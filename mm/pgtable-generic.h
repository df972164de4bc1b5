/* SPDX-License-Identifier: MIT */
#ifndef MM_PGTABLE_GENERIC_H
#define MM_PGTABLE_GENERIC_H

/*
 * User page-table pages, after Linux's mm/pgtable-generic.c and the
 * ptlock part of its mm/memory.c: their counted entries, their split
 * locks, and the walks that find a PTE table locked.
 *
 * Private to the page-table side of address spaces: mm/memory.c (faults,
 * zap, fork, mremap, mprotect), mm/mmu_gather.c (which frees the tables)
 * and mm/pt_reclaim.c (which unlinks the empty ones). Nothing else writes
 * user tables; mm/gup.c reads them locklessly.
 */
#include "kernel/types.h"
#include "kernel/spinlock.h"
#include "mm/mm_types.h"
#include "mm/page.h"
#include "mm/pgtable.h"

/* The end of the user half: tables up to here serve user addresses. */
#define USER_PGTABLES_CEILING	(1UL << 47)

/*
 * What a page-table page holds once freed, in debug builds: the free-page
 * fill's pattern (mm/page_fill.c), written on free. A lockless walker
 * that ever reads it read through a freed table (mm/gup.c counts it).
 */
#define PT_FREED_POISON	0xaaaaaaaaaaaaaaaaULL

/* Entries. */

static inline bool entry_none(pteval_t e)
{
	return e == 0;
}

static inline struct page *pt_page(const pteval_t *table)
{
	return virt_to_page(table);
}

static inline struct page *entry_page(pteval_t e)
{
	return pfn_to_page(PHYS_PFN(entry_phys(e)));
}

/* The only writer of user tables: keeps the table's pt_count. */
void set_user_entry(pteval_t *table, unsigned int idx, pteval_t val);

static inline bool mm_is_loaded(const struct mm *mm)
{
	return __atomic_load_n(&mm->cpu_mask, __ATOMIC_SEQ_CST) != 0;
}

/* Counters that faults change under the read lock, on several CPUs. */
static inline void mm_counter_add(unsigned long *counter, long n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/* Tables: a PTE table's split lock, its allocation and its freeing. */

static inline spinlock_t *pte_lockptr(pteval_t *pte_table)
{
	return (spinlock_t *)pt_page(pte_table)->private;
}

/* A zeroed table of mm at level; a PTE table gets its lock. NULL: no memory. */
pteval_t *user_table_alloc(struct mm *mm, enum pg_level level);
/*
 * Only for a table never linked, or unlinked, flushed and synchronised
 * with the lockless walkers (mm/mmu_gather.c).
 */
void user_table_free(pteval_t *table);
/* The "ptlock" cache, before the first address space (pagefault_init()). */
void ptlock_cache_init(void);

/* Walks. */

/*
 * Walk down to the table that holds addr's entry at `want`; stop early
 * at a none entry. Returns the deepest table reached and its level.
 * Under page_table_lock.
 */
pteval_t *walk_existing(struct mm *mm, unsigned long addr, enum pg_level want,
			enum pg_level *reached);
/* The PTE table for addr, locked (*ptlp), or NULL when there is none. */
pteval_t *pte_offset_map_lock(struct mm *mm, unsigned long addr, spinlock_t **ptlp);
/* As pte_offset_map_lock(), making the missing tables; NULL: no memory. */
pteval_t *pte_alloc_map_lock(struct mm *mm, unsigned long addr, spinlock_t **ptlp);

#endif
