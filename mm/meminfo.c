// SPDX-License-Identifier: MIT
/* /proc/meminfo. */
#include "mm/meminfo.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/sparse.h"
#include "kernel/pseudofs.h"
#include "kernel/printk.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define K(pages)	((pages) << (PAGE_SHIFT - 10))

static struct meminfo_extra *extras[8];
/* 4 KiB pages held by shared anonymous objects (Linux's NR_SHMEM). */
static long nr_shmem_pages;

void meminfo_shmem_add(long pages)
{
	__atomic_fetch_add(&nr_shmem_pages, pages, __ATOMIC_RELAXED);
}

unsigned long meminfo_shmem_pages(void)
{
	return __atomic_load_n(&nr_shmem_pages, __ATOMIC_RELAXED);
}

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
	seq_printf(m, "Shmem:          %8lu kB\n", K(meminfo_shmem_pages()));
	seq_printf(m, "Slab:           %8lu kB\n", slab_unreclaimable_bytes() >> 10);
	seq_printf(m, "SUnreclaim:     %8lu kB\n", slab_unreclaimable_bytes() >> 10);
	seq_printf(m, "PageTables:     %8lu kB\n", K(nr_kernel_pgtable_pages()));
	for (unsigned int i = 0; i < ARRAY_SIZE(extras) && extras[i]; i++)
		extras[i]->show(m);
	seq_printf(m, "Vmemmap:        %8lu kB\n", vmemmap_bytes() >> 10);
	return 0;
}
PSEUDO_FILE(meminfo, "/proc/meminfo", meminfo_show, NULL);
