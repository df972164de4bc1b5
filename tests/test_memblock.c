// SPDX-License-Identifier: MIT
/*
 * memblock: add/merge/split/remove, reserve and top-down allocation, the
 * free-range walk, array overflow. Every case runs on a private struct
 * memblock with small region arrays (8 entries, so that overflow is easy
 * to reach); the live one is only read. memblock_check() runs after every
 * step. Expected regions are worked out by hand in the comments.
 */
#include "tests/ktest.h"
#include "mm/memblock.h"
#include "mm/e820.h"
#include "mm/layout.h"
#include "libc/errno.h"
#include "libc/stdlib.h"

#define KiB(x)		((u64)(x) << 10)
#define MiB(x)		((u64)(x) << 20)
#define GiB(x)		((u64)(x) << 30)

#define R(b, s)		{ .base = (b), .size = (s) }

#define NR_SMALL	8
#define CANARY		0x6b6b6b6b6b6b6b6bULL

/* A canary after each array: overflow must never write past max. */
static struct {
	struct memblock_region r[NR_SMALL];
	struct memblock_region canary;
} mem_small, rsv_small;

static struct memblock mb;

static void mb_reset(void)
{
	mem_small.canary.base = mem_small.canary.size = CANARY;
	rsv_small.canary.base = rsv_small.canary.size = CANARY;
	mb.current_limit = MEMBLOCK_ALLOC_ANYWHERE;
	mb.memory = (struct memblock_type)MEMBLOCK_TYPE_INIT(mem_small.r, "test.memory");
	mb.reserved = (struct memblock_type)MEMBLOCK_TYPE_INIT(rsv_small.r, "test.reserved");
}

static bool canaries_intact(void)
{
	return mem_small.canary.base == CANARY && mem_small.canary.size == CANARY &&
	       rsv_small.canary.base == CANARY && rsv_small.canary.size == CANARY;
}

static void expect_regions(struct kunit *test, int line,
			   const struct memblock_type *type,
			   const struct memblock_region *want, unsigned long nr)
{
	bool bad = false;
	unsigned long i;

	if (memblock_check_type(type)) {
		ktest_fail(test, __FILE__, line, "memblock_check_type(%s) failed", type->name);
		bad = true;
	}
	if (type->cnt != nr) {
		ktest_fail(test, __FILE__, line, "%s: %lu regions, expected %lu",
			   type->name, type->cnt, nr);
		bad = true;
	}
	for (i = 0; i < nr && i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		if (r->base == want[i].base && r->size == want[i].size)
			continue;
		ktest_fail(test, __FILE__, line,
			   "%s[%lu]: [%#lx +%#lx], expected [%#lx +%#lx]",
			   type->name, i, r->base, r->size, want[i].base, want[i].size);
		bad = true;
	}
	if (bad)
		memblock_dump_type(type);
}

#define EXPECT_REGIONS(test, type, ...) do {				\
	static const struct memblock_region __want[] = { __VA_ARGS__ };	\
	expect_regions(test, __LINE__, type, __want, ARRAY_SIZE(__want)); \
} while (0)

#define EXPECT_NO_REGIONS(test, type) do {				\
	EXPECT_EQ(test, (type)->cnt, 0);				\
	EXPECT_EQ(test, memblock_check_type(type), 0);			\
} while (0)

static phys_addr_t alloc(phys_addr_t size, phys_addr_t align,
			 phys_addr_t start, phys_addr_t end)
{
	return __memblock_phys_alloc_range(&mb, size, align, start, end);
}

KTEST(memblock, add_sorted_and_merged)
{
	mb_reset();
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x10000, 0x1000), 0);
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x1000, 0x1000), 0);
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x30000, 0x1000), 0);
	EXPECT_REGIONS(test, &mb.memory, R(0x1000, 0x1000), R(0x10000, 0x1000),
		       R(0x30000, 0x1000));
	EXPECT_UEQ(test, mb.memory.total_size, 0x3000);
	/* [0x2000, 0x10000) touches both neighbours: one region. */
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x2000, 0xe000), 0);
	EXPECT_REGIONS(test, &mb.memory, R(0x1000, 0x10000), R(0x30000, 0x1000));
	EXPECT_UEQ(test, mb.memory.total_size, 0x11000);
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x11000, 0x1f000), 0);
	EXPECT_REGIONS(test, &mb.memory, R(0x1000, 0x30000));
	EXPECT_UEQ(test, mb.memory.total_size, 0x30000);
}

