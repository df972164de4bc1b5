/* SPDX-License-Identifier: MIT */
#ifndef MM_PAGE_ALLOC_CONTIG_H
#define MM_PAGE_ALLOC_CONTIG_H

/*
 * Contiguous ranges of the buddy allocator (mm/page_alloc_contig.c):
 * gigantic pages, offline, hardware poison.
 */
#include "mm/page_alloc.h"

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

/* Every page of [start, end) is free now (after a drain); nothing taken. */
bool range_free_now(unsigned long start, unsigned long end);
/* Take every free page of [start, end) out of the buddy (offline). */
int isolate_free_range(unsigned long start_pfn, unsigned long end_pfn);
/* A free page leaves the buddy for good, its free block split around it (poison). */
bool take_page_off_buddy(struct page *page);

#endif
