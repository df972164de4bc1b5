// SPDX-License-Identifier: MIT
/*
 * read, write, writev and lseek. The bytes go through a page-sized
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
	struct file *f = fd > __INT_MAX__ ? NULL : fget(current_files(), fd);
	unsigned int acc;

	*err = -EBADF;
	if (!f)
		return NULL;
	acc = f->f_flags & O_ACCMODE;
	if ((write && acc == O_RDONLY) || (!write && acc == O_WRONLY)) {
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

static long do_read(struct file *f, unsigned long ubuf, size_t count)
{
	char *kbuf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	size_t done = 0;

	if (!kbuf)
		return -ENOMEM;

	while (done < count) {
		size_t chunk = min(count - done, PAGE_SIZE), left;
		loff_t pos = f->f_pos;
		ssize_t n = f->f_op->read(f, kbuf, chunk, &pos);

		if (n <= 0) {
			kfree(kbuf);
			return done ? (long)done : n;
		}
		left = copy_to_user((void __user *)(ubuf + done), kbuf, n);
		/* Only what reached the user is consumed. */
		f->f_pos = pos - left;
		done += n - left;
		if (left || (size_t)n < chunk)
			break;
	}
	kfree(kbuf);
	return done ? (long)done : -EFAULT;
}

long sys_read(unsigned long fd, unsigned long ubuf, unsigned long count)
{
	struct file *f;
	long ret;

	f = fget_for(fd, false, &ret);
	if (!f)
		return ret;
	count = min(count, MAX_RW_COUNT);
	if (!count)
		ret = 0;
	else if (!access_ok((const void __user *)ubuf, count))
		ret = -EFAULT;
	else
		ret = do_read(f, ubuf, count);
	fput(f);
	return ret;
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

static long writev_kernel_iov(unsigned long fd, const struct iovec *iov, unsigned long nr)
{
	size_t total = 0;
	struct file *f;
	long ret;

	f = fget_for(fd, true, &ret);
	if (!f)
		return ret;
	for (unsigned long i = 0; i < nr; i++) {
		ret = -EINVAL;
		if (iov[i].iov_len > (unsigned long)__LONG_MAX__ - total)
			goto out;
		ret = -EFAULT;
		if (!access_ok((const void __user *)iov[i].iov_base, iov[i].iov_len))
			goto out;
		total += iov[i].iov_len;
	}
	ret = do_writev(f, iov, nr);
out:
	fput(f);
	return ret;
}

long sys_write(unsigned long fd, unsigned long ubuf, unsigned long count)
{
	struct iovec iov = { ubuf, min(count, MAX_RW_COUNT) };

	return writev_kernel_iov(fd, &iov, 1);
}

long sys_writev(unsigned long fd, unsigned long uiov, unsigned long iovcnt)
{
	struct iovec *iov;
	long ret;

	if (iovcnt > IOV_MAX)
		return -EINVAL;
	if (!iovcnt) {
		struct file *f = fget_for(fd, true, &ret);

		if (f)
			fput(f);
		return ret;
	}
	iov = kmalloc_array(iovcnt, sizeof(*iov), GFP_KERNEL);
	if (!iov)
		return -ENOMEM;
	ret = -EFAULT;
	if (!copy_from_user(iov, (const void __user *)uiov, iovcnt * sizeof(*iov)))
		ret = writev_kernel_iov(fd, iov, iovcnt);
	kfree(iov);
	return ret;
}

long sys_lseek(unsigned long fd, unsigned long offset, unsigned long whence)
{
	struct file *f = fd > __INT_MAX__ ? NULL : fget(current_files(), fd);
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
