// SPDX-License-Identifier: MIT
/*
 * The buddy allocator (after Linux's mm/page_alloc.c and FreeBSD's
 * vm_phys.c).
 *
 * A free block of 2^order pages is described by its first struct page
 * only: PG_buddy set, private = order, on the zone's free list for that
 * order and its pageblock's migratetype. The other struct pages of the
 * block are not touched, so freeing and splitting cost O(1) struct pages.
 *
 * Merging looks at the buddy pfn ^ (1 << order) and merges only when it is
 * a free block of the same order in the same zone, in an online section.
 * Every free is validated first: a double free, a free of a tail page,
 * a wrong order or a pfn outside online memory panics with the pfn and the
 * reason, before any list is touched.
 *
 * Order-0 pages go through a cache per CPU, as Linux's: batch refill from
 * the zone, drain above high. Its fast path takes no lock: the list is
 * its CPU's own and is touched only with that CPU's interrupts off.
 * Everything else of a zone is under zone->lock (interrupts off too, so
 * that an interrupt on the holder's CPU cannot spin on it). No TLB
 * shootdown or other cross-CPU call is ever sent under zone->lock: a
 * CPU spinning on it with interrupts off could not answer.
 */
#include "mm/page_alloc.h"
#include "mm/fail_page_alloc.h"
#include "mm/page_fill.h"
#include "mm/page_source.h"
#include "mm/sparse.h"
#include "mm/memblock.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

struct zone zones[MAX_NR_ZONES] = {
	[ZONE_DMA] = { .name = "DMA" },
	[ZONE_DMA32] = { .name = "DMA32" },
	[ZONE_NORMAL] = { .name = "Normal" },
};

static bool ready;
static u8 *pageblock_mt;		/* one byte per pageblock */
static unsigned long nr_pageblocks;

bool page_alloc_ready(void)
{
	return ready;
}

enum migratetype get_pageblock_migratetype(unsigned long pfn)
{
	unsigned long idx = pfn >> pageblock_order;

	if (idx >= nr_pageblocks)
		return MIGRATE_UNMOVABLE;
	return pageblock_mt[idx];
}

void set_pageblock_migratetype(unsigned long pfn, enum migratetype mt)
{
	unsigned long idx = pfn >> pageblock_order;

	if (idx < nr_pageblocks)
		pageblock_mt[idx] = mt;
}

/* Free lists. */

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

static void __free_one_page(unsigned long pfn, unsigned int order);
static void __free_one_page_note(unsigned long pfn, unsigned int order, bool note);

/* The head struct page of a block being freed, as a free block's is. */
static void reset_freed_page(struct page *page)
{
	if (PageMemmap(page)) {
		/* A lent memmap page comes back (its block's memmap went away). */
		ClearPageMemmap(page);
		__atomic_sub_fetch(&nr_memmap_lent, 1, __ATOMIC_RELAXED);
	}
	set_page_count(page, 0);
	page->_mapcount = 0;
	page->index = 0;
	/* The order: once merged into a larger block this page is no head. */
	page->private = 0;
	page->data[0] = page->data[1] = 0;
}

/*
 * The pageblocks a take (a contiguous range, offline, poison) is busy
 * with: their memmap was restored for it and must stay restored until
 * the take is done. Pages freed meanwhile (memmap pages the restore
 * turned down for lying inside, per-CPU drains) can make such a block
 * whole again, and sharing its tails then would have the take write a
 * read-only tail. Takes do not nest.
 */
static unsigned long held_start, held_end;

static void hold_pageblocks(unsigned long start, unsigned long end)
{
	held_start = ALIGN_DOWN(start, pageblock_nr_pages);
	held_end = ALIGN(end, pageblock_nr_pages);
}

static void release_pageblocks(void)
{
	held_start = held_end = 0;
}

void pageblock_hold_range(unsigned long start, unsigned long end)
{
	hold_pageblocks(start, end);
}

void pageblock_release_range(void)
{
	release_pageblocks();
}

static bool pageblock_held(unsigned long pfn)
{
	return pfn >= held_start && pfn < held_end;
}

/* Interrupts are off already (zone->lock is never taken with them on). */
static void zone_lock(struct zone *zone)
{
	spin_lock(&zone->lock);
}

static void zone_unlock(struct zone *zone)
{
	spin_unlock(&zone->lock);
}

/*
 * Every zone, in index order (the one order that two CPUs can both
 * follow): for the rare walks of a pfn range that may cross a zone
 * boundary (contiguous takes, offline, hardware poison).
 */
unsigned long lock_all_zones(void)
{
	unsigned long flags = local_irq_save();

	for (int z = 0; z < MAX_NR_ZONES; z++)
		spin_lock(&zones[z].lock);
	return flags;
}

void unlock_all_zones(unsigned long flags)
{
	for (int z = MAX_NR_ZONES - 1; z >= 0; z--)
		spin_unlock(&zones[z].lock);
	local_irq_restore(flags);
}

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	SetPageBuddy(page);
}

/*
 * Free pages in the buddy per 1 GiB range, so that the allocator can see
 * which ranges are wholly free (pick_block()). Atomic: GiB 0 spans zones
 * whose locks differ. Ranges past NR_GIGS are not counted (never whole).
 */
#define GIG_SHIFT	GIG_PFN_SHIFT
#define NR_GIGS		NR_COUNTED_GIGS

static unsigned int gig_free[NR_GIGS];
/* Pages of a range's end that hold its own memmap (mm/free_gigantic.c). */
static unsigned int gig_hosted[NR_GIGS];
/* Ranges a free made wholly free, for free_gigantic's ops to form. */
static unsigned long gig_pending[NR_GIGS / 64];
static bool gig_pending_any;
static const struct free_gigantic_ops *gig_ops;

unsigned long nr_free_pages_in_gig(unsigned long gig)
{
	return gig < NR_GIGS ? __atomic_load_n(&gig_free[gig], __ATOMIC_RELAXED) : 0;
}

unsigned int gig_hosted_pages(unsigned long gig)
{
	return gig < NR_GIGS ? READ_ONCE(gig_hosted[gig]) : 0;
}

/* Wholly free: every page but those holding the range's own memmap. */
static unsigned int gig_whole(unsigned long gig)
{
	return (1U << GIG_SHIFT) - READ_ONCE(gig_hosted[gig]);
}

void gig_note_pending(unsigned long gig)
{
	__atomic_fetch_or(&gig_pending[gig / 64], 1UL << (gig % 64),
			  __ATOMIC_RELAXED);
	WRITE_ONCE(gig_pending_any, true);
}

static void gig_free_add(unsigned long pfn, long nr)
{
	unsigned long gig = pfn >> GIG_SHIFT;

	if (gig >= NR_GIGS)
		return;
	if (__atomic_add_fetch(&gig_free[gig], nr, __ATOMIC_RELAXED) == gig_whole(gig) &&
	    nr > 0 && gig_ops)
		gig_note_pending(gig);
}

static unsigned long gig_keep[NR_GIGS / 64];

void gig_keep_whole(unsigned long gig, bool keep)
{
	if (gig >= NR_GIGS)
		return;
	if (keep)
		__atomic_fetch_or(&gig_keep[gig / 64], 1UL << (gig % 64), __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&gig_keep[gig / 64], ~(1UL << (gig % 64)), __ATOMIC_RELAXED);
}

bool gig_kept_whole(unsigned long pfn)
{
	unsigned long gig = pfn >> GIG_SHIFT;

	return gig < NR_GIGS &&
	       (__atomic_load_n(&gig_keep[gig / 64], __ATOMIC_RELAXED) & (1UL << (gig % 64)));
}

/*
 * A range whose only pages in use hold its own memmap counts as whole,
 * and so does one mm/free_gigantic.c wants whole again (broken for an
 * allocation, a take, poison): what lands in it meanwhile, page tables
 * and slabs that live long, would keep it from ever forming again.
 */
static bool gig_in_use(unsigned long pfn)
{
	unsigned long gig = pfn >> GIG_SHIFT;

	if (gig >= NR_GIGS)
		return true;
	if (__atomic_load_n(&gig_keep[gig / 64], __ATOMIC_RELAXED) & (1UL << (gig % 64)))
		return false;
	return __atomic_load_n(&gig_free[gig], __ATOMIC_RELAXED) < gig_whole(gig);
}

