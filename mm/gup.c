// SPDX-License-Identifier: MIT
/*
 * The lockless walker (see mm/gup.h). Each entry is read once with
 * READ_ONCE() and only that copy is used: a zap or a reclaim on another
 * CPU may change the table while we look, and two reads of one entry
 * could disagree. What keeps the tables themselves alive is the
 * interrupts-off window (mm/mmu_gather.c has the race and the diagram); what
 * keeps a page alive once seen is the reference taken on it, checked
 * against a second read of its leaf:
 *
 *   walker (IRQs off)                  zap (another CPU)
 *   e = READ_ONCE(pte[i])
 *                                      pte[i] = 0; flush
 *   get_page_unless_zero(page)         put_page(page): may be the last
 *   READ_ONCE(pte[i]) != e ?  -> put_page(page), -EAGAIN
 *
 * If the zap's put was the last, get_page_unless_zero() fails (the
 * count is 0); if ours came first, the re-read sees the cleared entry
 * and we give the page back. Either way nothing is used that is no
 * longer mapped there.
 */
#include "mm/gup.h"
#include "mm/memory.h"
#include "mm/pgtable-generic.h"
#include "mm/pgtable.h"
#include "mm/page_alloc.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "libc/errno.h"

/* The user half: tables below here serve user addresses. */
#define USER_CEILING	(1UL << 47)

static unsigned long freed_reads;
static void (*walk_hook)(void);

void gup_fast_set_walk_hook(void (*fn)(void))
{
	WRITE_ONCE(walk_hook, fn);
}

unsigned long gup_fast_freed_reads(void)
{
	return __atomic_load_n(&freed_reads, __ATOMIC_RELAXED);
}

/* A live table never holds the freed pattern: it is not a valid entry here. */
static bool freed_entry(pteval_t e)
{
#ifdef CONFIG_DEBUG_PAGEALLOC_POISON
	if (e != PT_FREED_POISON)
		return false;
	if (!__atomic_fetch_add(&freed_reads, 1, __ATOMIC_RELAXED))
		pr_err("gup: a lockless walk read a freed page table\n");
	return true;
#else
	(void)e;
	return false;
#endif
}

static bool leaf_mapped(pteval_t e)
{
	return e & (_PAGE_PRESENT | _PAGE_PROTNONE);
}

/* Interrupts off. The slot the leaf was read from, or NULL. */
static pteval_t *walk(struct mm *mm, unsigned long addr, struct gup_leaf *leaf)
{
	pteval_t *table = mm->pgd;

	for (enum pg_level l = PG_LEVEL_512G; l >= PG_LEVEL_4K; l--) {
		pteval_t *slot = &table[level_index(addr, l)];
		pteval_t e = READ_ONCE(*slot);
		void (*hook)(void);

		if (freed_entry(e) || !leaf_mapped(e))
			return NULL;
		if (entry_leaf(e, l)) {
			if (l == PG_LEVEL_512G)
				return NULL;
			leaf->entry = e;
			leaf->level = l;
			return slot;
		}
		hook = READ_ONCE(walk_hook);
		if (l == PG_LEVEL_2M && hook)
			hook();
		table = entry_table(e);
	}
	return NULL;
}

bool gup_fast_leaf(struct mm *mm, unsigned long addr, struct gup_leaf *leaf)
{
	unsigned long flags;
	bool found;

	if (addr >= USER_CEILING)
		return false;
	flags = local_irq_save();
	found = walk(mm, addr, leaf) != NULL;
	local_irq_restore(flags);
	return found;
}

bool gup_fast_present(struct mm *mm, unsigned long addr)
{
	struct gup_leaf leaf;

	return gup_fast_leaf(mm, addr, &leaf);
}

int get_user_page_fast(struct mm *mm, unsigned long addr, struct page **pagep,
		       struct gup_leaf *leaf)
{
	unsigned long flags;
	struct page *page;
	pteval_t *slot;
	int ret = -EFAULT;

	if (addr >= USER_CEILING)
		return -EFAULT;
	flags = local_irq_save();
	slot = walk(mm, addr, leaf);
	if (!slot)
		goto out;
	page = compound_head(pfn_to_page(PHYS_PFN(entry_phys(leaf->entry))));
	if (PageDevice(page))
		goto out;
	ret = -EAGAIN;
	if (!get_page_unless_zero(page))
		goto out;
	if (READ_ONCE(*slot) != leaf->entry) {
		put_page(page);
		goto out;
	}
	*pagep = page;
	ret = 0;
out:
	local_irq_restore(flags);
	return ret;
}
