// SPDX-License-Identifier: MIT
/*
 * User page tables: demand faults, zapping with empty page-table reclaim
 * at every level, protection changes and teardown (the checker of these
 * invariants is mm/debug/memory_check.c).
 *
 * User tables, their counted entries, their locks and the walks that
 * find a PTE table locked are mm/pgtable-generic.c's.
 *
 * Reclaim order and TLB discipline. A zap clears leaves bottom-up inside
 * a recursive walk; when the walk comes back up from a child table whose
 * count is now 0 (and reclaim is on) it clears the parent's entry, which
 * drops the parent's count (unlink_table(), mm/pt_reclaim.c), so the
 * parent is tested the same way when the walk returns one level further
 * up: PTE -> PMD -> PUD tables. The PGD is never freed, and nothing of
 * the kernel half is ever visited (user ranges end below 1 << 47).
 * Nothing is freed during the walk: pages and unlinked tables are
 * gathered (struct mmu_gather, mm/mmu_gather.c), and only after the TLB
 * flush that makes them unreachable are they given back.
 *
 * Device-dax (VM_DAX) leaves map a region's pfns at the region's
 * alignment (PTE, PMD or PUD leaf). They allocate nothing but tables and
 * free nothing at zap: the mapping is counted on the compound head's
 * _refcount and _mapcount (0 while unmapped: device pages start zeroed),
 * never on a tail, whose struct pages are the shared read-only vmemmap.
 * rss_dax counts the 4 KiB pages they cover.
 *
 * Faults allocate every table they need and the page before linking
 * anything: a fault that finds no memory frees what it got (never
 * reachable, so no flush) and leaves the tables exactly as they were.
 */
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/pt_reclaim.h"
#include "mm/pgtable-generic.h"
#include "mm/hugetlb.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/shmem.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "kernel/extable.h"
#include "kernel/uaccess.h"
#include "kernel/tlbflush.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

#define MAX_PRINTED_REPORTS	8

static enum pg_level size_to_pg_level(unsigned long size)
{
	if (size == PUD_SIZE)
		return PG_LEVEL_1G;
	if (size == PMD_SIZE)
		return PG_LEVEL_2M;
	return PG_LEVEL_4K;
}

unsigned int level_hstate_idx(enum pg_level level)
{
	return level == PG_LEVEL_1G ? HSTATE_1G : HSTATE_2M;
}

static pteval_t vm_page_prot(unsigned long vm_flags)
{
	pteval_t prot;

	if (!(vm_flags & VM_ACCESS_FLAGS))
		return _PAGE_PROTNONE | _PAGE_ACCESSED;
	prot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
	if (vm_flags & VM_WRITE)
		prot |= _PAGE_RW | _PAGE_DIRTY;
	if (!(vm_flags & VM_EXEC))
		prot |= _PAGE_NX;
	return prot & __supported_pte_mask;
}

pteval_t mk_leaf(phys_addr_t pa, unsigned long vm_flags, enum pg_level level)
{
	pteval_t e = pa | vm_page_prot(vm_flags);

	if (level > PG_LEVEL_4K)
		e |= _PAGE_PSE;
	return e;
}

int pgd_alloc(struct mm *mm)
{
	pteval_t *pgd = user_table_alloc(mm, PG_LEVEL_512G);

	if (!pgd)
		return -ENOMEM;
	for (unsigned int i = PTRS_PER_TABLE / 2; i < PTRS_PER_TABLE; i++)
		set_user_entry(pgd, i, init_pgd[i]);
	mm->pgd = pgd;
	mm->nr_pgtables[PG_LEVEL_512G] = 1;
	return 0;
}

/* Zap. */

struct zap_details {
	struct mmu_gather *tlb;
	const struct hstate *h;
	unsigned long nr_huge;		/* pages of h unmapped */
};

static void zap_leaf(struct zap_details *d, pteval_t *table, unsigned int idx,
		     enum pg_level level, unsigned long addr)
{
	struct mm *mm = d->tlb->mm;
	struct page *page = entry_page(table[idx]);

