// SPDX-License-Identifier: MIT
/*
 * The checker of free blocks kept optimized (mm/buddy_vmemmap.c): every
 * optimized free pageblock has the shape of an optimized 2 MiB page with
 * pristine tails in its head vmemmap page, every self-hosted one maps its
 * own last 7 pages, and the counts (global, per section) agree.
 */
#include "mm/debug/check.h"
#include "mm/buddy_vmemmap.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_memmap.h"
#include "mm/sparse.h"
#include "kernel/traps.h"

#define TAIL_PAGES	MEMMAP_SELF_PAGES
#define HEAD_TAILS	(TAILS_PER_VMEMMAP_PAGE - 1)

static unsigned long seen_optimized, seen_self_hosted;

static int check_self_hosted(struct page *block, struct errmsg *msg)
{
	unsigned long pfn = page_to_pfn(block);
	phys_addr_t pa[TAIL_PAGES];

	CHECK(!vmemmap_tail_pages_2m(block, pa), "self-hosted pfn %#lx: memmap under a PMD leaf", pfn);
	for (unsigned int i = 0; i < TAIL_PAGES; i++) {
		struct page *p = pfn_to_page(pfn + MEMMAP_SELF_FIRST + i);

		CHECK(pa[i] == PFN_PHYS(pfn + MEMMAP_SELF_FIRST + i),
		      "self-hosted pfn %#lx: vmemmap page %u is not its page %lu", pfn, i + 1,
		      MEMMAP_SELF_FIRST + i);
		CHECK(PageReserved(p) && PageMemmap(p) && !PageBuddy(p),
		      "self-hosted pfn %#lx: memmap page %#lx has flags %#lx", pfn,
		      pfn + MEMMAP_SELF_FIRST + i, p->flags);
	}
	CHECK(!PageVmemmapOptimized(block), "self-hosted pfn %#lx is marked optimized", pfn);
	return 0;
}

static int check_optimized(struct page *block, struct errmsg *msg)
{
	unsigned long pfn = page_to_pfn(block);
	unsigned long info = compound_info_for_order(HVO_ORDER_2M);

	CHECK(pageblock_is_free(pfn) || PageHugeTLB(block),
	      "pfn %#lx: optimized pageblock neither free nor a pool page", pfn);
	if (PageHugeTLB(block))
		return 0;
	for (unsigned int i = 1; i <= HEAD_TAILS; i++)
		CHECK(block[i].flags == 0 && block[i].compound_info == info && !block[i].private,
		      "optimized free pfn %#lx: struct page %u is not a tail", pfn, i);
	return hugetlb_vmemmap_check(block, HVO_ORDER_2M, msg);
}

static struct errmsg *check_msg;

static int check_pageblock(unsigned long pfn)
{
	struct page *block = pfn_to_page(pfn);
	struct errmsg *msg = check_msg;
	int ret;

	if (pageblock_self_hosted(pfn)) {
		seen_self_hosted++;
		return check_self_hosted(block, msg);
	}
	if (!PageVmemmapOptimized(block))
		return 0;
	ret = check_optimized(block, msg);
	if (!ret && !PageHugeTLB(block))
		seen_optimized++;
	return ret;
}

static int check_sections(struct errmsg *msg)
{
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		unsigned long pfn = section_nr_to_pfn(nr), n = 0;

		if (!(mem_section[nr].flags & SECTION_ONLINE)) {
			CHECK(!mem_section[nr].nr_free_optimized,
			      "offline section %lu counts %u optimized free blocks", nr,
			      mem_section[nr].nr_free_optimized);
			continue;
		}
		for (unsigned long i = 0; i < PAGES_PER_SECTION; i += pageblock_nr_pages) {
			struct page *b = pfn_to_page(pfn + i);

			n += PageVmemmapOptimized(b) && !PageHugeTLB(b);
		}
		CHECK(n == mem_section[nr].nr_free_optimized,
		      "section %lu: %lu optimized free blocks, counted %u", nr, n,
		      mem_section[nr].nr_free_optimized);
	}
	return 0;
}

int buddy_vmemmap_check(struct errmsg *msg)
{
	unsigned long flags = local_irq_save();
	int ret;

	seen_optimized = seen_self_hosted = 0;
	check_msg = msg;
	ret = for_each_online_pageblock(check_pageblock);
	if (!ret)
		ret = check_sections(msg);
	local_irq_restore(flags);
	if (ret)
		return ret;
	CHECK(seen_optimized == buddy_vmemmap_nr_optimized(), "%lu optimized free blocks, counted %lu",
	      seen_optimized, buddy_vmemmap_nr_optimized());
	CHECK(seen_self_hosted == buddy_vmemmap_nr_self_hosted(), "%lu self-hosted blocks, counted %lu",
	      seen_self_hosted, buddy_vmemmap_nr_self_hosted());
	return 0;
}
