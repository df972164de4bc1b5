// SPDX-License-Identifier: MIT
/*
 * open, openat and close. "/" is the ramfs; /proc and /sys are the
 * pseudo file systems mounted on it, whatever the initramfs holds there.
 * There is no working directory yet: a relative path is taken from "/",
 * as for a process whose cwd is the root.
 */
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "fs/proc_pagemap.h"
#include "fs/proc_pid.h"
#include "fs/pseudo_file.h"
#include "fs/ramfs.h"
#include "kernel/uaccess.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

/*
 * Rewrite path (which starts with '/') in place as an absolute path
 * without '.', '..' or repeated '/', to see which file system a path is
 * on and to name a /proc or /sys file. Lexical, so "/x/../proc" reaches
 * /proc even without an /x (Linux says ENOENT); ramfs lookups walk the
 * real tree. The output never overtakes the input: each component it
 * writes with its '/' was preceded by at least one '/' in the input.
 */
static void canonicalize(char *path)
{
	char *out = path, *in = path;

	while (*in) {
		size_t len;

		while (*in == '/')
			in++;
		if (!*in)
			break;
		len = strcspn(in, "/");
		if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > path && *--out != '/')
				;
		} else if (!(len == 1 && in[0] == '.')) {
			*out++ = '/';
			memmove(out, in, len);
			out += len;
		}
		in += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

bool on_pseudo_mount(const char *path)
{
	static const char *const mounts[] = { "/proc", "/sys" };

	for (unsigned int i = 0; i < ARRAY_SIZE(mounts); i++) {
		size_t n = strlen(mounts[i]);

		if (!strncmp(path, mounts[i], n) && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

int file_open(const char *path, unsigned int flags, struct file **out)
{
	size_t len = strlen(path);
	char *canon;
	int ret;

	if (!len)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	canon = kmalloc(len + 2 + PROC_SELF_GROWTH, GFP_KERNEL);
	if (!canon)
		return -ENOMEM;
	canon[0] = '/';
	memcpy(canon + 1, path, len + 1);
	canonicalize(canon);
	proc_self_to_pid(canon);
	/* As on Linux, "file/" must name a directory. */
	if (path[len - 1] == '/')
		flags |= O_DIRECTORY;
	if (on_pseudo_mount(canon)) {
		/* /proc/<pid>/pagemap is binary, a file of its own. */
		ret = proc_pagemap_open(canon, flags, out);
		if (ret == -ENOENT)
			ret = pseudo_file_open(canon, flags, out);
	} else {
		ret = ramfs_open(path, flags, out);
	}
	kfree(canon);
	return ret;
}

/* dfd's directory path followed by '/' and name, in a new buffer (kfree it). */
static int path_at(unsigned int dfd, const char *name, char **out)
{
	struct file *dir = fget(current_files(), dfd);
	size_t dlen, nlen = strlen(name);
	int ret;

	if (!dir)
		return -EBADF;
	ret = -ENOTDIR;
	if (!dir->f_op->d_path)
		goto out;
	ret = -ENOMEM;
	*out = kmalloc(PATH_MAX + 1, GFP_KERNEL);
	if (!*out)
		goto out;
	ret = dir->f_op->d_path(dir, *out, PATH_MAX);
	dlen = ret < 0 ? 0 : strlen(*out);
	if (!ret && dlen + 1 + nlen >= PATH_MAX)
		ret = -ENAMETOOLONG;
	if (ret) {
		kfree(*out);
		goto out;
	}
	(*out)[dlen] = '/';
	memcpy(*out + dlen + 1, name, nlen + 1);
out:
	fput(dir);
	return ret;
}

int file_open_at(int dfd, const char *name, unsigned int flags, struct file **out)
{
	char *full = NULL;
	int ret;

	if (name[0] != '/' && dfd != AT_FDCWD) {
		ret = path_at(dfd, name, &full);
		if (ret)
			return ret;
		name = full;
	}
	ret = file_open(name, flags, out);
	kfree(full);
	return ret;
}

char *getname(unsigned long ufilename, int *err)
{
	char *name = kmalloc(PATH_MAX, GFP_KERNEL);
	long ret;

	if (!name) {
		*err = -ENOMEM;
		return NULL;
	}
	ret = strncpy_from_user(name, (const char __user *)ufilename, PATH_MAX);
	if (ret >= 0 && ret < PATH_MAX)
		return name;
	*err = ret < 0 ? ret : -ENAMETOOLONG;
	kfree(name);
	return NULL;
}

long sys_openat(unsigned long dfd, unsigned long ufilename, unsigned long flags,
		unsigned long mode)
{
	struct files_struct *files = current_files();
	struct file *f;
	char *name;
	int ret;

	(void)mode;			/* nothing can be created */
	if (!files)
		return -EBADF;
	name = getname(ufilename, &ret);
	if (!name)
		return ret;
	ret = file_open_at((int)dfd, name, flags, &f);
	kfree(name);
	if (ret)
		return ret;
	ret = fd_install_lowest(files, f, flags & O_CLOEXEC);
	if (ret < 0)
		fput(f);
	return ret;
}

long sys_open(unsigned long ufilename, unsigned long flags, unsigned long mode)
{
	return sys_openat((unsigned long)AT_FDCWD, ufilename, flags, mode);
}

long sys_close(unsigned long fd)
{
	if (fd >= NR_OPEN_MAX)
		return -EBADF;
	return close_fd(current_files(), fd);
}
