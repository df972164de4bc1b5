/* SPDX-License-Identifier: MIT */
/*
 * The faulting instruction of each probe has an __ex_table entry
 * (instruction, fixup); kernel/extable.c moves RIP to the fixup, which
 * returns -EFAULT (-14).
 */
#include "kernel/extable.h"

	.text
	.globl	probe_read_u8
probe_read_u8:
1:	movb	(%rdi), %al
	movb	%al, (%rsi)
	xorl	%eax, %eax
	ret
	EXTABLE	1b, probe_fail

	.globl	probe_read_u64
probe_read_u64:
1:	movq	(%rdi), %rax
	movq	%rax, (%rsi)
	xorl	%eax, %eax
	ret
	EXTABLE	1b, probe_fail

	.globl	probe_write_u8
probe_write_u8:
1:	movb	%sil, (%rdi)
	xorl	%eax, %eax
	ret
	EXTABLE	1b, probe_fail

	.globl	probe_write_u64
probe_write_u64:
1:	movq	%rsi, (%rdi)
	xorl	%eax, %eax
	ret
	EXTABLE	1b, probe_fail

probe_fail:
	movl	$-14, %eax
	ret
