/* SPDX-License-Identifier: MIT */
#ifndef MM_DEBUG_CHECK_H
#define MM_DEBUG_CHECK_H

/*
 * The invariant checkers of mm/ (the *_check.c files in mm/debug). Each returns 0 when
 * every list, count and page state agrees, or -EINVAL with the first broken
 * invariant described in why (len bytes, NULL allowed), so that a test or
 * the console can print what is wrong and where.
 */
#include "kernel/types.h"

/*
 * Inside a checker whose report buffer is `why` of `len` bytes: when cond
 * does not hold, describe it and return -EINVAL from the checker.
 */
#define CHECK(cond, ...) do {						\
	if (!(cond))							\
		return check_failed(why, len, __VA_ARGS__);		\
} while (0)

int check_failed(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The buddy: free lists, per-CPU lists, memmap and zone counters agree. */
int page_alloc_check(char *why, size_t len);
/*
 * Invariant checker for the kernel's page-table tree: every table
 * reachable from init_pgd is a PG_pgtable page of the right level whose
 * pt_count equals its present entries, no PGD entry is a leaf, every leaf
 * is aligned to its size, and no kernel-half leaf is user accessible.
 * 0, or -EINVAL with the first problem in why.
 */
int kernel_pgtable_check(char *why, size_t len);
/* HVO: the vmemmap of head is in the right shape for its state. */
struct page;
int hugetlb_vmemmap_check(struct page *head, unsigned int order, char *why, size_t len);
/* HVO's shared tail pages: every struct page in them is a pristine tail. */
int vmemmap_shared_tails_check(char *why, size_t len);
/*
 * Invariant checker: every record is a distinct pfn whose struct page (if
 * it has one) says poisoned, held pages are in no free block, and the
 * buddy's count of marked in-use pages matches. 0 or -EINVAL with why.
 */
int memory_failure_check(char *why, size_t len);
/* The hugetlb pools: lists, counters, struct pages, vmemmap shape. */
int hugetlb_check(char *why, size_t len);
/* Free blocks kept optimized: shapes and counts (mm/buddy_vmemmap.c). */
int buddy_vmemmap_check(char *why, size_t len);
/*
 * The slab allocator: 0 when every slab of the cache has PG_slab and
 * the right cache, sits on the list its inuse count says, holds a free
 * list of exactly objects - inuse objects (in the slab, on object
 * boundaries, tagged free, no loop), and the counters add up. Otherwise
 * -EINVAL and why.
 */
struct kmem_cache;
int kmem_cache_check(struct kmem_cache *cache, char *why, size_t len);
int slab_check_all(char *why, size_t len);
/*
 * Device-dax: for every region, each compound page's vmemmap has the
 * deduplicated shape (its own head page, read-only shared tails, the
 * all-tail table for 1 GiB), compound_head() of every vmemmap page's worth
 * of struct pages is the head, the accounting adds up, and the section
 * state (subsection map, users) is exactly what the regions cover.
 */
int dax_check(char *why, size_t len);
/* Shared anonymous memory objects against every mm's VMAs and mappings. */
int shmem_check(char *why, size_t len);

#endif
