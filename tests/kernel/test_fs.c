// SPDX-License-Identifier: MIT
/*
 * fs: the ramfs tree and its lookups, newc unpacking (and the refusal of
 * bad archives), file descriptors and the file system calls. The suite
 * goes on in test_fs_proc.c (/proc files) and test_fs_sys.c (the small
 * system calls); its archive writer and environment are ktest_fs.c's.
 */
#include "tests/kernel/ktest_fs.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "fs/initramfs.h"
#include "fs/ramfs.h"
#include "kernel/console.h"
#include "kernel/printk.h"
#include "kernel/uaccess.h"
#include "mm/fail_page_alloc.h"
#include "mm/slab.h"
#include "tests/kernel/ktest_mm.h"
#include "libc/errno.h"
#include "libc/string.h"

static int lookup_err(const char *path)
{
	struct ramfs_inode *ino;

	return ramfs_lookup(path, &ino);
}

KTEST(fs, unpack_good_archive)
{
	size_t len = newc_good();
	struct ramfs_inode *ino;
	const void *data;
	size_t size;

	ASSERT_EQ(test, unpack_to_rootfs(newc_buf, len, newc_why, sizeof(newc_why)), 0);
	ASSERT_EQ(test, ramfs_lookup("/ktest_fs/dir", &ino), 0);
	EXPECT_EQ(test, ino->mode, S_IFDIR | 0700);
	ASSERT_EQ(test, ramfs_read_file("/ktest_fs/dir/hello", &data, &size), 0);
	EXPECT_EQ(test, size, 3);
	EXPECT_MEMEQ(test, data, "hi\n", 3);
	/* In place: the data points into the archive, not into a copy. */
	EXPECT_TRUE(test, (const char *)data > newc_buf && (const char *)data < newc_buf + len);
	EXPECT_EQ(test, ramfs_remove("/ktest_fs"), 0);
	EXPECT_EQ(test, lookup_err("/ktest_fs"), -ENOENT);
}

KTEST(fs, lookup_dots_and_slashes)
{
	struct ramfs_inode *a, *b;

	ASSERT_EQ(test, unpack_to_rootfs(newc_buf, newc_good(), newc_why, sizeof(newc_why)), 0);
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
	EXPECT_EQ(test, unpack_to_rootfs(newc_buf, len, newc_why, sizeof(newc_why)), -EINVAL);
	EXPECT_STREQ(test, newc_why, msg);
	EXPECT_EQ(test, lookup_err("/ktest_fs"), -ENOENT);
}

/*
 * newc_good()'s layout, worked out by hand (header 110 bytes, name and
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
	EXPECT_EQ(test, newc_good(), 620);
	expect_refused(test, 536, "offset 496: truncated header (40 of 110 bytes)");
	expect_refused(test, 494, "offset 360: c_filesize 3 runs past the end of the archive");
	expect_refused(test, 496, "offset 496: archive ends without a TRAILER!!! entry");
	expect_refused(test, 480, "offset 360: name of 19 bytes runs past the end of the archive");
}

KTEST(fs, refuse_bad_magic)
{
	size_t len = newc_good();

	newc_buf[112 + 5] = '7';		/* 070707 is the old odc format */
	expect_refused(test, len, "offset 112: bad magic \"070707\" (newc is 070701 or 070702)");
}

KTEST(fs, refuse_bad_hex)
{
	size_t len = newc_good();

	newc_buf[112 + 54 + 3] = 'g';
	expect_refused(test, len, "offset 169: bad hex digit 0x67 in c_filesize");
	len = newc_good();
	newc_buf[112 + 54] = ' ';
	expect_refused(test, len, "offset 166: bad hex digit 0x20 in c_filesize");
}

