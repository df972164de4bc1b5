// SPDX-License-Identifier: MIT
/*
 * e820: sanitizing, editing and querying the physical memory map, and the
 * mem=/memmap= command line. Every case works on private tables (the live
 * e820_table holds the machine's real map while the tests run) and checks
 * the e820_table_check() invariants after every step. Expected maps are
 * worked out by hand in the comments.
 */
#include "tests/kernel/ktest.h"
#include "mm/e820.h"
#include "mm/layout.h"
#include "libc/errno.h"
#include "libc/stdlib.h"

#define KiB(x)		((u64)(x) << 10)
#define MiB(x)		((u64)(x) << 20)
#define GiB(x)		((u64)(x) << 30)
#define TiB(x)		((u64)(x) << 40)

#define RAM		E820_TYPE_RAM
#define RES		E820_TYPE_RESERVED
#define ACPI		E820_TYPE_ACPI
#define NVS		E820_TYPE_NVS
#define BAD		E820_TYPE_UNUSABLE
#define PMEM		E820_TYPE_PMEM
#define PRAM		E820_TYPE_PRAM
#define SOFT		E820_TYPE_SOFT_RESERVED

#define E(a, s, t)	{ .addr = (a), .size = (s), .type = (t) }

/* One past the highest physical address there can be. */
#define TOP		(PHYS_ADDR_MAX + 1)

/* Too big for the kernel stack. */
static struct e820_table tbl;
static struct e820_edits edits;

static void expect_map(struct kunit *test, int line, const struct e820_table *t,
		       const struct e820_entry *want, u32 nr)
{
	bool bad = false;
	u32 i;

	if (e820_table_check(t)) {
		ktest_fail(test, __FILE__, line, "e820_table_check() failed");
		bad = true;
	}
	if (t->nr_entries != nr) {
		ktest_fail(test, __FILE__, line, "%u entries, expected %u",
			   t->nr_entries, nr);
		bad = true;
	}
	for (i = 0; i < nr && i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];

		if (e->addr == want[i].addr && e->size == want[i].size &&
		    e->type == want[i].type)
			continue;
		ktest_fail(test, __FILE__, line,
			   "entry %u: [%#lx +%#lx] type %u, expected [%#lx +%#lx] type %u",
			   i, e->addr, e->size, e->type,
			   want[i].addr, want[i].size, want[i].type);
		bad = true;
	}
	if (bad)
		e820__print_table(t, "    # got");
}

#define EXPECT_MAP(test, t, ...) do {					\
	static const struct e820_entry __want[] = { __VA_ARGS__ };	\
	expect_map(test, __LINE__, t, __want, ARRAY_SIZE(__want));	\
} while (0)

static void add(struct e820_table *t, u64 addr, u64 size, u32 type)
{
	e820__range_add(t, addr, size, type);
}

static void table_reset(struct e820_table *t)
{
	t->nr_entries = 0;
}

/* A small PC: low RAM, the BIOS area, RAM to 128 MiB, the flash, 4 GiB above 4 GiB. */
static void base_map(struct e820_table *t)
{
	table_reset(t);
	add(t, 0, 0x9fc00, RAM);
	add(t, 0x9fc00, 0x400, RES);
	add(t, 0xf0000, 0x10000, RES);
	add(t, MiB(1), MiB(127), RAM);
	add(t, 0xfffc0000, 0x40000, RES);
	add(t, GiB(4), GiB(4), RAM);
	e820__update_table(t);
}

/* base_map after sanitizing: low RAM cut down to 0x9f000. */
#define BASE_LOW	E(0, 0x9f000, RAM), E(0x9fc00, 0x400, RES), E(0xf0000, 0x10000, RES)
#define BASE_FLASH	E(0xfffc0000, 0x40000, RES)

static void edits_reset(struct e820_edits *ed)
{
	ed->nr = 0;
}

static void apply(struct e820_table *t, const struct e820_edits *ed)
{
	e820_apply_edits(t, ed);
	e820__update_table(t);
}

/*
 * The base map with the one edit memmap=arg makes, of the given type,
 * applied; false, the case failed, when arg does not make exactly one.
 */
static bool base_map_with(struct kunit *test, int line, const char *arg, u32 type)
{
	int ret;

	base_map(&tbl);
	edits_reset(&edits);
	ret = e820_parse_memmap(&edits, arg);
	if (ret)
		ktest_fail(test, __FILE__, line, "memmap=%s: %d", arg, ret);
	if (edits.nr != 1) {
		ktest_fail(test, __FILE__, line, "memmap=%s: %u edits, not 1", arg, edits.nr);
		return false;
	}
	if (edits.edit[0].type != type)
		ktest_fail(test, __FILE__, line, "memmap=%s: type %u, not %u", arg,
			   edits.edit[0].type, type);
	apply(&tbl, &edits);
	return true;
}
#define BASE_MAP_WITH(test, arg, type)	base_map_with(test, __LINE__, arg, type)

