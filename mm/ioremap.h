/* SPDX-License-Identifier: MIT */
#ifndef MM_IOREMAP_H
#define MM_IOREMAP_H

/*
 * Mappings of device memory (framebuffer, VGA text memory) and of
 * firmware tables outside the direct map (ACPI tables in reserved
 * ranges). They live in a window of the vmalloc area, one unmapped guard
 * page after each, and are page granular: the returned pointer keeps the
 * offset of phys within its page.
 */
#include "kernel/types.h"
#include "mm/layout.h"
#include "mm/pgtable.h"

/*
 * The window: the second quarter of the first 512 GiB of the vmalloc
 * area. Its PGD slot is preallocated (shared by every address space),
 * and it stays clear of the addresses tests use as "never mapped" at
 * the start and the end of the vmalloc area.
 */
#define IOREMAP_START		(VMALLOC_START + (128UL << 30))
#define IOREMAP_END		(VMALLOC_START + (256UL << 30))
#define IOREMAP_MAX_AREAS	32

/*
 * Map [phys, phys + size) with prot (PAGE_KERNEL_WC, PAGE_KERNEL_NOCACHE,
 * or PAGE_KERNEL for firmware tables in RAM). NULL when size is 0, the
 * range is beyond what can be addressed, or no virtual space or page
 * table is left. Ranges of 2 MiB and more get 2 MiB leaves where phys
 * allows.
 */
void *ioremap(phys_addr_t phys, size_t size, pteval_t prot);
/* Undo ioremap(); NULL and addresses outside the window are ignored. */
void iounmap(void *addr);
/* Number of live mappings (for tests and the leak check). */
unsigned int ioremap_nr_areas(void);
/* True when addr lies inside a live ioremap() mapping. */
bool is_ioremap_addr(const void *addr);

#endif
