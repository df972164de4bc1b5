/* SPDX-License-Identifier: MIT */
#ifndef MM_DEVDAX_H
#define MM_DEVDAX_H

/*
 * Device-dax regions: device memory (memmap=nn!ss, firmware persistent
 * memory) with struct pages, handed out in pages of the region's
 * alignment (4 KiB, 2 MiB or 1 GiB). With 2 MiB and 1 GiB alignment the
 * pages are compound pages and their memmap is deduplicated as it is
 * populated (seed 002): see the diagrams in mm/devdax.c.
 *
 * Regions start and end on 2 MiB boundaries (Linux's memmap subsections)
 * and on their alignment. Console: `dax create|destroy|list`.
 *
 * Calls return 0 (create: the region id) or a negative errno; a call that
 * fails has changed nothing and says why in one line in e.
 */
#include "kernel/types.h"
#include "kernel/errmsg.h"

#define DAX_MAX_REGIONS		32

struct dax_region {
	unsigned int id;		/* dax<id>.0 */
	bool active;
	unsigned long start_pfn;
	unsigned long nr_pages;
	unsigned int order;		/* of its pages: 0, 9 (2 MiB) or 18 (1 GiB) */
	unsigned long vmemmap_pages;	/* its share of vmemmap_bytes(), in pages */
	unsigned int users;		/* mappings of it: destroy waits for none */
};

/* align is 4 KiB, 2 MiB or 1 GiB. Returns the new region's id. */
int dax_region_create(phys_addr_t start, u64 size, unsigned long align, struct errmsg *e);
/* Whether dax_region_create() would take the request: 0 or why not. */
int dax_region_check(phys_addr_t start, u64 size, unsigned long align, struct errmsg *e);
/* -EBUSY while it is mapped. */
int dax_region_destroy(unsigned int id, struct errmsg *e);

/* The active region with this id (below DAX_MAX_REGIONS) / containing pfn, or NULL. */
struct dax_region *dax_region_find(unsigned int id);
struct dax_region *dax_region_of_pfn(unsigned long pfn);

/* For mappings of a region (mmap): destroy is refused while held. */
struct dax_region *dax_region_get(unsigned int id);
void dax_region_put(struct dax_region *r);

/* The alignment as align= spells it: "4k", "2m" or "1g". */
const char *dax_align_name(unsigned int order);

static inline unsigned long dax_region_end_pfn(const struct dax_region *r)
{
	return r->start_pfn + r->nr_pages;
}

static inline unsigned long dax_region_align(const struct dax_region *r)
{
	return 4096UL << r->order;
}

/* Pages of vmemmap that the regions hold, all together. */
unsigned long dax_vmemmap_pages(void);
unsigned int dax_nr_regions(void);

#endif
