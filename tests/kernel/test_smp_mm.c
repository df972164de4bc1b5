// SPDX-License-Identifier: MIT
/*
 * The mm's locking under concurrent stress: kernel threads bound to the
 * online CPUs (kthread_bind()), one per CPU and at least MIN_THREADS,
 * driven by a seeded generator, with iteration counts small enough for
 * TCG on two host cores. With fewer CPUs the threads share them and
 * interleave (each yields every few steps): every assertion still holds.
 *
 * Afterwards the buddy, slab, hugetlb, vmemmap and hwpoison checkers
 * must report nothing and the free pages must be back at the exact
 * count the case started from. Each thread also checks what it holds:
 * a tag written into every page or object it was handed must still be
 * there when it gives it back (a block handed to two owners at once, or
 * an object freed under another, shows up there first).
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "kernel/errmsg.h"
#include "kernel/io.h"
#include "kernel/pseudofs.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "mm/hugetlb.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/memory_failure.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/sparse.h"
#include "mm/debug/check.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define SEED		0x5eed0013UL
#define YIELD_EVERY	16	/* steps between yields: threads sharing a CPU interleave */
#define HELD_MAX	16
#define MIN_THREADS	4
#define MIN_STEPS	32	/* a thread that raced the pool thread still works */

struct worker;

struct stress_run {
	void (*fn)(struct worker *w);
	void (*pool_fn)(struct worker *w);	/* what the pool thread does (HVO cases) */
	unsigned int started;
	unsigned int done;		/* atomic */
	unsigned int stop;		/* atomic: the pool thread has finished */
	unsigned long hot[8];		/* atomic: pfns of pool pages, for speculative refs */
};

struct worker {
	struct stress_run *run;
	unsigned int cpu;
	bool pool;			/* the one thread that resizes the pool */
	u64 rng;
	unsigned long steps;
	unsigned long errors;
	unsigned long spec_taken;	/* speculative references that succeeded */
	unsigned long demoted;
	char why[128];			/* the first error */
};

static struct worker workers[NR_CPUS];

static __printf(2, 3) void worker_error(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->errors++) {
		va_start(ap, fmt);
		vsnprintf(w->why, sizeof(w->why), fmt, ap);
		va_end(ap);
	}
}

static unsigned long rnd(struct worker *w, unsigned long n)
{
	return xorshift64(&w->rng) % n;
}

static void step_done(struct worker *w)
{
	if (++w->steps % YIELD_EVERY == 0)
		schedule();
}

static void worker_main(void *arg)
{
	struct worker *w = arg;

	w->run->fn(w);
	__atomic_add_fetch(&w->run->done, 1, __ATOMIC_RELEASE);
}

/*
 * One thread per online CPU, bound there, and more to make MIN_THREADS
 * (bound round robin); the first, on the lowest CPU online, is the pool
 * thread. Waits, yielding, until all are done. False when a CPU got no
 * thread.
 */
static bool run_on_every_cpu(struct kunit *test, struct stress_run *run)
{
	unsigned int cpu = NR_CPUS, n = 0;
	unsigned int want = max(num_online_cpus(), (unsigned int)MIN_THREADS);

	memset(workers, 0, sizeof(workers));
	while (n < want) {
		struct worker *w = &workers[n];
		struct task_struct *t;

		cpu = cpumask_next_online(cpu == NR_CPUS ? -1 : (int)cpu);
		if (cpu >= NR_CPUS)
			cpu = cpumask_next_online(-1);
		w->run = run;
		w->cpu = cpu;
		w->pool = n == 0;
		w->rng = SEED ^ ((u64)cpu << 32) ^ (u64)(unsigned long)run->fn;
		t = kthread_create(worker_main, w, "smp_mm");
		if (!t) {
			ktest_fail(test, __FILE__, __LINE__, "kthread_create for CPU %u failed", cpu);
			break;
		}
		kthread_bind(t, cpu);
		wake_up_process(t);
		n++;
	}
	run->started = n;
	while (__atomic_load_n(&run->done, __ATOMIC_ACQUIRE) < n)
		schedule();
	return n == want;
}

