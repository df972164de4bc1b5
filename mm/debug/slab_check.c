// SPDX-License-Identifier: MIT
/*
 * The slab allocator's invariant checker: every slab of a cache is a
 * PG_slab block of the cache's order on the list its inuse count says,
 * its free list is sound, and the cache's counters add up.
 */
#include "mm/debug/check.h"
#include "mm/slab.h"
#include "mm/page.h"
#include "mm/sparse.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdio.h"

enum slab_list { SL_PARTIAL, SL_FULL, SL_FREE };

static const char *const slab_list_names[] = { "partial", "full", "free" };

/* A list entry must be a struct page of a valid pfn before we read it. */
static bool plausible_page(const struct page *page)
{
	unsigned long addr = (unsigned long)page;

	if (addr < VMEMMAP_START || (addr - VMEMMAP_START) % sizeof(struct page))
		return false;
	return pfn_valid(page_to_pfn(page));
}

static int check_freelist(const struct kmem_cache *c, const struct page *slab,
			  struct errmsg *msg)
{
	unsigned long pfn = page_to_pfn(slab);
	unsigned int n = 0;
	void *p;

	for (p = slab->freelist; p; p = slab_next_free(p)) {
		CHECK(n < c->objects, "%s: slab pfn %#lx: free list loops", c->name, pfn);
		CHECK(slab_obj_in_slab(c, slab, p),
		      "%s: slab pfn %#lx: free pointer %p outside the slab or not on an object boundary",
		      c->name, pfn, p);
		CHECK(slab_free_tag_intact(c, p),
		      "%s: slab pfn %#lx: free object %p lost its free tag (written after free?)",
		      c->name, pfn, p);
		n++;
	}
	CHECK(slab_inuse(slab) + n == c->objects,
	      "%s: slab pfn %#lx: inuse %u + %u free != %u objects", c->name, pfn,
	      slab_inuse(slab), n, c->objects);
	return 0;
}

static int check_slab(const struct kmem_cache *c, const struct page *slab,
		      enum slab_list which, struct errmsg *msg)
{
	unsigned long pfn = page_to_pfn(slab);
	unsigned int inuse = slab_inuse(slab);
	const char *list = slab_list_names[which];

	CHECK(PageSlab(slab), "%s: %s slab pfn %#lx without PG_slab (flags %#lx)",
	      c->name, list, pfn, slab->flags);
	CHECK(slab->slab_cache == c, "%s: %s slab pfn %#lx belongs to cache %p",
	      c->name, list, pfn, slab->slab_cache);
	CHECK(!PageTail(slab) && !PageBuddy(slab) && !PagePcp(slab),
	      "%s: %s slab pfn %#lx is a tail or free page (flags %#lx)", c->name,
	      list, pfn, slab->flags);
	CHECK(!(pfn & ((1UL << c->order) - 1)) && slab->private == c->order &&
	      (!c->order || (PageHead(slab) && compound_order(slab) == c->order)),
	      "%s: slab pfn %#lx is not an order-%u block", c->name, pfn, c->order);
	CHECK(inuse <= c->objects, "%s: slab pfn %#lx: inuse %u > %u objects",
	      c->name, pfn, inuse, c->objects);
	if (which == SL_PARTIAL)
		CHECK(inuse && inuse < c->objects,
		      "%s: slab pfn %#lx on the partial list has inuse %u of %u",
		      c->name, pfn, inuse, c->objects);
	else if (which == SL_FULL)
		CHECK(inuse == c->objects,
		      "%s: slab pfn %#lx on the full list has inuse %u of %u",
		      c->name, pfn, inuse, c->objects);
	else
		CHECK(!inuse, "%s: slab pfn %#lx on the free list has inuse %u",
		      c->name, pfn, inuse);
	return check_freelist(c, slab, msg);
}

static int check_list(const struct kmem_cache *c, const struct list_head *head,
		      enum slab_list which, unsigned long *nr, unsigned long *inuse,
		      struct errmsg *msg)
{
	const struct list_head *pos;
	int ret;

	for (pos = head->next; pos != head; pos = pos->next) {
		const struct page *slab = list_entry(pos, struct page, lru);

		CHECK(plausible_page(slab), "%s: %s list entry %p is not a struct page",
		      c->name, slab_list_names[which], slab);
		CHECK(*nr < c->nr_slabs, "%s: more slabs on the lists than nr_slabs %lu",
		      c->name, c->nr_slabs);
		CHECK(pos->next->prev == pos, "%s: %s list broken at slab pfn %#lx",
		      c->name, slab_list_names[which], page_to_pfn(slab));
		ret = check_slab(c, slab, which, msg);
		if (ret)
			return ret;
		(*nr)++;
		*inuse += slab_inuse(slab);
	}
	return 0;
}

static int __kmem_cache_check(const struct kmem_cache *c, struct errmsg *msg)
{
	unsigned long nr = 0, nr_free, inuse = 0;
	int ret;

	CHECK(c->size >= c->object_size && c->size % c->align == 0 &&
	      c->objects == (PAGE_SIZE << c->order) / c->size && c->objects,
	      "%s: geometry: object %u size %u align %u order %u objects %u",
	      c->name, c->object_size, c->size, c->align, c->order, c->objects);
	ret = check_list(c, &c->slabs_partial, SL_PARTIAL, &nr, &inuse, msg);
	if (!ret)
		ret = check_list(c, &c->slabs_full, SL_FULL, &nr, &inuse, msg);
	nr_free = nr;
	if (!ret)
		ret = check_list(c, &c->slabs_free, SL_FREE, &nr, &inuse, msg);
	if (ret)
		return ret;
	nr_free = nr - nr_free;
	CHECK(nr == c->nr_slabs, "%s: %lu slabs on the lists, nr_slabs %lu",
	      c->name, nr, c->nr_slabs);
	CHECK(nr_free == c->nr_free_slabs && nr_free <= SLAB_MAX_FREE_SLABS,
	      "%s: %lu empty slabs on the free list, nr_free_slabs %lu (max %d)",
	      c->name, nr_free, c->nr_free_slabs, SLAB_MAX_FREE_SLABS);
	CHECK(inuse == c->active_objs, "%s: %lu objects in use in the slabs, active_objs %lu",
	      c->name, inuse, c->active_objs);
	CHECK(c->total_objs == c->nr_slabs * c->objects,
	      "%s: total_objs %lu != %lu slabs * %u objects", c->name,
	      c->total_objs, c->nr_slabs, c->objects);
	return 0;
}

int kmem_cache_check(struct kmem_cache *c, struct errmsg *msg)
{
	unsigned long flags;
	int ret;

	if (!c) {
		return errmsg_set(msg, -EINVAL, "NULL cache");
	}
	flags = local_irq_save();
	ret = __kmem_cache_check(c, msg);
	local_irq_restore(flags);
	return ret;
}

static int check_one(struct kmem_cache *c, void *arg)
{
	return kmem_cache_check(c, arg);
}

int slab_check_all(struct errmsg *msg)
{
	return kmem_cache_for_each(check_one, msg);
}
