/* SPDX-License-Identifier: MIT */
#ifndef FS_FDTABLE_H
#define FS_FDTABLE_H

/*
 * A process's open files: a table of struct file pointers indexed by fd,
 * shared by threads (CLONE_FILES) through its reference count. fork
 * copies the table and takes a reference on every open file, so parent
 * and child share file positions, as in Linux.
 */
#include "kernel/types.h"

struct file;

/* RLIMIT_NOFILE: fds 0..NR_OPEN_MAX-1 (Linux's default soft limit is 1024). */
#define NR_OPEN_MAX	64

struct files_struct {
	int count;
	struct file *fd[NR_OPEN_MAX];
	unsigned long close_on_exec;	/* one bit per fd (O_CLOEXEC) */
};

/* A table with fds 0, 1 and 2 open on the console; NULL when memory is short. */
struct files_struct *files_alloc_console(void);
/* fork: a copy of the table sharing every open file; NULL when memory is short. */
struct files_struct *files_dup(struct files_struct *files);
/* CLONE_FILES: one more user of the same table. */
void files_get(struct files_struct *files);
/* exit: drop a user; the last one closes every fd. NULL is ignored. */
void files_put(struct files_struct *files);
/* execve: close the fds opened with O_CLOEXEC. */
void do_close_on_exec(struct files_struct *files);

/* The calling task's table (NULL for a kernel thread). */
struct files_struct *current_files(void);
/*
 * Make files the calling task's table and return the previous one: for
 * in-kernel tests that call the system calls directly.
 */
struct files_struct *files_swap_current(struct files_struct *files);

/* Install f at the lowest free fd: the fd, or -EMFILE. Takes f's reference. */
int fd_install_lowest(struct files_struct *files, struct file *f, bool cloexec);
/* The same from fd start up (F_DUPFD). */
int fd_install_from(struct files_struct *files, struct file *f, unsigned int start,
		    bool cloexec);
/* Put f at fd, closing what was there (dup2). Takes f's reference. */
void fd_install_at(struct files_struct *files, unsigned int fd, struct file *f);
/* The file open at fd, or NULL (no reference taken). */
struct file *fget_raw(struct files_struct *files, unsigned int fd);
/*
 * The file open at fd with a reference held (fput() it), or NULL: a
 * thread sharing the table may close fd while the call sleeps.
 */
struct file *fget(struct files_struct *files, unsigned int fd);
/* fget() on the calling task's table for a raw system-call argument. */
struct file *fdget(unsigned long fd);
/* 0, or -EBADF when fd is not open. */
int close_fd(struct files_struct *files, unsigned int fd);

#endif
