// SPDX-License-Identifier: MIT
/*
 * The mmu_gather, as Linux's mm/mmu_gather.c: flush first, free after.
 * Nothing is freed during a zap's walk: pages and unlinked tables are
 * gathered, and only after the TLB flush that makes them unreachable are
 * they given back. A flush that retires page tables reloads CR3, which
 * also empties the paging-structure caches; a flush for leaves alone
 * uses invlpg up to 32 pages. A gather that fills up flushes and frees
 * early; the entries it covers are already clear, so that is as safe as
 * the final flush. An mm that is not loaded has nothing cached (user
 * entries are never global and a CR3 switch flushes the rest), so its
 * flushes are skipped. Tables are freed only after an IPI round that
 * synchronises with the lockless walkers (the diagram below).
 */
#include "mm/mmu_gather.h"
#include "mm/pgtable-generic.h"
#include "mm/hugetlb.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "kernel/tlbflush.h"
#include "libc/string.h"

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm)
{
	tlb->mm = mm;
	tlb->start = ~0UL;
	tlb->end = 0;
	tlb->nr_pages = 0;
	tlb->max_pages = TLB_BATCH_PAGES;
	tlb->pages = tlb->local;
	tlb->nr_tables = 0;
}

/*
 * Freeing page tables against the lockless walker (mm/gup.c), which
 * reads an upper entry, then the table it points to, with interrupts
 * off and no lock. Without a synchronisation:
 *
 *   walker (CPU 1, IRQs off)            zap with reclaim (CPU 0)
 *   e = READ_ONCE(pmd[i])  -> table T
 *                                       lock PMD, lock T: T empty
 *                                       pmd[i] = 0; unlock
 *                                       flush; free T
 *   READ_ONCE(T[j])   <- a freed page: PT_FREED_POISON, or reused
 *                        as anything, followed as a table or a page
 *
 * x86's answer, taken here: after the unlink and before the free, every
 * other online CPU is sent an IPI and waited for. A walker keeps
 * interrupts off from its first read to its last, so its CPU answers
 * only once the walk is over, and a walk that starts after the IPI
 * reads the cleared entry. One round per gather batch (up to
 * TLB_BATCH_TABLES tables), nothing when no other CPU is online; the
 * round is flush_tlb_all(), the shootdown that the paging-structure
 * caches need for retired tables anyway once an mm runs on several
 * CPUs. Linux's other answer, RCU-deferred freeing (6.14's PT reclaim),
 * needs a grace-period machine with quiescent states in the scheduler;
 * this needs nothing but the IPI calls the CPUs already have, and frees
 * at once. Its cost is the round on each batch that frees tables, and
 * that walkers must not sleep: they never do.
 */
static void tlb_table_sync(void)
{
	flush_tlb_all();
}

static void tlb_flush(struct mmu_gather *tlb)
{
	struct mm *mm = tlb->mm;

	if (tlb->end <= tlb->start && !tlb->nr_tables)
		return;
	if (tlb->nr_tables) {
		/*
		 * Every online CPU flushes everything: the mm's CPUs for the
		 * retired tables in their paging-structure caches, the others
		 * to synchronise with lockless walkers.
		 */
		tlb_table_sync();
		if (mm_is_loaded(mm))
			mm_counter_add(&mm->tlb_flushes, 1);
	} else if (mm_is_loaded(mm)) {
		/* Every CPU that has it loaded. */
		flush_tlb_mm_range(mm, tlb->start, tlb->end, false);
		mm_counter_add(&mm->tlb_flushes, 1);
	}
	tlb->start = ~0UL;
	tlb->end = 0;
}

static tlb_free_observer_t tlb_free_observer;

void set_tlb_free_observer(tlb_free_observer_t fn)
{
	tlb_free_observer = fn;
}

static void tlb_freed(struct mmu_gather *tlb, struct page *page)
{
	if (unlikely(tlb_free_observer))
		tlb_free_observer(tlb->mm, page);
}

static void tlb_flush_mmu(struct mmu_gather *tlb)
{
	tlb_flush(tlb);
	for (unsigned int i = 0; i < tlb->nr_pages; i++) {
		struct page *page = tlb->pages[i];

		if (PageHugeTLB(page))
			free_huge_page(page);
		else
			put_page(page);
		tlb_freed(tlb, page);
	}
	for (unsigned int i = 0; i < tlb->nr_tables; i++) {
		user_table_free(tlb->tables[i]);
		tlb_freed(tlb, pt_page(tlb->tables[i]));
	}
	tlb->nr_pages = 0;
	tlb->nr_tables = 0;
}

void tlb_finish_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
	if (tlb->pages != tlb->local)
		free_page((unsigned long)tlb->pages);
}

/*
 * The local array is full: move it into a borrowed page, with room for
 * TLB_MORE_PAGES. Never an injected failure (it would only change which
 * allocation a test's countdown hits); a real one means flushing now.
 */
static bool tlb_more_pages(struct mmu_gather *tlb)
{
	struct page **more;

	if (tlb->pages != tlb->local)
		return false;
	more = (struct page **)get_free_page(GFP_KERNEL | __GFP_NOFAIL_INJECT);
	if (!more)
		return false;
	memcpy(more, tlb->local, sizeof(tlb->local));
	tlb->pages = more;
	tlb->max_pages = TLB_MORE_PAGES;
	return true;
}

void tlb_track(struct mmu_gather *tlb, unsigned long start, unsigned long end)
{
	tlb->start = min(tlb->start, start);
	tlb->end = max(tlb->end, end);
}

void tlb_remove_page(struct mmu_gather *tlb, struct page *page)
{
	if (tlb->nr_pages == tlb->max_pages && !tlb_more_pages(tlb))
		tlb_flush_mmu(tlb);
	tlb->pages[tlb->nr_pages++] = page;
}

void tlb_remove_table(struct mmu_gather *tlb, pteval_t *table)
{
	if (tlb->nr_tables == TLB_BATCH_TABLES)
		tlb_flush_mmu(tlb);
	tlb->tables[tlb->nr_tables++] = table;
}
