// SPDX-License-Identifier: MIT
#include "kernel/syscall_uaccess.h"
#include "kernel/syscall.h"
#include "kernel/task.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "kernel/traps.h"
#include "kernel/uaccess.h"
#include "libc/errno.h"
#include "libc/string.h"

/* Every page of [uaddr, uaddr + n) mapped and allowing the access. */
static int fault_in_user_range(unsigned long uaddr, size_t n, bool write)
{
	struct mm *mm = current->mm;
	unsigned long end = uaddr + n, addr;
	unsigned long err = X86_PF_USER | (write ? X86_PF_WRITE : 0);
	int si_code;

	if (!n)
		return 0;
	if (!mm || end < uaddr || end > TASK_SIZE)
		return -EFAULT;
	for (addr = ALIGN_DOWN(uaddr, PAGE_SIZE); addr < end; addr += PAGE_SIZE)
		if (fault_in_user_page(mm, addr, err, write ? VM_WRITE : VM_READ, &si_code))
			return -EFAULT;
	return 0;
}

/*
 * The range is faulted in first (and must allow the access), but the
 * copy itself is one of kernel/uaccess.h's, which may fault all the
 * same: another thread of the process may zap, unmap or write-protect
 * (fork) the pages on another CPU in between, since the memory system
 * calls and faults run without the big kernel lock. Such a fault is
 * served again, or the copy fails with -EFAULT.
 */
int get_user_mem(void *dst, unsigned long uaddr, size_t n)
{
	if (fault_in_user_range(uaddr, n, false))
		return -EFAULT;
	return copy_from_user(dst, (const void __user *)uaddr, n) ? -EFAULT : 0;
}

int put_user_mem(unsigned long uaddr, const void *src, size_t n)
{
	if (fault_in_user_range(uaddr, n, true))
		return -EFAULT;
	return copy_to_user((void __user *)uaddr, src, n) ? -EFAULT : 0;
}

/* In kernel/uaccess_64.S, with an exception-table entry like the copies'. */
int __cmpxchg_user_u32(u32 __user *uaddr, u32 old, u32 new, u32 *cur);

int cmpxchg_user_u32(unsigned long uaddr, u32 old, u32 new, u32 *cur)
{
	if ((uaddr & 3) || fault_in_user_range(uaddr, sizeof(u32), true))
		return -EFAULT;
	if (!access_ok((u32 __user *)uaddr, sizeof(u32)))
		return -EFAULT;
	return __cmpxchg_user_u32((u32 __user *)uaddr, old, new, cur);
}

long get_user_str(char *dst, unsigned long uaddr, size_t max)
{
	size_t i = 0;

	while (i < max) {
		/* Up to the end of this page: the next may not exist. */
		size_t chunk = min(max - i, PAGE_SIZE - ((uaddr + i) & (PAGE_SIZE - 1)));
		const char *nul;

		if (get_user_mem(dst + i, uaddr + i, chunk))
			return -EFAULT;
		nul = memchr(dst + i, 0, chunk);
		if (nul)
			return nul - dst;
		i += chunk;
	}
	return -ENAMETOOLONG;
}
