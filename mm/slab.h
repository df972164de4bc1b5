/* SPDX-License-Identifier: MIT */
#ifndef MM_SLAB_H
#define MM_SLAB_H

/*
 * The slab allocator: kmem_cache_* for fixed-size objects, kmalloc on top
 * of a set of kmalloc-N caches, and kmalloc_large straight from the buddy
 * for anything above KMALLOC_MAX_CACHE_SIZE.
 *
 * A slab is one buddy allocation of 2^order pages (a compound page when
 * order > 0, so that compound_head() finds it from any object). Its head
 * struct page describes it:
 *
 *	flags		PG_slab
 *	lru		on the cache's partial, full or free list
 *	private		the order, as alloc_pages() set it (never touched:
 *			free_pages() checks it)
 *	freelist	first free object, or NULL when the slab is full
 *	slab_cache	the owning struct kmem_cache
 *	index		inuse: objects handed out from this slab
 *
 * Free objects are chained through their first word. Their second word,
 * where the object has one, holds SLAB_FREE_TAG ^ address: kfree() sees a
 * double free there for the price of one load, and confirms it on the
 * slab's free list before it panics.
 *
 * A cache keeps at most SLAB_MAX_FREE_SLABS empty slabs; an empty slab
 * beyond that goes back to the buddy at once.
 *
 * kmalloc_large blocks are plain buddy allocations (compound when order >
 * 0) whose head has slab_cache set to a private tag and no PG_slab: that
 * is how kfree() tells them from any other page. Their order is the
 * buddy's record (compound_order(), or 0).
 */
#include "kernel/types.h"
#include "kernel/list.h"
#include "kernel/spinlock.h"
#include "mm/page_alloc.h"

#define KMEM_CACHE_NAME_LEN	32

/* The smallest and largest kmalloc-N caches. */
#define KMALLOC_MIN_SIZE	8
#define KMALLOC_MAX_CACHE_SIZE	8192
#define KMALLOC_NR_CACHES	13
/* Largest kmalloc: one MAX_ORDER buddy block. */
#define KMALLOC_MAX_SIZE	(PAGE_SIZE << MAX_ORDER)

/* Largest slab: objects bigger than this cannot have a cache. */
#define SLAB_MAX_ORDER		3
#define SLAB_MAX_FREE_SLABS	1

/* Cache flags. */
#define SLAB_KMALLOC		BIT(0)	/* one of the kmalloc-N caches */
#define SLAB_BOOT		BIT(1)	/* statically allocated: never destroyed */

struct kmem_cache {
	char name[KMEM_CACHE_NAME_LEN];
	unsigned int object_size;	/* what the creator asked for */
	unsigned int size;		/* stride: object_size rounded up to align */
	unsigned int align;
	unsigned int objects;		/* objects per slab */
	unsigned int order;		/* each slab is 2^order pages */
	unsigned int flags;		/* SLAB_* */

	/*
	 * Everything below but list: taken with interrupts off, so that
	 * kmalloc works from every CPU and from interrupts. The slab's
	 * pages come from and go back to the buddy under it (order:
	 * c->lock -> zone->lock).
	 */
	spinlock_t lock;

	struct list_head slabs_partial;	/* some objects in use */
	struct list_head slabs_full;	/* no free object */
	struct list_head slabs_free;	/* empty, at most SLAB_MAX_FREE_SLABS */

	unsigned long active_objs;	/* objects handed out */
	unsigned long total_objs;	/* objects in all slabs */
	unsigned long nr_slabs;		/* slabs on all three lists */
	unsigned long nr_free_slabs;	/* slabs on slabs_free */

	struct list_head list;		/* on slab_caches */
};

/*
 * Once, from mm_init(), after the buddy is up. Before it every allocation
 * returns NULL.
 */
void kmem_cache_init(void);

/*
 * align is 0 (word alignment) or a power of two up to PAGE_SIZE. The name
 * is copied. NULL when the arguments are bad or memory is short.
 */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align);
/* -EBUSY (and a warning) while objects are live; -EPERM for boot caches. */
int kmem_cache_destroy(struct kmem_cache *cache);
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *cache, void *obj);
/* Give the cache's empty slabs back to the buddy; returns pages freed. */
unsigned long kmem_cache_shrink(struct kmem_cache *cache);
unsigned long kmem_cache_shrink_all(void);

/*
 * kmalloc(0) returns a unique pointer (a kmalloc-8 object) that kfree()
 * takes, never NULL: NULL means "out of memory" to every caller, and a
 * zero-length request is not a failure. Linux returns ZERO_SIZE_PTR
 * instead; that sentinel is not unique and not NULL either.
 */
/* Any zone: __GFP_DMA/__GFP_DMA32 are refused below KMALLOC_MAX_CACHE_SIZE. */
void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
/* NULL when n * size overflows. */
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void *kmalloc_array(size_t n, size_t size, gfp_t gfp);
/*
 * NULL is ignored. A pointer that is not the start of a slab object or of
 * a kmalloc_large block, or an object already free, panics with the
 * address and the reason.
 */
void kfree(const void *ptr);
/* Usable bytes at ptr: the cache's object size, or the large block's size. */
size_t ksize(const void *ptr);

/* The kmalloc cache serving size (NULL above KMALLOC_MAX_CACHE_SIZE). */
struct kmem_cache *kmalloc_slab(size_t size);
struct kmem_cache *kmem_cache_find(const char *name);

/* Call fn on every cache, in creation order, until it returns non-zero. */
int kmem_cache_for_each(int (*fn)(struct kmem_cache *c, void *arg), void *arg);

/*
 * A slab's layout, for its checker (mm/debug/slab_check.c): objects
 * handed out, the free object after obj, whether obj is an object
 * boundary of slab, and whether a free obj still holds its free tag.
 */
static inline unsigned int slab_inuse(const struct page *slab)
{
	return slab->index;
}
void *slab_next_free(void *obj);
bool slab_obj_in_slab(const struct kmem_cache *c, const struct page *slab, const void *obj);
bool slab_free_tag_intact(const struct kmem_cache *c, const void *obj);

/* Pages held by empty slabs kept for reuse, over all caches. */
unsigned long slab_free_slab_pages(void);
/* Pages held by kmalloc_large blocks. */
unsigned long kmalloc_large_pages(void);

/* /proc/meminfo: Slab = SReclaimable + SUnreclaim. Nothing is reclaimable. */
unsigned long slab_reclaimable_bytes(void);
unsigned long slab_unreclaimable_bytes(void);
/* Pages of kmalloc_large() allocations (counted in the bytes above). */
unsigned long slab_large_pages(void);

#endif
