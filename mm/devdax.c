// SPDX-License-Identifier: MIT
/*
 * Device-dax regions with a deduplicated memmap: Joao Martins' compound
 * devmaps (seed 002, Linux's vmemmap_populate_compound_pages()), taken as
 * far as HVO goes (mm/hugetlb_vmemmap.c).
 *
 * Device memory has no memmap at boot. Creating a region populates the
 * struct pages of its range. With 2 MiB or 1 GiB alignment its pages are
 * compound pages, and every tail struct page of one order is the same
 * bytes whichever page it belongs to (mm/page.h), so the memmap is built
 * already deduplicated: nothing is remapped, no tail is ever written. The
 * shared pieces are HVO's own: the read-only tail page of each order and
 * the all-tail PTE table.
 *
 * With 2 MiB alignment a compound page keeps 1 of its 8 vmemmap pages
 * (the head page, RW; pages 1..7 map the shared tail page of order 9); with
 * 1 GiB alignment it keeps 2 of 4096 (the head page and PMD 0's PTE table;
 * PMDs 1..7 point at the all-tail table). The diagrams are in
 * mm/hugetlb_vmemmap.c: the shapes are exactly HVO's.
 *
 * align 4 KiB: a plain memmap, no compound pages: 8 own pages per 2 MiB,
 * and a section the region covers whole gets one 2 MiB block under a PMD
 * leaf, as at boot.
 *
 * Seed 002 keeps 2 of the 8 pages per 2 MiB (its tails point at their
 * head, so only the second page's tails can be shared) and 2 pages plus
 * 8 PTE tables per 1 GiB; here tails are identical across pages, so 1
 * page per 2 MiB and, with the all-tail table, 2 pages per 1 GiB.
 * vmemmap_bytes() counts what HVO counts: pages holding a region's own
 * struct pages, plus the PTE table private to a 1 GiB page; the shared
 * tail pages and the all-tail table are never counted per region.
 *
 * Regions start and end on 2 MiB boundaries (Linux's memmap subsections):
 * the unit of a device memmap is 8 vmemmap PTEs, and the section records
 * which of its 64 subsections have struct pages (pfn_valid()). Two
 * regions can share a section and a vmemmap PTE table, which goes when
 * its last entry does.
 *
 * Populate allocates a unit's memory before it maps anything of it, so a
 * failure leaves whole units behind; those are undone by the same walk
 * that destroys a region. That walk follows the page tables as it finds
 * them: clear, flush, then free what was unmapped, and every vmemmap PTE
 * or PMD table left empty (kernel_unmap_range()).
 */
#include "mm/devdax.h"
#include "mm/e820.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define STRUCT_PAGES_PER_PAGE	(PAGE_SIZE / sizeof(struct page))	/* 64 */
#define UNMAP_CHUNK		64	/* vmemmap pages per unmap and flush */

static struct dax_region regions[DAX_MAX_REGIONS];
static unsigned long nr_vmemmap_pages;
unsigned long dax_vmemmap_pages(void)
{
	return nr_vmemmap_pages;
}

unsigned int dax_nr_regions(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < DAX_MAX_REGIONS; i++)
		n += regions[i].active;
	return n;
}

struct dax_region *dax_region_find(unsigned int id)
{
	if (id >= DAX_MAX_REGIONS || !regions[id].active)
		return NULL;
	return &regions[id];
}

struct dax_region *dax_region_of_pfn(unsigned long pfn)
{
	for (unsigned int i = 0; i < DAX_MAX_REGIONS; i++) {
		struct dax_region *r = &regions[i];

		if (r->active && pfn >= r->start_pfn && pfn < dax_region_end_pfn(r))
			return r;
	}
	return NULL;
}

struct dax_region *dax_region_get(unsigned int id)
{
	struct dax_region *r = dax_region_find(id);

	if (r)
		r->users++;
	return r;
}

void dax_region_put(struct dax_region *r)
{
	BUG_ON(!r->users);
	r->users--;
}

