// SPDX-License-Identifier: MIT
/*
 * Free 1 GiB ranges keep the shape of an optimized 1 GiB page.
 *
 * The buddy's largest block is order 10 (4 MiB), so a wholly free 1 GiB
 * range is 256 blocks, each with a head struct page of its own: kept
 * optimized as 2 MiB blocks (mm/buddy_vmemmap.c), its memmap is still
 * 512 head pages and 8 PTE tables. Taken off the lists as one range, it
 * needs no head but the first, and it can have exactly the shape of an
 * optimized 1 GiB pool page (mm/hugetlb_vmemmap.c): 2 pages of memmap
 * for 1 GiB, where 2 MiB blocks keep 520 and a plain memmap 4096.
 *
 *    vmemmap PMDs of a free range R       PTE tables            physical
 *    +-----------+
 *    |  PMD 0    | ----> [ PTE 0   ] -----------------------> R's head
 *    |           |       [ PTE 1..511 ] --+                   (PG_free_gigantic)
 *    +-----------+                        |                   + tails 1..63
 *    |  PMD 1    | --+                    +---------------> shared tail page,
 *    +-----------+   |                    |                 order 18 (RO)
 *    |   ...     | --+-> all-tail table --+
 *    +-----------+   |   (shared with every 1 GiB page)
 *    |  PMD 7    | --+
 *    +-----------+
 *
 * The range sits on its zone's free_gigantic list (zone->lock) and
 * counts in free_pages, MemFree and the 1 GiB counts of the buddy. A
 * 1 GiB pool grow takes it as it is: the head and tails 1..3 are
 * written, nothing is remapped, nothing flushed; a shrink gives it back
 * the same way (free_gigantic_from_pool()).
 *
 * Breaking a range. The buddy's lists cannot serve an allocation, or
 * fall under the low watermark: a range breaks into them and must not
 * allocate (nothing may be left to allocate), so its memmap is rebuilt
 * in its own last 16 MiB, under PMD leaves, as Linux's memmap_on_memory
 * places the memmap of hot-added memory ("hosted"):
 *
 *    vmemmap PMDs of a hosted range R          physical
 *    +-----------+
 *    |  PMD 0    | ---- 2 MiB leaf ---------> R + 1008 MiB  (memmap of
 *    +-----------+                                           section 0)
 *    |   ...     |                              ...
 *    +-----------+
 *    |  PMD 7    | ---- 2 MiB leaf ---------> R + 1022 MiB  (of section 7,
 *    +-----------+                                           itself too)
 *
 * The 4096 pages are reserved, out of the zone's managed pages, and
 * counted as lent memmap (so nr_free_pages() + lent moves as a plain
 * buddy's free count would); the other 1008 MiB go on the lists in
 * order-10 blocks. The buddy counts such a range whole when those are
 * all free (it then splits elsewhere first), and it is formed again:
 * the 2 pages of the 1 GiB shape come from elsewhere, the 16 MiB rejoin
 * the range after the flush. Contiguous takes, memory failure, offline
 * and the switch turned off want the pages themselves: the memmap goes
 * back into 8 blocks of 2 MiB from elsewhere ("restored"), or hosted
 * when those cannot be had.
 *
 * Policy: with the free-memory dedup on (buddy_vmemmap_optimize, and
 * buddy_vmemmap_1g, both default on), every wholly free 1 GiB range of
 * one zone is formed at boot, when a free makes one whole (the buddy
 * notes it, formed by the next free or drain with interrupts on), and
 * when a 1 GiB pool page leaves; not while the zone's lists would fall
 * under twice the high watermark, nor while a take is at work (it holds
 * its ranges), nor where memmap pages lent to restored 2 MiB blocks are
 * mapped (they belong to their blocks).
 *
 * Locking: a range changes state only under the vmemmap lock, and moves
 * on and off its list under zone->lock; every flush is sent with
 * interrupts on and no zone->lock held. A range is off the lists while
 * its entries change, so nobody allocates from it meanwhile, and a
 * speculative reference taken on a page inside reads either shape: a
 * tail that leads to a head with refcount 0, or a zeroed struct page.
 */
#include "mm/free_gigantic.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page_alloc.h"
#include "mm/page_alloc_gig.h"
#include "mm/page_alloc_memmap.h"
#include "mm/sparse.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/traps.h"
#include "libc/errno.h"
#include "libc/stdlib.h"

#define NR_BLOCKS	(GIGANTIC_NR_PAGES / pageblock_nr_pages)	/* 512 */

