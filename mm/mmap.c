// SPDX-License-Identifier: MIT
/*
 * Address spaces and their mappings: mm_create/mm_destroy/switch_mm,
 * mmap, munmap and brk, with Linux's flags and errors. The VMA array
 * and its splits are mm/vma.c; mremap, mprotect and madvise have files
 * of their own (mm/mremap.c, mm/mprotect.c, mm/madvise.c). What follows
 * holds for all of them.
 *
 * MAP_SHARED anonymous mappings map a shmem object (mm/shmem.h): the
 * VMA holds a reference on it and its offset in vm_pgoff, as a file
 * mapping would. Fork shares the object (the parent's present entries
 * are copied, the rest found by the child's faults), MADV_DONTNEED
 * unmaps from this mm only and the object keeps the data, mremap and
 * mprotect keep the object and the offset; the last VMA to go frees it.
 *
 * Every call validates the whole request and makes every allocation it
 * needs (hugetlb reservation, room in the VMA array) before it changes
 * anything; past that point it cannot fail. So a failed call changes
 * nothing, including where Linux would have done part of the work
 * (mprotect or madvise over a hole, MAP_FIXED whose new mapping fails).
 * The price: MAP_FIXED of a hugetlb mapping over another reserves its
 * pages before the old mapping gives its own back, so for a moment the
 * pool must cover both. MAP_POPULATE is best effort, as in Linux.
 *
 * Hugetlb reservations of a private mapping follow the VMA (those of a
 * shared one are its object's): a reserving VMA holds one for each
 * of its huge pages that is not mapped (vm_resv). A fault consumes one;
 * munmap releases those of the VMAs it removes; MADV_DONTNEED takes the
 * zapped pages' reservations again (Linux leaves them consumed, so that a
 * later fault there can SIGBUS; here it only can when the pool had to be
 * grown for it and that failed). A split gives each piece what its
 * unmapped pages need, lowest piece first.
 *
 * Device-dax mappings (do_mmap_dax) are VM_DAX VMAs: vm_dax is the region
 * and vm_pgoff the region's page at vm_start. Every VMA piece holds one
 * reference on the region (dax_region_get), so destroy is refused while
 * any piece is left: a split takes one more, a merge or a removal
 * (vma_remove) drops one.
 */
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/pt_reclaim.h"
#include "mm/hugetlb.h"
#include "mm/page_alloc.h"
#include "mm/shmem.h"
#include "mm/slab.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "libc/ctype.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

LIST_HEAD(mm_list);
DEFINE_SPINLOCK(mm_list_lock);
static unsigned int next_mm_id = 1;



/* mmap */

static struct hstate *mmap_hstate(unsigned long flags)
{
	unsigned int shift = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
	struct hstate *h = shift ? size_to_hstate(1UL << shift) : default_hstate;

	if (!h || !h->supported)
		return NULL;
	return h;
}

unsigned long calc_vm_flags(unsigned long prot, unsigned long flags, const struct hstate *h)
{
	unsigned long vm_flags = 0;

	if (prot & PROT_READ)
		vm_flags |= VM_READ;
	if (prot & PROT_WRITE)
		vm_flags |= VM_WRITE;
	if (prot & PROT_EXEC)
		vm_flags |= VM_EXEC;
	if (flags & MAP_SHARED)
		vm_flags |= VM_SHARED;
	if (h)
		vm_flags |= VM_HUGETLB;
	if (h && (flags & MAP_NORESERVE))
		vm_flags |= VM_NORESERVE;
	return vm_flags;
}

/* Highest aligned gap of len below limit, or 0. */
static unsigned long find_gap_topdown(struct mm *mm, unsigned long len, unsigned long align,
				      unsigned long limit)
{
	unsigned int k = vma_index(mm, limit);

	for (;;) {
		unsigned long gap_end = limit, gap_start = MMAP_MIN_ADDR, addr;

		if (k < mm->map_count)
			gap_end = min(gap_end, mm->vmas[k].vm_start);
		if (k > 0)
			gap_start = max(gap_start, mm->vmas[k - 1].vm_end);
		if (gap_end > gap_start && gap_end - gap_start >= len) {
			addr = ALIGN_DOWN(gap_end - len, align);
			if (addr >= gap_start)
				return addr;
		}
		if (!k)
			return 0;
		k--;
	}
}

