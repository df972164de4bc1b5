// SPDX-License-Identifier: MIT
/*
 * The slab allocator (after Linux's mm/slab.c of the SLAB days for the
 * three lists per cache, and mm/slub.c for the free list embedded in the
 * free objects and the struct page fields that describe a slab).
 *
 * One CPU runs the kernel, so there is no per-CPU layer: a cache is three
 * lists of slabs, and every operation runs with interrupts off so that an
 * interrupt handler may allocate too.
 *
 *   slabs_partial  some objects free: allocation takes from here first,
 *                  so that the one empty slab stays empty
 *   slabs_full     no free object
 *   slabs_free     empty, at most SLAB_MAX_FREE_SLABS: a cache that
 *                  swings around a slab boundary does not hit the buddy
 *                  on every call
 *
 * struct kmem_cache itself comes from the boot cache "kmem_cache", whose
 * own struct is static, as are the kmalloc-N caches: kmalloc works before
 * any kmem_cache_create() and never depends on it.
 *
 * Above KMALLOC_MAX_CACHE_SIZE, kmalloc goes to the buddy (kmalloc_large):
 * the head page is not PG_slab, and slab_cache holds KMALLOC_LARGE_TAG so
 * that kfree() tells such a block from any other page. The order is the
 * buddy's own record: compound_order() of a compound head, 0 otherwise.
 *
 * Every free is checked before anything is written: the address must be
 * in the direct map, on an object boundary of a slab or the start of a
 * kmalloc_large block, and not free already. A bad free panics with the
 * address and the reason; the lists are never corrupted first.
 */
#include "mm/slab.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/sparse.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

/* Second word of a free object: this, xored with its address. */
#define SLAB_FREE_TAG		0x5ab1f4eedeadf4eeUL

/* Prefer an order that packs at least this many objects. */
#define SLAB_MIN_OBJECTS	4

/* What a slab page allocation keeps of the caller's gfp. */
#define SLAB_GFP_MASK		(__GFP_NORETRY | __GFP_NOWARN | __GFP_HIGH | \
				 __GFP_MEMALLOC | __GFP_NOFAIL_INJECT)

static const char kmalloc_large_tag_byte;
#define KMALLOC_LARGE_TAG	((void *)&kmalloc_large_tag_byte)

