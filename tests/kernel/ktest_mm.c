// SPDX-License-Identifier: MIT
#include "tests/kernel/ktest_mm.h"
#include "mm/buddy_vmemmap.h"
#include "mm/free_gigantic.h"
#include "mm/devdax.h"
#include "mm/debug/check.h"
#include "mm/e820.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/slab.h"
#include "mm/memory.h"
#include "mm/memory_failure.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "libc/string.h"
#include "libc/stdio.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/sched.h"
#include "kernel/task.h"
#include "kernel/time.h"
#include "mm/sparse.h"
#include "kernel/extable.h"
#include "kernel/traps.h"
#include "kernel/uaccess.h"
#include "libc/errno.h"

struct mm_checker {
	const char *name;
	int (*check)(struct errmsg *msg);
};

static const struct mm_checker checkers[] = {
	{ "page_alloc_check", page_alloc_check },
	{ "kernel_pgtable_check", kernel_pgtable_check },
	{ "hugetlb_check", hugetlb_check },
	{ "buddy_vmemmap_check", buddy_vmemmap_check },
	{ "free_gigantic_check", free_gigantic_check },
	{ "memory_failure_check", memory_failure_check },
	{ "dax_check", dax_check },
	{ "shmem_check", shmem_check },
};

bool ktest_check(struct kunit *test, const char *file, int line, const char *name,
		 int (*check)(struct errmsg *msg))
{
	struct errmsg msg;

	if (!check(&msg))
		return true;
	ktest_fail(test, file, line, "%s: %s", name, msg.why);
	return false;
}

void ktest_mm_counts_take(struct ktest_mm_counts *c)
{
	drain_all_pages();
	c->free = ktest_free_pages();
	c->memmap = ktest_vmemmap_bytes();
	c->tables = ktest_pgtable_pages();
}

bool ktest_mm_counts_same(struct kunit *test, const char *file, int line,
			  const struct ktest_mm_counts *c)
{
	struct ktest_mm_counts now;

	ktest_mm_counts_take(&now);
	if (now.free == c->free && now.memmap == c->memmap && now.tables == c->tables)
		return true;
	ktest_fail(test, file, line, "free %lu/%lu memmap %lu/%lu tables %lu/%lu", now.free,
		   c->free, now.memmap, c->memmap, now.tables, c->tables);
	return false;
}

bool ktest_mm_check(struct kunit *test, const char *file, int line, struct mm *mm)
{
	struct errmsg msg;

	if (!mm_check(mm, &msg))
		return true;
	ktest_fail(test, file, line, "mm_check: %s", msg.why);
	return false;
}

struct mm *ktest_mm_create(struct kunit *test, const char *name)
{
	struct mm *mm = mm_create(name);

	if (!mm)
		ktest_fail(test, __FILE__, __LINE__, "mm_create failed");
	else
		switch_mm(mm);
	return mm;
}

int ktest_touch(unsigned long addr)
{
	return put_user_u64(addr, (u64 __user *)addr);
}

bool ktest_mm_checkers(struct kunit *test, const char *file, int line)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(checkers); i++) {
		if (!ktest_check(test, file, line, checkers[i].name, checkers[i].check))
			return false;
	}
	return true;
}

bool ktest_ensure_free_huge(struct kunit *test, struct hstate *h, unsigned long n)
{
	unsigned long avail = h->free_huge_pages - h->resv_huge_pages;
	unsigned long want = h->nr_huge_pages - h->surplus_huge_pages + (n > avail ? n - avail : 0);

	if (!h->supported) {
		ktest_skip(test, "1 GiB pages need pdpe1gb");
		return false;
	}
	if (n > avail && set_max_huge_pages(h, want) < want) {
		ktest_skip(test, "the pool cannot grow (no free aligned memory)");
		return false;
	}
	return true;
}

bool ktest_find_device_memory(struct kunit *test, u64 need, u64 *start, u64 *end)
{
	const u64 section_bytes = 128ULL << 20;
	struct e820_entry *e;
	u64 s = 0, t = 0;

	for_each_e820_entry(e820_table, e) {
		if (e->type != E820_TYPE_PRAM && e->type != E820_TYPE_PMEM)
			continue;
		if (e->size > t - s) {
			s = e->addr;
			t = e->addr + e->size;
		}
	}
	/* Whole sections only: sparse drops device parts of RAM sections. */
	*start = ALIGN(s, SZ_1G);
	*end = ALIGN_DOWN(t, section_bytes);
	if (*end > *start && *end - *start >= need)
		return true;
	ktest_skip(test, "not enough device memory: boot with memmap=2G!4G (8 GiB guest)");
	return false;
}

