// SPDX-License-Identifier: MIT
/*
 * Free memory keeps a deduplicated memmap (mm/buddy_vmemmap.c).
 *
 * Every case starts from the switch on and every free pageblock that can
 * be optimized optimized, takes a snapshot (free pages, pages lent to
 * memmaps, vmemmap pages, kernel page-table pages, optimized and
 * self-hosted blocks, managed pages, TLB flushes) and checks each step
 * against it with figures worked out here from the rules (7 vmemmap pages
 * per 2 MiB block), then the mm checkers. Each case ends where it began.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "kernel/errmsg.h"
#include "kernel/param.h"
#include "mm/buddy_vmemmap.h"
#include "mm/fail_page_alloc.h"
#include "mm/free_gigantic.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/memory_failure.h"
#include "mm/memory_hotplug.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
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
#define TAILS		7UL		/* vmemmap pages 1..7 of a 2 MiB block */

struct snap {
	unsigned long free, lent, vmemmap_pages, pgtables, optimized, self_hosted, managed;
};

static void snap(struct snap *s)
{
	kmem_cache_shrink_all();
	drain_all_pages();
	s->free = nr_free_pages();
	s->lent = nr_memmap_lent_pages();
	s->vmemmap_pages = vmemmap_bytes() >> PAGE_SHIFT;
	s->pgtables = ktest_pgtable_pages();
	s->optimized = buddy_vmemmap_nr_optimized();
	s->self_hosted = buddy_vmemmap_nr_self_hosted();
	s->managed = nr_managed_pages();
}

/* now == base + the deltas given (pages, blocks). */
struct delta {
	long free, lent, vmemmap_pages, optimized, self_hosted, managed;
};

static bool snap_differs(const struct snap *now, const struct snap *base,
			 const struct delta *d)
{
	return (long)(now->free - base->free) != d->free ||
	       (long)(now->lent - base->lent) != d->lent ||
	       (long)(now->vmemmap_pages - base->vmemmap_pages) != d->vmemmap_pages ||
	       (long)(now->optimized - base->optimized) != d->optimized ||
	       (long)(now->self_hosted - base->self_hosted) != d->self_hosted ||
	       (long)(now->managed - base->managed) != d->managed ||
	       now->pgtables != base->pgtables;
}

static bool expect_snap(struct kunit *test, const struct snap *base,
			const struct delta *d, int line)
{
	struct snap now;

	snap(&now);
	if (snap_differs(&now, base, d)) {
		ktest_fail(test, __FILE__, line,
			   "free %+ld (want %+ld), lent %+ld (%+ld), vmemmap %+ld (%+ld), optimized %+ld (%+ld), self-hosted %+ld (%+ld), managed %+ld (%+ld), page tables %+ld (+0)",
			   (long)(now.free - base->free), d->free, (long)(now.lent - base->lent), d->lent,
			   (long)(now.vmemmap_pages - base->vmemmap_pages), d->vmemmap_pages,
			   (long)(now.optimized - base->optimized), d->optimized,
			   (long)(now.self_hosted - base->self_hosted), d->self_hosted,
			   (long)(now.managed - base->managed), d->managed,
			   (long)(now.pgtables - base->pgtables));
		return false;
	}
	return ktest_mm_checkers(test, __FILE__, line);
}

#define EXPECT_SNAP(test, base, ...) do {					\
	struct delta __d = { __VA_ARGS__ };					\
	expect_snap(test, base, &__d, __LINE__);				\
} while (0)

/* Switch on, everything optimized that can be; false (skipped) when nothing is. */
static bool start(struct kunit *test, struct snap *s)
{
	/*
	 * Splits, restores and re-shares flush every CPU's TLB, which needs
	 * interrupts on (with them off an allocation passes optimized blocks
	 * over); the boot-time test runner may still have them off.
	 */
	local_irq_enable();
	/*
	 * The 2 MiB rules alone: free 1 GiB ranges are released (their own
	 * suite, free_gigantic, runs the two together).
	 */
	if (free_gigantic_set(false) || buddy_vmemmap_set(true)) {
		ktest_fail(test, __FILE__, __LINE__, "turning the switch on ran out of memory");
		return false;
	}
	snap(s);
	if (!s->optimized) {
		ktest_skip(test, "no free 2 MiB block to optimize in this guest");
		return false;
	}
	return ktest_mm_checkers(test, __FILE__, __LINE__);
}

/* The highest optimized free pageblock (far from what boot uses). */
static struct page *find_optimized(void)
{
	for (unsigned long nr = nr_mem_sections; nr-- > 0;) {
		if (!(mem_section[nr].flags & SECTION_ONLINE) || !mem_section[nr].nr_free_optimized)
			continue;
		for (unsigned long i = PAGES_PER_SECTION; i;) {
			unsigned long pfn = section_nr_to_pfn(nr) + (i -= pageblock_nr_pages);

			if (PageVmemmapOptimized(pfn_to_page(pfn)) && pageblock_is_free(pfn))
				return pfn_to_page(pfn);
		}
	}
	return NULL;
}

