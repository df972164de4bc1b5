// SPDX-License-Identifier: MIT
/*
 * The buddy allocator (mm/page_alloc.c). Every step is followed by the
 * invariant checker page_alloc_check(); cases that need exact counts
 * drain the per-CPU caches first. Each case frees what it allocated and
 * checks that the allocator is back to the exact state it found:
 * nr_free_pages() and the per-zone, per-order free block counts that
 * /proc/buddyinfo shows (the free-block decomposition of a set of free
 * pages is unique once every possible merge is done, so it must come
 * back exactly).
 *
 * Expected values come from arithmetic on sizes and on the memory map,
 * never from the allocator's own answer: an allocation of order o takes
 * exactly 2^o pages from nr_free_pages() (which counts the per-CPU caches
 * too), so the tests track what they hold themselves.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/buddy_vmemmap.h"
#include "mm/e820.h"
#include "mm/debug/check.h"
#include "mm/fail_page_alloc.h"
#include "mm/memblock.h"
#include "mm/memory_failure.h"
#include "mm/page.h"
#include "mm/free_gigantic.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
#include "mm/page_alloc_memmap.h"
#include "mm/page_fill.h"
#include "mm/sparse.h"
#include "kernel/list.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"
#include "libc/stdlib.h"

/* The reason the last call through these tests failed. */
static struct errmsg werr;

#define NR_ORDERS	(MAX_ORDER + 1)
#define PFN_16M		((16UL << 20) >> PAGE_SHIFT)
#define PFN_4G		((4UL << 30) >> PAGE_SHIFT)
#define PAGES_1G	(SZ_1G >> PAGE_SHIFT)

#define EXPECT_BUDDY_OK(test)	KTEST_CHECK(test, page_alloc_check)

/*
 * Free pages, counting those lent to the memmap of free blocks the buddy
 * had to restore (mm/buddy_vmemmap.c: a split of an optimized block keeps
 * 7 of its pages for its struct pages, and gives them back when it is
 * whole again). This sum moves exactly as a plain buddy's free count.
 */
static unsigned long free_pages_all(void)
{
	return nr_free_pages() + nr_memmap_lent_pages();
}

/* Pages lent to memmaps since *mark (which moves on). */
static unsigned long lent_since(unsigned long *mark)
{
	unsigned long now = nr_memmap_lent_pages(), d = now - *mark;

	*mark = now;
	return d;
}

/* What /proc/buddyinfo shows, plus the total, after a drain. */
struct buddy_state {
	unsigned long free;
	unsigned long zone_free[MAX_NR_ZONES];
	unsigned long blocks[MAX_NR_ZONES][NR_ORDERS];
};

static void buddy_state(struct buddy_state *s)
{
	drain_all_pages();
	s->free = free_pages_all();
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		s->zone_free[z] = zones[z].free_pages;
		for (int o = 0; o < NR_ORDERS; o++)
			s->blocks[z][o] = zones[z].free_area[o].nr_free;
	}
}

/* The allocator is back to `before`, exactly. */
static bool same_state(struct kunit *test, const struct buddy_state *before,
		       int line)
{
	struct buddy_state now;

	buddy_state(&now);
	if (now.free != before->free) {
		ktest_fail(test, __FILE__, line, "nr_free_pages %lu, expected %lu",
			   now.free, before->free);
		return false;
	}
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		for (int o = 0; o < NR_ORDERS; o++) {
			if (now.blocks[z][o] == before->blocks[z][o])
				continue;
			ktest_fail(test, __FILE__, line,
				   "zone %s order %d: %lu free blocks, expected %lu",
				   zones[z].name, o, now.blocks[z][o], before->blocks[z][o]);
			return false;
		}
	}
	return ktest_check(test, __FILE__, line, "page_alloc_check", page_alloc_check);
}

#define EXPECT_SAME_STATE(test, s)	same_state(test, s, __LINE__)

static bool contains(const char *s, const char *word)
{
	return s && strstr(s, word) != NULL;
}

/* panic() turns interrupts off; give the test its state back. */
static bool catches(void (*fn)(void *), void *arg, char *reason, size_t len)
{
	unsigned long flags = local_irq_save();
	bool caught = ktest_catch_panic(fn, arg, reason, len);

	local_irq_restore(flags);
	return caught;
}

static bool all_zero(const void *p, size_t n)
{
	const u64 *q = p;

	for (size_t i = 0; i < n / 8; i++)
		if (q[i])
			return false;
	return true;
}

/*
 * A tag in the first and last word of every page of an allocation: an
 * allocation that overlaps another (or a free that corrupted it) shows
 * up as a wrong tag when it is freed.
 */
static u64 page_tag(u64 tag, unsigned long i)
{
	return tag ^ (i * 0x9e3779b97f4a7c15ULL);
}

static void write_tags(struct page *page, unsigned int order, u64 tag)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		u64 *p = page_address(page + i);

		p[0] = page_tag(tag, i);
		p[PAGE_SIZE / 8 - 1] = ~page_tag(tag, i);
	}
}

static bool tags_intact(struct page *page, unsigned int order, u64 tag)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		u64 *p = page_address(page + i);

		if (p[0] != page_tag(tag, i) || p[PAGE_SIZE / 8 - 1] != ~page_tag(tag, i))
			return false;
	}
	return true;
}

static unsigned long zone_free(enum zone_type z)
{
	return zones[z].free_pages + zone_pcp_pages(&zones[z]);
}

/* Sections/pfns computed from the memory map itself, not the allocator. */
static bool e820_ram_covers(u64 start, u64 end)
{
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e)
		if (e->type == E820_TYPE_RAM && e->addr <= start && e->addr + e->size >= end)
			return true;
	return false;
}

static bool e820_ram_in(u64 start, u64 end)
{
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e)
		if (e->type == E820_TYPE_RAM && e->addr < end && e->addr + e->size > start)
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */

/* Seeded random alloc/free sequences over all orders and zones. */

#define LIVE_MAX	64
#define RANDOM_STEPS	400
#define RANDOM_BUDGET_MAX 16384UL

struct live {
	struct page *page;
	unsigned int order;
	gfp_t gfp;
	u64 tag;
};

struct random_run {
	struct kunit *test;
	u64 rng;
	struct live live[LIVE_MAX];
	unsigned int nr_live;
	unsigned long live_pages, dma_pages, budget;
	unsigned long base_free;
	unsigned long nr_alloc[MAX_NR_ZONES], nr_zeroed, nr_comp;
};