long get_unmapped_area(struct mm *mm, unsigned long hint, unsigned long len,
		       unsigned long align)
{
	unsigned long addr;

	if (hint) {
		hint = ALIGN(hint, align);
		if (hint >= MMAP_MIN_ADDR && hint <= TASK_SIZE - len &&
		    !range_has_vma(mm, hint, hint + len))
			return hint;
	}
	addr = find_gap_topdown(mm, len, align, MMAP_BASE);
	if (!addr)
		addr = find_gap_topdown(mm, len, align, TASK_SIZE);
	return addr ? (long)addr : -ENOMEM;
}

static int check_mmap_args(unsigned long len, unsigned long prot, unsigned long flags)
{
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	/* Anonymous only: there are no files. MAP_SHARED_VALIDATE is both bits. */
	if (!(flags & (MAP_SHARED | MAP_PRIVATE)) || !(flags & MAP_ANONYMOUS))
		return -EINVAL;
	if (!len)
		return -EINVAL;
	if ((flags & MAP_HUGETLB) && !mmap_hstate(flags))
		return -EINVAL;
	return 0;
}

static int mmap_fixed_addr(struct mm *mm, unsigned long addr, unsigned long len,
			   unsigned long align, unsigned long flags)
{
	if (!IS_ALIGNED(addr, align))
		return -EINVAL;
	if (addr < MMAP_MIN_ADDR)
		return -EPERM;
	if (addr > TASK_SIZE - len)
		return -ENOMEM;
	if ((flags & MAP_FIXED_NOREPLACE) && range_has_vma(mm, addr, addr + len))
		return -EEXIST;
	return 0;
}

/*
 * Linux's heuristic overcommit (vm.overcommit_memory=0): a private
 * writable mapping larger than all of RAM is refused unless it says
 * MAP_NORESERVE.
 */
static bool obvious_overcommit(unsigned long len, unsigned long prot, unsigned long flags)
{
	if ((flags & (MAP_HUGETLB | MAP_NORESERVE)) || !(prot & PROT_WRITE))
		return false;
	return (len >> PAGE_SHIFT) > nr_managed_pages();
}

/* Replace whatever is in the new VMA's range by it; room is reserved. */
void install_vma(struct mm *mm, const struct vm_area_struct *vma, unsigned long flags)
{
	unsigned long addr = vma->vm_start, end = vma->vm_end;
	unsigned int i;

	unmap_range(mm, addr, end);
	i = vma_index(mm, addr);
	vma_insert(mm, i, vma);
	mm->total_vm += (end - addr) >> PAGE_SHIFT;
	mm->hiwater_vm = max(mm->hiwater_vm, mm->total_vm);
	merge_range(mm, i ? i - 1 : 0, i + 1);
	if (flags & MAP_POPULATE)
		populate_vma_range(mm, vma_lookup(mm, addr), addr, end);
}

/*
 * Where the mapping goes: the fixed address (checking what it replaces and
 * how many VMAs the replacement splits) or a free gap aligned to align.
 */
static long mmap_place(struct mm *mm, unsigned long *addr, unsigned long len,
		       unsigned long align, unsigned long flags, unsigned int *splits)
{
	long ret;

	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		ret = mmap_fixed_addr(mm, *addr, len, align, flags);
		return ret ? ret : check_splits(mm, *addr, *addr + len, splits);
	}
	ret = get_unmapped_area(mm, *addr, len, align);
	if (ret < 0)
		return ret;
	*addr = ret;
	return 0;
}

