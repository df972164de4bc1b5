// SPDX-License-Identifier: MIT
/*
 * Hardware poison, after Linux's mm/memory-failure.c, and the answer to
 * the question Matthew Wilcox asked of HVO (seed 004): where does
 * PageHWPoison go when the tail struct pages are one shared read-only
 * page? Not in the tail: a subpage of a pool huge page is recorded in a
 * list its head keeps (mm/hugetlb.c, hugetlb_memory_failure()), and the
 * flag goes on the exact subpage once the huge page leaves the pool and
 * its struct pages are its own again. Device memory has the same shared
 * tails and nobody to hand the record to: it is refused.
 *
 * Everything else has a struct page of its own:
 *   - a free page leaves the buddy at once: its free block is split
 *     around it (take_page_off_buddy());
 *   - a page in use is marked, and the free path keeps it out when its
 *     allocation comes back (free_hwpoisoned() in mm/page_alloc.c);
 *   - a reserved page (kernel image, firmware, memmap) is marked, but the
 *     kernel goes on using it.
 * A page out of the buddy for good is "held": PG_hwpoison | PG_offline,
 * refcount 1 (the reference memory_failure keeps, as in Linux).
 *
 * Every poisoned pfn is also recorded here, by pfn and not in its struct
 * page: the record survives the memmap going away when its section goes
 * offline, and online marks the page held again (hwpoison_remark_range()).
 */
#include "mm/memory_failure.h"
#include "mm/devdax.h"
#include "mm/hugetlb.h"
#include "mm/meminfo.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
#include "mm/sparse.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

enum mf_kind {
	MF_FREE,	/* taken out of the buddy */
	MF_IN_USE,	/* marked; held once freed */
	MF_HUGETLB,	/* recorded by hugetlb; held once the page leaves the pool */
	MF_RESERVED,	/* marked; the kernel keeps using it */
};

static const char *const kind_names[] = {
	[MF_FREE] = "free buddy page",
	[MF_IN_USE] = "page in use",
	[MF_HUGETLB] = "huge page",
	[MF_RESERVED] = "reserved kernel page",
};

struct hwpoison_record {
	unsigned long pfn;
	enum mf_kind kind;
};

static struct hwpoison_record records[MAX_HWPOISON_RECORDS];
static unsigned int nr_records;
unsigned long num_poisoned_pages(void)
{
	return nr_records;
}

static struct hwpoison_record *find_record(unsigned long pfn)
{
	for (unsigned int i = 0; i < nr_records; i++)
		if (records[i].pfn == pfn)
			return &records[i];
	return NULL;
}

bool pfn_hwpoisoned(unsigned long pfn)
{
	return find_record(pfn);
}

static void add_record(unsigned long pfn, enum mf_kind kind)
{
	records[nr_records++] = (struct hwpoison_record){ .pfn = pfn, .kind = kind };
}

static void drop_record(struct hwpoison_record *rec)
{
	*rec = records[--nr_records];
}

/* One line, as Linux's: "Memory failure: 0x...: why". */
static __printf(4, 5) int mf_error(struct errmsg *e, int err, unsigned long pfn,
				   const char *fmt, ...)
{
	struct errmsg local;
	va_list ap;
	int n;

	/* The log line is written whether or not the caller wants the reason. */
	if (!e)
		e = &local;
	n = snprintf(e->why, sizeof(e->why), "%#lx: ", pfn);
	va_start(ap, fmt);
	vsnprintf(e->why + n, sizeof(e->why) - n, fmt, ap);
	va_end(ap);
	e->err = err;
	pr_err("Memory failure: %s\n", e->why);
	return err;
}

static void action_result(struct errmsg *e, unsigned long pfn, enum mf_kind kind,
			  const char *result)
{
	mf_error(e, 0, pfn, "recovery action for %s: %s", kind_names[kind], result);
}

/*
 * Held: out of the buddy for good. A hugetlb subpage is held once its
 * huge page has left the pool (hugetlb gave it PG_hwpoison, refcount 1).
 */
static bool record_held(const struct hwpoison_record *rec)
{
	struct page *page = pfn_to_page(rec->pfn);

	if (!PageHWPoison(page))
		return false;
	if (PageOffline(page))
		return true;
	return rec->kind == MF_HUGETLB && !hugetlb_subpage_poisoned(rec->pfn);
}