void ktest_expect_shared_tail_ro(struct kunit *test, struct page *head)
{
	struct probe_fault pf;
	u64 v;

	EXPECT_EQ(test, probe_read_u64(&head[100].compound_info, &v), 0);
	EXPECT_UEQ(test, v, compound_info_for_order(9));
	EXPECT_EQ(test, probe_write_u64(&head[100].index, 0), -EFAULT);
	probe_last_fault(&pf);
	EXPECT_EQ(test, pf.vector, X86_TRAP_PF);
	EXPECT_TRUE(test, pf.error_code & X86_PF_WRITE);
	EXPECT_TRUE(test, pf.error_code & X86_PF_PROT);
}

unsigned long ktest_settled_free_pages(void)
{
	hugetlb_vmemmap_collapse_all();
	kmem_cache_shrink_all();
	drain_all_pages();
	return ktest_free_pages();
}

#define SETTLE_NS	(5ULL * 1000 * 1000 * 1000)

bool ktest_wait_settled(bool (*settled)(const void *arg), const void *arg)
{
	u64 end = ktime_get_ns() + SETTLE_NS;

	while (!settled(arg)) {
		if (ktime_get_ns() > end)
			return false;
		schedule();
	}
	return true;
}

static bool free_pages_are(const void *arg)
{
	return ktest_settled_free_pages() == *(const unsigned long *)arg;
}

bool ktest_wait_free_pages(unsigned long free)
{
	return ktest_wait_settled(free_pages_are, &free);
}

static struct page *tail_victim;

static void write_tail(void *arg)
{
	(void)arg;
	WRITE_ONCE(tail_victim[200].index, 1);
}

void ktest_expect_tail_write_reported(struct kunit *test, struct page *head)
{
	static char out[4096];
	struct printk_capture cap = { .buf = out, .size = sizeof(out) };
	char reason[96], want[160];
	bool caught;

	tail_victim = head;
	printk_capture_begin(&cap);
	caught = ktest_catch_panic(write_tail, NULL, reason, sizeof(reason));
	printk_capture_end(&cap);
	EXPECT_TRUE(test, caught);
	snprintf(want, sizeof(want), "write to an optimized vmemmap tail (read-only shared page): struct page of pfn %#lx, head pfn %#lx",
		 page_to_pfn(head) + 200, page_to_pfn(head));
	EXPECT_NOT_NULL(test, strstr(out, want));
}

/*
 * A free 1 GiB range broken keeps the 2 pages of its 1 GiB shape aside
 * (mm/free_gigantic.c): a plain memmap would leave them free.
 */
unsigned long ktest_free_pages(void)
{
	return nr_free_pages() - buddy_vmemmap_saved_pages() + 2 * free_gigantic_nr_parked();
}

/* Page tables of a plain memmap: a free range's PMD-0 table is part of its saved memmap. */
unsigned long ktest_pgtable_pages(void)
{
	return nr_kernel_pgtable_pages() - free_gigantic_nr_formed() - free_gigantic_nr_parked();
}

unsigned long ktest_vmemmap_bytes(void)
{
	return vmemmap_bytes() + (buddy_vmemmap_saved_pages() << PAGE_SHIFT);
}

