/* SPDX-License-Identifier: MIT */
/*
 * The AP trampoline: an AP wakes from STARTUP in real mode at
 * CS:IP = (page << 8):0, page below 1 MiB. kernel/realmode.c copies this
 * blob there and fills trampoline_data. It is position independent: the
 * linear base comes from CS, and the few absolute addresses (the GDT's,
 * the two far jumps') are written at run time relative to it.
 *
 *   real mode -> 32-bit protected mode (flat GDT of its own) -> PAE, the
 *   trampoline PML4 (identity map of the low 2 MiB plus the kernel half
 *   of init_pgd), EFER.LME/NXE, paging -> 64-bit code -> the kernel's
 *   secondary_startup_64 on the AP's own stack.
 *
 * start_secondary() then loads the CPU's own GDT, the IDT and init_pgd.
 */
#define CR0_PE		(1 << 0)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xc0000080

#define OFF(x)		((x) - trampoline_start)

	.section .rodata
	.balign 16
	.globl	trampoline_start, trampoline_end, trampoline_data
	.code16
trampoline_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	xorl	%ebx, %ebx
	movw	%ax, %bx
	shll	$4, %ebx			/* linear base of the blob */

	leal	OFF(tr_gdt)(%ebx), %eax
	movl	%eax, OFF(tr_gdt_ptr) + 2
	leal	OFF(tr_pm)(%ebx), %eax
	movl	%eax, OFF(tr_pm_jmp)
	leal	OFF(tr_lm)(%ebx), %eax
	movl	%eax, OFF(tr_lm_jmp)

	lgdtl	OFF(tr_gdt_ptr)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	*OFF(tr_pm_jmp)

	.code32
tr_pm:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	OFF(trampoline_data)(%ebx), %eax	/* cr3 */
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	OFF(trampoline_data) + 4(%ebx), %eax	/* LME, and NXE as the BSP */
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0
	ljmpl	*OFF(tr_lm_jmp)(%ebx)

	.code64
tr_lm:
	movl	%ebx, %ebx			/* the upper half is undefined here */
	movq	OFF(trampoline_data) + 8(%rbx), %rsp
	movq	OFF(trampoline_data) + 24(%rbx), %rdi	/* cpu number */
	movq	OFF(trampoline_data) + 16(%rbx), %rax
	jmp	*%rax

	.balign 8
tr_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdt_ptr:
	.word	4 * 8 - 1
	.long	0
	.balign 4
tr_pm_jmp:
	.long	0
	.word	0x08
	.balign 4
tr_lm_jmp:
	.long	0
	.word	0x18
	.balign 8
/* struct trampoline_data in kernel/realmode.h */
trampoline_data:
	.long	0			/* cr3: the trampoline PML4, below 1 MiB */
	.long	0			/* efer bits to set */
	.quad	0			/* stack top */
	.quad	0			/* entry: secondary_startup_64 */
	.quad	0			/* cpu number */
trampoline_end:

/*
 * In the kernel's text, reached through the kernel half of the
 * trampoline PML4. %rdi: the cpu number, %rsp: its stack.
 */
	.text
	.globl	secondary_startup_64
secondary_startup_64:
	xorl	%ebp, %ebp
	call	start_secondary
1:	cli
	hlt
	jmp	1b