long __do_mmap(struct mm *mm, unsigned long addr, unsigned long len,
	       unsigned long prot, unsigned long flags)
{
	struct vm_area_struct vma = { 0 };
	struct hstate *h = NULL;
	unsigned long align = PAGE_SIZE;
	unsigned int splits = 0;
	long ret;
	int err;

	ret = check_mmap_args(len, prot, flags);
	if (ret)
		return ret;
	if (flags & MAP_HUGETLB) {
		h = mmap_hstate(flags);
		align = huge_page_size(h);
	}
	if (len > TASK_SIZE)
		return -ENOMEM;
	len = ALIGN(len, align);
	if (len > TASK_SIZE)
		return -ENOMEM;
	ret = mmap_place(mm, &addr, len, align, flags, &splits);
	if (ret)
		return ret;
	if (obvious_overcommit(len, prot, flags))
		return -ENOMEM;

	vma.vm_start = addr;
	vma.vm_end = addr + len;
	vma.vm_flags = calc_vm_flags(prot, flags, h);
	vma.vm_hstate = h;
	ret = vma_reserve(mm, splits + 1);
	if (ret)
		return ret;
	if (flags & MAP_SHARED) {
		/* The object holds the reservation, for every mm that maps it. */
		vma.vm_shm = shmem_create(h, len / align, !(flags & MAP_NORESERVE), &err);
		if (!vma.vm_shm)
			return err;
	} else if (h && !(flags & MAP_NORESERVE)) {
		if (hugetlb_acquire_reservation(h, len / align))
			return -ENOMEM;
		vma.vm_resv = len / align;
		vma.vm_flags |= VM_RESV_OWNER;
	}

	install_vma(mm, &vma, flags);
	return addr;
}

/* A size's unit is upper case in messages (2M), unlike in align=2m. */
static void size_name(char out[4], const char *align_name)
{
	unsigned int i;

	for (i = 0; i < 3 && align_name[i]; i++)
		out[i] = toupper(align_name[i]);
	out[i] = '\0';
}

/* Where a device-dax mapping must start and end, and the request's fault. */
static int check_dax_args(unsigned long addr, unsigned long len, unsigned long prot,
			  unsigned long flags, const struct dax_region *region,
			  unsigned long offset, struct errmsg *e)
{
	unsigned long align, size;
	char a[4];

	if (!region || !region->active)
		return errmsg_set(e, -ENODEV, "no such dax region");
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return errmsg_set(e, -EINVAL, "protection %#lx: only read, write and exec", prot);
	if (flags & (MAP_HUGETLB | MAP_NORESERVE))
		return errmsg_set(e, -EINVAL, "dax= maps device memory: no huge or noreserve flags");
	/* As Linux's device-dax: shared mappings only. */
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_SHARED || (flags & MAP_ANONYMOUS))
		return errmsg_set(e, -EINVAL, "device memory is mapped shared, never private or anonymous");
	align = dax_region_align(region);
	size = region->nr_pages << PAGE_SHIFT;
	size_name(a, dax_align_name(region->order));
	if (!len || !IS_ALIGNED(len | offset, align))
		return errmsg_set(e, -EINVAL, "dax%u.0 has %s alignment: length %#lx and offset %#lx must be non-zero multiples of %s",
				  region->id, a, len, offset, a);
	if (offset >= size || len > size - offset)
		return errmsg_set(e, -EINVAL, "offset %#lx + length %#lx is beyond dax%u.0 (%#lx bytes)",
				  offset, len, region->id, size);
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && !IS_ALIGNED(addr, align))
		return errmsg_set(e, -EINVAL, "address %#lx is not %s aligned (dax%u.0's alignment)",
				  addr, a, region->id);
	return 0;
}

static long __do_mmap_dax(struct mm *mm, unsigned long addr, unsigned long len,
			  unsigned long prot, unsigned long flags, struct dax_region *region,
		 unsigned long offset, struct errmsg *e)
{
	struct vm_area_struct vma = { 0 };
	unsigned long align;
	unsigned int splits = 0;
	long ret;

	errmsg_init(e);
	ret = check_dax_args(addr, len, prot, flags, region, offset, e);
	if (ret)
		return ret;
	align = dax_region_align(region);
	if (len > TASK_SIZE)
		return -ENOMEM;
	ret = mmap_place(mm, &addr, len, align, flags, &splits);
	if (ret)
		return ret;

	vma.vm_start = addr;
	vma.vm_end = addr + len;
	vma.vm_flags = calc_vm_flags(prot, flags, NULL) | VM_SHARED | VM_DAX;
	vma.vm_dax = region;
	vma.vm_pgoff = offset >> PAGE_SHIFT;
	ret = vma_reserve(mm, splits + 1);
	if (ret)
		return ret;
	/* Active: cannot fail. The new VMA holds this reference. */
	BUG_ON(dax_region_get(region->id) != region);
	install_vma(mm, &vma, flags);
	return addr;
}

