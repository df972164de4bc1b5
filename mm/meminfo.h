/* SPDX-License-Identifier: MIT */
#ifndef MM_MEMINFO_H
#define MM_MEMINFO_H

#include "kernel/seq_buf.h"

/* Lines other modules add to /proc/meminfo (hugetlb, memory failure). */
struct meminfo_extra {
	void (*show)(struct seq_buf *m);
};

void register_meminfo_extra(struct meminfo_extra *e);

/* Shmem: shared anonymous 4 KiB pages come (+1) and go (-1); the total. */
void meminfo_shmem_add(long pages);
unsigned long meminfo_shmem_pages(void);

#endif