static gfp_t random_gfp(struct random_run *r, unsigned int *order)
{
	u64 x = xorshift64(&r->rng);
	gfp_t gfp = 0;

	switch (x % 8) {
	case 0:
		gfp = __GFP_DMA;
		/* The DMA zone is 16 MiB: keep its allocations small. */
		*order = min(*order, 4U);
		break;
	case 1: case 2: case 3:
		gfp = __GFP_DMA32;
		break;
	}
	x >>= 3;
	if (x & 1)
		gfp |= __GFP_ZERO;
	if ((x & 2) && *order)
		gfp |= __GFP_COMP;
	if (x & 4)
		gfp |= __GFP_MOVABLE;
	return gfp;
}

/* Zones by the documented boundaries: DMA < 16 MiB <= DMA32 < 4 GiB <= Normal. */
static int zone_of(unsigned long pfn)
{
	if (pfn < PFN_16M)
		return ZONE_DMA;
	return pfn < PFN_4G ? ZONE_DMA32 : ZONE_NORMAL;
}

/* The zone an allocation must come from: its gfp limit, by pfn. */
static bool pfn_fits_gfp(unsigned long pfn, unsigned int order, gfp_t gfp)
{
	unsigned long end = pfn + (1UL << order);

	if (gfp & __GFP_DMA)
		return end <= PFN_16M;
	if (gfp & __GFP_DMA32)
		return end <= PFN_4G;
	return true;
}

/*
 * The highest zone of the gfp's list with plenty free must serve it:
 * Normal for GFP_KERNEL, DMA32 for __GFP_DMA32 (the tests hold far less
 * than those zones have).
 */
static int preferred_zone(gfp_t gfp)
{
	unsigned long need = 2 * RANDOM_BUDGET_MAX + 4 * MAX_ORDER_NR_PAGES;

	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (!(gfp & __GFP_DMA32) && zone_free(ZONE_NORMAL) > need +
	    zones[ZONE_NORMAL].watermark[WMARK_MIN])
		return ZONE_NORMAL;
	if (zone_free(ZONE_DMA32) > need + zones[ZONE_DMA32].watermark[WMARK_MIN])
		return ZONE_DMA32;
	return -1;
}

static void random_alloc(struct random_run *r)
{
	struct kunit *test = r->test;
	unsigned int order = xorshift64(&r->rng) % NR_ORDERS;
	gfp_t gfp = random_gfp(r, &order);
	int want_zone = preferred_zone(gfp);
	struct live *l = &r->live[r->nr_live];
	unsigned long pfn;

	if (r->live_pages + (1UL << order) > r->budget)
		return;
	if ((gfp & __GFP_DMA) && r->dma_pages + (1UL << order) > 1024)
		return;
	l->page = alloc_pages(gfp, order);
	if (!l->page) {
		ktest_fail(test, __FILE__, __LINE__, "order-%u allocation (gfp %#x) failed with %lu pages held",
			   order, gfp, r->live_pages);
		return;
	}
	pfn = page_to_pfn(l->page);
	EXPECT_UEQ(test, pfn & ((1UL << order) - 1), 0);
	EXPECT_TRUE(test, pfn_fits_gfp(pfn, order, gfp));
	if (want_zone >= 0)
		EXPECT_EQ(test, zone_of(pfn), want_zone);
	EXPECT_EQ(test, page_ref_count(l->page), 1);
	if (gfp & __GFP_ZERO) {
		EXPECT_TRUE(test, all_zero(page_address(l->page), PAGE_SIZE << order));
		r->nr_zeroed++;
	}
	if (gfp & __GFP_COMP) {
		EXPECT_TRUE(test, PageHead(l->page));
		EXPECT_EQ(test, compound_order(l->page), order);
		EXPECT_TRUE(test, compound_head(l->page + (1UL << order) - 1) == l->page);
		r->nr_comp++;
	}
	l->order = order;
	l->gfp = gfp;
	l->tag = xorshift64(&r->rng);
	write_tags(l->page, order, l->tag);
	r->nr_live++;
	r->live_pages += 1UL << order;
	if (gfp & __GFP_DMA)
		r->dma_pages += 1UL << order;
	r->nr_alloc[zone_of(pfn)]++;
}

static void random_free(struct random_run *r, unsigned int i)
{
	struct live *l = &r->live[i];

	EXPECT_TRUE(r->test, tags_intact(l->page, l->order, l->tag));
	free_pages(l->page, l->order);
	r->live_pages -= 1UL << l->order;
	if (l->gfp & __GFP_DMA)
		r->dma_pages -= 1UL << l->order;
	r->live[i] = r->live[--r->nr_live];
}

static void random_sequence(struct kunit *test, u64 seed)
{
	static struct random_run r;
	struct buddy_state before;

	buddy_state(&before);
	memset(&r, 0, sizeof(r));
	r.test = test;
	r.rng = seed;
	r.base_free = before.free;
	/* A quarter of what is free, so that no allocation may fail. */
	r.budget = min(before.free / 4, RANDOM_BUDGET_MAX);
	for (unsigned int step = 0; step < RANDOM_STEPS; step++) {
		u64 x = xorshift64(&r.rng);

		if (r.nr_live && (r.nr_live == LIVE_MAX || x % 3 == 0))
			random_free(&r, (x >> 8) % r.nr_live);
		else
			random_alloc(&r);
		EXPECT_EQ(test, free_pages_all(), r.base_free - r.live_pages);
		/* Stop at the first error, but still free what is held. */
		if (!EXPECT_BUDDY_OK(test) || test->failed)
			break;
	}
	while (r.nr_live)
		random_free(&r, r.nr_live - 1);
	EXPECT_SAME_STATE(test, &before);
	ktest_log(test, "seed %#llx: %u steps, allocations DMA %lu DMA32 %lu Normal %lu, %lu zeroed, %lu compound",
		  (unsigned long long)seed, RANDOM_STEPS, r.nr_alloc[ZONE_DMA],
		  r.nr_alloc[ZONE_DMA32], r.nr_alloc[ZONE_NORMAL], r.nr_zeroed, r.nr_comp);
}

KTEST(buddy, random_seed_1)
{
	random_sequence(test, 1);
}

KTEST(buddy, random_seed_2)
{
	random_sequence(test, 0x9e3779b97f4a7c15ULL);
}

KTEST(buddy, random_seed_3)
{
	random_sequence(test, 0xdeadbeefcafef00dULL);
}

