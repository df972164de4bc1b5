// SPDX-License-Identifier: MIT
/* The dax command: device-dax regions (mm/devdax.h) from the console. */
#include "mm/devdax.h"
#include "mm/layout.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

static void show_region(const struct dax_region *r)
{
	printk("dax%u.0  0x%012llx-0x%012llx  %8lu MiB  %s  %6lu KiB%s\n", r->id,
	       (unsigned long long)PFN_PHYS(r->start_pfn),
	       (unsigned long long)PFN_PHYS(dax_region_end_pfn(r)) - 1,
	       r->nr_pages >> (20 - PAGE_SHIFT), dax_align_name(r->order),
	       r->vmemmap_pages << (PAGE_SHIFT - 10), r->users ? "  mapped" : "");
}

static int dax_list(void)
{
	unsigned long pages = 0;

	printk("region  physical range                   size          align  memmap\n");
	for (unsigned int i = 0; i < DAX_MAX_REGIONS; i++) {
		const struct dax_region *r = dax_region_find(i);

		if (!r)
			continue;
		show_region(r);
		pages += r->nr_pages;
	}
	printk("%u regions, %lu MiB of device memory, memmap %lu KiB\n", dax_nr_regions(),
	       pages >> (20 - PAGE_SHIFT), dax_vmemmap_pages() << (PAGE_SHIFT - 10));
	return 0;
}

static int parse_size(const char *what, const char *s, unsigned long long *v)
{
	if (!kmemparse(s, v))
		return 0;
	printk("dax: %s '%s' is not a number (0x..., decimal, K/M/G suffixes)\n", what, s);
	return -EINVAL;
}

static int dax_create_cmd(int argc, char **argv)
{
	unsigned long long start, size, align = SZ_2M;
	struct errmsg e;
	int id;

	if (argc < 4 || argc > 5) {
		printk("dax: usage: dax create <start> <size> [align=4k|2m|1g]\n");
		return -EINVAL;
	}
	if (parse_size("start", argv[2], &start) || parse_size("size", argv[3], &size))
		return -EINVAL;
	if (argc == 5 && strncmp(argv[4], "align=", 6)) {
		printk("dax: '%s': expected align=4k|2m|1g\n", argv[4]);
		return -EINVAL;
	}
	if (argc == 5 && parse_size("align", argv[4] + 6, &align))
		return -EINVAL;
	id = dax_region_create(start, size, align, &e);
	if (id < 0) {
		printk("dax: %s\n", errmsg_why(&e, id));
		return id;
	}
	show_region(dax_region_find(id));
	return 0;
}

/* dax<id>.0, an id, or a region's start address. */
static struct dax_region *parse_region(const char *s)
{
	unsigned long long v;
	unsigned int id;
	char *end;

	if (!strncmp(s, "dax", 3)) {
		id = strtoul(s + 3, &end, 10);
		if (end != s + 3 && (!strcmp(end, ".0") || !*end))
			return dax_region_find(id);
		return NULL;
	}
	if (kmemparse(s, &v))
		return NULL;
	for (unsigned int i = 0; i < DAX_MAX_REGIONS; i++) {
		struct dax_region *r = dax_region_find(i);

		if (r && PFN_PHYS(r->start_pfn) == v)
			return r;
	}
	return v < DAX_MAX_REGIONS ? dax_region_find(v) : NULL;
}

static int dax_destroy_cmd(int argc, char **argv)
{
	struct dax_region *r;
	struct errmsg e;
	int ret;

	if (argc != 3) {
		printk("dax: usage: dax destroy <start|id|daxN.0>\n");
		return -EINVAL;
	}
	r = parse_region(argv[2]);
	if (!r) {
		printk("dax: no region '%s' (see dax list)\n", argv[2]);
		return -ENOENT;
	}
	ret = dax_region_destroy(r->id, &e);
	if (ret)
		printk("dax: %s\n", errmsg_why(&e, ret));
	return ret;
}

static int cmd_dax(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "create"))
		return dax_create_cmd(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "destroy"))
		return dax_destroy_cmd(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "list"))
		return dax_list();
	printk("dax: usage: dax create <start> <size> [align=4k|2m|1g] | dax destroy <start|id> | dax list\n");
	return -EINVAL;
}
SHELL_CMD(dax, "create <start> <size> [align=4k|2m|1g] | destroy <start|id> | list",
	  "device-dax regions of device memory (memmap=nn!ss)");
