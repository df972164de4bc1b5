/* SPDX-License-Identifier: MIT */
#ifndef MM_MM_TYPES_H
#define MM_MM_TYPES_H

/*
 * Address spaces: struct mm and its VMAs.
 *
 * The VMA set is a sorted array of struct vm_area_struct held by value,
 * ordered by vm_start, disjoint, with adjacent compatible VMAs merged.
 * Lookup is a binary search (O(log n)); an insert or removal moves the
 * tail of the array (O(n) words, a few KiB at most for realistic counts).
 * That trade buys what matters more here than asymptotic updates: every
 * allocation an operation needs is one array growth made up front
 * (vma_reserve()), so once it succeeds the operation cannot fail half-way
 * and "no partial damage" holds by construction; and the checker proves
 * sorted/disjoint/merged with one linear pass. Linux's maple tree is a
 * B-tree of such arrays; with one node this is its degenerate case.
 *
 * A pointer to a VMA stays valid only until the next change to the set.
 */
#include "kernel/types.h"
#include "kernel/list.h"
#include "kernel/percpu.h"
#include "kernel/pseudofs.h"
#include "kernel/rwsem.h"
#include "kernel/spinlock.h"
#include "mm/pgtable.h"
#include "mm/hugetlb.h"
#include "mm/devdax.h"

/* vm_flags, Linux's values. */
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_NORESERVE	0x00200000UL	/* hugetlb: no reservation, faults may fail */
#define VM_HUGETLB	0x00400000UL
#define VM_DAX		0x10000000UL	/* device-dax: maps a region's pfns (vm_dax) */
/*
 * Private hugetlb, Linux's HPAGE_RESV_OWNER and HPAGE_RESV_UNMAPPED: the
 * VMA of the mm that mapped it with reservations (a fork's copy is not),
 * and a copy whose page the owner took back when the pool was empty
 * (unmap_ref_private()): a later fault there is SIGBUS.
 */
#define VM_RESV_OWNER	0x01000000UL
#define VM_RESV_UNMAPPED 0x02000000UL
#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)

struct dax_region;
struct shmem_object;

struct vm_area_struct {
	unsigned long vm_start;		/* first byte */
	unsigned long vm_end;		/* first byte after */
	unsigned long vm_flags;
	struct hstate *vm_hstate;	/* VM_HUGETLB: the page size */
	/*
	 * VM_HUGETLB without VM_NORESERVE: pool pages reserved for this VMA
	 * and not yet faulted. Normally every huge page of the VMA that is
	 * not mapped holds one; never more.
	 */
	unsigned long vm_resv;
	/*
	 * VM_DAX: the region mapped, and the page of it at vm_start. Each
	 * VMA (piece) holds one dax_region_get() reference: a split takes
	 * another, a merge or removal drops one.
	 */
	struct dax_region *vm_dax;
	unsigned long vm_pgoff;
	/*
	 * MAP_SHARED anonymous memory: the object whose pages this VMA
	 * maps, vm_pgoff being the object's 4 KiB page at vm_start. Each
	 * piece holds one shmem_get() reference, as for vm_dax.
	 */
	struct shmem_object *vm_shm;
};

#define MM_NAME_LEN	16
#define MM_REPORT_LEN	160

/*
 * Locking (README, Locking): mmap_lock, held for write, protects the VMA
 * set and every field below it that a mapping call changes; faults,
 * MADV_DONTNEED/FREE and readers of the VMAs hold it for read.
 * page_table_lock protects the entries of the PMD, PUD and PGD tables
 * (installing and clearing tables, huge leaves) and vm_resv; a PTE
 * table's entries are under that table's own lock (its struct page's
 * ptl). The counters that faults change under the read lock (rss,
 * rss_dax, nr_huge, nr_pgtables, nr_cow, min_flt, pt_reclaimed,
 * tlb_flushes) change atomically. mm_users changes under the big
 * kernel lock (fork, exit, exec keep it); the nr_segv ... last_report
 * events are the console's address spaces', under mmap_lock.
 */
