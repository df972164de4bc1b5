// SPDX-License-Identifier: MIT
/*
 * Signal generation, delivery and the signal system calls (see
 * signal.h for the model). The frame is Linux's x86_64 rt_sigframe:
 * return address (sa_restorer), ucontext, siginfo, and the FXSAVE image
 * the ucontext's fpstate points at; rt_sigreturn restores from it,
 * keeping the kernel's segments and every RFLAGS bit a user may not set.
 */
#include "kernel/signal.h"
#include "kernel/exit.h"
#include "kernel/fpu.h"
#include "kernel/gdt.h"
#include "kernel/pt_regs_offsets.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/syscall_uaccess.h"
#include "kernel/syscalls.h"
#include "kernel/traps.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2
#define INT_MIN		(-2147483647 - 1)
#define UNBLOCKABLE	(sigmask(SIGKILL) | sigmask(SIGSTOP))

/* RFLAGS bits rt_sigreturn takes from the user (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS	(0x1UL | 0x4UL | 0x10UL | 0x40UL | 0x80UL | 0x100UL | \
			 0x400UL | 0x800UL | 0x10000UL | 0x40000UL)

struct sigcontext64 {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2;
	u64 fpstate;
	u64 reserved1[8];
};

struct ucontext64 {
	u64 uc_flags;
	u64 uc_link;
	u64 ss_sp;
	s32 ss_flags;
	s32 pad;
	u64 ss_size;
	struct sigcontext64 mc;
	sigset_t sigmask;
};

struct siginfo64 {
	s32 si_signo;
	s32 si_errno;
	s32 si_code;
	s32 pad;
	u64 si_addr;			/* or si_pid, si_uid */
	u8 rest[128 - 24];
};

struct rt_sigframe {
	u64 pretcode;
	struct ucontext64 uc;
	struct siginfo64 info;
};

struct stack_user {
	u64 ss_sp;
	s32 ss_flags;
	s32 pad;
	u64 ss_size;
};

struct sighand_struct *sighand_copy(struct sighand_struct *old)
{
	struct sighand_struct *sh = kzalloc(sizeof(*sh), GFP_KERNEL);

	if (!sh)
		return NULL;
	if (old)
		memcpy(sh->action, old->action, sizeof(sh->action));
	sh->count = 1;
	return sh;
}

void sighand_put(struct sighand_struct *sh)
{
	if (sh && --sh->count == 0)
		kfree(sh);
}

void flush_signal_handlers(struct sighand_struct *sh)
{
	for (int i = 0; i < _NSIG; i++) {
		struct k_sigaction *ka = &sh->action[i];

		if (ka->handler != SIG_IGN)
			ka->handler = SIG_DFL;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask = 0;
	}
}

static bool sig_default_ignored(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return true;
	default:
		return false;
	}
}

bool signal_pending(struct task_struct *t)
{
	return t->pending & (~t->blocked | sigmask(SIGKILL));
}

void send_sig_to_thread(struct task_struct *t, int sig)
{
	if (t->state == EXIT_ZOMBIE || t->state == EXIT_DEAD)
		return;
	t->pending |= sigmask(sig);
	if (t->state == TASK_INTERRUPTIBLE &&
	    (sig == SIGKILL || !(t->blocked & sigmask(sig))))
		wake_up_process(t);
}

int kill_process(struct task_struct *p, int sig)
{
	struct task_struct *t, *target = NULL;

	if (sig < 0 || sig > _NSIG)
		return -EINVAL;
	/* A zombie leader's process lives on while another thread does. */
	if (!p || p->state == EXIT_DEAD || !nr_threads_of(p))
		return -ESRCH;
	if (!sig)
		return 0;
	for_each_thread(p, t) {
		if (t->state == EXIT_ZOMBIE || t->state == EXIT_DEAD)
			continue;
		if (sig == SIGKILL) {
			send_sig_to_thread(t, sig);
			continue;
		}
		if (!target || ((target->blocked & sigmask(sig)) && !(t->blocked & sigmask(sig))))
			target = t;
	}
	if (target)
		send_sig_to_thread(target, sig);
	return 0;
}

