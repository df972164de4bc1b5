/* SPDX-License-Identifier: MIT */
#ifndef MM_PAGE_ALLOC_MEMMAP_H
#define MM_PAGE_ALLOC_MEMMAP_H

/*
 * The buddy allocator's side of free blocks that keep an optimized
 * memmap (mm/page_alloc_memmap.c); mm/buddy_vmemmap.c registers the ops.
 */
#include "mm/page_alloc.h"
#include "mm/sparse.h"

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
/* A self-hosted pageblock whose other 505 pages are all free is optimized again. */
void free_memmap_try_reshare(unsigned long pfn);
/*
 * Blocks made whole by frees are re-shared later, with interrupts on
 * (the flush needs them): done by free_pages() and drain_all_pages().
 */
void free_memmap_reshare_pending(void);
/* The same for every whole free block there is (the switch turned on). */
void free_memmap_reshare_all(void);
/* Optimized free pageblocks overlapping [start, end) get their memmap back. */
int unshare_free_range(unsigned long start, unsigned long end);

#endif