static const unsigned int kmalloc_sizes[KMALLOC_NR_CACHES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

/* kmalloc index for sizes 1..192, by (size - 1) / 8, as Linux's size_index. */
static const u8 size_index[24] = {
	0,				/* 1..8 */
	1,				/* 9..16 */
	2, 2,				/* 17..32 */
	3, 3, 3, 3,			/* 33..64 */
	4, 4, 4, 4,			/* 65..96 */
	5, 5, 5, 5,			/* 97..128 */
	6, 6, 6, 6, 6, 6, 6, 6,		/* 129..192 */
};

static struct kmem_cache kmem_cache_boot;
static struct kmem_cache kmalloc_caches[KMALLOC_NR_CACHES];
static LIST_HEAD(slab_caches);
/* slab_caches; taken before a cache's own lock, interrupts off. */
static DEFINE_SPINLOCK(slab_caches_lock);
static bool slab_ready;
static unsigned long nr_large_pages;	/* atomic */

/* Object and slab geometry. */

static inline void *slab_base(const struct page *slab)
{
	return page_address(slab);
}

static inline void **freepointer_ptr(void *obj)
{
	return (void **)obj;
}

void *slab_next_free(void *obj)
{
	return *freepointer_ptr(obj);
}

static inline unsigned long free_tag(const void *obj)
{
	return SLAB_FREE_TAG ^ (unsigned long)obj;
}

/* Objects of one word have no room for the tag. */
static inline bool cache_has_tag(const struct kmem_cache *c)
{
	return c->size >= 2 * sizeof(void *);
}

static inline void set_free_tag(const struct kmem_cache *c, void *obj)
{
	if (cache_has_tag(c))
		((unsigned long *)obj)[1] = free_tag(obj);
}

static inline void clear_free_tag(const struct kmem_cache *c, void *obj)
{
	if (cache_has_tag(c))
		((unsigned long *)obj)[1] = 0;
}

static inline bool has_free_tag(const struct kmem_cache *c, const void *obj)
{
	return cache_has_tag(c) && ((const unsigned long *)obj)[1] == free_tag(obj);
}

bool slab_free_tag_intact(const struct kmem_cache *c, const void *obj)
{
	return !cache_has_tag(c) || has_free_tag(c, obj);
}

bool slab_obj_in_slab(const struct kmem_cache *c, const struct page *slab,
		      const void *obj)
{
	unsigned long off = (unsigned long)obj - (unsigned long)slab_base(slab);

	return off < (unsigned long)c->objects * c->size && off % c->size == 0;
}

/* Walk slab's free list for obj; bounded, so a corrupted list ends too. */
static bool on_freelist(const struct kmem_cache *c, const struct page *slab,
			const void *obj)
{
	void *p = slab->freelist;

	for (unsigned int n = 0; p && n < c->objects; n++) {
		if (p == obj)
			return true;
		if (!slab_obj_in_slab(c, slab, p))
			return false;
		p = *freepointer_ptr(p);
	}
	return false;
}

/*
 * The tag makes the common case one load; the walk makes a live object
 * whose second word happens to hold the tag harmless.
 */
static bool object_is_free(const struct kmem_cache *c, const struct page *slab,
			   const void *obj)
{
	if (!slab_inuse(slab))
		return true;
	if (cache_has_tag(c) && !has_free_tag(c, obj))
		return false;
	return on_freelist(c, slab, obj);
}

/*
 * The smallest order that packs SLAB_MIN_OBJECTS (or as many as the
 * largest slab can) and wastes at most 1/8; failing that, the order that
 * wastes the smallest fraction.
 */
static unsigned int calculate_order(unsigned int size)
{
	unsigned int want = min(SLAB_MIN_OBJECTS, (PAGE_SIZE << SLAB_MAX_ORDER) / size);
	unsigned int best = SLAB_MAX_ORDER;
	unsigned long best_waste = ~0UL;

	for (unsigned int order = 0; order <= SLAB_MAX_ORDER; order++) {
		unsigned long slab = PAGE_SIZE << order;
		unsigned long objs = slab / size;
		unsigned long waste = slab - objs * size;

		if (objs < want)
			continue;
		if (waste * 8 <= slab)
			return order;
		/* Compare waste per byte of slab across orders. */
		waste <<= SLAB_MAX_ORDER - order;
		if (waste < best_waste) {
			best_waste = waste;
			best = order;
		}
	}
	return best;
}

static int cache_setup(struct kmem_cache *c, const char *name, unsigned int size,
		       unsigned int align, unsigned int flags)
{
	unsigned int stride;
	unsigned long irqflags;

	if (!size || (align & (align - 1)) || align > PAGE_SIZE)
		return -EINVAL;
	align = max(align, (unsigned int)sizeof(void *));
	if (size > (PAGE_SIZE << SLAB_MAX_ORDER))
		return -EINVAL;
	stride = ALIGN(max(size, (unsigned int)sizeof(void *)), align);
	if (stride > (PAGE_SIZE << SLAB_MAX_ORDER))
		return -EINVAL;

	memset(c, 0, sizeof(*c));
	strlcpy(c->name, name, sizeof(c->name));
	c->object_size = size;
	c->size = stride;
	c->align = align;
	c->order = calculate_order(stride);
	c->objects = (PAGE_SIZE << c->order) / stride;
	c->flags = flags;
	INIT_LIST_HEAD(&c->slabs_partial);
	INIT_LIST_HEAD(&c->slabs_full);
	INIT_LIST_HEAD(&c->slabs_free);
	spin_lock_init(&c->lock, "kmem_cache->lock");
	spin_lock_irqsave(&slab_caches_lock, irqflags);
	list_add_tail(&c->list, &slab_caches);
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);
	return 0;
}

