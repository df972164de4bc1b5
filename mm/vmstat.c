// SPDX-License-Identifier: MIT
/*
 * /proc/vmstat: Linux's "name value" lines, one counter a line. Only the
 * counters pagefold keeps are listed; a tool reading Linux's file looks
 * names up, so missing ones read as absent, not as zero.
 */
#include "kernel/pseudofs.h"
#include "kernel/tlbflush.h"

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
