// SPDX-License-Identifier: MIT
/*
 * The sparse memory model (mm/sparse.c, mm/page.h): the section table
 * and its state bits, the vmemmap of present sections (and nothing for
 * holes), struct page arithmetic, compound pages, zones by pfn.
 *
 * Which sections hold RAM is computed here from e820_table (a section
 * is 128 MiB; it is present when any RAM range overlaps it), and the
 * memmap size from that: 64 bytes for each of the 32768 pages of every
 * present section, 2 MiB per section.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/e820.h"
#include "mm/debug/check.h"
#include "mm/fail_page_alloc.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"
#include "kernel/extable.h"
#include "kernel/pseudofs.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

#define SECTION_BYTES		(128ULL << 20)
#define PAGES_PER_SECTION_CALC	(SECTION_BYTES / 4096)
#define MEMMAP_PER_SECTION	(64 * PAGES_PER_SECTION_CALC)	/* 2 MiB */

static bool section_has_ram(unsigned long nr)
{
	u64 start = nr * SECTION_BYTES, end = start + SECTION_BYTES;
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e)
		if (e->type == E820_TYPE_RAM && e->addr < end && e->addr + e->size > start)
			return true;
	return false;
}

static bool section_has_device(unsigned long nr)
{
	u64 start = nr * SECTION_BYTES, end = start + SECTION_BYTES;
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e)
		if ((e->type == E820_TYPE_PMEM || e->type == E820_TYPE_PRAM) &&
		    e->addr < end && e->addr + e->size > start)
			return true;
	return false;
}

/* The end of RAM and of RAM or device memory, from the map. */
static void map_ends(u64 *ram_end, u64 *any_end)
{
	struct e820_entry *e;

	*ram_end = *any_end = 0;
	for_each_e820_entry(e820_table, e) {
		u64 end = e->addr + e->size;

		if (e->type == E820_TYPE_RAM)
			*ram_end = max(*ram_end, end);
		if (e->type == E820_TYPE_RAM || e->type == E820_TYPE_PMEM ||
		    e->type == E820_TYPE_PRAM)
			*any_end = max(*any_end, end);
	}
}

static unsigned long count_ram_sections(void)
{
	unsigned long n = 0;

	for (unsigned long nr = 0; nr < nr_mem_sections; nr++)
		n += section_has_ram(nr);
	return n;
}

#define EXPECT_PGTABLE_OK(test)	KTEST_CHECK(test, kernel_pgtable_check)

static bool mapped(unsigned long va)
{
	u64 v;

	return probe_read_u64((void *)va, &v) == 0;
}

/* ---------------------------------------------------------------------- */

KTEST(sparse, section_table_size)
{
	u64 ram_end, any_end;

	map_ends(&ram_end, &any_end);
	EXPECT_EQ(test, nr_mem_sections, DIV_ROUND_UP(any_end, SECTION_BYTES));
	EXPECT_EQ(test, max_pfn, ram_end >> 12);
	EXPECT_EQ(test, PAGES_PER_SECTION, PAGES_PER_SECTION_CALC);
	EXPECT_EQ(test, SECTION_MEMMAP_SIZE, 2UL << 20);
}

/*
 * The memmap is 64 bytes x pages of present sections, nothing for holes.
 * HVO shrinks it by what it frees: count that back in (no huge pages
 * exist in the memory configurations, so there it is exact).
 */
KTEST(sparse, vmemmap_size)
{
	unsigned long present = count_ram_sections();
	unsigned long want = MEMMAP_PER_SECTION * present;
	unsigned long hvo = vmemmap_optimized_pages() * PAGE_SIZE;
	char buf[2048], line[64];

	ktest_log(test, "vmemmap: %lu KiB for %lu present sections", ktest_vmemmap_bytes() >> 10, present);
	EXPECT_EQ(test, nr_present_sections(), present);
	if (hvo)
		ktest_log(test, "HVO has freed %lu KiB of it", hvo >> 10);
	EXPECT_EQ(test, ktest_vmemmap_bytes() + hvo, want);
	/* /proc/meminfo says the same. */
	ASSERT_GT(test, pseudofs_read("/proc/meminfo", buf, sizeof(buf)), 0);
	/* Raw: what is mapped, the free blocks' shared tails counted once. */
	snprintf(line, sizeof(line), "Vmemmap:        %8lu kB\n", vmemmap_bytes() >> 10);
	EXPECT_TRUE(test, strstr(buf, line) != NULL);
}