/* Say held in the struct page too (hugetlb does not set PG_offline). */
static void adopt(const struct hwpoison_record *rec)
{
	if (pfn_valid(rec->pfn) && record_held(rec))
		SetPageOffline(pfn_to_page(rec->pfn));
}

static void hold(struct page *page)
{
	SetPageHWPoison(page);
	SetPageOffline(page);
	page->private = 0;
	set_page_count(page, 1);
}

static bool pfn_is_device(unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(pfn);

	return ms && (ms->flags & SECTION_DEVICE);
}

static int poison_hugetlb(struct page *head, unsigned long pfn, struct errmsg *e)
{
	struct hwpoison_record *rec;
	int ret = hugetlb_memory_failure(head, pfn);

	if (ret == -EEXIST)
		return mf_error(e, -EHWPOISON, pfn, "already hardware poisoned");
	if (ret)
		return mf_error(e, ret, pfn, "cannot record the poison in huge page %#lx",
				page_to_pfn(head));
	add_record(pfn, MF_HUGETLB);
	rec = &records[nr_records - 1];
	adopt(rec);
	action_result(e, pfn, MF_HUGETLB, record_held(rec) ? "Recovered" :
		      "Delayed (isolated when the huge page leaves the pool)");
	return 0;
}

static bool in_optimized_free_block(unsigned long pfn)
{
	struct page *block = pfn_to_page(ALIGN_DOWN(pfn, pageblock_nr_pages));
	unsigned long range = ALIGN_DOWN(pfn, GIGANTIC_NR_PAGES);

	/* In a free 1 GiB range whose release found no memory, or re-formed meanwhile. */
	if (pfn_valid(range) && PageFreeGigantic(pfn_to_page(range)))
		return true;
	return PageVmemmapOptimized(block) && !PageHugeTLB(block);
}

/*
 * Only pages nobody references are taken: a free buddy page (refcount 0
 * under the zone locks, so a speculative get_page_unless_zero() fails on
 * it) or a free hugetlb page (frozen at 0, dissolved under hugetlb_lock).
 * A page in use is only marked, and held when its last reference goes.
 */
static int __memory_failure(unsigned long pfn, struct errmsg *e)
{
	struct page *page, *head;

	errmsg_init(e);
	if (pfn_is_device(pfn)) {
		struct dax_region *r = dax_region_of_pfn(pfn);
		char where[24] = "no dax region";

		if (r)
			snprintf(where, sizeof(where), "dax%u.0", r->id);
		return mf_error(e, -EOPNOTSUPP, pfn, "device memory (%s): its tail struct pages are shared, poison is not tracked",
				where);
	}
	if (!pfn_valid(pfn))
		return mf_error(e, -ENXIO, pfn, "memory outside kernel control (no struct page)");
	page = pfn_to_page(pfn);
	if (find_record(pfn) || PageHWPoison(page) || hugetlb_subpage_poisoned(pfn))
		return mf_error(e, -EHWPOISON, pfn, "already hardware poisoned");
	if (nr_records == MAX_HWPOISON_RECORDS)
		return mf_error(e, -ENOSPC, pfn, "too many poisoned pages (%d)", MAX_HWPOISON_RECORDS);
	head = compound_head(page);
	if (PageHead(head) && PageHugeTLB(head))
		return poison_hugetlb(head, pfn, e);
	if (take_page_off_buddy(page)) {
		hold(page);
		add_record(pfn, MF_FREE);
		action_result(e, pfn, MF_FREE, "Recovered");
		return 0;
	}
	/*
	 * A free block whose tails are still shared (its restore found no
	 * memory, or another CPU is splitting it): the page's struct page is
	 * the read-only shared tail, and marking it would write there.
	 */
	if (in_optimized_free_block(pfn))
		return mf_error(e, -EBUSY, pfn, "in a free block whose memmap is being restored; try again");
	hwpoison_mark_in_use(page);
	if (PageReserved(page)) {
		add_record(pfn, MF_RESERVED);
		action_result(e, pfn, MF_RESERVED, "Ignored (marked; the kernel keeps using it)");
		return -EBUSY;
	}
	add_record(pfn, MF_IN_USE);
	action_result(e, pfn, MF_IN_USE, "Delayed (isolated when freed)");
	return 0;
}

