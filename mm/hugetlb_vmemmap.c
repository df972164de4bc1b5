// SPDX-License-Identifier: MIT
/*
 * HugeTLB Vmemmap Optimization (HVO), after Linux's mm/hugetlb_vmemmap.c
 * and Documentation/mm/vmemmap_dedup.rst.
 *
 * struct page is 64 bytes, so the struct pages of a 2 MiB page fill 8
 * vmemmap pages and those of a 1 GiB page 4096. Every tail struct page
 * of one order is byte-identical (mm/page.h: the tail holds only the mask
 * that finds its head), whichever huge page it belongs to. So one shared
 * read-only page of 64 tails per order can stand for all of them.
 *
 * 2 MiB page, 8 vmemmap pages. Page 0 holds the head and tails 1..63 and
 * stays; PTEs 1..7 point read-only at the order-9 shared tail page; the 7
 * pages they mapped go back to the buddy. Linux (since 5.18) frees the
 * same 7 of 8, but maps PTEs 1..7 onto page 0 of the same huge page,
 * because its tails point at their own head: tails there read as heads
 * ("fake heads", fixed up by page_fixed_fake_head()). Here a tail holds
 * only a mask, so one page serves every huge page and there are no fake
 * heads.
 *
 *    vmemmap of one 2 MiB page            physical
 *    +-----------+
 *    |  page 0   | --------------------> head + tails 1..63 (its own page)
 *    +-----------+
 *    |  page 1   | ---------+
 *    +-----------+          |
 *    |  page 2   | ---------+
 *    +-----------+          |
 *    |    ...    | ---------+----------> shared tail page, order 9 (RO)
 *    +-----------+          |            64 identical tails
 *    |  page 7   | ---------+
 *    +-----------+
 *
 * The section's vmemmap PMD (one 2 MiB leaf for 64 huge pages) is split
 * into a PTE table the first time; when the last optimized page of the
 * section leaves the pool, the section is collapsed back under a PMD leaf
 * (where a 2 MiB block can be had), so that an empty pool leaves the
 * memmap as it was at boot.
 *
 * 1 GiB page, 4096 vmemmap pages = 8 PMDs = the memmap of 8 whole sections:
 *
 *    vmemmap PMDs of one 1 GiB page       PTE tables            physical
 *    +-----------+
 *    |  PMD 0    | ----> [ PTE 0   ] -----------------------> head + tails 1..63
 *    |           |       [ PTE 1..511 ] --+
 *    +-----------+                        |
 *    |  PMD 1    | --+                    +---------------> shared tail page,
 *    +-----------+   |                    |                 order 18 (RO)
 *    |   ...     | --+-> all-tail table --+
 *    +-----------+   |   [ PTE 0..511 ]   (one table for every 1 GiB page)
 *    |  PMD 7    | --+
 *    +-----------+
 *
 * Kept per 1 GiB page: the head page and the PTE table of PMD 0, 2 pages
 * of the 4096. Linux keeps the head page and 8 PTE tables (one per PMD,
 * their PTEs all mapping that head page), 9 pages: the all-tail table is
 * what a shared tail makes possible. The 8 PMDs' memory goes back as whole 2 MiB
 * blocks where it was PMD-mapped. A boot-time 1 GiB page never has more:
 * its sections' memmap is populated in this shape from memblock, and no
 * tail struct page is ever written. Restoring takes 8 blocks of 2 MiB, or,
 * on a fragmented buddy, 4096 single pages under PTE tables (as Linux
 * restores); such sections go back under PMD leaves when blocks can be
 * had, as the sections of 2 MiB pages do (Linux leaves them split).
 *
 * Order of operations, for every change: build the new tables, switch the
 * entries, flush the TLB once per batch, and only then free what the old
 * entries mapped. A write to a shared tail faults (read-only); the fault
 * report names the pfn (hugetlb_vmemmap_describe_fault()).
 *
 * Several CPUs: every entry point holds the vmemmap lock (mm/sparse.h).
 * The batch's flush reaches every online CPU before a page is freed.
 * Remapping tails never loses a write, as no path writes a tail (per-page
 * state goes to the head, mm/page.h). A restore copies only the head
 * vmemmap page of a page that is free in its pool: frozen at refcount 0
 * and off every list, nothing writes it. But a whole-section rebuild or
 * collapse copies the struct pages of every page in the section, in use
 * by anyone on any CPU (a get_page() or a free-list link is enough): the
 * copy and the switch of the PMD run with every other CPU parked between
 * two instructions (kernel_mapping_switch()), and each flushes its TLB
 * before it goes on, so a write lands either in the copy or in the new
 * mapping.
 */
#include "mm/hugetlb_vmemmap.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_gig.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "kernel/tlbflush.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

static phys_addr_t shared_tail[2];	/* [0]: order 9, [1]: order 18 */
static pteval_t *all_tail_table;	/* PMDs 1..7 of every 1 GiB page */
static unsigned long optimized_pages;	/* atomic: HVO and the free-memory dedup both count */

static unsigned int order_slot(unsigned int order)
{
	return order == HVO_ORDER_1G;
}

unsigned long vmemmap_optimized_pages(void)
{
	return __atomic_load_n(&optimized_pages, __ATOMIC_RELAXED);
}

phys_addr_t vmemmap_shared_tail_phys(unsigned int order)
{
	return shared_tail[order_slot(order)];
}

phys_addr_t vmemmap_all_tail_table_phys(void)
{
	return all_tail_table ? __pa(all_tail_table) : 0;
}

bool vmemmap_is_shared_tail(phys_addr_t pa)
{
	return pa == shared_tail[0] || pa == shared_tail[1];
}

bool vmemmap_pmd_is_all_tail(pteval_t pmd)
{
	return entry_present(pmd) && !(pmd & _PAGE_PSE) &&
	       entry_phys(pmd) == vmemmap_all_tail_table_phys();
}

