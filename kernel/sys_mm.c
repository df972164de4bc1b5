// SPDX-License-Identifier: MIT
/*
 * The memory system calls: argument decoding and Linux's errors around
 * the address-space calls of mm/mmap.c, which validate everything and
 * change nothing when they fail.
 */
#include "kernel/syscalls.h"
#include "kernel/syscall_uaccess.h"
#include "kernel/task.h"
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

/*
 * The heap is one anonymous mapping grown and shrunk at its end. Linux's
 * answer to a request it cannot meet is the current break, not an error.
 */
long sys_brk(unsigned long brk)
{
	struct mm *mm = current->mm;
	unsigned long new_end = ALIGN(brk, PAGE_SIZE), old_end = ALIGN(mm->brk, PAGE_SIZE);

	if (brk < mm->start_brk || brk > TASK_SIZE)
		return mm->brk;
	if (new_end > old_end &&
	    do_mmap(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE) < 0)
		return mm->brk;
	if (new_end < old_end && do_munmap(mm, new_end, old_end - new_end))
		return mm->brk;
	mm->brk = brk;
	return brk;
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
	for (a = addr; a < end; a += PAGE_SIZE)
		if (!vma_lookup(mm, a))
			return -ENOMEM;
	for (a = addr; a < end; a += PAGE_SIZE) {
		buf[n++] = user_page_present(mm, a);
		if (n == MINCORE_CHUNK || a + PAGE_SIZE == end) {
			if (put_user_mem(vec, buf, n))
				return -EFAULT;
			vec += n;
			n = 0;
		}
	}
	return 0;
}
