// SPDX-License-Identifier: MIT
/*
 * The kernel page tables (mm/pgtable.c): W^X of the kernel image, the
 * null page and the init stack's guard page, the direct map against the
 * memory map, and the kernel_map/unmap API on a scratch window of the
 * vmalloc area (4 KiB, 2 MiB and 1 GiB leaves, errors, freeing of empty
 * tables, fault injection). After every step the page-table invariant
 * checker kernel_pgtable_check() runs; the number of page-table pages
 * expected is computed from the shape of the mapping (one PMD table per
 * GiB touched, one PTE table per 2 MiB touched by 4 KiB leaves).
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/e820.h"
#include "mm/debug/check.h"
#include "mm/fail_page_alloc.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "kernel/extable.h"
#include "kernel/io.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/string.h"

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _end[];
extern char init_stack_guard[], init_stack[];

/*
 * A scratch GiB of the vmalloc area, 256 GiB in: ioremap starts at the
 * bottom, the traps tests use the last GiB. Its PUD table exists (the
 * kernel's top-level entries are preallocated); nothing below it does.
 */
#define SCRATCH		(VMALLOC_START + (256UL << 30))
#define MSR_EFER	0xc0000080
#define EFER_NXE	BIT(11)

#define EXPECT_PGTABLE_OK(test)	KTEST_CHECK(test, kernel_pgtable_check)

static bool nx_supported(void)
{
	return __supported_pte_mask & _PAGE_NX;
}

/* The leaf mapping va, or 0 (and level NONE). */
static pteval_t leaf(unsigned long va, enum pg_level *level)
{
	pteval_t *e = kernel_lookup(va, level);

	return e ? *e : 0;
}

static bool last_fault(unsigned long addr, unsigned long want_bits,
		       unsigned long error_mask)
{
	struct probe_fault pf;

	probe_last_fault(&pf);
	return pf.vector == X86_TRAP_PF && pf.addr == addr &&
	       (pf.error_code & error_mask) == want_bits;
}

/* ---------------------------------------------------------------------- */

static const u64 rodata_word = 0x0123456789abcdefULL;
static u64 data_word = 0xfedcba9876543210ULL;

/* A write to text or rodata faults as a protection violation. */
KTEST(pgtable, wx_text_rodata_not_writable)
{
	const void *targets[] = { _text, (const void *)kernel_map_page, &rodata_word, _rodata };

	for (unsigned int i = 0; i < ARRAY_SIZE(targets); i++) {
		void *p = (void *)targets[i];
		u64 old;

		ASSERT_EQ(test, probe_read_u64(p, &old), 0);
		/* The same value: a write that wrongly succeeds changes nothing. */
		EXPECT_EQ(test, probe_write_u64(p, old), -EFAULT);
		EXPECT_TRUE(test, last_fault((unsigned long)p, X86_PF_PROT | X86_PF_WRITE,
					     X86_PF_PROT | X86_PF_WRITE));
	}
	EXPECT_UEQ(test, rodata_word, 0x0123456789abcdefULL);
}

KTEST(pgtable, data_writable)
{
	u64 v = 0;

	EXPECT_EQ(test, probe_write_u64(&data_word, 42), 0);
	EXPECT_EQ(test, probe_read_u64(&data_word, &v), 0);
	EXPECT_UEQ(test, v, 42);
	data_word = 0xfedcba9876543210ULL;
}

