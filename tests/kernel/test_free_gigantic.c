// SPDX-License-Identifier: MIT
/*
 * Free 1 GiB ranges keep the shape of an optimized 1 GiB page
 * (mm/free_gigantic.c).
 *
 * Every case starts from both switches on and every range that can be
 * formed formed, takes a snapshot (free pages, pages lent to memmaps,
 * vmemmap pages, kernel page tables, managed pages, ranges formed, hosted
 * and parked, HVO's saved pages) and checks each step against figures
 * worked out here from the rules: a 1 GiB memmap is 262144 struct pages
 * of 64 bytes, 4096 pages; the 1 GiB shape keeps 2 of them (the head
 * vmemmap page and the PMD-0 table); a hosted range holds its memmap in
 * its own last 4096 pages. Then the mm checkers. Each case ends where it
 * began.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "kernel/errmsg.h"
#include "mm/buddy_vmemmap.h"
#include "mm/devdax.h"
#include "mm/fail_page_alloc.h"
#include "mm/free_gigantic.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/memory_failure.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
#include "mm/page_alloc_gig.h"
#include "mm/page_alloc_memmap.h"
#include "mm/page_fill.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/debug/check.h"
#include "mm/sparse.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define H2M		(&hstates[HSTATE_2M])
#define H1G		(&hstates[HSTATE_1G])
#define GIG		(SZ_1G >> PAGE_SHIFT)
#define MEMMAP_1G	(GIG * sizeof(struct page) / PAGE_SIZE)	/* 4096 */
#define KEPT		2UL	/* head vmemmap page, PMD-0 table */

struct snap {
	unsigned long free, lent, vmemmap_pages, pgtables, managed;
	unsigned long formed, hosted, parked, hvo_saved;
};

static void snap(struct snap *s)
{
	kmem_cache_shrink_all();
	drain_all_pages();
	s->free = nr_free_pages();
	s->lent = nr_memmap_lent_pages();
	s->vmemmap_pages = vmemmap_bytes() >> PAGE_SHIFT;
	s->pgtables = nr_kernel_pgtable_pages();
	s->managed = nr_managed_pages();
	s->formed = free_gigantic_nr_formed();
	s->hosted = free_gigantic_nr_hosted();
	s->parked = free_gigantic_nr_parked();
	s->hvo_saved = vmemmap_optimized_pages();
}

struct delta {
	long free, lent, vmemmap_pages, pgtables, managed, formed, hosted, parked, hvo_saved;
};

static bool expect_snap(struct kunit *test, const struct snap *b, const struct delta *d, int line)
{
	struct snap n;

	snap(&n);
	if ((long)(n.free - b->free) != d->free || (long)(n.lent - b->lent) != d->lent ||
	    (long)(n.vmemmap_pages - b->vmemmap_pages) != d->vmemmap_pages ||
	    (long)(n.pgtables - b->pgtables) != d->pgtables ||
	    (long)(n.managed - b->managed) != d->managed ||
	    (long)(n.formed - b->formed) != d->formed || (long)(n.hosted - b->hosted) != d->hosted ||
	    (long)(n.parked - b->parked) != d->parked ||
	    (long)(n.hvo_saved - b->hvo_saved) != d->hvo_saved) {
		ktest_fail(test, __FILE__, line,
			   "free %+ld (%+ld) lent %+ld (%+ld) vmemmap %+ld (%+ld) tables %+ld (%+ld) managed %+ld (%+ld) formed %+ld (%+ld) hosted %+ld (%+ld) parked %+ld (%+ld) hvo %+ld (%+ld)",
			   (long)(n.free - b->free), d->free, (long)(n.lent - b->lent), d->lent,
			   (long)(n.vmemmap_pages - b->vmemmap_pages), d->vmemmap_pages,
			   (long)(n.pgtables - b->pgtables), d->pgtables,
			   (long)(n.managed - b->managed), d->managed,
			   (long)(n.formed - b->formed), d->formed, (long)(n.hosted - b->hosted), d->hosted,
			   (long)(n.parked - b->parked), d->parked,
			   (long)(n.hvo_saved - b->hvo_saved), d->hvo_saved);
		return false;
	}
	return ktest_mm_checkers(test, __FILE__, line);
}

