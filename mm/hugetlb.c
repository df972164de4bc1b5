// SPDX-License-Identifier: MIT
/*
 * HugeTLB pools (after Linux's mm/hugetlb.c): one hstate per size, each a
 * list of free huge pages and one of pages in use, with Linux's counters
 * and semantics: persistent pages (nr_hugepages), surplus pages allowed by
 * nr_overcommit_hugepages, reservations taken at mmap time.
 *
 * A page entering the pool is made a compound page. With HVO on (the
 * default, hugetlb_free_vmemmap=on) its vmemmap is deduplicated first
 * (mm/hugetlb_vmemmap.c) and only its head vmemmap page is written: the
 * tails beyond 63 are never touched. Pages are added in batches so that
 * a batch costs one TLB flush. A page leaving the pool gets its struct
 * pages back first; if that memory cannot be had it stays in the pool and
 * the caller hears how far it got.
 *
 * Per-page data of a hugetlb page lives in the head and in tail 1 (which is
 * in the head's own vmemmap page): tail 1's private is the order,
 * data[0] the list of hardware-poisoned subpages, data[1] flags.
 *
 * Locking: hugetlb_lock guards both pools' lists and counters and the
 * per-page data above. It is a spinlock taken with interrupts ON and
 * never from an interrupt, held across a whole operation, resizes
 * included: a resize allocates, remaps the vmemmap and sends TLB
 * shootdowns under it, and a CPU waiting for it must still answer
 * those. Nothing under it sleeps. Order: hugetlb_lock -> the vmemmap
 * lock (mm/sparse.h) -> slab and zone locks.
 *
 * Free pool pages have refcount 0 (frozen, as Linux's free hugetlb
 * folios): get_page_unless_zero() on any of their pfns fails, so a
 * dissolve or demote (which take only free pages) never has a
 * speculative reference land on a page whose struct pages are being
 * restored. A page entering the pool, and one coming back to it, is
 * frozen from 1 with page_ref_freeze(): a speculative reference held at
 * that moment is waited out, never overwritten.
 */
#include "mm/hugetlb.h"
#include "mm/hugetlb_internal.h"
#include "mm/buddy_vmemmap.h"
#include "mm/free_gigantic.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/sparse.h"
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

/* Orders are known statically: the command line is parsed before hugetlb_init(). */
struct hstate hstates[HUGE_MAX_HSTATE] = {
	[HSTATE_2M] = { .order = HVO_ORDER_2M },
	[HSTATE_1G] = { .order = HVO_ORDER_1G },
};
struct hstate *default_hstate = &hstates[HSTATE_2M];
static DEFINE_SPINLOCK(hugetlb_lock);
/* The CPU holding hugetlb_lock, or NR_CPUS: see move_free_huge_pages(). */
static unsigned int hugetlb_lock_cpu = NR_CPUS;

void hugetlb_lock_take(void)
{
	spin_lock(&hugetlb_lock);
	WRITE_ONCE(hugetlb_lock_cpu, smp_processor_id());
}

void hugetlb_lock_drop(void)
{
	WRITE_ONCE(hugetlb_lock_cpu, NR_CPUS);
	spin_unlock(&hugetlb_lock);
}

/*
 * Speculative references (get_page_unless_zero(), then put_page()) are
 * held for a few instructions: wait until ours is the only one left.
 */
static void freeze_huge_page(struct page *head)
{
	while (!page_ref_freeze(head, 1))
		cpu_relax();
}

static bool hvo_enabled = true;
/* Whole-section restore when shrinking (off: page by page, for tests/bench). */
static bool section_restore = true;

void hugetlb_set_section_restore(bool on)
{
	section_restore = on;
}

#define HUGETLB_PAGE_BOOTMEM	BIT(0)	/* memory came from memblock, not the buddy */
#define HUGETLB_PAGE_HWPOISON	BIT(1)	/* subpages on the poison list */
#define HUGETLB_PAGE_RESTORE_FAILED BIT(2)	/* surplus: its struct pages could not be restored */
#define HUGETLB_PAGE_LEAVING	BIT(3)	/* among the newest free pages a shrink gives back */

/*
 * Hardware-poisoned subpages of a pool page. The shared tails cannot carry
 * PG_hwpoison, so the head keeps the list (in tail 1, data[0]); the flag
 * goes on the exact subpage once its struct page is its own again.
 */
struct hwpoison_entry {
	unsigned long pfn;
	struct hwpoison_entry *next;
};
#define GROW_BATCH		64

/* Boot parameters: recorded by the handlers, acted on in hugetlb_init(). */
#define MAX_BOOT_GIGANTIC	128
static unsigned long boot_pages[HUGE_MAX_HSTATE];
static bool boot_pages_set[HUGE_MAX_HSTATE];
static struct hstate *param_hstate;
/* The last hugepagesz= was invalid: its hugepages= is ignored (Linux). */
static bool param_size_invalid;
static unsigned long boot_gigantic_pfn[MAX_BOOT_GIGANTIC];
static unsigned int nr_boot_gigantic;