const char *dax_align_name(unsigned int order)
{
	return order == HVO_ORDER_1G ? "1g" : order == HVO_ORDER_2M ? "2m" : "4k";
}

static void account(struct dax_region *r, long pages)
{
	r->vmemmap_pages += pages;
	nr_vmemmap_pages += pages;
	vmemmap_account(pages);
}

/* Entries. */

static pteval_t own_pte(phys_addr_t pa)
{
	return pa | (PAGE_KERNEL & __supported_pte_mask);
}

/* Struct pages, written through the direct map before they are mapped. */

/* Head vmemmap page of a compound device page: the head and tails 1..63. */
static void write_head_page(struct page *p, unsigned int order)
{
	unsigned long info = compound_info_for_order(order);

	memset(p, 0, PAGE_SIZE);
	p->flags = BIT(PG_head) | BIT(PG_device) | BIT(PG_reserved) |
		   BIT(PG_vmemmap_optimized);
	for (unsigned int i = 1; i < STRUCT_PAGES_PER_PAGE; i++)
		p[i].compound_info = info;
	p[1].private = order;		/* compound_order() */
}

/* Device pages are never the buddy's: reserved, as Linux's ZONE_DEVICE. */
static void init_plain_pages(struct page *p, unsigned long n)
{
	memset(p, 0, n * sizeof(*p));
	for (unsigned long i = 0; i < n; i++)
		p[i].flags = BIT(PG_device) | BIT(PG_reserved);
}

/*
 * Populate. Every unit allocates its memory first and maps it only when it
 * has all of it: on failure nothing of the unit stays. New entries over
 * empty ones need no TLB flush (not-present entries are never cached).
 */

static int populate_2m(struct dax_region *r, unsigned long pfn)
{
	unsigned long va = (unsigned long)pfn_to_page(pfn);
	struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	int ret;

	if (!page)
		return -ENOMEM;
	write_head_page(page_address(page), HVO_ORDER_2M);
	ret = kernel_map_page(va, page_to_phys(page), PAGE_SIZE, PAGE_KERNEL);
	if (ret) {
		__free_page(page);
		return ret;
	}
	/* Same PTE table as page 0, which now exists: these cannot fail. */
	for (unsigned int i = 1; i < VMEMMAP_PAGES_2M; i++)
		BUG_ON(kernel_map_page(va + i * PAGE_SIZE, vmemmap_shared_tail_phys(HVO_ORDER_2M),
				       PAGE_SIZE, PAGE_KERNEL_RO));
	account(r, 1);
	return 0;
}

static int populate_1g(struct dax_region *r, unsigned long pfn)
{
	unsigned long va = (unsigned long)pfn_to_page(pfn);
	struct page *head = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	pteval_t *table, *pmd;

	if (!head)
		return -ENOMEM;
	table = pgtable_alloc(PG_LEVEL_4K);
	if (!table)
		goto free_head;
	/* The 8 PMDs of a 16 MiB aligned piece of vmemmap share one PMD table. */
	pmd = kernel_walk_alloc(va, PG_LEVEL_2M);
	if (!pmd)
		goto free_table;
	write_head_page(page_address(head), HVO_ORDER_1G);
	set_entry(table, 0, own_pte(page_to_phys(head)));
	for (unsigned int i = 1; i < PTRS_PER_TABLE; i++)
		set_entry(table, i, vmemmap_tail_pte(HVO_ORDER_1G));
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++)
		BUG_ON(entry_present(pmd[i]));
	set_entry_ptr(pmd, __pa(table) | _KERNPG_TABLE);
	for (unsigned int i = 1; i < GIGANTIC_PMDS; i++)
		set_entry_ptr(pmd + i, vmemmap_all_tail_table_phys() | _KERNPG_TABLE);
	account(r, 2);
	return 0;

free_table:
	pgtable_free(table);
free_head:
	__free_page(head);
	return -ENOMEM;
}

