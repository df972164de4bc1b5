// SPDX-License-Identifier: MIT
/*
 * Address spaces: mmap/munmap/mprotect/madvise semantics and errors,
 * demand faults and the signals a process would get, hugetlb mappings
 * and their reservations, fault injection at every allocation, and
 * seeded random sequences. The address-space checker (mm_check) runs
 * after every step; teardown must give back every page, table, pool page
 * and reservation (free pages compared after a slab shrink and a drain).
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/mmap.h"
#include "mm/debug/check.h"
#include "mm/fail_page_alloc.h"
#include "mm/memory.h"
#include "mm/pt_reclaim.h"
#include "kernel/uaccess.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/sparse.h"
#include "kernel/extable.h"
#include "kernel/pseudofs.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/string.h"
#include "libc/stdlib.h"

#define H2M		(&hstates[HSTATE_2M])
#define H1G		(&hstates[HSTATE_1G])
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define RW		(PROT_READ | PROT_WRITE)
#define BASE		0x100000000000UL	/* 16 TiB: 512 GiB aligned */

struct baseline {
	unsigned long free;
	unsigned long tables;
	unsigned long nr[HUGE_MAX_HSTATE];
	unsigned long hfree[HUGE_MAX_HSTATE];
	unsigned long resv[HUGE_MAX_HSTATE];
	unsigned long surplus[HUGE_MAX_HSTATE];
	bool reclaim;
};

/* Empty slabs and per-CPU lists make free-page counts drift: flush both. */
static void take_baseline(struct baseline *b)
{
	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		b->nr[i] = hstates[i].nr_huge_pages;
		b->hfree[i] = hstates[i].free_huge_pages;
		b->resv[i] = hstates[i].resv_huge_pages;
		b->surplus[i] = hstates[i].surplus_huge_pages;
	}
	b->reclaim = pt_reclaim_enabled();
	b->tables = ktest_pgtable_pages();
	b->free = ktest_settled_free_pages();
}

static void expect_baseline(struct kunit *test, const struct baseline *b)
{
	set_pt_reclaim(b->reclaim);
	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		set_max_huge_pages(&hstates[i], b->nr[i] - b->surplus[i]);
		EXPECT_EQ(test, hstates[i].nr_huge_pages, b->nr[i]);
		EXPECT_EQ(test, hstates[i].free_huge_pages, b->hfree[i]);
		EXPECT_EQ(test, hstates[i].resv_huge_pages, b->resv[i]);
		EXPECT_EQ(test, hstates[i].surplus_huge_pages, b->surplus[i]);
	}
	EXPECT_EQ(test, ktest_pgtable_pages(), b->tables);
	EXPECT_EQ(test, ktest_settled_free_pages(), b->free);
}

static bool __check_allocators(struct kunit *test, int line)
{
	struct errmsg msg;

	if (page_alloc_check(&msg)) {
		ktest_fail(test, __FILE__, line, "page_alloc_check: %s", msg.why);
		return false;
	}
	if (hugetlb_check(&msg)) {
		ktest_fail(test, __FILE__, line, "hugetlb_check: %s", msg.why);
		return false;
	}
	return true;
}
#define CHECK_ALLOCATORS(test)	__check_allocators(test, __LINE__)

static struct mm *new_mm(struct kunit *test)
{
	return ktest_mm_create(test, "ktest");
}

static int peek(unsigned long addr, u64 *v)
{
	return get_user_u64(v, (const u64 __user *)addr);
}

static unsigned long pgtables(const struct mm *mm)
{
	return mm->nr_pgtables[PG_LEVEL_4K] + mm->nr_pgtables[PG_LEVEL_2M] +
	       mm->nr_pgtables[PG_LEVEL_1G];
}

/* What a failed call must leave exactly as it was. */
#define SNAP_VMAS	32

struct snapshot {
	unsigned long free, rss, total_vm, huge[HUGE_MAX_HSTATE];
	unsigned long tables[PG_LEVEL_512G + 1];
	unsigned long hnr[HUGE_MAX_HSTATE], hfree[HUGE_MAX_HSTATE];
	unsigned long hresv[HUGE_MAX_HSTATE];
	unsigned int map_count;
	struct vm_area_struct vmas[SNAP_VMAS];
};

static void take_snapshot(struct mm *mm, struct snapshot *s, bool with_free)
{
	memset(s, 0, sizeof(*s));
	s->rss = mm->rss;
	s->total_vm = mm->total_vm;
	s->map_count = mm->map_count;
	memcpy(s->tables, mm->nr_pgtables, sizeof(s->tables));
	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		s->huge[i] = mm->nr_huge[i];
		s->hnr[i] = hstates[i].nr_huge_pages;
		s->hfree[i] = hstates[i].free_huge_pages;
		s->hresv[i] = hstates[i].resv_huge_pages;
	}
	memcpy(s->vmas, mm->vmas, min(mm->map_count, (unsigned int)SNAP_VMAS) * sizeof(s->vmas[0]));
	/*
	 * Free pages plus the vmemmap's: a failed pool growth may leave an
	 * optimized pool page where an unoptimized one was (hugetlb dissolves
	 * the first free page, not the one it just added), which moves
	 * memory between the two but loses none.
	 */
	if (with_free)
		s->free = ktest_settled_free_pages() + (ktest_vmemmap_bytes() >> PAGE_SHIFT);
}

