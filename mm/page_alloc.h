/* SPDX-License-Identifier: MIT */
#ifndef MM_PAGE_ALLOC_H
#define MM_PAGE_ALLOC_H

/*
 * The buddy allocator: zones DMA (< 16 MiB), DMA32 (< 4 GiB) and Normal,
 * free lists for orders 0..MAX_ORDER per migratetype (at 2 MiB pageblock
 * granularity), an order-0 cache per CPU, watermarks.
 *
 * Locking (README, "Locking"): zone->lock, taken with interrupts off,
 * guards a zone's free lists, free_pages and managed_pages. Each CPU's
 * per-CPU list (zone->pcp[cpu]) is touched only by that CPU with its
 * interrupts off, no lock: the fast path of an order-0 allocation or
 * free. Another CPU's list is drained by sending that CPU a call
 * (drain_all_pages()), never touched from outside.
 */
#include "kernel/types.h"
#include "kernel/list.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "mm/page.h"

#define MAX_ORDER		10
#define NR_PAGE_ORDERS		(MAX_ORDER + 1)
#define MAX_ORDER_NR_PAGES	(1UL << MAX_ORDER)
#define pageblock_order		9
#define pageblock_nr_pages	(1UL << pageblock_order)

typedef unsigned int gfp_t;

#define __GFP_DMA		BIT(0)
#define __GFP_DMA32		BIT(1)
#define __GFP_ZERO		BIT(2)
#define __GFP_NORETRY		BIT(3)	/* fail rather than drain caches and retry */
#define __GFP_NOWARN		BIT(4)
#define __GFP_HIGH		BIT(5)	/* may use half of the min reserve */
#define __GFP_MEMALLOC		BIT(6)	/* ignore watermarks entirely */
#define __GFP_MOVABLE		BIT(7)
#define __GFP_COMP		BIT(8)	/* make a compound page */
#define __GFP_NOFAIL_INJECT	BIT(9)	/* not subject to fault injection */
#define __GFP_OPTIMIZED_MEMMAP	BIT(10)	/* caller writes only the head vmemmap page */
#define __GFP_MEMMAP		BIT(11)	/* a memmap page: not from a 1 GiB range kept whole */
#define __GFP_NO_REFILL		BIT(15)	/* order 0 without a per-CPU refill batch */

#define GFP_KERNEL		0
#define GFP_ATOMIC		__GFP_HIGH
#define GFP_USER		__GFP_MOVABLE
#define GFP_DMA32		__GFP_DMA32

enum zone_type { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, MAX_NR_ZONES };
enum migratetype { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_ISOLATE, MIGRATE_TYPES };
enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

#define MAX_DMA_PFN		(16UL << (20 - PAGE_SHIFT))
#define MAX_DMA32_PFN		(4UL << (30 - PAGE_SHIFT))

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;		/* blocks of this order */
};

struct per_cpu_pages {
	struct list_head lists[MIGRATE_TYPES];
	unsigned int count;
	unsigned int high;
	unsigned int batch;
};

struct zone {
	spinlock_t lock;		/* the fields below but pcp; interrupts off */
	const char *name;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;	/* RAM in the zone's span */
	unsigned long managed_pages;	/* given to the buddy */
	unsigned long free_pages;	/* in the free lists and free 1 GiB ranges (not the pcp) */
	struct list_head free_gigantic;	/* free 1 GiB ranges (mm/free_gigantic.c), by head->lru */
	unsigned long nr_free_gigantic;
	unsigned long watermark[NR_WMARK];
	struct free_area free_area[NR_PAGE_ORDERS];
	struct per_cpu_pages pcp[NR_CPUS];	/* its CPU's alone, interrupts off */
};

extern struct zone zones[MAX_NR_ZONES];

static inline enum zone_type pfn_zone_idx(unsigned long pfn)
{
	if (pfn < MAX_DMA_PFN)
		return ZONE_DMA;
	if (pfn < MAX_DMA32_PFN)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

/* Zone and node come from the pfn, never from page flags. */
static inline struct zone *page_zone(const struct page *page)
{
	return &zones[pfn_zone_idx(page_to_pfn(page))];
}

static inline int page_to_nid(const struct page *page)
{
	(void)page;
	return 0;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order);
static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}
void free_pages(struct page *page, unsigned int order);
static inline void __free_page(struct page *page)
{
	free_pages(page, 0);
}
unsigned long get_free_page(gfp_t gfp);
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
void free_page(unsigned long addr);