static void add_to_free_list(struct page *page, struct zone *zone,
			     unsigned int order, enum migratetype mt)
{
	struct free_area *area = &zone->free_area[order];

	set_buddy_order(page, order);
	gig_free_add(page_to_pfn(page), 1L << order);
	/* Optimized blocks last: a split of one costs a flush (rmqueue_smallest()). */
	if (order >= pageblock_order && PageVmemmapOptimized(page))
		list_add_tail(&page->lru, &area->free_list[mt]);
	else
		list_add(&page->lru, &area->free_list[mt]);
	area->nr_free++;
	zone->free_pages += 1UL << order;
}

static void del_from_free_list(struct page *page, struct zone *zone,
			       unsigned int order)
{
	list_del(&page->lru);
	ClearPageBuddy(page);
	gig_free_add(page_to_pfn(page), -(1L << order));
	page->private = 0;
	zone->free_area[order].nr_free--;
	zone->free_pages -= 1UL << order;
}

bool page_is_buddy(unsigned long buddy_pfn, unsigned int order,
			  enum zone_type zt)
{
	struct page *buddy;

	if (!pfn_online(buddy_pfn) || pfn_zone_idx(buddy_pfn) != zt)
		return false;
	buddy = pfn_to_page(buddy_pfn);
	return PageBuddy(buddy) && buddy->private == order;
}

static void expand(struct zone *zone, struct page *page, unsigned int low,
		   unsigned int high, enum migratetype mt);

/* The order of the largest aligned block at pfn that ends by end. */
static unsigned int fit_order(unsigned long pfn, unsigned long end)
{
	unsigned int order = MAX_ORDER;

	while (order && ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > end))
		order--;
	return order;
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
	return memmap_ops && memmap_ops->enabled() &&
	       !PageVmemmapOptimized(pfn_to_page(pfn)) && !pageblock_held(pfn) &&
	       get_pageblock_migratetype(pfn) != MIGRATE_ISOLATE;
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

static void free_range(unsigned long start, unsigned long end, bool fill);
static void pageblock_take_free_locked(unsigned long pfn);

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

static void free_one_locked(struct page *page, unsigned int order);

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
		__atomic_sub_fetch(&nr_memmap_lent, MEMMAP_SELF_PAGES, __ATOMIC_RELAXED);
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
 * Free 1 GiB ranges (mm/free_gigantic.c): the buddy keeps their list and
 * counts them as free; forming and breaking them is free_gigantic's.
 */
static int gig_paused;		/* atomic: takes at work */

void set_free_gigantic_ops(const struct free_gigantic_ops *ops)
{
	gig_ops = ops;
}

unsigned long zone_list_free_pages(const struct zone *z)
{
	return READ_ONCE(z->free_pages) - READ_ONCE(z->nr_free_gigantic) * GIGANTIC_NR_PAGES;
}

void gig_pause(void)
{
	__atomic_add_fetch(&gig_paused, 1, __ATOMIC_SEQ_CST);
}

void gig_resume(void)
{
	__atomic_sub_fetch(&gig_paused, 1, __ATOMIC_SEQ_CST);
}

bool gig_may_form(unsigned long start, unsigned long end, bool force)
{
	if (!memmap_ops)
		return false;
	if (!force && (__atomic_load_n(&gig_paused, __ATOMIC_SEQ_CST) || !memmap_ops->enabled()))
		return false;
	if (pfn_zone_idx(start) != pfn_zone_idx(end - 1))
		return false;
	for (unsigned long pfn = start; pfn < end; pfn += pageblock_nr_pages)
		if (!pfn_online(pfn) || pageblock_held(pfn) ||
		    get_pageblock_migratetype(pfn) == MIGRATE_ISOLATE)
			return false;
	return true;
}

static bool range_is_free(unsigned long start, unsigned long end);
static void take_free_range(unsigned long start, unsigned long end);
static const enum zone_type *zonelist(gfp_t gfp, unsigned int *n);

int gig_take_free(unsigned long start, unsigned long end)
{
	struct zone *zone = &zones[pfn_zone_idx(start)];
	unsigned long flags = local_irq_save();
	int ret = -EBUSY;

	zone_lock(zone);
	if (range_is_free(start, end)) {
		take_free_range(start, end);
		ret = 0;
	}
	zone_unlock(zone);
	local_irq_restore(flags);
	return ret;
}

void gig_put_free(unsigned long start, unsigned long end)
{
	struct zone *zone = &zones[pfn_zone_idx(start)];
	unsigned long flags = local_irq_save();

	zone_lock(zone);
	free_range(start, end, false);
	zone_unlock(zone);
	local_irq_restore(flags);
}

void gig_list_add(struct page *head)
{
	struct zone *zone = page_zone(head);
	unsigned long flags = local_irq_save();

	zone_lock(zone);
	list_add_tail(&head->lru, &zone->free_gigantic);
	zone->nr_free_gigantic++;
	zone->free_pages += GIGANTIC_NR_PAGES;
	gig_free_add(page_to_pfn(head), GIGANTIC_NR_PAGES);
	zone_unlock(zone);
	local_irq_restore(flags);
}

bool gig_list_del(struct page *head)
{
	struct zone *zone = page_zone(head);
	unsigned long flags = local_irq_save();
	bool on = false;

	zone_lock(zone);
	if (PageFreeGigantic(head) && head->lru.next) {
		list_del(&head->lru);
		head->lru.next = head->lru.prev = NULL;
		zone->nr_free_gigantic--;
		zone->free_pages -= GIGANTIC_NR_PAGES;
		gig_free_add(page_to_pfn(head), -(long)GIGANTIC_NR_PAGES);
		on = true;
	}
	zone_unlock(zone);
	local_irq_restore(flags);
	return on;
}

struct page *gig_list_first(struct zone *z)
{
	if (!READ_ONCE(z->nr_free_gigantic) || list_empty(&z->free_gigantic))
		return NULL;
	return list_first_entry(&z->free_gigantic, struct page, lru);
}

void gig_set_hosted(unsigned long start, unsigned int pages)
{
	struct zone *zone = &zones[pfn_zone_idx(start)];
	unsigned long gig = start >> GIG_SHIFT, flags;
	long delta = (long)pages - (long)gig_hosted[gig];

	flags = local_irq_save();
	zone_lock(zone);
	WRITE_ONCE(gig_hosted[gig], pages);
	zone->managed_pages -= delta;
	__atomic_add_fetch(&nr_memmap_lent, delta, __ATOMIC_RELAXED);
	zone_unlock(zone);
	local_irq_restore(flags);
}

unsigned long gig_pending_pop(void)
{
	if (!READ_ONCE(gig_pending_any))
		return ~0UL;
	for (unsigned long i = 0; i < ARRAY_SIZE(gig_pending); i++) {
		unsigned long w = __atomic_load_n(&gig_pending[i], __ATOMIC_RELAXED);

		if (w) {
			unsigned long bit = __builtin_ctzl(w);

			__atomic_fetch_and(&gig_pending[i], ~(1UL << bit), __ATOMIC_RELAXED);
			return i * 64 + bit;
		}
	}
	WRITE_ONCE(gig_pending_any, false);
	return ~0UL;
}

/* Forming allocates and flushes: interrupts on only. */
static void form_pending_gigantic(void)
{
	if (gig_ops && READ_ONCE(gig_pending_any) && !irqs_disabled())
		gig_ops->form_pending();
}

/*
 * The zones' lists could not serve an allocation, or ran short: a free
 * range of the first zone that has one breaks into them (it allocates
 * nothing). Interrupts on.
 */
static bool refill_from_gigantic(gfp_t gfp, bool short_only)
{
	const enum zone_type *zl;
	unsigned int n;

	if (!gig_ops || irqs_disabled())
		return false;
	zl = zonelist(gfp, &n);
	for (unsigned int i = 0; i < n; i++) {
		struct zone *z = &zones[zl[i]];

		if (!READ_ONCE(z->nr_free_gigantic))
			continue;
		if (short_only && zone_list_free_pages(z) >= z->watermark[WMARK_LOW])
			continue;
		if (gig_ops->refill(z))
			return true;
	}
	return false;
}

