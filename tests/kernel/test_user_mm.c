// SPDX-License-Identifier: MIT
/*
 * user, continued: what processes do to the memory manager, seen from
 * the kernel's side: fork's copy-on-write counts, hugetlb reservations
 * through exit and fork, the hugetlb owner's copy-on-write, and shared
 * anonymous memory (its meminfo line, mremap duplicates, allocation
 * failures). Each case ends at the suite's baseline (ktest_user.h).
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "tests/kernel/ktest_user.h"
#include "kernel/signal.h"
#include "kernel/task.h"
#include "kernel/traps.h"
#include "kernel/uaccess.h"
#include "mm/hugetlb.h"
#include "mm/meminfo.h"
#include "mm/memory.h"
#include "mm/debug/check.h"
#include "mm/mmap.h"
#include "mm/fail_page_alloc.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/shmem.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

/* fork's copy-on-write, seen from the page counts and the checker. */

static void expect_mm_ok(struct kunit *test, struct mm *mm)
{
	struct errmsg msg;

	if (mm_check(mm, &msg))
		ktest_fail(test, __FILE__, __LINE__, "%s: %s", mm->name, msg.why);
}

static struct page *page_at(struct mm *mm, unsigned long addr)
{
	pteval_t *table = mm->pgd;

	for (int l = PG_LEVEL_512G; l >= PG_LEVEL_4K; l--) {
		pteval_t e = table[level_index(addr, l)];

		if (!(e & _PAGE_PRESENT))
			return NULL;
		if (l == PG_LEVEL_4K || (e & _PAGE_PSE))
			return pfn_to_page(PHYS_PFN(entry_phys(e)));
		table = entry_table(e);
	}
	return NULL;
}

#define COW_BASE	0x10000000UL
#define COW_PAGES	8

KTEST(user, fork_copy_on_write_counts)
{
	struct mm *saved = current_mm, *parent, *child;
	struct ktest_user_baseline b;
	struct page *pg;
	u64 v = 0;

	ktest_user_take_baseline(&b);
	parent = mm_create_user(0, "cow-parent");
	ASSERT_NOT_NULL(test, parent);
	ASSERT_EQ(test, do_mmap(parent, COW_BASE, COW_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), COW_BASE);
	switch_mm(parent);
	for (int i = 0; i < COW_PAGES; i++)
		EXPECT_EQ(test, put_user_u64(i, (u64 *)(COW_BASE + i * PAGE_SIZE)), 0);
	child = mm_dup(parent, 0);
	ASSERT_NOT_NULL(test, child);
	EXPECT_EQ(test, child->rss, COW_PAGES);
	pg = page_at(parent, COW_BASE);
	EXPECT_TRUE(test, pg == page_at(child, COW_BASE));
	EXPECT_EQ(test, pg->_refcount, 2);
	EXPECT_EQ(test, pg->_mapcount, 1);
	expect_mm_ok(test, parent);
	expect_mm_ok(test, child);

	/* The child's write copies; the parent's page is its own again. */
	switch_mm(child);
	EXPECT_EQ(test, put_user_u64(100, (u64 *)COW_BASE), 0);
	EXPECT_EQ(test, child->nr_cow, 1);
	EXPECT_TRUE(test, page_at(child, COW_BASE) != pg);
	EXPECT_EQ(test, pg->_refcount, 1);
	EXPECT_EQ(test, pg->_mapcount, 0);
	switch_mm(parent);
	EXPECT_EQ(test, get_user_u64(&v, (u64 *)COW_BASE), 0);
	EXPECT_EQ(test, v, 0);
	/* The last mapper writes without a copy (Linux's reuse). */
	EXPECT_EQ(test, put_user_u64(7, (u64 *)COW_BASE), 0);
	EXPECT_EQ(test, parent->nr_cow, 0);
	EXPECT_TRUE(test, page_at(parent, COW_BASE) == pg);
	expect_mm_ok(test, parent);
	expect_mm_ok(test, child);

	/* Unmapped on one side: the other keeps the page. */
	EXPECT_EQ(test, do_munmap(child, COW_BASE + PAGE_SIZE, PAGE_SIZE), 0);
	pg = page_at(parent, COW_BASE + PAGE_SIZE);
	EXPECT_EQ(test, pg->_refcount, 1);
	EXPECT_EQ(test, pg->_mapcount, 0);
	expect_mm_ok(test, parent);
	expect_mm_ok(test, child);
	switch_mm(saved);
	mm_destroy(child);
	mm_destroy(parent);
	ktest_user_expect_baseline(test, &b);
}

