// SPDX-License-Identifier: MIT
/*
 * Shared anonymous memory objects (see shmem.h).
 *
 * The page index is a radix tree of SHMEM_FANOUT-way nodes, each one
 * 4 KiB of pointers, as tall as the object's size needs (at most 4
 * levels for the whole user half in 4 KiB pages), so a large sparse
 * object costs only the nodes its present pages use:
 *
 *   height 2:  root[idx >> 9] -> node[idx & 511] -> struct page
 *
 * Nodes are allocated by the fault that needs them and freed with the
 * object.
 */
#include "mm/shmem.h"
#include "mm/hugetlb.h"
#include "mm/meminfo.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "kernel/panic.h"
#include "libc/errno.h"
#include "libc/string.h"

#define SHMEM_SHIFT	9
#define SHMEM_FANOUT	(1UL << SHMEM_SHIFT)
#define SHMEM_NODE_SIZE	(SHMEM_FANOUT * sizeof(void *))

LIST_HEAD(shmem_objects);
DEFINE_SPINLOCK(shmem_list_lock);
static unsigned long next_ino = 1;

static unsigned int height_for(unsigned long nr_pages)
{
	unsigned int height = 1;

	while (nr_pages > (1UL << (SHMEM_SHIFT * height)))
		height++;
	return height;
}

struct shmem_object *shmem_create(struct hstate *h, unsigned long nr_pages, bool reserve,
				  int *err)
{
	struct shmem_object *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

	*err = -ENOMEM;
	if (!obj)
		return NULL;
	obj->root = kzalloc(SHMEM_NODE_SIZE, GFP_KERNEL);
	if (!obj->root) {
		kfree(obj);
		return NULL;
	}
	if (h && reserve) {
		if (hugetlb_acquire_reservation(h, nr_pages)) {
			kfree(obj->root);
			kfree(obj);
			return NULL;
		}
		obj->resv = nr_pages;
	}
	obj->refcount = 1;
	spin_lock_init(&obj->lock, "shmem_object");
	obj->h = h;
	obj->nr_pages = nr_pages;
	obj->height = height_for(nr_pages);
	spin_lock(&shmem_list_lock);
	obj->ino = next_ino++;
	list_add_tail(&obj->list, &shmem_objects);
	spin_unlock(&shmem_list_lock);
	*err = 0;
	return obj;
}

void shmem_get(struct shmem_object *obj)
{
	BUG_ON(obj->refcount <= 0);
	__atomic_fetch_add(&obj->refcount, 1, __ATOMIC_RELAXED);
}

/*
 * The object's own reference on a page it drops: no mapping is left.
 * The reference need not be the last one: the lockless walker (mm/gup.c)
 * may hold a speculative one it took just before the last unmap, and
 * drops it once it sees the entry changed. So a 4 KiB page goes with
 * put_page(), and whichever put is last frees it; a huge page goes back
 * to its pool through free_huge_page(), which freezes the count from 1
 * and so waits such a reference out, as a pool entry must.
 */
static void release_page(struct shmem_object *obj, struct page *page)
{
	if (obj->h) {
		BUG_ON(page_ref_count(page) < 1);
		free_huge_page(page);
		return;
	}
	BUG_ON(page_ref_count(page) < 1 || page_mapcount(page) != -1);
	page->data[0] = 0;
	put_page(page);
	meminfo_shmem_add(-1);
}

static void free_node(struct shmem_object *obj, void **node, unsigned int level)
{
	for (unsigned long i = 0; i < SHMEM_FANOUT; i++) {
		if (!node[i])
			continue;
		if (level == 1)
			release_page(obj, node[i]);
		else
			free_node(obj, node[i], level - 1);
	}
	kfree(node);
}

