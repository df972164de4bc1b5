// SPDX-License-Identifier: MIT
/*
 * Hardware poison's invariant checker: every record is a distinct pfn
 * whose struct page (if it has one) says poisoned, held pages are in no
 * free block, and the buddy's count of marked in-use pages matches.
 */
#include "mm/debug/check.h"
#include "mm/hugetlb.h"
#include "mm/memory_failure.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/sparse.h"

struct mf_check {
	struct errmsg *msg;
	unsigned long pfn;	/* the record the inner walk looks for */
	unsigned int seen;	/* how often the inner walk met it */
	unsigned long in_use;	/* records of pages still in use */
};

static int count_pfn(const struct hwpoison_info *r, void *arg)
{
	struct mf_check *c = arg;

	c->seen += r->pfn == c->pfn;
	return 0;
}

static int check_record(const struct hwpoison_info *r, void *arg)
{
	struct mf_check *c = arg;
	struct errmsg *msg = c->msg;
	struct page *page;

	c->pfn = r->pfn;
	c->seen = 0;
	hwpoison_for_each_record(count_pfn, c);
	CHECK(c->seen == 1, "pfn %#lx recorded twice", r->pfn);
	if (!pfn_valid(r->pfn))
		return 0;	/* offline section */
	if (r->hugetlb && hugetlb_subpage_poisoned(r->pfn))
		return 0;	/* still in the pool: its head has it */
	page = pfn_to_page(r->pfn);
	CHECK(PageHWPoison(page), "pfn %#lx: recorded, but not PG_hwpoison (flags %#lx)",
	      r->pfn, page->flags);
	if (!r->held) {
		c->in_use += !r->hugetlb;
		return 0;
	}
	CHECK(page->_refcount == 1 && !PageBuddy(page) && !PagePcp(page) &&
	      !PageReserved(page) && !is_free_buddy_page(page),
	      "held poisoned pfn %#lx: refcount %d flags %#lx%s", r->pfn,
	      page->_refcount, page->flags, is_free_buddy_page(page) ? ", in a free block" : "");
	return 0;
}

int memory_failure_check(struct errmsg *msg)
{
	struct mf_check c = { .msg = msg };
	int ret = hwpoison_for_each_record(check_record, &c);

	if (ret)
		return ret;
	CHECK(c.in_use == nr_hwpoison_pages_in_use(),
	      "%lu poisoned pages in use recorded, the buddy waits for %lu", c.in_use,
	      nr_hwpoison_pages_in_use());
	return 0;
}