/*
 * Hugetlb reservations across fork, counted exactly at each step: a
 * private mapping's stay with the mm that made it (Linux's
 * HPAGE_RESV_OWNER) and go when it does, even while a child still maps
 * its page; a shared mapping's belong to its object, one set for both.
 */
#define RESV_BASE	0x40000000UL
#define HPAGE_2M	(2UL << 20)

struct resv_case {
	struct hstate *h;
	unsigned long pool, resv;	/* the pool's size and HugePages_Rsvd before */
	struct ktest_user_baseline b;
	struct mm *saved, *parent, *child;
	unsigned long size, overcommit;	/* the pool's, while emptied */
};

static void resv_teardown(struct kunit *test, struct resv_case *rc)
{
	EXPECT_EQ(test, rc->h->resv_huge_pages, rc->resv);
	ktest_user_expect_baseline(test, &rc->b);
	set_max_huge_pages(rc->h, rc->pool);
}

/*
 * Two huge pages mapped in a new mm, the first touched, then the child
 * forked: one reservation is left (the parent's, or the mapping's), never
 * a second for the child. False when the case cannot go on.
 */
static bool resv_start(struct kunit *test, struct resv_case *rc, unsigned long flags)
{
	rc->saved = current_mm;
	rc->h = &hstates[HSTATE_2M];
	rc->pool = rc->h->nr_huge_pages;
	if (!ktest_ensure_free_huge(test, rc->h, 2))
		return false;
	ktest_user_take_baseline(&rc->b);
	rc->resv = rc->h->resv_huge_pages;
	rc->parent = mm_create_user(0, "resv-parent");
	if (!rc->parent) {
		ktest_fail(test, __FILE__, __LINE__, "mm_create_user failed");
		return false;
	}
	EXPECT_EQ(test, do_mmap(rc->parent, RESV_BASE, 2 * HPAGE_2M, PROT_READ | PROT_WRITE,
				flags | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB | MAP_FIXED),
		  RESV_BASE);
	switch_mm(rc->parent);
	EXPECT_EQ(test, put_user_u64(1, (u64 *)RESV_BASE), 0);
	rc->child = mm_dup(rc->parent, 0);
	if (!rc->child) {
		switch_mm(rc->saved);
		mm_destroy(rc->parent);
		ktest_fail(test, __FILE__, __LINE__, "mm_dup failed");
		return false;
	}
	EXPECT_EQ(test, rc->h->resv_huge_pages, rc->resv + 1);
	return true;
}

KTEST(user, hugetlb_resv_private_owner_exits)
{
	struct mm *saved, *parent, *child;
	struct resv_case rc;
	u64 v = 0;

	if (!resv_start(test, &rc, MAP_PRIVATE))
		return;
	saved = rc.saved;
	parent = rc.parent;
	child = rc.child;
	expect_mm_ok(test, parent);
	expect_mm_ok(test, child);
	KTEST_MM_CHECKERS(test);
	switch_mm(saved);
	mm_destroy(parent);
	EXPECT_EQ(test, rc.h->resv_huge_pages, rc.resv);
	/* The child keeps the page it shared, and gets an unreserved one. */
	switch_mm(child);
	EXPECT_EQ(test, get_user_u64(&v, (u64 *)RESV_BASE), 0);
	EXPECT_EQ(test, v, 1);
	EXPECT_EQ(test, put_user_u64(2, (u64 *)(RESV_BASE + HPAGE_2M)), 0);
	EXPECT_EQ(test, rc.h->resv_huge_pages, rc.resv);
	expect_mm_ok(test, child);
	KTEST_MM_CHECKERS(test);
	switch_mm(saved);
	mm_destroy(child);
	resv_teardown(test, &rc);
}

