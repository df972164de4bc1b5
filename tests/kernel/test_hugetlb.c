// SPDX-License-Identifier: MIT
/*
 * HugeTLB pools and HVO. Every step is followed by the invariant checkers
 * (hugetlb_check: lists, counters, compound_head, vmemmap shape of every
 * pool page; page_alloc_check: the buddy). Expected figures come from the
 * arithmetic of the design: a 2 MiB page gives back 7 vmemmap pages, a
 * 1 GiB page 4094, and the first optimized page of a section costs one PTE
 * table (the split of the section's vmemmap PMD).
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/buddy_vmemmap.h"
#include "mm/hugetlb.h"
#include "mm/debug/check.h"
#include "mm/fail_page_alloc.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/memory_failure.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
#include "mm/page_fill.h"
#include "mm/slab.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"
#include "kernel/extable.h"
#include "kernel/panic.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

/* The reason the last write through these tests failed. */
static struct errmsg werr;

#define H2M	(&hstates[HSTATE_2M])
#define H1G	(&hstates[HSTATE_1G])

struct baseline {
	struct ktest_mm_counts mm;	/* free pages, vmemmap bytes, tables */
	unsigned long optimized;	/* pages */
	unsigned long nr[HUGE_MAX_HSTATE];
	bool hvo;
};

/*
 * Cases count every page of the pools: pages in use, reserved or surplus
 * (a mapping made at the console) would move their figures. Skip, saying so.
 */
static bool pools_idle(struct kunit *test)
{
	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		const struct hstate *h = &hstates[i];

		if (h->free_huge_pages != h->nr_huge_pages || h->resv_huge_pages ||
		    h->surplus_huge_pages) {
			ktest_skip(test, "huge pages are in use, reserved or surplus: the pools are not idle");
			return false;
		}
	}
	return true;
}

static bool take_baseline(struct kunit *test, struct baseline *b)
{
	if (!pools_idle(test))
		return false;
	/* hugetlb records poisoned subpages with kmalloc: let its cache have its slab. */
	kfree(kmalloc(16, GFP_KERNEL));
	ktest_mm_counts_take(&b->mm);
	b->optimized = vmemmap_optimized_pages();
	b->nr[0] = H2M->nr_huge_pages;
	b->nr[1] = H1G->nr_huge_pages;
	b->hvo = hugetlb_optimize_vmemmap_enabled();
	return true;
}

static bool checkers_pass(struct kunit *test)
{
	return KTEST_MM_CHECKERS(test);
}

/* Back to the pools and the memory of the baseline, exactly. */
static void expect_baseline(struct kunit *test, const struct baseline *b)
{
	hugetlb_set_optimize_vmemmap(b->hvo);
	set_max_huge_pages(H2M, b->nr[0]);
	set_max_huge_pages(H1G, b->nr[1]);
	drain_all_pages();
	EXPECT_EQ(test, H2M->nr_huge_pages, b->nr[0]);
	EXPECT_EQ(test, H1G->nr_huge_pages, b->nr[1]);
	EXPECT_EQ(test, ktest_free_pages(), b->mm.free);
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b->mm.memmap);
	EXPECT_EQ(test, vmemmap_optimized_pages(), b->optimized);
	EXPECT_EQ(test, ktest_pgtable_pages(), b->mm.tables);
	checkers_pass(test);
}

/*
 * Cases that shrink the 2 MiB pool below what it had start from an empty
 * one and put it back at the end, as many pages as it had (a pool rebuilt
 * may split other sections' vmemmap PMDs than the one before, which would
 * move a baseline by a page table).
 */
static unsigned long empty_2m_pool(void)
{
	unsigned long n = H2M->nr_huge_pages - H2M->surplus_huge_pages;

	set_max_huge_pages(H2M, 0);
	return n;
}

static void refill_2m_pool(struct kunit *test, unsigned long n)
{
	EXPECT_EQ(test, set_max_huge_pages(H2M, n), n);
}

/* Sections that hold free 2 MiB pool pages and still had a PMD leaf. */
static unsigned long sections_split_by(const unsigned long *pmd_before)
{
	unsigned long n = 0;

	for (unsigned long nr = 0; nr < nr_mem_sections; nr++)
		if (pmd_before[nr / 64] & BIT(nr % 64) &&
		    !(mem_section[nr].flags & SECTION_MEMMAP_PMD))
			n++;
	return n;
}

/*
 * The boot command line read by the test itself, with Linux's rules:
 * hugepages=N is for the hugepagesz= before it, else the default size; a
 * hugepages= after an invalid hugepagesz= is ignored.
 */
static unsigned long want_boot[HUGE_MAX_HSTATE];
static int want_size = -1, want_default;
static bool want_skip_next, want_hvo;

static int size_index(const char *val)
{
	unsigned long long size;

	if (kmemparse(val, &size))
		return -1;
	if (size == SZ_2M)
		return HSTATE_2M;
	return size == SZ_1G ? HSTATE_1G : -1;
}

static int want_hugepagesz(const char *val)
{
	want_size = size_index(val);
	want_skip_next = want_size < 0;
	return 0;
}

static int want_default_size(const char *val)
{
	if (size_index(val) >= 0)
		want_default = size_index(val);
	return 0;
}