pteval_t vmemmap_tail_pte(unsigned int order)
{
	return shared_tail[order_slot(order)] | (PAGE_KERNEL_RO & __supported_pte_mask);
}

static pteval_t rw_pte(phys_addr_t pa)
{
	return pa | (PAGE_KERNEL & __supported_pte_mask);
}

static void fill_tails(struct page *p, unsigned long n, unsigned int order)
{
	unsigned long info = compound_info_for_order(order);

	memset(p, 0, n * sizeof(*p));
	for (unsigned long i = 0; i < n; i++)
		p[i].compound_info = info;
}

/*
 * The early part runs before sparse_init (memblock), so that boot-time
 * gigantic pages can be populated optimized.
 */
void hugetlb_vmemmap_init_early(void)
{
	for (unsigned int i = 0; i < 2; i++) {
		phys_addr_t pa = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);

		if (!pa)
			panic("hvo: cannot allocate the shared tail pages");
		fill_tails(__va(pa), TAILS_PER_VMEMMAP_PAGE, i ? HVO_ORDER_1G : HVO_ORDER_2M);
		shared_tail[i] = pa;
	}
	all_tail_table = pgtable_alloc(PG_LEVEL_4K);
	if (!all_tail_table)
		panic("hvo: cannot allocate the all-tail PTE table");
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		set_entry(all_tail_table, i, vmemmap_tail_pte(HVO_ORDER_1G));
}

/*
 * Once the memmap exists: the all-tail table was made before page-table
 * counting started; give it its count like every other table.
 */
void hugetlb_vmemmap_init_late(void)
{
	struct page *page = virt_to_page(all_tail_table);

	SetPagePgtable(page);
	page->pt_level = PG_LEVEL_4K;
	page->pt_count = PTRS_PER_TABLE;
}

/* The PMD entry that maps vmemmap address va. */
static pteval_t *vmemmap_pmd(unsigned long va)
{
	return kernel_walk_alloc(va, PG_LEVEL_2M);
}

/*
 * Head vmemmap page: the head and tails 1..63. Tail 1 carries the order
 * (compound_order()); tails 1..3 may carry per-huge-page data later.
 */
static void write_head_page(struct page *head, unsigned int order, bool optimized)
{
	unsigned long flags = BIT(PG_head) | BIT(PG_hugetlb);

	if (optimized)
		flags |= BIT(PG_vmemmap_optimized);
	memset(head, 0, sizeof(*head));
	head->flags = flags;
	fill_tails(head + 1, TAILS_PER_VMEMMAP_PAGE - 1, order);
	head[1].private = order;
}

void prep_compound_tails(struct page *head, unsigned int order)
{
	write_head_page(head, order, false);
	fill_tails(head + TAILS_PER_VMEMMAP_PAGE,
		   (1UL << order) - TAILS_PER_VMEMMAP_PAGE, order);
	head[1].private = order;
}

void destroy_compound_tails(struct page *head, unsigned int order, bool restored)
{
	/* A gigantic page restored for leaving has only its head page to clear. */
	unsigned long n = restored && order == HVO_ORDER_1G ? TAILS_PER_VMEMMAP_PAGE : 1UL << order;

	memset(head + 1, 0, (n - 1) * sizeof(*head));
	head->flags = 0;
}

bool vmemmap_batch_room(const struct vmemmap_batch *b, unsigned int order)
{
	if (order == HVO_ORDER_2M)
		return b->nr_free + VMEMMAP_PAGES_2M <= ARRAY_SIZE(b->to_free) &&
		       b->nr_tables < ARRAY_SIZE(b->tables);
	/* Pages beyond to_free's room make batch_free_page() flush early. */
	return b->nr_blocks + GIGANTIC_PMDS <= ARRAY_SIZE(b->blocks) &&
	       b->nr_tables + GIGANTIC_PMDS <= ARRAY_SIZE(b->tables);
}

/* Queue a vmemmap page whose mapping was replaced; freed after the flush. */
static void batch_free_page(struct vmemmap_batch *b, phys_addr_t pa)
{
	if (b->nr_free == ARRAY_SIZE(b->to_free))
		vmemmap_batch_finish(b);
	b->to_free[b->nr_free++] = pfn_to_page(PHYS_PFN(pa));
}

static void free_vmemmap_page(struct page *page)
{
	if (PageReserved(page))
		free_reserved_page(page);
	else
		__free_page(page);
}

static void free_vmemmap_block(struct page *block)
{
	if (PageReserved(block)) {
		for (unsigned long i = 0; i < PTRS_PER_TABLE; i++)
			free_reserved_page(block + i);
		return;
	}
	free_pages(block, pageblock_order);
}

void vmemmap_batch_finish(struct vmemmap_batch *b)
{
	if (!b->nr_free && !b->nr_tables && !b->nr_blocks)
		return;
	flush_tlb_all();
	for (unsigned int i = 0; i < b->nr_free; i++)
		free_vmemmap_page(b->to_free[i]);
	for (unsigned int i = 0; i < b->nr_blocks; i++)
		free_vmemmap_block(b->blocks[i]);
	for (unsigned int i = 0; i < b->nr_tables; i++) {
		pteval_t *t = b->tables[i];

		/* Unreachable since the flush: empty it, then free it. */
		for (unsigned int j = 0; j < PTRS_PER_TABLE; j++)
			if (entry_present(t[j]))
				set_entry(t, j, 0);
		pgtable_free(t);
	}
	b->nr_free = b->nr_tables = b->nr_blocks = 0;
}

/*
 * Split the section's vmemmap PMD leaf into a PTE table mapping the same
 * 512 pages, so that single pages of it can be remapped and freed.
 */
/*
 * Memory for the memmap of the 1 GiB range at start (a PTE table, a
 * 2 MiB block), from outside it where the buddy has some: inside, it
 * would keep the range from being wholly free again (mm/free_gigantic.c)
 * for as long as it maps the range's memmap. Nor from a range broken for
 * now that is to form again. Inside when nothing else comes.
 */