KTEST(user, hugetlb_resv_shared_follows_the_mapping)
{
	struct mm *saved, *parent, *child;
	struct resv_case rc;
	u64 v = 0;

	if (!resv_start(test, &rc, MAP_SHARED))
		return;
	saved = rc.saved;
	parent = rc.parent;
	child = rc.child;
	switch_mm(child);
	EXPECT_EQ(test, put_user_u64(2, (u64 *)(RESV_BASE + HPAGE_2M)), 0);
	EXPECT_EQ(test, rc.h->resv_huge_pages, rc.resv);
	expect_mm_ok(test, child);
	KTEST_MM_CHECKERS(test);
	switch_mm(saved);
	mm_destroy(child);
	/* The child's write is in the object: the parent maps it now. */
	switch_mm(parent);
	EXPECT_EQ(test, get_user_u64(&v, (u64 *)(RESV_BASE + HPAGE_2M)), 0);
	EXPECT_EQ(test, v, 2);
	EXPECT_EQ(test, rc.h->resv_huge_pages, rc.resv);
	EXPECT_EQ(test, do_munmap(parent, RESV_BASE, 2 * HPAGE_2M), 0);
	EXPECT_EQ(test, rc.h->resv_huge_pages, rc.resv);
	EXPECT_TRUE(test, list_empty(&shmem_objects));
	switch_mm(saved);
	mm_destroy(parent);
	resv_teardown(test, &rc);
}

/*
 * resv_start() (private), then no huge page left in the pool but those
 * in use and reserved, and none to overcommit.
 */
static bool empty_pool_start(struct kunit *test, struct resv_case *rc)
{
	if (!resv_start(test, rc, MAP_PRIVATE))
		return false;
	rc->overcommit = rc->h->nr_overcommit_huge_pages;
	rc->size = rc->h->nr_huge_pages - rc->h->surplus_huge_pages;
	rc->h->nr_overcommit_huge_pages = 0;
	set_max_huge_pages(rc->h, 0);
	return true;
}

/* Both mms gone, the pool as the case's baseline had it, then checked. */
static void empty_pool_end(struct kunit *test, struct resv_case *rc)
{
	expect_mm_ok(test, rc->parent);
	expect_mm_ok(test, rc->child);
	KTEST_MM_CHECKERS(test);
	switch_mm(rc->saved);
	mm_destroy(rc->child);
	mm_destroy(rc->parent);
	rc->h->nr_overcommit_huge_pages = rc->overcommit;
	set_max_huge_pages(rc->h, rc->size);
	resv_teardown(test, rc);
}

/*
 * The owner's copy-on-write with the pool empty (Linux's hugetlb_wp()
 * and unmap_ref_private()): the child loses the shared page, the owner
 * writes it in place, no page or reservation changes hands, and every
 * later fault in the child's copy of the mapping is SIGBUS.
 */
KTEST(user, hugetlb_owner_cow_unmaps_child)
{
	struct resv_case rc;
	struct mm *parent, *child;
	unsigned long free;
	struct page *pg;
	int si_code = 0;
	u64 v = 0;

	if (!empty_pool_start(test, &rc))
		return;
	parent = rc.parent;
	child = rc.child;
	/* Left: the shared page and the parent's reserved one, free. */
	EXPECT_EQ(test, rc.h->free_huge_pages, rc.h->resv_huge_pages);
	free = rc.h->free_huge_pages;
	pg = page_at(parent, RESV_BASE);
	EXPECT_TRUE(test, pg && pg == page_at(child, RESV_BASE));
	EXPECT_EQ(test, pg->_refcount, 2);
	EXPECT_EQ(test, child->nr_huge[HSTATE_2M], 1);

	switch_mm(parent);
	EXPECT_EQ(test, put_user_u64(5, (u64 *)RESV_BASE), 0);
	EXPECT_EQ(test, get_user_u64(&v, (u64 *)RESV_BASE), 0);
	EXPECT_EQ(test, v, 5);
	EXPECT_TRUE(test, page_at(parent, RESV_BASE) == pg);
	EXPECT_EQ(test, parent->nr_cow, 0);
	EXPECT_EQ(test, pg->_refcount, 1);
	EXPECT_TRUE(test, page_at(child, RESV_BASE) == NULL);
	EXPECT_EQ(test, child->nr_huge[HSTATE_2M], 0);
	EXPECT_TRUE(test, vma_lookup(child, RESV_BASE)->vm_flags & VM_RESV_UNMAPPED);
	EXPECT_FALSE(test, vma_lookup(parent, RESV_BASE)->vm_flags & VM_RESV_UNMAPPED);
	EXPECT_EQ(test, rc.h->free_huge_pages, free);
	EXPECT_EQ(test, rc.h->resv_huge_pages, rc.resv + 1);
	expect_mm_ok(test, parent);
	expect_mm_ok(test, child);
	KTEST_MM_CHECKERS(test);

	/* The child: SIGBUS where the page was and where none ever was. */
	EXPECT_EQ(test, handle_mm_fault(child, RESV_BASE, X86_PF_USER, &si_code),
		  VM_FAULT_SIGBUS);
	EXPECT_EQ(test, handle_mm_fault(child, RESV_BASE + HPAGE_2M, X86_PF_USER | X86_PF_WRITE,
					&si_code), VM_FAULT_SIGBUS);
	EXPECT_EQ(test, rc.h->free_huge_pages, free);
	/* The parent's reservation still serves its second page. */
	EXPECT_EQ(test, put_user_u64(6, (u64 *)(RESV_BASE + HPAGE_2M)), 0);
	EXPECT_EQ(test, rc.h->resv_huge_pages, rc.resv);
	EXPECT_EQ(test, rc.h->free_huge_pages, free - 1);
	empty_pool_end(test, &rc);
}

