// SPDX-License-Identifier: MIT
/*
 * The scheduler on every CPU: bound kernel threads run where they are
 * bound and nowhere else, unbound ones all get their turns and spread
 * over the CPUs, a wake-up between prepare_to_wait() and schedule() on
 * another CPU is never lost, and a user-range TLB flush reaches only the
 * CPUs that have the address space loaded.
 *
 * The threads run on static state and are joined with completions; a
 * case that stops making progress says so and lets its threads go
 * (timeouts only decide that something is stuck, never pass or fail on
 * speed). Cases that need two or three CPUs skip below that (the smp-4
 * configuration runs them all).
 */
#include "tests/kernel/ktest.h"
#include "kernel/exec.h"
#include "kernel/exit.h"
#include "kernel/io.h"
#include "kernel/mutex.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "kernel/time.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "mm/mmap.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

#define BOUND_ROUNDS		20
#define UNBOUND_ROUNDS		50
#define UNBOUND_SPIN		20000
/* Each a sleep and a cross-CPU wake-up: 10000 took minutes on two shared cores. */
#define PINGPONG_ROUNDS		2000
#define MUTEX_ROUNDS		100
#define STALL_POLLS		200	/* 10 ms each: 2 s without progress is stuck */
#define POLL_NS			(10 * NSEC_PER_MSEC)

static void poll_sleep(void)
{
	schedule_timeout(POLL_NS);
}

/* Sleep in POLL_NS steps until *v reaches want or stops moving: true if reached. */
static bool wait_progress(const unsigned long *v, unsigned long want)
{
	unsigned long last = READ_ONCE(*v);
	unsigned int still = 0;

	while (READ_ONCE(*v) < want) {
		poll_sleep();
		if (READ_ONCE(*v) != last) {
			last = READ_ONCE(*v);
			still = 0;
		} else if (++still >= STALL_POLLS) {
			return false;
		}
	}
	return true;
}

static struct task_struct *start_thread(void (*fn)(void *), void *arg, const char *name,
					int cpu)
{
	struct task_struct *t = kthread_create(fn, arg, name);

	if (!t)
		return NULL;
	if (cpu >= 0)
		kthread_bind(t, cpu);
	wake_up_process(t);
	return t;
}

/* Bound threads. */

struct bound_arg {
	unsigned int cpu;
	unsigned long rounds;
	unsigned long elsewhere;	/* rounds seen on another CPU */
	struct completion done;
};

static struct bound_arg bound[NR_CPUS];

static void bound_fn(void *p)
{
	struct bound_arg *a = p;

	for (unsigned int i = 0; i < BOUND_ROUNDS; i++) {
		if (smp_processor_id() != a->cpu)
			a->elsewhere++;
		a->rounds++;
		schedule();
	}
	complete(&a->done);
}

KTEST(sched, bound_threads_run_on_their_cpu)
{
	unsigned int cpu, started = 0;

	for_each_online_cpu(cpu) {
		struct bound_arg *a = &bound[cpu];

		a->cpu = cpu;
		a->rounds = 0;
		a->elsewhere = 0;
		init_completion(&a->done);
		if (start_thread(bound_fn, a, "ktest_bound", cpu))
			started++;
		else
			EXPECT_TRUE(test, false);	/* no memory for a thread */
	}
	EXPECT_UEQ(test, started, num_online_cpus());
	for_each_online_cpu(cpu) {
		struct bound_arg *a = &bound[cpu];

		if (!wait_progress(&a->rounds, BOUND_ROUNDS)) {
			ktest_log(test, "CPU%u's bound thread stalled after %lu rounds", cpu,
				   a->rounds);
			EXPECT_TRUE(test, false);
			continue;
		}
		wait_for_completion(&a->done);
		EXPECT_UEQ(test, a->rounds, BOUND_ROUNDS);
		EXPECT_UEQ(test, a->elsewhere, 0);
	}
}

/* Unbound threads. */

#define MAX_UNBOUND	(2 * NR_CPUS)

struct unbound_arg {
	unsigned long rounds;
	u64 cpus_seen;
	struct completion done;
};

static struct unbound_arg unbound[MAX_UNBOUND];
static unsigned long unbound_total;

