/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry. Every vector gets a stub that pushes a
 * uniform frame (a dummy error code where the CPU pushes none, then the
 * vector) and jumps to the common path, which saves the general registers
 * as struct pt_regs (kernel/traps.h) and calls do_trap(), or, when
 * the CPU was in ring 3, do_user_trap() (kernel/syscall.c), which also
 * does the work due before returning there.
 *
 * GS: an entry from ring 3 swaps in the kernel's (the per-CPU area) with
 * SWAPGS and the return to ring 3 swaps the user's back, as the SYSCALL
 * path does. NMI, #DF and #MC can also arrive in ring 0 in the few
 * instructions where GS is still the user's (right after SYSCALL, right
 * before SYSRET or IRET): for those three the entry reads MSR_GS_BASE,
 * Linux's paranoid entry, and swaps only when it holds a user address.
 */
#include "kernel/pt_regs_offsets.h"

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

#define MSR_GS_BASE	0xc0000101

trap_common:
	PUSH_REGS
	cld
	movq	%rsp, %rdi
	/* From ring 3 (CS's RPL): the user path, which may switch tasks. */
	testb	$3, PT_CS(%rsp)
	jnz	1f
	cmpq	$2, PT_VECTOR(%rsp)		/* NMI */
	je	paranoid_entry
	cmpq	$8, PT_VECTOR(%rsp)		/* #DF */
	je	paranoid_entry
	cmpq	$18, PT_VECTOR(%rsp)		/* #MC */
	je	paranoid_entry
	call	do_trap
	jmp	restore_regs_and_iret
1:	swapgs
	call	do_user_trap
	jmp	restore_regs_and_iret

paranoid_entry:
	movl	$MSR_GS_BASE, %ecx
	rdmsr
	testl	%edx, %edx
	js	2f				/* a kernel address: the per-CPU area */
	swapgs
	call	do_trap
	swapgs
	jmp	restore_regs_and_iret
2:	call	do_trap

	/* Interrupts are off: nothing may run between SWAPGS and IRETQ. */
	.globl	restore_regs_and_iret
restore_regs_and_iret:
	testb	$3, PT_CS(%rsp)
	jz	3f
	swapgs
3:	POP_REGS
	addq	$16, %rsp
	iretq