/* Persistent pages of each pool when boot was done with them. */
static unsigned long boot_pool_pages[HUGE_MAX_HSTATE];

static unsigned long *huge_page_flags(struct page *head)
{
	return &head[1].data[1];
}

static struct hwpoison_entry **hwpoison_list(struct page *head)
{
	return (struct hwpoison_entry **)&head[1].data[0];
}

unsigned long persistent_huge_pages(const struct hstate *h)
{
	return h->nr_huge_pages - h->surplus_huge_pages;
}

bool huge_page_hwpoisoned(struct page *head)
{
	return *huge_page_flags(head) & HUGETLB_PAGE_HWPOISON;
}

/*
 * Free pages a reservation or an allocation can have: a poisoned free page
 * (its dissolve could not get memory) is never handed out (Linux's
 * dequeue skips hwpoisoned folios), so it covers nothing.
 */
static unsigned long available_huge_pages(const struct hstate *h)
{
	unsigned long usable = h->free_huge_pages - h->free_hwpoisoned_huge_pages;

	return usable > h->resv_huge_pages ? usable - h->resv_huge_pages : 0;
}

struct hstate *size_to_hstate(unsigned long size)
{
	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		if (huge_page_size(&hstates[i]) == size)
			return &hstates[i];
	return NULL;
}

static struct hstate *hstate_of(struct page *head)
{
	return compound_order(head) == HVO_ORDER_1G ? &hstates[HSTATE_1G] : &hstates[HSTATE_2M];
}

/* Command line. */

static int parse_size(const char *val, struct hstate **h)
{
	unsigned long long size;

	if (kmemparse(val, &size))
		return -EINVAL;
	*h = size_to_hstate(size);
	return *h ? 0 : -EINVAL;
}

static int hugepagesz_setup(const char *val)
{
	int ret = parse_size(val, &param_hstate);

	param_size_invalid = ret != 0;
	if (ret)
		param_hstate = NULL;
	return ret;
}
early_param("hugepagesz", hugepagesz_setup);

static int default_hugepagesz_setup(const char *val)
{
	struct hstate *h;
	int ret = parse_size(val, &h);

	if (!ret)
		default_hstate = h;
	return ret;
}
early_param("default_hugepagesz", default_hugepagesz_setup);

/* hugepages=N applies to the hugepagesz= before it, else the default size. */
static int hugepages_setup(const char *val)
{
	struct hstate *h = param_hstate ? param_hstate : default_hstate;
	unsigned long n;
	int ret;

	if (param_size_invalid) {
		param_size_invalid = false;
		pr_warn("HugeTLB: hugepages=%s does not follow a valid hugepagesz, ignoring\n", val);
		return 0;
	}
	ret = kstrtoul(val, 0, &n);
	if (ret)
		return ret;
	if (h == &hstates[HSTATE_1G] && n > MAX_BOOT_GIGANTIC)
		return -ERANGE;
	boot_pages[h - hstates] = n;
	boot_pages_set[h - hstates] = true;
	param_hstate = NULL;
	return 0;
}
early_param("hugepages", hugepages_setup);

unsigned long hugetlb_boot_pages_requested(const struct hstate *h)
{
	return boot_pages[h - hstates];
}

unsigned long hugetlb_boot_pool_pages(const struct hstate *h)
{
	return boot_pool_pages[h - hstates];
}

static int hugetlb_free_vmemmap_setup(const char *val)
{
	return kstrtobool(*val ? val : "on", &hvo_enabled);
}
early_param("hugetlb_free_vmemmap", hugetlb_free_vmemmap_setup);

bool hugetlb_optimize_vmemmap_enabled(void)
{
	return hvo_enabled;
}

void hugetlb_set_optimize_vmemmap(bool on)
{
	hvo_enabled = on;
}

/* Boot-time gigantic pages: from memblock, before the memmap exists. */

static bool cpu_has_gbpages(void)
{
	return direct_gbpages;
}

void hugetlb_reserve_boot_gigantic(void)
{
	unsigned long want = boot_pages[HSTATE_1G];

	/* First, before anything else takes a bite out of the aligned ranges. */
	if (want && !cpu_has_gbpages()) {
		pr_err("HugeTLB: hugepages=%lu for 1 GiB pages ignored: this CPU has no 1 GiB pages (pdpe1gb)\n",
		       want);
		want = 0;
	}
	while (nr_boot_gigantic < want) {
		phys_addr_t pa = memblock_phys_alloc_range(PUD_SIZE, PUD_SIZE, 0,
							   MEMBLOCK_ALLOC_ACCESSIBLE);

		if (!pa)
			break;
		boot_gigantic_pfn[nr_boot_gigantic++] = PHYS_PFN(pa);
	}
	if (nr_boot_gigantic < want)
		pr_warn("HugeTLB: allocating %lu of page size 1.00 GiB failed.  Only allocated %u hugepages.\n",
			want, nr_boot_gigantic);
}