KTEST(memblock, add_overlapping)
{
	mb_reset();
	memblock_add_range(&mb.memory, 0x1000, 0x3000);
	memblock_add_range(&mb.memory, 0x2000, 0x1000);
	EXPECT_REGIONS(test, &mb.memory, R(0x1000, 0x3000));
	memblock_add_range(&mb.memory, 0x3000, 0x2000);
	EXPECT_REGIONS(test, &mb.memory, R(0x1000, 0x4000));
	memblock_add_range(&mb.memory, 0, 0x10000);
	EXPECT_REGIONS(test, &mb.memory, R(0, 0x10000));
	memblock_add_range(&mb.memory, 0x20000, 0x1000);
	memblock_add_range(&mb.memory, 0x40000, 0x1000);
	memblock_add_range(&mb.memory, 0x30000, 0x1000);
	EXPECT_REGIONS(test, &mb.memory, R(0, 0x10000), R(0x20000, 0x1000),
		       R(0x30000, 0x1000), R(0x40000, 0x1000));
	/* [0x18000, 0x48000) swallows the three small ones. */
	memblock_add_range(&mb.memory, 0x18000, 0x30000);
	EXPECT_REGIONS(test, &mb.memory, R(0, 0x10000), R(0x18000, 0x30000));
}

/* Size 0 is nothing; a range past the top of phys_addr_t is capped. */
KTEST(memblock, add_empty_and_capped)
{
	mb_reset();
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x5000, 0), 0);
	EXPECT_NO_REGIONS(test, &mb.memory);
	EXPECT_EQ(test, memblock_add_range(&mb.memory, ~0ULL - 0xfff, 0x10000), 0);
	EXPECT_REGIONS(test, &mb.memory, R(~0ULL - 0xfff, 0xfff));
	EXPECT_EQ(test, memblock_remove_range(&mb.memory, 0, ~0ULL), 0);
	EXPECT_NO_REGIONS(test, &mb.memory);
}

KTEST(memblock, remove_split_and_trim)
{
	mb_reset();
	memblock_add_range(&mb.memory, 0, MiB(1));
	EXPECT_EQ(test, memblock_remove_range(&mb.memory, 0x40000, 0x10000), 0);
	EXPECT_REGIONS(test, &mb.memory, R(0, 0x40000), R(0x50000, 0xb0000));
	memblock_remove_range(&mb.memory, 0, 0x1000);
	EXPECT_REGIONS(test, &mb.memory, R(0x1000, 0x3f000), R(0x50000, 0xb0000));
	memblock_remove_range(&mb.memory, 0xff000, 0x1000);
	EXPECT_REGIONS(test, &mb.memory, R(0x1000, 0x3f000), R(0x50000, 0xaf000));
	/* [0x30000, 0x60000) takes the tail of one and the head of the next. */
	memblock_remove_range(&mb.memory, 0x30000, 0x30000);
	EXPECT_REGIONS(test, &mb.memory, R(0x1000, 0x2f000), R(0x60000, 0x9f000));
	EXPECT_UEQ(test, mb.memory.total_size, 0x2f000 + 0x9f000);
	EXPECT_EQ(test, memblock_remove_range(&mb.memory, MiB(2), MiB(1)), 0);
	EXPECT_REGIONS(test, &mb.memory, R(0x1000, 0x2f000), R(0x60000, 0x9f000));
	EXPECT_EQ(test, memblock_remove_range(&mb.memory, 0, ~0ULL), 0);
	EXPECT_NO_REGIONS(test, &mb.memory);
}

static void fill_small(struct memblock_type *type)
{
	int i;

	for (i = 0; i < NR_SMALL; i++)
		memblock_add_range(type, (u64)i * 0x10000, 0x8000);
}

