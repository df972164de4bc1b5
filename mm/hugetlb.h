/* SPDX-License-Identifier: MIT */
#ifndef MM_HUGETLB_H
#define MM_HUGETLB_H

/*
 * HugeTLB pools, as Linux's: one hstate per huge page size (2 MiB, 1 GiB),
 * each a pool of free pages plus counters, with Linux's interface on the
 * console (/proc/sys/vm/nr_hugepages, /sys/kernel/mm/hugepages/...).
 *
 * A huge page in the pool is a compound page (PG_head | PG_hugetlb on the
 * head); with HVO its tail struct pages are deduplicated (mm/hugetlb_vmemmap.c).
 *
 * Mappings (mm/mmap.c) reserve pages when they are created, so that a
 * later fault cannot fail: hugetlb_acquire_reservation() at mmap,
 * alloc_huge_page(h, true) at fault (consumes one reservation),
 * hugetlb_release_reservation() for the reservations never consumed at
 * munmap, free_huge_page() when a mapped page is unmapped.
 * MAP_NORESERVE mappings reserve nothing and allocate with reserved=false,
 * which fails (SIGBUS on Linux) when no unreserved page is free.
 */
#include "kernel/types.h"
#include "kernel/list.h"
#include "mm/page.h"

#define HUGE_MAX_HSTATE		2
#define HSTATE_2M		0
#define HSTATE_1G		1

struct hstate {
	unsigned int order;
	char name[32];			/* "hugepages-2048kB" */
	unsigned long max_huge_pages;	/* what was asked for */
	unsigned long nr_huge_pages;
	unsigned long free_huge_pages;
	unsigned long resv_huge_pages;
	unsigned long surplus_huge_pages;
	unsigned long free_hwpoisoned_huge_pages;	/* on the free list, never handed out */
	unsigned long nr_overcommit_huge_pages;
	struct list_head hugepage_freelist;
	struct list_head hugepage_activelist;
	bool supported;			/* 1 GiB needs pdpe1gb */
};

extern struct hstate hstates[HUGE_MAX_HSTATE];
extern struct hstate *default_hstate;

static inline unsigned long huge_page_size(const struct hstate *h)
{
	return PAGE_SIZE << h->order;
}

static inline unsigned long pages_per_huge_page(const struct hstate *h)
{
	return 1UL << h->order;
}

struct hstate *size_to_hstate(unsigned long size);

/* Reserve n pages of the pool (mmap); -ENOMEM when it cannot. */
int hugetlb_acquire_reservation(struct hstate *h, long n);
void hugetlb_release_reservation(struct hstate *h, long n);
/* A page for a fault: refcount 1, contents zeroed. NULL when none. */
struct page *alloc_huge_page(struct hstate *h, bool reserved);
/* Back to the pool (or dissolved, when it was surplus). */
void free_huge_page(struct page *head);

/* Grow or shrink the pool to count pages; returns the new count. */
unsigned long set_max_huge_pages(struct hstate *h, unsigned long count);

void hugetlb_init(void);

/*
 * What hugepages= asked for, and the pool the boot left (tests tell a
 * pristine pool from one changed since).
 */
unsigned long hugetlb_boot_pages_requested(const struct hstate *h);
unsigned long hugetlb_boot_pool_pages(const struct hstate *h);

/*
 * Hardware poison on a subpage of a pool page: recorded in the head's
 * list (a shared tail cannot carry a flag). A free page leaves the pool at
 * once; one in use when it comes back. Leaving, its struct pages are
 * restored and the exact subpage gets PG_hwpoison and stays out; the rest
 * goes to the buddy. -EEXIST when already recorded, -ENOMEM, -EINVAL.
 */
int hugetlb_memory_failure(struct page *head, unsigned long pfn);
bool hugetlb_subpage_poisoned(unsigned long pfn);
/* A pool page with a hardware-poisoned subpage (never handed out). */
bool huge_page_hwpoisoned(struct page *head);

/*
 * Boot: 1 GiB pages asked for on the command line are taken from memblock
 * before the memmap exists, so that sparse_init can skip their sections
 * and hugetlb_populate_boot_gigantic() build them optimized.
 */
void hugetlb_reserve_boot_gigantic(void);
bool hugetlb_section_is_boot_gigantic(unsigned long nr);
void hugetlb_populate_boot_gigantic(void);

/* HVO for pages entering the pool from now on (hugetlb_optimize_vmemmap). */
bool hugetlb_optimize_vmemmap_enabled(void);
/* Shrinking rebuilds whole sections at once (default) or page by page. */
void hugetlb_set_section_restore(bool on);
void hugetlb_set_optimize_vmemmap(bool on);

#endif
