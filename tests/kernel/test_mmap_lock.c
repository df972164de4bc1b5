// SPDX-License-Identifier: MIT
/*
 * mmap_lock and the page-table locks under concurrency, with kernel
 * threads (seeded, bounded by iteration counts):
 *
 *   rwsem_readers_writers: readers and writers hammer one rw_semaphore,
 *     yielding while they hold it: readers are seen holding it together,
 *     a writer never beside anyone, every thread finishes (a lost wake-up
 *     would leave one asleep for ever) and the lock ends free.
 *   rwsem_writer_blocks_new_readers: a queued writer holds back a reader
 *     that comes after it (fair), and gets the lock first.
 *   faults_vs_dontneed_munmap: threads fault pages into one mm while
 *     another zaps (MADV_DONTNEED with reclaim on) and unmaps/remaps
 *     pieces of the same range: the checker is clean afterwards and rss
 *     and the PTE-table count are exactly what is mapped.
 *
 * The rwsem threads are spread over every online CPU (bound round
 * robin, the boot CPU last); with one CPU they interleave at every yield.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "kernel/io.h"
#include "kernel/rwsem.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "mm/gup.h"
#include "mm/memory.h"
#include "mm/pt_reclaim.h"
#include "mm/mmap.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define NR_READERS	4
#define NR_WRITERS	2
#define NR_THREADS	(NR_READERS + NR_WRITERS)
#define RW_ITERS	300
#define MAX_YIELDS	3
#define WAIT_ROUNDS	3000		/* x 10 ms: only a hang detector */

struct thread_set {
	unsigned int started, done;
};

/* The n-th online CPU (0: the first). */
static unsigned int nth_online_cpu(unsigned int n)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (!n--)
			return cpu;
	return 0;
}

/*
 * Start fn(arg[i]) in n kernel threads, the i-th bound to CPU i modulo
 * the CPUs online (spread), or all to the boot CPU; false if one could
 * not be made.
 */
static bool start_threads(struct kunit *test, struct thread_set *s, unsigned int n,
			  void (*fn)(void *), void *args, size_t arg_size, bool spread)
{
	for (unsigned int i = 0; i < n; i++) {
		struct task_struct *t = kthread_create(fn, (char *)args + i * arg_size, "ktest-mm");
		unsigned int cpu = spread ? nth_online_cpu((s->started + 1) % num_online_cpus()) : 0;

		if (!t) {
			ktest_fail(test, __FILE__, __LINE__, "kthread_create %u failed", i);
			return false;
		}
		kthread_bind(t, cpu);
		s->started++;
		wake_up_process(t);
	}
	return true;
}

static void thread_done(struct thread_set *s)
{
	__atomic_fetch_add(&s->done, 1, __ATOMIC_RELEASE);
}

/* Sleep until every started thread is done: false if they never are. */
static bool wait_threads(struct thread_set *s)
{
	for (int i = 0; i < WAIT_ROUNDS; i++) {
		if (__atomic_load_n(&s->done, __ATOMIC_ACQUIRE) == s->started)
			return true;
		schedule_timeout(10 * NSEC_PER_MSEC);
	}
	return false;
}

static void yield_some(u64 *seed)
{
	for (unsigned int y = xorshift64(seed) % (MAX_YIELDS + 1); y; y--)
		schedule();
}

/* rwsem_readers_writers */

static DECLARE_RWSEM(test_sem);
static struct thread_set rw_set;
static int readers_in, writers_in, max_readers, violations;
static unsigned int writes_done;

struct rw_arg {
	bool write;
	u64 seed;
};

