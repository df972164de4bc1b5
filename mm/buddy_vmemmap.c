// SPDX-License-Identifier: MIT
/*
 * Free memory keeps a deduplicated memmap.
 *
 * The buddy writes only the first struct page of a free block (its
 * order, its list links, PG_buddy). So a free 2 MiB pageblock is as
 * uniform as an optimized 2 MiB huge page, and it may keep exactly that
 * shape: its head vmemmap page private and writable, PTEs 1..7 the
 * shared read-only order-9 tail page (mm/hugetlb_vmemmap.c). A huge page
 * then enters and leaves a pool as it is: no remap, no restore, no flush.
 *
 *    optimized free pageblock P             physical
 *    +-----------+
 *    |  page 0   | --------------------> P's head (PG_buddy or interior,
 *    +-----------+                       PG_vmemmap_optimized) + tails 1..63
 *    |  page 1   | ---------+
 *    +-----------+          |
 *    |    ...    | ---------+----------> shared tail page, order 9 (RO)
 *    +-----------+          |
 *    |  page 7   | ---------+
 *    +-----------+
 *
 * A pageblock is the unit: a free block of order 10 is two of them, each
 * with its own head vmemmap page and flag.
 *
 * The tails are written only when the buddy must: a split below order 9,
 * or an allocation whose owner may write its struct pages. A split must
 * never fail for want of memory, so it rebuilds the memmap inside the
 * block itself, as Linux's memmap_on_memory keeps hot-added memory's
 * memmap: pages 505..511 of P become vmemmap pages 1..7 (PG_reserved and
 * PG_memmap, not managed), and pages 0..504 go on the free lists in
 * blocks of order 8, 7, 6, 5, 4, 3 and 0 ("self-hosted"):
 *
 *    self-hosted pageblock P                physical
 *    +-----------+
 *    |  page 0   | --------------------> P's head page, as before
 *    +-----------+
 *    |  page 1   | --------------------> pfn P+505 --+
 *    +-----------+                                   | the last 7 pages
 *    |    ...    |                                   | of P itself
 *    +-----------+                                   |
 *    |  page 7   | --------------------> pfn P+511 --+ (describes 505..511
 *    +-----------+                                      too: itself)
 *
 * When the 505 are all free again, PTEs 1..7 share the tail page again
 * (one flush of 7 entries before the pages are reused) and the block
 * is one optimized order-9 block. An allocation that takes a whole
 * optimized block for someone who may write its tails, a contiguous
 * range (alloc_contig_*, offline) and memory failure restore from 7
 * pages allocated elsewhere instead, since the block must stay whole;
 * those can fail (-ENOMEM), and nothing changes then.
 *
 * Policy: with buddy_vmemmap_optimize on (the default: free memory is
 * most of memory, and its memmap is 7/512 of it; =off at boot or a 0
 * written keeps it plain, as on Linux), boot-time free memory starts
 * optimized, pages leaving a 2 MiB pool stay optimized, and self-hosted
 * blocks are re-optimized as they become free. Other
 * free order-9 blocks (merged from small frees) stay plain until the
 * switch is written on again. Off restores every optimized free block;
 * self-hosted blocks then keep their memmap until it is turned on.
 * 1 GiB pages are not moved as they are (a free block is at most order
 * 10 here, so a free 1 GiB range has no head to keep): growing restores
 * the range's optimized blocks from pages outside it, and a page leaving
 * is restored, its range then optimized again.
 *
 * Locking (SMP): a block's vmemmap entries change only under the vmemmap
 * lock and only while the block is off the free lists (taken under
 * zone->lock: nobody else can allocate it, split it or share it
 * meanwhile), and every flush is sent with zone->lock dropped and
 * interrupts on. Splits are done by alloc_pages() for a block it took
 * "in transit", re-shares later from a queue (mm/page_alloc_memmap.c has the
 * sequence); the free pages a walker may look at keep the shape it
 * expects until the flag changes, which is after the flush.
 */