bool hugetlb_section_is_boot_gigantic(unsigned long nr)
{
	unsigned long pfn = section_nr_to_pfn(nr);

	if (!hvo_enabled)
		return false;
	for (unsigned int i = 0; i < nr_boot_gigantic; i++)
		if (pfn >= boot_gigantic_pfn[i] && pfn < boot_gigantic_pfn[i] + (1UL << HVO_ORDER_1G))
			return true;
	return false;
}

/* After sparse_init, for the sections it skipped. */
void hugetlb_populate_boot_gigantic(void)
{
	if (!hvo_enabled)
		return;
	for (unsigned int i = 0; i < nr_boot_gigantic; i++)
		if (hugetlb_vmemmap_populate_gigantic(boot_gigantic_pfn[i]))
			panic("HugeTLB: cannot populate the vmemmap of a boot gigantic page");
}

/* The pool. */

/* The page is frozen (refcount 0) already. */
static void enqueue_free(struct hstate *h, struct page *head)
{
	BUG_ON(page_ref_count(head));
	list_add_tail(&head->lru, &h->hugepage_freelist);
	h->free_huge_pages++;
	if (huge_page_hwpoisoned(head))
		h->free_hwpoisoned_huge_pages++;
}

static void remove_free(struct hstate *h, struct page *head)
{
	list_del(&head->lru);
	h->free_huge_pages--;
	if (huge_page_hwpoisoned(head))
		h->free_hwpoisoned_huge_pages--;
}

/*
 * The oldest free page, never a poisoned one (a poisoned page whose
 * dissolve could not get memory waits in the pool for the next shrink).
 */
static struct page *dequeue_free(struct hstate *h)
{
	struct page *head;

	list_for_each_entry(head, &h->hugepage_freelist, lru) {
		if (huge_page_hwpoisoned(head))
			continue;
		remove_free(h, head);
		*huge_page_flags(head) &= ~HUGETLB_PAGE_RESTORE_FAILED;
		return head;
	}
	return NULL;
}

static struct page *alloc_fresh_memory(struct hstate *h)
{
	/* With HVO, an optimized free block is taken as it is. */
	if (h->order == HVO_ORDER_2M)
		return alloc_pageblock_packed(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY |
					      (hvo_enabled ? __GFP_OPTIMIZED_MEMMAP : 0));
	/* A free 1 GiB range is taken as it is (optimized) when HVO is on. */
	return alloc_contig_pages(1UL << h->order, 1UL << h->order,
				  __GFP_NOWARN | (hvo_enabled ? __GFP_OPTIMIZED_MEMMAP : 0));
}

static void free_huge_range(unsigned long pfn, unsigned long end, bool bootmem)
{
	if (pfn >= end)
		return;
	if (bootmem)
		free_pages_range_to_buddy(pfn, end);
	else
		free_contig_range(pfn, end - pfn);
}

/*
 * Poisoned subpages get PG_hwpoison and stay out (memory_failure holds
 * them); the ranges between them go to the buddy.
 */
static void free_huge_memory_poisoned(struct page *page, unsigned int order,
				      bool bootmem)
{
	unsigned long pfn = page_to_pfn(page), end = pfn + (1UL << order);
	struct hwpoison_entry *list = *hwpoison_list(page), *e, *next;

	/*
	 * Off tail 1 before any of the memory goes back: a free block's
	 * struct pages are the buddy's (a later compound page would find
	 * the pointer in its tail, and a block kept optimized rewrites it).
	 */
	*hwpoison_list(page) = NULL;
	for (unsigned long p = pfn; p < end; p++) {
		pfn_to_page(p)->private = 0;
		set_page_count(pfn_to_page(p), 1);
	}
	/* Held for good, as memory_failure() holds a poisoned buddy page. */
	for (e = list; e; e = e->next) {
		SetPageHWPoison(pfn_to_page(e->pfn));
		SetPageOffline(pfn_to_page(e->pfn));
	}
	while (pfn < end) {
		unsigned long stop = pfn;

		while (stop < end && !PageHWPoison(pfn_to_page(stop)))
			stop++;
		free_huge_range(pfn, stop, bootmem);
		pfn = stop + 1;
	}
	for (e = list; e; e = next) {
		next = e->next;
		kfree(e);
	}
}

static void free_huge_memory(struct page *page, unsigned int order, bool bootmem)
{
	unsigned long pfn = page_to_pfn(page);

	if (bootmem) {
		free_pages_range_to_buddy(pfn, pfn + (1UL << order));
		return;
	}
	if (order <= MAX_ORDER) {
		/* A speculative reference taken from now on frees it with its put. */
		page->private = order;
		set_page_count(page, 1);
		free_pages(page, order);
		return;
	}
	free_contig_range(pfn, 1UL << order);
}

/*
 * Make fresh memory a pool page: optimized when HVO is on and its
 * vmemmap memory can be had, else plainly compound.
 */
