// SPDX-License-Identifier: MIT
/*
 * Empty page-table reclaim: exact table counts at every level after known
 * sequences, with reclaim on and off, on every path that empties a table
 * (MADV_DONTNEED, munmap, hugetlb unmaps, switching reclaim on), the TLB
 * flush before the free, the switch itself (/proc/sys/vm/pt_reclaim and
 * pt_reclaim=), and teardown back to the exact baseline. The checker runs
 * after every step, except in the 1000-address loops: there one pass reads
 * up to a million entries, so it runs after every 10th touch or DONTNEED
 * (every one would take 30 s under TCG), and the PTE-table count is
 * checked after each DONTNEED.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/pt_reclaim.h"
#include "kernel/uaccess.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "kernel/extable.h"
#include "kernel/param.h"
#include "kernel/pseudofs.h"
#include "libc/errno.h"
#include "libc/string.h"
#include "libc/stdlib.h"

/* The reason the last write through these tests failed. */
static struct errmsg werr;

#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define RW		(PROT_READ | PROT_WRITE)
#define BASE		0x100000000000UL	/* 16 TiB: 512 GiB aligned */
#define NR_SCATTER	1000
#define H2M		(&hstates[HSTATE_2M])
#define H1G		(&hstates[HSTATE_1G])

extern const struct kernel_param __param_start[], __param_end[];

static unsigned long scatter[NR_SCATTER];

static struct mm *new_mm(struct kunit *test, bool reclaim)
{
	set_pt_reclaim(reclaim);
	return ktest_mm_create(test, "ptreclaim");
}

#define EXPECT_TABLES(test, mm, pud, pmd, pte) do {			\
	EXPECT_EQ(test, (mm)->nr_pgtables[PG_LEVEL_1G], pud);		\
	EXPECT_EQ(test, (mm)->nr_pgtables[PG_LEVEL_2M], pmd);		\
	EXPECT_EQ(test, (mm)->nr_pgtables[PG_LEVEL_4K], pte);		\
} while (0)

/* The PGD keeps only the kernel half. */
static unsigned int kernel_pgd_entries(void)
{
	unsigned int n = 0;

	for (unsigned int i = PTRS_PER_TABLE / 2; i < PTRS_PER_TABLE; i++)
		n += init_pgd[i] != 0;
	return n;
}

static void expect_user_pgd_empty(struct kunit *test, struct mm *mm)
{
	for (unsigned int i = 0; i < PTRS_PER_TABLE / 2; i++)
		if (mm->pgd[i])
			ktest_fail(test, __FILE__, __LINE__, "PGD entry %u still set", i);
	EXPECT_EQ(test, virt_to_page(mm->pgd)->pt_count, kernel_pgd_entries());
}

/*
 * Pages the slab holds for PTE tables' locks (mm/pgtable-generic.c
 * allocates one per PTE table from the "ptlock" cache), after
 * ktest_settled_free_pages() has given back the empty slabs: read from
 * the slab, not the tables.
 */
static unsigned long ptlock_slab_pages(void)
{
	struct kmem_cache *c = kmem_cache_find("ptlock");

	return c ? c->nr_slabs << c->order : 0;
}

/* One page in each of 1000 GiBs, 1 GiB apart, at a seeded offset. */
static unsigned long empty;	/* free pages with the range mapped, nothing touched */
static unsigned long empty_ptlock;	/* ptlock_slab_pages() then */

static int map_and_touch_scattered(struct kunit *test, struct mm *mm)
{
	u64 s = 0x9e3779b97f4a7c15ULL;
	long ret;

	ret = do_mmap(mm, BASE, NR_SCATTER * SZ_1G, RW, ANON | MAP_FIXED | MAP_NORESERVE);
	if (ret != (long)BASE) {
		ktest_fail(test, __FILE__, __LINE__, "mmap 1000 GiB: %ld", ret);
		return -1;
	}
	empty = ktest_settled_free_pages();
	empty_ptlock = ptlock_slab_pages();
	for (unsigned long i = 0; i < NR_SCATTER; i++) {
		scatter[i] = BASE + i * SZ_1G +
			     ((xorshift64(&s) % (SZ_1G / PAGE_SIZE)) << PAGE_SHIFT);
		if (ktest_touch(scatter[i])) {
			ktest_fail(test, __FILE__, __LINE__, "touch %lx failed", scatter[i]);
			return -1;
		}
		if (i % 10 == 9 && !CHECK_MM(test, mm))
			return -1;
	}
	/* 1000 GiB from a 512 GiB boundary: two PUD tables. */
	EXPECT_EQ(test, mm->rss, NR_SCATTER);
	EXPECT_TABLES(test, mm, 2, NR_SCATTER, NR_SCATTER);
	return CHECK_MM(test, mm) ? 0 : -1;
}

