/* SPDX-License-Identifier: MIT */
#ifndef MM_SHMEM_H
#define MM_SHMEM_H

/*
 * Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS, with or without
 * MAP_HUGETLB) as an object of its own, as Linux's shmem_zero_setup()
 * makes one: the pages live in the object, indexed by their offset in
 * it, and the VMAs that map it (vm_shm, with vm_pgoff the object's 4 KiB
 * page at vm_start) only point at them. So a fork shares the object, not
 * a snapshot of its pages; MADV_DONTNEED unmaps from one mm and the data
 * stays; the object and its pages go with the last VMA that refers to it.
 *
 * References: each VMA piece holds one on the object (a split takes
 * another, a merge or removal drops one). The object holds one reference
 * on each of its pages; each mapping of a page holds another (and, for
 * 4 KiB pages, one mapcount), as for any page.
 *
 * Locks: the object's lock (a spinlock, IRQs on, taken inside a
 * fault's page_table_lock and outside hugetlb_lock) protects its page
 * index, nr_present and resv: two processes (or threads of one, under
 * different page-table locks) may fault the same index at once, and one
 * page must come out. The refcount is atomic: VMA pieces of different
 * mms come and go under different mmap_locks. shmem_objects and the
 * inode numbers are under shmem_list_lock.
 *
 * Hugetlb objects reserve their pages at creation unless MAP_NORESERVE:
 * the reservation belongs to the object (Linux's hugetlbfs inode
 * resv_map), one for each index not yet holding a page, shared by every
 * mm that maps it, and given back when the object goes.
 */
#include "kernel/types.h"
#include "kernel/list.h"
#include "kernel/spinlock.h"

struct hstate;
struct page;

struct shmem_object {
	int refcount;			/* VMA pieces pointing at it, in any mm (atomic) */
	spinlock_t lock;		/* the index, nr_present, resv */
	unsigned long ino;		/* /proc/<pid>/maps's inode column */
	struct hstate *h;		/* hugetlb page size, or NULL: 4 KiB */
	unsigned long nr_pages;		/* its size, in its own pages */
	unsigned long nr_present;	/* pages it holds */
	unsigned long resv;		/* hugetlb: reservations it still holds */
	void **root;			/* radix tree of SHMEM_FANOUT-way nodes */
	unsigned int height;		/* levels of the tree (1: root holds pages) */
	struct list_head list;		/* on shmem_objects */
};

/* Every live object (the checker, the tests), under shmem_list_lock. */
extern struct list_head shmem_objects;
extern spinlock_t shmem_list_lock;

/*
 * A new object of nr_pages pages of h's size (4 KiB when h is NULL),
 * with refcount 1; for hugetlb with reserve, every page reserved.
 * NULL with *err: -ENOMEM, or -ENOMEM when the pool cannot reserve.
 */
struct shmem_object *shmem_create(struct hstate *h, unsigned long nr_pages, bool reserve,
				  int *err);
void shmem_get(struct shmem_object *obj);
/* Drops a reference; the last frees the pages and gives back reservations. */
void shmem_put(struct shmem_object *obj);

/*
 * The page at index (in the object's pages), found or allocated there
 * (zeroed; a hugetlb one from the object's reservation while it has one).
 * 0 with *page; -EFAULT beyond the object's size (Linux's SIGBUS past
 * i_size); -ENOSPC when the pool has no huge page (SIGBUS too); -ENOMEM.
 * The caller takes its own reference for the mapping.
 */
int shmem_get_page(struct shmem_object *obj, unsigned long index, struct page **page);
/* The page at index, or NULL. */
struct page *shmem_find_page(struct shmem_object *obj, unsigned long index);

/*
 * fn on every page the object holds, in index order, visiting only the
 * nodes that exist; stops at and returns fn's first non-zero answer.
 */
int shmem_for_each_page(const struct shmem_object *obj,
			int (*fn)(unsigned long index, struct page *page, void *arg), void *arg);

/* Reservations held by objects of h (HugePages_Rsvd's share). */
unsigned long shmem_hugetlb_reserved(const struct hstate *h);

#endif