	set_user_entry(table, idx, 0);
	tlb_track(d->tlb, addr, addr + level_size(level));
	if (PageDevice(page)) {
		/*
		 * Device memory is never freed: drop the mapping's counts now.
		 * The region itself stays until its VMA goes, after the flush.
		 */
		BUG_ON(PageTail(page) || page->_refcount < 1 || page->_mapcount < 1);
		page_ref_dec(page);
		page_mapcount_dec(page);
		mm_counter_add(&mm->rss_dax, -(long)(level_size(level) >> PAGE_SHIFT));
		return;
	}
	if (level == PG_LEVEL_4K) {
		mm_counter_add(&mm->rss, -1);
		page_mapcount_dec(page);
	} else {
		unsigned int hi = level_hstate_idx(level);

		mm_counter_add(&mm->nr_huge[hi], -1);
		if (d->h == &hstates[hi])
			d->nr_huge++;
		/* Still mapped by a fork relative: only our reference goes. */
		if (page_ref_add_unless(page, -1, 1))
			return;
	}
	tlb_remove_page(d->tlb, page);
}

static void zap_pte_table(struct zap_details *d, pteval_t *pmd, unsigned int idx,
			  pteval_t *pte, unsigned long addr, unsigned long end);

static void zap_table(struct zap_details *d, pteval_t *table, enum pg_level level,
		      unsigned long addr, unsigned long end)
{
	unsigned long size = level_size(level);

	while (addr < end) {
		unsigned long next = min(ALIGN_DOWN(addr, size) + size, end);
		unsigned int idx = level_index(addr, level);
		pteval_t e = table[idx];
		pteval_t *child;

		if (entry_none(e)) {
			addr = next;
			continue;
		}
		if (entry_leaf(e, level)) {
			/* Callers align hugetlb ranges: a leaf is never cut. */
			BUG_ON(!IS_ALIGNED(addr, size) || next - addr != size);
			zap_leaf(d, table, idx, level, addr);
			addr = next;
			continue;
		}
		child = entry_table(e);
		if (level == PG_LEVEL_2M) {
			zap_pte_table(d, table, idx, child, addr, next);
		} else {
			zap_table(d, child, level - 1, addr, next);
			if (pt_reclaim_enabled() && !pt_page(child)->pt_count) {
				unlink_table(d->tlb, table, idx, child);
				mm_counter_add(&d->tlb->mm->pt_reclaimed, 1);
			}
		}
		addr = next;
	}
}

static void zap_pte_table(struct zap_details *d, pteval_t *pmd, unsigned int idx,
			  pteval_t *pte, unsigned long addr, unsigned long end)
{
	spinlock_t *ptl = pte_lockptr(pte);

	spin_lock(ptl);
	zap_table(d, pte, PG_LEVEL_4K, addr, end);
	if (pt_reclaim_enabled() && try_unlink_pte_table(d->tlb, pmd, idx, pte))
		mm_counter_add(&d->tlb->mm->pt_reclaimed, 1);
	spin_unlock(ptl);
}

/*
 * Under page_table_lock throughout: the upper tables cannot change under
 * the walk, and each PTE table is zapped under its own lock.
 */
unsigned long zap_page_range(struct mmu_gather *tlb, unsigned long start,
			     unsigned long end, const struct hstate *h)
{
	struct zap_details d = { .tlb = tlb, .h = h, .nr_huge = 0 };
	struct mm *mm = tlb->mm;

	BUG_ON(end > USER_PGTABLES_CEILING || start > end);
	spin_lock(&mm->page_table_lock);
	zap_table(&d, mm->pgd, PG_LEVEL_512G, start, end);
	spin_unlock(&mm->page_table_lock);
	return d.nr_huge;
}

/* Teardown: everything is zapped already; every table is empty. */
void pgd_free(struct mm *mm)
{
	struct mmu_gather tlb;
	pteval_t *pgd = mm->pgd;

	tlb_gather_mmu(&tlb, mm);
	free_pgtables(&tlb, 0, USER_PGTABLES_CEILING, 0, USER_PGTABLES_CEILING);
	tlb_finish_mmu(&tlb);
	for (unsigned int i = 0; i < PTRS_PER_TABLE / 2; i++)
		BUG_ON(!entry_none(pgd[i]));
	for (unsigned int i = PTRS_PER_TABLE / 2; i < PTRS_PER_TABLE; i++)
		set_user_entry(pgd, i, 0);
	user_table_free(pgd);
	mm->pgd = NULL;
	mm->nr_pgtables[PG_LEVEL_512G] = 0;
}

/* Walks over what exists. */

typedef void (*leaf_fn)(pteval_t *table, unsigned int idx, enum pg_level level,
			unsigned long addr, void *arg);

static void walk_leaves(pteval_t *table, enum pg_level level, unsigned long addr,
			unsigned long end, leaf_fn fn, void *arg)
{
	unsigned long size = level_size(level);

	while (addr < end) {
		unsigned long next = min(ALIGN_DOWN(addr, size) + size, end);
		unsigned int idx = level_index(addr, level);
		pteval_t e = table[idx];

		if (!entry_none(e)) {
			if (entry_leaf(e, level))
				fn(table, idx, level, addr, arg);
			else
				walk_leaves(entry_table(e), level - 1, addr, next, fn, arg);
		}
		addr = next;
	}
}

