// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/status, /proc/<pid>/maps and /proc/self, in Linux's
 * formats. The files are resolved by name when opened (pseudofs's
 * resolver) and hold only the pid: the task is looked up again at each
 * read, so a file outliving its process reads -ESRCH instead of freed
 * memory. A pid names a thread too, as in Linux, where /proc/<tid> is
 * reachable though not listed.
 *
 * There are no files behind mappings (exec copies the program), so the
 * Vm* figures come from the VMAs: VmExe is the executable mappings,
 * VmStk the mapping holding the user stack pointer, VmData the private
 * writable rest, VmLib 0.
 */
#include "fs/fdtable.h"
#include "fs/proc_pid.h"
#include "kernel/pseudofs.h"
#include "kernel/seq_buf.h"
#include "kernel/task.h"
#include "kernel/traps.h"
#include "mm/mm_types.h"
#include "mm/mmap.h"
#include "mm/shmem.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define KB(pages)	((pages) << (PAGE_SHIFT - 10))

/* The user stack pointer a thread will return to, or 0 for a kernel thread. */
static unsigned long user_sp(const struct task_struct *t)
{
	return t->user_regs ? t->user_regs->rsp : 0;
}

struct vm_sizes {
	unsigned long exe, stk, data;	/* pages */
};

static void count_vmas(const struct mm *mm, unsigned long sp, struct vm_sizes *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < mm->map_count; i++) {
		const struct vm_area_struct *v = &mm->vmas[i];
		unsigned long pages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;

		if (sp >= v->vm_start && sp < v->vm_end)
			s->stk += pages;
		else if ((v->vm_flags & (VM_EXEC | VM_WRITE)) == VM_EXEC)
			s->exe += pages;
		else if ((v->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			s->data += pages;
	}
}

static unsigned long pgtable_pages(const struct mm *mm)
{
	unsigned long n = 0;

	/* Linux's VmPTE: every table below the PGD. */
	for (int l = PG_LEVEL_4K; l < PG_LEVEL_512G; l++)
		n += mm->nr_pgtables[l];
	return n;
}

static unsigned long hugetlb_kb(const struct mm *mm)
{
	unsigned long kb = 0;

	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		kb += mm->nr_huge[i] * (huge_page_size(&hstates[i]) >> 10);
	return kb;
}

/* Linux's task_mem(): right-aligned in 8 columns, then " kB". */
static void show_kb(struct seq_buf *m, const char *name, unsigned long kb)
{
	seq_printf(m, "%s:\t%8lu kB\n", name, kb);
}

static void show_mem(struct seq_buf *m, struct mm *mm, unsigned long sp)
{
	unsigned long shmem = mm_rss_shmem(mm);
	struct vm_sizes s;

	count_vmas(mm, sp, &s);
	show_kb(m, "VmPeak", KB(max(mm->hiwater_vm, mm->total_vm)));
	show_kb(m, "VmSize", KB(mm->total_vm));
	show_kb(m, "VmLck", 0);
	show_kb(m, "VmPin", 0);
	show_kb(m, "VmRSS", KB(mm->rss + mm->rss_dax));
	show_kb(m, "RssAnon", KB(mm->rss - shmem));
	show_kb(m, "RssFile", KB(mm->rss_dax));
	show_kb(m, "RssShmem", KB(shmem));
	show_kb(m, "VmData", KB(s.data));
	show_kb(m, "VmStk", KB(s.stk));
	show_kb(m, "VmExe", KB(s.exe));
	show_kb(m, "VmLib", 0);
	show_kb(m, "VmPTE", KB(pgtable_pages(mm)));
	show_kb(m, "VmSwap", 0);
	show_kb(m, "HugetlbPages", hugetlb_kb(mm));
}

/* As getppid(): what the kernel started has kshell, pid 1, for parent; kshell has none. */
static int ppid(const struct task_struct *t)
{
	const struct task_struct *parent = t->group_leader->parent;

	if (t->tgid == KSHELL_PID)
		return 0;
	return parent ? parent->tgid : KSHELL_PID;
}

void proc_pid_show_status(struct seq_buf *m, struct task_struct *t)
{
	seq_printf(m, "Name:\t%s\nUmask:\t0022\nState:\t%s\n", t->comm, task_state_name(t));
	seq_printf(m, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		   t->tgid, t->pid, ppid(t));
	seq_puts(m, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	seq_printf(m, "FDSize:\t%d\nGroups:\t\n", t->files ? NR_OPEN_MAX : 0);
	/* A kernel thread or a zombie has no memory: Linux prints no Vm lines. */
	if (t->mm)
		show_mem(m, t->mm, user_sp(t));
	seq_printf(m, "Threads:\t%d\n", nr_threads_of(t));
}

/* What Linux prints after the fixed columns, or NULL for a plain anonymous mapping. */
static const char *vma_name(const struct mm *mm, const struct vm_area_struct *v,
			    unsigned long sp, char *buf, size_t size)
{
	if (v->vm_dax) {
		snprintf(buf, size, "/dev/dax%u.0", v->vm_dax->id);
		return buf;
	}
	if (v->vm_hstate)
		return "/anon_hugepage (deleted)";
	/* Linux's shmem_zero_setup() names the object so. */
	if (v->vm_shm)
		return "/dev/zero (deleted)";
	if (mm->brk > mm->start_brk && v->vm_start < mm->brk && v->vm_end > mm->start_brk)
		return "[heap]";
	if (sp >= v->vm_start && sp < v->vm_end)
		return "[stack]";
	return NULL;
}

/* Linux's show_map_vma(): the name starts in column 74, after padding. */
#define MAPS_NAME_COLUMN	73

static void show_map_vma(struct seq_buf *m, const struct mm *mm,
			 const struct vm_area_struct *v, unsigned long sp)
{
	size_t start = m->len;
	char buf[32];
	const char *name = vma_name(mm, v, sp, buf, sizeof(buf));
	unsigned long pgoff = (v->vm_dax || v->vm_shm) ? v->vm_pgoff << PAGE_SHIFT : 0;

	/* Shared memory: Linux's shmem device (00:01) and the object's inode. */
	seq_printf(m, "%08lx-%08lx %c%c%c%c %08lx 00:%02x %lu ", v->vm_start, v->vm_end,
		   v->vm_flags & VM_READ ? 'r' : '-', v->vm_flags & VM_WRITE ? 'w' : '-',
		   v->vm_flags & VM_EXEC ? 'x' : '-', v->vm_flags & VM_SHARED ? 's' : 'p',
		   pgoff, v->vm_shm ? 1 : 0, v->vm_shm ? v->vm_shm->ino : 0);
	if (name) {
		size_t used = m->len - start;

		if (used < MAPS_NAME_COLUMN - 1)
			seq_printf(m, "%*s", (int)(MAPS_NAME_COLUMN - 1 - used), "");
		seq_printf(m, " %s", name);
	}
	seq_puts(m, "\n");
}

void proc_pid_show_maps(struct seq_buf *m, struct task_struct *t)
{
	if (!t->mm)
		return;
	for (unsigned int i = 0; i < t->mm->map_count; i++)
		show_map_vma(m, t->mm, &t->mm->vmas[i], user_sp(t));
}

/*
 * The task may run, and change its VMAs, between two reads: the text is
 * made with interrupts off, so that it is one consistent snapshot.
 */
static int show_task(struct seq_buf *m, void *data,
		     void (*show)(struct seq_buf *m, struct task_struct *t))
{
	unsigned long flags = local_irq_save();
	struct task_struct *t = find_task_by_pid((long)data);

	if (t)
		show(m, t);
	local_irq_restore(flags);
	return t ? 0 : -ESRCH;
}

static int status_show(struct seq_buf *m, void *data)
{
	return show_task(m, data, proc_pid_show_status);
}

static int maps_show(struct seq_buf *m, void *data)
{
	return show_task(m, data, proc_pid_show_maps);
}

static bool task_exists(int pid)
{
	unsigned long flags = local_irq_save();
	bool found = find_task_by_pid(pid) != NULL;

	local_irq_restore(flags);
	return found;
}

/*
 * "/proc/<pid>[/<file>]" or "/proc/self[/<file>]": the pid, and the rest
 * of the path in *rest. -ENOENT when path is not of that form or no such
 * task exists.
 */
static int parse_pid_path(const char *path, int *pid, const char **rest)
{
	const char *p = path + strlen("/proc/"), *end;
	char num[12];
	unsigned int n;

	if (strncmp(path, "/proc/", 6))
		return -ENOENT;
	end = p + strcspn(p, "/");
	if (end - p == 4 && !strncmp(p, "self", 4)) {
		struct task_struct *me = current_task();

		if (!me || !me->tgid)
			return -ENOENT;	/* the idle task is no process */
		*pid = me->tgid;
	} else {
		if (end == p || end - p >= (long)sizeof(num) || *p == '0')
			return -ENOENT;
		memcpy(num, p, end - p);
		num[end - p] = '\0';
		if (kstrtouint(num, 10, &n) || n >= PID_MAX)
			return -ENOENT;
		*pid = n;
	}
	*rest = end;
	return task_exists(*pid) ? 0 : -ENOENT;
}

static int proc_pid_resolve(const char *path, struct pseudo_file *out)
{
	const char *rest;
	int pid, ret;

	ret = parse_pid_path(path, &pid, &rest);
	if (ret)
		return ret;
	if (!*rest)
		return -EISDIR;
	*out = (struct pseudo_file){ path, NULL, NULL, (void *)(long)pid };
	if (!strcmp(rest, "/status"))
		out->show = status_show;
	else if (!strcmp(rest, "/maps"))
		out->show = maps_show;
	else
		return -ENOENT;
	return 0;
}

void proc_self_to_pid(char *path)
{
	struct task_struct *me = current_task();
	const char *rest = path + strlen("/proc/self");
	char pid[12];
	size_t n;

	if (strncmp(path, "/proc/self", 10) || (*rest && *rest != '/') || !me || !me->tgid)
		return;
	n = snprintf(pid, sizeof(pid), "%d", me->tgid);
	memmove(path + 6 + n, rest, strlen(rest) + 1);
	memcpy(path + 6, pid, n);
}

static bool registered_status(int pid)
{
	char status[32];

	snprintf(status, sizeof(status), "/proc/%d/status", pid);
	return pseudofs_lookup(status);
}

static int proc_pid_list(const char *dir, pseudofs_list_fn fn, void *arg)
{
	struct task_struct *t;
	const char *rest;
	char name[12];
	int pid, n = 0;

	/* An 'as create' address space with the same number is listed already. */
	if (!strcmp(dir, "/proc")) {
		/* A process may exit and be freed under a preempted walk. */
		unsigned long flags = local_irq_save();

		fn("self", true, arg);
		for_each_process(t) {
			if (registered_status(t->tgid))
				continue;
			snprintf(name, sizeof(name), "%d", t->tgid);
			fn(name, true, arg);
			n++;
		}
		local_irq_restore(flags);
		return n + 1;
	}
	if (parse_pid_path(dir, &pid, &rest) || *rest || registered_status(pid))
		return 0;
	fn("status", false, arg);
	fn("maps", false, arg);
	return 2;
}

void proc_pid_init(void)
{
	pseudofs_add_resolver(proc_pid_resolve, proc_pid_list);
}