void get_page(struct page *page);
/* Drop a reference; frees the page (its whole allocation) at zero. */
void put_page(struct page *page);
/*
 * A speculative reference on the page (its compound head): false when
 * the page is free or frozen (refcount 0), or stopped being part of the
 * same compound page meanwhile (Linux's folio_try_get() and recheck).
 * Safe on any pfn with a memmap, from any CPU; put_page() drops it.
 */
bool get_page_unless_zero(struct page *page);

/*
 * Validate a free without doing it: 0, or -EINVAL with *reason set
 * (double free, tail page, wrong order, pfn in no online section).
 * free_pages() panics with the pfn and the reason instead.
 */
int free_pages_check(struct page *page, unsigned int order, const char **reason);

/* Take [start_pfn, start_pfn + nr) out of the buddy if wholly free. */
int alloc_contig_range(unsigned long start_pfn, unsigned long nr_pages);
/* Find and take a wholly free range of nr_pages aligned to align pages. */
struct page *alloc_contig_pages(unsigned long nr_pages, unsigned long align,
				gfp_t gfp);
void free_contig_range(unsigned long start_pfn, unsigned long nr_pages);
/*
 * One pageblock (order 9), from the lowest 1 GiB range already partly in
 * use, so that free 1 GiB ranges stay whole, while free memory is kept
 * optimized; alloc_pages() otherwise, and when no such range has one.
 */
struct page *alloc_pageblock_packed(gfp_t gfp);
/*
 * Free huge pages pin a candidate range of alloc_contig_pages(): the pools
 * move them out (mm/hugetlb.c registers; Linux's
 * isolate_or_dissolve_huge_page()). 0, or -errno when some stay.
 */
void set_contig_move_free_huge(int (*fn)(unsigned long start, unsigned long end));

/* Give a page memblock reserved (vmemmap, page table) to the buddy. */
void free_reserved_page(struct page *page);
/* Hand [start, end) of freshly initialised memmap to the buddy. */
void free_pages_range_to_buddy(unsigned long start_pfn, unsigned long end_pfn);
/* Every page of [start, end) is free now (after a drain); nothing taken. */
bool range_free_now(unsigned long start, unsigned long end);
/* Take every free page of [start, end) out of the buddy (offline). */
int isolate_free_range(unsigned long start_pfn, unsigned long end_pfn);

/*
 * Hardware poison (mm/memory_failure.c). take_page_off_buddy(): a free
 * page leaves the buddy for good, its free block split around it; false
 * when the page is not free. A page marked while in use
 * (hwpoison_mark_in_use) stays out of the buddy when it is freed: held
 * with refcount 1 and PG_offline, the rest of its block freed around it.
 */
bool is_free_buddy_page(const struct page *page);
bool take_page_off_buddy(struct page *page);
void hwpoison_mark_in_use(struct page *page);
void hwpoison_clear_in_use(struct page *page);
unsigned long nr_hwpoison_pages_in_use(void);

/*
 * Every CPU's per-CPU lists back to the zones. With interrupts off (the
 * caller may hold a lock another CPU spins on) only this CPU's list is
 * drained: the others are reached by a call, which needs ours on.
 */
void drain_all_pages(void);
void drain_local_pages(void);
/* Every zone->lock, in zone order, interrupts off (checkers, range walks). */
unsigned long lock_all_zones(void);
void unlock_all_zones(unsigned long flags);
unsigned long nr_free_pages(void);	/* buddy + per-CPU caches */
/*
 * Pages on the free lists in 1 GiB range gig (pfn >> GIG_PFN_SHIFT): the
 * allocator splits blocks in ranges already in use first. Ranges from
 * NR_COUNTED_GIGS on are not counted (0).
 */
