// SPDX-License-Identifier: MIT
/*
 * Mapping device-dax regions into address spaces (do_mmap_dax, VM_DAX):
 * a 2 MiB / 1 GiB aligned region maps with PMD / PUD leaves, a 4 KiB one
 * with PTEs, each at the region's pfn (walked in the mm's own tables);
 * destroy is -EBUSY while any piece is mapped; splits keep the region's
 * user count; munmap, MADV_DONTNEED and teardown zap the leaves and
 * reclaim every empty table; the fault's table allocations fail cleanly
 * under fault injection. Needs device memory (memmap=2G!4G, 8 GiB guest:
 * tests/host/configs.py "device-8g"); skipped otherwise. mm_check and dax_check
 * run after every step; free pages return to the exact baseline.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/devdax.h"
#include "mm/fail_page_alloc.h"
#include "mm/e820.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/memory.h"
#include "mm/pt_reclaim.h"
#include "mm/debug/check.h"
#include "kernel/uaccess.h"
#include "mm/mmap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

/* The reason the last call through these tests failed. */
static struct errmsg werr;

#define SECTION_BYTES	(128UL << 20)
#define BASE		0x100000000000UL	/* 16 TiB: 512 GiB aligned */
#define RW		(PROT_READ | PROT_WRITE)

static u64 dev_start, dev_end;

static bool find_device_memory(struct kunit *test, u64 need)
{
	return ktest_find_device_memory(test, need, &dev_start, &dev_end);
}

static bool __check(struct kunit *test, struct mm *mm, int line)
{
	struct errmsg msg;

	if (mm && mm_check(mm, &msg)) {
		ktest_fail(test, __FILE__, line, "mm_check: %s", msg.why);
		return false;
	}
	if (!ktest_mm_checkers(test, __FILE__, line))
		return false;
	return true;
}
#define CHECK_ALL(test, mm)	__check(test, mm, __LINE__)

#define EXPECT_TABLES(test, mm, pud, pmd, pte) do {			\
	EXPECT_EQ(test, (mm)->nr_pgtables[PG_LEVEL_1G], pud);		\
	EXPECT_EQ(test, (mm)->nr_pgtables[PG_LEVEL_2M], pmd);		\
	EXPECT_EQ(test, (mm)->nr_pgtables[PG_LEVEL_4K], pte);		\
} while (0)

/* The leaf mapping addr in mm's own tables, or NULL; its level in *level. */
static pteval_t *leaf_of(struct mm *mm, unsigned long addr, enum pg_level *level)
{
	pteval_t *t = mm->pgd;

	for (enum pg_level l = PG_LEVEL_512G; ; l--) {
		pteval_t *e = &t[level_index(addr, l)];

		if (!*e)
			return NULL;
		if (l == PG_LEVEL_4K || (*e & _PAGE_PSE)) {
			*level = l;
			return e;
		}
		t = entry_table(*e);
	}
}

/* addr is mapped by a leaf of this level at phys. */
static void expect_leaf_at(struct kunit *test, struct mm *mm, unsigned long addr,
			   enum pg_level want, phys_addr_t phys, int line)
{
	enum pg_level level;
	pteval_t *e = leaf_of(mm, addr, &level);

	if (!e) {
		ktest_fail(test, __FILE__, line, "%lx: not mapped", addr);
		return;
	}
	if (level != want || entry_phys(*e) != phys || !(*e & _PAGE_PRESENT))
		ktest_fail(test, __FILE__, line, "%lx: level %d entry %#llx, want level %d at %#llx",
			   addr, level, (unsigned long long)*e, want, (unsigned long long)phys);
}
#define EXPECT_LEAF(test, mm, addr, level, phys) \
	expect_leaf_at(test, mm, addr, level, phys, __LINE__)

static struct mm *new_mm(struct kunit *test)
{
	set_pt_reclaim(true);
	return ktest_mm_create(test, "daxmmap");
}

static void end_mm(struct mm *mm)
{
	mm_destroy(mm);
}

static struct dax_region *create(struct kunit *test, u64 start, u64 size, unsigned long align)
{
	int id = dax_region_create(start, size, align, &werr);

	if (id < 0) {
		ktest_fail(test, __FILE__, __LINE__, "dax create %#llx+%#llx: %d %s",
			   (unsigned long long)start, (unsigned long long)size, id,
			   werr.why);
		return NULL;
	}
	return dax_region_find(id);
}

