// SPDX-License-Identifier: MIT
/*
 * fs: the ramfs tree and its lookups, newc unpacking (and the refusal of
 * bad archives), file descriptors and the file system calls, /proc/<pid>
 * files and the small system calls. Archives are written here, by a
 * newc writer independent of the parser, into static buffers; the
 * nodes they create live under /ktest_fs and are removed by each case.
 */
#include "tests/kernel/ktest.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "fs/initramfs.h"
#include "fs/ramfs.h"
#include "kernel/console.h"
#include "kernel/printk.h"
#include "kernel/rtc.h"
#include "kernel/pseudofs.h"
#include "kernel/task.h"
#include "kernel/traps.h"
#include "kernel/uaccess.h"
#include "fs/proc_pid.h"
#include "mm/fail_page_alloc.h"
#include "mm/hugetlb.h"
#include "mm/mmap.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "tests/kernel/ktest_mm.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define ARCHIVE_MAX	8192

static char archive[ARCHIVE_MAX];
static char why[160];

/* Append one newc entry (header, name, data, NUL padding); returns the new end. */
static size_t put_entry(size_t off, const char *name, unsigned int mode,
			const char *data, size_t size)
{
	size_t namesize = strlen(name) + 1;

	off += snprintf(archive + off, ARCHIVE_MAX - off,
			"070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
			7u, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u, namesize, 0u);
	memcpy(archive + off, name, namesize);
	off += namesize;
	while (off % 4)
		archive[off++] = '\0';
	memcpy(archive + off, data, size);
	off += size;
	while (off % 4)
		archive[off++] = '\0';
	return off;
}

static size_t put_trailer(size_t off)
{
	return put_entry(off, "TRAILER!!!", 0, "", 0);
}

/* A good archive: ./ktest_fs/, ktest_fs/dir/, ktest_fs/dir/hello ("hi\n"). */
/* Each case starts without /ktest_fs, whatever an earlier failure left. */
static void start_archive(void)
{
	ramfs_remove("/ktest_fs");
	memset(archive, 0, sizeof(archive));
}

static size_t good_archive(void)
{
	size_t off;

	start_archive();
	off = put_entry(0, ".", S_IFDIR | 0755, "", 0);
	off = put_entry(off, "./ktest_fs", S_IFDIR | 0755, "", 0);
	off = put_entry(off, "ktest_fs/dir", S_IFDIR | 0700, "", 0);
	off = put_entry(off, "ktest_fs/dir/hello", S_IFREG | 0644, "hi\n", 3);
	return put_trailer(off);
}

static int lookup_err(const char *path)
{
	struct ramfs_inode *ino;

	return ramfs_lookup(path, &ino);
}

KTEST(fs, unpack_good_archive)
{
	size_t len = good_archive();
	struct ramfs_inode *ino;
	const void *data;
	size_t size;

	ASSERT_EQ(test, unpack_to_rootfs(archive, len, why, sizeof(why)), 0);
	ASSERT_EQ(test, ramfs_lookup("/ktest_fs/dir", &ino), 0);
	EXPECT_EQ(test, ino->mode, S_IFDIR | 0700);
	ASSERT_EQ(test, ramfs_read_file("/ktest_fs/dir/hello", &data, &size), 0);
	EXPECT_EQ(test, size, 3);
	EXPECT_MEMEQ(test, data, "hi\n", 3);
	/* In place: the data points into the archive, not into a copy. */
	EXPECT_TRUE(test, (const char *)data > archive && (const char *)data < archive + len);
	EXPECT_EQ(test, ramfs_remove("/ktest_fs"), 0);
	EXPECT_EQ(test, lookup_err("/ktest_fs"), -ENOENT);
}

KTEST(fs, lookup_dots_and_slashes)
{
	struct ramfs_inode *a, *b;

	ASSERT_EQ(test, unpack_to_rootfs(archive, good_archive(), why, sizeof(why)), 0);
	ASSERT_EQ(test, ramfs_lookup("/ktest_fs/dir/hello", &a), 0);
	EXPECT_EQ(test, ramfs_lookup("//ktest_fs///dir/./hello", &b), 0);
	EXPECT_TRUE(test, a == b);
	EXPECT_EQ(test, ramfs_lookup("/ktest_fs/dir/../dir/hello", &b), 0);
	EXPECT_TRUE(test, a == b);
	/* ".." at the root stays at the root, as in Linux. */
	EXPECT_EQ(test, ramfs_lookup("/../../ktest_fs/dir/hello", &b), 0);
	EXPECT_TRUE(test, a == b);
	EXPECT_EQ(test, ramfs_lookup("/..", &b), 0);
	EXPECT_TRUE(test, b == ramfs_root());
	EXPECT_EQ(test, lookup_err("/ktest_fs/dir/hello/"), -ENOTDIR);
	EXPECT_EQ(test, lookup_err("/ktest_fs/dir/hello/x"), -ENOTDIR);
	EXPECT_EQ(test, lookup_err("/ktest_fs/dir/nothing"), -ENOENT);
	EXPECT_EQ(test, lookup_err("/ktest_fs/nothing/hello"), -ENOENT);
	EXPECT_EQ(test, ramfs_read_file("/ktest_fs/dir", NULL, NULL), -EISDIR);
	EXPECT_EQ(test, ramfs_remove("/ktest_fs"), 0);
}

KTEST(fs, lookup_name_too_long)
{
	char path[300] = "/";

	memset(path + 1, 'a', 256);
	EXPECT_EQ(test, lookup_err(path), -ENAMETOOLONG);
	path[256] = '\0';		/* 255 characters: a legal name, not there */
	EXPECT_EQ(test, lookup_err(path), -ENOENT);
}

/* The archive must be refused with this message and create nothing. */
static void expect_refused(struct kunit *test, size_t len, const char *msg)
{
	EXPECT_EQ(test, unpack_to_rootfs(archive, len, why, sizeof(why)), -EINVAL);
	EXPECT_STREQ(test, why, msg);
	EXPECT_EQ(test, lookup_err("/ktest_fs"), -ENOENT);
}

/*
 * good_archive()'s layout, worked out by hand (header 110 bytes, name and
 * data padded to 4):
 *   0   "."                   name 110..111, next 112
 *   112 "./ktest_fs"          name 222..232, next 236
 *   236 "ktest_fs/dir"        name 346..358, next 360
 *   360 "ktest_fs/dir/hello"  name 470..488, padding 489..491, data 492..494, next 496
 *   496 "TRAILER!!!"          end 620
 * A header's c_filesize is at +54, c_namesize at +94.
 */
KTEST(fs, refuse_truncated)
{
	EXPECT_EQ(test, good_archive(), 620);
	expect_refused(test, 536, "offset 496: truncated header (40 of 110 bytes)");
	expect_refused(test, 494, "offset 360: c_filesize 3 runs past the end of the archive");
	expect_refused(test, 496, "offset 496: archive ends without a TRAILER!!! entry");
	expect_refused(test, 480, "offset 360: name of 19 bytes runs past the end of the archive");
}

KTEST(fs, refuse_bad_magic)
{
	size_t len = good_archive();

	archive[112 + 5] = '7';		/* 070707 is the old odc format */
	expect_refused(test, len, "offset 112: bad magic \"070707\" (newc is 070701 or 070702)");
}

