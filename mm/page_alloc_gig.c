// SPDX-License-Identifier: MIT
/*
 * The buddy's side of free 1 GiB ranges (mm/free_gigantic.c forms,
 * breaks and restores them and registers its ops here; the policy and
 * the diagrams are there). Part of the buddy allocator:
 * mm/page_alloc_gig.h is its door, mm/page_alloc_internal.h what the
 * allocator's files share.
 *
 * Here: free pages counted per GiB, so that the buddy sees which ranges
 * are whole and keeps them so; the notes of ranges that frees made
 * whole; the zones' lists of formed ranges; the pages a range's hosted
 * memmap holds; and the allocation paths that break a range or avoid
 * one being kept whole.
 */
#include "mm/page_alloc_gig.h"
#include "mm/page_alloc_internal.h"
#include "mm/sparse.h"
#include "kernel/traps.h"
#include "libc/errno.h"

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

void gig_free_add(unsigned long pfn, long nr)
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
bool gig_in_use(unsigned long pfn)
{
	unsigned long gig = pfn >> GIG_SHIFT;

	if (gig >= NR_GIGS)
		return true;
	if (__atomic_load_n(&gig_keep[gig / 64], __ATOMIC_RELAXED) & (1UL << (gig % 64)))
		return false;
	return __atomic_load_n(&gig_free[gig], __ATOMIC_RELAXED) < gig_whole(gig);
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
	if (!free_memmap_registered())
		return false;
	if (!force && (__atomic_load_n(&gig_paused, __ATOMIC_SEQ_CST) || !free_memmap_enabled()))
		return false;
	if (pfn_zone_idx(start) != pfn_zone_idx(end - 1))
		return false;
	for (unsigned long pfn = start; pfn < end; pfn += pageblock_nr_pages)
		if (!pfn_online(pfn) || pageblock_held(pfn) ||
		    get_pageblock_migratetype(pfn) == MIGRATE_ISOLATE)
			return false;
	return true;
}


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
	memmap_lent_add(delta);
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
void form_pending_gigantic(void)
{
	if (gig_ops && READ_ONCE(gig_pending_any) && !irqs_disabled())
		gig_ops->form_pending();
}

/*
 * The zones' lists could not serve an allocation, or ran short: a free
 * range of the first zone that has one breaks into them (it allocates
 * nothing). Interrupts on.
 */
bool refill_from_gigantic(gfp_t gfp, bool short_only)
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
int release_free_ranges(unsigned long start, unsigned long end)
{
	return gig_ops ? gig_ops->release(start, end, false) : 0;
}

/* A hosted range the scan made wholly free (memmap blocks moved out) is a candidate. */
void release_hosted(unsigned long start, unsigned long end)
{
	if (gig_ops)
		gig_ops->release(start, end, true);
}

struct page *take_gigantic_as_is(const enum zone_type *zl, unsigned int n)
{
	return gig_ops ? gig_ops->take(zl, n) : NULL;
}

/*
 * A memmap page lives as long as what it describes: one landing in a
 * 1 GiB range broken for now (mm/free_gigantic.c) would keep that range
 * from forming again. Pages from such ranges are held aside while others
 * come (only the first try is subject to fault injection), and one of
 * them serves when nothing else does.
 */
#define MEMMAP_TRIES	32

struct page *alloc_pages_memmap(gfp_t gfp, unsigned int order)
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