/* Present sections are online with their memmap mapped; others are not. */
KTEST(sparse, section_states)
{
	unsigned int bad = 0;

	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		unsigned long flags = mem_section[nr].flags;
		unsigned long want = SECTION_PRESENT | SECTION_HAS_MEMMAP | SECTION_ONLINE;

		if (section_has_ram(nr)) {
			if ((flags & want) == want && !(flags & SECTION_DEVICE))
				continue;
		} else {
			if (!(flags & want))
				continue;
		}
		if (bad++ < 4)
			ktest_fail(test, __FILE__, __LINE__, "section %lu: flags %#lx, RAM %d",
				   nr, flags, section_has_ram(nr));
	}
	EXPECT_EQ(test, bad, 0);
}

/* How a present section's vmemmap is mapped: one PMD leaf or 512 PTEs. */
static unsigned int check_section_map(struct kunit *test, unsigned long nr)
{
	unsigned long va = section_vmemmap(nr);
	struct mem_section *ms = &mem_section[nr];
	enum pg_level level;
	pteval_t *e;

	EXPECT_UEQ(test, va, VMEMMAP_START + nr * MEMMAP_PER_SECTION);
	EXPECT_TRUE(test, (unsigned long)pfn_to_page(nr * PAGES_PER_SECTION_CALC) == va);
	if (ms->nr_optimized)
		return 0;	/* HVO's own checker knows its shape */
	e = kernel_lookup(va, &level);
	if (ms->flags & SECTION_MEMMAP_PMD) {
		if (e && level == PG_LEVEL_2M && IS_ALIGNED(entry_phys(*e), PMD_SIZE))
			return 0;
		ktest_fail(test, __FILE__, __LINE__, "section %lu: SECTION_MEMMAP_PMD but level %d", nr, level);
		return 1;
	}
	for (unsigned long off = 0; off < MEMMAP_PER_SECTION; off += PAGE_SIZE) {
		e = kernel_lookup(va + off, &level);
		if (!e || level != PG_LEVEL_4K) {
			ktest_fail(test, __FILE__, __LINE__, "section %lu: vmemmap +%#lx level %d", nr, off, level);
			return 1;
		}
	}
	return 0;
}

KTEST(sparse, present_vmemmap_mapped)
{
	unsigned int bad = 0, pmd = 0, n = 0;

	for (unsigned long nr = 0; nr < nr_mem_sections && bad < 4; nr++) {
		unsigned long va = section_vmemmap(nr);

		if (!section_has_ram(nr))
			continue;
		n++;
		pmd += !!(mem_section[nr].flags & SECTION_MEMMAP_PMD);
		bad += check_section_map(test, nr);
		/* The first and last struct page can be read. */
		if (!mapped(va) || !mapped(va + MEMMAP_PER_SECTION - 8)) {
			ktest_fail(test, __FILE__, __LINE__, "section %lu: vmemmap not readable", nr);
			bad++;
		}
	}
	ktest_log(test, "%u present sections, %u under PMD leaves", n, pmd);
	EXPECT_EQ(test, bad, 0);
}

