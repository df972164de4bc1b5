// SPDX-License-Identifier: MIT
/*
 * System-call dispatch, the return to user mode, and exceptions taken in
 * ring 3.
 *
 * SYSRET hazard: SYSRET loads RIP from RCX, and on Intel CPUs a
 * non-canonical RCX makes it raise #GP in ring 0 with the user's RSP
 * already loaded: a user could make the kernel run on a stack of its
 * choosing. So SYSRET is used only when the frame's RIP is a canonical
 * user address and the frame is otherwise one SYSRET can rebuild (user
 * CS/SS, no TF/RF); anything else (rt_sigreturn, exec of a bad entry
 * point, a fork child) returns through IRET, which checks everything.
 */
#include "kernel/syscall.h"
#include "kernel/syscalls.h"
#include "kernel/syscall_table.h"
#include "kernel/bkl.h"
#include "kernel/gdt.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/task.h"
#include "kernel/traps.h"
#include "kernel/uaccess.h"
#include "fs/fs_syscalls.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "libc/errno.h"
#include "libc/string.h"

#define X86_CR0_MP		BIT(1)
#define X86_CR0_EM		BIT(2)
#define X86_CR0_TS		BIT(3)
#define X86_CR4_OSFXSR		BIT(9)
#define X86_CR4_OSXMMEXCPT	BIT(10)
#define X86_CR4_SMEP		BIT(20)
#define X86_EFLAGS_TF		BIT(8)
#define X86_EFLAGS_IF		BIT(9)
#define X86_EFLAGS_DF		BIT(10)
#define X86_EFLAGS_NT		BIT(14)
#define X86_EFLAGS_RF		BIT(16)
#define X86_EFLAGS_IOPL		(3UL << 12)

_Static_assert(offsetof(struct pt_regs, r11) == PT_R11, "pt_regs layout");
_Static_assert(offsetof(struct pt_regs, rax) == PT_RAX, "pt_regs layout");
_Static_assert(offsetof(struct pt_regs, rcx) == PT_RCX, "pt_regs layout");
_Static_assert(offsetof(struct pt_regs, vector) == PT_VECTOR, "pt_regs layout");
_Static_assert(offsetof(struct pt_regs, rip) == PT_RIP, "pt_regs layout");
_Static_assert(offsetof(struct pt_regs, cs) == PT_CS, "pt_regs layout");
_Static_assert(offsetof(struct pt_regs, rflags) == PT_RFLAGS, "pt_regs layout");
_Static_assert(offsetof(struct pt_regs, rsp) == PT_RSP, "pt_regs layout");
_Static_assert(offsetof(struct pt_regs, ss) == PT_SS, "pt_regs layout");
_Static_assert(sizeof(struct pt_regs) == PT_SIZE, "pt_regs layout");

extern char entry_SYSCALL_64[];

typedef long (*syscall_fn_t)(unsigned long, unsigned long, unsigned long,
			     unsigned long, unsigned long, unsigned long);

/* void (*)(void) converts to any function type without a warning. */
#define SC(nr, fn)	[__NR_##nr] = (syscall_fn_t)(void (*)(void))(fn)