/* The null page and the page under the init stack are not mapped. */
KTEST(pgtable, null_and_guard_unmapped)
{
	enum pg_level level;
	u64 v;

	EXPECT_NULL(test, kernel_lookup(0, &level));
	EXPECT_EQ(test, probe_read_u64(NULL, &v), -EFAULT);
	/* Not present (no PROT bit), a read. */
	EXPECT_TRUE(test, last_fault(0, 0, X86_PF_PROT | X86_PF_WRITE));
	EXPECT_EQ(test, probe_write_u64((void *)8, 0), -EFAULT);
	EXPECT_TRUE(test, last_fault(8, X86_PF_WRITE, X86_PF_PROT | X86_PF_WRITE));

	EXPECT_TRUE(test, init_stack == init_stack_guard + PAGE_SIZE);
	EXPECT_NULL(test, kernel_lookup((unsigned long)init_stack_guard, &level));
	EXPECT_EQ(test, probe_read_u64(init_stack_guard + 64, &v), -EFAULT);
	EXPECT_TRUE(test, last_fault((unsigned long)init_stack_guard + 64, 0, X86_PF_PROT));
	/* The stack itself is there, writable. */
	EXPECT_NOT_NULL(test, kernel_lookup((unsigned long)init_stack, &level));
	EXPECT_EQ(test, probe_read_u64(init_stack, &v), 0);
	EXPECT_EQ(test, probe_write_u64(init_stack, v), 0);
}

/*
 * Every page of the image, by walking the tables: text RX, rodata R+NX,
 * data and bss RW+NX, each a 4 KiB leaf mapping its load address.
 */
static void check_image_range(struct kunit *test, const char *start,
			      const char *end, bool rw, bool nx)
{
	unsigned int bad = 0;

	for (unsigned long va = (unsigned long)start; va < (unsigned long)end; va += PAGE_SIZE) {
		enum pg_level level;
		pteval_t e;

		if (va == (unsigned long)init_stack_guard)
			continue;
		e = leaf(va, &level);
		if (e && level == PG_LEVEL_4K && entry_phys(e) == va - __START_KERNEL_map &&
		    !!(e & _PAGE_RW) == rw && (!nx_supported() || !!(e & _PAGE_NX) == nx))
			continue;
		if (bad++ < 4)
			ktest_fail(test, __FILE__, __LINE__, "va %#lx: entry %#llx level %d, want %s%s",
				   va, (unsigned long long)e, level, rw ? "RW" : "RO", nx ? " NX" : " X");
	}
	EXPECT_EQ(test, bad, 0);
}

KTEST(pgtable, image_permissions)
{
	if (!nx_supported())
		ktest_log(test, "this CPU has no NX: only RW checked");
	else
		EXPECT_TRUE(test, rdmsr(MSR_EFER) & EFER_NXE);
	EXPECT_TRUE(test, (unsigned long)_etext <= (unsigned long)_rodata &&
		    (unsigned long)_erodata <= (unsigned long)_data);
	check_image_range(test, _text, _etext, false, false);
	check_image_range(test, _rodata, _erodata, false, true);
	check_image_range(test, _data, _end, true, true);
}

/* ---------------------------------------------------------------------- */

static bool is_direct_mapped_type(u32 type)
{
	return type == E820_TYPE_RAM || type == E820_TYPE_ACPI || type == E820_TYPE_NVS;
}

/* Some page of [pa, pa + PAGE_SIZE) belongs to a range the direct map covers. */
static bool page_in_mapped_range(u64 pa)
{
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e)
		if (is_direct_mapped_type(e->type) && e->addr < pa + PAGE_SIZE &&
		    e->addr + e->size > pa)
			return true;
	return false;
}

static unsigned int check_direct(struct kunit *test, u64 pa)
{
	phys_addr_t got = kernel_virt_to_phys((unsigned long)__va(pa));
	enum pg_level level;
	pteval_t e = leaf((unsigned long)__va(pa), &level);

	if (got == pa && (e & _PAGE_RW) && (!nx_supported() || (e & _PAGE_NX)))
		return 0;
	ktest_fail(test, __FILE__, __LINE__, "direct map of %#llx: phys %#llx entry %#llx",
		   (unsigned long long)pa, (unsigned long long)got, (unsigned long long)e);
	return 1;
}

/* Each RAM range: its first and last page, and every 2 MiB in between. */
KTEST(pgtable, direct_map_covers_ram)
{
	unsigned int bad = 0, checked = 0;
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e) {
		u64 first, last;

		if (e->type != E820_TYPE_RAM)
			continue;
		first = ALIGN_DOWN(e->addr, PAGE_SIZE);
		last = ALIGN_DOWN(e->addr + e->size - 1, PAGE_SIZE);
		bad += check_direct(test, first) + check_direct(test, last);
		for (u64 pa = ALIGN(first, PMD_SIZE); pa < last && bad < 8; pa += PMD_SIZE)
			bad += check_direct(test, pa + 0x1238);
		checked++;
	}
	EXPECT_GT(test, checked, 0);
	EXPECT_EQ(test, bad, 0);
}

