/* SPDX-License-Identifier: MIT */
#ifndef MM_PAGE_H
#define MM_PAGE_H

/*
 * struct page: one per 4 KiB page frame, in the virtually mapped memmap
 * at VMEMMAP_START, so that pfn_to_page(pfn) == vmemmap + pfn.
 *
 * It is exactly 64 bytes: 64 of them fill a 4 KiB vmemmap page, a 2 MiB
 * huge page has 8 pages of struct pages and a 1 GiB page 4096. That is
 * what the vmemmap dedup (mm/hugetlb_vmemmap.c) counts on.
 *
 *   offset  0  flags          PG_* bits. No zone or node bits: both are
 *                             derived from the pfn, so that tails can be
 *                             byte-identical across huge pages.
 *   offset  8  lru            list linkage (buddy free list, hugetlb pool,
 *              | compound_info  slab list) or, on a tail page, the mask
 *                             that finds the head (bit 0 set)
 *   offset 24  private        buddy: order of a free block
 *   offset 32  two words      slab: freelist, cache; page table: count
 *   offset 48  _mapcount, _refcount
 *   offset 56  index          owner-specific word
 *
 * Tails of a compound page of order N hold only
 *	compound_info = ~((1UL << (N + 6)) - 1) | 1		(6 = log2(64))
 * and zeros elsewhere, so every tail of one order is identical whichever
 * huge page it belongs to, and the head is found by masking the tail's own
 * address: the vmemmap base is 1 TiB aligned and huge pages are naturally
 * aligned, so the head's struct page is aligned to 64 << N bytes. Per-huge-page
 * data lives in the head and in tails 1..3, which sit in the head's own
 * vmemmap page (never shared).
 */
#include "kernel/types.h"
#include "kernel/list.h"
#include "mm/layout.h"

struct page {
	unsigned long flags;
	union {
		struct list_head lru;
		struct {
			unsigned long compound_info;
			unsigned long __tail_pad;
		};
	};
	unsigned long private;
	union {
		struct {
			void *freelist;		/* slab: first free object */
			void *slab_cache;	/* slab: owning kmem_cache */
		};
		struct {
			unsigned int pt_count;	/* page table: present entries */
			unsigned int pt_level;	/* 1 = PTE .. 4 = PGD */
			unsigned long pt_owner;
		};
		unsigned long data[2];
	};
	int _mapcount;
	int _refcount;
	unsigned long index;
};

_Static_assert(sizeof(struct page) == 64, "struct page must be 64 bytes");
_Static_assert(__builtin_offsetof(struct page, compound_info) == 8,
	       "compound_info shares lru.next");

#define STRUCT_PAGE_SHIFT	6
#define vmemmap			((struct page *)VMEMMAP_START)

/* Page flags. */
enum pageflags {
	PG_reserved,		/* not managed by the buddy (firmware, kernel, memmap) */
	PG_buddy,		/* head of a free buddy block; order in private */
	PG_head,		/* head of a compound page */
	PG_slab,		/* owned by the slab allocator */
	PG_pgtable,		/* a page-table page */
	PG_hugetlb,		/* head of a hugetlb page */
	PG_vmemmap_optimized,	/* head: tails deduplicated (HVO / devmap) */
	PG_hwpoison,		/* hardware error: never hand this page out */
	PG_filled,		/* free block filled with PAGE_FILL (debug, page_poison=) */
	PG_pcp,			/* on a per-CPU free list */
	PG_device,		/* device memory (device-dax) */
	PG_offline,		/* in an offline section */
	PG_memmap,		/* holds its own pageblock's memmap (memmap_on_memory) */
	PG_free_gigantic,	/* head of a free 1 GiB range (mm/free_gigantic.c) */
	NR_PAGEFLAGS,
};

static inline bool page_test_flag(const struct page *p, enum pageflags f)
{
	return p->flags & BIT(f);
}

/*
 * Atomic (lock-prefixed), as Linux's set_bit(): owners change their own
 * bits of a page under their own locks, but memory failure marks a page
 * in use by anyone, and two CPUs must not lose each other's bit.
 */
static inline void page_set_flag(struct page *p, enum pageflags f)
{
	__atomic_fetch_or(&p->flags, BIT(f), __ATOMIC_RELAXED);
}

static inline void page_clear_flag(struct page *p, enum pageflags f)
{
	__atomic_fetch_and(&p->flags, ~BIT(f), __ATOMIC_RELAXED);
}