static const syscall_fn_t sys_call_table[NR_syscalls] = {
	SC(read, sys_read),
	SC(write, sys_write),
	SC(open, sys_open),
	SC(close, sys_close),
	SC(stat, sys_stat),
	SC(fstat, sys_fstat),
	SC(lseek, sys_lseek),
	SC(mmap, sys_mmap),
	SC(mprotect, sys_mprotect),
	SC(munmap, sys_munmap),
	SC(brk, sys_brk),
	SC(rt_sigaction, sys_rt_sigaction),
	SC(rt_sigprocmask, sys_rt_sigprocmask),
	SC(rt_sigreturn, sys_rt_sigreturn),
	SC(ioctl, sys_ioctl),
	SC(pread64, sys_pread64),
	SC(readv, sys_readv),
	SC(writev, sys_writev),
	SC(sched_yield, sys_sched_yield),
	SC(mremap, sys_mremap),
	SC(mincore, sys_mincore),
	SC(madvise, sys_madvise),
	SC(dup, sys_dup),
	SC(dup2, sys_dup2),
	SC(pause, sys_pause),
	SC(nanosleep, sys_nanosleep),
	SC(getpid, sys_getpid),
	SC(clone, sys_clone),
	SC(fork, sys_fork),
	SC(vfork, sys_vfork),
	SC(execve, sys_execve),
	SC(exit, sys_exit),
	SC(wait4, sys_wait4),
	SC(kill, sys_kill),
	SC(uname, sys_uname),
	SC(fcntl, sys_fcntl),
	SC(getuid, sys_getuid),
	SC(getgid, sys_getgid),
	SC(geteuid, sys_geteuid),
	SC(getegid, sys_getegid),
	SC(getppid, sys_getppid),
	SC(sigaltstack, sys_sigaltstack),
	SC(arch_prctl, sys_arch_prctl),
	SC(gettid, sys_gettid),
	SC(tkill, sys_tkill),
	SC(futex, sys_futex),
	SC(set_tid_address, sys_set_tid_address),
	SC(clock_gettime, sys_clock_gettime),
	SC(exit_group, sys_exit_group),
	SC(tgkill, sys_tgkill),
	SC(getdents64, sys_getdents64),
	SC(openat, sys_openat),
	SC(newfstatat, sys_newfstatat),
	SC(set_robust_list, sys_set_robust_list),
	SC(get_robust_list, sys_get_robust_list),
	SC(prlimit64, sys_prlimit64),
	SC(getrandom, sys_getrandom),
};

#define NAME(nr)	[__NR_##nr] = #nr

static const char *const syscall_names[NR_syscalls] = {
	NAME(read), NAME(write), NAME(open), NAME(close), NAME(stat), NAME(fstat),
	NAME(lstat), NAME(poll), NAME(lseek), NAME(mmap), NAME(mprotect),
	NAME(munmap), NAME(brk), NAME(rt_sigaction), NAME(rt_sigprocmask),
	NAME(rt_sigreturn), NAME(ioctl), NAME(pread64), NAME(pwrite64),
	NAME(readv), NAME(writev), NAME(access), NAME(pipe), NAME(select),
	NAME(sched_yield), NAME(mremap), NAME(msync), NAME(mincore),
	NAME(madvise), NAME(dup), NAME(dup2), NAME(pause), NAME(nanosleep),
	NAME(getitimer), NAME(alarm), NAME(setitimer), NAME(getpid),
	NAME(socket), NAME(clone), NAME(fork), NAME(vfork), NAME(execve),
	NAME(exit), NAME(wait4), NAME(kill), NAME(uname), NAME(fcntl),
	NAME(getcwd), NAME(chdir), NAME(mkdir), NAME(unlink), NAME(readlink),
	NAME(umask), NAME(gettimeofday), NAME(getrlimit), NAME(getrusage),
	NAME(sysinfo), NAME(times), NAME(getuid), NAME(getgid), NAME(setuid),
	NAME(setgid), NAME(geteuid), NAME(getegid), NAME(setpgid),
	NAME(getppid), NAME(getpgrp), NAME(setsid), NAME(getpgid),
	NAME(getsid), NAME(rt_sigpending), NAME(rt_sigtimedwait),
	NAME(rt_sigsuspend), NAME(sigaltstack), NAME(prctl), NAME(arch_prctl),
	NAME(gettid), NAME(tkill), NAME(time), NAME(futex),
	NAME(sched_setaffinity), NAME(sched_getaffinity), NAME(getdents64),
	NAME(set_tid_address), NAME(clock_gettime), NAME(clock_getres),
	NAME(clock_nanosleep), NAME(exit_group), NAME(tgkill), NAME(openat),
	NAME(newfstatat), NAME(readlinkat), NAME(faccessat), NAME(pselect6),
	NAME(ppoll), NAME(set_robust_list), NAME(get_robust_list), NAME(pipe2),
	NAME(prlimit64), NAME(getrandom), NAME(memfd_create), NAME(membarrier),
	NAME(statx), NAME(rseq), NAME(clone3),
};

