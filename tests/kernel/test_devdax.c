// SPDX-License-Identifier: MIT
/*
 * Device-dax regions (mm/devdax.c): the memmap of device memory,
 * populated already deduplicated. Needs device memory: boot with
 * memmap=2G!4G in a guest of 8 GiB or more (tests/host/configs.py, "device").
 *
 * Expected figures come from the design, not from the code under test:
 * a 2 MiB aligned region keeps 1 vmemmap page per 2 MiB, a 1 GiB aligned
 * one 2 pages per GiB (the head page and PMD 0's table, both counted as
 * memmap), a 4 KiB one 8 pages per 2 MiB; page tables: one PTE table per
 * section a 2 MiB or partial region touches, none for a whole section of
 * a 4 KiB region (PMD leaf), one per 1 GiB page (already in the memmap
 * count). Every step is followed by the checkers: dax_check,
 * page_alloc_check, kernel_pgtable_check, hugetlb_check.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/buddy_vmemmap.h"
#include "mm/devdax.h"
#include "mm/debug/check.h"
#include "mm/fail_page_alloc.h"
#include "mm/e820.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"
#include "kernel/extable.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"
#include "libc/stdlib.h"

/* The reason the last call through these tests failed. */
static struct errmsg werr;

#define SECTION_BYTES	(128UL << 20)

/* The largest device memory range: [dev_start, dev_end). */
static u64 dev_start, dev_end;

static bool find_device_memory(struct kunit *test, u64 need)
{
	return ktest_find_device_memory(test, need, &dev_start, &dev_end);
}

struct baseline {
	struct ktest_mm_counts mm;
	unsigned long dax_pages;
	unsigned int regions;
};

static void take_baseline(struct baseline *b)
{
	ktest_mm_counts_take(&b->mm);
	b->dax_pages = dax_vmemmap_pages();
	b->regions = dax_nr_regions();
}

#define CHECKERS_PASS(test)	KTEST_MM_CHECKERS(test)

/* Memory and page tables as they were, exactly. */
static void expect_baseline_at(struct kunit *test, const struct baseline *b, int line)
{
	ktest_mm_counts_same(test, __FILE__, line, &b->mm);
	if (dax_vmemmap_pages() != b->dax_pages || dax_nr_regions() != b->regions)
		ktest_fail(test, __FILE__, line, "dax pages %lu/%lu regions %u/%u",
			   dax_vmemmap_pages(), b->dax_pages, dax_nr_regions(), b->regions);
	ktest_mm_checkers(test, __FILE__, line);
}
#define EXPECT_BASELINE(test, b) expect_baseline_at(test, b, __LINE__)

/* The PMD table that maps the vmemmap of pfn exists. */
static bool pmd_table_present(unsigned long pfn)
{
	unsigned long va = (unsigned long)pfn_to_page(pfn);
	pteval_t *t = init_pgd;

	for (enum pg_level l = PG_LEVEL_512G; l > PG_LEVEL_2M; l--) {
		pteval_t e = t[level_index(va, l)];

		if (!entry_present(e))
			return false;
		t = entry_table(e);
	}
	return true;
}

/*
 * Create a region in an otherwise empty part of device memory and check
 * the figures: vmemmap pages, page tables, free pages.
 */
static int create_checked(struct kunit *test, u64 start, u64 size, unsigned long align,
			  unsigned long want_pages, unsigned long want_tables)
{
	unsigned long tables = want_tables + !pmd_table_present(PHYS_PFN(start));
	struct baseline b;
	int id;

	take_baseline(&b);
	id = dax_region_create(start, size, align, &werr);
	if (id < 0) {
		ktest_fail(test, __FILE__, __LINE__, "create %#llx+%#llx align %#lx: %d %s",
			   (unsigned long long)start, (unsigned long long)size, align, id,
			   werr.why);
		return id;
	}
	drain_all_pages();
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap + want_pages * PAGE_SIZE);
	EXPECT_EQ(test, dax_vmemmap_pages(), b.dax_pages + want_pages);
	EXPECT_EQ(test, dax_region_find(id)->vmemmap_pages, want_pages);
	EXPECT_EQ(test, ktest_pgtable_pages(), b.mm.tables + tables);
	EXPECT_EQ(test, ktest_free_pages(), b.mm.free - want_pages - tables +
		  /* a 1 GiB page's table is both: count it once */
		  (align == SZ_1G ? size / SZ_1G : 0));
	CHECKERS_PASS(test);
	return id;
}