void shmem_put(struct shmem_object *obj)
{
	BUG_ON(obj->refcount <= 0);
	/* The last reference: no VMA or futex waiter can reach it any more. */
	if (__atomic_sub_fetch(&obj->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	spin_lock(&shmem_list_lock);
	list_del(&obj->list);
	spin_unlock(&shmem_list_lock);
	free_node(obj, obj->root, obj->height);
	if (obj->resv)
		hugetlb_release_reservation(obj->h, obj->resv);
	kfree(obj);
}

/* The slot of index in its leaf node; allocating nodes on the way if alloc. */
static void **slot_of(const struct shmem_object *obj, unsigned long index, bool alloc)
{
	void **node = obj->root;

	for (unsigned int level = obj->height; level > 1; level--) {
		unsigned long i = (index >> (SHMEM_SHIFT * (level - 1))) & (SHMEM_FANOUT - 1);

		if (!node[i]) {
			if (!alloc)
				return NULL;
			node[i] = kzalloc(SHMEM_NODE_SIZE, GFP_KERNEL);
			if (!node[i])
				return NULL;
		}
		node = node[i];
	}
	return &node[index & (SHMEM_FANOUT - 1)];
}

struct page *shmem_find_page(struct shmem_object *obj, unsigned long index)
{
	struct page *page = NULL;
	void **slot;

	if (index >= obj->nr_pages)
		return NULL;
	spin_lock(&obj->lock);
	slot = slot_of(obj, index, false);
	if (slot)
		page = *slot;
	spin_unlock(&obj->lock);
	return page;
}

static struct page *alloc_shmem_page(struct shmem_object *obj)
{
	struct page *page;

	if (obj->h) {
		/* alloc_huge_page() zeroes it. */
		page = alloc_huge_page(obj->h, obj->resv > 0);
		if (page && obj->resv)
			obj->resv--;
		return page;
	}
	page = alloc_page(GFP_USER | __GFP_ZERO);
	if (page) {
		page->_mapcount = -1;
		page->data[0] = (unsigned long)obj;
	}
	return page;
}

/*
 * Under the object's lock: faults of two mms (or two PTE tables of one)
 * on one index find one page. Allocation never sleeps, so the page is
 * allocated under it.
 */
static int __shmem_get_page(struct shmem_object *obj, unsigned long index,
			    struct page **page)
{
	void **slot = slot_of(obj, index, true);

	if (!slot)
		return -ENOMEM;
	if (!*slot) {
		*slot = alloc_shmem_page(obj);
		if (!*slot)
			return obj->h ? -ENOSPC : -ENOMEM;
		obj->nr_present++;
		/* Hugetlb pages are HugePages_*, never Shmem (Linux). */
		if (!obj->h)
			meminfo_shmem_add(1);
	}
	*page = *slot;
	return 0;
}

int shmem_get_page(struct shmem_object *obj, unsigned long index, struct page **page)
{
	int ret;

	if (index >= obj->nr_pages)
		return -EFAULT;
	spin_lock(&obj->lock);
	ret = __shmem_get_page(obj, index, page);
	spin_unlock(&obj->lock);
	return ret;
}

static int walk_node(void **node, unsigned int level, unsigned long base,
		     int (*fn)(unsigned long index, struct page *page, void *arg), void *arg)
{
	unsigned int shift = SHMEM_SHIFT * (level - 1);
	int ret;

	for (unsigned long i = 0; i < SHMEM_FANOUT; i++) {
		if (!node[i])
			continue;
		if (level == 1)
			ret = fn(base + i, node[i], arg);
		else
			ret = walk_node(node[i], level - 1, base + (i << shift), fn, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int shmem_for_each_page(const struct shmem_object *obj,
			int (*fn)(unsigned long index, struct page *page, void *arg), void *arg)
{
	return walk_node(obj->root, obj->height, 0, fn, arg);
}

unsigned long shmem_hugetlb_reserved(const struct hstate *h)
{
	struct shmem_object *obj;
	unsigned long n = 0;

	spin_lock(&shmem_list_lock);
	list_for_each_entry(obj, &shmem_objects, list)
		if (obj->h == h)
			n += __atomic_load_n(&obj->resv, __ATOMIC_RELAXED);
	spin_unlock(&shmem_list_lock);
	return n;
}
