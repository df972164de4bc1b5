// SPDX-License-Identifier: MIT
/*
 * The memory system calls: argument decoding and Linux's errors around
 * the address-space calls of mm/mmap.c, which validate everything and
 * change nothing when they fail.
 */
#include "kernel/syscalls.h"
#include "kernel/syscall_uaccess.h"
#include "kernel/task.h"
#include "mm/gup.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "libc/errno.h"

#define MINCORE_CHUNK	256

long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
	      unsigned long flags, unsigned long fd, unsigned long off)
{
	struct mm *mm = current->mm;

	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	/* No file can be mapped: there are no mappable files. */
	if (!(flags & MAP_ANONYMOUS))
		return (int)fd < 0 ? -EBADF : -ENODEV;
	return do_mmap(mm, addr, len, prot, flags);
}

long sys_munmap(unsigned long addr, unsigned long len)
{
	return do_munmap(current->mm, addr, len);
}

long sys_mprotect(unsigned long addr, unsigned long len, unsigned long prot)
{
	return do_mprotect(current->mm, addr, len, prot);
}

long sys_madvise(unsigned long addr, unsigned long len, unsigned long advice)
{
	if (advice > 0x7fffffff)
		return -EINVAL;
	return do_madvise(current->mm, addr, len, (int)advice);
}

long sys_brk(unsigned long brk)
{
	return do_brk(current->mm, brk);
}

long sys_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
		unsigned long flags, unsigned long new_addr)
{
	return do_mremap(current->mm, addr, old_len, new_len, flags, new_addr);
}

long sys_mincore(unsigned long addr, unsigned long len, unsigned long vec)
{
	struct mm *mm = current->mm;
	unsigned long end, a;
	u8 buf[MINCORE_CHUNK];
	unsigned int n = 0;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	end = addr + ALIGN(len, PAGE_SIZE);
	if (end < addr || end > TASK_SIZE)
		return -ENOMEM;
	mmap_read_lock(mm);
	for (a = addr; a < end; a += PAGE_SIZE) {
		if (!vma_lookup(mm, a)) {
			mmap_read_unlock(mm);
			return -ENOMEM;
		}
	}
	mmap_read_unlock(mm);
	/* The lockless walker: no lock is held across put_user_mem()'s faults. */
	for (a = addr; a < end; a += PAGE_SIZE) {
		buf[n++] = gup_fast_present(mm, a);
		if (n == MINCORE_CHUNK || a + PAGE_SIZE == end) {
			if (put_user_mem(vec, buf, n))
				return -EFAULT;
			vec += n;
			n = 0;
		}
	}
	return 0;
}
