// SPDX-License-Identifier: MIT
/*
 * The ramfs as the console sees it: the console's cat and ls read the
 * pseudofs namespace, so the ramfs joins it through a resolver, outside
 * /proc and /sys. Files show their bytes as they are (cat of a program
 * prints its ELF image, as on Linux); writing one is refused.
 */
#include "fs/file.h"
#include "fs/ramfs.h"
#include "fs/ramfs_view.h"
#include "kernel/pseudofs.h"
#include "kernel/seq_buf.h"
#include "libc/errno.h"
#include "libc/string.h"

static int ramfs_view_show(struct seq_buf *m, void *data)
{
	const struct ramfs_inode *ino = data;

	seq_write(m, ino->data, ino->size);
	return 0;
}

static int ramfs_view_resolve(const char *path, struct pseudo_file *out)
{
	struct ramfs_inode *ino;

	if (path[0] != '/' || on_pseudo_mount(path) || ramfs_lookup(path, &ino))
		return -ENOENT;
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	*out = (struct pseudo_file){ path, ramfs_view_show, NULL, ino };
	return 0;
}

static int ramfs_view_list(const char *dir, pseudofs_list_fn fn, void *arg)
{
	struct ramfs_inode *d;
	int n = 0;

	if (dir[0] != '/' || on_pseudo_mount(dir) || ramfs_lookup(dir, &d) || !S_ISDIR(d->mode))
		return 0;
	for (struct ramfs_inode *c = d->children; c; c = c->next) {
		/* The mount points are listed by pseudofs itself. */
		if (d == ramfs_root() && (!strcmp(c->name, "proc") || !strcmp(c->name, "sys")))
			continue;
		fn(c->name, S_ISDIR(c->mode), arg);
		n++;
	}
	return n;
}

void ramfs_view_init(void)
{
	pseudofs_add_resolver(ramfs_view_resolve, ramfs_view_list);
}
