// SPDX-License-Identifier: MIT
/*
 * ioremap: device memory and firmware tables mapped into a window of the
 * vmalloc area. A handful of mappings live at once (framebuffer, VGA
 * text memory, a few ACPI tables while they are parsed), so the window's
 * allocator is a short sorted array of areas searched first fit; that is
 * simpler than a bitmap and just as good at this scale.
 *
 * Each area is followed by an unmapped guard page, so that running off
 * the end of a mapping faults instead of scribbling on the next one.
 * iounmap() goes through kernel_unmap_range(), which frees the page
 * tables that become empty.
 */
#include "mm/ioremap.h"
#include "kernel/printk.h"
#include "kernel/tlbflush.h"
#include "libc/string.h"

struct ioremap_area {
	unsigned long va;	/* page aligned start of the mapping */
	unsigned long size;	/* mapped bytes, a multiple of PAGE_SIZE */
};

static struct ioremap_area areas[IOREMAP_MAX_AREAS];	/* sorted by va */
static unsigned int nr_areas;

unsigned int ioremap_nr_areas(void)
{
	return nr_areas;
}

static unsigned long area_end(const struct ioremap_area *a)
{
	return a->va + a->size + PAGE_SIZE;	/* guard page included */
}

/*
 * The lowest start for size bytes such that start % align == skew,
 * between the existing areas. Returns the index the new area takes in
 * the sorted array through *slot, or 0 when the window is full.
 */
static unsigned long find_space(unsigned long size, unsigned long align,
				unsigned long skew, unsigned int *slot)
{
	unsigned long start = IOREMAP_START;

	for (unsigned int i = 0; i <= nr_areas; i++) {
		unsigned long limit = i < nr_areas ? areas[i].va : IOREMAP_END;
		unsigned long va = ALIGN_DOWN(start, align) + skew;

		if (va < start)
			va += align;
		if (va + size + PAGE_SIZE <= limit && va + size > va) {
			*slot = i;
			return va;
		}
		if (i < nr_areas)
			start = area_end(&areas[i]);
	}
	return 0;
}

static void insert_area(unsigned int slot, unsigned long va, unsigned long size)
{
	memmove(&areas[slot + 1], &areas[slot],
		(nr_areas - slot) * sizeof(areas[0]));
	areas[slot].va = va;
	areas[slot].size = size;
	nr_areas++;
}

void *ioremap(phys_addr_t phys, size_t size, pteval_t prot)
{
	phys_addr_t base = ALIGN_DOWN(phys, PAGE_SIZE);
	unsigned long len, align = PAGE_SIZE, skew = 0, va;
	unsigned int slot;
	int ret;

	if (!size || phys + size < phys || phys + size - 1 > PHYS_ADDR_MAX)
		return NULL;
	if (nr_areas == IOREMAP_MAX_AREAS) {
		pr_warn("ioremap: all %d areas in use\n", IOREMAP_MAX_AREAS);
		return NULL;
	}
	len = ALIGN(phys + size, PAGE_SIZE) - base;
	/*
	 * Big ranges (framebuffers): give the VA the same offset within a
	 * 2 MiB block as the physical address, so that the middle of the
	 * range is mapped by PMD leaves, not thousands of PTEs.
	 */
	if (len >= PMD_SIZE) {
		align = PMD_SIZE;
		skew = base & (PMD_SIZE - 1);
	}
	va = find_space(len, align, skew, &slot);
	if (!va) {
		pr_warn("ioremap: no virtual space for %#lx bytes\n", len);
		return NULL;
	}
	ret = kernel_map_range(va, base, len, prot);
	if (ret) {
		pr_warn("ioremap: cannot map %#lx bytes at %#llx (%d)\n", len,
			(unsigned long long)base, ret);
		return NULL;
	}
	flush_tlb_kernel_range(va, va + len);
	insert_area(slot, va, len);
	return (void *)(va + (phys - base));
}

static int find_area(unsigned long addr)
{
	for (unsigned int i = 0; i < nr_areas; i++)
		if (addr >= areas[i].va && addr < areas[i].va + areas[i].size)
			return i;
	return -1;
}

bool is_ioremap_addr(const void *addr)
{
	return find_area((unsigned long)addr) >= 0;
}

void iounmap(void *addr)
{
	int i = find_area((unsigned long)addr);

	if (i < 0)
		return;
	kernel_unmap_range(areas[i].va, areas[i].size);
	nr_areas--;
	memmove(&areas[i], &areas[i + 1], (nr_areas - i) * sizeof(areas[0]));
}