int __do_munmap(struct mm *mm, unsigned long start, unsigned long len)
{
	unsigned int splits;
	int ret;

	if (!IS_ALIGNED(start, PAGE_SIZE) || start > TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	len = ALIGN(len, PAGE_SIZE);
	if (!len)
		return -EINVAL;
	ret = check_splits(mm, start, start + len, &splits);
	if (ret)
		return ret;
	ret = vma_reserve(mm, splits);
	if (ret)
		return ret;
	unmap_range(mm, start, start + len);
	return 0;
}

/*
 * The entry points: each takes mmap_lock as Linux's system calls do,
 * for write, as they change the VMA set (madvise, mostly a reader, is
 * in mm/madvise.c).
 */
long do_mmap(struct mm *mm, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags)
{
	long ret;

	mmap_write_lock(mm);
	ret = __do_mmap(mm, addr, len, prot, flags);
	mmap_write_unlock(mm);
	return ret;
}

long do_mmap_dax(struct mm *mm, unsigned long addr, unsigned long len,
		 unsigned long prot, unsigned long flags, struct dax_region *region,
		 unsigned long offset, struct errmsg *e)
{
	long ret;

	mmap_write_lock(mm);
	ret = __do_mmap_dax(mm, addr, len, prot, flags, region, offset, e);
	mmap_write_unlock(mm);
	return ret;
}

int do_munmap(struct mm *mm, unsigned long start, unsigned long len)
{
	int ret;

	mmap_write_lock(mm);
	ret = __do_munmap(mm, start, len);
	mmap_write_unlock(mm);
	return ret;
}

/*
 * The heap is one anonymous mapping grown and shrunk at its end, and the
 * break moves with it under one write lock, so that two threads calling
 * brk() at once cannot both grow it from the same old end.
 */
unsigned long do_brk(struct mm *mm, unsigned long brk)
{
	unsigned long new_end = ALIGN(brk, PAGE_SIZE), old_end;

	mmap_write_lock(mm);
	old_end = ALIGN(mm->brk, PAGE_SIZE);
	if (brk < mm->start_brk || brk > TASK_SIZE)
		goto out;
	if (new_end > old_end &&
	    __do_mmap(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE) < 0)
		goto out;
	if (new_end < old_end && __do_munmap(mm, new_end, old_end - new_end))
		goto out;
	mm->brk = brk;
out:
	brk = mm->brk;
	mmap_write_unlock(mm);
	return brk;
}

/* Address spaces. */

static int status_show(struct seq_buf *m, void *data)
{
	struct mm *mm = data;

	mmap_read_lock(mm);
	mm_show_status(m, mm);
	mmap_read_unlock(mm);
	return 0;
}

static int maps_show(struct seq_buf *m, void *data)
{
	struct mm *mm = data;

	mmap_read_lock(mm);
	for (unsigned int i = 0; i < mm->map_count; i++) {
		struct vm_area_struct *v = &mm->vmas[i];

		if (v->vm_dax) {
			seq_printf(m, "%08lx-%08lx %c%c%cs %08lx 00:00 0                          /dev/dax%u.0\n",
				   v->vm_start, v->vm_end, v->vm_flags & VM_READ ? 'r' : '-',
				   v->vm_flags & VM_WRITE ? 'w' : '-',
				   v->vm_flags & VM_EXEC ? 'x' : '-', v->vm_pgoff << PAGE_SHIFT,
				   v->vm_dax->id);
			continue;
		}
		seq_printf(m, "%08lx-%08lx %c%c%c%c 00000000 00:00 0%s\n", v->vm_start, v->vm_end,
			   v->vm_flags & VM_READ ? 'r' : '-', v->vm_flags & VM_WRITE ? 'w' : '-',
			   v->vm_flags & VM_EXEC ? 'x' : '-', v->vm_flags & VM_SHARED ? 's' : 'p',
			   v->vm_hstate ? "                          /anon_hugepage (deleted)" : "");
	}
	mmap_read_unlock(mm);
	return 0;
}

static void register_files(struct mm *mm)
{
	snprintf(mm->status_path, sizeof(mm->status_path), "/proc/%u/status", mm->id);
	snprintf(mm->maps_path, sizeof(mm->maps_path), "/proc/%u/maps", mm->id);
	mm->status_file = (struct pseudo_file){ mm->status_path, status_show, NULL, mm };
	mm->maps_file = (struct pseudo_file){ mm->maps_path, maps_show, NULL, mm };
	if (pseudofs_register(&mm->status_file))
		return;
	if (pseudofs_register(&mm->maps_file)) {
		pseudofs_unregister(&mm->status_file);
		return;
	}
	mm->files_registered = true;
}

static struct mm *mm_alloc(void)
{
	struct mm *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (!mm)
		return NULL;
	if (pgd_alloc(mm)) {
		kfree(mm);
		return NULL;
	}
	mm->mm_users = 1;
	init_rwsem(&mm->mmap_lock, "mmap_lock");
	spin_lock_init(&mm->page_table_lock, "page_table_lock");
	spin_lock(&mm_list_lock);
	list_add_tail(&mm->list, &mm_list);
	spin_unlock(&mm_list_lock);
	return mm;
}

struct mm *mm_create(const char *name)
{
	struct mm *mm = mm_alloc();

	if (!mm)
		return NULL;
	mm->id = next_mm_id++;
	if (name && *name)
		strlcpy(mm->name, name, sizeof(mm->name));
	else
		snprintf(mm->name, sizeof(mm->name), "as%u", mm->id);
	register_files(mm);
	return mm;
}

struct mm *mm_create_user(int pid, const char *comm)
{
	struct mm *mm = mm_alloc();

	if (!mm)
		return NULL;
	mm->id = pid;
	mm->owned_by_task = true;
	strlcpy(mm->name, comm, sizeof(mm->name));
	return mm;
}

/* Both mms write-locked: the parent's set and leaves cannot change under the copy. */
static int dup_mmap(struct mm *mm, struct mm *old)
{
	if (vma_reserve(mm, old->map_count))
		return -ENOMEM;
	for (unsigned int i = 0; i < old->map_count; i++) {
		struct vm_area_struct v = old->vmas[i];

		/* Reservations stay with the parent, as Linux's HPAGE_RESV_OWNER. */
		v.vm_resv = 0;
		v.vm_flags &= ~(VM_RESV_OWNER | VM_RESV_UNMAPPED);
		if (v.vm_dax)
			BUG_ON(dax_region_get(v.vm_dax->id) != v.vm_dax);
		vma_insert(mm, i, &v);
		mm->total_vm += (v.vm_end - v.vm_start) >> PAGE_SHIFT;
		/* Shared memory is the same object on both sides. */
		if (v.vm_shm)
			shmem_get(v.vm_shm);
		if (!v.vm_dax && copy_page_range(mm, old, &v))
			return -ENOMEM;
	}
	mm->hiwater_vm = mm->total_vm;
	mm->start_brk = old->start_brk;
	mm->brk = old->brk;
	return 0;
}

struct mm *mm_dup(struct mm *old, int pid)
{
	struct mm *mm = mm_create_user(pid, old->name);
	int ret;

	if (!mm)
		return NULL;
	/* Linux's dup_mmap(): the parent for write, then the child. */
	mmap_write_lock(old);
	mmap_write_lock(mm);
	ret = dup_mmap(mm, old);
	mmap_write_unlock(mm);
	mmap_write_unlock(old);
	if (ret) {
		mm_destroy(mm);
		return NULL;
	}
	return mm;
}

static void drop_loaded_mm(void *arg)
{
	if (current_mm == arg)
		switch_mm(NULL);
}

void mm_destroy(struct mm *mm)
{
	/* A CPU running a kernel thread may still have it in CR3 (lazy TLB). */
	drop_loaded_mm(mm);
	tlb_call_cpus(&mm->cpu_mask, drop_loaded_mm, mm);
	mmap_write_lock(mm);
	unmap_range(mm, 0, TASK_SIZE);
	pgd_free(mm);
	mmap_write_unlock(mm);
	kfree(mm->vmas);
	if (mm->files_registered) {
		pseudofs_unregister(&mm->maps_file);
		pseudofs_unregister(&mm->status_file);
	}
	spin_lock(&mm_list_lock);
	list_del(&mm->list);
	spin_unlock(&mm_list_lock);
	kfree(mm);
}

/*
 * The CPU's bit goes into the new mm's cpu_mask before CR3 is loaded, so
 * a flusher that reads the mask after changing an entry either sees the
 * bit or changed the entry before this CPU could cache it; it leaves the
 * old mm's mask only once that mm is out of CR3.
 */
void switch_mm(struct mm *mm)
{
	struct mm *prev = current_mm;
	u64 bit = BIT(smp_processor_id());

	if (mm)
		__atomic_or_fetch(&mm->cpu_mask, bit, __ATOMIC_SEQ_CST);
	write_cr3(__pa(mm ? mm->pgd : init_pgd));
	current_mm = mm;
	if (prev && prev != mm)
		__atomic_and_fetch(&prev->cpu_mask, ~bit, __ATOMIC_SEQ_CST);
}

void flush_tlb_mm_range(struct mm *mm, unsigned long start, unsigned long end,
			bool freed_tables)
{
	flush_tlb_mask_range(&mm->cpu_mask, start, end, freed_tables);
}

struct mm *find_mm(unsigned int id)
{
	struct mm *mm;

	list_for_each_entry(mm, &mm_list, list)
		if (mm->id == id && !mm->owned_by_task)
			return mm;
	return NULL;
}

unsigned long mm_hugetlb_reserved(const struct hstate *h)
{
	unsigned long n = 0;
	struct mm *mm;

	spin_lock(&mm_list_lock);
	list_for_each_entry(mm, &mm_list, list)
		for (unsigned int i = 0; i < mm->map_count; i++)
			if (mm->vmas[i].vm_hstate == h)
				n += mm->vmas[i].vm_resv;
	spin_unlock(&mm_list_lock);
	return n;
}

unsigned long mm_rss_shmem(struct mm *mm)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < mm->map_count; i++) {
		struct vm_area_struct *v = &mm->vmas[i];

		if (v->vm_shm && !v->vm_hstate)
			n += count_mapped(mm, v->vm_start, v->vm_end, PAGE_SIZE);
	}
	return n;
}