/* A section without RAM has nothing at its vmemmap address, nor does the end. */
KTEST(sparse, holes_unmapped)
{
	unsigned int holes = 0;
	unsigned long past = section_nr_to_pfn(nr_mem_sections);
	enum pg_level level;

	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		unsigned long va = section_vmemmap(nr);

		if (section_has_ram(nr) || section_has_device(nr))
			continue;
		holes++;
		EXPECT_NULL(test, kernel_lookup(va, &level));
		EXPECT_NULL(test, kernel_lookup(va + MEMMAP_PER_SECTION / 2, &level));
		EXPECT_FALSE(test, mapped(va));
		EXPECT_FALSE(test, mapped(va + MEMMAP_PER_SECTION - 8));
		EXPECT_FALSE(test, pfn_valid(section_nr_to_pfn(nr)));
		EXPECT_FALSE(test, pfn_valid(section_nr_to_pfn(nr + 1) - 1));
	}
	ktest_log(test, "%u sections without RAM inside the table of %lu", holes, nr_mem_sections);
	/* Past the table: no struct pages, no section. */
	EXPECT_FALSE(test, mapped((unsigned long)pfn_to_page(past)));
	EXPECT_FALSE(test, pfn_valid(past));
	EXPECT_FALSE(test, pfn_valid(past + 12345));
	EXPECT_FALSE(test, pfn_valid(~0UL >> 12));
	EXPECT_NULL(test, __pfn_to_section(past));
}

/* ---------------------------------------------------------------------- */

KTEST(sparse, pfn_page_round_trip)
{
	unsigned long checked = 0, bad = 0;

	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		unsigned long start = nr * PAGES_PER_SECTION_CALC;

		if (!section_has_ram(nr))
			continue;
		for (unsigned long pfn = start; pfn < start + PAGES_PER_SECTION_CALC; pfn++) {
			struct page *page = pfn_to_page(pfn);

			bad += (unsigned long)page != VMEMMAP_START + pfn * 64 ||
			       page_to_pfn(page) != pfn || !pfn_valid(pfn);
			checked++;
		}
	}
	EXPECT_EQ(test, bad, 0);
	EXPECT_EQ(test, checked, count_ram_sections() * PAGES_PER_SECTION_CALC);
	/* Through the direct map and back. */
	for (unsigned long pfn = 0x100; pfn < max_pfn; pfn += 0x3fff) {
		if (!pfn_valid(pfn))
			continue;
		EXPECT_TRUE(test, virt_to_page(__va(PFN_PHYS(pfn) + 123)) == pfn_to_page(pfn));
		EXPECT_TRUE(test, page_address(pfn_to_page(pfn)) == __va(PFN_PHYS(pfn)));
	}
}

/* Zones from the pfn alone: DMA below 16 MiB, DMA32 below 4 GiB. */
KTEST(sparse, zone_by_pfn)
{
	static const struct { unsigned long pfn; enum zone_type zone; } cases[] = {
		{ 0, ZONE_DMA }, { 0xfff, ZONE_DMA }, { 0x1000, ZONE_DMA32 },
		{ 0xfffff, ZONE_DMA32 }, { 0x100000, ZONE_NORMAL }, { 0x1fffff, ZONE_NORMAL },
	};
	unsigned int tested = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!pfn_valid(cases[i].pfn))
			continue;
		EXPECT_TRUE(test, page_zone(pfn_to_page(cases[i].pfn)) == &zones[cases[i].zone]);
		EXPECT_EQ(test, page_to_nid(pfn_to_page(cases[i].pfn)), 0);
		tested++;
	}
	EXPECT_GE(test, tested, 3);
	EXPECT_EQ(test, zones[ZONE_DMA].zone_start_pfn, 0);
	EXPECT_EQ(test, zones[ZONE_DMA32].zone_start_pfn, (16UL << 20) >> 12);
	EXPECT_EQ(test, zones[ZONE_NORMAL].zone_start_pfn, (4UL << 30) >> 12);
}

/*
 * A free block kept optimized (mm/buddy_vmemmap.c) has the shape of an
 * optimized 2 MiB page: its tails lead to its pageblock's head, which is
 * marked; beyond the head vmemmap page they are the shared read-only page.
 */
static bool shared_free_tail(struct page *p)
{
	struct page *head = pfn_to_page(page_to_pfn(p) & ~(pageblock_nr_pages - 1));
	unsigned long va = (unsigned long)p & PAGE_MASK;

	if (!PageVmemmapOptimized(head) || compound_head(p) != head)
		return false;
	return va == (unsigned long)head ||
	       kernel_virt_to_phys(va) == vmemmap_shared_tail_phys(HVO_ORDER_2M);
}