KTEST(buddy_vmemmap, free_block_tail_is_read_only)
{
	struct page *block;
	struct snap s;

	if (!start(test, &s))
		return;
	block = find_optimized();
	ASSERT_NOT_NULL(test, block);
	EXPECT_EQ(test, kernel_virt_to_phys((unsigned long)&block[200]) & PAGE_MASK,
		  vmemmap_shared_tail_phys(HVO_ORDER_2M));
	ktest_expect_tail_write_reported(test, block);
	EXPECT_SNAP(test, &s, 0);
}

/* Order-0 pages until one split rebuilds a block's memmap in itself. */
static unsigned long split_one(struct page **pages, unsigned long max,
			       unsigned long self_hosted)
{
	unsigned long n = 0;

	while (n < max && buddy_vmemmap_nr_self_hosted() == self_hosted) {
		pages[n] = alloc_page(GFP_KERNEL);
		if (!pages[n])
			return n;
		n++;
	}
	/* The rest of the refill that split it: held, so that it stays split. */
	while (n && n < max && page_zone(pages[n - 1])->pcp[smp_processor_id()].count) {
		pages[n] = alloc_page(GFP_KERNEL);
		if (!pages[n])
			break;
		n++;
	}
	return n;
}

static struct page *held[8192];	/* small free blocks are taken first: many at 3 GiB */

KTEST(buddy_vmemmap, split_self_hosts_and_reshares)
{
	struct snap s;
	unsigned long n;

	if (!start(test, &s))
		return;
	n = split_one(held, ARRAY_SIZE(held), s.self_hosted);
	ASSERT_EQ(test, buddy_vmemmap_nr_self_hosted(), s.self_hosted + 1);
	/* 7 of its pages hold its memmap: not free, not managed, lent. */
	EXPECT_SNAP(test, &s, .free = -(long)(n + TAILS), .lent = TAILS, .vmemmap_pages = TAILS,
		    .optimized = -1, .self_hosted = 1, .managed = -(long)TAILS);
	while (n)
		__free_page(held[--n]);
	/* All free again: shared again, its 7 pages back in it. */
	EXPECT_SNAP(test, &s, 0);
}

KTEST(buddy_vmemmap, whole_block_allocation_lends_seven)
{
	struct snap s;
	struct page *page;

	if (!start(test, &s))
		return;
	page = alloc_pages(GFP_KERNEL, pageblock_order);
	ASSERT_NOT_NULL(test, page);
	EXPECT_FALSE(test, PageVmemmapOptimized(page));
	/* Its tails are its own again: writable. */
	page[200].index = 0;
	EXPECT_SNAP(test, &s, .free = -(long)(pageblock_nr_pages + TAILS), .lent = TAILS,
		    .vmemmap_pages = TAILS, .optimized = -1);
	free_pages(page, pageblock_order);
	EXPECT_SNAP(test, &s, 0);
}

KTEST(buddy_vmemmap, allocation_fault_injection_changes_nothing)
{
	struct snap s;
	struct page *page;

	if (!start(test, &s))
		return;
	/* The block is had (1st), its first memmap page is not (2nd). */
	fail_page_alloc_nth(2);
	page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, pageblock_order);
	fail_page_alloc_off();
	EXPECT_NULL(test, page);
	EXPECT_SNAP(test, &s, 0);
	/* The same for the 7th. */
	fail_page_alloc_nth(8);
	page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, pageblock_order);
	fail_page_alloc_off();
	EXPECT_NULL(test, page);
	EXPECT_SNAP(test, &s, 0);
}

/* Flushes made on any CPU (full or one entry). */
static unsigned long nr_tlb_flushes(void)
{
	return tlb_stat(NR_TLB_LOCAL_FLUSH_ALL) + tlb_stat(NR_TLB_LOCAL_FLUSH_ONE);
}

KTEST(buddy_vmemmap, pool_moves_touch_no_tail)
{
	unsigned long base = H2M->nr_huge_pages, saved = vmemmap_optimized_pages();
	unsigned long flushes, n = 8;
	struct snap s;
	bool hvo = hugetlb_optimize_vmemmap_enabled();

	if (!start(test, &s))
		return;
	if (s.optimized < n) {
		ktest_skip(test, "fewer than 8 optimized free blocks");
		return;
	}
	hugetlb_set_optimize_vmemmap(true);
	flushes = nr_tlb_flushes();
	ASSERT_EQ(test, set_max_huge_pages(H2M, base + n), base + n);
	EXPECT_EQ(test, nr_tlb_flushes(), flushes);
	EXPECT_EQ(test, vmemmap_optimized_pages(), saved + n * TAILS);
	EXPECT_SNAP(test, &s, .free = -(long)(n * pageblock_nr_pages), .optimized = -(long)n);
	flushes = nr_tlb_flushes();
	EXPECT_EQ(test, set_max_huge_pages(H2M, base), base);
	EXPECT_EQ(test, nr_tlb_flushes(), flushes);
	EXPECT_EQ(test, vmemmap_optimized_pages(), saved);
	EXPECT_SNAP(test, &s, 0);
	hugetlb_set_optimize_vmemmap(hvo);
}