struct mm {
	pteval_t *pgd;			/* upper half shared with init_pgd */
	struct rw_semaphore mmap_lock;
	spinlock_t page_table_lock;
	unsigned int id;		/* like a pid: /proc/<id>/status */
	char name[MM_NAME_LEN];
	struct list_head list;		/* on mm_list */
	u64 cpu_mask;			/* CPUs that may cache its entries (switch_mm) */

	struct vm_area_struct *vmas;	/* sorted by vm_start */
	unsigned int map_count;		/* VMAs in use */
	unsigned int vma_cap;		/* VMAs allocated */

	unsigned long total_vm;		/* pages covered by VMAs (VmSize) */
	unsigned long rss;		/* 4 KiB anonymous pages mapped (RssAnon) */
	unsigned long rss_dax;		/* 4 KiB pages of device memory mapped (RssFile) */
	unsigned long nr_huge[HUGE_MAX_HSTATE];	/* hugetlb pages mapped */
	/* Page-table pages by the level of the entries they hold. */
	unsigned long nr_pgtables[PG_LEVEL_512G + 1];

	int mm_users;			/* tasks using it (threads, vfork) */
	unsigned long start_brk, brk;	/* the heap: [start_brk, brk) */
	unsigned long nr_cow;		/* copy-on-write copies made */
	unsigned long hiwater_vm;	/* VmPeak, in pages */

	unsigned long min_flt;		/* faults resolved */
	unsigned long pt_reclaimed;	/* tables freed because they became empty */
	unsigned long tlb_flushes;	/* flushes made while this mm was loaded */
	unsigned long nr_segv;		/* SIGSEGV-like events */
	unsigned long nr_sigbus;	/* SIGBUS-like events (no huge page) */
	unsigned long nr_oom;		/* faults that found no memory */
	char last_report[MM_REPORT_LEN];

	struct pseudo_file status_file;
	struct pseudo_file maps_file;
	char status_path[32];
	char maps_path[32];
	bool files_registered;
	bool owned_by_task;		/* a process's, not the console's */
};

/*
 * What faults and zaps (mm/memory.c) need of the VMA set that mm/mmap.c
 * keeps, declared here, below both: mmap.c calls down into memory.c, so
 * memory.c must not include mmap.h.
 */

/* The address space in this CPU's CR3, or NULL for the kernel's own (init_pgd). */
#define current_mm	(this_cpu()->loaded_mm)
extern struct list_head mm_list;
/* Adding to and removing from mm_list, and walks over it. */
extern spinlock_t mm_list_lock;

/*
 * mmap_lock (Linux's names, include/linux/mmap_lock.h): write for changes
 * to the VMA set (mmap, munmap, mprotect, mremap, brk, fork's copy of the
 * parent), read for faults, MADV_DONTNEED/FREE and whatever only reads
 * the VMAs. The do_* calls of mm/mmap.h take it themselves; never call
 * one holding it.
 */
static inline void mmap_read_lock(struct mm *mm)
{
	down_read(&mm->mmap_lock);
}

static inline void mmap_read_unlock(struct mm *mm)
{
	up_read(&mm->mmap_lock);
}

static inline bool mmap_read_trylock(struct mm *mm)
{
	return down_read_trylock(&mm->mmap_lock);
}

static inline void mmap_write_lock(struct mm *mm)
{
	down_write(&mm->mmap_lock);
}

static inline void mmap_write_unlock(struct mm *mm)
{
	up_write(&mm->mmap_lock);
}

static inline bool mmap_write_trylock(struct mm *mm)
{
	return down_write_trylock(&mm->mmap_lock);
}

/* The first VMA with vm_end > addr, or NULL (Linux's find_vma). */
struct vm_area_struct *find_vma(struct mm *mm, unsigned long addr);
/* The VMA containing addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm *mm, unsigned long addr);
/* a ends where b starts and the two would merge (the checker asks too). */
bool vma_compatible(const struct vm_area_struct *a, const struct vm_area_struct *b);

static inline unsigned long vma_pagesize(const struct vm_area_struct *vma)
{
	if (vma->vm_dax)
		return dax_region_align(vma->vm_dax);
	return vma->vm_hstate ? huge_page_size(vma->vm_hstate) : PAGE_SIZE;
}

#endif
