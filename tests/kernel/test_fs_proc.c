// SPDX-License-Identifier: MIT
/*
 * fs, continued: /proc files through the file system calls: the global
 * ones, sysctl writes, /proc/<pid>/status, maps and fd of a task made
 * here, and a /proc file outliving the object it shows.
 */
#include "tests/kernel/ktest_fs.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "kernel/task.h"
#include "kernel/traps.h"
#include "kernel/uaccess.h"
#include "fs/proc_pid.h"
#include "mm/mmap.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

KTEST(fs, proc_files)
{
	struct fs_env env;
	char buf[64];
	long fd = 3;

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	ASSERT_EQ(test, fs_uopen("/proc/meminfo", O_RDONLY), fd);
	EXPECT_EQ(test, fs_uread(fd, buf, 9), 9);
	EXPECT_STREQ(test, buf, "MemTotal:");
	EXPECT_EQ(test, sys_lseek(fd, 3, SEEK_SET), 3);
	EXPECT_EQ(test, fs_uread(fd, buf, 6), 6);
	EXPECT_STREQ(test, buf, "Total:");
	EXPECT_EQ(test, sys_close(fd), 0);
	/* The same file reached through '.', '..' and '//'. */
	fd = fs_uopen("/proc/../proc/.//meminfo", O_RDONLY);
	EXPECT_EQ(test, fs_uread(fd, buf, 9), 9);
	EXPECT_STREQ(test, buf, "MemTotal:");
	EXPECT_EQ(test, sys_close(fd), 0);
	fd = sys_openat(AT_FDCWD, fs_ustr(0, "proc/meminfo"), O_RDONLY, 0);
	EXPECT_EQ(test, fs_uread(fd, buf, 9), 9);
	EXPECT_STREQ(test, buf, "MemTotal:");
	EXPECT_EQ(test, sys_close(fd), 0);
	/* A trailing '/' asks for a directory. */
	EXPECT_EQ(test, fs_uopen("/proc/sys/vm/pt_reclaim/", O_RDONLY), -ENOTDIR);
	EXPECT_EQ(test, fs_uopen("/proc/meminfo", O_WRONLY), -EACCES);
	EXPECT_EQ(test, fs_uopen("/proc/meminfo", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	EXPECT_EQ(test, fs_uopen("/proc/nothing", O_RDONLY), -ENOENT);
	EXPECT_EQ(test, fs_uopen("/proc/nothing", O_WRONLY | O_CREAT), -EACCES);
	EXPECT_EQ(test, fs_uopen("/sys/kernel/mm/hugepages", O_WRONLY), -EISDIR);
	fd = fs_uopen("/sys/kernel/mm/hugepages", O_RDONLY | O_DIRECTORY);
	EXPECT_EQ(test, fd, 3);
	EXPECT_EQ(test, fs_uread(fd, buf, 8), -EISDIR);
	fs_env_teardown(&env);
}


KTEST(fs, proc_sysctl_write)
{
	struct fs_env env;
	unsigned long before, after;
	char buf[32], val[32];
	long fd;

	if (huge_page_size(default_hstate) != SZ_2M) {
		ktest_skip(test, "needs 2 MiB default huge pages (default_hugepagesz=1G given)");
		return;
	}
	ASSERT_TRUE(test, fs_env_setup(test, &env));
	fd = fs_uopen("/proc/sys/vm/nr_hugepages", O_RDWR);
	ASSERT_EQ(test, fd, 3);
	ASSERT_GT(test, fs_uread(fd, buf, sizeof(buf) - 1), 0);
	ASSERT_EQ(test, kstrtoul(buf, 10, &before), 0);
	/* A bad value is refused and changes nothing. */
	EXPECT_EQ(test, fs_uwrite(fd, "abc\n"), -EINVAL);
	EXPECT_EQ(test, fs_uwrite(fd, "-1"), -EINVAL);
	snprintf(val, sizeof(val), "%lu\n", before + 1);
	EXPECT_EQ(test, fs_uwrite(fd, val), (long)strlen(val));
	/* A seek back to 0 reads a fresh copy, as seq_file does. */
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_SET), 0);
	ASSERT_GT(test, fs_uread(fd, buf, sizeof(buf) - 1), 0);
	EXPECT_EQ(test, kstrtoul(buf, 10, &after), 0);
	EXPECT_EQ(test, after, before + 1);
	snprintf(val, sizeof(val), "%lu", before);
	EXPECT_EQ(test, fs_uwrite(fd, val), (long)strlen(val));
	EXPECT_EQ(test, default_hstate->nr_huge_pages, before);
	fs_env_teardown(&env);
}


