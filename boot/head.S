/* SPDX-License-Identifier: MIT */
/*
 * 32-bit entry from GRUB and the switch to long mode.
 *
 * GRUB leaves us in 32-bit protected mode, paging off, with EAX holding
 * the Multiboot2 magic and EBX the physical address of the boot
 * information. We build just enough page tables to run the higher-half
 * kernel: the first 4 GiB identity mapped (so this code keeps running
 * after paging is on, and the boot information stays readable), the same
 * 4 GiB at PAGE_OFFSET (the start of the direct map), and the first 2 GiB
 * at __START_KERNEL_map. mm/ replaces all of it with the kernel's own
 * tables once the memory map is known.
 */
#include "boot/multiboot2.h"

#define CR0_PG		(1 << 31)
#define CR0_WP		(1 << 16)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_PS		0x080
#define COM1		0x3f8
#define KERNEL_VMA	0xffffffff80000000

	.section .boot.text, "ax"
	.code32
	.globl	_start
_start:
	cli
	cld
	movl	$boot_stack_top, %esp
	movl	%eax, boot_magic
	movl	%ebx, boot_info

	cmpl	$MULTIBOOT2_BOOTLOADER_MAGIC, %eax
	jne	.Lno_multiboot

	/* CPUID exists if EFLAGS.ID can be toggled. */
	pushfl
	popl	%eax
	movl	%eax, %ecx
	xorl	$(1 << 21), %eax
	pushl	%eax
	popfl
	pushfl
	popl	%eax
	pushl	%ecx
	popfl
	cmpl	%eax, %ecx
	je	.Lno_long_mode

	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	.Lno_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx
	jz	.Lno_long_mode
	movl	%edx, %esi		/* bit 20: NX */

	/* The tables live in .boot.bss: zero them, GRUB need not. */
	movl	$early_pgtables, %edi
	movl	$(early_pgtables_end - early_pgtables), %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl

	/* 2048 2 MiB leaves: physical 0..4 GiB. */
	movl	$early_pd, %edi
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P | PTE_W | PTE_PS), %eax
	movl	%eax, (%edi, %ecx, 8)
	movl	%ecx, %eax
	shrl	$11, %eax		/* high half of the address */
	movl	%eax, 4(%edi, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	1b

	/* Low PDPT: four PDs, shared by the identity map and PAGE_OFFSET. */
	movl	$early_pdpt_low, %edi
	movl	$(early_pd + (PTE_P | PTE_W)), %eax
	movl	%eax, 0(%edi)
	addl	$4096, %eax
	movl	%eax, 8(%edi)
	addl	$4096, %eax
	movl	%eax, 16(%edi)
	addl	$4096, %eax
	movl	%eax, 24(%edi)

	/* High PDPT: entries 510/511 = the kernel's -2 GiB window. */
	movl	$early_pdpt_high, %edi
	movl	$(early_pd + (PTE_P | PTE_W)), %eax
	movl	%eax, (510 * 8)(%edi)
	addl	$4096, %eax
	movl	%eax, (511 * 8)(%edi)

	movl	$early_pml4, %edi
	movl	$(early_pdpt_low + (PTE_P | PTE_W)), %eax
	movl	%eax, 0(%edi)			/* identity */
	movl	%eax, (273 * 8)(%edi)		/* 0xffff888000000000 */
	movl	$(early_pdpt_high + (PTE_P | PTE_W)), %eax
	movl	%eax, (511 * 8)(%edi)		/* 0xffffff8000000000 */

	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$early_pml4, %eax
	movl	%eax, %cr3

	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	testl	$(1 << 20), %esi
	jz	2f
	orl	$EFER_NXE, %eax
2:	wrmsr

	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$0x08, $long_mode_entry

.Lno_multiboot:
	movl	$msg_no_multiboot, %esi
	jmp	early_fail
.Lno_long_mode:
	movl	$msg_no_long_mode, %esi
	jmp	early_fail

/*
 * Nothing is set up yet: write the reason to COM1 and to the VGA text
 * buffer (one of them is seen on any machine), then stop.
 */
early_fail:
	movl	$0xb8000, %edi
1:	lodsb
	testb	%al, %al
	jz	3f
	movb	%al, %bl
	movw	$(COM1 + 5), %dx
2:	inb	%dx, %al
	testb	$0x20, %al
	jz	2b
	movw	$COM1, %dx
	movb	%bl, %al
	outb	%al, %dx
	movb	%bl, (%edi)
	movb	$0x4f, 1(%edi)
	addl	$2, %edi
	jmp	1b
3:	cli
	hlt
	jmp	3b

	.code64
long_mode_entry:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movabsq	$startup_64, %rax
	jmp	*%rax

	.section .boot.data, "a"
	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 64-bit code */
	.quad	0x00cf92000000ffff	/* data */
boot_gdt_ptr:
	.word	boot_gdt_ptr - boot_gdt - 1
	.long	boot_gdt
	.globl	boot_magic, boot_info
boot_magic:
	.long	0
boot_info:
	.long	0
msg_no_multiboot:
	.asciz	"pagefold: not started by a Multiboot2 loader (boot it through GRUB's multiboot2 command)"
msg_no_long_mode:
	.asciz	"pagefold: this CPU has no long mode (x86_64 required)"

	.section .boot.bss, "aw", @nobits
	.balign 4096
	.globl	early_pml4
early_pgtables:
early_pml4:
	.skip	4096
early_pdpt_low:
	.skip	4096
early_pdpt_high:
	.skip	4096
early_pd:
	.skip	4 * 4096
early_pgtables_end:
boot_stack:
	.skip	4096
boot_stack_top:

/*
 * Now in the higher half. The boot stack is only good for the 32-bit
 * code: switch to the kernel's init stack (in .bss, below its guard page
 * once mm/ maps the kernel) and enter C.
 */
	.section .text.entry, "ax"
	.globl	startup_64
startup_64:
	movabsq	$init_stack_top, %rsp
	xorl	%ebp, %ebp
	movl	boot_magic, %edi
	movl	boot_info, %esi
	call	start_kernel
1:	cli
	hlt
	jmp	1b

	.section .bss
	.balign 4096
	.globl	init_stack_guard, init_stack, init_stack_top
init_stack_guard:
	.skip	4096
init_stack:
	.skip	4 * 4096
init_stack_top:
