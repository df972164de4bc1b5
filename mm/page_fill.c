// SPDX-License-Identifier: MIT
/*
 * Debug fill of free pages: a use after free shows as a changed pattern
 * when the block is next allocated.
 */
#include "mm/page_fill.h"
#include "kernel/panic.h"
#include "kernel/param.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define PAGE_FILL	0xaaU

#ifdef CONFIG_DEBUG_PAGEALLOC_POISON
static bool filling = true;
#else
static bool filling;
#endif
static unsigned long checked_pages;	/* atomic */

/* Linux's name for the switch, though what it sets is the debug fill. */
static int page_poison_param(const char *val)
{
	return kstrtobool(val, &filling);
}
early_param("page_poison", page_poison_param);

bool page_fill_enabled(void)
{
	return filling;
}

void set_page_fill(bool on)
{
	filling = on;
}

void fill_pages(struct page *page, unsigned int order)
{
	if (!filling)
		return;
	memset(page_address(page), PAGE_FILL, PAGE_SIZE << order);
	SetPageFilled(page);
}

void check_page_fill(struct page *page, unsigned int order)
{
	const u64 *p = page_address(page);
	const u64 pattern = 0xaaaaaaaaaaaaaaaaULL;
	unsigned long n = (PAGE_SIZE << order) / sizeof(u64);

	if (!PageFilled(page))
		return;
	for (unsigned long i = 0; i < n; i++) {
		if (p[i] != pattern)
			panic("page poison overwritten: pfn %#lx offset %#lx (use after free)",
			      page_to_pfn(page) + i * 8 / PAGE_SIZE,
			      (i * 8) % PAGE_SIZE);
	}
	ClearPageFilled(page);
	__atomic_add_fetch(&checked_pages, 1UL << order, __ATOMIC_RELAXED);
}

unsigned long page_fill_checked_pages(void)
{
	return __atomic_load_n(&checked_pages, __ATOMIC_RELAXED);
}
