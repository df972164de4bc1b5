// SPDX-License-Identifier: MIT
/*
 * The buddy's side of free memory that keeps an optimized memmap
 * (mm/buddy_vmemmap.c does the vmemmap side and registers its ops here;
 * the policy and the diagrams are there). Part of the buddy allocator:
 * mm/page_alloc_memmap.h is its door, mm/page_alloc_internal.h what the
 * allocator's files share.
 *
 * Here: the pages lent to restored memmaps, the queue of blocks that
 * frees made whole and that are to be shared again, the split of an
 * optimized block in transit (its memmap rebuilt in its own last 7
 * pages), and the restores that allocations and takes need first.
 */
#include "mm/page_alloc_memmap.h"
#include "mm/page_alloc_internal.h"
#include "mm/sparse.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "libc/errno.h"

static const struct free_memmap_ops *memmap_ops;

static long nr_memmap_lent;		/* atomic: changed under any zone's lock */

void set_free_memmap_ops(const struct free_memmap_ops *ops)
{
	memmap_ops = ops;
}

void free_memmap_count(unsigned long pfn, int delta)
{
	memmap_ops->count(pfn, delta);
}

void memmap_lend_page(struct page *page)
{
	SetPageMemmap(page);
	__atomic_add_fetch(&nr_memmap_lent, 1, __ATOMIC_RELAXED);
}

unsigned long nr_memmap_lent_pages(void)
{
	return __atomic_load_n(&nr_memmap_lent, __ATOMIC_RELAXED);
}

void memmap_lent_add(long delta)
{
	__atomic_add_fetch(&nr_memmap_lent, delta, __ATOMIC_RELAXED);
}

bool free_memmap_registered(void)
{
	return memmap_ops;
}

bool free_memmap_enabled(void)
{
	return memmap_ops && memmap_ops->enabled();
}


/*
 * Re-sharing a block's tails turns read-write vmemmap entries read-only,
 * and the pages they mapped may be reused only once every CPU has
 * flushed: a shootdown that cannot be sent under zone->lock (a CPU
 * spinning on it with interrupts off could not answer), nor with this
 * CPU's interrupts off (two CPUs flushing so would wait on each other).
 * So a free that makes a block whole only notes its pageblock here, and
 * free_memmap_reshare_pending() does the work from a caller with
 * interrupts on, under the vmemmap lock:
 *
 *   zone->lock:  the block off the lists, entries -> shared tail (RO)
 *   (dropped)    flush_tlb_kernel_range(): every CPU, 7 entries
 *   zone->lock:  the block back on the lists, optimized; its 7 memmap
 *                pages (its own, or lent ones) freed
 *
 * A full queue drops the note and says so: the next call then looks at
 * every pageblock.
 */
#define NR_RESHARE_PENDING	64

static unsigned long reshare_pending[NR_RESHARE_PENDING];
static unsigned int nr_reshare_pending;
static bool reshare_overflow;
static DEFINE_SPINLOCK(reshare_lock);	/* the queue; inside any zone->lock */

static bool reshare_wanted(unsigned long pfn)
{
	return free_memmap_enabled() && !PageVmemmapOptimized(pfn_to_page(pfn)) &&
	       !pageblock_held(pfn) && get_pageblock_migratetype(pfn) != MIGRATE_ISOLATE;
}

/* Interrupts off; a full queue says so and the next pass looks everywhere. */
static void queue_reshare(unsigned long pfn)
{
	unsigned int i;

	spin_lock(&reshare_lock);
	for (i = 0; i < nr_reshare_pending && reshare_pending[i] != pfn; i++)
		;
	if (i == nr_reshare_pending && i < NR_RESHARE_PENDING)
		reshare_pending[nr_reshare_pending++] = pfn;
	else if (i == nr_reshare_pending)
		WRITE_ONCE(reshare_overflow, true);
	spin_unlock(&reshare_lock);
}

/* zone->lock held. */
static void note_reshare(unsigned long pfn)
{
	if (reshare_wanted(pfn))
		queue_reshare(pfn);
}

