// SPDX-License-Identifier: MIT
/*
 * The slab allocator: kmem_cache_*, kmalloc/kfree, kmalloc_large, the
 * invariant checker, /proc/slabinfo. Every step is followed by the
 * checker. Cases that need exact list shapes use a cache of their own
 * (the kmalloc caches are shared with the rest of the kernel); cases that
 * count pages compare ktest_free_pages() plus the pages held in empty spare
 * slabs, which a free of every object brings back exactly.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/slab.h"
#include "mm/debug/check.h"
#include "mm/fail_page_alloc.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "kernel/pseudofs.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/string.h"
#include "libc/stdlib.h"

static bool cache_ok(struct kunit *test, struct kmem_cache *c, int line)
{
	struct errmsg msg;

	if (!kmem_cache_check(c, &msg))
		return true;
	ktest_fail(test, __FILE__, line, "kmem_cache_check: %s", msg.why);
	return false;
}

#define EXPECT_CACHE_OK(test, c)	cache_ok(test, c, __LINE__)
#define EXPECT_SLAB_OK(test)		KTEST_CHECK(test, slab_check_all)

static const unsigned int class_sizes[KMALLOC_NR_CACHES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

/* Enough for one slab of kmalloc-8 and one more. */
static void *ptrs[1024];

static bool contains(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (!strncmp(s, word, n))
			return true;
	return false;
}

/* Free pages plus what the caches hold empty: a full free restores it. */
static unsigned long free_and_spare_pages(void)
{
	drain_all_pages();
	return ktest_free_pages() + slab_free_slab_pages();
}

static bool catches(void (*fn)(void *), void *arg, char *reason, size_t len)
{
	/* panic() turns interrupts off; give the test its state back. */
	unsigned long flags = local_irq_save();
	bool caught = ktest_catch_panic(fn, arg, reason, len);

	local_irq_restore(flags);
	return caught;
}

static struct page *slab_of(const void *obj)
{
	return compound_head(virt_to_page(obj));
}

/* Every class, across a slab boundary, and back. */
KTEST(slab, size_classes)
{
	for (unsigned int i = 0; i < KMALLOC_NR_CACHES; i++) {
		unsigned int size = class_sizes[i];
		struct kmem_cache *c = kmalloc_slab(size);
		unsigned long active;
		unsigned int n;

		ASSERT_NOT_NULL(test, c);
		EXPECT_EQ(test, c->object_size, size);
		EXPECT_TRUE(test, kmalloc_slab(size - 1) == c || size == 8);
		if (i + 1 < KMALLOC_NR_CACHES)
			EXPECT_TRUE(test, kmalloc_slab(size + 1) == kmalloc_slab(class_sizes[i + 1]));
		n = c->objects + 1;
		ASSERT_LE(test, n, ARRAY_SIZE(ptrs));
		active = c->active_objs;
		for (unsigned int j = 0; j < n; j++) {
			/* Ask for less than the class: the next class must not serve it. */
			ptrs[j] = kmalloc(size > 8 ? size - 3 : size, GFP_KERNEL);
			ASSERT_NOT_NULL(test, ptrs[j]);
			EXPECT_EQ(test, ksize(ptrs[j]), size);
			EXPECT_TRUE(test, slab_of(ptrs[j])->slab_cache == c);
			if (!(size & (size - 1)))
				EXPECT_UEQ(test, (unsigned long)ptrs[j] & (size - 1), 0);
			memset(ptrs[j], 0x5a, size);
			EXPECT_CACHE_OK(test, c);
		}
		EXPECT_EQ(test, c->active_objs, active + n);
		for (unsigned int j = 0; j < n; j++) {
			kfree(ptrs[j]);
			EXPECT_CACHE_OK(test, c);
		}
		EXPECT_EQ(test, c->active_objs, active);
		EXPECT_LE(test, c->nr_free_slabs, SLAB_MAX_FREE_SLABS);
	}
	EXPECT_SLAB_OK(test);
}

/*
 * kmalloc(0) gives a unique kmalloc-8 object, never NULL (NULL would read
 * as out of memory to the caller): two calls differ, kfree takes both.
 */
