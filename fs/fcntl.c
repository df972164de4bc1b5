// SPDX-License-Identifier: MIT
/*
 * fcntl, dup and dup2. musl's open(O_CLOEXEC) follows up with
 * F_SETFD, and its stdio asks F_GETFL, so both matter before main().
 */
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "libc/errno.h"

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC	1030
#define FD_CLOEXEC	1

/* Flags F_SETFL may change; the others are fixed at open. */
#define SETFL_MASK	(O_APPEND | O_NONBLOCK)
/* Flags that only act at open and F_GETFL does not report. */
#define OPEN_ONLY	(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)

/* Another fd for f from start up, with a reference of its own. */
static long dupfd(struct files_struct *files, struct file *f, unsigned long start,
		  bool cloexec)
{
	int fd;

	if (start >= NR_OPEN_MAX)
		return -EINVAL;
	get_file(f);
	fd = fd_install_from(files, f, start, cloexec);
	if (fd < 0)
		fput(f);
	return fd;
}

static long do_fcntl(struct files_struct *files, struct file *f, unsigned int fd,
		     unsigned long cmd, unsigned long arg)
{
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return dupfd(files, f, arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return files->close_on_exec & BIT(fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		if (arg & FD_CLOEXEC)
			files->close_on_exec |= BIT(fd);
		else
			files->close_on_exec &= ~BIT(fd);
		return 0;
	case F_GETFL:
		return (f->f_flags & ~OPEN_ONLY) | O_LARGEFILE;
	case F_SETFL:
		f->f_flags = (f->f_flags & ~SETFL_MASK) | (arg & SETFL_MASK);
		return 0;
	}
	return -EINVAL;
}

long sys_fcntl(unsigned long fd, unsigned long cmd, unsigned long arg)
{
	struct file *f = fdget(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = do_fcntl(current_files(), f, fd, cmd, arg);
	fput(f);
	return ret;
}

long sys_dup(unsigned long fd)
{
	return sys_fcntl(fd, F_DUPFD, 0);
}

long sys_dup2(unsigned long oldfd, unsigned long newfd)
{
	struct file *f = fdget(oldfd);

	if (!f)
		return -EBADF;
	/* The reference fdget took becomes the new fd's. */
	if (newfd >= NR_OPEN_MAX || oldfd == newfd) {
		fput(f);
		return newfd >= NR_OPEN_MAX ? -EBADF : (long)newfd;
	}
	fd_install_at(current_files(), newfd, f);
	return newfd;
}