static unsigned long pgtables_kb(const struct mm *mm)
{
	unsigned long n = 0;

	for (int l = PG_LEVEL_4K; l < PG_LEVEL_512G; l++)
		n += mm->nr_pgtables[l];
	return n * (PAGE_SIZE >> 10);
}

void mm_show_status(struct seq_buf *m, struct mm *mm)
{
	unsigned long huge_kb = 0;

	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		huge_kb += mm->nr_huge[i] * (huge_page_size(&hstates[i]) >> 10);
	seq_printf(m, "Name:\t%s\n", mm->name);
	seq_printf(m, "Pid:\t%u\n", mm->id);
	seq_printf(m, "VmSize:\t%8lu kB\n", mm->total_vm * (PAGE_SIZE >> 10));
	seq_printf(m, "VmRSS:\t%8lu kB\n", (mm->rss + mm->rss_dax) * (PAGE_SIZE >> 10));
	seq_printf(m, "RssAnon:\t%8lu kB\n", mm->rss * (PAGE_SIZE >> 10));
	seq_printf(m, "RssFile:\t%8lu kB\n", mm->rss_dax * (PAGE_SIZE >> 10));
	/* Linux's VmPTE: every table below the PGD. */
	seq_printf(m, "VmPTE:\t%8lu kB\n", pgtables_kb(mm));
	seq_printf(m, "HugetlbPages:\t%8lu kB\n", huge_kb);
	seq_printf(m, "PgtPGD:\t%lu\n", mm->nr_pgtables[PG_LEVEL_512G]);
	seq_printf(m, "PgtPUD:\t%lu\n", mm->nr_pgtables[PG_LEVEL_1G]);
	seq_printf(m, "PgtPMD:\t%lu\n", mm->nr_pgtables[PG_LEVEL_2M]);
	seq_printf(m, "PgtPTE:\t%lu\n", mm->nr_pgtables[PG_LEVEL_4K]);
	seq_printf(m, "PgtReclaimed:\t%lu\n", mm->pt_reclaimed);
	seq_printf(m, "MapCount:\t%u\n", mm->map_count);
	seq_printf(m, "MinFlt:\t%lu\n", mm->min_flt);
	seq_printf(m, "SigSegv:\t%lu\n", mm->nr_segv);
	seq_printf(m, "SigBus:\t%lu\n", mm->nr_sigbus);
	seq_printf(m, "Oom:\t%lu\n", mm->nr_oom);
	if (mm->last_report[0])
		seq_printf(m, "LastFault:\t%s\n", mm->last_report);
}
