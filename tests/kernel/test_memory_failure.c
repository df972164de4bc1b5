// SPDX-License-Identifier: MIT
/*
 * Hardware poison (mm/memory_failure.c): a poisoned page is never handed
 * out again, whatever state it was in: free in the buddy, allocated (a
 * page of its own, or inside a larger block), a subpage of an optimized
 * 2 MiB or 1 GiB pool page (recorded in its head, flagged once the page
 * has left the pool). Unpoison gives it back, so that every case ends at
 * its baseline. Checkers after every step: memory_failure_check,
 * page_alloc_check, hugetlb_check.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/devdax.h"
#include "mm/debug/check.h"
#include "mm/e820.h"
#include "mm/free_gigantic.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/memory_failure.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
#include "mm/page_fill.h"
#include "mm/slab.h"
#include "mm/sparse.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/shell.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

/* The reason the last call through these tests failed. */
static struct errmsg werr;

#define H2M	(&hstates[HSTATE_2M])
#define H1G	(&hstates[HSTATE_1G])

struct baseline {
	struct ktest_mm_counts mm;	/* free pages, vmemmap bytes, tables */
	unsigned long poisoned, in_use;
	unsigned long nr[HUGE_MAX_HSTATE];
	bool hvo;
};

static void take_baseline(struct baseline *b)
{
	/* hugetlb records subpages with kmalloc: let its cache have its slab. */
	kfree(kmalloc(16, GFP_KERNEL));
	ktest_mm_counts_take(&b->mm);
	ktest_record_pmd_sections();
	b->poisoned = num_poisoned_pages();
	b->in_use = nr_hwpoison_pages_in_use();
	b->nr[0] = H2M->nr_huge_pages;
	b->nr[1] = H1G->nr_huge_pages;
	b->hvo = hugetlb_optimize_vmemmap_enabled();
}

#define CHECKERS_PASS(test)	KTEST_MM_CHECKERS(test)

/*
 * Free pages are the baseline less lost pages, plus the PTE table of each
 * vmemmap section split at the baseline that collapsed since (a 1 GiB
 * page's restore and dissolve can do that); the rest exactly as before.
 */
static void expect_state(struct kunit *test, const struct baseline *b, unsigned long lost,
			 int line)
{
	unsigned long want;

	drain_all_pages();
	want = b->mm.free - lost + ktest_sections_collapsed();
	if (ktest_free_pages() != want || num_poisoned_pages() != b->poisoned + lost)
		ktest_fail(test, __FILE__, line, "free %lu, want %lu; poisoned %lu, want %lu",
			   ktest_free_pages(), want, num_poisoned_pages(), b->poisoned + lost);
	ktest_mm_checkers(test, __FILE__, line);
}
#define EXPECT_LOST(test, b, n) expect_state(test, b, n, __LINE__)

static void expect_held(struct kunit *test, unsigned long pfn, int line)
{
	struct page *p = pfn_to_page(pfn);
	bool held = page_hwpoison_held(pfn);

	if (!held || !PageHWPoison(p) || !PageOffline(p) || p->_refcount != 1 || PageBuddy(p) ||
	    is_free_buddy_page(p))
		ktest_fail(test, __FILE__, line, "pfn %#lx: not held (flags %#lx refcount %d)",
			   pfn, p->flags, p->_refcount);
}
#define EXPECT_HELD(test, pfn) expect_held(test, pfn, __LINE__)

static void restore_pools(const struct baseline *b)
{
	set_max_huge_pages(H2M, b->nr[0]);
	set_max_huge_pages(H1G, b->nr[1]);
	hugetlb_set_optimize_vmemmap(b->hvo);
}

/*
 * Cases that grow and shrink the 2 MiB pool start from an empty one: a
 * pool rebuilt may split other sections' vmemmap PMDs than the boot pool
 * did, which would move the baseline by a page table.
 */
static unsigned long empty_2m_pool(void)
{
	unsigned long n = H2M->nr_huge_pages;

	set_max_huge_pages(H2M, 0);
	return n;
}

/* Cases that poison pool pages start from an empty 2 MiB pool, HVO on. */
static unsigned long start_pool_case(struct baseline *b)
{
	unsigned long keep = empty_2m_pool();

	take_baseline(b);
	hugetlb_set_optimize_vmemmap(true);
	return keep;
}

