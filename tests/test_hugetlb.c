// SPDX-License-Identifier: MIT
/*
 * HugeTLB pools and HVO. Every step is followed by the invariant checkers
 * (hugetlb_check: lists, counters, compound_head, vmemmap shape of every
 * pool page; page_alloc_check: the buddy). Expected figures come from the
 * arithmetic of the design: a 2 MiB page gives back 7 vmemmap pages, a
 * 1 GiB page 4094, and the first optimized page of a section costs one PTE
 * table (the split of the section's vmemmap PMD).
 */
#include "tests/ktest.h"
#include "tests/ktest_mm.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"
#include "kernel/extable.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

#define H2M	(&hstates[HSTATE_2M])
#define H1G	(&hstates[HSTATE_1G])

struct baseline {
	unsigned long free;		/* nr_free_pages() after a drain */
	unsigned long memmap;		/* vmemmap bytes */
	unsigned long optimized;	/* pages */
	unsigned long tables;
	unsigned long nr[HUGE_MAX_HSTATE];
	bool hvo;
};

static void take_baseline(struct baseline *b)
{
	drain_all_pages();
	b->free = nr_free_pages();
	b->memmap = vmemmap_bytes();
	b->optimized = vmemmap_optimized_pages();
	b->tables = nr_kernel_pgtable_pages();
	b->nr[0] = H2M->nr_huge_pages;
	b->nr[1] = H1G->nr_huge_pages;
	b->hvo = hugetlb_optimize_vmemmap_enabled();
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
	EXPECT_EQ(test, nr_free_pages(), b->free);
	EXPECT_EQ(test, vmemmap_bytes(), b->memmap);
	EXPECT_EQ(test, vmemmap_optimized_pages(), b->optimized);
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), b->tables);
	checkers_pass(test);
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

static unsigned long pmd_map[64];

static void record_pmd_sections(void)
{
	memset(pmd_map, 0, sizeof(pmd_map));
	for (unsigned long nr = 0; nr < nr_mem_sections && nr < 64 * 64; nr++)
		if (mem_section[nr].flags & SECTION_MEMMAP_PMD)
			pmd_map[nr / 64] |= BIT(nr % 64);
}

/* Boot pools are as the command line asked and pass the checker. */
KTEST(hugetlb, boot_pools_consistent)
{
	struct page *head;

	checkers_pass(test);
	list_for_each_entry(head, &H1G->hugepage_freelist, lru)
		EXPECT_TRUE(test, !hugetlb_optimize_vmemmap_enabled() ||
			    PageVmemmapOptimized(head));
	ktest_log(test, "boot pools: %lu x 2 MiB, %lu x 1 GiB, %lu KiB of struct pages freed",
		  H2M->nr_huge_pages, H1G->nr_huge_pages, vmemmap_optimized_pages() << 2);
}

static void grow_shrink_2m(struct kunit *test, bool hvo)
{
	static const unsigned long steps[] = { 1, 5, 64, 100, 37, 0 };
	struct baseline b;

	set_max_huge_pages(H2M, 0);
	take_baseline(&b);
	hugetlb_set_optimize_vmemmap(hvo);
	record_pmd_sections();
	for (unsigned int i = 0; i < ARRAY_SIZE(steps); i++) {
		unsigned long n = steps[i], got, splits;

		got = set_max_huge_pages(H2M, n);
		ASSERT_EQ(test, got, n);
		drain_all_pages();
		splits = hvo ? sections_split_by(pmd_map) : 0;
		EXPECT_EQ(test, H2M->nr_huge_pages, n);
		EXPECT_EQ(test, H2M->free_huge_pages, n);
		EXPECT_EQ(test, vmemmap_bytes(), b.memmap - (hvo ? 7 * n * PAGE_SIZE : 0));
		EXPECT_EQ(test, vmemmap_optimized_pages(), b.optimized + (hvo ? 7 * n : 0));
		EXPECT_EQ(test, nr_kernel_pgtable_pages(), b.tables + splits);
		EXPECT_EQ(test, nr_free_pages(),
			  b.free - 512 * n + (hvo ? 7 * n : 0) - splits);
		if (!checkers_pass(test))
			break;
	}
	expect_baseline(test, &b);
	/* Shrinking to zero collapsed every split section back to a PMD leaf. */
	for (unsigned long nr = 0; nr < nr_mem_sections && nr < 64 * 64; nr++)
		if (pmd_map[nr / 64] & BIT(nr % 64))
			EXPECT_TRUE(test, mem_section[nr].flags & SECTION_MEMMAP_PMD);
	hugetlb_set_optimize_vmemmap(b.hvo);
}