static int dontneed_each(struct kunit *test, struct mm *mm, bool reclaim)
{
	for (unsigned long i = 0; i < NR_SCATTER; i++) {
		if (do_madvise(mm, scatter[i], PAGE_SIZE, MADV_DONTNEED)) {
			ktest_fail(test, __FILE__, __LINE__, "madvise %lx failed", scatter[i]);
			return -1;
		}
		if (reclaim && mm->nr_pgtables[PG_LEVEL_4K] != NR_SCATTER - i - 1) {
			ktest_fail(test, __FILE__, __LINE__, "after %lu: %lu PTE tables", i + 1,
				   mm->nr_pgtables[PG_LEVEL_4K]);
			return -1;
		}
		if (i % 10 == 9 && !CHECK_MM(test, mm))
			return -1;
	}
	return 0;
}

KTEST(ptreclaim, scattered_1000_dontneed_reclaim_on)
{
	unsigned long free0 = ktest_settled_free_pages();
	struct mm *mm = new_mm(test, true);

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, map_and_touch_scattered(test, mm), 0);
	/* Exactly 1000 pages, 2002 tables and their locks' slabs on top of the empty mm. */
	EXPECT_EQ(test, ktest_settled_free_pages() + NR_SCATTER + 2 + 2 * NR_SCATTER +
		  ptlock_slab_pages() - empty_ptlock, empty);
	EXPECT_GT(test, ptlock_slab_pages(), empty_ptlock);
	ASSERT_EQ(test, dontneed_each(test, mm, true), 0);
	EXPECT_EQ(test, ktest_settled_free_pages(), empty);
	EXPECT_EQ(test, mm->rss, 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	EXPECT_EQ(test, mm->pt_reclaimed, 2 + 2 * NR_SCATTER);
	expect_user_pgd_empty(test, mm);
	CHECK_MM(test, mm);
	/* Everything can come back. */
	EXPECT_EQ(test, ktest_touch(scatter[7]), 0);
	EXPECT_TABLES(test, mm, 1, 1, 1);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	EXPECT_EQ(test, ktest_settled_free_pages(), free0);
}

KTEST(ptreclaim, scattered_1000_dontneed_reclaim_off)
{
	unsigned long free0 = ktest_settled_free_pages();
	struct mm *mm = new_mm(test, false);
	unsigned long before;

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, map_and_touch_scattered(test, mm), 0);
	ASSERT_EQ(test, dontneed_each(test, mm, false), 0);
	/* Linux before 6.14: every table stays, mapping nothing. */
	EXPECT_EQ(test, mm->rss, 0);
	EXPECT_TABLES(test, mm, 2, NR_SCATTER, NR_SCATTER);
	EXPECT_EQ(test, mm->pt_reclaimed, 0);
	CHECK_MM(test, mm);
	/* Switching reclaim on frees them all at once, and their locks. */
	before = ktest_settled_free_pages() + ptlock_slab_pages();
	set_pt_reclaim(true);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	EXPECT_EQ(test, mm->pt_reclaimed, 2 + 2 * NR_SCATTER);
	EXPECT_EQ(test, ktest_settled_free_pages() + ptlock_slab_pages(),
		  before + 2 + 2 * NR_SCATTER);
	expect_user_pgd_empty(test, mm);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	EXPECT_EQ(test, ktest_settled_free_pages(), free0);
}

KTEST(ptreclaim, scattered_1000_one_dontneed_call)
{
	struct mm *mm = new_mm(test, true);

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, map_and_touch_scattered(test, mm), 0);
	EXPECT_EQ(test, do_madvise(mm, BASE, NR_SCATTER * SZ_1G, MADV_DONTNEED), 0);
	EXPECT_EQ(test, mm->rss, 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	expect_user_pgd_empty(test, mm);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(ptreclaim, reclaim_off_munmap_frees_like_linux)
{
	struct mm *mm = new_mm(test, false);

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, map_and_touch_scattered(test, mm), 0);
	EXPECT_EQ(test, do_madvise(mm, BASE, NR_SCATTER * SZ_1G, MADV_DONTNEED), 0);
	EXPECT_TABLES(test, mm, 2, NR_SCATTER, NR_SCATTER);
	/* munmap frees what no VMA uses any more (Linux's free_pgtables). */
	EXPECT_EQ(test, do_munmap(mm, BASE + 10 * SZ_1G, 10 * SZ_1G), 0);
	EXPECT_TABLES(test, mm, 2, NR_SCATTER - 10, NR_SCATTER - 10);
	CHECK_MM(test, mm);
	/*
	 * Unmap all of GiB 100 but its first 2 MiB: the PMD table is shared
	 * with the VMA that stays and is kept, empty; the PTE table of the
	 * page touched there goes unless it serves those first 2 MiB.
	 */
	EXPECT_EQ(test, do_munmap(mm, BASE + 100 * SZ_1G + SZ_2M, SZ_1G - SZ_2M), 0);
	EXPECT_TABLES(test, mm, 2, NR_SCATTER - 10,
		      NR_SCATTER - 10 - (scatter[100] >= BASE + 100 * SZ_1G + SZ_2M));
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_munmap(mm, BASE, NR_SCATTER * SZ_1G), 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	expect_user_pgd_empty(test, mm);
	CHECK_MM(test, mm);
	set_pt_reclaim(true);
	mm_destroy(mm);
}