KTEST(slab, zero_size)
{
	void *a = kmalloc(0, GFP_KERNEL);
	void *b = kmalloc(0, GFP_KERNEL);
	void *z = kzalloc(0, GFP_KERNEL);

	ASSERT_NOT_NULL(test, a);
	ASSERT_NOT_NULL(test, b);
	ASSERT_NOT_NULL(test, z);
	EXPECT_TRUE(test, a != b && b != z && a != z);
	EXPECT_EQ(test, ksize(a), KMALLOC_MIN_SIZE);
	EXPECT_TRUE(test, kmalloc_slab(0) == kmalloc_slab(1));
	EXPECT_CACHE_OK(test, kmalloc_slab(0));
	kfree(a);
	kfree(b);
	kfree(z);
	kfree(NULL);
	EXPECT_EQ(test, ksize(NULL), 0);
	EXPECT_CACHE_OK(test, kmalloc_slab(0));
}

/* Partial, full and free lists of a private cache, and the one spare. */
KTEST(slab, cache_lists_and_spare)
{
	unsigned long before = free_and_spare_pages(), pages;
	struct kmem_cache *c = kmem_cache_create("test-lists", 100, 0);
	struct page *slab;
	unsigned int n;

	ASSERT_NOT_NULL(test, c);
	/* Its struct may have taken a page for the kmem_cache cache. */
	pages = free_and_spare_pages();
	EXPECT_EQ(test, c->size, 104);
	EXPECT_EQ(test, c->order, 0);
	EXPECT_EQ(test, c->objects, 4096 / 104);
	EXPECT_EQ(test, c->nr_slabs, 0);
	EXPECT_CACHE_OK(test, c);

	n = 2 * c->objects + 1;
	for (unsigned int i = 0; i < n; i++) {
		ptrs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_NOT_NULL(test, ptrs[i]);
		EXPECT_CACHE_OK(test, c);
	}
	EXPECT_EQ(test, c->nr_slabs, 3);
	EXPECT_EQ(test, c->active_objs, n);
	EXPECT_EQ(test, c->total_objs, 3 * c->objects);
	slab = slab_of(ptrs[0]);
	EXPECT_TRUE(test, PageSlab(slab));
	EXPECT_EQ(test, slab->index, c->objects);	/* inuse */
	EXPECT_NULL(test, slab->freelist);

	/* Destroying a cache with live objects fails and changes nothing. */
	EXPECT_EQ(test, kmem_cache_destroy(c), -EBUSY);
	EXPECT_CACHE_OK(test, c);

	/* Empty all three: one slab stays as the spare, two go back. */
	for (unsigned int i = 0; i < n; i++) {
		kmem_cache_free(c, ptrs[i]);
		EXPECT_CACHE_OK(test, c);
	}
	EXPECT_EQ(test, c->active_objs, 0);
	EXPECT_EQ(test, c->nr_slabs, 1);
	EXPECT_EQ(test, c->nr_free_slabs, 1);
	EXPECT_EQ(test, free_and_spare_pages(), pages);

	/* The spare is used before the buddy is asked. */
	ptrs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_NOT_NULL(test, ptrs[0]);
	EXPECT_EQ(test, c->nr_slabs, 1);
	EXPECT_EQ(test, c->nr_free_slabs, 0);
	kfree(ptrs[0]);		/* kfree takes kmem_cache objects too */
	EXPECT_CACHE_OK(test, c);

	EXPECT_EQ(test, kmem_cache_shrink(c), 1);
	EXPECT_EQ(test, c->nr_slabs, 0);
	EXPECT_EQ(test, kmem_cache_destroy(c), 0);
	EXPECT_NULL(test, kmem_cache_find("test-lists"));
	EXPECT_EQ(test, free_and_spare_pages(), before);
	EXPECT_SLAB_OK(test);
}