void force_sig_fault(int sig, int code, unsigned long addr, struct pt_regs *regs,
		     const char *what)
{
	struct task_struct *t = current;
	struct k_sigaction *ka = &t->sighand->action[sig - 1];

	if (sig == SIGKILL || ka->handler <= SIG_IGN || (t->blocked & sigmask(sig))) {
		/* Nothing will catch it: the process dies, say why once. */
		if (regs->vector == SYSCALL_VECTOR)
			pr_info("%s[%d]: %s at %lx ip %lx sp %lx\n", t->comm, t->pid, what,
				addr, (unsigned long)regs->rip, (unsigned long)regs->rsp);
		else
			pr_info("%s[%d]: %s at %lx ip %lx sp %lx error %lx\n", t->comm, t->pid,
				what, addr, (unsigned long)regs->rip, (unsigned long)regs->rsp,
				(unsigned long)regs->error_code);
		ka->handler = SIG_DFL;
		t->blocked &= ~sigmask(sig);
	}
	t->fault_addr = addr;
	t->fault_code = code;
	send_sig_to_thread(t, sig);
}

/* Where the frame goes: below the red zone, or on the alternate stack. */
static unsigned long frame_base(struct task_struct *t, struct k_sigaction *ka,
				struct pt_regs *regs)
{
	unsigned long sp = regs->rsp - 128;

	if ((ka->flags & SA_ONSTACK) && t->sas_ss_size &&
	    !(regs->rsp - t->sas_ss_sp < t->sas_ss_size))
		sp = t->sas_ss_sp + t->sas_ss_size;
	return sp;
}

static int setup_rt_frame(int sig, struct k_sigaction *ka, struct pt_regs *regs)
{
	struct task_struct *t = current;
	struct rt_sigframe f;
	unsigned long fp, frame;
	u8 *fpu = fpu_save_current();

	/* IRET to a RIP outside the user half would fault in the kernel. */
	if (ka->handler >= TASK_SIZE)
		return -EFAULT;
	fp = ALIGN_DOWN(frame_base(t, ka, regs) - FPU_STATE_SIZE, 64);
	frame = ALIGN_DOWN(fp - sizeof(f), 16) - 8;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.ss_sp = t->sas_ss_sp;
	f.uc.ss_size = t->sas_ss_size;
	f.uc.ss_flags = t->sas_ss_size ? 0 : SS_DISABLE;
	f.uc.mc = (struct sigcontext64){
		.r8 = regs->r8, .r9 = regs->r9, .r10 = regs->r10, .r11 = regs->r11,
		.r12 = regs->r12, .r13 = regs->r13, .r14 = regs->r14, .r15 = regs->r15,
		.rdi = regs->rdi, .rsi = regs->rsi, .rbp = regs->rbp, .rbx = regs->rbx,
		.rdx = regs->rdx, .rax = regs->rax, .rcx = regs->rcx, .rsp = regs->rsp,
		.rip = regs->rip, .eflags = regs->rflags, .cs = __USER_CS, .ss = __USER_DS,
		.err = regs->error_code, .trapno = regs->vector, .oldmask = t->blocked,
		.cr2 = t->fault_addr, .fpstate = fp,
	};
	f.uc.sigmask = t->blocked;
	f.info.si_signo = sig;
	f.info.si_code = t->fault_code;
	f.info.si_addr = t->fault_addr;
	if (put_user_mem(fp, fpu, FPU_STATE_SIZE) || put_user_mem(frame, &f, sizeof(f)))
		return -EFAULT;
	regs->rdi = sig;
	regs->rsi = frame + offsetof(struct rt_sigframe, info);
	regs->rdx = frame + offsetof(struct rt_sigframe, uc);
	regs->rax = 0;
	regs->rsp = frame;
	regs->rip = ka->handler;
	regs->rflags &= ~(0x100UL | 0x400UL);	/* TF, DF: handlers start clean */
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	t->force_iret = true;
	return 0;
}

