// SPDX-License-Identifier: MIT
/*
 * Sections offline and online (Linux's mm/memory_hotplug.c and
 * drivers/base/memory.c, with one section per memory block).
 *
 * Offline asks the buddy for every page of the section
 * (isolate_free_range(): all free, or -EBUSY and nothing taken), clears
 * the section's online bit so that no merge looks at it any more, and
 * depopulates its memmap: the 2 MiB of struct pages go back to the buddy
 * and the vmemmap tables left empty are freed (sparse_depopulate_section).
 * The pages themselves are not touched: there is nothing to migrate, a
 * section with a page in use simply stays online.
 *
 * Online is the reverse: populate (a 2 MiB block under a PMD leaf when
 * one can be had, else 4 KiB pages), write fresh struct pages, set the
 * online bit, and free the pages to the buddy in the largest blocks.
 * If the memmap cannot be had, the section stays offline.
 *
 * Pages held by memory_failure() are skipped by offline (Linux skips
 * hwpoisoned pages too) and held again by online, so that a poisoned pfn
 * is never handed out, whatever its section went through.
 */
#include "mm/memory_hotplug.h"
#include "mm/memblock.h"
#include "mm/memory_failure.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_contig.h"
#include "mm/page_alloc_gig.h"
#include "mm/sparse.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

static struct zone *section_zone(unsigned long nr)
{
	return &zones[pfn_zone_idx(section_nr_to_pfn(nr))];
}

/* Give back [start, stop) pieces between held poisoned pages (undo, online). */
static void release_range(unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned long stop = hwpoison_next_held(start, end);

		if (stop > start)
			free_pages_range_to_buddy(start, stop);
		start = stop + 1;
	}
}

/*
 * All of it is looked at before any is taken: a range given back would
 * have the shared tails of its optimized free blocks written.
 */
static bool section_free(unsigned long start, unsigned long end)
{
	for (unsigned long pfn = start; pfn < end;) {
		unsigned long stop = hwpoison_next_held(pfn, end);

		if (stop > pfn && !range_free_now(pfn, stop))
			return false;
		pfn = stop + 1;
	}
	return true;
}

/*
 * Take every page of [start, end) out of the buddy, except those held by
 * memory_failure(); *held counts them. All or nothing.
 */
static int isolate_section(unsigned long start, unsigned long end, unsigned long *held)
{
	unsigned long pfn = start;

	*held = 0;
	if (!section_free(start, end))
		return -EBUSY;
	while (pfn < end) {
		unsigned long stop = hwpoison_next_held(pfn, end);

		if (stop > pfn && isolate_free_range(pfn, stop)) {
			release_range(start, pfn);
			return -EBUSY;
		}
		*held += stop < end;
		pfn = stop + 1;
	}
	return 0;
}

/*
 * A free 1 GiB range over the section goes back to the lists first (its
 * memmap from elsewhere), and none forms again while the section is
 * taken out.
 */
static int isolate_free_ranges(unsigned long start, unsigned long end, unsigned long *held)
{
	int ret;

	gig_pause();
	ret = release_free_ranges(start, end);
	if (!ret)
		ret = isolate_section(start, end, held);
	gig_resume();
	return ret;
}

/* The section of memory block nr, or NULL (-ENODEV in e). */
static struct mem_section *memory_block(unsigned long nr, struct errmsg *e)
{
	struct mem_section *ms = __nr_to_section(nr);

	if (!ms || !(ms->flags & SECTION_PRESENT) || (ms->flags & SECTION_DEVICE)) {
		errmsg_set(e, -ENODEV, "memory%lu: no such memory block", nr);
		return NULL;
	}
	return ms;
}

int offline_memory_section(unsigned long nr, struct errmsg *e)
{
	unsigned long start = section_nr_to_pfn(nr), end = start + PAGES_PER_SECTION;
	struct mem_section *ms = memory_block(nr, e);
	unsigned long held;

	if (!ms)
		return -ENODEV;
	if (!(ms->flags & SECTION_ONLINE))
		return errmsg_set(e, -EINVAL, "memory%lu is already offline", nr);
	/* One zone's counters take the pages: the DMA boundary cuts section 0. */
	if (pfn_zone_idx(start) != pfn_zone_idx(end - 1))
		return errmsg_set(e, -EBUSY, "memory%lu spans two zones", nr);
	if (ms->nr_optimized)
		return errmsg_set(e, -EBUSY, "memory%lu holds hugetlb pages", nr);
	if (isolate_free_ranges(start, end, &held))
		return errmsg_set(e, -EBUSY, "memory%lu has pages in use", nr);
	/* No merge may look at its struct pages from now on. */
	ms->flags &= ~(SECTION_ONLINE | SECTION_HVO_SPLIT);
	zone_add_managed(section_zone(nr), -(long)held);
	/* As Linux's offline_pages(): the watermarks follow the memory. */
	setup_zone_watermarks();
	sparse_depopulate_section(nr);
	return 0;
}

