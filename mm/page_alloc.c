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
 *
 * The rest of the allocator is in page_alloc_memmap.c (free blocks that
 * keep an optimized memmap), page_alloc_gig.c (free 1 GiB ranges) and
 * page_alloc_contig.c (contiguous ranges); mm/page_alloc_internal.h is
 * what the four share.
 */
#include "mm/page_alloc.h"
#include "mm/page_alloc_internal.h"
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

void reset_freed_page(struct page *page)
{
	if (PageMemmap(page)) {
		/* A lent memmap page comes back (its block's memmap went away). */
		ClearPageMemmap(page);
		memmap_lent_add(-1);
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

void pageblock_hold_range(unsigned long start, unsigned long end)
{
	held_start = ALIGN_DOWN(start, pageblock_nr_pages);
	held_end = ALIGN(end, pageblock_nr_pages);
}

void pageblock_release_range(void)
{
	held_start = held_end = 0;
}

bool pageblock_held(unsigned long pfn)
{
	return pfn >= held_start && pfn < held_end;
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

void add_to_free_list(struct page *page, struct zone *zone, unsigned int order,
		      enum migratetype mt)
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

void del_from_free_list(struct page *page, struct zone *zone, unsigned int order)
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

unsigned int fit_order(unsigned long pfn, unsigned long end)
{
	unsigned int order = MAX_ORDER;

	while (order && ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > end))
		order--;
	return order;
}

static bool needs_unshare(const struct page *page, unsigned int o, unsigned int order)
{
	return o >= pageblock_order && order < pageblock_order && PageVmemmapOptimized(page);
}

/*
 * Merge with free buddies as far as possible, then put the block on its
 * list. A partly filled merge is not filled as a whole. zone->lock held.
 */
void __free_one_page(unsigned long pfn, unsigned int order)
{
	__free_one_page_note(pfn, order, true);
}

/*
 * note: look whether the block made whole can be shared again (not for
 * the rest of a block split around a pageblock: nothing was freed).
 */
void __free_one_page_note(unsigned long pfn, unsigned int order, bool note)
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
	if (note)
		note_freed_block(pfn, order);
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
	reshare_after_drain();
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

bool zone_watermark_ok(struct zone *z, unsigned int order, gfp_t gfp)
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

void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
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

const enum zone_type *zonelist(gfp_t gfp, unsigned int *n)
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
	bool may_split = free_memmap_registered() && !irqs_disabled();
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

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	if (gfp & __GFP_MEMMAP)
		return alloc_pages_memmap(gfp & ~__GFP_MEMMAP, order);
	return __alloc_pages(gfp, order);
}

struct page *__alloc_pages(gfp_t gfp, unsigned int order)
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

/*
 * Free [start, end) in the largest aligned blocks (it crosses no zone
 * boundary), filled first (debug) when fill.
 */
void free_range(unsigned long start, unsigned long end, bool fill)
{
	while (start < end) {
		unsigned int order = fit_order(start, end);

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
bool free_hwpoisoned_range(unsigned long pfn, unsigned long end)
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
void free_one_locked(struct page *page, unsigned int order)
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
	free_memmap_reshare_noted();
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
		unsigned int order = fit_order(start, end);
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

/* Free blocks by pfn. */

/*
 * The head pfn of the free block that contains pfn, or ~0UL. A block of
 * order o is naturally aligned, so its head is pfn rounded down to 2^o.
 */
unsigned long free_block_head(unsigned long pfn)
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
bool range_is_free(unsigned long start, unsigned long end)
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

void take_free_range(unsigned long start, unsigned long end)
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
void pageblock_take_free_locked(unsigned long pfn)
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

bool is_free_buddy_page(const struct page *page)
{
	return free_block_head(page_to_pfn(page)) != ~0UL;
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