/*
 * The largest leaves: a GiB wholly inside one RAM range is one 1 GiB leaf
 * where the CPU has them, else 2 MiB leaves; a reserved range that shares
 * no page with RAM, ACPI or NVS is not mapped.
 */
KTEST(pgtable, direct_map_shape)
{
	unsigned int gigs = 0, holes = 0;
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e) {
		u64 end = e->addr + e->size;

		if (e->type == E820_TYPE_RAM) {
			for (u64 g = ALIGN(e->addr, SZ_1G); g + SZ_1G <= end; g += SZ_1G) {
				enum pg_level level;

				leaf((unsigned long)__va(g), &level);
				EXPECT_EQ(test, level, direct_gbpages ? PG_LEVEL_1G : PG_LEVEL_2M);
				gigs++;
			}
			continue;
		}
		if (e->type != E820_TYPE_RESERVED)
			continue;
		/* Its first and last page, unless they share RAM, ACPI or NVS. */
		for (int i = 0; i < 2; i++) {
			u64 pa = ALIGN_DOWN(i ? end - 1 : e->addr, PAGE_SIZE);

			if (page_in_mapped_range(pa))
				continue;
			EXPECT_UEQ(test, kernel_virt_to_phys((unsigned long)__va(pa)), ~0ULL);
			holes++;
		}
	}
	ktest_log(test, "%u GiB-aligned RAM GiBs, %u reserved pages checked unmapped", gigs, holes);
}

/* ---------------------------------------------------------------------- */

/* The scratch window: nothing there, not even an empty PMD table. */
static bool scratch_empty(void)
{
	pteval_t *pud = entry_table(init_pgd[pgd_index(SCRATCH)]);

	if (!entry_present(init_pgd[pgd_index(SCRATCH)]))
		return false;
	for (unsigned int i = 0; i < 2; i++)
		if (entry_present(pud[pud_index(SCRATCH) + i]))
			return false;
	return true;
}

struct pt_base {
	unsigned long tables;
	unsigned long free;
};

static void pt_base(struct pt_base *b)
{
	drain_all_pages();
	b->tables = nr_kernel_pgtable_pages();
	b->free = ktest_free_pages();
}

/* Tables and free pages back to the baseline: nothing leaked. */
static void expect_base(struct kunit *test, const struct pt_base *b, int line)
{
	drain_all_pages();
	if (nr_kernel_pgtable_pages() != b->tables || ktest_free_pages() != b->free)
		ktest_fail(test, __FILE__, line, "tables %lu (want %lu), free pages %lu (want %lu)",
			   nr_kernel_pgtable_pages(), b->tables, ktest_free_pages(), b->free);
	ktest_check(test, __FILE__, line, "kernel_pgtable_check", kernel_pgtable_check);
}

#define EXPECT_BASE(test, b)	expect_base(test, b, __LINE__)

static bool unmapped(unsigned long va, unsigned long size)
{
	enum pg_level level;

	for (unsigned long off = 0; off < size; off += PAGE_SIZE)
		if (kernel_lookup(va + off, &level))
			return false;
	return true;
}

#define SKIP_UNLESS_SCRATCH_EMPTY(test) do {				\
	if (!scratch_empty()) {						\
		ktest_skip(test, "the scratch window of the vmalloc area is in use"); \
		return;							\
	}								\
} while (0)