static int want_hugepages(const char *val)
{
	unsigned long n;

	if (!want_skip_next && !kstrtoul(val, 0, &n))
		want_boot[want_size >= 0 ? want_size : want_default] = n;
	want_skip_next = false;
	want_size = -1;
	return 0;
}

static int want_free_vmemmap(const char *val)
{
	want_hvo = strcmp(val, "off") && strcmp(val, "0") && strcmp(val, "n");
	return 0;
}

static const struct kernel_param want_params[] = {
	{ "hugepagesz", want_hugepagesz },
	{ "hugepages", want_hugepages },
	{ "default_hugepagesz", want_default_size },
	{ "hugetlb_free_vmemmap", want_free_vmemmap },
};

static void read_boot_cmdline(void)
{
	memset(want_boot, 0, sizeof(want_boot));
	want_size = -1;
	want_default = HSTATE_2M;
	want_skip_next = false;
	want_hvo = true;
	parse_args(saved_command_line(), want_params, want_params + ARRAY_SIZE(want_params), NULL);
}

/* Boot pools are what the command line asked for, optimized as it said. */
KTEST(hugetlb, boot_pools_consistent)
{
	struct page *head;

	read_boot_cmdline();
	if (!H1G->supported)
		want_boot[HSTATE_1G] = 0;
	if (H2M->nr_huge_pages != hugetlb_boot_pool_pages(H2M) ||
	    H1G->nr_huge_pages != hugetlb_boot_pool_pages(H1G) || H2M->surplus_huge_pages ||
	    H1G->surplus_huge_pages) {
		ktest_skip(test, "the pools were changed since boot: not the boot pools any more");
		return;
	}
	EXPECT_EQ(test, H2M->nr_huge_pages, want_boot[HSTATE_2M]);
	EXPECT_EQ(test, H1G->nr_huge_pages, want_boot[HSTATE_1G]);
	EXPECT_EQ(test, H2M->free_huge_pages, want_boot[HSTATE_2M]);
	EXPECT_EQ(test, H1G->free_huge_pages, want_boot[HSTATE_1G]);
	list_for_each_entry(head, &H1G->hugepage_freelist, lru)
		EXPECT_EQ(test, !!PageVmemmapOptimized(head), want_hvo);
	list_for_each_entry(head, &H2M->hugepage_freelist, lru)
		EXPECT_EQ(test, !!PageVmemmapOptimized(head), want_hvo);
	checkers_pass(test);
	ktest_log(test, "boot pools: %lu x 2 MiB, %lu x 1 GiB, %lu KiB of struct pages freed",
		  H2M->nr_huge_pages, H1G->nr_huge_pages, vmemmap_optimized_pages() << 2);
}

extern const struct kernel_param __param_start[], __param_end[];

/* Linux ignores a hugepages= that follows an invalid hugepagesz=. */
KTEST(hugetlb, cmdline_hugepages_after_bad_size_ignored)
{
	static char out[1024];
	struct printk_capture cap = { .buf = out, .size = sizeof(out) };
	unsigned long want2m = hugetlb_boot_pages_requested(H2M);
	unsigned long want1g = hugetlb_boot_pages_requested(H1G);
	int bad = -1;

	printk_capture_begin(&cap);
	parse_args("hugepagesz=3M hugepages=2", __param_start, __param_end, &bad);
	printk_capture_end(&cap);
	EXPECT_EQ(test, bad, 1);
	EXPECT_NOT_NULL(test, strstr(out, "bad value '3M' for parameter 'hugepagesz'"));
	EXPECT_NOT_NULL(test, strstr(out, "hugepages=2 does not follow a valid hugepagesz, ignoring"));
	EXPECT_EQ(test, hugetlb_boot_pages_requested(H2M), want2m);
	EXPECT_EQ(test, hugetlb_boot_pages_requested(H1G), want1g);
}

/*
 * Free 2 MiB blocks the buddy can hand out now: blocks of order 9 and up,
 * above each zone's min watermark. A case that needs more skips, saying so.
 */
static unsigned long free_2m_blocks(void)
{
	unsigned long total = 0;

	drain_all_pages();
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &zones[z];
		unsigned long blocks = 0, above;

		for (unsigned int o = pageblock_order; o <= MAX_ORDER; o++)
			blocks += zone->free_area[o].nr_free << (o - pageblock_order);
		above = zone->free_pages > zone->watermark[WMARK_MIN] ?
			(zone->free_pages - zone->watermark[WMARK_MIN]) >> pageblock_order : 0;
		total += min(blocks, above);
	}
	return total;
}

static bool have_2m_memory(struct kunit *test, unsigned long more)
{
	static char why[96];
	/* The case's baseline gives the pool's free pages back first. */
	unsigned long avail = free_2m_blocks() + H2M->free_huge_pages - H2M->resv_huge_pages;

	/* One block of slack: the vmemmap PTE tables come out of free memory. */
	if (avail >= more + 1)
		return true;
	snprintf(why, sizeof(why), "needs %lu free 2 MiB blocks, the buddy has %lu", more + 1,
		 avail);
	ktest_skip(test, why);
	return false;
}