KTEST(e820, base_map_sanitized)
{
	base_map(&tbl);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(127), RAM), BASE_FLASH,
		   E(GiB(4), GiB(4), RAM));
}

KTEST(e820, unsorted)
{
	table_reset(&tbl);
	add(&tbl, MiB(1), 0x7ee0000, RAM);
	add(&tbl, 0xfffc0000, 0x40000, RES);
	add(&tbl, 0, 0x9fc00, RAM);
	add(&tbl, 0x7fe0000, 0x20000, RES);
	add(&tbl, 0xf0000, 0x10000, RES);
	add(&tbl, 0x9fc00, 0x400, RES);
	EXPECT_EQ(test, e820__update_table(&tbl), 0);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), 0x7ee0000, RAM),
		   E(0x7fe0000, 0x20000, RES), BASE_FLASH);
}

/*
 * RAM [1M, 128M), reserved [512K, 1.5M) over its start and reserved
 * [112M, 144M) over its end: the reserved ranges win, RAM keeps the middle.
 */
KTEST(e820, ram_overlapped_by_reserved)
{
	table_reset(&tbl);
	add(&tbl, MiB(1), MiB(127), RAM);
	add(&tbl, MiB(112), MiB(32), RES);
	add(&tbl, KiB(512), MiB(1), RES);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(KiB(512), MiB(1), RES),
		   E(KiB(1536), MiB(112) - KiB(1536), RAM), E(MiB(112), MiB(32), RES));
}

/* One reserved page in the middle of 1 GiB of RAM splits it in two. */
KTEST(e820, reserved_inside_usable)
{
	table_reset(&tbl);
	add(&tbl, 0, GiB(1), RAM);
	add(&tbl, MiB(256), KiB(4), RES);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(0, MiB(256), RAM), E(MiB(256), KiB(4), RES),
		   E(MiB(256) + KiB(4), GiB(1) - MiB(256) - KiB(4), RAM));
	EXPECT_FALSE(test, __e820__mapped_any(&tbl, MiB(256), MiB(256) + 1, RAM));
	EXPECT_TRUE(test, __e820__mapped_all(&tbl, 0, MiB(256), RAM));
	EXPECT_FALSE(test, __e820__mapped_all(&tbl, 0, GiB(1), RAM));
}

/* Overlapping, repeated and touching RAM all become [1M, 6M). */
KTEST(e820, ram_overlapping_ram_merged)
{
	table_reset(&tbl);
	add(&tbl, MiB(1), MiB(2), RAM);
	add(&tbl, MiB(2), MiB(3), RAM);
	add(&tbl, MiB(5), MiB(1), RAM);
	add(&tbl, MiB(1), MiB(1), RAM);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(MiB(1), MiB(5), RAM));
}

/* Empty entries vanish, and an empty reserved one splits nothing. */
KTEST(e820, zero_length_dropped)
{
	table_reset(&tbl);
	add(&tbl, 0, 0, RAM);
	add(&tbl, MiB(1), MiB(1), RAM);
	add(&tbl, KiB(1536), 0, RES);
	add(&tbl, MiB(4), 0, BAD);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(MiB(1), MiB(1), RAM));

	table_reset(&tbl);
	add(&tbl, MiB(4), 0, RAM);
	e820__update_table(&tbl);
	EXPECT_EQ(test, tbl.nr_entries, 0);
	EXPECT_EQ(test, e820_table_check(&tbl), 0);
}

/*
 * [0x1234, 0x10010) RAM -> [0x2000, 0x10000). [0x20001, 0x20fff) RAM holds
 * no whole page: gone. Two halves of a page merge before the trim and
 * keep it. Reserved stays byte-exact.
 */
KTEST(e820, unaligned_ram_trimmed)
{
	table_reset(&tbl);
	add(&tbl, 0x1234, 0x10010 - 0x1234, RAM);
	add(&tbl, 0x20001, 0xffe, RAM);
	add(&tbl, 0x30001, 0x10, RES);
	add(&tbl, 0x40800, 0x800, RAM);
	add(&tbl, 0x40000, 0x800, RAM);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(0x2000, 0xe000, RAM), E(0x30001, 0x10, RES),
		   E(0x40000, 0x1000, RAM));
}