KTEST(pgtable, map_4k)
{
	struct pt_base base;
	struct page *page;
	u64 *direct, v = 0;
	enum pg_level level;

	SKIP_UNLESS_SCRATCH_EMPTY(test);
	page = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(test, page);
	direct = page_address(page);
	direct[3] = 0x5ca77e4ULL;
	pt_base(&base);
	EXPECT_EQ(test, kernel_map_page(SCRATCH, page_to_phys(page), PAGE_SIZE, PAGE_KERNEL), 0);
	/* A PMD table and a PTE table. */
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), base.tables + 2);
	EXPECT_PGTABLE_OK(test);
	EXPECT_NOT_NULL(test, kernel_lookup(SCRATCH, &level));
	EXPECT_EQ(test, level, PG_LEVEL_4K);
	EXPECT_UEQ(test, kernel_virt_to_phys(SCRATCH + 24), page_to_phys(page) + 24);
	EXPECT_EQ(test, probe_read_u64((void *)(SCRATCH + 24), &v), 0);
	EXPECT_UEQ(test, v, 0x5ca77e4ULL);
	EXPECT_EQ(test, probe_write_u64((void *)(SCRATCH + 32), 77), 0);
	EXPECT_UEQ(test, direct[4], 77);

	/* A second page in the same PTE table: no new table. */
	EXPECT_EQ(test, kernel_map_page(SCRATCH + PAGE_SIZE, page_to_phys(page), PAGE_SIZE, PAGE_KERNEL_RO), 0);
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), base.tables + 2);
	EXPECT_EQ(test, probe_write_u64((void *)(SCRATCH + PAGE_SIZE), 1), -EFAULT);
	EXPECT_PGTABLE_OK(test);
	/* Unmapping one of two frees no table; the last frees both. */
	EXPECT_EQ(test, kernel_unmap_range(SCRATCH, PAGE_SIZE), 0);
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), base.tables + 2);
	EXPECT_EQ(test, probe_read_u64((void *)SCRATCH, &v), -EFAULT);
	EXPECT_PGTABLE_OK(test);
	EXPECT_EQ(test, kernel_unmap_range(SCRATCH, 2 * PAGE_SIZE), 2);
	EXPECT_TRUE(test, unmapped(SCRATCH, 2 * PAGE_SIZE));
	EXPECT_EQ(test, probe_read_u64((void *)(SCRATCH + PAGE_SIZE), &v), -EFAULT);
	EXPECT_TRUE(test, scratch_empty());
	EXPECT_BASE(test, &base);
	__free_page(page);
}

KTEST(pgtable, map_2m)
{
	struct pt_base base;
	struct page *block;
	enum pg_level level;
	u64 v = 0;

	SKIP_UNLESS_SCRATCH_EMPTY(test);
	block = alloc_pages(GFP_KERNEL, 9);
	ASSERT_NOT_NULL(test, block);
	((u64 *)page_address(block + 300))[5] = 0x2e6a;
	pt_base(&base);
	EXPECT_EQ(test, kernel_map_page(SCRATCH + PMD_SIZE, page_to_phys(block), PMD_SIZE, PAGE_KERNEL), 0);
	/* Only the PMD table. */
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), base.tables + 1);
	EXPECT_PGTABLE_OK(test);
	EXPECT_NOT_NULL(test, kernel_lookup(SCRATCH + PMD_SIZE + 300 * PAGE_SIZE, &level));
	EXPECT_EQ(test, level, PG_LEVEL_2M);
	EXPECT_EQ(test, probe_read_u64((void *)(SCRATCH + PMD_SIZE + 300 * PAGE_SIZE + 40), &v), 0);
	EXPECT_UEQ(test, v, 0x2e6a);
	EXPECT_EQ(test, kernel_unmap_range(SCRATCH + PMD_SIZE, PMD_SIZE), 1);
	EXPECT_EQ(test, probe_read_u64((void *)(SCRATCH + PMD_SIZE), &v), -EFAULT);
	EXPECT_BASE(test, &base);
	free_pages(block, 9);
}

