// SPDX-License-Identifier: MIT
/*
 * Freeing page-table pages that become empty, as Linux's mm/pt_reclaim.c
 * (checked by mm/debug/memory_check.c): a zap (mm/memory.c) that brings
 * a table's count to 0 unlinks it here, a PTE table only under its own
 * lock; munmap frees what no VMA uses any more (free_pgtables()); the
 * switch (pt_reclaim=, /proc/sys/vm/pt_reclaim) frees what every mm
 * holds when it is turned on. Unlinked tables go into the mmu_gather
 * (mm/mmu_gather.c), which frees them after the flush and the IPI round.
 */
#include "mm/pt_reclaim.h"
#include "mm/mmu_gather.h"
#include "mm/pgtable-generic.h"
#include "kernel/panic.h"
#include "kernel/param.h"
#include "kernel/pseudofs.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"

static bool pt_reclaim = true;

/* Clear the parent's entry for an empty child; freed after the flush. */
void unlink_table(struct mmu_gather *tlb, pteval_t *parent, unsigned int idx,
		  pteval_t *child)
{
	struct mm *mm = tlb->mm;

	BUG_ON(pt_page(child)->pt_count);
	set_user_entry(parent, idx, 0);
	mm_counter_add(&mm->nr_pgtables[pt_page(child)->pt_level], -1);
	tlb_remove_table(tlb, child);
}

/*
 * Unlink an empty PTE table (Linux's pt_reclaim): with its lock held, so
 * that no fault is filling it, re-validate that the PMD entry still
 * points at it, then clear the entry. The caller holds page_table_lock.
 */
bool try_unlink_pte_table(struct mmu_gather *tlb, pteval_t *pmd, unsigned int idx,
			  pteval_t *pte)
{
	if (pt_page(pte)->pt_count || READ_ONCE(pmd[idx]) != (__pa(pte) | _PAGE_TABLE))
		return false;
	unlink_table(tlb, pmd, idx, pte);
	return true;
}

/* Unlink child of table (at level) if empty; a PTE table under its lock. */
static bool try_unlink_table(struct mmu_gather *tlb, pteval_t *table, enum pg_level level,
			     unsigned int idx, pteval_t *child)
{
	spinlock_t *ptl;
	bool done;

	if (level != PG_LEVEL_2M) {
		if (pt_page(child)->pt_count)
			return false;
		unlink_table(tlb, table, idx, child);
		return true;
	}
	ptl = pte_lockptr(child);
	spin_lock(ptl);
	done = try_unlink_pte_table(tlb, table, idx, child);
	spin_unlock(ptl);
	return done;
}

/*
 * Free the child tables of `table` that serve only [floor, ceiling) and
 * meet [addr, end): no VMA is left there, so they hold nothing but
 * empty tables.
 */
static void free_table_range(struct mmu_gather *tlb, pteval_t *table, enum pg_level level,
			     unsigned long addr, unsigned long end,
			     unsigned long floor, unsigned long ceiling)
{
	unsigned long size = level_size(level);

	for (; addr < end; addr = min(ALIGN_DOWN(addr, size) + size, end)) {
		unsigned long base = ALIGN_DOWN(addr, size);
		unsigned int idx = level_index(addr, level);
		pteval_t e = table[idx];
		pteval_t *child;

		if (entry_none(e) || entry_leaf(e, level))
			continue;
		child = entry_table(e);
		free_table_range(tlb, child, level - 1, addr, min(base + size, end),
				 floor, ceiling);
		if (base >= floor && base + size <= ceiling)
			try_unlink_table(tlb, table, level, idx, child);
	}
}

void free_pgtables(struct mmu_gather *tlb, unsigned long start, unsigned long end,
		   unsigned long floor, unsigned long ceiling)
{
	struct mm *mm = tlb->mm;

	if (start >= end)
		return;
	spin_lock(&mm->page_table_lock);
	free_table_range(tlb, mm->pgd, PG_LEVEL_512G, start, end, floor,
			 min(ceiling, USER_PGTABLES_CEILING));
	spin_unlock(&mm->page_table_lock);
}

/* Free the empty tables below `table`, bottom-up; returns how many. */
static unsigned long reclaim_table(struct mmu_gather *tlb, pteval_t *table,
				   enum pg_level level)
{
	unsigned long freed = 0;
	unsigned int end = level == PG_LEVEL_512G ? PTRS_PER_TABLE / 2 : PTRS_PER_TABLE;

	for (unsigned int i = 0; i < end; i++) {
		pteval_t e = table[i];
		pteval_t *child;

		if (entry_none(e) || entry_leaf(e, level))
			continue;
		child = entry_table(e);
		freed += reclaim_table(tlb, child, level - 1);
		freed += try_unlink_table(tlb, table, level, i, child);
	}
	return freed;
}

unsigned long reclaim_empty_tables(struct mm *mm)
{
	struct mmu_gather tlb;
	unsigned long freed;

	tlb_gather_mmu(&tlb, mm);
	spin_lock(&mm->page_table_lock);
	freed = reclaim_table(&tlb, mm->pgd, PG_LEVEL_512G);
	spin_unlock(&mm->page_table_lock);
	tlb_finish_mmu(&tlb);
	mm_counter_add(&mm->pt_reclaimed, freed);
	return freed;
}

/* The reclaim switch. */

bool pt_reclaim_enabled(void)
{
	return pt_reclaim;
}

void set_pt_reclaim(bool on)
{
	struct mm *mm;

	if (on && !pt_reclaim) {
		spin_lock(&mm_list_lock);
		list_for_each_entry(mm, &mm_list, list) {
			/*
			 * mmap_lock for read, as MADV_DONTNEED's reclaim: a
			 * writer (mprotect, mremap, fork) walks tables without
			 * page_table_lock. A sleeping lock is only tried under
			 * the list's spinlock: a busy mm keeps its empty tables
			 * until its next zap. A torn-down one has no PGD.
			 */
			if (!mmap_read_trylock(mm))
				continue;
			if (mm->pgd)
				reclaim_empty_tables(mm);
			mmap_read_unlock(mm);
		}
		spin_unlock(&mm_list_lock);
	}
	pt_reclaim = on;
}

static int pt_reclaim_setup(const char *val)
{
	return kstrtobool(val, &pt_reclaim);
}
early_param("pt_reclaim", pt_reclaim_setup);

static int pt_reclaim_show(struct seq_buf *m, void *data)
{
	(void)data;
	seq_printf(m, "%d\n", pt_reclaim);
	return 0;
}

static int pt_reclaim_store(const char *buf, size_t len, void *data, struct errmsg *e)
{
	unsigned long v;
	int ret;

	(void)data;
	ret = pseudofs_parse_ulong(buf, len, &v, e);
	if (ret)
		return ret;
	if (v > 1)
		return errmsg_set(e, -EINVAL, "'%lu' is not 0 (keep empty page tables) or 1 (free them)", v);
	set_pt_reclaim(v);
	return 0;
}
PSEUDO_FILE(pt_reclaim, "/proc/sys/vm/pt_reclaim", pt_reclaim_show, pt_reclaim_store);