/* Every order from every zone list, with and without __GFP_ZERO. */
KTEST(buddy, every_order_every_zone)
{
	static const gfp_t zone_gfp[] = { __GFP_DMA, __GFP_DMA32, 0 };
	struct buddy_state before;

	buddy_state(&before);
	for (unsigned int z = 0; z < ARRAY_SIZE(zone_gfp); z++) {
		for (unsigned int o = 0; o < NR_ORDERS; o++) {
			for (int zero = 0; zero < 2; zero++) {
				gfp_t gfp = zone_gfp[z] | (zero ? __GFP_ZERO : 0);
				struct page *page = alloc_pages(gfp, o);
				unsigned long pfn;

				ASSERT_NOT_NULL(test, page);
				pfn = page_to_pfn(page);
				EXPECT_UEQ(test, pfn & ((1UL << o) - 1), 0);
				EXPECT_TRUE(test, pfn_fits_gfp(pfn, o, gfp));
				EXPECT_EQ(test, free_pages_all(), before.free - (1UL << o));
				if (zero)
					EXPECT_TRUE(test, all_zero(page_address(page),
								   PAGE_SIZE << o));
				/* Dirty it: the next __GFP_ZERO must not get it back as is. */
				memset(page_address(page), 0x5c, PAGE_SIZE << o);
				EXPECT_BUDDY_OK(test);
				free_pages(page, o);
				EXPECT_BUDDY_OK(test);
			}
		}
	}
	EXPECT_SAME_STATE(test, &before);
}

/* Orders above MAX_ORDER fail; get_free_page() is a zeroed order-0 page. */
KTEST(buddy, order_limit_and_get_free_page)
{
	struct buddy_state before;
	unsigned long addr;

	buddy_state(&before);
	EXPECT_NULL(test, alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER + 1));
	EXPECT_NULL(test, alloc_pages(GFP_KERNEL | __GFP_NOWARN, 40));
	EXPECT_SAME_STATE(test, &before);
	addr = get_free_page(GFP_KERNEL);
	ASSERT_NE(test, addr, 0);
	EXPECT_UEQ(test, addr & (PAGE_SIZE - 1), 0);
	EXPECT_TRUE(test, all_zero((void *)addr, PAGE_SIZE));
	EXPECT_EQ(test, free_pages_all(), before.free - 1);
	memset((void *)addr, 0x77, PAGE_SIZE);
	free_page(addr);
	free_page(0);		/* like kfree(NULL) */
	EXPECT_SAME_STATE(test, &before);
}

/* ---------------------------------------------------------------------- */

/*
 * Watermarks, as Linux computes them: min_free_kbytes = sqrt(16 *
 * lowmem_kbytes) in [128, 65536], shared out by managed pages; low and
 * high are min + min/4 and min + min/2.
 */
/*
 * The formula against the managed pages of now: the watermarks follow
 * memory going on and offline (hotplug), not the few memmap pages HVO
 * gives and takes (as Linux), so they are recomputed first and the
 * values of before put back.
 */
KTEST(buddy, watermarks_formula)
{
	unsigned long saved[MAX_NR_ZONES][NR_WMARK];

	for (int z = 0; z < MAX_NR_ZONES; z++)
		memcpy(saved[z], zones[z].watermark, sizeof(saved[z]));
	setup_zone_watermarks();
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long m = ktest_wmark_min(z);

		EXPECT_EQ(test, zones[z].watermark[WMARK_MIN], m);
		EXPECT_EQ(test, zones[z].watermark[WMARK_LOW], m + m / 4);
		EXPECT_EQ(test, zones[z].watermark[WMARK_HIGH], m + m / 2);
	}
	for (int z = 0; z < MAX_NR_ZONES; z++)
		memcpy(zones[z].watermark, saved[z], sizeof(saved[z]));
}

/*
 * Drain the DMA zone (allocations that can only come from it) down to
 * its min watermark: the next plain allocation fails, __GFP_HIGH may go
 * on to half of min, __GFP_MEMALLOC to the last page.
 */
static unsigned long fill(struct list_head *held, gfp_t gfp)
{
	unsigned long n = 0;
	struct page *page;

	while ((page = alloc_pages(gfp | __GFP_NOWARN, 0))) {
		list_add(&page->lru, held);
		n++;
	}
	return n;
}

static void free_held(struct list_head *held)
{
	while (!list_empty(held)) {
		struct page *page = list_first_entry(held, struct page, lru);

		list_del(&page->lru);
		__free_page(page);
	}
}

KTEST(buddy, watermark_min_high_memalloc)
{
	struct buddy_state before;
	unsigned long start, min, n, mark, lent0;
	LIST_HEAD(held);

	buddy_state(&before);
	start = zone_free(ZONE_DMA);
	min = zones[ZONE_DMA].watermark[WMARK_MIN];
	if (!zones[ZONE_DMA].managed_pages || min < 2) {
		ktest_skip(test, "the DMA zone has no min watermark to test");
		return;
	}
	ASSERT_GT(test, start, min);
	mark = lent0 = nr_memmap_lent_pages();
	n = fill(&held, __GFP_DMA);
	EXPECT_EQ(test, n + lent_since(&mark), start - min);
	EXPECT_EQ(test, zone_free(ZONE_DMA), min);
	EXPECT_BUDDY_OK(test);
	/* Below min: only the reserves may go on. */
	EXPECT_NULL(test, alloc_pages(__GFP_DMA | __GFP_NOWARN, 0));
	n = fill(&held, __GFP_DMA | __GFP_HIGH);
	EXPECT_EQ(test, n + lent_since(&mark), min - min / 2);
	EXPECT_EQ(test, zone_free(ZONE_DMA), min / 2);
	EXPECT_BUDDY_OK(test);
	n = fill(&held, __GFP_DMA | __GFP_MEMALLOC);
	EXPECT_EQ(test, n + lent_since(&mark), min / 2);
	EXPECT_EQ(test, zone_free(ZONE_DMA), 0);
	EXPECT_BUDDY_OK(test);
	/* The other zones were never touched (DMA's pages went to us or to memmaps). */
	EXPECT_EQ(test, nr_free_pages(), before.free - lent0 - start);
	free_held(&held);
	EXPECT_SAME_STATE(test, &before);
}

/*
 * Exhaust all memory with order-0 pages: GFP_KERNEL stops with every
 * zone at its min watermark, __GFP_HIGH at half of it, __GFP_MEMALLOC at
 * zero. Then free everything: back to the exact baseline. Poisoning is
 * off meanwhile: filling gigabytes with the pattern is minutes of TCG and
 * tests nothing more than the other cases do.
 */
