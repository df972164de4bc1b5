// SPDX-License-Identifier: MIT
/*
 * mremap: grow in place where the range after the mapping is free, else
 * move (MREMAP_MAYMOVE, MREMAP_FIXED): a new VMA like the old one, the
 * page tables moved under it (move_page_range), the old range unmapped.
 * Shared memory keeps its object and offset; hugetlb and device-dax
 * mappings are not remapped (EINVAL), as the rules of mm/mmap.c say.
 */
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/memory.h"
#include "mm/pt_reclaim.h"
#include "mm/shmem.h"
#include "libc/errno.h"

static unsigned long vm_flags_to_prot(unsigned long vm_flags)
{
	return (vm_flags & VM_READ ? PROT_READ : 0) | (vm_flags & VM_WRITE ? PROT_WRITE : 0) |
	       (vm_flags & VM_EXEC ? PROT_EXEC : 0);
}

/*
 * mremap's new range [start, start + len), free until now: a VMA like
 * src (a copy of src's VMA), and for shared memory the same object at
 * the offset src_addr has in it, so that the mapping stays one object.
 */
static long map_like(struct mm *mm, const struct vm_area_struct *src, unsigned long src_addr,
		     unsigned long start, unsigned long len)
{
	struct vm_area_struct v = *src;

	if (!v.vm_shm)
		return __do_mmap(mm, start, len, vm_flags_to_prot(v.vm_flags),
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
	if (vma_reserve(mm, 1))
		return -ENOMEM;
	v.vm_pgoff += (src_addr - v.vm_start) >> PAGE_SHIFT;
	v.vm_start = start;
	v.vm_end = start + len;
	shmem_get(v.vm_shm);
	install_vma(mm, &v, 0);
	return start;
}

static long mremap_move(struct mm *mm, const struct vm_area_struct *vma, unsigned long addr,
			unsigned long old_len, unsigned long new_len, unsigned long target)
{
	long ret = map_like(mm, vma, addr, target, new_len);

	if (ret < 0)
		return ret;
	ret = move_page_range(mm, addr, target, min(old_len, new_len));
	if (ret) {
		__do_munmap(mm, target, new_len);
		return ret;
	}
	__do_munmap(mm, addr, old_len);
	if (pt_reclaim_enabled())
		reclaim_empty_tables(mm);
	return target;
}

/*
 * old_len 0: a second mapping of the same shared pages (Linux keeps it
 * for DOSEMU's "duplicate shm area"), at a new place, so MREMAP_MAYMOVE
 * is required (without it Linux cannot grow in place: ENOMEM). A private
 * mapping would get fresh pages unrelated to the old: EINVAL, as Linux.
 * The old mapping stays as it was.
 */
static long mremap_dup(struct mm *mm, unsigned long addr, unsigned long new_len,
		       unsigned long flags, unsigned long new_addr)
{
	struct vm_area_struct *vma, v;
	long ret;

	if (flags & MREMAP_FIXED) {
		if (!IS_ALIGNED(new_addr, PAGE_SIZE) || new_addr > TASK_SIZE - new_len)
			return -EINVAL;
		if (new_addr < addr && addr < new_addr + new_len)
			return -EINVAL;
	}
	vma = vma_lookup(mm, addr);
	if (!vma)
		return -EFAULT;
	/* Device-dax and hugetlb are not remapped here at all (below). */
	if (!(vma->vm_flags & VM_SHARED) || !vma->vm_shm || vma->vm_hstate)
		return -EINVAL;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	/* A copy: the array moves under the calls below. */
	v = *vma;
	if (flags & MREMAP_FIXED) {
		ret = __do_munmap(mm, new_addr, new_len);
		if (ret)
			return ret;
		/* Linux unmaps first and finds nothing at addr any more. */
		if (new_addr == addr)
			return -EFAULT;
	} else {
		new_addr = get_unmapped_area(mm, 0, new_len, PAGE_SIZE);
		if ((long)new_addr < 0)
			return (long)new_addr;
	}
	return map_like(mm, &v, addr, new_addr, new_len);
}

static long __do_mremap(struct mm *mm, unsigned long addr, unsigned long old_len,
			unsigned long new_len, unsigned long flags, unsigned long new_addr)
{
	struct vm_area_struct *vma, v;
	long ret;

	if (flags & ~(unsigned long)(MREMAP_MAYMOVE | MREMAP_FIXED))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (!IS_ALIGNED(addr, PAGE_SIZE) || old_len > TASK_SIZE || new_len > TASK_SIZE)
		return -EINVAL;
	old_len = ALIGN(old_len, PAGE_SIZE);
	new_len = ALIGN(new_len, PAGE_SIZE);
	if (!new_len)
		return -EINVAL;
	if (!old_len)
		return mremap_dup(mm, addr, new_len, flags, new_addr);
	vma = vma_lookup(mm, addr);
	if (!vma || addr + old_len > vma->vm_end)
		return -EFAULT;
	if (vma->vm_hstate || vma->vm_dax)
		return -EINVAL;
	/* A copy: the array moves under the calls below. */
	v = *vma;
	if (flags & MREMAP_FIXED) {
		if (!IS_ALIGNED(new_addr, PAGE_SIZE) || new_addr > TASK_SIZE - new_len)
			return -EINVAL;
		if (new_addr < addr + old_len && addr < new_addr + new_len)
			return -EINVAL;
		/* The object outlives the unmap: v's piece holds it still. */
		ret = __do_munmap(mm, new_addr, new_len);
		return ret ? ret : mremap_move(mm, &v, addr, old_len, new_len, new_addr);
	}
	if (new_len <= old_len) {
		if (new_len < old_len)
			__do_munmap(mm, addr + new_len, old_len - new_len);
		return addr;
	}
	if (addr + old_len == vma->vm_end && addr + new_len <= TASK_SIZE &&
	    !range_has_vma(mm, addr + old_len, addr + new_len)) {
		ret = map_like(mm, &v, addr + old_len, addr + old_len, new_len - old_len);
		return ret < 0 ? ret : (long)addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	ret = get_unmapped_area(mm, 0, new_len, PAGE_SIZE);
	if (ret < 0)
		return ret;
	return mremap_move(mm, &v, addr, old_len, new_len, ret);
}

long do_mremap(struct mm *mm, unsigned long addr, unsigned long old_len,
	       unsigned long new_len, unsigned long flags, unsigned long new_addr)
{
	long ret;

	mmap_write_lock(mm);
	ret = __do_mremap(mm, addr, old_len, new_len, flags, new_addr);
	mmap_write_unlock(mm);
	return ret;
}