KTEST(slab, cache_create_arguments)
{
	struct kmem_cache *c;

	EXPECT_NULL(test, kmem_cache_create("test-bad", 0, 0));
	EXPECT_NULL(test, kmem_cache_create("test-bad", 64, 3));
	EXPECT_NULL(test, kmem_cache_create("test-bad", 64, 2 * PAGE_SIZE));
	EXPECT_NULL(test, kmem_cache_create("test-bad", (PAGE_SIZE << SLAB_MAX_ORDER) + 1, 0));
	EXPECT_NULL(test, kmem_cache_create(NULL, 64, 0));
	EXPECT_NULL(test, kmem_cache_find("test-bad"));
	EXPECT_EQ(test, kmem_cache_destroy(kmalloc_slab(64)), -EPERM);
	EXPECT_EQ(test, kmem_cache_destroy(NULL), 0);

	c = kmem_cache_create("test-align", 40, 64);
	ASSERT_NOT_NULL(test, c);
	EXPECT_EQ(test, c->size, 64);
	EXPECT_TRUE(test, kmem_cache_find("test-align") == c);
	for (unsigned int i = 0; i < 8; i++) {
		ptrs[i] = kmem_cache_zalloc(c, GFP_KERNEL);
		ASSERT_NOT_NULL(test, ptrs[i]);
		EXPECT_UEQ(test, (unsigned long)ptrs[i] & 63, 0);
		EXPECT_EQ(test, ksize(ptrs[i]), 40);
		EXPECT_CACHE_OK(test, c);
	}
	for (unsigned int i = 0; i < 8; i++)
		kmem_cache_free(c, ptrs[i]);
	EXPECT_CACHE_OK(test, c);
	EXPECT_EQ(test, kmem_cache_destroy(c), 0);

	/* One object per slab, order 3: full goes straight to empty. */
	c = kmem_cache_create("test-huge", PAGE_SIZE << SLAB_MAX_ORDER, 0);
	ASSERT_NOT_NULL(test, c);
	EXPECT_EQ(test, c->objects, 1);
	EXPECT_EQ(test, c->order, SLAB_MAX_ORDER);
	ptrs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	ptrs[1] = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_NOT_NULL(test, ptrs[0]);
	ASSERT_NOT_NULL(test, ptrs[1]);
	/* An address in a tail page finds the head. */
	EXPECT_EQ(test, ksize((char *)ptrs[1]), PAGE_SIZE << SLAB_MAX_ORDER);
	EXPECT_TRUE(test, slab_of((char *)ptrs[1] + 5 * PAGE_SIZE) == slab_of(ptrs[1]));
	EXPECT_CACHE_OK(test, c);
	kfree(ptrs[0]);
	kfree(ptrs[1]);
	EXPECT_EQ(test, c->nr_slabs, 1);
	EXPECT_CACHE_OK(test, c);
	EXPECT_EQ(test, kmem_cache_destroy(c), 0);
	EXPECT_SLAB_OK(test);
}