/* RAM cut by a reserved range that ends mid-page loses the partial page. */
KTEST(e820, ram_split_unaligned)
{
	table_reset(&tbl);
	add(&tbl, 0, MiB(1), RAM);
	add(&tbl, 0x9fc00, 0x400, RES);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(0, 0x9f000, RAM), E(0x9fc00, 0x400, RES),
		   E(0xa0000, MiB(1) - 0xa0000, RAM));
}

KTEST(e820, holes_kept)
{
	table_reset(&tbl);
	add(&tbl, MiB(1), MiB(1), RAM);
	add(&tbl, 0, 0xa0000, RAM);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(0, 0xa0000, RAM), E(MiB(1), MiB(1), RAM));
	EXPECT_FALSE(test, __e820__mapped_any(&tbl, 0xa0000, MiB(1), E820_TYPE_ANY));
	EXPECT_TRUE(test, __e820__mapped_any(&tbl, 0x9f000, MiB(1), RAM));
	EXPECT_FALSE(test, __e820__mapped_all(&tbl, 0, MiB(2), RAM));
	EXPECT_TRUE(test, __e820__mapped_all(&tbl, MiB(1), MiB(2), RAM));
	EXPECT_FALSE(test, __e820__mapped_all(&tbl, MiB(1), MiB(1), RAM));
}

/* Adjacent entries of two types still answer mapped_all for ANY. */
KTEST(e820, mapped_all_across_types)
{
	base_map(&tbl);
	EXPECT_TRUE(test, __e820__mapped_all(&tbl, 0xf0000, MiB(2), E820_TYPE_ANY));
	EXPECT_FALSE(test, __e820__mapped_all(&tbl, 0xf0000, MiB(2), RAM));
	EXPECT_FALSE(test, __e820__mapped_all(&tbl, 0x9f000, 0xa0000, E820_TYPE_ANY));
	EXPECT_FALSE(test, __e820__mapped_any(&tbl, 0, GiB(16), PRAM));
	EXPECT_TRUE(test, __e820__mapped_any(&tbl, GiB(8) - 1, GiB(9), RAM));
	EXPECT_FALSE(test, __e820__mapped_any(&tbl, GiB(8), GiB(9), RAM));
}

/*
 * RAM to 2 GiB, a PCI hole, RAM [4G, 8G), and at 1 TiB 16 GiB of RAM with
 * 2 MiB reserved at 1T + 8G. Last RAM pfn: (1T + 16G) >> 12 = 0x10400000;
 * below 4 GiB: 2G >> 12 = 0x80000.
 */
KTEST(e820, above_4g_and_1t)
{
	table_reset(&tbl);
	add(&tbl, TiB(1), GiB(16), RAM);
	add(&tbl, TiB(1) + GiB(8), MiB(2), RES);
	add(&tbl, GiB(4), GiB(4), RAM);
	add(&tbl, GiB(3), GiB(1), RES);
	add(&tbl, 0, GiB(2), RAM);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(0, GiB(2), RAM), E(GiB(3), GiB(1), RES),
		   E(GiB(4), GiB(4), RAM), E(TiB(1), GiB(8), RAM),
		   E(TiB(1) + GiB(8), MiB(2), RES),
		   E(TiB(1) + GiB(8) + MiB(2), GiB(8) - MiB(2), RAM));
	EXPECT_UEQ(test, __e820_end_pfn(&tbl, PFN_DOWN(TOP), RAM),
		   0x10400000);
	EXPECT_UEQ(test, __e820_end_pfn(&tbl, PFN_DOWN(GiB(4)), RAM), 0x80000);
	EXPECT_UEQ(test, __e820_end_pfn(&tbl, PFN_DOWN(GiB(5)), RAM), PFN_DOWN(GiB(5)));
}

/*
 * Nothing lives above PHYS_ADDR_MAX (2^46 - 1): an entry crossing it is
 * cut there, one above it or wrapping past 2^64 is dropped.
 */
KTEST(e820, clamped_to_phys_addr_max)
{
	table_reset(&tbl);
	add(&tbl, TOP - GiB(1), GiB(2), RAM);
	add(&tbl, TOP * 2, GiB(1), RAM);
	add(&tbl, ~0ULL - 0xfff, 0x2000, RES);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(TOP - GiB(1), GiB(1), RAM));

	table_reset(&tbl);
	add(&tbl, MiB(1), ~0ULL, RES);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(MiB(1), TOP - MiB(1), RES));
}

/*
 * Only the low 636 KiB are usable: nothing above 1 MiB. The two touching
 * reserved ranges merge into [0xf0000, 64M).
 */