/* Unpoison the held pfn and put the pools back: nothing is lost any more. */
static void unpoison_and_restore(struct kunit *test, const struct baseline *b,
				 unsigned long pfn, int line)
{
	int ret = unpoison_memory(pfn, &werr);

	if (ret)
		ktest_fail(test, __FILE__, line, "unpoison_memory(%#lx) returned %d: %s", pfn,
			   ret, errmsg_why(&werr, ret));
	restore_pools(b);
	expect_state(test, b, 0, line);
}
#define UNPOISON_AND_RESTORE(test, b, pfn) unpoison_and_restore(test, b, pfn, __LINE__)

/* A page in the middle of a free 4 MiB block: the block is split around it. */
KTEST(memory_failure, free_page)
{
	struct baseline b;
	struct page *block;
	unsigned long pfn;
	char buf[2048];

	take_baseline(&b);
	block = alloc_pages(GFP_KERNEL, MAX_ORDER);
	ASSERT_NOT_NULL(test, block);
	pfn = page_to_pfn(block) + 333;
	free_pages(block, MAX_ORDER);
	ASSERT_TRUE(test, is_free_buddy_page(pfn_to_page(pfn)));
	EXPECT_EQ(test, memory_failure(pfn, &werr), 0);
	EXPECT_NOT_NULL(test, strstr(werr.why, "free buddy page: Recovered"));
	EXPECT_HELD(test, pfn);
	EXPECT_TRUE(test, pfn_hwpoisoned(pfn));
	EXPECT_TRUE(test, is_free_buddy_page(pfn_to_page(pfn - 1)));
	EXPECT_TRUE(test, is_free_buddy_page(pfn_to_page(pfn + 1)));
	EXPECT_LOST(test, &b, 1);
	ASSERT_GT(test, pseudofs_read("/proc/meminfo", buf, sizeof(buf)), 0);
	snprintf(buf + 1024, 64, "HardwareCorrupted: %5lu kB", (b.poisoned + 1) * 4);
	EXPECT_NOT_NULL(test, strstr(buf, buf + 1024));
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
	EXPECT_FALSE(test, PageHWPoison(pfn_to_page(pfn)));
	EXPECT_LOST(test, &b, 0);
	/* The block merged back whole. */
	block = alloc_contig_pages(1UL << MAX_ORDER, 1UL << MAX_ORDER, 0);
	EXPECT_NOT_NULL(test, block);
	if (block)
		free_contig_range(page_to_pfn(block), 1UL << MAX_ORDER);
}

/* In use: marked now, kept out when freed. */
KTEST(memory_failure, allocated_page)
{
	struct baseline b;
	struct page *p;
	unsigned long pfn;

	take_baseline(&b);
	p = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, p);
	pfn = page_to_pfn(p);
	EXPECT_EQ(test, memory_failure(pfn, &werr), 0);
	EXPECT_NOT_NULL(test, strstr(werr.why, "Delayed"));
	EXPECT_TRUE(test, PageHWPoison(p));
	EXPECT_FALSE(test, PageOffline(p));
	EXPECT_EQ(test, nr_hwpoison_pages_in_use(), b.in_use + 1);
	CHECKERS_PASS(test);
	__free_page(p);
	EXPECT_HELD(test, pfn);
	EXPECT_EQ(test, nr_hwpoison_pages_in_use(), b.in_use);
	EXPECT_LOST(test, &b, 1);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
	EXPECT_LOST(test, &b, 0);
	/* Unpoison while still in use: only the mark goes. */
	p = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, p);
	EXPECT_EQ(test, memory_failure(page_to_pfn(p), &werr), 0);
	EXPECT_EQ(test, unpoison_memory(page_to_pfn(p), &werr), 0);
	EXPECT_FALSE(test, PageHWPoison(p));
	EXPECT_EQ(test, nr_hwpoison_pages_in_use(), b.in_use);
	__free_page(p);
	EXPECT_LOST(test, &b, 0);
}

/* A subpage of a larger allocation: the rest of the block is freed around it. */
static void poison_in_block(struct kunit *test, unsigned int order, unsigned int sub,
			    gfp_t gfp)
{
	struct baseline b;
	struct page *p;
	unsigned long pfn;

	take_baseline(&b);
	p = alloc_pages(GFP_KERNEL | gfp, order);
	ASSERT_NOT_NULL(test, p);
	pfn = page_to_pfn(p) + sub;
	EXPECT_EQ(test, memory_failure(pfn, &werr), 0);
	CHECKERS_PASS(test);
	free_pages(p, order);
	EXPECT_HELD(test, pfn);
	for (unsigned int i = 0; i < (1U << order); i++)
		if (i != sub)
			EXPECT_TRUE(test, is_free_buddy_page(p + i));
	EXPECT_LOST(test, &b, 1);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
	EXPECT_LOST(test, &b, 0);
}

