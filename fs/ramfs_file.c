// SPDX-License-Identifier: MIT
/* Open ramfs files and directories: read-only, seekable, data in place. */
#include "fs/file.h"
#include "fs/ramfs.h"
#include "libc/errno.h"
#include "libc/string.h"

static ssize_t ramfs_file_read(struct file *f, char *buf, size_t count, loff_t *pos)
{
	const struct ramfs_inode *ino = f->private_data;
	size_t n;

	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if ((size_t)*pos >= ino->size)
		return 0;
	n = min(count, ino->size - *pos);
	memcpy(buf, (const char *)ino->data + *pos, n);
	*pos += n;
	return n;
}

static loff_t ramfs_file_llseek(struct file *f, loff_t offset, int whence)
{
	const struct ramfs_inode *ino = f->private_data;

	return fixed_size_llseek(f, offset, whence, ino->size);
}

static void ramfs_file_getattr(struct file *f, struct kstat *st)
{
	const struct ramfs_inode *ino = f->private_data;

	st->ino = ino->ino;
	st->mode = ino->mode;
	st->nlink = S_ISDIR(ino->mode) ? 2 : 1;
	st->size = S_ISDIR(ino->mode) ? 0 : ino->size;
}

static int ramfs_file_d_path(struct file *f, char *buf, size_t size)
{
	const struct ramfs_inode *ino = f->private_data;

	if (!S_ISDIR(ino->mode))
		return -ENOTDIR;
	return ramfs_path(ino, buf, size);
}

/* The root also shows the mount points, unless the archive had them too. */
static const char *const mount_points[] = { "proc", "sys" };

static int ramfs_file_readdir(struct file *f, loff_t pos, struct dir_entry *e)
{
	const struct ramfs_inode *dir = f->private_data, *c;
	loff_t i = 2;

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dot_entries(pos, dir->ino, e))
		return 0;
	for (c = dir->children; c && i < pos; c = c->next)
		i++;
	if (c) {
		e->ino = c->ino;
		e->type = S_ISDIR(c->mode) ? DT_DIR : DT_REG;
		strlcpy(e->name, c->name, sizeof(e->name));
		return 0;
	}
	if (dir != ramfs_root())
		return 1;
	for (unsigned int m = 0; m < ARRAY_SIZE(mount_points); m++) {
		struct ramfs_inode *shadowed;
		char path[8] = "/";

		strlcat(path, mount_points[m], sizeof(path));
		if (!ramfs_lookup(path, &shadowed) || i++ < pos)
			continue;
		e->ino = 0x10000 + m;
		e->type = DT_DIR;
		strlcpy(e->name, mount_points[m], sizeof(e->name));
		return 0;
	}
	return 1;
}

static const struct file_operations ramfs_file_ops = {
	.read = ramfs_file_read,
	.llseek = ramfs_file_llseek,
	.getattr = ramfs_file_getattr,
	.d_path = ramfs_file_d_path,
	.readdir = ramfs_file_readdir,
};

int ramfs_open(const char *path, unsigned int flags, struct file **out)
{
	unsigned int acc = flags & O_ACCMODE;
	struct ramfs_inode *ino;
	int ret = ramfs_lookup(path, &ino);

	if (ret == -ENOENT && (flags & O_CREAT))
		return -EROFS;
	if (ret)
		return ret;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	if (!(flags & O_PATH) && (acc != O_RDONLY || (flags & O_TRUNC)))
		return S_ISDIR(ino->mode) ? -EISDIR : -EROFS;
	*out = alloc_file(&ramfs_file_ops, flags, ino);
	return *out ? 0 : -ENOMEM;
}