static bool __expect_unchanged(struct kunit *test, struct mm *mm, const struct snapshot *a,
			       bool with_free, int line)
{
	struct snapshot b;

	take_snapshot(mm, &b, with_free);
	if (!memcmp(a, &b, sizeof(b)))
		return true;
	ktest_fail(test, __FILE__, line,
		   "state changed: rss %lu->%lu vmas %u->%u tables %lu/%lu/%lu->%lu/%lu/%lu free %lu->%lu resv %lu->%lu",
		   a->rss, b.rss, a->map_count, b.map_count, a->tables[3], a->tables[2],
		   a->tables[1], b.tables[3], b.tables[2], b.tables[1], a->free, b.free,
		   a->hresv[0], b.hresv[0]);
	return false;
}
#define EXPECT_UNCHANGED(test, mm, snap, with_free) \
	__expect_unchanged(test, mm, snap, with_free, __LINE__)

/* Basics. */

KTEST(mmap, create_destroy_baseline)
{
	struct baseline b;
	struct mm *mm;

	take_baseline(&b);
	mm = mm_create(NULL);
	ASSERT_NOT_NULL(test, mm);
	EXPECT_EQ(test, mm->nr_pgtables[PG_LEVEL_512G], 1);
	EXPECT_EQ(test, pgtables(mm), 0);
	for (unsigned int i = 256; i < 512; i++)
		EXPECT_UEQ(test, mm->pgd[i], init_pgd[i]);
	for (unsigned int i = 0; i < 256; i++)
		EXPECT_UEQ(test, mm->pgd[i], 0);
	EXPECT_NOT_NULL(test, pseudofs_lookup(mm->status_path));
	CHECK_MM(test, mm);
	mm_destroy(mm);
	expect_baseline(test, &b);
}

KTEST(mmap, switch_mm_loads_cr3)
{
	struct mm *mm = new_mm(test);
	void *p;

	ASSERT_NOT_NULL(test, mm);
	EXPECT_UEQ(test, read_cr3_phys(), __pa(mm->pgd));
	EXPECT_TRUE(test, current_mm == mm);
	/* The kernel half is shared: the kernel keeps working. */
	p = kmalloc(100, GFP_KERNEL);
	EXPECT_NOT_NULL(test, p);
	kfree(p);
	switch_mm(NULL);
	EXPECT_UEQ(test, read_cr3_phys(), __pa(init_pgd));
	EXPECT_NULL(test, current_mm);
	switch_mm(mm);
	mm_destroy(mm);
	EXPECT_NULL(test, current_mm);
	EXPECT_UEQ(test, read_cr3_phys(), __pa(init_pgd));
}