#define OUTSIDE_TRIES	32

struct memmap_source {
	struct page *(*alloc)(void);
	void (*free)(struct page *page);
};

static struct page *alloc_outside(unsigned long start, const struct memmap_source *src)
{
	struct page *inside[OUTSIDE_TRIES], *page = NULL;
	unsigned int n = 0;

	while (n < OUTSIDE_TRIES) {
		unsigned long pfn;

		page = src->alloc();
		if (!page)
			break;
		pfn = page_to_pfn(page);
		if ((pfn < start || pfn >= start + (1UL << HVO_ORDER_1G)) && !gig_kept_whole(pfn))
			break;
		inside[n++] = page;
		page = NULL;
	}
	if (!page && n)
		page = inside[--n];
	while (n)
		src->free(inside[--n]);
	return page;
}

static struct page *table_alloc(void)
{
	pteval_t *table = pgtable_alloc(PG_LEVEL_4K);

	return table ? virt_to_page(table) : NULL;
}

static void table_free(struct page *page)
{
	pgtable_free(page_address(page));
}

static struct page *block_alloc(void)
{
	return alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, pageblock_order);
}

static void block_free(struct page *page)
{
	free_pages(page, pageblock_order);
}

static const struct memmap_source table_source = { table_alloc, table_free };
static const struct memmap_source block_source = { block_alloc, block_free };

static pteval_t *pgtable_alloc_outside(unsigned long start)
{
	struct page *page = alloc_outside(start, &table_source);

	return page ? page_address(page) : NULL;
}

static struct page *memmap_block_outside(unsigned long start)
{
	return alloc_outside(start, &block_source);
}

static int split_vmemmap_pmd(pteval_t *pmd, unsigned long first_pfn)
{
	phys_addr_t pa = entry_phys(*pmd);
	struct page *block = pfn_to_page(PHYS_PFN(pa));
	pteval_t *table;

	if (!(*pmd & _PAGE_PSE))
		return 0;
	table = pgtable_alloc_outside(ALIGN_DOWN(first_pfn, 1UL << HVO_ORDER_1G));
	if (!table)
		return -ENOMEM;
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		set_entry(table, i, rw_pte(pa + i * PAGE_SIZE));
	/* A buddy block becomes 512 pages that can be freed one by one. */
	if (!PageReserved(block))
		split_page(block, pageblock_order);
	set_entry_ptr(pmd, __pa(table) | _KERNPG_TABLE);
	return 0;
}

/*
 * Point PTEs 1..7 of a 2 MiB page's memmap at the shared order-9 tail
 * page and queue the 7 pages they mapped for the batch's flush. Nothing
 * of the head's struct pages is written: the caller does (hugetlb makes
 * a pool page of it, the buddy a free block).
 */
int vmemmap_prepare_2m(struct page *head)
{
	unsigned long nr = pfn_to_section_nr(page_to_pfn(head));
	pteval_t *pmd = vmemmap_pmd((unsigned long)head);
	int ret;

	if (!pmd)
		return -ENOMEM;
	/* A 1 GiB range hosting its memmap: those pages are its, not HVO's to free. */
	if (gig_hosted_pages(page_to_pfn(head) >> GIG_PFN_SHIFT))
		return -EBUSY;
	ret = split_vmemmap_pmd(pmd, page_to_pfn(head));
	if (ret)
		return ret;
	if (mem_section[nr].flags & SECTION_MEMMAP_PMD)
		mem_section[nr].flags |= SECTION_HVO_SPLIT;
	mem_section[nr].flags &= ~SECTION_MEMMAP_PMD;
	return 0;
}

int vmemmap_remap_tails_2m(struct page *head, struct vmemmap_batch *b)
{
	unsigned long va = (unsigned long)head;
	pteval_t *table;
	unsigned int idx;
	int ret = vmemmap_prepare_2m(head);

	if (ret)
		return ret;
	table = entry_table(*vmemmap_pmd(va));
	idx = pte_index(va);
	for (unsigned int i = 1; i < VMEMMAP_PAGES_2M; i++) {
		batch_free_page(b, entry_phys(table[idx + i]));
		set_entry(table, idx + i, vmemmap_tail_pte(HVO_ORDER_2M));
	}
	vmemmap_account(-(VMEMMAP_PAGES_2M - 1));
	return 0;
}

/*
 * The reverse, with the 7 pages given (already holding the struct pages
 * they will show): map them read-write and flush the 7 entries. Nothing
 * is allocated and nothing freed.
 */
void vmemmap_unshare_tails_2m(struct page *head, const phys_addr_t pages[7])
{
	unsigned long va = (unsigned long)head;
	pteval_t *table = entry_table(*vmemmap_pmd(va));
	unsigned int idx = pte_index(va);

	for (unsigned int i = 1; i < VMEMMAP_PAGES_2M; i++)
		set_entry(table, idx + i, rw_pte(pages[i - 1]));
	flush_tlb_kernel_range(va + PAGE_SIZE, va + VMEMMAP_PAGES_2M * PAGE_SIZE);
	vmemmap_account(VMEMMAP_PAGES_2M - 1);
}

/*
 * Share the tails again when the 7 pages that held them are the caller's
 * to keep (memmap pages inside the block itself, or lent ones): no
 * batch, and no flush either, since the caller holds zone->lock here;
 * it calls vmemmap_flush_tails_2m() once that is dropped, and reuses
 * the pages only after it.
 */
void vmemmap_reshare_tails_2m(struct page *head)
{
	unsigned long va = (unsigned long)head;
	pteval_t *table = entry_table(*vmemmap_pmd(va));
	unsigned int idx = pte_index(va);

	for (unsigned int i = 1; i < VMEMMAP_PAGES_2M; i++)
		set_entry(table, idx + i, vmemmap_tail_pte(HVO_ORDER_2M));
	vmemmap_account(-(VMEMMAP_PAGES_2M - 1));
}