#define EXPECT_SNAP(test, base, ...) do {					\
	struct delta __d = { __VA_ARGS__ };					\
	expect_snap(test, base, &__d, __LINE__);				\
} while (0)

static unsigned long max_gig(void)
{
	return min(DIV_ROUND_UP(max_pfn, GIG), (unsigned long)NR_COUNTED_GIGS);
}

/* The first formed range from gig on, or ~0UL. */
static unsigned long formed_from(unsigned long gig)
{
	for (; gig < max_gig(); gig++)
		if (free_gigantic_state(gig) == FREE_GIG_FORMED)
			return gig * GIG;
	return ~0UL;
}

/* Both switches on, every range formed that can be; false (skipped) when none is. */
static bool start(struct kunit *test, struct snap *s, unsigned long *range)
{
	local_irq_enable();
	if (buddy_vmemmap_set(true) || free_gigantic_set(true)) {
		ktest_fail(test, __FILE__, __LINE__, "turning the switches on ran out of memory");
		return false;
	}
	snap(s);
	*range = formed_from(0);
	if (*range == ~0UL) {
		ktest_gig_census(test);
		ktest_skip(test, "no free 1 GiB range formed in this guest");
		return false;
	}
	return ktest_mm_checkers(test, __FILE__, __LINE__);
}

static unsigned long nr_tlb_flushes(void)
{
	return tlb_stat(NR_TLB_LOCAL_FLUSH_ALL) + tlb_stat(NR_TLB_LOCAL_FLUSH_ONE);
}