static unsigned long isqrt(unsigned long x)
{
	unsigned long r = 0;

	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

unsigned long ktest_wmark_min(int zone)
{
	unsigned long managed = 0, min_kb;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		managed += zones[z].managed_pages;
	if (!managed)
		return 0;
	min_kb = isqrt(managed * 4 * 16);
	min_kb = min(max(min_kb, 128UL), 65536UL);
	return min_kb / 4 * zones[zone].managed_pages / managed;
}

static unsigned long pmd_sections[64];

static u64 range_sections[64];

static bool in_formed_range(unsigned long nr)
{
	return free_gigantic_state(section_nr_to_pfn(nr) >> GIGANTIC_ORDER) == FREE_GIG_FORMED;
}

void ktest_record_pmd_sections(void)
{
	memset(pmd_sections, 0, sizeof(pmd_sections));
	memset(range_sections, 0, sizeof(range_sections));
	/*
	 * A free 1 GiB range's sections have no table of their own that a
	 * collapse would free (its one table is counted with its memmap).
	 */
	for (unsigned long nr = 0; nr < nr_mem_sections && nr < 64 * 64; nr++)
		if (mem_section[nr].flags & SECTION_MEMMAP_PMD)
			pmd_sections[nr / 64] |= BIT(nr % 64);
		else if (in_formed_range(nr))
			range_sections[nr / 64] |= BIT(nr % 64);
}

const unsigned long *ktest_pmd_sections(void)
{
	return pmd_sections;
}

/*
 * Less the sections of a free 1 GiB range at the baseline that have a
 * table each now (optimized free 2 MiB blocks, once the range broke):
 * its one table is counted with its memmap. Modular arithmetic: the
 * callers add and subtract it.
 */
unsigned long ktest_sections_collapsed(void)
{
	unsigned long n = 0;

	for (unsigned long nr = 0; nr < nr_mem_sections && nr < 64 * 64; nr++) {
		unsigned long f = mem_section[nr].flags;

		if (!(f & SECTION_ONLINE))
			continue;
		if (range_sections[nr / 64] & BIT(nr % 64)) {
			if (!(f & SECTION_MEMMAP_PMD) && !in_formed_range(nr))
				n--;
			continue;
		}
		if (!(pmd_sections[nr / 64] & BIT(nr % 64)) && (f & SECTION_MEMMAP_PMD))
			n++;
	}
	return n;
}

/*
 * Why no free aligned 1 GiB range is left: each GiB's pages by owner.
 * Read without locks: a picture for a log, not a figure to check.
 */
#define CENSUS_GIB_PAGES	(SZ_1G >> PAGE_SHIFT)

enum census_kind { C_ABSENT, C_FREE, C_PCP, C_RESERVED, C_LENT, C_TABLE, C_SLAB, C_HUGE,
		   C_COMPOUND, C_OTHER, NR_CENSUS };

static const char *const census_name[NR_CENSUS] = {
	"absent", "free", "pcp", "reserved", "lent", "table", "slab", "huge", "compound", "other",
};

static unsigned long census_one(unsigned long pfn, enum census_kind *kind)
{
	struct page *p = pfn_to_page(pfn);

	if (!pfn_online(pfn)) {
		*kind = C_ABSENT;
		return 1;
	}
	if (PageBuddy(p)) {
		*kind = C_FREE;
		return 1UL << p->private;
	}
	if (PageHugeTLB(p)) {
		*kind = C_HUGE;
		return 1UL << compound_order(p);
	}
	if (PageHead(p)) {
		*kind = C_COMPOUND;
		return 1UL << compound_order(p);
	}
	*kind = PagePcp(p) ? C_PCP : PageReserved(p) ? C_RESERVED : PageMemmap(p) ? C_LENT :
		PagePgtable(p) ? C_TABLE : PageSlab(p) ? C_SLAB : C_OTHER;
	return 1;
}

/*
 * Which vmemmap mapping uses pfn (a PMD leaf's block, a PTE table, a
 * page a PTE maps): the pfns whose struct pages it holds, and how.
 */
static const char *memmap_user(unsigned long pfn, unsigned long *described)
{
	unsigned long end = VMEMMAP_START + max_pfn * sizeof(struct page);

	for (unsigned long va = VMEMMAP_START; va < end; va += PMD_SIZE) {
		pteval_t *e = kernel_walk(va, PG_LEVEL_2M), *t;
		unsigned long p;

		if (!e || !entry_present(*e))
			continue;
		*described = (va - VMEMMAP_START) / sizeof(struct page);
		p = PHYS_PFN(entry_phys(*e & ~_PAGE_PAT_LARGE));
		if (entry_leaf(*e, PG_LEVEL_2M)) {
			if (pfn >= p && pfn < p + 512)
				return "PMD leaf block";
			continue;
		}
		if (p == pfn)
			return "PTE table";
		t = entry_table(*e);
		for (unsigned int i = 0; i < 512; i++) {
			if (entry_present(t[i]) && PHYS_PFN(entry_phys(t[i])) == pfn) {
				*described += i * (PAGE_SIZE / sizeof(struct page));
				return "page under a PTE";
			}
		}
	}
	return NULL;
}

static void census_owner(struct kunit *test, unsigned long base, enum census_kind want)
{
	for (unsigned long pfn = base; pfn < base + CENSUS_GIB_PAGES && pfn < max_pfn; pfn++) {
		enum census_kind kind;
		unsigned long step = census_one(pfn, &kind), described;
		const char *how;

		if (kind != want) {
			pfn += step - 1;
			continue;
		}
		how = memmap_user(pfn, &described);
		if (how)
			ktest_log(test, "  pfn %#lx (%s): %s, memmap of pfn %#lx", pfn,
				  census_name[kind], how, described);
		else
			ktest_log(test, "  pfn %#lx (%s): no vmemmap mapping uses it", pfn,
				  census_name[kind]);
		return;
	}
}

void ktest_gig_census(struct kunit *test)
{
	for (unsigned long base = 0; base < max_pfn; base += CENSUS_GIB_PAGES) {
		unsigned long n[NR_CENSUS] = { 0 }, other = ~0UL, pfn = base;
		char line[256];
		int len = 0;

		while (pfn < base + CENSUS_GIB_PAGES && pfn < max_pfn) {
			enum census_kind kind;
			unsigned long step = census_one(pfn, &kind);

			if (kind == C_OTHER && other == ~0UL)
				other = pfn;
			n[kind] += step;
			pfn += step;
		}
		for (int k = 0; k < NR_CENSUS; k++)
			if (n[k])
				len += snprintf(line + len, sizeof(line) - len, " %s %lu",
						census_name[k], n[k]);
		ktest_log(test, "GiB %lu:%s (first other pfn %#lx flags %#lx)", base / CENSUS_GIB_PAGES,
			  line, other, other == ~0UL ? 0 : pfn_to_page(other)->flags);
		if (n[C_OTHER] && n[C_OTHER] < CENSUS_GIB_PAGES / 2)
			census_owner(test, base, C_OTHER);
		if (n[C_TABLE])
			census_owner(test, base, C_TABLE);
	}
}

unsigned int ktest_nr_threads_per_cpu(void)
{
	return max(num_online_cpus(), 2U);
}

bool ktest_threads_per_cpu(struct kunit *test, void (*fn)(void *), void *args, size_t size,
			   unsigned int n, const char *name)
{
	unsigned int cpu = cpumask_next_online(-1);

	for (unsigned int i = 0; i < n; i++, cpu = cpumask_next_online(cpu)) {
		struct task_struct *task;

		if (cpu >= NR_CPUS)
			cpu = cpumask_next_online(-1);
		task = kthread_create(fn, (char *)args + i * size, name);
		if (!task) {
			ktest_fail(test, __FILE__, __LINE__, "kthread_create %u failed", i);
			return false;
		}
		kthread_bind(task, cpu);
		wake_up_process(task);
	}
	return true;
}

/* Concurrent allocators (ktest_mm.h). */

#define ALLOC_HELD	8

struct held_block {
	struct page *page;
	unsigned int order;
};

static u64 alloc_rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

void ktest_alloc_error(struct ktest_alloc_thread *t, const char *what, struct page *p)
{
	if (!t->errors++)
		snprintf(t->why, sizeof(t->why), "%s: pfn %#lx", what, p ? page_to_pfn(p) : 0UL);
}

/* Allocate into an empty slot, or check the tags and free a full one. */
static void alloc_swap(struct ktest_alloc_thread *t, struct held_block *l)
{
	u64 tag = (u64)(unsigned long)t ^ (u64)(unsigned long)l;
	u64 *head, *tail;
	const char *why;

	if (l->page) {
		head = page_address(l->page);
		tail = head + (PAGE_SIZE << l->order) / sizeof(u64) - 1;
		if (*head != tag || *tail != ~tag)
			ktest_alloc_error(t, "tag overwritten (handed out twice?)", l->page);
		free_pages(l->page, l->order);
		l->page = NULL;
		return;
	}
	l->order = alloc_rnd(&t->rng) % (MAX_ORDER + 1);
	l->page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, l->order);
	if (!l->page)
		return;
	t->allocated++;
	why = t->set->check ? t->set->check(l->page, l->order) : NULL;
	if (why)
		ktest_alloc_error(t, why, l->page);
	head = page_address(l->page);
	tail = head + (PAGE_SIZE << l->order) / sizeof(u64) - 1;
	*head = tag;
	*tail = ~tag;
}