KTEST(ptreclaim, cascade_one_level_at_a_time)
{
	struct mm *mm = new_mm(test, true);

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 4 * SZ_2M, RW, ANON | MAP_FIXED), BASE);
	ASSERT_EQ(test, ktest_touch(BASE), 0);
	ASSERT_EQ(test, ktest_touch(BASE + 2 * PAGE_SIZE), 0);
	ASSERT_EQ(test, ktest_touch(BASE + SZ_2M), 0);
	EXPECT_TABLES(test, mm, 1, 1, 2);
	EXPECT_EQ(test, virt_to_page(mm->pgd)->pt_count, kernel_pgd_entries() + 1);
	CHECK_MM(test, mm);
	/* The PTE table still maps a page: it stays. */
	EXPECT_EQ(test, do_madvise(mm, BASE, PAGE_SIZE, MADV_DONTNEED), 0);
	EXPECT_TABLES(test, mm, 1, 1, 2);
	CHECK_MM(test, mm);
	/* Now it is empty: gone; the PMD table still holds the other one. */
	EXPECT_EQ(test, do_madvise(mm, BASE + 2 * PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	EXPECT_TABLES(test, mm, 1, 1, 1);
	CHECK_MM(test, mm);
	/* The last page: PTE, PMD and PUD tables go in one cascade. */
	EXPECT_EQ(test, do_madvise(mm, BASE + SZ_2M, PAGE_SIZE, MADV_DONTNEED), 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	EXPECT_EQ(test, mm->pt_reclaimed, 4);
	expect_user_pgd_empty(test, mm);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(ptreclaim, prot_none_is_not_a_zap)
{
	struct mm *mm = new_mm(test, true);
	u64 v;

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 2 * PAGE_SIZE, RW, ANON | MAP_FIXED), BASE);
	ASSERT_EQ(test, ktest_touch(BASE), 0);
	ASSERT_EQ(test, ktest_touch(BASE + PAGE_SIZE), 0);
	EXPECT_EQ(test, do_mprotect(mm, BASE, PAGE_SIZE, PROT_NONE), 0);
	EXPECT_TABLES(test, mm, 1, 1, 1);
	EXPECT_EQ(test, mm->rss, 2);
	/* The PROT_NONE entry keeps the table alive when its neighbour goes. */
	EXPECT_EQ(test, do_madvise(mm, BASE + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	EXPECT_TABLES(test, mm, 1, 1, 1);
	EXPECT_EQ(test, mm->rss, 1);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_mprotect(mm, BASE, PAGE_SIZE, PROT_READ), 0);
	EXPECT_EQ(test, get_user_u64(&v, (const u64 __user *)BASE), 0);
	EXPECT_EQ(test, v, BASE);
	/* A zap of PROT_NONE pages does reclaim. */
	EXPECT_EQ(test, do_mprotect(mm, BASE, PAGE_SIZE, PROT_NONE), 0);
	EXPECT_EQ(test, do_madvise(mm, BASE, PAGE_SIZE, MADV_DONTNEED), 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(ptreclaim, munmap_reclaims_keeps_neighbours)
{
	struct mm *mm = new_mm(test, true);

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, PAGE_SIZE, RW, ANON | MAP_FIXED), BASE);
	ASSERT_EQ(test, do_mmap(mm, BASE + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED),
		  BASE + 2 * PAGE_SIZE);
	ASSERT_EQ(test, ktest_touch(BASE), 0);
	ASSERT_EQ(test, get_user_u64(&(u64){ 0 }, (const u64 __user *)(BASE + 2 * PAGE_SIZE)), 0);
	EXPECT_TABLES(test, mm, 1, 1, 1);
	EXPECT_EQ(test, do_munmap(mm, BASE, PAGE_SIZE), 0);
	EXPECT_TABLES(test, mm, 1, 1, 1);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_munmap(mm, BASE + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	expect_user_pgd_empty(test, mm);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(ptreclaim, hugetlb_2m_unmaps_reclaim)
{
	unsigned long nr0 = H2M->nr_huge_pages - H2M->surplus_huge_pages;
	struct mm *mm;

	if (!ktest_ensure_free_huge(test, H2M, 2))
		return;
	mm = new_mm(test, true);
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 2 * SZ_2M, RW, ANON | MAP_FIXED | MAP_HUGETLB), BASE);
	ASSERT_EQ(test, ktest_touch(BASE), 0);
	ASSERT_EQ(test, ktest_touch(BASE + SZ_2M), 0);
	EXPECT_TABLES(test, mm, 1, 1, 0);
	EXPECT_EQ(test, virt_to_page(entry_table(mm->pgd[pgd_index(BASE)]))->pt_count, 1);
	EXPECT_EQ(test, do_madvise(mm, BASE, SZ_2M, MADV_DONTNEED), 0);
	EXPECT_TABLES(test, mm, 1, 1, 0);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_munmap(mm, BASE + SZ_2M, SZ_2M), 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	expect_user_pgd_empty(test, mm);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	set_max_huge_pages(H2M, nr0);
}

KTEST(ptreclaim, hugetlb_1g_unmap_reclaims)
{
	unsigned long nr0 = H1G->nr_huge_pages - H1G->surplus_huge_pages;
	struct mm *mm;

	if (!ktest_ensure_free_huge(test, H1G, 1))
		return;
	mm = new_mm(test, true);
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, SZ_1G, RW, ANON | MAP_FIXED | MAP_HUGETLB | MAP_HUGE_1GB),
		  BASE);
	ASSERT_EQ(test, ktest_touch(BASE + 12345 * 8), 0);
	EXPECT_TABLES(test, mm, 1, 0, 0);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_madvise(mm, BASE, SZ_1G, MADV_DONTNEED), 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	expect_user_pgd_empty(test, mm);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	set_max_huge_pages(H1G, nr0);
}