static bool enabled = true;	/* buddy_vmemmap_1g=; the dedup's switch comes first */
static u8 state[NR_COUNTED_GIGS];	/* under the vmemmap lock */
static unsigned long nr_formed, nr_hosted;	/* atomics */
static struct vmemmap_batch batch;	/* under the vmemmap lock */
/* The 1 GiB shape's 2 pages of a range broken, kept for its forming again. */
static struct vmemmap_parked parked[NR_COUNTED_GIGS];	/* under the vmemmap lock */

static int param(const char *val)
{
	return kstrtobool(*val ? val : "on", &enabled);
}
early_param("buddy_vmemmap_1g", param);

bool free_gigantic_enabled(void)
{
	return enabled;
}

unsigned long free_gigantic_nr_formed(void)
{
	return __atomic_load_n(&nr_formed, __ATOMIC_RELAXED);
}

unsigned long free_gigantic_nr_hosted(void)
{
	return __atomic_load_n(&nr_hosted, __ATOMIC_RELAXED);
}

unsigned long free_gigantic_nr_parked(void)
{
	unsigned long n = 0;

	for (unsigned long gig = 0; gig < NR_COUNTED_GIGS; gig++)
		n += READ_ONCE(parked[gig].head) != NULL;
	return n;
}

unsigned long free_gigantic_saved_pages(void)
{
	return free_gigantic_nr_formed() * FREE_GIG_SAVED_PAGES;
}

enum free_gigantic_state free_gigantic_state(unsigned long gig)
{
	return gig < NR_COUNTED_GIGS ? READ_ONCE(state[gig]) : FREE_GIG_NONE;
}

static void set_state(unsigned long gig, enum free_gigantic_state s)
{
	enum free_gigantic_state old = state[gig];


	__atomic_add_fetch(&nr_formed, (s == FREE_GIG_FORMED) - (old == FREE_GIG_FORMED),
			   __ATOMIC_RELAXED);
	__atomic_add_fetch(&nr_hosted, (s == FREE_GIG_HOSTED) - (old == FREE_GIG_HOSTED),
			   __ATOMIC_RELAXED);
	WRITE_ONCE(state[gig], s);
	/* A range broken for a while is left alone by the buddy's splits while others serve. */
	gig_keep_whole(gig, s != FREE_GIG_NONE || parked[gig].head);
}

static unsigned long gig_start(unsigned long gig)
{
	return gig << GIGANTIC_ORDER;
}

/* The zone keeps enough on its lists once the range has left them. */
static bool room_to_form(unsigned long start, unsigned long listed)
{
	struct zone *z = &zones[pfn_zone_idx(start)];

	return zone_list_free_pages(z) >= listed + 2 * z->watermark[WMARK_HIGH];
}

/*
 * Vmemmap lock held. force: a take wants the range restored, and a
 * hosted one is formed first whatever the switches and the watermarks.
 * The range's blocks leave the lists, the memmap
 * takes the 1 GiB shape (the 2 pages it keeps come from elsewhere: the
 * range is off the lists), one flush, and the old pages are freed. The
 * 2 MiB blocks that were optimized stop being counted as such only
 * then: until the switch their struct pages were read as theirs.
 */
static int form(unsigned long gig, bool force)
{
	unsigned long start = gig_start(gig), end = start + GIGANTIC_NR_PAGES;
	unsigned int hosted = gig_hosted_pages(gig);
	unsigned long listed = end - hosted;
	u64 optimized[NR_BLOCKS / 64] = { 0 };
	struct page *head = pfn_to_page(start);
	int ret;

	if (gig >= NR_COUNTED_GIGS || state[gig] == FREE_GIG_FORMED || end > max_pfn)
		return 0;
	if (!force && !enabled)
		return 0;
	/* Short of room now: looked at again when more is freed. */
	if (!force && !room_to_form(start, listed - start))
		return -EAGAIN;
	if (!gig_may_form(start, end, force))
		return 0;
	if (gig_take_free(start, listed))
		return 0;
	for (unsigned long i = 0; i < NR_BLOCKS && !hosted; i++)
		if (PageVmemmapOptimized(pfn_to_page(start + i * pageblock_nr_pages)))
			optimized[i / 64] |= 1ULL << (i % 64);
	ret = vmemmap_gigantic_form(head, BIT(PG_free_gigantic), &batch, &parked[gig]);
	if (ret) {
		gig_put_free(start, listed);
		/* Out of memory for its 2 pages: later. A memmap not populated: never. */
		return ret == -ENOMEM ? -EAGAIN : 0;
	}
	vmemmap_batch_finish(&batch);
	for (unsigned long i = 0; i < NR_BLOCKS; i++)
		if (optimized[i / 64] & (1ULL << (i % 64)))
			free_memmap_count(start + i * pageblock_nr_pages, -1);
	if (hosted)
		gig_set_hosted(start, 0);
	set_state(gig, FREE_GIG_FORMED);
	gig_list_add(head);
	return 0;
}