/* Independent of the checker: the PTEs of one 2 MiB compound page. */
static bool expect_2m_shape(struct kunit *test, unsigned long pfn)
{
	struct page *head = pfn_to_page(pfn);

	for (unsigned int i = 0; i < 8; i++) {
		enum pg_level level;
		pteval_t *e = kernel_lookup((unsigned long)(head + 64 * i), &level);
		bool ok;

		if (!e || level != PG_LEVEL_4K) {
			ktest_fail(test, __FILE__, __LINE__, "pfn %#lx: vmemmap page %u not PTE-mapped", pfn, i);
			return false;
		}
		if (i == 0)
			ok = (*e & _PAGE_RW) && entry_phys(*e) != vmemmap_shared_tail_phys(9);
		else
			ok = !(*e & _PAGE_RW) && entry_phys(*e) == vmemmap_shared_tail_phys(9);
		if (!ok) {
			ktest_fail(test, __FILE__, __LINE__, "pfn %#lx: vmemmap page %u maps %#llx (%s)",
				   pfn, i, (unsigned long long)*e, i ? "want the RO order-9 tail" : "want its own RW page");
			return false;
		}
	}
	return true;
}

static pteval_t *pmd_of(unsigned long pfn)
{
	return kernel_walk_alloc((unsigned long)pfn_to_page(pfn), PG_LEVEL_2M);
}

static void expect_1g_shape(struct kunit *test, unsigned long pfn)
{
	pteval_t *pmd = pmd_of(pfn), *table;

	ASSERT_TRUE(test, entry_present(*pmd) && !(*pmd & _PAGE_PSE));
	EXPECT_NE(test, entry_phys(*pmd), vmemmap_all_tail_table_phys());
	table = entry_table(*pmd);
	EXPECT_TRUE(test, table[0] & _PAGE_RW);
	EXPECT_NE(test, entry_phys(table[0]), vmemmap_shared_tail_phys(18));
	for (unsigned int i = 1; i < 512; i++) {
		if ((table[i] & _PAGE_RW) || entry_phys(table[i]) != vmemmap_shared_tail_phys(18)) {
			ktest_fail(test, __FILE__, __LINE__, "pfn %#lx: PMD 0 PTE %u is not the RO tail", pfn, i);
			break;
		}
	}
	/* PMDs 1..7: the memmap of 7 more sections is one shared table. */
	for (unsigned int i = 1; i < 8; i++) {
		pteval_t e = pmd[i];

		EXPECT_TRUE(test, entry_present(e) && !(e & _PAGE_PSE));
		EXPECT_UEQ(test, entry_phys(e), vmemmap_all_tail_table_phys());
	}
}

/*
 * compound_head() of subpages: every one (stride 1), or the first and the
 * last struct page of every vmemmap page (stride 64).
 */
static void expect_heads(struct kunit *test, unsigned long pfn, unsigned long nr,
			 unsigned int order, unsigned long stride)
{
	unsigned long bad = 0;

	for (unsigned long h = pfn; h < pfn + nr; h += 1UL << order) {
		struct page *head = pfn_to_page(h);

		bad += !PageHead(head) || !PageDevice(head) || compound_order(head) != order;
		for (unsigned long i = 0; i < (1UL << order); i += stride) {
			unsigned long last = i + stride - 1;

			bad += i && (compound_head(head + i) != head || !PageTail(head + i));
			bad += last && (compound_head(head + last) != head || !PageTail(head + last));
		}
	}
	EXPECT_EQ(test, bad, 0);
}

static void destroy_ok(struct kunit *test, int id)
{
	if (id >= 0)
		EXPECT_EQ(test, dax_region_destroy(id, &werr), 0);
}