KTEST(fs, refuse_bad_hex)
{
	size_t len = good_archive();

	archive[112 + 54 + 3] = 'g';
	expect_refused(test, len, "offset 169: bad hex digit 0x67 in c_filesize");
	len = good_archive();
	archive[112 + 54] = ' ';
	expect_refused(test, len, "offset 166: bad hex digit 0x20 in c_filesize");
}

KTEST(fs, refuse_name_overflow)
{
	size_t len = good_archive();

	memcpy(archive + 360 + 94, "00001000", 8);
	expect_refused(test, len,
		       "offset 360: name of 4096 bytes runs past the end of the archive");
	len = good_archive();
	memcpy(archive + 360 + 94, "00001001", 8);
	expect_refused(test, len, "offset 360: c_namesize 4097 out of range (1..4096)");
	len = good_archive();
	memcpy(archive + 360 + 94, "00000000", 8);
	expect_refused(test, len, "offset 360: c_namesize 0 out of range (1..4096)");
	/* One short: the byte where the NUL should be is 'o'. */
	len = good_archive();
	memcpy(archive + 360 + 94, "00000012", 8);
	expect_refused(test, len,
		       "offset 470: name is not one NUL-terminated string of c_namesize bytes");
}

KTEST(fs, refuse_bad_padding)
{
	size_t len = good_archive();

	archive[490] = 'x';
	expect_refused(test, len, "offset 490: non-NUL byte in the name padding");
	len = good_archive();
	archive[495] = 'x';
	expect_refused(test, len, "offset 495: non-NUL byte in the data padding");
}

KTEST(fs, unpack_is_all_or_nothing)
{
	size_t off;

	/* The second file's parent does not exist: the first must go too. */
	start_archive();
	off = put_entry(0, "ktest_fs", S_IFDIR | 0755, "", 0);
	off = put_entry(off, "ktest_fs/a", S_IFREG | 0644, "a", 1);
	off = put_entry(off, "ktest_fs/missing/b", S_IFREG | 0644, "b", 1);
	off = put_trailer(off);
	EXPECT_EQ(test, unpack_to_rootfs(archive, off, why, sizeof(why)), -ENOENT);
	/* "ktest_fs" ends at 120, "ktest_fs/a" (name 230..240, data 244) at 248. */
	EXPECT_STREQ(test, why, "offset 248: ktest_fs/missing/b: No such file or directory");
	EXPECT_EQ(test, lookup_err("/ktest_fs"), -ENOENT);
}

KTEST(fs, concatenated_archives)
{
	size_t off = good_archive();
	struct ramfs_inode *ino;

	/* NUL padding, then a second archive adding a file. */
	off += 16;
	off = put_entry(off, "ktest_fs/second", S_IFREG | 0600, "2", 1);
	off = put_trailer(off);
	ASSERT_EQ(test, unpack_to_rootfs(archive, off, why, sizeof(why)), 0);
	EXPECT_EQ(test, ramfs_lookup("/ktest_fs/second", &ino), 0);
	EXPECT_EQ(test, ramfs_lookup("/ktest_fs/dir/hello", &ino), 0);
	EXPECT_EQ(test, ramfs_remove("/ktest_fs"), 0);
}

/*
 * The system calls, called as the system-call table would, on a private
 * fd table (0, 1, 2 on the console) with user memory at UBASE in a
 * private address space.
 */
#define UBASE		0x100000000000UL
#define UPAGES		4
#define KADDR		0xffff888000000000UL	/* the direct map: not user memory */

struct fs_env {
	struct mm *mm;
	struct files_struct *files, *saved;
};

static bool env_setup(struct kunit *test, struct fs_env *env)
{
	env->mm = mm_create("ktest_fs");
	env->files = files_alloc_console();
	if (!env->mm || !env->files) {
		ktest_fail(test, __FILE__, __LINE__, "no memory for the test's mm and files");
		if (env->mm)
			mm_destroy(env->mm);
		files_put(env->files);
		return false;
	}
	switch_mm(env->mm);
	if (do_mmap(env->mm, UBASE, UPAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) != (long)UBASE) {
		ktest_fail(test, __FILE__, __LINE__, "cannot map the test's user buffer");
		mm_destroy(env->mm);
		files_put(env->files);
		return false;
	}
	env->saved = files_swap_current(env->files);
	return true;
}

/* good_archive() unpacked, and the environment. */
static bool env_setup_with_archive(struct kunit *test, struct fs_env *env)
{
	if (unpack_to_rootfs(archive, good_archive(), why, sizeof(why))) {
		ktest_fail(test, __FILE__, __LINE__, "good_archive() refused: %s", why);
		return false;
	}
	return env_setup(test, env);
}

static void env_teardown(struct fs_env *env)
{
	files_swap_current(env->saved);
	files_put(env->files);
	mm_destroy(env->mm);
	ramfs_remove("/ktest_fs");
}

/* Put a string in user memory at UBASE + off; returns its user address. */
static unsigned long ustr(unsigned long off, const char *s)
{
	unsigned long u = UBASE + off;

	if (copy_to_user((void __user *)u, s, strlen(s) + 1))
		return 0;
	return u;
}

static long uopen(const char *path, unsigned long flags)
{
	return sys_open(ustr(0, path), flags, 0);
}

/* Read up to n bytes from fd into UBASE + 2048 and back into out (NUL-terminated). */
static long uread(unsigned long fd, char *out, size_t n)
{
	long ret = sys_read(fd, UBASE + 2048, n);

	out[0] = '\0';
	if (ret > 0 && !copy_from_user(out, (const void __user *)(UBASE + 2048), ret))
		out[ret] = '\0';
	return ret;
}

KTEST(fs, open_read_seek_close)
{
	struct fs_env env;
	char buf[64];
	long fd;

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	fd = uopen("/ktest_fs/dir/hello", O_RDONLY);
	EXPECT_EQ(test, fd, 3);		/* 0, 1, 2 are the console */
	EXPECT_EQ(test, uread(fd, buf, 2), 2);
	EXPECT_STREQ(test, buf, "hi");
	EXPECT_EQ(test, uread(fd, buf, 10), 1);
	EXPECT_STREQ(test, buf, "\n");
	EXPECT_EQ(test, uread(fd, buf, 10), 0);
	EXPECT_EQ(test, sys_lseek(fd, 1, SEEK_SET), 1);
	EXPECT_EQ(test, uread(fd, buf, 10), 2);
	EXPECT_STREQ(test, buf, "i\n");
	EXPECT_EQ(test, sys_lseek(fd, -1, SEEK_END), 2);
	EXPECT_EQ(test, sys_lseek(fd, -1, SEEK_CUR), 1);
	EXPECT_EQ(test, sys_lseek(fd, 10, SEEK_END), 13);	/* past the end is allowed */
	EXPECT_EQ(test, uread(fd, buf, 10), 0);
	EXPECT_EQ(test, sys_lseek(fd, -1, SEEK_SET), -EINVAL);
	EXPECT_EQ(test, sys_lseek(fd, 0, 3), -EINVAL);
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_CUR), 13);	/* the failures moved nothing */
	EXPECT_EQ(test, sys_lseek(1, 0, SEEK_SET), -ESPIPE);
	EXPECT_EQ(test, sys_close(fd), 0);
	EXPECT_EQ(test, sys_close(fd), -EBADF);
	EXPECT_EQ(test, uread(fd, buf, 10), -EBADF);
	env_teardown(&env);
}