KTEST(hugetlb, grow_shrink_2m_optimized)
{
	grow_shrink_2m(test, true);
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

KTEST(hugetlb, compound_head_every_subpage_2m)
{
	struct baseline b;
	struct page *head;

	take_baseline(&b);
	hugetlb_set_optimize_vmemmap(true);
	ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 4), b.nr[0] + 4);
	list_for_each_entry(head, &H2M->hugepage_freelist, lru) {
		unsigned long pfn = page_to_pfn(head);

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
	struct probe_fault pf;
	struct page *head;
	u64 v;

	take_baseline(&b);
	hugetlb_set_optimize_vmemmap(true);
	ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 1), b.nr[0] + 1);
	head = list_first_entry(&H2M->hugepage_freelist, struct page, lru);
	ASSERT_TRUE(test, PageVmemmapOptimized(head));
	/* Tails 64..511 are the shared page: read-only. */
	EXPECT_EQ(test, probe_read_u64(&head[100].compound_info, &v), 0);
	EXPECT_UEQ(test, v, compound_info_for_order(9));
	EXPECT_EQ(test, probe_write_u64(&head[100].index, 0), -EFAULT);
	probe_last_fault(&pf);
	EXPECT_EQ(test, pf.vector, X86_TRAP_PF);
	EXPECT_TRUE(test, pf.error_code & X86_PF_WRITE);
	EXPECT_TRUE(test, pf.error_code & X86_PF_PROT);
	EXPECT_EQ(test, probe_write_u64(&head[511].index, 0), -EFAULT);
	/* The head page (head and tails 1..63) is the page's own. */
	EXPECT_EQ(test, probe_write_u64(&head->index, head->index), 0);
	EXPECT_EQ(test, probe_write_u64(&head[63].index, 0), 0);
	expect_baseline(test, &b);
}

static struct page *victim;

static void write_tail(void *arg)
{
	(void)arg;
	WRITE_ONCE(victim[200].index, 1);
}

KTEST(hugetlb, tail_write_report_names_pfn)
{
	static char out[4096];
	struct printk_capture cap = { .buf = out, .size = sizeof(out) };
	char reason[96], want[128];
	struct baseline b;
	bool caught;

	take_baseline(&b);
	hugetlb_set_optimize_vmemmap(true);
	ASSERT_EQ(test, set_max_huge_pages(H2M, b.nr[0] + 1), b.nr[0] + 1);
	victim = list_first_entry(&H2M->hugepage_freelist, struct page, lru);
	printk_capture_begin(&cap);
	caught = ktest_catch_panic(write_tail, NULL, reason, sizeof(reason));
	printk_capture_end(&cap);
	EXPECT_TRUE(test, caught);
	snprintf(want, sizeof(want), "write to an optimized vmemmap tail (read-only shared page): struct page of pfn %#lx, head pfn %#lx",
		 page_to_pfn(victim) + 200, page_to_pfn(victim));
	EXPECT_NOT_NULL(test, strstr(out, want));
	expect_baseline(test, &b);
}

