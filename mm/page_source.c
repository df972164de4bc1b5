// SPDX-License-Identifier: MIT
#include "mm/page_source.h"
#include "kernel/panic.h"

static const struct page_source *source;

void set_page_source(const struct page_source *src)
{
	source = src;
}

bool page_source_ready(void)
{
	return source;
}

struct page *page_source_alloc(unsigned int order, bool zero)
{
	BUG_ON(!source);
	return source->alloc(order, zero);
}

void page_source_free(struct page *page, unsigned int order)
{
	BUG_ON(!source);
	source->free(page, order);
}
