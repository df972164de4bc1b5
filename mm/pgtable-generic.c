// SPDX-License-Identifier: MIT
/*
 * User page-table pages: their counted entries, their split locks (Linux's
 * ptlock) and the walks that find a PTE table locked, as Linux's
 * mm/pgtable-generic.c (the invariants are checked by mm/debug/memory_check.c).
 *
 * Counting. A user table's struct page counts its non-none entries in
 * pt_count (set_user_entry() is the only writer of user tables). The
 * PGD's kernel half (entries 256..511, copied from init_pgd) counts too:
 * pt_count is the number of non-none entries of the page, whatever they
 * point at.
 */
#include "mm/pgtable-generic.h"
#include "mm/slab.h"
#include "kernel/panic.h"
#include "kernel/traps.h"
#include "libc/errno.h"

void set_user_entry(pteval_t *table, unsigned int idx, pteval_t val)
{
	struct page *page = pt_page(table);
	pteval_t old = table[idx];

	WRITE_ONCE(table[idx], val);
	if (!entry_none(old) && entry_none(val))
		page->pt_count--;
	else if (entry_none(old) && !entry_none(val))
		page->pt_count++;
}

/*
 * Tables.
 *
 * Split page-table locks (Linux's ptlock): every PTE table has its own
 * spinlock, reached from its struct page (private, which a page table
 * does not otherwise use), so that faults in different 2 MiB ranges of
 * one mm never wait for each other. It is allocated with the table
 * (Linux's ALLOC_SPLIT_PTLOCKS: a debug spinlock does not fit in the
 * struct page) and freed with it, from its own cache "ptlock" (Linux's
 * page_ptl_cachep). Entries of the upper tables (PMD, PUD,
 * PGD: installing and unlinking tables, huge leaves) are under
 * mm->page_table_lock. Order: page_table_lock, then a PTE table's lock.
 */
static struct kmem_cache *ptlock_cache;

pteval_t *user_table_alloc(struct mm *mm, enum pg_level level)
{
	pteval_t *table = pgtable_alloc(level);
	spinlock_t *ptl;

	if (!table)
		return NULL;
	pt_page(table)->pt_owner = (unsigned long)mm;
	pt_page(table)->private = 0;
	if (level != PG_LEVEL_4K)
		return table;
	ptl = kmem_cache_alloc(ptlock_cache, GFP_KERNEL);
	if (!ptl) {
		pt_page(table)->pt_owner = 0;
		pgtable_free(table);
		return NULL;
	}
	spin_lock_init(ptl, "ptl");
	pt_page(table)->private = (unsigned long)ptl;
	return table;
}

/*
 * Only for a table never linked, or unlinked, flushed and synchronised
 * with the lockless walkers (tlb_flush(), mm/mmu_gather.c). Debug
 * builds fill it with PT_FREED_POISON, the free-page fill's pattern, so
 * that a walker that reads through it after the free sees the pattern
 * (mm/gup.c checks).
 */
void user_table_free(pteval_t *table)
{
	struct page *page = pt_page(table);

	if (page->private)
		kmem_cache_free(ptlock_cache, (void *)page->private);
	page->private = 0;
	page->pt_owner = 0;
#ifdef CONFIG_DEBUG_PAGEALLOC_POISON
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		WRITE_ONCE(table[i], PT_FREED_POISON);
	page->pt_count = 0;
#endif
	pgtable_free(table);
}

void ptlock_cache_init(void)
{
	ptlock_cache = kmem_cache_create("ptlock", sizeof(spinlock_t), sizeof(long));
	if (!ptlock_cache)
		panic("mm: no memory for the page-table lock cache");
}

/* Walks. */

/*
 * Walk down to the table that holds addr's entry at `want`; stop early
 * at a none entry. Returns the deepest table reached and its level.
 */
pteval_t *walk_existing(struct mm *mm, unsigned long addr, enum pg_level want,
			enum pg_level *reached)
{
	pteval_t *table = mm->pgd;
	enum pg_level l;

	for (l = PG_LEVEL_512G; l > want; l--) {
		pteval_t e = table[level_index(addr, l)];

		if (entry_none(e))
			break;
		/* A larger leaf here would be a mapping outside its VMA. */
		BUG_ON(entry_leaf(e, l));
		table = entry_table(e);
	}
	*reached = l;
	return table;
}

