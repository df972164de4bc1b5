// SPDX-License-Identifier: MIT
/*
 * read, readv, pread64, write, writev and lseek. The bytes go through a page-sized
 * kernel buffer: a file's operations never touch user memory, and a bad
 * user pointer is -EFAULT from the copy, never a kernel fault. A read
 * stops at the first short chunk (a console line, the end of a file).
 * writev gathers its vectors into the buffer, so a short write to a
 * /proc file made of several vectors is still one store.
 */
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "kernel/uaccess.h"
#include "mm/layout.h"
#include "mm/slab.h"
#include "libc/errno.h"

#define MAX_RW_COUNT	(__INT_MAX__ & PAGE_MASK)	/* as Linux */
#define IOV_MAX		1024

struct iovec {
	unsigned long iov_base;
	unsigned long iov_len;
};

/* The open file at fd, referenced, if it allows this access (else *err). */
static struct file *fget_for(unsigned long fd, bool write, long *err)
{
	struct file *f = fdget(fd);
	unsigned int acc;

	*err = -EBADF;
	if (!f)
		return NULL;
	acc = f->f_flags & O_ACCMODE;
	if ((write && acc == O_RDONLY) || (!write && acc == O_WRONLY) || (f->f_flags & O_PATH)) {
		fput(f);
		return NULL;
	}
	if ((write && !f->f_op->write) || (!write && !f->f_op->read)) {
		*err = -EINVAL;
		fput(f);
		return NULL;
	}
	*err = 0;
	return f;
}

/* Read at *ppos (f->f_pos, or pread's own position) into user memory. */
static long do_read(struct file *f, unsigned long ubuf, size_t count, loff_t *ppos)
{
	char *kbuf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	size_t done = 0;

	if (!kbuf)
		return -ENOMEM;
	while (done < count) {
		size_t chunk = min(count - done, PAGE_SIZE), left;
		loff_t pos = *ppos;
		ssize_t n = f->f_op->read(f, kbuf, chunk, &pos);

		if (n <= 0) {
			kfree(kbuf);
			return done ? (long)done : n;
		}
		left = copy_to_user((void __user *)(ubuf + done), kbuf, n);
		/* Only what reached the user is consumed. */
		*ppos = pos - left;
		done += n - left;
		if (left || (size_t)n < chunk)
			break;
	}
	kfree(kbuf);
	return done ? (long)done : -EFAULT;
}

static long read_checked(struct file *f, unsigned long ubuf, size_t count, loff_t *ppos)
{
	if (!count)
		return 0;
	if (!access_ok((const void __user *)ubuf, count))
		return -EFAULT;
	return do_read(f, ubuf, count, ppos);
}

long sys_read(unsigned long fd, unsigned long ubuf, unsigned long count)
{
	struct file *f;
	long ret;

	f = fget_for(fd, false, &ret);
	if (!f)
		return ret;
	ret = read_checked(f, ubuf, min(count, MAX_RW_COUNT), &f->f_pos);
	fput(f);
	return ret;
}

long sys_pread64(unsigned long fd, unsigned long ubuf, unsigned long count,
		 unsigned long pos)
{
	loff_t p = (loff_t)pos;
	struct file *f;
	long ret;

	f = fget_for(fd, false, &ret);
	if (!f)
		return ret;
	if (!f->f_op->llseek)
		ret = -ESPIPE;
	else if (p < 0)
		ret = -EINVAL;
	else
		ret = read_checked(f, ubuf, min(count, MAX_RW_COUNT), &p);
	fput(f);
	return ret;
}

/* Copy in and check a vector: a kmalloc'ed copy in *out (kfree it), or an errno. */
static long import_iovec(unsigned long uiov, unsigned long nr, struct iovec **out)
{
	size_t total = 0;
	struct iovec *iov;

	if (nr > IOV_MAX)
		return -EINVAL;
	iov = kmalloc_array(nr ? nr : 1, sizeof(*iov), GFP_KERNEL);
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, (const void __user *)uiov, nr * sizeof(*iov))) {
		kfree(iov);
		return -EFAULT;
	}
	for (unsigned long i = 0; i < nr; i++) {
		long err = 0;

		if (iov[i].iov_len > (unsigned long)__LONG_MAX__ - total)
			err = -EINVAL;
		else if (!access_ok((const void __user *)iov[i].iov_base, iov[i].iov_len))
			err = -EFAULT;
		if (err) {
			kfree(iov);
			return err;
		}
		total += iov[i].iov_len;
	}
	*out = iov;
	return 0;
}

