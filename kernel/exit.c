// SPDX-License-Identifier: MIT
/*
 * Exit, reaping and wait4.
 *
 * A thread that exits gives back its address space reference, files and
 * signal handlers at once; its task struct and kernel stack (still in
 * use until it switches away) go on dead_tasks and are freed by the
 * next task that runs. A process leader becomes a zombie; the process
 * is dead when its last thread is, and then its status is fixed and its
 * parent can reap it (wait4). A process whose parent exited, or that the
 * kernel started without a parent to wait for it, is reaped by nobody:
 * it is freed as soon as it is dead (autoreap), except those the kernel
 * waits for itself (kernel_wait: the console's `run`, the tests).
 */
#include "kernel/exit.h"
#include "kernel/fork.h"
#include "kernel/futex.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall_uaccess.h"
#include "kernel/syscalls.h"
#include "fs/fdtable.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

#define WCONTINUED	8
#define RUSAGE_SIZE	144

static DECLARE_WAIT_QUEUE_HEAD(child_exit_wq);
static LIST_HEAD(dead_tasks);

void reap_dead_tasks(void)
{
	struct task_struct *t, *n;

	list_for_each_entry_safe(t, n, &dead_tasks, tasks) {
		/* Still on its way off another CPU: its stack is in use. */
		if (t == current || __atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
			continue;
		list_del(&t->tasks);
		kfree(t->stack);
		kfree(t);
	}
}

void release_old_leader(struct task_struct *old)
{
	old->state = EXIT_DEAD;
	free_pid(old->pid);
	list_add_tail(&old->tasks, &dead_tasks);
}

static bool process_dead(struct task_struct *leader)
{
	/* The leader stays on its own thread list: alone there, it is the last. */
	return leader->state == EXIT_ZOMBIE &&
	       leader->thread_group.next->next == &leader->thread_group;
}

/* Off every list; the memory goes once no one runs on its stack. */
static void release_task(struct task_struct *p)
{
	list_del(&p->tasks);
	if (p->parent)
		list_del(&p->sibling);
	p->parent = NULL;
	p->state = EXIT_DEAD;
	free_pid(p->pid);
	list_add_tail(&p->tasks, &dead_tasks);
}

static void reparent_children(struct task_struct *leader)
{
	struct task_struct *c, *n;

	list_for_each_entry_safe(c, n, &leader->children, sibling) {
		list_del(&c->sibling);
		c->parent = NULL;
		c->autoreap = true;
		if (process_dead(c))
			release_task(c);
	}
}

/* The last thread of leader's process is gone. */
static void process_died(struct task_struct *leader)
{
	struct task_struct *parent = leader->parent;

	if (leader->group_exiting)
		leader->exit_code = leader->group_exit_code;
	reparent_children(leader);
	if (parent && parent->sighand &&
	    parent->sighand->action[SIGCHLD - 1].handler == SIG_IGN)
		leader->autoreap = true;	/* Linux: nobody will wait */
	if (leader->autoreap) {
		release_task(leader);
		return;
	}
	if (parent && parent->sighand && leader->exit_signal &&
	    parent->sighand->action[leader->exit_signal - 1].handler > SIG_IGN)
		kill_process(parent, leader->exit_signal);
	wake_up_all(&child_exit_wq);
}

/* CLONE_CHILD_CLEARTID: how a joiner learns that this thread is gone. */
static void mm_release(struct task_struct *t)
{
	futex_exit_robust(t);
	if (t->clear_child_tid && t->mm && t->mm->mm_users > 1) {
		put_user_u32(t->clear_child_tid, 0);
		futex_wake_address(t->mm, t->clear_child_tid, 1);
	}
	t->clear_child_tid = 0;
	vfork_done(t);
}

static void exit_mm(struct task_struct *t)
{
	struct mm *mm = t->mm;

	if (!mm)
		return;
	t->mm = NULL;
	t->active_mm = NULL;
	if (--mm->mm_users == 0)
		mm_destroy(mm);
	else if (current_mm == mm)
		switch_mm(NULL);
}

void do_exit(int code)
{
	struct task_struct *t = current, *leader = t->group_leader;

	local_irq_enable();
	t->flags |= PF_EXITING;
	mm_release(t);
	exit_mm(t);
	files_put(t->files);
	t->files = NULL;
	sighand_put(t->sighand);
	t->sighand = NULL;
	futex_exit(t);
	sched_remove(t);
	local_irq_disable();
	if (t != leader) {
		list_del(&t->thread_node);
		free_pid(t->pid);
		t->state = EXIT_DEAD;
		list_add_tail(&t->tasks, &dead_tasks);
		if (process_dead(leader))
			process_died(leader);
	} else {
		if (!leader->group_exiting)
			leader->exit_code = code;
		t->state = EXIT_ZOMBIE;
		if (process_dead(leader))
			process_died(leader);
	}
	schedule();
	panic("%s[%d]: ran again after exit", current->comm, current->pid);
}

void do_group_exit(int code)
{
	struct task_struct *leader = current->group_leader, *t;

	if (leader->group_exiting)
		do_exit(leader->group_exit_code);
	/* Killed by an execve in another thread (Linux: exit code 0). */
	if (leader->group_exec_task && leader->group_exec_task != current)
		do_exit(0);
	leader->group_exiting = true;
	leader->group_exit_code = code;
	for_each_thread(leader, t)
		if (t != current)
			send_sig_to_thread(t, SIGKILL);
	do_exit(code);
}

void kthread_exit(void)
{
	struct task_struct *t = current;

	local_irq_disable();
	sched_remove(t);
	t->state = EXIT_DEAD;
	list_add_tail(&t->tasks, &dead_tasks);
	schedule();
	panic("%s[%d]: ran again after exit", current->comm, current->pid);
}

long sys_exit(unsigned long code)
{
	do_exit((code & 0xff) << 8);
}

long sys_exit_group(unsigned long code)
{
	do_group_exit((code & 0xff) << 8);
}

static int reap(struct task_struct *c, unsigned long wstatus, unsigned long rusage)
{
	static const u8 zero[RUSAGE_SIZE];
	int pid = c->pid;

	if (wstatus && put_user_u32(wstatus, c->exit_code))
		return -EFAULT;
	if (rusage && put_user_mem(rusage, zero, sizeof(zero)))
		return -EFAULT;
	release_task(c);
	return pid;
}

/* wait4's pid: that child, -1 any, 0 our group, -pgid that group. */
static bool wait_matches(const struct task_struct *c, int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == -1)
		return true;
	if (pid == 0)
		return c->pgid == current->pgid;
	return c->pgid == -pid;
}