static void prep_new_huge_page(struct hstate *h, struct page *page,
			       struct vmemmap_batch *b, unsigned long flags)
{
	if (PageVmemmapOptimized(page) && h->order == HVO_ORDER_1G)
		hugetlb_vmemmap_adopt_1g(page);
	else if (PageVmemmapOptimized(page))
		buddy_vmemmap_to_pool(page);
	else if (!hvo_enabled || hugetlb_vmemmap_optimize(page, h->order, b))
		prep_compound_tails(page, h->order);
	*huge_page_flags(page) = flags;
	/* From the buddy (1) or a demoted page (0, frozen already). */
	if (page_ref_count(page))
		freeze_huge_page(page);
}

static struct vmemmap_batch grow_batch;

static void publish(struct hstate *h, struct page **pending, unsigned int *n,
		    bool surplus)
{
	vmemmap_batch_finish(&grow_batch);
	for (unsigned int i = 0; i < *n; i++) {
		enqueue_free(h, pending[i]);
		h->nr_huge_pages++;
		if (surplus)
			h->surplus_huge_pages++;
	}
	*n = 0;
}

/*
 * Add up to want fresh pages; one TLB flush per batch, pages published
 * only after their batch's flush. Returns how many were added.
 */
static unsigned long grow_pool(struct hstate *h, unsigned long want, bool surplus)
{
	struct page *pending[GROW_BATCH];
	unsigned int n = 0;
	unsigned long added = 0;

	while (added < want) {
		struct page *page = alloc_fresh_memory(h);

		if (!page)
			break;
		prep_new_huge_page(h, page, &grow_batch, 0);
		pending[n++] = page;
		added++;
		if (n == GROW_BATCH || (h->order == HVO_ORDER_1G && n == 2))
			publish(h, pending, &n, surplus);
	}
	publish(h, pending, &n, surplus);
	return added;
}

/*
 * Take a free page out of the pool and give its memory to the buddy.
 * -ENOMEM when its struct pages cannot be restored: it stays in the pool.
 */
static int dissolve_free_huge_page(struct hstate *h, struct page *head)
{
	unsigned long flags = *huge_page_flags(head);
	struct hwpoison_entry *poison = *hwpoison_list(head);
	bool optimized = PageVmemmapOptimized(head);
	int ret;

	if (optimized && h->order == HVO_ORDER_2M && buddy_vmemmap_enabled() &&
	    !(flags & (HUGETLB_PAGE_HWPOISON | HUGETLB_PAGE_BOOTMEM))) {
		/* The buddy keeps it optimized: nothing to restore. */
		remove_free(h, head);
		h->nr_huge_pages--;
		buddy_vmemmap_from_pool(head);
		free_huge_memory(head, h->order, false);
		return 0;
	}
	if (optimized && h->order == HVO_ORDER_1G && buddy_vmemmap_enabled() &&
	    !(flags & (HUGETLB_PAGE_HWPOISON | HUGETLB_PAGE_BOOTMEM)) &&
	    free_gigantic_wanted(head)) {
		/* A free 1 GiB range as it is: nothing restored, nothing flushed. */
		remove_free(h, head);
		h->nr_huge_pages--;
		free_gigantic_from_pool(head);
		return 0;
	}
	ret = hugetlb_vmemmap_restore(head, h->order);
	if (ret)
		return ret;
	remove_free(h, head);
	h->nr_huge_pages--;
	destroy_compound_tails(head, h->order, optimized);
	*hwpoison_list(head) = poison;	/* tail 1 was cleared with the rest */
	if (flags & HUGETLB_PAGE_HWPOISON)
		free_huge_memory_poisoned(head, h->order, flags & HUGETLB_PAGE_BOOTMEM);
	else
		free_huge_memory(head, h->order, flags & HUGETLB_PAGE_BOOTMEM);
	/* A gigantic page's range was restored: free memory is kept optimized. */
	if (h->order == HVO_ORDER_1G)
		buddy_vmemmap_optimize_range(page_to_pfn(head),
					     page_to_pfn(head) + pages_per_huge_page(h));
	return 0;
}

/*
 * A poisoned page leaving the pool lowers the pool: a surplus page first
 * (the count the user asked for is kept where it can be).
 */
static void dissolve_poisoned(struct hstate *h, struct page *head)
{
	if (dissolve_free_huge_page(h, head))
		return;
	if (h->surplus_huge_pages)
		h->surplus_huge_pages--;
	h->max_huge_pages = persistent_huge_pages(h);
}

/*
 * Fresh memory for h that lies outside [start, end): blocks the buddy
 * hands out from inside are held aside (at most as many as the range
 * has) and given back after.
 */
static struct page *alloc_fresh_outside(struct hstate *h, unsigned long start,
					unsigned long end)
{
	unsigned long budget = (end - start) >> h->order;
	LIST_HEAD(inside);
	struct page *page;

	while ((page = alloc_fresh_memory(h))) {
		unsigned long pfn = page_to_pfn(page);

		if (pfn >= end || pfn + pages_per_huge_page(h) <= start)
			break;
		list_add(&page->lru, &inside);
		if (!budget--) {
			page = NULL;
			break;
		}
	}
	while (!list_empty(&inside)) {
		struct page *p = list_first_entry(&inside, struct page, lru);

		list_del(&p->lru);
		free_huge_memory(p, h->order, false);
	}
	return page;
}