/* Ranges overlapping [start, end) back to the lists before a take looks at them. */
static int release_gigantic(unsigned long start, unsigned long end)
{
	return gig_ops ? gig_ops->release(start, end, false) : 0;
}

int release_free_ranges(unsigned long start, unsigned long end)
{
	return release_gigantic(start, end);
}

/* A hosted range the scan made wholly free (memmap blocks moved out) is a candidate. */
static void release_hosted(unsigned long start, unsigned long end)
{
	if (gig_ops)
		gig_ops->release(start, end, true);
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
static void split_transit(struct page *page)
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
	__atomic_add_fetch(&nr_memmap_lent, MEMMAP_SELF_PAGES, __ATOMIC_RELAXED);
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

static bool needs_unshare(const struct page *page, unsigned int o, unsigned int order)
{
	return o >= pageblock_order && order < pageblock_order && PageVmemmapOptimized(page);
}

/*
 * Merge with free buddies as far as possible, then put the block on its
 * list. A partly filled merge is not filled as a whole. zone->lock held.
 */
static void __free_one_page(unsigned long pfn, unsigned int order)
{
	__free_one_page_note(pfn, order, true);
}

/*
 * note: look whether the block made whole can be shared again (not for
 * the rest of a block split around a pageblock: nothing was freed).
 */
static void __free_one_page_note(unsigned long pfn, unsigned int order, bool note)
{
	enum zone_type zt = pfn_zone_idx(pfn);
	struct zone *zone = &zones[zt];
	bool filled = PageFilled(pfn_to_page(pfn));

	while (order < MAX_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy;

		if (!page_is_buddy(buddy_pfn, order, zt))
			break;
		if (get_pageblock_migratetype(buddy_pfn) == MIGRATE_ISOLATE)
			break;
		buddy = pfn_to_page(buddy_pfn);
		filled = filled && PageFilled(buddy);
		ClearPageFilled(buddy);
		del_from_free_list(buddy, zone, order);
		ClearPageFilled(pfn_to_page(pfn));
		pfn &= ~(1UL << order);
		order++;
	}
	if (filled)
		SetPageFilled(pfn_to_page(pfn));
	else
		ClearPageFilled(pfn_to_page(pfn));
	add_to_free_list(pfn_to_page(pfn), zone, order,
			 get_pageblock_migratetype(pfn));
	if (!memmap_ops || !note)
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

/* Split a block of `high` down to `low`, freeing the upper halves. */
static void expand(struct zone *zone, struct page *page, unsigned int low,
		   unsigned int high, enum migratetype mt)
{
	bool filled = PageFilled(page);

	while (high > low) {
		struct page *half;

		high--;
		half = page + (1UL << high);
		if (filled)
			SetPageFilled(half);
		add_to_free_list(half, zone, high, mt);
	}
}

/*
 * Keep wholly free 1 GiB ranges whole for gigantic pages. Only a block
 * of MAX_ORDER can lie in one (a smaller free block's buddy is not
 * free), and the buddy would hand out whichever such block was freed
 * last, so page tables, slabs and the memmap pages restores borrow would
 * end up scattered over every free GiB (with free memory optimized, each
 * split of a block is such a take). A block in a range already partly
 * in use goes first:
 *
 *    GiB 7  [free free ... free free]        whole: left alone
 *    GiB 9  [memmap|free|table|free ...]     <- split here
 *
 * optimized_ok: optimized blocks (the list's tail) may be taken. The
 * list's first block when no block qualifies.
 */
static struct page *pick_block(struct list_head *list, unsigned int o, bool optimized_ok)
{
	struct page *first = list_first_entry(list, struct page, lru), *p;

	if (o < MAX_ORDER)
		return first;
	list_for_each_entry(p, list, lru) {
		if (!optimized_ok && PageVmemmapOptimized(p))
			break;
		if (gig_in_use(page_to_pfn(p)))
			return p;
	}
	return first;
}

/*
 * transit: an optimized block that must be split first is taken off its
 * list and handed back through it (NULL returned), for alloc_pages() to
 * split outside the lock (split_transit()). Without it (interrupts off:
 * no flush can be sent) optimized blocks are passed over; they sit at
 * the tails of their lists, so a list whose first block is optimized
 * holds no other.
 */
static struct page *rmqueue_smallest(struct zone *zone, unsigned int order,
				     enum migratetype mt, struct page **transit)
{
	for (unsigned int o = order; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &zone->free_area[o];
		struct page *page;

		if (list_empty(&area->free_list[mt]))
			continue;
		page = pick_block(&area->free_list[mt], o, transit || order >= pageblock_order);
		if (needs_unshare(page, o, order) && !transit)
			continue;
		del_from_free_list(page, zone, o);
		if (needs_unshare(page, o, order)) {
			expand(zone, page, pageblock_order, o, mt);
			*transit = page;
			return NULL;
		}
		expand(zone, page, order, o, mt);
		return page;
	}
	return NULL;
}

/*
 * No block of our migratetype: take the largest block of the other one
 * (large blocks fragment least), and claim its pageblocks when the block
 * is at least a pageblock, so that later frees come back to our lists.
 */
static struct page *rmqueue_fallback(struct zone *zone, unsigned int order,
				     enum migratetype mt, struct page **transit)
{
	enum migratetype other = mt == MIGRATE_MOVABLE ? MIGRATE_UNMOVABLE : MIGRATE_MOVABLE;

	for (int o = MAX_ORDER; o >= (int)order; o--) {
		struct free_area *area = &zone->free_area[o];
		struct page *page;
		unsigned long pfn;

		if (list_empty(&area->free_list[other]))
			continue;
		page = pick_block(&area->free_list[other], o, transit || order >= pageblock_order);
		if (needs_unshare(page, o, order) && !transit)
			continue;
		pfn = page_to_pfn(page);
		del_from_free_list(page, zone, o);
		if (o >= pageblock_order) {
			for (unsigned long i = 0; i < (1UL << o); i += pageblock_nr_pages)
				set_pageblock_migratetype(pfn + i, mt);
			if (needs_unshare(page, o, order)) {
				expand(zone, page, pageblock_order, o, mt);
				*transit = page;
				return NULL;
			}
			expand(zone, page, order, o, mt);
		} else {
			expand(zone, page, order, o, other);
		}
		return page;
	}
	return NULL;
}

static struct page *__rmqueue(struct zone *zone, unsigned int order,
			      enum migratetype mt, struct page **transit)
{
	struct page *page = rmqueue_smallest(zone, order, mt, transit);

	if (!page && !(transit && *transit))
		page = rmqueue_fallback(zone, order, mt, transit);
	return page;
}

/* Per-CPU cache: this CPU's own, with its interrupts off. */

static struct per_cpu_pages *this_pcp(struct zone *zone)
{
	return &zone->pcp[smp_processor_id()];
}

static void free_pcppages_bulk(struct zone *zone, unsigned int count)
{
	struct per_cpu_pages *pcp = this_pcp(zone);
	int mt = 0;

	if (!count || !pcp->count)
		return;
	zone_lock(zone);
	while (count && pcp->count) {
		struct list_head *list = &pcp->lists[mt];

		if (list_empty(list)) {
			mt = (mt + 1) % MIGRATE_TYPES;
			continue;
		}
		struct page *page = list_entry(list->prev, struct page, lru);

		list_del(&page->lru);
		ClearPagePcp(page);
		pcp->count--;
		count--;
		__free_one_page(page_to_pfn(page), 0);
	}
	zone_unlock(zone);
}

static unsigned int rmqueue_bulk(struct zone *zone, unsigned int count,
				 enum migratetype mt, struct page **transit)
{
	struct per_cpu_pages *pcp = this_pcp(zone);
	unsigned int n;

	zone_lock(zone);
	for (n = 0; n < count; n++) {
		/* A split only for an empty list: the retry then fills it from the block. */
		struct page *page = __rmqueue(zone, 0, mt, n ? NULL : transit);

		if (!page)
			break;
		SetPagePcp(page);
		list_add_tail(&page->lru, &pcp->lists[mt]);
		pcp->count++;
	}
	zone_unlock(zone);
	return n;
}

void drain_local_pages(void)
{
	unsigned long flags = local_irq_save();

	for (int z = 0; z < MAX_NR_ZONES; z++)
		free_pcppages_bulk(&zones[z], this_pcp(&zones[z])->count);
	local_irq_restore(flags);
}

static void drain_local_pages_call(void *unused)
{
	(void)unused;
	drain_local_pages();
}

void drain_all_pages(void)
{
	drain_local_pages();
	if (irqs_disabled())
		return;
	call_on_other_cpus(drain_local_pages_call, NULL);
	free_memmap_reshare_pending();
	form_pending_gigantic();
}

/*
 * refill: an empty list is refilled with a batch. Without (the pages a
 * restored memmap borrows), one page comes from the free lists and no
 * batch stays behind to make a block whole again once drained.
 */
static struct page *rmqueue_pcp(struct zone *zone, enum migratetype mt,
				struct page **transit, bool refill)
{
	struct per_cpu_pages *pcp = this_pcp(zone);
	struct page *page;

	if (!refill && list_empty(&pcp->lists[mt])) {
		zone_lock(zone);
		page = __rmqueue(zone, 0, mt, transit);
		zone_unlock(zone);
		return page;
	}
	/*
	 * The other migratetype's list may hold the cache near high: make
	 * room before refilling, so that count stays below high.
	 */
	if (list_empty(&pcp->lists[mt]) && pcp->count + pcp->batch >= pcp->high)
		free_pcppages_bulk(zone, pcp->batch);
	if (list_empty(&pcp->lists[mt]) && !rmqueue_bulk(zone, pcp->batch, mt, transit))
		return NULL;
	page = list_first_entry(&pcp->lists[mt], struct page, lru);
	list_del(&page->lru);
	ClearPagePcp(page);
	pcp->count--;
	return page;
}

/* Watermarks. */

static bool zone_watermark_ok(struct zone *z, unsigned int order, gfp_t gfp)
{
	unsigned long mark = z->watermark[WMARK_MIN];
	/* Unlocked: a watermark is a heuristic (Linux reads it so too). */
	long free = READ_ONCE(z->free_pages) + this_pcp(z)->count;

	if (gfp & __GFP_MEMALLOC)
		return free >= (long)(1UL << order);
	if (gfp & __GFP_HIGH)
		mark /= 2;
	return free - (long)(1UL << order) >= (long)mark;
}

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1UL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/*
 * As Linux: min_free_kbytes = sqrt(lowmem_kbytes * 16), in [128, 65536].
 * Run at boot and when a section goes on or offline (Linux's
 * init_per_zone_wmark_min()); the memmap pages HVO frees and takes back
 * change the managed pages without it, as adjust_managed_page_count().
 */
void setup_zone_watermarks(void)
{
	unsigned long managed = nr_managed_pages();
	unsigned long min_kb = int_sqrt(managed * (PAGE_SIZE / 1024) * 16);
	unsigned long min_pages;

	min_kb = min(max(min_kb, 128UL), 65536UL);
	min_pages = min_kb / (PAGE_SIZE / 1024);
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		unsigned long m = managed ? min_pages * z->managed_pages / managed : 0;

		z->watermark[WMARK_MIN] = m;
		z->watermark[WMARK_LOW] = m + m / 4;
		z->watermark[WMARK_HIGH] = m + m / 2;
	}
}

/* Allocation. */

static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	check_page_fill(page, order);
	set_page_count(page, 1);
	page->_mapcount = -1;
	page->private = order;
	page->lru.next = NULL;
	page->lru.prev = NULL;
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
	if ((gfp & __GFP_COMP) && order) {
		unsigned long info = compound_info_for_order(order);

		SetPageHead(page);
		for (unsigned long i = 1; i < (1UL << order); i++) {
			page[i].compound_info = info;
			page[i].__tail_pad = 0;
		}
		page[1].private = order;
	}
}