KTEST(buddy, exhaust_and_restore)
{
	unsigned long want_min = 0, want_high = 0, want_all = 0, n, mark;
	bool poison = page_fill_enabled();
	struct buddy_state before;
	LIST_HEAD(held);

	buddy_state(&before);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long min = zones[z].watermark[WMARK_MIN];
		unsigned long f = before.zone_free[z];

		if (!zones[z].managed_pages)
			continue;
		want_min += f > min ? f - min : 0;
		want_high += f > min ? min - min / 2 : (f > min / 2 ? f - min / 2 : 0);
		want_all += f;
	}
	set_page_fill(false);
	mark = nr_memmap_lent_pages();
	n = fill(&held, GFP_KERNEL);
	n += lent_since(&mark);
	EXPECT_EQ(test, n, want_min);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (zones[z].managed_pages && before.zone_free[z] > zones[z].watermark[WMARK_MIN])
			EXPECT_EQ(test, zone_free(z), zones[z].watermark[WMARK_MIN]);
	EXPECT_BUDDY_OK(test);
	n += fill(&held, GFP_ATOMIC);
	n += lent_since(&mark);
	EXPECT_EQ(test, n, want_min + want_high);
	EXPECT_BUDDY_OK(test);
	n += fill(&held, __GFP_MEMALLOC);
	n += lent_since(&mark);
	EXPECT_EQ(test, n, want_all);
	EXPECT_EQ(test, nr_free_pages(), 0);
	EXPECT_NULL(test, alloc_pages(__GFP_MEMALLOC | __GFP_NOWARN, 0));
	EXPECT_BUDDY_OK(test);
	ktest_log(test, "exhausted: %lu pages (%lu above min, %lu from the reserves)",
		  n, want_min, n - want_min);
	free_held(&held);
	set_page_fill(poison);
	EXPECT_SAME_STATE(test, &before);
}

/* ---------------------------------------------------------------------- */

/*
 * The per-CPU cache: an empty cache refills `batch` pages at once; frees
 * go to the cache until it reaches `high`, then `batch` go back to the
 * zone, so the count always stays below high; a drain empties it.
 */
KTEST(buddy, pcp_batch_high_drain)
{
	static struct page *pages[512];
	struct buddy_state before;
	struct per_cpu_pages *pcp;
	unsigned int count, n;

	buddy_state(&before);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		EXPECT_EQ(test, zone_pcp_pages(&zones[z]), 0);
	pages[0] = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, pages[0]);
	pcp = &page_zone(pages[0])->pcp[smp_processor_id()];
	ASSERT_GT(test, pcp->batch, 1);
	ASSERT_GT(test, pcp->high, pcp->batch);
	/* One refill of batch pages, one of them handed out. */
	EXPECT_EQ(test, pcp->count, pcp->batch - 1);
	n = pcp->high + 2 * pcp->batch;
	ASSERT_LE(test, n, ARRAY_SIZE(pages));
	count = pcp->count;
	for (unsigned int i = 1; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		ASSERT_NOT_NULL(test, pages[i]);
		ASSERT_TRUE(test, page_zone(pages[i]) == page_zone(pages[0]));
		count = count ? count - 1 : pcp->batch - 1;
		EXPECT_EQ(test, pcp->count, count);
		EXPECT_BUDDY_OK(test);
	}
	EXPECT_EQ(test, free_pages_all(), before.free - n);
	EXPECT_BUDDY_OK(test);
	for (unsigned int i = 0; i < n; i++) {
		__free_page(pages[i]);
		count++;
		if (count >= pcp->high)
			count -= pcp->batch;
		EXPECT_EQ(test, pcp->count, count);
		EXPECT_LT(test, pcp->count, pcp->high);
		EXPECT_BUDDY_OK(test);
	}
	EXPECT_EQ(test, free_pages_all(), before.free);
	EXPECT_BUDDY_OK(test);
	drain_all_pages();
	EXPECT_EQ(test, nr_pcp_pages(), 0);
	EXPECT_EQ(test, free_pages_all(), before.free);
	EXPECT_SAME_STATE(test, &before);
}

/* Pages on the per-CPU lists are counted free and carry PG_pcp only. */
KTEST(buddy, pcp_pages_are_free)
{
	struct buddy_state before;
	struct page *page;
	unsigned long pfn;

	buddy_state(&before);
	page = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	__free_page(page);
	EXPECT_TRUE(test, PagePcp(pfn_to_page(pfn)));
	EXPECT_FALSE(test, PageBuddy(pfn_to_page(pfn)));
	EXPECT_EQ(test, free_pages_all(), before.free);
	EXPECT_BUDDY_OK(test);
	drain_all_pages();
	EXPECT_FALSE(test, PagePcp(pfn_to_page(pfn)));
	EXPECT_SAME_STATE(test, &before);
}

/* ---------------------------------------------------------------------- */

/* A free MAX_ORDER block, left free: its first pfn (0 when none). */
static unsigned long free_block_pfn(void)
{
	struct page *block = alloc_pages(GFP_KERNEL, MAX_ORDER);
	unsigned long pfn;

	if (!block)
		return 0;
	pfn = page_to_pfn(block);
	free_pages(block, MAX_ORDER);
	return pfn;
}

/* An aligned range wholly free is taken; with one page in use, -EBUSY. */
KTEST(buddy, contig_range)
{
	struct buddy_state before, mid;
	struct page *page;
	unsigned long pfn;
	int ret;

	buddy_state(&before);
	pfn = free_block_pfn();
	ASSERT_NE(test, pfn, 0);
	EXPECT_SAME_STATE(test, &before);

	EXPECT_EQ(test, alloc_contig_range(pfn, MAX_ORDER_NR_PAGES), 0);
	EXPECT_EQ(test, free_pages_all(), before.free - MAX_ORDER_NR_PAGES);
	EXPECT_EQ(test, page_ref_count(pfn_to_page(pfn)), 1);
	EXPECT_EQ(test, page_ref_count(pfn_to_page(pfn + 1)), 0);
	EXPECT_BUDDY_OK(test);
	write_tags(pfn_to_page(pfn), MAX_ORDER, 0x1234);
	EXPECT_TRUE(test, tags_intact(pfn_to_page(pfn), MAX_ORDER, 0x1234));
	free_contig_range(pfn, MAX_ORDER_NR_PAGES);
	EXPECT_SAME_STATE(test, &before);

	/* A part of a free block is wholly free too. */
	ret = alloc_contig_range(pfn + 256, 512);
	EXPECT_EQ(test, ret, 0);
	if (!ret) {
		EXPECT_EQ(test, free_pages_all(), before.free - 512);
		EXPECT_EQ(test, page_ref_count(pfn_to_page(pfn + 256)), 1);
		/* What is left of the block: its first and last 256 pages. */
		EXPECT_TRUE(test, PageBuddy(pfn_to_page(pfn)));
		EXPECT_EQ(test, pfn_to_page(pfn)->private, 8);
		EXPECT_TRUE(test, PageBuddy(pfn_to_page(pfn + 768)));
		EXPECT_EQ(test, pfn_to_page(pfn + 768)->private, 8);
		EXPECT_BUDDY_OK(test);
		free_contig_range(pfn + 256, 512);
	}
	EXPECT_SAME_STATE(test, &before);

	/* Small ranges are found inside large free blocks. */
	page = alloc_contig_pages(16, 16, GFP_KERNEL);
	EXPECT_NOT_NULL(test, page);
	if (page) {
		EXPECT_UEQ(test, page_to_pfn(page) & 15, 0);
		EXPECT_EQ(test, free_pages_all(), before.free - 16);
		EXPECT_BUDDY_OK(test);
		free_contig_range(page_to_pfn(page), 16);
	}
	EXPECT_SAME_STATE(test, &before);

	/* One page in use inside: -EBUSY, and nothing changes. */
	page = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, page);
	pfn = ALIGN_DOWN(page_to_pfn(page), MAX_ORDER_NR_PAGES);
	buddy_state(&mid);
	EXPECT_EQ(test, alloc_contig_range(pfn, MAX_ORDER_NR_PAGES), -EBUSY);
	EXPECT_SAME_STATE(test, &mid);
	__free_page(page);
	EXPECT_SAME_STATE(test, &before);
}