KTEST(e820, no_usable_above_1m)
{
	table_reset(&tbl);
	add(&tbl, 0, 0x9fc00, RAM);
	add(&tbl, 0xf0000, 0x10000, RES);
	add(&tbl, MiB(1), MiB(63), RES);
	add(&tbl, MiB(64), KiB(128), ACPI);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(0, 0x9f000, RAM), E(0xf0000, MiB(64) - 0xf0000, RES),
		   E(MiB(64), KiB(128), ACPI));
	EXPECT_FALSE(test, __e820__mapped_any(&tbl, MiB(1), ~0ULL, RAM));
	EXPECT_UEQ(test, __e820_end_pfn(&tbl, PFN_DOWN(TOP), RAM), 0x9f);
}

/*
 * The priority rule (see e820_type_rank()): RAM < soft reserved < PMEM,
 * PRAM < reserved, ACPI, unknown < NVS < unusable; ties to the higher
 * number. Soft reserved (0xefffffff) loses to PMEM (7) despite its number.
 */
KTEST(e820, overlap_priority)
{
	table_reset(&tbl);
	add(&tbl, 0, MiB(1), RES);
	add(&tbl, KiB(512), MiB(1), ACPI);
	add(&tbl, MiB(2), MiB(2), PRAM);
	add(&tbl, MiB(3), MiB(2), NVS);
	add(&tbl, MiB(6), MiB(2), PRAM);
	add(&tbl, MiB(6), MiB(1), BAD);
	add(&tbl, MiB(8), MiB(4), RAM);
	add(&tbl, MiB(12), MiB(4), RAM);
	add(&tbl, MiB(9), MiB(1), 20);
	add(&tbl, MiB(13), MiB(1), 0);
	add(&tbl, MiB(20), MiB(2), PMEM);
	add(&tbl, MiB(21), MiB(2), PRAM);
	add(&tbl, MiB(24), MiB(2), SOFT);
	add(&tbl, MiB(25), MiB(2), PMEM);
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl,
		   E(0, KiB(512), RES), E(KiB(512), MiB(1), ACPI),
		   E(MiB(2), MiB(1), PRAM), E(MiB(3), MiB(2), NVS),
		   E(MiB(6), MiB(1), BAD), E(MiB(7), MiB(1), PRAM),
		   E(MiB(8), MiB(1), RAM), E(MiB(9), MiB(1), 20),
		   E(MiB(10), MiB(3), RAM), E(MiB(13), MiB(1), 0),
		   E(MiB(14), MiB(2), RAM),
		   E(MiB(20), MiB(1), PMEM), E(MiB(21), MiB(2), PRAM),
		   E(MiB(24), MiB(1), SOFT), E(MiB(25), MiB(2), PMEM));
}

/* 300 firmware entries: 256 kept, 44 refused, nothing written past the end. */
KTEST(e820, overflow_300_entries)
{
	static struct {
		struct e820_table t;
		u64 canary[4];
	} big;
	int i, refused = 0;

	for (i = 0; i < 4; i++)
		big.canary[i] = 0x5a5a5a5a5a5a5a5aULL;
	table_reset(&big.t);
	for (i = 0; i < 300; i++)
		if (e820__range_add(&big.t, (u64)i * MiB(2), MiB(1), RAM))
			refused++;
	EXPECT_EQ(test, big.t.nr_entries, E820_MAX_ENTRIES);
	EXPECT_EQ(test, refused, 300 - E820_MAX_ENTRIES);
	e820__update_table(&big.t);
	EXPECT_EQ(test, e820_table_check(&big.t), 0);
	EXPECT_EQ(test, big.t.nr_entries, E820_MAX_ENTRIES);
	EXPECT_UEQ(test, big.t.entries[255].addr, MiB(510));
	for (i = 0; i < 4; i++)
		EXPECT_UEQ(test, big.canary[i], 0x5a5a5a5a5a5a5a5aULL);
}

/*
 * 1 GiB of RAM with 200 reserved pages at 1M + 4M * i: 401 ranges once
 * split, more than the table holds. The top is dropped, and a dropped
 * range is a hole: no reserved page ever turns into RAM.
 */
KTEST(e820, sanitize_overflow_drops_top)
{
	int i;

	table_reset(&tbl);
	add(&tbl, 0, GiB(1), RAM);
	for (i = 0; i < 200; i++)
		add(&tbl, MiB(1) + (u64)i * MiB(4), KiB(4), RES);
	EXPECT_EQ(test, e820__update_table(&tbl), -ENOMEM);
	EXPECT_EQ(test, e820_table_check(&tbl), 0);
	ASSERT_EQ(test, tbl.nr_entries, E820_MAX_ENTRIES);
	EXPECT_EQ(test, tbl.entries[255].type, RES);
	EXPECT_UEQ(test, tbl.entries[255].addr, MiB(1) + 127 * MiB(4));
	for (i = 0; i < 200; i++) {
		u64 page = MiB(1) + (u64)i * MiB(4);

		EXPECT_FALSE(test, __e820__mapped_any(&tbl, page, page + KiB(4), RAM));
	}
}

