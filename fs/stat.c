// SPDX-License-Identifier: MIT
/* fstat, with Linux's x86_64 struct stat. */
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "kernel/uaccess.h"
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

long sys_fstat(unsigned long fd, unsigned long ustatbuf)
{
	struct file *f = fd > __INT_MAX__ ? NULL : fget(current_files(), fd);
	struct kstat k = { .blksize = 4096 };
	struct stat st;

	if (!f)
		return -EBADF;
	if (f->f_op->getattr)
		f->f_op->getattr(f, &k);
	fput(f);
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
