// SPDX-License-Identifier: MIT
/*
 * New tasks: kernel threads, clone/fork/vfork, and the processes the
 * kernel starts itself.
 *
 * A task's kernel stack holds, at its top, the user frame (struct
 * pt_regs: the same place the SYSCALL entry and an interrupt from ring 3
 * put it) and below it the frame __switch_to_asm pops on the first
 * switch, which "returns" to ret_from_fork. A fork child's user frame is
 * the parent's with RAX = 0, so it returns from the same system call.
 *
 * Address spaces: fork copies the parent's (mm_dup: copy-on-write, page
 * tables copied eagerly, see mm/memory.h); CLONE_VM shares it.
 */
#include "kernel/fork.h"
#include "kernel/fpu.h"
#include "kernel/io.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/syscall_uaccess.h"
#include "kernel/syscalls.h"
#include "kernel/traps.h"
#include "fs/fdtable.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

extern char ret_from_fork[];

static struct task_struct *alloc_task(const char *comm)
{
	struct task_struct *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->stack = kmalloc(KERNEL_STACK_SIZE, GFP_KERNEL);
	if (!t->stack) {
		kfree(t);
		return NULL;
	}
	INIT_LIST_HEAD(&t->tasks);
	INIT_LIST_HEAD(&t->run_list);
	INIT_LIST_HEAD(&t->children);
	INIT_LIST_HEAD(&t->sibling);
	INIT_LIST_HEAD(&t->thread_node);
	INIT_LIST_HEAD(&t->thread_group);
	INIT_LIST_HEAD(&t->sleep_node);
	strlcpy(t->comm, comm, sizeof(t->comm));
	t->state = TASK_UNINTERRUPTIBLE;	/* runnable once woken */
	t->user_regs = (struct pt_regs *)((char *)t->stack + KERNEL_STACK_SIZE) - 1;
	t->group_leader = t;
	fpu_init_task(t);
	return t;
}

static void free_task_early(struct task_struct *t)
{
	kfree(t->stack);
	kfree(t);
}

static struct task_struct *alloc_task_with_pid(const char *comm, int *err)
{
	struct task_struct *p = alloc_task(comm);
	int pid;

	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	pid = alloc_pid();
	if (pid < 0) {
		free_task_early(p);
		*err = pid;
		return NULL;
	}
	p->pid = pid;
	return p;
}

/* What __switch_to_asm pops: R15 R14 R13 R12 RBX RBP, then the return. */
static void setup_switch_frame(struct task_struct *t, void (*fn)(void *), void *arg)
{
	unsigned long *sp = (unsigned long *)t->user_regs;

	*--sp = (unsigned long)ret_from_fork;
	*--sp = 0;			/* rbp */
	*--sp = (unsigned long)fn;	/* rbx */
	*--sp = (unsigned long)arg;	/* r12 */
	*--sp = 0;			/* r13 */
	*--sp = 0;			/* r14 */
	*--sp = 0;			/* r15 */
	t->thread_sp = (unsigned long)sp;
}

struct task_struct *kthread_create(void (*fn)(void *), void *arg, const char *name)
{
	struct task_struct *t = alloc_task(name);

	if (!t)
		return NULL;
	t->flags = PF_KTHREAD;
	setup_switch_frame(t, fn, arg);
	return t;
}

static void link_process(struct task_struct *p, struct task_struct *parent)
{
	p->group_leader = p;
	p->tgid = p->pid;
	/* What the kernel starts leads its own group, as a shell's job does. */
	p->pgid = parent ? parent->pgid : p->pid;
	list_add_tail(&p->thread_node, &p->thread_group);
	list_add_tail(&p->tasks, &process_list);
	p->parent = parent;
	if (parent)
		list_add_tail(&p->sibling, &parent->children);
}

static void link_thread(struct task_struct *p, struct task_struct *leader)
{
	p->group_leader = leader;
	p->tgid = leader->tgid;
	p->pgid = leader->pgid;
	p->parent = leader->parent;
	list_add_tail(&p->thread_node, &leader->thread_group);
}

static int copy_resources(struct task_struct *p, unsigned long flags)
{
	struct task_struct *cur = current;

	if (flags & CLONE_VM) {
		p->mm = cur->mm;
		p->mm->mm_users++;
	} else {
		p->mm = mm_dup(cur->mm, p->pid);
		if (!p->mm)
			return -ENOMEM;
	}
	if (flags & CLONE_FILES) {
		files_get(cur->files);
		p->files = cur->files;
	} else {
		p->files = files_dup(cur->files);
		if (!p->files)
			return -ENOMEM;
	}
	if (flags & CLONE_SIGHAND) {
		cur->sighand->count++;
		p->sighand = cur->sighand;
	} else {
		p->sighand = sighand_copy(cur->sighand);
		if (!p->sighand)
			return -ENOMEM;
	}
	return 0;
}