/*
 * A user mapping changed: only the CPUs that have mm loaded can cache it
 * (its cpu_mask), so only they are sent a flush; a flush of every CPU
 * here cost fork and each copy-on-write fault an IPI round that, under
 * the big kernel lock, every other CPU waited for.
 */
static void flush_tlb_mm(struct mm *mm)
{
	if (mm_is_loaded(mm)) {
		flush_tlb_mm_range(mm, 0, USER_PGTABLES_CEILING, false);
		mm->tlb_flushes++;
	}
}

/* The leaf mapping addr changed (any level: one invlpg covers it). */
static void flush_tlb_leaf(struct mm *mm, unsigned long addr)
{
	addr &= PAGE_MASK;
	flush_tlb_mm_range(mm, addr, addr + PAGE_SIZE, false);
}

/* fork: the child's table for addr at level, made where missing. */
static pteval_t *walk_alloc(struct mm *mm, unsigned long addr, enum pg_level level)
{
	pteval_t *table = mm->pgd;

	for (enum pg_level l = PG_LEVEL_512G; l > level; l--) {
		unsigned int idx = level_index(addr, l);
		pteval_t *child;

		if (entry_none(table[idx])) {
			child = user_table_alloc(mm, l - 1);
			if (!child)
				return NULL;
			set_user_entry(table, idx, __pa(child) | _PAGE_TABLE);
			mm->nr_pgtables[l - 1]++;
		}
		table = entry_table(table[idx]);
	}
	return table;
}

/* For walks that stop at the first failure: NULL once *err is set. */
static pteval_t *walk_alloc_once(struct mm *mm, unsigned long addr, enum pg_level level,
				 int *err)
{
	pteval_t *table;

	if (*err)
		return NULL;
	table = walk_alloc(mm, addr, level);
	if (!table)
		*err = -ENOMEM;
	return table;
}

struct copy_arg {
	struct mm *dst;
	const struct vm_area_struct *vma;
	int err;
};

static void copy_leaf(pteval_t *table, unsigned int idx, enum pg_level level,
		      unsigned long addr, void *arg)
{
	struct copy_arg *c = arg;
	pteval_t e = table[idx], *dst;
	struct page *page = entry_page(e);

	dst = walk_alloc_once(c->dst, addr, level, &c->err);
	if (!dst)
		return;
	if ((e & _PAGE_RW) && !(c->vma->vm_flags & VM_SHARED)) {
		e &= ~(pteval_t)_PAGE_RW;
		set_user_entry(table, idx, e);
	}
	set_user_entry(dst, level_index(addr, level), e);
	page_ref_inc(page);
	if (level == PG_LEVEL_4K) {
		page_mapcount_inc(page);
		c->dst->rss++;
	} else {
		c->dst->nr_huge[level_hstate_idx(level)]++;
	}
}

int copy_page_range(struct mm *dst, struct mm *src, const struct vm_area_struct *vma)
{
	struct copy_arg c = { .dst = dst, .vma = vma, .err = 0 };

	walk_leaves(src->pgd, PG_LEVEL_512G, vma->vm_start, vma->vm_end, copy_leaf, &c);
	/* The parent's writable entries just became read-only. */
	flush_tlb_mm(src);
	return c.err;
}

struct move_arg {
	struct mm *mm;
	unsigned long old, new;
	bool move;		/* pass 2: the tables exist, move the leaves */
	int err;
};

static void move_leaf(pteval_t *table, unsigned int idx, enum pg_level level,
		      unsigned long addr, void *arg)
{
	struct move_arg *m = arg;
	unsigned long to = m->new + (addr - m->old);
	pteval_t *dst;

	dst = walk_alloc_once(m->mm, to, level, &m->err);
	if (!dst || !m->move)
		return;
	set_user_entry(dst, level_index(to, level), table[idx]);
	set_user_entry(table, idx, 0);
}

int move_page_range(struct mm *mm, unsigned long old, unsigned long new, unsigned long len)
{
	struct move_arg m = { .mm = mm, .old = old, .new = new };

	walk_leaves(mm->pgd, PG_LEVEL_512G, old, old + len, move_leaf, &m);
	if (m.err)
		return m.err;
	m.move = true;
	walk_leaves(mm->pgd, PG_LEVEL_512G, old, old + len, move_leaf, &m);
	flush_tlb_mm(mm);
	return 0;
}