/* Slabs. */

static struct page *new_slab(struct kmem_cache *c, gfp_t gfp)
{
	gfp_t flags = (gfp & SLAB_GFP_MASK) | (c->order ? __GFP_COMP : 0);
	struct page *slab = alloc_pages(flags, c->order);
	char *base, *obj;

	if (!slab)
		return NULL;
	base = slab_base(slab);
	for (unsigned int i = 0; i < c->objects; i++) {
		obj = base + (unsigned long)i * c->size;
		*freepointer_ptr(obj) = i + 1 < c->objects ? obj + c->size : NULL;
		set_free_tag(c, obj);
	}
	SetPageSlab(slab);
	slab->slab_cache = c;
	slab->freelist = base;
	slab->index = 0;
	c->nr_slabs++;
	c->total_objs += c->objects;
	return slab;
}

/* slab is empty and already off its list. */
static void discard_slab(struct kmem_cache *c, struct page *slab)
{
	c->nr_slabs--;
	c->total_objs -= c->objects;
	/* free_pages() refuses a page that still looks like a slab. */
	ClearPageSlab(slab);
	slab->freelist = NULL;
	slab->slab_cache = NULL;
	slab->index = 0;
	free_pages(slab, c->order);
}

/* A slab with a free object, moved to slabs_partial; NULL if none can be had. */
static struct page *get_slab(struct kmem_cache *c, gfp_t gfp)
{
	struct page *slab;

	if (!list_empty(&c->slabs_partial))
		return list_first_entry(&c->slabs_partial, struct page, lru);
	if (!list_empty(&c->slabs_free)) {
		slab = list_first_entry(&c->slabs_free, struct page, lru);
		list_del(&slab->lru);
		c->nr_free_slabs--;
	} else {
		slab = new_slab(c, gfp);
		if (!slab)
			return NULL;
	}
	list_add(&slab->lru, &c->slabs_partial);
	return slab;
}

static void *slab_alloc(struct kmem_cache *c, gfp_t gfp)
{
	struct page *slab;
	void *obj, *next;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	slab = get_slab(c, gfp);
	if (!slab) {
		spin_unlock_irqrestore(&c->lock, flags);
		return NULL;
	}
	obj = slab->freelist;
	next = *freepointer_ptr(obj);
	if (unlikely(next && !slab_obj_in_slab(c, slab, next))) {
		spin_unlock_irqrestore(&c->lock, flags);
		panic("%s: free list of slab pfn %#lx corrupted: %p -> %p (write after free?)",
		      c->name, page_to_pfn(slab), obj, next);
	}
	slab->freelist = next;
	slab->index++;
	c->active_objs++;
	if (!next) {
		list_del(&slab->lru);
		list_add(&slab->lru, &c->slabs_full);
	}
	spin_unlock_irqrestore(&c->lock, flags);

	clear_free_tag(c, obj);
	if (gfp & __GFP_ZERO)
		memset(obj, 0, c->object_size);
	return obj;
}