KTEST(devdax, align_2m_accounting_and_shape)
{
	u64 start, size = SZ_1G;
	struct baseline b;
	int id;

	if (!find_device_memory(test, SZ_1G))
		return;
	start = dev_start;
	take_baseline(&b);
	/* 512 compound pages, 1 vmemmap page each; 8 sections, a PTE table each. */
	id = create_checked(test, start, size, SZ_2M, 512, 8);
	ASSERT_GE(test, id, 0);
	for (unsigned long pfn = PHYS_PFN(start); pfn < PHYS_PFN(start + size); pfn += 512)
		if (!expect_2m_shape(test, pfn))
			break;
	/* compound_head() of every subpage. */
	expect_heads(test, PHYS_PFN(start), size >> PAGE_SHIFT, 9, 1);
	EXPECT_TRUE(test, pfn_valid(PHYS_PFN(start)));
	EXPECT_TRUE(test, pfn_valid(PHYS_PFN(start + size) - 1));
	EXPECT_FALSE(test, pfn_valid(PHYS_PFN(start + size)));
	EXPECT_FALSE(test, pfn_online(PHYS_PFN(start)));
	destroy_ok(test, id);
	EXPECT_FALSE(test, pfn_valid(PHYS_PFN(start)));
	EXPECT_EQ(test, kernel_virt_to_phys((unsigned long)pfn_to_page(PHYS_PFN(start))), ~0ULL);
	EXPECT_BASELINE(test, &b);
}

/* 1 GiB pages span 8 sections: 2 GiB of them is 16 sections and 2 pages each. */
KTEST(devdax, align_1g_across_sections)
{
	u64 start, size;
	struct baseline b;
	int id;

	if (!find_device_memory(test, SZ_1G))
		return;
	start = dev_start;
	size = ALIGN_DOWN(min(dev_end - dev_start, 2 * SZ_1G), SZ_1G);
	take_baseline(&b);
	id = create_checked(test, start, size, SZ_1G, 2 * (size / SZ_1G), size / SZ_1G);
	ASSERT_GE(test, id, 0);
	for (u64 off = 0; off < size; off += SZ_1G)
		expect_1g_shape(test, PHYS_PFN(start + off));
	/* Every vmemmap page's worth: its first and last struct page. */
	expect_heads(test, PHYS_PFN(start), size >> PAGE_SHIFT, 18, 64);
	ktest_log(test, "%lu GiB at 1 GiB alignment: %lu KiB of memmap", (unsigned long)(size >> 30),
		  dax_region_find(id)->vmemmap_pages * 4);
	destroy_ok(test, id);
	EXPECT_BASELINE(test, &b);
}

/* 4 KiB: plain struct pages; whole sections under a PMD leaf. */
KTEST(devdax, align_4k_plain)
{
	u64 start;
	struct baseline b;
	enum pg_level level;
	int id;

	if (!find_device_memory(test, SZ_1G))
		return;
	start = dev_start;
	take_baseline(&b);
	/* 2 whole sections and 2 MiB of a third: 2 leaves, then 8 pages and a table. */
	id = create_checked(test, start, 2 * SECTION_BYTES + SZ_2M, SZ_4K, 2 * 512 + 8, 1);
	ASSERT_GE(test, id, 0);
	EXPECT_NOT_NULL(test, kernel_lookup((unsigned long)pfn_to_page(PHYS_PFN(start)), &level));
	EXPECT_EQ(test, level, PG_LEVEL_2M);
	EXPECT_NOT_NULL(test, kernel_lookup((unsigned long)pfn_to_page(PHYS_PFN(start + 2 * SECTION_BYTES)), &level));
	EXPECT_EQ(test, level, PG_LEVEL_4K);
	for (unsigned long pfn = PHYS_PFN(start); pfn < PHYS_PFN(start + 2 * SECTION_BYTES + SZ_2M); pfn += 4093) {
		struct page *p = pfn_to_page(pfn);

		if (!PageDevice(p) || PageCompound(p) || compound_head(p) != p) {
			ktest_fail(test, __FILE__, __LINE__, "pfn %#lx: flags %#lx", pfn, p->flags);
			break;
		}
	}
	/* Plain pages are the region's own: writable. */
	EXPECT_EQ(test, probe_write_u64(&pfn_to_page(PHYS_PFN(start) + 100)->index, 0), 0);
	destroy_ok(test, id);
	EXPECT_BASELINE(test, &b);
}

