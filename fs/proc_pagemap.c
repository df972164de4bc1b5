// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/pagemap (see fs/proc_pagemap.h). The file holds only the
 * pid: each read finds the task again, with interrupts off so that it
 * cannot go away, and holds its mm's mmap_lock for read (tried: a
 * sleeping lock cannot be waited for with interrupts off; a busy one is
 * tried again after a yield) while the entries of one chunk are made.
 * The leaves are read by the lockless walker (mm/gup.h), which pins the
 * page to read how many mappings it has; MADV_DONTNEED and faults of the
 * task's other threads run beside it under the same read lock.
 */
#include "fs/proc_pagemap.h"
#include "fs/file.h"
#include "fs/proc_pid.h"
#include "kernel/task.h"
#include "kernel/traps.h"
#include "mm/gup.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define PM_ENTRY_BYTES		8
#define PM_PFRAME_MASK		((1ULL << 55) - 1)
#define PM_MMAP_EXCLUSIVE	(1ULL << 56)
#define PM_FILE			(1ULL << 61)
#define PM_PRESENT		(1ULL << 63)
#define PAGEMAP_END_VPN		(TASK_SIZE >> PAGE_SHIFT)
/* A leaf that keeps changing under the walker is reported as last seen. */
#define PIN_TRIES		3

/* Only this mapping maps the page: its other references are pins. */
static bool mapped_once(struct page *page, enum pg_level level)
{
	if (level == PG_LEVEL_4K)
		return page->_mapcount == 0;
	/* A huge page: one reference per mapping, one ours. */
	return page->_refcount == 2;
}

static u64 pagemap_entry(struct mm *mm, unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	struct gup_leaf leaf;
	struct page *page = NULL;
	unsigned long pfn;
	int ret = -EAGAIN;
	u64 e;

	if (!vma)
		return 0;
	for (int i = 0; i < PIN_TRIES && ret == -EAGAIN; i++)
		ret = get_user_page_fast(mm, addr, &page, &leaf);
	/* Device memory is not pinned, and a busy leaf is taken as last seen. */
	if (ret && !gup_fast_leaf(mm, addr, &leaf))
		return 0;
	pfn = PHYS_PFN(entry_phys(leaf.entry)) +
	      ((addr & (level_size(leaf.level) - 1)) >> PAGE_SHIFT);
	e = PM_PRESENT | (pfn & PM_PFRAME_MASK);
	if (vma->vm_flags & VM_SHARED)
		e |= PM_FILE;
	if (!ret) {
		if (mapped_once(page, leaf.level))
			e |= PM_MMAP_EXCLUSIVE;
		put_page(page);
	}
	return e;
}

struct fill_arg {
	unsigned long vpn, n;
	u64 *out;
};

static void fill_entries(struct task_struct *t, void *arg)
{
	struct fill_arg *a = arg;

	/* A kernel thread or a zombie maps nothing. */
	for (unsigned long i = 0; i < a->n; i++)
		a->out[i] = t->mm ? pagemap_entry(t->mm, (a->vpn + i) << PAGE_SHIFT) : 0;
}

/* Entries for [vpn, vpn + n) of task pid: 0, or -ESRCH when it is gone. */
static int pagemap_fill(long pid, unsigned long vpn, u64 *out, unsigned long n)
{
	struct fill_arg a = { vpn, n, out };

	return proc_pid_locked(pid, fill_entries, &a);
}

static ssize_t pagemap_read(struct file *f, char *buf, size_t count, loff_t *pos)
{
	unsigned long vpn, n;
	int ret;

	if (*pos % PM_ENTRY_BYTES || count % PM_ENTRY_BYTES)
		return -EINVAL;
	vpn = *pos / PM_ENTRY_BYTES;
	if (vpn >= PAGEMAP_END_VPN)
		return 0;
	n = min(count / PM_ENTRY_BYTES, PAGEMAP_END_VPN - vpn);
	ret = pagemap_fill((long)f->private_data, vpn, (u64 *)buf, n);
	if (ret)
		return ret;
	*pos += n * PM_ENTRY_BYTES;
	return n * PM_ENTRY_BYTES;
}

/* Linux's mem_lseek(): SEEK_SET and SEEK_CUR; there is no end to seek from. */
static loff_t pagemap_llseek(struct file *f, loff_t offset, int whence)
{
	if (whence == SEEK_END)
		return -EINVAL;
	return fixed_size_llseek(f, offset, whence, 0);
}

static void pagemap_getattr(struct file *f, struct kstat *st)
{
	(void)f;
	st->size = 0;
	st->nlink = 1;
	st->mode = S_IFREG | 0400;
	st->blksize = 1024;
}

static const struct file_operations pagemap_ops = {
	.read = pagemap_read,
	.llseek = pagemap_llseek,
	.getattr = pagemap_getattr,
};

/* "/proc/<pid>/pagemap": the pid, or -1. */
static long pagemap_pid(const char *path)
{
	const char *p = path + strlen("/proc/");
	char *end;
	unsigned long pid;

	if (strncmp(path, "/proc/", 6) || *p < '1' || *p > '9')
		return -1;
	pid = strtoul(p, &end, 10);
	if (strcmp(end, "/pagemap") || pid >= PID_MAX)
		return -1;
	return pid;
}

int proc_pagemap_open(const char *path, unsigned int flags, struct file **out)
{
	long pid = pagemap_pid(path);
	unsigned long irq;
	bool found;

	if (pid < 0)
		return -ENOENT;
	irq = local_irq_save();
	found = find_task_by_pid(pid) != NULL;
	local_irq_restore(irq);
	if (!found)
		return -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	*out = alloc_file(&pagemap_ops, flags, (void *)pid);
	return *out ? 0 : -ENOMEM;
}
