// SPDX-License-Identifier: MIT
/*
 * Console commands that drive address spaces:
 *
 *	as create [NAME] | destroy ID | switch ID|0 | list | check [ID]
 *	mmap ADDR LEN [PROT] [FLAG...]	(ADDR 0: anywhere)
 *	mmap ADDR LEN [PROT] dax=ID [offset=OFF] [fixed|noreplace|populate]
 *	munmap ADDR LEN
 *	mprotect ADDR LEN PROT
 *	madvise ADDR LEN dontneed|normal
 *	touch ADDR [LEN] [read|write]
 *
 * Addresses and sizes use memparse syntax (0x7f0000000000, 2M, 50G).
 * PROT is any of r, w, x (e.g. rw) or none. The mapping commands act on
 * the loaded address space (as create loads the new one).
 */
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/pt_reclaim.h"
#include "mm/debug/check.h"
#include "kernel/uaccess.h"
#include "mm/hugetlb.h"
#include "mm/devdax.h"
#include "kernel/printk.h"
#include "kernel/seq_buf.h"
#include "kernel/shell.h"
#include "kernel/strerror.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

static int parse_ulong(const char *cmd, const char *what, const char *s, unsigned long *v)
{
	unsigned long long x;
	int ret = kmemparse(s, &x);

	if (!ret && x > ~0UL)
		ret = -ERANGE;
	if (ret) {
		printk("%s: bad %s '%s': %s\n", cmd, what, s,
		       ret == -ERANGE ? "out of range" : "expected a number like 0x7f0000000000 or 2M");
		return -EINVAL;
	}
	*v = x;
	return 0;
}

static int parse_prot(const char *cmd, const char *s, unsigned long *prot)
{
	*prot = PROT_NONE;
	if (!strcmp(s, "none"))
		return 0;
	for (const char *p = s; *p; p++) {
		unsigned long bit = *p == 'r' ? PROT_READ : *p == 'w' ? PROT_WRITE :
				    *p == 'x' ? PROT_EXEC : 0;

		if (!bit || (*prot & bit)) {
			printk("%s: bad protection '%s': use r, w, x (e.g. rw) or none\n", cmd, s);
			return -EINVAL;
		}
		*prot |= bit;
	}
	if (!*s) {
		printk("%s: empty protection: use r, w, x (e.g. rw) or none\n", cmd);
		return -EINVAL;
	}
	return 0;
}

static struct mm *loaded_mm(const char *cmd)
{
	if (!current_mm)
		printk("%s: no address space is loaded (as create, as switch ID)\n", cmd);
	return current_mm;
}

static int report(const char *cmd, int ret)
{
	if (ret < 0)
		printk("%s: %s\n", cmd, strerror(ret));
	return ret < 0 ? ret : 0;
}

/* ADDR LEN, the first two arguments of every mapping command. */
static int parse_range(int argc, char **argv, int min_args, const char *usage,
		       unsigned long *addr, unsigned long *len)
{
	if (argc < min_args) {
		printk("%s: usage: %s %s\n", argv[0], argv[0], usage);
		return -EINVAL;
	}
	if (parse_ulong(argv[0], "address", argv[1], addr))
		return -EINVAL;
	return parse_ulong(argv[0], "length", argv[2], len);
}

/* as */

static void list_one(struct mm *mm)
{
	unsigned long vmpte = 0;

	for (int l = PG_LEVEL_4K; l < PG_LEVEL_512G; l++)
		vmpte += mm->nr_pgtables[l];
	printk("%c%4u %-12s %14lu %10lu %9lu %5lu %5lu %5lu %6u %9lu %6lu\n",
	       mm == current_mm ? '*' : ' ', mm->id, mm->name, mm->total_vm << 2,
	       mm->rss << 2, vmpte << 2, mm->nr_pgtables[PG_LEVEL_1G],
	       mm->nr_pgtables[PG_LEVEL_2M], mm->nr_pgtables[PG_LEVEL_4K], mm->map_count,
	       mm->nr_huge[HSTATE_2M] * 2048 + mm->nr_huge[HSTATE_1G] * 1048576,
	       mm->nr_segv + mm->nr_sigbus + mm->nr_oom);
}

