// SPDX-License-Identifier: MIT
/*
 * Memory sections offline/online (mm/memory_hotplug.c) through Linux's
 * files, /sys/devices/system/memory/memoryN/state. Offline of a free
 * section gives back its 2 MiB of memmap (and the vmemmap tables left
 * empty); online takes it again and returns the pages; a busy section
 * refuses with EBUSY and nothing changes. Every cycle ends at the exact
 * baseline of free pages, memmap bytes and kernel page tables. Checkers
 * after every step: page_alloc_check, kernel_pgtable_check, hugetlb_check,
 * memory_failure_check.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/devdax.h"
#include "mm/hugetlb.h"
#include "mm/debug/check.h"
#include "mm/fail_page_alloc.h"
#include "mm/memory_failure.h"
#include "mm/memory_hotplug.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"
#include "kernel/pseudofs.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"
#include "libc/stdlib.h"

/* The reason the last write through these tests failed. */
static struct errmsg werr;

struct baseline {
	struct ktest_mm_counts mm;
};

static void take_baseline(struct baseline *b)
{
	ktest_mm_counts_take(&b->mm);
}

#define CHECKERS_PASS(test)	KTEST_MM_CHECKERS(test)

static void expect_baseline_at(struct kunit *test, const struct baseline *b, int line)
{
	ktest_mm_counts_same(test, __FILE__, line, &b->mm);
	ktest_mm_checkers(test, __FILE__, line);
}
#define EXPECT_BASELINE(test, b) expect_baseline_at(test, b, __LINE__)

/* The watermarks follow the managed pages as a section comes and goes. */
static void expect_wmarks_at(struct kunit *test, int line)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (zones[z].watermark[WMARK_MIN] != ktest_wmark_min(z))
			ktest_fail(test, __FILE__, line, "zone %d: min watermark %lu, want %lu",
				   z, zones[z].watermark[WMARK_MIN], ktest_wmark_min(z));
}
#define EXPECT_WMARKS(test)	expect_wmarks_at(test, __LINE__)

static void state_path(char *buf, size_t len, unsigned long nr)
{
	snprintf(buf, len, "/sys/devices/system/memory/memory%lu/state", nr);
}

static int write_state(unsigned long nr, const char *val)
{
	char path[64];

	state_path(path, sizeof(path), nr);
	return pseudofs_write(path, val, strlen(val), &werr);
}

static bool state_is(unsigned long nr, const char *want)
{
	char path[64], buf[16];

	state_path(path, sizeof(path), nr);
	return pseudofs_read(path, buf, sizeof(buf)) > 0 && !strcmp(buf, want);
}

/*
 * Sections that can go offline: found by trying, from the top (offline is
 * all or nothing), and brought back at once. A section holding a page the
 * user poisoned can go offline too, but its pages do not add up to a
 * whole section: the cases want pristine ones (and leave that page be).
 */
static unsigned int find_free_sections(unsigned long *nrs, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned long nr = nr_mem_sections; nr-- > 0 && n < max;) {
		struct mem_section *ms = &mem_section[nr];
		unsigned long start = section_nr_to_pfn(nr), end = start + PAGES_PER_SECTION;

		if (!(ms->flags & SECTION_ONLINE) || (ms->flags & SECTION_DEVICE))
			continue;
		if (hwpoison_next_held(start, end) != end)
			continue;
		if (offline_memory_section(nr, NULL))
			continue;
		if (online_memory_section(nr, NULL))
			break;
		nrs[n++] = nr;
	}
	return n;
}

static void skip_no_free_section(struct kunit *test)
{
	if (num_poisoned_pages())
		ktest_skip(test, "no wholly free section without a hwpoisoned page (see poison)");
	else
		ktest_skip(test, "no wholly free section in this guest");
}

static bool have_free_section(struct kunit *test, unsigned long *nr)
{
	if (find_free_sections(nr, 1))
		return true;
	skip_no_free_section(test);
	return false;
}

KTEST(hotplug, sysfs_files)
{
	char path[80], buf[32];
	unsigned long shown = 0;

	EXPECT_EQ(test, pseudofs_read("/sys/devices/system/memory/block_size_bytes", buf, sizeof(buf)), 8);
	EXPECT_STREQ(test, buf, "8000000\n");
	for (unsigned long nr = 0; nr < nr_mem_sections; nr++) {
		struct mem_section *ms = &mem_section[nr];

		state_path(path, sizeof(path), nr);
		if (!(ms->flags & SECTION_PRESENT)) {
			/* Holes and device memory have no memory block (Linux). */
			EXPECT_EQ(test, pseudofs_read(path, buf, sizeof(buf)), -ENOENT);
			continue;
		}
		EXPECT_TRUE(test, state_is(nr, ms->flags & SECTION_ONLINE ? "online\n" : "offline\n"));
		snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%lu/phys_index", nr);
		EXPECT_EQ(test, pseudofs_read(path, buf, sizeof(buf)), 9);
		snprintf(path, sizeof(path), "%08lx\n", nr);
		EXPECT_STREQ(test, buf, path);
		shown++;
	}
	EXPECT_EQ(test, shown, nr_present_sections());
	EXPECT_EQ(test, pseudofs_write("/sys/devices/system/memory/block_size_bytes", "1", 1, &werr), -EPERM);
}

/* Offline gives back the 2 MiB memmap and the pages; online takes them back. */
KTEST(hotplug, offline_online_exact)
{
	unsigned long nr, start;
	struct baseline b;
	bool pmd;

	if (!have_free_section(test, &nr))
		return;
	start = section_nr_to_pfn(nr);
	take_baseline(&b);
	pmd = mem_section[nr].flags & SECTION_MEMMAP_PMD;
	ASSERT_EQ(test, write_state(nr, "offline\n"), 0);
	EXPECT_TRUE(test, state_is(nr, "offline\n"));
	EXPECT_FALSE(test, pfn_valid(start));
	EXPECT_FALSE(test, pfn_online(start + 5));
	EXPECT_EQ(test, kernel_virt_to_phys(section_vmemmap(nr)), ~0ULL);
	EXPECT_EQ(test, kernel_virt_to_phys(section_vmemmap(nr) + SECTION_MEMMAP_SIZE - 1), ~0ULL);
	drain_all_pages();
	/* 32768 pages out, the 512 pages of its memmap (and a PTE table) back. */
	EXPECT_EQ(test, ktest_free_pages(), b.mm.free - PAGES_PER_SECTION + 512 + !pmd);
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b.mm.memmap - SECTION_MEMMAP_SIZE);
	EXPECT_EQ(test, ktest_pgtable_pages(), b.mm.tables - !pmd);
	EXPECT_WMARKS(test);
	CHECKERS_PASS(test);
	ASSERT_EQ(test, write_state(nr, "online"), 0);
	EXPECT_TRUE(test, state_is(nr, "online\n"));
	EXPECT_WMARKS(test);
	EXPECT_TRUE(test, pfn_valid(start) && pfn_online(start));
	EXPECT_TRUE(test, mem_section[nr].flags & SECTION_MEMMAP_PMD);
	EXPECT_BASELINE(test, &b);
	/* The pages are the buddy's again: a whole section can be had. */
	ASSERT_EQ(test, alloc_contig_range(start, PAGES_PER_SECTION), 0);
	free_contig_range(start, PAGES_PER_SECTION);
	EXPECT_BASELINE(test, &b);
}

/* One page in use: EBUSY, and nothing changed. */
KTEST(hotplug, busy_section_unchanged)
{
	unsigned long nr, pfn;
	struct baseline b;
	unsigned long flags;

	if (!have_free_section(test, &nr))
		return;
	pfn = section_nr_to_pfn(nr) + PAGES_PER_SECTION / 2 + 3;
	ASSERT_EQ(test, alloc_contig_range(pfn, 1), 0);
	take_baseline(&b);
	flags = mem_section[nr].flags;
	EXPECT_EQ(test, write_state(nr, "offline"), -EBUSY);
	EXPECT_NOT_NULL(test, strstr(errmsg_why(&werr, -EBUSY), "pages in use"));
	EXPECT_TRUE(test, state_is(nr, "online\n"));
	EXPECT_UEQ(test, mem_section[nr].flags, flags);
	EXPECT_BASELINE(test, &b);
	free_contig_range(pfn, 1);
	take_baseline(&b);
	EXPECT_EQ(test, write_state(nr, "offline"), 0);
	EXPECT_EQ(test, write_state(nr, "online"), 0);
	EXPECT_BASELINE(test, &b);
	/* The kernel's own section: busy (or across the DMA zone boundary). */
	EXPECT_EQ(test, offline_memory_section(0, NULL), -EBUSY);
	EXPECT_TRUE(test, state_is(0, "online\n"));
	/* Sections holding optimized hugetlb pages (boot 1 GiB pages too). */
	for (unsigned long s = 0; s < nr_mem_sections; s++) {
		if (!mem_section[s].nr_optimized)
			continue;
		EXPECT_EQ(test, offline_memory_section(s, NULL), -EBUSY);
		EXPECT_TRUE(test, state_is(s, "online\n"));
	}
	EXPECT_BASELINE(test, &b);
}