#include "mm/buddy_vmemmap.h"
#include "mm/free_gigantic.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/meminfo.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_gig.h"
#include "mm/page_alloc_memmap.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define TAIL_PAGES	(MEMMAP_SELF_PAGES)		/* vmemmap pages 1..7 */
#define HEAD_TAILS	(TAILS_PER_VMEMMAP_PAGE - 1)

static bool enabled = true;	/* on unless a boot says off: see the README */
/* Atomics: changed under zone->lock, the vmemmap lock or hugetlb_lock. */
static unsigned long nr_optimized;	/* free pageblocks with shared tails */
static unsigned long nr_self_hosted;

static int buddy_vmemmap_param(const char *val)
{
	return kstrtobool(*val ? val : "on", &enabled);
}
early_param("buddy_vmemmap_optimize", buddy_vmemmap_param);

bool buddy_vmemmap_enabled(void)
{
	return enabled;
}

unsigned long buddy_vmemmap_saved_pages(void)
{
	return buddy_vmemmap_nr_optimized() * TAIL_PAGES + free_gigantic_saved_pages();
}

unsigned long buddy_vmemmap_nr_optimized(void)
{
	return __atomic_load_n(&nr_optimized, __ATOMIC_RELAXED);
}

unsigned long buddy_vmemmap_nr_self_hosted(void)
{
	return __atomic_load_n(&nr_self_hosted, __ATOMIC_RELAXED);
}

static void count_optimized(struct page *block, int delta)
{
	__atomic_add_fetch(&nr_optimized, delta, __ATOMIC_RELAXED);
	__atomic_add_fetch(&__pfn_to_section(page_to_pfn(block))->nr_free_optimized, delta,
			   __ATOMIC_RELAXED);
}

/* Tails 1..63 of the head vmemmap page become plain interior struct pages. */
static void clear_head_tails(struct page *block)
{
	memset(block + 1, 0, HEAD_TAILS * sizeof(*block));
	ClearPageVmemmapOptimized(block);
	count_optimized(block, -1);
}

static void unshare_self(struct page *block)
{
	unsigned long pfn = page_to_pfn(block);
	phys_addr_t pa[TAIL_PAGES];
	struct page *last;

	for (unsigned int i = 0; i < TAIL_PAGES; i++) {
		pa[i] = PFN_PHYS(pfn + MEMMAP_SELF_FIRST + i);
		memset(__va(pa[i]), 0, PAGE_SIZE);
	}
	/* Vmemmap page 7 holds the struct pages of 448..511: the memmap pages' own. */
	last = __va(pa[TAIL_PAGES - 1]);
	for (unsigned int i = MEMMAP_SELF_FIRST % 64; i < 64; i++) {
		last[i].flags = BIT(PG_reserved) | BIT(PG_memmap);
		last[i]._refcount = 1;
	}
	/* Flushed everywhere before the flag goes: then the tails are writable. */
	vmemmap_unshare_tails_2m(block, pa);
	clear_head_tails(block);
	__atomic_add_fetch(&nr_self_hosted, 1, __ATOMIC_RELAXED);
}

static void reshare_self(struct page *block)
{
	vmemmap_reshare_tails_2m(block);
	vmemmap_write_free_tails(block);
	block->flags = BIT(PG_vmemmap_optimized);
	count_optimized(block, 1);
	__atomic_sub_fetch(&nr_self_hosted, 1, __ATOMIC_RELAXED);
}

static void free_memmap_pages(struct page **pages, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		__free_page(pages[i]);
}

#define MAX_REJECTED	1024

/*
 * A page for a restored memmap, outside [avoid_start, avoid_end) (the
 * range a contiguous take wants free: pages lent from inside it would
 * defeat it, and from the next candidate the next): pages from inside
 * are held on rejected and freed by the caller. Without a per-CPU
 * refill (they go back to the free lists, reshare_one()): a refill batch
 * left in a per-CPU list would make a block whole again once drained,
 * after the allocation that restored this one had found none.
 */