static bool all_zero(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

KTEST(slab, zeroing)
{
	struct kmem_cache *c = kmem_cache_create("test-zero", 192, 0);
	u8 *p, *keep, *q;

	ASSERT_NOT_NULL(test, c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	keep = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_NOT_NULL(test, p);
	ASSERT_NOT_NULL(test, keep);
	memset(p, 0xff, 192);
	kmem_cache_free(c, p);
	/* LIFO: the dirty object comes straight back, and must be clean. */
	q = kmem_cache_zalloc(c, GFP_KERNEL);
	EXPECT_TRUE(test, q == p);
	ASSERT_NOT_NULL(test, q);
	EXPECT_TRUE(test, all_zero(q, 192));
	kmem_cache_free(c, q);
	kmem_cache_free(c, keep);
	EXPECT_CACHE_OK(test, c);
	EXPECT_EQ(test, kmem_cache_destroy(c), 0);

	for (unsigned int i = 0; i < KMALLOC_NR_CACHES; i++) {
		size_t size = class_sizes[i];

		p = kmalloc(size, GFP_KERNEL);
		ASSERT_NOT_NULL(test, p);
		memset(p, 0xff, size);
		kfree(p);
		q = kzalloc(size, GFP_KERNEL);
		ASSERT_NOT_NULL(test, q);
		EXPECT_TRUE(test, all_zero(q, size));
		kfree(q);
		q = kcalloc(size / 8, 8, GFP_KERNEL);
		ASSERT_NOT_NULL(test, q);
		EXPECT_TRUE(test, all_zero(q, size));
		kfree(q);
		EXPECT_CACHE_OK(test, kmalloc_slab(size));
	}
}

KTEST(slab, kcalloc_overflow)
{
	EXPECT_NULL(test, kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL));
	EXPECT_NULL(test, kcalloc(1UL << 33, 1UL << 33, GFP_KERNEL));
	EXPECT_NULL(test, kcalloc(2, SIZE_MAX, GFP_KERNEL));
	EXPECT_NULL(test, kmalloc_array(SIZE_MAX, 16, GFP_KERNEL));
	/* No overflow, but more than any block the buddy has. */
	EXPECT_NULL(test, kcalloc(KMALLOC_MAX_SIZE, 2, GFP_KERNEL | __GFP_NOWARN));
	EXPECT_NULL(test, kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	EXPECT_NULL(test, kmalloc(SIZE_MAX, GFP_KERNEL | __GFP_NOWARN));
	EXPECT_SLAB_OK(test);
}

KTEST(slab, large_allocations)
{
	static const size_t sizes[] = {
		KMALLOC_MAX_CACHE_SIZE + 1, 3 * PAGE_SIZE, 16 * PAGE_SIZE,
		100000, 1UL << 20, KMALLOC_MAX_SIZE,
	};
	unsigned long pages = free_and_spare_pages();
	unsigned long large = kmalloc_large_pages();
	unsigned long bytes = slab_unreclaimable_bytes();

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i], want = PAGE_SIZE;
		u8 *p = kzalloc(size, GFP_KERNEL);
		bool zero = true;

		while (want < size)
			want <<= 1;
		ASSERT_NOT_NULL(test, p);
		EXPECT_UEQ(test, (unsigned long)p & (PAGE_SIZE - 1), 0);
		EXPECT_EQ(test, ksize(p), want);
		EXPECT_FALSE(test, PageSlab(virt_to_page(p)));
		EXPECT_EQ(test, kmalloc_large_pages(), large + want / PAGE_SIZE);
		EXPECT_EQ(test, slab_unreclaimable_bytes(), bytes + want);
		for (size_t j = 0; j < size; j += 512)
			zero &= !p[j];
		EXPECT_TRUE(test, zero);
		memset(p, 0x6b, size);
		kfree(p);
		EXPECT_EQ(test, kmalloc_large_pages(), large);
	}
	EXPECT_EQ(test, free_and_spare_pages(), pages);
	EXPECT_SLAB_OK(test);
}

/* Seeded random sequences. */

#define NR_SLOTS	128
#define NR_OPS		2000
#define MAX_RANDOM_SIZE	10000

static struct {
	u8 *p;
	size_t size;
	u32 gen;
} live[NR_SLOTS];

/* A byte only this slot's current object should hold at offset i. */
static u8 pattern(unsigned int slot, u32 gen, size_t i)
{
	return (u8)(slot * 37 + gen * 131 + i * 7 + (i >> 8));
}

static void fill(unsigned int slot)
{
	for (size_t i = 0; i < live[slot].size; i++)
		live[slot].p[i] = pattern(slot, live[slot].gen, i);
}

/* Offset of the first wrong byte, or -1. */
static long verify(unsigned int slot)
{
	for (size_t i = 0; i < live[slot].size; i++)
		if (live[slot].p[i] != pattern(slot, live[slot].gen, i))
			return i;
	return -1;
}

static void release(struct kunit *test, unsigned int slot)
{
	long bad = verify(slot);

	if (bad >= 0)
		ktest_fail(test, __FILE__, __LINE__,
			   "slot %u (%p, %zu bytes): byte %ld overwritten (overlap)",
			   slot, live[slot].p, live[slot].size, bad);
	kfree(live[slot].p);
	live[slot].p = NULL;
}

/*
 * ops random kmalloc/kfree of 1..MAX_RANDOM_SIZE bytes; with faults, an
 * allocation may fail, but only when a page allocation was made to fail.
 */
