/* SPDX-License-Identifier: MIT */
#ifndef TESTS_KTEST_MM_H
#define TESTS_KTEST_MM_H

/* Helpers shared by the mm suites. */
#include "tests/kernel/ktest.h"
#include "mm/hugetlb.h"
#include "kernel/errmsg.h"
#include "kernel/sched.h"

/*
 * One invariant checker: on failure the case fails at file:line with
 * "name: reason". KTEST_CHECK names the checker after its function.
 */
bool ktest_check(struct kunit *test, const char *file, int line, const char *name,
		 int (*check)(struct errmsg *msg));
#define KTEST_CHECK(test, check)	ktest_check(test, __FILE__, __LINE__, #check, check)

/* mm_check() of an address space, reported the same way. */
struct mm;
bool ktest_mm_check(struct kunit *test, const char *file, int line, struct mm *mm);
#define CHECK_MM(test, mm)	ktest_mm_check(test, __FILE__, __LINE__, mm)
/* A new address space, loaded; NULL, with the case failed, without memory. */
struct mm *ktest_mm_create(struct kunit *test, const char *name);
/* Write addr to itself as a user access: 0, or the fault's -EFAULT. */
int ktest_touch(unsigned long addr);

/*
 * What an mm case must leave as it found it: free pages (per-CPU lists
 * drained), the vmemmap's bytes and the kernel's page-table pages.
 */
struct ktest_mm_counts {
	unsigned long free, memmap, tables;
};
void ktest_mm_counts_take(struct ktest_mm_counts *c);
/* Fails the case at file:line unless all three are as taken; true if so. */
bool ktest_mm_counts_same(struct kunit *test, const char *file, int line,
			  const struct ktest_mm_counts *c);

/*
 * Every mm invariant checker: buddy, kernel page tables, hugetlb pools and
 * their vmemmap, hardware poison, device-dax. On the first failure the
 * case fails at file:line with the checker's reason.
 */
bool ktest_mm_checkers(struct kunit *test, const char *file, int line);
#define KTEST_MM_CHECKERS(test)	ktest_mm_checkers(test, __FILE__, __LINE__)

/*
 * Free pages once every cache has given back what it holds (per-CPU lists,
 * empty slabs) and sections a failed collapse left split are collapsed:
 * the figure a baseline compares.
 */
unsigned long ktest_settled_free_pages(void);

/*
 * Free pages and vmemmap bytes as they would be if free memory kept a
 * plain memmap (mm/buddy_vmemmap.c frees 7 vmemmap pages per optimized
 * free 2 MiB block and takes them back on a split): the figures the
 * suites of other layers check, the same with the switch on or off.
 * buddy_vmemmap's own suite checks the raw ones.
 */
unsigned long ktest_free_pages(void);
/* Kernel page tables as a plain memmap would have them (free 1 GiB ranges' not counted). */
unsigned long ktest_pgtable_pages(void);

/*
 * A write to struct page 200 of head's block faults, and the report
 * names that pfn and head as an optimized vmemmap tail's.
 */
void ktest_expect_tail_write_reported(struct kunit *test, struct page *head);
unsigned long ktest_vmemmap_bytes(void);

/*
 * At least n free pool pages of h that no reservation holds, growing the
 * pool if needed (the caller's baseline restores it). False, with the
 * case marked skipped, when the CPU or the guest cannot provide them.
 */
bool ktest_ensure_free_huge(struct kunit *test, struct hstate *h, unsigned long n);

/*
 * head is a 2 MiB compound page built by HVO's shape (hugetlb or
 * device-dax): tail 100 reads as a tail of order 9, and a write to it
 * faults (write, protection), for it is the read-only shared tail page.
 */
void ktest_expect_shared_tail_ro(struct kunit *test, struct page *head);

/*
 * The largest device-memory range (memmap=nn!ss), trimmed to whole
 * sections from a 1 GiB boundary, if it holds need bytes; else the case
 * is skipped and false returned.
 */
bool ktest_find_device_memory(struct kunit *test, u64 need, u64 *start, u64 *end);

/*
 * WMARK_MIN of zones[zone] by Linux's formula, worked out here from the
 * managed pages of now: min_free_kbytes = sqrt(16 * managed kB) within
 * [128, 65536], shared by the zones in proportion to their managed pages.
 */
unsigned long ktest_wmark_min(int zone);

/*
 * The sections whose memmap is one PMD leaf, recorded (the first 4096
 * sections), and how many of those that were split (PTE-mapped) then
 * are a PMD leaf now: each such collapse freed its PTE table, a page
 * more free and a kernel page table fewer than a baseline counted. A
 * section is split while any 2 MiB of its memmap is remapped (HVO, a
 * restored free block's lent pages) and collapses when none is.
 */
void ktest_record_pmd_sections(void);
const unsigned long *ktest_pmd_sections(void);
unsigned long ktest_sections_collapsed(void);

/*
 * Threads that exited on other CPUs give their stacks back only once
 * those CPUs have switched away from them and a schedule() reaps them.
 * Under TCG another vCPU may not run during many of this CPU's
 * schedules, so the wait is bounded by time (5 s), not by a count:
 * schedule() until settled(arg), true when it came within that time.
 */
bool ktest_wait_settled(bool (*settled)(const void *arg), const void *arg);
/* The same until ktest_settled_free_pages() == free. */
bool ktest_wait_free_pages(unsigned long free);

/* Each GiB's pages by owner, in the case's log: why no free GiB is left. */
void ktest_gig_census(struct kunit *test);
/*
 * Concurrent cases: one kernel thread per online CPU, two at least (with
 * one CPU they take turns): fn(args + i * size) bound to the i-th CPU,
 * args set up by the caller first. False (reported) if one could not be
 * made: those started still run.
 */
unsigned int ktest_nr_threads_per_cpu(void);
bool ktest_threads_per_cpu(struct kunit *test, void (*fn)(void *), void *args, size_t size,
			   unsigned int n, const char *name);

/*
 * Allocators on every CPU: each thread but the first allocates and frees
 * blocks of every order (seeded), tagging both ends, which a block handed
 * out twice overwrites; set->check looks at each allocation (an error
 * string or NULL). The first thread runs set->boss instead, against
 * them. All threads done, errors reported: the blocks allocated.
 */
struct ktest_alloc_thread;

struct ktest_alloc_set {
	unsigned int steps;
	const char *(*check)(struct page *page, unsigned int order);
	void (*boss)(struct ktest_alloc_thread *t);
};

struct ktest_alloc_thread {
	struct completion done;
	const struct ktest_alloc_set *set;
	u64 rng;
	bool boss;
	unsigned long steps, allocated, errors;
	char why[96];
};

void ktest_alloc_error(struct ktest_alloc_thread *t, const char *what, struct page *p);
unsigned long ktest_alloc_threads_run(struct kunit *test, const struct ktest_alloc_set *set,
				      u64 seed, const char *name);

#endif