/* A full array still merges; only a new region is refused, and nothing changes. */
KTEST(memblock, add_overflow)
{
	mb_reset();
	fill_small(&mb.memory);
	EXPECT_EQ(test, mb.memory.cnt, NR_SMALL);
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x90000, 0x1000), -ENOMEM);
	EXPECT_EQ(test, mb.memory.cnt, NR_SMALL);
	EXPECT_UEQ(test, mb.memory.total_size, NR_SMALL * 0x8000);
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x8000, 0x1000), 0);
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x28000, 0x8000), 0);
	EXPECT_EQ(test, memblock_add_range(&mb.memory, 0x90000, 0x1000), 0);
	EXPECT_REGIONS(test, &mb.memory, R(0, 0x9000), R(0x10000, 0x8000),
		       R(0x20000, 0x18000), R(0x40000, 0x8000), R(0x50000, 0x8000),
		       R(0x60000, 0x8000), R(0x70000, 0x8000), R(0x90000, 0x1000));
	EXPECT_TRUE(test, canaries_intact());
}

/* Punching a hole is the only removal that needs a slot. */
KTEST(memblock, remove_overflow)
{
	mb_reset();
	fill_small(&mb.memory);
	EXPECT_EQ(test, memblock_remove_range(&mb.memory, 0x32000, 0x1000), -ENOMEM);
	EXPECT_EQ(test, mb.memory.cnt, NR_SMALL);
	EXPECT_EQ(test, memblock_check_type(&mb.memory), 0);
	EXPECT_EQ(test, memblock_remove_range(&mb.memory, 0x30000, 0x8000), 0);
	EXPECT_EQ(test, memblock_remove_range(&mb.memory, 0x42000, 0x1000), 0);
	EXPECT_EQ(test, memblock_remove_range(&mb.memory, 0x50000, 0x1000), 0);
	EXPECT_REGIONS(test, &mb.memory, R(0, 0x8000), R(0x10000, 0x8000),
		       R(0x20000, 0x8000), R(0x40000, 0x2000), R(0x43000, 0x5000),
		       R(0x51000, 0x7000), R(0x60000, 0x8000), R(0x70000, 0x8000));
	EXPECT_TRUE(test, canaries_intact());
}

KTEST(memblock, reserve_and_free)
{
	mb_reset();
	memblock_add_range(&mb.memory, 0, MiB(16));
	EXPECT_EQ(test, memblock_add_range(&mb.reserved, MiB(1), MiB(1)), 0);
	EXPECT_GE(test, memblock_search(&mb.reserved, MiB(1)), 0);
	EXPECT_EQ(test, memblock_search(&mb.reserved, MiB(2)), -1);
	EXPECT_EQ(test, memblock_remove_range(&mb.reserved, KiB(1536), KiB(256)), 0);
	EXPECT_REGIONS(test, &mb.reserved, R(MiB(1), KiB(512)), R(KiB(1792), KiB(256)));
	EXPECT_EQ(test, memblock_remove_range(&mb.reserved, 0, KiB(1280)), 0);
	EXPECT_REGIONS(test, &mb.reserved, R(KiB(1280), KiB(256)), R(KiB(1792), KiB(256)));
	EXPECT_UEQ(test, mb.reserved.total_size, KiB(512));
	/* Reserving what is not memory is allowed, as in Linux. */
	EXPECT_EQ(test, memblock_add_range(&mb.reserved, MiB(32), KiB(4)), 0);
	EXPECT_REGIONS(test, &mb.reserved, R(KiB(1280), KiB(256)),
		       R(KiB(1792), KiB(256)), R(MiB(32), KiB(4)));
	EXPECT_REGIONS(test, &mb.memory, R(0, MiB(16)));
}

KTEST(memblock, alloc_top_down)
{
	mb_reset();
	memblock_add_range(&mb.memory, 0, MiB(16));
	EXPECT_UEQ(test, alloc(KiB(4), KiB(4), 0, MEMBLOCK_ALLOC_ACCESSIBLE),
		   MiB(16) - KiB(4));
	EXPECT_UEQ(test, alloc(KiB(8), KiB(4), 0, MEMBLOCK_ALLOC_ACCESSIBLE),
		   MiB(16) - KiB(12));
	EXPECT_REGIONS(test, &mb.reserved, R(MiB(16) - KiB(12), KiB(12)));
	/* 1 MiB aligned below 16M - 12K: 14M. */
	EXPECT_UEQ(test, alloc(MiB(1), MiB(1), 0, MEMBLOCK_ALLOC_ANYWHERE), MiB(14));
	EXPECT_REGIONS(test, &mb.reserved, R(MiB(14), MiB(1)),
		       R(MiB(16) - KiB(12), KiB(12)));
	EXPECT_REGIONS(test, &mb.memory, R(0, MiB(16)));
}