static void unbound_fn(void *p)
{
	struct unbound_arg *a = p;

	for (unsigned int i = 0; i < UNBOUND_ROUNDS; i++) {
		for (unsigned int s = 0; s < UNBOUND_SPIN; s++)
			cpu_relax();
		a->cpus_seen |= BIT(smp_processor_id());
		a->rounds++;
		__atomic_add_fetch(&unbound_total, 1, __ATOMIC_RELAXED);
		schedule();
	}
	complete(&a->done);
}

KTEST(sched, unbound_threads_progress_on_several_cpus)
{
	unsigned int n = 2 * num_online_cpus(), i, started = 0;
	u64 seen = 0;

	if (n < 4)
		n = 4;
	unbound_total = 0;
	for (i = 0; i < n; i++) {
		unbound[i].rounds = 0;
		unbound[i].cpus_seen = 0;
		init_completion(&unbound[i].done);
	}
	for (i = 0; i < n; i++) {
		if (!start_thread(unbound_fn, &unbound[i], "ktest_unbound", -1))
			break;
		started++;
	}
	ASSERT_UEQ(test, started, n);
	if (!wait_progress(&unbound_total, (unsigned long)n * UNBOUND_ROUNDS)) {
		ktest_log(test, "stalled at %lu of %lu rounds", unbound_total,
			   (unsigned long)n * UNBOUND_ROUNDS);
		ASSERT_TRUE(test, false);
	}
	for (i = 0; i < n; i++) {
		wait_for_completion(&unbound[i].done);
		EXPECT_UEQ(test, unbound[i].rounds, UNBOUND_ROUNDS);
		seen |= unbound[i].cpus_seen;
	}
	ktest_log(test, "%u threads ran on %u of %u CPUs (mask %#llx)", n, hweight64(seen),
		   num_online_cpus(), (unsigned long long)seen);
	EXPECT_UEQ(test, seen & ~cpu_online_mask, 0);
	if (num_online_cpus() >= 2)
		EXPECT_GE(test, hweight64(seen), 2);
}

/*
 * Wake-up race: a producer and a consumer on two CPUs hand a counter
 * back and forth, each sleeping on its own wait queue; every hand-over
 * is a wake-up that races with the other side's prepare_to_wait() and
 * schedule(). One lost wake-up and both sleep for good: the test sees
 * the counter stall, reports the round and lets them go.
 */
struct pingpong {
	struct wait_queue_head to_consumer, to_producer;
	unsigned long produced, consumed;
	bool abort;
	struct completion done[2];
};

static struct pingpong pp;

static void wait_for_count(struct wait_queue_head *wq, const unsigned long *v,
			   unsigned long want)
{
	struct wait_queue_entry w = { .entry = LIST_HEAD_INIT(w.entry) };

	for (;;) {
		prepare_to_wait(wq, &w, TASK_UNINTERRUPTIBLE);
		if (READ_ONCE(*v) >= want || READ_ONCE(pp.abort))
			break;
		schedule();
	}
	finish_wait(wq, &w);
}

static void producer_fn(void *arg)
{
	(void)arg;
	for (unsigned long i = 1; i <= PINGPONG_ROUNDS && !READ_ONCE(pp.abort); i++) {
		__atomic_store_n(&pp.produced, i, __ATOMIC_SEQ_CST);
		wake_up_all(&pp.to_consumer);
		wait_for_count(&pp.to_producer, &pp.consumed, i);
	}
	complete(&pp.done[0]);
}

static void consumer_fn(void *arg)
{
	(void)arg;
	for (unsigned long i = 1; i <= PINGPONG_ROUNDS && !READ_ONCE(pp.abort); i++) {
		wait_for_count(&pp.to_consumer, &pp.produced, i);
		__atomic_store_n(&pp.consumed, i, __ATOMIC_SEQ_CST);
		wake_up_all(&pp.to_producer);
	}
	complete(&pp.done[1]);
}

