// SPDX-License-Identifier: MIT
/*
 * shmem: an object let go while someone else holds a speculative
 * reference on one of its pages, as the lockless walker (mm/gup.c) may
 * between the last unmap and its re-check of the entry. The object's
 * reference goes without a BUG, the page stays until the other reference
 * is dropped too, and then nothing is left behind: free pages and the
 * pool as before, every checker quiet.
 *
 * The 4 KiB case takes the reference itself; the hugetlb case takes it
 * on another CPU, since a pool page is frozen back into its pool, which
 * waits for that reference to go.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "kernel/time.h"
#include "mm/debug/check.h"
#include "mm/hugetlb.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/shmem.h"
#include "libc/string.h"

#define NR_OBJ_PAGES	4
#define HELD_INDEX	2
#define WAIT_ROUNDS	3000		/* x 1 ms: only a hang detector */
#define HOLD_NS		(20 * NSEC_PER_MSEC)

static void put_object(void *obj)
{
	shmem_put(obj);
}

/* shmem_put() of obj's last reference; false (case failed) if it panicked. */
static bool put_object_caught(struct kunit *test, struct shmem_object *obj)
{
	char reason[160];

	if (!ktest_catch_panic(put_object, obj, reason, sizeof(reason)))
		return true;
	ktest_fail(test, __FILE__, __LINE__, "shmem_put: %s", reason);
	return false;
}

/*
 * Free pages (caches settled) back at before; a kernel thread's stack
 * goes when the next switch on any CPU reaps it, so this waits for that
 * a bounded while.
 */
static void expect_free_pages(struct kunit *test, unsigned long before)
{
	unsigned long now = ktest_settled_free_pages();

	for (int i = 0; i < WAIT_ROUNDS && now != before; i++) {
		schedule_timeout(NSEC_PER_MSEC);
		now = ktest_settled_free_pages();
	}
	EXPECT_EQ(test, now, before);
}

KTEST(shmem, release_under_speculative_reference_4k)
{
	unsigned long before = ktest_settled_free_pages();
	struct shmem_object *obj;
	struct page *page;
	int err;

	obj = shmem_create(NULL, NR_OBJ_PAGES, false, &err);
	ASSERT_NOT_NULL(test, obj);
	ASSERT_EQ(test, shmem_get_page(obj, HELD_INDEX, &page), 0);
	EXPECT_EQ(test, page_ref_count(page), 1);
	/* The walker's reference, taken just before the last unmap. */
	ASSERT_TRUE(test, get_page_unless_zero(page));
	ASSERT_TRUE(test, put_object_caught(test, obj));
	/* The object's reference is gone, the walker's keeps the page. */
	EXPECT_EQ(test, page_ref_count(page), 1);
	EXPECT_FALSE(test, PageBuddy(page));
	/* The walker sees the entry changed and lets go: the last put frees. */
	put_page(page);
	expect_free_pages(test, before);
	KTEST_CHECK(test, shmem_check);
	KTEST_MM_CHECKERS(test);
}

/* The other CPU's side: take the reference, hold it, let go. */
struct spec_ref {
	struct page *page;
	bool taken, drop, dropped;
	struct completion done;
};

static void hold_reference(void *arg)
{
	struct spec_ref *r = arg;

	WRITE_ONCE(r->taken, get_page_unless_zero(r->page));
	for (int i = 0; i < WAIT_ROUNDS && !READ_ONCE(r->drop); i++)
		schedule_timeout(NSEC_PER_MSEC);
	/* Long enough for the release to be waiting on this reference. */
	schedule_timeout(HOLD_NS);
	if (r->taken)
		put_page(r->page);
	__atomic_store_n(&r->dropped, true, __ATOMIC_RELEASE);
	complete(&r->done);
}

/* A CPU other than this one, or -1. */
static int other_cpu(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (cpu != smp_processor_id())
			return cpu;
	return -1;
}

static bool start_holder(struct kunit *test, struct spec_ref *r, int cpu)
{
	struct task_struct *t = kthread_create(hold_reference, r, "ktest-shmem-ref");

	if (!t) {
		ktest_fail(test, __FILE__, __LINE__, "kthread_create failed");
		return false;
	}
	init_completion(&r->done);
	kthread_bind(t, cpu);
	wake_up_process(t);
	for (int i = 0; i < WAIT_ROUNDS && !READ_ONCE(r->taken); i++)
		schedule_timeout(NSEC_PER_MSEC);
	return true;
}

KTEST(shmem, release_under_speculative_reference_hugetlb)
{
	struct hstate *h = &hstates[HSTATE_2M];
	unsigned long pool = h->nr_huge_pages, free, before;
	static struct spec_ref r;
	struct shmem_object *obj;
	int err, cpu = other_cpu();

	if (cpu < 0) {
		ktest_skip(test, "needs a second CPU to hold the reference");
		return;
	}
	before = ktest_settled_free_pages();
	if (!ktest_ensure_free_huge(test, h, 1))
		return;
	free = h->free_huge_pages;
	obj = shmem_create(h, 1, true, &err);
	ASSERT_NOT_NULL(test, obj);
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(test, shmem_get_page(obj, 0, &r.page), 0);
	ASSERT_TRUE(test, start_holder(test, &r, cpu));
	EXPECT_TRUE(test, READ_ONCE(r.taken));
	EXPECT_EQ(test, page_ref_count(r.page), 2);
	WRITE_ONCE(r.drop, true);
	/* Back to the pool only once the other CPU has let go. */
	EXPECT_TRUE(test, put_object_caught(test, obj));
	EXPECT_TRUE(test, __atomic_load_n(&r.dropped, __ATOMIC_ACQUIRE));
	wait_for_completion(&r.done);
	EXPECT_EQ(test, page_ref_count(r.page), 0);
	EXPECT_EQ(test, h->free_huge_pages, free);
	set_max_huge_pages(h, pool);
	expect_free_pages(test, before);
	KTEST_CHECK(test, shmem_check);
	KTEST_MM_CHECKERS(test);
}