/*
 * The free pages once the threads' own memory (task, stack) is back: a
 * thread is reaped by the next task its CPU runs, a little after it said
 * it was done. Bounded: a leak still fails the comparison.
 */
static unsigned long settled_after_threads(unsigned long before)
{
	ktest_wait_free_pages(before);
	return ktest_settled_free_pages();
}

static void expect_no_worker_errors(struct kunit *test, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (workers[i].errors)
			ktest_fail(test, __FILE__, __LINE__, "CPU %u: %lu errors, the first: %s",
				   workers[i].cpu, workers[i].errors, workers[i].why);
		EXPECT_GT(test, workers[i].steps, 0);
	}
}

/* Buddy: mixed orders from every CPU. */

#define BUDDY_STEPS	300

static const unsigned int orders[] = { 0, 0, 0, 0, 1, 2, 3, 4, 6, 9 };

struct held_block {
	struct page *page;
	unsigned int order;
	u64 tag;
};

static void tag_block(struct held_block *b)
{
	u64 *first = page_address(b->page);
	u64 *last = (u64 *)((u8 *)first + (PAGE_SIZE << b->order)) - 1;

	*first = b->tag;
	*last = ~b->tag;
}

static bool tag_intact(const struct held_block *b)
{
	u64 *first = page_address(b->page);
	u64 *last = (u64 *)((u8 *)first + (PAGE_SIZE << b->order)) - 1;

	return *first == b->tag && *last == ~b->tag;
}

static void give_back_block(struct worker *w, struct held_block *b)
{
	if (!tag_intact(b))
		worker_error(w, "pfn %#lx order %u: tag %#lx overwritten (handed out twice?)",
			     page_to_pfn(b->page), b->order, (unsigned long)b->tag);
	free_pages(b->page, b->order);
	b->page = NULL;
}

/*
 * Free the held block b, or take a new one in its place. check_ref: a
 * new block must have refcount 1 (nobody takes speculative references
 * in this run).
 */
static void swap_block(struct worker *w, struct held_block *b, bool check_ref)
{
	if (b->page) {
		give_back_block(w, b);
		return;
	}
	b->order = orders[rnd(w, ARRAY_SIZE(orders))];
	b->page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, b->order);
	if (!b->page)
		return;
	b->tag = xorshift64(&w->rng);
	if (check_ref && page_ref_count(b->page) != 1)
		worker_error(w, "pfn %#lx: refcount %d on allocation", page_to_pfn(b->page),
			     page_ref_count(b->page));
	tag_block(b);
}

static void give_back_all(struct worker *w, struct held_block *held)
{
	for (unsigned int i = 0; i < HELD_MAX; i++)
		if (held[i].page)
			give_back_block(w, &held[i]);
}

static void buddy_worker(struct worker *w)
{
	struct held_block held[HELD_MAX] = { { NULL, 0, 0 } };

	for (unsigned int i = 0; i < BUDDY_STEPS; i++) {
		swap_block(w, &held[rnd(w, HELD_MAX)], true);
		step_done(w);
	}
	give_back_all(w, held);
}

KTEST(smp_mm, buddy_every_cpu)
{
	struct stress_run run = { .fn = buddy_worker };
	unsigned long before = ktest_settled_free_pages();

	EXPECT_TRUE(test, run_on_every_cpu(test, &run));
	expect_no_worker_errors(test, run.started);
	KTEST_MM_CHECKERS(test);
	EXPECT_UEQ(test, settled_after_threads(before), before);
}

/* Slab: kmalloc/kfree from every CPU, objects freed on another CPU too. */

#define SLAB_STEPS	400
#define MAILBOX		16

static void *mailbox[MAILBOX];		/* atomic: objects passed between CPUs */

static void fill_object(void *obj, size_t size, u8 tag)
{
	memset(obj, tag, size);
}

static bool object_intact(const u8 *obj, size_t size, u8 tag)
{
	for (size_t i = 0; i < size; i++)
		if (obj[i] != tag)
			return false;
	return true;
}