/*
 * One free pool page leaves [start, end): a surplus page is dissolved
 * (the pool keeps those only until they are used); any other is
 * replaced first by fresh memory from outside the range, so that the
 * pool keeps its size and its reservations (Linux's
 * alloc_and_dissolve_hugetlb_folio()).
 */
static int move_free_huge_page(struct hstate *h, struct page *old,
			       unsigned long start, unsigned long end)
{
	struct page *new;
	bool hvo;

	if (h->surplus_huge_pages && available_huge_pages(h)) {
		if (dissolve_free_huge_page(h, old))
			return -ENOMEM;
		h->surplus_huge_pages--;
		return 0;
	}
	/* The replacement keeps the old page's memmap shape, whatever HVO is now. */
	hvo = hvo_enabled;
	hvo_enabled = PageVmemmapOptimized(old);
	new = alloc_fresh_outside(h, start, end);
	if (new && dissolve_free_huge_page(h, old)) {
		free_huge_memory(new, h->order, false);
		new = NULL;
	}
	if (new) {
		prep_new_huge_page(h, new, &grow_batch, 0);
		vmemmap_batch_finish(&grow_batch);
		enqueue_free(h, new);
		h->nr_huge_pages++;
	}
	hvo_enabled = hvo;
	return new ? 0 : -ENOMEM;
}

/*
 * A gigantic allocation wants [start, end) free, and the free 2 MiB pool
 * pages in it pin it: they move out (Linux's
 * isolate_or_dissolve_huge_page()). Pages in use and poisoned pages stay,
 * and so does the range (-EBUSY).
 */
static int __move_free_huge_pages(unsigned long start, unsigned long end)
{
	struct hstate *h = &hstates[HSTATE_2M];
	struct page *head, *next;

	list_for_each_entry_safe(head, next, &h->hugepage_freelist, lru) {
		unsigned long pfn = page_to_pfn(head);

		if (pfn < start || pfn >= end)
			continue;
		if (huge_page_hwpoisoned(head))
			return -EBUSY;
		if (move_free_huge_page(h, head, start, end))
			return -ENOMEM;
	}
	return 0;
}

/*
 * alloc_contig_pages() calls this from a 1 GiB pool grow, which already
 * holds hugetlb_lock on this CPU, and from anywhere else without it.
 */
static int move_free_huge_pages(unsigned long start, unsigned long end)
{
	int ret;

	if (READ_ONCE(hugetlb_lock_cpu) == smp_processor_id())
		return __move_free_huge_pages(start, end);
	hugetlb_lock_take();
	ret = __move_free_huge_pages(start, end);
	hugetlb_lock_drop();
	return ret;
}

/*
 * Mark (or unmark) the want newest free pages a shrink may take: the fast
 * path gives back the same pages as the slow one would, newest first.
 */
static void mark_leaving(struct hstate *h, unsigned long want, bool on)
{
	struct list_head *l;

	for (l = h->hugepage_freelist.prev; l != &h->hugepage_freelist && want; l = l->prev) {
		unsigned long *flags = huge_page_flags(list_entry(l, struct page, lru));

		if (*flags & (HUGETLB_PAGE_HWPOISON | HUGETLB_PAGE_RESTORE_FAILED))
			continue;
		if (on)
			*flags |= HUGETLB_PAGE_LEAVING;
		else
			*flags &= ~HUGETLB_PAGE_LEAVING;
		want--;
	}
}

/*
 * The fast path of shrinking (hugetlb_vmemmap_restore_section): whole
 * sections whose optimized 2 MiB pages are all among the newest free
 * pages leave together. Returns how many pages left.
 */
static unsigned long shrink_sections_2m(struct hstate *h, unsigned long want)
{
	unsigned long freed = 0;
	struct page *heads[64];
	bool bootmem[64];

	mark_leaving(h, want, true);
	for (unsigned long nr = nr_mem_sections; nr-- > 0 && freed < want;) {
		struct mem_section *ms = &mem_section[nr];
		unsigned int n = 0;

		if (!ms->nr_optimized || freed + ms->nr_optimized > want)
			continue;
		for (unsigned long i = 0; i < 64; i++) {
			struct page *p = pfn_to_page(section_nr_to_pfn(nr) + (i << HVO_ORDER_2M));

			if (!pfn_valid(page_to_pfn(p)) || !PageHead(p) || !PageHugeTLB(p) ||
			    compound_order(p) != h->order || !PageVmemmapOptimized(p))
				continue;
			if (page_ref_count(p) || !(*huge_page_flags(p) & HUGETLB_PAGE_LEAVING))
				break;		/* in use, poisoned or older: the slow path */
			heads[n++] = p;
		}
		if (n != ms->nr_optimized)
			continue;
		/* The rebuild zeroes their struct pages, list links included. */
		for (unsigned int i = 0; i < n; i++) {
			bootmem[i] = *huge_page_flags(heads[i]) & HUGETLB_PAGE_BOOTMEM;
			list_del(&heads[i]->lru);
		}
		if (hugetlb_vmemmap_restore_section(nr, heads, n)) {
			for (unsigned int i = 0; i < n; i++)
				list_add_tail(&heads[i]->lru, &h->hugepage_freelist);
			continue;
		}
		for (unsigned int i = 0; i < n; i++) {
			h->free_huge_pages--;
			h->nr_huge_pages--;
			free_huge_memory(heads[i], h->order, bootmem[i]);
		}
		freed += n;
	}
	mark_leaving(h, want - freed, false);
	return freed;
}

