/* SPDX-License-Identifier: MIT */
/*
 * SYSCALL entry and return, and the first return of a new task.
 *
 * The CPU arrives with the user RSP, RIP in RCX, RFLAGS in R11, and IF
 * cleared by SFMASK, so nothing can interrupt before the kernel stack is
 * loaded. GS is the user's until SWAPGS, which swaps in the per-CPU area
 * from MSR_KERNEL_GS_BASE (and parks the user's GS base there, where
 * arch_prctl(ARCH_SET_GS) and the context switch find it), as Linux:
 * the CPU's area holds the running task's stack top and a scratch slot
 * for the user RSP. The frame built is struct pt_regs, the same as an
 * interrupt from ring 3 builds at the same place (the top of the task's
 * kernel stack), so every return path can use IRET. SYSRET is taken
 * only when do_syscall_64() says the frame allows it (see there: the
 * non-canonical RIP hazard); both swap GS back just before leaving.
 */
#include "kernel/gdt.h"
#include "kernel/percpu.h"
#include "kernel/pt_regs_offsets.h"

	.text
	.balign	16
	.globl	entry_SYSCALL_64
entry_SYSCALL_64:
	swapgs
	movq	%rsp, %gs:PERCPU_USER_RSP
	movq	%gs:PERCPU_KERNEL_RSP, %rsp
	pushq	$__USER_DS
	pushq	%gs:PERCPU_USER_RSP
	pushq	%r11
	pushq	$__USER_CS
	pushq	%rcx
	pushq	%rax			/* error_code: the number, as orig_ax */
	pushq	$SYSCALL_VECTOR
	PUSH_REGS
	cld
	movq	%rsp, %rdi
	sti
	call	do_syscall_64
	cli
	testb	%al, %al
	jz	restore_regs_and_iret
	/* do_syscall_64 put RIP in RCX and RFLAGS in R11 for SYSRET. */
	POP_REGS
	movq	PT_RSP - PT_VECTOR(%rsp), %rsp
	swapgs
	sysretq

/*
 * A new task's first run: __switch_to_asm "returns" here with RBX the
 * kernel thread function (0 for a user task) and R12 its argument. A
 * user task's frame is at the stack pointer.
 */
	.globl	ret_from_fork
ret_from_fork:
	call	schedule_tail
	testq	%rbx, %rbx
	jz	1f
	sti
	movq	%r12, %rdi
	call	*%rbx
	call	kthread_exit
1:	movq	%rsp, %rdi
	call	exit_to_user_mode
	jmp	restore_regs_and_iret

/* return_to_user(regs): drop the current stack and IRET through regs. */
	.globl	return_to_user
return_to_user:
	cli
	movq	%rdi, %rsp
	jmp	restore_regs_and_iret

/*
 * __switch_to_asm(&prev->thread_sp, next->thread_sp): the callee-saved
 * registers are all a C caller expects to survive; the rest of the
 * state (CR3, FS base, FPU, TSS) is switched in C around this.
 */
	.globl	__switch_to_asm
__switch_to_asm:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
