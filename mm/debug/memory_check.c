// SPDX-License-Identifier: MIT
/*
 * The address-space checker (the invariants of mm/memory.c and of the
 * page-table files it stands on: mm/pgtable-generic.c, mm/mmu_gather.c,
 * mm/pt_reclaim.c): the VMA set, then a walk of every user table and
 * leaf against the VMAs and the counters of struct mm; see mm_check() in
 * check.h.
 */
#include "mm/debug/check.h"
#include "mm/memory.h"
#include "mm/pt_reclaim.h"
#include "mm/mmap.h"
#include "mm/devdax.h"
#include "mm/hugetlb.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "libc/errno.h"

struct check_ctx {
	struct mm *mm;
	struct errmsg *msg;
	unsigned long rss;
	unsigned long rss_dax;
	unsigned long huge[HUGE_MAX_HSTATE];
	unsigned long tables[PG_LEVEL_512G + 1];
};

#define LEAF_FLAGS_MASK	(~PTE_PFN_MASK & ~(pteval_t)_PAGE_DIRTY)

static int check_leaf(struct check_ctx *c, pteval_t e, enum pg_level level,
		      unsigned long addr)
{
	struct errmsg *msg = c->msg;	/* CHECK reports there */
	struct vm_area_struct *vma = vma_lookup(c->mm, addr);
	struct page *page = pfn_to_page(PHYS_PFN(entry_phys(e)));
	pteval_t want;

	CHECK(vma, "leaf at %lx outside any VMA", addr);
	CHECK(vma_pagesize(vma) == level_size(level),
	      "%lx: a %lu kB leaf in a VMA of %lu kB pages", addr, level_size(level) >> 10,
	      vma_pagesize(vma) >> 10);
	want = mk_leaf(0, vma->vm_flags, level);
	/* Copy-on-write: a private writable leaf may be read-only. */
	if (!(vma->vm_flags & (VM_SHARED | VM_DAX)))
		want = (want & ~(pteval_t)_PAGE_RW) | (e & _PAGE_RW);
	CHECK((e & LEAF_FLAGS_MASK) == (want & LEAF_FLAGS_MASK),
	      "%lx: entry %#lx, the VMA's protection gives flags %#lx", addr,
	      (unsigned long)e, (unsigned long)want);
	CHECK(IS_ALIGNED(entry_phys(e), level_size(level)), "%lx: misaligned leaf %#lx",
	      addr, (unsigned long)e);
	CHECK(!(vma->vm_flags & VM_DAX) == !PageDevice(page),
	      "%lx: pfn %#lx (%s) in a%s VMA", addr, page_to_pfn(page),
	      PageDevice(page) ? "device memory" : "RAM", vma->vm_dax ? " dax" : "n anonymous");
	if (vma->vm_dax) {
		CHECK(page == dax_fault_page(vma, addr),
		      "%lx: maps pfn %#lx, dax%u.0 puts pfn %#lx there", addr, page_to_pfn(page),
		      vma->vm_dax->id, page_to_pfn(dax_fault_page(vma, addr)));
		CHECK(!PageTail(page) && compound_order(page) == vma->vm_dax->order &&
		      page->_refcount >= 1 && page->_mapcount >= 1,
		      "%lx: device pfn %#lx: order %u (dax%u.0: %u) ref %d map %d", addr,
		      page_to_pfn(page), compound_order(page), vma->vm_dax->id,
		      vma->vm_dax->order, page->_refcount, page->_mapcount);
		c->rss_dax += level_size(level) >> PAGE_SHIFT;
		return 0;
	}
	if (level == PG_LEVEL_4K) {
		CHECK(!PageBuddy(page) && !PagePgtable(page) && !PageSlab(page) &&
		      !PageCompound(page) && page->_mapcount >= 0 &&
		      page->_refcount > page->_mapcount,
		      "%lx: pfn %#lx is not a mapped anonymous page (flags %#lx ref %d map %d)",
		      addr, page_to_pfn(page), page->flags, page->_refcount, page->_mapcount);
		c->rss++;
		return 0;
	}
	CHECK(PageHead(page) && PageHugeTLB(page) &&
	      compound_order(page) == vma->vm_hstate->order && page->_refcount >= 1,
	      "%lx: pfn %#lx is not an in-use %s folio", addr, page_to_pfn(page),
	      vma->vm_hstate->name);
	c->huge[level_hstate_idx(level)]++;
	return 0;
}