#define PAGEFLAG(name, bit)						\
static inline bool Page##name(const struct page *p)			\
{ return page_test_flag(p, PG_##bit); }					\
static inline void SetPage##name(struct page *p)			\
{ page_set_flag(p, PG_##bit); }						\
static inline void ClearPage##name(struct page *p)			\
{ page_clear_flag(p, PG_##bit); }

PAGEFLAG(Reserved, reserved)
PAGEFLAG(Buddy, buddy)
PAGEFLAG(Head, head)
PAGEFLAG(Slab, slab)
PAGEFLAG(Pgtable, pgtable)
PAGEFLAG(HugeTLB, hugetlb)
PAGEFLAG(VmemmapOptimized, vmemmap_optimized)
PAGEFLAG(HWPoison, hwpoison)
PAGEFLAG(Filled, filled)
PAGEFLAG(Pcp, pcp)
PAGEFLAG(Device, device)
PAGEFLAG(Offline, offline)
PAGEFLAG(Memmap, memmap)
PAGEFLAG(FreeGigantic, free_gigantic)

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return vmemmap + pfn;
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return page - vmemmap;
}

static inline phys_addr_t page_to_phys(const struct page *page)
{
	return PFN_PHYS(page_to_pfn(page));
}

static inline void *page_address(const struct page *page)
{
	return __va(page_to_phys(page));
}

static inline struct page *virt_to_page(const void *va)
{
	return pfn_to_page(PHYS_PFN(__pa(va)));
}

/* The value every tail of an order-`order` compound page holds. */
static inline unsigned long compound_info_for_order(unsigned int order)
{
	return ~((1UL << (order + STRUCT_PAGE_SHIFT)) - 1) | 1;
}

static inline bool PageTail(const struct page *page)
{
	return READ_ONCE(page->compound_info) & 1;
}

static inline bool PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

/*
 * The head of the compound page containing page (or page itself). Only
 * reads the tail: works on a deduplicated, read-only tail.
 */
static inline struct page *compound_head(const struct page *page)
{
	unsigned long info = READ_ONCE(page->compound_info);

	if (info & 1)
		return (struct page *)((unsigned long)page & (info & ~1UL));
	return (struct page *)page;
}

/* The order of a compound head is kept in its first tail. */
static inline unsigned int compound_order(const struct page *head)
{
	if (!PageHead(head))
		return 0;
	return head[1].private;
}

static inline int page_ref_count(const struct page *page)
{
	return __atomic_load_n(&compound_head(page)->_refcount, __ATOMIC_RELAXED);
}

/*
 * _refcount and _mapcount are changed only with lock-prefixed atomics
 * (Linux's atomic_t): get_page_unless_zero() on another CPU may race with
 * any owner's get or put. The helpers below take the struct page they
 * are given, which must not be a tail: per-page state of a compound page
 * lives in its head, so that no path writes a tail (a deduplicated tail
 * is read-only and shared by every huge page of its order). The callers
 * pass compound_head() where a tail may come in.
 */
static inline void set_page_count(struct page *page, int v)
{
	__atomic_store_n(&page->_refcount, v, __ATOMIC_RELEASE);
}

static inline void page_ref_inc(struct page *page)
{
	__atomic_fetch_add(&page->_refcount, 1, __ATOMIC_RELAXED);
}

/* The count after the decrement; the release orders the owner's writes before it. */
static inline int page_ref_dec_return(struct page *page)
{
	return __atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL);
}

static inline void page_ref_dec(struct page *page)
{
	__atomic_fetch_sub(&page->_refcount, 1, __ATOMIC_RELEASE);
}

static inline bool page_ref_dec_and_test(struct page *page)
{
	return page_ref_dec_return(page) == 0;
}

/* Add nr unless the count is u; true when added (Linux's page_ref_add_unless). */
static inline bool page_ref_add_unless(struct page *page, int nr, int u)
{
	int old = __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);

	do {
		if (old == u)
			return false;
	} while (!__atomic_compare_exchange_n(&page->_refcount, &old, old + nr, false,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return true;
}

/*
 * Take the count from exactly count to 0, so that every speculative
 * get_page_unless_zero() fails from now on: the owner (dissolve, demote,
 * memory failure) then has the page to itself. False when someone else
 * holds a reference too: the caller backs off.
 */
static inline bool page_ref_freeze(struct page *page, int count)
{
	int old = count;

	return __atomic_compare_exchange_n(&page->_refcount, &old, 0, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void page_ref_unfreeze(struct page *page, int count)
{
	__atomic_store_n(&page->_refcount, count, __ATOMIC_RELEASE);
}

static inline int page_mapcount(const struct page *page)
{
	return __atomic_load_n(&page->_mapcount, __ATOMIC_RELAXED);
}

static inline void page_mapcount_inc(struct page *page)
{
	__atomic_fetch_add(&page->_mapcount, 1, __ATOMIC_RELAXED);
}

static inline void page_mapcount_dec(struct page *page)
{
	__atomic_fetch_sub(&page->_mapcount, 1, __ATOMIC_RELEASE);
}

static inline int page_mapcount_dec_return(struct page *page)
{
	return __atomic_sub_fetch(&page->_mapcount, 1, __ATOMIC_ACQ_REL);
}

#endif
