// SPDX-License-Identifier: MIT
/*
 * The buddy allocator's invariant checker: free lists, per-CPU lists and
 * the memmap agree with each other and with the zone counters.
 */
#include "mm/debug/check.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_gig.h"
#include "mm/sparse.h"
#include "kernel/traps.h"
#include "libc/string.h"

/* Free 1 GiB ranges: whole ranges of the zone, headed as such, counted. */
static int check_ranges(struct zone *z, int zi, struct errmsg *msg)
{
	unsigned long n = 0;
	struct page *head;

	list_for_each_entry(head, &z->free_gigantic, lru) {
		unsigned long pfn = page_to_pfn(head);

		CHECK(!(pfn % GIGANTIC_NR_PAGES) && (int)pfn_zone_idx(pfn) == zi &&
		      (int)pfn_zone_idx(pfn + GIGANTIC_NR_PAGES - 1) == zi,
		      "zone %s: free 1 GiB range at pfn %#lx not aligned or not the zone's", z->name, pfn);
		CHECK(head->flags == BIT(PG_free_gigantic) && !page_ref_count(head),
		      "free 1 GiB range %#lx: head flags %#lx refcount %d", pfn, head->flags,
		      page_ref_count(head));
		n++;
	}
	CHECK(n == z->nr_free_gigantic, "zone %s: %lu free 1 GiB ranges listed, %lu counted",
	      z->name, n, z->nr_free_gigantic);
	return 0;
}

static int check_free_lists(struct zone *z, int zi, struct errmsg *msg,
			    unsigned long *nr_blocks)
{
	unsigned long pages = 0;

	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		unsigned long blocks = 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct page *page;

			list_for_each_entry(page, &z->free_area[o].free_list[mt], lru) {
				unsigned long pfn = page_to_pfn(page);
				unsigned long buddy = pfn ^ (1UL << o);

				CHECK(PageBuddy(page), "zone %s order %u: pfn %#lx on free list without PG_buddy", z->name, o, pfn);
				CHECK(page->private == o, "pfn %#lx on order-%u list has order %lu", pfn, o, page->private);
				CHECK(!(pfn & ((1UL << o) - 1)), "pfn %#lx not aligned to order %u", pfn, o);
				CHECK((int)pfn_zone_idx(pfn) == zi && (int)pfn_zone_idx(pfn + (1UL << o) - 1) == zi,
				      "pfn %#lx order %u outside zone %s", pfn, o, z->name);
				CHECK(pfn_online(pfn), "free pfn %#lx in no online section", pfn);
				CHECK(!PageReserved(page) && !PagePcp(page) && !PageTail(page),
				      "free pfn %#lx has flags %#lx", pfn, page->flags);
				CHECK(o == MAX_ORDER || !page_is_buddy(buddy, o, zi) ||
				      get_pageblock_migratetype(pfn) == MIGRATE_ISOLATE ||
				      get_pageblock_migratetype(buddy) == MIGRATE_ISOLATE,
				      "pfn %#lx and its buddy %#lx are both free at order %u (not merged)", pfn, buddy, o);
				blocks++;
				pages += 1UL << o;
			}
		}
		CHECK(blocks == z->free_area[o].nr_free, "zone %s order %u: %lu blocks on lists, nr_free %lu",
		      z->name, o, blocks, z->free_area[o].nr_free);
		*nr_blocks += blocks;
	}
	pages += z->nr_free_gigantic * GIGANTIC_NR_PAGES;
	CHECK(pages == z->free_pages, "zone %s: %lu pages on free lists and ranges, free_pages %lu",
	      z->name, pages, z->free_pages);
	return check_ranges(z, zi, msg);
}