/* obj has been checked: a boundary of slab, which belongs to c. */
static void slab_free(struct kmem_cache *c, struct page *slab, void *obj,
		      const char *fn)
{
	unsigned long flags;
	bool was_full;

	spin_lock_irqsave(&c->lock, flags);
	was_full = !slab->freelist;
	/* Unlocked first: a test catches the panic and goes on using the cache. */
	if (object_is_free(c, slab, obj)) {
		spin_unlock_irqrestore(&c->lock, flags);
		panic("%s(%p): double free (cache %s, slab pfn %#lx)", fn, obj,
		      c->name, page_to_pfn(slab));
	}
	*freepointer_ptr(obj) = slab->freelist;
	set_free_tag(c, obj);
	slab->freelist = obj;
	slab->index--;
	c->active_objs--;

	if (!slab_inuse(slab)) {
		list_del(&slab->lru);
		if (c->nr_free_slabs < SLAB_MAX_FREE_SLABS) {
			list_add(&slab->lru, &c->slabs_free);
			c->nr_free_slabs++;
		} else {
			discard_slab(c, slab);
		}
	} else if (was_full) {
		list_del(&slab->lru);
		list_add(&slab->lru, &c->slabs_partial);
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

/*
 * The head page of whatever holds ptr. Only direct-map addresses with a
 * struct page get this far: anything else cannot have come from us, and
 * reading its "struct page" could fault.
 */
static struct page *addr_to_head(const void *ptr, const char *fn)
{
	unsigned long addr = (unsigned long)ptr;
	unsigned long pfn;

	if (addr < PAGE_OFFSET || addr - PAGE_OFFSET >= PFN_PHYS(max_pfn))
		panic("%s(%p): not a direct-map address", fn, ptr);
	pfn = PHYS_PFN(addr - PAGE_OFFSET);
	if (!pfn_valid(pfn))
		panic("%s(%p): pfn %#lx has no struct page", fn, ptr, pfn);
	return compound_head(pfn_to_page(pfn));
}

static void check_boundary(const struct kmem_cache *c, const struct page *slab,
			   const void *obj, const char *fn)
{
	unsigned long off = (unsigned long)obj - (unsigned long)slab_base(slab);

	if (!slab_obj_in_slab(c, slab, obj))
		panic("%s(%p): not at an object boundary (cache %s, slab pfn %#lx, offset %#lx)",
		      fn, obj, c->name, page_to_pfn(slab), off);
}

static bool is_large_kmalloc(const struct page *head)
{
	return !PageSlab(head) && head->slab_cache == KMALLOC_LARGE_TAG;
}

static unsigned int large_order(const struct page *head)
{
	return PageHead(head) ? compound_order(head) : 0;
}

/* Neither a slab nor a kmalloc_large block: say what it is, if we can. */
static __noreturn void bad_page_free(const void *ptr, const struct page *head,
				     const char *fn)
{
	if (PageBuddy(head) || PagePcp(head))
		panic("%s(%p): double free (pfn %#lx is a free page)", fn, ptr,
		      page_to_pfn(head));
	panic("%s(%p): pfn %#lx is not a slab page nor a kmalloc_large block (flags %#lx)",
	      fn, ptr, page_to_pfn(head), head->flags);
}

/* Caches. */

static void slab_bootstrap_cache(struct kmem_cache *c, const char *name,
				 unsigned int size, unsigned int align,
				 unsigned int flags)
{
	if (cache_setup(c, name, size, align, flags | SLAB_BOOT))
		panic("slab: cannot set up boot cache %s", name);
}

void kmem_cache_init(void)
{
	char name[KMEM_CACHE_NAME_LEN];

	BUG_ON(slab_ready);
	slab_bootstrap_cache(&kmem_cache_boot, "kmem_cache",
			     sizeof(struct kmem_cache), 64, 0);
	for (unsigned int i = 0; i < KMALLOC_NR_CACHES; i++) {
		snprintf(name, sizeof(name), "kmalloc-%u", kmalloc_sizes[i]);
		slab_bootstrap_cache(&kmalloc_caches[i], name, kmalloc_sizes[i],
				     0, SLAB_KMALLOC);
	}
	slab_ready = true;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align)
{
	struct kmem_cache *c;
	int ret;

	if (!slab_ready || !name || !*name)
		return NULL;
	c = kmem_cache_alloc(&kmem_cache_boot, GFP_KERNEL);
	if (!c)
		return NULL;
	ret = cache_setup(c, name, size, align, 0);
	if (ret) {
		pr_warn("kmem_cache_create(%s): bad size %u or align %u\n", name,
			size, align);
		kmem_cache_free(&kmem_cache_boot, c);
		return NULL;
	}
	return c;
}

static unsigned long __kmem_cache_shrink(struct kmem_cache *c)
{
	unsigned long pages = 0;

	while (!list_empty(&c->slabs_free)) {
		struct page *slab = list_first_entry(&c->slabs_free, struct page, lru);

		list_del(&slab->lru);
		c->nr_free_slabs--;
		discard_slab(c, slab);
		pages += 1UL << c->order;
	}
	return pages;
}

unsigned long kmem_cache_shrink(struct kmem_cache *c)
{
	unsigned long flags, pages;

	if (!c)
		return 0;
	spin_lock_irqsave(&c->lock, flags);
	pages = __kmem_cache_shrink(c);
	spin_unlock_irqrestore(&c->lock, flags);
	return pages;
}

unsigned long kmem_cache_shrink_all(void)
{
	struct kmem_cache *c;
	unsigned long flags, pages = 0;

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list) {
		spin_lock(&c->lock);
		pages += __kmem_cache_shrink(c);
		spin_unlock(&c->lock);
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return pages;
}

int kmem_cache_destroy(struct kmem_cache *c)
{
	unsigned long flags;

	if (!c)
		return 0;
	if (c->flags & SLAB_BOOT) {
		pr_warn("kmem_cache_destroy %s: a boot cache is never destroyed\n", c->name);
		return -EPERM;
	}
	spin_lock_irqsave(&slab_caches_lock, flags);
	spin_lock(&c->lock);
	if (c->active_objs) {
		spin_unlock(&c->lock);
		spin_unlock_irqrestore(&slab_caches_lock, flags);
		pr_warn("kmem_cache_destroy %s: Slab cache still has objects (%lu)\n",
			c->name, c->active_objs);
		return -EBUSY;
	}
	__kmem_cache_shrink(c);
	BUG_ON(c->nr_slabs);
	list_del(&c->list);
	spin_unlock(&c->lock);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	kmem_cache_free(&kmem_cache_boot, c);
	return 0;
}

struct kmem_cache *kmem_cache_find(const char *name)
{
	struct kmem_cache *c, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list) {
		if (!strcmp(c->name, name)) {
			found = c;
			break;
		}
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return found;
}

void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	if (!slab_ready || !c)
		return NULL;
	return slab_alloc(c, gfp);
}

void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	return kmem_cache_alloc(c, gfp | __GFP_ZERO);
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	struct page *slab;

	if (!obj)
		return;
	slab = addr_to_head(obj, "kmem_cache_free");
	if (!PageSlab(slab))
		bad_page_free(obj, slab, "kmem_cache_free");
	if (slab->slab_cache != c)
		panic("kmem_cache_free(%p): object of cache %s, not of %s", obj,
		      ((struct kmem_cache *)slab->slab_cache)->name,
		      c ? c->name : "(null)");
	check_boundary(c, slab, obj, "kmem_cache_free");
	slab_free(c, slab, obj, "kmem_cache_free");
}