struct protect_arg {
	unsigned long vm_flags;
};

/*
 * A private page that another mm (a fork relative) also maps is shared
 * copy-on-write: its leaves stay read-only whatever the VMA allows, and
 * the first write copies it (do_wp_page).
 */
static bool page_cow_shared(const struct page *page, enum pg_level level)
{
	if (PageDevice(page))
		return false;
	if (level == PG_LEVEL_4K)
		return page_mapcount(page) > 0;
	return page_ref_count(page) > 1;
}

static void protect_leaf(pteval_t *table, unsigned int idx, enum pg_level level,
			 unsigned long addr, void *arg)
{
	struct protect_arg *p = arg;
	pteval_t e = mk_leaf(entry_phys(table[idx]), p->vm_flags, level);

	(void)addr;
	if (!(p->vm_flags & VM_SHARED) && page_cow_shared(entry_page(e), level))
		e &= ~(pteval_t)_PAGE_RW;
	set_user_entry(table, idx, e);
}

void change_protection(struct mm *mm, unsigned long start, unsigned long end,
		       unsigned long vm_flags)
{
	struct protect_arg p = { .vm_flags = vm_flags };

	walk_leaves(mm->pgd, PG_LEVEL_512G, start, end, protect_leaf, &p);
	/* Permissions may have shrunk: no stale writable entry may survive. */
	if (mm_is_loaded(mm)) {
		flush_tlb_mm_range(mm, start, end, false);
		mm_counter_add(&mm->tlb_flushes, 1);
	}
}

struct count_arg {
	enum pg_level level;
	unsigned long n;
};

static void count_leaf(pteval_t *table, unsigned int idx, enum pg_level level,
		       unsigned long addr, void *arg)
{
	struct count_arg *c = arg;

	(void)table;
	(void)idx;
	(void)addr;
	if (level == c->level)
		c->n++;
}

unsigned long count_mapped(struct mm *mm, unsigned long start, unsigned long end,
			   unsigned long size)
{
	struct count_arg c = { .level = size_to_pg_level(size), .n = 0 };

	walk_leaves(mm->pgd, PG_LEVEL_512G, start, end, count_leaf, &c);
	return c.n;
}

/* Faults. */

static struct page *alloc_fault_page(struct vm_area_struct *vma, bool *reserved)
{
	struct page *page;

	*reserved = false;
	if (!(vma->vm_flags & VM_HUGETLB)) {
		page = alloc_page(GFP_USER | __GFP_ZERO);
		if (page)
			page->_mapcount = 0;
		return page;
	}
	*reserved = vma->vm_resv > 0;
	return alloc_huge_page(vma->vm_hstate, *reserved);
}

/* The device page a VM_DAX vma maps at addr (aligned to its leaf size). */
struct page *dax_fault_page(struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long pfn = vma->vm_dax->start_pfn + vma->vm_pgoff +
			    ((addr - vma->vm_start) >> PAGE_SHIFT);

	return pfn_to_page(pfn);
}

/*
 * The page a shared anonymous VMA maps at addr, from its object; the
 * mapping's reference (and mapcount) taken. 0 or VM_FAULT_*.
 */
static int shmem_fault_page(struct vm_area_struct *vma, unsigned long addr,
			    struct page **page)
{
	unsigned long index = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	int ret;

	if (vma->vm_hstate)
		index >>= vma->vm_hstate->order;
	ret = shmem_get_page(vma->vm_shm, index, page);
	if (ret)
		return ret == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	page_ref_inc(*page);
	if (!vma->vm_hstate)
		page_mapcount_inc(*page);
	return 0;
}

/*
 * Map the page (or huge page) for addr in vma. Everything is allocated
 * before anything is linked, so a failure changes nothing. Hugetlb,
 * device-dax and shared anonymous faults run whole under page_table_lock
 * (a huge leaf is a PMD or PUD entry, vm_resv is consumed there, and the
 * object's page is looked up there); the private 4 KiB faults take it
 * only to find their PTE table.
 */
