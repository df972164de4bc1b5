// SPDX-License-Identifier: MIT
/*
 * The VMA set of an address space: an array sorted by address, searched
 * by bisection, split where a call's range starts or ends inside a VMA,
 * merged again with compatible neighbours, and unmapped by range.
 *
 * The rule of mm/mmap.c holds here: a call first checks every split it
 * will need (check_splits) and reserves the room (vma_reserve), the one
 * allocation; splitting, merging and unmapping then cannot fail. Callers
 * hold mmap_lock for write (the lookups need it for read).
 */
#include "mm/vma.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/pt_reclaim.h"
#include "mm/hugetlb.h"
#include "mm/shmem.h"
#include "mm/slab.h"
#include "kernel/panic.h"
#include "libc/errno.h"
#include "libc/string.h"

/* Index of the first VMA with vm_end > addr (map_count if none). */
unsigned int vma_index(const struct mm *mm, unsigned long addr)
{
	unsigned int lo = 0, hi = mm->map_count;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (mm->vmas[mid].vm_end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

struct vm_area_struct *find_vma(struct mm *mm, unsigned long addr)
{
	unsigned int i = vma_index(mm, addr);

	return i < mm->map_count ? &mm->vmas[i] : NULL;
}

struct vm_area_struct *vma_lookup(struct mm *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

bool range_has_vma(struct mm *mm, unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end;
}

bool range_fully_mapped(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned int i = vma_index(mm, start);

	while (start < end) {
		if (i == mm->map_count || mm->vmas[i].vm_start > start)
			return false;
		start = mm->vmas[i++].vm_end;
	}
	return true;
}

/* Room for `extra` more VMAs: the one allocation a call may need. */
int vma_reserve(struct mm *mm, unsigned int extra)
{
	unsigned int need = mm->map_count + extra, cap;
	struct vm_area_struct *v;

	if (need > MAX_MAP_COUNT)
		return -ENOMEM;
	if (need <= mm->vma_cap)
		return 0;
	cap = min(max(need, mm->vma_cap ? mm->vma_cap * 2 : 8U), (unsigned int)MAX_MAP_COUNT);
	v = kmalloc_array(cap, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	if (mm->map_count)
		memcpy(v, mm->vmas, mm->map_count * sizeof(*v));
	kfree(mm->vmas);
	mm->vmas = v;
	mm->vma_cap = cap;
	return 0;
}

void vma_insert(struct mm *mm, unsigned int i, const struct vm_area_struct *vma)
{
	BUG_ON(mm->map_count >= mm->vma_cap);
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->map_count - i) * sizeof(*vma));
	mm->vmas[i] = *vma;
	mm->map_count++;
}

/* Remove vmas[i..i+n): their dax and shmem references go with them. */
void vma_remove(struct mm *mm, unsigned int i, unsigned int n)
{
	for (unsigned int k = i; k < i + n; k++) {
		if (mm->vmas[k].vm_dax)
			dax_region_put(mm->vmas[k].vm_dax);
		if (mm->vmas[k].vm_shm)
			shmem_put(mm->vmas[k].vm_shm);
	}
	memmove(&mm->vmas[i], &mm->vmas[i + n], (mm->map_count - i - n) * sizeof(mm->vmas[0]));
	mm->map_count -= n;
}

bool vma_compatible(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_flags == b->vm_flags &&
	       a->vm_hstate == b->vm_hstate && a->vm_dax == b->vm_dax &&
	       a->vm_shm == b->vm_shm && ((!a->vm_dax && !a->vm_shm) ||
		a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) == b->vm_pgoff);
}

static unsigned long vma_unmapped_huge(struct mm *mm, const struct vm_area_struct *v)
{
	unsigned long size = huge_page_size(v->vm_hstate);

	return (v->vm_end - v->vm_start) / size - count_mapped(mm, v->vm_start, v->vm_end, size);
}

/* Split vmas[i] at addr (inside it, aligned); room must be reserved. */
static void split_vma(struct mm *mm, unsigned int i, unsigned long addr)
{
	struct vm_area_struct *lo, *hi;
	unsigned long resv;

	vma_insert(mm, i + 1, &mm->vmas[i]);
	lo = &mm->vmas[i];
	hi = &mm->vmas[i + 1];
	lo->vm_end = addr;
	hi->vm_start = addr;
	if (hi->vm_dax || hi->vm_shm)
		hi->vm_pgoff += (addr - lo->vm_start) >> PAGE_SHIFT;
	/* The region is held by lo: it is active, this cannot fail. */
	if (hi->vm_dax)
		BUG_ON(dax_region_get(hi->vm_dax->id) != hi->vm_dax);
	if (hi->vm_shm)
		shmem_get(hi->vm_shm);
	if (!lo->vm_resv)
		return;
	resv = lo->vm_resv;
	lo->vm_resv = min(resv, vma_unmapped_huge(mm, lo));
	hi->vm_resv = resv - lo->vm_resv;
}

/* Merge compatible neighbours among vmas[lo..hi]. */
void merge_range(struct mm *mm, unsigned int lo, unsigned int hi)
{
	if (hi >= mm->map_count)
		hi = mm->map_count - 1;
	for (unsigned int i = hi; i > lo && i > 0; i--) {
		struct vm_area_struct *prev = &mm->vmas[i - 1], *v = &mm->vmas[i];

		if (!vma_compatible(prev, v))
			continue;
		prev->vm_end = v->vm_end;
		prev->vm_resv += v->vm_resv;
		vma_remove(mm, i, 1);
	}
}

/*
 * A boundary at addr splits the VMA around it unless it is that VMA's
 * start; a hugetlb VMA splits only on a huge page boundary (Linux: EINVAL).
 */
static int check_split(struct mm *mm, unsigned long addr, unsigned int *splits)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	if (!vma || vma->vm_start == addr)
		return 0;
	if (!IS_ALIGNED(addr, vma_pagesize(vma)))
		return -EINVAL;
	(*splits)++;
	return 0;
}

