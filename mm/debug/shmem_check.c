// SPDX-License-Identifier: MIT
/*
 * Shared anonymous memory's invariant checker (mm/shmem.h): each
 * object's reference count is the number of VMA pieces pointing at it in
 * every mm; its page count, its pages' reference and map counts and its
 * reservations add up; and every page a shared VMA maps is the object's
 * page at that offset.
 */
#include "mm/debug/check.h"
#include "mm/hugetlb.h"
#include "mm/meminfo.h"
#include "mm/mm_types.h"
#include "mm/mmap.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/shmem.h"
#include "libc/errno.h"

struct leaf_ctx {
	const struct vm_area_struct *vma;
	unsigned long mapped;		/* leaves found in the object's VMAs */
	struct errmsg *msg;
};

static int check_leaf(struct leaf_ctx *c, pteval_t e, unsigned long addr)
{
	const struct vm_area_struct *v = c->vma;
	unsigned long index = v->vm_pgoff + ((addr - v->vm_start) >> PAGE_SHIFT);
	struct page *page = pfn_to_page(PHYS_PFN(entry_phys(e)));
	struct errmsg *msg = c->msg;

	if (v->vm_hstate)
		index >>= v->vm_hstate->order;
	CHECK(page == shmem_find_page(v->vm_shm, index),
	      "%lx maps pfn %#lx, shmem object %lu has %s at index %lu", addr,
	      page_to_pfn(page), v->vm_shm->ino,
	      shmem_find_page(v->vm_shm, index) ? "another page" : "none", index);
	c->mapped++;
	return 0;
}

/* The present leaves of [start, end) under table, which is at level. */
static int walk(struct leaf_ctx *c, pteval_t *table, enum pg_level level,
		unsigned long start, unsigned long end)
{
	unsigned long size = level_size(level), addr = start;
	int ret;

	while (addr < end) {
		unsigned long next = min(ALIGN_DOWN(addr, size) + size, end);
		pteval_t e = table[level_index(addr, level)];

		if (!(e & _PAGE_PRESENT)) {
			addr = next;
			continue;
		}
		if (level == PG_LEVEL_4K || entry_leaf(e, level))
			ret = check_leaf(c, e, ALIGN_DOWN(addr, size));
		else
			ret = walk(c, entry_table(e), level - 1, addr, next);
		if (ret)
			return ret;
		addr = next;
	}
	return 0;
}

/* VMA pieces of obj, and their mapped pages checked against it. */
static int check_mappings(struct shmem_object *obj, unsigned long *refs, struct errmsg *msg)
{
	struct mm *mm;
	int ret;

	*refs = 0;
	list_for_each_entry(mm, &mm_list, list) {
		for (unsigned int i = 0; i < mm->map_count; i++) {
			struct leaf_ctx c = { .vma = &mm->vmas[i], .msg = msg };

			if (mm->vmas[i].vm_shm != obj)
				continue;
			(*refs)++;
			CHECK(mm->vmas[i].vm_flags & VM_SHARED,
			      "private VMA %lx-%lx of %s maps shmem object %lu",
			      mm->vmas[i].vm_start, mm->vmas[i].vm_end, mm->name, obj->ino);
			CHECK(!mm->vmas[i].vm_resv, "shared VMA %lx-%lx of %s holds %lu reservations",
			      mm->vmas[i].vm_start, mm->vmas[i].vm_end, mm->name,
			      mm->vmas[i].vm_resv);
			ret = walk(&c, mm->pgd, PG_LEVEL_512G, mm->vmas[i].vm_start,
				   mm->vmas[i].vm_end);
			if (ret)
				return ret;
		}
	}
	return 0;
}

struct page_ctx {
	const struct shmem_object *obj;
	unsigned long present;
	struct errmsg *msg;
};

/* One of the object's pages: referenced once more than it is mapped. */
static int check_page(unsigned long i, struct page *page, void *arg)
{
	struct page_ctx *c = arg;
	const struct shmem_object *obj = c->obj;
	struct errmsg *msg = c->msg;

	c->present++;
	CHECK(i < obj->nr_pages, "shmem object %lu: a page at index %lu of %lu", obj->ino, i,
	      obj->nr_pages);
	if (obj->h) {
		CHECK(PageHead(page) && PageHugeTLB(page) && page->_refcount >= 1,
		      "shmem object %lu: index %lu, pfn %#lx is not an in-use %s page",
		      obj->ino, i, page_to_pfn(page), obj->h->name);
		return 0;
	}
	CHECK(!PageBuddy(page) && !PageCompound(page) && !PageSlab(page) &&
	      page->_mapcount >= -1 && page->_refcount == page->_mapcount + 2,
	      "shmem object %lu: index %lu, pfn %#lx: flags %#lx ref %d map %d",
	      obj->ino, i, page_to_pfn(page), page->flags, page->_refcount, page->_mapcount);
	return 0;
}

static int check_pages(struct shmem_object *obj, struct errmsg *msg)
{
	struct page_ctx c = { .obj = obj, .msg = msg };
	int ret = shmem_for_each_page(obj, check_page, &c);

	if (ret)
		return ret;
	CHECK(c.present == obj->nr_present, "shmem object %lu: %lu pages counted, %lu found",
	      obj->ino, obj->nr_present, c.present);
	return 0;
}

int shmem_check(struct errmsg *msg)
{
	struct shmem_object *obj;
	unsigned long refs, small = 0;
	int ret;

	list_for_each_entry(obj, &shmem_objects, list) {
		if (!obj->h)
			small += obj->nr_present;
		CHECK(obj->nr_pages && obj->height, "shmem object %lu: %lu pages, height %u",
		      obj->ino, obj->nr_pages, obj->height);
		CHECK(obj->h || !obj->resv, "shmem object %lu: 4 KiB pages with %lu reservations",
		      obj->ino, obj->resv);
		CHECK(obj->resv + obj->nr_present <= obj->nr_pages,
		      "shmem object %lu: %lu reserved + %lu present > %lu pages", obj->ino,
		      obj->resv, obj->nr_present, obj->nr_pages);
		ret = check_mappings(obj, &refs, msg);
		if (!ret)
			ret = check_pages(obj, msg);
		if (ret)
			return ret;
		CHECK(refs == (unsigned long)obj->refcount,
		      "shmem object %lu: refcount %d, %lu VMAs point at it", obj->ino,
		      obj->refcount, refs);
	}
	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		CHECK(mm_hugetlb_reserved(&hstates[i]) + shmem_hugetlb_reserved(&hstates[i]) <=
		      hstates[i].resv_huge_pages,
		      "%s: mappings hold %lu and shared objects %lu reservations, the pool %lu",
		      hstates[i].name, mm_hugetlb_reserved(&hstates[i]),
		      shmem_hugetlb_reserved(&hstates[i]), hstates[i].resv_huge_pages);
	return 0;
}