KTEST(fs, refuse_name_overflow)
{
	size_t len = newc_good();

	memcpy(newc_buf + 360 + 94, "00001000", 8);
	expect_refused(test, len,
		       "offset 360: name of 4096 bytes runs past the end of the archive");
	len = newc_good();
	memcpy(newc_buf + 360 + 94, "00001001", 8);
	expect_refused(test, len, "offset 360: c_namesize 4097 out of range (1..4096)");
	len = newc_good();
	memcpy(newc_buf + 360 + 94, "00000000", 8);
	expect_refused(test, len, "offset 360: c_namesize 0 out of range (1..4096)");
	/* One short: the byte where the NUL should be is 'o'. */
	len = newc_good();
	memcpy(newc_buf + 360 + 94, "00000012", 8);
	expect_refused(test, len,
		       "offset 470: name is not one NUL-terminated string of c_namesize bytes");
}

KTEST(fs, refuse_bad_padding)
{
	size_t len = newc_good();

	newc_buf[490] = 'x';
	expect_refused(test, len, "offset 490: non-NUL byte in the name padding");
	len = newc_good();
	newc_buf[495] = 'x';
	expect_refused(test, len, "offset 495: non-NUL byte in the data padding");
}

KTEST(fs, unpack_is_all_or_nothing)
{
	size_t off;

	/* The second file's parent does not exist: the first must go too. */
	newc_start();
	off = newc_put(0, "ktest_fs", S_IFDIR | 0755, "", 0);
	off = newc_put(off, "ktest_fs/a", S_IFREG | 0644, "a", 1);
	off = newc_put(off, "ktest_fs/missing/b", S_IFREG | 0644, "b", 1);
	off = newc_trailer(off);
	EXPECT_EQ(test, unpack_to_rootfs(newc_buf, off, newc_why, sizeof(newc_why)), -ENOENT);
	/* "ktest_fs" ends at 120, "ktest_fs/a" (name 230..240, data 244) at 248. */
	EXPECT_STREQ(test, newc_why, "offset 248: ktest_fs/missing/b: No such file or directory");
	EXPECT_EQ(test, lookup_err("/ktest_fs"), -ENOENT);
}

KTEST(fs, concatenated_archives)
{
	size_t off = newc_good();
	struct ramfs_inode *ino;

	/* NUL padding, then a second archive adding a file. */
	off += 16;
	off = newc_put(off, "ktest_fs/second", S_IFREG | 0600, "2", 1);
	off = newc_trailer(off);
	ASSERT_EQ(test, unpack_to_rootfs(newc_buf, off, newc_why, sizeof(newc_why)), 0);
	EXPECT_EQ(test, ramfs_lookup("/ktest_fs/second", &ino), 0);
	EXPECT_EQ(test, ramfs_lookup("/ktest_fs/dir/hello", &ino), 0);
	EXPECT_EQ(test, ramfs_remove("/ktest_fs"), 0);
}

KTEST(fs, open_read_seek_close)
{
	struct fs_env env;
	char buf[64];
	long fd;

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	fd = fs_uopen("/ktest_fs/dir/hello", O_RDONLY);
	EXPECT_EQ(test, fd, 3);		/* 0, 1, 2 are the console */
	EXPECT_EQ(test, fs_uread(fd, buf, 2), 2);
	EXPECT_STREQ(test, buf, "hi");
	EXPECT_EQ(test, fs_uread(fd, buf, 10), 1);
	EXPECT_STREQ(test, buf, "\n");
	EXPECT_EQ(test, fs_uread(fd, buf, 10), 0);
	EXPECT_EQ(test, sys_lseek(fd, 1, SEEK_SET), 1);
	EXPECT_EQ(test, fs_uread(fd, buf, 10), 2);
	EXPECT_STREQ(test, buf, "i\n");
	EXPECT_EQ(test, sys_lseek(fd, -1, SEEK_END), 2);
	EXPECT_EQ(test, sys_lseek(fd, -1, SEEK_CUR), 1);
	EXPECT_EQ(test, sys_lseek(fd, 10, SEEK_END), 13);	/* past the end is allowed */
	EXPECT_EQ(test, fs_uread(fd, buf, 10), 0);
	EXPECT_EQ(test, sys_lseek(fd, -1, SEEK_SET), -EINVAL);
	EXPECT_EQ(test, sys_lseek(fd, 0, 3), -EINVAL);
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_CUR), 13);	/* the failures moved nothing */
	EXPECT_EQ(test, sys_lseek(1, 0, SEEK_SET), -ESPIPE);
	EXPECT_EQ(test, sys_close(fd), 0);
	EXPECT_EQ(test, sys_close(fd), -EBADF);
	EXPECT_EQ(test, fs_uread(fd, buf, 10), -EBADF);
	fs_env_teardown(&env);
}