KTEST(fs, open_errors)
{
	struct fs_env env;
	char *longname;

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	EXPECT_EQ(test, uopen("/ktest_fs/nothing", O_RDONLY), -ENOENT);
	EXPECT_EQ(test, uopen("", O_RDONLY), -ENOENT);
	EXPECT_EQ(test, uopen("/ktest_fs/dir/hello/x", O_RDONLY), -ENOTDIR);
	EXPECT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	EXPECT_EQ(test, uopen("/ktest_fs/dir", O_WRONLY), -EISDIR);
	EXPECT_EQ(test, uopen("/ktest_fs/dir/hello", O_WRONLY), -EROFS);
	EXPECT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDWR), -EROFS);
	EXPECT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY | O_TRUNC), -EROFS);
	EXPECT_EQ(test, uopen("/ktest_fs/new", O_WRONLY | O_CREAT), -EROFS);
	EXPECT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
	EXPECT_EQ(test, sys_open(0, O_RDONLY, 0), -EFAULT);
	EXPECT_EQ(test, sys_open(KADDR, O_RDONLY, 0), -EFAULT);
	EXPECT_EQ(test, sys_open(UBASE + UPAGES * PAGE_SIZE, O_RDONLY, 0), -EFAULT);
	/* 4096 bytes with no NUL: longer than PATH_MAX allows. */
	longname = kmalloc(PATH_MAX, GFP_KERNEL);
	ASSERT_NOT_NULL(test, longname);
	memset(longname, 'a', PATH_MAX);
	EXPECT_UEQ(test, copy_to_user((void __user *)UBASE, longname, PATH_MAX), 0);
	EXPECT_EQ(test, sys_open(UBASE, O_RDONLY, 0), -ENAMETOOLONG);
	kfree(longname);
	/* Nothing was left open: the next fd is still 3. */
	EXPECT_EQ(test, uopen("/ktest_fs/dir", O_RDONLY | O_DIRECTORY), 3);
	env_teardown(&env);
}

KTEST(fs, fd_errors)
{
	struct fs_env env;
	char buf[8];
	long fd;

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	EXPECT_EQ(test, sys_read(99, UBASE, 1), -EBADF);
	EXPECT_EQ(test, sys_read(-1UL, UBASE, 1), -EBADF);
	EXPECT_EQ(test, sys_write(5, UBASE, 1), -EBADF);
	EXPECT_EQ(test, sys_lseek(5, 0, SEEK_SET), -EBADF);
	EXPECT_EQ(test, sys_fstat(NR_OPEN_MAX, UBASE), -EBADF);
	EXPECT_EQ(test, sys_close(1UL << 32), -EBADF);
	EXPECT_EQ(test, sys_ioctl(7, 0x5413, UBASE), -EBADF);
	EXPECT_EQ(test, sys_ioctl(1, 0x5413, UBASE), -ENOTTY);	/* TIOCGWINSZ */
	fd = uopen("/ktest_fs/dir/hello", O_RDONLY);
	ASSERT_EQ(test, fd, 3);
	EXPECT_EQ(test, sys_write(fd, UBASE, 1), -EBADF);	/* opened read-only */
	EXPECT_EQ(test, sys_read(1, UBASE, 1), -EBADF);		/* stdout is write-only */
	/* A buffer outside user memory: -EFAULT, and the position stays. */
	EXPECT_EQ(test, sys_read(fd, KADDR, 3), -EFAULT);
	EXPECT_EQ(test, sys_read(fd, UBASE + UPAGES * PAGE_SIZE, 3), -EFAULT);
	EXPECT_EQ(test, sys_read(fd, UBASE + UPAGES * PAGE_SIZE - 1, 3), 1);
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_CUR), 1);
	EXPECT_EQ(test, uread(fd, buf, 8), 2);
	EXPECT_STREQ(test, buf, "i\n");
	fd = uopen("/ktest_fs/dir", O_RDONLY);
	EXPECT_EQ(test, uread(fd, buf, 8), -EISDIR);
	env_teardown(&env);
}

KTEST(fs, emfile)
{
	struct fs_env env;
	int fd;

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	for (fd = 3; fd < NR_OPEN_MAX; fd++)
		ASSERT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY), fd);
	EXPECT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY), -EMFILE);
	/* The lowest free fd is reused. */
	EXPECT_EQ(test, sys_close(10), 0);
	EXPECT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY), 10);
	env_teardown(&env);
}

KTEST(fs, proc_files)
{
	struct fs_env env;
	char buf[64];
	long fd = 3;

	ASSERT_TRUE(test, env_setup(test, &env));
	ASSERT_EQ(test, uopen("/proc/meminfo", O_RDONLY), fd);
	EXPECT_EQ(test, uread(fd, buf, 9), 9);
	EXPECT_STREQ(test, buf, "MemTotal:");
	EXPECT_EQ(test, sys_lseek(fd, 3, SEEK_SET), 3);
	EXPECT_EQ(test, uread(fd, buf, 6), 6);
	EXPECT_STREQ(test, buf, "Total:");
	EXPECT_EQ(test, sys_close(fd), 0);
	/* The same file reached through '.', '..' and '//'. */
	fd = uopen("/proc/../proc/.//meminfo", O_RDONLY);
	EXPECT_EQ(test, uread(fd, buf, 9), 9);
	EXPECT_STREQ(test, buf, "MemTotal:");
	EXPECT_EQ(test, sys_close(fd), 0);
	fd = sys_openat(AT_FDCWD, ustr(0, "proc/meminfo"), O_RDONLY, 0);
	EXPECT_EQ(test, uread(fd, buf, 9), 9);
	EXPECT_STREQ(test, buf, "MemTotal:");
	EXPECT_EQ(test, sys_close(fd), 0);
	/* A trailing '/' asks for a directory. */
	EXPECT_EQ(test, uopen("/proc/sys/vm/pt_reclaim/", O_RDONLY), -ENOTDIR);
	EXPECT_EQ(test, uopen("/proc/meminfo", O_WRONLY), -EACCES);
	EXPECT_EQ(test, uopen("/proc/meminfo", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	EXPECT_EQ(test, uopen("/proc/nothing", O_RDONLY), -ENOENT);
	EXPECT_EQ(test, uopen("/proc/nothing", O_WRONLY | O_CREAT), -EACCES);
	EXPECT_EQ(test, uopen("/sys/kernel/mm/hugepages", O_WRONLY), -EISDIR);
	fd = uopen("/sys/kernel/mm/hugepages", O_RDONLY | O_DIRECTORY);
	EXPECT_EQ(test, fd, 3);
	EXPECT_EQ(test, uread(fd, buf, 8), -EISDIR);
	env_teardown(&env);
}

/* Write s to fd through user memory. */
static long uwrite(unsigned long fd, const char *s)
{
	return sys_write(fd, ustr(3072, s), strlen(s));
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
	ASSERT_TRUE(test, env_setup(test, &env));
	fd = uopen("/proc/sys/vm/nr_hugepages", O_RDWR);
	ASSERT_EQ(test, fd, 3);
	ASSERT_GT(test, uread(fd, buf, sizeof(buf) - 1), 0);
	ASSERT_EQ(test, kstrtoul(buf, 10, &before), 0);
	/* A bad value is refused and changes nothing. */
	EXPECT_EQ(test, uwrite(fd, "abc\n"), -EINVAL);
	EXPECT_EQ(test, uwrite(fd, "-1"), -EINVAL);
	snprintf(val, sizeof(val), "%lu\n", before + 1);
	EXPECT_EQ(test, uwrite(fd, val), (long)strlen(val));
	/* A seek back to 0 reads a fresh copy, as seq_file does. */
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_SET), 0);
	ASSERT_GT(test, uread(fd, buf, sizeof(buf) - 1), 0);
	EXPECT_EQ(test, kstrtoul(buf, 10, &after), 0);
	EXPECT_EQ(test, after, before + 1);
	snprintf(val, sizeof(val), "%lu", before);
	EXPECT_EQ(test, uwrite(fd, val), (long)strlen(val));
	EXPECT_EQ(test, default_hstate->nr_huge_pages, before);
	env_teardown(&env);
}