/* Every object has at least 8 usable bytes (kmalloc-8): those hold the tag. */
static void free_object(struct worker *w, void *obj)
{
	size_t size = ksize(obj);
	u8 tag = *(u8 *)obj;

	if (size < 8 || !tag || !object_intact(obj, 8, tag))
		worker_error(w, "object %p (ksize %zu) overwritten", obj, size);
	kfree(obj);
}

static void slab_worker(struct worker *w)
{
	void *held[HELD_MAX] = { NULL };

	for (unsigned int i = 0; i < SLAB_STEPS; i++) {
		unsigned int k = rnd(w, HELD_MAX);

		if (held[k] && rnd(w, 2)) {
			free_object(w, held[k]);
			held[k] = NULL;
		} else if (held[k]) {
			/* Swapped with another CPU's: each frees what it ends up with. */
			held[k] = __atomic_exchange_n(&mailbox[rnd(w, MAILBOX)], held[k],
						      __ATOMIC_ACQ_REL);
		} else {
			size_t size = (8UL << rnd(w, 11)) - rnd(w, 8);	/* 1 .. 8192 */

			held[k] = kmalloc(size, GFP_KERNEL);
			if (held[k])
				fill_object(held[k], 8, (u8)(w->cpu * 16 + (i & 15) + 1));
		}
		step_done(w);
	}
	for (unsigned int k = 0; k < HELD_MAX; k++)
		if (held[k])
			free_object(w, held[k]);
}

KTEST(smp_mm, slab_every_cpu)
{
	struct stress_run run = { .fn = slab_worker };
	unsigned long before = ktest_settled_free_pages();

	memset(mailbox, 0, sizeof(mailbox));
	EXPECT_TRUE(test, run_on_every_cpu(test, &run));
	expect_no_worker_errors(test, run.started);
	for (unsigned int i = 0; i < MAILBOX; i++)
		kfree(mailbox[i]);
	KTEST_CHECK(test, slab_check_all);
	KTEST_MM_CHECKERS(test);
	EXPECT_UEQ(test, settled_after_threads(before), before);
}

/*
 * HVO on one CPU, everything else on the others: the pool thread grows
 * and shrinks the 2 MiB pool (HVO remaps, restores, section rebuilds),
 * takes pages out and back, demotes a 1 GiB page where it has one, and
 * injects memory failures; the others allocate and free, and take
 * speculative references (get_page_unless_zero()) on pool pages and on
 * random pfns, put at once.
 */

#define POOL_ROUNDS	3
#define POOL_GROW	16
#define POISON_MAX	4

static unsigned long poisoned[POISON_MAX * POOL_ROUNDS];
static unsigned int nr_poisoned;	/* atomic */

static void poison(struct worker *w, unsigned long pfn)
{
	struct errmsg e;

	if (memory_failure(pfn, &e) && e.err != -EBUSY) {
		worker_error(w, "memory_failure(%#lx): %s", pfn, errmsg_why(&e, e.err));
		return;
	}
	poisoned[__atomic_fetch_add(&nr_poisoned, 1, __ATOMIC_RELAXED)] = pfn;
}

/* One page in use and one free page, poisoned while the others run. */
static void inject_failures(struct worker *w)
{
	struct page *in_use = alloc_page(GFP_KERNEL);
	struct page *freed = alloc_page(GFP_KERNEL);

	if (!in_use || !freed) {
		worker_error(w, "no page to poison");
		return;
	}
	poison(w, page_to_pfn(in_use));
	__free_page(in_use);			/* held now, not freed */
	__free_page(freed);
	poison(w, page_to_pfn(freed));		/* free, or taken meanwhile: marked */
}

static void pool_round(struct worker *w, struct hstate *h, unsigned long base)
{
	struct page *taken[4];
	unsigned int n = 0;

	set_max_huge_pages(h, base + POOL_GROW);
	schedule();
	while (n < ARRAY_SIZE(taken) && (taken[n] = alloc_huge_page(h, false))) {
		struct page *head = taken[n];

		__atomic_store_n(&w->run->hot[n], page_to_pfn(head), __ATOMIC_RELEASE);
		/* Per-page state is the head's: the tails read as tails of this order. */
		if (compound_head(head + 100) != head || page_ref_count(head + 100) != 1)
			worker_error(w, "pool page %#lx: tail 100 head %p refcount %d",
				     page_to_pfn(head), compound_head(head + 100),
				     page_ref_count(head + 100));
		n++;
	}
	schedule();
	inject_failures(w);
	schedule();
	while (n)
		free_huge_page(taken[--n]);
	set_max_huge_pages(h, base);
}

