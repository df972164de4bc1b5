// SPDX-License-Identifier: MIT
/*
 * Device-dax's invariant checker: every region's memmap has the shape its
 * alignment says (mm/devdax.c), the accounting adds up, and the section
 * state is exactly what the regions cover.
 */
#include "mm/debug/check.h"
#include "mm/devdax.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"

#define STRUCT_PAGES_PER_PAGE	(PAGE_SIZE / sizeof(struct page))	/* 64 */

/* HVO's shared tail pages and its all-tail table, on which regions build. */
static int check_shared(struct errmsg *msg)
{
	const pteval_t *all = __va(vmemmap_all_tail_table_phys());
	int ret = vmemmap_shared_tails_check(msg);

	if (ret)
		return ret;
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		CHECK(all[i] == vmemmap_tail_pte(HVO_ORDER_1G), "all-tail table entry %u is %#llx", i,
		      (unsigned long long)all[i]);
	return 0;
}

/* The vmemmap page at va maps a page of its own, read-write. */
static int check_own_page(unsigned long va, struct errmsg *msg)
{
	enum pg_level level;
	pteval_t *e = kernel_lookup(va, &level);

	CHECK(e && (*e & _PAGE_RW), "vmemmap %#lx: not mapped read-write", va);
	CHECK(!vmemmap_is_shared_tail(entry_phys(*e)), "vmemmap %#lx: maps a shared tail page", va);
	return 0;
}

static int check_compound(struct page *head, unsigned int order, struct errmsg *msg)
{
	unsigned long n = 1UL << order;

	CHECK(PageHead(head) && PageDevice(head) && PageVmemmapOptimized(head) && !PageTail(head),
	      "pfn %#lx: head flags %#lx", page_to_pfn(head), head->flags);
	CHECK(compound_order(head) == order, "pfn %#lx: order %u, not %u", page_to_pfn(head),
	      compound_order(head), order);
	/* Every vmemmap page's worth: its first and last struct page. */
	for (unsigned long i = 0; i < n; i += STRUCT_PAGES_PER_PAGE) {
		unsigned long last = i + STRUCT_PAGES_PER_PAGE - 1;

		CHECK(!i || (compound_head(head + i) == head && PageTail(head + i)),
		      "compound_head(pfn %#lx) is not pfn %#lx", page_to_pfn(head) + i,
		      page_to_pfn(head));
		CHECK(compound_head(head + last) == head && PageTail(head + last),
		      "compound_head(pfn %#lx) is not pfn %#lx", page_to_pfn(head) + last,
		      page_to_pfn(head));
	}
	return 0;
}

static int check_2m_unit(unsigned long pfn, struct errmsg *msg)
{
	struct page *head = pfn_to_page(pfn);
	unsigned long va = (unsigned long)head;
	int ret = check_own_page(va, msg);

	if (ret)
		return ret;
	for (unsigned int i = 1; i < VMEMMAP_PAGES_2M; i++) {
		enum pg_level level;
		pteval_t *e = kernel_lookup(va + i * PAGE_SIZE, &level);

		CHECK(e && level == PG_LEVEL_4K && *e == vmemmap_tail_pte(HVO_ORDER_2M),
		      "2M pfn %#lx: vmemmap page %u is not the RO shared tail", pfn, i);
	}
	return check_compound(head, HVO_ORDER_2M, msg);
}

static int check_1g_unit(unsigned long pfn, struct errmsg *msg)
{
	struct page *head = pfn_to_page(pfn);
	unsigned long va = (unsigned long)head;
	pteval_t *pmd = kernel_walk(va, PG_LEVEL_2M);
	pteval_t *table;

	CHECK(pmd && entry_present(*pmd) && !(*pmd & _PAGE_PSE) && !vmemmap_pmd_is_all_tail(*pmd),
	      "1G pfn %#lx: PMD 0 is not a table of its own", pfn);
	table = entry_table(*pmd);
	CHECK(virt_to_page(table)->pt_count == PTRS_PER_TABLE, "1G pfn %#lx: PMD 0 table count %u",
	      pfn, virt_to_page(table)->pt_count);
	CHECK((table[0] & _PAGE_RW) && !vmemmap_is_shared_tail(entry_phys(table[0])),
	      "1G pfn %#lx: PTE 0 is not its own RW head page", pfn);
	for (unsigned int i = 1; i < PTRS_PER_TABLE; i++)
		CHECK(table[i] == vmemmap_tail_pte(HVO_ORDER_1G),
		      "1G pfn %#lx: PMD 0 PTE %u is not the RO shared tail", pfn, i);
	for (unsigned int i = 1; i < GIGANTIC_PMDS; i++)
		CHECK(vmemmap_pmd_is_all_tail(pmd[i]), "1G pfn %#lx: PMD %u is not the all-tail table", pfn, i);
	return check_compound(head, HVO_ORDER_1G, msg);
}