KTEST(buddy_vmemmap, poison_restores_block_first)
{
	struct page *victim;
	struct snap s;
	unsigned long pfn;

	if (!start(test, &s))
		return;
	victim = find_optimized();
	ASSERT_NOT_NULL(test, victim);
	pfn = page_to_pfn(victim) + 100;
	ASSERT_EQ(test, memory_failure(pfn, NULL), 0);
	EXPECT_FALSE(test, PageVmemmapOptimized(victim));
	EXPECT_TRUE(test, PageHWPoison(pfn_to_page(pfn)));
	EXPECT_FALSE(test, is_free_buddy_page(pfn_to_page(pfn)));
	/* The 7 pages come from elsewhere; the page is held, not free. */
	EXPECT_SNAP(test, &s, .free = -(long)(1 + TAILS), .lent = TAILS, .vmemmap_pages = TAILS,
		    .optimized = -1);
	ASSERT_EQ(test, unpoison_memory(pfn, NULL), 0);
	EXPECT_SNAP(test, &s, 0);
}

/* An online section whose pages are all free and that is not section 0. */
static long free_section(void)
{
	for (unsigned long nr = nr_mem_sections; nr-- > 1;) {
		unsigned long pfn = section_nr_to_pfn(nr);
		bool all = mem_section[nr].flags & SECTION_ONLINE;

		for (unsigned long i = 0; all && i < PAGES_PER_SECTION; i += pageblock_nr_pages)
			all = pageblock_is_free(pfn + i);
		if (all && mem_section[nr].nr_free_optimized == PAGES_PER_SECTION / pageblock_nr_pages)
			return nr;
	}
	return -1;
}

KTEST(buddy_vmemmap, section_offline_keeps_shared_tails)
{
	const unsigned long blocks = PAGES_PER_SECTION / pageblock_nr_pages;
	struct snap s, off;
	long nr;

	if (!start(test, &s))
		return;
	nr = free_section();
	if (nr < 0) {
		ktest_skip(test, "no wholly free, optimized section");
		return;
	}
	ASSERT_EQ(test, offline_memory_section(nr, NULL), 0);
	snap(&off);
	/* Only the 64 head vmemmap pages were the section's own; nothing was lent. */
	EXPECT_EQ(test, s.vmemmap_pages - off.vmemmap_pages, blocks);
	EXPECT_EQ(test, s.optimized - off.optimized, blocks);
	EXPECT_EQ(test, off.lent, s.lent);
	/* Its head vmemmap pages were memblock's: managed once freed. */
	EXPECT_EQ(test, s.managed - off.managed, PAGES_PER_SECTION - blocks);
	EXPECT_EQ(test, mem_section[nr].nr_free_optimized, 0);
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
	ASSERT_EQ(test, online_memory_section(nr, NULL), 0);
	/* Online, the section is plain until the switch is written on again. */
	EXPECT_EQ(test, mem_section[nr].nr_free_optimized, 0);
	EXPECT_EQ(test, buddy_vmemmap_set(true), 0);
	EXPECT_EQ(test, mem_section[nr].nr_free_optimized, blocks);
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
}

KTEST(buddy_vmemmap, switch_off_restores_on_optimizes)
{
	static char out[256];
	struct snap s;

	if (!start(test, &s))
		return;
	EXPECT_EQ(test, ktest_shell("echo 0 > /proc/sys/vm/buddy_vmemmap_optimize", out, sizeof(out)), 0);
	EXPECT_FALSE(test, buddy_vmemmap_enabled());
	EXPECT_EQ(test, buddy_vmemmap_nr_optimized(), 0);
	/* Each block's 7 pages are lent from the free ones. */
	EXPECT_EQ(test, nr_memmap_lent_pages() - s.lent, s.optimized * TAILS);
	EXPECT_EQ(test, nr_free_pages() + nr_memmap_lent_pages(), s.free + s.lent);
	EXPECT_TRUE(test, KTEST_MM_CHECKERS(test));
	EXPECT_EQ(test, ktest_shell("echo 1 > /proc/sys/vm/buddy_vmemmap_optimize", out, sizeof(out)), 0);
	EXPECT_TRUE(test, buddy_vmemmap_enabled());
	EXPECT_SNAP(test, &s, 0);
	/* Bad values: one line naming the file, nothing changed. */
	EXPECT_NE(test, ktest_shell("echo 2 > /proc/sys/vm/buddy_vmemmap_optimize", out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "buddy_vmemmap_optimize: must be 0 or 1"));
	EXPECT_NE(test, ktest_shell("echo on > /proc/sys/vm/buddy_vmemmap_optimize", out, sizeof(out)), 0);
	EXPECT_TRUE(test, buddy_vmemmap_enabled());
	EXPECT_SNAP(test, &s, 0);
}

/* The seeded sequence: buddy allocations of every order, pool moves, poison. */

#define RANDOM_STEPS	300
#define RANDOM_LIVE	64

struct live {
	struct page *page;
	unsigned int order;
};