static bool have_gigantic(struct kunit *test, unsigned long n)
{
	if (!H1G->supported) {
		ktest_skip(test, "CPU has no 1 GiB pages");
		return false;
	}
	if (set_max_huge_pages(H1G, H1G->nr_huge_pages + n) < n) {
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

	take_baseline(&b);
	hugetlb_set_optimize_vmemmap(true);
	if (!have_gigantic(test, 1))
		goto out;
	drain_all_pages();
	EXPECT_EQ(test, vmemmap_bytes(), b.memmap - 4094 * PAGE_SIZE);
	EXPECT_EQ(test, vmemmap_optimized_pages(), b.optimized + 4094);
	/* 1 GiB out; 8 x 2 MiB of memmap back; a head page and a table in. */
	EXPECT_EQ(test, nr_free_pages(), b.free - 262144 + 4096 - 2);
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
	expect_baseline(test, &b);
}

KTEST(hugetlb, gigantic_unoptimized_accounting)
{
	struct baseline b;

	take_baseline(&b);
	hugetlb_set_optimize_vmemmap(false);
	if (!have_gigantic(test, 1))
		goto out;
	drain_all_pages();
	EXPECT_EQ(test, vmemmap_bytes(), b.memmap);
	EXPECT_EQ(test, nr_free_pages(), b.free - 262144);
	checkers_pass(test);
out:
	expect_baseline(test, &b);
}

KTEST(hugetlb, demote_optimized_gigantic)
{
	struct baseline b;
	char buf[32];

	take_baseline(&b);
	hugetlb_set_optimize_vmemmap(true);
	if (!have_gigantic(test, 1))
		goto out;
	ASSERT_EQ(test, pseudofs_write("/sys/kernel/mm/hugepages/hugepages-1048576kB/demote", "1\n", 2), 0);
	EXPECT_EQ(test, H1G->nr_huge_pages, b.nr[1]);
	EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 512);
	drain_all_pages();
	EXPECT_EQ(test, vmemmap_optimized_pages(), b.optimized + 7 * 512);
	EXPECT_EQ(test, vmemmap_bytes(), b.memmap - 7 * 512 * PAGE_SIZE);
	EXPECT_EQ(test, pseudofs_read("/sys/kernel/mm/hugepages/hugepages-1048576kB/demote_size", buf, sizeof(buf)), 7);
	EXPECT_STREQ(test, buf, "2048kB\n");
	checkers_pass(test);
out:
	expect_baseline(test, &b);
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

	take_baseline(&b);
	before = count_optimized(H2M);
	ASSERT_EQ(test, pseudofs_write("/proc/sys/vm/hugetlb_optimize_vmemmap", "1", 1), 0);
	set_max_huge_pages(H2M, b.nr[0] + 3);
	ASSERT_EQ(test, pseudofs_write("/proc/sys/vm/hugetlb_optimize_vmemmap", "0\n", 2), 0);
	set_max_huge_pages(H2M, b.nr[0] + 5);
	checkers_pass(test);
	/* Pages keep the shape they entered with. */
	EXPECT_EQ(test, count_optimized(H2M), before + 3);
	EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 5);
	EXPECT_EQ(test, pseudofs_write("/proc/sys/vm/hugetlb_optimize_vmemmap", "2", 1), -EINVAL);
	EXPECT_FALSE(test, hugetlb_optimize_vmemmap_enabled());
	expect_baseline(test, &b);
}

KTEST(hugetlb, mixed_pools)
{
	struct baseline b;

	take_baseline(&b);
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

	take_baseline(&b);
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
		EXPECT_EQ(test, nr_free_pages(), b.free);
		EXPECT_EQ(test, vmemmap_bytes(), b.memmap);
		if (fail_page_alloc_injected() == injected)
			break;		/* the kth allocation never happened */
	}
	EXPECT_GT(test, k, 2);
	expect_baseline(test, &b);
}

/*
 * Every allocation of restore, made to fail in turn: pages stay, counted.
 * Whole sections at once (one 2 MiB block each), or page by page (7
 * pages each, and a block to collapse the section at the end).
 */
static void shrink_with_faults(struct kunit *test, bool whole_sections,
			       unsigned long min_points)
{
	const unsigned long keep = 0;
	struct baseline b;
	unsigned long k;
	char val[8];

	take_baseline(&b);
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
				     val, strlen(val));
		fail_page_alloc_off();
		if (ret) {
			EXPECT_EQ(test, ret, -ENOMEM);
			EXPECT_GT(test, H2M->nr_huge_pages, b.nr[0] + keep);
			EXPECT_NOT_NULL(test, strstr(pseudofs_last_error(ret), "no memory to restore"));
		}
		if (!checkers_pass(test))
			break;
		set_max_huge_pages(H2M, b.nr[0]);
		drain_all_pages();
		EXPECT_EQ(test, nr_free_pages(), b.free);
		EXPECT_EQ(test, vmemmap_bytes(), b.memmap);
		if (fail_page_alloc_injected() == injected)
			break;
	}
	EXPECT_GE(test, k, min_points);
	hugetlb_set_section_restore(true);
	expect_baseline(test, &b);
}