static const enum zone_type *zonelist(gfp_t gfp, unsigned int *n)
{
	static const enum zone_type normal[] = { ZONE_NORMAL, ZONE_DMA32, ZONE_DMA };
	static const enum zone_type dma32[] = { ZONE_DMA32, ZONE_DMA };
	static const enum zone_type dma[] = { ZONE_DMA };

	if (gfp & __GFP_DMA) {
		*n = 1;
		return dma;
	}
	if (gfp & __GFP_DMA32) {
		*n = 2;
		return dma32;
	}
	*n = 3;
	return normal;
}

static struct page *get_page_from_zones(gfp_t gfp, unsigned int order,
					struct page **transit)
{
	enum migratetype mt = gfp & __GFP_MOVABLE ? MIGRATE_MOVABLE : MIGRATE_UNMOVABLE;
	const enum zone_type *zl;
	unsigned int n;

	zl = zonelist(gfp, &n);
	for (unsigned int i = 0; i < n; i++) {
		struct zone *z = &zones[zl[i]];
		struct page *page;

		if (!z->managed_pages || !zone_watermark_ok(z, order, gfp))
			continue;
		if (order) {
			zone_lock(z);
			page = __rmqueue(z, order, mt, transit);
			zone_unlock(z);
		} else {
			page = rmqueue_pcp(z, mt, transit, !(gfp & __GFP_NO_REFILL));
		}
		if (page || (transit && *transit))
			return page;
	}
	return NULL;
}

#define SPLIT_RETRIES	8

/*
 * With interrupts on, an optimized block that must be split is split
 * outside the locks and the allocation tried again (other CPUs may take
 * the pages meanwhile: a few times at most).
 */
static struct page *alloc_from_zones(gfp_t gfp, unsigned int order)
{
	bool may_split = memmap_ops && !irqs_disabled();
	struct page *page, *transit;
	unsigned int tries = 0;

	do {
		unsigned long flags = local_irq_save();

		transit = NULL;
		page = get_page_from_zones(gfp, order, may_split ? &transit : NULL);
		local_irq_restore(flags);
		if (transit)
			split_transit(transit);
	} while (!page && transit && ++tries < SPLIT_RETRIES);
	return page;
}

/*
 * A whole optimized pageblock allocated by anyone who may write its
 * struct pages (all but a huge-page pool taking it as it is) gets its
 * memmap back first, in 7 pages from elsewhere: the block stays whole.
 * That flushes: not with interrupts off.
 */
static int unshare_allocated(struct page *page, unsigned int order, gfp_t gfp)
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

static struct page *__alloc_pages(gfp_t gfp, unsigned int order);

/*
 * A memmap page lives as long as what it describes: one landing in a
 * 1 GiB range broken for now (mm/free_gigantic.c) would keep that range
 * from forming again. Pages from such ranges are held aside while others
 * come (only the first try is subject to fault injection), and one of
 * them serves when nothing else does.
 */
#define MEMMAP_TRIES	32

static struct page *alloc_pages_memmap(gfp_t gfp, unsigned int order)
{
	struct page *inside[MEMMAP_TRIES], *page;
	unsigned int n = 0;

	for (;;) {
		page = __alloc_pages(gfp, order);
		if (!page || !gig_kept_whole(page_to_pfn(page)) || n == MEMMAP_TRIES)
			break;
		inside[n++] = page;
		/* A per-CPU batch refilled from the same range would serve all tries. */
		gfp |= __GFP_NOFAIL_INJECT | __GFP_NO_REFILL;
	}
	if (!page && n)
		page = inside[--n];
	while (n)
		free_pages(inside[--n], order);
	return page;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	if (gfp & __GFP_MEMMAP)
		return alloc_pages_memmap(gfp & ~__GFP_MEMMAP, order);
	return __alloc_pages(gfp, order);
}

