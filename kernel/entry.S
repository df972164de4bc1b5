/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry. Every vector gets a stub that pushes a
 * uniform frame (a dummy error code where the CPU pushes none, then the
 * vector) and jumps to the common path, which saves the general registers
 * as struct pt_regs (kernel/traps.h) and calls do_trap().
 */
	.macro	TRAP_NOERR vec
	.balign 16
	pushq	$0
	pushq	$\vec
	jmp	trap_common
	.endm

	.macro	TRAP_ERR vec
	.balign 16
	pushq	$\vec
	jmp	trap_common
	.endm

	.text
	.balign 16
	.globl	trap_stubs
trap_stubs:
	TRAP_NOERR 0
	TRAP_NOERR 1
	TRAP_NOERR 2
	TRAP_NOERR 3
	TRAP_NOERR 4
	TRAP_NOERR 5
	TRAP_NOERR 6
	TRAP_NOERR 7
	TRAP_ERR 8
	TRAP_NOERR 9
	TRAP_ERR 10
	TRAP_ERR 11
	TRAP_ERR 12
	TRAP_ERR 13
	TRAP_ERR 14
	TRAP_NOERR 15
	TRAP_NOERR 16
	TRAP_ERR 17
	TRAP_NOERR 18
	TRAP_NOERR 19
	TRAP_NOERR 20
	TRAP_ERR 21
	.irp v, 22,23,24,25,26,27,28
	TRAP_NOERR \v
	.endr
	TRAP_ERR 29
	TRAP_ERR 30
	TRAP_NOERR 31
	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48
	TRAP_NOERR \v
	.endr

	/* The local APIC's vectors (FIRST_SYSTEM_VECTOR up), same shape. */
	.balign 16
	.globl	system_stubs
system_stubs:
	.irp v, 236,237,238,239,240,241,242,243,244,245,246,247,248,249,250,251,252,253,254,255
	TRAP_NOERR \v
	.endr

trap_common:
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
	cld
	movq	%rsp, %rdi
	call	do_trap
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
	addq	$16, %rsp
	iretq
