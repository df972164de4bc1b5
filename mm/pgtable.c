// SPDX-License-Identifier: MIT
/*
 * The kernel's page tables, built by the kernel itself once the memory
 * map is known (the boot code's tables only cover the first 4 GiB):
 *
 *   - the direct map of every RAM, ACPI and NVS range at PAGE_OFFSET, with
 *     1 GiB leaves where the CPU has them and the range allows, else 2 MiB,
 *     else 4 KiB at the unaligned edges;
 *   - the kernel image at __START_KERNEL_map, 4 KiB granular so that text
 *     is RX, rodata R+NX and data/bss RW+NX (W^X), and the init stack's
 *     guard page unmapped;
 *   - nothing in the user half: the null page faults.
 *
 * The top-level entries of the kernel half are allocated once here and
 * never change afterwards, so that every address space can share them
 * by copying the PGD's upper half.
 */
#include "mm/pgtable.h"
#include "mm/memblock.h"
#include "mm/e820.h"
#include "mm/page.h"
#include "mm/page_source.h"
#include "kernel/io.h"
#include "kernel/traps.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/tlbflush.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

pteval_t __supported_pte_mask = ~0ULL;
pteval_t *init_pgd;
bool direct_gbpages;

static bool pgtable_counts_ready;
static unsigned long nr_tables;	/* atomic: /proc/meminfo PageTables, any CPU */

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _end[];
extern char init_stack_guard[];

void write_cr3(phys_addr_t pgd)
{
	__asm__ __volatile__("mov %0, %%cr3" :: "r"(pgd) : "memory");
}

pteval_t *pgtable_alloc(enum pg_level level)
{
	pteval_t *table;

	if (page_source_ready()) {
		struct page *page = page_source_alloc(0, true);

		if (!page)
			return NULL;
		SetPagePgtable(page);
		page->pt_count = 0;
		page->pt_level = level;
		table = page_address(page);
	} else {
		phys_addr_t pa = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);

		if (!pa)
			return NULL;
		table = __va(pa);
		memset(table, 0, PAGE_SIZE);
		if (pgtable_counts_ready) {
			struct page *page = virt_to_page(table);

			SetPagePgtable(page);
			page->pt_count = 0;
			page->pt_level = level;
		}
	}
	__atomic_add_fetch(&nr_tables, 1, __ATOMIC_RELAXED);
	return table;
}

void pgtable_free(pteval_t *table)
{
	struct page *page = virt_to_page(table);

	BUG_ON(!PagePgtable(page));
	BUG_ON(page->pt_count);
	ClearPagePgtable(page);
	page->pt_level = 0;
	__atomic_sub_fetch(&nr_tables, 1, __ATOMIC_RELAXED);
	page_source_free(page, 0);
}

unsigned long nr_kernel_pgtable_pages(void)
{
	return __atomic_load_n(&nr_tables, __ATOMIC_RELAXED);
}

void set_entry(pteval_t *table, unsigned int idx, pteval_t val)
{
	pteval_t old = table[idx];

	WRITE_ONCE(table[idx], val);
	if (!pgtable_counts_ready)
		return;
	if (entry_present(old) && !entry_present(val))
		virt_to_page(table)->pt_count--;
	else if (!entry_present(old) && entry_present(val))
		virt_to_page(table)->pt_count++;
}

void set_entry_ptr(pteval_t *e, pteval_t val)
{
	pteval_t *table = (pteval_t *)((unsigned long)e & PAGE_MASK);

	set_entry(table, e - table, val);
}

static pteval_t *next_table(pteval_t *table, unsigned int idx,
			    enum pg_level child_level, bool alloc)
{
	pteval_t e = table[idx];
	pteval_t *child;

	if (entry_present(e))
		return entry_table(e);
	if (!alloc)
		return NULL;
	child = pgtable_alloc(child_level);
	if (!child)
		return NULL;
	set_entry(table, idx, __pa(child) | _KERNPG_TABLE);
	return child;
}

pteval_t *kernel_walk_alloc(unsigned long va, enum pg_level level)
{
	pteval_t *table = init_pgd;

	for (enum pg_level l = PG_LEVEL_512G; l > level; l--) {
		unsigned int idx = level_index(va, l);

		if (entry_present(table[idx]) && entry_leaf(table[idx], l))
			return NULL;		/* a larger leaf is in the way */
		table = next_table(table, idx, l - 1, true);
		if (!table)
			return NULL;
	}
	return &table[level_index(va, level)];
}

pteval_t *kernel_walk(unsigned long va, enum pg_level level)
{
	pteval_t *table = init_pgd;

	for (enum pg_level l = PG_LEVEL_512G; l > level; l--) {
		pteval_t e = table[level_index(va, l)];

		if (!entry_present(e) || entry_leaf(e, l))
			return NULL;
		table = entry_table(e);
	}
	return &table[level_index(va, level)];
}