void vmemmap_flush_tails_2m(struct page *head)
{
	unsigned long va = (unsigned long)head;

	flush_tlb_kernel_range(va + PAGE_SIZE, va + VMEMMAP_PAGES_2M * PAGE_SIZE);
}

/* The physical pages behind vmemmap pages 1..7 of a 2 MiB page; -EINVAL under a PMD leaf. */
int vmemmap_tail_pages_2m(struct page *head, phys_addr_t pages[7])
{
	unsigned long va = (unsigned long)head;
	pteval_t *pmd = vmemmap_pmd(va);
	unsigned int idx = pte_index(va);
	pteval_t *table;

	if (!pmd || !entry_present(*pmd) || (*pmd & _PAGE_PSE))
		return -EINVAL;
	table = entry_table(*pmd);
	for (unsigned int i = 1; i < VMEMMAP_PAGES_2M; i++)
		pages[i - 1] = entry_phys(table[idx + i]);
	return 0;
}

/* Head vmemmap page of a free 2 MiB block kept optimized: tails 1..63, nothing else. */
void vmemmap_write_free_tails(struct page *head)
{
	fill_tails(head + 1, TAILS_PER_VMEMMAP_PAGE - 1, HVO_ORDER_2M);
}

static int optimize_2m(struct page *head, struct vmemmap_batch *b)
{
	int ret = vmemmap_remap_tails_2m(head, b);

	if (ret)
		return ret;
	/* Page 0 keeps its physical page: writing it now is safe. */
	write_head_page(head, HVO_ORDER_2M, true);
	mem_section[pfn_to_section_nr(page_to_pfn(head))].nr_optimized++;
	__atomic_add_fetch(&optimized_pages, VMEMMAP_PAGES_2M - 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * A free optimized block becomes a pool page, or the reverse: only the
 * head vmemmap page is written, and the 7 pages move between the
 * counters.
 */
/*
 * Tails 4..63 of a free optimized block already are pristine order-9
 * tails (the checkers hold the buddy to it): only the head and tails
 * 1..3, which carry folio data, are written either way.
 */
#define FOLIO_TAILS	3

void hugetlb_vmemmap_adopt_2m(struct page *head)
{
	memset(head, 0, sizeof(*head));
	head->flags = BIT(PG_head) | BIT(PG_hugetlb) | BIT(PG_vmemmap_optimized);
	fill_tails(head + 1, FOLIO_TAILS, HVO_ORDER_2M);
	head[1].private = HVO_ORDER_2M;
	mem_section[pfn_to_section_nr(page_to_pfn(head))].nr_optimized++;
	__atomic_add_fetch(&optimized_pages, VMEMMAP_PAGES_2M - 1, __ATOMIC_RELAXED);
}

void hugetlb_vmemmap_release_2m(struct page *head)
{
	memset(head, 0, sizeof(*head));
	fill_tails(head + 1, FOLIO_TAILS, HVO_ORDER_2M);
	SetPageVmemmapOptimized(head);
	mem_section[pfn_to_section_nr(page_to_pfn(head))].nr_optimized--;
	__atomic_sub_fetch(&optimized_pages, VMEMMAP_PAGES_2M - 1, __ATOMIC_RELAXED);
}

/* Queue whatever a gigantic page's PMD mapped: a block, or a table of pages. */
static void batch_old_pmd(struct vmemmap_batch *b, pteval_t old)
{
	pteval_t *t;

	if (old & _PAGE_PSE) {
		b->blocks[b->nr_blocks++] = pfn_to_page(PHYS_PFN(entry_phys(old)));
		return;
	}
	t = entry_table(old);
	for (unsigned int j = 0; j < PTRS_PER_TABLE; j++)
		if (entry_present(t[j]))
			batch_free_page(b, entry_phys(t[j]));
	b->tables[b->nr_tables++] = t;
}

/*
 * New head page and PMD-0 table for a gigantic page, filled but not yet
 * reachable. The head page's struct pages are written here.
 */
static pteval_t *build_gigantic_table(phys_addr_t head_pa, struct page *head_view)
{
	pteval_t *table = pgtable_alloc(PG_LEVEL_4K);

	if (!table)
		return NULL;
	write_head_page(head_view, HVO_ORDER_1G, true);
	set_entry(table, 0, rw_pte(head_pa));
	for (unsigned int i = 1; i < PTRS_PER_TABLE; i++)
		set_entry(table, i, vmemmap_tail_pte(HVO_ORDER_1G));
	return table;
}

static void account_gigantic(unsigned long first_section, int delta)
{
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		struct mem_section *ms = &mem_section[first_section + i];

		ms->nr_optimized += delta;
		if (delta > 0)
			ms->flags &= ~SECTION_MEMMAP_PMD;
		else
			ms->flags |= SECTION_MEMMAP_PMD;
	}
	/* 4096 pages of struct pages become a head page and one PTE table. */
	vmemmap_account(delta > 0 ? -4094 : 4094);
	if (delta > 0)
		__atomic_add_fetch(&optimized_pages, 4094, __ATOMIC_RELAXED);
	else
		__atomic_sub_fetch(&optimized_pages, 4094, __ATOMIC_RELAXED);
}

static int optimize_1g(struct page *head, struct vmemmap_batch *b)
{
	unsigned long va = (unsigned long)head;
	struct page *new_head = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_MEMMAP);
	pteval_t *pmd[GIGANTIC_PMDS];
	pteval_t *table;

	if (!new_head)
		return -ENOMEM;
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		pmd[i] = vmemmap_pmd(va + i * PMD_SIZE);
		if (!pmd[i]) {
			__free_page(new_head);
			return -ENOMEM;
		}
	}
	table = build_gigantic_table(page_to_phys(new_head), page_address(new_head));
	if (!table) {
		__free_page(new_head);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		pteval_t old = *pmd[i];

		set_entry_ptr(pmd[i], __pa(i ? all_tail_table : table) | _KERNPG_TABLE);
		batch_old_pmd(b, old);
	}
	account_gigantic(pfn_to_section_nr(page_to_pfn(head)), 1);
	return 0;
}