static struct page *__alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *page;
	unsigned long flags;

	if (order > MAX_ORDER || !ready)
		return NULL;
	if (!(gfp & __GFP_NOFAIL_INJECT) && should_fail_alloc_page())
		return NULL;
	page = alloc_from_zones(gfp, order);
	if (!page && !(gfp & __GFP_NORETRY) && nr_pcp_pages()) {
		/*
		 * Free pages may sit in the per-CPU caches of other zones and
		 * CPUs (drain_all_pages() reaches other CPUs only when the
		 * caller's interrupts are on).
		 */
		drain_all_pages();
		page = alloc_from_zones(gfp, order);
	}
	while (!page && refill_from_gigantic(gfp, false))
		page = alloc_from_zones(gfp, order);
	if (page && unshare_allocated(page, order, gfp)) {
		struct zone *zone = page_zone(page);

		flags = local_irq_save();
		zone_lock(zone);
		__free_one_page(page_to_pfn(page), order);
		zone_unlock(zone);
		local_irq_restore(flags);
		page = NULL;
	}
	if (!page) {
		if (!(gfp & __GFP_NOWARN))
			pr_debug("page allocation failure: order:%u, gfp:%#x\n", order, gfp);
		return NULL;
	}
	prep_new_page(page, order, gfp);
	/* Short of listed pages: a range breaks now, while interrupts are on. */
	refill_from_gigantic(gfp, true);
	return page;
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_free_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/* Freeing. */

/*
 * The count a free expects: exactly 1 (free_pages_check()), at least 1
 * (free_pages(): a speculative reference may be held), or 0 (the last
 * put_page() has dropped it).
 */
enum free_ref { REF_ONE, REF_SOME, REF_DROPPED };

/* Why a free of page at order is wrong, or NULL. */
static const char *bad_free_reason(struct page *page, unsigned int order, enum free_ref ref)
{
	unsigned long pfn = page_to_pfn(page);

	if ((unsigned long)page < VMEMMAP_START || !pfn_online(pfn))
		return "pfn in no online section";
	if (order > MAX_ORDER)
		return "order too large";
	if (pfn & ((1UL << order) - 1))
		return "pfn not aligned to the order";
	if (PageTail(page))
		return "free of a tail page";
	if (PageBuddy(page) || PagePcp(page))
		return "double free (page is already free)";
	if (PageReserved(page))
		return "free of a reserved page";
	if (PageSlab(page) || PagePgtable(page) || PageHugeTLB(page))
		return "page still in use by its owner (slab, page table or hugetlb)";
	if (ref != REF_DROPPED && page_ref_count(page) <= 0)
		return "double free (refcount already 0)";
	if (ref == REF_ONE && page_ref_count(page) != 1)
		return "page still referenced (refcount > 1)";
	if (page->private != order)
		return "wrong order (not the order it was allocated with)";
	return NULL;
}

int free_pages_check(struct page *page, unsigned int order, const char **reason)
{
	*reason = bad_free_reason(page, order, REF_ONE);
	return *reason ? -EINVAL : 0;
}

/*
 * Hardware poison (mm/memory_failure.c). A page marked PG_hwpoison while
 * in use stays out of the buddy when its allocation is freed: the rest of
 * the block is freed around it and the page is held for good (refcount 1,
 * PG_offline, as memory_failure() holds a page it took out). The count
 * lets the free path look inside larger blocks only while such pages
 * exist.
 */
static unsigned long nr_hwpoison_in_use;	/* atomic */

static void hwpoison_in_use_dec(void)
{
	unsigned long old = __atomic_load_n(&nr_hwpoison_in_use, __ATOMIC_RELAXED);

	while (old && !__atomic_compare_exchange_n(&nr_hwpoison_in_use, &old, old - 1, false,
						   __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void hwpoison_mark_in_use(struct page *page)
{
	SetPageHWPoison(page);
	__atomic_add_fetch(&nr_hwpoison_in_use, 1, __ATOMIC_RELAXED);
}

void hwpoison_clear_in_use(struct page *page)
{
	ClearPageHWPoison(page);
	hwpoison_in_use_dec();
}

unsigned long nr_hwpoison_pages_in_use(void)
{
	return __atomic_load_n(&nr_hwpoison_in_use, __ATOMIC_RELAXED);
}

/* The largest order of an aligned block that starts at start and ends by end. */
static unsigned int range_block_order(unsigned long start, unsigned long end)
{
	unsigned int order = MAX_ORDER;

	while (order && ((start & ((1UL << order) - 1)) || start + (1UL << order) > end))
		order--;
	return order;
}

/*
 * Free [start, end) in the largest aligned blocks (it crosses no zone
 * boundary), filled first (debug) when fill.
 */
static void free_range(unsigned long start, unsigned long end, bool fill)
{
	while (start < end) {
		unsigned int order = range_block_order(start, end);

		if (fill)
			fill_pages(pfn_to_page(start), order);
		__free_one_page(start, order);
		start += 1UL << order;
	}
}

/*
 * Free [pfn, end) around the hardware-poisoned pages in it, which are held.
 * False (nothing done) when there are none. Every zone locked.
 */
static bool free_hwpoisoned_range(unsigned long pfn, unsigned long end)
{
	unsigned long start = pfn;
	bool found = false;

	for (; pfn < end; pfn++) {
		struct page *q = pfn_to_page(pfn);

		if (!PageHWPoison(q))
			continue;
		found = true;
		SetPageOffline(q);
		set_page_count(q, 1);
		q->private = 0;
		hwpoison_in_use_dec();
		free_range(start, pfn, true);
		start = pfn + 1;
	}
	if (found)
		free_range(start, end, true);
	return found;
}

/* True when the block held hardware-poisoned pages: then it is done. */
static bool free_hwpoisoned(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned long flags = lock_all_zones();
	bool found = free_hwpoisoned_range(pfn, pfn + (1UL << order));

	unlock_all_zones(flags);
	return found;
}

/* Interrupts off. */
static void free_to_pcp(struct page *page, enum migratetype mt)
{
	struct zone *zone = page_zone(page);
	struct per_cpu_pages *pcp = this_pcp(zone);

	SetPagePcp(page);
	list_add(&page->lru, &pcp->lists[mt]);
	if (++pcp->count >= pcp->high)
		free_pcppages_bulk(zone, pcp->batch);
}

/* Interrupts off. */
static void free_one_locked(struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);

	zone_lock(zone);
	__free_one_page(page_to_pfn(page), order);
	zone_unlock(zone);
}

static void __free_pages_ok(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned long flags;

	if (PageHead(page)) {
		ClearPageHead(page);
		for (unsigned long i = 1; i < (1UL << order); i++) {
			page[i].compound_info = 0;
			page[i].private = 0;
		}
	}
	reset_freed_page(page);
	if ((PageHWPoison(page) || (order && nr_hwpoison_pages_in_use())) &&
	    free_hwpoisoned(page, order))
		return;
	fill_pages(page, order);
	flags = local_irq_save();
	if (order == 0 && get_pageblock_migratetype(pfn) != MIGRATE_ISOLATE)
		free_to_pcp(page, get_pageblock_migratetype(pfn));
	else
		free_one_locked(page, order);
	local_irq_restore(flags);
	if (READ_ONCE(nr_reshare_pending))
		free_memmap_reshare_pending();
	form_pending_gigantic();
}

static void bad_free(struct page *page, unsigned int order, const char *reason)
{
	panic("Bad page free: pfn %#lx order %u: %s", page_to_pfn(page), order, reason);
}

/*
 * The owner's reference goes; a speculative one that another CPU holds
 * (get_page_unless_zero()) is not an error: its put_page() frees the
 * page, as Linux's __free_pages() leaves it to the last put.
 */
void free_pages(struct page *page, unsigned int order)
{
	const char *reason = bad_free_reason(page, order, REF_SOME);

	if (reason)
		bad_free(page, order, reason);
	if (page_ref_dec_and_test(page))
		__free_pages_ok(page, order);
}

void free_page(unsigned long addr)
{
	if (addr)
		free_pages(virt_to_page((void *)addr), 0);
}

void get_page(struct page *page)
{
	page = compound_head(page);
	BUG_ON(page_ref_count(page) <= 0);
	page_ref_inc(page);
}

bool get_page_unless_zero(struct page *page)
{
	struct page *head = compound_head(page);

	if (!page_ref_add_unless(head, 1, 0))
		return false;
	/* Split, dissolved or freed and reused in between: not the page we meant. */
	if (compound_head(page) != head) {
		put_page(head);
		return false;
	}
	return true;
}

void put_page(struct page *page)
{
	const char *reason;
	unsigned int order;
	int ref;

	page = compound_head(page);
	ref = page_ref_dec_return(page);
	if (ref < 0)
		panic("put_page: pfn %#lx has refcount %d (double put)",
		      page_to_pfn(page), ref + 1);
	if (ref)
		return;
	order = PageHead(page) ? compound_order(page) : page->private;
	reason = bad_free_reason(page, order, REF_DROPPED);
	if (reason)
		bad_free(page, order, reason);
	__free_pages_ok(page, order);
}

/* Memory handed over from memblock. */

void free_reserved_page(struct page *page)
{
	ClearPageReserved(page);
	set_page_count(page, 1);
	page->private = 0;
	zone_add_managed(page_zone(page), 1);
	__free_pages_ok(page, 0);
}

/* Largest aligned blocks, never crossing a zone boundary. */
void free_pages_range_to_buddy(unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned int order = range_block_order(start, end);
		struct page *page = pfn_to_page(start);
		struct zone *zone = page_zone(page);
		unsigned long flags;

		for (unsigned long i = 0; i < (1UL << order); i++)
			ClearPageReserved(page + i);
		flags = local_irq_save();
		zone_lock(zone);
		zone->managed_pages += 1UL << order;
		__free_one_page(start, order);
		zone_unlock(zone);
		local_irq_restore(flags);
		start += 1UL << order;
	}
}

/* Contiguous ranges. */

/*
 * The head pfn of the free block that contains pfn, or ~0UL. A block of
 * order o is naturally aligned, so its head is pfn rounded down to 2^o.
 */
static unsigned long free_block_head(unsigned long pfn)
{
	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		unsigned long head = pfn & ~((1UL << o) - 1);
		struct page *page;

		if (!pfn_online(head))
			break;
		page = pfn_to_page(head);
		if (PageBuddy(page) && page->private >= o)
			return head;
	}
	return ~0UL;
}

