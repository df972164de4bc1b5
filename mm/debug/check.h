/* SPDX-License-Identifier: MIT */
#ifndef MM_DEBUG_CHECK_H
#define MM_DEBUG_CHECK_H

/*
 * The invariant checkers of mm/ (the *_check.c files in mm/debug). Each returns 0 when
 * every list, count and page state agrees, or -EINVAL with the first broken
 * invariant recorded in msg (kernel/errmsg.h; NULL allowed), so that a test
 * or the console can print what is wrong and where.
 */
#include "kernel/types.h"
#include "kernel/errmsg.h"
#include "libc/errno.h"

/*
 * Inside a checker whose report goes to `msg`: when cond does not hold,
 * record it and return -EINVAL from the checker.
 */
#define CHECK(cond, ...) do {						\
	if (!(cond))							\
		return errmsg_set(msg, -EINVAL, __VA_ARGS__);		\
} while (0)

/* The buddy: free lists, per-CPU lists, memmap and zone counters agree. */
int page_alloc_check(struct errmsg *msg);
/*
 * Invariant checker for the kernel's page-table tree: every table
 * reachable from init_pgd is a PG_pgtable page of the right level whose
 * pt_count equals its present entries, no PGD entry is a leaf, every leaf
 * is aligned to its size, and no kernel-half leaf is user accessible.
 * 0, or -EINVAL with the first problem in msg.
 */
int kernel_pgtable_check(struct errmsg *msg);
/* HVO: the vmemmap of head is in the right shape for its state. */
struct page;
int hugetlb_vmemmap_check(struct page *head, unsigned int order, struct errmsg *msg);
/* HVO's shared tail pages: every struct page in them is a pristine tail. */
int vmemmap_shared_tails_check(struct errmsg *msg);
/*
 * Invariant checker: every record is a distinct pfn whose struct page (if
 * it has one) says poisoned, held pages are in no free block, and the
 * buddy's count of marked in-use pages matches. 0 or -EINVAL with msg.
 */
int memory_failure_check(struct errmsg *msg);
/* The hugetlb pools: lists, counters, struct pages, vmemmap shape. */
int hugetlb_check(struct errmsg *msg);
/* Free blocks kept optimized: shapes and counts (mm/buddy_vmemmap.c). */
int buddy_vmemmap_check(struct errmsg *msg);
/*
 * Free 1 GiB ranges (mm/free_gigantic.c): every listed range is formed,
 * in the 1 GiB shape; every hosted one maps its memmap onto its own last
 * 16 MiB, reserved and counted; states, lists and counts agree.
 */
int free_gigantic_check(struct errmsg *msg);
int vmemmap_free_range_check(struct page *head, bool hosted, struct errmsg *msg);
/*
 * The slab allocator: 0 when every slab of the cache has PG_slab and
 * the right cache, sits on the list its inuse count says, holds a free
 * list of exactly objects - inuse objects (in the slab, on object
 * boundaries, tagged free, no loop), and the counters add up. Otherwise
 * -EINVAL and msg.
 */
struct kmem_cache;
int kmem_cache_check(struct kmem_cache *cache, struct errmsg *msg);
int slab_check_all(struct errmsg *msg);
/*
 * Device-dax: for every region, each compound page's vmemmap has the
 * deduplicated shape (its own head page, read-only shared tails, the
 * all-tail table for 1 GiB), compound_head() of every vmemmap page's worth
 * of struct pages is the head, the accounting adds up, and the section
 * state (subsection map, users) is exactly what the regions cover.
 */
int dax_check(struct errmsg *msg);
/* An address space's VMA set: sorted, disjoint, aligned, merged, counters. */
struct mm;
int mm_check_vmas(struct mm *mm, struct errmsg *msg);
/*
 * An address space: the VMA set (mm_check_vmas), then every table of mm
 * (owner, level, pt_count == non-none entries, none empty while reclaim
 * is on, kernel half identical to init_pgd), every leaf inside a VMA of
 * its kind with the VMA's protection, rss/nr_huge/nr_pgtables equal to
 * what is mapped, and vm_resv within the unmapped huge pages.
 */
int mm_check(struct mm *mm, struct errmsg *msg);
/* Shared anonymous memory objects against every mm's VMAs and mappings. */
int shmem_check(struct errmsg *msg);

#endif