/*
 * A 1 GiB page (the case grew the pool before the threads started: free
 * 1 GiB ranges are scarce once they allocate) demoted into 512 pool
 * pages, which then leave.
 */
static void demote_round(struct worker *w)
{
	struct hstate *h = &hstates[HSTATE_2M];
	unsigned long h_base = h->nr_huge_pages;
	struct errmsg e;

	if (pseudofs_write("/sys/kernel/mm/hugepages/hugepages-1048576kB/demote", "1\n", 2, &e))
		worker_error(w, "demote failed: %s", errmsg_why(&e, e.err));
	else
		w->demoted++;
	schedule();
	inject_failures(w);
	set_max_huge_pages(h, h_base);
}

static void speculative_ref(struct worker *w, unsigned long pfn)
{
	struct page *page;

	if (!pfn_online(pfn))
		return;
	page = pfn_to_page(pfn);
	if (!get_page_unless_zero(page))
		return;
	w->spec_taken++;
	if (page_ref_count(page) < 1)
		worker_error(w, "pfn %#lx: refcount %d under a speculative reference", pfn,
			     page_ref_count(page));
	put_page(page);
}

static void spec_worker(struct worker *w)
{
	struct held_block held[HELD_MAX] = { { NULL, 0, 0 } };

	while (w->steps < MIN_STEPS || !__atomic_load_n(&w->run->stop, __ATOMIC_ACQUIRE)) {
		unsigned long hot = __atomic_load_n(&w->run->hot[rnd(w, 8)], __ATOMIC_ACQUIRE);

		if (hot)
			speculative_ref(w, hot + rnd(w, 512));
		speculative_ref(w, rnd(w, max_pfn));
		swap_block(w, &held[rnd(w, HELD_MAX)], false);
		step_done(w);
	}
	give_back_all(w, held);
}

static void pool_rounds_2m(struct worker *w)
{
	struct hstate *h = &hstates[HSTATE_2M];

	for (unsigned int r = 0; r < POOL_ROUNDS; r++) {
		pool_round(w, h, h->nr_huge_pages - h->surplus_huge_pages);
		step_done(w);
	}
}

static void demote_rounds(struct worker *w)
{
	demote_round(w);
	step_done(w);
}

static void hvo_worker(struct worker *w)
{
	if (!w->pool) {
		spec_worker(w);
		return;
	}
	w->run->pool_fn(w);
	__atomic_store_n(&w->run->stop, 1, __ATOMIC_RELEASE);
}

static void unpoison_all(struct kunit *test)
{
	struct errmsg e;

	for (unsigned int i = 0; i < nr_poisoned; i++)
		if (unpoison_memory(poisoned[i], &e))
			ktest_fail(test, __FILE__, __LINE__, "unpoison %#lx: %s", poisoned[i],
				   errmsg_why(&e, e.err));
	nr_poisoned = 0;
}

/*
 * The HVO cases' run and checks; pool_fn is the pool thread's part. The
 * free pages must come back to before, taken by the caller.
 */
static void hvo_case(struct kunit *test, void (*pool_fn)(struct worker *w), unsigned long before)
{
	struct stress_run run = { .fn = hvo_worker, .pool_fn = pool_fn };
	struct hstate *h = &hstates[HSTATE_2M];
	unsigned long pool = h->nr_huge_pages, spec = 0;

	nr_poisoned = 0;
	EXPECT_TRUE(test, run_on_every_cpu(test, &run));
	expect_no_worker_errors(test, run.started);
	for (unsigned int i = 0; i < run.started; i++)
		spec += workers[i].spec_taken;
	/* The speculative path was taken, not only tried. */
	EXPECT_GT(test, spec, 0);
	EXPECT_GT(test, nr_poisoned, 0);
	EXPECT_UEQ(test, h->nr_huge_pages, pool);
	ktest_log(test, "%u threads, %lu speculative references taken, %u pages poisoned, %lu demoted",
		  run.started, spec, nr_poisoned, workers[0].demoted);
	KTEST_MM_CHECKERS(test);
	unpoison_all(test);
	KTEST_MM_CHECKERS(test);
	EXPECT_UEQ(test, settled_after_threads(before), before);
}

