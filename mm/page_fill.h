/* SPDX-License-Identifier: MIT */
#ifndef MM_PAGE_FILL_H
#define MM_PAGE_FILL_H

/*
 * Debug fill of free pages (Linux's page poisoning; here "poison" means
 * hardware poison only, so the debug pattern is a fill). With page_poison=on
 * (the default in debug builds) a freed block is filled with PAGE_FILL and
 * marked PG_filled; the pattern is checked when the block is allocated and
 * a changed byte panics with the pfn and offset (a use after free).
 */
#include "kernel/types.h"
#include "mm/page.h"

bool page_fill_enabled(void);
void set_page_fill(bool on);

/* Fill a block being freed (nothing when filling is off). */
void fill_pages(struct page *page, unsigned int order);
/* A block leaving the free lists: check its fill and clear PG_filled. */
void check_page_fill(struct page *page, unsigned int order);
/*
 * Pages whose fill has been checked since boot: lets a test see that a
 * path which takes filled blocks (forming a free 1 GiB range) checked them.
 */
unsigned long page_fill_checked_pages(void);

#endif