static u64 rnd(u64 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static struct live live[RANDOM_LIVE];
static unsigned long poisoned[8];

static void random_step(u64 *st, unsigned int *nr_live, unsigned int *nr_poison,
			unsigned long base_pool)
{
	unsigned int op = rnd(st) % 8, i;

	if (op <= 3 && *nr_live < RANDOM_LIVE) {
		unsigned int order = rnd(st) % (MAX_ORDER + 1);
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

		if (p)
			live[(*nr_live)++] = (struct live){ p, order };
	} else if (op <= 5 && *nr_live) {
		i = rnd(st) % *nr_live;
		free_pages(live[i].page, live[i].order);
		live[i] = live[--*nr_live];
	} else if (op == 6) {
		set_max_huge_pages(H2M, base_pool + rnd(st) % 4);
	} else if (*nr_poison < ARRAY_SIZE(poisoned)) {
		struct page *b = find_optimized();

		if (b && !memory_failure(page_to_pfn(b) + rnd(st) % pageblock_nr_pages, NULL))
			poisoned[(*nr_poison)++] = page_to_pfn(b);
	}
}

static void random_run(struct kunit *test, u64 seed)
{
	unsigned long base_pool = H2M->nr_huge_pages;
	unsigned int nr_live = 0, nr_poison = 0;
	struct snap s, end;
	u64 st = seed;
	long lent;

	if (!start(test, &s))
		return;
	for (unsigned int step = 0; step < RANDOM_STEPS; step++) {
		random_step(&st, &nr_live, &nr_poison, base_pool);
		if (step % 25 == 0 && !KTEST_MM_CHECKERS(test))
			return;
	}
	while (nr_live) {
		nr_live--;
		free_pages(live[nr_live].page, live[nr_live].order);
	}
	EXPECT_EQ(test, set_max_huge_pages(H2M, base_pool), base_pool);
	for (unsigned int i = 0; i < nr_poison; i++)
		for (unsigned long pfn = poisoned[i]; pfn < poisoned[i] + pageblock_nr_pages; pfn++)
			if (pfn_hwpoisoned(pfn))
				EXPECT_EQ(test, unpoison_memory(pfn, NULL), 0);
	/* Blocks merged from small frees are plain until the switch is written on. */
	EXPECT_EQ(test, buddy_vmemmap_set(true), 0);
	/*
	 * Lent memmap pages may pin each other's blocks (A's memmap in B,
	 * B's in A), so some stay restored: nothing is lost, every page
	 * missing from the free ones is a lent memmap page, 7 per block.
	 */
	snap(&end);
	lent = (long)(end.lent - s.lent);
	EXPECT_EQ(test, lent % (long)TAILS, 0);
	EXPECT_SNAP(test, &s, .free = -lent, .lent = lent, .vmemmap_pages = lent,
		    .optimized = -lent / (long)TAILS);
	ktest_log(test, "seed %#llx: %u steps, %u poisoned, %ld pages still lent", (unsigned long long)seed,
		  RANDOM_STEPS, nr_poison, lent);
}

KTEST(buddy_vmemmap, random_seed_1)
{
	random_run(test, 1);
}

KTEST(buddy_vmemmap, random_seed_2)
{
	random_run(test, 0x9e3779b97f4a7c15ULL);
}

/*
 * Lent memmap pages inside a 1 GiB range, and a contiguous take of it.
 * Every other free 1 GiB range gets one page taken, so the range with the
 * lent pages is the only candidate alloc_contig_pages() has: it succeeds
 * only if it moves them out.
 */
#define PAGES_1G	(SZ_1G >> PAGE_SHIFT)
#define MAX_GIGS	64

static bool gig_free(unsigned long pfn)
{
	return pfn_valid(pfn) && pfn_valid(pfn + PAGES_1G - 1) &&
	       pfn_zone_idx(pfn) == pfn_zone_idx(pfn + PAGES_1G - 1) &&
	       range_free_now(pfn, pfn + PAGES_1G);
}

static void unpin_gigs(const unsigned long *gigs, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		free_contig_range(gigs[i] + PAGES_1G / 2, 1);
}

/*
 * Every free 1 GiB aligned range gets one page taken but the last, which
 * is then the only candidate alloc_contig_pages() has. How many ranges
 * were found (0: skipped).
 */
static unsigned long pin_all_gigs_but_last(struct kunit *test, unsigned long *gigs)
{
	unsigned long n = 0;

	for (unsigned long pfn = 0; pfn + PAGES_1G <= max_pfn && n < MAX_GIGS; pfn += PAGES_1G)
		if (gig_free(pfn))
			gigs[n++] = pfn;
	if (!n) {
		ktest_skip(test, "no free 1 GiB aligned range in this guest");
		return 0;
	}
	for (unsigned long i = 0; i + 1 < n; i++)
		if (alloc_contig_range(gigs[i] + PAGES_1G / 2, 1)) {
			unpin_gigs(gigs, i);
			ktest_fail(test, __FILE__, __LINE__, "a free 1 GiB range could not be pinned");
			return 0;
		}
	return n;
}

/* start(), then pinned as above: r is the candidate; how many are pinned, or -1. */
static long start_pinned(struct kunit *test, struct snap *s, unsigned long *gigs,
			 unsigned long *r)
{
	unsigned long n;

	if (!start(test, s))
		return -1;
	n = pin_all_gigs_but_last(test, gigs);
	if (!n--)
		return -1;
	*r = gigs[n];
	return n;
}

/* An optimized free pageblock outside [start, end). */
static unsigned long optimized_outside(unsigned long start, unsigned long end)
{
	for (unsigned long nr = nr_mem_sections; nr-- > 0;) {
		unsigned long base = section_nr_to_pfn(nr);

		if (!(mem_section[nr].flags & SECTION_ONLINE) || !mem_section[nr].nr_free_optimized ||
		    (base >= start && base < end))
			continue;
		for (unsigned long pfn = base; pfn < base + PAGES_PER_SECTION; pfn += pageblock_nr_pages)
			if (PageVmemmapOptimized(pfn_to_page(pfn)) && pageblock_is_free(pfn))
				return pfn;
	}
	return 0;
}

static unsigned int tails_inside(struct page *block, unsigned long start, unsigned long end)
{
	phys_addr_t pa[TAILS];
	unsigned int n = 0;

	if (vmemmap_tail_pages_2m(block, pa))
		return 0;
	for (unsigned int i = 0; i < TAILS; i++)
		n += PHYS_PFN(pa[i]) >= start && PHYS_PFN(pa[i]) < end;
	return n;
}

static unsigned long optimized_free_in(unsigned long start, unsigned long end)
{
	unsigned long n = 0;

	for (unsigned long pfn = start; pfn < end; pfn += pageblock_nr_pages)
		n += PageVmemmapOptimized(pfn_to_page(pfn)) && pageblock_is_free(pfn);
	return n;
}

/* Two optimized free pageblocks side by side, the first at pfn. */
static unsigned long find_optimized_pair(void)
{
	for (unsigned long nr = nr_mem_sections; nr-- > 0;) {
		unsigned long base = section_nr_to_pfn(nr);

		if (!(mem_section[nr].flags & SECTION_ONLINE) || mem_section[nr].nr_free_optimized < 2)
			continue;
		for (unsigned long pfn = base; pfn < base + PAGES_PER_SECTION; pfn += 2 * pageblock_nr_pages)
			if (optimized_free_in(pfn, pfn + 2 * pageblock_nr_pages) == 2)
				return pfn;
	}
	return 0;
}

/*
 * A range cutting two optimized blocks: both are split by the take, so
 * both get their memmap back (7 pages each, from outside the range) and
 * stay restored while their other halves are free; every struct page of
 * the range is the taker's to write. Freed, they are shared again.
 */
KTEST(buddy_vmemmap, contig_range_cutting_blocks_restores_both)
{
	unsigned long pfn, first, n = pageblock_nr_pages;
	struct snap s;

	if (!start(test, &s))
		return;
	pfn = find_optimized_pair();
	if (!pfn) {
		ktest_skip(test, "no two optimized free pageblocks side by side");
		return;
	}
	first = pfn + n / 2;
	ASSERT_EQ(test, alloc_contig_range(first, n), 0);
	EXPECT_FALSE(test, PageVmemmapOptimized(pfn_to_page(pfn)));
	EXPECT_FALSE(test, PageVmemmapOptimized(pfn_to_page(pfn + n)));
	for (unsigned long i = 0; i < n; i++)
		pfn_to_page(first + i)->index = i;
	EXPECT_EQ(test, tails_inside(pfn_to_page(pfn), first, first + n), 0);
	EXPECT_EQ(test, tails_inside(pfn_to_page(pfn + n), first, first + n), 0);
	EXPECT_SNAP(test, &s, .free = -(long)(n + 2 * TAILS), .lent = 2 * TAILS,
		    .vmemmap_pages = 2 * TAILS, .optimized = -2);
	for (unsigned long i = 0; i < n; i++)
		pfn_to_page(first + i)->index = 0;
	free_contig_range(first, n);
	EXPECT_SNAP(test, &s, 0);
}

/*
 * The 7 memmap pages block b borrows come from pageblock p (all taken):
 * freed last onto the per-CPU list an order-0 GFP_KERNEL allocation
 * takes first, they are what b's restore gets. b is held meanwhile:
 * a restored free block is otherwise shared again at the next drain.
 */
static void lend_from(struct page *p, unsigned long b)
{
	pageblock_hold_range(b, b + pageblock_nr_pages);
	set_pageblock_migratetype(page_to_pfn(p), MIGRATE_UNMOVABLE);
	split_page(p, pageblock_order);
	drain_all_pages();
	for (unsigned int i = 0; i < TAILS; i++)
		__free_page(p + i);
	unshare_free_range(b, b + pageblock_nr_pages);
	drain_all_pages();
	set_pageblock_migratetype(page_to_pfn(p), MIGRATE_MOVABLE);
	for (unsigned long i = TAILS; i < pageblock_nr_pages; i++)
		__free_page(p + i);
	pageblock_release_range();
}

KTEST(buddy_vmemmap, contig_take_moves_lent_pages_out)
{
	unsigned long gigs[MAX_GIGS], r = 0, p, b, opt, h;
	long nr_gigs;
	bool fill = page_fill_enabled();
	struct page *page;
	struct snap s, t;

	nr_gigs = start_pinned(test, &s, gigs, &r);
	if (nr_gigs < 0)
		return;
	for (p = r; p < r + PAGES_1G && !pageblock_is_free(p); p += pageblock_nr_pages)
		;
	b = optimized_outside(r, r + PAGES_1G);
	ASSERT_TRUE(test, p < r + PAGES_1G && b);
	ASSERT_EQ(test, alloc_contig_range(p, pageblock_nr_pages), 0);
	lend_from(pfn_to_page(p), b);
	ASSERT_EQ(test, alloc_contig_range(b, pageblock_nr_pages), 0);
	/* The setup worked: b's memmap lies in r, which is not free. */
	EXPECT_EQ(test, tails_inside(pfn_to_page(b), r, r + PAGES_1G), TAILS);
	EXPECT_FALSE(test, range_free_now(r, r + PAGES_1G));
	ASSERT_TRUE(test, ktest_mm_checkers(test, __FILE__, __LINE__));
	snap(&t);
	opt = optimized_free_in(r, r + PAGES_1G);

	/* Poisoning 1 GiB on the free is seconds of TCG for nothing new. */
	set_page_fill(false);
	page = alloc_contig_pages(PAGES_1G, PAGES_1G, GFP_KERNEL);
	ASSERT_NOT_NULL(test, page);
	EXPECT_EQ(test, page_to_pfn(page), r);
	EXPECT_EQ(test, tails_inside(pfn_to_page(b), r, r + PAGES_1G), 0);
	/*
	 * r's optimized blocks borrow 7 each, the moved pages swap one for
	 * one, and each block the order-0 allocations split hosts its own 7.
	 */
	h = buddy_vmemmap_nr_self_hosted() - t.self_hosted;
	EXPECT_SNAP(test, &t, .free = -(long)(PAGES_1G + TAILS * (opt + h)),
		    .lent = TAILS * (opt + h), .vmemmap_pages = TAILS * (opt + h),
		    .optimized = -(long)(opt + h), .self_hosted = h, .managed = -(long)(TAILS * h));
	free_contig_range(r, PAGES_1G);
	set_page_fill(fill);
	free_contig_range(b, pageblock_nr_pages);
	unpin_gigs(gigs, nr_gigs);
	EXPECT_EQ(test, buddy_vmemmap_set(true), 0);
	EXPECT_SNAP(test, &s, 0);
}

/*
 * Free 2 MiB pool pages inside the only candidate 1 GiB range: a gigantic
 * allocation moves them out (fresh pages from outside replace them, as
 * Linux's alloc_and_dissolve_hugetlb_folio()), and the pool keeps its
 * size. The pool is grown while every other free block is held, so its
 * pages can only come from the range.
 */
#define POOL_IN_RANGE	4

/* Every free pageblock the buddy has, held; one inside [start, end), or NULL. */
static struct page *hold_all_blocks(unsigned long start, unsigned long end,
				    struct list_head *held)
{
	struct page *p;

	while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_OPTIMIZED_MEMMAP, pageblock_order))) {
		list_add(&p->lru, held);
		/* Inside: given back first. */
		p->index = page_to_pfn(p) >= start && page_to_pfn(p) < end;
	}
	list_for_each_entry(p, held, lru)
		if (p->index)
			return p;
	return NULL;
}

