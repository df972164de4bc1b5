// SPDX-License-Identifier: MIT
/*
 * /proc/meminfo and the mm console commands that show memory state:
 * `memblock` (regions) and `sections` (per-section state and how its
 * memmap is mapped).
 */
#include "mm/meminfo.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/sparse.h"
#include "kernel/pseudofs.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define K(pages)	((pages) << (PAGE_SHIFT - 10))

static struct meminfo_extra *extras[8];

void register_meminfo_extra(struct meminfo_extra *e)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(extras); i++) {
		if (!extras[i]) {
			extras[i] = e;
			return;
		}
	}
}

/* Linux's estimate: free pages above the low watermarks. */
static unsigned long available_pages(void)
{
	unsigned long low = 0, free = nr_free_pages();

	for (int i = 0; i < MAX_NR_ZONES; i++)
		low += zones[i].watermark[WMARK_LOW];
	return free > low ? free - low : 0;
}

static int meminfo_show(struct seq_buf *m, void *data)
{
	(void)data;
	seq_printf(m, "MemTotal:       %8lu kB\n", K(nr_managed_pages()));
	seq_printf(m, "MemFree:        %8lu kB\n", K(nr_free_pages()));
	seq_printf(m, "MemAvailable:   %8lu kB\n", K(available_pages()));
	seq_printf(m, "Slab:           %8lu kB\n", slab_unreclaimable_bytes() >> 10);
	seq_printf(m, "SUnreclaim:     %8lu kB\n", slab_unreclaimable_bytes() >> 10);
	seq_printf(m, "PageTables:     %8lu kB\n", K(nr_kernel_pgtable_pages()));
	for (unsigned int i = 0; i < ARRAY_SIZE(extras) && extras[i]; i++)
		extras[i]->show(m);
	seq_printf(m, "Vmemmap:        %8lu kB\n", vmemmap_bytes() >> 10);
	return 0;
}
PSEUDO_FILE(meminfo, "/proc/meminfo", meminfo_show, NULL);

static int cmd_memblock(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		printk("memblock: takes no arguments\n");
		return -EINVAL;
	}
	memblock_dump();
	return 0;
}
SHELL_CMD(memblock, "", "show the memblock memory and reserved regions");

static const char *section_state(unsigned long flags)
{
	if (flags & SECTION_ONLINE)
		return "online";
	if (flags & SECTION_DEVICE)
		return "device";
	if (flags & SECTION_PRESENT)
		return "offline";
	return "absent";
}

static void show_section(unsigned long nr)
{
	struct mem_section *ms = &mem_section[nr];
	const char *map = "-";

	char dax[24];

	if (ms->flags & SECTION_HAS_MEMMAP)
		map = ms->flags & SECTION_MEMMAP_PMD ? "PMD leaf (2 MiB)" : "PTE table";
	else if ((ms->flags & SECTION_DEVICE) && ms->subsection_map) {
		unsigned int n = 0;

		/* No __builtin_popcountll: without -mpopcnt it calls libgcc. */
		for (u64 m = ms->subsection_map; m; m &= m - 1)
			n++;
		snprintf(dax, sizeof(dax), "dax %u/64 x 2 MiB", n);
		map = dax;
	}
	printk("%6lu  0x%012lx-0x%012lx  %-8s %-18s %u\n", nr,
	       PFN_PHYS(section_nr_to_pfn(nr)), PFN_PHYS(section_nr_to_pfn(nr + 1)) - 1,
	       section_state(ms->flags), map, ms->nr_optimized);
}

static int cmd_sections(int argc, char **argv)
{
	bool all = argc == 2 && !strcmp(argv[1], "-a");
	unsigned long shown = 0;

	if (argc > 2 || (argc == 2 && !all)) {
		printk("sections: usage: sections [-a]  (-a: also absent sections)\n");
		return -EINVAL;
	}
	printk("section  physical range                   state    memmap             hvo-pages\n");
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		if (!all && !mem_section[nr].flags)
			continue;
		show_section(nr);
		shown++;
	}
	printk("%lu of %lu sections shown; memmap %lu KiB\n", shown, nr_mem_sections,
	       vmemmap_bytes() >> 10);
	return 0;
}
SHELL_CMD(sections, "[-a]", "per-section state and memmap mapping");