#define GIG_PFN_SHIFT		(PUD_SHIFT - PAGE_SHIFT)
#define NR_COUNTED_GIGS		256
unsigned long nr_free_pages_in_gig(unsigned long gig);
unsigned long nr_managed_pages(void);
/* Pages enter or leave a zone's management (hotplug), under its lock. */
void zone_add_managed(struct zone *zone, long pages);
unsigned long nr_pcp_pages(void);
unsigned long zone_pcp_pages(const struct zone *zone);	/* every CPU's */
bool page_alloc_ready(void);

void page_alloc_init(void);
void setup_zone_watermarks(void);

/* A free block of this order in zone zt starts at buddy_pfn (merging). */
bool page_is_buddy(unsigned long buddy_pfn, unsigned int order, enum zone_type zt);

enum migratetype get_pageblock_migratetype(unsigned long pfn);
void set_pageblock_migratetype(unsigned long pfn, enum migratetype mt);

/*
 * Free pageblocks may keep a deduplicated memmap (mm/buddy_vmemmap.c,
 * which sits above the buddy and registers these). An optimized free
 * pageblock has PG_vmemmap_optimized on its first struct page; the buddy
 * writes only that struct page. A pageblock whose memmap was rebuilt in
 * its own last 7 pages (PG_memmap) is "self-hosted". Interrupts are off
 * for the _self calls.
 */
#define MEMMAP_SELF_PAGES	7
#define MEMMAP_SELF_FIRST	(pageblock_nr_pages - MEMMAP_SELF_PAGES)

/*
 * Locking: the vmemmap lock (interrupts on) around every change of a
 * free block's vmemmap entries, zone->lock only to take a block off the
 * lists or put it back, and no TLB flush under zone->lock.
 */
struct free_memmap_ops {
	bool (*enabled)(void);
	/*
	 * Optimized pageblock, off the lists, vmemmap lock held, interrupts
	 * on: memmap into its pages 505..511, flushed everywhere.
	 */
	void (*unshare_self)(struct page *block);
	/* Self-hosted pageblock, its 505 other pages off the lists: share again (no flush). */
	void (*reshare_self)(struct page *block);
	/*
	 * Optimized pageblock, the caller's (owned: allocated or taken) or
	 * free: memmap into 7 pages from elsewhere, none of them in
	 * [avoid_start, avoid_end). Interrupts on.
	 */
	int (*unshare)(struct page *block, unsigned long avoid_start, unsigned long avoid_end,
		       bool owned);
	/* A whole free pageblock whose memmap is in lent pages: which 7 (looks only). */
	bool (*lent_memmap)(struct page *block, struct page *lent[MEMMAP_SELF_PAGES]);
	/* The same block, off the lists: share again (no flush). */
	void (*reshare_lent)(struct page *block);
	/* An optimized pageblock taken out with its section (offline). */
	void (*forget)(struct page *block);
	/* Lent pages in [start, end) move out of it (a contiguous take); 0 or -ENOMEM. */
	int (*migrate_lent)(unsigned long start, unsigned long end);
	/* The optimized pageblock at pfn is counted (delta 1) or no longer (-1): struct pages untouched. */
	void (*count)(unsigned long pfn, int delta);
};

void free_memmap_count(unsigned long pfn, int delta);

void set_free_memmap_ops(const struct free_memmap_ops *ops);

/*
 * Free 1 GiB ranges kept whole in the shape of an optimized 1 GiB page
 * (mm/free_gigantic.c, above the buddy, registers these; the policy and
 * the diagrams are there). The buddy keeps the per-zone list and counts
 * the ranges in free_pages; the ops form, break and release them.
 */
#define GIGANTIC_ORDER		(PUD_SHIFT - PAGE_SHIFT)
#define GIGANTIC_NR_PAGES	(1UL << GIGANTIC_ORDER)

struct free_gigantic_ops {
	/* Interrupts on: form the ranges that frees made wholly free. */
	void (*form_pending)(void);
	/* Interrupts on, z's lists short: break one of z's ranges into them, allocating nothing. */
	bool (*refill)(struct zone *z);
	/*
	 * Ranges overlapping [start, end) go back to the lists, plain: 0,
	 * -ENOMEM or -EBUSY. hosted_only: formed ones stay (a scan passing by).
	 */
	int (*release)(unsigned long start, unsigned long end, bool hosted_only);
	/* A range taken as it is (optimized) for a 1 GiB pool page, from the zones zl, or NULL. */
	struct page *(*take)(const enum zone_type *zl, unsigned int n);
};

