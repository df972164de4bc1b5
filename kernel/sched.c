// SPDX-License-Identifier: MIT
/*
 * Round-robin scheduling on every online CPU (see sched.h for the rules).
 *
 * One run queue for all CPUs, under rq_lock (IRQ-safe): it holds every
 * TASK_RUNNING task that is not on a CPU; a CPU picks the first task its
 * number is allowed for, and the task that gives up a CPU goes to the
 * tail. One queue rather than one per CPU: with at most a few runnable
 * tasks and tens of CPUs it balances by itself (whoever is free takes
 * the next task) and needs no migration code; per-CPU queues with
 * stealing are the step when the lock shows up in the smp benchmarks.
 *
 * rq_lock is held across the context switch, as Linux holds the rq lock:
 * taken in schedule() by the outgoing task and released by the incoming
 * one (finish_task_switch(), or schedule_tail() on a new task's first
 * run), so no other CPU can pick the outgoing task, or see it off its
 * CPU, while its registers are still being saved. on_cpu says a task is
 * on a CPU or on its way off it; a wake-up of such a task only marks it
 * TASK_RUNNING, and its own schedule() then keeps it running: the
 * wake-up between prepare_to_wait() and schedule() is never lost.
 *
 * Timed sleeps: a task with wake_at_ns set is on sleep_list (rq_lock),
 * and the boot CPU's tick wakes those whose time has come.
 *
 * Lock order: a wait queue's lock, then rq_lock. The interim big kernel
 * lock (kernel/bkl.h) is let go before rq_lock is taken and taken back
 * after the switch.
 */
#include "kernel/sched.h"
#include "kernel/lockdep.h"
#include "kernel/apic.h"
#include "kernel/bkl.h"
#include "kernel/console.h"
#include "kernel/exit.h"
#include "kernel/fpu.h"
#include "kernel/gdt.h"
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/signal.h"
#include "kernel/smp.h"
#include "kernel/syscall.h"
#include "kernel/syscall_uaccess.h"
#include "kernel/syscalls.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"
#include "kernel/rwsem.h"

#define PIT_HZ		1193182UL
#define PIT_CH0		0x40
#define PIT_CMD		0x43

extern struct task_struct init_task;

unsigned long jiffies;
static DEFINE_SPINLOCK(rq_lock);
static LIST_HEAD(run_queue);
static LIST_HEAD(sleep_list);
static unsigned int nr_queued;		/* on run_queue; read without the lock */
static bool running;

bool sched_running(void)
{
	return running;
}

unsigned long nr_context_switches_cpu(unsigned int cpu)
{
	return READ_ONCE(per_cpu_area(cpu)->nr_switches);
}

static bool cpu_allowed(const struct task_struct *t, unsigned int cpu)
{
	return !t->cpus_allowed || (t->cpus_allowed & BIT(cpu));
}

static void enqueue(struct task_struct *t)
{
	if (t->flags & PF_IDLE)
		return;
	list_add_tail(&t->run_list, &run_queue);
	WRITE_ONCE(nr_queued, nr_queued + 1);
}

static void dequeue(struct task_struct *t)
{
	if (t->run_list.next && !list_empty(&t->run_list)) {
		list_del(&t->run_list);
		WRITE_ONCE(nr_queued, nr_queued - 1);
	}
	INIT_LIST_HEAD(&t->run_list);
}

static struct task_struct *pick_next(unsigned int cpu)
{
	struct task_struct *t;

	list_for_each_entry(t, &run_queue, run_list)
		if (cpu_allowed(t, cpu))
			return t;
	return NULL;
}

static void sleep_list_del(struct task_struct *t)
{
	if (!t->wake_at_ns)
		return;
	list_del(&t->sleep_node);
	t->wake_at_ns = 0;
}

static void resched_interrupt(struct pt_regs *regs)
{
	(void)regs;
	lapic_eoi();
	this_cpu()->need_resched = true;
}

/* A CPU idling that may run t gets an IPI; busy ones find t at their next switch. */
static void kick_idle_cpu(const struct task_struct *t)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		struct percpu *p = per_cpu_area(cpu);

		if (cpu == smp_processor_id() || !cpu_allowed(t, cpu))
			continue;
		if (READ_ONCE(p->curr) == p->idle && p->idle) {
			apic_send_ipi(p->apicid, RESCHEDULE_VECTOR);
			return;
		}
	}
}

