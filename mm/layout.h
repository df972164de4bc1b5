/* SPDX-License-Identifier: MIT */
#ifndef MM_LAYOUT_H
#define MM_LAYOUT_H

/*
 * The virtual address map (4-level paging). See README "Memory layout".
 *
 *   0x0000000000000000 - 0x00007fffffffffff  user half, one per mm
 *   0xffff888000000000                       direct map of all RAM
 *   0xffffc90000000000                       vmalloc / ioremap
 *   0xffffea0000000000                       vmemmap (struct page array)
 *   0xffffffff80000000                       kernel image
 */
#include "kernel/types.h"

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PMD_SHIFT		21
#define PMD_SIZE		(1UL << PMD_SHIFT)
#define PUD_SHIFT		30
#define PUD_SIZE		(1UL << PUD_SHIFT)
#define PGDIR_SHIFT		39
#define PGDIR_SIZE		(1UL << PGDIR_SHIFT)

#define PAGE_OFFSET		0xffff888000000000UL
#define VMALLOC_START		0xffffc90000000000UL
#define VMALLOC_END		0xffffe8ffffffffffUL
#define VMEMMAP_START		0xffffea0000000000UL
#define __START_KERNEL_map	0xffffffff80000000UL

/* Physical addresses we can ever map: 46 bits, as Linux's 4-level x86. */
#define MAX_PHYSMEM_BITS	46
#define PHYS_ADDR_MAX		((1ULL << MAX_PHYSMEM_BITS) - 1)

#define PFN_UP(x)		(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)		((x) >> PAGE_SHIFT)
#define PFN_PHYS(pfn)		((phys_addr_t)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(x)		((unsigned long)((x) >> PAGE_SHIFT))

static inline void *__va(phys_addr_t pa)
{
	return (void *)(pa + PAGE_OFFSET);
}

static inline phys_addr_t __pa(const void *va)
{
	unsigned long v = (unsigned long)va;

	if (v >= __START_KERNEL_map)
		return v - __START_KERNEL_map;
	return v - PAGE_OFFSET;
}

#endif