/* kmalloc. */

static unsigned int kmalloc_index(size_t size)
{
	if (size <= 192)
		return size_index[(size - 1) / 8];
	/* 256 -> 7 ... 8192 -> 12: log2 of the next power of two, less one. */
	return (64 - __builtin_clzl(size - 1)) - 1;
}

struct kmem_cache *kmalloc_slab(size_t size)
{
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	return &kmalloc_caches[kmalloc_index(size ? size : 1)];
}

static unsigned int get_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static void *kmalloc_large(size_t size, gfp_t gfp)
{
	unsigned int order;
	struct page *page;

	if (size > KMALLOC_MAX_SIZE) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("kmalloc: %zu bytes is more than KMALLOC_MAX_SIZE\n", size);
		return NULL;
	}
	order = get_order(size);
	page = alloc_pages((gfp & ~__GFP_MOVABLE) | (order ? __GFP_COMP : 0), order);
	if (!page)
		return NULL;
	page->slab_cache = KMALLOC_LARGE_TAG;
	__atomic_add_fetch(&nr_large_pages, 1UL << order, __ATOMIC_RELAXED);
	return page_address(page);
}

static void kfree_large(struct page *head, const void *ptr)
{
	unsigned int order = large_order(head);

	if (ptr != page_address(head))
		panic("kfree(%p): not the start of a kmalloc_large block (pfn %#lx)",
		      ptr, page_to_pfn(head));
	head->slab_cache = NULL;
	__atomic_sub_fetch(&nr_large_pages, 1UL << order, __ATOMIC_RELAXED);
	free_pages(head, order);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	if (!slab_ready)
		return NULL;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(size, gfp);
	/* One cache serves every zone: it cannot promise DMA memory. */
	if (gfp & (__GFP_DMA | __GFP_DMA32)) {
		pr_warn("kmalloc: no DMA caches, use alloc_pages()\n");
		return NULL;
	}
	return slab_alloc(kmalloc_slab(size), gfp);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, gfp);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