static int do_locked_fault(struct mm *mm, struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long size = vma_pagesize(vma);
	enum pg_level level = size_to_pg_level(size), reached;
	pteval_t *new[PG_LEVEL_512G], *table;
	unsigned int nr = 0;
	int ret = VM_FAULT_OOM;
	struct page *page;
	bool reserved;

	addr = ALIGN_DOWN(addr, size);
	table = walk_existing(mm, addr, level, &reached);
	if (reached == level && !entry_none(table[level_index(addr, level)]))
		return 0;
	/* The owner took this copy's page back (Linux's hugetlb_no_page()). */
	if (vma->vm_flags & VM_RESV_UNMAPPED)
		return VM_FAULT_SIGBUS;
	for (enum pg_level l = reached; l > level; l--) {
		new[nr] = user_table_alloc(mm, l - 1);
		if (!new[nr])
			goto fail;
		nr++;
	}
	reserved = false;
	if (vma->vm_shm) {
		ret = shmem_fault_page(vma, addr, &page);
		if (ret)
			goto fail;
	} else if (vma->vm_dax) {
		page = dax_fault_page(vma, addr);
	} else {
		page = alloc_fault_page(vma, &reserved);
	}
	if (!page) {
		/* An empty pool is SIGBUS for hugetlb (Linux's answer). */
		if (vma->vm_flags & VM_HUGETLB)
			ret = VM_FAULT_SIGBUS;
		goto fail;
	}

	for (unsigned int i = 0; i < nr; i++) {
		set_user_entry(table, level_index(addr, reached - i), __pa(new[i]) | _PAGE_TABLE);
		mm_counter_add(&mm->nr_pgtables[reached - i - 1], 1);
		table = new[i];
	}
	if (level == PG_LEVEL_4K)
		spin_lock(pte_lockptr(table));
	set_user_entry(table, level_index(addr, level),
		       mk_leaf(page_to_phys(page), vma->vm_flags, level));
	if (level == PG_LEVEL_4K)
		spin_unlock(pte_lockptr(table));
	if (vma->vm_dax) {
		/* The head only: a tail struct page is shared and read-only. */
		page_ref_inc(page);
		page_mapcount_inc(page);
		mm_counter_add(&mm->rss_dax, size >> PAGE_SHIFT);
		return 0;
	}
	if (level == PG_LEVEL_4K) {
		/* A shared anonymous object's page. */
		mm_counter_add(&mm->rss, 1);
		return 0;
	}
	mm_counter_add(&mm->nr_huge[level_hstate_idx(level)], 1);
	if (reserved)
		vma->vm_resv--;
	return 0;

fail:
	while (nr)
		user_table_free(new[--nr]);
	return ret;
}

/*
 * A 4 KiB anonymous page: allocated and zeroed with no lock held, then
 * linked under its PTE table's lock alone, so that faults in other
 * tables of the mm (other threads, other CPUs) run beside it.
 */
static int do_anonymous_page(struct mm *mm, struct vm_area_struct *vma, unsigned long addr)
{
	unsigned int idx = level_index(addr, PG_LEVEL_4K);
	struct page *page;
	pteval_t *pte;
	spinlock_t *ptl;
	bool reserved;

	pte = pte_offset_map_lock(mm, addr, &ptl);
	if (pte) {
		bool mapped = !entry_none(pte[idx]);

		spin_unlock(ptl);
		if (mapped)
			return 0;
	}
	page = alloc_fault_page(vma, &reserved);
	if (!page)
		return VM_FAULT_OOM;
	pte = pte_alloc_map_lock(mm, addr, &ptl);
	if (!pte || !entry_none(pte[idx])) {
		/* No memory for a table, or another thread mapped it first. */
		if (pte)
			spin_unlock(ptl);
		page_mapcount_dec(page);
		put_page(page);
		return pte ? 0 : VM_FAULT_OOM;
	}
	set_user_entry(pte, idx, mk_leaf(page_to_phys(page), vma->vm_flags, PG_LEVEL_4K));
	mm_counter_add(&mm->rss, 1);
	spin_unlock(ptl);
	return 0;
}

static int do_fault(struct mm *mm, struct vm_area_struct *vma, unsigned long addr)
{
	int ret;

	if (vma_pagesize(vma) == PAGE_SIZE && !vma->vm_dax && !vma->vm_shm)
		return do_anonymous_page(mm, vma, ALIGN_DOWN(addr, PAGE_SIZE));
	spin_lock(&mm->page_table_lock);
	ret = do_locked_fault(mm, vma, addr);
	spin_unlock(&mm->page_table_lock);
	return ret;
}

#define WP_NOT_PRESENT	(-1)
/* The owner must take its huge page back from fork children first. */
#define WP_UNMAP_REF	(-2)