/*
 * Memory [0x1000, 0x1234567): 2M aligned -> 0x1200000; 256 aligned ->
 * 0x1234400; align 0 is 64 bytes: 16 bytes in [0x1234500, 0x1234567) ->
 * 0x1234540. A non-power-of-two alignment is refused.
 */
KTEST(memblock, alloc_alignment)
{
	mb_reset();
	memblock_add_range(&mb.memory, 0x1000, 0x1233567);
	EXPECT_UEQ(test, alloc(0x1000, SZ_2M, 0, 0), 0x1200000);
	EXPECT_UEQ(test, alloc(0x100, 0x100, 0, 0), 0x1234400);
	EXPECT_UEQ(test, alloc(0x10, 3, 0, 0), 0);
	EXPECT_UEQ(test, alloc(0x10, 0, 0, 0), 0x1234540);
	EXPECT_REGIONS(test, &mb.reserved, R(0x1200000, 0x1000), R(0x1234400, 0x100),
		       R(0x1234540, 0x10));
}

KTEST(memblock, alloc_current_limit)
{
	mb_reset();
	memblock_add_range(&mb.memory, 0, GiB(4));
	mb.current_limit = GiB(1);
	EXPECT_UEQ(test, alloc(SZ_2M, SZ_2M, 0, 0), GiB(1) - MiB(2));
	EXPECT_UEQ(test, alloc(SZ_2M, SZ_2M, 0, MiB(512)), MiB(510));
	/* An end above the limit is held to the limit. */
	EXPECT_UEQ(test, alloc(SZ_2M, SZ_2M, 0, GiB(2)), GiB(1) - MiB(4));
	mb.current_limit = MEMBLOCK_ALLOC_ANYWHERE;
	EXPECT_UEQ(test, alloc(KiB(4), KiB(4), 0, 0), GiB(4) - KiB(4));
	EXPECT_REGIONS(test, &mb.reserved, R(MiB(510), MiB(2)),
		       R(GiB(1) - MiB(4), MiB(4)), R(GiB(4) - KiB(4), KiB(4)));
}

/* Memory [0, 64M), [32M, 64M) reserved; allocations confined to [8M, 16M). */
KTEST(memblock, alloc_range_start_end)
{
	mb_reset();
	memblock_add_range(&mb.memory, 0, MiB(64));
	memblock_add_range(&mb.reserved, MiB(32), MiB(32));
	EXPECT_UEQ(test, alloc(MiB(1), MiB(1), MiB(8), MiB(16)), MiB(15));
	EXPECT_UEQ(test, alloc(MiB(16), MiB(1), MiB(8), MiB(16)), 0);
	EXPECT_UEQ(test, alloc(MiB(7), MiB(1), MiB(8), MiB(16)), MiB(8));
	EXPECT_UEQ(test, alloc(KiB(4), KiB(4), MiB(8), MiB(16)), 0);
	EXPECT_UEQ(test, alloc(MiB(1), MiB(1), 0, 0), MiB(31));
	EXPECT_UEQ(test, alloc(MiB(1), MiB(1), MiB(40), 0), 0);
	EXPECT_REGIONS(test, &mb.reserved, R(MiB(8), MiB(8)), R(MiB(31), MiB(33)));
}

/* Each failure returns 0 and leaves reserved as it was. */
KTEST(memblock, alloc_failures_return_0)
{
	mb_reset();
	EXPECT_UEQ(test, alloc(KiB(4), KiB(4), 0, 0), 0);
	memblock_add_range(&mb.memory, 0, KiB(4));
	/* Page 0 is never handed out: 0 means failure. */
	EXPECT_UEQ(test, alloc(KiB(4), KiB(4), 0, 0), 0);
	EXPECT_UEQ(test, alloc(16, 16, 0, 0), 0);
	memblock_add_range(&mb.memory, KiB(4), KiB(4));
	EXPECT_UEQ(test, alloc(KiB(8), KiB(4), 0, 0), 0);
	EXPECT_UEQ(test, alloc(0, KiB(4), 0, 0), 0);
	EXPECT_UEQ(test, alloc(KiB(4), KiB(8), 0, 0), 0);
	EXPECT_NO_REGIONS(test, &mb.reserved);
	EXPECT_UEQ(test, alloc(KiB(4), KiB(4), 0, 0), KiB(4));
	EXPECT_UEQ(test, alloc(1, 1, 0, 0), 0);
	EXPECT_REGIONS(test, &mb.reserved, R(KiB(4), KiB(4)));
}