static unsigned long pop_reshare(void)
{
	unsigned long pfn = ~0UL, flags = local_irq_save();

	spin_lock(&reshare_lock);
	if (nr_reshare_pending)
		pfn = reshare_pending[--nr_reshare_pending];
	spin_unlock(&reshare_lock);
	local_irq_restore(flags);
	return pfn;
}

/*
 * The 505 pages of a self-hosted pageblock are all free, in the blocks
 * split_transit() made (the memmap pages keep their buddies from
 * merging any further).
 */
static bool self_hosted_all_free(unsigned long pfn)
{
	unsigned long end = pfn + MEMMAP_SELF_FIRST;

	while (pfn < end) {
		unsigned int order = fit_order(pfn, end);
		struct page *p = pfn_to_page(pfn);

		if (!PageBuddy(p) || p->private != order)
			return false;
		pfn += 1UL << order;
	}
	return true;
}

static void take_self_hosted(struct zone *zone, unsigned long pfn)
{
	unsigned long p = pfn, end = pfn + MEMMAP_SELF_FIRST;

	while (p < end) {
		unsigned int order = fit_order(p, end);

		ClearPageFilled(pfn_to_page(p));
		del_from_free_list(pfn_to_page(p), zone, order);
		p += 1UL << order;
	}
}


void note_freed_block(unsigned long pfn, unsigned int order)
{
	if (!memmap_ops)
		return;
	if (order >= pageblock_order) {
		for (unsigned long i = 0; i < (1UL << order); i += pageblock_nr_pages) {
			struct page *lent[MEMMAP_SELF_PAGES];

			/* A first look (the vmemmap lock is not held): looked at again. */
			if (reshare_wanted(pfn + i) &&
			    memmap_ops->lent_memmap(pfn_to_page(pfn + i), lent))
				note_reshare(pfn + i);
		}
	} else if (pageblock_self_hosted(pfn) &&
		   self_hosted_all_free(pfn & ~(pageblock_nr_pages - 1))) {
		note_reshare(pfn & ~(pageblock_nr_pages - 1));
	}
}

enum reshare_kind { RESHARE_NONE, RESHARE_SELF, RESHARE_LENT };

/*
 * zone->lock and the vmemmap lock held: the pageblock off the lists and
 * its entries switched, or nothing. lent: the pages to free after the
 * flush.
 */
static enum reshare_kind reshare_switch(struct zone *zone, unsigned long pfn,
					struct page *lent[MEMMAP_SELF_PAGES])
{
	struct page *block = pfn_to_page(pfn);

	if (!reshare_wanted(pfn))
		return RESHARE_NONE;
	if (pageblock_self_hosted(pfn)) {
		if (!self_hosted_all_free(pfn))
			return RESHARE_NONE;
		take_self_hosted(zone, pfn);
		memmap_ops->reshare_self(block);
		return RESHARE_SELF;
	}
	if (!pageblock_is_free(pfn) || !memmap_ops->lent_memmap(block, lent))
		return RESHARE_NONE;
	pageblock_take_free_locked(pfn);
	memmap_ops->reshare_lent(block);
	return RESHARE_LENT;
}


/* Vmemmap pages 1..7 of the pageblock at pfn, on every CPU. */
static void flush_memmap_tails(unsigned long pfn)
{
	unsigned long va = (unsigned long)pfn_to_page(pfn);

	flush_tlb_kernel_range(va + PAGE_SIZE, va + (MEMMAP_SELF_PAGES + 1) * PAGE_SIZE);
}

static void reshare_one(unsigned long pfn)
{
	struct zone *zone = page_zone(pfn_to_page(pfn));
	struct page *lent[MEMMAP_SELF_PAGES];
	enum reshare_kind kind;
	unsigned long flags = local_irq_save();

	zone_lock(zone);
	kind = reshare_switch(zone, pfn, lent);
	zone_unlock(zone);
	local_irq_restore(flags);
	if (kind == RESHARE_NONE)
		return;
	flush_memmap_tails(pfn);
	flags = local_irq_save();
	zone_lock(zone);
	if (kind == RESHARE_SELF) {
		zone->managed_pages += MEMMAP_SELF_PAGES;
		memmap_lent_add(-MEMMAP_SELF_PAGES);
	}
	__free_one_page(pfn, pageblock_order);
	zone_unlock(zone);
	/* Straight to the free lists, not the per-CPU ones: a drain leaves nothing. */
	for (unsigned int i = 0; kind == RESHARE_LENT && i < MEMMAP_SELF_PAGES; i++) {
		reset_freed_page(lent[i]);
		free_one_locked(lent[i], 0);
	}
	local_irq_restore(flags);
}

