/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SYSCALLS_H
#define KERNEL_SYSCALLS_H

/*
 * The process, signal, scheduling and memory system calls, as Linux
 * declares them: every argument unsigned long, the result a long that
 * is negative errno on failure. The file calls are in fs/fs_syscalls.h.
 */

/* kernel/task.c */
long sys_getpid(void);
long sys_gettid(void);
long sys_getppid(void);
long sys_set_tid_address(unsigned long tidptr);
long sys_arch_prctl(unsigned long code, unsigned long addr);

/* kernel/sched.c */
long sys_sched_yield(void);
long sys_nanosleep(unsigned long ureq, unsigned long urem);

/* kernel/fork.c */
long sys_clone(unsigned long flags, unsigned long newsp, unsigned long parent_tid,
	       unsigned long child_tid, unsigned long tls);
long sys_fork(void);
long sys_vfork(void);

/* kernel/exec.c */
long sys_execve(unsigned long filename, unsigned long argv, unsigned long envp);

/* kernel/exit.c */
long sys_exit(unsigned long code);
long sys_exit_group(unsigned long code);
long sys_wait4(unsigned long pid, unsigned long wstatus, unsigned long options,
	       unsigned long rusage);

/* kernel/signal.c */
long sys_kill(unsigned long pid, unsigned long sig);
long sys_tgkill(unsigned long tgid, unsigned long tid, unsigned long sig);
long sys_tkill(unsigned long tid, unsigned long sig);
long sys_rt_sigaction(unsigned long sig, unsigned long act, unsigned long oact,
		      unsigned long sigsetsize);
long sys_rt_sigprocmask(unsigned long how, unsigned long set, unsigned long oset,
			unsigned long sigsetsize);
long sys_rt_sigreturn(void);
long sys_sigaltstack(unsigned long uss, unsigned long uoss);
long sys_pause(void);

/* kernel/futex.c */
long sys_set_robust_list(unsigned long head, unsigned long len);
long sys_get_robust_list(unsigned long pid, unsigned long head_ptr, unsigned long len_ptr);
long sys_futex(unsigned long uaddr, unsigned long op, unsigned long val,
	       unsigned long utime, unsigned long uaddr2, unsigned long val3);

/* kernel/sys_mm.c */
long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
	      unsigned long flags, unsigned long fd, unsigned long off);
long sys_munmap(unsigned long addr, unsigned long len);
long sys_mprotect(unsigned long addr, unsigned long len, unsigned long prot);
long sys_madvise(unsigned long addr, unsigned long len, unsigned long advice);
long sys_brk(unsigned long brk);
long sys_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
		unsigned long flags, unsigned long new_addr);
long sys_mincore(unsigned long addr, unsigned long len, unsigned long vec);

#endif