/*
 * A free of a range that is not wholly allocated (a free after a failed
 * allocation, as the hotplug suite once did with a page the user had
 * poisoned) is reported and changes nothing; the kernel stays up.
 */
KTEST(buddy, free_contig_range_refuses_bad_range)
{
	static char out[2048];
	struct printk_capture cap = { .buf = out, .size = sizeof(out) };
	struct buddy_state before, mid;
	unsigned long pfn;
	int busy;

	buddy_state(&before);
	pfn = free_block_pfn();
	ASSERT_NE(test, pfn, 0);
	/* Half of it allocated, the free covering all of it. */
	ASSERT_EQ(test, alloc_contig_range(pfn, 256), 0);
	buddy_state(&mid);
	memset(out, 0, sizeof(out));
	printk_capture_begin(&cap);
	free_contig_range(pfn, 512);
	printk_capture_end(&cap);
	EXPECT_NOT_NULL(test, strstr(out, "is not a plain allocated page"));
	EXPECT_SAME_STATE(test, &mid);
	EXPECT_EQ(test, page_ref_count(pfn_to_page(pfn)), 1);
	free_contig_range(pfn, 256);
	EXPECT_SAME_STATE(test, &before);
	/* A page held by memory_failure() inside: not allocated either. */
	ASSERT_EQ(test, memory_failure(pfn, &werr), 0);
	buddy_state(&mid);
	busy = alloc_contig_range(pfn, MAX_ORDER_NR_PAGES);
	memset(out, 0, sizeof(out));
	printk_capture_begin(&cap);
	free_contig_range(pfn, MAX_ORDER_NR_PAGES);
	printk_capture_end(&cap);
	EXPECT_EQ(test, busy, -EBUSY);
	EXPECT_NOT_NULL(test, strstr(out, "is not a plain allocated page"));
	EXPECT_SAME_STATE(test, &mid);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
	EXPECT_SAME_STATE(test, &before);
}

KTEST(buddy, contig_range_invalid)
{
	struct buddy_state before;

	buddy_state(&before);
	EXPECT_EQ(test, alloc_contig_range(PFN_4G, 0), -EINVAL);
	/* Across the 16 MiB DMA boundary: two zones. */
	EXPECT_EQ(test, alloc_contig_range(PFN_16M - 1, 2), -EINVAL);
	EXPECT_NULL(test, alloc_contig_pages(16, 3, GFP_KERNEL));
	EXPECT_NULL(test, alloc_contig_pages(0, 1, GFP_KERNEL));
	/* Nothing of this size can exist. */
	EXPECT_NULL(test, alloc_contig_pages(PFN_4G * 1024, 1, GFP_KERNEL));
	EXPECT_SAME_STATE(test, &before);
}

/*
 * A 1 GiB aligned range of RAM, in one zone, that memblock gave wholly
 * to the buddy (nothing reserved in it): computed from the memory map.
 */
static bool find_free_gigabyte(u64 *where)
{
	for (u64 start = 0; start < PFN_PHYS(max_pfn); start += SZ_1G) {
		if (zone_of(PHYS_PFN(start)) != zone_of(PHYS_PFN(start + SZ_1G - 1)))
			continue;
		if (!e820_ram_covers(start, start + SZ_1G))
			continue;
		if (memblock_is_region_reserved(start, SZ_1G))
			continue;
		*where = start;
		return true;
	}
	return false;
}

/* The memmap of 1 GiB: 262144 struct pages of 64 bytes. */
#define RANGE_MEMMAP_PAGES	(PAGES_1G * sizeof(struct page) / PAGE_SIZE)

KTEST(buddy, contig_1g)
{
	bool poison = page_fill_enabled(), was_range;
	struct buddy_state before;
	struct page *page;
	unsigned long pfn;
	u64 candidate;

	if (!find_free_gigabyte(&candidate)) {
		ktest_skip(test, "no 1 GiB aligned RAM range free of reservations in one zone (guest too small)");
		return;
	}
	ktest_log(test, "1 GiB aligned free RAM at %#llx", (unsigned long long)candidate);
	buddy_state(&before);
	was_range = PageFreeGigantic(pfn_to_page(PHYS_PFN(candidate)));
	/* Poisoning 1 GiB on the free is seconds of TCG for nothing new. */
	set_page_fill(false);
	page = alloc_contig_pages(PAGES_1G, PAGES_1G, GFP_KERNEL);
	set_page_fill(poison);
	ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	EXPECT_UEQ(test, pfn & (PAGES_1G - 1), 0);
	EXPECT_TRUE(test, e820_ram_covers(PFN_PHYS(pfn), PFN_PHYS(pfn) + SZ_1G));
	EXPECT_EQ(test, zone_of(pfn), zone_of(pfn + PAGES_1G - 1));
	/*
	 * A free 1 GiB range taken: its memmap comes back, into 8 blocks
	 * of 2 MiB from elsewhere (the 2 pages of its 1 GiB shape are kept
	 * for its forming again).
	 */
	EXPECT_EQ(test, free_pages_all(),
		  before.free - PAGES_1G - (was_range ? RANGE_MEMMAP_PAGES : 0));
	EXPECT_BUDDY_OK(test);
	/* Ours to write: first and last page. */
	write_tags(page, 0, 0xabc);
	write_tags(page + PAGES_1G - 1, 0, 0xdef);
	EXPECT_TRUE(test, tags_intact(page, 0, 0xabc));
	EXPECT_TRUE(test, tags_intact(page + PAGES_1G - 1, 0, 0xdef));
	/* The same range cannot be taken twice. */
	EXPECT_EQ(test, alloc_contig_range(pfn, PAGES_1G), -EBUSY);
	set_page_fill(false);
	free_contig_range(pfn, PAGES_1G);
	set_page_fill(poison);
	EXPECT_SAME_STATE(test, &before);
}