/* Vmemmap lock held, the range off its list: its memmap into its own last 16 MiB. */
static void host(unsigned long gig)
{
	unsigned long start = gig_start(gig), end = start + GIGANTIC_NR_PAGES;
	unsigned long first = end - FREE_GIG_HOSTED_PAGES;
	struct page *blocks[GIGANTIC_PMDS];

	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++)
		blocks[i] = pfn_to_page(first + i * pageblock_nr_pages);
	vmemmap_gigantic_unform(pfn_to_page(start), blocks, first, &parked[gig]);
	gig_set_hosted(start, FREE_GIG_HOSTED_PAGES);
	set_state(gig, FREE_GIG_HOSTED);
	gig_put_free(start, first);
}

static void free_blocks(struct page **blocks, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free_pages(blocks[i], pageblock_order);
}

/*
 * The range off its list: its memmap into 8 blocks from elsewhere, and
 * its pages to the lists, plain. Hosted instead when the blocks cannot
 * be had (-ENOMEM then: the pages are on the lists all the same).
 */
static int restore(unsigned long gig)
{
	unsigned long start = gig_start(gig), end = start + GIGANTIC_NR_PAGES;
	struct page *blocks[GIGANTIC_PMDS];
	bool locked;

	for (unsigned int i = 0; i < GIGANTIC_PMDS; i++) {
		blocks[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY | __GFP_MEMMAP,
					pageblock_order);
		if (!blocks[i]) {
			free_blocks(blocks, i);
			locked = vmemmap_lock_unless_held();
			host(gig);
			if (locked)
				vmemmap_unlock();
			return -ENOMEM;
		}
	}
	locked = vmemmap_lock_unless_held();
	vmemmap_gigantic_unform(pfn_to_page(start), blocks, end, &parked[gig]);
	set_state(gig, FREE_GIG_NONE);
	gig_put_free(start, end);
	if (locked)
		vmemmap_unlock();
	return 0;
}

/* The notes of ranges that could not be formed yet are kept for later frees. */
static void form_pending(void)
{
	u64 again[NR_COUNTED_GIGS / 64] = { 0 };
	unsigned long gig;

	if (!vmemmap_trylock())
		return;
	while ((gig = gig_pending_pop()) != ~0UL)
		if (form(gig, false) == -EAGAIN)
			again[gig / 64] |= 1ULL << (gig % 64);
	vmemmap_unlock();
	/* The memmap blocks forming freed were restored 2 MiB blocks: shared again now. */
	free_memmap_reshare_pending();
	for (gig = 0; gig < NR_COUNTED_GIGS; gig++)
		if (again[gig / 64] & (1ULL << (gig % 64)))
			gig_note_pending(gig);
}

static bool refill(struct zone *z)
{
	struct page *head = gig_list_first(z);
	bool locked;

	if (!head)
		return false;
	locked = vmemmap_lock_unless_held();
	/* Taken meanwhile by another CPU: its pages may serve the caller now. */
	if (gig_list_del(head))
		host(page_to_pfn(head) >> GIGANTIC_ORDER);
	if (locked)
		vmemmap_unlock();
	return true;
}

/*
 * A hosted range overlapping the take is formed first when wholly free
 * (then restored like any formed one); partly in use, its memmap is an
 * ordinary writable one, and only its own 16 MiB stay busy.
 */
static int release_one(unsigned long gig, bool hosted_only)
{
	unsigned long start = gig_start(gig);
	struct page *head = pfn_to_page(start);
	bool was_hosted = free_gigantic_state(gig) == FREE_GIG_HOSTED;
	bool locked;

	if (was_hosted) {
		locked = vmemmap_lock_unless_held();
		form(gig, true);
		if (locked)
			vmemmap_unlock();
	}
	if (free_gigantic_state(gig) != FREE_GIG_FORMED || (hosted_only && !was_hosted))
		return 0;
	if (!gig_list_del(head))
		return -EBUSY;
	return restore(gig);
}