static void random_sequence(struct kunit *test, u64 seed, bool faults)
{
	unsigned long pages = free_and_spare_pages();
	unsigned long nr_null = 0;
	u64 rng = seed;

	memset(live, 0, sizeof(live));
	if (faults)
		fail_page_alloc_random(8, seed);
	for (unsigned int op = 0; op < NR_OPS; op++) {
		u64 r = xorshift64(&rng);
		unsigned int slot = r % NR_SLOTS;
		size_t size = 1 + (r >> 16) % MAX_RANDOM_SIZE;
		unsigned long injected = fail_page_alloc_injected();

		if (live[slot].p) {
			size = live[slot].size;
			release(test, slot);
		} else {
			live[slot].p = kmalloc(size, GFP_KERNEL);
			if (!live[slot].p) {
				nr_null++;
				if (!faults || fail_page_alloc_injected() == injected) {
					ktest_fail(test, __FILE__, __LINE__,
						   "op %u: kmalloc(%zu) failed", op, size);
					break;
				}
				continue;
			}
			live[slot].size = size;
			live[slot].gen = op;
			if (ksize(live[slot].p) < size)
				ktest_fail(test, __FILE__, __LINE__, "ksize %zu < %zu",
					   ksize(live[slot].p), size);
			fill(slot);
		}
		/* The cache this step touched now, all of them now and then. */
		if (size <= KMALLOC_MAX_CACHE_SIZE &&
		    !EXPECT_CACHE_OK(test, kmalloc_slab(size)))
			break;
		if (op % 64 == 0 && !EXPECT_SLAB_OK(test))
			break;
	}
	fail_page_alloc_off();
	for (unsigned int slot = 0; slot < NR_SLOTS; slot++)
		if (live[slot].p)
			release(test, slot);
	EXPECT_SLAB_OK(test);
	EXPECT_EQ(test, free_and_spare_pages(), pages);
	if (faults)
		EXPECT_GT(test, nr_null, 0);
}

KTEST(slab, random_sequence)
{
	random_sequence(test, 0x9e3779b97f4a7c15ULL, false);
	random_sequence(test, 0x0123456789abcdefULL, false);
}

KTEST(slab, random_sequence_with_faults)
{
	random_sequence(test, 0x5eed5eed5eed5eedULL, true);
}

/* Fault injection. */

/*
 * Make c need the buddy for its next object: drop the spare, then take
 * every free object of its partial slabs. false if that is too many.
 */
static bool make_fresh(struct kmem_cache *c, unsigned int *n)
{
	kmem_cache_shrink(c);
	*n = 0;
	if (c->total_objs - c->active_objs > ARRAY_SIZE(ptrs))
		return false;
	while (c->total_objs != c->active_objs) {
		ptrs[*n] = kmem_cache_alloc(c, GFP_KERNEL);
		if (!ptrs[*n])
			return false;
		(*n)++;
	}
	return true;
}

KTEST(slab, fault_injection)
{
	unsigned long pages = free_and_spare_pages();
	unsigned long injected = fail_page_alloc_injected();
	struct kmem_cache *c = NULL;
	unsigned int n = 0;
	void *p;

	/* A kmalloc class with no free object left: its next kmalloc needs a page. */
	for (int i = KMALLOC_NR_CACHES - 1; i >= 0 && !c; i--) {
		c = kmalloc_slab(class_sizes[i]);
		if (!make_fresh(c, &n)) {
			while (n)
				kfree(ptrs[--n]);
			c = NULL;
		}
	}
	ASSERT_NOT_NULL(test, c);
	fail_page_alloc_nth(1);
	p = kmalloc(c->object_size, GFP_KERNEL);
	fail_page_alloc_off();
	EXPECT_NULL(test, p);
	EXPECT_EQ(test, fail_page_alloc_injected(), injected + 1);
	EXPECT_EQ(test, c->total_objs, c->active_objs);
	EXPECT_CACHE_OK(test, c);

	/* The failure left nothing behind: the next try works. */
	p = kmalloc(c->object_size, GFP_KERNEL);
	EXPECT_NOT_NULL(test, p);
	EXPECT_CACHE_OK(test, c);
	kfree(p);
	while (n)
		kfree(ptrs[--n]);
	EXPECT_CACHE_OK(test, c);

	/* kmalloc_large. */
	fail_page_alloc_nth(1);
	p = kmalloc(5 * PAGE_SIZE, GFP_KERNEL);
	fail_page_alloc_off();
	EXPECT_NULL(test, p);
	EXPECT_EQ(test, fail_page_alloc_injected(), injected + 2);
	EXPECT_EQ(test, free_and_spare_pages(), pages);
	EXPECT_SLAB_OK(test);
}