static int check_pcp(struct zone *z, unsigned int cpu, struct errmsg *msg)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	unsigned long n = 0;

	for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
		struct page *page;

		list_for_each_entry(page, &pcp->lists[mt], lru) {
			CHECK(PagePcp(page) && !PageBuddy(page),
			      "cpu %u pcp page pfn %#lx has flags %#lx", cpu, page_to_pfn(page), page->flags);
			n++;
		}
	}
	CHECK(n == pcp->count, "zone %s cpu %u: %lu pages on pcp lists, count %u", z->name, cpu, n,
	      pcp->count);
	CHECK(pcp->count < pcp->high, "zone %s cpu %u: pcp count %u not below high %u",
	      z->name, cpu, pcp->count, pcp->high);
	return 0;
}

static unsigned long gig_seen[NR_COUNTED_GIGS];	/* under every zone lock */

static void count_gig(unsigned long pfn, unsigned int order)
{
	if ((pfn >> GIG_PFN_SHIFT) < NR_COUNTED_GIGS)
		gig_seen[pfn >> GIG_PFN_SHIFT] += 1UL << order;
}

/* The free pages counted per 1 GiB range are those the memmap shows free. */
static int check_gigs(struct errmsg *msg)
{
	for (unsigned long g = 0; g < NR_COUNTED_GIGS; g++)
		CHECK(gig_seen[g] == nr_free_pages_in_gig(g),
		      "GiB %lu: %lu free pages in the memmap, %lu counted", g, gig_seen[g],
		      nr_free_pages_in_gig(g));
	return 0;
}

/*
 * Walk the memmap of every online section: each PG_buddy page heads a
 * block whose other pages carry no free-state flags, and the number of
 * such heads equals the blocks on the lists.
 */
static int check_memmap(struct errmsg *msg, unsigned long *nr_heads)
{
	memset(gig_seen, 0, sizeof(gig_seen));
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		unsigned long pfn = section_nr_to_pfn(nr);
		unsigned long end = pfn + PAGES_PER_SECTION;

		if (!(mem_section[nr].flags & SECTION_ONLINE))
			continue;
		while (pfn < end) {
			struct page *page = pfn_to_page(pfn);

			/* A free range's tails are shared (mm/debug/free_gigantic_check.c). */
			if (PageFreeGigantic(page)) {
				count_gig(pfn, GIGANTIC_ORDER);
				nr = pfn_to_section_nr(pfn + GIGANTIC_NR_PAGES) - 1;
				break;
			}
			if (PageBuddy(page)) {
				unsigned long o = page->private;

				CHECK(o <= MAX_ORDER, "pfn %#lx: free block order %lu", pfn, o);
				for (unsigned long i = 1; i < (1UL << o); i++)
					CHECK(!(page[i].flags & (BIT(PG_buddy) | BIT(PG_pcp))) &&
					      !page[i].private,
					      "pfn %#lx inside free block %#lx has flags %#lx, private %#lx",
					      pfn + i, pfn, page[i].flags, page[i].private);
				(*nr_heads)++;
				count_gig(pfn, o);
				pfn += 1UL << o;
				continue;
			}
			CHECK(page_ref_count(page) >= 0, "pfn %#lx: refcount %d", pfn, page_ref_count(page));
			pfn++;
		}
	}
	return 0;
}

int page_alloc_check(struct errmsg *msg)
{
	unsigned long blocks = 0, heads = 0, managed = 0;
	/* Other CPUs' per-CPU lists are read as they are: call it with them quiet. */
	unsigned long flags = lock_all_zones();
	int ret = 0;

	for (int zi = 0; zi < MAX_NR_ZONES && !ret; zi++) {
		ret = check_free_lists(&zones[zi], zi, msg, &blocks);
		for (unsigned int cpu = 0; cpu < NR_CPUS && !ret; cpu++)
			ret = check_pcp(&zones[zi], cpu, msg);
		managed += zones[zi].managed_pages;
	}
	if (!ret)
		ret = check_memmap(msg, &heads);
	if (!ret)
		ret = check_gigs(msg);
	unlock_all_zones(flags);
	if (ret)
		return ret;
	CHECK(heads == blocks, "%lu free block heads in the memmap, %lu on the lists", heads, blocks);
	CHECK(nr_free_pages() <= managed, "free %lu > managed %lu", nr_free_pages(), managed);
	return 0;
}