/* Linux's range_update and range_remove, then mem=-style removal. */
KTEST(e820, range_update_remove)
{
	table_reset(&tbl);
	add(&tbl, 0, MiB(16), RAM);
	EXPECT_UEQ(test, e820__range_update(&tbl, MiB(4), MiB(1), RAM, RES), MiB(1));
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(0, MiB(4), RAM), E(MiB(4), MiB(1), RES),
		   E(MiB(5), MiB(11), RAM));
	/* Only RAM goes: the reserved range stays. */
	EXPECT_UEQ(test, e820__range_remove(&tbl, MiB(3), MiB(3), RAM, true), MiB(2));
	EXPECT_UEQ(test, e820__range_remove(&tbl, 0, MiB(2), RAM, true), MiB(2));
	EXPECT_UEQ(test, e820__range_remove(&tbl, MiB(8), ~0ULL, RAM, true), MiB(8));
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(MiB(2), MiB(1), RAM), E(MiB(4), MiB(1), RES),
		   E(MiB(6), MiB(2), RAM));
	/* Any type, strictly inside one entry: split. */
	EXPECT_UEQ(test, e820__range_remove(&tbl, MiB(6) + KiB(4), KiB(4), 0, false), KiB(4));
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(MiB(2), MiB(1), RAM), E(MiB(4), MiB(1), RES),
		   E(MiB(6), KiB(4), RAM), E(MiB(6) + KiB(8), MiB(2) - KiB(8), RAM));
	/* Retype part of two entries at once. */
	EXPECT_UEQ(test, e820__range_update(&tbl, MiB(2) + KiB(512), MiB(3) + KiB(516), RAM, NVS),
		   KiB(512) + KiB(4));
	e820__update_table(&tbl);
	EXPECT_MAP(test, &tbl, E(MiB(2), KiB(512), RAM), E(MiB(2) + KiB(512), KiB(512), NVS),
		   E(MiB(4), MiB(1), RES), E(MiB(6), KiB(4), NVS),
		   E(MiB(6) + KiB(8), MiB(2) - KiB(8), RAM));
}

KTEST(e820, type_names)
{
	EXPECT_STREQ(test, e820_type_name(RAM), "usable");
	EXPECT_STREQ(test, e820_type_name(RES), "reserved");
	EXPECT_STREQ(test, e820_type_name(ACPI), "ACPI data");
	EXPECT_STREQ(test, e820_type_name(NVS), "ACPI NVS");
	EXPECT_STREQ(test, e820_type_name(BAD), "unusable");
	EXPECT_STREQ(test, e820_type_name(PMEM), "persistent (type 7)");
	EXPECT_STREQ(test, e820_type_name(PRAM), "persistent (type 12)");
	EXPECT_STREQ(test, e820_type_name(SOFT), "soft reserved");
	EXPECT_STREQ(test, e820_type_name(6), "unknown");
}

/* The checker itself must catch each broken shape. */
KTEST(e820, check_catches)
{
	table_reset(&tbl);
	add(&tbl, MiB(2), MiB(1), RES);
	add(&tbl, MiB(1), MiB(1), RES);
	EXPECT_EQ(test, e820_table_check(&tbl), -EINVAL);	/* unsorted */
	table_reset(&tbl);
	add(&tbl, MiB(1), MiB(2), RES);
	add(&tbl, MiB(2), MiB(2), ACPI);
	EXPECT_EQ(test, e820_table_check(&tbl), -EINVAL);	/* overlap */
	table_reset(&tbl);
	add(&tbl, MiB(1), 0, RES);
	EXPECT_EQ(test, e820_table_check(&tbl), -EINVAL);	/* empty */
	table_reset(&tbl);
	add(&tbl, MiB(1), 0x800, RAM);
	EXPECT_EQ(test, e820_table_check(&tbl), -EINVAL);	/* unaligned RAM */
	table_reset(&tbl);
	add(&tbl, MiB(1), MiB(1), RAM);
	add(&tbl, MiB(2), MiB(1), RAM);
	EXPECT_EQ(test, e820_table_check(&tbl), -EINVAL);	/* not merged */
	table_reset(&tbl);
	add(&tbl, TOP - MiB(1), MiB(2), RES);
	EXPECT_EQ(test, e820_table_check(&tbl), -EINVAL);	/* too high */
	table_reset(&tbl);
	add(&tbl, MiB(1), MiB(1), RAM);
	add(&tbl, MiB(2), 0x800, RES);
	EXPECT_EQ(test, e820_table_check(&tbl), 0);
}

