// SPDX-License-Identifier: MIT
/*
 * Contiguous ranges taken out of the buddy: alloc_contig_range() and
 * alloc_contig_pages() (gigantic pages, device memory's tests, the
 * hotplug cases), free_contig_range(), the isolation of a section going
 * offline, the take of a poisoned free page, and the placement of whole
 * pageblocks for the 2 MiB pool. Part of the buddy allocator:
 * mm/page_alloc_contig.h is its door, mm/page_alloc_internal.h what the
 * allocator's files share.
 *
 * Every take first gets back the memmap of the optimized free blocks it
 * covers (mm/page_alloc_memmap.c) and releases the free 1 GiB ranges it
 * overlaps (mm/page_alloc_gig.c), and holds its pageblocks meanwhile so
 * that nothing shares their tails again before their struct pages are
 * written.
 */
#include "mm/page_alloc_contig.h"
#include "mm/page_alloc_gig.h"
#include "mm/page_alloc_internal.h"
#include "mm/fail_page_alloc.h"
#include "mm/page_fill.h"
#include "mm/sparse.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "libc/errno.h"

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
	pageblock_release_range();
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
	ret = release_free_ranges(start_pfn, end);
	/* Busy ranges cost nothing: look before restoring any memmap. */
	if (!ret && !range_free_now(start_pfn, end))
		ret = -EBUSY;
	if (!ret) {
		pageblock_hold_range(start_pfn, end);
		ret = take_range_restored(start_pfn, end);
		pageblock_release_range();
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
	if (!free_memmap_registered())
		return 0;
	ret = migrate_lent_memmap(start, end);
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
		return release_free_ranges(pfn, pfn + GIGANTIC_NR_PAGES) == 0;
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
	if (nr_pages == GIGANTIC_NR_PAGES && align == GIGANTIC_NR_PAGES &&
	    (gfp & __GFP_OPTIMIZED_MEMMAP)) {
		page = take_gigantic_as_is(zl, n);
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
	if (!page_alloc_ready() || !free_memmap_enabled())
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


static int __isolate_free_range(unsigned long start_pfn, unsigned long end_pfn);

int isolate_free_range(unsigned long start_pfn, unsigned long end_pfn)
{
	int ret;

	gig_pause();
	ret = release_free_ranges(start_pfn, end_pfn);
	/* A range partly in use keeps its memmap in its own last 16 MiB. */
	if (!ret && gig_hosted_pages(start_pfn >> GIG_PFN_SHIFT))
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
	pageblock_hold_range(start_pfn, end_pfn);
	if (unshare_edges(start_pfn, end_pfn)) {
		pageblock_release_range();
		return -ENOMEM;
	}
	drain_all_pages();
	flags = lock_all_zones();
	if (range_is_free(start_pfn, end_pfn)) {
		take_free_range(start_pfn, end_pfn);
		forget_optimized(start_pfn, end_pfn);
		zones[pfn_zone_idx(start_pfn)].managed_pages -= end_pfn - start_pfn;
		ret = 0;
	}
	unlock_all_zones(flags);
	pageblock_release_range();
	return ret;
}


static bool __take_page_off_buddy(struct page *page);

/* A page in a free 1 GiB range: the range goes back to the lists first. */
bool take_page_off_buddy(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	bool taken = false;

	gig_pause();
	if (!release_free_ranges(pfn, pfn + 1))
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
	pageblock_hold_range(pfn, pfn + 1);
	if (unshare_edges(pfn, pfn + 1)) {
		pageblock_release_range();
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
	pageblock_release_range();
	return head != ~0UL;
}
