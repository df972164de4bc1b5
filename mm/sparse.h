/* SPDX-License-Identifier: MIT */
#ifndef MM_SPARSE_H
#define MM_SPARSE_H

/*
 * The sparse memory model. Physical memory is cut into 128 MiB sections;
 * the struct pages of one section are exactly 2 MiB of vmemmap (one PMD),
 * and only sections that hold memory get a memmap: holes cost nothing.
 *
 *   section state   present     the memory map has memory here
 *                   has-memmap  its vmemmap is populated
 *                   online      its pages are managed by the buddy
 *                   device      device memory (device-dax), never buddy
 *
 * Device sections get a memmap only where a device-dax region asks for
 * one (mm/devdax.c), in 2 MiB subsections (Linux's subsection map): two
 * regions may share a section, and a region may start or end inside one.
 */
#include "kernel/types.h"
#include "mm/layout.h"

#define SECTION_SIZE_BITS	27
#define PFN_SECTION_SHIFT	(SECTION_SIZE_BITS - PAGE_SHIFT)
#define PAGES_PER_SECTION	(1UL << PFN_SECTION_SHIFT)
#define PAGE_SECTION_MASK	(~(PAGES_PER_SECTION - 1))
#define SECTION_MEMMAP_SIZE	(PAGES_PER_SECTION * 64)	/* 2 MiB */
#define SUBSECTION_SHIFT	21
#define PFN_SUBSECTION_SHIFT	(SUBSECTION_SHIFT - PAGE_SHIFT)
#define PAGES_PER_SUBSECTION	(1UL << PFN_SUBSECTION_SHIFT)	/* 512 */
#define SUBSECTIONS_PER_SECTION	(1UL << (SECTION_SIZE_BITS - SUBSECTION_SHIFT))	/* 64 */

#define SECTION_PRESENT		BIT(0)
#define SECTION_HAS_MEMMAP	BIT(1)
#define SECTION_ONLINE		BIT(2)
#define SECTION_DEVICE		BIT(3)
#define SECTION_MEMMAP_PMD	BIT(4)	/* memmap under one PMD leaf */
#define SECTION_HVO_SPLIT	BIT(5)	/* PMD leaf split by HVO: collapse when done */

struct mem_section {
	unsigned long flags;
	/* Huge pages in this section whose vmemmap is deduplicated. */
	unsigned int nr_optimized;
	/* Free 2 MiB blocks in this section whose vmemmap is deduplicated. */
	unsigned int nr_free_optimized;
	/* Device sections: dax regions using it, and its 2 MiB parts with a memmap. */
	unsigned int nr_device_users;
	u64 subsection_map;
};

extern struct mem_section *mem_section;
extern unsigned long nr_mem_sections;	/* table size, from the highest pfn */
extern unsigned long max_pfn;		/* end of RAM */

static inline unsigned long pfn_to_section_nr(unsigned long pfn)
{
	return pfn >> PFN_SECTION_SHIFT;
}

static inline unsigned long section_nr_to_pfn(unsigned long nr)
{
	return nr << PFN_SECTION_SHIFT;
}

static inline struct mem_section *__nr_to_section(unsigned long nr)
{
	if (nr >= nr_mem_sections)
		return NULL;
	return &mem_section[nr];
}

static inline struct mem_section *__pfn_to_section(unsigned long pfn)
{
	return __nr_to_section(pfn_to_section_nr(pfn));
}

static inline unsigned int subsection_index(unsigned long pfn)
{
	return (pfn >> PFN_SUBSECTION_SHIFT) & (SUBSECTIONS_PER_SECTION - 1);
}

/* A struct page exists for pfn. */
static inline bool pfn_valid(unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(pfn);

	if (!ms)
		return false;
	if (ms->flags & SECTION_HAS_MEMMAP)
		return true;
	return (ms->flags & SECTION_DEVICE) &&
	       (ms->subsection_map & BIT(subsection_index(pfn)));
}

/* pfn is in a section whose pages the buddy manages. */
static inline bool pfn_online(unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(pfn);

	return ms && (ms->flags & SECTION_ONLINE);
}

static inline unsigned long section_vmemmap(unsigned long nr)
{
	return VMEMMAP_START + nr * SECTION_MEMMAP_SIZE;
}

/*
 * Size the section table from e820, mark the present sections and
 * populate their memmap, except the sections populated_elsewhere() claims
 * (boot-time gigantic pages, whose memmap hugetlb builds optimized).
 */
void sparse_init(bool (*populated_elsewhere)(unsigned long nr));
/*
 * Fresh struct pages of a just populated section (boot or online): all
 * reserved until memblock or the hotplug code hands them to the buddy.
 */
void memmap_init_section(unsigned long nr);
/* The boot log's memmap lines, once every boot section is populated. */
void sparse_report(void);
/*
 * Populate a section's memmap: a 2 MiB block under a PMD leaf when one
 * can be had, else 4 KiB pages. Returns 0 or -ENOMEM (nothing mapped).
 */
int sparse_populate_section(unsigned long nr);
/* Unmap a section's memmap, free its pages and the empty vmemmap tables. */
void sparse_depopulate_section(unsigned long nr);
/* Move 2 MiB memmap blocks out of [start_pfn, end_pfn), for alloc_contig_pages(). */
int vmemmap_migrate_range(unsigned long start_pfn, unsigned long end_pfn);

/*
 * The vmemmap lock serialises every change of the vmemmap's page tables
 * made for a section or a huge page (populate, depopulate, block moves,
 * HVO's remaps, restores, section rebuilds and collapses) and every copy
 * of a live memmap. A spinlock taken with interrupts ON, never from an
 * interrupt: its holder sends TLB shootdowns and parks the other CPUs
 * (kernel_mapping_switch()), which a CPU waiting for it must answer; a
 * mutex would do as well, but nothing under it sleeps. Order:
 * hugetlb_lock -> vmemmap lock -> slab and zone locks. The free-memory
 * dedup (mm/buddy_vmemmap.c) remaps under it too, taking a free block off
 * the lists under zone->lock first and flushing with zone->lock dropped.
 */
void vmemmap_lock(void);
void vmemmap_unlock(void);
bool vmemmap_trylock(void);
/*
 * For the free-memory dedup, which allocation can reach from under the
 * lock (a page table for a vmemmap split): takes the lock unless this CPU
 * holds it already; true when it took it (the caller then unlocks).
 */
bool vmemmap_lock_unless_held(void);

/* Bytes of memory holding struct pages (shared tail pages counted once). */
unsigned long vmemmap_bytes(void);
void vmemmap_account(long pages);
unsigned long nr_present_sections(void);

#endif