/* The lowest pending unblocked signal, SIGKILL first; 0 if none. */
static int next_signal(struct task_struct *t)
{
	sigset_t ready = t->pending & (~t->blocked | sigmask(SIGKILL));

	if (!ready)
		return 0;
	if (ready & sigmask(SIGKILL))
		return SIGKILL;
	return __builtin_ctzll(ready) + 1;
}

void do_signal(struct pt_regs *regs)
{
	struct task_struct *t = current;
	int sig;

	while ((sig = next_signal(t))) {
		struct k_sigaction *ka = &t->sighand->action[sig - 1];

		t->pending &= ~sigmask(sig);
		if (sig == SIGKILL || ka->handler == SIG_DFL) {
			if (sig != SIGKILL && sig_default_ignored(sig))
				continue;
			do_group_exit(sig);
		}
		if (ka->handler == SIG_IGN)
			continue;
		if (setup_rt_frame(sig, ka, regs)) {
			pr_info("%s[%d]: cannot write the frame for signal %d at sp %lx\n",
				t->comm, t->pid, sig, (unsigned long)regs->rsp);
			do_group_exit(SIGSEGV);
		}
		t->blocked |= ka->mask & ~UNBLOCKABLE;
		if (!(ka->flags & SA_NODEFER))
			t->blocked |= sigmask(sig);
		if (ka->flags & SA_RESETHAND)
			ka->handler = SIG_DFL;
		t->fault_addr = 0;
		t->fault_code = 0;
		return;
	}
}

int kill_pgrp(int pgid, int sig, struct task_struct *except)
{
	struct task_struct *p;
	int ret = -ESRCH;

	if (sig < 0 || sig > _NSIG)
		return -EINVAL;
	for_each_process(p) {
		if ((pgid && p->pgid != pgid) || p == except)
			continue;
		if (!kill_process(p, sig))
			ret = 0;
	}
	return ret;
}

long sys_kill(unsigned long upid, unsigned long usig)
{
	int pid = (int)upid, sig = (int)usig;
	struct task_struct *p;

	if (usig > _NSIG)
		return -EINVAL;
	if (pid == 0)
		return kill_pgrp(current->pgid, sig, NULL);
	if (pid == -1)
		/* Every process but the caller; no permission checks: one user. */
		return kill_pgrp(0, sig, current->group_leader);
	if (pid < 0)
		return pid == INT_MIN ? -ESRCH : kill_pgrp(-pid, sig, NULL);
	p = find_task_by_pid(pid);
	if (!p || p->group_leader != p)
		return -ESRCH;
	return kill_process(p, sig);
}

static long do_tkill(int tgid, int tid, unsigned long usig)
{
	struct task_struct *t;

	if (usig > _NSIG || tid <= 0)
		return -EINVAL;
	t = find_task_by_pid(tid);
	if (!t || (tgid > 0 && t->tgid != tgid) || t->state == EXIT_ZOMBIE ||
	    t->state == EXIT_DEAD)
		return -ESRCH;
	if (usig == SIGKILL)
		return kill_process(t->group_leader, SIGKILL);
	if (usig)
		send_sig_to_thread(t, usig);
	return 0;
}

long sys_tgkill(unsigned long tgid, unsigned long tid, unsigned long sig)
{
	if ((long)tgid <= 0)
		return -EINVAL;
	return do_tkill((int)tgid, (int)tid, sig);
}

long sys_tkill(unsigned long tid, unsigned long sig)
{
	return do_tkill(0, (int)tid, sig);
}

long sys_rt_sigaction(unsigned long usig, unsigned long act, unsigned long oact,
		      unsigned long sigsetsize)
{
	struct k_sigaction *ka, new;
	int sig = (int)usig;

	if (sigsetsize != sizeof(sigset_t) || usig < 1 || usig > _NSIG)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (act && get_user_mem(&new, act, sizeof(new)))
		return -EFAULT;
	ka = &current->sighand->action[sig - 1];
	if (oact && put_user_mem(oact, ka, sizeof(*ka)))
		return -EFAULT;
	if (act) {
		new.mask &= ~UNBLOCKABLE;
		*ka = new;
		/* Ignoring a signal drops what is pending of it. */
		if (new.handler == SIG_IGN || (new.handler == SIG_DFL && sig_default_ignored(sig)))
			current->pending &= ~sigmask(sig);
	}
	return 0;
}