KTEST(memory_failure, subpage_of_block)
{
	poison_in_block(test, 3, 5, 0);
	poison_in_block(test, 4, 0, 0);
	poison_in_block(test, 2, 3, __GFP_COMP);
	poison_in_block(test, 9, 511, __GFP_COMP);
}

/* A contiguous range (alloc_contig_pages) freed with free_contig_range(). */
KTEST(memory_failure, subpage_of_contig_range)
{
	const unsigned long n = 3000;
	struct baseline b;
	struct page *p;
	unsigned long pfn;

	take_baseline(&b);
	p = alloc_contig_pages(n, 1024, 0);
	ASSERT_NOT_NULL(test, p);
	pfn = page_to_pfn(p) + 2047;
	EXPECT_EQ(test, memory_failure(pfn, &werr), 0);
	EXPECT_EQ(test, memory_failure(pfn + 1, &werr), 0);
	CHECKERS_PASS(test);
	free_contig_range(page_to_pfn(p), n);
	EXPECT_HELD(test, pfn);
	EXPECT_HELD(test, pfn + 1);
	EXPECT_TRUE(test, is_free_buddy_page(pfn_to_page(pfn - 1)));
	EXPECT_TRUE(test, is_free_buddy_page(pfn_to_page(pfn + 2)));
	EXPECT_LOST(test, &b, 2);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
	EXPECT_EQ(test, unpoison_memory(pfn + 1, &werr), 0);
	EXPECT_LOST(test, &b, 0);
}

static unsigned long hole_pfn(void)
{
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++)
		if (!mem_section[nr].flags)
			return section_nr_to_pfn(nr) + 17;
	return section_nr_to_pfn(nr_mem_sections) + 17;
}

static unsigned long device_pfn(void)
{
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++)
		if (mem_section[nr].flags & SECTION_DEVICE)
			return section_nr_to_pfn(nr);
	return 0;
}

/* Twice, no memmap, device memory, reserved: reported, nothing broken. */
KTEST(memory_failure, refused_and_reported)
{
	struct baseline b;
	struct page *p;
	unsigned long pfn, dev = device_pfn();
	int id;

	take_baseline(&b);
	p = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, p);
	pfn = page_to_pfn(p);
	__free_page(p);
	EXPECT_EQ(test, memory_failure(pfn, &werr), 0);
	EXPECT_EQ(test, memory_failure(pfn, &werr), -EHWPOISON);
	EXPECT_NOT_NULL(test, strstr(werr.why, "already hardware poisoned"));
	EXPECT_LOST(test, &b, 1);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), -ENOENT);

	EXPECT_EQ(test, memory_failure(hole_pfn(), &werr), -ENXIO);
	EXPECT_NOT_NULL(test, strstr(werr.why, "no struct page"));
	EXPECT_EQ(test, memory_failure(section_nr_to_pfn(nr_mem_sections) + 5, &werr), -ENXIO);
	EXPECT_EQ(test, memory_failure(~0UL >> 12, &werr), -ENXIO);
	EXPECT_LOST(test, &b, 0);

	/* The null page's frame: reserved, marked, the kernel keeps it. */
	EXPECT_EQ(test, memory_failure(0, &werr), -EBUSY);
	EXPECT_NOT_NULL(test, strstr(werr.why, "reserved kernel page"));
	EXPECT_TRUE(test, PageHWPoison(pfn_to_page(0)) && PageReserved(pfn_to_page(0)));
	EXPECT_EQ(test, memory_failure(0, &werr), -EHWPOISON);
	EXPECT_EQ(test, num_poisoned_pages(), b.poisoned + 1);
	CHECKERS_PASS(test);
	EXPECT_EQ(test, unpoison_memory(0, &werr), 0);
	EXPECT_FALSE(test, PageHWPoison(pfn_to_page(0)));
	EXPECT_LOST(test, &b, 0);

	if (!dev) {
		ktest_log(test, "no device memory: device pfn case not run");
		return;
	}
	EXPECT_EQ(test, memory_failure(dev + 3, &werr), -EOPNOTSUPP);
	EXPECT_NOT_NULL(test, strstr(werr.why, "no dax region"));
	id = dax_region_create(PFN_PHYS(dev), SZ_2M * 4, SZ_2M, &werr);
	ASSERT_GE(test, id, 0);
	EXPECT_EQ(test, memory_failure(dev + 700, &werr), -EOPNOTSUPP);
	EXPECT_NOT_NULL(test, strstr(werr.why, "device memory (dax"));
	/* Its shared tail was not written. */
	EXPECT_FALSE(test, PageHWPoison(pfn_to_page(dev + 700)));
	EXPECT_EQ(test, dax_region_destroy(id, &werr), 0);
	EXPECT_LOST(test, &b, 0);
}