static int __hugetlb_memory_failure(struct page *head, unsigned long pfn)
{
	unsigned long head_pfn = page_to_pfn(head);
	struct hwpoison_entry *e;
	struct hstate *h;

	if (!PageHead(head) || !PageHugeTLB(head))
		return -EINVAL;
	h = hstate_of(head);
	if (pfn < head_pfn || pfn >= head_pfn + pages_per_huge_page(h))
		return -EINVAL;
	for (e = *hwpoison_list(head); e; e = e->next)
		if (e->pfn == pfn)
			return -EEXIST;
	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->pfn = pfn;
	e->next = *hwpoison_list(head);
	*hwpoison_list(head) = e;
	if (!page_ref_count(head) && !huge_page_hwpoisoned(head))
		h->free_hwpoisoned_huge_pages++;
	*huge_page_flags(head) |= HUGETLB_PAGE_HWPOISON;
	/*
	 * A free page leaves the pool now; one in use when it is freed. If
	 * every free page is reserved, a fresh page takes its place first, so
	 * that the reservations stay covered.
	 */
	if (page_ref_count(head))
		return 0;
	if (h->resv_huge_pages + h->free_hwpoisoned_huge_pages > h->free_huge_pages &&
	    !grow_pool(h, 1, false))
		return 0;
	dissolve_poisoned(h, head);
	return 0;
}

static bool __hugetlb_subpage_poisoned(unsigned long pfn)
{
	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		struct list_head *lists[2] = { &hstates[i].hugepage_freelist,
					       &hstates[i].hugepage_activelist };

		for (int l = 0; l < 2; l++) {
			struct page *head;

			list_for_each_entry(head, lists[l], lru) {
				struct hwpoison_entry *e;

				for (e = *hwpoison_list(head); e; e = e->next)
					if (e->pfn == pfn)
						return true;
			}
		}
	}
	return false;
}

/*
 * A free page that no reservation needs, or NULL; never a poisoned one
 * (Linux's demote and dequeue skip hwpoisoned folios: they leave the pool
 * only through a dissolve, which isolates the bad subpage). The newest
 * first: growing then shrinking by the same count gives back the very
 * pages it took (boot-time pages stay), while faults take the oldest.
 */
static struct page *newest_free_without(struct hstate *h, unsigned long skip)
{
	struct list_head *l;

	if (!available_huge_pages(h))
		return NULL;
	for (l = h->hugepage_freelist.prev; l != &h->hugepage_freelist; l = l->prev) {
		struct page *head = list_entry(l, struct page, lru);

		if (!(*huge_page_flags(head) & skip))
			return head;
	}
	return NULL;
}

static struct page *unreserved_free_page(struct hstate *h)
{
	return newest_free_without(h, HUGETLB_PAGE_HWPOISON);
}

/*
 * One page fewer in the persistent pool. When its struct pages cannot be
 * restored it stays in the pool as a surplus page, as Linux's
 * update_and_free_huge_page() does: the count asked for is met, and
 * the next write gives that very page another try
 * (return_unused_surplus_pages()).
 */
static bool shrink_one(struct hstate *h)
{
	struct page *head = newest_free_without(h, HUGETLB_PAGE_HWPOISON |
						   HUGETLB_PAGE_RESTORE_FAILED);

	if (!head)
		return false;
	if (dissolve_free_huge_page(h, head)) {
		*huge_page_flags(head) |= HUGETLB_PAGE_RESTORE_FAILED;
		h->surplus_huge_pages++;
	}
	return true;
}

static struct page *restore_failed_page(struct hstate *h)
{
	struct page *head;

	list_for_each_entry(head, &h->hugepage_freelist, lru)
		if ((*huge_page_flags(head) & HUGETLB_PAGE_RESTORE_FAILED) && !huge_page_hwpoisoned(head))
			return head;
	return NULL;
}

/* A surplus page a failed restore left, else any unreserved free page. */
static struct page *unused_surplus_page(struct hstate *h)
{
	struct page *head;

	if (!available_huge_pages(h))
		return NULL;
	head = restore_failed_page(h);
	return head ? head : unreserved_free_page(h);
}

/* A surplus page becomes persistent: one that failed may be shrunk again. */
static void surplus_to_persistent(struct hstate *h)
{
	struct page *head = restore_failed_page(h);

	if (head)
		*huge_page_flags(head) &= ~HUGETLB_PAGE_RESTORE_FAILED;
	h->surplus_huge_pages--;
}

