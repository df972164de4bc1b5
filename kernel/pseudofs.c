// SPDX-License-Identifier: MIT
#include "kernel/pseudofs.h"
#include "kernel/printk.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

extern const struct pseudo_file __pseudo_file_start[], __pseudo_file_end[];

#define MAX_DYNAMIC_FILES	4096
static const struct pseudo_file *dynamic_files[MAX_DYNAMIC_FILES];

int pseudofs_register(const struct pseudo_file *f)
{
	for (unsigned int i = 0; i < MAX_DYNAMIC_FILES; i++) {
		if (!dynamic_files[i]) {
			dynamic_files[i] = f;
			return 0;
		}
	}
	pr_warn("pseudofs: no room to register %s\n", f->path);
	return -ENOSPC;
}

void pseudofs_unregister(const struct pseudo_file *f)
{
	for (unsigned int i = 0; i < MAX_DYNAMIC_FILES; i++)
		if (dynamic_files[i] == f)
			dynamic_files[i] = NULL;
}

/* Every file, static then dynamic; returns NULL past the end. */
static const struct pseudo_file *file_at(unsigned int i)
{
	unsigned int nstatic = __pseudo_file_end - __pseudo_file_start;

	if (i < nstatic)
		return &__pseudo_file_start[i];
	i -= nstatic;
	if (i >= MAX_DYNAMIC_FILES)
		return NULL;
	return dynamic_files[i] ? dynamic_files[i] : (const struct pseudo_file *)1;
}

#define for_each_pseudo_file(f, i)					\
	for (i = 0; (f = file_at(i)) != NULL; i++)			\
		if (f != (const struct pseudo_file *)1)

const struct pseudo_file *pseudofs_lookup(const char *path)
{
	const struct pseudo_file *f;
	unsigned int i;

	for_each_pseudo_file(f, i)
		if (!strcmp(f->path, path))
			return f;
	return NULL;
}

#define MAX_RESOLVERS	4

static struct {
	int (*resolve)(const char *path, struct pseudo_file *out);
	int (*list)(const char *dir, pseudofs_list_fn fn, void *arg);
} resolvers[MAX_RESOLVERS];

int pseudofs_add_resolver(int (*resolve)(const char *path, struct pseudo_file *out),
			  int (*list)(const char *dir, pseudofs_list_fn fn, void *arg))
{
	for (unsigned int i = 0; i < MAX_RESOLVERS; i++) {
		if (!resolvers[i].resolve) {
			resolvers[i].resolve = resolve;
			resolvers[i].list = list;
			return 0;
		}
	}
	return -ENOSPC;
}

static void dir_count(const char *name, bool is_dir, void *arg)
{
	(void)name;
	(void)is_dir;
	(*(int *)arg)++;
}

int pseudofs_resolve(const char *path, struct pseudo_file *out)
{
	const struct pseudo_file *f;
	int ret, children = 0;

	for (unsigned int i = 0; i < MAX_RESOLVERS && resolvers[i].resolve; i++) {
		ret = resolvers[i].resolve(path, out);
		if (ret != -ENOENT)
			return ret;
	}
	f = pseudofs_lookup(path);
	if (f) {
		*out = *f;
		return 0;
	}
	pseudofs_list(path, dir_count, &children);
	return children ? -EISDIR : -ENOENT;
}

int pseudofs_read(const char *path, char *buf, size_t size)
{
	struct pseudo_file f;
	struct seq_buf m;
	int ret;

	ret = pseudofs_resolve(path, &f);
	if (ret)
		return ret;
	if (!f.show)
		return -EPERM;
	seq_buf_init(&m, buf, size);
	ret = f.show(&m, f.data);
	if (ret < 0)
		return ret;
	return m.len;
}

int pseudofs_store(const struct pseudo_file *f, const char *buf, size_t len,
		   struct errmsg *e)
{
	errmsg_init(e);
	if (!f->store)
		return errmsg_set(e, -EPERM, "read-only file");
	return f->store(buf, len, f->data, e);
}

int pseudofs_write(const char *path, const char *buf, size_t len, struct errmsg *e)
{
	struct pseudo_file f;
	int ret = pseudofs_resolve(path, &f);

	errmsg_init(e);
	if (ret)
		return ret;
	return pseudofs_store(&f, buf, len, e);
}

int pseudofs_parse_ulong(const char *buf, size_t len, unsigned long *val,
			 struct errmsg *e)
{
	char tmp[32];
	int ret;

	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	if (!len)
		return errmsg_set(e, -EINVAL, "empty value: a number is required");
	if (len >= sizeof(tmp))
		return errmsg_set(e, -EINVAL, "value too long");
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	ret = kstrtoul(tmp, 0, val);
	if (ret == -ERANGE)
		return errmsg_set(e, ret, "'%s' is out of range", tmp);
	if (ret)
		return errmsg_set(e, ret, "'%s' is not a non-negative integer", tmp);
	return 0;
}

int pseudofs_parse_switch(const char *buf, size_t len, const char *name, bool *on,
			  struct errmsg *e)
{
	unsigned long v;
	int ret = pseudofs_parse_ulong(buf, len, &v, e);

	if (ret)
		return ret;
	if (v > 1)
		return errmsg_set(e, -EINVAL, "%s: must be 0 or 1", name);
	*on = v;
	return 0;
}

/* The name of path's component right after dir, if path is below dir. */
static bool child_name(const char *dir, const char *path, char *name,
		       size_t size, bool *is_dir)
{
	size_t dl = strlen(dir);
	const char *rest, *slash;
	size_t n;

	if (dl == 1)
		dl = 0;			/* "/" */
	if (strncmp(path, dir, dl) || path[dl] != '/')
		return false;
	rest = path + dl + 1;
	slash = strchr(rest, '/');
	n = slash ? (size_t)(slash - rest) : strlen(rest);
	if (n >= size)
		n = size - 1;
	memcpy(name, rest, n);
	name[n] = '\0';
	*is_dir = slash != NULL;
	return true;
}

int pseudofs_list(const char *dir, void (*fn)(const char *name, bool is_dir, void *arg),
		  void *arg)
{
	const struct pseudo_file *f, *g;
	unsigned int i, j;
	int count = 0;

	for_each_pseudo_file(f, i) {
		char name[64], prev[64];
		bool is_dir, seen = false, pdir;

		if (!child_name(dir, f->path, name, sizeof(name), &is_dir))
			continue;
		/* Report each child once: skip it if an earlier file had it. */
		for_each_pseudo_file(g, j) {
			if (j >= i)
				break;
			if (child_name(dir, g->path, prev, sizeof(prev), &pdir) &&
			    !strcmp(prev, name)) {
				seen = true;
				break;
			}
		}
		if (seen)
			continue;
		fn(name, is_dir, arg);
		count++;
	}
	for (unsigned int i = 0; i < MAX_RESOLVERS && resolvers[i].list; i++)
		count += resolvers[i].list(dir, fn, arg);
	return count;
}