/*
 * The calls that run without the interim big kernel lock: they take
 * the locks of what they touch themselves (kernel/bkl.h lists what is
 * still under it). sched_yield() touches nothing but the run queue and
 * clock_gettime() nothing but the caller's timespec: the loops that
 * poll with them (64 children waiting for their turn while the parent
 * forks) must not queue for the BKL at every turn. The memory calls
 * take the address space's mmap_lock, as Linux's, so that the threads
 * of one process map, unmap and fault on every CPU at once.
 */
#define NO_BKL(nr)	[__NR_##nr] = true

static const bool syscall_no_bkl[NR_syscalls] = {
	NO_BKL(sched_yield), NO_BKL(clock_gettime),
	NO_BKL(mmap), NO_BKL(munmap), NO_BKL(mprotect), NO_BKL(madvise),
	NO_BKL(mremap), NO_BKL(brk), NO_BKL(mincore),
};

/* One bit per number: each unknown call is reported once. */
static u64 enosys_seen[(NR_syscalls + 63) / 64];
static unsigned long enosys_other_seen;

const char *syscall_name(unsigned long nr)
{
	return nr < NR_syscalls ? syscall_names[nr] : NULL;
}

static void report_enosys(unsigned long nr)
{
	const char *name = syscall_name(nr);

	if (nr < NR_syscalls) {
		if (enosys_seen[nr / 64] & BIT(nr % 64))
			return;
		enosys_seen[nr / 64] |= BIT(nr % 64);
	} else if (enosys_other_seen++) {
		return;
	}
	pr_info("%s[%d]: system call %ld (%s) is not implemented: -ENOSYS\n",
		current->comm, current->pid, (long)nr, name ? name : "unknown");
}

long syscall_dispatch(unsigned long nr, unsigned long a0, unsigned long a1,
		      unsigned long a2, unsigned long a3, unsigned long a4,
		      unsigned long a5)
{
	if (nr >= NR_syscalls || !sys_call_table[nr]) {
		report_enosys(nr);
		return -ENOSYS;
	}
	return sys_call_table[nr](a0, a1, a2, a3, a4, a5);
}

static bool sysret_allowed(const struct pt_regs *regs)
{
	if (current->force_iret) {
		current->force_iret = false;
		return false;
	}
	if (regs->cs != __USER_CS || regs->ss != __USER_DS)
		return false;
	if (regs->rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF))
		return false;
	return regs->rip < TASK_SIZE;
}

bool do_syscall_64(struct pt_regs *regs)
{
	unsigned long nr = regs->error_code;

	/* An unknown number takes it too: reporting it writes a bitmap. */
	if (nr >= NR_syscalls || !syscall_no_bkl[nr])
		bkl_enter();
	current->user_regs = regs;
	regs->rax = syscall_dispatch(nr, regs->rdi, regs->rsi, regs->rdx, regs->r10,
				     regs->r8, regs->r9);
	exit_to_user_mode(regs);
	if (!sysret_allowed(regs))
		return false;
	regs->rcx = regs->rip;
	regs->r11 = regs->rflags;
	return true;
}

void exit_to_user_mode(struct pt_regs *regs)
{
	current->user_regs = regs;
	local_irq_disable();
	while (need_resched() || signal_pending(current)) {
		local_irq_enable();
		/* Preemption needs no BKL: only the signal work does. */
		if (need_resched())
			schedule();
		if (signal_pending(current)) {
			bkl_enter();
			do_signal(regs);
		}
		local_irq_disable();
	}
	bkl_exit();
}

static const char *const user_trap_reason[NR_EXCEPTIONS] = {
	[X86_TRAP_DE] = "divide error",
	[X86_TRAP_UD] = "invalid opcode",
	[X86_TRAP_GP] = "general protection",
	[X86_TRAP_BP] = "breakpoint",
};