/* The leaf of mm at addr (of a huge page's size) if it maps page. */
static bool maps_huge_page(struct mm *mm, unsigned long addr, enum pg_level level,
			   const struct page *page)
{
	enum pg_level reached;
	pteval_t *table = walk_existing(mm, addr, level, &reached);
	pteval_t e;

	if (reached != level)
		return false;
	e = table[level_index(addr, level)];
	return (e & _PAGE_PRESENT) && entry_page(e) == page;
}

/* A mapping's reference on a huge page goes; the last frees it. */
static void put_huge_ref(struct page *page)
{
	if (!page_ref_add_unless(page, -1, 1))
		free_huge_page(page);
}

/* Under mm's mmap_lock (read): take page from mm at addr if a child copy maps it. */
static void unmap_ref_private_one(struct mm *mm, const struct vm_area_struct *vma,
				  struct page *page, unsigned long addr, enum pg_level level)
{
	struct vm_area_struct *v = vma_lookup(mm, addr);
	struct mmu_gather tlb;
	bool mapped;

	if (!v || v->vm_hstate != vma->vm_hstate ||
	    (v->vm_flags & (VM_SHARED | VM_RESV_OWNER)))
		return;
	/* Marked first: a fault of mm's after the zap must see it. */
	spin_lock(&mm->page_table_lock);
	mapped = maps_huge_page(mm, addr, level, page);
	if (mapped)
		v->vm_flags |= VM_RESV_UNMAPPED;
	spin_unlock(&mm->page_table_lock);
	if (!mapped)
		return;
	tlb_gather_mmu(&tlb, mm);
	zap_page_range(&tlb, addr, addr + level_size(level), v->vm_hstate);
	tlb_finish_mmu(&tlb);
}

/*
 * Linux's unmap_ref_private(): the reservation owner must not lose its
 * private huge page to a fork child that still shares it, so the page is
 * taken from every other mm mapping it at addr (fork keeps addresses and
 * hugetlb is never mremapped, so no other place can map it) and their
 * VMA is marked: a later fault there is SIGBUS, not a fresh zeroed page
 * that would look like lost data.
 *
 * Locks: the owner holds its mmap_lock for read and no spinlock (the
 * mm list's lock nests outside page_table_lock). Every other mm's
 * mmap_lock is only tried, since a sleeping lock cannot be waited for
 * under mm_list_lock; a busy one is skipped, and the owner's fault,
 * which returns without mapping anything, comes back until no child
 * maps the page. Only a fork child (a descendant) can map it, and fork
 * takes the parent's mmap_lock before the child's: the same order.
 * The caller's reference on page keeps it from being freed and reused
 * meanwhile (the owner may zap its own leaf on another CPU).
 */
static void unmap_ref_private(struct mm *owner, const struct vm_area_struct *vma,
			      struct page *page, unsigned long addr, enum pg_level level)
{
	struct mm *mm;

	spin_lock(&mm_list_lock);
	list_for_each_entry(mm, &mm_list, list) {
		if (mm == owner || !mmap_read_trylock(mm))
			continue;
		unmap_ref_private_one(mm, vma, page, addr, level);
		mmap_read_unlock(mm);
	}
	spin_unlock(&mm_list_lock);
}

/*
 * No free huge page for a copy-on-write: SIGBUS (Linux's answer), except
 * for the reservation owner, which takes the page back from the children
 * (hugetlb_wp(), after the leaf's lock is dropped: WP_UNMAP_REF) and,
 * alone on it then, writes it in place when the access comes back.
 */
static int wp_huge_no_page(const struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_RESV_OWNER))
		return VM_FAULT_SIGBUS;
	return WP_UNMAP_REF;
}

/* Replace a copy-on-write leaf by a private copy of its page. */
static int wp_copy(struct mm *mm, struct vm_area_struct *vma, pteval_t *table,
		   unsigned int idx, enum pg_level level, unsigned long addr)
{
	struct page *old = entry_page(table[idx]), *new;
	unsigned long size = level_size(level);

	if (level == PG_LEVEL_4K) {
		new = alloc_page(GFP_USER);
		if (!new)
			return VM_FAULT_OOM;
		new->_mapcount = 0;
	} else {
		new = alloc_huge_page(vma->vm_hstate, false);
		if (!new)
			return wp_huge_no_page(vma);
	}
	memcpy(page_address(new), page_address(old), size);
	set_user_entry(table, idx, mk_leaf(page_to_phys(new), vma->vm_flags, level));
	if (mm_is_loaded(mm))
		flush_tlb_leaf(mm, addr);
	if (level == PG_LEVEL_4K) {
		page_mapcount_dec(old);
		put_page(old);
	} else {
		/* The other mapper may be unmapping it on another CPU now. */
		put_huge_ref(old);
	}
	mm_counter_add(&mm->nr_cow, 1);
	return 0;
}