/*
 * Every page of [start, end) is free. The blocks at the edges may stick
 * out of the range: take_free_range() gives those parts back.
 */
static bool range_is_free(unsigned long start, unsigned long end)
{
	unsigned long pfn = start;

	while (pfn < end) {
		unsigned long head = free_block_head(pfn);

		if (head == ~0UL)
			return false;
		pfn = head + (1UL << pfn_to_page(head)->private);
	}
	return true;
}

static void take_free_range(unsigned long start, unsigned long end)
{
	unsigned long pfn = start;

	while (pfn < end) {
		unsigned long head = free_block_head(pfn);
		struct page *page = pfn_to_page(head);
		unsigned int order = page->private;
		unsigned long block_end = head + (1UL << order);

		del_from_free_list(page, page_zone(page), order);
		check_page_fill(page, order);
		/* The parts of an edge block outside the range stay free. */
		free_range(head, start, false);
		free_range(end, block_end, false);
		pfn = block_end;
	}
}

bool pageblock_is_free(unsigned long pfn)
{
	unsigned long head = free_block_head(pfn);

	return head != ~0UL && pfn_to_page(head)->private >= pageblock_order &&
	       get_pageblock_migratetype(pfn) != MIGRATE_ISOLATE;
}

/* zone->lock held, the pageblock free: the rest of a larger block stays free. */
static void pageblock_take_free_locked(unsigned long pfn)
{
	unsigned long head = free_block_head(pfn);
	struct page *page = pfn_to_page(head);
	unsigned int order = page->private;

	del_from_free_list(page, page_zone(page), order);
	if (pfn > head)
		__free_one_page_note(head, order - 1, false);
	else if (order > pageblock_order)
		__free_one_page_note(pfn + pageblock_nr_pages, order - 1, false);
}

bool pageblock_take_free(unsigned long pfn)
{
	struct zone *zone = page_zone(pfn_to_page(pfn));
	unsigned long flags = local_irq_save();
	bool free;

	zone_lock(zone);
	free = pageblock_is_free(pfn);
	if (free)
		pageblock_take_free_locked(pfn);
	zone_unlock(zone);
	local_irq_restore(flags);
	return free;
}

