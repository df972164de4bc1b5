/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H

/*
 * Tasks: a process is a thread group; each thread is a task_struct with
 * its own kernel stack. Single CPU: nothing here takes a lock, and code
 * that must not be preempted disables interrupts.
 *
 * Lifetime: a process leader is on process_list from creation until
 * it is reaped by wait4, and stays a zombie until its last thread has
 * exited, as in Linux; another thread is on its leader's thread_group
 * list until it exits. A zombie keeps its pid, comm and exit_code but
 * no mm and no files. kshell (pid 1) and idle (pid 0) are on neither list.
 *
 * SMP: every CPU runs tasks (kernel/sched.c); a task may move between
 * CPUs from one run to the next unless kthread_bind() pinned it. The
 * process lists are still guarded by the interim big kernel lock
 * (kernel/bkl.h) held by every task that changes them.
 */
#include "kernel/types.h"
#include "kernel/list.h"

struct mm;
struct files_struct;
struct sighand_struct;
struct pt_regs;

#define TASK_COMM_LEN		16
#define KERNEL_STACK_SIZE	16384
#define PID_MAX			32768
#define KSHELL_PID		1	/* the kernel's console task, init's pid */

/* state: Linux's names and meanings. */
#define TASK_RUNNING		0	/* on the run queue, or running */
#define TASK_INTERRUPTIBLE	1	/* sleeping; a signal wakes it */
#define TASK_UNINTERRUPTIBLE	2	/* sleeping; only its event wakes it */
#define EXIT_ZOMBIE		16	/* exited, waiting for its parent's wait4 */
#define EXIT_DEAD		32	/* reaped, about to be freed */

#define _NSIG			64
typedef u64 sigset_t;

struct task_struct {
	unsigned long thread_sp;	/* saved by switch_to(): keep first */
	int pid;			/* thread id */
	int tgid;			/* the process id: the leader's pid */
	int pgid;			/* process group: kill(0), kill(-pgid), wait4(0) */
	struct task_struct *parent;	/* process leader that waits for us */
	struct task_struct *group_leader;
	char comm[TASK_COMM_LEN];
	int state;
	int exit_code;			/* wait4 status word */
	int exit_signal;		/* sent to the parent on exit (SIGCHLD or 0) */
	unsigned int flags;		/* PF_* */
	struct mm *mm;			/* NULL for kernel threads */
	struct files_struct *files;	/* NULL for kernel threads */
	struct sighand_struct *sighand;

	struct mm *active_mm;		/* kernel thread: the mm it left loaded */
	void *stack;			/* kernel stack, KERNEL_STACK_SIZE */
	struct pt_regs *user_regs;	/* user frame at the top of the stack */
	unsigned long fsbase;		/* ARCH_SET_FS */
	unsigned long gsbase;		/* ARCH_SET_GS (MSR_KERNEL_GS_BASE while in the kernel) */
	u8 *fpu;			/* FXSAVE area (16-byte aligned in fpu_buf) */
	u8 fpu_buf[512 + 16];

	struct list_head tasks;		/* leaders: on process_list */
	struct list_head run_list;	/* run queue, while TASK_RUNNING */
	struct list_head children;	/* process leaders whose parent we are */
	struct list_head sibling;	/* in parent->children */
	struct list_head thread_node;	/* in group_leader->thread_group */
	struct list_head thread_group;	/* leader: every thread, itself too */

	sigset_t blocked;
	sigset_t pending;
	sigset_t saved_sigmask;		/* rt_sigreturn restores through the frame */
	unsigned long sas_ss_sp, sas_ss_size;

	unsigned long fault_addr;	/* siginfo of the fault being signalled */
	int fault_code;
	bool force_iret;		/* the frame needs IRET (rt_sigreturn, handler) */
	bool group_exiting;		/* leader: exit_group or a deadly signal */
	struct task_struct *group_exec_task;	/* leader: the thread in de_thread() */
	bool autoreap;			/* no one will wait4: free at exit */
	int group_exit_code;		/* leader: the status when group_exiting */

	unsigned long clear_child_tid;	/* CLONE_CHILD_CLEARTID, set_tid_address */
	unsigned long robust_list;	/* set_robust_list: walked at exit */
	struct task_struct *vfork_parent;	/* woken when we exec or exit */
	bool vfork_done;		/* the vfork child let its parent go */

	u64 wake_at_ns;			/* timed sleeps: 0 when none */
	struct list_head sleep_node;	/* on the timer's list while wake_at_ns */
	void *wait_private;		/* futex: the key this task sleeps on */
	unsigned long utime_ticks;	/* timer ticks spent running */
	unsigned int slice_ticks;	/* of the current time slice */

	u64 cpus_allowed;		/* CPUs it may run on; 0: any (kthread_bind) */
	unsigned int cpu;		/* where it runs, or last ran */
	int on_cpu;			/* running, or not yet switched out (rq_lock) */
	bool bkl_held;			/* kernel/bkl.h */
};

/* flags */
#define PF_KTHREAD	0x0001
#define PF_EXITING	0x0004
#define PF_IDLE		0x0008

/* Process leaders, oldest first. */
extern struct list_head process_list;

/* The task running on this CPU (per-CPU, through GS). */
struct task_struct *current_task(void);
#define current current_task()

/* The task with this pid (thread id), or NULL. Takes no reference. */
struct task_struct *find_task_by_pid(int pid);

/* Threads in t's thread group (Linux's Threads: line). */
int nr_threads_of(struct task_struct *t);

#define for_each_process(t) \
	list_for_each_entry(t, &process_list, tasks)

/* Every thread of a process, the leader first. */
#define for_each_thread(leader, t) \
	list_for_each_entry(t, &(leader)->thread_group, thread_node)

/* A free pid (1..PID_MAX-1), or -EAGAIN; free_pid gives it back. */
int alloc_pid(void);
void free_pid(int pid);

/*
 * A kernel thread running fn(arg); it is not runnable until
 * wake_up_process(). NULL when memory is short.
 */
struct task_struct *kthread_create(void (*fn)(void *), void *arg, const char *name);
/*
 * Run t only on cpu, as Linux: after kthread_create(), before
 * wake_up_process(). cpu must be online (a bad one is a bug: it panics).
 * Join a kernel thread with a struct completion (kernel/sched.h) that
 * it completes last.
 */
void kthread_bind(struct task_struct *t, unsigned int cpu);

/* "R (running)", "S (sleeping)", ... as /proc/<pid>/status prints it. */
const char *task_state_name(const struct task_struct *t);

#endif
