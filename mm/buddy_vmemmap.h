/* SPDX-License-Identifier: MIT */
#ifndef MM_BUDDY_VMEMMAP_H
#define MM_BUDDY_VMEMMAP_H

/*
 * Free memory keeps a deduplicated memmap: a free 2 MiB pageblock has the
 * shape of an optimized 2 MiB huge page (mm/hugetlb_vmemmap.c), so huge
 * pages enter and leave the pools without touching their tails. The
 * policy and the diagrams are in mm/buddy_vmemmap.c.
 */
#include "kernel/types.h"
#include "mm/page.h"

/* Register with the buddy, and optimize boot-time free memory if on. */
void buddy_vmemmap_init(void);
bool buddy_vmemmap_enabled(void);
/*
 * The switch (buddy_vmemmap_optimize=, /proc/sys/vm/buddy_vmemmap_optimize):
 * off restores every optimized free block, on optimizes every free one.
 * Returns 0 or -ENOMEM (blocks left as they were can be retried).
 */
int buddy_vmemmap_set(bool on);
/* Optimize every free pageblock that is not (no-op when off). */
int buddy_vmemmap_optimize_free(void);
/* The same for the pageblocks of [start, end) (a range just freed). */
int buddy_vmemmap_optimize_range(unsigned long start, unsigned long end);

/* A free optimized 2 MiB block becomes a pool page as it is, and back. */
void buddy_vmemmap_to_pool(struct page *head);
void buddy_vmemmap_from_pool(struct page *head);

/* Vmemmap pages saved on free memory; free blocks that are optimized, self-hosted. */
unsigned long buddy_vmemmap_saved_pages(void);
unsigned long buddy_vmemmap_nr_optimized(void);
unsigned long buddy_vmemmap_nr_self_hosted(void);

/* fn(pfn) for every pageblock of every online section, until one returns nonzero. */
int for_each_online_pageblock(int (*fn)(unsigned long pfn));

#endif