KTEST(mmap, mmap_errors_change_nothing)
{
	static const struct {
		unsigned long addr, len, prot, flags;
		long err;
	} cases[] = {
		{ 0, 0, RW, ANON, -EINVAL },				/* empty */
		{ 0, 4096, 8, ANON, -EINVAL },				/* bad prot */
		{ 0, 4096, RW, MAP_ANONYMOUS, -EINVAL },		/* neither private nor shared */
		{ 0, 4096, RW, MAP_PRIVATE, -EINVAL },			/* no files */
		{ BASE + 1, 4096, RW, ANON | MAP_FIXED, -EINVAL },	/* unaligned */
		{ 0, 4096, RW, ANON | MAP_FIXED, -EPERM },		/* below mmap_min_addr */
		{ TASK_SIZE - 4096, 8192, RW, ANON | MAP_FIXED, -ENOMEM },/* past the user half */
		{ 0, TASK_SIZE + 1, RW, ANON, -ENOMEM },		/* too large */
		/* No 16 KiB huge pages; a 2 MiB mapping that is not aligned. */
		{ 0, 4096, RW, ANON | MAP_HUGETLB | (14U << MAP_HUGE_SHIFT), -EINVAL },
		{ BASE + 4096, SZ_2M, RW, ANON | MAP_FIXED | MAP_HUGETLB, -EINVAL },
		{ BASE, 4096, RW, ANON | MAP_FIXED_NOREPLACE, -EEXIST },	/* occupied */
	};
	struct snapshot s;
	struct mm *mm = new_mm(test);

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 4 * PAGE_SIZE, RW, ANON | MAP_FIXED), BASE);
	ASSERT_EQ(test, ktest_touch(BASE), 0);
	take_snapshot(mm, &s, true);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		long ret = do_mmap(mm, cases[i].addr, cases[i].len, cases[i].prot, cases[i].flags);

		if (ret != cases[i].err)
			ktest_fail(test, __FILE__, __LINE__, "case %u: got %ld, expected %ld",
				   i, ret, cases[i].err);
	}
	/* Linux's heuristic overcommit: more than RAM needs MAP_NORESERVE. */
	EXPECT_EQ(test, do_mmap(mm, 0, (nr_managed_pages() + 1) * PAGE_SIZE, RW, ANON), -ENOMEM);
	EXPECT_UNCHANGED(test, mm, &s, true);

	EXPECT_EQ(test, do_munmap(mm, BASE + 1, 4096), -EINVAL);
	EXPECT_EQ(test, do_munmap(mm, BASE, 0), -EINVAL);
	EXPECT_EQ(test, do_munmap(mm, TASK_SIZE - 4096, 8192), -EINVAL);
	EXPECT_EQ(test, do_mprotect(mm, BASE + 1, 4096, PROT_READ), -EINVAL);
	EXPECT_EQ(test, do_mprotect(mm, BASE, 4096, 0x10), -EINVAL);
	/* A hole: ENOMEM, and the mapped part is left as it was. */
	EXPECT_EQ(test, do_mprotect(mm, BASE, 8 * PAGE_SIZE, PROT_READ), -ENOMEM);
	EXPECT_EQ(test, do_madvise(mm, BASE, 8 * PAGE_SIZE, MADV_DONTNEED), -ENOMEM);
	EXPECT_EQ(test, do_madvise(mm, BASE + 1, 4096, MADV_DONTNEED), -EINVAL);
	EXPECT_EQ(test, do_madvise(mm, BASE, 4096, 99), -EINVAL);
	EXPECT_UNCHANGED(test, mm, &s, true);
	EXPECT_EQ(test, mm->vmas[0].vm_flags & VM_ACCESS_FLAGS, VM_READ | VM_WRITE);

	/* Linux: an empty mprotect or madvise succeeds; munmap of a hole too. */
	EXPECT_EQ(test, do_mprotect(mm, BASE, 0, PROT_READ), 0);
	EXPECT_EQ(test, do_madvise(mm, BASE, 0, MADV_DONTNEED), 0);
	EXPECT_EQ(test, do_munmap(mm, BASE + SZ_1G, SZ_2M), 0);
	EXPECT_UNCHANGED(test, mm, &s, true);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(mmap, placement_topdown_and_hint)
{
	struct mm *mm = new_mm(test);
	long a, b, c;

	ASSERT_NOT_NULL(test, mm);
	a = do_mmap(mm, 0, SZ_2M, RW, ANON);
	b = do_mmap(mm, 0, SZ_2M, RW, ANON);
	ASSERT_GT(test, a, 0);
	EXPECT_EQ(test, a + SZ_2M, MMAP_BASE);
	EXPECT_EQ(test, b + SZ_2M, a);
	/* Adjacent and alike: one VMA. */
	EXPECT_EQ(test, mm->map_count, 1);
	c = do_mmap(mm, BASE, PAGE_SIZE, RW, ANON);
	EXPECT_EQ(test, c, BASE);
	/* An occupied hint is ignored. */
	c = do_mmap(mm, BASE, PAGE_SIZE, RW, ANON);
	EXPECT_NE(test, c, BASE);
	EXPECT_GT(test, c, 0);
	/* Hugetlb placement is aligned to the page size. */
	c = do_mmap(mm, 0, SZ_2M, RW, ANON | MAP_HUGETLB | MAP_NORESERVE);
	EXPECT_EQ(test, c & (SZ_2M - 1), 0);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(mmap, split_and_merge)
{
	struct mm *mm = new_mm(test);
	unsigned long p = PAGE_SIZE;

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 3 * p, RW, ANON | MAP_FIXED), BASE);
	ASSERT_EQ(test, do_mmap(mm, BASE + 3 * p, 3 * p, RW, ANON | MAP_FIXED), BASE + 3 * p);
	EXPECT_EQ(test, mm->map_count, 1);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_mprotect(mm, BASE + 2 * p, 2 * p, PROT_READ), 0);
	EXPECT_EQ(test, mm->map_count, 3);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_mprotect(mm, BASE + 2 * p, p, RW), 0);
	EXPECT_EQ(test, mm->map_count, 3);
	EXPECT_EQ(test, mm->vmas[0].vm_end, BASE + 3 * p);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_mprotect(mm, BASE, 6 * p, RW), 0);
	EXPECT_EQ(test, mm->map_count, 1);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_munmap(mm, BASE + p, p), 0);
	EXPECT_EQ(test, mm->map_count, 2);
	EXPECT_EQ(test, mm->total_vm, 5);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_mmap(mm, BASE + p, p, RW, ANON | MAP_FIXED), BASE + p);
	EXPECT_EQ(test, mm->map_count, 1);
	CHECK_MM(test, mm);
	/* Different protections do not merge; exec is a difference too. */
	EXPECT_EQ(test, do_mmap(mm, BASE + 6 * p, p, RW | PROT_EXEC, ANON | MAP_FIXED),
		  BASE + 6 * p);
	EXPECT_EQ(test, mm->map_count, 2);
	/* munmap across several VMAs and holes. */
	EXPECT_EQ(test, do_munmap(mm, BASE + 2 * p, 64 * p), 0);
	EXPECT_EQ(test, mm->map_count, 1);
	EXPECT_EQ(test, mm->total_vm, 2);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(mmap, many_vmas_binary_search)
{
	struct mm *mm = new_mm(test);

	ASSERT_NOT_NULL(test, mm);
	/* Alternate protections so that nothing merges: 1000 VMAs. */
	for (unsigned long i = 0; i < 1000; i++)
		ASSERT_EQ(test, do_mmap(mm, BASE + i * PAGE_SIZE, PAGE_SIZE,
					i & 1 ? PROT_READ : RW, ANON | MAP_FIXED),
			  BASE + i * PAGE_SIZE);
	EXPECT_EQ(test, mm->map_count, 1000);
	for (unsigned long i = 0; i < 1000; i += 7) {
		struct vm_area_struct *v = vma_lookup(mm, BASE + i * PAGE_SIZE + 8);

		ASSERT_NOT_NULL(test, v);
		EXPECT_EQ(test, v->vm_start, BASE + i * PAGE_SIZE);
	}
	EXPECT_NULL(test, vma_lookup(mm, BASE - 1));
	EXPECT_NULL(test, vma_lookup(mm, BASE + 1000 * PAGE_SIZE));
	CHECK_MM(test, mm);
	/* Making them all alike merges them into one. */
	EXPECT_EQ(test, do_mprotect(mm, BASE, 1000 * PAGE_SIZE, RW), 0);
	EXPECT_EQ(test, mm->map_count, 1);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

/* Faults. */

KTEST(mmap, demand_zero)
{
	struct mm *mm = new_mm(test);
	u64 v = 1;

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 16 * PAGE_SIZE, RW, ANON | MAP_FIXED), BASE);
	EXPECT_EQ(test, mm->rss, 0);
	EXPECT_EQ(test, pgtables(mm), 0);
	EXPECT_EQ(test, peek(BASE + 5 * PAGE_SIZE + 8, &v), 0);
	EXPECT_EQ(test, v, 0);
	EXPECT_EQ(test, mm->rss, 1);
	EXPECT_EQ(test, mm->min_flt, 1);
	EXPECT_EQ(test, mm->nr_pgtables[PG_LEVEL_1G], 1);
	EXPECT_EQ(test, mm->nr_pgtables[PG_LEVEL_2M], 1);
	EXPECT_EQ(test, mm->nr_pgtables[PG_LEVEL_4K], 1);
	for (unsigned long i = 0; i < 16; i++)
		EXPECT_EQ(test, put_user_u64(0x1000 + i, (u64 __user *)(BASE + i * PAGE_SIZE)), 0);
	EXPECT_EQ(test, mm->rss, 16);
	EXPECT_EQ(test, mm->min_flt, 16);
	for (unsigned long i = 0; i < 16; i++) {
		EXPECT_EQ(test, peek(BASE + i * PAGE_SIZE, &v), 0);
		EXPECT_EQ(test, v, 0x1000 + i);
	}
	/* No more faults once mapped. */
	EXPECT_EQ(test, mm->min_flt, 16);
	EXPECT_EQ(test, mm->nr_segv, 0);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(mmap, write_to_readonly_is_reported)
{
	struct mm *mm = new_mm(test);
	u64 v;

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, PAGE_SIZE, RW, ANON | MAP_FIXED), BASE);
	ASSERT_EQ(test, put_user_u64(42, (u64 __user *)BASE), 0);
	ASSERT_EQ(test, do_mprotect(mm, BASE, PAGE_SIZE, PROT_READ), 0);
	EXPECT_EQ(test, put_user_u64(43, (u64 __user *)BASE), -EFAULT);
	EXPECT_EQ(test, mm->nr_segv, 1);
	EXPECT_TRUE(test, strstr(mm->last_report, "segfault at 100000000000") != NULL);
	EXPECT_TRUE(test, strstr(mm->last_report, "read-only") != NULL);
	EXPECT_EQ(test, peek(BASE, &v), 0);
	EXPECT_EQ(test, v, 42);
	/* Read-only from the start: the first write faults in nothing. */
	ASSERT_EQ(test, do_mmap(mm, BASE + SZ_2M, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED),
		  BASE + SZ_2M);
	EXPECT_EQ(test, ktest_touch(BASE + SZ_2M), -EFAULT);
	EXPECT_EQ(test, mm->rss, 1);
	EXPECT_EQ(test, mm->nr_segv, 2);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(mmap, access_outside_vma_is_reported)
{
	struct mm *mm = new_mm(test);
	u64 v;

	ASSERT_NOT_NULL(test, mm);
	EXPECT_EQ(test, peek(BASE, &v), -EFAULT);
	EXPECT_EQ(test, mm->nr_segv, 1);
	EXPECT_TRUE(test, strstr(mm->last_report, "outside any VMA") != NULL);
	ASSERT_EQ(test, do_mmap(mm, BASE, PAGE_SIZE, PROT_NONE, ANON | MAP_FIXED), BASE);
	EXPECT_EQ(test, peek(BASE, &v), -EFAULT);
	EXPECT_TRUE(test, strstr(mm->last_report, "PROT_NONE") != NULL);
	EXPECT_EQ(test, ktest_touch(BASE + PAGE_SIZE), -EFAULT);
	EXPECT_EQ(test, mm->nr_segv, 3);
	EXPECT_EQ(test, mm->rss, 0);
	/* The kernel half is not ours: the probes still answer for it. */
	EXPECT_EQ(test, probe_read_u64((void *)0xffff800000000000UL, &v), -EFAULT);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(mmap, prot_none_keeps_pages)
{
	struct mm *mm = new_mm(test);
	unsigned long tables;
	u64 v;

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 4 * PAGE_SIZE, RW, ANON | MAP_FIXED), BASE);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(test, put_user_u64(7 + i, (u64 __user *)(BASE + i * PAGE_SIZE)), 0);
	tables = pgtables(mm);
	EXPECT_EQ(test, do_mprotect(mm, BASE, 4 * PAGE_SIZE, PROT_NONE), 0);
	EXPECT_EQ(test, mm->rss, 4);
	EXPECT_EQ(test, pgtables(mm), tables);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, peek(BASE, &v), -EFAULT);
	EXPECT_EQ(test, do_mprotect(mm, BASE, 4 * PAGE_SIZE, PROT_READ), 0);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(test, peek(BASE + i * PAGE_SIZE, &v), 0);
		EXPECT_EQ(test, v, 7 + i);
	}
	EXPECT_EQ(test, ktest_touch(BASE), -EFAULT);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(mmap, map_fixed_replaces)
{
	struct mm *mm = new_mm(test);
	u64 v;

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 8 * PAGE_SIZE, RW, ANON | MAP_FIXED), BASE);
	for (int i = 0; i < 8; i++)
		ASSERT_EQ(test, ktest_touch(BASE + i * PAGE_SIZE), 0);
	ASSERT_EQ(test, do_mmap(mm, BASE + 2 * PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ,
				ANON | MAP_FIXED), BASE + 2 * PAGE_SIZE);
	EXPECT_EQ(test, mm->rss, 6);
	EXPECT_EQ(test, mm->map_count, 3);
	EXPECT_EQ(test, peek(BASE + 2 * PAGE_SIZE, &v), 0);
	EXPECT_EQ(test, v, 0);
	EXPECT_EQ(test, peek(BASE + 4 * PAGE_SIZE, &v), 0);
	EXPECT_EQ(test, v, BASE + 4 * PAGE_SIZE);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(mmap, populate)
{
	struct mm *mm = new_mm(test);
	long a;

	ASSERT_NOT_NULL(test, mm);
	a = do_mmap(mm, 0, 64 * PAGE_SIZE, RW, ANON | MAP_POPULATE);
	ASSERT_GT(test, a, 0);
	EXPECT_EQ(test, mm->rss, 64);
	for (int i = 0; i < 64; i++)
		EXPECT_EQ(test, ktest_touch(a + i * PAGE_SIZE), 0);
	EXPECT_EQ(test, mm->min_flt, 0);
	/* PROT_NONE populates nothing. */
	a = do_mmap(mm, 0, 4 * PAGE_SIZE, PROT_NONE, ANON | MAP_POPULATE);
	ASSERT_GT(test, a, 0);
	EXPECT_EQ(test, mm->rss, 64);
	CHECK_MM(test, mm);
	mm_destroy(mm);
}

