// SPDX-License-Identifier: MIT
/*
 * Sections and their memmap (Linux's mm/sparse.c and sparse-vmemmap.c).
 *
 * The memmap of section N lives at VMEMMAP_START + N * 2 MiB. A section
 * with memory gets it populated with one 2 MiB block under a PMD leaf
 * when a naturally aligned block can be had (one TLB entry for 32768
 * struct pages, and one PMD to split later when HVO remaps part of it),
 * else with 512 4 KiB pages under a PTE table:
 *
 *   vmemmap VA                      PMD leaf           physical
 *   +------------------------+
 *   | section N, 2 MiB       | ---------------->  one 2 MiB block
 *   +------------------------+
 *
 * Sections without memory have nothing mapped: a hole costs nothing.
 */
#include "mm/sparse.h"
#include "mm/e820.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/page_source.h"
#include "mm/pgtable.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/string.h"

struct mem_section *mem_section;
unsigned long nr_mem_sections;
unsigned long max_pfn;
static unsigned long vmemmap_pages;	/* pages holding struct pages; atomic */
static DEFINE_SPINLOCK(vmemmap_spinlock);
/* The holder's CPU + 1: an allocation under the lock may need it again. */
static int vmemmap_holder;

void vmemmap_lock(void)
{
	spin_lock(&vmemmap_spinlock);
	WRITE_ONCE(vmemmap_holder, smp_processor_id() + 1);
}

void vmemmap_unlock(void)
{
	WRITE_ONCE(vmemmap_holder, 0);
	spin_unlock(&vmemmap_spinlock);
}

bool vmemmap_trylock(void)
{
	if (!spin_trylock(&vmemmap_spinlock))
		return false;
	WRITE_ONCE(vmemmap_holder, smp_processor_id() + 1);
	return true;
}

bool vmemmap_lock_unless_held(void)
{
	if (READ_ONCE(vmemmap_holder) == (int)smp_processor_id() + 1)
		return false;
	vmemmap_lock();
	return true;
}

unsigned long vmemmap_bytes(void)
{
	return __atomic_load_n(&vmemmap_pages, __ATOMIC_RELAXED) << PAGE_SHIFT;
}

void vmemmap_account(long pages)
{
	__atomic_add_fetch(&vmemmap_pages, pages, __ATOMIC_RELAXED);
}

unsigned long nr_present_sections(void)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < nr_mem_sections; i++)
		n += !!(mem_section[i].flags & SECTION_PRESENT);
	return n;
}

static unsigned long nr_device_sections(void)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < nr_mem_sections; i++)
		n += !!(mem_section[i].flags & SECTION_DEVICE);
	return n;
}

/* Memmap blocks are one page or one 2 MiB PMD leaf. */
static unsigned int block_order(unsigned long size)
{
	return size == PMD_SIZE ? PMD_SHIFT - PAGE_SHIFT : 0;
}

static phys_addr_t vmemmap_alloc_block(unsigned long size)
{
	if (page_source_ready()) {
		struct page *page = page_source_alloc(block_order(size), false);

		return page ? page_to_phys(page) : 0;
	}
	return memblock_phys_alloc(size, size);
}

static void vmemmap_free_block(phys_addr_t pa, unsigned long size)
{
	struct page *page = pfn_to_page(PHYS_PFN(pa));

	if (!page_source_ready()) {
		memblock_phys_free(pa, size);
		return;
	}
	page_source_free(page, block_order(size));
}

static int populate_pmd(unsigned long va)
{
	phys_addr_t pa = vmemmap_alloc_block(PMD_SIZE);

	if (!pa)
		return -ENOMEM;
	if (kernel_map_page(va, pa, PMD_SIZE, PAGE_KERNEL)) {
		vmemmap_free_block(pa, PMD_SIZE);
		return -ENOMEM;
	}
	return 0;
}

static int populate_ptes(unsigned long va)
{
	for (unsigned long off = 0; off < SECTION_MEMMAP_SIZE; off += PAGE_SIZE) {
		phys_addr_t pa = vmemmap_alloc_block(PAGE_SIZE);

		if (!pa || kernel_map_page(va + off, pa, PAGE_SIZE, PAGE_KERNEL)) {
			if (pa)
				vmemmap_free_block(pa, PAGE_SIZE);
			/* Undo: unmap and free what this call mapped. */
			for (unsigned long o = 0; o < off; o += PAGE_SIZE)
				vmemmap_free_block(kernel_virt_to_phys(va + o), PAGE_SIZE);
			kernel_unmap_range(va, off);
			return -ENOMEM;
		}
	}
	return 0;
}