/*
 * Fail the 1st, 2nd, ... page allocation of create + alloc +
 * kmalloc_large in turn, until a round needs fewer pages than that: each
 * failure is reported as NULL and leaves nothing behind.
 */
KTEST(slab, fault_at_every_allocation)
{
	for (unsigned long nth = 1; nth <= 8; nth++) {
		unsigned long pages = free_and_spare_pages();
		unsigned long injected = fail_page_alloc_injected();
		struct kmem_cache *c;
		void *obj = NULL, *big;
		bool failed;

		fail_page_alloc_nth(nth);
		c = kmem_cache_create("test-faults", 300, 0);
		if (c)
			obj = kmem_cache_alloc(c, GFP_KERNEL);
		big = kmalloc(20000, GFP_KERNEL);
		fail_page_alloc_off();
		failed = fail_page_alloc_injected() != injected;
		EXPECT_EQ(test, !c || !obj || !big, failed);
		EXPECT_SLAB_OK(test);
		if (c) {
			kmem_cache_free(c, obj);
			EXPECT_EQ(test, kmem_cache_destroy(c), 0);
		}
		kfree(big);
		EXPECT_SLAB_OK(test);
		EXPECT_EQ(test, free_and_spare_pages(), pages);
		if (!failed) {
			/* create may need no page, alloc and kmalloc_large one each. */
			EXPECT_GE(test, nth, 3);
			return;
		}
	}
	ktest_fail(test, __FILE__, __LINE__, "more than 7 page allocations");
}

/* Bad frees panic, with the address and the reason, and change nothing. */

struct free_args {
	struct kmem_cache *c;
	void *p;
};

static void do_kfree(void *arg)
{
	kfree(arg);
}

static void do_cache_free(void *arg)
{
	struct free_args *a = arg;

	kmem_cache_free(a->c, a->p);
}

static void expect_double_free(struct kunit *test, struct kmem_cache *c, void *p)
{
	struct free_args args = { c, p };
	char reason[256];

	EXPECT_TRUE(test, catches(do_cache_free, &args, reason, sizeof(reason)));
	EXPECT_TRUE(test, contains(reason, "double free"));
	EXPECT_CACHE_OK(test, c);
	EXPECT_TRUE(test, catches(do_kfree, p, reason, sizeof(reason)));
	EXPECT_TRUE(test, contains(reason, "double free"));
	EXPECT_CACHE_OK(test, c);
}

KTEST(slab, double_free_panics)
{
	static const unsigned int sizes[] = { 8, 64, 1000 };
	char reason[256];

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct kmem_cache *c = kmem_cache_create("test-dfree", sizes[i], 0);
		void *a, *b, *d;

		ASSERT_NOT_NULL(test, c);
		a = kmem_cache_alloc(c, GFP_KERNEL);
		b = kmem_cache_alloc(c, GFP_KERNEL);
		d = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_NOT_NULL(test, a);
		ASSERT_NOT_NULL(test, b);
		ASSERT_NOT_NULL(test, d);

		/* At the head of the free list, then deeper in it. */
		kmem_cache_free(c, a);
		expect_double_free(test, c, a);
		kmem_cache_free(c, d);
		expect_double_free(test, c, a);
		/* A free slab (the spare): every object in it is free. */
		kmem_cache_free(c, b);
		EXPECT_EQ(test, c->nr_free_slabs, 1);
		expect_double_free(test, c, b);
		EXPECT_EQ(test, kmem_cache_destroy(c), 0);
	}

	/* A kmalloc object whose second word happens to hold its free tag is live. */
	{
		unsigned long *p = kmalloc(32, GFP_KERNEL), *q = kmalloc(32, GFP_KERNEL);

		ASSERT_NOT_NULL(test, p);
		ASSERT_NOT_NULL(test, q);
		kfree(q);
		p[1] = q[1] ^ (unsigned long)q ^ (unsigned long)p;
		kfree(p);
		EXPECT_TRUE(test, catches(do_kfree, p, reason, sizeof(reason)));
		EXPECT_TRUE(test, contains(reason, "double free"));
	}

	/* kmalloc_large: the block is free, or no longer a kmalloc block. */
	{
		void *big = kmalloc(20000, GFP_KERNEL);

		ASSERT_NOT_NULL(test, big);
		kfree(big);
		EXPECT_TRUE(test, catches(do_kfree, big, reason, sizeof(reason)));
		EXPECT_TRUE(test, contains(reason, "double free") || contains(reason, "not"));
	}
	EXPECT_SLAB_OK(test);
}