/* What the TLB free observer saw at the moment of each free. */
static struct {
	unsigned long flushes_before;	/* mm->tlb_flushes before the zap */
	unsigned int frees, unflushed, stale_reads;
	u64 stale;
} seen;

/*
 * Right after a page or table of the gather is freed: the flush must have
 * come first (counted), and the address must no longer translate. A probe
 * is no user accessor, so it faults nothing in: it can only succeed
 * through a translation the TLB kept.
 */
static void observe_free(struct mm *mm, struct page *page)
{
	u64 v;

	(void)page;
	seen.frees++;
	if (mm->tlb_flushes == seen.flushes_before)
		seen.unflushed++;
	if (!probe_read_u64((void *)(BASE + 64), &v)) {
		seen.stale_reads++;
		seen.stale = v;
	}
}

/*
 * A zapped page and the table it leaves empty are freed only after the
 * TLB flush: checked at the moment of each free, where a translation left
 * in the TLB (TCG keeps them as hardware does) still reads the freed page.
 */
KTEST(ptreclaim, tlb_flushed_before_free)
{
	struct mm *mm = new_mm(test, true);
	unsigned long faults;
	u64 v = 1;

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, SZ_2M, RW, ANON | MAP_FIXED), BASE);
	for (int round = 0; round < 4; round++) {
		ASSERT_EQ(test, put_user_u64(0xdeadbeef, (u64 __user *)(BASE + 64)), 0);
		ASSERT_EQ(test, get_user_u64(&v, (const u64 __user *)(BASE + 64)), 0);
		EXPECT_EQ(test, v, 0xdeadbeef);
		memset(&seen, 0, sizeof(seen));
		seen.flushes_before = mm->tlb_flushes;
		faults = mm->min_flt;
		set_tlb_free_observer(observe_free);
		EXPECT_EQ(test, do_madvise(mm, BASE, PAGE_SIZE, MADV_DONTNEED), 0);
		set_tlb_free_observer(NULL);
		/* The page and its PTE, PMD and PUD tables. */
		EXPECT_EQ(test, seen.frees, 4);
		EXPECT_EQ(test, seen.unflushed, 0);
		if (seen.stale_reads)
			ktest_fail(test, __FILE__, __LINE__,
				   "round %d: %u frees read %#llx through a stale translation",
				   round, seen.stale_reads, (unsigned long long)seen.stale);
		EXPECT_TABLES(test, mm, 0, 0, 0);
		EXPECT_EQ(test, get_user_u64(&v, (const u64 __user *)(BASE + 64)), 0);
		EXPECT_EQ(test, v, 0);
		EXPECT_EQ(test, mm->min_flt, faults + 1);
	}
	/* An mm that is not loaded has nothing cached: no flush. */
	switch_mm(NULL);
	seen.flushes_before = mm->tlb_flushes;
	EXPECT_EQ(test, do_madvise(mm, BASE, SZ_2M, MADV_DONTNEED), 0);
	EXPECT_EQ(test, mm->tlb_flushes, seen.flushes_before);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