/*
 * reserved full (8 pages at 1M + 4M * i): a block needing a new region
 * fails, one that merges into a neighbour still succeeds.
 */
KTEST(memblock, alloc_reserved_full)
{
	int i;

	mb_reset();
	memblock_add_range(&mb.memory, 0, MiB(64));
	for (i = 0; i < NR_SMALL; i++)
		memblock_add_range(&mb.reserved, MiB(1) + (u64)i * MiB(4), KiB(4));
	EXPECT_UEQ(test, alloc(KiB(4), KiB(4), 0, 0), 0);
	EXPECT_EQ(test, mb.reserved.cnt, NR_SMALL);
	EXPECT_UEQ(test, mb.reserved.total_size, NR_SMALL * KiB(4));
	EXPECT_UEQ(test, alloc(KiB(4), KiB(4), 0, MiB(29)), MiB(29) - KiB(4));
	EXPECT_EQ(test, mb.reserved.cnt, NR_SMALL);
	EXPECT_UEQ(test, mb.reserved.regions[7].base, MiB(29) - KiB(4));
	EXPECT_UEQ(test, mb.reserved.regions[7].size, KiB(8));
	EXPECT_EQ(test, memblock_check(&mb), 0);
	EXPECT_TRUE(test, canaries_intact());
}

struct range {
	phys_addr_t start, end;
};

static void expect_free(struct kunit *test, int line, const struct range *want,
			unsigned int nr)
{
	phys_addr_t start, end;
	unsigned int n = 0;
	u64 i;

	__for_each_mem_range(i, &mb.memory, &mb.reserved, &start, &end) {
		if (n < nr && (start != want[n].start || end != want[n].end))
			ktest_fail(test, __FILE__, line,
				   "free range %u: [%#lx-%#lx), expected [%#lx-%#lx)",
				   n, start, end, want[n].start, want[n].end);
		n++;
	}
	if (n != nr)
		ktest_fail(test, __FILE__, line, "%u free ranges, expected %u", n, nr);
}

#define EXPECT_FREE(test, ...) do {					\
	static const struct range __want[] = { __VA_ARGS__ };		\
	expect_free(test, __LINE__, __want, ARRAY_SIZE(__want));	\
} while (0)

#define F(s, e)		{ .start = (s), .end = (e) }

/*
 * memory  [0x1000, 0x9f000) [1M, 64M) [4G, 5G)
 * reserved [0, 0x2000) [0x9e000, 0xa0000) [2M, 4M) [63M, 4G + 1M)
 * free    [0x2000, 0x9e000) [1M, 2M) [4M, 63M) [4G + 1M, 5G)
 */
KTEST(memblock, free_ranges)
{
	phys_addr_t start, end, total = 0;
	u64 i;

	mb_reset();
	memblock_add_range(&mb.memory, 0x1000, 0x9e000);
	memblock_add_range(&mb.memory, MiB(1), MiB(63));
	memblock_add_range(&mb.memory, GiB(4), GiB(1));
	memblock_add_range(&mb.reserved, 0, 0x2000);
	memblock_add_range(&mb.reserved, 0x9e000, 0x2000);
	memblock_add_range(&mb.reserved, MiB(2), MiB(2));
	memblock_add_range(&mb.reserved, MiB(63), GiB(4) + MiB(1) - MiB(63));
	EXPECT_EQ(test, memblock_check(&mb), 0);
	EXPECT_FREE(test, F(0x2000, 0x9e000), F(MiB(1), MiB(2)), F(MiB(4), MiB(63)),
		    F(GiB(4) + MiB(1), GiB(5)));
	__for_each_mem_range(i, &mb.memory, &mb.reserved, &start, &end) {
		EXPECT_TRUE(test, memblock_type_covers(&mb.memory, start, end - start));
		EXPECT_FALSE(test, memblock_overlaps_region(&mb.reserved, start, end - start));
		total += end - start;
	}
	/* memory minus the reserved parts inside it: 0x1000 + 0x1000 + 2M + 1M + 1M */
	EXPECT_UEQ(test, total, mb.memory.total_size - 0x2000 - MiB(4));
}