void kfree(const void *ptr)
{
	struct page *head;
	struct kmem_cache *c;

	if (!ptr)
		return;
	head = addr_to_head(ptr, "kfree");
	if (!PageSlab(head)) {
		if (!is_large_kmalloc(head))
			bad_page_free(ptr, head, "kfree");
		kfree_large(head, ptr);
		return;
	}
	c = head->slab_cache;
	check_boundary(c, head, ptr, "kfree");
	slab_free(c, head, (void *)ptr, "kfree");
}

size_t ksize(const void *ptr)
{
	struct page *head;
	struct kmem_cache *c;

	if (!ptr)
		return 0;
	head = addr_to_head(ptr, "ksize");
	if (!PageSlab(head)) {
		if (!is_large_kmalloc(head))
			bad_page_free(ptr, head, "ksize");
		return PAGE_SIZE << large_order(head);
	}
	c = head->slab_cache;
	check_boundary(c, head, ptr, "ksize");
	return c->object_size;
}

/* fn runs under slab_caches_lock, interrupts off: it may take c->lock, not allocate. */
int kmem_cache_for_each(int (*fn)(struct kmem_cache *c, void *arg), void *arg)
{
	struct kmem_cache *c;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list) {
		ret = fn(c, arg);
		if (ret)
			break;
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return ret;
}

/* Accounting. */

unsigned long slab_free_slab_pages(void)
{
	struct kmem_cache *c;
	unsigned long flags, pages = 0;

	/* The counters are read unlocked, as Linux sums its slab counters. */
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
		pages += READ_ONCE(c->nr_free_slabs) << c->order;
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return pages;
}

unsigned long kmalloc_large_pages(void)
{
	return __atomic_load_n(&nr_large_pages, __ATOMIC_RELAXED);
}

unsigned long slab_reclaimable_bytes(void)
{
	return 0;
}

/* As Linux, kmalloc_large blocks count as unreclaimable slab. */
unsigned long slab_unreclaimable_bytes(void)
{
	struct kmem_cache *c;
	unsigned long flags, pages = kmalloc_large_pages();

	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
		pages += READ_ONCE(c->nr_slabs) << c->order;
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return pages * PAGE_SIZE;
}

/* /proc/slabinfo, Linux's version 2.1 layout; there are no tunables. */

static int slabinfo_show(struct seq_buf *m, void *data)
{
	struct kmem_cache *c;
	unsigned long flags;

	(void)data;
	seq_puts(m, "slabinfo - version: 2.1\n");
	seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		 " : tunables <limit> <batchcount> <sharedfactor>"
		 " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list) {
		seq_printf(m, "%-17s %6lu %6lu %6u %4u %4u", c->name, c->active_objs,
			   c->total_objs, c->size, c->objects, 1U << c->order);
		seq_printf(m, " : tunables %4u %4u %4u", 0U, 0U, 0U);
		seq_printf(m, " : slabdata %6lu %6lu %6lu\n",
			   c->nr_slabs - c->nr_free_slabs, c->nr_slabs, 0UL);
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return 0;
}
PSEUDO_FILE(slabinfo, "/proc/slabinfo", slabinfo_show, NULL);

unsigned long slab_large_pages(void)
{
	return kmalloc_large_pages();
}