/* Poisoned free pages whose dissolve could not get memory: try again. */
static void dissolve_poisoned_free(struct hstate *h)
{
	struct page *head, *next;

	if (!h->free_hwpoisoned_huge_pages)
		return;
	list_for_each_entry_safe(head, next, &h->hugepage_freelist, lru)
		if (huge_page_hwpoisoned(head))
			dissolve_poisoned(h, head);
}

/*
 * Surplus pages that nothing uses any more go back to the buddy; on a
 * write, these are pages a failed restore left (shrink_one()).
 */
static void return_unused_surplus_pages(struct hstate *h)
{
	while (h->surplus_huge_pages && available_huge_pages(h)) {
		struct page *head = unused_surplus_page(h);

		if (!head || dissolve_free_huge_page(h, head))
			return;
		h->surplus_huge_pages--;
	}
}

/*
 * Linux's set_max_huge_pages(): surplus pages become persistent first,
 * then fresh pages are allocated; shrinking frees unreserved free pages and
 * turns pages in use beyond the count into surplus.
 */
static unsigned long __set_max_huge_pages(struct hstate *h, unsigned long count)
{
	unsigned long min_count;

	hugetlb_vmemmap_collapse_all();
	dissolve_poisoned_free(h);
	if (count <= persistent_huge_pages(h))
		return_unused_surplus_pages(h);
	while (h->surplus_huge_pages && count > persistent_huge_pages(h))
		surplus_to_persistent(h);
	if (count > persistent_huge_pages(h))
		grow_pool(h, count - persistent_huge_pages(h), false);

	min_count = h->resv_huge_pages + h->nr_huge_pages - h->free_huge_pages;
	min_count = max(count, min_count);
	if (section_restore && !buddy_vmemmap_enabled() && h->order == HVO_ORDER_2M &&
	    min_count < persistent_huge_pages(h))
		shrink_sections_2m(h, persistent_huge_pages(h) - min_count);
	while (min_count < persistent_huge_pages(h))
		if (!shrink_one(h))
			break;
	/* Pages in use or reserved beyond the count become surplus, freed when back (Linux). */
	while (count < persistent_huge_pages(h) &&
	       h->surplus_huge_pages < h->nr_huge_pages - available_huge_pages(h))
		h->surplus_huge_pages++;
	h->max_huge_pages = persistent_huge_pages(h);
	return persistent_huge_pages(h);
}

static int __hugetlb_acquire_reservation(struct hstate *h, long n)
{
	long needed = n - (long)available_huge_pages(h);

	if (n <= 0)
		return 0;
	if (needed > 0) {
		if (h->surplus_huge_pages + needed > h->nr_overcommit_huge_pages)
			return -ENOMEM;
		if (grow_pool(h, needed, true) < (unsigned long)needed) {
			return_unused_surplus_pages(h);
			return -ENOMEM;
		}
	}
	h->resv_huge_pages += n;
	return 0;
}

static void __hugetlb_release_reservation(struct hstate *h, long n)
{
	if (n <= 0)
		return;
	BUG_ON((unsigned long)n > h->resv_huge_pages);
	h->resv_huge_pages -= n;
	return_unused_surplus_pages(h);
}

static struct page *__alloc_huge_page(struct hstate *h, bool reserved)
{
	struct page *head;

	if (reserved) {
		BUG_ON(!h->resv_huge_pages);
	} else if (!available_huge_pages(h)) {
		if (h->surplus_huge_pages >= h->nr_overcommit_huge_pages ||
		    !grow_pool(h, 1, true))
			return NULL;
	}
	head = dequeue_free(h);
	if (!head)
		return NULL;
	if (reserved)
		h->resv_huge_pages--;
	list_add(&head->lru, &h->hugepage_activelist);
	page_ref_unfreeze(head, 1);
	return head;
}

static void __free_huge_page(struct page *head)
{
	struct hstate *h = hstate_of(head);

	BUG_ON(!PageHugeTLB(head));
	freeze_huge_page(head);
	list_del(&head->lru);
	enqueue_free(h, head);
	if (*huge_page_flags(head) & HUGETLB_PAGE_HWPOISON) {
		dissolve_poisoned(h, head);
		return;
	}
	if (h->surplus_huge_pages) {
		if (dissolve_free_huge_page(h, head) == 0)
			h->surplus_huge_pages--;
	}
}

/* Demote: one free 1 GiB page becomes 512 free 2 MiB pages. */
static int __demote_one(void)
{
	struct hstate *g = &hstates[HSTATE_1G], *h = &hstates[HSTATE_2M];
	struct page *head = newest_free_without(g, HUGETLB_PAGE_HWPOISON |
						   HUGETLB_PAGE_RESTORE_FAILED);
	struct page *pending[GROW_BATCH];
	unsigned long flags;
	unsigned int n = 0;
	bool optimized;
	int ret;

	if (!head)
		return -EBUSY;
	/* Only where the memory came from passes on; the poison list never does. */
	flags = *huge_page_flags(head) & HUGETLB_PAGE_BOOTMEM;
	optimized = PageVmemmapOptimized(head);
	ret = hugetlb_vmemmap_restore(head, g->order);
	if (ret)
		return ret;
	remove_free(g, head);
	g->nr_huge_pages--;
	destroy_compound_tails(head, g->order, optimized);
	for (unsigned long i = 0; i < (1UL << (g->order - h->order)); i++) {
		pending[n++] = head + (i << h->order);
		prep_new_huge_page(h, pending[n - 1], &grow_batch, flags);
		if (n == GROW_BATCH)
			publish(h, pending, &n, false);
	}
	publish(h, pending, &n, false);
	h->max_huge_pages = persistent_huge_pages(h);
	g->max_huge_pages = persistent_huge_pages(g);
	return 0;
}