int hugetlb_vmemmap_optimize(struct page *head, unsigned int order,
			     struct vmemmap_batch *b)
{
	int ret;

	if (!vmemmap_batch_room(b, order))
		vmemmap_batch_finish(b);
	vmemmap_lock();
	ret = order == HVO_ORDER_1G ? optimize_1g(head, b) : optimize_2m(head, b);
	vmemmap_unlock();
	if (!ret)
		b->nr_optimized++;
	return ret;
}

/*
 * Boot-time gigantic page: its 8 sections get their memmap in the
 * optimized shape from the start; no tail struct page is ever written.
 */
int hugetlb_vmemmap_populate_gigantic(unsigned long pfn)
{
	unsigned long va = (unsigned long)pfn_to_page(pfn);
	phys_addr_t head_pa = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);
	pteval_t *table;

	if (!head_pa)
		return -ENOMEM;
	/* The page is mapped only once the table is: write it by the direct map. */
	table = build_gigantic_table(head_pa, __va(head_pa));
	if (!table) {
		memblock_phys_free(head_pa, PAGE_SIZE);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		pteval_t *pmd = vmemmap_pmd(va + i * PMD_SIZE);

		if (!pmd || entry_present(*pmd))
			panic("hvo: vmemmap of boot gigantic page %#lx already mapped", pfn);
		set_entry_ptr(pmd, __pa(i ? all_tail_table : table) | _KERNPG_TABLE);
	}
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		struct mem_section *ms = &mem_section[pfn_to_section_nr(pfn) + i];

		ms->flags |= SECTION_HAS_MEMMAP | SECTION_ONLINE;
		ms->nr_optimized = 1;
	}
	vmemmap_account(2);
	__atomic_add_fetch(&optimized_pages, 4094, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Free 1 GiB ranges (mm/free_gigantic.c): a wholly free range takes the
 * shape of an optimized 1 GiB page whatever its memmap was (PMD leaves,
 * 2 MiB blocks optimized or not, or hosted in its own last 16 MiB), and
 * goes back to one under PMD leaves: 8 blocks from elsewhere (restored),
 * or its own last 8 pageblocks (hosted, which allocates nothing).
 */

/*
 * Queue what PMD i of a range mapped, but pages of the range itself and
 * shared tails. Pages the buddy lent to a restored block's memmap are
 * the range's memmap too: freed with it (lent no more).
 */
static unsigned long batch_old_range_pmd(struct vmemmap_batch *b, pteval_t old,
					 unsigned long start, unsigned long end)
{
	unsigned long pfn = PHYS_PFN(entry_phys(old)), unique = 0;
	pteval_t *t;

	if (old & _PAGE_PSE) {
		if (pfn < start || pfn >= end)
			b->blocks[b->nr_blocks++] = pfn_to_page(pfn);
		return PTRS_PER_TABLE;
	}
	if (vmemmap_pmd_is_all_tail(old))
		return 0;
	t = entry_table(old);
	for (unsigned int j = 0; j < PTRS_PER_TABLE; j++) {
		if (!entry_present(t[j]) || vmemmap_is_shared_tail(entry_phys(t[j])))
			continue;
		batch_free_page(b, entry_phys(t[j]));
		unique++;
	}
	b->tables[b->nr_tables++] = t;
	return unique;
}

static int vmemmap_gigantic_formable(struct page *head)
{
	unsigned long va = (unsigned long)head;

	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		pteval_t *pmd = vmemmap_pmd(va + i * PMD_SIZE);

		if (!pmd || !entry_present(*pmd))
			return -EBUSY;
	}
	return 0;
}
/* The head page and PMD-0 table of a range's 1 GiB shape: parked ones, or new. */
static int gigantic_pages(struct vmemmap_parked *park, struct page **head, pteval_t **table)
{
	if (park && park->head) {
		*head = park->head;
		*table = park->table;
		park->head = NULL;
		park->table = NULL;
		return 0;
	}
	*head = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_MEMMAP);
	if (!*head)
		return -ENOMEM;
	*table = pgtable_alloc(PG_LEVEL_4K);
	if (!*table) {
		__free_page(*head);
		return -ENOMEM;
	}
	return 0;
}

int vmemmap_gigantic_form(struct page *head, unsigned long flags, struct vmemmap_batch *b,
			  struct vmemmap_parked *park)
{
	unsigned long va = (unsigned long)head, start = page_to_pfn(head);
	unsigned long nr = pfn_to_section_nr(start), unique = 0;
	struct page *new_head, *view;
	pteval_t *table;

	if (vmemmap_gigantic_formable(head))
		return -EBUSY;
	if (!vmemmap_batch_room(b, HVO_ORDER_1G))
		vmemmap_batch_finish(b);
	if (gigantic_pages(park, &new_head, &table))
		return -ENOMEM;
	/* Not a pool page: the head says free range, tails 1..63 stay pristine. */
	view = page_address(new_head);
	fill_tails(view, TAILS_PER_VMEMMAP_PAGE, HVO_ORDER_1G);
	view->compound_info = 0;
	view->flags = flags;
	set_entry(table, 0, rw_pte(page_to_phys(new_head)));
	for (unsigned int i = 1; i < PTRS_PER_TABLE; i++)
		set_entry(table, i, vmemmap_tail_pte(HVO_ORDER_1G));
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		pteval_t *pmd = vmemmap_pmd(va + i * PMD_SIZE);
		pteval_t old = *pmd;