int online_memory_section(unsigned long nr, struct errmsg *e)
{
	unsigned long start = section_nr_to_pfn(nr), end = start + PAGES_PER_SECTION;
	struct mem_section *ms = memory_block(nr, e);
	unsigned long held;

	if (!ms)
		return -ENODEV;
	if (ms->flags & SECTION_ONLINE)
		return errmsg_set(e, -EINVAL, "memory%lu is already online", nr);
	if (sparse_populate_section(nr))
		return errmsg_set(e, -ENOMEM, "memory%lu: no memory for its memmap", nr);
	memmap_init_section(nr);
	held = hwpoison_remark_range(start, end);
	ms->flags |= SECTION_ONLINE;
	zone_add_managed(section_zone(nr), held);
	release_range(start, end);
	setup_zone_watermarks();
	return 0;
}

/* sysfs */

#define MEMORY_DIR	"/sys/devices/system/memory"

struct memory_block {
	unsigned long nr;
	struct pseudo_file state;
	struct pseudo_file phys_index;
	char state_path[48];
	char index_path[56];
};

static int state_show(struct seq_buf *m, void *data)
{
	struct memory_block *mb = data;

	seq_printf(m, "%s\n", mem_section[mb->nr].flags & SECTION_ONLINE ? "online" : "offline");
	return 0;
}

static bool word_is(const char *buf, size_t len, const char *word)
{
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	return len == strlen(word) && !strncmp(buf, word, len);
}

static int state_store(const char *buf, size_t len, void *data, struct errmsg *e)
{
	struct memory_block *mb = data;
	int ret;

	if (word_is(buf, len, "offline"))
		ret = offline_memory_section(mb->nr, e);
	else if (word_is(buf, len, "online") || word_is(buf, len, "online_kernel") ||
		 word_is(buf, len, "online_movable"))
		ret = online_memory_section(mb->nr, e);
	else
		ret = errmsg_set(e, -EINVAL, "state: write online or offline");
	return ret;
}

static int phys_index_show(struct seq_buf *m, void *data)
{
	struct memory_block *mb = data;

	seq_printf(m, "%08lx\n", mb->nr);
	return 0;
}

static int block_size_show(struct seq_buf *m, void *data)
{
	(void)data;
	seq_printf(m, "%lx\n", PAGES_PER_SECTION << PAGE_SHIFT);
	return 0;
}
PSEUDO_FILE(block_size_bytes, MEMORY_DIR "/block_size_bytes", block_size_show, NULL);

static void register_block(struct memory_block *mb, unsigned long nr)
{
	mb->nr = nr;
	snprintf(mb->state_path, sizeof(mb->state_path), MEMORY_DIR "/memory%lu/state", nr);
	snprintf(mb->index_path, sizeof(mb->index_path), MEMORY_DIR "/memory%lu/phys_index", nr);
	mb->state = (struct pseudo_file){ mb->state_path, state_show, state_store, mb };
	mb->phys_index = (struct pseudo_file){ mb->index_path, phys_index_show, NULL, mb };
	pseudofs_register(&mb->state);
	pseudofs_register(&mb->phys_index);
}

void memory_hotplug_init(void)
{
	unsigned long n = nr_present_sections(), i = 0;
	struct memory_block *blocks;
	phys_addr_t pa;

	if (!n)
		return;
	pa = memblock_phys_alloc(n * sizeof(*blocks), 8);
	if (!pa) {
		pr_warn("memory: no memory for the memory block files\n");
		return;
	}
	blocks = __va(pa);
	memset(blocks, 0, n * sizeof(*blocks));
	for (unsigned long nr = 0; nr < nr_mem_sections && i < n; nr++)
		if (mem_section[nr].flags & SECTION_PRESENT)
			register_block(&blocks[i++], nr);
}
