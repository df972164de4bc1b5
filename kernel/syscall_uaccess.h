/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SYSCALL_UACCESS_H
#define KERNEL_SYSCALL_UACCESS_H

/*
 * User memory for the system calls of this directory. Each range is
 * checked against the caller's VMAs and faulted in (copy-on-write broken
 * for a write) before a byte moves, so the copy itself cannot fault: one
 * CPU and a kernel that is not preemptible mean nothing can unmap the
 * range in between. A bad pointer is -EFAULT, never a kernel fault.
 */
#include "kernel/types.h"

int get_user_mem(void *dst, unsigned long uaddr, size_t n);
int put_user_mem(unsigned long uaddr, const void *src, size_t n);
/* A NUL-terminated string of at most max - 1 bytes: its length, -EFAULT, -ENAMETOOLONG. */
long get_user_str(char *dst, unsigned long uaddr, size_t max);

static inline int get_user_u32(u32 *v, unsigned long uaddr)
{
	return get_user_mem(v, uaddr, sizeof(*v));
}

static inline int put_user_u32(unsigned long uaddr, u32 v)
{
	return put_user_mem(uaddr, &v, sizeof(v));
}

static inline int get_user_ulong(unsigned long *v, unsigned long uaddr)
{
	return get_user_mem(v, uaddr, sizeof(*v));
}

static inline int put_user_ulong(unsigned long uaddr, unsigned long v)
{
	return put_user_mem(uaddr, &v, sizeof(v));
}

/*
 * An atomic compare-and-exchange of the aligned u32 at uaddr (futexes:
 * user space changes the word from other CPUs meanwhile). 0 with the
 * value found in *cur (the exchange happened if it equals old), or -EFAULT.
 */
int cmpxchg_user_u32(unsigned long uaddr, u32 old, u32 new, u32 *cur);

#endif
