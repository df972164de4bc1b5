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
#include "tests/ktest.h"
#include "tests/ktest_mm.h"
#include "mm/hugetlb.h"
#include "mm/debug/check.h"
#include "mm/fail_page_alloc.h"
#include "mm/memory_failure.h"
#include "mm/memory_hotplug.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
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
	unsigned long free, memmap, tables;
};

static void take_baseline(struct baseline *b)
{
	drain_all_pages();
	b->free = ktest_free_pages();
	b->memmap = ktest_vmemmap_bytes();
	b->tables = nr_kernel_pgtable_pages();
}

#define CHECKERS_PASS(test)	KTEST_MM_CHECKERS(test)

static void expect_baseline_at(struct kunit *test, const struct baseline *b, int line)
{
	drain_all_pages();
	if (ktest_free_pages() != b->free || ktest_vmemmap_bytes() != b->memmap ||
	    nr_kernel_pgtable_pages() != b->tables)
		ktest_fail(test, __FILE__, line, "free %lu/%lu memmap %lu/%lu tables %lu/%lu",
			   ktest_free_pages(), b->free, ktest_vmemmap_bytes(), b->memmap,
			   nr_kernel_pgtable_pages(), b->tables);
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
	EXPECT_EQ(test, ktest_free_pages(), b.free - PAGES_PER_SECTION + 512 + !pmd);
	EXPECT_EQ(test, ktest_vmemmap_bytes(), b.memmap - SECTION_MEMMAP_SIZE);
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), b.tables - !pmd);
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
	if (ktest_free_pages() == b->free && ktest_vmemmap_bytes() == b->memmap &&
	    nr_kernel_pgtable_pages() == b->tables)
		return true;
	ktest_fail(test, __FILE__, line, "free %lu/%lu memmap %lu/%lu tables %lu/%lu",
		   ktest_free_pages(), b->free, ktest_vmemmap_bytes(), b->memmap,
		   nr_kernel_pgtable_pages(), b->tables);
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
	EXPECT_EQ(test, ktest_free_pages(), b.free - 1);
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