static int release(unsigned long start, unsigned long end, bool hosted_only)
{
	for (unsigned long gig = start >> GIGANTIC_ORDER;
	     gig <= (end - 1) >> GIGANTIC_ORDER && gig < NR_COUNTED_GIGS; gig++) {
		int ret = release_one(gig, hosted_only);

		if (ret)
			return ret;
	}
	return 0;
}

static struct page *take(const enum zone_type *zl, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct page *head = gig_list_first(&zones[zl[i]]);
		bool locked;

		if (!head)
			continue;
		locked = vmemmap_lock_unless_held();
		if (!gig_list_del(head)) {
			if (locked)
				vmemmap_unlock();
			continue;
		}
		set_state(page_to_pfn(head) >> GIGANTIC_ORDER, FREE_GIG_NONE);
		/* Optimized, the owner's: hugetlb_vmemmap_adopt_1g() makes it a pool page. */
		head->flags = BIT(PG_vmemmap_optimized);
		set_page_count(head, 1);
		if (locked)
			vmemmap_unlock();
		return head;
	}
	return NULL;
}

static const struct free_gigantic_ops ops = {
	.form_pending = form_pending,
	.refill = refill,
	.release = release,
	.take = take,
};

bool free_gigantic_wanted(struct page *head)
{
	unsigned long start = page_to_pfn(head);

	return enabled && (start >> GIGANTIC_ORDER) < NR_COUNTED_GIGS &&
	       gig_may_form(start, start + GIGANTIC_NR_PAGES, false);
}

void free_gigantic_from_pool(struct page *head)
{
	unsigned long gig = page_to_pfn(head) >> GIGANTIC_ORDER;

	vmemmap_lock();
	/* The pool page's own head page and table serve: parked ones go. */
	vmemmap_parked_free(&parked[gig]);
	hugetlb_vmemmap_release_1g(head, BIT(PG_free_gigantic));
	set_state(gig, FREE_GIG_FORMED);
	gig_list_add(head);
	vmemmap_unlock();
}

void free_gigantic_form_all(void)
{
	if (!enabled)
		return;
	drain_all_pages();
	vmemmap_lock();
	for (unsigned long gig = 0; gig < NR_COUNTED_GIGS && gig_start(gig) < max_pfn; gig++)
		form(gig, false);
	vmemmap_unlock();
}

int free_gigantic_release_all(void)
{
	int ret = 0;

	gig_pause();
	for (unsigned long gig = 0; gig < NR_COUNTED_GIGS && gig_start(gig) < max_pfn; gig++) {
		int r = release_one(gig, false);

		ret = ret ? ret : r;
		if (free_gigantic_state(gig) == FREE_GIG_NONE) {
			vmemmap_lock();
			vmemmap_parked_free(&parked[gig]);
			gig_keep_whole(gig, false);
			vmemmap_unlock();
		}
	}
	gig_resume();
	return ret;
}

int free_gigantic_break_hosted(unsigned long start)
{
	unsigned long gig = start >> GIGANTIC_ORDER;
	int ret = -EINVAL;

	if (start % GIGANTIC_NR_PAGES || gig >= NR_COUNTED_GIGS)
		return -EINVAL;
	vmemmap_lock();
	if (free_gigantic_state(gig) == FREE_GIG_FORMED) {
		ret = -EBUSY;
		if (gig_list_del(pfn_to_page(start))) {
			host(gig);
			ret = 0;
		}
	}
	vmemmap_unlock();
	return ret;
}

int free_gigantic_set(bool on)
{
	enabled = on;
	if (!on)
		return free_gigantic_release_all();
	free_gigantic_form_all();
	return 0;
}

/* /proc/sys/vm/buddy_vmemmap_1g */

static int switch_show(struct seq_buf *m, void *data)
{
	(void)data;
	seq_printf(m, "%d\n", enabled);
	return 0;
}

static int switch_store(const char *buf, size_t len, void *data, struct errmsg *e)
{
	bool on;
	int ret = pseudofs_parse_switch(buf, len, "buddy_vmemmap_1g", &on, e);

	(void)data;
	if (ret)
		return ret;
	if (free_gigantic_set(on))
		return errmsg_set(e, -ENOMEM, "buddy_vmemmap_1g: out of memory; some ranges keep their memmap in their own last 16 MiB");
	return 0;
}
PSEUDO_FILE(buddy_vmemmap_1g, "/proc/sys/vm/buddy_vmemmap_1g", switch_show, switch_store);

void free_gigantic_init(void)
{
	set_free_gigantic_ops(&ops);
}