static void grow_shrink_2m(struct kunit *test, bool hvo)
{
	static const unsigned long steps[] = { 1, 5, 64, 100, 37, 0 };
	unsigned long keep;
	struct baseline b;

	if (!pools_idle(test))
		return;
	keep = empty_2m_pool();
	take_baseline(test, &b);
	if (!have_2m_memory(test, 100)) {
		refill_2m_pool(test, keep);
		return;
	}
	hugetlb_set_optimize_vmemmap(hvo);
	ktest_record_pmd_sections();
	for (unsigned int i = 0; i < ARRAY_SIZE(steps); i++) {
		unsigned long n = steps[i], got, splits, collapsed;

		got = set_max_huge_pages(H2M, n);
		ASSERT_EQ(test, got, n);
		drain_all_pages();
		splits = hvo ? sections_split_by(ktest_pmd_sections()) : 0;
		collapsed = ktest_sections_collapsed();
		EXPECT_EQ(test, H2M->nr_huge_pages, n);
		EXPECT_EQ(test, H2M->free_huge_pages, n);
		EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap - (hvo ? 7 * n * PAGE_SIZE : 0));
		EXPECT_EQ(test, vmemmap_optimized_pages(), b.optimized + (hvo ? 7 * n : 0));
		EXPECT_EQ(test, ktest_pgtable_pages(), b.mm.tables + splits - collapsed);
		EXPECT_EQ(test, ktest_free_pages(),
			  b.mm.free - 512 * n + (hvo ? 7 * n : 0) - splits + collapsed);
		if (!checkers_pass(test))
			break;
	}
	/* What the baseline counted that really changed: collapsed sections. */
	b.mm.tables -= ktest_sections_collapsed();
	b.mm.free += ktest_sections_collapsed();
	ktest_log(test, "%lu sections split at the start collapsed", ktest_sections_collapsed());
	expect_baseline(test, &b);
	/* Shrinking to zero collapsed every split section back to a PMD leaf. */
	for (unsigned long nr = 0; nr < nr_mem_sections && nr < 64 * 64; nr++)
		if (ktest_pmd_sections()[nr / 64] & BIT(nr % 64))
			EXPECT_TRUE(test, mem_section[nr].flags & SECTION_MEMMAP_PMD);
	hugetlb_set_optimize_vmemmap(b.hvo);
	refill_2m_pool(test, keep);
}

/*
 * HVO's own restore and section collapse: with free memory kept
 * optimized a shrink restores nothing (buddy_vmemmap's suite checks
 * that), so these cases run with buddy_vmemmap_optimize=0.
 */
static bool plain_free_memmap(struct kunit *test)
{
	if (!buddy_vmemmap_set(false))
		return true;
	ktest_fail(test, __FILE__, __LINE__, "buddy_vmemmap_optimize=0: out of memory");
	buddy_vmemmap_set(true);
	return false;
}

KTEST(hugetlb, grow_shrink_2m_optimized)
{
	bool was = buddy_vmemmap_enabled();

	if (!plain_free_memmap(test))
		return;
	grow_shrink_2m(test, true);
	EXPECT_EQ(test, buddy_vmemmap_set(was), 0);
}

KTEST(hugetlb, grow_shrink_2m_unoptimized)
{
	grow_shrink_2m(test, false);
}

/* Independent of the checker: walk the vmemmap PTEs ourselves. */
static void expect_2m_shape(struct kunit *test, struct page *head)
{
	for (unsigned int i = 0; i < 8; i++) {
		enum pg_level level;
		pteval_t *e = kernel_lookup((unsigned long)(head + 64 * i), &level);

		ASSERT_NOT_NULL(test, e);
		EXPECT_EQ(test, level, PG_LEVEL_4K);
		if (i == 0) {
			EXPECT_TRUE(test, *e & _PAGE_RW);
			EXPECT_NE(test, entry_phys(*e), vmemmap_shared_tail_phys(9));
		} else {
			EXPECT_FALSE(test, *e & _PAGE_RW);
			EXPECT_UEQ(test, entry_phys(*e), vmemmap_shared_tail_phys(9));
		}
	}
}

/* The nth newest free page of h (0: the newest): what the case just added. */
static struct page *newest_free(struct hstate *h, unsigned int nth)
{
	struct list_head *l = h->hugepage_freelist.prev;

	while (nth--)
		l = l->prev;
	return list_entry(l, struct page, lru);
}

KTEST(hugetlb, compound_head_every_subpage_2m)
{
	struct baseline b;
	struct page *head;

	if (!have_2m_memory(test, 4))
		return;
	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(true);
	ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 4), b.nr[0] + 4);
	for (unsigned int n = 0; n < 4; n++) {
		unsigned long pfn;

		head = newest_free(H2M, n);
		pfn = page_to_pfn(head);

		expect_2m_shape(test, head);
		for (unsigned long i = 0; i < 512; i++) {
			struct page *p = pfn_to_page(pfn + i);

			if (compound_head(p) != head || page_to_pfn(p) != pfn + i ||
			    p != head + i) {
				ktest_fail(test, __FILE__, __LINE__,
					   "subpage %lu of pfn %#lx: wrong head or pfn", i, pfn);
				break;
			}
		}
		EXPECT_EQ(test, compound_order(head), 9);
	}
	expect_baseline(test, &b);
}