KTEST(fs, openat_dirfd)
{
	struct fs_env env;
	char buf[8];
	long dfd, fd;

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	dfd = uopen("/ktest_fs", O_RDONLY | O_DIRECTORY);
	ASSERT_EQ(test, dfd, 3);
	fd = sys_openat(dfd, ustr(0, "dir/hello"), O_RDONLY, 0);
	EXPECT_EQ(test, fd, 4);
	EXPECT_EQ(test, uread(fd, buf, 8), 3);
	EXPECT_EQ(test, sys_openat(dfd, ustr(0, "../ktest_fs/dir/./hello"), O_RDONLY, 0), 5);
	/* No working directory yet: AT_FDCWD is "/". */
	EXPECT_EQ(test, sys_openat(AT_FDCWD, ustr(0, "ktest_fs/dir/hello"), O_RDONLY, 0), 6);
	EXPECT_EQ(test, sys_openat(fd, ustr(0, "x"), O_RDONLY, 0), -ENOTDIR);
	EXPECT_EQ(test, sys_openat(1, ustr(0, "x"), O_RDONLY, 0), -ENOTDIR);
	EXPECT_EQ(test, sys_openat(40, ustr(0, "x"), O_RDONLY, 0), -EBADF);
	/* An absolute path ignores dfd, even a bad one. */
	EXPECT_EQ(test, sys_openat(40, ustr(0, "/ktest_fs/dir/hello"), O_RDONLY, 0), 7);
	fd = uopen("/proc/sys", O_RDONLY | O_DIRECTORY);
	EXPECT_EQ(test, fd, 8);
	EXPECT_EQ(test, sys_openat(fd, ustr(0, "vm/pt_reclaim"), O_RDONLY, 0), 9);
	env_teardown(&env);
}

/* Linux's x86_64 struct stat, written here from the ABI, not from fs/stat.c. */
struct stat {
	unsigned long st_dev, st_ino, st_nlink;
	unsigned int st_mode, st_uid, st_gid, pad;
	unsigned long st_rdev;
	long st_size, st_blksize, st_blocks;
	unsigned long times[6];
	long unused[3];
};

/* fstat fd into st through user memory. */
static long ufstat(unsigned long fd, struct stat *st)
{
	long ret = sys_fstat(fd, UBASE + 1024);

	if (!ret && copy_from_user(st, (const void __user *)(UBASE + 1024), sizeof(*st)))
		return -EFAULT;
	return ret;
}

KTEST(fs, fstat_modes)
{
	struct fs_env env;
	struct stat st;

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	ASSERT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY), 3);
	ASSERT_EQ(test, ufstat(3, &st), 0);
	EXPECT_EQ(test, st.st_mode, S_IFREG | 0644);
	EXPECT_EQ(test, st.st_size, 3);
	EXPECT_EQ(test, st.st_blksize, 4096);
	EXPECT_EQ(test, st.st_blocks, 1);
	EXPECT_EQ(test, st.st_nlink, 1);
	ASSERT_EQ(test, uopen("/ktest_fs/dir", O_RDONLY), 4);
	ASSERT_EQ(test, ufstat(4, &st), 0);
	EXPECT_EQ(test, st.st_mode, S_IFDIR | 0700);
	ASSERT_EQ(test, ufstat(1, &st), 0);
	EXPECT_EQ(test, st.st_mode & S_IFMT, S_IFCHR);
	EXPECT_EQ(test, st.st_rdev, 0x501);	/* 5:1, /dev/console */
	ASSERT_EQ(test, uopen("/proc/meminfo", O_RDONLY), 5);
	ASSERT_EQ(test, ufstat(5, &st), 0);
	EXPECT_EQ(test, st.st_mode, S_IFREG | 0444);
	EXPECT_EQ(test, st.st_size, 0);		/* as Linux: generated on read */
	EXPECT_EQ(test, sys_fstat(3, KADDR), -EFAULT);
	EXPECT_EQ(test, sys_fstat(3, 0), -EFAULT);
	env_teardown(&env);
}

KTEST(fs, write_and_writev_to_console)
{
	struct iovec { unsigned long base, len; } iov[3];
	struct printk_capture cap = { .buf = why, .size = sizeof(why) };
	struct fs_env env;
	long ret, ret2;

	ASSERT_TRUE(test, env_setup(test, &env));
	iov[0] = (struct iovec){ ustr(0, "hello, "), 7 };
	iov[1] = (struct iovec){ ustr(16, ""), 0 };
	iov[2] = (struct iovec){ ustr(32, "world\n"), 6 };
	EXPECT_UEQ(test, copy_to_user((void __user *)(UBASE + 256), iov, sizeof(iov)), 0);
	printk_capture_begin(&cap);
	ret = sys_writev(1, UBASE + 256, 3);
	ret2 = sys_write(2, ustr(64, "err\n"), 4);
	printk_capture_end(&cap);
	EXPECT_EQ(test, ret, 13);
	EXPECT_EQ(test, ret2, 4);
	EXPECT_STREQ(test, why, "hello, world\nerr\n");
	EXPECT_EQ(test, sys_writev(1, UBASE + 256, 1025), -EINVAL);	/* > IOV_MAX */
	EXPECT_EQ(test, sys_writev(1, KADDR, 1), -EFAULT);
	EXPECT_EQ(test, sys_writev(1, UBASE + 256, 0), 0);
	/* A bad iov_base fails the whole call before anything is written. */
	iov[1] = (struct iovec){ KADDR, 1 };
	EXPECT_UEQ(test, copy_to_user((void __user *)(UBASE + 256), iov, sizeof(iov)), 0);
	why[0] = '\0';
	cap = (struct printk_capture){ .buf = why, .size = sizeof(why) };
	printk_capture_begin(&cap);
	ret = sys_writev(1, UBASE + 256, 3);
	printk_capture_end(&cap);
	EXPECT_EQ(test, ret, -EFAULT);
	EXPECT_STREQ(test, why, "");
	EXPECT_EQ(test, sys_write(1, 0, 1), -EFAULT);
	env_teardown(&env);
}

static void push_input(const char *s)
{
	while (*s)
		console_push_input(*s++);
}