static struct page *alloc_memmap_page(unsigned long avoid_start, unsigned long avoid_end,
				      struct list_head *rejected, unsigned int *nr_rejected)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | __GFP_ZERO | __GFP_NO_REFILL | __GFP_MEMMAP;

	for (;;) {
		struct page *p = alloc_page(gfp);
		unsigned long pfn;

		if (!p)
			return NULL;
		pfn = page_to_pfn(p);
		if (pfn < avoid_start || pfn >= avoid_end)
			return p;
		if (*nr_rejected == MAX_REJECTED) {
			__free_page(p);
			return NULL;
		}
		list_add(&p->lru, rejected);
		(*nr_rejected)++;
		/*
		 * Normal's largest free blocks, which order-0 refills steal
		 * first, are the very range to empty: DMA32 holds none of it.
		 */
		if (pfn_zone_idx(avoid_start) == ZONE_NORMAL)
			gfp |= __GFP_DMA32;
	}
}

static void free_rejected(struct list_head *rejected)
{
	while (!list_empty(rejected)) {
		struct page *p = list_first_entry(rejected, struct page, lru);

		list_del(&p->lru);
		__free_page(p);
	}
}

/*
 * From 7 pages allocated elsewhere (zeroed: plain interior struct pages).
 * A free block is taken off the lists for it, so that nobody allocates
 * it meanwhile; the caller's own block (owned: allocated, or taken with
 * a range) is the caller's already. Under the vmemmap lock, interrupts
 * on: the new entries are flushed everywhere before the flag goes, and
 * with it the last reason for anyone to think the tails shared. A block
 * that is no longer free and optimized once the pages are had (another
 * CPU took it) is left alone.
 */
static int unshare(struct page *block, unsigned long avoid_start, unsigned long avoid_end,
		   bool owned)
{
	unsigned long pfn = page_to_pfn(block);
	struct page *pages[TAIL_PAGES];
	phys_addr_t pa[TAIL_PAGES];
	unsigned int nr_rejected = 0;
	LIST_HEAD(rejected);
	bool locked, ours;

	if (irqs_disabled())
		return -EAGAIN;
	for (unsigned int i = 0; i < TAIL_PAGES; i++) {
		pages[i] = alloc_memmap_page(avoid_start, avoid_end, &rejected, &nr_rejected);
		if (!pages[i]) {
			free_memmap_pages(pages, i);
			free_rejected(&rejected);
			return -ENOMEM;
		}
		pa[i] = page_to_phys(pages[i]);
	}
	free_rejected(&rejected);
	locked = vmemmap_lock_unless_held();
	ours = owned || pageblock_take_free(pfn);
	if (!ours || !PageVmemmapOptimized(block) || PageHugeTLB(block)) {
		if (ours && !owned)
			pageblock_put_free(pfn);
		if (locked)
			vmemmap_unlock();
		free_memmap_pages(pages, TAIL_PAGES);
		return 0;
	}
	for (unsigned int i = 0; i < TAIL_PAGES; i++)
		memmap_lend_page(pages[i]);
	vmemmap_unshare_tails_2m(block, pa);
	clear_head_tails(block);
	if (!owned)
		pageblock_put_free(pfn);
	if (locked)
		vmemmap_unlock();
	return 0;
}

/* A whole free pageblock whose memmap is in 7 lent pages (unshare()): which. */
static bool lent_memmap(struct page *block, struct page *lent[TAIL_PAGES])
{
	phys_addr_t pa[TAIL_PAGES];

	if (vmemmap_tail_pages_2m(block, pa))
		return false;
	for (unsigned int i = 0; i < TAIL_PAGES; i++) {
		if (!pfn_valid(PHYS_PFN(pa[i])))
			return false;
		lent[i] = pfn_to_page(PHYS_PFN(pa[i]));
		if (!PageMemmap(lent[i]) || PageReserved(lent[i]))
			return false;
	}
	return true;
}