/*
 * Regions that start and end inside sections, sharing them: a 2 MiB
 * aligned region from the middle of one section to the middle of the
 * next, and 4 KiB regions in the remaining halves.
 */
KTEST(devdax, partial_sections_shared)
{
	u64 s0, half = SECTION_BYTES / 2;
	struct baseline b, mid;
	int a, c, d;

	if (!find_device_memory(test, 3 * SECTION_BYTES))
		return;
	s0 = dev_start;
	take_baseline(&b);
	/* Second half of section 0, first half of section 1: 64 pages, 2 tables. */
	a = create_checked(test, s0 + half, SECTION_BYTES, SZ_2M, 64, 2);
	ASSERT_GE(test, a, 0);
	EXPECT_FALSE(test, pfn_valid(PHYS_PFN(s0)));
	EXPECT_FALSE(test, pfn_valid(PHYS_PFN(s0 + half) - 1));
	EXPECT_TRUE(test, pfn_valid(PHYS_PFN(s0 + half)));
	EXPECT_TRUE(test, pfn_valid(PHYS_PFN(s0 + SECTION_BYTES + half) - 1));
	EXPECT_FALSE(test, pfn_valid(PHYS_PFN(s0 + SECTION_BYTES + half)));
	EXPECT_UEQ(test, __pfn_to_section(PHYS_PFN(s0))->subsection_map, 0xffffffff00000000ULL);
	EXPECT_UEQ(test, __pfn_to_section(PHYS_PFN(s0 + SECTION_BYTES))->subsection_map, 0xffffffffULL);
	expect_heads(test, PHYS_PFN(s0 + half), SECTION_BYTES >> PAGE_SHIFT, 9, 1);
	/* The first half of section 0, 4 KiB: 32 subsections of 8 pages, its table exists. */
	c = create_checked(test, s0, half, SZ_4K, 32 * 8, 0);
	ASSERT_GE(test, c, 0);
	d = create_checked(test, s0 + SECTION_BYTES + half, half, SZ_2M, 32, 0);
	ASSERT_GE(test, d, 0);
	EXPECT_EQ(test, __pfn_to_section(PHYS_PFN(s0))->nr_device_users, 2);
	EXPECT_UEQ(test, __pfn_to_section(PHYS_PFN(s0 + SECTION_BYTES))->subsection_map, ~0ULL);
	take_baseline(&mid);
	/* The middle region goes; the tables stay for the other two. */
	destroy_ok(test, a);
	drain_all_pages();
	EXPECT_EQ(test, ktest_pgtable_pages(), mid.mm.tables);
	EXPECT_EQ(test, ktest_vmemmap_bytes(), mid.mm.memmap - 64 * PAGE_SIZE);
	EXPECT_EQ(test, ktest_free_pages(), mid.mm.free + 64);
	CHECKERS_PASS(test);
	expect_2m_shape(test, PHYS_PFN(s0 + SECTION_BYTES + half));
	destroy_ok(test, c);
	destroy_ok(test, d);
	EXPECT_BASELINE(test, &b);
}

static void inject_create(struct kunit *test, u64 start, u64 size, unsigned long align,
			  unsigned long min_points);

/*
 * Device memory far from RAM (memmap=1G!64G): its memmap needs a vmemmap
 * PMD table of its own, and destroy frees it with the PTE tables.
 */