/* rq_lock held. */
static bool wake_locked(struct task_struct *t)
{
	if (t->state != TASK_INTERRUPTIBLE && t->state != TASK_UNINTERRUPTIBLE)
		return false;
	__atomic_store_n(&t->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
	sleep_list_del(t);
	if (!t->on_cpu) {
		enqueue(t);
		if (running)
			kick_idle_cpu(t);
	}
	return true;
}

bool wake_up_process(struct task_struct *t)
{
	unsigned long flags;
	bool woke;

	spin_lock_irqsave(&rq_lock, flags);
	woke = wake_locked(t);
	spin_unlock_irqrestore(&rq_lock, flags);
	return woke;
}

void sched_remove(struct task_struct *t)
{
	unsigned long flags;

	spin_lock_irqsave(&rq_lock, flags);
	dequeue(t);
	sleep_list_del(t);
	spin_unlock_irqrestore(&rq_lock, flags);
}

/*
 * The address space follows the task. A kernel thread keeps whatever
 * this CPU has loaded (Linux's lazy TLB mode), except the console task:
 * the address space it chose (`as switch`, one of the console's own) is
 * taken along from CPU to CPU in its active_mm, and it finds init_pgd
 * otherwise. Nothing else is remembered: a process's address space goes
 * away with the process, and mm_destroy() takes it out of every CPU's
 * CR3 (its cpu_mask), never out of a task's active_mm; the console's
 * own are destroyed only by the console task itself.
 */
static void switch_task_state(struct task_struct *prev, struct task_struct *next)
{
	struct mm *loaded = current_mm;
	struct mm *want;

	if (prev == &init_task)
		prev->active_mm = loaded && !loaded->owned_by_task ? loaded : NULL;
	want = next->mm ? next->mm : (next == &init_task ? next->active_mm : loaded);
	if (want != loaded)
		switch_mm(want);
	if (next->stack) {
		tss_set_rsp0((unsigned long)next->stack + KERNEL_STACK_SIZE);
		syscall_set_kernel_stack((unsigned long)next->stack + KERNEL_STACK_SIZE);
	}
	fpu_switch(prev, next);
	if (prev->mm) {
		prev->fsbase = rdmsr(MSR_FS_BASE);
		prev->gsbase = rdmsr(MSR_KERNEL_GS_BASE);
	}
	if (next->mm) {
		wrmsr(MSR_FS_BASE, next->fsbase);
		wrmsr(MSR_KERNEL_GS_BASE, next->gsbase);
	}
}

/* current on p's CPU, and lockdep's view of the locks it holds. */
static void set_current(struct percpu *p, struct task_struct *t)
{
#ifdef CONFIG_LOCKDEP
	p->lockdep_task = &t->lockdep;
#endif
	WRITE_ONCE(p->curr, t);
}

/* The incoming task's half of a switch: rq_lock held, interrupts off. */
static void finish_task_switch(void)
{
	struct percpu *p = this_cpu();
	struct task_struct *prev = p->prev_task;

	p->prev_task = NULL;
	if (prev)
		__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	spin_unlock(&rq_lock);
}

/* Dead tasks are freed under the big kernel lock, by whoever gets it at once. */
static void reap(void)
{
	bool held = current->bkl_held;

	if (!held && !bkl_tryenter())
		return;
	reap_dead_tasks();
	if (!held)
		bkl_exit();
}

void schedule_tail(void)
{
	finish_task_switch();
	reap();
}

void schedule(void)
{
	unsigned long flags;
	struct task_struct *prev = current, *next;
	struct percpu *p;

	lockdep_schedule_check((unsigned long)__builtin_return_address(0));
	flags = local_irq_save();
	bkl_release_for_switch(prev);
	spin_lock(&rq_lock);
	p = this_cpu();
	p->need_resched = false;
	prev->slice_ticks = 0;
	if (prev->state == TASK_RUNNING && !(prev->flags & PF_IDLE))
		enqueue(prev);
	next = pick_next(p->cpu);
	if (next)
		dequeue(next);
	else
		next = p->idle;
	if (next == prev) {
		spin_unlock(&rq_lock);
	} else {
		next->on_cpu = 1;
		next->cpu = p->cpu;
		switch_task_state(prev, next);
		p->prev_task = prev;
		p->nr_switches++;
		set_current(p, next);
		__switch_to_asm(&prev->thread_sp, next->thread_sp);
		/* prev again, on whichever CPU picked it. */
		finish_task_switch();
	}
	local_irq_restore(flags);
	bkl_reacquire_after_switch(current);
	reap();
}

u64 schedule_timeout(u64 ns)
{
	u64 now = ktime_get_ns(), end = now + ns;
	unsigned long flags;

	spin_lock_irqsave(&rq_lock, flags);
	__atomic_store_n(&current->state, TASK_INTERRUPTIBLE, __ATOMIC_SEQ_CST);
	current->wake_at_ns = end;
	list_add_tail(&current->sleep_node, &sleep_list);
	spin_unlock_irqrestore(&rq_lock, flags);
	schedule();
	spin_lock_irqsave(&rq_lock, flags);
	sleep_list_del(current);
	spin_unlock_irqrestore(&rq_lock, flags);
	now = ktime_get_ns();
	return now < end ? end - now : 0;
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w, int state)
{
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	w->task = current;
	if (!w->entry.next || list_empty(&w->entry))
		list_add_tail(&w->entry, &wq->head);
	/* Ordered before the caller's test of its condition. */
	__atomic_store_n(&current->state, state, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w)
{
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	__atomic_store_n(&current->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
	if (w->entry.next && !list_empty(&w->entry))
		list_del(&w->entry);
	INIT_LIST_HEAD(&w->entry);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up_all(struct wait_queue_head *wq)
{
	struct wait_queue_entry *w;
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	list_for_each_entry(w, &wq->head, entry)
		wake_up_process(w->task);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void init_completion(struct completion *c)
{
	c->done = 0;
	init_waitqueue_head(&c->wait);
}

void complete(struct completion *c)
{
	unsigned long flags;

	spin_lock_irqsave(&c->wait.lock, flags);
	c->done++;
	spin_unlock_irqrestore(&c->wait.lock, flags);
	wake_up_all(&c->wait);
}

void wait_for_completion(struct completion *c)
{
	struct wait_queue_entry w = { .entry = LIST_HEAD_INIT(w.entry) };

	for (;;) {
		prepare_to_wait(&c->wait, &w, TASK_UNINTERRUPTIBLE);
		if (READ_ONCE(c->done))
			break;
		schedule();
	}
	finish_wait(&c->wait, &w);
}

static void wake_sleepers(u64 now)
{
	struct task_struct *t, *n;

	spin_lock(&rq_lock);
	list_for_each_entry_safe(t, n, &sleep_list, sleep_node)
		if (t->wake_at_ns <= now)
			wake_locked(t);
	spin_unlock(&rq_lock);
}

/* Each CPU's tick (interrupts off); the boot CPU's also keeps time. */
static void tick(void)
{
	struct percpu *p = this_cpu();
	struct task_struct *curr = p->curr;

	if (!curr)
		return;
	if (p->cpu == 0) {
		jiffies++;
		wake_sleepers(ktime_get_ns());
	}
	curr->utime_ticks++;
	if (curr->flags & PF_IDLE)
		return;
	if (READ_ONCE(nr_queued) && ++curr->slice_ticks >= SLICE_TICKS)
		p->need_resched = true;
}

static void timer_interrupt(unsigned int irq)
{
	(void)irq;
	tick();
}

/*
 * The tick: each CPU's local APIC timer (kernel/apic.c, calibrated
 * against the TSC by smp_init()) where there is one, the PIT otherwise.
 * IRQ 0 stays masked at the PIC unless the PIT is the tick, so the rate
 * the firmware left the PIT at never ticks beside the APIC.
 */
static void timer_start(void)
{
	unsigned int div = PIT_HZ / HZ;

	if (!lapic_timer_periodic(HZ, tick))
		return;
	outb(0x34, PIT_CMD);		/* channel 0, lo/hi byte, rate generator */
	outb(div & 0xff, PIT_CH0);
	outb(div >> 8, PIT_CH0);
	request_irq(0, timer_interrupt);
	pr_info("sched: PIT tick at %u Hz\n", HZ);
}

static bool work_for(unsigned int cpu)
{
	bool found;

	if (!READ_ONCE(nr_queued))
		return false;
	spin_lock(&rq_lock);
	found = pick_next(cpu) != NULL;
	spin_unlock(&rq_lock);
	return found;
}

static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		local_irq_disable();
		if (work_for(smp_processor_id())) {
			local_irq_enable();
			schedule();
			continue;
		}
		/* sti; hlt: no interrupt can slip in between the test and the halt. */
		__asm__ __volatile__("sti; hlt" ::: "memory");
	}
}

#define CONSOLE_POLL_NS	10000000UL

/* The console is polled: sleep between looks so that other tasks run. */
static void console_input_wait(void)
{
	schedule_timeout(CONSOLE_POLL_NS);
}

static struct task_struct *make_idle(unsigned int cpu)
{
	struct task_struct *t = kthread_create(idle_loop, NULL, "idle");

	if (!t)
		panic("sched: no memory for CPU%u's idle task", cpu);
	t->flags |= PF_IDLE;
	t->state = TASK_RUNNING;
	t->cpus_allowed = BIT(cpu);
	t->cpu = cpu;
	per_cpu_area(cpu)->idle = t;
	return t;
}

/*
 * An AP's way in (smp_set_ap_work), on its boot stack with interrupts
 * on: it starts its tick and switches to its idle task for good, as the
 * incoming half of a switch (rq_lock held, released by schedule_tail()).
 */
static void sched_ap_start(void)
{
	struct percpu *p = this_cpu();
	struct task_struct *idle = p->idle;
	unsigned long boot_sp;

	if (!idle)
		return;		/* came online after sched_init(): stays out */
	local_irq_disable();
	syscall_init();		/* SYSCALL's MSRs, SSE, SMEP/SMAP: per CPU */
	if (lapic_timer_periodic(HZ, tick))
		pr_warn("sched: CPU%u has no APIC timer: it runs tasks without a tick\n", p->cpu);
	spin_lock(&rq_lock);
	idle->on_cpu = 1;
	p->prev_task = NULL;
	set_current(p, idle);
	__switch_to_asm(&boot_sp, idle->thread_sp);
	panic("sched: CPU%u came back to its boot stack", p->cpu);
}

/* How a reader-writer semaphore (kernel/rwsem.h, below us) sleeps. */
static void *rwsem_current(void)
{
	return current;
}

/* Ordered before the waiter's test of its granted flag, as prepare_to_wait(). */
static void rwsem_prepare(void)
{
	__atomic_store_n(&current->state, TASK_UNINTERRUPTIBLE, __ATOMIC_SEQ_CST);
}

static void rwsem_finish(void)
{
	__atomic_store_n(&current->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
}

static void rwsem_wake_task(void *task)
{
	wake_up_process(task);
}

static const struct rwsem_sleeper rwsem_sched_sleeper = {
	rwsem_current, rwsem_prepare, schedule, rwsem_finish, rwsem_wake_task,
};

void sched_init(void)
{
	struct percpu *bsp = this_cpu();
	unsigned int cpu;

	init_task.on_cpu = 1;
	/*
	 * The console task stays on the boot CPU, where the legacy
	 * interrupts (UART, keyboard) arrive and where the boot tests and
	 * commands that speak of "this CPU" expect to be; everything it
	 * starts runs anywhere.
	 */
	init_task.cpus_allowed = BIT(0);
	set_current(bsp, &init_task);
	for_each_online_cpu(cpu)
		make_idle(cpu);
	set_system_vector(RESCHEDULE_VECTOR, resched_interrupt);
	timer_start();
	running = true;
	console_set_input_wait(console_input_wait);
	rwsem_set_sleeper(&rwsem_sched_sleeper);
	/* The console task holds the interim big kernel lock while it runs. */
	bkl_enter();
	local_irq_enable();
	smp_set_ap_work(sched_ap_start);
}

long sys_sched_yield(void)
{
	schedule();
	return 0;
}

struct timespec_user {
	long tv_sec;
	long tv_nsec;
};

long sys_nanosleep(unsigned long ureq, unsigned long urem)
{
	struct timespec_user ts;
	u64 ns, left;

	if (get_user_mem(&ts, ureq, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	ns = (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	left = ns;
	while (left && !signal_pending(current))
		left = schedule_timeout(left);
	if (!left)
		return 0;
	ts.tv_sec = left / NSEC_PER_SEC;
	ts.tv_nsec = left % NSEC_PER_SEC;
	if (urem && put_user_mem(urem, &ts, sizeof(ts)))
		return -EFAULT;
	return -EINTR;
}