/*
 * /proc/<pid>: a task of the test's own (never run, so never scheduled)
 * with the test's mm. VMAs: 4 pages rw at UBASE (the env's), 2 pages
 * r-x at UBASE + 1 MiB, and 8 pages mapped then unmapped (VmPeak).
 */
static struct task_struct proc_task;

static void proc_task_init(struct fs_env *env, int pid)
{
	memset(&proc_task, 0, sizeof(proc_task));
	proc_task.pid = proc_task.tgid = pid;
	strlcpy(proc_task.comm, "ktest_proc", sizeof(proc_task.comm));
	proc_task.state = TASK_INTERRUPTIBLE;
	proc_task.mm = env->mm;
	proc_task.files = env->files;
	proc_task.group_leader = &proc_task;
	INIT_LIST_HEAD(&proc_task.thread_group);
	list_add_tail(&proc_task.thread_node, &proc_task.thread_group);
}

/* The line of text that starts with prefix, without its '\n' (in line). */
static const char *find_line(const char *text, const char *prefix, char *line, size_t size)
{
	const char *p = text;
	size_t n;

	while ((p = strstr(p, prefix)) && p != text && p[-1] != '\n')
		p++;
	if (!p)
		return "(missing)";
	n = min(strcspn(p, "\n"), size - 1);
	memcpy(line, p, n);
	line[n] = '\0';
	return line;
}

#define EXPECT_LINE(test, text, prefix, want) do {			\
	char __l[128];							\
	EXPECT_STREQ(test, find_line(text, prefix, __l, sizeof(__l)), want); \
} while (0)

static char proc_text[2048];

static const char *show(void (*fn)(struct seq_buf *m, struct task_struct *t))
{
	struct seq_buf m;

	seq_buf_init(&m, proc_text, sizeof(proc_text) - 1);
	fn(&m, &proc_task);
	proc_text[m.len] = '\0';
	return proc_text;
}

KTEST(fs, proc_pid_status)
{
	struct fs_env env;
	const char *t;

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	proc_task_init(&env, 4242);
	ASSERT_EQ(test, do_mmap(env.mm, UBASE + 0x100000, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)(UBASE + 0x100000));
	ASSERT_EQ(test, do_mmap(env.mm, UBASE + SZ_2M, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)(UBASE + SZ_2M));
	ASSERT_EQ(test, do_munmap(env.mm, UBASE + SZ_2M, 8 * PAGE_SIZE), 0);
	/* One page touched: a PUD, a PMD and a PTE table below the PGD. */
	ASSERT_EQ(test, put_user_u64(1, (u64 __user *)UBASE), 0);
	t = show(proc_pid_show_status);
	EXPECT_LINE(test, t, "Name:", "Name:\tktest_proc");
	EXPECT_LINE(test, t, "State:", "State:\tS (sleeping)");
	EXPECT_LINE(test, t, "Tgid:", "Tgid:\t4242");
	EXPECT_LINE(test, t, "Pid:", "Pid:\t4242");
	EXPECT_LINE(test, t, "PPid:", "PPid:\t1");	/* no parent: started by kshell */
	EXPECT_LINE(test, t, "VmPeak:", "VmPeak:\t      56 kB");	/* 4 + 2 + 8 pages */
	EXPECT_LINE(test, t, "VmSize:", "VmSize:\t      24 kB");
	EXPECT_LINE(test, t, "VmRSS:", "VmRSS:\t       4 kB");
	EXPECT_LINE(test, t, "RssAnon:", "RssAnon:\t       4 kB");
	EXPECT_LINE(test, t, "RssFile:", "RssFile:\t       0 kB");
	EXPECT_LINE(test, t, "RssShmem:", "RssShmem:\t       0 kB");
	EXPECT_LINE(test, t, "VmData:", "VmData:\t      16 kB");
	EXPECT_LINE(test, t, "VmStk:", "VmStk:\t       0 kB");	/* never ran: no stack pointer */
	EXPECT_LINE(test, t, "VmExe:", "VmExe:\t       8 kB");
	EXPECT_LINE(test, t, "VmPTE:", "VmPTE:\t      12 kB");
	EXPECT_LINE(test, t, "Threads:", "Threads:\t1");
	/* A task without memory (a zombie, a kernel thread) has no Vm lines. */
	proc_task.mm = NULL;
	t = show(proc_pid_show_status);
	EXPECT_STREQ(test, find_line(t, "VmSize:", proc_text + 1500, 100), "(missing)");
	EXPECT_LINE(test, t, "Threads:", "Threads:\t1");
	fs_env_teardown(&env);
}