KTEST(sched, wakeup_race_across_cpus_loses_nothing)
{
	unsigned int n = num_online_cpus();
	/* Off the console's CPU where there are CPUs enough. */
	int pcpu = n >= 3 ? 1 : 0, ccpu = n >= 3 ? 2 : (n >= 2 ? 1 : 0);
	bool ok;

	init_waitqueue_head(&pp.to_consumer);
	init_waitqueue_head(&pp.to_producer);
	pp.produced = pp.consumed = 0;
	pp.abort = false;
	init_completion(&pp.done[0]);
	init_completion(&pp.done[1]);
	ASSERT_NOT_NULL(test, start_thread(consumer_fn, NULL, "ktest_consumer", ccpu));
	if (!start_thread(producer_fn, NULL, "ktest_producer", pcpu)) {
		WRITE_ONCE(pp.abort, true);
		wake_up_all(&pp.to_consumer);
		wait_for_completion(&pp.done[1]);
		ASSERT_TRUE(test, false);
	}
	ok = wait_progress(&pp.consumed, PINGPONG_ROUNDS);
	if (!ok) {
		ktest_log(test, "lost wake-up: stuck at produced %lu, consumed %lu",
			   pp.produced, pp.consumed);
		WRITE_ONCE(pp.abort, true);
		wake_up_all(&pp.to_consumer);
		wake_up_all(&pp.to_producer);
	}
	wait_for_completion(&pp.done[0]);
	wait_for_completion(&pp.done[1]);
	EXPECT_TRUE(test, ok);
	EXPECT_UEQ(test, pp.consumed, PINGPONG_ROUNDS);
	ktest_log(test, "%d round trips between CPU%d and CPU%d", PINGPONG_ROUNDS, pcpu, ccpu);
}

/*
 * Targeted shootdown: an address space loaded on CPU1 alone (a bound
 * thread loads it and exits; the CPU keeps it, lazily) is flushed from
 * CPU0: CPU1 takes one flush call, no other CPU takes any, and CPU0
 * does not flush its own TLB for it.
 */
struct load_arg {
	struct mm *mm;
	struct completion done;
};

static void load_mm_fn(void *p)
{
	struct load_arg *a = p;

	switch_mm(a->mm);
	complete(&a->done);
}

static u64 saved_allowed;

/* Move the running task to CPU0 for a while (the console task lives there already). */
static bool pin_to_cpu0(void)
{
	saved_allowed = current->cpus_allowed;
	current->cpus_allowed = BIT(0);
	for (int i = 0; i < 100 && smp_processor_id() != 0; i++)
		schedule();
	return smp_processor_id() == 0;
}

static void unpin(void)
{
	current->cpus_allowed = saved_allowed;
}

static unsigned long received(unsigned int cpu)
{
	return READ_ONCE(per_cpu_area(cpu)->tlb_stats[NR_TLB_REMOTE_FLUSH_RECEIVED]);
}

static void flush_targeted(struct kunit *test, struct mm *mm)
{
	unsigned long before[NR_CPUS], sent, local_one, local_all;
	struct percpu *me = this_cpu();
	unsigned int cpu;

	for_each_online_cpu(cpu)
		before[cpu] = received(cpu);
	sent = me->tlb_stats[NR_TLB_REMOTE_FLUSH];
	local_one = me->tlb_stats[NR_TLB_LOCAL_FLUSH_ONE];
	local_all = me->tlb_stats[NR_TLB_LOCAL_FLUSH_ALL];
	flush_tlb_mm_range(mm, 0x400000, 0x402000, false);
	EXPECT_UEQ(test, me->tlb_stats[NR_TLB_REMOTE_FLUSH] - sent, 1);
	EXPECT_UEQ(test, me->tlb_stats[NR_TLB_LOCAL_FLUSH_ONE], local_one);
	EXPECT_UEQ(test, me->tlb_stats[NR_TLB_LOCAL_FLUSH_ALL], local_all);
	for_each_online_cpu(cpu) {
		unsigned long got = received(cpu) - before[cpu];

		if (cpu == 1)
			EXPECT_UEQ(test, got, 1);
		else
			EXPECT_UEQ(test, got, 0);
	}
}

KTEST(sched, user_flush_goes_only_where_the_mm_is_loaded)
{
	struct load_arg a;
	struct mm *mm;
	unsigned long flags;

	if (num_online_cpus() < 2) {
		ktest_skip(test, "needs a second CPU online");
		return;
	}
	mm = mm_create("ktest_tlb");
	ASSERT_NOT_NULL(test, mm);
	if (!pin_to_cpu0()) {
		unpin();
		mm_destroy(mm);
		ASSERT_TRUE(test, false);
	}
	a.mm = mm;
	init_completion(&a.done);
	if (!start_thread(load_mm_fn, &a, "ktest_load_mm", 1)) {
		unpin();
		mm_destroy(mm);
		ASSERT_TRUE(test, false);
	}
	wait_for_completion(&a.done);
	/* Interrupts off: nothing else on this CPU flushes in between. */
	flags = local_irq_save();
	EXPECT_UEQ(test, __atomic_load_n(&mm->cpu_mask, __ATOMIC_SEQ_CST), BIT(1));
	flush_targeted(test, mm);
	local_irq_restore(flags);
	mm_destroy(mm);
	unpin();
}