/*
 * The fast path of the two below, without page_table_lock, which every
 * fault of the mm would otherwise take (threads on every CPU queue on it):
 * the upper tables are read once each with interrupts off, as the
 * lockless walker reads them, so none can be freed under the walk (table
 * freeing waits for an IPI round that this CPU answers only after it).
 * The PTE table's lock is only tried there (its holder may be waiting
 * for this CPU to answer a shootdown); once held, the PMD entry is read
 * again: reclaim unlinks a PTE table only under that lock, so one still
 * linked now stays linked until the caller unlocks, and so does its PMD
 * table, which is not empty while it points at it. NULL (no table, a
 * huge leaf, a busy lock, a table just unlinked): the locked walk.
 *
 *   fault (CPU 1, IRQs off)             zap with reclaim (CPU 0)
 *   e = pmd[i]  -> table T
 *                                       page_table_lock; lock T: T empty
 *                                       pmd[i] = 0; unlock T
 *   trylock T: ok
 *   pmd[i] != e: unlock T, locked walk  IPI round: waits for CPU 1,
 *   IRQs on                             which answers now; free T
 *
 * Had the fault's trylock come first, reclaim would have waited for T's
 * lock and then found T no longer empty, or empty and unlinked it only
 * after the fault let go: a fault never writes into a table that it did
 * not find still linked under that table's own lock.
 */
static pteval_t *pte_offset_map_trylock(struct mm *mm, unsigned long addr, spinlock_t **ptlp)
{
	unsigned long flags = local_irq_save();
	pteval_t *table = mm->pgd, *pmd = NULL, e = 0;
	spinlock_t *ptl;

	for (enum pg_level l = PG_LEVEL_512G; l > PG_LEVEL_4K; l--) {
		e = READ_ONCE(table[level_index(addr, l)]);
		if (entry_none(e) || entry_leaf(e, l))
			goto none;
		pmd = table;
		table = entry_table(e);
	}
	ptl = pte_lockptr(table);
	if (!spin_trylock(ptl))
		goto none;
	if (READ_ONCE(pmd[level_index(addr, PG_LEVEL_2M)]) != e) {
		spin_unlock(ptl);
		goto none;
	}
	local_irq_restore(flags);
	*ptlp = ptl;
	return table;
none:
	local_irq_restore(flags);
	return NULL;
}

/*
 * The PTE table for addr, locked, or NULL when there is none. The walk
 * holds page_table_lock, so no upper table can be unlinked under it, and
 * takes the PTE table's lock before letting go (hand over hand): a table
 * whose lock is held is not reclaimed (reclaim re-tests it under that
 * lock), so it stays linked until the caller unlocks.
 */
pteval_t *pte_offset_map_lock(struct mm *mm, unsigned long addr, spinlock_t **ptlp)
{
	enum pg_level reached;
	pteval_t *table = pte_offset_map_trylock(mm, addr, ptlp);

	if (table)
		return table;
	spin_lock(&mm->page_table_lock);
	table = walk_existing(mm, addr, PG_LEVEL_4K, &reached);
	if (reached != PG_LEVEL_4K) {
		spin_unlock(&mm->page_table_lock);
		return NULL;
	}
	*ptlp = pte_lockptr(table);
	spin_lock(*ptlp);
	spin_unlock(&mm->page_table_lock);
	return table;
}

/* Spare tables for the levels below `reached` that a walk found missing. */
static bool spares_cover(pteval_t **spare, enum pg_level reached)
{
	for (enum pg_level l = PG_LEVEL_4K; l < reached; l++)
		if (!spare[l])
			return false;
	return true;
}

static int alloc_spares(struct mm *mm, pteval_t **spare, enum pg_level reached)
{
	for (enum pg_level l = PG_LEVEL_4K; l < reached; l++) {
		if (!spare[l])
			spare[l] = user_table_alloc(mm, l);
		if (!spare[l])
			return -ENOMEM;
	}
	return 0;
}

/*
 * As pte_offset_map_lock(), making the missing tables. They are
 * allocated with no lock held and linked only once all are there, so
 * -ENOMEM (NULL) links nothing; a walk that finds more missing after
 * the allocation (a racing reclaim) allocates again. What is left over
 * was never linked and is freed at once.
 */
pteval_t *pte_alloc_map_lock(struct mm *mm, unsigned long addr, spinlock_t **ptlp)
{
	pteval_t *spare[PG_LEVEL_512G] = { NULL }, *table = NULL;
	enum pg_level reached;

	table = pte_offset_map_trylock(mm, addr, ptlp);
	if (table)
		return table;
	for (;;) {
		spin_lock(&mm->page_table_lock);
		table = walk_existing(mm, addr, PG_LEVEL_4K, &reached);
		if (spares_cover(spare, reached))
			break;
		spin_unlock(&mm->page_table_lock);
		if (alloc_spares(mm, spare, reached)) {
			table = NULL;
			goto out;
		}
	}
	for (enum pg_level l = reached; l > PG_LEVEL_4K; l--) {
		pteval_t *child = spare[l - 1];

		spare[l - 1] = NULL;
		set_user_entry(table, level_index(addr, l), __pa(child) | _PAGE_TABLE);
		mm_counter_add(&mm->nr_pgtables[l - 1], 1);
		table = child;
	}
	*ptlp = pte_lockptr(table);
	spin_lock(*ptlp);
	spin_unlock(&mm->page_table_lock);
out:
	for (enum pg_level l = PG_LEVEL_4K; l < PG_LEVEL_512G; l++)
		if (spare[l])
			user_table_free(spare[l]);
	return table;
}