KTEST(fs, console_read_line)
{
	struct fs_env env;
	char buf[32];

	ASSERT_TRUE(test, env_setup(test, &env));
	/* Backspace edits the line; Enter ends it with '\n'. */
	push_input("ab\bc d\r");
	EXPECT_EQ(test, uread(0, buf, sizeof(buf) - 1), 5);
	EXPECT_STREQ(test, buf, "ac d\n");
	/* A short read leaves the rest of the line for the next one. */
	push_input("xyz\n");
	EXPECT_EQ(test, uread(0, buf, 2), 2);
	EXPECT_STREQ(test, buf, "xy");
	EXPECT_EQ(test, uread(0, buf, sizeof(buf) - 1), 2);
	EXPECT_STREQ(test, buf, "z\n");
	/* Ctrl-D on an empty line is end of file; Ctrl-C abandons the line. */
	push_input("\x04");
	EXPECT_EQ(test, uread(0, buf, sizeof(buf) - 1), 0);
	push_input("oops\x03");
	EXPECT_EQ(test, uread(0, buf, sizeof(buf) - 1), -EINTR);
	/* What was typed before the Ctrl-C is gone, as with a tty. */
	push_input("ab\x03" "ok\r");
	EXPECT_EQ(test, console_poll_input(), 1);
	EXPECT_EQ(test, uread(0, buf, sizeof(buf) - 1), 3);
	EXPECT_STREQ(test, buf, "ok\n");
	env_teardown(&env);
}

KTEST(fs, fork_shares_files_and_cloexec)
{
	struct files_struct *child;
	struct fs_env env;
	char buf[8];

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	ASSERT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY), 3);
	ASSERT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY | O_CLOEXEC), 4);
	child = files_dup(env.files);
	ASSERT_NOT_NULL(test, child);
	EXPECT_TRUE(test, fget_raw(child, 3) == fget_raw(env.files, 3));
	EXPECT_EQ(test, fget_raw(child, 3)->f_count, 2);
	/* One open file, one position: the child's read moves the parent's. */
	files_swap_current(child);
	EXPECT_EQ(test, uread(3, buf, 2), 2);
	files_swap_current(env.files);
	EXPECT_EQ(test, uread(3, buf, 8), 1);
	EXPECT_STREQ(test, buf, "\n");
	/* exec closes only the O_CLOEXEC fd. */
	do_close_on_exec(child);
	EXPECT_NULL(test, fget_raw(child, 4));
	EXPECT_NOT_NULL(test, fget_raw(child, 3));
	EXPECT_NOT_NULL(test, fget_raw(env.files, 4));
	files_put(child);
	EXPECT_EQ(test, fget_raw(env.files, 3)->f_count, 1);
	env_teardown(&env);
}

KTEST(fs, uname)
{
	struct { char f[6][65]; } u;
	struct fs_env env;

	ASSERT_TRUE(test, env_setup(test, &env));
	ASSERT_EQ(test, sys_uname(UBASE), 0);
	ASSERT_UEQ(test, copy_from_user(&u, (const void __user *)UBASE, sizeof(u)), 0);
	EXPECT_STREQ(test, u.f[0], "Linux");
	EXPECT_STREQ(test, u.f[1], "pagefold");
	EXPECT_STREQ(test, u.f[4], "x86_64");
	EXPECT_EQ(test, sys_uname(KADDR), -EFAULT);
	/* The struct is 390 bytes: one byte short of the mapping is -EFAULT. */
	EXPECT_EQ(test, sys_uname(UBASE + UPAGES * PAGE_SIZE - 389), -EFAULT);
	env_teardown(&env);
}

KTEST(fs, getrandom)
{
	struct fs_env env;
	u64 a[4], b[4];

	ASSERT_TRUE(test, env_setup(test, &env));
	EXPECT_EQ(test, sys_getrandom(UBASE, 32, 0), 32);
	EXPECT_EQ(test, sys_getrandom(UBASE + 32, 32, 0x1 | 0x2), 32);	/* NONBLOCK|RANDOM */
	EXPECT_EQ(test, sys_getrandom(UBASE + 64, 5, 0x4), 5);		/* INSECURE */
	EXPECT_EQ(test, sys_getrandom(UBASE, 0, 0), 0);
	ASSERT_UEQ(test, copy_from_user(a, (const void __user *)UBASE, 32), 0);
	ASSERT_UEQ(test, copy_from_user(b, (const void __user *)(UBASE + 32), 32), 0);
	/* 256 bits twice alike, or all zero, would be a broken generator. */
	EXPECT_FALSE(test, !memcmp(a, b, sizeof(a)));
	EXPECT_FALSE(test, !(a[0] | a[1] | a[2] | a[3]));
	EXPECT_EQ(test, sys_getrandom(UBASE, 8, 0x8), -EINVAL);
	EXPECT_EQ(test, sys_getrandom(UBASE, 8, 0x2 | 0x4), -EINVAL);	/* RANDOM|INSECURE */
	EXPECT_EQ(test, sys_getrandom(KADDR, 8, 0), -EFAULT);
	/* A buffer running off the mapping: what fitted is returned. */
	EXPECT_EQ(test, sys_getrandom(UBASE + UPAGES * PAGE_SIZE - 16, 64, 0), 16);
	env_teardown(&env);
}

KTEST(fs, clock_gettime)
{
	struct { long sec, nsec; } t0, t1, rt;
	struct fs_env env;

	ASSERT_TRUE(test, env_setup(test, &env));
	ASSERT_EQ(test, sys_clock_gettime(1, UBASE), 0);		/* MONOTONIC */
	ASSERT_EQ(test, sys_clock_gettime(7, UBASE + 16), 0);	/* BOOTTIME */
	ASSERT_EQ(test, sys_clock_gettime(0, UBASE + 32), 0);	/* REALTIME */
	ASSERT_UEQ(test, copy_from_user(&t0, (const void __user *)UBASE, 16), 0);
	ASSERT_UEQ(test, copy_from_user(&t1, (const void __user *)(UBASE + 16), 16), 0);
	ASSERT_UEQ(test, copy_from_user(&rt, (const void __user *)(UBASE + 32), 16), 0);
	EXPECT_TRUE(test, t0.nsec >= 0 && t0.nsec < 1000000000);
	EXPECT_TRUE(test, t1.sec > t0.sec || (t1.sec == t0.sec && t1.nsec >= t0.nsec));
	/* QEMU's RTC holds the host's date: after 2020-01-01 (1577836800). */
	EXPECT_GT(test, rt.sec, 1577836800);
	EXPECT_EQ(test, sys_clock_gettime(2, UBASE), -EINVAL);	/* PROCESS_CPUTIME */
	EXPECT_EQ(test, sys_clock_gettime(100, UBASE), -EINVAL);
	EXPECT_EQ(test, sys_clock_gettime(-1UL, UBASE), -EINVAL);
	EXPECT_EQ(test, sys_clock_gettime(1, KADDR), -EFAULT);
	env_teardown(&env);
}

KTEST(fs, rtc_mktime)
{
	/* Dates whose Unix times are known (date -u -d ... +%s). */
	EXPECT_UEQ(test, rtc_mktime(1970, 1, 1, 0, 0, 0), 0);
	EXPECT_UEQ(test, rtc_mktime(2000, 2, 29, 12, 0, 0), 951825600);
	EXPECT_UEQ(test, rtc_mktime(2026, 12, 1, 22, 15, 53), 1796163353);
	EXPECT_UEQ(test, rtc_mktime(2038, 1, 19, 3, 14, 8), 2147483648);
}