KTEST(hugetlb, tail_write_faults_head_does_not)
{
	struct baseline b;
	struct page *head;

	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(true);
	ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 1), b.nr[0] + 1);
	head = newest_free(H2M, 0);
	ASSERT_TRUE(test, PageVmemmapOptimized(head));
	/* Tails 64..511 are the shared page: read-only. */
	ktest_expect_shared_tail_ro(test, head);
	EXPECT_EQ(test, probe_write_u64(&head[511].index, 0), -EFAULT);
	/* The head page (head and tails 1..63) is the page's own. */
	EXPECT_EQ(test, probe_write_u64(&head->index, head->index), 0);
	EXPECT_EQ(test, probe_write_u64(&head[63].index, 0), 0);
	expect_baseline(test, &b);
}

KTEST(hugetlb, tail_write_report_names_pfn)
{
	struct baseline b;

	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(true);
	ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 1), b.nr[0] + 1);
	ktest_expect_tail_write_reported(test, newest_free(H2M, 0));
	expect_baseline(test, &b);
}

static bool have_gigantic(struct kunit *test, unsigned long n)
{
	unsigned long want = H1G->nr_huge_pages - H1G->surplus_huge_pages + n;

	if (!H1G->supported) {
		ktest_skip(test, "CPU has no 1 GiB pages");
		return false;
	}
	if (set_max_huge_pages(H1G, want) < want) {
		ktest_gig_census(test);
		ktest_skip(test, "no free aligned 1 GiB range in this guest");
		return false;
	}
	return true;
}

static void expect_1g_shape(struct kunit *test, struct page *head)
{
	enum pg_level level;
	pteval_t *e;

	for (unsigned int i = 0; i < 4096; i += 1) {
		e = kernel_lookup((unsigned long)(head + 64 * i), &level);
		ASSERT_NOT_NULL(test, e);
		ASSERT_EQ(test, level, PG_LEVEL_4K);
		if (i == 0) {
			EXPECT_TRUE(test, *e & _PAGE_RW);
			continue;
		}
		if ((*e & _PAGE_RW) || entry_phys(*e) != vmemmap_shared_tail_phys(18)) {
			ktest_fail(test, __FILE__, __LINE__, "1G vmemmap page %u not the RO shared tail", i);
			return;
		}
	}
	for (unsigned int i = 1; i < 8; i++) {
		pteval_t *pmd = kernel_walk_alloc((unsigned long)(head + 32768 * i), PG_LEVEL_2M);

		EXPECT_UEQ(test, entry_phys(*pmd), vmemmap_all_tail_table_phys());
	}
}

KTEST(hugetlb, gigantic_optimized_accounting)
{
	struct baseline b;
	struct page *head;

	if (!take_baseline(test, &b))
		return;
	ktest_record_pmd_sections();
	hugetlb_set_optimize_vmemmap(true);
	if (!have_gigantic(test, 1))
		goto out;
	drain_all_pages();
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap - 4094 * PAGE_SIZE);
	EXPECT_EQ(test, vmemmap_optimized_pages(), b.optimized + 4094);
	/*
	 * 1 GiB out; 8 x 2 MiB of memmap back; a head page and a table in;
	 * and the PTE tables free memory's shared tails needed there, if any.
	 */
	EXPECT_EQ(test, ktest_free_pages(),
		  b.mm.free - 262144 + 4096 - 2 + (b.mm.tables + 1 - ktest_pgtable_pages()));
	list_for_each_entry(head, &H1G->hugepage_freelist, lru) {
		if (!PageVmemmapOptimized(head))
			continue;
		expect_1g_shape(test, head);
		for (unsigned long i = 1; i < 262144; i += 4093)
			EXPECT_TRUE(test, compound_head(head + i) == head);
		EXPECT_TRUE(test, compound_head(head + 262143) == head);
	}
	checkers_pass(test);
out:
	set_max_huge_pages(H1G, b.nr[1]);
	drain_all_pages();
	/* A section split at the baseline may collapse once the page is gone. */
	b.mm.tables -= ktest_sections_collapsed();
	b.mm.free += ktest_sections_collapsed();
	expect_baseline(test, &b);
}

KTEST(hugetlb, gigantic_unoptimized_accounting)
{
	struct baseline b;

	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(false);
	if (!have_gigantic(test, 1))
		goto out;
	drain_all_pages();
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap);
	EXPECT_EQ(test, ktest_free_pages(), b.mm.free - 262144);
	checkers_pass(test);
out:
	expect_baseline(test, &b);
}

KTEST(hugetlb, demote_optimized_gigantic)
{
	struct baseline b;
	char buf[32];

	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(true);
	if (!have_gigantic(test, 1))
		goto out;
	ASSERT_EQ(test, pseudofs_write("/sys/kernel/mm/hugepages/hugepages-1048576kB/demote", "1\n", 2, &werr), 0);
	EXPECT_EQ(test, H1G->nr_huge_pages, b.nr[1]);
	EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 512);
	drain_all_pages();
	EXPECT_EQ(test, vmemmap_optimized_pages(), b.optimized + 7 * 512);
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap - 7 * 512 * PAGE_SIZE);
	EXPECT_EQ(test, pseudofs_read("/sys/kernel/mm/hugepages/hugepages-1048576kB/demote_size", buf, sizeof(buf)), 7);
	EXPECT_STREQ(test, buf, "2048kB\n");
	checkers_pass(test);