/* A fork child's copy-on-write with the pool empty stays SIGBUS. */
KTEST(user, hugetlb_child_cow_empty_pool_sigbus)
{
	struct resv_case rc;
	int si_code = 0;
	u64 v = 0;

	if (!empty_pool_start(test, &rc))
		return;
	EXPECT_EQ(test, handle_mm_fault(rc.child, RESV_BASE, X86_PF_USER | X86_PF_WRITE,
					&si_code), VM_FAULT_SIGBUS);
	EXPECT_TRUE(test, page_at(rc.parent, RESV_BASE) == page_at(rc.child, RESV_BASE));
	EXPECT_FALSE(test, vma_lookup(rc.child, RESV_BASE)->vm_flags & VM_RESV_UNMAPPED);
	switch_mm(rc.parent);
	EXPECT_EQ(test, get_user_u64(&v, (u64 *)RESV_BASE), 0);
	EXPECT_EQ(test, v, 1);
	empty_pool_end(test, &rc);
}

/* /proc/meminfo's Shmem line, in kB, as Linux prints it; -1 if absent. */
static long meminfo_shmem_kb(void)
{
	static char buf[4096];
	const char *p;

	if (ktest_shell("cat /proc/meminfo", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "\nShmem:");
	return p ? (long)strtoul(p + 7, NULL, 10) : -1;
}

#define DUP_BASE	0x60000000UL
#define DUP_PAGES	4

/*
 * Shmem rises with each page a shared mapping faults in, not with a
 * second mapping of it (fork, mremap's duplicate), and falls when the
 * object goes with its last mapping.
 */
KTEST(user, shmem_meminfo_and_mremap_duplicate)
{
	struct mm *saved = current_mm, *mm, *child;
	long base_kb = meminfo_shmem_kb(), dup;
	unsigned long base = meminfo_shmem_pages();
	struct ktest_user_baseline b;
	u64 v = 0;

	ASSERT_TRUE(test, base_kb >= 0);
	EXPECT_EQ(test, (unsigned long)base_kb, base * 4);
	ktest_user_take_baseline(&b);
	mm = mm_create_user(0, "shm-dup");
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, DUP_BASE, DUP_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED), DUP_BASE);
	EXPECT_EQ(test, meminfo_shmem_pages(), base);
	switch_mm(mm);
	for (unsigned long i = 0; i < 3; i++)
		EXPECT_EQ(test, put_user_u64(10 + i, (u64 *)(DUP_BASE + i * PAGE_SIZE)), 0);
	EXPECT_EQ(test, meminfo_shmem_pages(), base + 3);
	EXPECT_EQ(test, meminfo_shmem_kb(), base_kb + 12);

	/* Private memory cannot be duplicated; shared needs MREMAP_MAYMOVE. */
	EXPECT_EQ(test, do_mmap(mm, DUP_BASE - 4 * PAGE_SIZE, PAGE_SIZE, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), DUP_BASE - 4 * PAGE_SIZE);
	EXPECT_EQ(test, do_mremap(mm, DUP_BASE - 4 * PAGE_SIZE, 0, PAGE_SIZE, MREMAP_MAYMOVE, 0),
		  -EINVAL);
	EXPECT_EQ(test, do_mremap(mm, DUP_BASE, 0, PAGE_SIZE, 0, 0), -ENOMEM);
	EXPECT_EQ(test, do_mremap(mm, DUP_BASE - 2 * PAGE_SIZE, 0, PAGE_SIZE, MREMAP_MAYMOVE, 0),
		  -EFAULT);
	/* From the second page on: the same pages, at a new place. */
	dup = do_mremap(mm, DUP_BASE + PAGE_SIZE, 0, 3 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	ASSERT_TRUE(test, dup > 0 && dup != (long)(DUP_BASE + PAGE_SIZE));
	EXPECT_EQ(test, vma_lookup(mm, dup)->vm_shm, vma_lookup(mm, DUP_BASE)->vm_shm);
	EXPECT_EQ(test, get_user_u64(&v, (u64 *)dup), 0);
	EXPECT_EQ(test, v, 11);
	EXPECT_EQ(test, put_user_u64(99, (u64 *)(dup + 2 * PAGE_SIZE)), 0);
	EXPECT_EQ(test, get_user_u64(&v, (u64 *)(DUP_BASE + 3 * PAGE_SIZE)), 0);
	EXPECT_EQ(test, v, 99);
	EXPECT_EQ(test, meminfo_shmem_pages(), base + 4);
	expect_mm_ok(test, mm);
	KTEST_MM_CHECKERS(test);

	/* A fork maps the same pages: no new Shmem. */
	child = mm_dup(mm, 0);
	ASSERT_NOT_NULL(test, child);
	EXPECT_EQ(test, meminfo_shmem_pages(), base + 4);
	switch_mm(saved);
	mm_destroy(child);
	/* The first mapping goes; the duplicate keeps the object alive. */
	EXPECT_EQ(test, do_munmap(mm, DUP_BASE, DUP_PAGES * PAGE_SIZE), 0);
	EXPECT_EQ(test, meminfo_shmem_pages(), base + 4);
	EXPECT_EQ(test, do_munmap(mm, dup, 3 * PAGE_SIZE), 0);
	EXPECT_EQ(test, meminfo_shmem_pages(), base);
	EXPECT_EQ(test, meminfo_shmem_kb(), base_kb);
	KTEST_MM_CHECKERS(test);
	mm_destroy(mm);
	ktest_user_expect_baseline(test, &b);
}