static int __sparse_populate_section(unsigned long nr)
{
	struct mem_section *ms = __nr_to_section(nr);
	unsigned long va = section_vmemmap(nr);

	if (!ms)
		return -EINVAL;
	if (ms->flags & SECTION_HAS_MEMMAP)
		return 0;
	if (!populate_pmd(va)) {
		ms->flags |= SECTION_MEMMAP_PMD;
	} else if (populate_ptes(va)) {
		return -ENOMEM;
	}
	flush_tlb_kernel_range(va, va + SECTION_MEMMAP_SIZE);
	ms->flags |= SECTION_HAS_MEMMAP;
	vmemmap_account(SECTION_MEMMAP_SIZE / PAGE_SIZE);
	return 0;
}

static void __sparse_depopulate_section(unsigned long nr)
{
	struct mem_section *ms = __nr_to_section(nr);
	unsigned long va = section_vmemmap(nr);
	long freed = 0;

	if (!ms || !(ms->flags & SECTION_HAS_MEMMAP))
		return;
	for (unsigned long off = 0; off < SECTION_MEMMAP_SIZE;) {
		enum pg_level level;
		pteval_t *e = kernel_lookup(va + off, &level);
		unsigned long size = e ? level_size(level) : PAGE_SIZE;

		/* Read-only entries map a shared tail page (free blocks kept optimized): not ours. */
		if (e && (*e & _PAGE_RW)) {
			vmemmap_free_block(entry_phys(*e), size);
			freed += size / PAGE_SIZE;
		}
		off += size;
	}
	kernel_unmap_range(va, SECTION_MEMMAP_SIZE);
	ms->flags &= ~(SECTION_HAS_MEMMAP | SECTION_MEMMAP_PMD);
	ms->nr_free_optimized = 0;
	vmemmap_account(-freed);
}

/*
 * A free 2 MiB block outside [start_pfn, end_pfn): one from inside would
 * only move the problem. Those are held until one from outside comes, as
 * the buddy may hand out every free block of a mostly free range first.
 */
static struct page *alloc_block_outside(unsigned long start_pfn, unsigned long end_pfn)
{
	struct page *block, *p, *n;
	LIST_HEAD(rejected);

	for (;;) {
		unsigned long pfn;

		block = page_source_alloc(block_order(PMD_SIZE), false);
		if (!block)
			break;
		pfn = page_to_pfn(block);
		if (pfn + PAGES_PER_SUBSECTION <= start_pfn || pfn >= end_pfn)
			break;
		list_add(&block->lru, &rejected);
	}
	list_for_each_entry_safe(p, n, &rejected, lru) {
		list_del(&p->lru);
		page_source_free(p, block_order(PMD_SIZE));
	}
	return block;
}

/*
 * Move the memmap of section nr out of [start_pfn, end_pfn) when it is a
 * 2 MiB block there. Sections brought back online and memmap restored
 * from HVO get their block from the buddy, wherever it has one, and such
 * blocks would otherwise pin every free gigabyte (Linux migrates what
 * alloc_contig_range() finds in the way).
 */
struct memmap_switch {
	const void *from;
	void *to;
	pteval_t *pmd;
	phys_addr_t pa;
};

/* Every other CPU parked: copy the section's memmap and point its PMD at the copy. */
static void switch_memmap_block(void *arg)
{
	struct memmap_switch *sw = arg;
	pteval_t *table = (pteval_t *)((unsigned long)sw->pmd & PAGE_MASK);

	memcpy(sw->to, sw->from, SECTION_MEMMAP_SIZE);
	set_entry(table, sw->pmd - table, (*sw->pmd & ~PTE_PFN_MASK) | sw->pa);
}

static int vmemmap_move_block(unsigned long nr, unsigned long start_pfn,
			      unsigned long end_pfn)
{
	unsigned long va = section_vmemmap(nr);
	enum pg_level level;
	pteval_t *e = kernel_lookup(va, &level);
	struct memmap_switch sw;
	struct page *block;
	unsigned long pfn;

	if (!e || level != PG_LEVEL_2M || !entry_leaf(*e, level))
		return 0;
	pfn = PHYS_PFN(entry_phys(*e));
	if (pfn + PAGES_PER_SUBSECTION <= start_pfn || pfn >= end_pfn)
		return 0;
	/*
	 * Boot memmap came from memblock, which packs it with the rest of
	 * its allocations, and freeing it would change the managed pages.
	 */
	if (PageReserved(pfn_to_page(pfn)))
		return 0;
	block = alloc_block_outside(start_pfn, end_pfn);
	if (!block)
		return -ENOMEM;
	/* Other CPUs may write struct pages of the section meanwhile: parked. */
	sw = (struct memmap_switch){ (void *)va, page_address(block), e, page_to_phys(block) };
	kernel_mapping_switch(switch_memmap_block, &sw);
	vmemmap_free_block(PFN_PHYS(pfn), PMD_SIZE);
	return 0;
}