int check_splits(struct mm *mm, unsigned long start, unsigned long end,
		 unsigned int *splits)
{
	int ret;

	*splits = 0;
	ret = check_split(mm, start, splits);
	if (ret)
		return ret;
	return check_split(mm, end, splits);
}

/*
 * Split at start and end so that whole VMAs cover [start, end);
 * returns their index range [*first, *last).
 */
void isolate_range(struct mm *mm, unsigned long start, unsigned long end,
		   unsigned int *first, unsigned int *last)
{
	unsigned int i = vma_index(mm, start);

	if (i < mm->map_count && mm->vmas[i].vm_start < start)
		split_vma(mm, i++, start);
	*first = i;
	i = vma_index(mm, end);
	if (i < mm->map_count && mm->vmas[i].vm_start < end)
		split_vma(mm, i, end);
	*last = vma_index(mm, end);
}

/* Remove everything in [start, end); room for the splits is reserved. */
void unmap_range(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned long release[HUGE_MAX_HSTATE] = { 0 };
	unsigned long floor, ceiling;
	struct mmu_gather tlb;
	unsigned int first, last;

	if (!range_has_vma(mm, start, end))
		return;
	isolate_range(mm, start, end, &first, &last);
	tlb_gather_mmu(&tlb, mm);
	for (unsigned int i = first; i < last; i++) {
		struct vm_area_struct *v = &mm->vmas[i];

		zap_page_range(&tlb, v->vm_start, v->vm_end, NULL);
		if (v->vm_resv)
			release[v->vm_hstate - hstates] += v->vm_resv;
		mm->total_vm -= (v->vm_end - v->vm_start) >> PAGE_SHIFT;
	}
	floor = first ? mm->vmas[first - 1].vm_end : 0;
	ceiling = last < mm->map_count ? mm->vmas[last].vm_start : USER_CEILING;
	free_pgtables(&tlb, start, end, floor, ceiling);
	tlb_finish_mmu(&tlb);
	vma_remove(mm, first, last - first);
	for (int h = 0; h < HUGE_MAX_HSTATE; h++)
		hugetlb_release_reservation(&hstates[h], release[h]);
}
