// SPDX-License-Identifier: MIT
/*
 * mprotect: the range must be wholly mapped (ENOMEM), and a hugetlb VMA
 * splits only on a huge page boundary (EINVAL); the VMAs covering it get
 * the new access flags, their present entries are changed
 * (change_protection), and compatible neighbours merge again.
 */
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/memory.h"
#include "libc/errno.h"

static unsigned long prot_to_vm_flags(unsigned long prot)
{
	return calc_vm_flags(prot, 0, NULL);
}

static int __do_mprotect(struct mm *mm, unsigned long start, unsigned long len,
			 unsigned long prot)
{
	unsigned long end, vm_prot = prot_to_vm_flags(prot);
	unsigned int splits, first, last;
	int ret;

	if (!IS_ALIGNED(start, PAGE_SIZE))
		return -EINVAL;
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!len)
		return 0;
	len = ALIGN(len, PAGE_SIZE);
	end = start + len;
	if (end <= start || end > TASK_SIZE)
		return -ENOMEM;
	if (!range_fully_mapped(mm, start, end))
		return -ENOMEM;
	ret = check_splits(mm, start, end, &splits);
	if (ret)
		return ret;
	ret = vma_reserve(mm, splits);
	if (ret)
		return ret;

	isolate_range(mm, start, end, &first, &last);
	for (unsigned int i = first; i < last; i++) {
		struct vm_area_struct *v = &mm->vmas[i];
		unsigned long vm_flags = (v->vm_flags & ~VM_ACCESS_FLAGS) | vm_prot;

		if (vm_flags == v->vm_flags)
			continue;
		v->vm_flags = vm_flags;
		change_protection(mm, v->vm_start, v->vm_end, vm_flags);
	}
	merge_range(mm, first ? first - 1 : 0, last);
	return 0;
}

int do_mprotect(struct mm *mm, unsigned long start, unsigned long len,
		unsigned long prot)
{
	int ret;

	mmap_write_lock(mm);
	ret = __do_mprotect(mm, start, len, prot);
	mmap_write_unlock(mm);
	return ret;
}