/*
 * Compound pages: every tail finds the head by masking its own address,
 * and holds the same bytes in every huge page of its order, but tails
 * 1..3, which may keep per-huge-page data (compound_order is in tail 1).
 */
static void check_compound(struct kunit *test, unsigned int order)
{
	unsigned long info = ~((1UL << (order + 6)) - 1) | 1, n = 1UL << order, bad = 0;
	struct page *a = alloc_pages(GFP_KERNEL | __GFP_COMP, order);
	struct page *b = alloc_pages(GFP_KERNEL | __GFP_COMP, order);

	ASSERT_NOT_NULL(test, a);
	ASSERT_NOT_NULL(test, b);
	EXPECT_TRUE(test, PageHead(a) && !PageTail(a));
	EXPECT_EQ(test, compound_order(a), order);
	EXPECT_TRUE(test, compound_head(a) == a);
	for (unsigned long i = 1; i < n; i++) {
		bad += compound_head(a + i) != a || compound_head(b + i) != b ||
		       !PageTail(a + i) || a[i].compound_info != info;
		if (i >= 4 && memcmp(&a[i], &b[i], sizeof(struct page)) && bad++ < 2)
			ktest_log(test, "order-%u tails %lu differ: private %#lx/%#lx", order, i,
				  a[i].private, b[i].private);
	}
	EXPECT_EQ(test, bad, 0);
	EXPECT_EQ(test, page_ref_count(a + n - 1), 1);
	free_pages(a, order);
	free_pages(b, order);
	bad = 0;
	for (unsigned long i = 1; i < n; i++)
		bad += (PageTail(a + i) && !shared_free_tail(a + i)) ||
		       (PageTail(b + i) && !shared_free_tail(b + i));
	EXPECT_EQ(test, bad, 0);
}

KTEST(sparse, compound_order9)
{
	check_compound(test, 9);
}

KTEST(sparse, compound_order10)
{
	check_compound(test, 10);
}

/* ---------------------------------------------------------------------- */

/*
 * Populate and depopulate a section without RAM (safe: nothing uses its
 * struct pages, and it never goes online): first with a PMD leaf, then,
 * with the 2 MiB allocation failed by injection, with 512 PTEs. Either
 * way the memmap grows by 2 MiB and everything comes back afterwards.
 */
struct sparse_base {
	unsigned long memmap, tables, free, flags;
};

static void sparse_base(struct sparse_base *b, unsigned long nr)
{
	drain_all_pages();
	b->memmap = ktest_vmemmap_bytes();
	b->tables = ktest_pgtable_pages();
	b->free = ktest_free_pages();
	b->flags = mem_section[nr].flags;
}

static void expect_sparse_base(struct kunit *test, const struct sparse_base *b,
			       unsigned long nr, int line)
{
	struct errmsg msg;

	drain_all_pages();
	if (ktest_vmemmap_bytes() != b->memmap || ktest_pgtable_pages() != b->tables ||
	    ktest_free_pages() != b->free || mem_section[nr].flags != b->flags)
		ktest_fail(test, __FILE__, line, "vmemmap %lu/%lu tables %lu/%lu free %lu/%lu flags %#lx/%#lx",
			   ktest_vmemmap_bytes(), b->memmap, ktest_pgtable_pages(), b->tables,
			   ktest_free_pages(), b->free, mem_section[nr].flags, b->flags);
	if (kernel_lookup(section_vmemmap(nr), &(enum pg_level){ 0 }) ||
	    mapped(section_vmemmap(nr) + MEMMAP_PER_SECTION - 8))
		ktest_fail(test, __FILE__, line, "section %lu: vmemmap still mapped", nr);
	ktest_check(test, __FILE__, line, "kernel_pgtable_check", kernel_pgtable_check);
	if (page_alloc_check(&msg))
		ktest_fail(test, __FILE__, line, "page_alloc_check: %s", msg.why);
}

#define EXPECT_SPARSE_BASE(test, b, nr) expect_sparse_base(test, b, nr, __LINE__)