KTEST(memblock, free_ranges_edges)
{
	mb_reset();
	EXPECT_FREE(test);
	memblock_add_range(&mb.reserved, 0, MiB(1));
	EXPECT_FREE(test);
	memblock_add_range(&mb.memory, MiB(2), MiB(1));
	memblock_add_range(&mb.memory, MiB(4), MiB(1));
	EXPECT_FREE(test, F(MiB(2), MiB(3)), F(MiB(4), MiB(5)));
	memblock_add_range(&mb.reserved, MiB(2), MiB(1));
	EXPECT_FREE(test, F(MiB(4), MiB(5)));
	memblock_add_range(&mb.reserved, MiB(4) + KiB(4), KiB(4));
	EXPECT_FREE(test, F(MiB(4), MiB(4) + KiB(4)), F(MiB(4) + KiB(8), MiB(5)));
	memblock_add_range(&mb.reserved, 0, GiB(1));
	EXPECT_FREE(test);
}

KTEST(memblock, search_and_overlap)
{
	mb_reset();
	memblock_add_range(&mb.memory, MiB(4), MiB(4));
	memblock_add_range(&mb.memory, MiB(1), MiB(1));
	EXPECT_EQ(test, memblock_search(&mb.memory, 0), -1);
	EXPECT_EQ(test, memblock_search(&mb.memory, MiB(1)), 0);
	EXPECT_EQ(test, memblock_search(&mb.memory, MiB(2) - 1), 0);
	EXPECT_EQ(test, memblock_search(&mb.memory, MiB(2)), -1);
	EXPECT_EQ(test, memblock_search(&mb.memory, MiB(4)), 1);
	EXPECT_EQ(test, memblock_search(&mb.memory, MiB(8) - 1), 1);
	EXPECT_EQ(test, memblock_search(&mb.memory, MiB(8)), -1);
	EXPECT_TRUE(test, memblock_type_covers(&mb.memory, MiB(1), MiB(1)));
	EXPECT_FALSE(test, memblock_type_covers(&mb.memory, MiB(1), MiB(1) + 1));
	EXPECT_TRUE(test, memblock_type_covers(&mb.memory, MiB(5), MiB(3)));
	EXPECT_FALSE(test, memblock_type_covers(&mb.memory, MiB(3), MiB(2)));
	EXPECT_FALSE(test, memblock_overlaps_region(&mb.memory, MiB(2), MiB(2)));
	EXPECT_TRUE(test, memblock_overlaps_region(&mb.memory, MiB(2), MiB(2) + 1));
	EXPECT_FALSE(test, memblock_overlaps_region(&mb.memory, 0, MiB(1)));
	EXPECT_TRUE(test, memblock_overlaps_region(&mb.memory, 0, MiB(1) + 1));
	EXPECT_FALSE(test, memblock_overlaps_region(&mb.memory, MiB(5), 0));
}

/* Only usable RAM becomes memory: PRAM, PMEM, soft reserved stay out. */
KTEST(memblock, add_from_e820)
{
	static struct e820_table t;

	t.nr_entries = 0;
	e820__range_add(&t, 0, 0x9fc00, E820_TYPE_RAM);
	e820__range_add(&t, 0x9fc00, 0x400, E820_TYPE_RESERVED);
	e820__range_add(&t, MiB(1), GiB(1) - MiB(1), E820_TYPE_RAM);
	e820__range_add(&t, GiB(1), GiB(1), E820_TYPE_PRAM);
	e820__range_add(&t, GiB(2), GiB(1), E820_TYPE_RAM);
	e820__range_add(&t, GiB(3), GiB(1), E820_TYPE_PMEM);
	e820__range_add(&t, GiB(4), GiB(1), E820_TYPE_SOFT_RESERVED);
	e820__range_add(&t, GiB(5), GiB(1), E820_TYPE_RAM);
	e820__update_table(&t);
	ASSERT_EQ(test, e820_table_check(&t), 0);
	mb_reset();
	EXPECT_EQ(test, __memblock_add_from_e820(&mb, &t), 0);
	EXPECT_REGIONS(test, &mb.memory, R(0, 0x9f000), R(MiB(1), GiB(1) - MiB(1)),
		       R(GiB(2), GiB(1)), R(GiB(5), GiB(1)));
	EXPECT_UEQ(test, mb.memory.total_size, 0x9f000 + GiB(1) - MiB(1) + GiB(2));
	EXPECT_NO_REGIONS(test, &mb.reserved);
}

