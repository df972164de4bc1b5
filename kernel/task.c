// SPDX-License-Identifier: MIT
/*
 * The task list and lookups. The boot context becomes the first task
 * ("kshell"): it runs the boot tests and the console shell, and sleeps
 * like any task; the idle task (kernel/sched.c) runs when nothing else
 * can. kshell has pid 1, Linux's init: what the kernel starts and what
 * is orphaned has it as its parent (getppid), though it never reaps by
 * wait4 (kernel_wait, autoreap) and is no process of for_each_process.
 */
#include "kernel/task.h"
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/syscall.h"
#include "kernel/syscall_uaccess.h"
#include "kernel/syscalls.h"
#include "mm/mmap.h"
#include "libc/errno.h"
#include "libc/string.h"

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004

LIST_HEAD(process_list);

struct task_struct init_task = {
	.pid = KSHELL_PID,
	.tgid = KSHELL_PID,
	.comm = "kshell",
	.state = TASK_RUNNING,
	.flags = PF_KTHREAD,
	.group_leader = &init_task,
	.run_list = LIST_HEAD_INIT(init_task.run_list),
	.children = LIST_HEAD_INIT(init_task.children),
	.sibling = LIST_HEAD_INIT(init_task.sibling),
	.thread_group = LIST_HEAD_INIT(init_task.thread_group),
};

/* Until sched_init() gives the CPUs their tasks, the boot context is kshell. */
struct task_struct *current_task(void)
{
	struct task_struct *t = this_cpu()->curr;

	return t ? t : &init_task;
}

void kthread_bind(struct task_struct *t, unsigned int cpu)
{
	if (!cpu_online(cpu))
		panic("kthread_bind: %s to CPU%u, which is not online", t->comm, cpu);
	t->cpus_allowed = BIT(cpu);
	t->cpu = cpu;
}

struct task_struct *find_task_by_pid(int pid)
{
	struct task_struct *p, *t;

	if (pid <= 0)
		return NULL;
	for_each_process(p) {
		for_each_thread(p, t) {
			if (t->pid == pid)
				return t;
		}
	}
	return NULL;
}

int nr_threads_of(struct task_struct *t)
{
	struct task_struct *leader = t->group_leader, *th;
	int n = 0;

	for_each_thread(leader, th) {
		if (th->state != EXIT_ZOMBIE && th->state != EXIT_DEAD)
			n++;
	}
	return n;
}

const char *task_state_name(const struct task_struct *t)
{
	switch (t->state) {
	case TASK_RUNNING:
		return "R (running)";
	case TASK_INTERRUPTIBLE:
		return "S (sleeping)";
	case TASK_UNINTERRUPTIBLE:
		return "D (disk sleep)";
	case EXIT_ZOMBIE:
		return "Z (zombie)";
	default:
		return "X (dead)";
	}
}

static u64 pid_map[PID_MAX / 64] = { BIT(0) | BIT(KSHELL_PID) };
static int last_pid = KSHELL_PID;

int alloc_pid(void)
{
	for (int i = 1; i < PID_MAX; i++) {
		int pid = (last_pid + i) % PID_MAX;

		if (!pid || (pid_map[pid / 64] & BIT(pid % 64)))
			continue;
		pid_map[pid / 64] |= BIT(pid % 64);
		last_pid = pid;
		return pid;
	}
	return -EAGAIN;
}

void free_pid(int pid)
{
	if (pid > 0 && pid < PID_MAX)
		pid_map[pid / 64] &= ~BIT(pid % 64);
}

long sys_getpid(void)
{
	return current->tgid;
}

long sys_gettid(void)
{
	return current->pid;
}

long sys_getppid(void)
{
	struct task_struct *parent = current->group_leader->parent;

	return parent ? parent->tgid : KSHELL_PID;
}

long sys_set_tid_address(unsigned long tidptr)
{
	current->clear_child_tid = tidptr;
	return current->pid;
}

long sys_arch_prctl(unsigned long code, unsigned long addr)
{
	switch (code) {
	case ARCH_SET_FS:
		/* A non-canonical base would make WRMSR fault in the kernel. */
		if (addr >= TASK_SIZE)
			return -EPERM;
		current->fsbase = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
		return put_user_ulong(addr, rdmsr(MSR_FS_BASE));
	case ARCH_SET_GS:
		/* In the kernel the user's GS base waits in MSR_KERNEL_GS_BASE (SWAPGS). */
		if (addr >= TASK_SIZE)
			return -EPERM;
		current->gsbase = addr;
		wrmsr(MSR_KERNEL_GS_BASE, addr);
		return 0;
	case ARCH_GET_GS:
		return put_user_ulong(addr, rdmsr(MSR_KERNEL_GS_BASE));
	default:
		return -EINVAL;
	}
}