long sys_rt_sigprocmask(unsigned long how, unsigned long uset, unsigned long oset,
			unsigned long sigsetsize)
{
	struct task_struct *t = current;
	sigset_t set;

	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (uset && get_user_mem(&set, uset, sizeof(set)))
		return -EFAULT;
	if (uset && how > SIG_SETMASK)
		return -EINVAL;
	if (oset && put_user_mem(oset, &t->blocked, sizeof(sigset_t)))
		return -EFAULT;
	if (!uset)
		return 0;
	set &= ~UNBLOCKABLE;
	if (how == SIG_BLOCK)
		t->blocked |= set;
	else if (how == SIG_UNBLOCK)
		t->blocked &= ~set;
	else
		t->blocked = set;
	return 0;
}

long sys_rt_sigreturn(void)
{
	struct task_struct *t = current;
	struct pt_regs *regs = t->user_regs;
	unsigned long frame = regs->rsp - 8;
	struct rt_sigframe f;
	struct sigcontext64 *sc = &f.uc.mc;
	u8 fpu[FPU_STATE_SIZE];

	if (get_user_mem(&f, frame, sizeof(f)) || sc->rip >= TASK_SIZE ||
	    (sc->fpstate && get_user_mem(fpu, sc->fpstate, sizeof(fpu)))) {
		force_sig_fault(SIGSEGV, 0, frame, regs, "rt_sigreturn with a bad frame");
		return 0;
	}
	regs->r8 = sc->r8; regs->r9 = sc->r9; regs->r10 = sc->r10; regs->r11 = sc->r11;
	regs->r12 = sc->r12; regs->r13 = sc->r13; regs->r14 = sc->r14; regs->r15 = sc->r15;
	regs->rdi = sc->rdi; regs->rsi = sc->rsi; regs->rbp = sc->rbp; regs->rbx = sc->rbx;
	regs->rdx = sc->rdx; regs->rcx = sc->rcx; regs->rsp = sc->rsp; regs->rip = sc->rip;
	regs->rflags = (regs->rflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	if (sc->fpstate)
		fpu_restore_current(fpu);
	t->blocked = f.uc.sigmask & ~UNBLOCKABLE;
	/* RCX and R11 are the interrupted code's: SYSRET would clobber them. */
	t->force_iret = true;
	return sc->rax;
}

long sys_pause(void)
{
	while (!signal_pending(current)) {
		current->state = TASK_INTERRUPTIBLE;
		schedule();
	}
	return -EINTR;
}

long sys_sigaltstack(unsigned long uss, unsigned long uoss)
{
	struct task_struct *t = current;
	struct pt_regs *regs = t->user_regs;
	bool on = t->sas_ss_size && regs->rsp - t->sas_ss_sp < t->sas_ss_size;
	struct stack_user ss, old = {
		.ss_sp = t->sas_ss_sp, .ss_size = t->sas_ss_size,
		.ss_flags = on ? SS_ONSTACK : (t->sas_ss_size ? 0 : SS_DISABLE),
	};

	if (uss) {
		if (get_user_mem(&ss, uss, sizeof(ss)))
			return -EFAULT;
		if (on)
			return -EPERM;
		/* SS_AUTODISARM (bit 31) is accepted and not implemented. */
		if (ss.ss_flags & ~(SS_DISABLE | (s32)0x80000000))
			return -EINVAL;
		if (ss.ss_flags & SS_DISABLE) {
			ss.ss_sp = 0;
			ss.ss_size = 0;
		} else if (ss.ss_size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
	}
	if (uoss && put_user_mem(uoss, &old, sizeof(old)))
		return -EFAULT;
	if (uss) {
		t->sas_ss_sp = ss.ss_sp;
		t->sas_ss_size = ss.ss_size;
	}
	return 0;
}
