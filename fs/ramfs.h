/* SPDX-License-Identifier: MIT */
#ifndef FS_RAMFS_H
#define FS_RAMFS_H

/*
 * The read-only in-memory file system mounted at "/": directories and
 * regular files unpacked from the initramfs. A file's data is not
 * copied: it points into the archive, which stays reserved for good.
 * Nothing writes the tree after boot, so lookups take no lock.
 */
#include "kernel/types.h"

#define RAMFS_NAME_MAX	255
#define PATH_MAX	4096

struct ramfs_inode {
	unsigned long ino;
	unsigned int mode;		/* S_IFDIR or S_IFREG and permissions */
	const void *data;		/* regular file */
	size_t size;
	struct ramfs_inode *parent;	/* "/" is its own parent */
	struct ramfs_inode *children;	/* directory: first child */
	struct ramfs_inode *next;	/* next in the parent's list */
	unsigned int gen;		/* the unpack that created it */
	char name[];
};

struct ramfs_inode *ramfs_root(void);
/* ino's absolute path into buf: 0, or -ENAMETOOLONG. */
int ramfs_path(const struct ramfs_inode *ino, char *buf, size_t size);

/*
 * Resolve an absolute path ("." and ".." and repeated '/' allowed) to 0 and
 * *out, or -ENOENT (missing), -ENOTDIR (a component is a file),
 * -ENAMETOOLONG.
 */
int ramfs_lookup(const char *path, struct ramfs_inode **out);

/*
 * Add a directory or a regular file at path (relative or absolute; every
 * parent must exist). Used while unpacking. Returns 0, -EEXIST, -ENOENT,
 * -ENOTDIR, -EINVAL (empty or bad name) or -ENOMEM.
 */
int ramfs_create(const char *path, unsigned int mode, const void *data, size_t size);

/*
 * Unpacking is all or nothing: ramfs_begin() starts a generation, and
 * ramfs_abort(gen) removes every node created since it began.
 */
unsigned int ramfs_begin(void);
void ramfs_abort(unsigned int gen);
/* Remove the node at path and everything below it (not "/"). */
int ramfs_remove(const char *path);

/*
 * For exec: the contents of the regular file at path, in place.
 * 0, or -ENOENT / -ENOTDIR / -EISDIR.
 */
int ramfs_read_file(const char *path, const void **data, size_t *len);

/*
 * Open the ramfs node at path (fs/ramfs_file.c): read-only, so any write
 * access, O_TRUNC or O_CREAT of a missing file is -EROFS (-EISDIR for a
 * directory opened for writing); O_DIRECTORY on a file is -ENOTDIR.
 */
struct file;
int ramfs_open(const char *path, unsigned int flags, struct file **out);

#endif
