/* SPDX-License-Identifier: MIT */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

/*
 * x86-64 4-level page tables: the entry format and the kernel's own
 * mappings (direct map, kernel image, vmemmap, ioremap). Address spaces
 * (mm/mmap.c) build their user halves with the same entry helpers.
 */
#include "kernel/types.h"
#include "mm/layout.h"

typedef u64 pteval_t;

#define _PAGE_PRESENT	BIT(0)
#define _PAGE_RW	BIT(1)
#define _PAGE_USER	BIT(2)
#define _PAGE_PWT	BIT(3)
#define _PAGE_PCD	BIT(4)
#define _PAGE_ACCESSED	BIT(5)
#define _PAGE_DIRTY	BIT(6)
#define _PAGE_PSE	BIT(7)		/* PMD/PUD: a leaf */
#define _PAGE_PAT	BIT(7)		/* PTE: PAT bit */
#define _PAGE_GLOBAL	BIT(8)
#define _PAGE_PAT_LARGE	BIT(12)		/* PMD/PUD leaf: PAT bit */
#define _PAGE_NX	BIT(63)
#define PTE_PFN_MASK	0x000ffffffffff000ULL

/* Protections; NX is dropped where the CPU lacks it. */
#define PAGE_KERNEL	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX)
#define PAGE_KERNEL_RO	(_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_KERNEL_RX	(_PAGE_PRESENT | _PAGE_ACCESSED)
#define PAGE_KERNEL_NOCACHE (PAGE_KERNEL | _PAGE_PCD | _PAGE_PWT)
/* PAT entry 1 is programmed write-combining (mm/pgtable.c). */
#define PAGE_KERNEL_WC	(PAGE_KERNEL | _PAGE_PWT)
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define _KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)

#define PTRS_PER_TABLE	512

/* Levels, as Linux's enum pg_level counts them. */
enum pg_level { PG_LEVEL_NONE, PG_LEVEL_4K, PG_LEVEL_2M, PG_LEVEL_1G, PG_LEVEL_512G };

static inline unsigned int pgd_index(unsigned long va) { return (va >> PGDIR_SHIFT) & 511; }
static inline unsigned int pud_index(unsigned long va) { return (va >> PUD_SHIFT) & 511; }
static inline unsigned int pmd_index(unsigned long va) { return (va >> PMD_SHIFT) & 511; }
static inline unsigned int pte_index(unsigned long va) { return (va >> PAGE_SHIFT) & 511; }

static inline unsigned int level_index(unsigned long va, enum pg_level level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static inline unsigned long level_size(enum pg_level level)
{
	return 1UL << (PAGE_SHIFT + 9 * (level - 1));
}

static inline bool entry_present(pteval_t e) { return e & _PAGE_PRESENT; }
static inline bool entry_leaf(pteval_t e, enum pg_level level)
{
	return level == PG_LEVEL_4K || (e & _PAGE_PSE);
}
static inline phys_addr_t entry_phys(pteval_t e) { return e & PTE_PFN_MASK; }
static inline pteval_t *entry_table(pteval_t e) { return __va(entry_phys(e)); }

extern pteval_t __supported_pte_mask;
extern pteval_t *init_pgd;		/* the kernel's PGD */
extern bool direct_gbpages;		/* CPU has 1 GiB pages */

/* Build the kernel page tables from the memory map and switch to them. */
void init_mem_mapping(void);
/* Once the memmap exists: count the entries of every kernel table. */
void pgtable_init_counts(void);
/* True once pgtable_init_counts() ran: every table's pt_count is right. */
bool pgtable_counts_set_up(void);

/*
 * Kernel mappings. size is PAGE_SIZE, PMD_SIZE or PUD_SIZE for one leaf;
 * the range calls pick the largest leaf that fits. They allocate the
 * tables they need and fail with -ENOMEM (nothing half-done is left
 * reachable), -EEXIST when something is mapped there already, -EINVAL on
 * misalignment. The caller flushes the TLB.
 */
int kernel_map_page(unsigned long va, phys_addr_t pa, unsigned long size, pteval_t prot);
int kernel_map_range(unsigned long va, phys_addr_t pa, unsigned long size, pteval_t prot);
/*
 * Unmap [va, va + size) (leaves must not straddle the range) and free
 * every page table left empty. Returns the number of tables freed.
 */
int kernel_unmap_range(unsigned long va, unsigned long size);

/* The entry that maps va and its level, or NULL (level NONE) if none. */
pteval_t *kernel_lookup(unsigned long va, enum pg_level *level);
/* The table entry at `level` for va, allocating tables above it. */
pteval_t *kernel_walk_alloc(unsigned long va, enum pg_level level);
/* The same allocating nothing: NULL when a table above is missing or a leaf. */
pteval_t *kernel_walk(unsigned long va, enum pg_level level);
/* Phys address va maps to, or ~0 when unmapped. */
phys_addr_t kernel_virt_to_phys(unsigned long va);

/*
 * Page-table pages. Before the buddy allocator is up they come from
 * memblock; afterwards from the buddy. Each one's struct page counts its
 * present entries (pt_count), so that empty tables can be found and freed.
 */
pteval_t *pgtable_alloc(enum pg_level level);
void pgtable_free(pteval_t *table);
void set_entry(pteval_t *table, unsigned int idx, pteval_t val);
/* The same for an entry known by its address (its table is the page it is in). */
void set_entry_ptr(pteval_t *e, pteval_t val);
unsigned long nr_kernel_pgtable_pages(void);

void flush_tlb_all(void);
unsigned long nr_tlb_flushes(void);
void flush_tlb_one(unsigned long va);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
void write_cr3(phys_addr_t pgd);

#endif