static long meminfo_kb(const char *key)
{
	static char buf[4096];
	char *p;

	if (pseudofs_read("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/*
 * Boot formed every wholly free range: the zones' lists hold exactly the
 * ranges in state formed, each headed and shaped as a 1 GiB page, and
 * /proc/meminfo and /proc/pagetypeinfo count them: 4094 pages each.
 */
KTEST(free_gigantic, boot_ranges_formed_and_counted)
{
	static char text[4096];
	unsigned long range, listed = 0, formed = 0;
	struct snap s;

	if (!start(test, &s, &range))
		return;
	for (unsigned long gig = 0; gig < max_gig(); gig++) {
		struct page *head = pfn_to_page(gig * GIG);

		if (free_gigantic_state(gig) != FREE_GIG_FORMED)
			continue;
		formed++;
		EXPECT_TRUE(test, PageFreeGigantic(head));
		EXPECT_EQ(test, page_ref_count(head), 0);
		/* Any subpage leads to the head, and no speculative reference is had. */
		EXPECT_TRUE(test, compound_head(head + 200001) == head);
		EXPECT_FALSE(test, get_page_unless_zero(head + 77777));
		EXPECT_FALSE(test, is_free_buddy_page(head + 5));
	}
	for (int z = 0; z < MAX_NR_ZONES; z++)
		listed += zones[z].nr_free_gigantic;
	EXPECT_UEQ(test, formed, s.formed);
	EXPECT_UEQ(test, listed, formed);
	EXPECT_EQ(test, meminfo_kb("VmemmapOptimizedFree:"),
		  (long)((buddy_vmemmap_nr_optimized() * 7 + formed * (MEMMAP_1G - KEPT)) * 4));
	ASSERT_GT(test, pseudofs_read("/proc/pagetypeinfo", text, sizeof(text)), 0);
	EXPECT_NOT_NULL(test, strstr(text, "Free 1 GiB ranges"));
	ktest_log(test, "%lu ranges formed, first at pfn %#lx", formed, range);
}

/* A 1 GiB pool grows by a range as it is and gives it back: no flush, no remap. */
KTEST(free_gigantic, pool_grow_and_shrink_as_is)
{
	unsigned long range, base = H1G->nr_huge_pages, flushes;
	bool hvo = hugetlb_optimize_vmemmap_enabled();
	struct page *head;
	struct snap s;

	if (!start(test, &s, &range))
		return;
	if (!H1G->supported) {
		ktest_skip(test, "CPU has no 1 GiB pages");
		return;
	}
	hugetlb_set_optimize_vmemmap(true);
	flushes = nr_tlb_flushes();
	ASSERT_EQ(test, set_max_huge_pages(H1G, base + 1), base + 1);
	EXPECT_EQ(test, nr_tlb_flushes(), flushes);
	head = list_first_entry(&H1G->hugepage_freelist, struct page, lru);
	EXPECT_EQ(test, free_gigantic_state(page_to_pfn(head) / GIG), FREE_GIG_NONE);
	EXPECT_TRUE(test, PageVmemmapOptimized(head) && PageHugeTLB(head));
	EXPECT_TRUE(test, compound_head(head + 123456) == head);
	EXPECT_SNAP(test, &s, .free = -(long)GIG, .formed = -1,
		    .hvo_saved = (long)(MEMMAP_1G - KEPT));
	flushes = nr_tlb_flushes();
	EXPECT_EQ(test, set_max_huge_pages(H1G, base), base);
	EXPECT_EQ(test, nr_tlb_flushes(), flushes);
	EXPECT_SNAP(test, &s, 0);
	hugetlb_set_optimize_vmemmap(hvo);
}

/*
 * Broken without allocating: the memmap into the range's own last 16 MiB,
 * the rest on the lists, the 2 pages of the shape kept; formed again once
 * the range is wholly free, with those very pages.
 */
KTEST(free_gigantic, hosted_break_and_form_again)
{
	unsigned long range, end;
	struct snap s;

	if (!start(test, &s, &range))
		return;
	end = range + GIG;
	ASSERT_EQ(test, free_gigantic_break_hosted(range), 0);
	EXPECT_EQ(test, free_gigantic_state(range / GIG), FREE_GIG_HOSTED);
	EXPECT_TRUE(test, is_free_buddy_page(pfn_to_page(range)));
	EXPECT_TRUE(test, is_free_buddy_page(pfn_to_page(end - MEMMAP_1G - 1)));
	EXPECT_TRUE(test, PageReserved(pfn_to_page(end - MEMMAP_1G)));
	EXPECT_TRUE(test, PageReserved(pfn_to_page(end - 1)));
	EXPECT_EQ(test, free_gigantic_break_hosted(range), -EINVAL);
	/* Read before any drain: one forms it again. */
	EXPECT_UEQ(test, nr_free_pages_in_gig(range / GIG), GIG - MEMMAP_1G);
	EXPECT_UEQ(test, gig_hosted_pages(range / GIG), MEMMAP_1G);
	EXPECT_UEQ(test, nr_free_pages(), s.free - MEMMAP_1G);
	EXPECT_UEQ(test, nr_memmap_lent_pages(), s.lent + MEMMAP_1G);
	EXPECT_UEQ(test, nr_managed_pages(), s.managed - MEMMAP_1G);
	EXPECT_UEQ(test, vmemmap_bytes() >> PAGE_SHIFT, s.vmemmap_pages + MEMMAP_1G - KEPT);
	EXPECT_UEQ(test, nr_kernel_pgtable_pages(), s.pgtables);
	EXPECT_UEQ(test, free_gigantic_nr_formed(), s.formed - 1);
	EXPECT_UEQ(test, free_gigantic_nr_hosted(), s.hosted + 1);
	EXPECT_UEQ(test, free_gigantic_nr_parked(), s.parked + 1);
	EXPECT_EQ(test, free_gigantic_check(NULL), 0);
	EXPECT_SNAP(test, &s, 0);
}

/*
 * Every listed page taken at order 10: the lists run dry, and each
 * allocation that finds nothing breaks a range into them, hosted. Given
 * back, every range forms again.
 */
#define FILL_MAX	4096

static struct page *filled[FILL_MAX];

KTEST(free_gigantic, lists_dry_break_ranges)
{
	unsigned long range, n = 0, in_range = 0;
	struct snap s;

	if (!start(test, &s, &range))
		return;
	while (n < FILL_MAX && free_gigantic_nr_formed()) {
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER);

		if (!p)
			break;
		in_range += free_gigantic_state(page_to_pfn(p) / GIG) == FREE_GIG_HOSTED;
		filled[n++] = p;
	}
	ktest_log(test, "%lu blocks of 4 MiB, %lu from broken ranges, %lu ranges hosted", n,
		  in_range, free_gigantic_nr_hosted());
	EXPECT_GT(test, free_gigantic_nr_hosted(), 0);
	EXPECT_GT(test, in_range, 0);
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
	while (n)
		free_pages(filled[--n], MAX_ORDER);
	EXPECT_SNAP(test, &s, 0);
}

/*
 * A contiguous take of a whole range, or of 2 MiB inside one: the memmap
 * comes back from 8 blocks elsewhere (4096 pages), the pages are written
 * as the owner's; freed, the range forms again.
 */
KTEST(free_gigantic, contig_take_restores_then_forms)
{
	unsigned long range, piece, memmap;
	struct page *head;
	struct snap s;

	if (!start(test, &s, &range))
		return;
	memmap = ktest_vmemmap_bytes();
	ASSERT_EQ(test, alloc_contig_range(range, GIG), 0);
	head = pfn_to_page(range);
	EXPECT_EQ(test, free_gigantic_state(range / GIG), FREE_GIG_NONE);
	head[GIG - 1].index = 0x1234;
	EXPECT_UEQ(test, head[GIG - 1].index, 0x1234);
	head[GIG - 1].index = 0;
	EXPECT_FALSE(test, PageTail(head + 100000));
	EXPECT_UEQ(test, free_gigantic_nr_formed(), s.formed - 1);
	EXPECT_UEQ(test, nr_free_pages() + nr_memmap_lent_pages(), s.free + s.lent - GIG - MEMMAP_1G);
	/* As a plain memmap would be: the range's own again, 4096 pages. */
	EXPECT_UEQ(test, ktest_vmemmap_bytes(), memmap);
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
	free_contig_range(range, GIG);
	EXPECT_SNAP(test, &s, 0);
	piece = range + 100 * pageblock_nr_pages;
	ASSERT_EQ(test, alloc_contig_range(piece, pageblock_nr_pages), 0);
	EXPECT_EQ(test, free_gigantic_state(range / GIG), FREE_GIG_NONE);
	EXPECT_TRUE(test, is_free_buddy_page(pfn_to_page(piece - 1)));
	free_contig_range(piece, pageblock_nr_pages);
	EXPECT_SNAP(test, &s, 0);
}

/* Poison inside a range: the range goes back first, the page is held; unpoisoned, it forms again. */
KTEST(free_gigantic, memory_failure_inside_range)
{
	unsigned long range, pfn;
	struct snap s;
	struct page *p;

	if (!start(test, &s, &range))
		return;
	pfn = range + 123457;
	ASSERT_EQ(test, memory_failure(pfn, NULL), 0);
	p = pfn_to_page(pfn);
	EXPECT_EQ(test, free_gigantic_state(range / GIG), FREE_GIG_NONE);
	EXPECT_TRUE(test, PageHWPoison(p) && page_ref_count(p) == 1);
	EXPECT_TRUE(test, is_free_buddy_page(p - 1));
	EXPECT_TRUE(test, is_free_buddy_page(p + 1));
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
	EXPECT_EQ(test, unpoison_memory(pfn, NULL), 0);
	EXPECT_SNAP(test, &s, 0);
}

static struct errmsg werr;

static int write_state(unsigned long nr, const char *val)
{
	char path[64];
	int ret;

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%lu/state", nr);
	ret = pseudofs_write(path, val, strlen(val), &werr);
	if (ret)
		pr_info("free_gigantic: %s: %s\n", path, errmsg_why(&werr, ret));
	return ret;
}

/* Offline of a section inside a range: the range goes back first; online, it forms again. */
KTEST(free_gigantic, section_offline_inside_range)
{
	unsigned long range, nr;
	struct snap s;
	int ret;

	if (!start(test, &s, &range))
		return;
	nr = pfn_to_section_nr(range) + 3;
	errmsg_init(&werr);
	ret = write_state(nr, "offline");
	ASSERT_EQ(test, ret, 0);
	EXPECT_EQ(test, free_gigantic_state(range / GIG), FREE_GIG_NONE);
	EXPECT_FALSE(test, pfn_online(section_nr_to_pfn(nr)));
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
	ASSERT_EQ(test, write_state(nr, "online"), 0);
	EXPECT_SNAP(test, &s, 0);
}

/*
 * Each allocation of a take of a whole range failed in turn: the range
 * is hosted instead (the take then finds its memmap pages busy), or left
 * as it was; formed again each time, and taken at last.
 */
KTEST(free_gigantic, contig_take_fault_injection)
{
	unsigned long range, failures = 0;
	struct snap s;
	int ret = -ENOMEM;

	if (!start(test, &s, &range))
		return;
	/* The k-th allocation: the restore's blocks, then what each of them borrows. */
	for (unsigned long k = 1; k <= 1024 && ret; k *= 2) {
		fail_page_alloc_nth(k);
		ret = alloc_contig_range(range, GIG);
		fail_page_alloc_off();
		if (!ret)
			break;
		EXPECT_TRUE(test, ret == -ENOMEM || ret == -EBUSY);
		EXPECT_SNAP(test, &s, 0);
		failures++;
	}
	ktest_log(test, "%lu allocations failed in turn, then taken", failures);
	EXPECT_EQ(test, ret, 0);
	EXPECT_GE(test, failures, 1);
	if (!ret)
		free_contig_range(range, GIG);
	EXPECT_SNAP(test, &s, 0);
}

/* The switch: off restores every range (4094 pages each back in the memmap), on forms them. */
KTEST(free_gigantic, switch_off_and_on)
{
	unsigned long range;
	struct snap s;
	char buf[8];
	long saved;

	if (!start(test, &s, &range))
		return;
	saved = meminfo_kb("VmemmapOptimizedFree:");
	ASSERT_EQ(test, pseudofs_write("/proc/sys/vm/buddy_vmemmap_1g", "0\n", 2, NULL), 0);
	ASSERT_GT(test, pseudofs_read("/proc/sys/vm/buddy_vmemmap_1g", buf, sizeof(buf)), 0);
	EXPECT_STREQ(test, buf, "0\n");
	EXPECT_EQ(test, free_gigantic_nr_formed(), 0);
	EXPECT_LT(test, meminfo_kb("VmemmapOptimizedFree:"), saved);
	EXPECT_EQ(test, meminfo_kb("VmemmapOptimizedFree:"),
		  (long)(buddy_vmemmap_nr_optimized() * 7 * 4));
	EXPECT_EQ(test, pseudofs_write("/proc/sys/vm/buddy_vmemmap_1g", "maybe", 5, NULL), -EINVAL);
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
	ASSERT_EQ(test, pseudofs_write("/proc/sys/vm/buddy_vmemmap_1g", "1\n", 2, NULL), 0);
	EXPECT_SNAP(test, &s, 0);
}

/*
 * Device-dax beside free ranges: a 1 GiB aligned region's memmap is
 * populated in the same shape, on the same all-tail table and order-18
 * tail page; created and destroyed, the ranges are as they were.
 */
KTEST(free_gigantic, devdax_beside_ranges)
{
	unsigned long range;
	u64 dev_start, dev_end;
	struct page *dax, *head;
	struct snap s;
	int id;

	if (!start(test, &s, &range))
		return;
	if (!ktest_find_device_memory(test, SZ_1G, &dev_start, &dev_end))
		return;
	id = dax_region_create(dev_start, SZ_1G, SZ_1G, NULL);
	ASSERT_GE(test, id, 0);
	dax = pfn_to_page(PHYS_PFN(dev_start));
	head = pfn_to_page(range);
	EXPECT_UEQ(test, kernel_virt_to_phys((unsigned long)(dax + 5 * 32768)) & PAGE_MASK,
		   vmemmap_shared_tail_phys(HVO_ORDER_1G));
	EXPECT_UEQ(test, kernel_virt_to_phys((unsigned long)(head + 5 * 32768)) & PAGE_MASK,
		   vmemmap_shared_tail_phys(HVO_ORDER_1G));
	EXPECT_TRUE(test, compound_head(dax + GIG - 1) == dax);
	EXPECT_TRUE(test, compound_head(head + GIG - 1) == head);
	EXPECT_EQ(test, free_gigantic_state(range / GIG), FREE_GIG_FORMED);
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
	EXPECT_EQ(test, dax_region_destroy(id, NULL), 0);
	EXPECT_SNAP(test, &s, 0);
}

/*
 * The debug page fill meets a range: a 4 MiB block of it taken, written
 * and freed is filled and marked; the range forms from it, and taking
 * the block off the lists checks its pattern (the count of checked
 * pages grows by at least the block), with no report; everything is as
 * before.
 */
KTEST(free_gigantic, page_fill_meets_forming)
{
	bool fill = page_fill_enabled();
	unsigned long range, block, checked;
	struct snap s;

	if (!start(test, &s, &range))
		return;
	set_page_fill(true);
	block = range + 150 * MAX_ORDER_NR_PAGES;
	ASSERT_EQ(test, alloc_contig_range(block, MAX_ORDER_NR_PAGES), 0);
	EXPECT_EQ(test, free_gigantic_state(range / GIG), FREE_GIG_NONE);
	memset(page_address(pfn_to_page(block)), 0x5a, PAGE_SIZE << MAX_ORDER);
	checked = page_fill_checked_pages();
	free_contig_range(block, MAX_ORDER_NR_PAGES);
	EXPECT_TRUE(test, PageFilled(pfn_to_page(block)) && is_free_buddy_page(pfn_to_page(block)));
	EXPECT_SNAP(test, &s, 0);
	EXPECT_EQ(test, free_gigantic_state(range / GIG), FREE_GIG_FORMED);
	EXPECT_GE(test, (long)(page_fill_checked_pages() - checked), (long)MAX_ORDER_NR_PAGES);
	set_page_fill(fill);
}

/* The checker sees a range whose head is not what its state says. */
KTEST(free_gigantic, checker_catches_bad_head)
{
	unsigned long range;
	struct page *head;
	struct errmsg e;
	struct snap s;

	if (!start(test, &s, &range))
		return;
	head = pfn_to_page(range);
	SetPageReserved(head);
	EXPECT_EQ(test, free_gigantic_check(&e), -EINVAL);
	EXPECT_EQ(test, page_alloc_check(&e), -EINVAL);
	ClearPageReserved(head);
	EXPECT_EQ(test, free_gigantic_check(&e), 0);
	EXPECT_SNAP(test, &s, 0);
}

/*
 * Seeded: buddy allocations of every order, both pools grown and shrunk,
 * ranges broken, poison inside ranges; the checkers every few steps;
 * everything given back, the snapshot exactly.
 */
/*
 * As with a plain memmap (ktest_mm.h): free pages and page tables
 * together (a page table comes out of free memory), and the memmap.
 */
struct plain {
	unsigned long pages, memmap;
};

static void plain(struct plain *p)
{
	p->pages = ktest_settled_free_pages() + ktest_pgtable_pages();
	p->memmap = ktest_vmemmap_bytes();
}

static bool plain_same(const void *arg)
{
	const struct plain *b = arg;
	struct plain now;

	plain(&now);
	return now.pages == b->pages && now.memmap == b->memmap;
}

static void expect_plain(struct kunit *test, const struct plain *b, int line)
{
	struct plain now;

	plain(&now);
	if (now.pages != b->pages || now.memmap != b->memmap)
		ktest_fail(test, __FILE__, line, "free and tables %lu, want %lu; memmap %lu, want %lu",
			   now.pages, b->pages, now.memmap, b->memmap);
}
#define EXPECT_PLAIN(test, b)	expect_plain(test, b, __LINE__)

/* No range is hosted, and none wholly free is left unformed. */
static void expect_none_left_unformed(struct kunit *test)
{
	EXPECT_UEQ(test, free_gigantic_nr_hosted(), 0);
	for (unsigned long gig = 0; gig < max_gig(); gig++)
		if (free_gigantic_state(gig) != FREE_GIG_FORMED && gig * GIG + GIG <= max_pfn &&
		    pfn_online(gig * GIG) && pfn_online(gig * GIG + GIG - 1) &&
		    range_free_now(gig * GIG, gig * GIG + GIG))
			ktest_fail(test, __FILE__, __LINE__, "GiB %lu is wholly free, not formed", gig);
}

#define RANDOM_STEPS	120
#define RANDOM_LIVE	48

struct live {
	struct page *page;
	unsigned int order;
};

static struct live live[RANDOM_LIVE];
static unsigned long poisoned[8];

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_step(u64 *st, unsigned int *nr_live, unsigned int *nr_poison,
			const unsigned long *pools)
{
	unsigned int op = rnd(st) % 10, i;
	unsigned long range;

	if (op <= 3 && *nr_live < RANDOM_LIVE) {
		unsigned int order = rnd(st) % (MAX_ORDER + 1);
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

		if (p)
			live[(*nr_live)++] = (struct live){ p, order };
	} else if (op <= 5 && *nr_live) {
		i = rnd(st) % *nr_live;
		free_pages(live[i].page, live[i].order);
		live[i] = live[--*nr_live];
	} else if (op == 6 && H1G->supported) {
		set_max_huge_pages(H1G, pools[1] + rnd(st) % 2);
	} else if (op == 7) {
		set_max_huge_pages(H2M, pools[0] + rnd(st) % 8);
	} else if (op == 8) {
		range = formed_from(rnd(st) % max_gig());
		if (range != ~0UL)
			free_gigantic_break_hosted(range);
	} else if (*nr_poison < ARRAY_SIZE(poisoned)) {
		range = formed_from(0);
		if (range != ~0UL && !memory_failure(range + rnd(st) % GIG, NULL))
			poisoned[(*nr_poison)++] = range;
	}
}

static void random_run(struct kunit *test, u64 seed)
{
	unsigned long range, pools[2] = { H2M->nr_huge_pages, H1G->nr_huge_pages };
	unsigned int nr_live = 0, nr_poison = 0;
	bool hvo = hugetlb_optimize_vmemmap_enabled();
	struct plain base;
	struct snap s;
	u64 st = seed;

	if (!start(test, &s, &range))
		return;
	plain(&base);
	hugetlb_set_optimize_vmemmap(true);
	for (unsigned int step = 0; step < RANDOM_STEPS; step++) {
		random_step(&st, &nr_live, &nr_poison, pools);
		if (step % 10 == 0 && !KTEST_MM_CHECKERS(test))
			break;
	}
	while (nr_live) {
		nr_live--;
		free_pages(live[nr_live].page, live[nr_live].order);
	}
	EXPECT_EQ(test, set_max_huge_pages(H2M, pools[0]), pools[0]);
	EXPECT_EQ(test, set_max_huge_pages(H1G, pools[1]), pools[1]);
	for (unsigned int i = 0; i < nr_poison; i++)
		for (unsigned long pfn = poisoned[i]; pfn < poisoned[i] + GIG; pfn++)
			if (pfn_hwpoisoned(pfn))
				EXPECT_EQ(test, unpoison_memory(pfn, NULL), 0);
	hugetlb_set_optimize_vmemmap(hvo);
	/* Blocks merged from small frees are plain until the switch is written on. */
	EXPECT_EQ(test, buddy_vmemmap_set(true), 0);
	/*
	 * Nothing is lost: free pages and page tables as with a plain memmap,
	 * and the memmap itself, are what they were. A range whose pages
	 * were handed out meanwhile forms again once all are back; one that
	 * stays broken is one a kernel page still sits in (the census says
	 * which), never one wholly free.
	 */
	EXPECT_PLAIN(test, &base);
	expect_none_left_unformed(test);
	if (free_gigantic_nr_formed() != s.formed)
		ktest_gig_census(test);
	ktest_log(test, "seed %#llx: %u steps, %u poisoned, %lu of %lu ranges formed again",
		  (unsigned long long)seed, RANDOM_STEPS, nr_poison, free_gigantic_nr_formed(), s.formed);
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
}

KTEST(free_gigantic, random_seed_1)
{
	random_run(test, 1);
}

KTEST(free_gigantic, random_seed_2)
{
	random_run(test, 0x9e3779b97f4a7c15ULL);
}

/*
 * SMP: a kernel thread per online CPU allocates and frees blocks of every
 * order, tagging both ends (a block handed out twice is caught), while
 * the thread on the first CPU breaks ranges, grows and shrinks the 1 GiB
 * pool (ranges taken and given back as they are) and turns the switch
 * off and on. Afterwards the checkers, and the snapshot.
 */
#define SMP_STEPS	200
#define SMP_ROUNDS	4

static const char *smp_check(struct page *page, unsigned int order)
{
	(void)order;
	if (free_gigantic_state(page_to_pfn(page) / GIG) == FREE_GIG_FORMED)
		return "allocated from inside a formed range";
	return NULL;
}

static void smp_boss(struct ktest_alloc_thread *t)
{
	unsigned long base = H1G->nr_huge_pages;

	for (unsigned int r = 0; r < SMP_ROUNDS; r++) {
		unsigned long range = formed_from(rnd(&t->rng) % max_gig());

		if (range != ~0UL)
			free_gigantic_break_hosted(range);
		schedule();
		if (H1G->supported)
			set_max_huge_pages(H1G, base + 1);
		schedule();
		free_gigantic_set(r & 1);
		set_max_huge_pages(H1G, base);
		t->steps++;
		schedule();
	}
	free_gigantic_set(true);
}

static const struct ktest_alloc_set smp_set = {
	.steps = SMP_STEPS, .check = smp_check, .boss = smp_boss,
};

KTEST(free_gigantic, smp_allocators_against_breaking_and_pool)
{
	unsigned long range, allocated, pool = H1G->nr_huge_pages;
	bool hvo = hugetlb_optimize_vmemmap_enabled();
	struct plain base;
	struct snap s;

	if (!start(test, &s, &range))
		return;
	plain(&base);
	hugetlb_set_optimize_vmemmap(true);
	allocated = ktest_alloc_threads_run(test, &smp_set, 0x9161ULL, "fg_smp");
	EXPECT_GT(test, allocated, 0);
	EXPECT_UEQ(test, H1G->nr_huge_pages, pool);
	hugetlb_set_optimize_vmemmap(hvo);
	EXPECT_EQ(test, buddy_vmemmap_set(true), 0);
	/*
	 * The switch turned off freed the pages parked for broken ranges,
	 * and a restored 2 MiB block may keep its lent memmap: as with a
	 * plain memmap, nothing is lost. The threads' own memory (stacks)
	 * comes back as their CPUs reap them.
	 */
	ktest_wait_settled(plain_same, &base);
	EXPECT_PLAIN(test, &base);
	expect_none_left_unformed(test);
	ktest_log(test, "%lu of %lu ranges formed again", free_gigantic_nr_formed(), s.formed);
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
}
