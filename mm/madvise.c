// SPDX-License-Identifier: MIT
/*
 * madvise: MADV_DONTNEED and MADV_FREE zap the range's pages (a hugetlb
 * piece must start aligned, its end is rounded down, as Linux); shared
 * memory keeps its pages, only this mm's mappings go. NORMAL and
 * WILLNEED are accepted hints.
 *
 * Locking: DONTNEED, FREE and WILLNEED only read the VMA set, so they
 * take mmap_lock for read (the zap has the page-table locks, and faults
 * run beside it); NORMAL changes VMA flags in Linux and takes it for
 * write as there.
 */
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/hugetlb.h"
#include "libc/errno.h"

/* The zapped huge pages of a reserving VMA get their reservations back. */
static void rereserve(struct mm *mm, struct vm_area_struct *v, unsigned long n)
{
	/* Under the read lock: faults consume vm_resv beside us. */
	spin_lock(&mm->page_table_lock);
	while (n-- && !hugetlb_acquire_reservation(v->vm_hstate, 1))
		v->vm_resv++;
	spin_unlock(&mm->page_table_lock);
}

/* Linux's rule: a hugetlb piece starts aligned, its end is rounded down. */
static bool dontneed_range(struct vm_area_struct *v, unsigned long start, unsigned long end,
			   unsigned long *s, unsigned long *e)
{
	unsigned long size = vma_pagesize(v);

	*s = max(start, v->vm_start);
	*e = min(end, v->vm_end);
	if (!IS_ALIGNED(*s, size))
		return false;
	*e = ALIGN_DOWN(*e, size);
	return true;
}

static int madvise_dontneed(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned int first = vma_index(mm, start), last = vma_index(mm, end - 1) + 1;
	unsigned long s, e;

	for (unsigned int i = first; i < last; i++)
		if (!dontneed_range(&mm->vmas[i], start, end, &s, &e))
			return -EINVAL;
	for (unsigned int i = first; i < last; i++) {
		struct vm_area_struct *v = &mm->vmas[i];
		struct mmu_gather tlb;
		unsigned long n;

		dontneed_range(v, start, end, &s, &e);
		/*
		 * Shared memory (a shmem object, device-dax) keeps its pages:
		 * only this mm's mappings go, the next fault maps them again,
		 * and no reservation was consumed by this VMA.
		 */
		if (s >= e)
			continue;
		tlb_gather_mmu(&tlb, mm);
		n = zap_page_range(&tlb, s, e, v->vm_hstate);
		tlb_finish_mmu(&tlb);
		/* A fork's copy has no reservations to take back (Linux's too). */
		if (v->vm_flags & VM_RESV_OWNER)
			rereserve(mm, v, n);
	}
	return 0;
}

static int __do_madvise(struct mm *mm, unsigned long start, unsigned long len, int advice)
{
	unsigned long end;

	if (advice != MADV_DONTNEED && advice != MADV_NORMAL &&
	    advice != MADV_WILLNEED && advice != MADV_FREE)
		return -EINVAL;
	if (!IS_ALIGNED(start, PAGE_SIZE))
		return -EINVAL;
	end = start + ALIGN(len, PAGE_SIZE);
	if ((len && end == start) || end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (end > TASK_SIZE || !range_fully_mapped(mm, start, end))
		return -ENOMEM;
	/* WILLNEED is only a hint; FREE may drop the pages at once, so it does. */
	if (advice == MADV_NORMAL || advice == MADV_WILLNEED)
		return 0;
	return madvise_dontneed(mm, start, end);
}

int do_madvise(struct mm *mm, unsigned long start, unsigned long len, int advice)
{
	bool write = advice == MADV_NORMAL;
	int ret;

	if (write)
		mmap_write_lock(mm);
	else
		mmap_read_lock(mm);
	ret = __do_madvise(mm, start, len, advice);
	if (write)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
	return ret;
}