static void free_held(struct list_head *held, bool inside)
{
	struct page *p, *next;

	list_for_each_entry_safe(p, next, held, lru) {
		if (inside != !!p->index)
			continue;
		list_del(&p->lru);
		p->index = 0;
		free_pages(p, pageblock_order);
	}
}

static unsigned long pool_pages_in(unsigned long start, unsigned long end)
{
	struct page *head;
	unsigned long n = 0;

	list_for_each_entry(head, &H2M->hugepage_freelist, lru)
		n += page_to_pfn(head) >= start && page_to_pfn(head) < end;
	return n;
}

KTEST(buddy_vmemmap, contig_take_moves_free_huge_pages_out)
{
	unsigned long gigs[MAX_GIGS], r = 0, base = H2M->nr_huge_pages;
	long nr_gigs;
	bool fill = page_fill_enabled();
	LIST_HEAD(held);
	struct page *page;
	struct snap s;

	nr_gigs = start_pinned(test, &s, gigs, &r);
	if (nr_gigs < 0)
		return;
	ASSERT_NOT_NULL(test, hold_all_blocks(r, r + PAGES_1G, &held));
	free_held(&held, true);
	ASSERT_EQ(test, set_max_huge_pages(H2M, base + POOL_IN_RANGE), base + POOL_IN_RANGE);
	free_held(&held, false);
	/* The setup worked: the new pool pages lie in r, the only candidate. */
	EXPECT_EQ(test, pool_pages_in(r, r + PAGES_1G), POOL_IN_RANGE);
	EXPECT_FALSE(test, range_free_now(r, r + PAGES_1G));
	ASSERT_TRUE(test, ktest_mm_checkers(test, __FILE__, __LINE__));

	set_page_fill(false);
	page = alloc_contig_pages(PAGES_1G, PAGES_1G, GFP_KERNEL);
	ASSERT_NOT_NULL(test, page);
	EXPECT_EQ(test, page_to_pfn(page), r);
	EXPECT_EQ(test, H2M->nr_huge_pages, base + POOL_IN_RANGE);
	EXPECT_EQ(test, H2M->free_huge_pages, base + POOL_IN_RANGE);
	EXPECT_EQ(test, pool_pages_in(r, r + PAGES_1G), 0);
	EXPECT_TRUE(test, ktest_mm_checkers(test, __FILE__, __LINE__));
	free_contig_range(r, PAGES_1G);
	set_page_fill(fill);
	EXPECT_EQ(test, set_max_huge_pages(H2M, base), base);
	unpin_gigs(gigs, nr_gigs);
	EXPECT_EQ(test, buddy_vmemmap_set(true), 0);
	EXPECT_SNAP(test, &s, 0);
}

