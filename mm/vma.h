/* SPDX-License-Identifier: MIT */
#ifndef MM_VMA_H
#define MM_VMA_H

/*
 * Private to the mapping calls (mm/mmap.c, mm/mremap.c, mm/mprotect.c,
 * mm/madvise.c): the VMA set's operations (mm/vma.c) and the steps of
 * mmap and munmap that the other calls reuse. Everyone else goes
 * through mm/mmap.h. Callers hold mmap_lock for write, except where a
 * comment says read.
 */
#include "mm/mm_types.h"

#define USER_CEILING	(1UL << 47)
#define MAX_MAP_COUNT	65530		/* vm.max_map_count */

struct hstate;

/* mm/vma.c */

/* Index of the first VMA with vm_end > addr (map_count if none). */
unsigned int vma_index(const struct mm *mm, unsigned long addr);
bool range_has_vma(struct mm *mm, unsigned long start, unsigned long end);
bool range_fully_mapped(struct mm *mm, unsigned long start, unsigned long end);
/* Room for `extra` more VMAs: the one allocation a call may need. */
int vma_reserve(struct mm *mm, unsigned int extra);
void vma_insert(struct mm *mm, unsigned int i, const struct vm_area_struct *vma);
/* Remove vmas[i..i+n): their dax and shmem references go with them. */
void vma_remove(struct mm *mm, unsigned int i, unsigned int n);
/* Merge compatible neighbours among vmas[lo..hi]. */
void merge_range(struct mm *mm, unsigned int lo, unsigned int hi);
/* How many splits [start, end) needs; -EINVAL inside a huge page. */
int check_splits(struct mm *mm, unsigned long start, unsigned long end,
		 unsigned int *splits);
/* Split so that whole VMAs [*first, *last) cover [start, end); room reserved. */
void isolate_range(struct mm *mm, unsigned long start, unsigned long end,
		   unsigned int *first, unsigned int *last);
/* Remove everything in [start, end); room for the splits is reserved. */
void unmap_range(struct mm *mm, unsigned long start, unsigned long end);

/* mm/mmap.c */

unsigned long calc_vm_flags(unsigned long prot, unsigned long flags, const struct hstate *h);
long get_unmapped_area(struct mm *mm, unsigned long hint, unsigned long len,
		       unsigned long align);
/* Replace whatever is in the new VMA's range by it; room is reserved. */
void install_vma(struct mm *mm, const struct vm_area_struct *vma, unsigned long flags);
long __do_mmap(struct mm *mm, unsigned long addr, unsigned long len,
	       unsigned long prot, unsigned long flags);
int __do_munmap(struct mm *mm, unsigned long start, unsigned long len);

#endif
