/* SPDX-License-Identifier: MIT */
#ifndef MM_PAGE_ALLOC_GIG_H
#define MM_PAGE_ALLOC_GIG_H

/*
 * The buddy allocator's side of free 1 GiB ranges (mm/page_alloc_gig.c):
 * per-GiB free counts, the zones' range lists, the hooks that
 * mm/free_gigantic.c registers.
 */
#include "mm/page_alloc.h"

/*
 * Pages on the free lists in 1 GiB range gig (pfn >> GIG_PFN_SHIFT): the
 * allocator splits blocks in ranges already in use first. Ranges from
 * NR_COUNTED_GIGS on are not counted (0).
 */
#define GIG_PFN_SHIFT		(PUD_SHIFT - PAGE_SHIFT)
#define NR_COUNTED_GIGS		256
unsigned long nr_free_pages_in_gig(unsigned long gig);

/*
 * Free 1 GiB ranges kept whole in the shape of an optimized 1 GiB page
 * (mm/free_gigantic.c, above the buddy, registers these; the policy and
 * the diagrams are there). The buddy keeps the per-zone list and counts
 * the ranges in free_pages; the ops form, break and release them.
 */
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

#endif