KTEST(fs, open_errors)
{
	struct fs_env env;
	char *longname;

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	EXPECT_EQ(test, fs_uopen("/ktest_fs/nothing", O_RDONLY), -ENOENT);
	EXPECT_EQ(test, fs_uopen("", O_RDONLY), -ENOENT);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir/hello/x", O_RDONLY), -ENOTDIR);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir", O_WRONLY), -EISDIR);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_WRONLY), -EROFS);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDWR), -EROFS);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY | O_TRUNC), -EROFS);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/new", O_WRONLY | O_CREAT), -EROFS);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
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
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir", O_RDONLY | O_DIRECTORY), 3);
	fs_env_teardown(&env);
}

KTEST(fs, fd_errors)
{
	struct fs_env env;
	char buf[8];
	long fd;

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	EXPECT_EQ(test, sys_read(99, UBASE, 1), -EBADF);
	EXPECT_EQ(test, sys_read(-1UL, UBASE, 1), -EBADF);
	EXPECT_EQ(test, sys_write(5, UBASE, 1), -EBADF);
	EXPECT_EQ(test, sys_lseek(5, 0, SEEK_SET), -EBADF);
	EXPECT_EQ(test, sys_fstat(NR_OPEN_MAX, UBASE), -EBADF);
	EXPECT_EQ(test, sys_close(1UL << 32), -EBADF);
	EXPECT_EQ(test, sys_ioctl(7, 0x5413, UBASE), -EBADF);
	EXPECT_EQ(test, sys_ioctl(1, 0x5413, UBASE), -ENOTTY);	/* TIOCGWINSZ */
	fd = fs_uopen("/ktest_fs/dir/hello", O_RDONLY);
	ASSERT_EQ(test, fd, 3);
	EXPECT_EQ(test, sys_write(fd, UBASE, 1), -EBADF);	/* opened read-only */
	EXPECT_EQ(test, sys_read(1, UBASE, 1), -EBADF);		/* stdout is write-only */
	/* A buffer outside user memory: -EFAULT, and the position stays. */
	EXPECT_EQ(test, sys_read(fd, KADDR, 3), -EFAULT);
	EXPECT_EQ(test, sys_read(fd, UBASE + UPAGES * PAGE_SIZE, 3), -EFAULT);
	EXPECT_EQ(test, sys_read(fd, UBASE + UPAGES * PAGE_SIZE - 1, 3), 1);
	EXPECT_EQ(test, sys_lseek(fd, 0, SEEK_CUR), 1);
	EXPECT_EQ(test, fs_uread(fd, buf, 8), 2);
	EXPECT_STREQ(test, buf, "i\n");
	fd = fs_uopen("/ktest_fs/dir", O_RDONLY);
	EXPECT_EQ(test, fs_uread(fd, buf, 8), -EISDIR);
	fs_env_teardown(&env);
}

KTEST(fs, emfile)
{
	struct fs_env env;
	int fd;

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	for (fd = 3; fd < NR_OPEN_MAX; fd++)
		ASSERT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY), fd);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY), -EMFILE);
	/* The lowest free fd is reused. */
	EXPECT_EQ(test, sys_close(10), 0);
	EXPECT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY), 10);
	fs_env_teardown(&env);
}