static int __vmemmap_migrate_range(unsigned long start_pfn, unsigned long end_pfn);

int vmemmap_migrate_range(unsigned long start_pfn, unsigned long end_pfn)
{
	int ret;

	vmemmap_lock();
	ret = __vmemmap_migrate_range(start_pfn, end_pfn);
	vmemmap_unlock();
	return ret;
}

int sparse_populate_section(unsigned long nr)
{
	int ret;

	vmemmap_lock();
	ret = __sparse_populate_section(nr);
	vmemmap_unlock();
	return ret;
}

void sparse_depopulate_section(unsigned long nr)
{
	vmemmap_lock();
	__sparse_depopulate_section(nr);
	vmemmap_unlock();
}

static int __vmemmap_migrate_range(unsigned long start_pfn, unsigned long end_pfn)
{
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		int ret;

		if (!(mem_section[nr].flags & SECTION_HAS_MEMMAP))
			continue;
		ret = vmemmap_move_block(nr, start_pfn, end_pfn);
		if (ret)
			return ret;
	}
	return 0;
}

static void mark_sections(u64 start, u64 end, unsigned long flag)
{
	unsigned long first = pfn_to_section_nr(PHYS_PFN(start));
	unsigned long last = pfn_to_section_nr(PHYS_PFN(end - 1));

	for (unsigned long nr = first; nr <= last && nr < nr_mem_sections; nr++)
		mem_section[nr].flags |= flag;
}

void memmap_init_section(unsigned long nr)
{
	struct page *page = pfn_to_page(section_nr_to_pfn(nr));

	memset(page, 0, SECTION_MEMMAP_SIZE);
	for (unsigned long i = 0; i < PAGES_PER_SECTION; i++)
		page[i].flags = BIT(PG_reserved);
}

/* Sections whose boot memmap went under a PMD leaf, for the boot report. */
static unsigned long nr_pmd_sections;

void sparse_init(bool (*populated_elsewhere)(unsigned long nr))
{
	struct e820_entry *e;
	unsigned long end_pfn = 0;
	phys_addr_t pa;

	for_each_e820_entry(e820_table, e) {
		if (e->type == E820_TYPE_RAM || e820_type_is_device(e->type))
			end_pfn = max(end_pfn, (unsigned long)PHYS_PFN(e->addr + e->size));
		if (e->type == E820_TYPE_RAM)
			max_pfn = max(max_pfn, (unsigned long)PHYS_PFN(e->addr + e->size));
	}
	nr_mem_sections = DIV_ROUND_UP(end_pfn, PAGES_PER_SECTION);
	pa = memblock_phys_alloc(nr_mem_sections * sizeof(struct mem_section), 8);
	if (!pa)
		panic("cannot allocate the section table (%lu sections)", nr_mem_sections);
	mem_section = __va(pa);
	memset(mem_section, 0, nr_mem_sections * sizeof(struct mem_section));

	for_each_e820_entry(e820_table, e) {
		if (e->type == E820_TYPE_RAM)
			mark_sections(e->addr, e->addr + e->size, SECTION_PRESENT);
		else if (e820_type_is_device(e->type))
			mark_sections(e->addr, e->addr + e->size, SECTION_DEVICE);
	}
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		struct mem_section *ms = &mem_section[nr];

		if (!(ms->flags & SECTION_PRESENT) || populated_elsewhere(nr))
			continue;
		if ((ms->flags & SECTION_DEVICE)) {
			pr_warn("sparse: section %lu has both RAM and device memory: device part ignored\n", nr);
			ms->flags &= ~SECTION_DEVICE;
		}
		if (sparse_populate_section(nr))
			panic("cannot allocate the memmap of section %lu", nr);
		memmap_init_section(nr);
		ms->flags |= SECTION_ONLINE;
		nr_pmd_sections += !!(ms->flags & SECTION_MEMMAP_PMD);
	}
}

void sparse_report(void)
{
	pr_info("sparse: %lu sections of 128 MiB, %lu present, %lu with device memory\n",
		nr_mem_sections, nr_present_sections(), nr_device_sections());
	pr_info("sparse: memmap %lu KiB (64 bytes x %lu pages), %lu sections under PMD leaves\n",
		vmemmap_bytes() >> 10, nr_present_sections() * PAGES_PER_SECTION, nr_pmd_sections);
}