KTEST(mmap, status_file)
{
	struct mm *mm = new_mm(test);
	char buf[1024];
	int n;

	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, SZ_2M, RW, ANON | MAP_FIXED), BASE);
	ASSERT_EQ(test, ktest_touch(BASE), 0);
	n = pseudofs_read(mm->status_path, buf, sizeof(buf) - 1);
	ASSERT_GT(test, n, 0);
	buf[n] = '\0';
	EXPECT_TRUE(test, strstr(buf, "VmSize:\t    2048 kB\n") != NULL);
	EXPECT_TRUE(test, strstr(buf, "VmRSS:\t       4 kB\n") != NULL);
	EXPECT_TRUE(test, strstr(buf, "VmPTE:\t      12 kB\n") != NULL);
	EXPECT_TRUE(test, strstr(buf, "PgtPTE:\t1\n") != NULL);
	n = pseudofs_read(mm->maps_path, buf, sizeof(buf) - 1);
	ASSERT_GT(test, n, 0);
	buf[n] = '\0';
	EXPECT_STREQ(test, buf, "100000000000-100000200000 rw-p 00000000 00:00 0\n");
	mm_destroy(mm);
}

/* Hugetlb. */

KTEST(mmap, hugetlb_2m_reservations)
{
	struct baseline b;
	struct snapshot s;
	struct mm *mm;
	unsigned long r0;
	u64 v;

	take_baseline(&b);
	if (!ktest_ensure_free_huge(test, H2M, 4))
		return;
	r0 = H2M->resv_huge_pages;
	mm = new_mm(test);
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 3 * SZ_2M, RW, ANON | MAP_FIXED | MAP_HUGETLB), BASE);
	EXPECT_EQ(test, H2M->resv_huge_pages, r0 + 3);
	EXPECT_EQ(test, mm->vmas[0].vm_resv, 3);
	EXPECT_EQ(test, ktest_touch(BASE + SZ_2M + 8), 0);
	EXPECT_EQ(test, H2M->resv_huge_pages, r0 + 2);
	EXPECT_EQ(test, mm->nr_huge[HSTATE_2M], 1);
	EXPECT_EQ(test, mm->rss, 0);
	EXPECT_EQ(test, mm->nr_pgtables[PG_LEVEL_4K], 0);
	EXPECT_EQ(test, peek(BASE + SZ_2M + 4096, &v), 0);
	EXPECT_EQ(test, v, 0);
	CHECK_MM(test, mm);

	/* More than the pool can cover: ENOMEM, nothing changes. */
	take_snapshot(mm, &s, true);
	EXPECT_EQ(test, do_mmap(mm, BASE + SZ_1G,
				(H2M->free_huge_pages - H2M->resv_huge_pages + 1) * SZ_2M, RW,
				ANON | MAP_FIXED | MAP_HUGETLB), -ENOMEM);
	EXPECT_UNCHANGED(test, mm, &s, true);
	/* Splits must fall on huge page boundaries. */
	EXPECT_EQ(test, do_munmap(mm, BASE + PAGE_SIZE, PAGE_SIZE), -EINVAL);
	EXPECT_EQ(test, do_munmap(mm, BASE, SZ_2M + PAGE_SIZE), -EINVAL);
	EXPECT_EQ(test, do_mprotect(mm, BASE, PAGE_SIZE, PROT_READ), -EINVAL);
	EXPECT_EQ(test, do_madvise(mm, BASE + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), -EINVAL);
	/* madvise rounds a hugetlb end down: this frees nothing. */
	EXPECT_EQ(test, do_madvise(mm, BASE + SZ_2M, PAGE_SIZE, MADV_DONTNEED), 0);
	EXPECT_UNCHANGED(test, mm, &s, true);

	/* DONTNEED gives the page back and takes its reservation again. */
	EXPECT_EQ(test, do_madvise(mm, BASE + SZ_2M, SZ_2M, MADV_DONTNEED), 0);
	EXPECT_EQ(test, mm->nr_huge[HSTATE_2M], 0);
	EXPECT_EQ(test, H2M->resv_huge_pages, r0 + 3);
	EXPECT_EQ(test, pgtables(mm), 0);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, ktest_touch(BASE), 0);
	EXPECT_EQ(test, ktest_touch(BASE + 2 * SZ_2M), 0);
	/* Split in the middle: each piece keeps what its unmapped pages need. */
	EXPECT_EQ(test, do_mprotect(mm, BASE + SZ_2M, SZ_2M, PROT_READ), 0);
	EXPECT_EQ(test, mm->map_count, 3);
	EXPECT_EQ(test, mm->vmas[0].vm_resv + mm->vmas[1].vm_resv + mm->vmas[2].vm_resv, 1);
	EXPECT_EQ(test, mm->vmas[1].vm_resv, 1);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_munmap(mm, BASE + SZ_2M, SZ_2M), 0);
	EXPECT_EQ(test, H2M->resv_huge_pages, r0);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	EXPECT_EQ(test, H2M->resv_huge_pages, r0);
	expect_baseline(test, &b);
	CHECK_ALLOCATORS(test);
}