/*
 * Until the queue is empty: re-sharing a block frees its lent pages,
 * which may make the block they sat in whole, and so on down a chain
 * (each link gives back 7 lent pages, so it ends; the bound is a guard).
 * The vmemmap lock is only tried: this CPU may hold it (a vmemmap change
 * freeing pages), and the notes keep for the next call.
 */
#define RESHARE_MAX_PER_CALL	4096

/* Notes were dropped: every pageblock of every zone is looked at. */
static void reshare_all(void)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long pfn = ALIGN(zones[z].zone_start_pfn, pageblock_nr_pages);
		unsigned long end = zones[z].zone_start_pfn + zones[z].spanned_pages;

		for (; pfn + pageblock_nr_pages <= end; pfn += pageblock_nr_pages)
			if (pfn_online(pfn))
				reshare_one(pfn);
	}
}

void free_memmap_reshare_pending(void)
{
	unsigned int n = RESHARE_MAX_PER_CALL;

	if ((!READ_ONCE(nr_reshare_pending) && !READ_ONCE(reshare_overflow)) || !memmap_ops ||
	    irqs_disabled() || !vmemmap_trylock())
		return;
	/*
	 * A walk of every pageblock frees lent pages too, whose blocks it
	 * may have passed already: their notes are taken after it.
	 */
	while (n--) {
		unsigned long pfn = pop_reshare();

		if (pfn != ~0UL) {
			reshare_one(pfn);
		} else if (READ_ONCE(reshare_overflow)) {
			WRITE_ONCE(reshare_overflow, false);
			reshare_all();
		} else {
			break;
		}
	}
	vmemmap_unlock();
}

void free_memmap_reshare_noted(void)
{
	if (READ_ONCE(nr_reshare_pending))
		free_memmap_reshare_pending();
}

void reshare_after_drain(void)
{
	free_memmap_reshare_pending();
}

void free_memmap_reshare_all(void)
{
	WRITE_ONCE(reshare_overflow, true);
	free_memmap_reshare_pending();
}

void free_memmap_try_reshare(unsigned long pfn)
{
	unsigned long flags;

	if (!memmap_ops || !pageblock_self_hosted(pfn))
		return;
	flags = local_irq_save();
	queue_reshare(pfn);
	local_irq_restore(flags);
	free_memmap_reshare_pending();
}


/*
 * A split below pageblock_order writes struct pages inside the block: an
 * optimized pageblock first gets its memmap back in its own last 7 pages
 * (as Linux's memmap_on_memory keeps hot-added memory's memmap), and its
 * other 505 pages go on the free lists. Nothing is allocated, so a split
 * cannot fail. It needs a flush (the read-only entries other CPUs may
 * hold must go before anyone writes those struct pages), so it is done
 * outside zone->lock: rmqueue takes the block off the lists ("in
 * transit": free, on no list) and alloc_pages() calls this with
 * interrupts on, then tries again. A caller with interrupts off skips
 * optimized blocks (see rmqueue_smallest()).
 */
void split_transit(struct page *page)
{
	unsigned long pfn = page_to_pfn(page), end = pfn + MEMMAP_SELF_FIRST, flags;
	enum migratetype mt = get_pageblock_migratetype(pfn);
	struct zone *zone = page_zone(page);
	bool filled = PageFilled(page);
	bool locked = vmemmap_lock_unless_held();

	memmap_ops->unshare_self(page);
	if (locked)
		vmemmap_unlock();
	flags = local_irq_save();
	zone_lock(zone);
	zone->managed_pages -= MEMMAP_SELF_PAGES;
	memmap_lent_add(MEMMAP_SELF_PAGES);
	while (pfn < end) {
		unsigned int order = fit_order(pfn, end);
		struct page *p = pfn_to_page(pfn);

		if (filled)
			SetPageFilled(p);
		else
			ClearPageFilled(p);
		add_to_free_list(p, zone, order, mt);
		pfn += 1UL << order;
	}
	zone_unlock(zone);
	local_irq_restore(flags);
}