static const char *read_sysctl(char *buf, size_t size)
{
	int n = pseudofs_read("/proc/sys/vm/pt_reclaim", buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

KTEST(ptreclaim, sysctl_and_cmdline)
{
	bool was = pt_reclaim_enabled();
	char buf[16];
	int bad;

	EXPECT_EQ(test, pseudofs_write("/proc/sys/vm/pt_reclaim", "1\n", 2, &werr), 0);
	EXPECT_STREQ(test, read_sysctl(buf, sizeof(buf)), "1\n");
	EXPECT_EQ(test, pseudofs_write("/proc/sys/vm/pt_reclaim", "0", 1, &werr), 0);
	EXPECT_FALSE(test, pt_reclaim_enabled());
	EXPECT_STREQ(test, read_sysctl(buf, sizeof(buf)), "0\n");
	EXPECT_EQ(test, pseudofs_write("/proc/sys/vm/pt_reclaim", "2", 1, &werr), -EINVAL);
	EXPECT_TRUE(test, strstr(errmsg_why(&werr, -EINVAL), "not 0") != NULL);
	EXPECT_EQ(test, pseudofs_write("/proc/sys/vm/pt_reclaim", "on", 2, &werr), -EINVAL);
	EXPECT_FALSE(test, pt_reclaim_enabled());

	/* The boot parameter, through the real parser and handler. */
	EXPECT_EQ(test, parse_args("pt_reclaim=on", __param_start, __param_end, &bad), 1);
	EXPECT_EQ(test, bad, 0);
	EXPECT_TRUE(test, pt_reclaim_enabled());
	EXPECT_EQ(test, parse_args("pt_reclaim=off", __param_start, __param_end, &bad), 1);
	EXPECT_FALSE(test, pt_reclaim_enabled());
	parse_args("pt_reclaim=maybe", __param_start, __param_end, &bad);
	EXPECT_EQ(test, bad, 1);
	EXPECT_FALSE(test, pt_reclaim_enabled());
	set_pt_reclaim(was);
}

KTEST(ptreclaim, teardown_returns_everything)
{
	unsigned long nr0 = H2M->nr_huge_pages - H2M->surplus_huge_pages;
	unsigned long resv0 = H2M->resv_huge_pages, free_huge0;
	unsigned long free0, tables0;
	bool was = pt_reclaim_enabled();
	struct mm *mm;

	if (!ktest_ensure_free_huge(test, H2M, 3))
		return;
	free_huge0 = H2M->free_huge_pages;
	tables0 = ktest_pgtable_pages();
	free0 = ktest_settled_free_pages();
	for (int reclaim = 0; reclaim < 2; reclaim++) {
		mm = new_mm(test, reclaim);
		ASSERT_NOT_NULL(test, mm);
		ASSERT_EQ(test, map_and_touch_scattered(test, mm), 0);
		EXPECT_EQ(test, do_madvise(mm, BASE, 500 * SZ_1G, MADV_DONTNEED), 0);
		ASSERT_EQ(test, do_mmap(mm, 0, 3 * SZ_2M, RW, ANON | MAP_HUGETLB) > 0, 1);
		ASSERT_EQ(test, ktest_touch(mm->vmas[0].vm_start), 0);
		EXPECT_EQ(test, do_mprotect(mm, BASE + 700 * SZ_1G, SZ_1G, PROT_NONE), 0);
		CHECK_MM(test, mm);
		mm_destroy(mm);
		EXPECT_EQ(test, ktest_settled_free_pages(), free0);
		EXPECT_EQ(test, ktest_pgtable_pages(), tables0);
		EXPECT_EQ(test, H2M->resv_huge_pages, resv0);
		EXPECT_EQ(test, H2M->free_huge_pages, free_huge0);
	}
	set_pt_reclaim(was);
	set_max_huge_pages(H2M, nr0);
}
