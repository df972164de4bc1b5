/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_PT_REGS_OFFSETS_H
#define KERNEL_PT_REGS_OFFSETS_H

/*
 * Offsets in struct pt_regs (kernel/traps.h) for the assembly entry
 * code, and the macros that save and restore its general registers;
 * kernel/syscall.c checks the offsets at build time.
 */
#define PT_R11		48
#define PT_RAX		80
#define PT_RCX		88
#define PT_VECTOR	120
#define PT_RIP		136
#define PT_CS		144
#define PT_RFLAGS	152
#define PT_RSP		160
#define PT_SS		168
#define PT_SIZE		176

/* pt_regs.vector of a frame built by the SYSCALL entry. */
#define SYSCALL_VECTOR	0x100

#ifdef __ASSEMBLY__
/* The general registers, in struct pt_regs order (lowest address last pushed). */
	.macro	PUSH_REGS
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm

	.macro	POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	.endm
#endif

#endif