		set_entry_ptr(pmd, __pa(i ? all_tail_table : table) | _KERNPG_TABLE);
		unique += batch_old_range_pmd(b, old, start, start + (1UL << HVO_ORDER_1G));
		mem_section[nr + i].flags &= ~(SECTION_MEMMAP_PMD | SECTION_HVO_SPLIT);
	}
	vmemmap_account(2 - (long)unique);
	/*
	 * A hosted range's old leaves map its own pages: nothing for the
	 * batch to free, so nothing would flush them. Flushed now, before
	 * anyone writes the head through a stale leaf, or those pages.
	 */
	if (!b->nr_free && !b->nr_tables && !b->nr_blocks)
		flush_tlb_kernel_range(va, va + GIGANTIC_PMDS * PMD_SIZE);
	return 0;
}

/*
 * The reverse, in place: blocks[i] (2 MiB each, any physical pages the
 * caller owns) hold the struct pages of section i of the range, zeroed
 * (plain pages, the caller frees them to the lists), but those from
 * hosted_first on, which are the blocks themselves: reserved, in use.
 * One flush, then the head page and the PMD-0 table are freed.
 */
void vmemmap_gigantic_unform(struct page *head, struct page *blocks[GIGANTIC_PMDS],
			     unsigned long hosted_first, struct vmemmap_parked *park)
{
	unsigned long va = (unsigned long)head, start = page_to_pfn(head);
	unsigned long nr = pfn_to_section_nr(start), end = start + (1UL << HVO_ORDER_1G);
	struct vmemmap_batch b = { .nr_free = 0 };
	pteval_t *table = entry_table(*vmemmap_pmd(va));
	struct page *old_head = pfn_to_page(PHYS_PFN(entry_phys(table[0])));

	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++)
		memset(page_address(blocks[i]), 0, PMD_SIZE);
	for (unsigned long pfn = hosted_first; pfn < end; pfn++) {
		unsigned long k = pfn - start;
		struct page *p = (struct page *)page_address(blocks[k / PAGES_PER_SECTION]) +
				 k % PAGES_PER_SECTION;

		p->flags = BIT(PG_reserved);
		p->_refcount = 1;
	}
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		set_entry_ptr(vmemmap_pmd(va + i * PMD_SIZE), page_to_phys(blocks[i]) |
			      ((PAGE_KERNEL | _PAGE_PSE) & __supported_pte_mask));
		mem_section[nr + i].flags |= SECTION_MEMMAP_PMD;
	}
	vmemmap_account(4094);
	if (!park) {
		batch_free_page(&b, page_to_phys(old_head));
		b.tables[b.nr_tables++] = table;
		vmemmap_batch_finish(&b);
		return;
	}
	/* Kept for the range's next forming, emptied once nothing can walk them. */
	flush_tlb_all();
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		set_entry(table, i, 0);
	park->head = old_head;
	park->table = table;
}

/* A free range becomes a 1 GiB pool page as it is, and back: the head page alone is written. */
static void account_gigantic_pool(unsigned long first_section, int delta)
{
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++)
		mem_section[first_section + i].nr_optimized += delta;
	__atomic_add_fetch(&optimized_pages, (long)delta * 4094, __ATOMIC_RELAXED);
}

void hugetlb_vmemmap_adopt_1g(struct page *head)
{
	memset(head, 0, sizeof(*head));
	head->flags = BIT(PG_head) | BIT(PG_hugetlb) | BIT(PG_vmemmap_optimized);
	fill_tails(head + 1, FOLIO_TAILS, HVO_ORDER_1G);
	head[1].private = HVO_ORDER_1G;
	account_gigantic_pool(pfn_to_section_nr(page_to_pfn(head)), 1);
}

void hugetlb_vmemmap_release_1g(struct page *head, unsigned long flags)
{
	memset(head, 0, sizeof(*head));
	fill_tails(head + 1, FOLIO_TAILS, HVO_ORDER_1G);
	head->flags = flags;
	account_gigantic_pool(pfn_to_section_nr(page_to_pfn(head)), -1);
}

void vmemmap_parked_free(struct vmemmap_parked *park)
{
	if (!park->head)
		return;
	__free_page(park->head);
	pgtable_free(park->table);
	park->head = NULL;
	park->table = NULL;
}

/* Restore. */

/*
 * The section has no optimized page left: put its memmap back under one
 * PMD leaf when a 2 MiB block can be had (else it stays PTE-mapped, which
 * is correct, only less compact).
 */
/*
 * Memmap pages the buddy lent to restored free blocks (PG_memmap) are
 * its to take back: such a section stays PTE-mapped.
 */
static bool maps_lent_memmap(const pteval_t *table)
{
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		if (entry_present(table[i]) &&
		    PageMemmap(pfn_to_page(PHYS_PFN(entry_phys(table[i])))))
			return true;
	return false;
}

/* A 1 GiB shape (a pool page's or a free range's): never collapsed. */
static bool maps_gigantic(pteval_t pmd)
{
	return vmemmap_pmd_is_all_tail(pmd) ||
	       entry_table(pmd)[1] == vmemmap_tail_pte(HVO_ORDER_1G);
}

/*
 * A section's memmap into one 2 MiB block under a PMD leaf, with the
 * other CPUs parked: the 2 MiB pages of leaving (a bit per page) are
 * written zeroed, everything else copied.
 */
struct section_switch {
	unsigned long va;
	pteval_t *pmd;
	struct page *block;
	u64 leaving;
};

static void switch_section(void *arg)
{
	const struct section_switch *sw = arg;
	const unsigned long chunk = (1UL << HVO_ORDER_2M) * sizeof(struct page);
	u8 *dst = page_address(sw->block);

	for (unsigned int k = 0; k < 64; k++) {
		if (sw->leaving & (1ULL << k))
			memset(dst + k * chunk, 0, chunk);
		else
			memcpy(dst + k * chunk, (void *)(sw->va + k * chunk), chunk);
	}
	set_entry_ptr(sw->pmd, page_to_phys(sw->block) |
		      ((PAGE_KERNEL | _PAGE_PSE) & __supported_pte_mask));
}