/* A whole section, 4 KiB aligned: one 2 MiB block under a PMD leaf. */
static int populate_4k_section(struct dax_region *r, unsigned long pfn)
{
	unsigned long va = (unsigned long)pfn_to_page(pfn);
	struct page *block = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY,
					 pageblock_order);

	if (!block)
		return -ENOMEM;
	init_plain_pages(page_address(block), PAGES_PER_SECTION);
	if (kernel_map_page(va, page_to_phys(block), PMD_SIZE, PAGE_KERNEL)) {
		free_pages(block, pageblock_order);
		return -ENOMEM;
	}
	account(r, PTRS_PER_TABLE);
	return 0;
}

/* One subsection, 4 KiB aligned: 8 pages of its own. */
static int populate_4k(struct dax_region *r, unsigned long pfn)
{
	unsigned long va = (unsigned long)pfn_to_page(pfn);
	struct page *pages[VMEMMAP_PAGES_2M];
	unsigned int i, n;

	for (n = 0; n < VMEMMAP_PAGES_2M; n++) {
		pages[n] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!pages[n])
			goto free;
		init_plain_pages(page_address(pages[n]), STRUCT_PAGES_PER_PAGE);
	}
	for (i = 0; i < VMEMMAP_PAGES_2M; i++) {
		if (kernel_map_page(va + i * PAGE_SIZE, page_to_phys(pages[i]),
				    PAGE_SIZE, PAGE_KERNEL))
			break;
	}
	if (i < VMEMMAP_PAGES_2M) {
		/* Only the first can fail (its tables): nothing is mapped. */
		BUG_ON(i);
		goto free;
	}
	account(r, VMEMMAP_PAGES_2M);
	return 0;
free:
	while (n--)
		__free_page(pages[n]);
	return -ENOMEM;
}

/* Populate the unit at pfn; *step is how many pfns it covers. */
static int populate_unit(struct dax_region *r, unsigned long pfn, unsigned long *step)
{
	unsigned long end = dax_region_end_pfn(r);

	switch (r->order) {
	case HVO_ORDER_1G:
		*step = 1UL << HVO_ORDER_1G;
		return populate_1g(r, pfn);
	case HVO_ORDER_2M:
		*step = 1UL << HVO_ORDER_2M;
		return populate_2m(r, pfn);
	}
	if (IS_ALIGNED(pfn, PAGES_PER_SECTION) && end - pfn >= PAGES_PER_SECTION &&
	    !populate_4k_section(r, pfn)) {
		*step = PAGES_PER_SECTION;
		return 0;
	}
	/* No 2 MiB block (or not a whole section): page by page. */
	*step = PAGES_PER_SUBSECTION;
	return populate_4k(r, pfn);
}

/* Depopulate. */

/*
 * Up to UNMAP_CHUNK vmemmap PTEs: note the pages they map, unmap (which
 * flushes and frees the tables left empty), then free the pages. Returns
 * how many pages were freed.
 */
static unsigned long depopulate_ptes(unsigned long va, unsigned long end)
{
	phys_addr_t own[UNMAP_CHUNK];
	unsigned int n = 0;

	for (unsigned long a = va; a < end; a += PAGE_SIZE) {
		enum pg_level level;
		pteval_t *e = kernel_lookup(a, &level);

		if (!e)
			continue;
		BUG_ON(level != PG_LEVEL_4K);
		if (!vmemmap_is_shared_tail(entry_phys(*e)))
			own[n++] = entry_phys(*e);
	}
	kernel_unmap_range(va, end - va);
	for (unsigned int i = 0; i < n; i++)
		__free_page(pfn_to_page(PHYS_PFN(own[i])));
	return n;
}