KTEST(pgtable, map_1g)
{
	phys_addr_t probe_pa = __pa(&rodata_word);
	struct pt_base base;
	enum pg_level level;
	u64 v = 0;

	SKIP_UNLESS_SCRATCH_EMPTY(test);
	pt_base(&base);
	if (!direct_gbpages) {
		EXPECT_EQ(test, kernel_map_page(SCRATCH, 0, PUD_SIZE, PAGE_KERNEL), -EINVAL);
		EXPECT_BASE(test, &base);
		ktest_skip(test, "this CPU has no 1 GiB pages (pdpe1gb)");
		return;
	}
	/* Physical GiB 0 (the kernel is in it), read-only. */
	EXPECT_EQ(test, kernel_map_page(SCRATCH, 0, PUD_SIZE, PAGE_KERNEL_RO), 0);
	/* A leaf in the existing PUD table: no table at all. */
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), base.tables);
	EXPECT_PGTABLE_OK(test);
	EXPECT_NOT_NULL(test, kernel_lookup(SCRATCH + probe_pa, &level));
	EXPECT_EQ(test, level, PG_LEVEL_1G);
	EXPECT_EQ(test, probe_read_u64((void *)(SCRATCH + probe_pa), &v), 0);
	EXPECT_UEQ(test, v, rodata_word);
	EXPECT_EQ(test, probe_write_u64((void *)(SCRATCH + probe_pa), v), -EFAULT);
	EXPECT_EQ(test, kernel_unmap_range(SCRATCH, PUD_SIZE), 0);
	EXPECT_EQ(test, probe_read_u64((void *)(SCRATCH + probe_pa), &v), -EFAULT);
	EXPECT_BASE(test, &base);
}

/* -EEXIST over anything mapped, -EINVAL for what cannot be a leaf. */
KTEST(pgtable, map_errors)
{
	struct pt_base base;

	SKIP_UNLESS_SCRATCH_EMPTY(test);
	pt_base(&base);
	EXPECT_EQ(test, kernel_map_page(SCRATCH + 0x800, 0x200000, PAGE_SIZE, PAGE_KERNEL), -EINVAL);
	EXPECT_EQ(test, kernel_map_page(SCRATCH, 0x200010, PAGE_SIZE, PAGE_KERNEL), -EINVAL);
	EXPECT_EQ(test, kernel_map_page(SCRATCH, 0x200000, 2 * PAGE_SIZE, PAGE_KERNEL), -EINVAL);
	EXPECT_EQ(test, kernel_map_page(SCRATCH + PAGE_SIZE, 0x200000, PMD_SIZE, PAGE_KERNEL), -EINVAL);
	EXPECT_EQ(test, kernel_map_page(SCRATCH, 0x201000, PMD_SIZE, PAGE_KERNEL), -EINVAL);
	EXPECT_EQ(test, kernel_map_page(SCRATCH, PMD_SIZE, PUD_SIZE, PAGE_KERNEL), -EINVAL);
	EXPECT_EQ(test, kernel_map_range(SCRATCH, 0x200000, PAGE_SIZE + 8, PAGE_KERNEL), -EINVAL);
	EXPECT_EQ(test, kernel_map_range(SCRATCH + 8, 0x200000, PAGE_SIZE, PAGE_KERNEL), -EINVAL);
	EXPECT_BASE(test, &base);

	/* A 2 MiB leaf: everything inside it or over it exists already. */
	ASSERT_EQ(test, kernel_map_page(SCRATCH, 0x200000, PMD_SIZE, PAGE_KERNEL_RO), 0);
	EXPECT_EQ(test, kernel_map_page(SCRATCH, 0x400000, PMD_SIZE, PAGE_KERNEL), -EEXIST);
	EXPECT_EQ(test, kernel_map_page(SCRATCH + 5 * PAGE_SIZE, 0x400000, PAGE_SIZE, PAGE_KERNEL), -EEXIST);
	if (direct_gbpages)
		EXPECT_EQ(test, kernel_map_page(SCRATCH, 0, PUD_SIZE, PAGE_KERNEL), -EEXIST);
	EXPECT_EQ(test, kernel_map_range(SCRATCH - PAGE_SIZE + PUD_SIZE, 0x1000, 2 * PAGE_SIZE, PAGE_KERNEL), 0);
	EXPECT_EQ(test, kernel_map_range(SCRATCH + PUD_SIZE, 0x1000, PAGE_SIZE, PAGE_KERNEL), -EEXIST);
	/* The failed calls changed nothing: what is mapped is still there. */
	EXPECT_UEQ(test, kernel_virt_to_phys(SCRATCH + 5 * PAGE_SIZE), 0x205000);
	EXPECT_UEQ(test, kernel_virt_to_phys(SCRATCH + PUD_SIZE), 0x2000);
	EXPECT_PGTABLE_OK(test);
	/* PMD table of GiB 0; PMD and PTE tables of GiB 0 end and GiB 1. */
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), base.tables + 4);
	EXPECT_EQ(test, kernel_unmap_range(SCRATCH, 2 * PUD_SIZE), 4);
	EXPECT_TRUE(test, scratch_empty());
	EXPECT_BASE(test, &base);
}