KTEST(fs, openat_dirfd)
{
	struct fs_env env;
	char buf[8];
	long dfd, fd;

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	dfd = fs_uopen("/ktest_fs", O_RDONLY | O_DIRECTORY);
	ASSERT_EQ(test, dfd, 3);
	fd = sys_openat(dfd, fs_ustr(0, "dir/hello"), O_RDONLY, 0);
	EXPECT_EQ(test, fd, 4);
	EXPECT_EQ(test, fs_uread(fd, buf, 8), 3);
	EXPECT_EQ(test, sys_openat(dfd, fs_ustr(0, "../ktest_fs/dir/./hello"), O_RDONLY, 0), 5);
	/* No working directory yet: AT_FDCWD is "/". */
	EXPECT_EQ(test, sys_openat(AT_FDCWD, fs_ustr(0, "ktest_fs/dir/hello"), O_RDONLY, 0), 6);
	EXPECT_EQ(test, sys_openat(fd, fs_ustr(0, "x"), O_RDONLY, 0), -ENOTDIR);
	EXPECT_EQ(test, sys_openat(1, fs_ustr(0, "x"), O_RDONLY, 0), -ENOTDIR);
	EXPECT_EQ(test, sys_openat(40, fs_ustr(0, "x"), O_RDONLY, 0), -EBADF);
	/* An absolute path ignores dfd, even a bad one. */
	EXPECT_EQ(test, sys_openat(40, fs_ustr(0, "/ktest_fs/dir/hello"), O_RDONLY, 0), 7);
	fd = fs_uopen("/proc/sys", O_RDONLY | O_DIRECTORY);
	EXPECT_EQ(test, fd, 8);
	EXPECT_EQ(test, sys_openat(fd, fs_ustr(0, "vm/pt_reclaim"), O_RDONLY, 0), 9);
	fs_env_teardown(&env);
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

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	ASSERT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY), 3);
	ASSERT_EQ(test, ufstat(3, &st), 0);
	EXPECT_EQ(test, st.st_mode, S_IFREG | 0644);
	EXPECT_EQ(test, st.st_size, 3);
	EXPECT_EQ(test, st.st_blksize, 4096);
	EXPECT_EQ(test, st.st_blocks, 1);
	EXPECT_EQ(test, st.st_nlink, 1);
	ASSERT_EQ(test, fs_uopen("/ktest_fs/dir", O_RDONLY), 4);
	ASSERT_EQ(test, ufstat(4, &st), 0);
	EXPECT_EQ(test, st.st_mode, S_IFDIR | 0700);
	ASSERT_EQ(test, ufstat(1, &st), 0);
	EXPECT_EQ(test, st.st_mode & S_IFMT, S_IFCHR);
	EXPECT_EQ(test, st.st_rdev, 0x501);	/* 5:1, /dev/console */
	ASSERT_EQ(test, fs_uopen("/proc/meminfo", O_RDONLY), 5);
	ASSERT_EQ(test, ufstat(5, &st), 0);
	EXPECT_EQ(test, st.st_mode, S_IFREG | 0444);
	EXPECT_EQ(test, st.st_size, 0);		/* as Linux: generated on read */
	EXPECT_EQ(test, sys_fstat(3, KADDR), -EFAULT);
	EXPECT_EQ(test, sys_fstat(3, 0), -EFAULT);
	fs_env_teardown(&env);
}