static int as_list(void)
{
	struct mm *mm;

	printk("%5s %-12s %14s %10s %9s %5s %5s %5s %6s %9s %6s\n", "ID", "NAME",
	       "VmSize(kB)", "VmRSS(kB)", "VmPTE(kB)", "PUD", "PMD", "PTE", "VMAs", "Huge(kB)",
	       "Faults");
	/* Processes on other CPUs fork and exit meanwhile. */
	spin_lock(&mm_list_lock);
	list_for_each_entry(mm, &mm_list, list)
		list_one(mm);
	spin_unlock(&mm_list_lock);
	printk("pt_reclaim: %s\n", pt_reclaim_enabled() ? "on" : "off");
	return 0;
}

static struct mm *parse_mm(const char *s)
{
	unsigned long id;
	struct mm *mm;

	if (kstrtoul(s, 0, &id) || id > ~0U) {
		printk("as: bad id '%s': expected a number (as list)\n", s);
		return NULL;
	}
	mm = find_mm(id);
	if (!mm)
		printk("as: no address space %lu (as list)\n", id);
	return mm;
}

static int as_check(struct mm *mm)
{
	struct errmsg msg;

	if (mm_check(mm, &msg)) {
		printk("as: %s[%u] is inconsistent: %s\n", mm->name, mm->id, msg.why);
		return -EINVAL;
	}
	printk("as: %s[%u] consistent\n", mm->name, mm->id);
	return 0;
}

static int cmd_as(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	struct mm *mm;

	if (!strcmp(sub, "list") && argc == 2)
		return as_list();
	if (!strcmp(sub, "create") && argc <= 3) {
		mm = mm_create(argc == 3 ? argv[2] : NULL);
		if (!mm)
			return report("as", -ENOMEM);
		switch_mm(mm);
		printk("%s[%u] created and loaded: /proc/%u/status\n", mm->name, mm->id, mm->id);
		return 0;
	}
	if (!strcmp(sub, "switch") && argc == 3) {
		if (!strcmp(argv[2], "0")) {
			switch_mm(NULL);
			return 0;
		}
		mm = parse_mm(argv[2]);
		if (!mm)
			return -EINVAL;
		switch_mm(mm);
		return 0;
	}
	if (!strcmp(sub, "destroy") && argc == 3) {
		mm = parse_mm(argv[2]);
		if (!mm)
			return -EINVAL;
		mm_destroy(mm);
		return 0;
	}
	if (!strcmp(sub, "check") && argc <= 3) {
		mm = argc == 3 ? parse_mm(argv[2]) : loaded_mm("as");
		return mm ? as_check(mm) : -EINVAL;
	}
	printk("as: usage: as create [NAME] | destroy ID | switch ID|0 | list | check [ID]\n");
	return -EINVAL;
}
SHELL_CMD(as, "create [NAME]|destroy ID|switch ID|0|list|check [ID]",
	  "address spaces: create (and load), destroy, load, list, check");

/* mmap */

static int parse_mmap_flag(const char *s, unsigned long *flags)
{
	if (!strcmp(s, "fixed"))
		*flags |= MAP_FIXED;
	else if (!strcmp(s, "noreplace"))
		*flags |= MAP_FIXED_NOREPLACE;
	else if (!strcmp(s, "noreserve"))
		*flags |= MAP_NORESERVE;
	else if (!strcmp(s, "populate"))
		*flags |= MAP_POPULATE;
	else if (!strcmp(s, "huge"))
		*flags |= MAP_HUGETLB;
	else if (!strcmp(s, "huge2m"))
		*flags |= MAP_HUGETLB | MAP_HUGE_2MB;
	else if (!strcmp(s, "huge1g"))
		*flags |= MAP_HUGETLB | MAP_HUGE_1GB;
	else
		return -EINVAL;
	return 0;
}