static void collapse_section(unsigned long nr)
{
	unsigned long va = section_vmemmap(nr);
	pteval_t *pmd = vmemmap_pmd(va);
	struct vmemmap_batch b = { .nr_free = 0 };
	struct section_switch sw;
	struct page *block;
	pteval_t *table;

	if (!pmd || (*pmd & _PAGE_PSE) || maps_lent_memmap(entry_table(*pmd)) ||
	    maps_gigantic(*pmd))
		return;
	block = memmap_block_outside(ALIGN_DOWN(section_nr_to_pfn(nr), 1UL << HVO_ORDER_1G));
	if (!block)
		return;
	table = entry_table(*pmd);
	sw = (struct section_switch){ va, pmd, block, 0 };
	kernel_mapping_switch(switch_section, &sw);
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		batch_free_page(&b, entry_phys(table[i]));
	b.tables[b.nr_tables++] = table;
	vmemmap_batch_finish(&b);
	mem_section[nr].flags |= SECTION_MEMMAP_PMD;
	mem_section[nr].flags &= ~SECTION_HVO_SPLIT;
}

/*
 * Sections HVO split whose collapse could not get a 2 MiB block when
 * their last optimized page left: try again (before every pool resize,
 * so that the blocks do not come out of ranges the resize frees).
 */
void hugetlb_vmemmap_collapse_all(void)
{
	vmemmap_lock();
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		struct mem_section *ms = &mem_section[nr];

		if ((ms->flags & SECTION_HVO_SPLIT) && !ms->nr_optimized &&
		    !ms->nr_free_optimized)
			collapse_section(nr);
	}
	vmemmap_unlock();
}

/*
 * Shrinking, fast path: every optimized 2 MiB page of section nr is
 * leaving the pool at once (heads[0..n)). Rather than restore each page
 * (7 pages each) and then copy the section into a 2 MiB block, build the
 * block directly: the struct pages of the leaving pages are written once,
 * already in their final state (plain allocated order-9 blocks, about to
 * be freed), everything else of the section is copied. One block, one
 * TLB flush, and only the section's unique pages are freed.
 */
static int __hugetlb_vmemmap_restore_section(unsigned long nr, struct page **heads,
					     unsigned int n)
{
	unsigned long va = section_vmemmap(nr);
	unsigned long first_pfn = section_nr_to_pfn(nr);
	struct vmemmap_batch b = { .nr_free = 0 };
	pteval_t *pmd = vmemmap_pmd(va);
	struct section_switch sw;
	struct page *block;
	pteval_t *table;

	if (!pmd || (*pmd & _PAGE_PSE) || n != mem_section[nr].nr_optimized ||
	    mem_section[nr].nr_free_optimized || maps_lent_memmap(entry_table(*pmd)))
		return -EINVAL;
	block = memmap_block_outside(ALIGN_DOWN(first_pfn, 1UL << HVO_ORDER_1G));
	if (!block)
		return -ENOMEM;
	sw = (struct section_switch){ va, pmd, block, 0 };
	for (unsigned int i = 0; i < n; i++)
		sw.leaving |= 1ULL << ((page_to_pfn(heads[i]) - first_pfn) >> HVO_ORDER_2M);
	table = entry_table(*pmd);
	kernel_mapping_switch(switch_section, &sw);
	/* Unreachable once the batch flushes: queue the unique pages. */
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		if (entry_phys(table[i]) != shared_tail[0])
			batch_free_page(&b, entry_phys(table[i]));
	b.tables[b.nr_tables++] = table;
	vmemmap_batch_finish(&b);
	mem_section[nr].nr_optimized = 0;
	mem_section[nr].flags |= SECTION_MEMMAP_PMD;
	mem_section[nr].flags &= ~SECTION_HVO_SPLIT;
	vmemmap_account((long)n * (VMEMMAP_PAGES_2M - 1));
	__atomic_sub_fetch(&optimized_pages, (unsigned long)n * (VMEMMAP_PAGES_2M - 1), __ATOMIC_RELAXED);
	return 0;
}

static int restore_2m(struct page *head)
{
	unsigned long va = (unsigned long)head;
	unsigned long nr = pfn_to_section_nr(page_to_pfn(head));
	struct page *pages[VMEMMAP_PAGES_2M];
	pteval_t *table = entry_table(*vmemmap_pmd(va));
	unsigned int idx = pte_index(va);

	for (unsigned int i = 1; i < VMEMMAP_PAGES_2M; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_MEMMAP);
		if (!pages[i]) {
			while (--i)
				__free_page(pages[i]);
			return -ENOMEM;
		}
		/* Real tail struct pages: the head is still a compound head. */
		memcpy(page_address(pages[i]), __va(shared_tail[0]), PAGE_SIZE);
	}
	for (unsigned int i = 1; i < VMEMMAP_PAGES_2M; i++)
		set_entry(table, idx + i, rw_pte(page_to_phys(pages[i])));
	flush_tlb_kernel_range(va, va + VMEMMAP_PAGES_2M * PAGE_SIZE);
	ClearPageVmemmapOptimized(head);
	vmemmap_account(VMEMMAP_PAGES_2M - 1);
	__atomic_sub_fetch(&optimized_pages, VMEMMAP_PAGES_2M - 1, __ATOMIC_RELAXED);
	if (--mem_section[nr].nr_optimized == 0 && !mem_section[nr].nr_free_optimized)
		collapse_section(nr);
	return 0;
}

/* Empty a PTE-mapped memmap table that never became reachable, and free it. */
static void free_unused_memmap_table(pteval_t *table, unsigned int first)
{
	for (unsigned int i = first; i < PTRS_PER_TABLE; i++) {
		if (!entry_present(table[i]))
			continue;
		__free_page(pfn_to_page(PHYS_PFN(entry_phys(table[i]))));
		set_entry(table, i, 0);
	}
	pgtable_free(table);
}

