// SPDX-License-Identifier: MIT
/*
 * ioctl. The console is not a tty with a window size here, so every
 * request (TIOCGWINSZ first of all: libc's isatty() asks it) answers
 * -ENOTTY, which makes programs treat their output as a file and buffer
 * it fully; only the fd is checked, and arg is never touched.
 */
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "libc/errno.h"

long sys_ioctl(unsigned long fd, unsigned long cmd, unsigned long arg)
{
	struct file *f = fdget(fd);

	(void)cmd;
	(void)arg;
	if (!f)
		return -EBADF;
	fput(f);
	return -ENOTTY;
}