/* dax=ID and offset=OFF: the device-dax form of mmap. */
struct dax_arg {
	bool given, has_offset;
	unsigned long id, offset;
};

/* 0: parsed; -ENOENT: not a dax argument; -EINVAL: bad value (printed). */
static int parse_dax_arg(const char *s, struct dax_arg *dax)
{
	if (!strncmp(s, "dax=", 4)) {
		if (kstrtoul(s + 4, 0, &dax->id) || dax->id > ~0U) {
			printk("mmap: bad region '%s': expected dax=ID (dax list)\n", s + 4);
			return -EINVAL;
		}
		dax->given = true;
		return 0;
	}
	if (!strncmp(s, "offset=", 7)) {
		dax->has_offset = true;
		return parse_ulong("mmap", "offset", s + 7, &dax->offset);
	}
	return -ENOENT;
}

static int parse_mmap_arg(const char *s, unsigned long *flags, struct dax_arg *dax)
{
	int ret = parse_dax_arg(s, dax);

	if (ret != -ENOENT)
		return ret;
	if (parse_mmap_flag(s, flags)) {
		printk("mmap: unknown flag '%s': fixed, noreplace, noreserve, populate, huge, huge2m, huge1g, dax=ID, offset=OFF\n",
		       s);
		return -EINVAL;
	}
	return 0;
}

/* A flag or a dax argument, not PROT. */
static bool is_mmap_arg(const char *s)
{
	unsigned long flags = 0;

	return !strncmp(s, "dax=", 4) || !strncmp(s, "offset=", 7) || !parse_mmap_flag(s, &flags);
}

static int cmd_mmap(int argc, char **argv)
{
	unsigned long addr, len, prot = PROT_READ | PROT_WRITE;
	unsigned long flags = MAP_PRIVATE | MAP_ANONYMOUS;
	struct dax_arg dax = { 0 };
	struct errmsg e;
	struct mm *mm;
	long ret;
	int i = 3;

	if (parse_range(argc, argv, 3, "ADDR|0 LEN [PROT] [fixed|noreplace|noreserve|populate|huge|huge2m|huge1g|dax=ID|offset=OFF...]",
			&addr, &len))
		return -EINVAL;
	if (argc > 3 && !is_mmap_arg(argv[3])) {
		if (parse_prot("mmap", argv[3], &prot))
			return -EINVAL;
		i = 4;
	}
	for (; i < argc; i++)
		if (parse_mmap_arg(argv[i], &flags, &dax))
			return -EINVAL;
	if (dax.has_offset && !dax.given) {
		printk("mmap: offset= needs dax=ID\n");
		return -EINVAL;
	}
	mm = loaded_mm("mmap");
	if (!mm)
		return -EINVAL;
	if (dax.given) {
		struct dax_region *r = dax_region_find(dax.id);

		if (!r) {
			printk("mmap: no dax region %lu (dax list)\n", dax.id);
			return -EINVAL;
		}
		/* dax= means a shared mapping of the region: drop the defaults. */
		flags = (flags & ~(unsigned long)(MAP_PRIVATE | MAP_ANONYMOUS)) | MAP_SHARED;
		ret = do_mmap_dax(mm, addr, len, prot, flags, r, dax.offset, &e);
		if (ret < 0) {
			printk("mmap: %s\n", errmsg_why(&e, ret));
			return ret;
		}
	} else {
		ret = do_mmap(mm, addr, len, prot, flags);
	}
	if (ret < 0)
		return report("mmap", ret);
	printk("%lx\n", (unsigned long)ret);
	return 0;
}
SHELL_CMD(mmap, "ADDR|0 LEN [PROT] [FLAG...]",
	  "map anonymous memory, or a device-dax region (dax=ID [offset=OFF]), in the loaded address space (FLAG: fixed noreserve populate huge2m huge1g...)");

