// SPDX-License-Identifier: MIT
/*
 * The VMA set checker of an address space (mm/mmap.c's invariants):
 * sorted, disjoint, aligned, merged, inside the user half, each VMA's kind
 * consistent with what it points at, and total_vm equal to what the VMAs
 * cover.
 */
#include "mm/debug/check.h"
#include "mm/mmap.h"
#include "mm/devdax.h"
#include "mm/hugetlb.h"
#include "libc/errno.h"

int mm_check_vmas(struct mm *mm, struct errmsg *msg)
{
	unsigned long total = 0, prev_end = 0;

	CHECK(mm->map_count <= mm->vma_cap, "%u VMAs in room for %u", mm->map_count,
	      mm->vma_cap);
	for (unsigned int i = 0; i < mm->map_count; i++) {
		struct vm_area_struct *v = &mm->vmas[i];
		unsigned long size;

		CHECK(!(v->vm_flags & VM_HUGETLB) == !v->vm_hstate,
		      "VMA %lx-%lx: VM_HUGETLB without hstate or the reverse", v->vm_start,
		      v->vm_end);
		CHECK(!(v->vm_flags & VM_DAX) == !v->vm_dax,
		      "VMA %lx-%lx: VM_DAX without a region or the reverse", v->vm_start,
		      v->vm_end);
		if (v->vm_dax) {
			const struct dax_region *r = v->vm_dax;

			CHECK(r->active && r->users && !v->vm_hstate &&
			      (v->vm_flags & VM_SHARED) && !v->vm_resv,
			      "dax VMA %lx-%lx: region dax%u.0 %s, %u users, flags %#lx",
			      v->vm_start, v->vm_end, r->id, r->active ? "active" : "destroyed",
			      r->users, v->vm_flags);
			CHECK(IS_ALIGNED(v->vm_pgoff, 1UL << r->order) && v->vm_pgoff < r->nr_pages &&
			      ((v->vm_end - v->vm_start) >> PAGE_SHIFT) <= r->nr_pages - v->vm_pgoff,
			      "dax VMA %lx-%lx: pages %#lx+%#lx outside or misaligned in dax%u.0",
			      v->vm_start, v->vm_end, v->vm_pgoff,
			      (v->vm_end - v->vm_start) >> PAGE_SHIFT, r->id);
		}
		size = vma_pagesize(v);
		CHECK(v->vm_start < v->vm_end, "VMA %u: empty or reversed %lx-%lx", i,
		      v->vm_start, v->vm_end);
		CHECK(IS_ALIGNED(v->vm_start | v->vm_end, size), "VMA %lx-%lx not %lu kB aligned",
		      v->vm_start, v->vm_end, size >> 10);
		CHECK(v->vm_start >= MMAP_MIN_ADDR && v->vm_end <= TASK_SIZE,
		      "VMA %lx-%lx outside the user half", v->vm_start, v->vm_end);
		CHECK(v->vm_start >= prev_end, "VMA %lx-%lx overlaps or precedes one ending at %lx",
		      v->vm_start, v->vm_end, prev_end);
		CHECK(!i || !vma_compatible(&mm->vmas[i - 1], v),
		      "VMAs ending and starting at %lx are compatible but not merged", v->vm_start);
		prev_end = v->vm_end;
		total += (v->vm_end - v->vm_start) >> PAGE_SHIFT;
	}
	CHECK(total == mm->total_vm, "total_vm %lu, VMAs cover %lu pages", mm->total_vm, total);
	return 0;
}