KTEST(devdax, far_device_memory_frees_pmd_table)
{
	struct e820_entry *e;
	struct baseline b;
	u64 start = 0;
	int id;

	for_each_e820_entry(e820_table, e) {
		u64 s = ALIGN(e->addr, SZ_1G);

		if ((e->type == E820_TYPE_PRAM || e->type == E820_TYPE_PMEM) &&
		    s + SZ_1G <= e->addr + e->size && !pmd_table_present(PHYS_PFN(s))) {
			start = s;
			break;
		}
	}
	if (!start) {
		ktest_skip(test, "no device memory with a vmemmap PMD table of its own (memmap=1G!64G)");
		return;
	}
	take_baseline(&b);
	/* 128 MiB from the middle of a section: 2 PTE tables and the PMD table. */
	id = create_checked(test, start + SECTION_BYTES / 2, SECTION_BYTES, SZ_2M, 64, 2);
	ASSERT_GE(test, id, 0);
	EXPECT_TRUE(test, pmd_table_present(PHYS_PFN(start)));
	destroy_ok(test, id);
	EXPECT_FALSE(test, pmd_table_present(PHYS_PFN(start)));
	EXPECT_BASELINE(test, &b);
	/* A 1 GiB page: its own PTE table, the PMD table, the all-tail table shared. */
	id = create_checked(test, start, SZ_1G, SZ_1G, 2, 1);
	ASSERT_GE(test, id, 0);
	expect_1g_shape(test, PHYS_PFN(start));
	destroy_ok(test, id);
	EXPECT_FALSE(test, pmd_table_present(PHYS_PFN(start)));
	EXPECT_BASELINE(test, &b);
	/* 4 KiB, whole section: a PMD leaf under a new PMD table. */
	id = create_checked(test, start, SECTION_BYTES, SZ_4K, 512, 0);
	ASSERT_GE(test, id, 0);
	destroy_ok(test, id);
	EXPECT_FALSE(test, pmd_table_present(PHYS_PFN(start)));
	EXPECT_BASELINE(test, &b);
	/* The PMD table's allocation fails too: 16 pages and 2 tables; 3 for 1 GiB. */
	inject_create(test, start, 16 * SZ_2M, SZ_2M, 18);
	inject_create(test, start, SZ_1G, SZ_1G, 3);
	EXPECT_FALSE(test, pmd_table_present(PHYS_PFN(start)));
}

/* Writes to a shared tail fault; the head page is the region's own. */
KTEST(devdax, shared_tails_read_only)
{
	struct page *head;
	struct baseline b;
	u64 v;
	int id;

	if (!find_device_memory(test, SZ_1G))
		return;
	take_baseline(&b);
	id = dax_region_create(dev_start, SZ_1G, SZ_2M, &werr);
	ASSERT_GE(test, id, 0);
	head = pfn_to_page(PHYS_PFN(dev_start) + 512 * 3);
	ktest_expect_shared_tail_ro(test, head);
	EXPECT_EQ(test, probe_write_u64(&head[511].flags, 0), -EFAULT);
	EXPECT_EQ(test, probe_write_u64(&head->index, head->index), 0);
	EXPECT_EQ(test, probe_write_u64(&head[63].index, 0), 0);
	destroy_ok(test, id);

	id = dax_region_create(dev_start, SZ_1G, SZ_1G, &werr);
	ASSERT_GE(test, id, 0);
	head = pfn_to_page(PHYS_PFN(dev_start));
	/* PMD 0's shared PTEs, and a PMD through the all-tail table. */
	EXPECT_EQ(test, probe_write_u64(&head[100].index, 0), -EFAULT);
	EXPECT_EQ(test, probe_write_u64(&head[5 * 32768 + 7].index, 0), -EFAULT);
	EXPECT_EQ(test, probe_read_u64(&head[5 * 32768 + 7].compound_info, &v), 0);
	EXPECT_UEQ(test, v, compound_info_for_order(18));
	EXPECT_TRUE(test, compound_head(head + 262143) == head);
	EXPECT_EQ(test, probe_write_u64(&head[1].index, 0), 0);
	destroy_ok(test, id);
	EXPECT_BASELINE(test, &b);
}

/*
 * The shared tail pages and the all-tail table serve HVO and dax at once:
 * destroying a region leaves them to a pool page that still uses them.
 */
