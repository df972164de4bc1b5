// SPDX-License-Identifier: MIT
/* The hugetlb pools' invariant checker (hugetlb_check). */
#include "mm/debug/check.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"

static int check_huge_page(struct hstate *h, struct page *head, bool free, struct errmsg *msg)
{
	unsigned long pfn = page_to_pfn(head);
	unsigned long step;

	CHECK(PageHead(head) && PageHugeTLB(head) && !PageTail(head),
	      "%s: pfn %#lx flags %#lx", h->name, pfn, head->flags);
	CHECK(compound_order(head) == h->order, "%s: pfn %#lx order %u", h->name, pfn,
	      compound_order(head));
	CHECK(!(pfn & ((1UL << h->order) - 1)), "%s: pfn %#lx misaligned", h->name, pfn);
	CHECK(free ? head->_refcount == 0 : head->_refcount > 0, "%s: pfn %#lx refcount %d on %s list",
	      h->name, pfn, head->_refcount, free ? "free" : "active");
	/* Every tail of a 2 MiB page; one per vmemmap page of a 1 GiB page. */
	step = h->order == HVO_ORDER_1G ? 64 : 1;
	for (unsigned long i = 1; i < (1UL << h->order); i = step == 1 ? i + 1 : ALIGN(i + 1, step))
		CHECK(compound_head(head + i) == head && PageTail(head + i),
		      "%s: compound_head(pfn %#lx) is not pfn %#lx", h->name, pfn + i, pfn);
	return hugetlb_vmemmap_check(head, h->order, msg);
}

static int check_hstate(struct hstate *h, unsigned long *optimized, struct errmsg *msg)
{
	unsigned long nfree = 0, nactive = 0, npoisoned = 0;
	struct page *head;
	int ret;

	list_for_each_entry(head, &h->hugepage_freelist, lru) {
		ret = check_huge_page(h, head, true, msg);
		if (ret)
			return ret;
		nfree++;
		npoisoned += huge_page_hwpoisoned(head);
		*optimized += PageVmemmapOptimized(head) ? (h->order == HVO_ORDER_1G ? 8 : 1) : 0;
	}
	list_for_each_entry(head, &h->hugepage_activelist, lru) {
		ret = check_huge_page(h, head, false, msg);
		if (ret)
			return ret;
		nactive++;
		*optimized += PageVmemmapOptimized(head) ? (h->order == HVO_ORDER_1G ? 8 : 1) : 0;
	}
	CHECK(nfree == h->free_huge_pages, "%s: %lu on free list, free_huge_pages %lu",
	      h->name, nfree, h->free_huge_pages);
	CHECK(nfree + nactive == h->nr_huge_pages, "%s: %lu pages on lists, nr_huge_pages %lu",
	      h->name, nfree + nactive, h->nr_huge_pages);
	CHECK(npoisoned == h->free_hwpoisoned_huge_pages,
	      "%s: %lu poisoned pages on the free list, counted %lu", h->name, npoisoned,
	      h->free_hwpoisoned_huge_pages);
	/* A poisoned page is never handed out: it cannot cover a reservation. */
	CHECK(h->resv_huge_pages + npoisoned <= h->free_huge_pages,
	      "%s: resv %lu + poisoned %lu > free %lu", h->name, h->resv_huge_pages, npoisoned,
	      h->free_huge_pages);
	CHECK(h->surplus_huge_pages <= h->nr_huge_pages, "%s: surplus %lu > nr %lu", h->name,
	      h->surplus_huge_pages, h->nr_huge_pages);
	return 0;
}

int hugetlb_check(struct errmsg *msg)
{
	unsigned long optimized = 0, in_sections = 0;
	int ret;

	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		ret = check_hstate(&hstates[i], &optimized, msg);
		if (ret)
			return ret;
	}
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		struct mem_section *ms = &mem_section[nr];

		in_sections += ms->nr_optimized;
		if (!(ms->flags & SECTION_HAS_MEMMAP))
			continue;
		CHECK(kernel_virt_to_phys(section_vmemmap(nr)) != ~0ULL,
		      "section %lu: has a memmap, but its first page is unmapped", nr);
	}
	CHECK(in_sections == optimized, "sections count %lu optimized pages, pools %lu",
	      in_sections, optimized);
	return 0;
}
