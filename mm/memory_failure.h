/* SPDX-License-Identifier: MIT */
#ifndef MM_MEMORY_FAILURE_H
#define MM_MEMORY_FAILURE_H

/*
 * Hardware poison (Linux's mm/memory-failure.c): memory_failure(pfn) is
 * what a machine check on that page would call; the console's `poison
 * <pfn>` calls it by hand. A poisoned page is never handed out again:
 *
 *   free in the buddy     taken out at once, its free block split around it
 *   in use                marked PG_hwpoison, kept out when it is freed
 *   in a hugetlb page     recorded in the page's head (a shared tail cannot
 *                         carry a flag): hugetlb_memory_failure()
 *   reserved (kernel)     marked, but the kernel keeps using it: -EBUSY
 *
 * A page taken out is held: PG_hwpoison | PG_offline, refcount 1. Every
 * poisoned pfn is recorded here too, so that it stays out across a
 * section offline/online (mm/memory_hotplug.c), and /proc/meminfo says
 * how much: HardwareCorrupted.
 *
 * memory_failure() returns 0 (isolated now, or when freed), or a negative
 * errno with the reason in one line in e (on success e says what was done):
 *   -EHWPOISON  already poisoned
 *   -ENXIO      no struct page: a hole, or an offline section
 *   -EOPNOTSUPP device memory (its tails are shared: nowhere to mark)
 *   -EBUSY      a reserved kernel page: marked, cannot be isolated
 *   -ENOSPC, -ENOMEM
 */
#include "kernel/types.h"
#include "kernel/errmsg.h"
#include "libc/errno.h"

#define MAX_HWPOISON_RECORDS	1024

int memory_failure(unsigned long pfn, struct errmsg *e);
/*
 * Give a poisoned page back (Linux's debugfs unpoison-pfn, for tests): a
 * held page returns to the buddy, an in-use one loses its mark. -ENOENT
 * when not poisoned, -EBUSY while a hugetlb pool page still records it.
 */
int unpoison_memory(unsigned long pfn, struct errmsg *e);

bool pfn_hwpoisoned(unsigned long pfn);		/* recorded here */
/* One record: its pfn, where the page is now, and what it was. */
struct hwpoison_info {
	unsigned long pfn;
	bool hugetlb;		/* recorded in a hugetlb pool page */
	bool held;		/* out of the buddy for good (its section online) */
	const char *state;
	const char *kind;
};
/* fn for every record, in order, until it returns non-zero (returned). */
int hwpoison_for_each_record(int (*fn)(const struct hwpoison_info *r, void *arg), void *arg);
unsigned long num_poisoned_pages(void);

/*
 * For memory hotplug: a held poisoned page (out of the buddy for good).
 * Offline skips them; online (after repopulating the memmap) marks every
 * recorded pfn of [start, end) held again and returns how many.
 */
bool page_hwpoison_held(unsigned long pfn);
/* The first held pfn in [start, end), or end. */
unsigned long hwpoison_next_held(unsigned long start_pfn, unsigned long end_pfn);
unsigned long hwpoison_remark_range(unsigned long start_pfn, unsigned long end_pfn);

/* /proc/meminfo's HardwareCorrupted line; from mm_init(), once the section table is final. */
void memory_failure_init(void);

#endif
