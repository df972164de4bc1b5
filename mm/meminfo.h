/* SPDX-License-Identifier: MIT */
#ifndef MM_MEMINFO_H
#define MM_MEMINFO_H

#include "kernel/seq_buf.h"

/* Lines other modules add to /proc/meminfo (hugetlb, memory failure). */
struct meminfo_extra {
	void (*show)(struct seq_buf *m);
};

void register_meminfo_extra(struct meminfo_extra *e);

#endif