/* Share its tails again; the buddy flushes, then frees the 7. */
static void reshare_lent(struct page *block)
{
	vmemmap_reshare_tails_2m(block);
	vmemmap_write_free_tails(block);
	SetPageVmemmapOptimized(block);
	count_optimized(block, 1);
}

/*
 * Movable vmemmap pages in [start, end) behind section nr's vmemmap PTE
 * table, up to max of them: their indexes in idx. NULL when the memmap is
 * under a PMD leaf (sparse moves those blocks whole).
 */
#define MOVE_BATCH	64

static pteval_t *lent_in_range(unsigned long nr, unsigned long start, unsigned long end,
			       unsigned int idx[], unsigned int max, unsigned int *n)
{
	enum pg_level level;
	pteval_t *table = kernel_lookup(section_vmemmap(nr), &level);

	*n = 0;
	if (!table || level != PG_LEVEL_4K)
		return NULL;
	for (unsigned int i = 0; i < PTRS_PER_TABLE && *n < max; i++) {
		unsigned long pfn = PHYS_PFN(entry_phys(table[i]));
		struct page *p;

		if (!entry_present(table[i]) || !(table[i] & _PAGE_RW) || pfn < start || pfn >= end)
			continue;
		p = pfn_to_page(pfn);
		/*
		 * Not reserved: a lent page, or one of HVO's restored pages or
		 * of a split memmap block (split_page()d): order-0 pages the
		 * vmemmap alone owns. Self-hosted and boot memmap are reserved.
		 */
		if (!PageReserved(p))
			idx[(*n)++] = i;
	}
	return table;
}

struct lent_move {
	pteval_t *table;
	unsigned int idx[MOVE_BATCH], n;
	struct page *new[MOVE_BATCH], *old[MOVE_BATCH];
};

/*
 * With every other CPU parked (kernel_mapping_switch()): the struct
 * pages in the old pages may be live (a restored block allocated and in
 * use), so the copy and the switch must not race with their writers.
 */
static void switch_lent(void *arg)
{
	struct lent_move *m = arg;

	for (unsigned int i = 0; i < m->n; i++) {
		pteval_t e = m->table[m->idx[i]];

		m->old[i] = pfn_to_page(PHYS_PFN(entry_phys(e)));
		memcpy(page_address(m->new[i]), page_address(m->old[i]), PAGE_SIZE);
		if (PageMemmap(m->old[i]))
			memmap_lend_page(m->new[i]);
		set_entry(m->table, m->idx[i], (e & ~PTE_PFN_MASK) | page_to_phys(m->new[i]));
	}
}

/*
 * Up to MOVE_BATCH vmemmap pages of section nr leave [start, end):
 * replacements are had first (outside it), then, under the vmemmap lock,
 * each is copied and its PTE switched with the other CPUs parked, every
 * TLB flushed, and only then are the old pages freed. The lent count
 * stays exact: a lent page's replacement is lent, one for one.
 */
static int move_lent_batch(unsigned long nr, unsigned long start, unsigned long end,
			   unsigned int *moved)
{
	static struct lent_move m;	/* under the vmemmap lock */
	struct page *new[MOVE_BATCH];
	unsigned int idx[MOVE_BATCH], n, k, nr_rejected = 0;
	LIST_HEAD(rejected);

	*moved = 0;
	if (!lent_in_range(nr, start, end, idx, MOVE_BATCH, &n) || !n)
		return 0;
	for (k = 0; k < n; k++) {
		new[k] = alloc_memmap_page(start, end, &rejected, &nr_rejected);
		if (!new[k])
			break;
	}
	free_rejected(&rejected);
	if (k < n) {
		free_memmap_pages(new, k);
		return -ENOMEM;
	}
	vmemmap_lock();
	/* Taking the pages may have given some back (a block made whole): look again. */
	m.table = lent_in_range(nr, start, end, m.idx, k, &m.n);
	if (!m.table)
		m.n = 0;
	memcpy(m.new, new, sizeof(new[0]) * k);
	if (m.n)
		kernel_mapping_switch(switch_lent, &m);
	n = m.n;
	vmemmap_unlock();
	free_memmap_pages(m.old, n);
	free_memmap_pages(new + n, k - n);
	*moved = n;
	return 0;
}