/*
 * /proc/pagetypeinfo walks the free lists, optimized blocks included (at
 * their tails): its counts, summed over migratetypes, are each order's
 * nr_free, a counter kept apart from the lists.
 */
static long pagetypeinfo_blocks(const char *text, const char *zone, unsigned int order)
{
	long sum = 0;
	char key[40];

	snprintf(key, sizeof(key), "zone %8s, type", zone);
	for (const char *line = strstr(text, key); line; line = strstr(line + 1, key)) {
		const char *p = strchr(line, ',') + 1;

		p = strstr(p, "type") + 4;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')		/* the type's name */
			p++;
		for (unsigned int o = 0; o <= order; o++) {
			char *end;
			long n = strtol(p, &end, 10);

			if (end == p)
				return -1;
			if (o == order)
				sum += n;
			p = end;
		}
	}
	return sum;
}

KTEST(buddy_vmemmap, pagetypeinfo_counts_optimized_blocks)
{
	static char text[4096];
	unsigned long optimized_free = 0;
	struct snap s;

	if (!start(test, &s))
		return;
	ASSERT_GT(test, pseudofs_read("/proc/pagetypeinfo", text, sizeof(text) - 1), 0);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		if (!zones[z].managed_pages)
			continue;
		for (unsigned int o = 0; o <= MAX_ORDER; o++) {
			long n = pagetypeinfo_blocks(text, zones[z].name, o);

			EXPECT_EQ(test, n, (long)zones[z].free_area[o].nr_free);
			if (o >= pageblock_order)
				optimized_free += n;
		}
	}
	/* The walk met optimized blocks: there are some, all at order 9 and 10. */
	EXPECT_GT(test, s.optimized, 0);
	EXPECT_GT(test, optimized_free, 0);
	EXPECT_SNAP(test, &s, 0);
}