/*
 * The page the pool just grew by (the free list is FIFO): poisoning it
 * leaves the pool as it was, layout included.
 */
static struct page *newest_free_huge(struct hstate *h)
{
	struct page *head;

	if (list_empty(&h->hugepage_freelist))
		return NULL;
	head = list_entry(h->hugepage_freelist.prev, struct page, lru);
	return PageVmemmapOptimized(head) ? head : NULL;
}

/*
 * A free optimized 2 MiB pool page: the subpage's struct page is the shared
 * tail, so the record goes to the head; the page leaves the pool at once,
 * the subpage held, its 511 neighbours back in the buddy.
 */
KTEST(memory_failure, hugetlb_2m_free_page)
{
	unsigned long keep;
	struct baseline b;
	struct page *head;
	unsigned long pfn;

	keep = start_pool_case(&b);
	ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 1), b.nr[0] + 1);
	head = newest_free_huge(H2M);
	ASSERT_NOT_NULL(test, head);
	pfn = page_to_pfn(head) + 100;
	EXPECT_EQ(test, memory_failure(pfn, &werr), 0);
	EXPECT_NOT_NULL(test, strstr(werr.why, "huge page: Recovered"));
	EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0]);
	EXPECT_HELD(test, pfn);
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap);
	EXPECT_EQ(test, memory_failure(pfn, &werr), -EHWPOISON);
	EXPECT_LOST(test, &b, 1);
	UNPOISON_AND_RESTORE(test, &b, pfn);
	set_max_huge_pages(H2M, keep);
}

/*
 * In use: the record waits in the head (the shared tail stays pristine),
 * the pool shrinks under it (the page becomes surplus), and when it is
 * freed it leaves the pool with the subpage held.
 */
KTEST(memory_failure, hugetlb_2m_in_use_then_shrink)
{
	unsigned long keep;
	struct baseline b;
	struct page *head;
	unsigned long pfn;

	keep = start_pool_case(&b);
	ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 3), b.nr[0] + 3);
	head = alloc_huge_page(H2M, false);
	ASSERT_NOT_NULL(test, head);
	ASSERT_TRUE(test, PageVmemmapOptimized(head));
	pfn = page_to_pfn(head) + 300;
	EXPECT_EQ(test, memory_failure(pfn, &werr), 0);
	EXPECT_NOT_NULL(test, strstr(werr.why, "Delayed"));
	EXPECT_TRUE(test, hugetlb_subpage_poisoned(pfn));
	EXPECT_FALSE(test, PageHWPoison(pfn_to_page(pfn)));	/* the shared tail */
	EXPECT_EQ(test, memory_failure(pfn, &werr), -EHWPOISON);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), -EBUSY);
	CHECKERS_PASS(test);
	/* Shrink: the free pages go, the one in use becomes surplus. */
	set_max_huge_pages(H2M, 0);
	EXPECT_EQ(test, H2M->nr_huge_pages, 1);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 1);
	CHECKERS_PASS(test);
	free_huge_page(head);
	EXPECT_EQ(test, H2M->nr_huge_pages, 0);
	/* The surplus page left: it no longer counts as surplus. */
	EXPECT_EQ(test, H2M->surplus_huge_pages, 0);
	EXPECT_FALSE(test, hugetlb_subpage_poisoned(pfn));
	EXPECT_HELD(test, pfn);
	EXPECT_LOST(test, &b, 1);
	UNPOISON_AND_RESTORE(test, &b, pfn);
	set_max_huge_pages(H2M, keep);
}

/* A subpage deep in the all-tail part of an optimized 1 GiB page. */
KTEST(memory_failure, hugetlb_1g_page)
{
	struct baseline b;
	struct page *head;
	unsigned long pfn;

	take_baseline(&b);
	hugetlb_set_optimize_vmemmap(true);
	if (!H1G->supported || set_max_huge_pages(H1G, b.nr[1] + 1) != b.nr[1] + 1) {
		restore_pools(&b);
		ktest_gig_census(test);
		ktest_skip(test, "no 1 GiB page to be had");
		return;
	}
	head = newest_free_huge(H1G);
	ASSERT_NOT_NULL(test, head);
	pfn = page_to_pfn(head) + 200000;
	EXPECT_EQ(test, memory_failure(pfn, &werr), 0);
	EXPECT_EQ(test, H1G->nr_huge_pages, b.nr[1]);
	EXPECT_HELD(test, pfn);
	EXPECT_TRUE(test, is_free_buddy_page(pfn_to_page(pfn - 1)));
	EXPECT_TRUE(test, is_free_buddy_page(pfn_to_page(pfn + 1)));
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap);
	EXPECT_LOST(test, &b, 1);
	UNPOISON_AND_RESTORE(test, &b, pfn);
}