long sys_wait4(unsigned long upid, unsigned long wstatus, unsigned long options,
	       unsigned long rusage)
{
	struct task_struct *me = current->group_leader, *c;
	struct wait_queue_entry w = { .entry = LIST_HEAD_INIT(w.entry) };
	int pid = (int)upid;

	if (options & ~(unsigned long)(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE))
		return -EINVAL;
	for (;;) {
		bool any = false;

		list_for_each_entry(c, &me->children, sibling) {
			if (!wait_matches(c, pid))
				continue;
			any = true;
			if (process_dead(c))
				return reap(c, wstatus, rusage);
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		if (signal_pending(current))
			return -EINTR;
		prepare_to_wait(&child_exit_wq, &w, TASK_INTERRUPTIBLE);
		schedule();
		finish_wait(&child_exit_wq, &w);
	}
}

int kernel_wait(int pid, int *status, void (*poll)(int pid))
{
	struct task_struct *p;

	/* Looked up each time: an execve in a thread replaces the leader's struct. */
	for (;;) {
		p = find_task_by_pid(pid);
		if (!p || p->group_leader != p || p->parent || p->autoreap)
			return -ECHILD;
		if (process_dead(p))
			break;
		if (poll)
			poll(pid);
		schedule_timeout(10 * 1000000UL);
	}
	*status = p->exit_code;
	release_task(p);
	reap_dead_tasks();
	return 0;
}
