/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_UACCESS_H
#define KERNEL_UACCESS_H

/*
 * Kernel access to the user half, as Linux has it. Each access
 * instruction has an EX_TYPE_UACCESS exception-table entry: a page that is
 * only not yet faulted in is served by the mm fault handler, a bad address
 * makes the call fail. A kernel-mode fault on a user address from any
 * other instruction is a kernel bug and reported as one.
 *
 * With CR4.SMAP set the accesses run between stac and clac; the flag is
 * read from CR4 on each call, so turning SMAP on needs nothing else.
 */
#include "kernel/types.h"

/* Sparse's marker in Linux; here it only documents. */
#define __user

/*
 * The top of the user half: the last page below the canonical hole stays
 * unmapped, as on Linux (mm/mmap.h's TASK_SIZE is the same value).
 */
#define TASK_SIZE_MAX	((1UL << 47) - SZ_4K)

#define X86_CR4_SMAP	BIT(21)
#define X86_EFLAGS_AC	BIT(18)

/* The whole of [addr, addr + size) is in the user half; size 0 is fine. */
static inline bool access_ok(const void __user *addr, unsigned long size)
{
	unsigned long a = (unsigned long)addr;

	return size <= TASK_SIZE_MAX && a <= TASK_SIZE_MAX - size;
}

static inline bool smap_enabled(void)
{
	unsigned long cr4;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
	return cr4 & X86_CR4_SMAP;
}

/* Each returns the number of bytes NOT copied (0 on success). */
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
/* Returns the number of bytes NOT cleared. */
unsigned long clear_user(void __user *to, unsigned long n);

/*
 * Copy a NUL-terminated string of at most count bytes: its length (the
 * NUL copied), count when no NUL came within count bytes (dst is then
 * not terminated), or -EFAULT.
 */
long strncpy_from_user(char *dst, const char __user *src, long count);

/* 0 or -EFAULT (*val left as it was). */
int get_user_u64(u64 *val, const u64 __user *uaddr);
int put_user_u64(u64 val, u64 __user *uaddr);

#endif