/*
 * GS from ring 3: /bin/gs_base's threads (on several CPUs) each set a GS
 * base of their own and check it through %gs across system calls,
 * faults and sleeps, then load GS selectors themselves; the kernel's
 * SWAPGS entries must neither lose their bases nor trip over them.
 */
static char gs_out[2048];

KTEST(sched, user_gs_base_survives_kernel_entries)
{
	struct printk_capture cap = { .buf = gs_out, .size = sizeof(gs_out) };
	char *argv[] = { "/bin/gs_base", "4", NULL };
	int pid, status = -1;

	memset(gs_out, 0, sizeof(gs_out));
	printk_capture_begin(&cap);
	pid = user_spawn(argv[0], 2, argv);
	if (pid >= 0 && kernel_wait(pid, &status, NULL))
		status = -1;
	printk_capture_end(&cap);
	if (pid == -ENOENT) {
		ktest_skip(test, "/bin/gs_base is not in the initramfs (make iso packs user/)");
		return;
	}
	ASSERT_GE(test, pid, 0);
	EXPECT_EQ(test, status, 0);
	EXPECT_TRUE(test, strstr(gs_out, "PASS gs_base\n") != NULL);
	if (test->failed)
		ktest_log(test, "output:\n%s", gs_out);
}

/*
 * A mutex from one bound thread per CPU: its holder sleeps (schedule())
 * in the middle of a stretched read-modify-write, so that a second
 * holder would show as an overlap or a lost increment; the others wait
 * asleep on it, and every unlock wakes one.
 */
struct mutex_stress {
	struct mutex lock;
	unsigned long counter;		/* plain: only the mutex protects it */
	int inside;
	unsigned long overlaps;
	unsigned long not_owner;
	unsigned long done_rounds;	/* progress, for wait_progress() */
	struct completion done[NR_CPUS];
};

static struct mutex_stress ms;

static void mutex_fn(void *p)
{
	unsigned int cpu = smp_processor_id();
	unsigned long v;

	(void)p;
	for (unsigned int i = 0; i < MUTEX_ROUNDS; i++) {
		mutex_lock(&ms.lock);
		if (ms.inside++)
			ms.overlaps++;
		if (ms.lock.owner != current)
			ms.not_owner++;
		v = READ_ONCE(ms.counter);
		schedule();
		WRITE_ONCE(ms.counter, v + 1);
		ms.inside--;
		mutex_unlock(&ms.lock);
		__atomic_add_fetch(&ms.done_rounds, 1, __ATOMIC_RELAXED);
	}
	complete(&ms.done[cpu]);
}

KTEST(sched, mutex_excludes_sleeping_holders)
{
	unsigned long want = (unsigned long)MUTEX_ROUNDS * num_online_cpus();
	unsigned int cpu;

	memset(&ms, 0, sizeof(ms));
	mutex_init(&ms.lock);
	for_each_online_cpu(cpu) {
		init_completion(&ms.done[cpu]);
		if (!start_thread(mutex_fn, NULL, "ktest_mutex", cpu)) {
			EXPECT_TRUE(test, false);	/* no memory for a thread */
			complete(&ms.done[cpu]);
			want -= MUTEX_ROUNDS;
		}
	}
	if (!wait_progress(&ms.done_rounds, want)) {
		ktest_log(test, "stalled after %lu of %lu rounds", ms.done_rounds, want);
		EXPECT_TRUE(test, false);
		return;
	}
	for_each_online_cpu(cpu)
		wait_for_completion(&ms.done[cpu]);
	EXPECT_EQ(test, ms.counter, want);
	EXPECT_EQ(test, ms.overlaps, 0);
	EXPECT_EQ(test, ms.not_owner, 0);
	EXPECT_FALSE(test, mutex_is_locked(&ms.lock));
	EXPECT_TRUE(test, mutex_trylock(&ms.lock));
	EXPECT_FALSE(test, mutex_trylock(&ms.lock));
	mutex_unlock(&ms.lock);
}