#define MAX_GIGS	64
#define NR_PACKED	16

static bool gig_wholly_free(unsigned long base)
{
	return base + PAGES_1G <= max_pfn && pfn_online(base) && pfn_online(base + PAGES_1G - 1) &&
	       range_free_now(base, base + PAGES_1G);
}

/*
 * Optimized free pageblocks outside DMA in 1 GiB ranges that are not
 * wholly free: what a pool with HVO is given first.
 */
static unsigned long free_blocks_in_used_gigs(const bool *whole)
{
	unsigned long n = 0;

	for (unsigned long pfn = 0; pfn < max_pfn && pfn / PAGES_1G < MAX_GIGS; pfn += pageblock_nr_pages)
		n += !whole[pfn / PAGES_1G] && pfn_online(pfn) && zone_of(pfn) != ZONE_DMA &&
		     pageblock_is_free(pfn) && PageVmemmapOptimized(pfn_to_page(pfn));
	return n;
}

/*
 * 2 MiB pool pages are placed in 1 GiB ranges already partly in use while
 * those have free pageblocks: every wholly free range stays wholly free.
 * (With free memory plain, the buddy's own placement is kept.)
 */
KTEST(buddy, pageblock_packed_keeps_free_gigabytes_whole)
{
	static struct page *got[NR_PACKED];
	bool whole[MAX_GIGS] = { false };
	struct buddy_state before;
	unsigned long nr_whole = 0;

	if (!buddy_vmemmap_enabled()) {
		ktest_skip(test, "free memory's memmap is plain (buddy_vmemmap_optimize=off)");
		return;
	}
	if (max_pfn > MAX_GIGS * PAGES_1G) {
		ktest_skip(test, "more than 64 GiB: the case's table is too small");
		return;
	}
	buddy_state(&before);
	for (unsigned long g = 0; g * PAGES_1G < max_pfn; g++)
		nr_whole += whole[g] = gig_wholly_free(g * PAGES_1G);
	ASSERT_TRUE(test, free_blocks_in_used_gigs(whole) >= NR_PACKED);
	ktest_log(test, "%lu wholly free 1 GiB ranges", nr_whole);
	for (unsigned int i = 0; i < NR_PACKED; i++) {
		got[i] = alloc_pageblock_packed(GFP_KERNEL | __GFP_NOWARN | __GFP_OPTIMIZED_MEMMAP);
		ASSERT_NOT_NULL(test, got[i]);
		EXPECT_UEQ(test, page_to_pfn(got[i]) & (pageblock_nr_pages - 1), 0);
		EXPECT_FALSE(test, whole[page_to_pfn(got[i]) / PAGES_1G]);
	}
	for (unsigned long g = 0; g * PAGES_1G < max_pfn; g++)
		if (whole[g])
			EXPECT_TRUE(test, gig_wholly_free(g * PAGES_1G));
	EXPECT_BUDDY_OK(test);
	for (unsigned int i = 0; i < NR_PACKED; i++)
		free_pages(got[i], pageblock_order);
	EXPECT_SAME_STATE(test, &before);
}

/* Free pages in 4 MiB (MAX_ORDER) blocks of zone z in ranges not wholly free. */
static unsigned long max_order_free_in_used_gigs(int z, const bool *whole)
{
	unsigned long n = 0;

	for (unsigned long pfn = 0; pfn < max_pfn && pfn / PAGES_1G < MAX_GIGS;
	     pfn += MAX_ORDER_NR_PAGES) {
		struct page *p = pfn_to_page(pfn);

		if (!whole[pfn / PAGES_1G] && pfn_online(pfn) && zone_of(pfn) == z &&
		    PageBuddy(p) && p->private == MAX_ORDER)
			n += MAX_ORDER_NR_PAGES;
	}
	return n;
}

static unsigned long zone_blocks_of_order(int z, unsigned int o)
{
	return zones[z].free_area[o].nr_free;
}

/*
 * Blocks split for smaller allocations (page tables, slabs, the pages a
 * restored memmap borrows, 2 MiB blocks) come from 1 GiB ranges already
 * partly in use while those have free 4 MiB blocks: every 2 MiB block of
 * the zone's free lists is taken, then as many again from 4 MiB blocks,
 * and every wholly free range stays wholly free. Plain or optimized free
 * memory alike (the buddy would otherwise split whichever 4 MiB block was
 * freed last).
 */
KTEST(buddy, splits_keep_free_gigabytes_whole)
{
	bool whole[MAX_GIGS] = { false }, was_on;
	struct buddy_state before;
	unsigned long nr_whole = 0, first = ~0UL, used, n;
	struct page *p, *tmp;
	LIST_HEAD(held);
	gfp_t gfp;
	int z;

	if (max_pfn > MAX_GIGS * PAGES_1G) {
		ktest_skip(test, "more than 64 GiB: the case's table is too small");
		return;
	}
	/* Free 1 GiB ranges are off the lists: the placement is seen with them back there. */
	was_on = free_gigantic_enabled();
	ASSERT_EQ(test, free_gigantic_set(false), 0);
	buddy_state(&before);
	for (unsigned long g = 0; g * PAGES_1G < max_pfn; g++) {
		nr_whole += whole[g] = gig_wholly_free(g * PAGES_1G);
		if (whole[g] && first == ~0UL)
			first = g * PAGES_1G;
	}
	if (!nr_whole) {
		free_gigantic_set(was_on);
		ktest_skip(test, "no wholly free 1 GiB range in this guest");
		return;
	}
	z = zone_of(first);
	gfp = GFP_KERNEL | __GFP_NOWARN | (z == ZONE_DMA32 ? __GFP_DMA32 : 0);
	used = max_order_free_in_used_gigs(z, whole);
	if (used < 8 * MAX_ORDER_NR_PAGES) {
		ktest_fail(test, __FILE__, __LINE__, "zone %s: %lu pages in 4 MiB blocks of used ranges, fewer than 8 blocks",
			   zones[z].name, used);
		free_gigantic_set(was_on);
		return;
	}
	n = zone_blocks_of_order(z, pageblock_order) + min(used / (4 * MAX_ORDER_NR_PAGES), 32UL);
	ktest_log(test, "%lu wholly free 1 GiB ranges; %lu 2 MiB blocks taken in zone %s",
		  nr_whole, n, zones[z].name);
	for (unsigned long i = 0; i < n; i++) {
		p = alloc_pages(gfp, pageblock_order);
		if (!p)
			break;
		list_add(&p->lru, &held);
	}
	for (unsigned long g = 0; g * PAGES_1G < max_pfn; g++)
		if (whole[g] && !gig_wholly_free(g * PAGES_1G))
			ktest_fail(test, __FILE__, __LINE__, "GiB %lu was wholly free, is not", g);
	EXPECT_BUDDY_OK(test);
	list_for_each_entry_safe(p, tmp, &held, lru) {
		list_del(&p->lru);
		free_pages(p, pageblock_order);
	}
	EXPECT_SAME_STATE(test, &before);
	free_gigantic_set(was_on);
}