KTEST(mmap, hugetlb_noreserve_sigbus)
{
	struct baseline b;
	struct mm *mm;

	take_baseline(&b);
	if (!ktest_ensure_free_huge(test, H2M, 1))
		return;
	mm = new_mm(test);
	ASSERT_NOT_NULL(test, mm);
	/* Two pages without reservation, one free pool page not spoken for. */
	ASSERT_EQ(test, do_mmap(mm, BASE, 2 * SZ_2M, RW,
				ANON | MAP_FIXED | MAP_HUGETLB | MAP_NORESERVE), BASE);
	EXPECT_EQ(test, mm->vmas[0].vm_resv, 0);
	/* Take every other free page away with reservations of our own. */
	ASSERT_EQ(test, hugetlb_acquire_reservation(H2M, H2M->free_huge_pages -
						     H2M->resv_huge_pages - 1), 0);
	EXPECT_EQ(test, ktest_touch(BASE), 0);
	EXPECT_EQ(test, ktest_touch(BASE + SZ_2M), -EFAULT);
	EXPECT_EQ(test, mm->nr_sigbus, 1);
	EXPECT_TRUE(test, strstr(mm->last_report, "bus error") != NULL);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	hugetlb_release_reservation(H2M, H2M->resv_huge_pages - b.resv[0]);
	expect_baseline(test, &b);
}

