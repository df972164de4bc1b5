/* SPDX-License-Identifier: MIT */
/*
 * The access instructions of kernel/uaccess.h. Each has an
 * EX_TYPE_UACCESS entry; a fault the mm cannot serve resumes at the
 * fixup, which reports what was left undone. The callers have checked
 * the range (access_ok).
 */
#include "kernel/extable.h"

#define CR4_SMAP_BIT	21

/* r11 is free to clobber: not an argument, not callee-saved. */
	.macro	ASM_STAC
	movq	%cr4, %r11
	btq	$CR4_SMAP_BIT, %r11
	jnc	.Lno_stac\@
	stac
.Lno_stac\@:
	.endm

	.macro	ASM_CLAC
	movq	%cr4, %r11
	btq	$CR4_SMAP_BIT, %r11
	jnc	.Lno_clac\@
	clac
.Lno_clac\@:
	.endm

	.text
/* unsigned long __copy_user(void *to, const void *from, unsigned long n) */
	.globl	__copy_user
	.type	__copy_user, @function
__copy_user:
	movq	%rdx, %rcx
	ASM_STAC
1:	rep movsb
	ASM_CLAC
	xorl	%eax, %eax
	ret
	.size	__copy_user, . - __copy_user
	EXTABLE	1b, uaccess_fail_count, EX_TYPE_UACCESS

/* unsigned long __clear_user(void *to, unsigned long n) */
	.globl	__clear_user
	.type	__clear_user, @function
__clear_user:
	movq	%rsi, %rcx
	xorl	%eax, %eax
	ASM_STAC
1:	rep stosb
	ASM_CLAC
	xorl	%eax, %eax
	ret
	.size	__clear_user, . - __clear_user
	EXTABLE	1b, uaccess_fail_count, EX_TYPE_UACCESS

/* A faulted rep string instruction leaves the bytes not done in rcx. */
uaccess_fail_count:
	ASM_CLAC
	movq	%rcx, %rax
	ret

/* long __strncpy_from_user(char *dst, const char *src, long count) */
	.globl	__strncpy_from_user
	.type	__strncpy_from_user, @function
__strncpy_from_user:
	xorl	%eax, %eax
	ASM_STAC
2:	cmpq	%rdx, %rax
	je	3f
1:	movb	(%rsi,%rax), %cl
	movb	%cl, (%rdi,%rax)
	testb	%cl, %cl
	jz	3f
	incq	%rax
	jmp	2b
3:	ASM_CLAC
	ret
	.size	__strncpy_from_user, . - __strncpy_from_user
	EXTABLE	1b, uaccess_fail_efault, EX_TYPE_UACCESS

/* int __get_user_u64(u64 *val, const u64 *uaddr) */
	.globl	__get_user_u64
	.type	__get_user_u64, @function
__get_user_u64:
	ASM_STAC
1:	movq	(%rsi), %rax
	ASM_CLAC
	movq	%rax, (%rdi)
	xorl	%eax, %eax
	ret
	.size	__get_user_u64, . - __get_user_u64
	EXTABLE	1b, uaccess_fail_efault, EX_TYPE_UACCESS

/* int __put_user_u64(u64 val, u64 *uaddr) */
	.globl	__put_user_u64
	.type	__put_user_u64, @function
__put_user_u64:
	ASM_STAC
1:	movq	%rdi, (%rsi)
	ASM_CLAC
	xorl	%eax, %eax
	ret
	.size	__put_user_u64, . - __put_user_u64
	EXTABLE	1b, uaccess_fail_efault, EX_TYPE_UACCESS

/*
 * int __cmpxchg_user_u32(u32 *uaddr, u32 old, u32 new, u32 *cur): the
 * word's value before the exchange in *cur, 0; or -EFAULT.
 */
	.globl	__cmpxchg_user_u32
	.type	__cmpxchg_user_u32, @function
__cmpxchg_user_u32:
	movl	%esi, %eax
	ASM_STAC
1:	lock cmpxchgl %edx, (%rdi)
	ASM_CLAC
	movl	%eax, (%rcx)
	xorl	%eax, %eax
	ret
	.size	__cmpxchg_user_u32, . - __cmpxchg_user_u32
	EXTABLE	1b, uaccess_fail_efault, EX_TYPE_UACCESS

uaccess_fail_efault:
	ASM_CLAC
	movq	$-14, %rax
	ret