/*
 * kernel_map_range picks the largest leaf that fits: 4 KiB up to a
 * 2 MiB boundary, 2 MiB leaves, 4 KiB again at the end (and a 1 GiB
 * leaf first where it fits).
 */
struct piece {
	unsigned long off;
	enum pg_level level;
};

static void expect_pieces(struct kunit *test, unsigned long va, phys_addr_t pa,
			  const struct piece *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		enum pg_level level;

		EXPECT_NOT_NULL(test, kernel_lookup(va + p[i].off, &level));
		EXPECT_EQ(test, level, p[i].level);
		EXPECT_UEQ(test, kernel_virt_to_phys(va + p[i].off), pa + p[i].off);
	}
}

KTEST(pgtable, map_range_leaf_sizes)
{
	const unsigned long va = SCRATCH + PMD_SIZE - 2 * PAGE_SIZE;
	const phys_addr_t pa = (32UL << 20) - 2 * PAGE_SIZE;
	const unsigned long size = 2 * PAGE_SIZE + PMD_SIZE + 3 * PAGE_SIZE;
	static const struct piece pieces[] = {
		{ 0, PG_LEVEL_4K }, { PAGE_SIZE, PG_LEVEL_4K },
		{ 2 * PAGE_SIZE, PG_LEVEL_2M }, { 2 * PAGE_SIZE + PMD_SIZE - PAGE_SIZE, PG_LEVEL_2M },
		{ 2 * PAGE_SIZE + PMD_SIZE, PG_LEVEL_4K },
		{ 4 * PAGE_SIZE + PMD_SIZE, PG_LEVEL_4K },
	};
	struct pt_base base;
	u64 a = 0, b = 1;

	SKIP_UNLESS_SCRATCH_EMPTY(test);
	pt_base(&base);
	EXPECT_EQ(test, kernel_map_range(va, pa, size, PAGE_KERNEL), 0);
	expect_pieces(test, va, pa, pieces, ARRAY_SIZE(pieces));
	EXPECT_TRUE(test, kernel_lookup(va + size, &(enum pg_level){ 0 }) == NULL);
	EXPECT_TRUE(test, kernel_lookup(va - PAGE_SIZE, &(enum pg_level){ 0 }) == NULL);
	/* The same RAM through both mappings. */
	EXPECT_EQ(test, probe_read_u64((void *)(va + PMD_SIZE + 0x88), &a), 0);
	EXPECT_EQ(test, probe_read_u64(__va(pa + PMD_SIZE + 0x88), &b), 0);
	EXPECT_UEQ(test, a, b);
	/* One PMD table, two PTE tables. */
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), base.tables + 3);
	EXPECT_PGTABLE_OK(test);
	EXPECT_EQ(test, kernel_unmap_range(va, size), 3);
	EXPECT_TRUE(test, unmapped(va, size));
	EXPECT_BASE(test, &base);

	if (!direct_gbpages)
		return;
	{
		static const struct piece big[] = {
			{ 0, PG_LEVEL_1G }, { PUD_SIZE - PAGE_SIZE, PG_LEVEL_1G },
			{ PUD_SIZE, PG_LEVEL_2M }, { PUD_SIZE + PMD_SIZE, PG_LEVEL_4K },
		};

		EXPECT_EQ(test, kernel_map_range(SCRATCH, 0, PUD_SIZE + PMD_SIZE + PAGE_SIZE, PAGE_KERNEL_RO), 0);
		expect_pieces(test, SCRATCH, 0, big, ARRAY_SIZE(big));
		/* GiB 1: a PMD table and a PTE table. */
		EXPECT_EQ(test, nr_kernel_pgtable_pages(), base.tables + 2);
		EXPECT_PGTABLE_OK(test);
		EXPECT_EQ(test, kernel_unmap_range(SCRATCH, PUD_SIZE + PMD_SIZE + PAGE_SIZE), 2);
		EXPECT_TRUE(test, scratch_empty());
		EXPECT_BASE(test, &base);
	}
}