/* memmap=nn@ss: usable RAM, merged with RAM it touches, losing to reserved. */
KTEST(e820, memmap_add_ram)
{
	base_map(&tbl);
	edits_reset(&edits);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "64M@16G"), 0);
	ASSERT_EQ(test, edits.nr, 1);
	EXPECT_EQ(test, edits.edit[0].op, E820_EDIT_ADD);
	EXPECT_UEQ(test, edits.edit[0].addr, GiB(16));
	EXPECT_UEQ(test, edits.edit[0].size, MiB(64));
	EXPECT_EQ(test, edits.edit[0].type, RAM);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "1M@0x1000000"), 0);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "1M@0xfff00000"), 0);
	apply(&tbl, &edits);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(127), RAM),
		   E(0xfff00000, 0xc0000, RAM), BASE_FLASH,
		   E(GiB(4), GiB(4), RAM), E(GiB(16), MiB(64), RAM));
}

/* memmap=16M$64M: reserved, RAM split around it. */
KTEST(e820, memmap_reserve)
{
	if (!BASE_MAP_WITH(test, "16M$64M", RES))
		return;
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(63), RAM),
		   E(MiB(64), MiB(16), RES), E(MiB(80), MiB(48), RAM), BASE_FLASH,
		   E(GiB(4), GiB(4), RAM));
}

/* memmap=1G!4G: device memory carved out of RAM. */
KTEST(e820, memmap_pram)
{
	if (!BASE_MAP_WITH(test, "1G!4G", PRAM))
		return;
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(127), RAM), BASE_FLASH,
		   E(GiB(4), GiB(1), PRAM), E(GiB(5), GiB(3), RAM));
	EXPECT_TRUE(test, __e820__mapped_all(&tbl, GiB(4), GiB(5), PRAM));
	EXPECT_FALSE(test, __e820__mapped_any(&tbl, GiB(4), GiB(5), RAM));
}

/* memmap=64K#0x2000000: ACPI data at 32 MiB. */
KTEST(e820, memmap_acpi)
{
	if (!BASE_MAP_WITH(test, "64K#0x2000000", ACPI))
		return;
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(31), RAM),
		   E(MiB(32), KiB(64), ACPI), E(MiB(32) + KiB(64), MiB(96) - KiB(64), RAM),
		   BASE_FLASH, E(GiB(4), GiB(4), RAM));
}

/* Several items in one value, recorded in order. */
KTEST(e820, memmap_comma_list)
{
	base_map(&tbl);
	edits_reset(&edits);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "16M$64M,1G!4G,64K#0x2000000"), 0);
	ASSERT_EQ(test, edits.nr, 3);
	EXPECT_EQ(test, edits.edit[0].type, RES);
	EXPECT_EQ(test, edits.edit[1].type, PRAM);
	EXPECT_EQ(test, edits.edit[2].type, ACPI);
	apply(&tbl, &edits);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(31), RAM),
		   E(MiB(32), KiB(64), ACPI), E(MiB(32) + KiB(64), MiB(32) - KiB(64), RAM),
		   E(MiB(64), MiB(16), RES), E(MiB(80), MiB(48), RAM), BASE_FLASH,
		   E(GiB(4), GiB(1), PRAM), E(GiB(5), GiB(3), RAM));
}

static const struct {
	const char *val;
	int err;
} bad_memmap[] = {
	{ "", -EINVAL },			/* nothing */
	{ "@0x1000000", -EINVAL },		/* no size */
	{ "64M&0x1000000", -EINVAL },		/* unknown separator */
	{ "64M@", -EINVAL },			/* no start */
	{ "64Mfoo@0x1000000", -EINVAL },	/* garbage in the size */
	{ "64M@0x1000000junk", -EINVAL },	/* garbage after the start */
	{ "64M@@0x1000000", -EINVAL },
	{ "0@0x1000000", -EINVAL },		/* size 0 */
	{ "0x0$0x1000000", -EINVAL },
	{ "0", -EINVAL },			/* a limit of 0 */
	{ "exactmap", -EINVAL },		/* not supported */
	{ "1M%0x100000+2-1", -EINVAL },		/* not supported */
	{ "16M$64M,exactmap", -EINVAL },	/* one bad item spoils all */
	{ "16M$64M,junk", -EINVAL },
	{ "16M$64M,", -EINVAL },
	{ ",16M$64M", -EINVAL },
	{ "0x10000000000000000@0", -ERANGE },	/* 2^64 */
	{ "16777216T@0", -ERANGE },		/* 2^64 by the suffix */
	{ "4K@0x10000000000000000", -ERANGE },
	{ "0xfffffffffffff000$0x2000", -ERANGE },	/* wraps past 2^64 */
	{ "4K@0x400000000000", -ERANGE },	/* starts past PHYS_ADDR_MAX */
	{ "8K@0x3ffffffff000", -ERANGE },	/* ends past PHYS_ADDR_MAX */
};

