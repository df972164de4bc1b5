/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

/*
 * Signals, Linux's numbers and x86_64 frame. Handlers are delivered on
 * the return to user mode (on the alternate stack with SA_ONSTACK), with
 * Linux's rt_sigframe so that musl's sigreturn path works; the default
 * actions are terminate (most), ignore (SIGCHLD, SIGURG, SIGWINCH, and
 * the stop signals: there is no job control); the "core" signals
 * terminate without a core file, so without WCOREDUMP in the status.
 *
 * Pending signals are per thread: kill() to a process picks its first
 * thread that does not block the signal (the leader if all do), tgkill()
 * the thread named. SIGKILL, and a deadly signal with the default action,
 * take the whole thread group down.
 */
#include "kernel/types.h"
#include "kernel/task.h"

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGWINCH	28
#define SIGSYS		31

#define SIG_DFL		0UL
#define SIG_IGN		1UL

#define SA_NOCLDSTOP	0x00000001
#define SA_SIGINFO	0x00000004
#define SA_ONSTACK	0x08000000
#define SA_RESTORER	0x04000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000

#define SS_ONSTACK	1
#define SS_DISABLE	2
#define MINSIGSTKSZ	2048

#define BUS_ADRERR	2
#define SI_USER		0
#define SI_TKILL	(-6)

#define sigmask(sig)	(1ULL << ((sig) - 1))

struct k_sigaction {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	sigset_t mask;
};

struct sighand_struct {
	int count;			/* tasks sharing it (CLONE_SIGHAND) */
	struct k_sigaction action[_NSIG];
};

/* fork/clone: a copy of the current table, or one more user of it. */
struct sighand_struct *sighand_copy(struct sighand_struct *old);
void sighand_put(struct sighand_struct *sh);
/* execve: handlers go back to SIG_DFL; ignored signals stay ignored. */
void flush_signal_handlers(struct sighand_struct *sh);

/* A signal that is pending and not blocked (SIGKILL always counts). */
bool signal_pending(struct task_struct *t);
/* Queue sig for thread t and wake it. */
void send_sig_to_thread(struct task_struct *t, int sig);
/* Queue sig for process p (any of its threads); -ESRCH, -EINVAL, 0. */
int kill_process(struct task_struct *p, int sig);
/* Every process of group pgid (0: every process) but except: 0 or -ESRCH. */
int kill_pgrp(int pgid, int sig, struct task_struct *except);
/*
 * A fault in user mode: the handler runs if there is one and the signal
 * is not blocked; otherwise the process dies, and the one-line report
 * (pid, comm, address, ip, what) is printed now.
 */
void force_sig_fault(int sig, int code, unsigned long addr, struct pt_regs *regs,
		     const char *what);
/* Deliver what is pending (called on the way back to user mode). */
void do_signal(struct pt_regs *regs);

#endif
