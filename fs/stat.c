// SPDX-License-Identifier: MIT
/* fstat, with Linux's x86_64 struct stat. */
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "kernel/uaccess.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

struct stat {
	unsigned long st_dev;
	unsigned long st_ino;
	unsigned long st_nlink;
	unsigned int st_mode;
	unsigned int st_uid;
	unsigned int st_gid;
	unsigned int __pad0;
	unsigned long st_rdev;
	long st_size;
	long st_blksize;
	long st_blocks;			/* 512-byte units */
	unsigned long st_atime, st_atime_nsec;
	unsigned long st_mtime, st_mtime_nsec;
	unsigned long st_ctime, st_ctime_nsec;
	long __unused[3];
};

_Static_assert(sizeof(struct stat) == 144, "x86_64 struct stat is 144 bytes");

static long stat_file(struct file *f, unsigned long ustatbuf)
{
	struct kstat k = { .blksize = 4096 };
	struct stat st;

	if (f->f_op->getattr)
		f->f_op->getattr(f, &k);
	memset(&st, 0, sizeof(st));
	st.st_ino = k.ino;
	st.st_nlink = k.nlink;
	st.st_mode = k.mode;
	st.st_rdev = k.rdev;
	st.st_size = k.size;
	st.st_blksize = k.blksize;
	st.st_blocks = DIV_ROUND_UP(k.size, 512);
	if (copy_to_user((void __user *)ustatbuf, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

long sys_fstat(unsigned long fd, unsigned long ustatbuf)
{
	struct file *f = fdget(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = stat_file(f, ustatbuf);
	fput(f);
	return ret;
}

long sys_newfstatat(unsigned long dfd, unsigned long ufilename, unsigned long ustatbuf,
		    unsigned long flags)
{
	struct file *f;
	char *name;
	int ret;

	/* No symbolic links and no automounts: those flags change nothing. */
	if (flags & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	name = getname(ufilename, &ret);
	if (!name)
		return ret;
	if (!name[0] && (flags & AT_EMPTY_PATH) && (int)dfd != AT_FDCWD) {
		kfree(name);
		return sys_fstat(dfd, ustatbuf);
	}
	/* With AT_EMPTY_PATH, "" at AT_FDCWD is the working directory: "/". */
	ret = file_open_at((int)dfd, !name[0] && (flags & AT_EMPTY_PATH) ? "/" : name,
			   O_PATH, &f);
	kfree(name);
	if (ret)
		return ret;
	ret = stat_file(f, ustatbuf);
	fput(f);
	return ret;
}

long sys_stat(unsigned long ufilename, unsigned long ustatbuf)
{
	return sys_newfstatat((unsigned long)AT_FDCWD, ufilename, ustatbuf, 0);
}