static int not_from_the_heap;

KTEST(slab, bad_pointer_panics)
{
	struct kmem_cache *c = kmalloc_slab(64), *odd = kmalloc_slab(96);
	char *p = kmalloc(64, GFP_KERNEL);
	char *q = kmalloc(96, GFP_KERNEL);
	char *big = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	struct page *page = alloc_page(GFP_KERNEL);
	struct free_args args;
	char reason[256];

	ASSERT_NOT_NULL(test, p);
	ASSERT_NOT_NULL(test, q);
	ASSERT_NOT_NULL(test, big);
	ASSERT_NOT_NULL(test, page);

	EXPECT_TRUE(test, catches(do_kfree, p + 1, reason, sizeof(reason)));
	EXPECT_TRUE(test, contains(reason, "not at an object boundary"));
	EXPECT_CACHE_OK(test, c);
	/* kmalloc-96 packs 42 objects in a page: the 64-byte tail is no object. */
	EXPECT_EQ(test, odd->objects, 42);
	EXPECT_TRUE(test, catches(do_kfree, (char *)page_address(slab_of(q)) + 42 * 96,
				  reason, sizeof(reason)));
	EXPECT_TRUE(test, contains(reason, "not at an object boundary"));
	EXPECT_CACHE_OK(test, odd);

	EXPECT_TRUE(test, catches(do_kfree, page_address(page), reason, sizeof(reason)));
	EXPECT_TRUE(test, contains(reason, "not a slab page"));
	EXPECT_TRUE(test, catches(do_kfree, &not_from_the_heap, reason, sizeof(reason)));
	EXPECT_TRUE(test, contains(reason, "not a direct-map address"));
	EXPECT_TRUE(test, catches(do_kfree, big + PAGE_SIZE, reason, sizeof(reason)));
	EXPECT_TRUE(test, contains(reason, "not the start"));
	EXPECT_TRUE(test, catches(do_kfree, big + 8, reason, sizeof(reason)));
	EXPECT_TRUE(test, contains(reason, "not the start"));

	args.c = kmalloc_slab(128);
	args.p = p;
	EXPECT_TRUE(test, catches(do_cache_free, &args, reason, sizeof(reason)));
	EXPECT_TRUE(test, contains(reason, "not of kmalloc-128"));

	/* Nothing was touched: the real frees still work. */
	EXPECT_SLAB_OK(test);
	__free_page(page);
	kfree(big);
	kfree(q);
	kfree(p);
	EXPECT_SLAB_OK(test);
}

/* The checker is not vacuous: it sees each kind of damage, and its repair. */
KTEST(slab, checker_detects_corruption)
{
	struct kmem_cache *c = kmem_cache_create("test-corrupt", 64, 0);
	struct errmsg msg;
	void **a, *b, *saved;
	struct page *slab;

	ASSERT_NOT_NULL(test, c);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_NOT_NULL(test, a);
	ASSERT_NOT_NULL(test, b);
	kmem_cache_free(c, a);
	slab = slab_of(a);
	EXPECT_TRUE(test, slab->freelist == a);
	EXPECT_CACHE_OK(test, c);
	saved = a[0];

	a[0] = a;
	EXPECT_EQ(test, kmem_cache_check(c, &msg), -EINVAL);
	EXPECT_TRUE(test, contains(msg.why, "loops"));
	a[0] = (char *)saved + 1;
	EXPECT_EQ(test, kmem_cache_check(c, &msg), -EINVAL);
	EXPECT_TRUE(test, contains(msg.why, "object boundary"));
	a[0] = saved;
	EXPECT_CACHE_OK(test, c);

	saved = a[1];
	a[1] = NULL;
	EXPECT_EQ(test, kmem_cache_check(c, &msg), -EINVAL);
	EXPECT_TRUE(test, contains(msg.why, "free tag"));
	a[1] = saved;

	slab->index++;
	EXPECT_EQ(test, kmem_cache_check(c, &msg), -EINVAL);
	EXPECT_TRUE(test, contains(msg.why, "inuse"));
	slab->index--;

	c->active_objs++;
	EXPECT_EQ(test, kmem_cache_check(c, &msg), -EINVAL);
	EXPECT_TRUE(test, contains(msg.why, "active_objs"));
	c->active_objs--;

	ClearPageSlab(slab);
	EXPECT_EQ(test, kmem_cache_check(c, &msg), -EINVAL);
	EXPECT_TRUE(test, contains(msg.why, "PG_slab"));
	SetPageSlab(slab);

	c->nr_slabs++;
	EXPECT_EQ(test, kmem_cache_check(c, &msg), -EINVAL);
	c->nr_slabs--;
	EXPECT_CACHE_OK(test, c);

	kmem_cache_free(c, b);
	EXPECT_EQ(test, kmem_cache_destroy(c), 0);
	EXPECT_SLAB_OK(test);
}