static void alloc_main(void *arg)
{
	struct ktest_alloc_thread *t = arg;
	struct held_block held[ALLOC_HELD] = { { NULL, 0 } };

	if (t->boss)
		t->set->boss(t);
	for (unsigned int i = 0; !t->boss && i < t->set->steps; i++) {
		alloc_swap(t, &held[alloc_rnd(&t->rng) % ALLOC_HELD]);
		if (++t->steps % 8 == 0)
			schedule();
	}
	for (unsigned int i = 0; i < ALLOC_HELD; i++)
		if (held[i].page)
			alloc_swap(t, &held[i]);
	complete(&t->done);
}

unsigned long ktest_alloc_threads_run(struct kunit *test, const struct ktest_alloc_set *set,
				      u64 seed, const char *name)
{
	static struct ktest_alloc_thread threads[NR_CPUS];
	unsigned int n = ktest_nr_threads_per_cpu();
	unsigned long allocated = 0;

	for (unsigned int i = 0; i < n; i++) {
		memset(&threads[i], 0, sizeof(threads[i]));
		init_completion(&threads[i].done);
		threads[i].rng = seed + i;
		threads[i].boss = i == 0;
		threads[i].set = set;
	}
	if (!ktest_threads_per_cpu(test, alloc_main, threads, sizeof(threads[0]), n, name))
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		wait_for_completion(&threads[i].done);
		if (threads[i].errors)
			ktest_fail(test, __FILE__, __LINE__, "thread %u: %lu errors, the first: %s", i,
				   threads[i].errors, threads[i].why);
		if (!threads[i].steps)
			ktest_fail(test, __FILE__, __LINE__, "thread %u made no step", i);
		allocated += threads[i].allocated;
	}
	ktest_log(test, "%u threads, %lu blocks allocated", n, allocated);
	return allocated;
}