out:
	expect_baseline(test, &b);
}

#define DEMOTE_1G	"/sys/kernel/mm/hugepages/hugepages-1048576kB/demote"
#define OVERCOMMIT_2M	"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_overcommit_hugepages"

/*
 * A free 1 GiB page with a poisoned subpage whose dissolve could not get
 * memory stays in the pool: a reservation may not count on it, and with
 * every other free page reserved, demote must not take it (Linux skips
 * hwpoisoned folios). The next write dissolves it and the bad pfn is held,
 * never back in the buddy.
 */
KTEST(hugetlb, demote_skips_poisoned_gigantic)
{
	unsigned long pfn, usable;
	struct baseline b;
	struct page *head;
	int ret;

	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(true);
	if (!have_gigantic(test, 1))
		goto out;
	head = newest_free(H1G, 0);
	pfn = page_to_pfn(head) + 200000;
	fail_page_alloc_random(1, 1);		/* every allocation fails */
	ret = memory_failure(pfn, &werr);
	fail_page_alloc_off();
	ASSERT_EQ(test, ret, 0);
	ASSERT_TRUE(test, hugetlb_subpage_poisoned(pfn));
	checkers_pass(test);
	usable = H1G->free_huge_pages - 1;
	/* Only the unpoisoned free pages can be reserved. */
	EXPECT_EQ(test, hugetlb_acquire_reservation(H1G, usable + 1), -ENOMEM);
	EXPECT_EQ(test, H1G->resv_huge_pages, 0);
	ASSERT_EQ(test, hugetlb_acquire_reservation(H1G, usable), 0);
	EXPECT_EQ(test, pseudofs_write(DEMOTE_1G, "1", 1, &werr), -EBUSY);
	EXPECT_NOT_NULL(test, strstr(errmsg_why(&werr, -EBUSY), "no free 1 GiB page to demote"));
	EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0]);
	EXPECT_EQ(test, H1G->nr_huge_pages, b.nr[1] + 1);
	hugetlb_release_reservation(H1G, usable);
	/* The poisoned page is still whole in the pool, its record with it. */
	EXPECT_TRUE(test, hugetlb_subpage_poisoned(pfn));
	EXPECT_TRUE(test, PageHead(head) && PageHugeTLB(head));
	checkers_pass(test);
	EXPECT_EQ(test, set_max_huge_pages(H1G, b.nr[1]), b.nr[1]);
	EXPECT_FALSE(test, hugetlb_subpage_poisoned(pfn));
	EXPECT_TRUE(test, page_hwpoison_held(pfn));
	EXPECT_TRUE(test, PageHWPoison(pfn_to_page(pfn)));
	EXPECT_FALSE(test, is_free_buddy_page(pfn_to_page(pfn)));
	checkers_pass(test);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
out:
	expect_baseline(test, &b);
}

