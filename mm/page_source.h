/* SPDX-License-Identifier: MIT */
#ifndef MM_PAGE_SOURCE_H
#define MM_PAGE_SOURCE_H

/*
 * Where the page tables and the memmap get pages once the buddy runs.
 * Both sit below the buddy allocator (it is built on them), so the buddy
 * registers itself here when it is ready instead of being included from
 * below; until then their callers take memory from memblock.
 */
#include "kernel/types.h"
#include "mm/page.h"

struct page_source {
	/* 2^order pages, zeroed when asked, or NULL. */
	struct page *(*alloc)(unsigned int order, bool zero);
	/* Give back 2^order pages, memblock-reserved ones included. */
	void (*free)(struct page *page, unsigned int order);
};

void set_page_source(const struct page_source *src);
/* True once the buddy has registered: allocate through the source. */
bool page_source_ready(void);
struct page *page_source_alloc(unsigned int order, bool zero);
void page_source_free(struct page *page, unsigned int order);

#endif