static int check_table(struct check_ctx *c, pteval_t *table, enum pg_level level,
		       unsigned long base)
{
	struct errmsg *msg = c->msg;	/* CHECK reports there */
	struct page *page = virt_to_page(table);
	unsigned int n = 0;
	int ret;

	CHECK(PagePgtable(page) && page->pt_level == level &&
	      page->pt_owner == (unsigned long)c->mm,
	      "table %lx (level %d at %lx): flags %#lx level %u owner %#lx",
	      (unsigned long)table, level, base, page->flags, page->pt_level, page->pt_owner);
	c->tables[level]++;
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++) {
		unsigned long addr = base + i * level_size(level);
		pteval_t e = table[i];

		if (level == PG_LEVEL_512G && i >= PTRS_PER_TABLE / 2) {
			CHECK(entry_phys(e) == entry_phys(init_pgd[i]) &&
			      !e == !init_pgd[i],
			      "PGD entry %u differs from the kernel's", i);
			n += e != 0;
			continue;
		}
		if (!e)	/* none: mm/pgtable-generic.h's entry_none() */
			continue;
		n++;
		if (entry_leaf(e, level)) {
			CHECK(level <= PG_LEVEL_1G, "PGD entry %u is a leaf", i);
			ret = check_leaf(c, e, level, addr);
		} else {
			CHECK((e & ~PTE_PFN_MASK) == _PAGE_TABLE,
			      "%lx: table entry %#lx has flags other than _PAGE_TABLE", addr,
			      (unsigned long)e);
			ret = check_table(c, entry_table(e), level - 1, addr);
		}
		if (ret)
			return ret;
	}
	CHECK(page->pt_count == n, "table at %lx (level %d): pt_count %u, %u entries",
	      base, level, page->pt_count, n);
	CHECK(!pt_reclaim_enabled() || level == PG_LEVEL_512G || n,
	      "empty level-%d table at %lx with reclaim on", level, base);
	return 0;
}

static int check_reservations(struct check_ctx *c)
{
	struct errmsg *msg = c->msg;	/* CHECK reports there */
	struct mm *mm = c->mm;

	for (unsigned int i = 0; i < mm->map_count; i++) {
		struct vm_area_struct *v = &mm->vmas[i];
		unsigned long pages, mapped;

		if (!(v->vm_flags & VM_HUGETLB)) {
			CHECK(!v->vm_resv, "anonymous VMA %lx-%lx holds reservations",
			      v->vm_start, v->vm_end);
			continue;
		}
		pages = (v->vm_end - v->vm_start) / huge_page_size(v->vm_hstate);
		mapped = count_mapped(mm, v->vm_start, v->vm_end, huge_page_size(v->vm_hstate));
		CHECK(!(v->vm_flags & VM_NORESERVE) || !v->vm_resv,
		      "MAP_NORESERVE VMA %lx-%lx holds %lu reservations", v->vm_start,
		      v->vm_end, v->vm_resv);
		CHECK(v->vm_resv + mapped <= pages,
		      "VMA %lx-%lx: %lu reserved + %lu mapped > %lu pages", v->vm_start,
		      v->vm_end, v->vm_resv, mapped, pages);
	}
	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		CHECK(mm_hugetlb_reserved(&hstates[i]) <= hstates[i].resv_huge_pages,
		      "%s: mappings hold %lu reservations, the pool %lu", hstates[i].name,
		      mm_hugetlb_reserved(&hstates[i]), hstates[i].resv_huge_pages);
	return 0;
}

static int __mm_check(struct mm *mm, struct errmsg *msg)
{
	struct check_ctx c = { .mm = mm, .msg = msg };
	int ret;

	ret = mm_check_vmas(mm, msg);
	if (ret)
		return ret;
	CHECK(mm->pgd, "no PGD");
	ret = check_table(&c, mm->pgd, PG_LEVEL_512G, 0);
	if (ret)
		return ret;
	CHECK(c.rss == mm->rss, "rss %lu, %lu pages mapped", mm->rss, c.rss);
	CHECK(c.rss_dax == mm->rss_dax, "rss_dax %lu, %lu device pages mapped",
	      mm->rss_dax, c.rss_dax);
	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		CHECK(c.huge[i] == mm->nr_huge[i], "%s: counter %lu, %lu mapped",
		      hstates[i].name, mm->nr_huge[i], c.huge[i]);
	for (int l = PG_LEVEL_4K; l <= PG_LEVEL_512G; l++)
		CHECK(c.tables[l] == mm->nr_pgtables[l],
		      "level-%d tables: counter %lu, %lu found", l, mm->nr_pgtables[l], c.tables[l]);
	return check_reservations(&c);
}

/* For write: no fault or zap may be half-way through a table's count. */
int mm_check(struct mm *mm, struct errmsg *msg)
{
	int ret;

	mmap_write_lock(mm);
	ret = __mm_check(mm, msg);
	mmap_write_unlock(mm);
	return ret;
}