void pageblock_put_free(unsigned long pfn)
{
	struct zone *zone = page_zone(pfn_to_page(pfn));
	unsigned long flags = local_irq_save();

	zone_lock(zone);
	__free_one_page(pfn, pageblock_order);
	zone_unlock(zone);
	local_irq_restore(flags);
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

/* Under every zone's lock: the walk reads free blocks' heads. */
static bool range_is_free_locked(unsigned long start, unsigned long end)
{
	unsigned long flags = lock_all_zones();
	bool free = range_is_free(start, end);

	unlock_all_zones(flags);
	return free;
}

/*
 * The per-CPU lists are drained (interrupts on: every CPU's) before the
 * zones are locked; a page freed to one in between makes the range busy,
 * as a page freed just after the look would.
 */
bool range_free_now(unsigned long start, unsigned long end)
{
	drain_all_pages();
	return range_is_free_locked(start, end);
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
static int unshare_edges(unsigned long start, unsigned long end)
{
	if (!memmap_ops)
		return 0;
	if (unshare_edge(ALIGN_DOWN(start, pageblock_nr_pages), start, end) ||
	    unshare_edge(ALIGN_DOWN(end - 1, pageblock_nr_pages), start, end))
		return -ENOMEM;
	return 0;
}

/* The optimized pageblocks inside a taken range get their memmap back. */
static int unshare_taken(unsigned long start, unsigned long end)
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
 * Off the free lists first, then the memmap of its optimized pageblocks
 * restored: taken, the range cannot hand out the very pages its restore
 * needs (they would pin it), and nothing in it can be shared again
 * before its struct pages are written. Held throughout.
 */
static int take_range_restored(unsigned long start, unsigned long end)
{
	unsigned long flags;

	if (unshare_edges(start, end))
		return -ENOMEM;
	drain_all_pages();
	flags = lock_all_zones();
	if (!range_is_free(start, end)) {
		unlock_all_zones(flags);
		return -EBUSY;
	}
	take_free_range(start, end);
	unlock_all_zones(flags);
	if (!unshare_taken(start, end))
		return 0;
	/* Given back unheld: the blocks restored so far are shared again. */
	release_pageblocks();
	flags = lock_all_zones();
	free_range(start, end, false);
	unlock_all_zones(flags);
	return -ENOMEM;
}

/* Take a range known to be wholly free; the first page holds the reference. */
static int take_contig(unsigned long start_pfn, unsigned long nr_pages)
{
	unsigned long end = start_pfn + nr_pages;
	int ret;

	gig_pause();
	ret = release_gigantic(start_pfn, end);
	/* Busy ranges cost nothing: look before restoring any memmap. */
	if (!ret && !range_free_now(start_pfn, end))
		ret = -EBUSY;
	if (!ret) {
		hold_pageblocks(start_pfn, end);
		ret = take_range_restored(start_pfn, end);
		release_pageblocks();
	}
	gig_resume();
	if (ret)
		return ret;
	for (unsigned long pfn = start_pfn; pfn < end; pfn++) {
		struct page *p = pfn_to_page(pfn);

		set_page_count(p, pfn == start_pfn);
		p->private = 0;
	}
	return 0;
}

int alloc_contig_range(unsigned long start_pfn, unsigned long nr_pages)
{
	unsigned long end = start_pfn + nr_pages;

	if (!nr_pages || end < start_pfn ||
	    pfn_zone_idx(start_pfn) != pfn_zone_idx(end - 1))
		return -EINVAL;
	if (should_fail_alloc_page())
		return -ENOMEM;
	return take_contig(start_pfn, nr_pages);
}

static int (*move_free_huge)(unsigned long start, unsigned long end);

void set_contig_move_free_huge(int (*fn)(unsigned long start, unsigned long end))
{
	move_free_huge = fn;
}

static int migrate_memmap(unsigned long start, unsigned long end)
{
	int ret;

	if (move_free_huge && move_free_huge(start, end))
		return -EBUSY;
	if (vmemmap_migrate_range(start, end))
		return -ENOMEM;
	if (!memmap_ops)
		return 0;
	ret = memmap_ops->migrate_lent(start, end);
	/* The pages moved out were freed to the per-CPU lists. */
	drain_all_pages();
	return ret;
}

/*
 * With migrate, the free 2 MiB pool pages, the memmap blocks and the
 * pages lent to restored free blocks' memmaps in each candidate range
 * move out of the way first, as Linux migrates movable pages.
 */
static struct page *alloc_contig_in_zones(const enum zone_type *zl, unsigned int n,
					  unsigned long nr_pages, unsigned long align,
					  bool migrate)
{
	for (unsigned int i = 0; i < n; i++) {
		struct zone *z = &zones[zl[i]];
		unsigned long pfn = ALIGN(z->zone_start_pfn, align);
		unsigned long zend = z->zone_start_pfn + z->spanned_pages;

		if (z->free_pages < nr_pages)
			continue;
		for (; pfn + nr_pages <= zend; pfn += align) {
			/* Out of memory to move them: the next candidate may need less. */
			if (migrate && migrate_memmap(pfn, pfn + nr_pages))
				continue;
			if (migrate)
				release_hosted(pfn, pfn + nr_pages);
			if (!range_is_free_locked(pfn, pfn + nr_pages))
				continue;
			if (take_contig(pfn, nr_pages) == 0)
				return pfn_to_page(pfn);
		}
	}
	return NULL;
}

static bool release_one_gigantic(const enum zone_type *zl, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct page *head = gig_list_first(&zones[zl[i]]);
		unsigned long pfn;

		if (!head)
			continue;
		pfn = page_to_pfn(head);
		return release_gigantic(pfn, pfn + GIGANTIC_NR_PAGES) == 0;
	}
	return false;
}

static struct page *__alloc_contig_pages(const enum zone_type *zl, unsigned int n,
					 unsigned long nr_pages, unsigned long align, gfp_t gfp);

struct page *alloc_contig_pages(unsigned long nr_pages, unsigned long align,
				gfp_t gfp)
{
	const enum zone_type *zl;
	struct page *page;
	unsigned int n;

	if (!nr_pages || !align || (align & (align - 1)))
		return NULL;
	if (!(gfp & __GFP_NOFAIL_INJECT) && should_fail_alloc_page())
		return NULL;
	drain_all_pages();
	zl = zonelist(gfp, &n);
	gig_pause();
	page = __alloc_contig_pages(zl, n, nr_pages, align, gfp);
	gig_resume();
	return page;
}

static struct page *__alloc_contig_pages(const enum zone_type *zl, unsigned int n,
					 unsigned long nr_pages, unsigned long align, gfp_t gfp)
{
	struct page *page;

	/* A 1 GiB pool page that keeps an optimized memmap takes a range as it is. */
	if (gig_ops && nr_pages == GIGANTIC_NR_PAGES && align == GIGANTIC_NR_PAGES &&
	    (gfp & __GFP_OPTIMIZED_MEMMAP)) {
		page = gig_ops->take(zl, n);
		if (page)
			return page;
	}
	page = alloc_contig_in_zones(zl, n, nr_pages, align, false);
	if (!page)
		page = alloc_contig_in_zones(zl, n, nr_pages, align, true);
	/* Free ranges are no candidates as they are: one at a time goes back. */
	while (!page && nr_pages <= GIGANTIC_NR_PAGES && release_one_gigantic(zl, n))
		page = alloc_contig_in_zones(zl, n, nr_pages, align, false);
	return page;
}

/*
 * Placement of whole pageblocks (2 MiB pool pages). The buddy hands out
 * the block freed last, which spreads pool pages over every 1 GiB range
 * and leaves a gigantic allocation none free. Taken instead from the
 * lowest 1 GiB range already partly in use, they keep whole free ranges
 * whole, so that a gigantic allocation seldom has anything to move:
 *
 *    GiB 0  [kernel|used|2M|2M|free|used|free ...]   <- taken from here
 *    GiB 1  [free free free free ... free free]      <- stays whole
 *    GiB 2  [free free ... 2M ... free]              <- next, when 0 is full
 *
 * Only while free memory is kept optimized: the spreading is its doing
 * (plain free memory keeps the buddy's placement, which the HVO section
 * rebuild is measured against). The block is taken as it is; an owner
 * that keeps an optimized memmap (a pool with HVO) gets only optimized
 * blocks here, so that its section need not be split. The search resumes
 * after the last block taken while its range has more.
 */
static unsigned long pack_next;

static bool pack_block_ok(unsigned long pfn, gfp_t gfp)
{
	enum zone_type zt;
	unsigned int n;
	const enum zone_type *zl = zonelist(gfp, &n);

	if (!pfn_online(pfn) || !pageblock_is_free(pfn))
		return false;
	/* Taken as it is when it can be: HVO need not split its section. */
	if ((gfp & __GFP_OPTIMIZED_MEMMAP) && !PageVmemmapOptimized(pfn_to_page(pfn)))
		return false;
	zt = pfn_zone_idx(pfn);
	for (unsigned int i = 0; i < n; i++)
		if (zl[i] == zt && zt != ZONE_DMA)
			return zone_watermark_ok(&zones[zt], pageblock_order, gfp);
	return false;
}

/* A free pageblock at or after pfn in its 1 GiB range, or ~0UL. */
static unsigned long pack_in_gig(unsigned long pfn, gfp_t gfp)
{
	unsigned long end = ALIGN(pfn + 1, GIGANTIC_NR_PAGES);

	for (; pfn < end && pfn < max_pfn; pfn += pageblock_nr_pages)
		if (pack_block_ok(pfn, gfp))
			return pfn;
	return ~0UL;
}

static bool pageblock_used(unsigned long pfn)
{
	return pfn >= max_pfn || !pfn_online(pfn) || !pageblock_is_free(pfn);
}

/*
 * Some pageblock of the 1 GiB range holding pfn is absent or not free;
 * pfn (the last block taken there, most likely still in use) first.
 */
static bool gig_partly_used(unsigned long pfn)
{
	unsigned long base = ALIGN_DOWN(pfn, GIGANTIC_NR_PAGES);

	if (pageblock_used(ALIGN_DOWN(pfn, pageblock_nr_pages)))
		return true;
	for (pfn = base; pfn < base + GIGANTIC_NR_PAGES; pfn += pageblock_nr_pages)
		if (pageblock_used(pfn))
			return true;
	return false;
}

static unsigned long find_pack_block(gfp_t gfp)
{
	unsigned long pfn = ~0UL;

	if (pack_next && pack_next % GIGANTIC_NR_PAGES && gig_partly_used(pack_next - 1))
		pfn = pack_in_gig(pack_next, gfp);
	for (unsigned long base = 0; pfn == ~0UL && base < max_pfn; base += GIGANTIC_NR_PAGES) {
		pfn = pack_in_gig(base, gfp);
		if (pfn != ~0UL && !gig_partly_used(base))
			pfn = ~0UL;
	}
	return pfn;
}

/* Under every zone lock: the scan reads free lists of any zone. */
static struct page *take_pack_block(gfp_t gfp)
{
	unsigned long flags = lock_all_zones();
	unsigned long pfn = find_pack_block(gfp);

	if (pfn == ~0UL) {
		pack_next = 0;
		unlock_all_zones(flags);
		return NULL;
	}
	take_free_range(pfn, pfn + pageblock_nr_pages);
	pack_next = pfn + pageblock_nr_pages;
	unlock_all_zones(flags);
	return pfn_to_page(pfn);
}

struct page *alloc_pageblock_packed(gfp_t gfp)
{
	struct page *page;

	/* Off, free memory is plain and the buddy's placement is kept. */
	if (!ready || !memmap_ops || !memmap_ops->enabled())
		return alloc_pages(gfp, pageblock_order);
	if (!(gfp & __GFP_NOFAIL_INJECT) && should_fail_alloc_page())
		return NULL;
	page = take_pack_block(gfp);
	if (!page)
		return alloc_pages(gfp | __GFP_NOFAIL_INJECT, pageblock_order);
	if (unshare_allocated(page, pageblock_order, gfp)) {
		unsigned long flags = lock_all_zones();

		__free_one_page(page_to_pfn(page), pageblock_order);
		unlock_all_zones(flags);
		return NULL;
	}
	prep_new_page(page, pageblock_order, gfp);
	return page;
}

/* The first pfn of [start, end) that is not a plain allocated page, or end. */
static unsigned long first_not_allocated(unsigned long start, unsigned long end)
{
	for (unsigned long pfn = start; pfn < end; pfn++) {
		struct page *p = pfn_to_page(pfn);

		if (!pfn_valid(pfn) || PageBuddy(p) || PagePcp(p) || PageTail(p) ||
		    PageHead(p) || (PageHWPoison(p) && PageOffline(p)))
			return pfn;
	}
	return end;
}

void free_contig_range(unsigned long start_pfn, unsigned long nr_pages)
{
	unsigned long end = start_pfn + nr_pages;
	unsigned long flags, bad;

	/*
	 * Checked whole before anything is freed: a caller's bad range (a
	 * free after a failed allocation) is a bug to report, not a reason
	 * to corrupt the buddy or to take the kernel down (Linux WARNs).
	 */
	bad = first_not_allocated(start_pfn, end);
	if (bad != end) {
		pr_err("free_contig_range: pfn %#lx is not a plain allocated page: %lu pages at %#lx not freed\n",
		       bad, nr_pages, start_pfn);
		dump_stack();
		return;
	}
	for (unsigned long pfn = start_pfn; pfn < end; pfn++) {
		struct page *p = pfn_to_page(pfn);

		set_page_count(p, 0);
		p->private = 0;
	}
	flags = lock_all_zones();
	/* Pages poisoned while the range was in use stay out. */
	if (!nr_hwpoison_pages_in_use() || !free_hwpoisoned_range(start_pfn, end))
		free_range(start_pfn, end, true);
	unlock_all_zones(flags);
}

/*
 * Offline: the section's memmap goes away with its pages, so optimized
 * blocks keep their shared tails (sparse_depopulate_section() skips
 * them); they only stop being free blocks.
 */
static void forget_optimized(unsigned long start, unsigned long end)
{
	for (unsigned long pfn = ALIGN(start, pageblock_nr_pages); pfn + pageblock_nr_pages <= end;
	     pfn += pageblock_nr_pages)
		if (PageVmemmapOptimized(pfn_to_page(pfn)))
			memmap_ops->forget(pfn_to_page(pfn));
}

static int __isolate_free_range(unsigned long start_pfn, unsigned long end_pfn);

int isolate_free_range(unsigned long start_pfn, unsigned long end_pfn)
{
	int ret;

	gig_pause();
	ret = release_gigantic(start_pfn, end_pfn);
	/* A range partly in use keeps its memmap in its own last 16 MiB. */
	if (!ret && gig_hosted_pages(start_pfn >> GIG_SHIFT))
		ret = -EBUSY;
	if (!ret)
		ret = __isolate_free_range(start_pfn, end_pfn);
	gig_resume();
	return ret;
}

static int __isolate_free_range(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long flags;
	int ret = -EBUSY;

	if (!range_free_now(start_pfn, end_pfn))
		return -EBUSY;
	hold_pageblocks(start_pfn, end_pfn);
	if (unshare_edges(start_pfn, end_pfn)) {
		release_pageblocks();
		return -ENOMEM;
	}
	drain_all_pages();
	flags = lock_all_zones();
	if (range_is_free(start_pfn, end_pfn)) {
		take_free_range(start_pfn, end_pfn);
		if (memmap_ops)
			forget_optimized(start_pfn, end_pfn);
		zones[pfn_zone_idx(start_pfn)].managed_pages -= end_pfn - start_pfn;
		ret = 0;
	}
	unlock_all_zones(flags);
	release_pageblocks();
	return ret;
}

bool is_free_buddy_page(const struct page *page)
{
	return free_block_head(page_to_pfn(page)) != ~0UL;
}

static bool __take_page_off_buddy(struct page *page);

/* A page in a free 1 GiB range: the range goes back to the lists first. */
bool take_page_off_buddy(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	bool taken = false;

	gig_pause();
	if (!release_gigantic(pfn, pfn + 1))
		taken = __take_page_off_buddy(page);
	gig_resume();
	return taken;
}

static bool __take_page_off_buddy(struct page *page)
{
	unsigned long pfn = page_to_pfn(page), head, flags;
	struct page *block;
	unsigned int order;

	/* A page in an optimized block: the block's memmap comes back first. */
	if (!range_free_now(pfn, pfn + 1))
		return false;
	hold_pageblocks(pfn, pfn + 1);
	if (unshare_edges(pfn, pfn + 1)) {
		release_pageblocks();
		return false;
	}
	drain_all_pages();
	flags = lock_all_zones();
	head = free_block_head(pfn);
	if (head != ~0UL) {
		block = pfn_to_page(head);
		order = block->private;
		del_from_free_list(block, page_zone(block), order);
		check_page_fill(block, order);
		/* The block is split around the page; the rest stays free. */
		free_range(head, pfn, false);
		free_range(pfn + 1, head + (1UL << order), false);
	}
	unlock_all_zones(flags);
	release_pageblocks();
	return head != ~0UL;
}

/* Counters. */

/* Unlocked sums, as Linux's counters: exact once the CPUs are quiet. */
unsigned long zone_pcp_pages(const struct zone *zone)
{
	unsigned long n = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		n += READ_ONCE(zone->pcp[cpu].count);
	return n;
}

unsigned long nr_pcp_pages(void)
{
	unsigned long n = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		n += zone_pcp_pages(&zones[i]);
	return n;
}

unsigned long nr_free_pages(void)
{
	unsigned long n = nr_pcp_pages();

	for (int i = 0; i < MAX_NR_ZONES; i++)
		n += READ_ONCE(zones[i].free_pages);
	return n;
}

unsigned long nr_managed_pages(void)
{
	unsigned long n = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		n += READ_ONCE(zones[i].managed_pages);
	return n;
}

void zone_add_managed(struct zone *zone, long pages)
{
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	zone->managed_pages += pages;
	spin_unlock_irqrestore(&zone->lock, flags);
}

/* Setup. */

static void zone_init(struct zone *z, unsigned long start, unsigned long end)
{
	spin_lock_init(&z->lock, "zone->lock");
	z->zone_start_pfn = start;
	z->spanned_pages = end > start ? end - start : 0;
	for (int o = 0; o < NR_PAGE_ORDERS; o++) {
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			INIT_LIST_HEAD(&z->free_area[o].free_list[mt]);
		z->free_area[o].nr_free = 0;
	}
	INIT_LIST_HEAD(&z->free_gigantic);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct per_cpu_pages *pcp = &z->pcp[cpu];

		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			INIT_LIST_HEAD(&pcp->lists[mt]);
		pcp->batch = 31;
		pcp->high = 6 * 31;
	}
}

