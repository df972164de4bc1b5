// SPDX-License-Identifier: MIT
/*
 * The lockless walker (mm/gup.h) against page-table freeing on another
 * CPU. The walker runs on CPU 1 inside an IPI call (interrupts off, as
 * every walker runs); the boot CPU faults, zaps with reclaim on and
 * frees tables at every level in the same mm at the same time.
 *
 *   walker_vs_reclaim: seeded rounds of touches and MADV_DONTNEED (which
 *     frees PTE, PMD and PUD tables) while batches of walks read the same
 *     addresses: no walk ever reads a freed table (the debug fill of
 *     freed tables, PT_FREED_POISON, never seen), the walks found pages,
 *     tables were reclaimed, and the mm's counters and tables are exact.
 *   freed_table_unreadable: one walk holds a PTE table (between reading
 *     its PMD entry and reading the table) while the boot CPU empties and
 *     frees it: the free must not complete until the walk is over. Fails
 *     if the free completes first (the walker sees the "freed" flag) or
 *     the walker reads the freed pattern.
 *
 * Both skip at -smp 1 (the smp configurations name them in must_run).
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "kernel/io.h"
#include "kernel/smp.h"
#include "mm/gup.h"
#include "mm/memory.h"
#include "mm/pt_reclaim.h"
#include "mm/mmap.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define RW		(PROT_READ | PROT_WRITE)
/* 4 GiB across a 512 GiB boundary: two PUD tables, four PMD tables. */
#define WALK_BASE	(0x200000000000UL - 2 * SZ_1G)
#define WALK_LEN	(4 * SZ_1G)
#define NR_SLOTS	64		/* one page each, 64 MiB apart: own PTE tables */
#define SLOT_SPAN	(WALK_LEN / NR_SLOTS)
#define NR_ROUNDS	150
#define OPS_PER_ROUND	6
#define WALKS_PER_BATCH	48
#define WALK_DELAY	64		/* pause loops inside each walk */
#define HOLD_SPINS	(1UL << 21)	/* the held walk's bound */
#define WALKER_CPU	1

static bool need_two_cpus(struct kunit *test)
{
	if (cpu_online(WALKER_CPU))
		return true;
	ktest_skip(test, "needs a second CPU online");
	return false;
}

struct walker {
	struct mm *mm;
	unsigned long addr[NR_SLOTS];	/* the boot CPU changes these as it goes */
	u64 seed;
	unsigned long walks, found;
};

static void walk_delay(void)
{
	for (int i = 0; i < WALK_DELAY; i++)
		cpu_relax();
}

/* On the walker CPU, interrupts off. */
static void walk_batch(void *arg)
{
	struct walker *w = arg;
	struct gup_leaf leaf;

	for (int i = 0; i < WALKS_PER_BATCH; i++) {
		unsigned long addr = READ_ONCE(w->addr[xorshift64(&w->seed) % NR_SLOTS]);

		w->walks++;
		if (gup_fast_leaf(w->mm, addr, &leaf))
			w->found++;
	}
}

static void nothing(void *arg)
{
	(void)arg;
}

/* A new page somewhere in slot i. */
static unsigned long slot_addr(unsigned int i, u64 *seed)
{
	return WALK_BASE + i * SLOT_SPAN +
	       ((xorshift64(seed) % (SLOT_SPAN / PAGE_SIZE)) << PAGE_SHIFT);
}

/* Touch slot i, or give its 2 MiB back (freeing its PTE table, maybe more). */
static int flip_slot(struct walker *w, bool *mapped, unsigned int i, u64 *seed)
{
	unsigned long addr = w->addr[i];

	if (mapped[i]) {
		mapped[i] = false;
		return do_madvise(w->mm, ALIGN_DOWN(addr, SZ_2M), SZ_2M, MADV_DONTNEED);
	}
	addr = slot_addr(i, seed);
	WRITE_ONCE(w->addr[i], addr);
	mapped[i] = true;
	return ktest_touch(addr);
}

static unsigned int count_mapped_slots(const bool *mapped)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < NR_SLOTS; i++)
		n += mapped[i];
	return n;
}