/*
 * A contiguous take wants [start, end) free, and the pages a restored
 * block borrowed for its memmap, or HVO restored a 1 GiB page's memmap
 * into, pin whatever range they sit in, as the 2 MiB memmap blocks that
 * sparse moves would (Linux migrates them).
 */
static int migrate_lent(unsigned long start, unsigned long end)
{
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		unsigned int moved;

		if (!(mem_section[nr].flags & SECTION_HAS_MEMMAP))
			continue;
		do {
			int ret = move_lent_batch(nr, start, end, &moved);

			if (ret)
				return ret;
		} while (moved);
	}
	return 0;
}

/* Its tails stay shared until the section's memmap is unmapped. */
static void forget(struct page *block)
{
	ClearPageVmemmapOptimized(block);
	count_optimized(block, -1);
}

static void count(unsigned long pfn, int delta)
{
	count_optimized(pfn_to_page(pfn), delta);
}

static const struct free_memmap_ops ops = {
	.enabled = buddy_vmemmap_enabled,
	.unshare_self = unshare_self,
	.reshare_self = reshare_self,
	.unshare = unshare,
	.lent_memmap = lent_memmap,
	.reshare_lent = reshare_lent,
	.forget = forget,
	.migrate_lent = migrate_lent,
	.count = count,
};

/* Pool moves: the head vmemmap page is all that is written. */

void buddy_vmemmap_to_pool(struct page *head)
{
	count_optimized(head, -1);
	hugetlb_vmemmap_adopt_2m(head);
}

void buddy_vmemmap_from_pool(struct page *head)
{
	hugetlb_vmemmap_release_2m(head);
	count_optimized(head, 1);
}

/* Optimizing free memory. */

/* A hosted 1 GiB range's memmap is under PMD leaves in its own pages: left alone. */
static bool plain_free_pageblock_taken(unsigned long pfn)
{
	return !PageVmemmapOptimized(pfn_to_page(pfn)) && !pageblock_self_hosted(pfn) &&
	       !gig_hosted_pages(pfn >> GIG_PFN_SHIFT);
}

static bool plain_free_pageblock(unsigned long pfn)
{
	return plain_free_pageblock_taken(pfn) && pageblock_is_free(pfn);
}

static struct vmemmap_batch batch;	/* under the vmemmap lock */

/*
 * Under the vmemmap lock; the PMD split may allocate a page table (and
 * so split a block: the allocation sees this CPU holding the lock). The
 * block is taken off the lists while its entries change and put back
 * optimized; the old pages are freed after the batch's flush.
 */
static int optimize_pageblock(unsigned long pfn)
{
	struct page *block = pfn_to_page(pfn);
	int ret;

	vmemmap_lock();
	if (!vmemmap_batch_room(&batch, HVO_ORDER_2M))
		vmemmap_batch_finish(&batch);
	ret = vmemmap_prepare_2m(block);
	if (!ret && pageblock_take_free(pfn)) {
		if (plain_free_pageblock_taken(pfn) && !vmemmap_remap_tails_2m(block, &batch)) {
			vmemmap_write_free_tails(block);
			SetPageVmemmapOptimized(block);
			count_optimized(block, 1);
		}
		pageblock_put_free(pfn);
	}
	vmemmap_unlock();
	return ret;
}