/*
 * Page tables and memmap blocks, for the layers below (mm/page_source.h).
 * A page table that cannot be had is worth a debug line; a memmap block
 * has a fallback (smaller blocks), so its failure is not.
 */
static struct page *alloc_source_pages(unsigned int order, bool zero)
{
	return alloc_pages(GFP_KERNEL | (zero ? __GFP_ZERO : __GFP_NOWARN), order);
}

static void free_source_pages(struct page *page, unsigned int order)
{
	if (!PageReserved(page)) {
		free_pages(page, order);
		return;
	}
	for (unsigned long i = 0; i < (1UL << order); i++)
		free_reserved_page(page + i);
}

static const struct page_source buddy_source = {
	.alloc = alloc_source_pages,
	.free = free_source_pages,
};

void page_alloc_init(void)
{
	unsigned long end = max_pfn;
	phys_addr_t pa;

	zone_init(&zones[ZONE_DMA], 0, min(end, MAX_DMA_PFN));
	zone_init(&zones[ZONE_DMA32], MAX_DMA_PFN, min(end, MAX_DMA32_PFN));
	zone_init(&zones[ZONE_NORMAL], MAX_DMA32_PFN, end);
	nr_pageblocks = DIV_ROUND_UP(nr_mem_sections * PAGES_PER_SECTION, pageblock_nr_pages);
	pa = memblock_phys_alloc(nr_pageblocks, 8);
	if (!pa)
		panic("cannot allocate the pageblock table");
	pageblock_mt = __va(pa);
	/* Everything starts movable; kernel allocations claim what they use. */
	memset(pageblock_mt, MIGRATE_MOVABLE, nr_pageblocks);
	ready = true;
	set_page_source(&buddy_source);
}

void split_page(struct page *page, unsigned int order)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		set_page_count(page + i, 1);
		page[i].private = 0;
	}
}