/* The checker tells a broken optimized free block, and a mended one. */
KTEST(buddy_vmemmap, checker_reports_broken_free_tail)
{
	struct page *block;
	unsigned long saved;
	struct errmsg e;
	struct snap s;

	if (!start(test, &s))
		return;
	block = find_optimized();
	if (!block) {
		ktest_fail(test, __FILE__, __LINE__, "no optimized free block left");
		return;
	}
	/* Tail 5 sits in the block's own head vmemmap page: writable. */
	saved = block[5].private;
	block[5].private = 1;
	errmsg_init(&e);
	EXPECT_EQ(test, buddy_vmemmap_check(&e), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(errmsg_why(&e, e.err), "is not a tail"));
	block[5].private = saved;
	errmsg_init(&e);
	EXPECT_EQ(test, buddy_vmemmap_check(&e), 0);
	EXPECT_SNAP(test, &s, 0);
}

/* The pageblock the split rebuilt, among the pages it handed out (0: none). */
static unsigned long self_hosted_of(struct page **pages, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		unsigned long pfn = page_to_pfn(pages[i]) & ~(pageblock_nr_pages - 1);

		if (pageblock_self_hosted(pfn))
			return pfn;
	}
	return 0;
}

static void alloc_one(void *arg)
{
	struct page **p = arg;

	*p = alloc_page(GFP_KERNEL);
}

/*
 * The debug fill (page_poison=) and a split block: the block shared
 * again holds memmap in its last 7 pages, so it is not marked filled
 * (taking it would report them); the pages a split hands out are filled
 * when freed and checked when taken again, so a changed byte among them
 * is reported.
 */