/*
 * Map a whole region of alignment `align` at BASE, touch every page of
 * it, check leaves, pfns, counts; split it, DONTNEED and unmap it piece
 * by piece; everything returns to the baseline.
 */
static void map_region(struct kunit *test, u64 start, u64 size, unsigned long align,
		       enum pg_level level, unsigned int pud, unsigned int pmd, unsigned int pte)
{
	unsigned long free0 = ktest_settled_free_pages(), n = size / align, pages = size >> PAGE_SHIFT;
	struct dax_region *r = create(test, start, size, align);
	struct page *head;
	struct mm *mm;
	unsigned int id;
	long addr;
	u64 v;

	if (!r)
		return;
	id = r->id;
	mm = new_mm(test);
	ASSERT_NOT_NULL(test, mm);
	CHECK_ALL(test, mm);

	addr = do_mmap_dax(mm, BASE, size, RW, MAP_SHARED | MAP_FIXED, r, 0, NULL);
	ASSERT_EQ(test, addr, (long)BASE);
	EXPECT_EQ(test, r->users, 1);
	EXPECT_EQ(test, mm->rss_dax, 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	EXPECT_EQ(test, dax_region_destroy(id, &werr), -EBUSY);
	CHECK_ALL(test, mm);

	for (unsigned long i = 0; i < n; i++) {
		unsigned long a = BASE + i * align + (align > PAGE_SIZE ? 3 * PAGE_SIZE : 0);

		ASSERT_EQ(test, ktest_touch(a), 0);
		ASSERT_EQ(test, get_user_u64(&v, (const u64 __user *)a), 0);
		EXPECT_UEQ(test, v, a);
		EXPECT_LEAF(test, mm, a, level, start + i * align);
	}
	CHECK_ALL(test, mm);
	EXPECT_UEQ(test, mm->rss_dax, pages);
	EXPECT_UEQ(test, mm->rss, 0);
	EXPECT_UEQ(test, mm->min_flt, n);
	EXPECT_TABLES(test, mm, pud, pmd, pte);
	/* Counted on the head only. */
	head = pfn_to_page(PHYS_PFN(start));
	EXPECT_EQ(test, head->_refcount, 1);
	EXPECT_EQ(test, head->_mapcount, 1);
	if (align > PAGE_SIZE) {
		EXPECT_TRUE(test, PageHead(head));
		EXPECT_EQ(test, head[1]._refcount, 0);
		EXPECT_EQ(test, head[1]._mapcount, 0);
	}

	/* Misaligned splits are refused and change nothing. */
	if (align > PAGE_SIZE) {
		EXPECT_EQ(test, do_munmap(mm, BASE + PAGE_SIZE, PAGE_SIZE), -EINVAL);
		EXPECT_EQ(test, do_mprotect(mm, BASE, PAGE_SIZE, PROT_READ), -EINVAL);
		EXPECT_EQ(test, do_madvise(mm, BASE + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), -EINVAL);
		EXPECT_UEQ(test, mm->rss_dax, pages);
		CHECK_ALL(test, mm);
	}

	if (n >= 4) {
		/* Hole in the middle: two pieces, two references. */
		ASSERT_EQ(test, do_munmap(mm, BASE + align, align), 0);
		EXPECT_EQ(test, mm->map_count, 2);
		EXPECT_EQ(test, r->users, 2);
		EXPECT_UEQ(test, mm->rss_dax, pages - (align >> PAGE_SHIFT));
		EXPECT_EQ(test, mm->vmas[1].vm_pgoff, 2 * (align >> PAGE_SHIFT));
		CHECK_ALL(test, mm);
		/* Map it back: the pieces merge into one again. */
		ASSERT_EQ(test, do_mmap_dax(mm, BASE + align, align, RW, MAP_SHARED | MAP_FIXED,
					    r, align, NULL), (long)(BASE + align));
		EXPECT_EQ(test, mm->map_count, 1);
		EXPECT_EQ(test, r->users, 1);
		ASSERT_EQ(test, ktest_touch(BASE + align), 0);
		EXPECT_LEAF(test, mm, BASE + align, level, start + align);
		CHECK_ALL(test, mm);
		/* mprotect splits, then merges back. */
		ASSERT_EQ(test, do_mprotect(mm, BASE, align, PROT_READ), 0);
		EXPECT_EQ(test, r->users, 2);
		EXPECT_EQ(test, ktest_touch(BASE), -EFAULT);
		CHECK_ALL(test, mm);
		ASSERT_EQ(test, do_mprotect(mm, BASE, align, RW), 0);
		EXPECT_EQ(test, r->users, 1);
		CHECK_ALL(test, mm);
		/* DONTNEED zaps the leaf; a new fault maps the same pfn. */
		ASSERT_EQ(test, do_madvise(mm, BASE + 2 * align, align, MADV_DONTNEED), 0);
		EXPECT_UEQ(test, mm->rss_dax, pages - (align >> PAGE_SHIFT));
		EXPECT_EQ(test, pfn_to_page(PHYS_PFN(start + 2 * align))->_mapcount, 0);
		CHECK_ALL(test, mm);
		ASSERT_EQ(test, get_user_u64(&v, (const u64 __user *)(BASE + 2 * align + 24)), 0);
		EXPECT_LEAF(test, mm, BASE + 2 * align, level, start + 2 * align);
		CHECK_ALL(test, mm);
	}

	/* DONTNEED of everything: every table goes, the VMA stays. */
	ASSERT_EQ(test, do_madvise(mm, BASE, size, MADV_DONTNEED), 0);
	EXPECT_UEQ(test, mm->rss_dax, 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	EXPECT_EQ(test, r->users, 1);
	EXPECT_EQ(test, head->_refcount, 0);
	EXPECT_EQ(test, head->_mapcount, 0);
	CHECK_ALL(test, mm);

	/* Fault it all back with MAP_POPULATE over the old mapping, then unmap. */
	ASSERT_EQ(test, do_mmap_dax(mm, BASE, size, PROT_READ,
				    MAP_SHARED | MAP_FIXED | MAP_POPULATE, r, 0, NULL), (long)BASE);
	EXPECT_EQ(test, r->users, 1);
	EXPECT_UEQ(test, mm->rss_dax, pages);
	EXPECT_TABLES(test, mm, pud, pmd, pte);
	EXPECT_LEAF(test, mm, BASE + size - align, level, start + size - align);
	CHECK_ALL(test, mm);
	EXPECT_EQ(test, dax_region_destroy(id, &werr), -EBUSY);
	ASSERT_EQ(test, do_munmap(mm, BASE, size), 0);
	EXPECT_EQ(test, r->users, 0);
	EXPECT_UEQ(test, mm->rss_dax, 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	for (unsigned int i = 0; i < PTRS_PER_TABLE / 2; i++)
		if (mm->pgd[i])
			ktest_fail(test, __FILE__, __LINE__, "PGD entry %u still set", i);
	CHECK_ALL(test, mm);

	/* Teardown with the region mapped gives the reference back. */
	ASSERT_TRUE(test, do_mmap_dax(mm, 0, size, RW, MAP_SHARED, r, 0, NULL) > 0);
	ASSERT_EQ(test, ktest_touch(find_vma(mm, 0)->vm_start), 0);
	EXPECT_EQ(test, r->users, 1);
	end_mm(mm);
	switch_mm(NULL);
	EXPECT_EQ(test, r->users, 0);
	EXPECT_EQ(test, head->_refcount, 0);
	EXPECT_EQ(test, dax_region_destroy(id, &werr), 0);
	EXPECT_UEQ(test, ktest_settled_free_pages(), free0);
	CHECK_ALL(test, NULL);
}

KTEST(dax_mmap, map_2m_pmd_leaves)
{
	if (!find_device_memory(test, SZ_1G + SECTION_BYTES))
		return;
	/* 8 x 2 MiB: one PUD table, one PMD table, no PTE table. */
	map_region(test, dev_start + SZ_1G, 8 * SZ_2M, SZ_2M, PG_LEVEL_2M, 1, 1, 0);
}

KTEST(dax_mmap, map_1g_pud_leaves)
{
	if (!find_device_memory(test, SZ_1G))
		return;
	/* One 1 GiB page: one PUD table, nothing below. */
	map_region(test, dev_start, SZ_1G, SZ_1G, PG_LEVEL_1G, 1, 0, 0);
}

KTEST(dax_mmap, map_4k_ptes)
{
	if (!find_device_memory(test, SZ_1G + SECTION_BYTES))
		return;
	/* 4 x 4 KiB... mapped page by page: 2 MiB of them, a table at each level. */
	map_region(test, dev_start + SZ_1G, SZ_2M, SZ_4K, PG_LEVEL_4K, 1, 1, 1);
}

KTEST(dax_mmap, refused_calls_change_nothing)
{
	struct dax_region *r2, *r1;
	struct mm *mm;

	if (!find_device_memory(test, 2 * SZ_1G))
		return;
	r1 = create(test, dev_start, SZ_1G, SZ_1G);
	ASSERT_NOT_NULL(test, r1);
	r2 = create(test, dev_start + SZ_1G, 4 * SZ_2M, SZ_2M);
	ASSERT_NOT_NULL(test, r2);
	mm = new_mm(test);
	ASSERT_NOT_NULL(test, mm);
	EXPECT_EQ(test, do_mmap_dax(mm, 0, SZ_2M, RW, MAP_SHARED, NULL, 0, NULL), -ENODEV);
	EXPECT_EQ(test, do_mmap_dax(mm, 0, SZ_2M, RW, MAP_PRIVATE, r2, 0, NULL), -EINVAL);
	EXPECT_EQ(test, do_mmap_dax(mm, 0, SZ_2M, RW, MAP_SHARED | MAP_ANONYMOUS, r2, 0, NULL), -EINVAL);
	EXPECT_EQ(test, do_mmap_dax(mm, 0, SZ_4K, RW, MAP_SHARED, r2, 0, NULL), -EINVAL);
	EXPECT_EQ(test, do_mmap_dax(mm, 0, SZ_2M, RW, MAP_SHARED, r2, SZ_4K, NULL), -EINVAL);
	EXPECT_EQ(test, do_mmap_dax(mm, 0, 4 * SZ_2M, RW, MAP_SHARED, r2, SZ_2M, NULL), -EINVAL);
	EXPECT_EQ(test, do_mmap_dax(mm, 0, SZ_2M, RW, MAP_SHARED, r2, 4 * SZ_2M, NULL), -EINVAL);
	EXPECT_EQ(test, do_mmap_dax(mm, 0, SZ_2M, RW, MAP_SHARED, r1, 0, NULL), -EINVAL);
	EXPECT_EQ(test, do_mmap_dax(mm, BASE + SZ_2M, SZ_1G, RW, MAP_SHARED | MAP_FIXED, r1, 0, NULL),
		  -EINVAL);
	EXPECT_EQ(test, mm->map_count, 0);
	EXPECT_EQ(test, r1->users, 0);
	EXPECT_EQ(test, r2->users, 0);
	CHECK_ALL(test, mm);
	/* Two regions side by side never merge. */
	ASSERT_EQ(test, do_mmap_dax(mm, BASE, SZ_2M, RW, MAP_SHARED | MAP_FIXED, r2, 0, NULL), (long)BASE);
	ASSERT_EQ(test, do_mmap_dax(mm, BASE + SZ_2M, SZ_2M, RW, MAP_SHARED | MAP_FIXED, r2,
				    2 * SZ_2M, NULL), (long)(BASE + SZ_2M));
	EXPECT_EQ(test, mm->map_count, 2);	/* offsets not contiguous */
	EXPECT_EQ(test, r2->users, 2);
	CHECK_ALL(test, mm);
	end_mm(mm);
	switch_mm(NULL);
	EXPECT_EQ(test, r2->users, 0);
	EXPECT_EQ(test, dax_region_destroy(r1->id, &werr), 0);
	EXPECT_EQ(test, dax_region_destroy(r2->id, &werr), 0);
	CHECK_ALL(test, NULL);
}

/*
 * A PTE table's lock comes from the "ptlock" cache (mm/pgtable-generic.c): one
 * more page allocation for the first fault when that cache, shrunk by
 * ktest_settled_free_pages(), has no free object left.
 */
static unsigned long ptlock_needs_slab(unsigned long align)
{
	struct kmem_cache *c = kmem_cache_find("ptlock");

	if (align != SZ_4K || !c)
		return 0;
	return c->active_objs == c->total_objs;
}

/* Every table allocation of the first fault fails in turn: nothing stays. */
static void inject_fault(struct kunit *test, u64 start, u64 size, unsigned long align,
			 unsigned long want_points)
{
	struct dax_region *r = create(test, start, size, align);
	unsigned long k, free0;
	struct mm *mm;

	if (!r)
		return;
	mm = new_mm(test);
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap_dax(mm, BASE, size, RW, MAP_SHARED | MAP_FIXED, r, 0, NULL), (long)BASE);
	free0 = ktest_settled_free_pages();
	want_points += ptlock_needs_slab(align);
	for (k = 1; k < 16; k++) {
		unsigned long injected = fail_page_alloc_injected();
		unsigned long oom = mm->nr_oom;
		int ret;

		fail_page_alloc_nth(k);
		ret = ktest_touch(BASE);
		fail_page_alloc_off();
		if (fail_page_alloc_injected() == injected) {
			EXPECT_EQ(test, ret, 0);
			break;
		}
		/* A user access fails with -EFAULT (Linux); the mm says msg.why. */
		EXPECT_EQ(test, ret, -EFAULT);
		EXPECT_UEQ(test, mm->nr_oom, oom + 1);
		EXPECT_UEQ(test, mm->rss_dax, 0);
		EXPECT_TABLES(test, mm, 0, 0, 0);
		EXPECT_EQ(test, pfn_to_page(PHYS_PFN(start))->_refcount, 0);
		EXPECT_UEQ(test, ktest_settled_free_pages(), free0);
		CHECK_ALL(test, mm);
	}
	ktest_log(test, "align %#lx: %lu table allocations failed in turn", align, k - 1);
	EXPECT_EQ(test, k - 1, want_points);
	EXPECT_UEQ(test, mm->rss_dax, align >> PAGE_SHIFT);
	CHECK_ALL(test, mm);
	ASSERT_EQ(test, do_munmap(mm, BASE, size), 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	EXPECT_UEQ(test, ktest_settled_free_pages(), free0);
	end_mm(mm);
	switch_mm(NULL);
	EXPECT_EQ(test, dax_region_destroy(r->id, &werr), 0);
	CHECK_ALL(test, NULL);
}

KTEST(dax_mmap, fault_injection)
{
	if (!find_device_memory(test, SZ_1G + SECTION_BYTES))
		return;
	/* Tables a first fault needs: PUD+PMD+PTE, PUD+PMD, PUD. */
	inject_fault(test, dev_start + SZ_1G, SZ_2M, SZ_4K, 3);
	inject_fault(test, dev_start + SZ_1G, 2 * SZ_2M, SZ_2M, 2);
	inject_fault(test, dev_start, SZ_1G, SZ_1G, 1);
}

KTEST(dax_mmap, console)
{
	static char out[1024];
	char line[128];
	struct dax_region *r;
	struct mm *mm;

	if (!find_device_memory(test, SZ_1G + SECTION_BYTES))
		return;
	r = create(test, dev_start + SZ_1G, 4 * SZ_2M, SZ_2M);
	ASSERT_NOT_NULL(test, r);
	mm = new_mm(test);
	ASSERT_NOT_NULL(test, mm);
	snprintf(line, sizeof(line), "mmap 0 2M rw dax=%u", r->id + 7);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(out, "no dax region"));
	snprintf(line, sizeof(line), "mmap 0 4K dax=%u", r->id);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(out, "multiples of 2M"));
	snprintf(line, sizeof(line), "mmap 0 4M dax=%u offset=6M", r->id);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(out, "beyond"));
	snprintf(line, sizeof(line), "mmap 0x100000001000 2M dax=%u fixed", r->id);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(out, "not 2M aligned"));
	EXPECT_EQ(test, ktest_shell("mmap 0 2M offset=2M", out, sizeof(out)), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(out, "needs dax="));
	EXPECT_EQ(test, mm->map_count, 0);
	EXPECT_EQ(test, r->users, 0);
	snprintf(line, sizeof(line), "mmap 0x100000000000 4M r dax=%u offset=2M fixed populate",
		 r->id);
	EXPECT_EQ(test, ktest_shell(line, out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "100000000000"));
	EXPECT_EQ(test, r->users, 1);
	EXPECT_UEQ(test, mm->rss_dax, 2 * 512);
	EXPECT_LEAF(test, mm, BASE + SZ_2M, PG_LEVEL_2M, dev_start + SZ_1G + 2 * SZ_2M);
	CHECK_ALL(test, mm);
	EXPECT_EQ(test, ktest_shell("munmap 0x100000000000 4M", out, sizeof(out)), 0);
	EXPECT_EQ(test, r->users, 0);
	EXPECT_TABLES(test, mm, 0, 0, 0);
	CHECK_ALL(test, mm);
	end_mm(mm);
	switch_mm(NULL);
	EXPECT_EQ(test, dax_region_destroy(r->id, &werr), 0);
}
