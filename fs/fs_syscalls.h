/* SPDX-License-Identifier: MIT */
#ifndef FS_FS_SYSCALLS_H
#define FS_FS_SYSCALLS_H

/*
 * The file and small system calls, with Linux's x86_64 semantics. Every
 * argument is a raw register value (unsigned long) and every call returns
 * a value or a negative errno, so the system-call table can store them
 * as they are. User pointers are checked and copied with kernel/uaccess.h:
 * a bad one gives -EFAULT, never a kernel fault. They act on the calling
 * task's files (current_files()).
 */

long sys_read(unsigned long fd, unsigned long ubuf, unsigned long count);
long sys_write(unsigned long fd, unsigned long ubuf, unsigned long count);
long sys_writev(unsigned long fd, unsigned long uiov, unsigned long iovcnt);
long sys_open(unsigned long ufilename, unsigned long flags, unsigned long mode);
long sys_openat(unsigned long dfd, unsigned long ufilename, unsigned long flags,
		unsigned long mode);
long sys_close(unsigned long fd);
long sys_lseek(unsigned long fd, unsigned long offset, unsigned long whence);
long sys_fstat(unsigned long fd, unsigned long ustatbuf);
long sys_ioctl(unsigned long fd, unsigned long cmd, unsigned long arg);
long sys_readv(unsigned long fd, unsigned long uiov, unsigned long iovcnt);
long sys_pread64(unsigned long fd, unsigned long ubuf, unsigned long count,
		 unsigned long pos);
long sys_fcntl(unsigned long fd, unsigned long cmd, unsigned long arg);
long sys_dup(unsigned long fd);
long sys_dup2(unsigned long oldfd, unsigned long newfd);
long sys_stat(unsigned long ufilename, unsigned long ustatbuf);
long sys_getdents64(unsigned long fd, unsigned long udirp, unsigned long count);
long sys_newfstatat(unsigned long dfd, unsigned long ufilename, unsigned long ustatbuf,
		    unsigned long flags);

/* kernel/sys_misc.c */
long sys_uname(unsigned long uname);
long sys_getrandom(unsigned long ubuf, unsigned long count, unsigned long flags);
long sys_clock_gettime(unsigned long which, unsigned long utp);
long sys_prlimit64(unsigned long pid, unsigned long resource,
		   unsigned long unew_rlim, unsigned long uold_rlim);
long sys_getuid(void);
long sys_geteuid(void);
long sys_getgid(void);
long sys_getegid(void);

#endif
