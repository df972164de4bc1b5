// SPDX-License-Identifier: MIT
/* HVO's checker: the vmemmap of a huge page is in the shape its state says. */
#include "mm/debug/check.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"

/* The PMD entry that maps vmemmap address va (the tables exist: it allocates none). */
static pteval_t *vmemmap_pmd(unsigned long va)
{
	return kernel_walk_alloc(va, PG_LEVEL_2M);
}

static int check_tail_page(phys_addr_t pa, unsigned int order, struct errmsg *msg)
{
	const struct page *p = __va(pa);
	unsigned long info = compound_info_for_order(order);

	for (unsigned int i = 0; i < TAILS_PER_VMEMMAP_PAGE; i++) {
		CHECK(p[i].flags == 0 && p[i].compound_info == info && p[i].__tail_pad == 0 &&
		      p[i].private == 0 && p[i].data[0] == 0 && p[i].data[1] == 0 &&
		      p[i]._mapcount == 0 && p[i]._refcount == 0 && p[i].index == 0,
		      "shared order-%u tail page: struct page %u is not a pristine tail", order, i);
	}
	return 0;
}

static int check_2m_shape(struct page *head, struct errmsg *msg)
{
	unsigned long va = (unsigned long)head;
	pteval_t *pmd = vmemmap_pmd(va);
	pteval_t *table;
	unsigned int idx = pte_index(va);

	CHECK(pmd && entry_present(*pmd) && !(*pmd & _PAGE_PSE),
	      "pfn %#lx: optimized, but its vmemmap PMD is not a PTE table", page_to_pfn(head));
	table = entry_table(*pmd);
	CHECK(entry_present(table[idx]) && (table[idx] & _PAGE_RW) &&
	      entry_phys(table[idx]) != vmemmap_shared_tail_phys(HVO_ORDER_2M),
	      "pfn %#lx: head vmemmap page is not its own RW page", page_to_pfn(head));
	for (unsigned int i = 1; i < VMEMMAP_PAGES_2M; i++)
		CHECK(table[idx + i] == vmemmap_tail_pte(HVO_ORDER_2M),
		      "pfn %#lx: vmemmap PTE %u is %#lx, not the RO shared tail",
		      page_to_pfn(head), i, (unsigned long)table[idx + i]);
	return 0;
}

static int check_1g_shape(struct page *head, struct errmsg *msg)
{
	unsigned long va = (unsigned long)head;
	pteval_t *pmd0 = vmemmap_pmd(va);
	pteval_t *table;

	CHECK(pmd0 && entry_present(*pmd0) && !(*pmd0 & _PAGE_PSE),
	      "1G pfn %#lx: PMD 0 is not a PTE table", page_to_pfn(head));
	table = entry_table(*pmd0);
	CHECK(__pa(table) != vmemmap_all_tail_table_phys() && (table[0] & _PAGE_RW) &&
	      entry_phys(table[0]) != vmemmap_shared_tail_phys(HVO_ORDER_1G),
	      "1G pfn %#lx: PTE 0 is not its own RW head page", page_to_pfn(head));
	for (unsigned int i = 1; i < PTRS_PER_TABLE; i++)
		CHECK(table[i] == vmemmap_tail_pte(HVO_ORDER_1G),
		      "1G pfn %#lx: PMD 0 PTE %u is not the RO shared tail", page_to_pfn(head), i);
	for (unsigned int i = 1; i < GIGANTIC_PMDS; i++) {
		pteval_t *pmd = vmemmap_pmd(va + i * PMD_SIZE);

		CHECK(pmd && entry_phys(*pmd) == vmemmap_all_tail_table_phys() && !(*pmd & _PAGE_PSE),
		      "1G pfn %#lx: PMD %u is not the all-tail table", page_to_pfn(head), i);
	}
	return 0;
}

/* An unoptimized page: no vmemmap PTE of it maps a shared tail. */
static int check_plain_shape(struct page *head, unsigned int order, struct errmsg *msg)
{
	unsigned long va = (unsigned long)head;
	unsigned long end = va + ((1UL << order) * sizeof(struct page));

	for (; va < end; va += PAGE_SIZE) {
		phys_addr_t pa = kernel_virt_to_phys(va);

		CHECK(pa != ~0ULL && (pa & PAGE_MASK) != vmemmap_shared_tail_phys(HVO_ORDER_2M) &&
		      (pa & PAGE_MASK) != vmemmap_shared_tail_phys(HVO_ORDER_1G),
		      "pfn %#lx: unoptimized page maps a shared tail at %#lx",
		      page_to_pfn(head), va);
	}
	return 0;
}

int vmemmap_shared_tails_check(struct errmsg *msg)
{
	int ret;

	ret = check_tail_page(vmemmap_shared_tail_phys(HVO_ORDER_2M), HVO_ORDER_2M, msg);
	if (!ret)
		ret = check_tail_page(vmemmap_shared_tail_phys(HVO_ORDER_1G), HVO_ORDER_1G, msg);
	return ret;
}

int hugetlb_vmemmap_check(struct page *head, unsigned int order, struct errmsg *msg)
{
	int ret = vmemmap_shared_tails_check(msg);

	if (ret)
		return ret;
	if (!PageVmemmapOptimized(head))
		return check_plain_shape(head, order, msg);
	if (order == HVO_ORDER_1G)
		return check_1g_shape(head, msg);
	return check_2m_shape(head, msg);
}

/* A free 1 GiB range: formed, the 1 GiB shape; hosted, PMD leaves onto its own last 16 MiB. */
int vmemmap_free_range_check(struct page *head, bool hosted, struct errmsg *msg)
{
	unsigned long va = (unsigned long)head, pfn = page_to_pfn(head);
	unsigned long first = pfn + (1UL << HVO_ORDER_1G) - GIGANTIC_PMDS * PTRS_PER_TABLE;

	if (!hosted)
		return check_1g_shape(head, msg);
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		pteval_t *pmd = vmemmap_pmd(va + i * PMD_SIZE);

		CHECK(pmd && entry_present(*pmd) && (*pmd & _PAGE_PSE) &&
		      entry_phys(*pmd) == PFN_PHYS(first + i * PTRS_PER_TABLE),
		      "hosted 1 GiB range %#lx: PMD %u does not map its own pfn %#lx", pfn, i,
		      first + i * PTRS_PER_TABLE);
	}
	return 0;
}