KTEST(mmap, hugetlb_1g)
{
	struct baseline b;
	struct mm *mm;
	u64 v;

	take_baseline(&b);
	if (!ktest_ensure_free_huge(test, H1G, 1))
		return;
	mm = new_mm(test);
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, SZ_1G, RW, ANON | MAP_FIXED | MAP_HUGETLB | MAP_HUGE_1GB),
		  BASE);
	EXPECT_EQ(test, H1G->resv_huge_pages, b.resv[1] + 1);
	EXPECT_EQ(test, put_user_u64(5, (u64 __user *)(BASE + SZ_1G - 8)), 0);
	EXPECT_EQ(test, peek(BASE, &v), 0);
	EXPECT_EQ(test, v, 0);
	EXPECT_EQ(test, mm->nr_huge[HSTATE_1G], 1);
	EXPECT_EQ(test, mm->nr_pgtables[PG_LEVEL_1G], 1);
	EXPECT_EQ(test, mm->nr_pgtables[PG_LEVEL_2M], 0);
	EXPECT_EQ(test, H1G->resv_huge_pages, b.resv[1]);
	CHECK_MM(test, mm);
	EXPECT_EQ(test, do_munmap(mm, BASE, SZ_2M), -EINVAL);
	EXPECT_EQ(test, do_munmap(mm, BASE, SZ_1G), 0);
	EXPECT_EQ(test, pgtables(mm), 0);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	expect_baseline(test, &b);
	CHECK_ALLOCATORS(test);
}

/* Fault injection: every allocation of each call fails in turn. */

typedef long (*mm_op)(struct mm *mm);

static long op_mmap_new(struct mm *mm)
{
	return do_mmap(mm, BASE + SZ_1G, PAGE_SIZE, RW, ANON | MAP_FIXED);
}

static long op_mmap_huge(struct mm *mm)
{
	return do_mmap(mm, BASE + 3 * SZ_1G, 2 * SZ_2M, RW, ANON | MAP_FIXED | MAP_HUGETLB);
}

