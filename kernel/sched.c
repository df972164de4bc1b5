// SPDX-License-Identifier: MIT
/*
 * Round-robin scheduling on one CPU (see sched.h for the rules). The run
 * queue holds every TASK_RUNNING task except the one running; picking
 * takes the head and the task that gives up the CPU goes to the tail.
 *
 * Timed sleeps: a task with wake_at_ns set is on sleep_list, and the
 * timer interrupt wakes those whose time has come. The timer is the only
 * interrupt that touches the lists; everything else runs with interrupts
 * off while it changes them.
 */
#include "kernel/sched.h"
#include "kernel/apic.h"
#include "kernel/console.h"
#include "kernel/exit.h"
#include "kernel/fpu.h"
#include "kernel/gdt.h"
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/signal.h"
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
extern struct task_struct *current_task_ptr;

bool need_resched;
unsigned long jiffies;
static LIST_HEAD(run_queue);
static LIST_HEAD(sleep_list);
static struct task_struct *idle_task;
static bool running;

bool sched_running(void)
{
	return running;
}

static void enqueue(struct task_struct *t)
{
	if (t->flags & PF_IDLE)
		return;
	list_add_tail(&t->run_list, &run_queue);
}

static void dequeue(struct task_struct *t)
{
	if (t->run_list.next && !list_empty(&t->run_list))
		list_del(&t->run_list);
	INIT_LIST_HEAD(&t->run_list);
}

static void sleep_list_del(struct task_struct *t)
{
	if (!t->wake_at_ns)
		return;
	list_del(&t->sleep_node);
	t->wake_at_ns = 0;
}

bool wake_up_process(struct task_struct *t)
{
	unsigned long flags = local_irq_save();
	bool woke = false;

	if (t->state == TASK_INTERRUPTIBLE || t->state == TASK_UNINTERRUPTIBLE) {
		t->state = TASK_RUNNING;
		sleep_list_del(t);
		if (t != current)
			enqueue(t);
		woke = true;
	}
	local_irq_restore(flags);
	return woke;
}

void sched_remove(struct task_struct *t)
{
	unsigned long flags = local_irq_save();

	dequeue(t);
	sleep_list_del(t);
	local_irq_restore(flags);
}

/*
 * The address space follows the task. A kernel thread (no mm) keeps
 * whatever the shell loaded with `as switch`, as Linux's lazy TLB mode
 * keeps the previous mm: it is remembered in active_mm.
 */
static void switch_task_state(struct task_struct *prev, struct task_struct *next)
{
	struct mm *want;

	prev->active_mm = current_mm;
	want = next->mm ? next->mm : next->active_mm;
	if (want != current_mm)
		switch_mm(want);
	if (next->stack) {
		tss_set_rsp0((unsigned long)next->stack + KERNEL_STACK_SIZE);
		syscall_set_kernel_stack((unsigned long)next->stack + KERNEL_STACK_SIZE);
	}
	fpu_switch(prev, next);
	if (prev->mm)
		prev->fsbase = rdmsr(MSR_FS_BASE);
	if (next->mm)
		wrmsr(MSR_FS_BASE, next->fsbase);
}

void schedule(void)
{
	unsigned long flags = local_irq_save();
	struct task_struct *prev = current, *next;

	need_resched = false;
	prev->slice_ticks = 0;
	if (prev->state == TASK_RUNNING && !(prev->flags & PF_IDLE))
		enqueue(prev);
	if (list_empty(&run_queue)) {
		next = idle_task;
	} else {
		next = list_first_entry(&run_queue, struct task_struct, run_list);
		dequeue(next);
	}
	if (next != prev) {
		switch_task_state(prev, next);
		current_task_ptr = next;
		__switch_to_asm(&prev->thread_sp, next->thread_sp);
		reap_dead_tasks();
	}
	local_irq_restore(flags);
}

u64 schedule_timeout(u64 ns)
{
	u64 now = ktime_get_ns(), end = now + ns;
	unsigned long flags = local_irq_save();

	current->state = TASK_INTERRUPTIBLE;
	current->wake_at_ns = end;
	list_add_tail(&current->sleep_node, &sleep_list);
	local_irq_restore(flags);
	schedule();
	sleep_list_del(current);
	now = ktime_get_ns();
	return now < end ? end - now : 0;
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w, int state)
{
	unsigned long flags = local_irq_save();

	w->task = current;
	if (!w->entry.next || list_empty(&w->entry))
		list_add_tail(&w->entry, &wq->head);
	current->state = state;
	local_irq_restore(flags);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w)
{
	unsigned long flags = local_irq_save();

	(void)wq;
	current->state = TASK_RUNNING;
	if (w->entry.next && !list_empty(&w->entry))
		list_del(&w->entry);
	INIT_LIST_HEAD(&w->entry);
	local_irq_restore(flags);
}

void wake_up_all(struct wait_queue_head *wq)
{
	struct wait_queue_entry *w;
	unsigned long flags = local_irq_save();

	list_for_each_entry(w, &wq->head, entry)
		wake_up_process(w->task);
	local_irq_restore(flags);
}

static void tick(void)
{
	struct task_struct *t, *n;
	u64 now = ktime_get_ns();

	jiffies++;
	current->utime_ticks++;
	list_for_each_entry_safe(t, n, &sleep_list, sleep_node)
		if (t->wake_at_ns <= now)
			wake_up_process(t);
	if (!list_empty(&run_queue) && ++current->slice_ticks >= SLICE_TICKS)
		need_resched = true;
}

static void timer_interrupt(unsigned int irq)
{
	(void)irq;
	tick();
}

/*
 * The tick: the boot CPU's local APIC timer (kernel/apic.c, calibrated
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

static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		local_irq_disable();
		if (!list_empty(&run_queue)) {
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

/* How a reader-writer semaphore (kernel/rwsem.h, below us) sleeps. */
static void *rwsem_current(void)
{
	return current;
}

static void rwsem_prepare(void)
{
	current->state = TASK_UNINTERRUPTIBLE;
}

static void rwsem_finish(void)
{
	current->state = TASK_RUNNING;
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
	idle_task = kthread_create(idle_loop, NULL, "idle");
	if (!idle_task)
		panic("sched: no memory for the idle task");
	idle_task->flags |= PF_IDLE;
	idle_task->state = TASK_RUNNING;
	timer_start();
	running = true;
	console_set_input_wait(console_input_wait);
	rwsem_set_sleeper(&rwsem_sched_sleeper);
	local_irq_enable();
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