/* The entry points, each under hugetlb_lock (see the top of the file). */

int hugetlb_memory_failure(struct page *head, unsigned long pfn)
{
	int ret;

	hugetlb_lock_take();
	ret = __hugetlb_memory_failure(head, pfn);
	hugetlb_lock_drop();
	return ret;
}

bool hugetlb_subpage_poisoned(unsigned long pfn)
{
	bool ret;

	hugetlb_lock_take();
	ret = __hugetlb_subpage_poisoned(pfn);
	hugetlb_lock_drop();
	return ret;
}

unsigned long set_max_huge_pages(struct hstate *h, unsigned long count)
{
	unsigned long ret;

	hugetlb_lock_take();
	ret = __set_max_huge_pages(h, count);
	hugetlb_lock_drop();
	return ret;
}

int hugetlb_acquire_reservation(struct hstate *h, long n)
{
	int ret;

	hugetlb_lock_take();
	ret = __hugetlb_acquire_reservation(h, n);
	hugetlb_lock_drop();
	return ret;
}

void hugetlb_release_reservation(struct hstate *h, long n)
{
	hugetlb_lock_take();
	__hugetlb_release_reservation(h, n);
	hugetlb_lock_drop();
}

struct page *alloc_huge_page(struct hstate *h, bool reserved)
{
	struct page *page;

	hugetlb_lock_take();
	page = __alloc_huge_page(h, reserved);
	hugetlb_lock_drop();
	/* Ours alone now (on the active list, off the free one): cleared unlocked. */
	if (page)
		memset(page_address(page), 0, huge_page_size(h));
	return page;
}

void free_huge_page(struct page *head)
{
	hugetlb_lock_take();
	__free_huge_page(head);
	hugetlb_lock_drop();
}

int hugetlb_demote_one(void)
{
	int ret;

	hugetlb_lock_take();
	ret = __demote_one();
	hugetlb_lock_drop();
	return ret;
}

/* Setup. */

static void hstate_init(int idx, unsigned int order)
{
	struct hstate *h = &hstates[idx];

	h->order = order;
	snprintf(h->name, sizeof(h->name), "hugepages-%lukB", (PAGE_SIZE << order) >> 10);
	INIT_LIST_HEAD(&h->hugepage_freelist);
	INIT_LIST_HEAD(&h->hugepage_activelist);
	h->supported = order == HVO_ORDER_2M || cpu_has_gbpages();
}

/* Boot gigantic pages join the pool; with HVO off they are written now. */
static void add_boot_gigantic(void)
{
	struct hstate *h = &hstates[HSTATE_1G];

	for (unsigned int i = 0; i < nr_boot_gigantic; i++) {
		struct page *head = pfn_to_page(boot_gigantic_pfn[i]);

		if (!hvo_enabled)
			prep_compound_tails(head, h->order);
		*huge_page_flags(head) = HUGETLB_PAGE_BOOTMEM;
		enqueue_free(h, head);
		h->nr_huge_pages++;
	}
	h->max_huge_pages = h->nr_huge_pages;
}

void hugetlb_init(void)
{
	hstate_init(HSTATE_2M, HVO_ORDER_2M);
	hstate_init(HSTATE_1G, HVO_ORDER_1G);
	hugetlb_vmemmap_init_late();
	add_boot_gigantic();
	if (boot_pages_set[HSTATE_2M]) {
		unsigned long got = set_max_huge_pages(&hstates[HSTATE_2M], boot_pages[HSTATE_2M]);

		if (got < boot_pages[HSTATE_2M])
			pr_warn("HugeTLB: allocating %lu of page size 2.00 MiB failed.  Only allocated %lu hugepages.\n",
				boot_pages[HSTATE_2M], got);
	}
	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		boot_pool_pages[i] = persistent_huge_pages(&hstates[i]);
		if (hstates[i].supported)
			pr_info("HugeTLB: registered %s page size, pre-allocated %lu pages\n",
				i == HSTATE_1G ? "1.00 GiB" : "2.00 MiB", hstates[i].nr_huge_pages);
		else
			pr_info("HugeTLB: 1.00 GiB pages unavailable: this CPU has no pdpe1gb\n");
	}
	pr_info("HugeTLB: vmemmap optimization %s: %lu KiB of struct pages freed\n",
		hvo_enabled ? "on" : "off", vmemmap_optimized_pages() << 2);
	hugetlb_register_files();
	hugetlb_vmemmap_register_fault_describer();
	set_contig_move_free_huge(move_free_huge_pages);
}