/* Gigantic pages cannot be overcommitted (Linux: EINVAL); nothing changes. */
KTEST(hugetlb, overcommit_gigantic_refused)
{
	const char *path = "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_overcommit_hugepages";
	unsigned long overcommit = H2M->nr_overcommit_huge_pages;
	static char before[2048], after[2048];
	char buf[16];

	ASSERT_GT(test, pseudofs_read("/proc/meminfo", before, sizeof(before)), 0);
	EXPECT_EQ(test, pseudofs_write(path, "1", 1, &werr), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(errmsg_why(&werr, -EINVAL), H1G->supported ?
				     "cannot be overcommitted" : "no 1 GiB pages"));
	EXPECT_EQ(test, H1G->nr_overcommit_huge_pages, 0);
	EXPECT_GT(test, pseudofs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(test, buf, "0\n");
	ASSERT_GT(test, pseudofs_read("/proc/meminfo", after, sizeof(after)), 0);
	EXPECT_STREQ(test, strstr(after, "HugePages_Total"), strstr(before, "HugePages_Total"));
	/* 2 MiB pages still can. */
	EXPECT_EQ(test, pseudofs_write(OVERCOMMIT_2M, "1234", 4, &werr), 0);
	EXPECT_EQ(test, H2M->nr_overcommit_huge_pages, 1234);
	H2M->nr_overcommit_huge_pages = overcommit;
}

/*
 * A buddy with no free 2 MiB block and plenty of single pages: every
 * 2 MiB-aligned block is taken and all of it but its first page given
 * back. The pages kept are listed on held.
 */
static bool fragment_buddy(struct kunit *test, struct list_head *held)
{
	unsigned long taken;
	struct page *p;

	INIT_LIST_HEAD(held);
	/* Until draining the per-CPU lists merges no block back together. */
	do {
		taken = 0;
		drain_all_pages();
		for (int order = MAX_ORDER; order >= (int)pageblock_order; order--) {
			while ((p = alloc_pages(__GFP_MEMALLOC | __GFP_NOWARN | __GFP_NORETRY,
						order))) {
				split_page(p, order);
				for (unsigned long i = 0; i < (1UL << order); i += pageblock_nr_pages) {
					list_add(&p[i].lru, held);
					free_contig_range(page_to_pfn(p + i) + 1, pageblock_nr_pages - 1);
				}
				taken++;
			}
		}
	} while (taken);
	drain_all_pages();
	p = alloc_pages(__GFP_NOWARN | __GFP_NORETRY, pageblock_order);
	if (p) {
		free_pages(p, pageblock_order);
		ktest_fail(test, __FILE__, __LINE__, "a 2 MiB block is still free");
		return false;
	}
	ktest_log(test, "fragmented: %lu pages free, no 2 MiB block", ktest_free_pages());
	return ktest_free_pages() > 2 * 4096;
}

static void unfragment_buddy(struct list_head *held)
{
	struct page *p, *n;

	list_for_each_entry_safe(p, n, held, lru) {
		list_del(&p->lru);
		__free_page(p);
	}
}

enum leave_1g { LEAVE_DISSOLVE, LEAVE_DEMOTE, LEAVE_POISON };

/*
 * An optimized 1 GiB page leaves the pool on a fragmented buddy: its
 * memmap is restored from single pages; once blocks are free again the
 * sections collapse and everything is back at its baseline.
 */
static void leave_1g_fragmented(struct kunit *test, enum leave_1g how)
{
	struct list_head held;
	struct baseline b;
	unsigned long pfn = 0, range;
	bool was_poisoning = page_fill_enabled();

	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(true);
	if (!have_gigantic(test, 1))
		goto out;
	range = page_to_pfn(newest_free(H1G, 0));
	pfn = range + 123457;
	/* Filling every page the fragmenting takes would take a while. */
	set_page_fill(false);
	if (!fragment_buddy(test, &held))
		goto unfragment;
	if (how == LEAVE_DISSOLVE) {
		EXPECT_EQ(test, set_max_huge_pages(H1G, b.nr[1]), b.nr[1]);
	} else if (how == LEAVE_DEMOTE) {
		EXPECT_EQ(test, pseudofs_write(DEMOTE_1G, "1", 1, &werr), 0);
		EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 512);
	} else {
		EXPECT_EQ(test, memory_failure(pfn, &werr), 0);
		EXPECT_FALSE(test, hugetlb_subpage_poisoned(pfn));
		EXPECT_TRUE(test, page_hwpoison_held(pfn));
	}
	EXPECT_EQ(test, H1G->nr_huge_pages, b.nr[1]);
	EXPECT_EQ(test, H1G->surplus_huge_pages, 0);
	/* No 2 MiB block for it: the memmap is PTE-mapped, 8 sections of it. */
	for (unsigned long nr = pfn_to_section_nr(range), i = 0; i < 8; i++)
		EXPECT_FALSE(test, mem_section[nr + i].flags & SECTION_MEMMAP_PMD);
	checkers_pass(test);
unfragment:
	unfragment_buddy(&held);
	set_page_fill(was_poisoning);
	if (how == LEAVE_POISON && page_hwpoison_held(pfn))
		EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
	/*
	 * The sections restored from single pages collapse at the next resize,
	 * taking 2 MiB blocks wherever the buddy has them: from the gigantic
	 * range just freed, if it is what the buddy hands out. Hold that range
	 * while they collapse, so that later cases still find it whole.
	 */
	if (how != LEAVE_DEMOTE && !alloc_contig_range(range, 1UL << 18)) {
		hugetlb_vmemmap_collapse_all();
		free_contig_range(range, 1UL << 18);
	}
out:
	expect_baseline(test, &b);
}

KTEST(hugetlb, gigantic_dissolve_fragmented)
{
	leave_1g_fragmented(test, LEAVE_DISSOLVE);
}

KTEST(hugetlb, gigantic_demote_fragmented)
{
	leave_1g_fragmented(test, LEAVE_DEMOTE);
}

KTEST(hugetlb, gigantic_poison_fragmented)
{
	leave_1g_fragmented(test, LEAVE_POISON);
}

static unsigned long count_optimized(struct hstate *h)
{
	struct page *head;
	unsigned long n = 0;

	list_for_each_entry(head, &h->hugepage_freelist, lru)
		n += PageVmemmapOptimized(head);
	return n;
}

KTEST(hugetlb, toggle_optimize_with_pages_in_pool)
{
	struct baseline b;
	unsigned long before;

	if (!have_2m_memory(test, 5))
		return;
	if (!take_baseline(test, &b))
		return;
	before = count_optimized(H2M);
	ASSERT_EQ(test, pseudofs_write("/proc/sys/vm/hugetlb_optimize_vmemmap", "1", 1, &werr), 0);
	set_max_huge_pages(H2M, b.nr[0] + 3);
	ASSERT_EQ(test, pseudofs_write("/proc/sys/vm/hugetlb_optimize_vmemmap", "0\n", 2, &werr), 0);
	set_max_huge_pages(H2M, b.nr[0] + 5);
	checkers_pass(test);
	/* Pages keep the shape they entered with. */
	EXPECT_EQ(test, count_optimized(H2M), before + 3);
	EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 5);
	EXPECT_EQ(test, pseudofs_write("/proc/sys/vm/hugetlb_optimize_vmemmap", "2", 1, &werr), -EINVAL);
	EXPECT_FALSE(test, hugetlb_optimize_vmemmap_enabled());
	expect_baseline(test, &b);
}

