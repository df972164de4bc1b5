/* SPDX-License-Identifier: MIT */
#ifndef MM_MEMORY_H
#define MM_MEMORY_H

/*
 * The page-table side of address spaces: demand faults, zapping, empty
 * page-table reclaim and protection changes (checked by mm_check(),
 * mm/debug/check.h).
 *
 * User page-table pages count their non-none entries in struct page
 * pt_count: present entries, and PROT_NONE leaves (which keep their page
 * but are not present to the MMU, as Linux's _PAGE_PROTNONE). Counting
 * them is what lets a table with only PROT_NONE pages left survive a
 * zap next to it.
 *
 * Reclaim: a zap (munmap, MADV_DONTNEED, teardown) that brings a table's
 * count to 0 clears the parent's entry (so the parent's count drops and
 * the same test runs one level up: PTE -> PMD -> PUD tables, never the
 * PGD), gathers the table, and frees it only after the TLB flush that
 * makes it unreachable. Pages zapped are gathered and freed the same way.
 * The unlinking is mm/pt_reclaim.h's, the gather mm/mmu_gather.h's.
 */
#include "kernel/types.h"
#include "mm/mm_types.h"

/* Not present to the MMU, but a mapping: a PROT_NONE leaf (Linux's bit). */
#define _PAGE_PROTNONE	_PAGE_GLOBAL

/* Faults. */
#define VM_FAULT_OOM	0x0001
#define VM_FAULT_SIGBUS	0x0002
#define VM_FAULT_SIGSEGV 0x0040
#define SEGV_MAPERR	1	/* no VMA there */
#define SEGV_ACCERR	2	/* the VMA forbids the access */

/*
 * Resolve a fault on addr in mm as the MMU reported it (X86_PF_* bits):
 * 0, or VM_FAULT_* with *si_code set for VM_FAULT_SIGSEGV.
 */
int handle_mm_fault(struct mm *mm, unsigned long addr, unsigned long error_code,
		    int *si_code);
/*
 * A system call's fault-in of one user page: as handle_mm_fault(), but
 * SIGSEGV (SEGV_MAPERR) unless a VMA with one of vm_flags holds addr.
 */
int fault_in_user_page(struct mm *mm, unsigned long addr, unsigned long error_code,
		       unsigned long vm_flags, int *si_code);

/* Fault in [start, end) of one VMA (MAP_POPULATE); best effort. */
void populate_vma_range(struct mm *mm, struct vm_area_struct *vma,
			unsigned long start, unsigned long end);

struct mmu_gather;	/* mm/mmu_gather.h */

/*
 * Clear every mapping in [start, end) (hugetlb leaves wholly inside the
 * range) and, with reclaim on, free the tables that become empty.
 * Returns the number of huge pages of hstate h unmapped (h may be NULL).
 */
unsigned long zap_page_range(struct mmu_gather *tlb, unsigned long start,
			     unsigned long end, const struct hstate *h);
/* Rewrite the leaves of [start, end) for vm_flags, then flush. */
void change_protection(struct mm *mm, unsigned long start, unsigned long end,
		       unsigned long vm_flags);
/* Mapped leaves of the given size in [start, end). */
unsigned long count_mapped(struct mm *mm, unsigned long start, unsigned long end,
			   unsigned long size);

/*
 * fork: map in dst every page src maps in vma, copy-on-write. Page
 * tables are copied eagerly (every table that holds a leaf of vma is
 * made in dst now); each page gets one more reference (and, 4 KiB pages,
 * one more mapcount), and the leaves of both sides become read-only.
 * -ENOMEM leaves dst consistent (counters match what is mapped) for
 * mm_destroy.
 */
int copy_page_range(struct mm *dst, struct mm *src, const struct vm_area_struct *vma);

/*
 * mremap: move the leaves of [old, old + len) to [new, new + len) (no
 * overlap, both inside VMAs of the same kind). Every table needed is made
 * first, so -ENOMEM moves nothing.
 */
int move_page_range(struct mm *mm, unsigned long old, unsigned long new, unsigned long len);

int pgd_alloc(struct mm *mm);
/* Teardown: every table below the PGD, then the PGD. Nothing mapped. */
void pgd_free(struct mm *mm);

/*
 * What a leaf should be, for the checker (mm/debug/memory_check.c): the
 * entry mapping pa at level in a VMA of vm_flags, the hstate index of a
 * huge leaf's level, and the device page a VM_DAX vma maps at addr.
 */
pteval_t mk_leaf(phys_addr_t pa, unsigned long vm_flags, enum pg_level level);
unsigned int level_hstate_idx(enum pg_level level);
struct page *dax_fault_page(struct vm_area_struct *vma, unsigned long addr);

/* Faults on user addresses go to the loaded mm's VMAs from now on. */
void pagefault_init(void);

#endif