KTEST(hugetlb, fault_injection_shrink_whole_section)
{
	shrink_with_faults(test, true, 2);
}

KTEST(hugetlb, fault_injection_shrink_page_by_page)
{
	shrink_with_faults(test, false, 8);
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

	take_baseline(&b);
	set_max_huge_pages(H2M, b.nr[0] + 2);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(test, pseudofs_write(path, bad[i].val, strlen(bad[i].val)), bad[i].err);
		EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 2);
	}
	EXPECT_EQ(test, pseudofs_write("/sys/kernel/mm/hugepages/hugepages-4096kB/nr_hugepages", "1", 1), -ENOENT);
	EXPECT_EQ(test, pseudofs_write("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "1", 1), -EPERM);
	EXPECT_EQ(test, pseudofs_write("/sys/kernel/mm/hugepages/hugepages-1048576kB/demote_size", "4kB", 3), -EINVAL);
	EXPECT_EQ(test, pseudofs_write("/proc/sys/vm/nr_hugepages", "x", 1), -EINVAL);
	EXPECT_EQ(test, H2M->nr_huge_pages, b.nr[0] + 2);
	expect_baseline(test, &b);
}

KTEST(hugetlb, reservations_and_surplus)
{
	struct baseline b;
	struct page *p;

	take_baseline(&b);
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
	p = alloc_hugetlb_folio(H2M, true);
	ASSERT_NOT_NULL(test, p);
	EXPECT_EQ(test, H2M->resv_huge_pages, 2);
	EXPECT_EQ(test, H2M->free_huge_pages, 2);
	checkers_pass(test);
	hugetlb_release_reservation(H2M, 2);
	EXPECT_EQ(test, H2M->nr_huge_pages, 1);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 1);
	free_hugetlb_folio(p);
	EXPECT_EQ(test, H2M->nr_huge_pages, 0);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 0);
	EXPECT_EQ(test, H2M->resv_huge_pages, 0);
	H2M->nr_overcommit_huge_pages = 0;
	checkers_pass(test);
	expect_baseline(test, &b);
}

KTEST(hugetlb, in_use_page_becomes_surplus)
{
	struct baseline b;
	struct page *p;

	take_baseline(&b);
	set_max_huge_pages(H2M, b.nr[0] + 1);
	p = alloc_hugetlb_folio(H2M, false);
	ASSERT_NOT_NULL(test, p);
	set_max_huge_pages(H2M, 0);
	EXPECT_EQ(test, H2M->nr_huge_pages, 1);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 1);
	free_hugetlb_folio(p);
	EXPECT_EQ(test, H2M->nr_huge_pages, 0);
	EXPECT_EQ(test, H2M->surplus_huge_pages, 0);
	expect_baseline(test, &b);
}

static u64 rng(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

KTEST(hugetlb, seeded_random_sequence)
{
	struct baseline b;
	u64 seed = 0x9e3779b97f4a7c15ULL;

	/* Boot-time pages, once given back, cannot be re-reserved: start empty. */
	set_max_huge_pages(H2M, 0);
	set_max_huge_pages(H1G, 0);
	take_baseline(&b);
	for (int step = 0; step < 60; step++) {
		unsigned int op = rng(&seed) % 8;

		if (op < 4)
			set_max_huge_pages(H2M, rng(&seed) % 150);
		else if (op == 4)
			hugetlb_set_optimize_vmemmap(rng(&seed) & 1);
		else if (op == 5 && H1G->supported)
			set_max_huge_pages(H1G, rng(&seed) % 2);
		else if (op == 6 && H1G->free_huge_pages)
			pseudofs_write("/sys/kernel/mm/hugepages/hugepages-1048576kB/demote", "1", 1);
		else
			set_max_huge_pages(H2M, 0);
		if (!checkers_pass(test)) {
			ktest_log(test, "after step %d (op %u)", step, op);
			break;
		}
	}
	expect_baseline(test, &b);
}