KTEST(devdax, shared_with_hugetlb)
{
	struct hstate *g = &hstates[HSTATE_1G], *h = &hstates[HSTATE_2M];
	unsigned long nr_g = g->nr_huge_pages, nr_h = h->nr_huge_pages;
	bool hvo = hugetlb_optimize_vmemmap_enabled();
	struct baseline b;
	int id, id2;

	if (!find_device_memory(test, 2 * SZ_1G))
		return;
	/* From an empty 2 MiB pool: rebuilt, it could split other sections. */
	set_max_huge_pages(h, 0);
	take_baseline(&b);
	hugetlb_set_optimize_vmemmap(true);
	set_max_huge_pages(h, 3);
	if (g->supported)
		set_max_huge_pages(g, nr_g + 1);
	id = dax_region_create(dev_start, SZ_1G, SZ_1G, &werr);
	id2 = dax_region_create(dev_start + SZ_1G, SZ_1G, SZ_2M, &werr);
	ASSERT_GE(test, id, 0);
	ASSERT_GE(test, id2, 0);
	ktest_log(test, "beside %lu x 2 MiB and %lu x 1 GiB optimized pool pages",
		  h->nr_huge_pages, g->nr_huge_pages);
	CHECKERS_PASS(test);
	destroy_ok(test, id);
	destroy_ok(test, id2);
	CHECKERS_PASS(test);
	EXPECT_EQ(test, virt_to_page(__va(vmemmap_all_tail_table_phys()))->pt_count, 512);
	set_max_huge_pages(h, 0);
	set_max_huge_pages(g, nr_g);
	hugetlb_set_optimize_vmemmap(hvo);
	EXPECT_BASELINE(test, &b);
	set_max_huge_pages(h, nr_h);
}

struct bad_request {
	u64 start, size;
	unsigned long align;
	int err;
	const char *msg;
};

static void expect_refused(struct kunit *test, const struct bad_request *r, unsigned int i)
{
	int ret = dax_region_create(r->start, r->size, r->align, &werr);

	if (ret != r->err || !strstr(werr.why, r->msg))
		ktest_fail(test, __FILE__, __LINE__, "case %u: %#llx+%#llx align %#lx: %d '%s'",
			   i, (unsigned long long)r->start, (unsigned long long)r->size,
			   r->align, ret, werr.why);
}

/* Each bad request: its errno, its one-line reason, and nothing changed. */
KTEST(devdax, create_errors)
{
	struct baseline b, with;
	u64 d;
	int id;

	if (!find_device_memory(test, SZ_1G))
		return;
	d = dev_start;
	const struct bad_request bad[] = {
		{ d + SZ_4K, SZ_2M, SZ_2M, -EINVAL, "misaligned" },
		{ d + SZ_2M, SZ_1G, SZ_1G, -EINVAL, "misaligned" },
		{ d + SZ_4K, SZ_4K, SZ_4K, -EINVAL, "misaligned" },
		{ d, 3 * SZ_1G / 2, SZ_1G, -EINVAL, "not a multiple" },
		{ d, SZ_2M + SZ_4K, SZ_2M, -EINVAL, "not a multiple" },
		{ d, 5 * SZ_4K, SZ_4K, -EINVAL, "not a multiple" },
		{ d, 0, SZ_2M, -EINVAL, "size must not be 0" },
		{ d, SZ_2M, 8192, -EINVAL, "must be 4k, 2m or 1g" },
		{ 0x40000000, SZ_2M, SZ_2M, -EINVAL, "not device memory" },
		{ dev_end - SZ_2M, 2 * SZ_2M, SZ_2M, -EINVAL, "not device memory" },
		{ d - SZ_1G, SZ_1G, SZ_1G, -EINVAL, "not device memory" },
		{ ~0ULL & ~(SZ_1G - 1), SZ_1G, SZ_1G, -EINVAL, "not device memory" },
		{ d + 64 * SZ_2M, SZ_2M, SZ_2M, -EBUSY, "overlaps dax" },
		{ d, SZ_1G, SZ_1G, -EBUSY, "overlaps dax" },
		{ d + 127 * SZ_2M, SZ_2M, SZ_4K, -EBUSY, "overlaps dax" },
	};

	take_baseline(&b);
	id = dax_region_create(d + 64 * SZ_2M, 64 * SZ_2M, SZ_2M, &werr);
	ASSERT_GE(test, id, 0);
	take_baseline(&with);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		expect_refused(test, &bad[i], i);
		EXPECT_BASELINE(test, &with);
	}
	EXPECT_EQ(test, dax_region_destroy(id + 1, &werr), -ENOENT);
	EXPECT_EQ(test, dax_region_destroy(DAX_MAX_REGIONS + 5, &werr), -ENOENT);
	/* A mapped region cannot go. */
	ASSERT_NOT_NULL(test, dax_region_get(id));
	EXPECT_EQ(test, dax_region_destroy(id, &werr), -EBUSY);
	EXPECT_NOT_NULL(test, strstr(werr.why, "mapped"));
	dax_region_put(dax_region_find(id));
	destroy_ok(test, id);
	EXPECT_EQ(test, dax_region_destroy(id, &werr), -ENOENT);
	EXPECT_BASELINE(test, &b);
}