/*
 * Fault injection: a range across a GiB boundary needs four tables (PMD
 * and PTE on each side). Fail the k-th allocation for each k: -ENOMEM,
 * nothing mapped, no table kept. The fifth try needs no failure.
 */
KTEST(pgtable, map_range_fault_injection)
{
	const unsigned long va = SCRATCH + PUD_SIZE - 2 * PAGE_SIZE;
	const unsigned long size = 4 * PAGE_SIZE;
	struct pt_base base;
	unsigned int k;

	SKIP_UNLESS_SCRATCH_EMPTY(test);
	pt_base(&base);
	for (k = 1; k <= 4; k++) {
		fail_page_alloc_nth(k);
		EXPECT_EQ(test, kernel_map_range(va, 0x100000, size, PAGE_KERNEL), -ENOMEM);
		fail_page_alloc_off();
		EXPECT_TRUE(test, unmapped(va, size));
		if (!scratch_empty())
			ktest_fail(test, __FILE__, __LINE__, "k=%u: a page table was left behind", k);
		EXPECT_BASE(test, &base);
	}
	fail_page_alloc_nth(k);
	EXPECT_EQ(test, kernel_map_range(va, 0x100000, size, PAGE_KERNEL), 0);
	fail_page_alloc_off();
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), base.tables + 4);
	EXPECT_UEQ(test, kernel_virt_to_phys(va + 3 * PAGE_SIZE), 0x103000);
	EXPECT_PGTABLE_OK(test);
	EXPECT_EQ(test, kernel_unmap_range(va, size), 4);
	EXPECT_BASE(test, &base);
}

/* The checker itself notices a wrong count and a user-accessible kernel leaf. */
KTEST(pgtable, check_catches)
{
	struct pt_base base;
	struct page *table;
	pteval_t *e;
	struct errmsg msg;
	enum pg_level level;

	SKIP_UNLESS_SCRATCH_EMPTY(test);
	pt_base(&base);
	ASSERT_EQ(test, kernel_map_page(SCRATCH, 0x300000, PAGE_SIZE, PAGE_KERNEL), 0);
	EXPECT_PGTABLE_OK(test);
	e = kernel_lookup(SCRATCH, &level);
	ASSERT_NOT_NULL(test, e);
	table = virt_to_page((void *)((unsigned long)e & PAGE_MASK));
	table->pt_count++;
	EXPECT_EQ(test, kernel_pgtable_check(&msg), -EINVAL);
	EXPECT_TRUE(test, strstr(msg.why, "pt_count") != NULL);
	table->pt_count--;
	*e |= _PAGE_USER;
	EXPECT_EQ(test, kernel_pgtable_check(&msg), -EINVAL);
	EXPECT_TRUE(test, strstr(msg.why, "user") != NULL);
	*e &= ~_PAGE_USER;
	EXPECT_PGTABLE_OK(test);
	EXPECT_EQ(test, kernel_unmap_range(SCRATCH, PAGE_SIZE), 2);
	EXPECT_BASE(test, &base);
}

/* The whole tree, as the boot left it. */
KTEST(pgtable, tree_counts)
{
	EXPECT_PGTABLE_OK(test);
	EXPECT_GT(test, nr_kernel_pgtable_pages(), 3);
}
