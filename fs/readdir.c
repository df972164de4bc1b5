// SPDX-License-Identifier: MIT
/*
 * getdents64: as many whole linux_dirent64 records as fit, each 8-byte
 * aligned; f_pos counts entries, so a later call goes on where this one
 * stopped (d_off is the position after each entry).
 */
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "kernel/uaccess.h"
#include "libc/errno.h"
#include "libc/string.h"

struct linux_dirent64 {
	u64 d_ino;
	s64 d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long fill_dir(struct file *f, unsigned long udirp, unsigned long count)
{
	struct {
		struct linux_dirent64 d;
		char name[256 + 8];
	} rec;
	struct dir_entry e;
	unsigned long done = 0;

	if (!f->f_op->readdir)
		return -ENOTDIR;
	if (!access_ok((void __user *)udirp, count))
		return -EFAULT;
	for (;;) {
		int ret = f->f_op->readdir(f, f->f_pos, &e);
		size_t namelen, reclen;

		if (ret < 0)
			return done ? (long)done : ret;
		if (ret)
			break;
		namelen = strlen(e.name);
		reclen = ALIGN(offsetof(struct linux_dirent64, d_name) + namelen + 1, 8);
		if (done + reclen > count)
			return done ? (long)done : -EINVAL;	/* as Linux: too small */
		memset(&rec, 0, reclen);
		rec.d.d_ino = e.ino;
		rec.d.d_off = f->f_pos + 1;
		rec.d.d_reclen = reclen;
		rec.d.d_type = e.type;
		memcpy(rec.d.d_name, e.name, namelen);
		if (copy_to_user((void __user *)(udirp + done), &rec, reclen))
			return done ? (long)done : -EFAULT;
		done += reclen;
		f->f_pos++;
	}
	return done;
}

long sys_getdents64(unsigned long fd, unsigned long udirp, unsigned long count)
{
	struct file *f = fdget(fd);
	long ret = f ? fill_dir(f, udirp, count) : -EBADF;

	if (f)
		fput(f);
	return ret;
}