KTEST(devdax, console)
{
	static char out[2048];
	char line[128];
	struct baseline b;

	if (!find_device_memory(test, SZ_1G + (256UL << 20)))
		return;
	take_baseline(&b);
	snprintf(line, sizeof(line), "dax create %#llx 1G align=1g", (unsigned long long)dev_start);
	ASSERT_EQ(test, ktest_shell(line, out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "dax0.0"));
	snprintf(line, sizeof(line), "dax create %#llx 256M", (unsigned long long)(dev_start + SZ_1G));
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "2m"));
	EXPECT_EQ(test, ktest_shell("dax list", out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "dax0.0"));
	EXPECT_NOT_NULL(test, strstr(out, "1g"));
	snprintf(line, sizeof(line), "dax create %#llx 2M align=8k", (unsigned long long)dev_start);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(out, "dax: align"));
	EXPECT_EQ(test, ktest_shell("dax create zz 2M", out, sizeof(out)), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(out, "is not a number"));
	snprintf(line, sizeof(line), "dax create %#llx 2M", (unsigned long long)dev_start);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), -EBUSY);
	EXPECT_NOT_NULL(test, strstr(out, "overlaps dax0.0"));
	EXPECT_EQ(test, ktest_shell("dax create 0x1000 2M", out, sizeof(out)), -EINVAL);
	EXPECT_EQ(test, ktest_shell("dax", out, sizeof(out)), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(out, "usage"));
	EXPECT_EQ(test, ktest_shell("dax destroy dax7.0", out, sizeof(out)), -ENOENT);
	snprintf(line, sizeof(line), "dax destroy %#llx", (unsigned long long)dev_start);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), 0);
	EXPECT_EQ(test, ktest_shell("dax destroy 1", out, sizeof(out)), 0);
	EXPECT_EQ(test, dax_nr_regions(), 0);
	EXPECT_BASELINE(test, &b);
}

/* Random regions and destroys, checkers after every step, then baseline. */
KTEST(devdax, seeded_random_cycles)
{
	static const unsigned long aligns[] = { SZ_4K, SZ_2M, SZ_1G };
	u64 seed = 0x2545f4914f6cdd1dULL;
	unsigned int created = 0, refused = 0;
	struct baseline b;
	int step;

	if (!find_device_memory(test, SZ_1G))
		return;
	take_baseline(&b);
	for (step = 0; step < 80; step++) {
		unsigned int ids[DAX_MAX_REGIONS], n = 0;

		for (unsigned int i = 0; i < DAX_MAX_REGIONS; i++)
			if (dax_region_find(i))
				ids[n++] = i;
		if (n && xorshift64(&seed) % 3 == 0) {
			EXPECT_EQ(test, dax_region_destroy(ids[xorshift64(&seed) % n], &werr), 0);
		} else {
			unsigned long align = aligns[xorshift64(&seed) % 3];
			unsigned long unit = max(align, SZ_2M);
			u64 span = (dev_end - dev_start) / unit;
			u64 first = xorshift64(&seed) % span;
			u64 len = 1 + xorshift64(&seed) % min(span - first, 96ULL);
			int ret = dax_region_create(dev_start + first * unit, len * unit, align, &werr);

			if (ret >= 0)
				created++;
			else if (ret == -EBUSY)
				refused++;
			else
				ktest_fail(test, __FILE__, __LINE__, "step %d: %d %s", step, ret,
					   werr.why);
		}
		if (!CHECKERS_PASS(test)) {
			ktest_log(test, "after step %d", step);
			break;
		}
	}
	for (unsigned int i = 0; i < DAX_MAX_REGIONS; i++)
		if (dax_region_find(i))
			EXPECT_EQ(test, dax_region_destroy(i, &werr), 0);
	ktest_log(test, "%u regions created, %u refused as overlapping", created, refused);
	EXPECT_GT(test, created, 10);
	EXPECT_BASELINE(test, &b);
}