/* A 4 KiB aligned subsection: 8 own pages (or part of a PMD leaf) of plain pages. */
static int check_4k_unit(unsigned long pfn, struct errmsg *msg)
{
	unsigned long va = (unsigned long)pfn_to_page(pfn);

	for (unsigned int i = 0; i < VMEMMAP_PAGES_2M; i++) {
		struct page *p = (struct page *)(va + i * PAGE_SIZE);
		int ret = check_own_page(va + i * PAGE_SIZE, msg);

		if (ret)
			return ret;
		CHECK(PageDevice(p) && !PageCompound(p) && compound_head(p) == p,
		      "4k pfn %#lx: flags %#lx", page_to_pfn(p), p->flags);
	}
	return 0;
}

static unsigned long expected_vmemmap_pages(const struct dax_region *r)
{
	if (r->order == HVO_ORDER_1G)
		return 2 * (r->nr_pages >> HVO_ORDER_1G);
	if (r->order == HVO_ORDER_2M)
		return r->nr_pages >> HVO_ORDER_2M;
	return r->nr_pages / STRUCT_PAGES_PER_PAGE;
}

static int check_region(const struct dax_region *r, struct errmsg *msg)
{
	unsigned long step = r->order ? 1UL << r->order : PAGES_PER_SUBSECTION;

	CHECK(IS_ALIGNED(r->start_pfn | r->nr_pages, step) && r->nr_pages,
	      "dax%u.0: range %#lx+%#lx not aligned to %#lx pages", r->id, r->start_pfn,
	      r->nr_pages, step);
	CHECK(r->vmemmap_pages == expected_vmemmap_pages(r),
	      "dax%u.0: holds %lu vmemmap pages, its shape needs %lu", r->id, r->vmemmap_pages,
	      expected_vmemmap_pages(r));
	for (unsigned long pfn = r->start_pfn; pfn < dax_region_end_pfn(r); pfn += step) {
		int ret;

		CHECK(pfn_valid(pfn) && pfn_valid(pfn + step - 1), "dax%u.0: pfn %#lx not valid",
		      r->id, pfn);
		if (r->order == HVO_ORDER_1G)
			ret = check_1g_unit(pfn, msg);
		else if (r->order == HVO_ORDER_2M)
			ret = check_2m_unit(pfn, msg);
		else
			ret = check_4k_unit(pfn, msg);
		if (ret)
			return ret;
	}
	return 0;
}

/* Section state is exactly what the regions cover; the rest is unmapped. */
static int check_sections(struct errmsg *msg)
{
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		struct mem_section *ms = &mem_section[nr];
		unsigned long first = section_nr_to_pfn(nr);
		unsigned int users = 0;
		u64 map = 0;

		for (unsigned int i = 0; i < DAX_MAX_REGIONS; i++) {
			const struct dax_region *r = dax_region_find(i);
			unsigned long s, e;

			if (!r)
				continue;
			s = max(r->start_pfn, first);
			e = min(dax_region_end_pfn(r), first + PAGES_PER_SECTION);
			if (s >= e)
				continue;
			users++;
			for (; s < e; s += PAGES_PER_SUBSECTION)
				map |= BIT(subsection_index(s));
		}
		CHECK(ms->nr_device_users == users && ms->subsection_map == map,
		      "section %lu: %u users, subsections %#llx; the regions say %u, %#llx", nr,
		      ms->nr_device_users, (unsigned long long)ms->subsection_map, users,
		      (unsigned long long)map);
		if (!(ms->flags & SECTION_DEVICE))
			continue;
		for (unsigned int i = 0; i < SUBSECTIONS_PER_SECTION; i++) {
			unsigned long va = (unsigned long)pfn_to_page(first + i * PAGES_PER_SUBSECTION);

			if (map & BIT(i))
				continue;
			for (unsigned int j = 0; j < VMEMMAP_PAGES_2M; j++)
				CHECK(kernel_virt_to_phys(va + j * PAGE_SIZE) == ~0ULL,
				      "section %lu subsection %u: no region, but its memmap is mapped",
				      nr, i);
		}
	}
	return 0;
}

int dax_check(struct errmsg *msg)
{
	unsigned long total = 0;
	int ret = check_shared(msg);

	if (ret)
		return ret;
	for (unsigned int i = 0; i < DAX_MAX_REGIONS; i++) {
		const struct dax_region *r = dax_region_find(i);

		if (!r)
			continue;
		ret = check_region(r, msg);
		if (ret)
			return ret;
		total += r->vmemmap_pages;
	}
	CHECK(total == dax_vmemmap_pages(), "regions hold %lu vmemmap pages, the total says %lu",
	      total, dax_vmemmap_pages());
	return check_sections(msg);
}