#define NR_RESTORE_TRIES	64

/*
 * A whole optimized block allocated for an owner that writes its struct
 * pages gets its memmap back in 7 pages taken without a per-CPU refill:
 * no batch is left in this CPU's list (drained, it would make a block
 * whole again after the allocation had found none), and freeing the
 * block gives the 7 back, leaving the buddy as it was.
 */
KTEST(buddy, restored_block_leaves_pcp_lists_alone)
{
	struct buddy_state before;
	unsigned long lent, tries = 0;
	struct page *p = NULL, *tmp;
	LIST_HEAD(plain);

	if (!buddy_vmemmap_enabled()) {
		ktest_skip(test, "free memory's memmap is plain (buddy_vmemmap_optimize=off)");
		return;
	}
	buddy_state(&before);
	/* Plain blocks come first: held aside until an optimized one comes. */
	while (tries++ < NR_RESTORE_TRIES) {
		lent = nr_memmap_lent_pages();
		p = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, pageblock_order);
		lent = nr_memmap_lent_pages() - lent;
		if (!p || lent)
			break;
		list_add(&p->lru, &plain);
		p = NULL;
	}
	if (p) {
		EXPECT_UEQ(test, lent, 7);
		EXPECT_UEQ(test, nr_pcp_pages(), 0);
		EXPECT_BUDDY_OK(test);
		free_pages(p, pageblock_order);
	} else {
		ktest_fail(test, __FILE__, __LINE__, "no optimized 2 MiB block in %d allocations",
			   NR_RESTORE_TRIES);
	}
	list_for_each_entry_safe(p, tmp, &plain, lru) {
		list_del(&p->lru);
		free_pages(p, pageblock_order);
	}
	EXPECT_SAME_STATE(test, &before);
}

/* ---------------------------------------------------------------------- */

/* Bad frees: a panic naming the pfn and the reason, and the check says why. */

struct bad_free {
	struct page *page;
	unsigned int order;
};

static void do_free(void *arg)
{
	struct bad_free *b = arg;

	free_pages(b->page, b->order);
}

/*
 * free_pages_check() says why without panicking; free_pages() panics
 * with "pfn <pfn>" and that reason; nothing in the allocator changes.
 */
static void expect_bad_free(struct kunit *test, struct page *page,
			    unsigned int order, const char *word, int line)
{
	struct bad_free b = { page, order };
	struct buddy_state before;
	const char *why = NULL;
	char reason[256], pfn_text[40];

	buddy_state(&before);
	snprintf(pfn_text, sizeof(pfn_text), "pfn %#lx ", page_to_pfn(page));
	if (free_pages_check(page, order, &why) != -EINVAL || !contains(why, word))
		ktest_fail(test, __FILE__, line, "free_pages_check(pfn %#lx, order %u): '%s', expected '%s'",
			   page_to_pfn(page), order, why ? why : "(ok)", word);
	if (!catches(do_free, &b, reason, sizeof(reason)))
		ktest_fail(test, __FILE__, line, "free of pfn %#lx order %u did not panic",
			   page_to_pfn(page), order);
	else if (!contains(reason, pfn_text) || !contains(reason, word))
		ktest_fail(test, __FILE__, line, "panic '%s' lacks '%s' or '%s'", reason, pfn_text, word);
	same_state(test, &before, line);
}

#define EXPECT_BAD_FREE(test, page, order, word) \
	expect_bad_free(test, page, order, word, __LINE__)

KTEST(buddy, double_free_panics)
{
	struct buddy_state before;
	struct page *page;

	buddy_state(&before);
	/* Freed to the per-CPU list, then freed again. */
	page = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, page);
	__free_page(page);
	EXPECT_BAD_FREE(test, page, 0, "double free");
	/* Drained (merged into a larger block or heading one), freed again. */
	drain_all_pages();
	EXPECT_BAD_FREE(test, page, 0, "double free");
	/* A whole block: on the free lists, freed again. */
	page = alloc_pages(GFP_KERNEL, 3);
	ASSERT_NOT_NULL(test, page);
	free_pages(page, 3);
	EXPECT_BAD_FREE(test, page, 3, "double free");
	EXPECT_SAME_STATE(test, &before);
}

KTEST(buddy, tail_free_panics)
{
	struct buddy_state before;
	struct page *page;

	buddy_state(&before);
	page = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	ASSERT_NOT_NULL(test, page);
	EXPECT_TRUE(test, PageTail(page + 1));
	EXPECT_BAD_FREE(test, page + 1, 0, "tail page");
	EXPECT_BAD_FREE(test, page + 3, 0, "tail page");
	free_pages(page, 2);
	EXPECT_FALSE(test, PageTail(page + 1));
	EXPECT_SAME_STATE(test, &before);
}

KTEST(buddy, wrong_order_panics)
{
	struct buddy_state before;
	struct page *page;

	buddy_state(&before);
	page = alloc_pages(GFP_KERNEL, 2);
	ASSERT_NOT_NULL(test, page);
	EXPECT_BAD_FREE(test, page, 1, "wrong order");
	EXPECT_BAD_FREE(test, page, 0, "wrong order");
	EXPECT_BAD_FREE(test, page, MAX_ORDER + 1, "order too large");
	/* Order 2 and 3 differ in alignment for half of all blocks. */
	if (page_to_pfn(page) & 4)
		EXPECT_BAD_FREE(test, page, 3, "not aligned");
	else
		EXPECT_BAD_FREE(test, page, 3, "wrong order");
	free_pages(page, 2);
	EXPECT_SAME_STATE(test, &before);
}

extern char _text[];

KTEST(buddy, reserved_free_panics)
{
	/* The kernel image and the first MiB are never the buddy's. */
	EXPECT_TRUE(test, PageReserved(virt_to_page(_text)));
	EXPECT_BAD_FREE(test, virt_to_page(_text), 0, "reserved");
	EXPECT_BAD_FREE(test, pfn_to_page(0), 0, "reserved");
}

