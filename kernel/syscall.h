/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

/*
 * The system-call entry (SYSCALL/SYSRET, Linux's x86_64 numbers and
 * register convention: rax = number, rdi rsi rdx r10 r8 r9 = arguments,
 * rax = result or -errno) and the return to user mode, where pending
 * work (rescheduling, signals) is done.
 */
#include "kernel/types.h"
#include "kernel/pt_regs_offsets.h"

#define MSR_EFER		0xc0000080
#define EFER_SCE		BIT(0)
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102


struct pt_regs;

/* MSRs, SSE for user code, SMEP/SMAP where the CPU has them: on each CPU. */
void syscall_init(void);
/* The stack the SYSCALL entry switches to (the running task's). */
void syscall_set_kernel_stack(unsigned long top);

/* Called by the entry code, interrupts on; true when SYSRET may return. */
bool do_syscall_64(struct pt_regs *regs);
/* Pending work before any return to ring 3 (interrupts off at return). */
void exit_to_user_mode(struct pt_regs *regs);
/* Exceptions and interrupts taken in ring 3 (entry.S sends them here). */
void do_user_trap(struct pt_regs *regs);

/* The name of a system call number, or NULL. */
const char *syscall_name(unsigned long nr);
/* Call system call nr as a user task would (in-kernel tests). */
long syscall_dispatch(unsigned long nr, unsigned long a0, unsigned long a1,
		      unsigned long a2, unsigned long a3, unsigned long a4,
		      unsigned long a5);

/* Enter ring 3 with regs (a new task's first return; exec). */
__noreturn void return_to_user(struct pt_regs *regs);

#endif