KTEST(hotplug, bad_writes)
{
	unsigned long nr;
	struct baseline b;

	if (!have_free_section(test, &nr))
		return;
	take_baseline(&b);
	EXPECT_EQ(test, write_state(nr, "sideways"), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(errmsg_why(&werr, -EINVAL), "online or offline"));
	EXPECT_EQ(test, write_state(nr, "online"), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(errmsg_why(&werr, -EINVAL), "already online"));
	EXPECT_EQ(test, write_state(nr, ""), -EINVAL);
	EXPECT_EQ(test, write_state(nr, "offline"), 0);
	EXPECT_EQ(test, write_state(nr, "offline"), -EINVAL);
	EXPECT_NOT_NULL(test, strstr(errmsg_why(&werr, -EINVAL), "already offline"));
	EXPECT_EQ(test, write_state(nr, "online_kernel\n"), 0);
	EXPECT_EQ(test, pseudofs_write("/sys/devices/system/memory/memory99999/state", "offline", 7, &werr), -ENOENT);
	EXPECT_EQ(test, offline_memory_section(nr_mem_sections + 3, &werr), -ENODEV);
	EXPECT_BASELINE(test, &b);
}

static bool counters_at(struct kunit *test, const struct baseline *b, int line);

/* Section nr holds the memmap (PMD-mapped) of some section. */
static bool holds_memmap(unsigned long nr)
{
	for (unsigned long s = 0; s < nr_mem_sections; s++) {
		phys_addr_t pa;

		if (!(mem_section[s].flags & SECTION_HAS_MEMMAP))
			continue;
		pa = kernel_virt_to_phys(section_vmemmap(s));
		if (pa != ~0ULL && pfn_to_section_nr(PHYS_PFN(pa)) == nr)
			return true;
	}
	return false;
}