static long op_mprotect_split(struct mm *mm)
{
	return do_mprotect(mm, BASE + 3 * PAGE_SIZE, PAGE_SIZE, PROT_READ);
}

static long op_munmap_split(struct mm *mm)
{
	return do_munmap(mm, BASE + 5 * PAGE_SIZE, PAGE_SIZE);
}

static long op_fault_new_tables(struct mm *mm)
{
	(void)mm;
	return ktest_touch(BASE + 512 * SZ_1G);
}

static long op_fault_huge_surplus(struct mm *mm)
{
	(void)mm;
	return ktest_touch(BASE + 4 * SZ_1G);
}

/* Fill the VMA array so that the next insert must grow it. */
static void fill_vma_array(struct kunit *test, struct mm *mm)
{
	unsigned long i = 0;

	while (mm->map_count < mm->vma_cap) {
		long a = BASE + 8 * SZ_1G + 2 * i * PAGE_SIZE;

		if (do_mmap(mm, a, PAGE_SIZE, RW, ANON | MAP_FIXED) != a) {
			ktest_fail(test, __FILE__, __LINE__, "filling the VMA array failed");
			return;
		}
		i++;
	}
}

/*
 * with_free: compare free pages too. Not where the failing allocation is
 * inside the pool's growth: a failed growth may leave the pool's vmemmap
 * in another (still consistent) shape, and the memory comes back when
 * the pool shrinks, which the test's final baseline checks.
 */
static void inject_each(struct kunit *test, struct mm *mm, const char *name, mm_op op,
			bool fill, bool with_free)
{
	unsigned long n;

	for (n = 1; n < 64; n++) {
		struct snapshot s;
		unsigned long injected;
		long ret;

		if (fill)
			fill_vma_array(test, mm);
		take_snapshot(mm, &s, with_free);
		injected = fail_page_alloc_injected();
		fail_page_alloc_nth(n);
		ret = op(mm);
		fail_page_alloc_off();
		if (fail_page_alloc_injected() == injected) {
			/* Allocation n was never reached: the call ran unhindered. */
			if (ret < 0)
				ktest_fail(test, __FILE__, __LINE__, "%s: failed without injection: %ld",
					   name, ret);
			break;
		}
		if (ret >= 0) {
			/* Only populate may absorb a failure; the result must still be sound. */
			CHECK_MM(test, mm);
			break;
		}
		if (ret != -ENOMEM && ret != -EFAULT)
			ktest_fail(test, __FILE__, __LINE__, "%s: allocation %lu: %ld",
				   name, n, ret);
		if (!EXPECT_UNCHANGED(test, mm, &s, with_free) || !CHECK_MM(test, mm)) {
			ktest_log(test, "%s: allocation %lu failed and left damage", name, n);
			break;
		}
	}
	ktest_log(test, "%s: %lu allocation(s) failed in turn, no damage", name, n - 1);
}

KTEST(mmap, fault_injection_no_damage)
{
	struct baseline b;
	unsigned long held;
	struct mm *mm;

	take_baseline(&b);
	if (!ktest_ensure_free_huge(test, H2M, 2))
		return;
	mm = new_mm(test);
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, BASE, 16 * PAGE_SIZE, RW, ANON | MAP_FIXED), BASE);
	ASSERT_EQ(test, do_mmap(mm, BASE + 512 * SZ_1G, PAGE_SIZE, RW, ANON | MAP_FIXED),
		  BASE + 512 * SZ_1G);
	ASSERT_EQ(test, do_mmap(mm, BASE + 4 * SZ_1G, SZ_2M, RW,
				ANON | MAP_FIXED | MAP_HUGETLB | MAP_NORESERVE), BASE + 4 * SZ_1G);
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(test, ktest_touch(BASE + i * PAGE_SIZE), 0);

	inject_each(test, mm, "mmap (array growth)", op_mmap_new, true, true);
	inject_each(test, mm, "mprotect split", op_mprotect_split, true, true);
	inject_each(test, mm, "munmap split", op_munmap_split, true, true);
	inject_each(test, mm, "fault with 3 new tables", op_fault_new_tables, false, true);
	/* The pool's free pages are all reserved: the fault must grow it. */
	H2M->nr_overcommit_huge_pages = 1;
	ASSERT_EQ(test, hugetlb_acquire_reservation(H2M, H2M->free_huge_pages -
						     H2M->resv_huge_pages), 0);
	inject_each(test, mm, "hugetlb fault (surplus)", op_fault_huge_surplus, false, false);
	hugetlb_release_reservation(H2M, H2M->resv_huge_pages - b.resv[0]);
	/* Again, so that the mapping's reservations need two surplus pages. */
	H2M->nr_overcommit_huge_pages = H2M->surplus_huge_pages + 2;
	ASSERT_EQ(test, hugetlb_acquire_reservation(H2M, H2M->free_huge_pages -
						     H2M->resv_huge_pages), 0);
	held = H2M->resv_huge_pages - b.resv[0];
	inject_each(test, mm, "hugetlb mmap (surplus reservation)", op_mmap_huge, false, false);
	hugetlb_release_reservation(H2M, held);
	H2M->nr_overcommit_huge_pages = 0;
	CHECK_MM(test, mm);
	mm_destroy(mm);
	expect_baseline(test, &b);
	CHECK_ALLOCATORS(test);
}

/* Seeded random sequences. */