static bool find_hole(unsigned long *nr)
{
	for (unsigned long s = 0; s < nr_mem_sections; s++) {
		if (!section_has_ram(s) && !section_has_device(s) && !mem_section[s].flags) {
			*nr = s;
			return true;
		}
	}
	return false;
}

/*
 * One PMD table maps the vmemmap of 512 sections (1 GiB of struct pages):
 * it exists when another section of those has a memmap.
 */
static unsigned long pmd_tables_needed(unsigned long nr)
{
	unsigned long first = ALIGN_DOWN(nr, 512);

	for (unsigned long s = first; s < nr_mem_sections && s < first + 512; s++)
		if (s != nr && section_has_ram(s))
			return 0;
	return 1;
}

/*
 * The tables a populate needs: the PMD table if missing, and a PTE
 * table when it is not one PMD leaf; the pages: 512 of memmap.
 */
static void populate_once(struct kunit *test, unsigned long nr, bool pmd)
{
	unsigned long tables = pmd_tables_needed(nr) + !pmd;
	const struct sparse_base *b;
	struct sparse_base base;
	unsigned long va = section_vmemmap(nr);
	enum pg_level level;

	sparse_base(&base, nr);
	b = &base;
	if (!pmd)
		fail_page_alloc_nth(1);		/* the 2 MiB block */
	EXPECT_EQ(test, sparse_populate_section(nr), 0);
	fail_page_alloc_off();
	EXPECT_TRUE(test, mem_section[nr].flags & SECTION_HAS_MEMMAP);
	EXPECT_FALSE(test, mem_section[nr].flags & SECTION_ONLINE);
	EXPECT_EQ(test, !!(mem_section[nr].flags & SECTION_MEMMAP_PMD), pmd);
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b->memmap + MEMMAP_PER_SECTION);
	EXPECT_EQ(test, ktest_pgtable_pages(), b->tables + tables);
	EXPECT_EQ(test, ktest_free_pages(), b->free - 512 - tables);
	EXPECT_NOT_NULL(test, kernel_lookup(va + MEMMAP_PER_SECTION - PAGE_SIZE, &level));
	EXPECT_EQ(test, level, pmd ? PG_LEVEL_2M : PG_LEVEL_4K);
	EXPECT_EQ(test, probe_write_u64((void *)(va + 4096 + 8), 0x1234), 0);
	EXPECT_TRUE(test, pfn_valid(section_nr_to_pfn(nr)));
	EXPECT_FALSE(test, pfn_online(section_nr_to_pfn(nr)));
	EXPECT_PGTABLE_OK(test);
	sparse_depopulate_section(nr);
	EXPECT_FALSE(test, pfn_valid(section_nr_to_pfn(nr)));
	EXPECT_SPARSE_BASE(test, b, nr);
}

KTEST(sparse, populate_depopulate_hole)
{
	unsigned long nr;

	if (!find_hole(&nr)) {
		ktest_skip(test, "no section without memory inside the section table");
		return;
	}
	ktest_log(test, "section %lu", nr);
	populate_once(test, nr, true);
	populate_once(test, nr, false);
}

/*
 * Random failures (1 in 2, seeded) during populate: either it succeeds
 * whole, or it fails with nothing left behind.
 */
KTEST(sparse, populate_fault_injection)
{
	unsigned int failed = 0, done = 0;
	unsigned long nr;

	if (!find_hole(&nr)) {
		ktest_skip(test, "no section without memory inside the section table");
		return;
	}
	for (u64 seed = 1; seed <= 8; seed++) {
		struct sparse_base base;
		int ret;

		sparse_base(&base, nr);
		fail_page_alloc_random(seed == 1 ? 1 : 2, seed);
		ret = sparse_populate_section(nr);
		fail_page_alloc_off();
		if (ret == 0) {
			done++;
			sparse_depopulate_section(nr);
		} else {
			EXPECT_EQ(test, ret, -ENOMEM);
			failed++;
		}
		EXPECT_SPARSE_BASE(test, &base, nr);
	}
	ktest_log(test, "%u populates failed cleanly, %u succeeded", failed, done);
	EXPECT_GT(test, failed, 0);
}
