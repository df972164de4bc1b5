// SPDX-License-Identifier: MIT
/* The kernel page-table tree's invariant checker (kernel_pgtable_check). */
#include "mm/debug/check.h"
#include "mm/pgtable.h"
#include "mm/page.h"
#include "libc/errno.h"
#include "libc/stdio.h"

static int check_leaf(pteval_t e, enum pg_level level, unsigned long va,
		      struct errmsg *msg)
{
	phys_addr_t pa = entry_phys(e & ~(level > PG_LEVEL_4K ? _PAGE_PAT_LARGE : 0));

	CHECK(level < PG_LEVEL_512G, "va %#lx: PGD entry %#llx is a leaf", va,
	      (unsigned long long)e);
	CHECK(IS_ALIGNED(pa, level_size(level)), "va %#lx: level-%d leaf maps %#llx, not aligned to its size",
	      va, level, (unsigned long long)pa);
	CHECK(va < PAGE_OFFSET || !(e & _PAGE_USER), "va %#lx: kernel leaf %#llx is user accessible",
	      va, (unsigned long long)e);
	return 0;
}

/* Sign-extend a table walk's address into the kernel half. */
static unsigned long canonical(unsigned long va)
{
	return va & BIT(47) ? va | 0xffff000000000000UL : va;
}

static int check_table(pteval_t *table, enum pg_level level, unsigned long base,
		       struct errmsg *msg)
{
	struct page *page = virt_to_page(table);
	unsigned int present = 0;

	CHECK(PagePgtable(page), "table at pa %#llx (level %d, va %#lx) lacks PG_pgtable",
	      (unsigned long long)__pa(table), level, base);
	CHECK(page->pt_level == level, "table at pa %#llx: pt_level %u, it is level %d (va %#lx)",
	      (unsigned long long)__pa(table), page->pt_level, level, base);
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++) {
		unsigned long va = canonical(base + i * level_size(level));
		pteval_t e = table[i];
		int ret;

		if (!entry_present(e))
			continue;
		present++;
		/* PSE in a PGD entry is no leaf but an error: check_leaf says so. */
		if (level == PG_LEVEL_4K || (e & _PAGE_PSE))
			ret = check_leaf(e, level, va, msg);
		else
			ret = check_table(entry_table(e), level - 1, va, msg);
		if (ret)
			return ret;
	}
	CHECK(page->pt_count == present, "table at pa %#llx (level %d, va %#lx): pt_count %u, %u entries present",
	      (unsigned long long)__pa(table), level, base, page->pt_count, present);
	return 0;
}

int kernel_pgtable_check(struct errmsg *msg)
{
	if (!pgtable_counts_set_up()) {
		return errmsg_set(msg, -EBUSY, "page-table counts are not set up yet");
	}
	return check_table(init_pgd, PG_LEVEL_512G, 0, msg);
}