static int user_trap_signal(unsigned long vector)
{
	switch (vector) {
	case X86_TRAP_DE:
	case 16:	/* #MF */
	case 19:	/* #XM */
		return SIGFPE;
	case X86_TRAP_UD:
		return SIGILL;
	case X86_TRAP_DB:
	case X86_TRAP_BP:
		return SIGTRAP;
	case 17:	/* #AC */
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

/*
 * A user page fault that mm cannot resolve is a signal, never a kernel
 * fault. The fault itself needs no BKL: handle_mm_fault() takes mmap_lock
 * for read and the page-table locks, as Linux's, so the threads of one
 * process fault on every CPU at once. Only the signal takes it (signals
 * are still under it).
 */
static void do_user_page_fault(struct pt_regs *regs)
{
	unsigned long addr = read_cr2();
	struct mm *mm = current->mm;
	int fault = VM_FAULT_SIGSEGV, si_code = SEGV_MAPERR;

	local_irq_enable();
	if (mm && addr < TASK_SIZE && !(regs->error_code & X86_PF_RSVD))
		fault = handle_mm_fault(mm, addr, regs->error_code, &si_code);
	if (!fault)
		return;
	bkl_enter();
	if (fault & VM_FAULT_SIGBUS)
		force_sig_fault(SIGBUS, BUS_ADRERR, addr, regs, "bus error (no huge page in the pool)");
	else if (fault & VM_FAULT_OOM)
		force_sig_fault(SIGKILL, 0, addr, regs, "out of memory");
	else
		force_sig_fault(SIGSEGV, si_code, addr, regs,
				si_code == SEGV_ACCERR ? "segfault (access not allowed by the mapping)" :
				"segfault (no mapping at the address)");
}

void do_user_trap(struct pt_regs *regs)
{
	/* RFLAGS.AC set in ring 3 stays set on an interrupt: SMAP would be off. */
	if (smap_enabled())
		__asm__ __volatile__("clac" ::: "memory");
	current->user_regs = regs;
	if (regs->vector >= NR_EXCEPTIONS) {
		do_trap(regs);		/* an interrupt */
	} else if (regs->vector == X86_TRAP_PF) {
		do_user_page_fault(regs);
	} else if (regs->vector == X86_TRAP_NMI || regs->vector == X86_TRAP_MC ||
		   regs->vector == X86_TRAP_DF) {
		do_trap(regs);		/* the machine's problem, not the task's */
	} else {
		const char *why = user_trap_reason[regs->vector];

		bkl_enter();
		force_sig_fault(user_trap_signal(regs->vector), 0, 0, regs,
				why ? why : trap_name(regs->vector));
	}
	exit_to_user_mode(regs);
}

void syscall_set_kernel_stack(unsigned long top)
{
	this_cpu()->syscall_kernel_rsp = top;
}

static void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

static unsigned long read_cr0(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
	return v;
}

static unsigned long read_cr4(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void write_cr0(unsigned long v)
{
	__asm__ __volatile__("mov %0, %%cr0" :: "r"(v) : "memory");
}

static void write_cr4(unsigned long v)
{
	__asm__ __volatile__("mov %0, %%cr4" :: "r"(v) : "memory");
}

/* SSE for user programs (the kernel itself is built without it). */
static void fpu_enable(void)
{
	write_cr0((read_cr0() & ~(X86_CR0_EM | X86_CR0_TS)) | X86_CR0_MP);
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	__asm__ __volatile__("fninit");
}

static void smep_smap_enable(void)
{
	u32 a, b, c, d, max;
	unsigned long cr4 = read_cr4();

	cpuid_count(0, 0, &max, &b, &c, &d);
	if (max < 7) {
		pr_info("syscall: no SMEP/SMAP on this CPU\n");
		return;
	}
	cpuid_count(7, 0, &a, &b, &c, &d);
	if (b & BIT(7))
		cr4 |= X86_CR4_SMEP;
	if (b & BIT(20))
		cr4 |= X86_CR4_SMAP;
	write_cr4(cr4);
	pr_info("syscall: SMEP %s, SMAP %s\n", b & BIT(7) ? "on" : "absent (not enforced)",
		b & BIT(20) ? "on" : "absent (not enforced)");
}

void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSRET: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8, RPL 3. */
	wrmsr(MSR_STAR, ((u64)(__USER_DS - 8 - 3) << 48) | ((u64)__KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (unsigned long)entry_SYSCALL_64);
	wrmsr(MSR_SYSCALL_MASK, X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF |
	      X86_EFLAGS_IOPL | X86_EFLAGS_AC | X86_EFLAGS_NT);
	fpu_enable();
	smep_smap_enable();
}
