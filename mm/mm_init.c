// SPDX-License-Identifier: MIT
/*
 * Bring-up of the memory manager, in dependency order:
 *
 *   e820      the firmware map, with the command line's edits
 *   memblock  RAM minus what is in use (first MiB, kernel, boot info)
 *   pgtable   the kernel's own page tables (direct map, W^X image)
 *   sparse    the section table and the memmap of present sections
 *   buddy     zones, then every free memblock range given to the buddy
 *   slab      kmalloc caches
 */
#include "mm/mm_init.h"
#include "mm/e820.h"
#include "mm/hugetlb.h"
#include "mm/buddy_vmemmap.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/memory_failure.h"
#include "mm/memory_hotplug.h"
#include "mm/memblock.h"
#include "mm/memory.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/sparse.h"
#include "kernel/bootinfo.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/realmode.h"
#include "kernel/time.h"

extern char _end[];

#define KERNEL_LOAD_PHYS	0x100000UL
#define EARLY_MAPPED_LIMIT	(4UL << 30)

static void reserve_boot_memory(void)
{
	/* Real-mode IVT, BIOS data, EBDA and option ROMs live below 1 MiB. */
	memblock_reserve(0, KERNEL_LOAD_PHYS);
	memblock_reserve(KERNEL_LOAD_PHYS, __pa(_end) - KERNEL_LOAD_PHYS);
	memblock_reserve(boot_params.info_phys, boot_params.info_size);
	/* The ramfs points into the initramfs: it is never freed. */
	if (boot_params.initrd_size)
		memblock_reserve(boot_params.initrd_start, boot_params.initrd_size);
	reserve_real_mode();
}

static void memblock_free_all(void)
{
	phys_addr_t start, end;
	u64 idx = 0;

	while (memblock_next_free_range(&idx, &start, &end)) {
		unsigned long s = PFN_UP(start), e = PFN_DOWN(end);

		if (s < e)
			free_pages_range_to_buddy(s, e);
	}
}

static void print_zones(void)
{
	pr_info("Zone ranges:\n");
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];

		if (!z->spanned_pages) {
			pr_info("  %-8s empty\n", z->name);
			continue;
		}
		pr_info("  %-8s [mem 0x%016lx-0x%016lx] managed %lu pages\n", z->name,
			PFN_PHYS(z->zone_start_pfn),
			PFN_PHYS(z->zone_start_pfn + z->spanned_pages) - 1,
			z->managed_pages);
	}
}

static void count_present_pages(void)
{
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e) {
		unsigned long s, end;

		if (e->type != E820_TYPE_RAM)
			continue;
		s = PFN_UP(e->addr);
		end = PFN_DOWN(e->addr + e->size);
		for (; s < end; s++)
			zones[pfn_zone_idx(s)].present_pages++;
	}
}

void mm_init(void)
{
	u64 t0 = ktime_get_ns();

	bootinfo_memory_map();
	e820__memory_setup();
	if (memblock_add_from_e820() || !memblock_phys_mem_size())
		panic("no usable memory in the memory map");
	reserve_boot_memory();

	memblock_set_current_limit(EARLY_MAPPED_LIMIT);
	init_mem_mapping();
	memblock_set_current_limit(PHYS_ADDR_MAX);

	/* Before anything else takes a bite out of the 1 GiB aligned ranges. */
	hugetlb_reserve_boot_gigantic();
	/* The shared tail pages, from memblock: boot gigantic pages and devdax. */
	hugetlb_vmemmap_init_early();
	sparse_init(hugetlb_section_is_boot_gigantic);
	hugetlb_populate_boot_gigantic();
	sparse_report();
	/* The section table is final: its sysfs files, and poison's meminfo line. */
	memory_hotplug_init();
	memory_failure_init();
	pgtable_init_counts();
	page_alloc_init();
	count_present_pages();
	memblock_free_all();
	setup_zone_watermarks();
	print_zones();
	kmem_cache_init();
	hugetlb_init();
	buddy_vmemmap_init();
	pagefault_init();
	pr_info("Memory: %luK/%luK available (%luK kernel, %luK reserved, %luK memmap)\n",
		nr_free_pages() << 2, (unsigned long)(memblock_phys_mem_size() >> 10),
		(unsigned long)(__pa(_end) - KERNEL_LOAD_PHYS) >> 10,
		(unsigned long)((memblock_phys_mem_size() >> 10) - (nr_managed_pages() << 2)),
		vmemmap_bytes() >> 10);
	/* Measured, for the boot-time cost of the memmap (BENCHMARKS.md). */
	pr_info("mm: initialised in %lu ms\n", (unsigned long)((ktime_get_ns() - t0) / NSEC_PER_MSEC));
}
