// SPDX-License-Identifier: MIT
/*
 * The ramfs tree: each directory keeps its children in a singly linked
 * list, in creation order (what `ls` shows). Directories hold a few
 * dozen entries at most, so a list walk per component is cheap enough.
 */
#include "fs/ramfs.h"
#include "fs/file.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

static struct ramfs_inode root = {
	.ino = 1,
	.mode = S_IFDIR | 0755,
	.parent = &root,
};
static unsigned long next_ino = 2;
static unsigned int cur_gen;

struct ramfs_inode *ramfs_root(void)
{
	return &root;
}

/* The next component of [*p, end) (skipping '/'), its length in *len; NULL at the end. */
static const char *next_component(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *e;

	while (s < end && *s == '/')
		s++;
	if (s == end)
		return NULL;
	for (e = s; e < end && *e != '/'; e++)
		;
	*len = e - s;
	*p = e;
	return s;
}

static struct ramfs_inode *find_child(struct ramfs_inode *dir, const char *name,
				      size_t len)
{
	for (struct ramfs_inode *c = dir->children; c; c = c->next)
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

/* Walk the first n bytes of path from the root. */
static int walk(const char *path, size_t n, struct ramfs_inode **out)
{
	struct ramfs_inode *cur = &root;
	const char *p = path, *name;
	size_t len;

	while ((name = next_component(&p, path + n, &len))) {
		if (len > RAMFS_NAME_MAX)
			return -ENAMETOOLONG;
		if (!S_ISDIR(cur->mode))
			return -ENOTDIR;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			cur = cur->parent;
			continue;
		}
		cur = find_child(cur, name, len);
		if (!cur)
			return -ENOENT;
	}
	*out = cur;
	return 0;
}

int ramfs_lookup(const char *path, struct ramfs_inode **out)
{
	size_t n = strlen(path);
	struct ramfs_inode *ino;
	int ret;

	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	ret = walk(path, n, &ino);
	if (ret)
		return ret;
	/* "file/" names a directory that is not one. */
	if (n && path[n - 1] == '/' && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	*out = ino;
	return 0;
}

/* Split path into its parent directory and last name (in name, NUL-terminated). */
static int split_last(const char *path, struct ramfs_inode **dir, char *name)
{
	size_t n = strlen(path), start;
	int ret;

	while (n && path[n - 1] == '/')
		n--;
	if (!n || n >= PATH_MAX)
		return -EINVAL;
	start = n;
	while (start && path[start - 1] != '/')
		start--;
	if (n - start > RAMFS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, path + start, n - start);
	name[n - start] = '\0';
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	ret = walk(path, start, dir);
	if (ret)
		return ret;
	return S_ISDIR((*dir)->mode) ? 0 : -ENOTDIR;
}

int ramfs_create(const char *path, unsigned int mode, const void *data, size_t size)
{
	char name[RAMFS_NAME_MAX + 1];
	struct ramfs_inode *dir, *ino, **tail;
	size_t len;
	int ret;

	if (!S_ISDIR(mode) && !S_ISREG(mode))
		return -EINVAL;
	ret = split_last(path, &dir, name);
	if (ret)
		return ret;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	len = strlen(name);
	if (find_child(dir, name, len))
		return -EEXIST;
	ino = kzalloc(sizeof(*ino) + len + 1, GFP_KERNEL);
	if (!ino)
		return -ENOMEM;
	memcpy(ino->name, name, len + 1);
	ino->ino = next_ino++;
	ino->mode = mode;
	ino->gen = cur_gen;
	ino->parent = dir;
	if (S_ISREG(mode)) {
		ino->data = data;
		ino->size = size;
	}
	for (tail = &dir->children; *tail; tail = &(*tail)->next)
		;
	*tail = ino;
	return 0;
}

static void free_tree(struct ramfs_inode *ino)
{
	while (ino->children) {
		struct ramfs_inode *c = ino->children;

		ino->children = c->next;
		free_tree(c);
	}
	if (ino != &root)
		kfree(ino);
}

static void unlink_child(struct ramfs_inode *ino)
{
	struct ramfs_inode **pp = &ino->parent->children;

	while (*pp != ino)
		pp = &(*pp)->next;
	*pp = ino->next;
}

int ramfs_remove(const char *path)
{
	struct ramfs_inode *ino;
	int ret = ramfs_lookup(path, &ino);

	if (ret)
		return ret;
	if (ino == &root)
		return -EBUSY;
	unlink_child(ino);
	free_tree(ino);
	return 0;
}

unsigned int ramfs_begin(void)
{
	return ++cur_gen;
}

/* Children of dir created in generation gen or later go, with their subtrees. */
static void remove_gen(struct ramfs_inode *dir, unsigned int gen)
{
	struct ramfs_inode **pp = &dir->children;

	while (*pp) {
		struct ramfs_inode *c = *pp;

		if (c->gen >= gen) {
			*pp = c->next;
			free_tree(c);
			continue;
		}
		remove_gen(c, gen);
		pp = &c->next;
	}
}

void ramfs_abort(unsigned int gen)
{
	remove_gen(&root, gen);
}

int ramfs_path(const struct ramfs_inode *ino, char *buf, size_t size)
{
	size_t len = 0;

	/* Build it backwards from the end of buf, then move it to the front. */
	if (size < 2)
		return -ENAMETOOLONG;
	buf[size - 1] = '\0';
	for (; ino != &root; ino = ino->parent) {
		size_t n = strlen(ino->name);

		if (len + n + 1 > size - 1)
			return -ENAMETOOLONG;
		len += n + 1;
		memcpy(buf + size - 1 - len + 1, ino->name, n);
		buf[size - 1 - len] = '/';
	}
	if (!len)
		buf[size - 1 - ++len] = '/';
	memmove(buf, buf + size - 1 - len, len + 1);
	return 0;
}

int ramfs_read_file(const char *path, const void **data, size_t *len)
{
	struct ramfs_inode *ino;
	int ret = ramfs_lookup(path, &ino);

	if (ret)
		return ret;
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	*data = ino->data;
	*len = ino->size;
	return 0;
}