/*
 * Poison pages of every kind, then allocate all memory, largest blocks
 * first: none of the poisoned pfns is in anything handed out, and every
 * other free page is.
 */
KTEST(memory_failure, never_handed_out_again)
{
	unsigned long keep;
	unsigned long pfns[3], got = 0, free_before;
	struct list_head taken;
	struct page *p, *n;
	struct baseline b;
	unsigned long bad = 0;
	bool was_poisoning;

	keep = start_pool_case(&b);
	p = alloc_pages(GFP_KERNEL, 5);
	ASSERT_NOT_NULL(test, p);
	pfns[0] = page_to_pfn(p) + 7;
	free_pages(p, 5);
	EXPECT_EQ(test, memory_failure(pfns[0], &werr), 0);
	p = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, p);
	pfns[1] = page_to_pfn(p);
	EXPECT_EQ(test, memory_failure(pfns[1], &werr), 0);
	__free_page(p);
	ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 1), b.nr[0] + 1);
	pfns[2] = page_to_pfn(newest_free_huge(H2M)) + 77;
	EXPECT_EQ(test, memory_failure(pfns[2], &werr), 0);
	restore_pools(&b);
	EXPECT_LOST(test, &b, 3);

	drain_all_pages();
	free_before = ktest_free_pages();
	INIT_LIST_HEAD(&taken);
	/* Filling every free page with the debug pattern would take a while. */
	was_poisoning = page_fill_enabled();
	set_page_fill(false);
	for (int order = MAX_ORDER; order >= 0; order--) {
		while ((p = alloc_pages(__GFP_MEMALLOC | __GFP_NOWARN | __GFP_NORETRY, order))) {
			unsigned long pfn = page_to_pfn(p);

			for (unsigned int i = 0; i < 3; i++)
				bad += pfns[i] >= pfn && pfns[i] < pfn + (1UL << order);
			p->index = order;
			list_add(&p->lru, &taken);
			got += 1UL << order;
		}
	}
	EXPECT_EQ(test, bad, 0);
	/* But the 2 pages each free 1 GiB range broken for it keeps (mm/free_gigantic.c). */
	EXPECT_EQ(test, got, free_before - 2 * free_gigantic_nr_parked());
	EXPECT_EQ(test, ktest_free_pages(), 2 * free_gigantic_nr_parked());
	ktest_log(test, "allocated all %lu free pages: none is poisoned", got);
	list_for_each_entry_safe(p, n, &taken, lru) {
		unsigned int order = p->index;

		list_del(&p->lru);
		p->index = 0;
		free_pages(p, order);
	}
	set_page_fill(was_poisoning);
	EXPECT_LOST(test, &b, 3);
	for (unsigned int i = 0; i < 3; i++) {
		EXPECT_HELD(test, pfns[i]);
		EXPECT_EQ(test, unpoison_memory(pfns[i], &werr), 0);
	}
	EXPECT_LOST(test, &b, 0);
	set_max_huge_pages(H2M, keep);
}

KTEST(memory_failure, console)
{
	static char out[4096];
	struct baseline b;
	struct page *p;
	char line[64];
	unsigned long pfn;

	take_baseline(&b);
	p = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, p);
	pfn = page_to_pfn(p);
	__free_page(p);
	snprintf(line, sizeof(line), "poison %#lx", pfn);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "Memory failure: "));
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), -EHWPOISON);
	EXPECT_NOT_NULL(test, strstr(out, "already hardware poisoned"));
	EXPECT_EQ(test, ktest_shell("poison", out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "held (free buddy page)"));
	EXPECT_EQ(test, ktest_shell("cat /proc/meminfo", out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "HardwareCorrupted:"));
	EXPECT_EQ(test, ktest_shell("poison zz", out, sizeof(out)), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(out, "is not a pfn"));
	EXPECT_EQ(test, ktest_shell("poison 1 2", out, sizeof(out)), -EINVAL);
	snprintf(line, sizeof(line), "unpoison %lu", pfn);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), 0);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), -ENOENT);
	EXPECT_NOT_NULL(test, strstr(out, "not hardware poisoned"));
	EXPECT_LOST(test, &b, 0);
}