static void put_resources(struct task_struct *p)
{
	if (p->mm && --p->mm->mm_users == 0)
		mm_destroy(p->mm);
	files_put(p->files);
	sighand_put(p->sighand);
}

struct task_struct *copy_process(unsigned long flags, unsigned long newsp,
				 unsigned long tls, int *err)
{
	struct task_struct *cur = current, *p;
	int pid;

	/* Linux's rules: threads share handlers, shared handlers need one mm. */
	if (((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) ||
	    ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))) {
		*err = -EINVAL;
		return NULL;
	}
	/*
	 * A TLS base outside the user half would make WRMSR fault: EPERM,
	 * as Linux's do_arch_prctl_64(ARCH_SET_FS) answers for CLONE_SETTLS.
	 */
	if ((flags & CLONE_SETTLS) && tls >= TASK_SIZE) {
		*err = -EPERM;
		return NULL;
	}
	p = alloc_task_with_pid(cur->comm, err);
	if (!p)
		return NULL;
	pid = p->pid;
	*err = copy_resources(p, flags);
	if (*err) {
		put_resources(p);
		free_pid(pid);
		free_task_early(p);
		return NULL;
	}
	*p->user_regs = *cur->user_regs;
	p->user_regs->rax = 0;
	if (newsp)
		p->user_regs->rsp = newsp;
	p->fsbase = (flags & CLONE_SETTLS) ? tls : rdmsr(MSR_FS_BASE);
	p->gsbase = rdmsr(MSR_KERNEL_GS_BASE);	/* the user's, while in the kernel */
	fpu_copy(p, cur);
	p->blocked = cur->blocked;
	p->sas_ss_sp = (flags & CLONE_VM) ? 0 : cur->sas_ss_sp;
	p->sas_ss_size = (flags & CLONE_VM) ? 0 : cur->sas_ss_size;
	if (flags & CLONE_THREAD) {
		link_thread(p, cur->group_leader);
	} else {
		p->exit_signal = flags & CSIGNAL;
		link_process(p, cur->group_leader);
	}
	setup_switch_frame(p, NULL, NULL);
	return p;
}

struct task_struct *create_user_process(const char *comm, int *err)
{
	struct task_struct *p = alloc_task_with_pid(comm, err);
	int pid;

	if (!p)
		return NULL;
	pid = p->pid;
	p->mm = mm_create_user(pid, comm);
	p->files = files_alloc_console();
	p->sighand = sighand_copy(NULL);
	if (!p->mm || !p->files || !p->sighand) {
		put_resources(p);
		free_pid(pid);
		free_task_early(p);
		*err = -ENOMEM;
		return NULL;
	}
	p->exit_signal = SIGCHLD;
	setup_switch_frame(p, NULL, NULL);
	return p;
}

void start_user_process(struct task_struct *p)
{
	link_process(p, NULL);
	wake_up_process(p);
}

void discard_user_process(struct task_struct *p)
{
	put_resources(p);
	free_pid(p->pid);
	free_task_early(p);
}

void vfork_done(struct task_struct *t)
{
	struct task_struct *parent = t->vfork_parent;

	if (!parent)
		return;
	t->vfork_parent = NULL;
	parent->vfork_done = true;
	wake_up_process(parent);
}

/* CLONE_CHILD_SETTID writes into the child's memory, loaded for the moment. */
static int set_child_tid(struct task_struct *p, unsigned long ctid)
{
	struct mm *saved = current->mm;
	int ret;

	if (p->mm == saved)
		return put_user_u32(ctid, p->pid);
	switch_mm(p->mm);
	current->mm = p->mm;
	ret = put_user_u32(ctid, p->pid);
	current->mm = saved;
	switch_mm(saved);
	return ret;
}

long sys_clone(unsigned long flags, unsigned long newsp, unsigned long parent_tid,
	       unsigned long child_tid, unsigned long tls)
{
	struct task_struct *p;
	int err, pid;

	p = copy_process(flags, newsp, tls, &err);
	if (!p)
		return err;
	pid = p->pid;
	/* Linux ignores a bad pointer here: the child exists either way. */
	if (flags & CLONE_PARENT_SETTID)
		put_user_u32(parent_tid, pid);
	if (flags & CLONE_CHILD_SETTID)
		set_child_tid(p, child_tid);
	if (flags & CLONE_CHILD_CLEARTID)
		p->clear_child_tid = child_tid;
	if (flags & CLONE_VFORK) {
		p->vfork_parent = current;
		current->vfork_done = false;
	}
	wake_up_process(p);
	while (flags & CLONE_VFORK) {
		current->state = TASK_UNINTERRUPTIBLE;
		if (current->vfork_done) {
			current->state = TASK_RUNNING;
			break;
		}
		schedule();
	}
	return pid;
}

long sys_fork(void)
{
	return sys_clone(SIGCHLD, 0, 0, 0, 0);
}

long sys_vfork(void)
{
	return sys_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}
