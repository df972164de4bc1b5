/* SPDX-License-Identifier: MIT */
#ifndef MM_MEMBLOCK_H
#define MM_MEMBLOCK_H

/*
 * The early allocator, as Linux's memblock: two sets of physical ranges,
 * `memory` (the RAM there is) and `reserved` (what is taken: the kernel
 * image, the boot information, early allocations), each kept sorted,
 * disjoint and merged. Free memory is memory minus reserved. It lives
 * until the buddy allocator takes the free ranges over.
 *
 * memblock never touches the memory it manages: it only does arithmetic
 * on ranges, which is what lets the tests run it on made-up addresses.
 *
 * The core operations take a struct memblock_type (or a struct memblock)
 * so that tests can run them on small arrays of their own; the plain API
 * below them works on the global `memblock`.
 */
#include "kernel/types.h"

struct e820_table;

#define INIT_MEMBLOCK_REGIONS		256

/* memblock_phys_alloc_range() end: up to memblock.current_limit */
#define MEMBLOCK_ALLOC_ACCESSIBLE	0
#define MEMBLOCK_ALLOC_ANYWHERE		(~(phys_addr_t)0)

/* align 0 to the allocators means a cache line, as Linux's SMP_CACHE_BYTES */
#define SMP_CACHE_BYTES			64

struct memblock_region {
	phys_addr_t base;
	phys_addr_t size;
};

struct memblock_type {
	unsigned long cnt;		/* regions in use */
	unsigned long max;		/* size of the regions array */
	phys_addr_t total_size;		/* sum of the sizes */
	struct memblock_region *regions;
	const char *name;
};

#define MEMBLOCK_TYPE_INIT(array, type_name) {				\
	.max = sizeof(array) / sizeof((array)[0]),			\
	.regions = (array),						\
	.name = (type_name),						\
}

struct memblock {
	phys_addr_t current_limit;	/* allocations end below this */
	struct memblock_type memory;
	struct memblock_type reserved;
};

extern struct memblock memblock;

/* Core, on any type: 0, or -ENOMEM (with a warning) when the array is full. */
int memblock_add_range(struct memblock_type *type, phys_addr_t base,
		       phys_addr_t size);
int memblock_remove_range(struct memblock_type *type, phys_addr_t base,
			  phys_addr_t size);
/* Index of the region holding addr, or -1. */
long memblock_search(const struct memblock_type *type, phys_addr_t addr);
bool memblock_overlaps_region(const struct memblock_type *type,
			      phys_addr_t base, phys_addr_t size);
bool memblock_type_covers(const struct memblock_type *type, phys_addr_t base,
			  phys_addr_t size);

/*
 * Iterate over type_a minus type_b, lowest first. *idx starts at 0 and is
 * opaque; it is ~0 once the walk is over.
 */
bool __next_mem_range(u64 *idx, const struct memblock_type *type_a,
		      const struct memblock_type *type_b,
		      phys_addr_t *out_start, phys_addr_t *out_end);

/*
 * Core allocation on any struct memblock: the address, or 0. Argument
 * orders as in Linux: find takes the range first, alloc the size first.
 */
phys_addr_t memblock_find_in_range(const struct memblock *mb, phys_addr_t start,
				   phys_addr_t end, phys_addr_t size,
				   phys_addr_t align);
phys_addr_t __memblock_phys_alloc_range(struct memblock *mb, phys_addr_t size,
					phys_addr_t align, phys_addr_t start,
					phys_addr_t end);
int __memblock_add_from_e820(struct memblock *mb, const struct e820_table *table);

/*
 * 0 when sorted, disjoint, not adjacent (adjacent regions are always
 * merged), no empty region, cnt <= max and total_size right; otherwise
 * -EINVAL with the first problem printed.
 */
int memblock_check_type(const struct memblock_type *type);
int memblock_check(const struct memblock *mb);

/* The global memblock. */
int memblock_reserve(phys_addr_t base, phys_addr_t size);
int memblock_phys_free(phys_addr_t base, phys_addr_t size);

/*
 * Top-down: the highest align-aligned block of size free bytes in
 * [max(start, PAGE_SIZE), min(end, current_limit)); it is reserved. 0 when
 * nothing fits (page 0 is never handed out, so 0 is not an address).
 * align must be a power of two; 0 means SMP_CACHE_BYTES.
 */
phys_addr_t memblock_phys_alloc_range(phys_addr_t size, phys_addr_t align,
				      phys_addr_t start, phys_addr_t end);
phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align);

void memblock_set_current_limit(phys_addr_t limit);

bool memblock_is_memory(phys_addr_t addr);
bool memblock_is_reserved(phys_addr_t addr);
/* The whole range lies in one memory region. */
bool memblock_is_region_memory(phys_addr_t base, phys_addr_t size);
/* Some of the range is reserved. */
bool memblock_is_region_reserved(phys_addr_t base, phys_addr_t size);

phys_addr_t memblock_phys_mem_size(void);
phys_addr_t memblock_reserved_size(void);
phys_addr_t memblock_start_of_DRAM(void);
phys_addr_t memblock_end_of_DRAM(void);

/* Free ranges (memory minus reserved) of the global memblock. */
bool memblock_next_free_range(u64 *idx, phys_addr_t *start, phys_addr_t *end);

#define __for_each_mem_range(i, type_a, type_b, p_start, p_end)	\
	for ((i) = 0;							\
	     __next_mem_range(&(i), (type_a), (type_b), (p_start), (p_end)); )

#define for_each_free_mem_range(i, p_start, p_end)			\
	__for_each_mem_range(i, &memblock.memory, &memblock.reserved,	\
			      p_start, p_end)

/* Every E820_TYPE_RAM range of e820_table into memblock.memory. */
int memblock_add_from_e820(void);

void memblock_dump_type(const struct memblock_type *type);
void memblock_dump(void);

#endif