/*
 * Shared memory with the k-th page allocation failing, for every k the
 * sequence reaches: mmap (the object), faults (index nodes, pages), fork
 * (tables), faults in the child, teardown. Whatever fails, nothing leaks
 * and every checker holds.
 */
#define SHM_BASE	0x50000000UL
#define SHM_PAGES	8

static void shmem_sequence(void)
{
	struct mm *saved = current_mm, *parent = mm_create_user(0, "shm-parent"), *child;

	if (!parent)
		return;
	if (do_mmap(parent, SHM_BASE, SHM_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED) == (long)SHM_BASE) {
		switch_mm(parent);
		for (unsigned long i = 0; i < SHM_PAGES / 2; i++)
			put_user_u64(i, (u64 *)(SHM_BASE + i * PAGE_SIZE));
		child = mm_dup(parent, 0);
		if (child) {
			switch_mm(child);
			for (unsigned long i = 0; i < SHM_PAGES; i++)
				put_user_u64(i, (u64 *)(SHM_BASE + i * PAGE_SIZE));
			switch_mm(saved);
			mm_destroy(child);
		}
	}
	switch_mm(saved);
	mm_destroy(parent);
}

KTEST(user, shmem_allocation_failures)
{
	unsigned long k, injected;
	struct ktest_user_baseline b;

	for (k = 1; k < 200; k++) {
		ktest_user_take_baseline(&b);
		injected = fail_page_alloc_injected();
		fail_page_alloc_nth(k);
		shmem_sequence();
		fail_page_alloc_off();
		ktest_user_expect_baseline(test, &b);
		if (test->failed) {
			ktest_log(test, "page allocation %lu failed and left damage", k);
			return;
		}
		if (fail_page_alloc_injected() == injected)
			break;
	}
	EXPECT_TRUE(test, k > 1 && k < 200);
	ktest_log(test, "%lu allocation(s) failed in turn, no leak", k - 1);
}
