// SPDX-License-Identifier: MIT
/*
 * The checker of free 1 GiB ranges (mm/free_gigantic.c): the state of
 * each 1 GiB range, its zone's list, its vmemmap's shape, its hosted
 * memmap pages and the counts agree.
 */
#include "mm/debug/check.h"
#include "mm/free_gigantic.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_gig.h"
#include "mm/sparse.h"
#include "kernel/traps.h"

static bool listed(struct page *head)
{
	struct zone *z = page_zone(head);
	struct page *p;

	list_for_each_entry(p, &z->free_gigantic, lru)
		if (p == head)
			return true;
	return false;
}

static int check_hosted(unsigned long start, struct errmsg *msg)
{
	unsigned long end = start + GIGANTIC_NR_PAGES;

	CHECK(gig_hosted_pages(start >> GIGANTIC_ORDER) == FREE_GIG_HOSTED_PAGES,
	      "hosted 1 GiB range %#lx: %u pages counted hosted", start,
	      gig_hosted_pages(start >> GIGANTIC_ORDER));
	for (unsigned long pfn = end - FREE_GIG_HOSTED_PAGES; pfn < end; pfn++) {
		struct page *p = pfn_to_page(pfn);

		CHECK(p->flags == BIT(PG_reserved) && page_ref_count(p) == 1,
		      "hosted 1 GiB range %#lx: memmap page %#lx has flags %#lx refcount %d",
		      start, pfn, p->flags, page_ref_count(p));
	}
	return vmemmap_free_range_check(pfn_to_page(start), true, msg);
}

static int check_one(unsigned long gig, unsigned long *formed, unsigned long *hosted,
		     struct errmsg *msg)
{
	unsigned long start = gig << GIGANTIC_ORDER;
	enum free_gigantic_state s = free_gigantic_state(gig);
	struct page *head;

	if (s == FREE_GIG_NONE) {
		CHECK(!gig_hosted_pages(gig), "1 GiB range %lu: not hosted, %u pages counted hosted",
		      gig, gig_hosted_pages(gig));
		CHECK(!pfn_valid(start) || !PageFreeGigantic(pfn_to_page(start)),
		      "1 GiB range %lu: head says free range, state none", gig);
		return 0;
	}
	CHECK(pfn_valid(start), "1 GiB range %lu: state %d without a memmap", gig, s);
	head = pfn_to_page(start);
	if (s == FREE_GIG_HOSTED) {
		(*hosted)++;
		return check_hosted(start, msg);
	}
	(*formed)++;
	CHECK(head->flags == BIT(PG_free_gigantic) && !page_ref_count(head),
	      "free 1 GiB range %#lx: head flags %#lx refcount %d", start, head->flags,
	      page_ref_count(head));
	CHECK(listed(head), "free 1 GiB range %#lx: not on its zone's list", start);
	CHECK(nr_free_pages_in_gig(gig) == GIGANTIC_NR_PAGES,
	      "free 1 GiB range %#lx: the buddy counts %lu free pages in it", start,
	      nr_free_pages_in_gig(gig));
	for (unsigned int i = 1; i < TAILS_PER_VMEMMAP_PAGE; i++)
		CHECK(head[i].flags == 0 && head[i].compound_info ==
		      compound_info_for_order(HVO_ORDER_1G) && !head[i].private,
		      "free 1 GiB range %#lx: struct page %u is not a pristine tail", start, i);
	return vmemmap_free_range_check(head, false, msg);
}

int free_gigantic_check(struct errmsg *msg)
{
	unsigned long formed = 0, hosted = 0, listed_ranges = 0;
	unsigned long flags = lock_all_zones();
	int ret = 0;

	for (unsigned long gig = 0; gig < NR_COUNTED_GIGS && !ret; gig++)
		if ((gig << GIGANTIC_ORDER) < max_pfn)
			ret = check_one(gig, &formed, &hosted, msg);
	for (int zi = 0; zi < MAX_NR_ZONES; zi++)
		listed_ranges += zones[zi].nr_free_gigantic;
	unlock_all_zones(flags);
	if (ret)
		return ret;
	CHECK(formed == listed_ranges && formed == free_gigantic_nr_formed(),
	      "%lu free 1 GiB ranges formed, %lu listed, %lu counted", formed, listed_ranges,
	      free_gigantic_nr_formed());
	CHECK(hosted == free_gigantic_nr_hosted(), "%lu 1 GiB ranges hosted, %lu counted", hosted,
	      free_gigantic_nr_hosted());
	return 0;
}