KTEST(fs, proc_pid_maps)
{
	struct fs_env env;

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	proc_task_init(&env, 4243);
	ASSERT_EQ(test, do_mmap(env.mm, UBASE + 0x100000, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)(UBASE + 0x100000));
	EXPECT_STREQ(test, show(proc_pid_show_maps),
		     "100000000000-100000004000 rw-p 00000000 00:00 0 \n"
		     "100000100000-100000102000 r-xp 00000000 00:00 0 \n");
	/* The brk area is named as Linux names it, in column 74. */
	env.mm->start_brk = UBASE;
	env.mm->brk = UBASE + PAGE_SIZE;
	EXPECT_STREQ(test, show(proc_pid_show_maps),
		     "100000000000-100000004000 rw-p 00000000 00:00 0"
		     "                          [heap]\n"
		     "100000100000-100000102000 r-xp 00000000 00:00 0 \n");
	fs_env_teardown(&env);
}

KTEST(fs, proc_pid_files)
{
	struct fs_env env;
	struct pseudo_file pf;
	char buf[64];
	long fd;

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	proc_task_init(&env, 4244);
	/*
	 * Visible to find_task_by_pid() while it is on the process list
	 * (guarded by the big kernel lock, which this task holds; not by
	 * interrupts off, under which the reads below could not fault in
	 * their buffers).
	 */
	list_add_tail(&proc_task.tasks, &process_list);
	EXPECT_EQ(test, pseudofs_resolve("/proc/4244", &pf), -EISDIR);
	EXPECT_EQ(test, pseudofs_resolve("/proc/4244/status", &pf), 0);
	EXPECT_EQ(test, pseudofs_resolve("/proc/4244/nothing", &pf), -ENOENT);
	EXPECT_EQ(test, pseudofs_resolve("/proc/04244/status", &pf), -ENOENT);
	EXPECT_EQ(test, pseudofs_resolve("/proc/4245/status", &pf), -ENOENT);
	fd = fs_uopen("/proc/4244/status", O_RDONLY);
	EXPECT_EQ(test, fd, 3);
	EXPECT_EQ(test, fs_uread(fd, buf, 16), 16);
	EXPECT_STREQ(test, buf, "Name:\tktest_proc");
	EXPECT_EQ(test, fs_uopen("/proc/4244/maps", O_RDONLY), 4);
	EXPECT_EQ(test, fs_uopen("/proc/4244", O_RDONLY | O_DIRECTORY), 5);
	list_del(&proc_task.tasks);
	/* The process is gone: its open file reads -ESRCH, nothing freed is read. */
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(test, fs_uread(fd, buf, 16), -ESRCH);
	EXPECT_EQ(test, fs_uopen("/proc/4244/status", O_RDONLY), -ENOENT);
	fs_env_teardown(&env);
}


KTEST(fs, proc_file_outlives_its_object)
{
	struct fs_env env;
	struct mm *gone;
	char path[32], buf[32];
	long fd;

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	gone = mm_create("ktest_gone");
	ASSERT_NOT_NULL(test, gone);
	snprintf(path, sizeof(path), "/proc/%u/status", gone->id);
	fd = fs_uopen(path, O_RDONLY);
	EXPECT_EQ(test, fd, 3);
	EXPECT_EQ(test, fs_uread(fd, buf, 15), 15);
	EXPECT_STREQ(test, buf, "Name:\tktest_gon");
	/* The address space goes: a fresh read finds no file, not freed memory. */
	mm_destroy(gone);
	switch_mm(env.mm);
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(test, fs_uread(fd, buf, 15), -ENOENT);
	fs_env_teardown(&env);
}

KTEST(fs, getdents64_mount_points_and_pids)
{
	struct fs_env env;
	char names[256];

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	ASSERT_EQ(test, fs_uopen("/", O_RDONLY), 3);
	EXPECT_GT(test, fs_list_dir(3, 1024, names, sizeof(names)), 0);
	/* The root lists its own entries, ktest_fs last, then the mount points. */
	EXPECT_NOT_NULL(test, strstr(names, " ktest_fs proc sys"));
	proc_task_init(&env, 4246);
	/* Under the big kernel lock, as in proc_pid_files. */
	list_add_tail(&proc_task.tasks, &process_list);
	EXPECT_EQ(test, fs_uopen("/proc/4246", O_RDONLY), 4);
	EXPECT_GT(test, fs_list_dir(4, 1024, names, sizeof(names)), 0);
	EXPECT_STREQ(test, names, ". .. status maps pagemap");
	EXPECT_EQ(test, fs_uopen("/proc", O_RDONLY), 5);
	EXPECT_GT(test, fs_list_dir(5, 1024, names, sizeof(names)), 0);
	list_del(&proc_task.tasks);
	EXPECT_NOT_NULL(test, strstr(names, " self "));
	EXPECT_NOT_NULL(test, strstr(names, " 4246"));
	EXPECT_NOT_NULL(test, strstr(names, "meminfo"));
	fs_env_teardown(&env);
}