/*
 * A write to a private writable VMA: if the leaf is present and
 * read-only it is copy-on-write. A page no one else maps any more is
 * simply made writable again (Linux's reuse); a shared one is copied.
 * WP_NOT_PRESENT: nothing mapped there, the ordinary fault applies.
 */
static int wp_page_locked(struct mm *mm, struct vm_area_struct *vma, pteval_t *table,
			  enum pg_level level, unsigned long addr)
{
	unsigned int idx = level_index(addr, level);
	pteval_t e = table[idx];

	if (!(e & _PAGE_PRESENT))
		return WP_NOT_PRESENT;
	if (!(e & _PAGE_RW) && page_cow_shared(entry_page(e), level))
		return wp_copy(mm, vma, table, idx, level, addr);
	if (!(e & _PAGE_RW))
		set_user_entry(table, idx, mk_leaf(entry_phys(e), vma->vm_flags, level));
	if (mm_is_loaded(mm))
		flush_tlb_leaf(mm, addr);
	return 0;
}

/* Under the leaf's lock: the PTE table's, or page_table_lock for a huge leaf. */
static int do_wp_page(struct mm *mm, struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long size = vma_pagesize(vma);
	enum pg_level level = size_to_pg_level(size), reached;
	spinlock_t *ptl = &mm->page_table_lock;
	struct page *page = NULL;
	pteval_t *table;
	int ret;

	if (vma->vm_dax)
		return WP_NOT_PRESENT;
	addr = ALIGN_DOWN(addr, size);
	if (level == PG_LEVEL_4K) {
		table = pte_offset_map_lock(mm, addr, &ptl);
		if (!table)
			return WP_NOT_PRESENT;
	} else {
		spin_lock(ptl);
		table = walk_existing(mm, addr, level, &reached);
		if (reached != level) {
			spin_unlock(ptl);
			return WP_NOT_PRESENT;
		}
	}
	ret = wp_page_locked(mm, vma, table, level, addr);
	if (ret == WP_UNMAP_REF) {
		page = entry_page(table[level_index(addr, level)]);
		page_ref_inc(page);
	}
	spin_unlock(ptl);
	if (!page)
		return ret;
	/* The access comes back and finds the page unshared (or tries again). */
	unmap_ref_private(mm, vma, page, addr, level);
	put_huge_ref(page);
	return 0;
}

static bool access_error(unsigned long error_code, const struct vm_area_struct *vma)
{
	if (error_code & X86_PF_WRITE)
		return !(vma->vm_flags & VM_WRITE);
	if (error_code & X86_PF_INSTR)
		return !(vma->vm_flags & VM_EXEC);
	return !(vma->vm_flags & VM_ACCESS_FLAGS);
}

static int __handle_mm_fault(struct mm *mm, unsigned long addr, unsigned long error_code,
			     int *si_code)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	int ret;

	if (!vma) {
		*si_code = SEGV_MAPERR;
		return VM_FAULT_SIGSEGV;
	}
	if (access_error(error_code, vma)) {
		*si_code = SEGV_ACCERR;
		return VM_FAULT_SIGSEGV;
	}
	if ((error_code & X86_PF_WRITE) && !(vma->vm_flags & VM_SHARED)) {
		ret = do_wp_page(mm, vma, addr);
		if (ret != WP_NOT_PRESENT)
			return ret;
	}
	if (error_code & X86_PF_PROT) {
		/* Present and allowed: a stale TLB entry, nothing to map. */
		local_flush_tlb_one(addr);
		return 0;
	}
	ret = do_fault(mm, vma, addr);
	if (!ret)
		mm_counter_add(&mm->min_flt, 1);
	return ret;
}

/* Faults run under the read lock: many at once, beside MADV_DONTNEED. */
int handle_mm_fault(struct mm *mm, unsigned long addr, unsigned long error_code,
		    int *si_code)
{
	int ret;

	mmap_read_lock(mm);
	ret = __handle_mm_fault(mm, addr, error_code, si_code);
	mmap_read_unlock(mm);
	return ret;
}

int fault_in_user_page(struct mm *mm, unsigned long addr, unsigned long error_code,
		       unsigned long vm_flags, int *si_code)
{
	struct vm_area_struct *vma;
	int ret = VM_FAULT_SIGSEGV;

	*si_code = SEGV_MAPERR;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma && (vma->vm_flags & vm_flags))
		ret = __handle_mm_fault(mm, addr, error_code, si_code);
	mmap_read_unlock(mm);
	return ret;
}