KTEST(fs, write_and_writev_to_console)
{
	struct iovec { unsigned long base, len; } iov[3];
	struct printk_capture cap = { .buf = newc_why, .size = sizeof(newc_why) };
	struct fs_env env;
	long ret, ret2;

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	iov[0] = (struct iovec){ fs_ustr(0, "hello, "), 7 };
	iov[1] = (struct iovec){ fs_ustr(16, ""), 0 };
	iov[2] = (struct iovec){ fs_ustr(32, "world\n"), 6 };
	EXPECT_UEQ(test, copy_to_user((void __user *)(UBASE + 256), iov, sizeof(iov)), 0);
	printk_capture_begin(&cap);
	ret = sys_writev(1, UBASE + 256, 3);
	ret2 = sys_write(2, fs_ustr(64, "err\n"), 4);
	printk_capture_end(&cap);
	EXPECT_EQ(test, ret, 13);
	EXPECT_EQ(test, ret2, 4);
	EXPECT_STREQ(test, newc_why, "hello, world\nerr\n");
	EXPECT_EQ(test, sys_writev(1, UBASE + 256, 1025), -EINVAL);	/* > IOV_MAX */
	EXPECT_EQ(test, sys_writev(1, KADDR, 1), -EFAULT);
	EXPECT_EQ(test, sys_writev(1, UBASE + 256, 0), 0);
	/* A bad iov_base fails the whole call before anything is written. */
	iov[1] = (struct iovec){ KADDR, 1 };
	EXPECT_UEQ(test, copy_to_user((void __user *)(UBASE + 256), iov, sizeof(iov)), 0);
	newc_why[0] = '\0';
	cap = (struct printk_capture){ .buf = newc_why, .size = sizeof(newc_why) };
	printk_capture_begin(&cap);
	ret = sys_writev(1, UBASE + 256, 3);
	printk_capture_end(&cap);
	EXPECT_EQ(test, ret, -EFAULT);
	EXPECT_STREQ(test, newc_why, "");
	EXPECT_EQ(test, sys_write(1, 0, 1), -EFAULT);
	fs_env_teardown(&env);
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

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	/* Backspace edits the line; Enter ends it with '\n'. */
	push_input("ab\bc d\r");
	EXPECT_EQ(test, fs_uread(0, buf, sizeof(buf) - 1), 5);
	EXPECT_STREQ(test, buf, "ac d\n");
	/* A short read leaves the rest of the line for the next one. */
	push_input("xyz\n");
	EXPECT_EQ(test, fs_uread(0, buf, 2), 2);
	EXPECT_STREQ(test, buf, "xy");
	EXPECT_EQ(test, fs_uread(0, buf, sizeof(buf) - 1), 2);
	EXPECT_STREQ(test, buf, "z\n");
	/* Ctrl-D on an empty line is end of file; Ctrl-C abandons the line. */
	push_input("\x04");
	EXPECT_EQ(test, fs_uread(0, buf, sizeof(buf) - 1), 0);
	push_input("oops\x03");
	EXPECT_EQ(test, fs_uread(0, buf, sizeof(buf) - 1), -EINTR);
	/* What was typed before the Ctrl-C is gone, as with a tty. */
	push_input("ab\x03" "ok\r");
	EXPECT_EQ(test, console_poll_input(), 1);
	EXPECT_EQ(test, fs_uread(0, buf, sizeof(buf) - 1), 3);
	EXPECT_STREQ(test, buf, "ok\n");
	fs_env_teardown(&env);
}

KTEST(fs, fork_shares_files_and_cloexec)
{
	struct files_struct *child;
	struct fs_env env;
	char buf[8];

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	ASSERT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY), 3);
	ASSERT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY | O_CLOEXEC), 4);
	child = files_dup(env.files);
	ASSERT_NOT_NULL(test, child);
	EXPECT_TRUE(test, fget_raw(child, 3) == fget_raw(env.files, 3));
	EXPECT_EQ(test, fget_raw(child, 3)->f_count, 2);
	/* One open file, one position: the child's read moves the parent's. */
	files_swap_current(child);
	EXPECT_EQ(test, fs_uread(3, buf, 2), 2);
	files_swap_current(env.files);
	EXPECT_EQ(test, fs_uread(3, buf, 8), 1);
	EXPECT_STREQ(test, buf, "\n");
	/* exec closes only the O_CLOEXEC fd. */
	do_close_on_exec(child);
	EXPECT_NULL(test, fget_raw(child, 4));
	EXPECT_NOT_NULL(test, fget_raw(child, 3));
	EXPECT_NOT_NULL(test, fget_raw(env.files, 4));
	files_put(child);
	EXPECT_EQ(test, fget_raw(env.files, 3)->f_count, 1);
	fs_env_teardown(&env);
}