/* The first section index with no RAM below the end of the table. */
static bool find_hole_section(unsigned long *nr)
{
	for (unsigned long s = 0; s < nr_mem_sections; s++) {
		u64 start = (u64)s << SECTION_SIZE_BITS;

		if (!e820_ram_in(start, start + (1ULL << SECTION_SIZE_BITS))) {
			*nr = s;
			return true;
		}
	}
	return false;
}

KTEST(buddy, offline_free_panics)
{
	/* max_pfn rounded up to a whole 128 MiB section (32768 pages). */
	unsigned long end_pfn = ALIGN(max_pfn, 32768UL);
	unsigned long hole;

	/* Past the last section of RAM: no section at all. */
	EXPECT_BAD_FREE(test, pfn_to_page(end_pfn), 0, "no online section");
	EXPECT_BAD_FREE(test, pfn_to_page(end_pfn + 12345), 0, "no online section");
	EXPECT_BAD_FREE(test, pfn_to_page(1UL << 34), 0, "no online section");
	if (find_hole_section(&hole)) {
		ktest_log(test, "section %lu has no RAM", hole);
		EXPECT_BAD_FREE(test, pfn_to_page((hole << PFN_SECTION_SHIFT) + 7), 0,
				"no online section");
	}
}

/* ---------------------------------------------------------------------- */

/* fail_page_alloc_nth(k): exactly the k-th allocation fails. */
KTEST(buddy, fault_injection_nth)
{
	static const unsigned int orders[] = { 0, 3, 9 };
	bool dedup = buddy_vmemmap_enabled();
	struct buddy_state before;

	/*
	 * The nth allocation is the caller's: an order-9 block whose memmap
	 * is shared would take 7 more (buddy_vmemmap's own suite injects
	 * failures into those).
	 */
	if (buddy_vmemmap_set(false)) {
		ktest_fail(test, __FILE__, __LINE__, "buddy_vmemmap_optimize=0: out of memory");
		return;
	}
	buddy_state(&before);
	for (unsigned int oi = 0; oi < ARRAY_SIZE(orders); oi++) {
		unsigned int order = orders[oi];

		for (unsigned int k = 1; k <= 3; k++) {
			struct page *pages[5];
			unsigned long injected = fail_page_alloc_injected();

			fail_page_alloc_nth(k);
			for (unsigned int i = 0; i < ARRAY_SIZE(pages); i++) {
				pages[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
				if (i + 1 == k)
					EXPECT_NULL(test, pages[i]);
				else
					EXPECT_NOT_NULL(test, pages[i]);
				EXPECT_BUDDY_OK(test);
			}
			EXPECT_EQ(test, fail_page_alloc_injected(), injected + 1);
			for (unsigned int i = 0; i < ARRAY_SIZE(pages); i++)
				if (pages[i])
					free_pages(pages[i], order);
		}
	}
	/* __GFP_NOFAIL_INJECT allocations do not count. */
	{
		struct page *a, *b;

		fail_page_alloc_nth(1);
		a = alloc_pages(GFP_KERNEL | __GFP_NOFAIL_INJECT, 0);
		b = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
		EXPECT_NOT_NULL(test, a);
		EXPECT_NULL(test, b);
		if (a)
			__free_page(a);
		if (b)
			__free_page(b);
	}
	/* alloc_contig_pages is an allocation too, and fails cleanly. */
	fail_page_alloc_nth(1);
	EXPECT_NULL(test, alloc_contig_pages(MAX_ORDER_NR_PAGES, MAX_ORDER_NR_PAGES, GFP_KERNEL));
	fail_page_alloc_off();
	EXPECT_SAME_STATE(test, &before);
	EXPECT_EQ(test, buddy_vmemmap_set(dedup), 0);
}

/* 1 in N, seeded: about 1/N fail, the same ones for the same seed. */
#define RANDOM_ALLOCS	512

static unsigned int random_failures(u64 seed, unsigned long one_in, u8 *failed)
{
	static struct page *pages[RANDOM_ALLOCS];
	unsigned int n = 0;

	fail_page_alloc_random(one_in, seed);
	for (unsigned int i = 0; i < RANDOM_ALLOCS; i++) {
		pages[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
		failed[i] = !pages[i];
		n += failed[i];
	}
	fail_page_alloc_off();
	for (unsigned int i = 0; i < RANDOM_ALLOCS; i++)
		if (pages[i])
			__free_page(pages[i]);
	return n;
}

KTEST(buddy, fault_injection_random)
{
	static u8 a[RANDOM_ALLOCS], b[RANDOM_ALLOCS], c[RANDOM_ALLOCS];
	unsigned long injected = fail_page_alloc_injected();
	struct buddy_state before;
	unsigned int na, nb, nc;

	buddy_state(&before);
	na = random_failures(42, 4, a);
	nb = random_failures(42, 4, b);
	nc = random_failures(43, 4, c);
	EXPECT_BUDDY_OK(test);
	/* Binomial(512, 1/4): mean 128, sd 9.8; 6 sd either side. */
	EXPECT_GE(test, na, 69);
	EXPECT_LE(test, na, 187);
	EXPECT_EQ(test, na, nb);
	EXPECT_MEMEQ(test, a, b, sizeof(a));
	EXPECT_TRUE(test, memcmp(a, c, sizeof(a)) != 0);
	EXPECT_EQ(test, fail_page_alloc_injected(), injected + na + nb + nc);
	/* Off again: nothing fails. */
	EXPECT_EQ(test, random_failures(42, 0, c), 0);
	fail_page_alloc_off();
	EXPECT_SAME_STATE(test, &before);
}

/* ---------------------------------------------------------------------- */

/* get_page/put_page: the last put frees the whole (compound) allocation. */
KTEST(buddy, refcount_put_frees)
{
	struct buddy_state before;
	struct page *page;

	buddy_state(&before);
	page = alloc_pages(GFP_KERNEL | __GFP_COMP, 4);
	ASSERT_NOT_NULL(test, page);
	get_page(page + 5);		/* a tail reference counts on the head */
	EXPECT_EQ(test, page_ref_count(page), 2);
	put_page(page);
	EXPECT_EQ(test, free_pages_all(), before.free - 16);
	put_page(page + 9);
	EXPECT_SAME_STATE(test, &before);
}

/* How long one full check takes here: the cost every step above pays. */
KTEST(buddy, check_cost)
{
	u64 t0 = get_cycles();

	EXPECT_BUDDY_OK(test);
	ktest_log(test, "page_alloc_check: %llu us over %lu managed pages",
		  (unsigned long long)(cycles_to_ns(get_cycles() - t0) / 1000),
		  nr_managed_pages());
}