static char info[8192];

KTEST(slab, proc_slabinfo)
{
	static const char header[] = "slabinfo - version: 2.1\n"
		"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		" : tunables <limit> <batchcount> <sharedfactor>"
		" : slabdata <active_slabs> <num_slabs> <sharedavail>\n";
	struct kmem_cache *c = kmem_cache_create("test-info", 100, 0);
	void *obj[3];
	int n;

	ASSERT_NOT_NULL(test, c);
	for (unsigned int i = 0; i < 3; i++) {
		obj[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_NOT_NULL(test, obj[i]);
	}
	n = pseudofs_read("/proc/slabinfo", info, sizeof(info));
	ASSERT_GT(test, n, 0);
	EXPECT_TRUE(test, !strncmp(info, header, strlen(header)));
	EXPECT_TRUE(test, contains(info, "\nkmalloc-8 "));
	EXPECT_TRUE(test, contains(info, "\nkmalloc-8192 "));
	EXPECT_TRUE(test, contains(info, "\nkmem_cache "));
	/* 100 bytes -> stride 104, 39 to a page; 3 live objects in one slab. */
	EXPECT_TRUE(test, contains(info, "\ntest-info              3     39    104   39    1"
				   " : tunables    0    0    0 : slabdata      1      1      0\n"));
	for (unsigned int i = 0; i < 3; i++)
		kmem_cache_free(c, obj[i]);
	EXPECT_EQ(test, kmem_cache_destroy(c), 0);
	n = pseudofs_read("/proc/slabinfo", info, sizeof(info));
	ASSERT_GT(test, n, 0);
	EXPECT_FALSE(test, contains(info, "test-info"));
}

KTEST(slab, meminfo_bytes)
{
	unsigned long before = slab_unreclaimable_bytes();
	struct kmem_cache *c = kmem_cache_create("test-meminfo", 2000, 0);
	void *obj, *big;

	ASSERT_NOT_NULL(test, c);
	EXPECT_EQ(test, slab_reclaimable_bytes(), 0);
	/* The cache struct may have taken a new kmem_cache slab. */
	before = slab_unreclaimable_bytes();
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_NOT_NULL(test, obj);
	EXPECT_EQ(test, slab_unreclaimable_bytes(), before + (PAGE_SIZE << c->order));
	big = kmalloc(20000, GFP_KERNEL);
	ASSERT_NOT_NULL(test, big);
	EXPECT_EQ(test, slab_unreclaimable_bytes(),
		  before + (PAGE_SIZE << c->order) + 8 * PAGE_SIZE);
	kfree(big);
	kmem_cache_free(c, obj);
	/* The empty slab is the cache's spare: still slab memory. */
	EXPECT_EQ(test, slab_unreclaimable_bytes(), before + (PAGE_SIZE << c->order));
	EXPECT_EQ(test, kmem_cache_destroy(c), 0);
	EXPECT_LE(test, slab_unreclaimable_bytes(), before);
	EXPECT_EQ(test, slab_reclaimable_bytes(), 0);
}