static void note_max_readers(int n)
{
	int old = __atomic_load_n(&max_readers, __ATOMIC_RELAXED);

	while (n > old && !__atomic_compare_exchange_n(&max_readers, &old, n, false,
						       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void read_side(u64 *seed)
{
	int n;

	down_read(&test_sem);
	n = __atomic_add_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
	note_max_readers(n);
	if (__atomic_load_n(&writers_in, __ATOMIC_SEQ_CST))
		__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
	yield_some(seed);
	__atomic_sub_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
	up_read(&test_sem);
}

static void write_side(u64 *seed)
{
	down_write(&test_sem);
	if (__atomic_add_fetch(&writers_in, 1, __ATOMIC_SEQ_CST) != 1 ||
	    __atomic_load_n(&readers_in, __ATOMIC_SEQ_CST))
		__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
	yield_some(seed);
	__atomic_sub_fetch(&writers_in, 1, __ATOMIC_SEQ_CST);
	writes_done++;
	up_write(&test_sem);
}

static void rw_thread(void *p)
{
	struct rw_arg *a = p;

	for (int i = 0; i < RW_ITERS; i++) {
		if (a->write)
			write_side(&a->seed);
		else
			read_side(&a->seed);
		yield_some(&a->seed);
	}
	thread_done(&rw_set);
}

/*
 * A second reader gets in while the test holds the lock for read: the
 * proof that readers share it, whatever the load (the mix above may
 * never overlap two readers when the host runs one vCPU at a time).
 */
static struct thread_set share_set;
static int shared_in;

static void share_thread(void *p)
{
	(void)p;
	down_read(&test_sem);
	__atomic_store_n(&shared_in, 1, __ATOMIC_RELEASE);
	up_read(&test_sem);
	thread_done(&share_set);
}

static bool second_reader_enters(struct kunit *test)
{
	bool entered = false;

	memset(&share_set, 0, sizeof(share_set));
	shared_in = 0;
	down_read(&test_sem);
	if (start_threads(test, &share_set, 1, share_thread, NULL, 0, true)) {
		for (int i = 0; i < WAIT_ROUNDS && !entered; i++) {
			entered = __atomic_load_n(&shared_in, __ATOMIC_ACQUIRE);
			if (!entered)
				schedule_timeout(10 * NSEC_PER_MSEC);
		}
	}
	up_read(&test_sem);
	return wait_threads(&share_set) && entered;
}

KTEST(mmap_lock, rwsem_readers_writers)
{
	static struct rw_arg args[NR_THREADS];

	memset(&rw_set, 0, sizeof(rw_set));
	readers_in = writers_in = max_readers = violations = 0;
	writes_done = 0;
	for (int i = 0; i < NR_THREADS; i++)
		args[i] = (struct rw_arg){ .write = i >= NR_READERS, .seed = 0x13a5 + i * 7919 };
	start_threads(test, &rw_set, NR_THREADS, rw_thread, args, sizeof(args[0]), true);
	ASSERT_TRUE(test, wait_threads(&rw_set));
	EXPECT_EQ(test, violations, 0);
	ktest_log(test, "at most %d readers inside at once", max_readers);
	EXPECT_UEQ(test, writes_done, NR_WRITERS * RW_ITERS);
	EXPECT_TRUE(test, second_reader_enters(test));
	EXPECT_FALSE(test, rwsem_is_locked(&test_sem));
	EXPECT_TRUE(test, list_empty(&test_sem.wait_list));
	/* Nor a queued bit left behind: every later taker would go the slow way. */
	EXPECT_EQ(test, __atomic_load_n(&test_sem.count, __ATOMIC_RELAXED), 0);
}

/* rwsem_writer_blocks_new_readers */

static struct thread_set fair_set;
static int order[2], order_len;

/* p names the side: 'w' or 'r'; it records the order the lock was got in. */
static void fair_thread(void *p)
{
	char side = *(char *)p;

	if (side == 'w')
		down_write(&test_sem);
	else
		down_read(&test_sem);
	order[__atomic_fetch_add(&order_len, 1, __ATOMIC_SEQ_CST)] = side;
	if (side == 'w')
		up_write(&test_sem);
	else
		up_read(&test_sem);
	thread_done(&fair_set);
}

static bool wait_queued(unsigned int n)
{
	for (int i = 0; i < WAIT_ROUNDS; i++) {
		unsigned int q = 0;
		struct list_head *l;
		unsigned long flags;

		spin_lock_irqsave(&test_sem.wait_lock, flags);
		for (l = test_sem.wait_list.next; l != &test_sem.wait_list; l = l->next)
			q++;
		spin_unlock_irqrestore(&test_sem.wait_lock, flags);
		if (q == n)
			return true;
		schedule_timeout(NSEC_PER_MSEC);
	}
	return false;
}

KTEST(mmap_lock, rwsem_writer_blocks_new_readers)
{
	static char sides[2] = { 'w', 'r' };

	memset(&fair_set, 0, sizeof(fair_set));
	order_len = 0;
	down_read(&test_sem);
	start_threads(test, &fair_set, 1, fair_thread, sides, 1, true);
	ASSERT_TRUE(test, wait_queued(1));
	/* A writer waits: a new reader may not pass it. */
	EXPECT_FALSE(test, down_read_trylock(&test_sem));
	start_threads(test, &fair_set, 1, fair_thread, sides + 1, 1, true);
	ASSERT_TRUE(test, wait_queued(2));
	EXPECT_EQ(test, order_len, 0);
	up_read(&test_sem);
	ASSERT_TRUE(test, wait_threads(&fair_set));
	EXPECT_EQ(test, order_len, 2);
	EXPECT_EQ(test, order[0], 'w');
	EXPECT_EQ(test, order[1], 'r');
	EXPECT_FALSE(test, rwsem_is_locked(&test_sem));
}

/* faults_vs_dontneed_munmap */

#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define RW		(PROT_READ | PROT_WRITE)
#define FAULT_BASE	0x300000000000UL
#define FAULT_LEN	(32 * SZ_2M)	/* 32 PTE tables */
#define NR_FAULTERS	3
#define FAULTS_EACH	400
#define ZAPS		150
/*
 * The faulting threads and the zapper run on every CPU (thread i on the
 * i-th online CPU after the boot CPU, round robin), as user threads do
 * now that faults and the mm calls run without the interim big kernel
 * lock: the allocators, the slab and the address space have their own.
 */
#define FAULTS_SPREAD	true

struct fault_arg {
	struct mm *mm;
	u64 seed;
	unsigned long faults, segv, other;
};

static struct thread_set fault_set;

static void faulter(void *p)
{
	struct fault_arg *a = p;

	for (int i = 0; i < FAULTS_EACH; i++) {
		unsigned long addr = FAULT_BASE +
				     ((xorshift64(&a->seed) % (FAULT_LEN / PAGE_SIZE)) << PAGE_SHIFT);
		int si_code, ret;

		ret = handle_mm_fault(a->mm, addr, X86_PF_USER | X86_PF_WRITE, &si_code);
		if (!ret)
			a->faults++;
		else if (ret == VM_FAULT_SIGSEGV)
			a->segv++;	/* the zapper had unmapped it */
		else
			a->other++;
		if (!(i & 7))
			schedule();
	}
	thread_done(&fault_set);
}

/* DONTNEED a random 2 MiB, or unmap and map again a random 64 KiB. */
static void zapper(void *p)
{
	struct fault_arg *a = p;

	for (int i = 0; i < ZAPS; i++) {
		unsigned long r = xorshift64(&a->seed);
		unsigned long addr = FAULT_BASE + (r % (FAULT_LEN / SZ_2M)) * SZ_2M;

		if (r & 0x100) {
			if (do_madvise(a->mm, addr, SZ_2M, MADV_DONTNEED))
				a->other++;
		} else {
			addr += (r >> 16) % 32 * 16 * PAGE_SIZE;
			if (do_munmap(a->mm, addr, 16 * PAGE_SIZE) ||
			    do_mmap(a->mm, addr, 16 * PAGE_SIZE, RW, ANON | MAP_FIXED) != (long)addr)
				a->other++;
		}
		a->faults++;
		schedule();
	}
	thread_done(&fault_set);
}

/* Pages a walk finds mapped, and the 2 MiB ranges (PTE tables) holding them. */
static unsigned long present_pages(struct mm *mm, unsigned long *tables)
{
	unsigned long n = 0;

	*tables = 0;
	for (unsigned long t = FAULT_BASE; t < FAULT_BASE + FAULT_LEN; t += SZ_2M) {
		unsigned long in_table = 0;

		for (unsigned long a = t; a < t + SZ_2M; a += PAGE_SIZE)
			in_table += gup_fast_present(mm, a);
		n += in_table;
		*tables += in_table != 0;
	}
	return n;
}

KTEST(mmap_lock, faults_vs_dontneed_munmap)
{
	static struct fault_arg args[NR_FAULTERS + 1];
	bool reclaim = pt_reclaim_enabled();
	unsigned long faults = 0, present, tables;
	struct mm *mm;

	set_pt_reclaim(true);
	mm = mm_create("mt-faults");
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, FAULT_BASE, FAULT_LEN, RW, ANON | MAP_FIXED), (long)FAULT_BASE);
	memset(&fault_set, 0, sizeof(fault_set));
	for (int i = 0; i <= NR_FAULTERS; i++)
		args[i] = (struct fault_arg){ .mm = mm, .seed = 0xfa017 + i * 104729 };
	start_threads(test, &fault_set, NR_FAULTERS, faulter, args, sizeof(args[0]),
		      FAULTS_SPREAD);
	start_threads(test, &fault_set, 1, zapper, &args[NR_FAULTERS], sizeof(args[0]),
		      FAULTS_SPREAD);
	ASSERT_TRUE(test, wait_threads(&fault_set));
	for (int i = 0; i < NR_FAULTERS; i++) {
		EXPECT_UEQ(test, args[i].other, 0);
		EXPECT_UEQ(test, args[i].faults + args[i].segv, FAULTS_EACH);
		faults += args[i].faults;
	}
	EXPECT_UEQ(test, args[NR_FAULTERS].other, 0);
	EXPECT_UEQ(test, args[NR_FAULTERS].faults, ZAPS);
	EXPECT_GT(test, faults, 0);
	CHECK_MM(test, mm);
	/* rss and the PTE tables (none empty: reclaim is on) are what a walk finds. */
	present = present_pages(mm, &tables);
	EXPECT_GT(test, present, 0);
	EXPECT_UEQ(test, mm->rss, present);
	EXPECT_UEQ(test, mm->nr_pgtables[PG_LEVEL_4K], tables);
	ASSERT_EQ(test, do_madvise(mm, FAULT_BASE, FAULT_LEN, MADV_DONTNEED), 0);
	EXPECT_UEQ(test, mm->rss, 0);
	EXPECT_UEQ(test, mm->nr_pgtables[PG_LEVEL_4K], 0);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	set_pt_reclaim(reclaim);
}
