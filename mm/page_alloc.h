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

/* Give a page memblock reserved (vmemmap, page table) to the buddy. */
void free_reserved_page(struct page *page);
/* Hand [start, end) of freshly initialised memmap to the buddy. */
void free_pages_range_to_buddy(unsigned long start_pfn, unsigned long end_pfn);

/*
 * Hardware poison (mm/memory_failure.c; a free page is taken out by
 * take_page_off_buddy(), mm/page_alloc_contig.h). A page marked while in use
 * (hwpoison_mark_in_use) stays out of the buddy when it is freed: held
 * with refcount 1 and PG_offline, the rest of its block freed around it.
 */
bool is_free_buddy_page(const struct page *page);
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

/* The pageblock at pfn lies in one free block of order >= pageblock_order. */
bool pageblock_is_free(unsigned long pfn);

/*
 * The free pageblock at pfn off the free lists (a larger free block is
 * split around it), so that nobody allocates it while its memmap
 * changes; false when it is not wholly free. Then put back.
 */
bool pageblock_take_free(unsigned long pfn);
void pageblock_put_free(unsigned long pfn);

/*
 * Keep the pageblocks of [start, end) from having their tails shared
 * again while a caller works on their restored memmap (what every take
 * does for itself); one range at a time, takes do not nest.
 */
void pageblock_hold_range(unsigned long start, unsigned long end);
void pageblock_release_range(void);

/* A gigantic page, and a free 1 GiB range (mm/page_alloc_gig.h). */
#define GIGANTIC_ORDER		(PUD_SHIFT - PAGE_SHIFT)
#define GIGANTIC_NR_PAGES	(1UL << GIGANTIC_ORDER)

/* Turn one order-N allocation into 2^N order-0 pages, each with a reference. */
void split_page(struct page *page, unsigned int order);

#endif