KTEST(hugetlb, mixed_pools)
{
	struct baseline b;

	if (!have_2m_memory(test, 20))
		return;
	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(true);
	set_max_huge_pages(H2M, b.nr[0] + 10);
	if (have_gigantic(test, 1)) {
		set_max_huge_pages(H2M, b.nr[0] + 20);
		EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 20);
		drain_all_pages();
		EXPECT_EQ(test, vmemmap_optimized_pages(), b.optimized + 7 * 20 + 4094);
		checkers_pass(test);
		set_max_huge_pages(H1G, b.nr[1]);
		checkers_pass(test);
	}
	expect_baseline(test, &b);
}

/* Every allocation of growth, made to fail in turn: nothing is lost. */
KTEST(hugetlb, fault_injection_grow)
{
	struct baseline b;
	unsigned long k;

	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(true);
	for (k = 1; k < 16; k++) {
		unsigned long injected = fail_page_alloc_injected();

		fail_page_alloc_nth(k);
		set_max_huge_pages(H2M, b.nr[0] + 2);
		fail_page_alloc_off();
		if (!checkers_pass(test))
			break;
		set_max_huge_pages(H2M, b.nr[0]);
		drain_all_pages();
		EXPECT_EQ(test, ktest_free_pages(), b.mm.free);
		EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap);
		if (fail_page_alloc_injected() == injected)
			break;		/* the kth allocation never happened */
	}
	EXPECT_GT(test, k, 2);
	expect_baseline(test, &b);
}

/*
 * Every allocation of restore, made to fail in turn. The write succeeds
 * (Linux): a page whose struct pages could not be restored stays in the
 * pool as a surplus page, and the next write gives it back. Whole
 * sections at once (one 2 MiB block each), or page by page (7 pages each,
 * and a block to collapse the section at the end).
 */
static void shrink_with_faults(struct kunit *test, bool whole_sections,
			       unsigned long min_points, bool surplus_seen)
{
	const unsigned long keep = 0;
	unsigned long kept_surplus = 0;
	struct baseline b;
	unsigned long k;
	char val[8];

	if (!have_2m_memory(test, 3))
		return;
	if (!take_baseline(test, &b))
		return;
	hugetlb_set_optimize_vmemmap(true);
	hugetlb_set_section_restore(whole_sections);
	snprintf(val, sizeof(val), "%lu", b.nr[0] + keep);
	for (k = 1; k < 40; k++) {
		unsigned long injected;
		int ret;

		ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 3), b.nr[0] + 3);
		injected = fail_page_alloc_injected();
		fail_page_alloc_nth(k);
		ret = pseudofs_write("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
				     val, strlen(val), &werr);
		fail_page_alloc_off();
		EXPECT_EQ(test, ret, 0);
		EXPECT_EQ(test, H2M->nr_huge_pages - H2M->surplus_huge_pages, b.nr[0] + keep);
		kept_surplus += H2M->surplus_huge_pages != 0;
		if (!checkers_pass(test))
			break;
		/* The next write retries them. */
		set_max_huge_pages(H2M, b.nr[0]);
		EXPECT_EQ(test, H2M->surplus_huge_pages, 0);
		EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0]);
		drain_all_pages();
		EXPECT_EQ(test, ktest_free_pages(), b.mm.free);
		EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap);
		if (fail_page_alloc_injected() == injected)
			break;
	}
	EXPECT_GE(test, k, min_points);
	/* Whole sections: a failed block falls back to page by page, which succeeds. */
	if (surplus_seen)
		EXPECT_GT(test, kept_surplus, 0);
	hugetlb_set_section_restore(true);
	expect_baseline(test, &b);
}

KTEST(hugetlb, fault_injection_shrink_whole_section)
{
	bool was = buddy_vmemmap_enabled();

	if (!plain_free_memmap(test))
		return;
	shrink_with_faults(test, true, 2, false);
	EXPECT_EQ(test, buddy_vmemmap_set(was), 0);
}

KTEST(hugetlb, fault_injection_shrink_page_by_page)
{
	bool was = buddy_vmemmap_enabled();

	if (!plain_free_memmap(test))
		return;
	shrink_with_faults(test, false, 8, true);
	EXPECT_EQ(test, buddy_vmemmap_set(was), 0);
}

KTEST(hugetlb, bad_writes_change_nothing)
{
	static const struct {
		const char *val;
		int err;
	} bad[] = {
		{ "abc", -EINVAL }, { "-1", -EINVAL }, { "99999999999999999999999", -ERANGE },
		{ "", -EINVAL }, { "1 2", -EINVAL }, { "0x", -EINVAL }, { "12abc", -EINVAL },
	};
	const char *path = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages";
	struct baseline b;

	if (!take_baseline(test, &b))
		return;
	set_max_huge_pages(H2M, b.nr[0] + 2);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(test, pseudofs_write(path, bad[i].val, strlen(bad[i].val), &werr), bad[i].err);
		EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 2);
	}
	EXPECT_EQ(test, pseudofs_write("/sys/kernel/mm/hugepages/hugepages-4096kB/nr_hugepages", "1", 1, &werr), -ENOENT);
	EXPECT_EQ(test, pseudofs_write("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "1", 1, &werr), -EPERM);
	EXPECT_EQ(test, pseudofs_write("/sys/kernel/mm/hugepages/hugepages-1048576kB/demote_size", "4kB", 3, &werr), -EINVAL);
	EXPECT_EQ(test, pseudofs_write("/proc/sys/vm/nr_hugepages", "x", 1, &werr), -EINVAL);
	EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 2);
	expect_baseline(test, &b);
}