static int cmd_munmap(int argc, char **argv)
{
	unsigned long addr, len;
	struct mm *mm;

	if (argc != 3) {
		printk("munmap: usage: munmap ADDR LEN\n");
		return -EINVAL;
	}
	if (parse_range(argc, argv, 3, "ADDR LEN", &addr, &len))
		return -EINVAL;
	mm = loaded_mm("munmap");
	if (!mm)
		return -EINVAL;
	return report("munmap", do_munmap(mm, addr, len));
}
SHELL_CMD(munmap, "ADDR LEN", "unmap a range of the loaded address space");

static int cmd_mprotect(int argc, char **argv)
{
	unsigned long addr, len, prot;
	struct mm *mm;

	if (argc != 4) {
		printk("mprotect: usage: mprotect ADDR LEN PROT\n");
		return -EINVAL;
	}
	if (parse_range(argc, argv, 4, "ADDR LEN PROT", &addr, &len) ||
	    parse_prot("mprotect", argv[3], &prot))
		return -EINVAL;
	mm = loaded_mm("mprotect");
	if (!mm)
		return -EINVAL;
	return report("mprotect", do_mprotect(mm, addr, len, prot));
}
SHELL_CMD(mprotect, "ADDR LEN PROT", "change the protection of a range (PROT: r, w, x combined, or none)");

static int cmd_madvise(int argc, char **argv)
{
	unsigned long addr, len;
	struct mm *mm;
	int advice;

	if (argc != 4) {
		printk("madvise: usage: madvise ADDR LEN dontneed|normal\n");
		return -EINVAL;
	}
	if (parse_range(argc, argv, 4, "ADDR LEN ADVICE", &addr, &len))
		return -EINVAL;
	if (!strcmp(argv[3], "dontneed")) {
		advice = MADV_DONTNEED;
	} else if (!strcmp(argv[3], "normal")) {
		advice = MADV_NORMAL;
	} else {
		printk("madvise: unknown advice '%s': dontneed or normal\n", argv[3]);
		return -EINVAL;
	}
	mm = loaded_mm("madvise");
	if (!mm)
		return -EINVAL;
	return report("madvise", do_madvise(mm, addr, len, advice));
}
SHELL_CMD(madvise, "ADDR LEN dontneed|normal", "advise on a range: dontneed frees its pages (and empty page tables)");

static int cmd_touch(int argc, char **argv)
{
	unsigned long addr, len = PAGE_SIZE, faults, n = 0;
	bool write = true;
	struct mm *mm;

	if (argc < 2 || argc > 4) {
		printk("touch: usage: touch ADDR [LEN] [read|write]\n");
		return -EINVAL;
	}
	if (parse_ulong("touch", "address", argv[1], &addr) ||
	    (argc > 2 && parse_ulong("touch", "length", argv[2], &len)))
		return -EINVAL;
	if (argc == 4 && strcmp(argv[3], "read") && strcmp(argv[3], "write")) {
		printk("touch: bad access '%s': read or write\n", argv[3]);
		return -EINVAL;
	}
	write = argc < 4 || !strcmp(argv[3], "write");
	if (len > ~0UL - addr) {
		printk("touch: range %#lx + %#lx wraps around the address space\n", addr, len);
		return -EINVAL;
	}
	if (!access_ok((const void __user *)addr, len)) {
		printk("touch: %#lx-%#lx is not in user space (which ends at %#lx)\n",
		       addr, addr + len, TASK_SIZE_MAX);
		return -EFAULT;
	}
	mm = loaded_mm("touch");
	if (!mm)
		return -EINVAL;
	faults = mm->min_flt;
	for (unsigned long a = addr & PAGE_MASK; a < addr + len; a += PAGE_SIZE, n++) {
		u64 v;
		u64 __user *p = (u64 __user *)a;
		int ret = write ? put_user_u64(a, p) : get_user_u64(&v, p);

		if (ret) {
			printk("touch: stopped at %lx after %lu pages: %s\n", a, n, strerror(ret));
			return ret;
		}
	}
	printk("touched %lu pages, %lu faults\n", n, mm->min_flt - faults);
	return 0;
}
SHELL_CMD(touch, "ADDR [LEN] [read|write]", "access every page of a range of the loaded address space");