/*
 * Every allocation of a populate, made to fail in turn: the create fails
 * with -ENOMEM (or a 4 KiB section falls back to pages) and nothing is
 * left behind.
 */
static void inject_create(struct kunit *test, u64 start, u64 size, unsigned long align,
			  unsigned long min_points)
{
	struct baseline b;
	unsigned long k;

	take_baseline(&b);
	for (k = 1; k < 400; k++) {
		unsigned long injected = fail_page_alloc_injected();
		int id;

		fail_page_alloc_nth(k);
		id = dax_region_create(start, size, align, &werr);
		fail_page_alloc_off();
		if (id >= 0) {
			CHECKERS_PASS(test);
			EXPECT_EQ(test, dax_region_destroy(id, &werr), 0);
		} else {
			EXPECT_EQ(test, id, -ENOMEM);
			EXPECT_NOT_NULL(test, strstr(werr.why, "no memory"));
		}
		EXPECT_BASELINE(test, &b);
		if (fail_page_alloc_injected() == injected)
			break;		/* the kth allocation never happened */
	}
	ktest_log(test, "align %#lx: %lu allocations failed in turn", align, k - 1);
	EXPECT_GE(test, k, min_points);
}

KTEST(devdax, fault_injection_populate)
{
	if (!find_device_memory(test, SZ_1G))
		return;
	/* 2 MiB: a page each, a PTE table per section (across a boundary). */
	inject_create(test, dev_start + SECTION_BYTES - 8 * SZ_2M, 16 * SZ_2M, SZ_2M, 17);
	/* 1 GiB: a head page and a table. */
	inject_create(test, dev_start, SZ_1G, SZ_1G, 2);
	/* 4 KiB: a 2 MiB block (or 8 pages per subsection), then 8 pages and a table. */
	inject_create(test, dev_start, SECTION_BYTES + 2 * SZ_2M, SZ_4K, 8);
}

/*
 * Device-dax beside free memory kept optimized (mm/buddy_vmemmap.c): a
 * 2 MiB-aligned region's tails map the same shared order-9 tail page as
 * optimized free blocks, and its memmap pages come out of free memory,
 * splitting optimized blocks. With the dedup on for the case, the region
 * has HVO's shape, the checkers (which compare the shared tails with
 * what they must hold) pass, and once it is gone every count is back.
 */
KTEST(devdax, region_beside_optimized_free_memory)
{
	bool was = buddy_vmemmap_enabled();
	struct baseline b;
	int id;

	if (!find_device_memory(test, SZ_1G))
		return;
	/* Splits and restores flush every CPU: the boot runner may have them off. */
	local_irq_enable();
	ASSERT_EQ(test, buddy_vmemmap_set(true), 0);
	ASSERT_GT(test, buddy_vmemmap_nr_optimized(), 0);
	take_baseline(&b);
	id = dax_region_create(dev_start, SZ_1G, SZ_2M, &werr);
	if (id < 0) {
		ktest_fail(test, __FILE__, __LINE__, "create: %d %s", id, werr.why);
	} else {
		expect_2m_shape(test, PHYS_PFN(dev_start) + 512 * 7);
		CHECKERS_PASS(test);
		EXPECT_EQ(test, dax_region_destroy(id, &werr), 0);
	}
	EXPECT_BASELINE(test, &b);
	EXPECT_EQ(test, buddy_vmemmap_set(was), 0);
}