KTEST(fs, prlimit64_and_ids)
{
	struct { u64 cur, max; } r;
	struct fs_env env;

	ASSERT_TRUE(test, env_setup(test, &env));
	ASSERT_EQ(test, sys_prlimit64(0, 3, 0, UBASE), 0);		/* RLIMIT_STACK */
	ASSERT_UEQ(test, copy_from_user(&r, (const void __user *)UBASE, sizeof(r)), 0);
	EXPECT_UEQ(test, r.cur, 8 << 20);
	EXPECT_UEQ(test, r.max, ~0UL);
	ASSERT_EQ(test, sys_prlimit64(0, 7, 0, UBASE), 0);		/* RLIMIT_NOFILE */
	ASSERT_UEQ(test, copy_from_user(&r, (const void __user *)UBASE, sizeof(r)), 0);
	EXPECT_UEQ(test, r.cur, NR_OPEN_MAX);
	/* Setting what is already there succeeds; anything else is refused. */
	r.cur = 8 << 20;
	r.max = ~0UL;
	ASSERT_UEQ(test, copy_to_user((void __user *)UBASE, &r, sizeof(r)), 0);
	EXPECT_EQ(test, sys_prlimit64(0, 3, UBASE, 0), 0);
	r.cur = 16 << 20;
	ASSERT_UEQ(test, copy_to_user((void __user *)UBASE, &r, sizeof(r)), 0);
	EXPECT_EQ(test, sys_prlimit64(0, 3, UBASE, 0), -EPERM);
	r.max = 1 << 20;
	ASSERT_UEQ(test, copy_to_user((void __user *)UBASE, &r, sizeof(r)), 0);
	EXPECT_EQ(test, sys_prlimit64(0, 3, UBASE, 0), -EINVAL);	/* cur > max */
	EXPECT_EQ(test, sys_prlimit64(0, 16, 0, UBASE), -EINVAL);
	EXPECT_EQ(test, sys_prlimit64(0, 3, KADDR, 0), -EFAULT);
	EXPECT_EQ(test, sys_prlimit64(0, 3, 0, KADDR), -EFAULT);
	EXPECT_EQ(test, sys_prlimit64(99999, 3, 0, UBASE), -ESRCH);
	EXPECT_EQ(test, sys_getuid(), 0);
	EXPECT_EQ(test, sys_geteuid(), 0);
	EXPECT_EQ(test, sys_getgid(), 0);
	EXPECT_EQ(test, sys_getegid(), 0);
	env_teardown(&env);
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

	ASSERT_TRUE(test, env_setup(test, &env));
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
	env_teardown(&env);
}

KTEST(fs, proc_pid_maps)
{
	struct fs_env env;

	ASSERT_TRUE(test, env_setup(test, &env));
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
	env_teardown(&env);
}

KTEST(fs, proc_pid_files)
{
	struct fs_env env;
	struct pseudo_file pf;
	char buf[64];
	long fd;

	ASSERT_TRUE(test, env_setup(test, &env));
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
	fd = uopen("/proc/4244/status", O_RDONLY);
	EXPECT_EQ(test, fd, 3);
	EXPECT_EQ(test, uread(fd, buf, 16), 16);
	EXPECT_STREQ(test, buf, "Name:\tktest_proc");
	EXPECT_EQ(test, uopen("/proc/4244/maps", O_RDONLY), 4);
	EXPECT_EQ(test, uopen("/proc/4244", O_RDONLY | O_DIRECTORY), 5);
	list_del(&proc_task.tasks);
	/* The process is gone: its open file reads -ESRCH, nothing freed is read. */
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(test, uread(fd, buf, 16), -ESRCH);
	EXPECT_EQ(test, uopen("/proc/4244/status", O_RDONLY), -ENOENT);
	env_teardown(&env);
}

KTEST(fs, fcntl_and_dup)
{
	struct fs_env env;
	char buf[8];

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	ASSERT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY | O_CLOEXEC), 3);
	EXPECT_EQ(test, sys_fcntl(3, 1, 0), 1);			/* F_GETFD: FD_CLOEXEC */
	EXPECT_EQ(test, sys_fcntl(3, 2, 0), 0);			/* F_SETFD 0 */
	EXPECT_EQ(test, sys_fcntl(3, 1, 0), 0);
	EXPECT_EQ(test, sys_fcntl(3, 3, 0), O_RDONLY | O_LARGEFILE);	/* F_GETFL */
	EXPECT_EQ(test, sys_fcntl(1, 3, 0), O_WRONLY | O_LARGEFILE);
	EXPECT_EQ(test, sys_fcntl(3, 0, 10), 10);		/* F_DUPFD from 10 */
	EXPECT_EQ(test, sys_fcntl(3, 1030, 0), 4);		/* F_DUPFD_CLOEXEC */
	EXPECT_EQ(test, sys_fcntl(4, 1, 0), 1);
	EXPECT_EQ(test, sys_fcntl(3, 0, NR_OPEN_MAX), -EINVAL);
	EXPECT_EQ(test, sys_fcntl(3, 999, 0), -EINVAL);
	EXPECT_EQ(test, sys_fcntl(9, 1, 0), -EBADF);
	EXPECT_EQ(test, sys_dup(3), 5);
	/* dup2 onto stdin closes it; the copies share one position. */
	EXPECT_EQ(test, sys_dup2(3, 0), 0);
	EXPECT_EQ(test, uread(0, buf, 2), 2);
	EXPECT_EQ(test, uread(10, buf, 8), 1);
	EXPECT_STREQ(test, buf, "\n");
	EXPECT_EQ(test, sys_dup2(3, 3), 3);
	EXPECT_EQ(test, sys_dup2(3, NR_OPEN_MAX), -EBADF);
	EXPECT_EQ(test, sys_dup2(9, 6), -EBADF);
	EXPECT_EQ(test, sys_dup(99), -EBADF);
	env_teardown(&env);
}

KTEST(fs, readv_and_pread)
{
	struct { unsigned long base, len; } iov[2] = {
		{ UBASE + 2048, 1 }, { UBASE + 2100, 8 },
	};
	struct fs_env env;
	char a[2] = "", b[8] = "";

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	ASSERT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY), 3);
	ASSERT_UEQ(test, copy_to_user((void __user *)UBASE, iov, sizeof(iov)), 0);
	/* Three bytes: one into the first vector, two into the second. */
	EXPECT_EQ(test, sys_readv(3, UBASE, 2), 3);
	EXPECT_UEQ(test, copy_from_user(a, (const void __user *)(UBASE + 2048), 1), 0);
	EXPECT_UEQ(test, copy_from_user(b, (const void __user *)(UBASE + 2100), 2), 0);
	EXPECT_STREQ(test, a, "h");
	EXPECT_STREQ(test, b, "i\n");
	EXPECT_EQ(test, sys_readv(3, UBASE, 2), 0);
	EXPECT_EQ(test, sys_readv(3, UBASE, 1025), -EINVAL);
	EXPECT_EQ(test, sys_readv(3, KADDR, 1), -EFAULT);
	/* pread reads where it is told and leaves the position alone. */
	EXPECT_EQ(test, sys_pread64(3, UBASE + 2048, 8, 1), 2);
	EXPECT_EQ(test, sys_lseek(3, 0, SEEK_CUR), 3);
	EXPECT_EQ(test, sys_pread64(3, UBASE + 2048, 8, -1UL), -EINVAL);
	EXPECT_EQ(test, sys_pread64(0, UBASE + 2048, 8, 0), -ESPIPE);
	env_teardown(&env);
}