/*
 * A whole optimized pageblock allocated by anyone who may write its
 * struct pages (all but a huge-page pool taking it as it is) gets its
 * memmap back first, in 7 pages from elsewhere: the block stays whole.
 * That flushes: not with interrupts off.
 */
int unshare_allocated(struct page *page, unsigned int order, gfp_t gfp)
{
	if (order < pageblock_order || (gfp & __GFP_OPTIMIZED_MEMMAP) || !memmap_ops)
		return 0;
	for (unsigned long i = 0; i < (1UL << order); i += pageblock_nr_pages) {
		if (!PageVmemmapOptimized(page + i))
			continue;
		if (irqs_disabled() || memmap_ops->unshare(page + i, 0, 0, true))
			return -ENOMEM;
	}
	return 0;
}


/*
 * Contiguous takes write every struct page of their range, so optimized
 * free pageblocks in it get their memmap back first, from elsewhere. The
 * range is checked free only afterwards: those pages may come out of it.
 */
int unshare_free_range(unsigned long start, unsigned long end)
{
	if (!memmap_ops)
		return 0;
	for (unsigned long pfn = start & ~(pageblock_nr_pages - 1); pfn < end;
	     pfn += pageblock_nr_pages) {
		struct page *p = pfn_to_page(pfn);

		if (!pfn_online(pfn) || !PageVmemmapOptimized(p) || !is_free_buddy_page(p))
			continue;
		if (memmap_ops->unshare(p, start, end, false))
			return -ENOMEM;
	}
	return 0;
}


static int unshare_edge(unsigned long pfn, unsigned long start, unsigned long end)
{
	struct page *p = pfn_to_page(pfn);

	if (pfn >= start && pfn + pageblock_nr_pages <= end)
		return 0;
	if (!PageVmemmapOptimized(p) || !is_free_buddy_page(p))
		return 0;
	return memmap_ops->unshare(p, start, end, false);
}

/*
 * The pageblocks cut by the ends of [start, end) are split by a take:
 * those get their memmap back before it, from pages outside the range.
 */
int unshare_edges(unsigned long start, unsigned long end)
{
	if (!memmap_ops)
		return 0;
	if (unshare_edge(ALIGN_DOWN(start, pageblock_nr_pages), start, end) ||
	    unshare_edge(ALIGN_DOWN(end - 1, pageblock_nr_pages), start, end))
		return -ENOMEM;
	return 0;
}

/* The optimized pageblocks inside a taken range get their memmap back. */
int unshare_taken(unsigned long start, unsigned long end)
{
	if (!memmap_ops)
		return 0;
	for (unsigned long pfn = ALIGN(start, pageblock_nr_pages); pfn + pageblock_nr_pages <= end;
	     pfn += pageblock_nr_pages)
		if (PageVmemmapOptimized(pfn_to_page(pfn)) &&
		    memmap_ops->unshare(pfn_to_page(pfn), start, end, true))
			return -ENOMEM;
	return 0;
}


/*
 * Offline: the section's memmap goes away with its pages, so optimized
 * blocks keep their shared tails (sparse_depopulate_section() skips
 * them); they only stop being free blocks.
 */
void forget_optimized(unsigned long start, unsigned long end)
{
	if (!memmap_ops)
		return;
	for (unsigned long pfn = ALIGN(start, pageblock_nr_pages); pfn + pageblock_nr_pages <= end;
	     pfn += pageblock_nr_pages)
		if (PageVmemmapOptimized(pfn_to_page(pfn)))
			memmap_ops->forget(pfn_to_page(pfn));
}

int migrate_lent_memmap(unsigned long start, unsigned long end)
{
	return memmap_ops ? memmap_ops->migrate_lent(start, end) : 0;
}