pteval_t *kernel_lookup(unsigned long va, enum pg_level *level)
{
	pteval_t *table = init_pgd;

	for (enum pg_level l = PG_LEVEL_512G; l >= PG_LEVEL_4K; l--) {
		pteval_t *e = &table[level_index(va, l)];

		if (!entry_present(*e))
			break;
		if (l < PG_LEVEL_512G && entry_leaf(*e, l)) {
			*level = l;
			return e;
		}
		table = entry_table(*e);
	}
	*level = PG_LEVEL_NONE;
	return NULL;
}

phys_addr_t kernel_virt_to_phys(unsigned long va)
{
	enum pg_level level;
	pteval_t *e = kernel_lookup(va, &level);

	if (!e)
		return ~0ULL;
	return entry_phys(*e & ~(level > PG_LEVEL_4K ? _PAGE_PAT_LARGE : 0)) +
	       (va & (level_size(level) - 1));
}

static enum pg_level size_to_level(unsigned long size)
{
	switch (size) {
	case PAGE_SIZE:
		return PG_LEVEL_4K;
	case PMD_SIZE:
		return PG_LEVEL_2M;
	case PUD_SIZE:
		return PG_LEVEL_1G;
	}
	return PG_LEVEL_NONE;
}

int kernel_map_page(unsigned long va, phys_addr_t pa, unsigned long size, pteval_t prot)
{
	enum pg_level level = size_to_level(size);
	pteval_t *e;

	if (level == PG_LEVEL_NONE || !IS_ALIGNED(va, size) || !IS_ALIGNED(pa, size))
		return -EINVAL;
	if (level == PG_LEVEL_1G && !direct_gbpages)
		return -EINVAL;
	/* A larger leaf over va is "mapped already", not out of memory. */
	if (kernel_lookup(va, &(enum pg_level){ PG_LEVEL_NONE }))
		return -EEXIST;
	e = kernel_walk_alloc(va, level);
	if (!e) {
		/*
		 * A table allocation failed: nothing was mapped under the
		 * missing table, so unmapping the span only frees the empty
		 * tables the walk did allocate.
		 */
		kernel_unmap_range(va, size);
		return -ENOMEM;
	}
	if (entry_present(*e))
		return -EEXIST;
	if (level > PG_LEVEL_4K)
		prot |= _PAGE_PSE;
	set_entry(e - level_index(va, level), level_index(va, level),
		  pa | (prot & __supported_pte_mask));
	return 0;
}

static unsigned long best_size(unsigned long va, phys_addr_t pa, unsigned long left)
{
	if (direct_gbpages && IS_ALIGNED(va | pa, PUD_SIZE) && left >= PUD_SIZE)
		return PUD_SIZE;
	if (IS_ALIGNED(va | pa, PMD_SIZE) && left >= PMD_SIZE)
		return PMD_SIZE;
	return PAGE_SIZE;
}

int kernel_map_range(unsigned long va, phys_addr_t pa, unsigned long size, pteval_t prot)
{
	unsigned long done = 0;

	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE))
		return -EINVAL;
	while (done < size) {
		unsigned long sz = best_size(va + done, pa + done, size - done);
		int ret = kernel_map_page(va + done, pa + done, sz, prot);

		if (ret) {
			kernel_unmap_range(va, done);
			return ret;
		}
		done += sz;
	}
	return 0;
}

/*
 * Clear the leaves in [va, end) under table (at `level`), then free the
 * child tables left empty. Tables to free are collected and freed by
 * the caller after the TLB flush, never before.
 */
struct free_batch {
	pteval_t *tables[64];
	unsigned int nr;
	int freed;
};

static void batch_add(struct free_batch *b, pteval_t *table)
{
	if (b->nr == ARRAY_SIZE(b->tables)) {
		/* Full: flush now, then the batched tables are unreachable. */
		flush_tlb_all();
		for (unsigned int i = 0; i < b->nr; i++)
			pgtable_free(b->tables[i]);
		b->freed += b->nr;
		b->nr = 0;
	}
	b->tables[b->nr++] = table;
}

static void unmap_level(pteval_t *table, enum pg_level level, unsigned long va,
			unsigned long end, struct free_batch *b)
{
	while (va < end) {
		unsigned long size = level_size(level);
		unsigned long next = ALIGN_DOWN(va, size) + size;
		unsigned int idx = level_index(va, level);
		pteval_t e = table[idx];

		if (next > end || next < va)
			next = end;
		if (!entry_present(e)) {
			va = next;
			continue;
		}
		if (entry_leaf(e, level)) {
			set_entry(table, idx, 0);
		} else {
			pteval_t *child = entry_table(e);

			unmap_level(child, level - 1, va, next, b);
			/* Kernel PUD tables are shared by every mm: never freed. */
			if (level < PG_LEVEL_512G && pgtable_counts_ready &&
			    virt_to_page(child)->pt_count == 0) {
				set_entry(table, idx, 0);
				batch_add(b, child);
			}
		}
		va = next;
	}
}