#define RND_WINDOW	(64UL << 20)

static u64 rnd_state;

static unsigned long rnd_below(unsigned long n)
{
	return n ? xorshift64(&rnd_state) % n : 0;
}

static unsigned long rnd_prot(void)
{
	static const unsigned long prots[] = { PROT_NONE, PROT_READ, RW, RW, RW | PROT_EXEC };

	return prots[rnd_below(ARRAY_SIZE(prots))];
}

/* What a touch must do, from the VMA set alone. */
static int expected_touch(struct mm *mm, unsigned long addr, bool write)
{
	struct vm_area_struct *v = vma_lookup(mm, addr);

	if (!v)
		return -EFAULT;
	if (write ? !(v->vm_flags & VM_WRITE) : !(v->vm_flags & VM_ACCESS_FLAGS))
		return -EFAULT;
	return 0;
}

static long random_step(struct kunit *test, struct mm *mm, bool huge, bool *may_fail)
{
	unsigned long op = rnd_below(huge ? 12 : 10);
	unsigned long start = BASE + (rnd_below(RND_WINDOW / PAGE_SIZE) << PAGE_SHIFT);
	unsigned long len = (1 + rnd_below(rnd_below(4) ? 16 : 600)) << PAGE_SHIFT;
	unsigned long flags = ANON | MAP_FIXED | (rnd_below(8) ? 0 : MAP_POPULATE);
	bool write = xorshift64(&rnd_state) & 1;
	unsigned long sigbus;
	u64 v = 0;
	int want, ret;

	*may_fail = true;
	switch (op) {
	case 0:
	case 1:
		return do_mmap(mm, start, len, rnd_prot(), flags);
	case 2:
	case 3:
		return do_munmap(mm, start, len);
	case 4:
		return do_mprotect(mm, start, len, rnd_prot());
	case 5:
		return do_madvise(mm, start, len, MADV_DONTNEED);
	case 10:
	case 11:
		/* Hugetlb: aligned, some without reservation. */
		start = BASE + ALIGN_DOWN(start - BASE, SZ_2M);
		len = (1 + rnd_below(3)) * SZ_2M;
		flags |= MAP_HUGETLB | (rnd_below(3) ? 0 : MAP_NORESERVE);
		if (op == 11)
			return do_madvise(mm, start, len, MADV_DONTNEED);
		return do_mmap(mm, start, len, rnd_prot(), flags);
	default:
		*may_fail = false;
		want = expected_touch(mm, start, write);
		sigbus = mm->nr_sigbus;
		ret = write ? ktest_touch(start) : peek(start, &v);
		/* A MAP_NORESERVE hugetlb page may find the pool empty. */
		if (ret && !want && mm->nr_sigbus > sigbus)
			return 0;
		if (ret != want)
			ktest_fail(test, __FILE__, __LINE__, "touch %lx (%s): %d, expected %d",
				   start, write ? "write" : "read", ret, want);
		if (!ret && !write && v != 0 && v != start)
			ktest_fail(test, __FILE__, __LINE__, "read %lx: %#llx", start,
				   (unsigned long long)v);
		return ret;
	}
}

static void random_sequence(struct kunit *test, u64 seed, unsigned int steps, bool huge,
			    bool reclaim)
{
	struct baseline b;
	struct mm *mm;
	unsigned int failed = 0;
	unsigned long peak_huge = 0;

	take_baseline(&b);
	if (huge && !ktest_ensure_free_huge(test, H2M, 6))
		return;
	set_pt_reclaim(reclaim);
	rnd_state = seed;
	mm = new_mm(test);
	ASSERT_NOT_NULL(test, mm);
	for (unsigned int i = 0; i < steps; i++) {
		struct snapshot s;
		bool may_fail;
		long ret;

		take_snapshot(mm, &s, false);
		ret = random_step(test, mm, huge, &may_fail);
		if (ret < 0 && may_fail) {
			failed++;
			if (!EXPECT_UNCHANGED(test, mm, &s, false)) {
				ktest_log(test, "seed %#llx step %u: a failed call (%ld) changed the mm",
					  (unsigned long long)seed, i, ret);
				break;
			}
		}
		if (!CHECK_MM(test, mm)) {
			ktest_log(test, "seed %#llx: step %u", (unsigned long long)seed, i);
			break;
		}
		peak_huge = max(peak_huge, mm->nr_huge[HSTATE_2M]);
	}
	ktest_log(test, "seed %#llx: %u steps (%u refused), %u VMAs, rss %lu, %lu tables, %lu reclaimed, up to %lu huge pages mapped",
		  (unsigned long long)seed, steps, failed, mm->map_count, mm->rss, pgtables(mm),
		  mm->pt_reclaimed, peak_huge);
	mm_destroy(mm);
	expect_baseline(test, &b);
	CHECK_ALLOCATORS(test);
}

KTEST(mmap, random_anon_reclaim_on)
{
	random_sequence(test, 0x5eed0001, 1500, false, true);
}

KTEST(mmap, random_anon_reclaim_off)
{
	random_sequence(test, 0x5eed0002, 1500, false, false);
}

KTEST(mmap, random_hugetlb_reclaim_on)
{
	random_sequence(test, 0x5eed0003, 1500, true, true);
}

KTEST(mmap, random_hugetlb_reclaim_off)
{
	random_sequence(test, 0x5eed0004, 1000, true, false);
}
