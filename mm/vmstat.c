// SPDX-License-Identifier: MIT
/*
 * The page allocator's /proc files, in Linux's formats (mm/vmstat.c):
 * /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo, and /proc/vmstat.
 */
#include "mm/page_alloc.h"
#include "kernel/pseudofs.h"
#include "kernel/tlbflush.h"

static const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Isolate",
};

static int buddyinfo_show(struct seq_buf *m, void *data)
{
	(void)data;
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &zones[zi];

		if (!z->managed_pages)
			continue;
		seq_printf(m, "Node 0, zone %8s ", z->name);
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			seq_printf(m, "%6lu ", z->free_area[o].nr_free);
		seq_printf(m, "\n");
	}
	return 0;
}
PSEUDO_FILE(buddyinfo, "/proc/buddyinfo", buddyinfo_show, NULL);

static int pagetypeinfo_show(struct seq_buf *m, void *data)
{
	(void)data;
	seq_printf(m, "Page block order: %d\nPages per block:  %lu\n\n",
		   pageblock_order, pageblock_nr_pages);
	seq_printf(m, "Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10\n");
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &zones[zi];

		if (!z->managed_pages)
			continue;
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			unsigned long n[NR_PAGE_ORDERS] = { 0 }, flags;

			/* The lists change under zone->lock only: walked under it too. */
			spin_lock_irqsave(&z->lock, flags);
			for (int o = 0; o < NR_PAGE_ORDERS; o++) {
				struct list_head *pos;

				list_for_each(pos, &z->free_area[o].free_list[mt])
					n[o]++;
			}
			spin_unlock_irqrestore(&z->lock, flags);
			seq_printf(m, "Node    0, zone %8s, type %12s ", z->name, migratetype_names[mt]);
			for (int o = 0; o < NR_PAGE_ORDERS; o++)
				seq_printf(m, "%6lu ", n[o]);
			seq_printf(m, "\n");
		}
	}
	/* Not Linux's: free 1 GiB ranges off the order lists (mm/free_gigantic.c). */
	seq_printf(m, "\nFree 1 GiB ranges (vmemmap optimized, order %d)\n", GIGANTIC_ORDER);
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &zones[zi];

		if (z->managed_pages)
			seq_printf(m, "Node    0, zone %8s %6lu\n", z->name, READ_ONCE(z->nr_free_gigantic));
	}
	return 0;
}
PSEUDO_FILE(pagetypeinfo, "/proc/pagetypeinfo", pagetypeinfo_show, NULL);

/* Linux lists every possible CPU; here every CPU brought up (its area set up). */
static void for_each_pcp_cpu(struct zone *z, struct seq_buf *m)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct per_cpu_pages *pcp = &z->pcp[cpu];

		if (cpu && !per_cpu_area(cpu)->self)
			continue;
		seq_printf(m, "    cpu: %u\n              count: %u\n              high:  %u\n              batch: %u\n",
			   cpu, READ_ONCE(pcp->count), pcp->high, pcp->batch);
	}
}

static int zoneinfo_show(struct seq_buf *m, void *data)
{
	(void)data;
	for (int zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &zones[zi];

		seq_printf(m, "Node 0, zone %8s\n", z->name);
		seq_printf(m, "  pages free     %lu\n", READ_ONCE(z->free_pages) + zone_pcp_pages(z));
		seq_printf(m, "        min      %lu\n", z->watermark[WMARK_MIN]);
		seq_printf(m, "        low      %lu\n", z->watermark[WMARK_LOW]);
		seq_printf(m, "        high     %lu\n", z->watermark[WMARK_HIGH]);
		seq_printf(m, "        spanned  %lu\n", z->spanned_pages);
		seq_printf(m, "        present  %lu\n", z->present_pages);
		seq_printf(m, "        managed  %lu\n", z->managed_pages);
		seq_printf(m, "  pagesets\n");
		for_each_pcp_cpu(z, m);
		seq_printf(m, "  start_pfn:           %lu\n", z->zone_start_pfn);
	}
	return 0;
}
PSEUDO_FILE(zoneinfo, "/proc/zoneinfo", zoneinfo_show, NULL);

/*
 * /proc/vmstat: Linux's "name value" lines, one counter a line. Only the
 * counters pagefold keeps are listed; a tool reading Linux's file looks
 * names up, so missing ones read as absent, not as zero.
 */
struct vmstat_item {
	const char *name;
	enum tlb_stat item;
};

static const struct vmstat_item tlb_items[] = {
	{ "nr_tlb_remote_flush", NR_TLB_REMOTE_FLUSH },
	{ "nr_tlb_remote_flush_received", NR_TLB_REMOTE_FLUSH_RECEIVED },
	{ "nr_tlb_local_flush_all", NR_TLB_LOCAL_FLUSH_ALL },
	{ "nr_tlb_local_flush_one", NR_TLB_LOCAL_FLUSH_ONE },
};

static int vmstat_show(struct seq_buf *m, void *data)
{
	(void)data;
	for (unsigned int i = 0; i < ARRAY_SIZE(tlb_items); i++)
		seq_printf(m, "%s %lu\n", tlb_items[i].name, tlb_stat(tlb_items[i].item));
	return 0;
}
PSEUDO_FILE(vmstat, "/proc/vmstat", vmstat_show, NULL);
