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

void user_access_begin(void)
{
	if (smap_enabled())
		__asm__ __volatile__("stac" ::: "memory");
}

void user_access_end(void)
{
	if (smap_enabled())
		__asm__ __volatile__("clac" ::: "memory");
}

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
	for (addr = ALIGN_DOWN(uaddr, PAGE_SIZE); addr < end; addr += PAGE_SIZE) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);

		if (!vma || !(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
			return -EFAULT;
		if (handle_mm_fault(mm, addr, err, &si_code))
			return -EFAULT;
	}
	return 0;
}

int get_user_mem(void *dst, unsigned long uaddr, size_t n)
{
	if (fault_in_user_range(uaddr, n, false))
		return -EFAULT;
	user_access_begin();
	memcpy(dst, (const void *)uaddr, n);
	user_access_end();
	return 0;
}

int put_user_mem(unsigned long uaddr, const void *src, size_t n)
{
	if (fault_in_user_range(uaddr, n, true))
		return -EFAULT;
	user_access_begin();
	memcpy((void *)uaddr, src, n);
	user_access_end();
	return 0;
}

int cmpxchg_user_u32(unsigned long uaddr, u32 old, u32 new, u32 *cur)
{
	u32 *p = (u32 *)uaddr;

	if ((uaddr & 3) || fault_in_user_range(uaddr, sizeof(u32), true))
		return -EFAULT;
	user_access_begin();
	__asm__ __volatile__("lock cmpxchgl %2, %1"
			     : "+a"(old), "+m"(*p) : "r"(new) : "memory");
	user_access_end();
	*cur = old;
	return 0;
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