KTEST(fs, fcntl_and_dup)
{
	struct fs_env env;
	char buf[8];

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	ASSERT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY | O_CLOEXEC), 3);
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
	EXPECT_EQ(test, fs_uread(0, buf, 2), 2);
	EXPECT_EQ(test, fs_uread(10, buf, 8), 1);
	EXPECT_STREQ(test, buf, "\n");
	EXPECT_EQ(test, sys_dup2(3, 3), 3);
	EXPECT_EQ(test, sys_dup2(3, NR_OPEN_MAX), -EBADF);
	EXPECT_EQ(test, sys_dup2(9, 6), -EBADF);
	EXPECT_EQ(test, sys_dup(99), -EBADF);
	fs_env_teardown(&env);
}

KTEST(fs, readv_and_pread)
{
	struct { unsigned long base, len; } iov[2] = {
		{ UBASE + 2048, 1 }, { UBASE + 2100, 8 },
	};
	struct fs_env env;
	char a[2] = "", b[8] = "";

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	ASSERT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY), 3);
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
	fs_env_teardown(&env);
}

KTEST(fs, stat_by_path)
{
	struct fs_env env;
	struct stat st;

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	EXPECT_EQ(test, sys_stat(fs_ustr(0, "/ktest_fs/dir/hello"), UBASE + 1024), 0);
	EXPECT_UEQ(test, copy_from_user(&st, (const void __user *)(UBASE + 1024), sizeof(st)), 0);
	EXPECT_EQ(test, st.st_mode, S_IFREG | 0644);
	EXPECT_EQ(test, st.st_size, 3);
	EXPECT_EQ(test, sys_stat(fs_ustr(0, "/ktest_fs/nothing"), UBASE + 1024), -ENOENT);
	EXPECT_EQ(test, sys_stat(fs_ustr(0, ""), UBASE + 1024), -ENOENT);
	EXPECT_EQ(test, sys_stat(fs_ustr(0, "/ktest_fs/dir/hello"), KADDR), -EFAULT);
	/* A sysctl: readable and writable by root, as Linux's 0644. */
	EXPECT_EQ(test, sys_newfstatat(AT_FDCWD, fs_ustr(0, "/proc/sys/vm/pt_reclaim"),
				       UBASE + 1024, 0), 0);
	EXPECT_UEQ(test, copy_from_user(&st, (const void __user *)(UBASE + 1024), sizeof(st)), 0);
	EXPECT_EQ(test, st.st_mode, S_IFREG | 0644);
	EXPECT_EQ(test, sys_newfstatat(AT_FDCWD, fs_ustr(0, "/ktest_fs"), UBASE + 1024, 0), 0);
	EXPECT_UEQ(test, copy_from_user(&st, (const void __user *)(UBASE + 1024), sizeof(st)), 0);
	EXPECT_EQ(test, st.st_mode, S_IFDIR | 0755);
	/* AT_EMPTY_PATH: the fd itself. */
	EXPECT_EQ(test, sys_newfstatat(1, fs_ustr(0, ""), UBASE + 1024, 0x1000), 0);
	EXPECT_UEQ(test, copy_from_user(&st, (const void __user *)(UBASE + 1024), sizeof(st)), 0);
	EXPECT_EQ(test, st.st_mode & S_IFMT, S_IFCHR);
	EXPECT_EQ(test, sys_newfstatat(AT_FDCWD, fs_ustr(0, "/"), UBASE + 1024, 0x1), -EINVAL);
	fs_env_teardown(&env);
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

	fd = fs_uopen("/proc/meminfo", O_RDONLY);
	EXPECT_TRUE(test, ok_or_enomem(fd));
	if (fd >= 0) {
		n = sys_read(fd, UBASE + 2048, 1024);
		EXPECT_TRUE(test, ok_or_enomem(n));
		EXPECT_EQ(test, sys_close(fd), 0);
	}
	n = unpack_to_rootfs(newc_buf, newc_good(), newc_why, sizeof(newc_why));
	EXPECT_TRUE(test, ok_or_enomem(n));
	if (n)
		EXPECT_EQ(test, lookup_err("/ktest_fs"), -ENOENT);
	fd = fs_uopen("/ktest_fs/dir/hello", O_RDONLY);
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
	ASSERT_TRUE(test, fs_env_setup(test, &env));
	ASSERT_UEQ(test, clear_user((void __user *)UBASE, UPAGES * PAGE_SIZE), 0);
	kmem_cache_shrink_all();
	injected = fail_page_alloc_injected();
	fail_page_alloc_random(2, 12345);
	for (int i = 0; i < 100; i++)
		exercise_under_failures(test, &env);
	fail_page_alloc_off();
	/* The loop must really have met failures for the case to mean anything. */
	EXPECT_GT(test, fail_page_alloc_injected(), injected);
	fs_env_teardown(&env);
	EXPECT_EQ(test, ktest_settled_free_pages(), before);
}