/* The checker itself must catch each broken shape. */
KTEST(memblock, check_catches)
{
	static struct memblock_region r[4];
	struct memblock_type t = MEMBLOCK_TYPE_INIT(r, "test.check");

	t.cnt = 2;
	r[0] = (struct memblock_region)R(0x2000, 0x1000);
	r[1] = (struct memblock_region)R(0x1000, 0x1000);
	t.total_size = 0x2000;
	EXPECT_EQ(test, memblock_check_type(&t), -EINVAL);	/* unsorted */
	r[0] = (struct memblock_region)R(0x1000, 0x2000);
	r[1] = (struct memblock_region)R(0x2000, 0x1000);
	t.total_size = 0x3000;
	EXPECT_EQ(test, memblock_check_type(&t), -EINVAL);	/* overlap */
	r[0] = (struct memblock_region)R(0x1000, 0x1000);
	t.total_size = 0x2000;
	EXPECT_EQ(test, memblock_check_type(&t), -EINVAL);	/* not merged */
	r[1] = (struct memblock_region)R(0x3000, 0);
	t.total_size = 0x1000;
	EXPECT_EQ(test, memblock_check_type(&t), -EINVAL);	/* empty */
	r[1] = (struct memblock_region)R(0x3000, 0x1000);
	EXPECT_EQ(test, memblock_check_type(&t), -EINVAL);	/* total_size */
	t.total_size = 0x2000;
	EXPECT_EQ(test, memblock_check_type(&t), 0);
	t.cnt = 5;
	EXPECT_EQ(test, memblock_check_type(&t), -EINVAL);	/* cnt > max */
}

/*
 * Seeded random add/remove/reserve/free/alloc against a page bitmap: the
 * regions must be exactly the runs of the bitmap, the free ranges the runs
 * of memory && !reserved, and each allocation the highest fitting aligned
 * block (0 where none). Arrays of 8 make -ENOMEM common; it must change
 * nothing.
 */
#define NR_UNITS	64

static bool model_mem[NR_UNITS], model_rsv[NR_UNITS];
static u64 rnd_state;

static bool model_free(int u)
{
	return model_mem[u] && !model_rsv[u];
}

static bool model_check_type(const struct memblock_type *type, const bool *m)
{
	unsigned long n = 0;
	int u = 0, s;

	while (u < NR_UNITS) {
		if (!m[u]) {
			u++;
			continue;
		}
		for (s = u; u < NR_UNITS && m[u]; u++)
			;
		if (n >= type->cnt || type->regions[n].base != PFN_PHYS(s) ||
		    type->regions[n].size != PFN_PHYS(u - s))
			return false;
		n++;
	}
	return n == type->cnt;
}

static bool model_check_free(void)
{
	phys_addr_t start, end;
	u64 i;
	int u = 0, s;

	__for_each_mem_range(i, &mb.memory, &mb.reserved, &start, &end) {
		while (u < NR_UNITS && !model_free(u))
			u++;
		for (s = u; u < NR_UNITS && model_free(u); u++)
			;
		if (s == NR_UNITS || start != PFN_PHYS(s) || end != PFN_PHYS(u))
			return false;
	}
	while (u < NR_UNITS && !model_free(u))
		u++;
	return u == NR_UNITS;
}

/* In pages: the highest aligned block in [max(start, 1), min(end, limit)). */
static phys_addr_t model_alloc(int size, int align, int start, int end, int limit)
{
	int lo = max(start, 1), hi = min(end ? end : NR_UNITS, limit);
	int p, i;

	for (p = ALIGN_DOWN(hi - size, align); p >= lo; p -= align) {
		for (i = 0; i < size && model_free(p + i); i++)
			;
		if (i == size)
			return PFN_PHYS(p);
	}
	return 0;
}

static void model_set(bool *m, int s, int len, bool v)
{
	while (len--)
		m[s++] = v;
}

