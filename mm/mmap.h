/* SPDX-License-Identifier: MIT */
#ifndef MM_MMAP_H
#define MM_MMAP_H

/*
 * Address spaces and the mapping calls, with Linux's flags, errors and
 * semantics (private anonymous and hugetlb mappings, and shared mappings
 * of device-dax regions: there are no files). Calls return 0 (do_mmap:
 * the address) or a negative errno, and a call that fails has changed
 * nothing.
 *
 * Workloads run in kernel mode with the address space loaded
 * (switch_mm): the kernel half of every PGD is the kernel's own, so the
 * kernel keeps running whichever mm is active. They reach user memory
 * through the user accessors (kernel/uaccess.h), which fault pages in
 * on demand and fail with -EFAULT where a user process would have been
 * killed by a signal.
 */
#include "kernel/types.h"
#include "mm/mm_types.h"
#include "mm/devdax.h"

/* The user half, as Linux's x86-64 4-level layout. */
#define TASK_SIZE		((1UL << 47) - PAGE_SIZE)
#define MMAP_MIN_ADDR		0x10000UL	/* vm.mmap_min_addr */
#define MMAP_BASE		0x7ff000000000UL	/* top-down search starts here */

#define PROT_NONE		0x0
#define PROT_READ		0x1
#define PROT_WRITE		0x2
#define PROT_EXEC		0x4

#define MAP_SHARED		0x01
#define MAP_PRIVATE		0x02
#define MAP_FIXED		0x10
#define MAP_ANONYMOUS		0x20
#define MAP_NORESERVE		0x4000
#define MAP_POPULATE		0x8000
#define MAP_HUGETLB		0x40000
#define MAP_FIXED_NOREPLACE	0x100000
#define MAP_HUGE_SHIFT		26
#define MAP_HUGE_MASK		0x3f
#define MAP_HUGE_2MB		(21U << MAP_HUGE_SHIFT)
#define MAP_HUGE_1GB		(30U << MAP_HUGE_SHIFT)

#define MADV_NORMAL		0
#define MADV_WILLNEED		3
#define MADV_DONTNEED		4
#define MADV_FREE		8

/* NULL when memory is short. name may be NULL ("as<id>"). */
struct mm *mm_create(const char *name);
/*
 * A process's address space: not on the console's `as` list (find_mm
 * skips it), no /proc/<id> files of its own (the process's are in fs/).
 */
struct mm *mm_create_user(int pid, const char *comm);
/* fork: a copy-on-write copy of old (see copy_page_range); NULL: no memory. */
struct mm *mm_dup(struct mm *old, int pid);
/* Frees every page, table and reservation; unloads the mm first if loaded. */
void mm_destroy(struct mm *mm);
/* Load mm's page tables (NULL: the kernel's). */
void switch_mm(struct mm *mm);
struct mm *find_mm(unsigned int id);

long do_mmap(struct mm *mm, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags);
/*
 * Map [offset, offset + len) of a device-dax region (MAP_SHARED; also
 * MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_POPULATE). offset, len and a fixed
 * addr must be aligned to the region's alignment, and the range must lie
 * inside the region (-EINVAL, the reason in e). Faults map the region's pfns with leaves
 * of that size; no memory is allocated for the data. The region cannot
 * be destroyed while any piece of the mapping remains.
 */
long do_mmap_dax(struct mm *mm, unsigned long addr, unsigned long len,
		 unsigned long prot, unsigned long flags, struct dax_region *region,
		 unsigned long offset, struct errmsg *e);
int do_munmap(struct mm *mm, unsigned long start, unsigned long len);
#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
/* Private anonymous (not hugetlb, not dax) mappings; Linux's errors. */
long do_mremap(struct mm *mm, unsigned long addr, unsigned long old_len,
	       unsigned long new_len, unsigned long flags, unsigned long new_addr);
int do_mprotect(struct mm *mm, unsigned long start, unsigned long len,
		unsigned long prot);
int do_madvise(struct mm *mm, unsigned long start, unsigned long len, int advice);
/* brk(2): the new break, or the old one when it cannot move (Linux's answer). */
unsigned long do_brk(struct mm *mm, unsigned long brk);

/* Sum of vm_resv over every mm, per hstate (the checker's ledger). */
unsigned long mm_hugetlb_reserved(const struct hstate *h);

/*
 * The 4 KiB pages of shared anonymous memory mm maps (Linux's RssShmem;
 * mm->rss counts them too, among every 4 KiB page mapped).
 */
unsigned long mm_rss_shmem(struct mm *mm);

/* /proc/<id>/status text. */
void mm_show_status(struct seq_buf *m, struct mm *mm);

#endif