KTEST(hugetlb, reservations_and_surplus)
{
	unsigned long overcommit = H2M->nr_overcommit_huge_pages, keep;
	struct baseline b;
	struct page *p;

	if (!pools_idle(test) || !have_2m_memory(test, 3))
		return;
	keep = empty_2m_pool();
	take_baseline(test, &b);
	set_max_huge_pages(H2M, 2);
	H2M->nr_overcommit_huge_pages = 0;
	EXPECT_EQ(test, hugetlb_acquire_reservation(H2M, 3), -ENOMEM);
	EXPECT_EQ(test, H2M->resv_huge_pages, 0);
	EXPECT_EQ(test, H2M->nr_huge_pages, 2);
	EXPECT_EQ(test, hugetlb_acquire_reservation(H2M, 2), 0);
	EXPECT_EQ(test, H2M->resv_huge_pages, 2);
	/* Reserved pages cannot be freed: they become surplus (Linux). */
	set_max_huge_pages(H2M, 0);
	EXPECT_EQ(test, H2M->nr_huge_pages, 2);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 2);
	/* Overcommit lets a reservation grow the pool with surplus pages. */
	H2M->nr_overcommit_huge_pages = 3;
	EXPECT_EQ(test, hugetlb_acquire_reservation(H2M, 1), 0);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 3);
	EXPECT_EQ(test, H2M->resv_huge_pages, 3);
	EXPECT_EQ(test, hugetlb_acquire_reservation(H2M, 1), -ENOMEM);
	p = alloc_huge_page(H2M, true);
	ASSERT_NOT_NULL(test, p);
	EXPECT_EQ(test, H2M->resv_huge_pages, 2);
	EXPECT_EQ(test, H2M->free_huge_pages, 2);
	checkers_pass(test);
	hugetlb_release_reservation(H2M, 2);
	EXPECT_EQ(test, H2M->nr_huge_pages, 1);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 1);
	free_huge_page(p);
	EXPECT_EQ(test, H2M->nr_huge_pages, 0);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 0);
	EXPECT_EQ(test, H2M->resv_huge_pages, 0);
	H2M->nr_overcommit_huge_pages = overcommit;
	checkers_pass(test);
	expect_baseline(test, &b);
	refill_2m_pool(test, keep);
}

KTEST(hugetlb, in_use_page_becomes_surplus)
{
	unsigned long keep;
	struct baseline b;
	struct page *p;

	if (!pools_idle(test))
		return;
	keep = empty_2m_pool();
	take_baseline(test, &b);
	set_max_huge_pages(H2M, b.nr[0] + 1);
	p = alloc_huge_page(H2M, false);
	ASSERT_NOT_NULL(test, p);
	set_max_huge_pages(H2M, 0);
	EXPECT_EQ(test, H2M->nr_huge_pages, 1);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 1);
	free_huge_page(p);
	EXPECT_EQ(test, H2M->nr_huge_pages, 0);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 0);
	expect_baseline(test, &b);
	refill_2m_pool(test, keep);
}

KTEST(hugetlb, seeded_random_sequence)
{
	unsigned long keep[HUGE_MAX_HSTATE] = { H2M->nr_huge_pages, H1G->nr_huge_pages };
	u64 seed = 0x9e3779b97f4a7c15ULL;
	struct baseline b;

	if (!pools_idle(test))
		return;
	/* Boot-time pages, once given back, cannot be re-reserved: start empty. */
	set_max_huge_pages(H2M, 0);
	set_max_huge_pages(H1G, 0);
	take_baseline(test, &b);
	for (int step = 0; step < 60; step++) {
		unsigned int op = xorshift64(&seed) % 8;

		if (op < 4)
			set_max_huge_pages(H2M, xorshift64(&seed) % 150);
		else if (op == 4)
			hugetlb_set_optimize_vmemmap(xorshift64(&seed) & 1);
		else if (op == 5 && H1G->supported)
			set_max_huge_pages(H1G, xorshift64(&seed) % 2);
		else if (op == 6 && H1G->free_huge_pages)
			pseudofs_write("/sys/kernel/mm/hugepages/hugepages-1048576kB/demote", "1", 1, &werr);
		else
			set_max_huge_pages(H2M, 0);
		if (!checkers_pass(test)) {
			ktest_log(test, "after step %d (op %u)", step, op);
			break;
		}
	}
	expect_baseline(test, &b);
	/* The boot pools back, as many pages as they had (fresh ones for 1 GiB). */
	EXPECT_EQ(test, set_max_huge_pages(H1G, keep[HSTATE_1G]), keep[HSTATE_1G]);
	refill_2m_pool(test, keep[HSTATE_2M]);
}