/* Each bad value is refused with its error and leaves the edits as they were. */
KTEST(e820, memmap_malformed)
{
	unsigned int i;

	edits_reset(&edits);
	ASSERT_EQ(test, e820_parse_memmap(&edits, "4K@0x3ffffffff000"), 0);
	for (i = 0; i < ARRAY_SIZE(bad_memmap); i++) {
		int err = e820_parse_memmap(&edits, bad_memmap[i].val);

		if (err != bad_memmap[i].err)
			ktest_fail(test, __FILE__, __LINE__,
				   "memmap=%s returned %d, expected %d",
				   bad_memmap[i].val, err, bad_memmap[i].err);
		EXPECT_EQ(test, edits.nr, 1);
	}
	EXPECT_UEQ(test, edits.edit[0].addr, 0x3ffffffff000);
	EXPECT_UEQ(test, edits.edit[0].size, KiB(4));
	EXPECT_EQ(test, edits.edit[0].type, RAM);
	base_map(&tbl);
	apply(&tbl, &edits);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(127), RAM), BASE_FLASH,
		   E(GiB(4), GiB(4), RAM), E(0x3ffffffff000, KiB(4), RAM));
}

/* mem=64M+2K: RAM ends at 64 MiB (cut to a page), reserved ranges stay. */
KTEST(e820, mem_limit)
{
	base_map(&tbl);
	edits_reset(&edits);
	EXPECT_EQ(test, e820_parse_mem(&edits, "0x4000800"), 0);
	ASSERT_EQ(test, edits.nr, 1);
	EXPECT_EQ(test, edits.edit[0].op, E820_EDIT_LIMIT);
	apply(&tbl, &edits);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(63), RAM), BASE_FLASH);

	EXPECT_EQ(test, e820_parse_mem(&edits, ""), -EINVAL);
	EXPECT_EQ(test, e820_parse_mem(&edits, "0"), -EINVAL);
	EXPECT_EQ(test, e820_parse_mem(&edits, "nopentium"), -EINVAL);
	EXPECT_EQ(test, e820_parse_mem(&edits, "1Q"), -EINVAL);
	EXPECT_EQ(test, e820_parse_mem(&edits, "0x10000000000000000"), -ERANGE);
	EXPECT_EQ(test, edits.nr, 1);
}

/* A bare memmap=6G is Linux's other spelling of mem=6G. */
KTEST(e820, memmap_size_alone_limits)
{
	base_map(&tbl);
	edits_reset(&edits);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "6G"), 0);
	apply(&tbl, &edits);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(127), RAM), BASE_FLASH,
		   E(GiB(4), GiB(2), RAM));
}

/* Command-line order: RAM added after mem= survives it, RAM added before does not. */
KTEST(e820, mem_and_memmap_order)
{
	base_map(&tbl);
	edits_reset(&edits);
	EXPECT_EQ(test, e820_parse_mem(&edits, "1G"), 0);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "512M@4G"), 0);
	apply(&tbl, &edits);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(127), RAM), BASE_FLASH,
		   E(GiB(4), MiB(512), RAM));

	base_map(&tbl);
	edits_reset(&edits);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "512M@16G"), 0);
	EXPECT_EQ(test, e820_parse_mem(&edits, "1G"), 0);
	apply(&tbl, &edits);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(127), RAM), BASE_FLASH);
}

/*
 * An edit overlapping an earlier one of another type is ignored (with a
 * warning); one of the same type is fine. Also within one value.
 */
KTEST(e820, memmap_overlapping_edits)
{
	base_map(&tbl);
	edits_reset(&edits);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "16M$64M"), 0);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "32M!72M"), 0);
	EXPECT_EQ(test, edits.nr, 1);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "8M$76M"), 0);
	EXPECT_EQ(test, edits.nr, 2);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "4M#100M,4M$102M,1M@110M"), 0);
	ASSERT_EQ(test, edits.nr, 4);
	EXPECT_EQ(test, edits.edit[2].type, ACPI);
	EXPECT_EQ(test, edits.edit[3].type, RAM);
	/* Touching is not overlapping. */
	EXPECT_EQ(test, e820_parse_memmap(&edits, "1M!104M"), 0);
	EXPECT_EQ(test, edits.nr, 5);
	apply(&tbl, &edits);
	EXPECT_MAP(test, &tbl, BASE_LOW, E(MiB(1), MiB(63), RAM),
		   E(MiB(64), MiB(20), RES), E(MiB(84), MiB(16), RAM),
		   E(MiB(100), MiB(4), ACPI), E(MiB(104), MiB(1), PRAM),
		   E(MiB(105), MiB(23), RAM), BASE_FLASH, E(GiB(4), GiB(4), RAM));
}