KTEST(fs, getdents64)
{
	struct fs_env env;
	char names[256];

	ASSERT_TRUE(test, fs_env_setup_with_archive(test, &env));
	ASSERT_EQ(test, fs_uopen("/ktest_fs/dir", O_RDONLY | O_DIRECTORY), 3);
	/* Records of 24 bytes: 19 of header, the name and its NUL, rounded to 8. */
	EXPECT_EQ(test, fs_list_dir(3, 1024, names, sizeof(names)), 24 + 24 + 32);
	EXPECT_STREQ(test, names, ". .. hello");
	EXPECT_EQ(test, fs_list_dir(3, 1024, names, sizeof(names)), 0);	/* the end */
	/* A small buffer takes what fits; the next call goes on from there. */
	EXPECT_EQ(test, sys_lseek(3, 0, SEEK_SET), 0);
	EXPECT_EQ(test, fs_list_dir(3, 50, names, sizeof(names)), 48);
	EXPECT_STREQ(test, names, ". ..");
	EXPECT_EQ(test, fs_list_dir(3, 20, names, sizeof(names)), -EINVAL);
	EXPECT_EQ(test, fs_list_dir(3, 32, names, sizeof(names)), 32);
	EXPECT_STREQ(test, names, "hello");
	EXPECT_EQ(test, sys_getdents64(3, KADDR, 64), -EFAULT);
	ASSERT_EQ(test, fs_uopen("/ktest_fs/dir/hello", O_RDONLY), 4);
	EXPECT_EQ(test, sys_getdents64(4, UBASE + 1024, 1024), -ENOTDIR);
	EXPECT_EQ(test, sys_getdents64(1, UBASE + 1024, 1024), -ENOTDIR);
	EXPECT_EQ(test, sys_getdents64(20, UBASE + 1024, 1024), -EBADF);
	/* /sys/kernel/mm/hugepages: 2 MiB first (1 GiB needs pdpe1gb). */
	ASSERT_EQ(test, fs_uopen("/sys/kernel/mm/hugepages", O_RDONLY), 5);
	EXPECT_GT(test, fs_list_dir(5, 1024, names, sizeof(names)), 0);
	EXPECT_EQ(test, strncmp(names, ". .. hugepages-2048kB", 21), 0);
	fs_env_teardown(&env);
}

KTEST(fs, console_sees_the_ramfs)
{
	char out[256];

	ASSERT_EQ(test, unpack_to_rootfs(newc_buf, newc_good(), newc_why, sizeof(newc_why)), 0);
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
		return sys_open(fs_ustr(0, fuzz_paths[c % ARRAY_SIZE(fuzz_paths)]), a, 0);
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

	ASSERT_EQ(test, unpack_to_rootfs(newc_buf, newc_good(), newc_why, sizeof(newc_why)), 0);
	before = ktest_settled_free_pages();
	ASSERT_TRUE(test, fs_env_setup(test, &env));
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
	fs_env_teardown(&env);
	ASSERT_EQ(test, unpack_to_rootfs(newc_buf, newc_good(), newc_why, sizeof(newc_why)), 0);
	EXPECT_EQ(test, ktest_settled_free_pages(), before);
	ramfs_remove("/ktest_fs");
}
