// SPDX-License-Identifier: MIT
/*
 * Console commands that show where memory is: `memblock` (the early
 * allocator's regions) and `sections` (per-section state and how its
 * memmap is mapped).
 */
#include "mm/memblock.h"
#include "mm/sparse.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

static int cmd_memblock(int argc, char **argv)
{
	if (shell_no_args(argc, argv))
		return -EINVAL;
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