void populate_vma_range(struct mm *mm, struct vm_area_struct *vma,
			unsigned long start, unsigned long end)
{
	unsigned long size = vma_pagesize(vma);

	if (!(vma->vm_flags & VM_ACCESS_FLAGS))
		return;
	for (unsigned long addr = start; addr < end; addr += size)
		if (do_fault(mm, vma, addr))
			return;
}

static const char *access_name(unsigned long error_code)
{
	if (error_code & X86_PF_WRITE)
		return "write";
	if (error_code & X86_PF_INSTR)
		return "instruction fetch";
	return "read";
}

static void describe_segv(struct mm *mm, unsigned long addr, unsigned long error_code,
			  int si_code, char *buf, size_t len)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	unsigned long f;

	if (si_code == SEGV_MAPERR || !vma) {
		snprintf(buf, len, "%s outside any VMA", access_name(error_code));
		return;
	}
	f = vma->vm_flags;
	snprintf(buf, len, "%s to a %s mapping %lx-%lx %c%c%cp", access_name(error_code),
		 !(f & VM_ACCESS_FLAGS) ? "PROT_NONE" :
		 (error_code & X86_PF_WRITE) ? "read-only" : "non-executable",
		 vma->vm_start, vma->vm_end, f & VM_READ ? 'r' : '-',
		 f & VM_WRITE ? 'w' : '-', f & VM_EXEC ? 'x' : '-');
}

/* Record a signal-like event on mm and print its one-line report. */
static void mm_report_fault(struct mm *mm, unsigned long addr, unsigned long ip,
			    unsigned long error_code, int fault, int si_code)
{
	unsigned long events;
	char what[96];

	if (fault & VM_FAULT_SIGSEGV) {
		mm->nr_segv++;
		describe_segv(mm, addr, error_code, si_code, what, sizeof(what));
		snprintf(mm->last_report, sizeof(mm->last_report),
			 "%s[%u]: segfault at %lx ip %lx error %lx (%s)", mm->name, mm->id,
			 addr, ip, error_code, what);
	} else if (fault & VM_FAULT_SIGBUS) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);

		mm->nr_sigbus++;
		snprintf(mm->last_report, sizeof(mm->last_report),
			 "%s[%u]: bus error at %lx ip %lx (no free %s page in the pool)",
			 mm->name, mm->id, addr, ip,
			 vma && vma->vm_hstate ? vma->vm_hstate->name : "huge");
	} else {
		mm->nr_oom++;
		snprintf(mm->last_report, sizeof(mm->last_report),
			 "%s[%u]: out of memory at %lx ip %lx (page fault)", mm->name, mm->id,
			 addr, ip);
	}
	/* Every event is recorded; a flood is not printed. */
	events = mm->nr_segv + mm->nr_sigbus + mm->nr_oom;
	if (events <= MAX_PRINTED_REPORTS)
		pr_info("%s\n", mm->last_report);
	if (events == MAX_PRINTED_REPORTS)
		pr_info("%s[%u]: further fault reports are only counted\n", mm->name, mm->id);
}

/*
 * The kernel touches the user half only through kernel/uaccess.h: any
 * other kernel-mode fault there is a bug, reported, never served (that
 * would hide it). With SMAP an access outside stac/clac is one too.
 */
static bool kernel_may_fault_user(const struct pt_regs *regs)
{
	if (!ex_is_uaccess(regs->rip))
		return false;
	return !smap_enabled() || (regs->rflags & X86_EFLAGS_AC);
}

static bool do_user_addr_fault(struct pt_regs *regs, unsigned long addr)
{
	struct mm *mm = current_mm;
	int fault, si_code = 0;

	if (!mm || addr >= USER_PGTABLES_CEILING || (regs->error_code & X86_PF_RSVD))
		return false;
	if (!(regs->error_code & X86_PF_USER) && !kernel_may_fault_user(regs))
		return false;
	fault = handle_mm_fault(mm, addr, regs->error_code, &si_code);
	if (!fault)
		return true;
	/* A process's system call just gets -EFAULT: no event to report. */
	if (!mm->owned_by_task) {
		mmap_read_lock(mm);
		mm_report_fault(mm, addr, regs->rip, regs->error_code, fault, si_code);
		mmap_read_unlock(mm);
	}
	/* The access fails through its exception-table fixup (-EFAULT). */
	return false;
}

void pagefault_init(void)
{
	ptlock_cache_init();
	register_page_fault_handler(do_user_addr_fault);
}