long sys_readv(unsigned long fd, unsigned long uiov, unsigned long iovcnt)
{
	struct iovec *iov;
	struct file *f;
	long ret, done = 0;

	f = fget_for(fd, false, &ret);
	if (!f)
		return ret;
	ret = import_iovec(uiov, iovcnt, &iov);
	if (ret) {
		fput(f);
		return ret;
	}
	/* Fill the vectors in turn; a short read (a console line) ends the call. */
	for (unsigned long i = 0; i < iovcnt; i++) {
		ret = read_checked(f, iov[i].iov_base, iov[i].iov_len, &f->f_pos);
		if (ret < 0)
			break;
		done += ret;
		if ((unsigned long)ret < iov[i].iov_len)
			break;
	}
	kfree(iov);
	fput(f);
	return done || ret >= 0 ? done : ret;
}

/* Hand len gathered bytes to the file: 0, 1 for a short write, or a negative errno. */
static long flush(struct file *f, const char *kbuf, size_t len, size_t *done)
{
	ssize_t n;

	if (!len)
		return 0;
	n = f->f_op->write(f, kbuf, len, &f->f_pos);
	if (n < 0)
		return n;
	*done += n;
	return (size_t)n < len;
}

/*
 * Gather the vectors (already checked) into kbuf and write each page of
 * it. What was written is returned even when a later part fails.
 */
static long do_writev(struct file *f, const struct iovec *iov, unsigned long nr)
{
	char *kbuf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	size_t fill = 0, done = 0;
	long ret = 0;

	if (!kbuf)
		return -ENOMEM;
	for (unsigned long i = 0; i < nr && !ret; i++) {
		size_t off = 0;

		while (off < iov[i].iov_len && !ret) {
			size_t n = min(iov[i].iov_len - off, PAGE_SIZE - fill);

			if (copy_from_user(kbuf + fill, (const void __user *)(iov[i].iov_base + off), n)) {
				ret = -EFAULT;
				break;
			}
			fill += n;
			off += n;
			if (fill == PAGE_SIZE) {
				ret = flush(f, kbuf, fill, &done);
				fill = 0;
			}
		}
	}
	if (!ret)
		ret = flush(f, kbuf, fill, &done);
	kfree(kbuf);
	if (ret < 0 && !done)
		return ret;
	return done;
}

long sys_write(unsigned long fd, unsigned long ubuf, unsigned long count)
{
	struct iovec iov = { ubuf, min(count, MAX_RW_COUNT) };
	struct file *f;
	long ret;

	f = fget_for(fd, true, &ret);
	if (!f)
		return ret;
	if (!access_ok((const void __user *)ubuf, iov.iov_len))
		ret = -EFAULT;
	else
		ret = do_writev(f, &iov, 1);
	fput(f);
	return ret;
}

long sys_writev(unsigned long fd, unsigned long uiov, unsigned long iovcnt)
{
	struct iovec *iov;
	struct file *f;
	long ret;

	f = fget_for(fd, true, &ret);
	if (!f)
		return ret;
	ret = import_iovec(uiov, iovcnt, &iov);
	if (!ret) {
		ret = do_writev(f, iov, iovcnt);
		kfree(iov);
	}
	fput(f);
	return ret;
}

long sys_lseek(unsigned long fd, unsigned long offset, unsigned long whence)
{
	struct file *f = fdget(fd);
	long ret;

	if (!f)
		return -EBADF;
	if (!f->f_op->llseek)
		ret = -ESPIPE;
	else if (whence > SEEK_END)
		ret = -EINVAL;
	else
		ret = f->f_op->llseek(f, (loff_t)offset, whence);
	fput(f);
	return ret;
}