static int __unpoison_memory(unsigned long pfn, struct errmsg *e)
{
	struct hwpoison_record *rec = find_record(pfn);
	struct page *page;

	errmsg_init(e);
	if (!rec)
		return errmsg_set(e, -ENOENT, "%#lx: not hardware poisoned", pfn);
	/* Offline: the record goes, online gives the page back as any other. */
	if (!pfn_valid(pfn)) {
		drop_record(rec);
		return 0;
	}
	page = pfn_to_page(pfn);
	if (rec->kind == MF_HUGETLB && hugetlb_subpage_poisoned(pfn))
		return errmsg_set(e, -EBUSY, "%#lx: recorded in a huge page still in the pool", pfn);
	adopt(rec);
	if (PageOffline(page)) {
		ClearPageOffline(page);
		ClearPageHWPoison(page);
		page->private = 0;
		set_page_count(page, 1);
		__free_page(page);
	} else {
		hwpoison_clear_in_use(page);
	}
	drop_record(rec);
	pr_info("Unpoison: Software-unpoisoned page %#lx\n", pfn);
	return 0;
}

/*
 * mf_lock serialises the records and the poisoning itself (Linux's
 * mf_mutex): a spinlock taken with interrupts on, as hugetlb_lock, which
 * it is taken before. Order: mf_lock -> hugetlb_lock -> zone->lock.
 */
static DEFINE_SPINLOCK(mf_lock);

static int under_mf_lock(int (*fn)(unsigned long pfn, struct errmsg *e), unsigned long pfn,
			 struct errmsg *e)
{
	int ret;

	spin_lock(&mf_lock);
	ret = fn(pfn, e);
	spin_unlock(&mf_lock);
	return ret;
}

int memory_failure(unsigned long pfn, struct errmsg *e)
{
	return under_mf_lock(__memory_failure, pfn, e);
}

int unpoison_memory(unsigned long pfn, struct errmsg *e)
{
	return under_mf_lock(__unpoison_memory, pfn, e);
}

static bool held_now(const struct hwpoison_record *rec)
{
	if (!pfn_valid(rec->pfn))
		return false;
	adopt(rec);
	return record_held(rec);
}

bool page_hwpoison_held(unsigned long pfn)
{
	struct hwpoison_record *rec = find_record(pfn);

	return rec && held_now(rec);
}

unsigned long hwpoison_next_held(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long first = end_pfn;

	for (unsigned int i = 0; i < nr_records; i++) {
		unsigned long pfn = records[i].pfn;

		if (pfn >= start_pfn && pfn < first && held_now(&records[i]))
			first = pfn;
	}
	return first;
}

unsigned long hwpoison_remark_range(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < nr_records; i++) {
		if (records[i].pfn < start_pfn || records[i].pfn >= end_pfn)
			continue;
		hold(pfn_to_page(records[i].pfn));
		ClearPageReserved(pfn_to_page(records[i].pfn));
		n++;
	}
	return n;
}

/* /proc/meminfo */

static void hwpoison_meminfo(struct seq_buf *m)
{
	seq_printf(m, "HardwareCorrupted: %5lu kB\n", num_poisoned_pages() << (PAGE_SHIFT - 10));
}

static struct meminfo_extra hwpoison_meminfo_extra = { .show = hwpoison_meminfo };

void memory_failure_init(void)
{
	register_meminfo_extra(&hwpoison_meminfo_extra);
}

int hwpoison_for_each_record(int (*fn)(const struct hwpoison_info *r, void *arg), void *arg)
{
	for (unsigned int i = 0; i < nr_records; i++) {
		const struct hwpoison_record *rec = &records[i];
		struct hwpoison_info r = {
			.pfn = rec->pfn,
			.hugetlb = rec->kind == MF_HUGETLB,
			.held = pfn_valid(rec->pfn) && record_held(rec),
			.state = "offline section",
			.kind = kind_names[rec->kind],
		};
		int ret;

		if (pfn_valid(rec->pfn))
			r.state = r.held ? "held" : r.hugetlb ? "in a pool huge page" :
				  "in use: held when freed";
		ret = fn(&r, arg);
		if (ret)
			return ret;
	}
	return 0;
}
