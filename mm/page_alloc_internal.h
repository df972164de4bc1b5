/* SPDX-License-Identifier: MIT */
#ifndef MM_PAGE_ALLOC_INTERNAL_H
#define MM_PAGE_ALLOC_INTERNAL_H

/*
 * Private to the buddy allocator's files, which share zone->lock and the
 * free lists (Linux's mm/internal.h): everyone else goes through the
 * header beside each file.
 *
 *   page_alloc.c          free lists, merging and splitting, per-CPU
 *                         lists, watermarks, alloc_pages()/free_pages()
 *   page_alloc_memmap.c   free blocks that keep an optimized memmap: the
 *                         re-share queue, splits in transit, restores
 *   page_alloc_gig.c      free 1 GiB ranges: per-GiB counts, the zones'
 *                         range lists, the hooks into mm/free_gigantic.c
 *   page_alloc_contig.c   contiguous ranges: alloc_contig_*, offline's
 *                         isolation, poison's take, packed pageblocks
 *
 * Nothing is included here, so that the four can include this and
 * mm/page_alloc.h without a cycle.
 */

/* Interrupts are off already (zone->lock is never taken with them on). */
static inline void zone_lock(struct zone *zone)
{
	spin_lock(&zone->lock);
}

static inline void zone_unlock(struct zone *zone)
{
	spin_unlock(&zone->lock);
}

/* page_alloc.c: the free lists, under zone->lock. */
void add_to_free_list(struct page *page, struct zone *zone, unsigned int order,
		      enum migratetype mt);
void del_from_free_list(struct page *page, struct zone *zone, unsigned int order);
/* Merge with free buddies and list the block; note: look whether it can be shared again. */
void __free_one_page(unsigned long pfn, unsigned int order);
void __free_one_page_note(unsigned long pfn, unsigned int order, bool note);
/* [start, end) freed in the largest aligned blocks, filled first (debug) when fill. */
void free_range(unsigned long start, unsigned long end, bool fill);
/* [pfn, end) freed around its hardware-poisoned pages; false when it has none. */
bool free_hwpoisoned_range(unsigned long pfn, unsigned long end);
/* Interrupts off: zone->lock taken for one free. */
void free_one_locked(struct page *page, unsigned int order);
/* The head struct page of a block being freed, as a free block's is. */
void reset_freed_page(struct page *page);
/* The order of the largest aligned block at pfn that ends by end. */
unsigned int fit_order(unsigned long pfn, unsigned long end);
/* The head pfn of the free block that contains pfn, or ~0UL. */
unsigned long free_block_head(unsigned long pfn);
/* Every page of [start, end) free; then off the lists (edge blocks' outer parts stay). */
bool range_is_free(unsigned long start, unsigned long end);
void take_free_range(unsigned long start, unsigned long end);
/* zone->lock held, the pageblock free: off the lists, the rest of a larger block stays. */
void pageblock_take_free_locked(unsigned long pfn);
/* The pageblock is held by a take (pageblock_hold_range()). */
bool pageblock_held(unsigned long pfn);
const enum zone_type *zonelist(gfp_t gfp, unsigned int *n);
bool zone_watermark_ok(struct zone *z, unsigned int order, gfp_t gfp);
void prep_new_page(struct page *page, unsigned int order, gfp_t gfp);

/* page_alloc_memmap.c */
/* The dedup is registered (mm/buddy_vmemmap.c), and switched on. */
bool free_memmap_registered(void);
bool free_memmap_enabled(void);
/* Pages lent to restored memmaps: delta, under any zone's lock or none. */
void memmap_lent_add(long delta);
/* An optimized block taken off the lists for a split below pageblock_order. */
void split_transit(struct page *page);
/* A whole optimized pageblock allocated to be written: memmap back first. */
int unshare_allocated(struct page *page, unsigned int order, gfp_t gfp);
/* zone->lock held: a block of order freed at pfn may be shared again (noted). */
void note_freed_block(unsigned long pfn, unsigned int order);
/* After a drain: the blocks noted, and every pageblock when notes were dropped. */
void reshare_after_drain(void);
/* After a free: the blocks noted are shared again (a walk of every pageblock waits for a drain). */
void free_memmap_reshare_noted(void);
/* The pageblocks cut by the ends of [start, end), and those inside a taken one. */
int unshare_edges(unsigned long start, unsigned long end);
int unshare_taken(unsigned long start, unsigned long end);
/* Offline: optimized blocks of [start, end) stop being free blocks. */
void forget_optimized(unsigned long start, unsigned long end);
/* Lent memmap pages in [start, end) move out of it: 0 or -ENOMEM. */
int migrate_lent_memmap(unsigned long start, unsigned long end);

/* page_alloc_gig.c */
/* Free pages of the GiB holding pfn go up or down by nr (zone->lock held). */
void gig_free_add(unsigned long pfn, long nr);
/* The GiB holding pfn is partly in use and not kept whole. */
bool gig_in_use(unsigned long pfn);
/* Interrupts on: the ranges frees made whole are formed. */
void form_pending_gigantic(void);
/* Interrupts on: a range breaks into the lists (short_only: only when they run short). */
bool refill_from_gigantic(gfp_t gfp, bool short_only);
/* Hosted ranges over [start, end) that a scan made wholly free go back to the lists. */
void release_hosted(unsigned long start, unsigned long end);
/* A range as it is, for a 1 GiB pool page that keeps an optimized memmap, or NULL. */
struct page *take_gigantic_as_is(const enum zone_type *zl, unsigned int n);
/* __GFP_MEMMAP: not from a range kept whole while other pages can be had. */
struct page *alloc_pages_memmap(gfp_t gfp, unsigned int order);
struct page *__alloc_pages(gfp_t gfp, unsigned int order);

#endif