KTEST(smp_mm, hvo_pool_against_allocators)
{
	if (!hugetlb_optimize_vmemmap_enabled()) {
		ktest_skip(test, "hugetlb_free_vmemmap=off: no HVO to race with");
		return;
	}
	hvo_case(test, pool_rounds_2m, ktest_settled_free_pages());
}

/* The runner's smp-4-mm configuration (4 GiB) is built to run it. */
KTEST(smp_mm, demote_against_allocators)
{
	struct hstate *g = &hstates[HSTATE_1G];
	unsigned long base = g->nr_huge_pages, before;

	if (!g->supported || nr_managed_pages() < (3UL << (30 - PAGE_SHIFT))) {
		ktest_skip(test, "needs pdpe1gb and 3 GiB of RAM for a free 1 GiB page");
		return;
	}
	before = ktest_settled_free_pages();
	/* 4 GiB under q35 has one free aligned GiB: one page to demote. */
	ASSERT_EQ(test, set_max_huge_pages(g, base + 1), base + 1);
	hvo_case(test, demote_rounds, before);
	EXPECT_EQ(test, workers[0].demoted, 1);
	EXPECT_UEQ(test, g->nr_huge_pages, base);
}

/*
 * Speculative references on a free pool page fail (it is frozen at 0),
 * and one held on a page in use makes freeing it wait for, not
 * overwrite, the reference.
 */
KTEST(smp_mm, speculative_ref_on_pool_pages)
{
	struct hstate *h = &hstates[HSTATE_2M];
	unsigned long base = h->nr_huge_pages - h->surplus_huge_pages;
	struct page *head;

	if (set_max_huge_pages(h, base + 1) != base + 1) {
		ktest_skip(test, "no 2 MiB page for the pool");
		return;
	}
	head = alloc_huge_page(h, false);
	ASSERT_NOT_NULL(test, head);
	EXPECT_TRUE(test, get_page_unless_zero(head + 7));
	EXPECT_EQ(test, page_ref_count(head), 2);
	put_page(head + 7);
	EXPECT_EQ(test, page_ref_count(head), 1);
	free_huge_page(head);
	/* Free in the pool: frozen. */
	EXPECT_EQ(test, page_ref_count(head), 0);
	EXPECT_FALSE(test, get_page_unless_zero(head));
	EXPECT_FALSE(test, get_page_unless_zero(head + 300));
	if (hugetlb_optimize_vmemmap_enabled() && PageVmemmapOptimized(head))
		ktest_expect_shared_tail_ro(test, head);
	set_max_huge_pages(h, base);
	KTEST_MM_CHECKERS(test);
}

/* page_ref_freeze() fails while another reference is held, and then succeeds. */
KTEST(smp_mm, ref_freeze)
{
	struct page *page = alloc_page(GFP_KERNEL);

	ASSERT_NOT_NULL(test, page);
	EXPECT_TRUE(test, get_page_unless_zero(page));
	EXPECT_FALSE(test, page_ref_freeze(page, 1));
	EXPECT_EQ(test, page_ref_count(page), 2);
	put_page(page);
	EXPECT_TRUE(test, page_ref_freeze(page, 1));
	EXPECT_EQ(test, page_ref_count(page), 0);
	EXPECT_FALSE(test, get_page_unless_zero(page));
	page_ref_unfreeze(page, 1);
	/* A free with a speculative reference still out leaves the free to its put. */
	EXPECT_TRUE(test, get_page_unless_zero(page));
	__free_page(page);
	EXPECT_EQ(test, page_ref_count(page), 1);
	EXPECT_FALSE(test, PagePcp(page) || PageBuddy(page));
	put_page(page);
	EXPECT_EQ(test, page_ref_count(page), 0);
	KTEST_MM_CHECKERS(test);
}