KTEST(gup, walker_vs_reclaim)
{
	static struct walker w;
	static bool mapped[NR_SLOTS];
	unsigned long freed0 = gup_fast_freed_reads(), reclaimed0;
	bool reclaim = pt_reclaim_enabled();
	u64 seed = 0x5eed0013;
	struct mm *mm;
	unsigned int n;

	if (!need_two_cpus(test))
		return;
	set_pt_reclaim(true);
	mm = ktest_mm_create(test, "gup");
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, WALK_BASE, WALK_LEN, RW, ANON | MAP_FIXED | MAP_NORESERVE),
		  (long)WALK_BASE);
	memset(&w, 0, sizeof(w));
	memset(mapped, 0, sizeof(mapped));
	w.mm = mm;
	w.seed = seed ^ 0xabcdef;
	for (unsigned int i = 0; i < NR_SLOTS; i++) {
		if (flip_slot(&w, mapped, i, &seed))
			ktest_fail(test, __FILE__, __LINE__, "touch slot %u", i);
	}
	reclaimed0 = mm->pt_reclaimed;
	gup_fast_set_walk_hook(walk_delay);
	for (int r = 0; r < NR_ROUNDS; r++) {
		/* Not waited for: the batch runs while we change the tables. */
		smp_call_function_single(WALKER_CPU, walk_batch, &w, false);
		for (int k = 0; k < OPS_PER_ROUND; k++) {
			unsigned int i = xorshift64(&seed) % NR_SLOTS;

			if (flip_slot(&w, mapped, i, &seed)) {
				ktest_fail(test, __FILE__, __LINE__, "round %d: slot %u failed", r, i);
				break;
			}
		}
	}
	/* Queued behind the last batch: once it ran, every batch has. */
	smp_call_function_single(WALKER_CPU, nothing, NULL, true);
	gup_fast_set_walk_hook(NULL);

	EXPECT_UEQ(test, gup_fast_freed_reads() - freed0, 0);
	EXPECT_UEQ(test, w.walks, NR_ROUNDS * WALKS_PER_BATCH);
	EXPECT_GT(test, w.found, 0);
	EXPECT_GT(test, mm->pt_reclaimed - reclaimed0, 0);
	CHECK_MM(test, mm);
	n = count_mapped_slots(mapped);
	EXPECT_UEQ(test, mm->rss, n);
	EXPECT_UEQ(test, mm->nr_pgtables[PG_LEVEL_4K], n);
	ASSERT_EQ(test, do_madvise(mm, WALK_BASE, WALK_LEN, MADV_DONTNEED), 0);
	EXPECT_UEQ(test, mm->rss, 0);
	EXPECT_UEQ(test, mm->nr_pgtables[PG_LEVEL_4K] + mm->nr_pgtables[PG_LEVEL_2M] +
		   mm->nr_pgtables[PG_LEVEL_1G], 0);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	set_pt_reclaim(reclaim);
}

/* The held walk: it stops inside, with its PTE table in hand. */
static volatile int held, freed, saw_freed, walk_done;

static void hold_walk(void)
{
	WRITE_ONCE(held, 1);
	for (unsigned long i = 0; i < HOLD_SPINS && !READ_ONCE(freed); i++)
		cpu_relax();
	WRITE_ONCE(saw_freed, READ_ONCE(freed));
}

static void held_walk(void *arg)
{
	struct walker *w = arg;
	struct gup_leaf leaf;

	w->found = gup_fast_leaf(w->mm, w->addr[0], &leaf);
	WRITE_ONCE(walk_done, 1);
}

KTEST(gup, freed_table_unreadable)
{
	static struct walker w;
	unsigned long freed0 = gup_fast_freed_reads(), spins;
	bool reclaim = pt_reclaim_enabled();
	struct mm *mm;

	if (!need_two_cpus(test))
		return;
	set_pt_reclaim(true);
	mm = ktest_mm_create(test, "gup-held");
	ASSERT_NOT_NULL(test, mm);
	ASSERT_EQ(test, do_mmap(mm, WALK_BASE, SZ_2M, RW, ANON | MAP_FIXED), (long)WALK_BASE);
	ASSERT_EQ(test, ktest_touch(WALK_BASE + 5 * PAGE_SIZE), 0);
	/* One page: its PTE, PMD and PUD tables all go with it. */
	ASSERT_UEQ(test, mm->nr_pgtables[PG_LEVEL_4K], 1);
	memset(&w, 0, sizeof(w));
	w.mm = mm;
	w.addr[0] = WALK_BASE + 5 * PAGE_SIZE;
	held = freed = saw_freed = walk_done = 0;

	gup_fast_set_walk_hook(hold_walk);
	smp_call_function_single(WALKER_CPU, held_walk, &w, false);
	for (spins = 0; spins < HOLD_SPINS && !READ_ONCE(held); spins++)
		cpu_relax();
	EXPECT_TRUE(test, READ_ONCE(held));
	/* Empties and frees the three tables; must wait for the walk. */
	EXPECT_EQ(test, do_madvise(mm, WALK_BASE, SZ_2M, MADV_DONTNEED), 0);
	WRITE_ONCE(freed, 1);
	smp_call_function_single(WALKER_CPU, nothing, NULL, true);
	gup_fast_set_walk_hook(NULL);

	EXPECT_TRUE(test, READ_ONCE(walk_done));
	EXPECT_UEQ(test, mm->nr_pgtables[PG_LEVEL_4K] + mm->nr_pgtables[PG_LEVEL_2M] +
		   mm->nr_pgtables[PG_LEVEL_1G], 0);
	/* The free completed while the walk was still inside the table. */
	EXPECT_FALSE(test, READ_ONCE(saw_freed));
	/* The walk read the freed table's fill (debug builds fill it). */
	EXPECT_UEQ(test, gup_fast_freed_reads() - freed0, 0);
	CHECK_MM(test, mm);
	mm_destroy(mm);
	set_pt_reclaim(reclaim);
}