/* [va, end) lies under one vmemmap PMD. Returns the pages to unaccount. */
static unsigned long depopulate_pmd(unsigned long va, unsigned long end)
{
	pteval_t *pmd = kernel_walk(va, PG_LEVEL_2M);
	unsigned long freed = 0;
	bool private_table;

	if (!pmd || !entry_present(*pmd))
		return 0;
	if (vmemmap_pmd_is_all_tail(*pmd)) {
		/* Shared: only the entry goes, and the PMD table if now empty. */
		set_entry_ptr(pmd, 0);
		kernel_unmap_range(ALIGN_DOWN(va, PMD_SIZE), PMD_SIZE);
		return 0;
	}
	if (*pmd & _PAGE_PSE) {
		struct page *block = pfn_to_page(PHYS_PFN(entry_phys(*pmd)));

		BUG_ON(!IS_ALIGNED(va, PMD_SIZE) || end - va != PMD_SIZE);
		kernel_unmap_range(va, PMD_SIZE);
		free_pages(block, pageblock_order);
		return PTRS_PER_TABLE;
	}
	/* PMD 0 of a 1 GiB page: its table is counted as memmap (as HVO's). */
	private_table = entry_table(*pmd)[1] == vmemmap_tail_pte(HVO_ORDER_1G);
	/* The table may be freed by the last chunk: look it up each time. */
	for (; va < end; va += UNMAP_CHUNK * PAGE_SIZE)
		freed += depopulate_ptes(va, min(end, va + UNMAP_CHUNK * PAGE_SIZE));
	return freed + private_table;
}

/* Whatever is mapped of the region's memmap, including a partial populate. */
static void depopulate_region(struct dax_region *r)
{
	unsigned long va = (unsigned long)pfn_to_page(r->start_pfn);
	unsigned long end = (unsigned long)pfn_to_page(dax_region_end_pfn(r));

	while (va < end) {
		unsigned long next = min(ALIGN_DOWN(va, PMD_SIZE) + PMD_SIZE, end);

		account(r, -(long)depopulate_pmd(va, next));
		va = next;
	}
}

static int populate_region(struct dax_region *r)
{
	unsigned long pfn = r->start_pfn, end = dax_region_end_pfn(r);

	while (pfn < end) {
		unsigned long step;
		int ret = populate_unit(r, pfn, &step);

		if (ret) {
			depopulate_region(r);
			BUG_ON(r->vmemmap_pages);
			return ret;
		}
		pfn += step;
	}
	return 0;
}

/* Section state: which subsections have struct pages, and who uses them. */
static void mark_sections(const struct dax_region *r, bool on)
{
	unsigned long pfn = r->start_pfn, end = dax_region_end_pfn(r);
	unsigned long last_nr = ~0UL;

	for (; pfn < end; pfn += PAGES_PER_SUBSECTION) {
		struct mem_section *ms = __pfn_to_section(pfn);
		u64 bit = BIT(subsection_index(pfn));

		if (on)
			ms->subsection_map |= bit;
		else
			ms->subsection_map &= ~bit;
		if (pfn_to_section_nr(pfn) == last_nr)
			continue;
		last_nr = pfn_to_section_nr(pfn);
		if (on)
			ms->nr_device_users++;
		else
			ms->nr_device_users--;
	}
}

/* Checks on a request. */

/* Every byte of [start, end) is device memory, in sections without RAM. */
static bool is_device_range(u64 start, u64 end)
{
	struct e820_entry *e;
	u64 pos = start;

	for (unsigned long pfn = PHYS_PFN(start); pfn < PHYS_PFN(end); pfn += PAGES_PER_SECTION) {
		struct mem_section *ms = __pfn_to_section(pfn);

		if (!ms || !(ms->flags & SECTION_DEVICE) || (ms->flags & SECTION_PRESENT))
			return false;
	}
	/* The table is sorted and disjoint: walk the range through it. */
	for_each_e820_entry(e820_table, e) {
		if (e->addr + e->size <= pos)
			continue;
		if (e->addr > pos || !e820_type_is_device(e->type))
			return false;
		pos = e->addr + e->size;
		if (pos >= end)
			return true;
	}
	return false;
}

static int align_order(unsigned long align, unsigned int *order, struct errmsg *e)
{
	switch (align) {
	case SZ_4K:
		*order = 0;
		return 0;
	case SZ_2M:
		*order = HVO_ORDER_2M;
		return 0;
	case SZ_1G:
		*order = HVO_ORDER_1G;
		return 0;
	}
	return errmsg_set(e, -EINVAL, "align %#lx: must be 4k, 2m or 1g", align);
}