KTEST(fs, stat_by_path)
{
	struct fs_env env;
	struct stat st;

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	EXPECT_EQ(test, sys_stat(ustr(0, "/ktest_fs/dir/hello"), UBASE + 1024), 0);
	EXPECT_UEQ(test, copy_from_user(&st, (const void __user *)(UBASE + 1024), sizeof(st)), 0);
	EXPECT_EQ(test, st.st_mode, S_IFREG | 0644);
	EXPECT_EQ(test, st.st_size, 3);
	EXPECT_EQ(test, sys_stat(ustr(0, "/ktest_fs/nothing"), UBASE + 1024), -ENOENT);
	EXPECT_EQ(test, sys_stat(ustr(0, ""), UBASE + 1024), -ENOENT);
	EXPECT_EQ(test, sys_stat(ustr(0, "/ktest_fs/dir/hello"), KADDR), -EFAULT);
	/* A sysctl: readable and writable by root, as Linux's 0644. */
	EXPECT_EQ(test, sys_newfstatat(AT_FDCWD, ustr(0, "/proc/sys/vm/pt_reclaim"),
				       UBASE + 1024, 0), 0);
	EXPECT_UEQ(test, copy_from_user(&st, (const void __user *)(UBASE + 1024), sizeof(st)), 0);
	EXPECT_EQ(test, st.st_mode, S_IFREG | 0644);
	EXPECT_EQ(test, sys_newfstatat(AT_FDCWD, ustr(0, "/ktest_fs"), UBASE + 1024, 0), 0);
	EXPECT_UEQ(test, copy_from_user(&st, (const void __user *)(UBASE + 1024), sizeof(st)), 0);
	EXPECT_EQ(test, st.st_mode, S_IFDIR | 0755);
	/* AT_EMPTY_PATH: the fd itself. */
	EXPECT_EQ(test, sys_newfstatat(1, ustr(0, ""), UBASE + 1024, 0x1000), 0);
	EXPECT_UEQ(test, copy_from_user(&st, (const void __user *)(UBASE + 1024), sizeof(st)), 0);
	EXPECT_EQ(test, st.st_mode & S_IFMT, S_IFCHR);
	EXPECT_EQ(test, sys_newfstatat(AT_FDCWD, ustr(0, "/"), UBASE + 1024, 0x1), -EINVAL);
	env_teardown(&env);
}

/*
 * Allocation failures: with one page allocation in two failing, every
 * call either works or says -ENOMEM, an unpack that fails leaves
 * nothing, and once everything is closed no page is missing. The user
 * pages the calls copy through are faulted in first, so that a failure
 * there cannot show up as -EFAULT.
 */
static bool ok_or_enomem(long ret)
{
	return ret >= 0 || ret == -ENOMEM;
}

static void exercise_under_failures(struct kunit *test, struct fs_env *env)
{
	struct files_struct *copy;
	long fd, n;

	fd = uopen("/proc/meminfo", O_RDONLY);
	EXPECT_TRUE(test, ok_or_enomem(fd));
	if (fd >= 0) {
		n = sys_read(fd, UBASE + 2048, 1024);
		EXPECT_TRUE(test, ok_or_enomem(n));
		EXPECT_EQ(test, sys_close(fd), 0);
	}
	n = unpack_to_rootfs(archive, good_archive(), why, sizeof(why));
	EXPECT_TRUE(test, ok_or_enomem(n));
	if (n)
		EXPECT_EQ(test, lookup_err("/ktest_fs"), -ENOENT);
	fd = uopen("/ktest_fs/dir/hello", O_RDONLY);
	EXPECT_TRUE(test, ok_or_enomem(fd) || (n && fd == -ENOENT));
	copy = files_dup(env->files);
	files_put(copy);
	n = sys_writev(1, UBASE + 256, 0);
	EXPECT_TRUE(test, ok_or_enomem(n));
	if (fd >= 0)
		EXPECT_EQ(test, sys_close(fd), 0);
}

KTEST(fs, allocation_failures)
{
	unsigned long before, injected;
	struct fs_env env;

	ramfs_remove("/ktest_fs");
	before = ktest_settled_free_pages();
	ASSERT_TRUE(test, env_setup(test, &env));
	ASSERT_UEQ(test, clear_user((void __user *)UBASE, UPAGES * PAGE_SIZE), 0);
	kmem_cache_shrink_all();
	injected = fail_page_alloc_injected();
	fail_page_alloc_random(2, 12345);
	for (int i = 0; i < 100; i++)
		exercise_under_failures(test, &env);
	fail_page_alloc_off();
	/* The loop must really have met failures for the case to mean anything. */
	EXPECT_GT(test, fail_page_alloc_injected(), injected);
	env_teardown(&env);
	EXPECT_EQ(test, ktest_settled_free_pages(), before);
}

/* getdents64 into user memory, the names joined by ' ' into names. */
static long list_dir(unsigned long fd, unsigned long count, char *names, size_t size)
{
	static char buf[1024];
	long n = sys_getdents64(fd, UBASE + 1024, count);

	names[0] = '\0';
	if (n <= 0 || copy_from_user(buf, (const void __user *)(UBASE + 1024), n))
		return n;
	for (long off = 0; off < n; ) {
		unsigned short reclen;

		memcpy(&reclen, buf + off + 16, sizeof(reclen));
		if (names[0])
			strlcat(names, " ", size);
		strlcat(names, buf + off + 19, size);
		off += reclen;
	}
	return n;
}

KTEST(fs, getdents64)
{
	struct fs_env env;
	char names[256];

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	ASSERT_EQ(test, uopen("/ktest_fs/dir", O_RDONLY | O_DIRECTORY), 3);
	/* Records of 24 bytes: 19 of header, the name and its NUL, rounded to 8. */
	EXPECT_EQ(test, list_dir(3, 1024, names, sizeof(names)), 24 + 24 + 32);
	EXPECT_STREQ(test, names, ". .. hello");
	EXPECT_EQ(test, list_dir(3, 1024, names, sizeof(names)), 0);	/* the end */
	/* A small buffer takes what fits; the next call goes on from there. */
	EXPECT_EQ(test, sys_lseek(3, 0, SEEK_SET), 0);
	EXPECT_EQ(test, list_dir(3, 50, names, sizeof(names)), 48);
	EXPECT_STREQ(test, names, ". ..");
	EXPECT_EQ(test, list_dir(3, 20, names, sizeof(names)), -EINVAL);
	EXPECT_EQ(test, list_dir(3, 32, names, sizeof(names)), 32);
	EXPECT_STREQ(test, names, "hello");
	EXPECT_EQ(test, sys_getdents64(3, KADDR, 64), -EFAULT);
	ASSERT_EQ(test, uopen("/ktest_fs/dir/hello", O_RDONLY), 4);
	EXPECT_EQ(test, sys_getdents64(4, UBASE + 1024, 1024), -ENOTDIR);
	EXPECT_EQ(test, sys_getdents64(1, UBASE + 1024, 1024), -ENOTDIR);
	EXPECT_EQ(test, sys_getdents64(20, UBASE + 1024, 1024), -EBADF);
	/* /sys/kernel/mm/hugepages: 2 MiB first (1 GiB needs pdpe1gb). */
	ASSERT_EQ(test, uopen("/sys/kernel/mm/hugepages", O_RDONLY), 5);
	EXPECT_GT(test, list_dir(5, 1024, names, sizeof(names)), 0);
	EXPECT_EQ(test, strncmp(names, ". .. hugepages-2048kB", 21), 0);
	env_teardown(&env);
}