/* Returns the error of the step: 0, or -ENOMEM for a full array. */
static int random_step(struct kunit *test, int *limit)
{
	int s = xorshift64(&rnd_state) % NR_UNITS;
	int len = 1 + xorshift64(&rnd_state) % 12;
	int op = xorshift64(&rnd_state) % 7;
	phys_addr_t base = PFN_PHYS(s), size;
	int err = 0;

	if (s + len > NR_UNITS)
		len = NR_UNITS - s;
	size = PFN_PHYS(len);
	switch (op) {
	case 0:
		err = memblock_add_range(&mb.memory, base, size);
		if (!err)
			model_set(model_mem, s, len, true);
		break;
	case 1:
		err = memblock_remove_range(&mb.memory, base, size);
		if (!err)
			model_set(model_mem, s, len, false);
		break;
	case 2:
		err = memblock_add_range(&mb.reserved, base, size);
		if (!err)
			model_set(model_rsv, s, len, true);
		break;
	case 3:
		err = memblock_remove_range(&mb.reserved, base, size);
		if (!err)
			model_set(model_rsv, s, len, false);
		break;
	case 4:
		*limit = xorshift64(&rnd_state) % 2 ? NR_UNITS :
			 (int)(xorshift64(&rnd_state) % NR_UNITS) + 1;
		mb.current_limit = *limit == NR_UNITS ? MEMBLOCK_ALLOC_ANYWHERE :
			PFN_PHYS(*limit);
		break;
	default: {
		int align = 1 << (xorshift64(&rnd_state) % 4);
		int start = xorshift64(&rnd_state) % 3 ? 0 : s;
		int end = xorshift64(&rnd_state) % 3 ? 0 :
			  (int)(xorshift64(&rnd_state) % (NR_UNITS + 1));
		phys_addr_t want = model_alloc(len, align, start, end, *limit);
		phys_addr_t got = alloc(size, PFN_PHYS(align), PFN_PHYS(start), PFN_PHYS(end));

		/* The one allowed difference: no slot left to record it. */
		if (!got && want && mb.reserved.cnt == mb.reserved.max) {
			err = -ENOMEM;
			break;
		}
		EXPECT_UEQ(test, got, want);
		if (got)
			model_set(model_rsv, PFN_DOWN(got), len, true);
		break;
	}
	}
	if (err && err != -ENOMEM)
		ktest_fail(test, __FILE__, __LINE__, "op %d returned %d", op, err);
	return err;
}

KTEST(memblock, random_against_model)
{
	int step, limit = NR_UNITS, enomem = 0;

	mb_reset();
	model_set(model_mem, 0, NR_UNITS, false);
	model_set(model_rsv, 0, NR_UNITS, false);
	rnd_state = 0x243f6a8885a308d3ULL;
	for (step = 0; step < 5000 && !test->failed; step++) {
		if (random_step(test, &limit))
			enomem++;
		EXPECT_EQ(test, memblock_check(&mb), 0);
		EXPECT_TRUE(test, model_check_type(&mb.memory, model_mem));
		EXPECT_TRUE(test, model_check_type(&mb.reserved, model_rsv));
		EXPECT_TRUE(test, model_check_free());
		EXPECT_TRUE(test, canaries_intact());
	}
	if (test->failed)
		ktest_log(test, "diverged at step %d", step - 1);
	/* The seed must reach the full-array paths, or half the point is lost. */
	EXPECT_GT(test, enomem, 0);
}

/* Read-only: the machine's own memblock must be a valid one. */
KTEST(memblock, live_memblock_valid)
{
	phys_addr_t start, end, free = 0;
	u64 i = 0;

	EXPECT_EQ(test, memblock_check(&memblock), 0);
	EXPECT_UEQ(test, memblock_phys_mem_size(), memblock.memory.total_size);
	EXPECT_UEQ(test, memblock_reserved_size(), memblock.reserved.total_size);
	EXPECT_LE(test, memblock_start_of_DRAM(), memblock_end_of_DRAM());
	while (memblock_next_free_range(&i, &start, &end)) {
		EXPECT_LT(test, start, end);
		EXPECT_TRUE(test, memblock_is_region_memory(start, end - start));
		EXPECT_FALSE(test, memblock_is_region_reserved(start, end - start));
		EXPECT_TRUE(test, memblock_is_memory(start));
		EXPECT_FALSE(test, memblock_is_reserved(end - 1));
		free += end - start;
		if (test->failed)
			break;
	}
	EXPECT_LE(test, free, memblock_phys_mem_size());
	if (!memblock.memory.cnt)
		ktest_skip(test, "memblock is empty");
}