/* A PTE table of zeroed memmap pages for entries first..511. */
static pteval_t *alloc_memmap_table(unsigned int first)
{
	pteval_t *table = pgtable_alloc(PG_LEVEL_4K);

	if (!table)
		return NULL;
	for (unsigned int i = first; i < PTRS_PER_TABLE; i++) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_ZERO | __GFP_MEMMAP);

		if (!page) {
			free_unused_memmap_table(table, first);
			return NULL;
		}
		set_entry(table, i, rw_pte(page_to_phys(page)));
	}
	return table;
}

/*
 * restore_1g() without 2 MiB blocks (a fragmented buddy): a PTE-mapped
 * memmap of 4096 single pages, as Linux restores, the head page kept where
 * it is. Tails are written zeroed, as in restore_1g(). The sections are
 * collapsed now if blocks can be had, while the page still holds its
 * gigantic range (a block taken later might come out of that range, just
 * freed, and break it up); else hugetlb_vmemmap_collapse_all() does it.
 */
static int restore_1g_pages(struct page *head)
{
	unsigned long va = (unsigned long)head;
	unsigned long nr = pfn_to_section_nr(page_to_pfn(head));
	pteval_t *old = entry_table(*vmemmap_pmd(va));
	pteval_t *tables[GIGANTIC_PMDS];
	struct vmemmap_batch b = { .nr_free = 0 };

	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		tables[i] = alloc_memmap_table(i ? 0 : 1);
		if (!tables[i]) {
			while (i--)
				free_unused_memmap_table(tables[i], i ? 0 : 1);
			return -ENOMEM;
		}
	}
	set_entry(tables[0], 0, old[0]);
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++)
		set_entry_ptr(vmemmap_pmd(va + i * PMD_SIZE), __pa(tables[i]) | _KERNPG_TABLE);
	/* The old PMD-0 table: unreachable after the flush; the head page stays. */
	b.tables[b.nr_tables++] = old;
	vmemmap_batch_finish(&b);
	ClearPageVmemmapOptimized(head);
	account_gigantic(nr, -1);
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		mem_section[nr + i].flags &= ~SECTION_MEMMAP_PMD;
		mem_section[nr + i].flags |= SECTION_HVO_SPLIT;
		collapse_section(nr + i);
	}
	return 0;
}

static int restore_1g(struct page *head)
{
	unsigned long va = (unsigned long)head;
	struct page *blocks[GIGANTIC_PMDS];
	struct vmemmap_batch b = { .nr_free = 0 };
	pteval_t *pmd0 = vmemmap_pmd(va);
	pteval_t *table = entry_table(*pmd0);

	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		blocks[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY | __GFP_MEMMAP,
					pageblock_order);
		if (!blocks[i]) {
			while (i--)
				free_pages(blocks[i], pageblock_order);
			return restore_1g_pages(head);
		}
	}
	/*
	 * The page leaves the pool next (dissolve or demote), and its struct
	 * pages are then cleared anyway: write the tails beyond the head page
	 * zeroed now, once, instead of copying tails that would be wiped.
	 * Nothing reads them in between (the page is off every list).
	 */
	memcpy(page_address(blocks[0]), head, PAGE_SIZE);
	memset((u8 *)page_address(blocks[0]) + PAGE_SIZE, 0, PMD_SIZE - PAGE_SIZE);
	for (unsigned int i = 1; i < GIGANTIC_PMDS; i++)
		memset(page_address(blocks[i]), 0, PMD_SIZE);
	((struct page *)page_address(blocks[0]))->flags &= ~BIT(PG_vmemmap_optimized);
	batch_free_page(&b, entry_phys(table[0]));
	b.tables[b.nr_tables++] = table;
	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++)
		set_entry_ptr(vmemmap_pmd(va + i * PMD_SIZE), page_to_phys(blocks[i]) |
			      ((PAGE_KERNEL | _PAGE_PSE) & __supported_pte_mask));
	vmemmap_batch_finish(&b);
	account_gigantic(pfn_to_section_nr(page_to_pfn(head)), -1);
	return 0;
}

int hugetlb_vmemmap_restore_section(unsigned long nr, struct page **heads,
				    unsigned int n)
{
	int ret;

	vmemmap_lock();
	ret = __hugetlb_vmemmap_restore_section(nr, heads, n);
	vmemmap_unlock();
	return ret;
}

int hugetlb_vmemmap_restore(struct page *head, unsigned int order)
{
	int ret;

	if (!PageVmemmapOptimized(head))
		return 0;
	vmemmap_lock();
	ret = order == HVO_ORDER_1G ? restore_1g(head) : restore_2m(head);
	vmemmap_unlock();
	return ret;
}

/*
 * Exception reports: a write to a deduplicated tail is a bug in the
 * writer (per-subpage state belongs in the head); say so, with the pfn.
 */
static bool describe_fault(unsigned long addr, unsigned long error, char *buf,
			   size_t len)
{
	unsigned long pfn;
	phys_addr_t pa;

	if (addr < VMEMMAP_START || addr >= VMEMMAP_START + (1UL << 40))
		return false;
	pfn = (addr - VMEMMAP_START) / sizeof(struct page);
	pa = kernel_virt_to_phys(addr & PAGE_MASK);
	if (!vmemmap_is_shared_tail(pa)) {
		snprintf(buf, len, "vmemmap address: struct page of pfn %#lx", pfn);
		return true;
	}
	snprintf(buf, len, "%s to an optimized vmemmap tail (read-only shared page): struct page of pfn %#lx, head pfn %#lx",
		 error & X86_PF_WRITE ? "write" : "access", pfn,
		 page_to_pfn(compound_head((struct page *)(addr & ~(sizeof(struct page) - 1)))));
	return true;
}

void hugetlb_vmemmap_register_fault_describer(void)
{
	register_fault_describer(describe_fault);
}