static void finish_batch(void)
{
	vmemmap_lock();
	vmemmap_batch_finish(&batch);
	vmemmap_unlock();
}

int for_each_online_pageblock(int (*fn)(unsigned long pfn))
{
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		unsigned long pfn = section_nr_to_pfn(nr);

		if (!(mem_section[nr].flags & SECTION_ONLINE))
			continue;
		for (unsigned long i = 0; i < PAGES_PER_SECTION; i += pageblock_nr_pages) {
			int ret = fn(pfn + i);

			if (ret)
				return ret;
		}
	}
	return 0;
}

static int optimize_one(unsigned long pfn)
{
	if (pageblock_self_hosted(pfn)) {
		free_memmap_try_reshare(pfn);
		return 0;
	}
	if (!plain_free_pageblock(pfn))
		return 0;
	return optimize_pageblock(pfn);
}

int buddy_vmemmap_optimize_free(void)
{
	int ret;

	if (!enabled)
		return 0;
	/* Free pages in the per-CPU lists would keep blocks from merging. */
	drain_all_pages();
	ret = for_each_online_pageblock(optimize_one);
	finish_batch();
	/* The batch gave back lent pages: blocks they sat in may be whole now. */
	free_memmap_reshare_all();
	free_gigantic_form_all();
	return ret;
}

int buddy_vmemmap_optimize_range(unsigned long start, unsigned long end)
{
	int ret = 0;

	if (!enabled)
		return 0;
	drain_all_pages();
	for (unsigned long pfn = start; pfn < end && !ret; pfn += pageblock_nr_pages)
		ret = optimize_one(pfn);
	finish_batch();
	return ret;
}

static int restore_one(unsigned long pfn)
{
	return unshare_free_range(pfn, pfn + pageblock_nr_pages);
}

int buddy_vmemmap_set(bool on)
{
	int ret;

	enabled = on;
	if (on)
		return buddy_vmemmap_optimize_free();
	ret = free_gigantic_release_all();
	return for_each_online_pageblock(restore_one) ?: ret;
}

/* /proc/sys/vm/buddy_vmemmap_optimize and /proc/meminfo */

static int switch_show(struct seq_buf *m, void *data)
{
	(void)data;
	seq_printf(m, "%d\n", enabled);
	return 0;
}

static int switch_store(const char *buf, size_t len, void *data, struct errmsg *e)
{
	bool on;
	int ret = pseudofs_parse_switch(buf, len, "buddy_vmemmap_optimize", &on, e);

	(void)data;
	if (ret)
		return ret;
	ret = buddy_vmemmap_set(on);
	if (ret)
		return errmsg_set(e, ret, "buddy_vmemmap_optimize: out of memory; some free blocks left as they were");
	return 0;
}
PSEUDO_FILE(buddy_vmemmap, "/proc/sys/vm/buddy_vmemmap_optimize", switch_show, switch_store);

static void meminfo_show(struct seq_buf *m)
{
	seq_printf(m, "VmemmapOptimizedFree: %lu kB\n", buddy_vmemmap_saved_pages() << 2);
}

static struct meminfo_extra meminfo_extra = { .show = meminfo_show };

void buddy_vmemmap_init(void)
{
	unsigned long before = nr_free_pages();

	set_free_memmap_ops(&ops);
	free_gigantic_init();
	register_meminfo_extra(&meminfo_extra);
	if (buddy_vmemmap_optimize_free())
		pr_warn("buddy: vmemmap optimization of free memory stopped short: no memory\n");
	pr_info("buddy: vmemmap optimization of free memory %s: %lu blocks, %lu free 1 GiB ranges, %lu KiB of struct pages freed (MemFree +%lu KiB)\n",
		enabled ? "on" : "off", nr_optimized, free_gigantic_nr_formed(),
		buddy_vmemmap_saved_pages() << 2, (nr_free_pages() - before) << 2);
}