static int check_request(u64 start, u64 size, unsigned long align, unsigned int *order,
			 struct errmsg *e)
{
	/* Whatever the alignment, the memmap comes in 2 MiB subsections. */
	unsigned long unit = max(align, PAGES_PER_SUBSECTION << PAGE_SHIFT);
	u64 end = start + size;
	int ret = align_order(align, order, e);

	if (ret)
		return ret;
	if (!size)
		return errmsg_set(e, -EINVAL, "size must not be 0");
	if (!IS_ALIGNED(start, unit))
		return errmsg_set(e, -EINVAL, "misaligned: start %#llx is not a multiple of %s%s",
				  (unsigned long long)start, unit == SZ_1G ? "1 GiB" : "2 MiB",
				  align == SZ_4K ? " (regions start and end on memmap subsections)" : "");
	if (!IS_ALIGNED(size, unit))
		return errmsg_set(e, -EINVAL, "size %#llx is not a multiple of the alignment (%s)",
				  (unsigned long long)size,
				  unit == SZ_1G ? "1 GiB" : align == SZ_4K ? "2 MiB, the memmap subsection" : "2 MiB");
	if (end < start || end > PFN_PHYS(section_nr_to_pfn(nr_mem_sections)) ||
	    !is_device_range(start, end))
		return errmsg_set(e, -EINVAL, "[mem %#llx-%#llx] is not device memory (memmap=nn!ss or persistent memory)",
				  (unsigned long long)start, (unsigned long long)end - 1);
	for (unsigned int i = 0; i < DAX_MAX_REGIONS; i++) {
		struct dax_region *r = &regions[i];

		if (!r->active || PHYS_PFN(end) <= r->start_pfn ||
		    PHYS_PFN(start) >= dax_region_end_pfn(r))
			continue;
		return errmsg_set(e, -EBUSY, "[mem %#llx-%#llx] overlaps dax%u.0 [mem %#llx-%#llx]",
				  (unsigned long long)start, (unsigned long long)end - 1, r->id,
				  (unsigned long long)PFN_PHYS(r->start_pfn),
				  (unsigned long long)PFN_PHYS(dax_region_end_pfn(r)) - 1);
	}
	return 0;
}

int dax_region_check(phys_addr_t start, u64 size, unsigned long align, struct errmsg *e)
{
	unsigned int order;

	return check_request(start, size, align, &order, e);
}

int dax_region_create(phys_addr_t start, u64 size, unsigned long align, struct errmsg *e)
{
	struct dax_region *r = NULL;
	unsigned int order;
	int ret;

	errmsg_init(e);
	ret = check_request(start, size, align, &order, e);
	if (ret)
		return ret;
	/* The lowest free id, as Linux's ida. */
	for (unsigned int i = 0; i < DAX_MAX_REGIONS && !r; i++)
		if (!regions[i].active)
			r = &regions[i];
	if (!r)
		return errmsg_set(e, -ENOSPC, "no room for another region (%d at most)", DAX_MAX_REGIONS);
	*r = (struct dax_region){
		.id = r - regions,
		.start_pfn = PHYS_PFN(start),
		.nr_pages = size >> PAGE_SHIFT,
		.order = order,
	};
	ret = populate_region(r);
	if (ret)
		return errmsg_set(e, ret, "no memory for the memmap of [mem %#llx-%#llx]",
				  (unsigned long long)start, (unsigned long long)(start + size - 1));
	mark_sections(r, true);
	r->active = true;
	return r->id;
}

int dax_region_destroy(unsigned int id, struct errmsg *e)
{
	struct dax_region *r = dax_region_find(id);

	errmsg_init(e);
	if (!r)
		return errmsg_set(e, -ENOENT, "no region dax%u.0", id);
	if (r->users)
		return errmsg_set(e, -EBUSY, "dax%u.0 is mapped (%u users)", id, r->users);
	/* pfn_valid() says no before the struct pages go. */
	mark_sections(r, false);
	r->active = false;
	depopulate_region(r);
	BUG_ON(r->vmemmap_pages);
	return 0;
}