int kernel_unmap_range(unsigned long va, unsigned long size)
{
	struct free_batch b = { .nr = 0, .freed = 0 };

	if (!size)
		return 0;
	unmap_level(init_pgd, PG_LEVEL_512G, va, va + size, &b);
	/* One shootdown: a full one when tables go (paging-structure caches). */
	if (b.nr)
		flush_tlb_all();
	else
		flush_tlb_kernel_range(va, va + size);
	for (unsigned int i = 0; i < b.nr; i++)
		pgtable_free(b.tables[i]);
	return b.freed + b.nr;
}

static void detect_cpu_paging(void)
{
	u32 a, b, c, d;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x80000001)
		return;
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	direct_gbpages = d & BIT(26);
	if (!(d & BIT(20)))
		__supported_pte_mask &= ~_PAGE_NX;
}

/* PAT entry 1 (PWT) becomes write-combining for the framebuffer. */
static void pat_init(void)
{
	u64 pat = rdmsr(0x277);

	pat &= ~(0xffULL << 8);
	pat |= 0x01ULL << 8;		/* WC */
	wrmsr(0x277, pat);
}

static void map_direct(void)
{
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e) {
		phys_addr_t start, end;

		if (e->type != E820_TYPE_RAM && e->type != E820_TYPE_ACPI &&
		    e->type != E820_TYPE_NVS)
			continue;
		start = ALIGN_DOWN(e->addr, PAGE_SIZE);
		end = ALIGN(e->addr + e->size, PAGE_SIZE);
		/* Neighbouring ranges can share a page at the edges. */
		while (start < end && kernel_virt_to_phys((unsigned long)__va(start)) != ~0ULL)
			start += PAGE_SIZE;
		if (start < end && kernel_map_range((unsigned long)__va(start), start,
						    end - start, PAGE_KERNEL))
			panic("cannot allocate page tables for the direct map");
	}
}

static void map_kernel_section(const char *start, const char *end, pteval_t prot)
{
	unsigned long va;

	for (va = (unsigned long)start; va < (unsigned long)end; va += PAGE_SIZE) {
		if (va == (unsigned long)init_stack_guard)
			continue;	/* the guard stays unmapped */
		if (kernel_map_page(va, __pa((void *)va), PAGE_SIZE, prot))
			panic("cannot map the kernel image");
	}
}

/* The top-level kernel entries every address space shares. */
static void prealloc_kernel_pgds(void)
{
	unsigned long starts[] = { PAGE_OFFSET, VMALLOC_START, VMEMMAP_START,
				   __START_KERNEL_map };

	for (unsigned int i = 0; i < ARRAY_SIZE(starts); i++)
		if (!next_table(init_pgd, pgd_index(starts[i]), PG_LEVEL_1G, true))
			panic("cannot allocate kernel page tables");
	/* The direct map may need more than 512 GiB of PGD slots. */
	for (unsigned long pa = PGDIR_SIZE; pa < PFN_PHYS(e820_end_of_ram_pfn()); pa += PGDIR_SIZE)
		if (!next_table(init_pgd, pgd_index(PAGE_OFFSET + pa), PG_LEVEL_1G, true))
			panic("cannot allocate kernel page tables");
}

void init_mem_mapping(void)
{
	detect_cpu_paging();
	pat_init();
	init_pgd = pgtable_alloc(PG_LEVEL_512G);
	if (!init_pgd)
		panic("cannot allocate the kernel PGD");
	prealloc_kernel_pgds();
	map_direct();
	map_kernel_section(_text, _etext, PAGE_KERNEL_RX);
	map_kernel_section(_rodata, _erodata, PAGE_KERNEL_RO);
	map_kernel_section(_data, _end, PAGE_KERNEL);
	write_cr3(__pa(init_pgd));
	pr_info("x86/mm: direct map with %s pages, kernel W^X%s, %lu page tables\n",
		direct_gbpages ? "1 GiB" : "2 MiB",
		__supported_pte_mask & _PAGE_NX ? "" : " (no NX on this CPU)",
		nr_tables);
}

static unsigned int count_present(const pteval_t *table)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		n += entry_present(table[i]);
	return n;
}

static void init_counts(pteval_t *table, enum pg_level level)
{
	struct page *page = virt_to_page(table);

	SetPagePgtable(page);
	page->pt_level = level;
	page->pt_count = count_present(table);
	if (level == PG_LEVEL_4K)
		return;
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		if (entry_present(table[i]) && !entry_leaf(table[i], level))
			init_counts(entry_table(table[i]), level - 1);
}

void pgtable_init_counts(void)
{
	init_counts(init_pgd, PG_LEVEL_512G);
	pgtable_counts_ready = true;
}

bool pgtable_counts_set_up(void)
{
	return pgtable_counts_ready;
}

