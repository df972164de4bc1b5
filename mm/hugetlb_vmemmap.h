/* SPDX-License-Identifier: MIT */
#ifndef MM_HUGETLB_VMEMMAP_H
#define MM_HUGETLB_VMEMMAP_H

/*
 * HugeTLB Vmemmap Optimization (HVO): the tail struct pages of a huge page
 * are all alike, so the vmemmap pages that hold only tails are remapped
 * read-only onto one shared page per order and their memory is freed.
 * See the diagrams in mm/hugetlb_vmemmap.c.
 */
#include "kernel/types.h"
#include "mm/page.h"
#include "mm/pgtable.h"

#define HVO_ORDER_2M	9
#define HVO_ORDER_1G	18
/* The shapes: struct pages per vmemmap page, and per 2 MiB and 1 GiB page. */
#define TAILS_PER_VMEMMAP_PAGE	(PAGE_SIZE / sizeof(struct page))	/* 64 */
#define VMEMMAP_PAGES_2M	8
#define GIGANTIC_PMDS		8

/*
 * A batch: PMDs are split and PTEs remapped for several pages, then one TLB
 * flush, then the old vmemmap pages are freed (never before the flush).
 */
struct vmemmap_batch {
	struct page *to_free[512];
	unsigned int nr_free;
	pteval_t *tables[16];		/* page tables to free after the flush */
	unsigned int nr_tables;
	struct page *blocks[16];	/* 2 MiB vmemmap blocks to free */
	unsigned int nr_blocks;
	unsigned int nr_optimized;
};

/*
 * The shared tail pages and the all-tail PTE table, from memblock before
 * sparse_init: boot-time gigantic pages and device-dax build on them.
 */
void hugetlb_vmemmap_init_early(void);
void hugetlb_vmemmap_init_late(void);

/* True when the batch has room for one more page of this order. */
bool vmemmap_batch_room(const struct vmemmap_batch *b, unsigned int order);
/*
 * Remap the vmemmap of a fresh (not yet compound) huge page and write its
 * head vmemmap page: head + tails 1..63. The tails beyond are never
 * written. -ENOMEM leaves the page exactly as it was (unoptimized, not
 * compound): the caller then prepares it the ordinary way.
 */
int hugetlb_vmemmap_optimize(struct page *head, unsigned int order,
			     struct vmemmap_batch *b);
/* One TLB flush, then free what the batch collected. */
void vmemmap_batch_finish(struct vmemmap_batch *b);

/*
 * Give an optimized huge page its own struct pages back (read-write),
 * before it leaves the pool: call destroy_compound_tails(.., true) next.
 * -ENOMEM: nothing changed.
 */
int hugetlb_vmemmap_restore(struct page *head, unsigned int order);

/*
 * All n optimized 2 MiB pages of section nr leave the pool together:
 * rebuild the section's memmap under a PMD leaf in one go, their struct
 * pages written zeroed (plain pages). -ENOMEM/-EINVAL: nothing changed.
 */
int hugetlb_vmemmap_restore_section(unsigned long nr, struct page **heads,
				    unsigned int n);

/* Retry collapsing sections left PTE-mapped by a failed collapse. */
void hugetlb_vmemmap_collapse_all(void);

/* Boot: build the vmemmap of a memblock-reserved 1 GiB page optimized. */
int hugetlb_vmemmap_populate_gigantic(unsigned long pfn);

/* Write the struct pages of a compound page without HVO. */
/*
 * The 2 MiB remapping steps, for free blocks kept optimized
 * (mm/buddy_vmemmap.c): share tails 1..7 (old pages to the batch), give
 * them 7 given pages back, share them again when those pages are the
 * caller's (one flush of 7 entries), read which pages back them, write
 * the tails of the head vmemmap page.
 */
int vmemmap_prepare_2m(struct page *head);	/* split the PMD leaf (may allocate) */
int vmemmap_remap_tails_2m(struct page *head, struct vmemmap_batch *b);
void vmemmap_unshare_tails_2m(struct page *head, const phys_addr_t pages[7]);
void vmemmap_reshare_tails_2m(struct page *head);	/* no flush: */
void vmemmap_flush_tails_2m(struct page *head);		/* every CPU, IRQs on */
int vmemmap_tail_pages_2m(struct page *head, phys_addr_t pages[7]);
void vmemmap_write_free_tails(struct page *head);
/* A free optimized 2 MiB block becomes a pool page as it is, or back. */
void hugetlb_vmemmap_adopt_2m(struct page *head);
void hugetlb_vmemmap_release_2m(struct page *head);

/*
 * Free 1 GiB ranges (mm/free_gigantic.c). Under the vmemmap lock, the
 * range off the free lists. form: into the 1 GiB shape, the head struct
 * page flags given and tails 1..63 pristine (-ENOMEM, -EBUSY for a
 * memmap not populated: nothing changed; the old pages, lent ones too,
 * go with the batch's flush). unform: back under PMD leaves onto the 8 blocks given,
 * zeroed but for the range's pages from hosted_first on (the blocks
 * themselves when hosted: reserved). Pool moves write the head page only.
 *
 * A range broken may park the head page and PMD-0 table of its shape,
 * for its next forming: then breaking frees nothing and forming again
 * allocates nothing (park NULL: freed, and new ones allocated).
 */
struct vmemmap_parked {
	struct page *head;
	pteval_t *table;
};

int vmemmap_gigantic_form(struct page *head, unsigned long flags, struct vmemmap_batch *b,
			  struct vmemmap_parked *park);
void vmemmap_gigantic_unform(struct page *head, struct page *blocks[GIGANTIC_PMDS],
			     unsigned long hosted_first, struct vmemmap_parked *park);
void vmemmap_parked_free(struct vmemmap_parked *park);
void hugetlb_vmemmap_adopt_1g(struct page *head);
void hugetlb_vmemmap_release_1g(struct page *head, unsigned long flags);

void prep_compound_tails(struct page *head, unsigned int order);
/*
 * Undo the compound encoding before the pages go back to the buddy.
 * restored: hugetlb_vmemmap_restore() just rebuilt the struct pages, and a
 * gigantic page's tails beyond its head page are already clear.
 */
void destroy_compound_tails(struct page *head, unsigned int order, bool restored);

/* Exception reports name the pfn of a write to a shared tail. */
void hugetlb_vmemmap_register_fault_describer(void);

/* Pages given back by HVO (for VmemmapOptimized). */
unsigned long vmemmap_optimized_pages(void);

/* The shared tail page of an order (for tests). */
phys_addr_t vmemmap_shared_tail_phys(unsigned int order);
phys_addr_t vmemmap_all_tail_table_phys(void);
/* The read-only PTE that maps an order's shared tail page (devdax too). */
pteval_t vmemmap_tail_pte(unsigned int order);
/* pa is one of the shared tail pages; pmd points at the all-tail table. */
bool vmemmap_is_shared_tail(phys_addr_t pa);
bool vmemmap_pmd_is_all_tail(pteval_t pmd);

#endif