KTEST(buddy_vmemmap, page_fill_meets_split_block)
{
	bool fill = page_fill_enabled();
	struct page *again = NULL;
	unsigned long n, pfn;
	char why[128];
	struct snap s;
	u8 *victim;

	set_page_fill(true);
	if (!start(test, &s))
		goto out;
	n = split_one(held, ARRAY_SIZE(held), s.self_hosted);
	ASSERT_EQ(test, buddy_vmemmap_nr_self_hosted(), s.self_hosted + 1);
	pfn = self_hosted_of(held, n);
	ASSERT_NE(test, pfn, 0);
	while (n)
		__free_page(held[--n]);
	drain_all_pages();
	ASSERT_TRUE(test, PageVmemmapOptimized(pfn_to_page(pfn)));
	EXPECT_FALSE(test, PageFilled(pfn_to_page(pfn)));
	ASSERT_EQ(test, alloc_contig_range(pfn, pageblock_nr_pages), 0);
	free_contig_range(pfn, pageblock_nr_pages);
	/* Split again; one page freed filled (to this CPU's list), one byte changed. */
	n = split_one(held, ARRAY_SIZE(held), buddy_vmemmap_nr_self_hosted());
	ASSERT_GT(test, n, 0);
	victim = page_address(held[n - 1]);
	__free_page(held[n - 1]);
	ASSERT_TRUE(test, PageFilled(held[n - 1]));
	victim[100] ^= 0xff;
	EXPECT_TRUE(test, ktest_catch_panic(alloc_one, &again, why, sizeof(why)));
	local_irq_enable();	/* panic() turned them off; re-sharing needs them */
	EXPECT_NOT_NULL(test, strstr(why, "page poison overwritten"));
	/* The report came before the page was prepared: it is ours, unprepared. */
	victim[100] ^= 0xff;
	ClearPageFilled(held[n - 1]);
	set_page_count(held[n - 1], 1);
	held[n - 1]->private = 0;
	while (n)
		__free_page(held[--n]);
	EXPECT_SNAP(test, &s, 0);
out:
	set_page_fill(fill);
}

/*
 * SMP: one kernel thread per online CPU allocates and frees blocks of
 * every order (splits of optimized blocks, whole-block allocations that
 * borrow memmap pages, frees that make blocks whole to be shared again)
 * while the thread on the first CPU grows and shrinks the 2 MiB pool and
 * turns the switch off and on. Seeded, bounded by step counts; each
 * block carries a tag at both ends, checked when it is freed (a block
 * handed out twice is caught). Afterwards the checkers, and every count
 * of the snapshot exact.
 */
#define SMP_STEPS	160
#define SMP_ROUNDS	6

static char smp_text[4096];

/* Its struct pages are writable: the allocator wrote them, and so may we. */
static const char *smp_check(struct page *page, unsigned int order)
{
	if (page_ref_count(page) != 1 || PageVmemmapOptimized(page))
		return "allocated with refcount or shared tails";
	page[(1UL << order) - 1].index = 0;
	return NULL;
}

static void smp_pool_rounds(struct ktest_alloc_thread *t)
{
	unsigned long base = H2M->nr_huge_pages;

	for (unsigned int r = 0; r < SMP_ROUNDS; r++) {
		set_max_huge_pages(H2M, base + 1 + rnd(&t->rng) % 16);
		schedule();
		/* Out of memory for some restore: a later write finishes it. */
		buddy_vmemmap_set(r & 1);
		/* Its walk of the free lists, while the others change them. */
		if (pseudofs_read("/proc/pagetypeinfo", smp_text, sizeof(smp_text)) <= 0)
			ktest_alloc_error(t, "/proc/pagetypeinfo unreadable", NULL);
		set_max_huge_pages(H2M, base);
		t->steps++;
		schedule();
	}
}

static const struct ktest_alloc_set smp_set = {
	.steps = SMP_STEPS, .check = smp_check, .boss = smp_pool_rounds,
};

KTEST(buddy_vmemmap, smp_allocators_against_pool_and_switch)
{
	unsigned long pool = H2M->nr_huge_pages, allocated;
	struct snap s;

	if (!start(test, &s))
		return;
	allocated = ktest_alloc_threads_run(test, &smp_set, 0x5eed0000ULL, "bv_smp");
	EXPECT_GT(test, allocated, 0);
	EXPECT_UEQ(test, H2M->nr_huge_pages, pool);
	EXPECT_TRUE(test, buddy_vmemmap_enabled());
	/* The threads' own memory (stacks) comes back as their CPUs reap them. */
	ktest_wait_free_pages(s.free);
	EXPECT_EQ(test, buddy_vmemmap_set(true), 0);
	EXPECT_SNAP(test, &s, 0);
}

/* What the boot command line asked for, read here, not from the switch. */
static bool want_on;

static int want_switch(const char *val)
{
	return kstrtobool(*val ? val : "on", &want_on);
}

static const struct kernel_param want_params[] = {
	{ "buddy_vmemmap_optimize", want_switch },
};

/*
 * The cases above turn the switch on; the suites after this one run with
 * the switch as the command line set it (off unless asked), so it goes
 * back, and every optimized block with it when that is off.
 */
KTEST(buddy_vmemmap, switch_back_as_booted)
{
	want_on = false;
	parse_args(saved_command_line(), want_params, want_params + ARRAY_SIZE(want_params), NULL);
	EXPECT_EQ(test, buddy_vmemmap_set(want_on), 0);
	EXPECT_EQ(test, buddy_vmemmap_enabled(), want_on);
	if (!want_on)
		EXPECT_EQ(test, buddy_vmemmap_nr_optimized(), 0);
	ktest_mm_checkers(test, __FILE__, __LINE__);
}
