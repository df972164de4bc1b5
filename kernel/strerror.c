// SPDX-License-Identifier: MIT
#include "kernel/strerror.h"
#include "libc/errno.h"

struct errmsg {
	int err;
	const char *msg;
};

static const struct errmsg errmsgs[] = {
	{ EPERM, "Operation not permitted" },
	{ ENOENT, "No such file or directory" },
	{ ESRCH, "No such process" },
	{ EINTR, "Interrupted system call" },
	{ EIO, "Input/output error" },
	{ ENXIO, "No such device or address" },
	{ E2BIG, "Argument list too long" },
	{ ENOEXEC, "Exec format error" },
	{ EBADF, "Bad file descriptor" },
	{ ECHILD, "No child processes" },
	{ ENOMEM, "Cannot allocate memory" },
	{ EACCES, "Permission denied" },
	{ EFAULT, "Bad address" },
	{ EBUSY, "Device or resource busy" },
	{ EEXIST, "File exists" },
	{ ENODEV, "No such device" },
	{ ENOTDIR, "Not a directory" },
	{ EISDIR, "Is a directory" },
	{ EINVAL, "Invalid argument" },
	{ EMFILE, "Too many open files" },
	{ ENOTTY, "Inappropriate ioctl for device" },
	{ EFBIG, "File too large" },
	{ ENOSPC, "No space left on device" },
	{ ESPIPE, "Illegal seek" },
	{ EROFS, "Read-only file system" },
	{ ERANGE, "Numerical result out of range" },
	{ ENAMETOOLONG, "File name too long" },
	{ ENOSYS, "Function not implemented" },
	{ ELOOP, "Too many levels of symbolic links" },
	{ EOVERFLOW, "Value too large for defined data type" },
	{ ETIMEDOUT, "Connection timed out" },
	{ EHWPOISON, "Memory page has hardware error" },
};

const char *strerror(int err)
{
	static char buf[16];
	unsigned int i;
	int n;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(errmsgs) / sizeof(errmsgs[0]); i++)
		if (errmsgs[i].err == err)
			return errmsgs[i].msg;
	/* Rare path, no printf: avoid pulling formatting into errors. */
	n = sizeof(buf) - 1;
	buf[n] = '\0';
	do {
		buf[--n] = '0' + err % 10;
		err /= 10;
	} while (err && n > 6);
	buf[--n] = ' ';
	buf[--n] = 'r';
	buf[--n] = 'o';
	buf[--n] = 'r';
	buf[--n] = 'r';
	buf[--n] = 'e';
	return &buf[n];
}