void set_free_gigantic_ops(const struct free_gigantic_ops *ops);
/* Pages of zone z on its free lists, ranges not counted. */
unsigned long zone_list_free_pages(const struct zone *z);
/*
 * [start, end) may become a range now: in one zone, online, not held by
 * a take nor isolated, and (unless force) the dedup on and no take at work.
 */
bool gig_may_form(unsigned long start, unsigned long end, bool force);
/* Takes and offline pause forming while they work (they release ranges first). */
void gig_pause(void);
void gig_resume(void);
/* The free ranges over [start, end) back to the lists, plain (offline): 0, -ENOMEM, -EBUSY. */
int release_free_ranges(unsigned long start, unsigned long end);
/* [start, end) wholly free on z's lists: off them (0), or -EBUSY; and back. */
int gig_take_free(unsigned long start, unsigned long end);
void gig_put_free(unsigned long start, unsigned long end);
/* A formed range on its zone's list, or off it (false: it was not there). */
void gig_list_add(struct page *head);
bool gig_list_del(struct page *head);
/* The first range of z's list, or NULL (zone->lock not held: look again under it). */
struct page *gig_list_first(struct zone *z);
/*
 * The range at start holds its own memmap in pages pages of its end
 * (0: no longer): they leave the zone's managed pages and count as lent
 * (mm/free_gigantic.c keeps the 2 pages of its 1 GiB shape meanwhile,
 * so nr_free_pages() + lent moves as a plain buddy's free count would),
 * and the 1 GiB counts see the range whole when the rest is free.
 */
void gig_set_hosted(unsigned long start, unsigned int pages);
unsigned int gig_hosted_pages(unsigned long gig);
/* Splits pass range gig over while ranges in use have blocks (it is to form again). */
void gig_keep_whole(unsigned long gig, bool keep);
bool gig_kept_whole(unsigned long pfn);
/* The next 1 GiB range a free made wholly free, or ~0UL; noted again for later. */
unsigned long gig_pending_pop(void);
void gig_note_pending(unsigned long gig);

/* Its last 7 pages hold its memmap (lent pages from elsewhere are not reserved). */
static inline bool pageblock_self_hosted(unsigned long pfn)
{
	const struct page *last = pfn_to_page(pfn | (pageblock_nr_pages - 1));

	return PageMemmap(last) && PageReserved(last);
}

/*
 * Pages lent to the memmap of restored free blocks: a block's own 7
 * (self-hosted) and pages allocated for it (PG_memmap, counted here
 * until freed). nr_free_pages() + nr_memmap_lent_pages() changes as a
 * plain buddy's nr_free_pages() would.
 */
void memmap_lend_page(struct page *page);
unsigned long nr_memmap_lent_pages(void);
/* The pageblock at pfn lies in one free block of order >= pageblock_order. */
bool pageblock_is_free(unsigned long pfn);
/* A self-hosted pageblock whose other 505 pages are all free is optimized again. */
void free_memmap_try_reshare(unsigned long pfn);
/*
 * Blocks made whole by frees are re-shared later, with interrupts on
 * (the flush needs them): done by free_pages() and drain_all_pages().
 */
void free_memmap_reshare_pending(void);
/* The same for every whole free block there is (the switch turned on). */
void free_memmap_reshare_all(void);
/*
 * The free pageblock at pfn off the free lists (a larger free block is
 * split around it), so that nobody allocates it while its memmap
 * changes; false when it is not wholly free. Then put back.
 */
bool pageblock_take_free(unsigned long pfn);
void pageblock_put_free(unsigned long pfn);
/* Optimized free pageblocks overlapping [start, end) get their memmap back. */
int unshare_free_range(unsigned long start, unsigned long end);
/*
 * Keep the pageblocks of [start, end) from having their tails shared
 * again while a caller works on their restored memmap (what every take
 * does for itself); one range at a time, takes do not nest.
 */
void pageblock_hold_range(unsigned long start, unsigned long end);
void pageblock_release_range(void);

/* Turn one order-N allocation into 2^N order-0 pages, each with a reference. */
void split_page(struct page *page, unsigned int order);

#endif
