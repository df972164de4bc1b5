// SPDX-License-Identifier: MIT
/*
 * fs: the ramfs tree and its lookups, newc unpacking (and the refusal of
 * bad archives), file descriptors and the file system calls, /proc/<pid>
 * files and the small system calls. Archives are written here, by a
 * newc writer independent of the parser, into static buffers; the
 * nodes they create live under /ktest_fs and are removed by each case.
 */
#include "tests/ktest.h"
#include "fs/file.h"
#include "fs/initramfs.h"
#include "fs/ramfs.h"
#include "libc/errno.h"
#include "libc/stdio.h"
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
static size_t good_archive(void)
{
	size_t off;

	/* Each case starts without /ktest_fs, whatever an earlier failure left. */
	ramfs_remove("/ktest_fs");
	memset(archive, 0, sizeof(archive));
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
	ramfs_remove("/ktest_fs");
	memset(archive, 0, sizeof(archive));
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