KTEST(hotplug, seeded_random_cycles)
{
	u64 seed = 0xd1b54a32d192ed03ULL;
	unsigned long nrs[6];
	unsigned int n, flips = 0, busy = 0;
	struct baseline b;

	n = find_free_sections(nrs, ARRAY_SIZE(nrs));
	if (!n) {
		skip_no_free_section(test);
		return;
	}
	take_baseline(&b);
	for (int step = 0; step < 40; step++) {
		unsigned long nr = nrs[xorshift64(&seed) % n];
		bool online = mem_section[nr].flags & SECTION_ONLINE;
		struct baseline before;
		int ret;

		take_baseline(&before);
		ret = write_state(nr, online ? "offline" : "online");
		if (ret == -EBUSY && online) {
			/* Another section's new memmap may have landed in this one. */
			EXPECT_TRUE(test, holds_memmap(nr));
			EXPECT_TRUE(test, state_is(nr, "online\n"));
			counters_at(test, &before, __LINE__);
			busy++;
		} else {
			EXPECT_EQ(test, ret, 0);
			EXPECT_TRUE(test, state_is(nr, online ? "offline\n" : "online\n"));
			flips += !ret;
		}
		if (!CHECKERS_PASS(test)) {
			ktest_log(test, "after step %d", step);
			break;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		if (!(mem_section[nrs[i]].flags & SECTION_ONLINE))
			EXPECT_EQ(test, write_state(nrs[i], "online"), 0);
	ktest_log(test, "%u sections, %u state changes, %u offlines refused (busy)", n, flips, busy);
	EXPECT_GE(test, flips, 20);
	EXPECT_BASELINE(test, &b);
}

/*
 * Memory with no free 2 MiB block: every block of order >= 9 taken, and a
 * few of them split and given back but for one page in each 2 MiB, so
 * that small allocations still succeed.
 */
struct fragmentation {
	struct list_head blocks, kept;
};

static void fragment_memory(struct fragmentation *f, unsigned int nr_split)
{
	struct page *p;

	INIT_LIST_HEAD(&f->blocks);
	INIT_LIST_HEAD(&f->kept);
	for (int order = MAX_ORDER; order >= pageblock_order; order--) {
		while ((p = alloc_pages(__GFP_MEMALLOC | __GFP_NOWARN | __GFP_NORETRY, order))) {
			p->index = order;
			list_add(&p->lru, &f->blocks);
		}
	}
	for (unsigned int i = 0; i < nr_split && !list_empty(&f->blocks); i++) {
		unsigned int order;

		p = list_first_entry(&f->blocks, struct page, lru);
		order = p->index;
		list_del(&p->lru);
		p->index = 0;
		split_page(p, order);
		for (unsigned long j = 0; j < (1UL << order); j++) {
			if (j % pageblock_nr_pages)
				__free_page(p + j);
			else
				list_add(&p[j].lru, &f->kept);
		}
	}
}

static void unfragment_memory(struct fragmentation *f)
{
	struct page *p, *n;

	list_for_each_entry_safe(p, n, &f->kept, lru) {
		list_del(&p->lru);
		__free_page(p);
	}
	list_for_each_entry_safe(p, n, &f->blocks, lru) {
		unsigned int order = p->index;

		list_del(&p->lru);
		p->index = 0;
		free_pages(p, order);
	}
}

static bool counters_at(struct kunit *test, const struct baseline *b, int line)
{
	drain_all_pages();
	if (ktest_free_pages() == b->mm.free && ktest_vmemmap_bytes() == b->mm.memmap &&
	    ktest_pgtable_pages() == b->mm.tables)
		return true;
	ktest_fail(test, __FILE__, line, "free %lu/%lu memmap %lu/%lu tables %lu/%lu",
		   ktest_free_pages(), b->mm.free, ktest_vmemmap_bytes(), b->mm.memmap,
		   ktest_pgtable_pages(), b->mm.tables);
	return false;
}

/*
 * Fail the kth allocation of an online, for every k it makes: the section
 * stays offline and nothing leaks, or it comes online whole. Returns the
 * number of clean failures.
 */
static unsigned long inject_online(struct kunit *test, unsigned long nr, bool full_check)
{
	unsigned long k, failures = 0;
	struct baseline off;

	take_baseline(&off);
	for (k = 1; k < 1024; k++) {
		unsigned long injected = fail_page_alloc_injected();
		int ret;

		fail_page_alloc_nth(k);
		ret = write_state(nr, "online");
		fail_page_alloc_off();
		if (ret) {
			EXPECT_EQ(test, ret, -ENOMEM);
			EXPECT_NOT_NULL(test, strstr(errmsg_why(&werr, ret), "no memory for its memmap"));
			failures++;
		} else {
			if (full_check || k % 128 == 0)
				CHECKERS_PASS(test);
			EXPECT_EQ(test, write_state(nr, "offline"), 0);
		}
		EXPECT_TRUE(test, state_is(nr, "offline\n"));
		if (!counters_at(test, &off, __LINE__))
			break;
		if (full_check || k % 128 == 0)
			CHECKERS_PASS(test);
		if (fail_page_alloc_injected() == injected)
			break;		/* the kth allocation never happened */
	}
	ktest_log(test, "%lu allocations failed in turn, %lu onlines failed cleanly", k - 1, failures);
	return failures;
}

/*
 * The allocations of online: the 2 MiB block of the memmap; and, when no
 * block can be had (memory fragmented on purpose), the 512 pages and the
 * PTE table of the 4 KiB fallback.
 */
KTEST(hotplug, fault_injection_online)
{
	struct fragmentation frag;
	struct baseline b;
	unsigned long nr;

	if (!have_free_section(test, &nr))
		return;
	take_baseline(&b);
	ASSERT_EQ(test, write_state(nr, "offline"), 0);
	inject_online(test, nr, true);
	fragment_memory(&frag, 64);
	/* Still no free 2 MiB block: online falls back to 4 KiB pages. */
	EXPECT_GT(test, inject_online(test, nr, false), 500);
	CHECKERS_PASS(test);
	unfragment_memory(&frag);
	EXPECT_EQ(test, write_state(nr, "online"), 0);
	EXPECT_TRUE(test, mem_section[nr].flags & SECTION_MEMMAP_PMD);
	EXPECT_BASELINE(test, &b);
}

/* A held poisoned page does not keep its section online, and stays out. */
KTEST(hotplug, poisoned_page_survives)
{
	unsigned long nr, pfn;
	struct baseline b;

	if (!have_free_section(test, &nr))
		return;
	pfn = section_nr_to_pfn(nr) + 12345;
	take_baseline(&b);
	ASSERT_EQ(test, memory_failure(pfn, &werr), 0);
	EXPECT_EQ(test, write_state(nr, "offline"), 0);
	EXPECT_EQ(test, memory_failure(pfn, &werr), -ENXIO);
	EXPECT_TRUE(test, pfn_hwpoisoned(pfn));
	CHECKERS_PASS(test);
	EXPECT_EQ(test, write_state(nr, "online"), 0);
	EXPECT_TRUE(test, PageHWPoison(pfn_to_page(pfn)) && PageOffline(pfn_to_page(pfn)));
	EXPECT_FALSE(test, is_free_buddy_page(pfn_to_page(pfn)));
	drain_all_pages();
	EXPECT_EQ(test, ktest_free_pages(), b.mm.free - 1);
	CHECKERS_PASS(test);
	/* Offline and online again with it, then give it back. */
	EXPECT_EQ(test, write_state(nr, "offline"), 0);
	EXPECT_EQ(test, write_state(nr, "online"), 0);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
	EXPECT_BASELINE(test, &b);
	/* Given back while offline: online returns it with the rest. */
	ASSERT_EQ(test, memory_failure(pfn, &werr), 0);
	EXPECT_EQ(test, write_state(nr, "offline"), 0);
	EXPECT_EQ(test, unpoison_memory(pfn, &werr), 0);
	EXPECT_EQ(test, write_state(nr, "online"), 0);
	EXPECT_BASELINE(test, &b);
}

/*
 * vmemmap_migrate_range(): a section's 2 MiB memmap block placed inside a
 * free 1 GiB range R on purpose (offline, every 2 MiB block outside R
 * held, online), then moved out by hand or by alloc_contig_pages().
 */
#define GIB_PAGES	(SZ_1G >> PAGE_SHIFT)

struct migrate_case {
	unsigned long r_start, r_end;	/* R, pfns */
	unsigned long nr;		/* the section whose memmap goes into R */
	struct list_head held;		/* 2 MiB blocks outside R */
	struct page *snap;		/* 2 MiB: the section's struct pages */
	unsigned long used_pfn;		/* a few pages of the section in use */
	struct baseline b;
};

static bool in_range(const struct migrate_case *c, unsigned long pfn)
{
	return pfn + PAGES_PER_SUBSECTION > c->r_start && pfn < c->r_end;
}

static pteval_t memmap_entry(unsigned long nr)
{
	enum pg_level level;
	pteval_t *e = kernel_lookup(section_vmemmap(nr), &level);

	return e && level == PG_LEVEL_2M ? *e : 0;
}

static unsigned long memmap_pfn(unsigned long nr)
{
	return PHYS_PFN(entry_phys(memmap_entry(nr)));
}

/*
 * Take every free 2 MiB block; keep those outside R, give back the rest.
 * With free memory optimized, each block taken borrows 7 pages for its
 * memmap, and those of R's blocks come back when R's are given back: a
 * block outside R they were all borrowed from is whole again, so the
 * take is repeated (drained, its re-shares done) until none comes.
 */
static void hold_outside(struct migrate_case *c)
{
	unsigned long held;
	struct page *p, *n;
	LIST_HEAD(inside);

	do {
		held = 0;
		while ((p = alloc_pages(__GFP_MEMALLOC | __GFP_NOWARN | __GFP_NORETRY,
					pageblock_order))) {
			bool in_r = in_range(c, page_to_pfn(p));

			list_add(&p->lru, in_r ? &inside : &c->held);
			held += !in_r;
		}
		list_for_each_entry_safe(p, n, &inside, lru) {
			list_del(&p->lru);
			free_pages(p, pageblock_order);
		}
		drain_all_pages();
	} while (held);
}

/* Give back the held blocks, but one in each other gigabyte when pin. */
static unsigned long release_held(struct migrate_case *c, bool pin)
{
	u64 pinned = 0;
	unsigned long freed = 0;
	struct page *p, *n;

	list_for_each_entry_safe(p, n, &c->held, lru) {
		unsigned long gib = page_to_pfn(p) / GIB_PAGES;

		if (pin && gib < 64 && !(pinned & BIT(gib))) {
			pinned |= BIT(gib);
			continue;
		}
		list_del(&p->lru);
		free_pages(p, pageblock_order);
		freed += pageblock_nr_pages;
	}
	return freed;
}

static bool pick_section(struct kunit *test, struct migrate_case *c)
{
	/* R holds 8 sections: of 9 free ones, one is outside it. */
	unsigned long nrs[SZ_1G / (PAGES_PER_SECTION << PAGE_SHIFT) + 1];
	unsigned int n = find_free_sections(nrs, ARRAY_SIZE(nrs));

	for (unsigned int i = 0; i < n; i++) {
		unsigned long pfn = section_nr_to_pfn(nrs[i]);

		if (pfn + PAGES_PER_SECTION <= c->r_start || pfn >= c->r_end) {
			c->nr = nrs[i];
			return true;
		}
	}
	skip_no_free_section(test);
	return false;
}

static bool migrate_setup(struct kunit *test, struct migrate_case *c)
{
	struct page *r = alloc_contig_pages(GIB_PAGES, GIB_PAGES, GFP_KERNEL);

	INIT_LIST_HEAD(&c->held);
	if (!r) {
		ktest_skip(test, "no free 1 GiB range in this guest");
		return false;
	}
	c->r_start = page_to_pfn(r);
	c->r_end = c->r_start + GIB_PAGES;
	free_contig_range(c->r_start, GIB_PAGES);
	if (!pick_section(test, c))
		return false;
	take_baseline(&c->b);
	c->snap = alloc_pages(GFP_KERNEL, pageblock_order);
	if (!c->snap || write_state(c->nr, "offline")) {
		ktest_fail(test, __FILE__, __LINE__, "no snapshot block, or section %lu stays online", c->nr);
		return false;
	}
	hold_outside(c);
	EXPECT_EQ(test, write_state(c->nr, "online"), 0);
	/* The struct pages moved must not all read the same. */
	c->used_pfn = section_nr_to_pfn(c->nr) + 1000;
	if (alloc_contig_range(c->used_pfn, 7))
		c->used_pfn = 0;
	if (!c->used_pfn || !(mem_section[c->nr].flags & SECTION_MEMMAP_PMD) ||
	    !in_range(c, memmap_pfn(c->nr))) {
		ktest_fail(test, __FILE__, __LINE__, "section %lu: memmap %#lx not a block in R %#lx",
			   c->nr, memmap_pfn(c->nr), c->r_start);
		return false;
	}
	return CHECKERS_PASS(test);
}

static void migrate_teardown(struct kunit *test, struct migrate_case *c)
{
	/* Skipped before the baseline was taken: nothing was changed. */
	if (!c->b.mm.free)
		return;
	release_held(c, false);
	if (c->used_pfn)
		free_contig_range(c->used_pfn, 7);
	if (c->snap)
		free_pages(c->snap, pageblock_order);
	EXPECT_BASELINE(test, &c->b);
}

static void take_snapshot(struct migrate_case *c)
{
	memcpy(page_address(c->snap), pfn_to_page(section_nr_to_pfn(c->nr)), SECTION_MEMMAP_SIZE);
}

/*
 * A free block's head is linked into a free list whose other blocks come
 * and go: its lru is not the section's state, everything else is.
 */
static bool same_page(const struct page *p, const struct page *o)
{
	/* Nor is whether the debug fill wrote it (a block lent as memmap comes back filled). */
	unsigned long filled = PageBuddy(p) ? BIT(PG_filled) : 0;

	if ((p->flags & ~filled) != (o->flags & ~filled) || p->_refcount != o->_refcount ||
	    p->_mapcount != o->_mapcount || p->private != o->private ||
	    p->data[0] != o->data[0] || p->data[1] != o->data[1] || p->index != o->index)
		return false;
	return PageBuddy(p) ||
	       (p->compound_info == o->compound_info && p->__tail_pad == o->__tail_pad);
}

/* Some section's memmap is the 2 MiB block at pfn. */
static bool memmap_block_at(unsigned long pfn)
{
	for (unsigned long s = 0; s < nr_mem_sections; s++)
		if ((mem_section[s].flags & SECTION_HAS_MEMMAP) && memmap_entry(s) &&
		    memmap_pfn(s) == pfn)
			return true;
	return false;
}

/*
 * A free page the buddy lent since to the memmap of a restored block (a
 * free 1 GiB range's memmap blocks borrow so, until the range forms
 * again): still the buddy's, counted as lent.
 */
static bool lent_since(const struct page *p, const struct page *o)
{
	return PageMemmap(p) && !PageReserved(p) && page_ref_count(p) == 1 &&
	       (PageBuddy(o) || (!o->flags && !o->_refcount));
}

/*
 * Field by field, naming the first struct page that differs. A block a
 * memmap moved to (this section's, or another's moved out of the way of
 * a gigantic allocation) may be one of this section's free blocks, taken
 * from a range already in use as the buddy places them: its pages are
 * allocated now, whatever they were.
 */
static bool snapshot_same_at(struct kunit *test, const struct migrate_case *c, int line)
{
	const struct page *old = page_address(c->snap);
	unsigned long pfn = section_nr_to_pfn(c->nr), bad = 0;
	bool moved_here = false;

	for (unsigned long i = 0; i < PAGES_PER_SECTION; i++) {
		const struct page *p = pfn_to_page(pfn + i), *o = &old[i];

		if (!(i % PAGES_PER_SUBSECTION))
			moved_here = memmap_block_at(pfn + i);
		if (same_page(p, o) || moved_here || lent_since(p, o))
			continue;
		if (!bad++)
			ktest_fail(test, __FILE__, line,
				   "pfn %#lx: flags %#lx/%#lx ref %d/%d compound %#lx/%#lx private %lu/%lu",
				   pfn + i, p->flags, o->flags, p->_refcount, o->_refcount,
				   p->compound_info, o->compound_info, p->private, o->private);
	}
	if (bad)
		ktest_log(test, "%lu struct pages differ", bad);
	return !bad;
}
#define EXPECT_SNAPSHOT(test, c)	snapshot_same_at(test, c, __LINE__)

/* Free pages as with a plain free memmap (ktest_free_pages()). */
static void expect_free_at(struct kunit *test, unsigned long want, int line)
{
	drain_all_pages();
	if (ktest_free_pages() != want)
		ktest_fail(test, __FILE__, line, "free pages %lu, want %lu", ktest_free_pages(), want);
}
#define EXPECT_FREE(test, want)		expect_free_at(test, want, __LINE__)

static void expect_block_free(struct kunit *test, unsigned long pfn)
{
	unsigned long busy = 0;

	for (unsigned long i = 0; i < pageblock_nr_pages; i++)
		busy += !is_free_buddy_page(pfn_to_page(pfn + i));
	EXPECT_UEQ(test, busy, 0);
}

/* Blocks outside R to be had again: the free pages once given back. */
static unsigned long release_all(struct migrate_case *c, bool pin, pteval_t *e)
{
	unsigned long free;

	drain_all_pages();
	free = ktest_free_pages() + release_held(c, pin);
	take_snapshot(c);
	*e = memmap_entry(c->nr);
	return free;
}

/* Nowhere outside R for a block: the free pages once all are held. */
static unsigned long hold_all(struct migrate_case *c, pteval_t *e)
{
	hold_outside(c);	/* the section's own blocks too */
	take_snapshot(c);
	*e = memmap_entry(c->nr);
	drain_all_pages();
	return ktest_free_pages();
}

/*
 * Drained first: the blocks a failed move took and gave back borrowed
 * memmap pages (free memory optimized), returned once their re-share,
 * noted under the vmemmap lock, is done.
 */
static void expect_unchanged_at(struct kunit *test, const struct migrate_case *c,
				pteval_t e, unsigned long free, int line)
{
	drain_all_pages();
	if (memmap_entry(c->nr) != e)
		ktest_fail(test, __FILE__, line, "vmemmap PMD %#llx, was %#llx",
			   (unsigned long long)memmap_entry(c->nr), (unsigned long long)e);
	snapshot_same_at(test, c, line);
	expect_free_at(test, free, line);
	ktest_mm_checkers(test, __FILE__, line);
}
#define EXPECT_UNCHANGED(test, c, e, free) expect_unchanged_at(test, c, e, free, __LINE__)

KTEST(hotplug, migrate_moves_block_out)
{
	struct migrate_case c = { 0 };
	unsigned long old, free;
	pteval_t e;

	if (migrate_setup(test, &c)) {
		free = release_all(&c, false, &e);
		old = memmap_pfn(c.nr);
		EXPECT_EQ(test, vmemmap_migrate_range(c.r_start, c.r_end), 0);
		CHECKERS_PASS(test);
		EXPECT_FALSE(test, in_range(&c, memmap_pfn(c.nr)));
		EXPECT_UEQ(test, memmap_entry(c.nr) & ~PTE_PFN_MASK, e & ~PTE_PFN_MASK);
		EXPECT_SNAPSHOT(test, &c);
		expect_block_free(test, old);
		EXPECT_FREE(test, free);
	}
	migrate_teardown(test, &c);
}

/*
 * Nowhere outside R to move the block to: -ENOMEM, and no gigantic page,
 * with nothing changed.
 */
KTEST(hotplug, migrate_enomem_unchanged)
{
	struct migrate_case c = { 0 };
	unsigned long free;
	pteval_t e;

	if (migrate_setup(test, &c)) {
		free = hold_all(&c, &e);
		EXPECT_EQ(test, vmemmap_migrate_range(c.r_start, c.r_end), -ENOMEM);
		EXPECT_UNCHANGED(test, &c, e, free);
		EXPECT_NULL(test, alloc_contig_pages(GIB_PAGES, GIB_PAGES, GFP_KERNEL));
		EXPECT_UNCHANGED(test, &c, e, free);
	}
	migrate_teardown(test, &c);
}

KTEST(hotplug, migrate_fault_injection)
{
	struct migrate_case c = { 0 };
	unsigned long free, failures = 0, k;
	pteval_t e;
	int ret = -ENOMEM;

	if (migrate_setup(test, &c)) {
		free = release_all(&c, false, &e);
		for (k = 1; k <= 16 && ret; k++) {
			fail_page_alloc_nth(k);
			ret = vmemmap_migrate_range(c.r_start, c.r_end);
			fail_page_alloc_off();
			if (!ret)
				break;
			EXPECT_EQ(test, ret, -ENOMEM);
			EXPECT_UNCHANGED(test, &c, e, free);
			failures++;
		}
		ktest_log(test, "%lu allocations failed in turn, then moved", failures);
		EXPECT_EQ(test, ret, 0);
		EXPECT_GE(test, failures, 1);
		EXPECT_FALSE(test, in_range(&c, memmap_pfn(c.nr)));
		EXPECT_SNAPSHOT(test, &c);
		EXPECT_FREE(test, free);
	}
	migrate_teardown(test, &c);
}

/* Every other gigabyte pinned: only moving the memmap block frees R. */
/*
 * R in use as a gigantic page, then given back. The section's struct
 * pages are compared once it is back: with free memory optimized, R's
 * blocks got their memmap back in pages borrowed from wherever the buddy
 * had them, this section's free blocks too, until R is freed.
 */
static void expect_gigantic_in_r(struct kunit *test, struct migrate_case *c,
				 struct page *p, unsigned long free)
{
	EXPECT_UEQ(test, page_to_pfn(p), c->r_start);
	EXPECT_FALSE(test, in_range(c, memmap_pfn(c->nr)));
	EXPECT_FREE(test, free - GIB_PAGES);
	free_contig_range(page_to_pfn(p), GIB_PAGES);
	EXPECT_FREE(test, free);
	EXPECT_SNAPSHOT(test, c);
	CHECKERS_PASS(test);
}

KTEST(hotplug, migrate_gigantic_alloc)
{
	struct migrate_case c = { 0 };
	unsigned long free;
	struct page *p;
	pteval_t e;

	if (migrate_setup(test, &c)) {
		free = release_all(&c, true, &e);
		p = alloc_contig_pages(GIB_PAGES, GIB_PAGES, GFP_KERNEL);
		CHECKERS_PASS(test);
		EXPECT_NOT_NULL(test, p);
		if (p)
			expect_gigantic_in_r(test, &c, p, free);
	}
	migrate_teardown(test, &c);
}

/*
 * Boot memmap (memblock, reserved) and device-dax memmap (a 4 KiB aligned
 * region has a 2 MiB block per section, but no SECTION_HAS_MEMMAP) stay
 * where they are whatever gigabyte is asked for.
 */
#define MAX_WATCHED	256

struct watched_entry {
	unsigned long nr;
	pteval_t e;
};

/*
 * The leaf mapping the first page of section nr's memmap: a 2 MiB block,
 * or, where free memory keeps its memmap deduplicated (buddy_vmemmap),
 * the PTE of the section's first vmemmap page.
 */
static pteval_t memmap_first_leaf(unsigned long nr)
{
	enum pg_level level;
	pteval_t *e = kernel_lookup(section_vmemmap(nr), &level);

	return e ? *e : 0;
}

static unsigned int watch_entries(struct watched_entry *w, unsigned long first_device)
{
	unsigned int n = 0;

	for (unsigned long nr = 0; nr < nr_mem_sections && n < MAX_WATCHED; nr++) {
		pteval_t e = memmap_first_leaf(nr);
		bool boot = e && PageReserved(pfn_to_page(PHYS_PFN(entry_phys(e))));

		if (boot || (nr == first_device && e))
			w[n++] = (struct watched_entry){ nr, e };
	}
	return n;
}

KTEST(hotplug, migrate_leaves_boot_and_dax)
{
	static struct watched_entry w[MAX_WATCHED];
	unsigned long managed, dax_nr, dax_block;
	unsigned int n, moved_over = 0;
	u64 start, end;
	int id;

	if (!ktest_find_device_memory(test, 128ULL << 20, &start, &end))
		return;
	id = dax_region_create(start, 128ULL << 20, PAGE_SIZE, NULL);
	ASSERT_GE(test, id, 0);
	dax_nr = pfn_to_section_nr(PHYS_PFN(start));
	dax_block = memmap_pfn(dax_nr);
	ASSERT_TRUE(test, entry_leaf(memmap_entry(dax_nr), PG_LEVEL_2M));
	CHECKERS_PASS(test);
	managed = nr_managed_pages();
	n = watch_entries(w, dax_nr);
	EXPECT_GE(test, n, 2);
	for (unsigned long pfn = 0; pfn < max_pfn; pfn += GIB_PAGES) {
		bool holds = false;

		for (unsigned int i = 0; i < n; i++)
			holds |= PHYS_PFN(entry_phys(w[i].e)) / GIB_PAGES == pfn / GIB_PAGES;
		if (!holds)
			continue;
		EXPECT_EQ(test, vmemmap_migrate_range(pfn, pfn + GIB_PAGES), 0);
		CHECKERS_PASS(test);
		moved_over++;
	}
	ktest_log(test, "%u memmap blocks watched in %u gigabytes", n, moved_over);
	for (unsigned int i = 0; i < n; i++)
		if (memmap_first_leaf(w[i].nr) != w[i].e)
			ktest_fail(test, __FILE__, __LINE__, "section %lu: vmemmap leaf %#llx, was %#llx",
				   w[i].nr, (unsigned long long)memmap_first_leaf(w[i].nr),
				   (unsigned long long)w[i].e);
	EXPECT_UEQ(test, memmap_pfn(dax_nr), dax_block);
	EXPECT_UEQ(test, nr_managed_pages(), managed);
	EXPECT_EQ(test, dax_region_destroy(id, NULL), 0);
	CHECKERS_PASS(test);
}