/* The edit array is fixed: when full, the handler says so and records nothing. */
KTEST(e820, edits_full)
{
	int i;

	edits_reset(&edits);
	for (i = 0; i < E820_MAX_EDITS - 1; i++)
		ASSERT_EQ(test, e820_parse_mem(&edits, "8G"), 0);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "4K@1M,4K@2M"), -ERANGE);
	EXPECT_EQ(test, edits.nr, E820_MAX_EDITS - 1);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "4K@1M"), 0);
	EXPECT_EQ(test, edits.nr, E820_MAX_EDITS);
	EXPECT_EQ(test, e820_parse_mem(&edits, "1G"), -ERANGE);
	EXPECT_EQ(test, e820_parse_memmap(&edits, "4K$3M"), -ERANGE);
	EXPECT_EQ(test, edits.nr, E820_MAX_EDITS);
}

/*
 * Random maps against a model: slots of half a page, each owned by the
 * strongest type covering it, RAM runs cut to whole pages. The rank table
 * is the documented rule, written out again here.
 */
static const u32 model_types[] = { RAM, RES, ACPI, NVS, BAD, PMEM, PRAM, SOFT, 20, 0 };
static const unsigned int model_rank[] = { 0, 3, 3, 4, 5, 2, 2, 1, 3, 3 };

#define SLOT		0x800
#define NR_SLOTS	128

static u64 rnd_state;

static bool model_beats(int a, int b)
{
	if (model_rank[a] != model_rank[b])
		return model_rank[a] > model_rank[b];
	return model_types[a] > model_types[b];
}

static void model_emit(struct e820_table *want, u32 s, u32 e, int owner)
{
	u64 start = (u64)s * SLOT, end = (u64)e * SLOT;

	if (model_types[owner] == RAM) {
		start = ALIGN(start, PAGE_SIZE);
		end = ALIGN_DOWN(end, PAGE_SIZE);
		if (start >= end)
			return;
	}
	e820__range_add(want, start, end - start, model_types[owner]);
}

static void model_build(struct e820_table *want, const int *owner)
{
	u32 s = 0, i;

	table_reset(want);
	for (i = 1; i <= NR_SLOTS; i++) {
		if (i < NR_SLOTS && owner[i] == owner[s])
			continue;
		if (owner[s] >= 0)
			model_emit(want, s, i, owner[s]);
		s = i;
	}
}

KTEST(e820, sanitize_random)
{
	static struct e820_table want;
	int owner[NR_SLOTS];
	int round;

	rnd_state = 0x9e3779b97f4a7c15ULL;
	for (round = 0; round < 200; round++) {
		u32 i, j, n = 1 + xorshift64(&rnd_state) % 40;

		table_reset(&tbl);
		for (i = 0; i < NR_SLOTS; i++)
			owner[i] = -1;
		for (i = 0; i < n; i++) {
			u32 s = xorshift64(&rnd_state) % NR_SLOTS;
			u32 len = xorshift64(&rnd_state) % 20;
			int t = xorshift64(&rnd_state) % ARRAY_SIZE(model_types);

			if (s + len > NR_SLOTS)
				len = NR_SLOTS - s;
			add(&tbl, (u64)s * SLOT, (u64)len * SLOT, model_types[t]);
			for (j = s; j < s + len; j++)
				if (owner[j] < 0 || model_beats(t, owner[j]))
					owner[j] = t;
		}
		e820__update_table(&tbl);
		model_build(&want, owner);
		expect_map(test, __LINE__, &tbl, want.entries, want.nr_entries);
		/* Sanitizing a sanitized table changes nothing. */
		e820__update_table(&tbl);
		expect_map(test, __LINE__, &tbl, want.entries, want.nr_entries);
		if (test->failed) {
			ktest_log(test, "round %d", round);
			return;
		}
	}
}

/* Read-only: whatever the machine's map is, it must be a valid one. */
KTEST(e820, live_table_valid)
{
	EXPECT_EQ(test, e820_table_check(e820_table), 0);
	EXPECT_LE(test, e820_end_of_low_ram_pfn(), e820_end_of_ram_pfn());
	if (!e820_table->nr_entries)
		ktest_skip(test, "no memory map");
}