KTEST(fs, getdents64_mount_points_and_pids)
{
	struct fs_env env;
	char names[256];

	ASSERT_TRUE(test, env_setup_with_archive(test, &env));
	ASSERT_EQ(test, uopen("/", O_RDONLY), 3);
	EXPECT_GT(test, list_dir(3, 1024, names, sizeof(names)), 0);
	/* The root lists its own entries, ktest_fs last, then the mount points. */
	EXPECT_NOT_NULL(test, strstr(names, " ktest_fs proc sys"));
	proc_task_init(&env, 4246);
	/* Under the big kernel lock, as in proc_pid_files. */
	list_add_tail(&proc_task.tasks, &process_list);
	EXPECT_EQ(test, uopen("/proc/4246", O_RDONLY), 4);
	EXPECT_GT(test, list_dir(4, 1024, names, sizeof(names)), 0);
	EXPECT_STREQ(test, names, ". .. status maps pagemap");
	EXPECT_EQ(test, uopen("/proc", O_RDONLY), 5);
	EXPECT_GT(test, list_dir(5, 1024, names, sizeof(names)), 0);
	list_del(&proc_task.tasks);
	EXPECT_NOT_NULL(test, strstr(names, " self "));
	EXPECT_NOT_NULL(test, strstr(names, " 4246"));
	EXPECT_NOT_NULL(test, strstr(names, "meminfo"));
	env_teardown(&env);
}

KTEST(fs, proc_file_outlives_its_object)
{
	struct fs_env env;
	struct mm *gone;
	char path[32], buf[32];
	long fd;

	ASSERT_TRUE(test, env_setup(test, &env));
	gone = mm_create("ktest_gone");
	ASSERT_NOT_NULL(test, gone);
	snprintf(path, sizeof(path), "/proc/%u/status", gone->id);
	fd = uopen(path, O_RDONLY);
	EXPECT_EQ(test, fd, 3);
	EXPECT_EQ(test, uread(fd, buf, 15), 15);
	EXPECT_STREQ(test, buf, "Name:\tktest_gon");
	/* The address space goes: a fresh read finds no file, not freed memory. */
	mm_destroy(gone);
	switch_mm(env.mm);
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(test, uread(fd, buf, 15), -ENOENT);
	env_teardown(&env);
}

KTEST(fs, console_sees_the_ramfs)
{
	char out[256];

	ASSERT_EQ(test, unpack_to_rootfs(archive, good_archive(), why, sizeof(why)), 0);
	EXPECT_EQ(test, ktest_shell("ls /ktest_fs/dir", out, sizeof(out)), 0);
	EXPECT_STREQ(test, out, "hello\n");
	EXPECT_EQ(test, ktest_shell("cat /ktest_fs/dir/hello", out, sizeof(out)), 0);
	EXPECT_STREQ(test, out, "hi\n");
	EXPECT_EQ(test, ktest_shell("ls /", out, sizeof(out)), 0);
	EXPECT_NOT_NULL(test, strstr(out, "ktest_fs/\n"));
	EXPECT_NOT_NULL(test, strstr(out, "proc/\n"));
	EXPECT_NE(test, ktest_shell("cat /ktest_fs/dir", out, sizeof(out)), 0);
	EXPECT_STREQ(test, out, "cat: /ktest_fs/dir: Is a directory\n");
	EXPECT_NE(test, ktest_shell("echo x > /ktest_fs/dir/hello", out, sizeof(out)), 0);
	EXPECT_EQ(test, ramfs_remove("/ktest_fs"), 0);
	EXPECT_NE(test, ktest_shell("cat /ktest_fs/dir/hello", out, sizeof(out)), 0);
}

/*
 * Random calls with random and boundary arguments on a table without
 * the console (a read of stdin would wait for a key): every result is a
 * count, an fd or one of the errnos these calls may give, nothing
 * faults, and once the fds are closed no page is missing. /proc/sys and
 * /sys are left out: a random write there would change the machine.
 */
static const char *const fuzz_paths[] = {
	"/ktest_fs/dir/hello", "/ktest_fs/dir", "/ktest_fs", "/", "/proc", "/proc/meminfo",
	"/proc/self/status", "/proc/1/maps", "/nothing", "ktest_fs/dir/../dir/hello", "",
	"/ktest_fs/dir/hello/",
};

static unsigned long fuzz_arg(u64 *rng)
{
	static const unsigned long special[] = {
		0, 1, 3, 64, 4096, -1UL, 1UL << 32, KADDR, UBASE, UBASE + UPAGES * PAGE_SIZE - 1,
		UBASE + UPAGES * PAGE_SIZE, 0x7fffffffffffUL, 0x5413,
	};
	u64 x = *rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*rng = x;
	if (x & 1)
		return special[(x >> 8) % ARRAY_SIZE(special)];
	return x >> ((x >> 1) & 63);
}

static bool fuzz_errno_ok(long r)
{
	static const int allowed[] = {
		EBADF, EFAULT, EINVAL, ENOENT, ENOTDIR, EISDIR, EROFS, EACCES, EEXIST,
		EMFILE, ENAMETOOLONG, ESPIPE, ENOTTY, ESRCH, EPERM, EOVERFLOW,
	};

	if (r >= 0)
		return true;
	for (unsigned int i = 0; i < ARRAY_SIZE(allowed); i++)
		if (r == -allowed[i])
			return true;
	return false;
}

static long fuzz_one(u64 *rng)
{
	unsigned long a = fuzz_arg(rng), b = fuzz_arg(rng), c = fuzz_arg(rng);
	unsigned int fd = a % 70;

	switch (b % 12) {
	case 0:
		return sys_open(ustr(0, fuzz_paths[c % ARRAY_SIZE(fuzz_paths)]), a, 0);
	case 1:
		return sys_read(fd, c, b);
	case 2:
		return sys_write(fd, c, b % 64);
	case 3:
		return sys_close(a);
	case 4:
		return sys_lseek(fd, c, b % 5);
	case 5:
		return sys_fstat(fd, c);
	case 6:
		return sys_getdents64(fd, c, b);
	case 7:
		return sys_readv(fd, c, b % 4);
	case 8:
		return sys_dup2(fd, c % 70);
	case 9:
		return sys_fcntl(fd, b % 5, c % 70);
	case 10:
		return sys_pread64(fd, c, b, a);
	}
	return sys_ioctl(a, 0x5413, c);
}

KTEST(fs, random_calls)
{
	unsigned long before, nr_ok = 0;
	struct fs_env env;
	u64 rng = 0x2545f4914f6cdd1dULL;

	ASSERT_EQ(test, unpack_to_rootfs(archive, good_archive(), why, sizeof(why)), 0);
	before = ktest_settled_free_pages();
	ASSERT_TRUE(test, env_setup(test, &env));
	for (unsigned int fd = 0; fd < 3; fd++)
		ASSERT_EQ(test, sys_close(fd), 0);
	for (int i = 0; i < 20000; i++) {
		long r = fuzz_one(&rng);

		if (!fuzz_errno_ok(r)) {
			ktest_fail(test, __FILE__, __LINE__, "call %d returned %ld", i, r);
			break;
		}
		nr_ok += r >= 0;
	}
	/* Not only errors: the stream must reach the paths that work too. */
	ktest_log(test, "%lu of 20000 calls succeeded", nr_ok);
	EXPECT_GT(test, nr_ok, 1000);
	env_teardown(&env);
	ASSERT_EQ(test, unpack_to_rootfs(archive, good_archive(), why, sizeof(why)), 0);
	EXPECT_EQ(test, ktest_settled_free_pages(), before);
	ramfs_remove("/ktest_fs");
}
