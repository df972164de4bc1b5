// SPDX-License-Identifier: MIT
#include "kernel/pseudofs.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/strerror.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

extern const struct pseudo_file __pseudo_file_start[], __pseudo_file_end[];

#define MAX_DYNAMIC_FILES	4096
static const struct pseudo_file *dynamic_files[MAX_DYNAMIC_FILES];
static char last_error[160];

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

int pseudofs_read(const char *path, char *buf, size_t size)
{
	const struct pseudo_file *f = pseudofs_lookup(path);
	struct seq_buf m;
	int ret;

	if (!f)
		return -ENOENT;
	if (!f->show)
		return -EPERM;
	seq_buf_init(&m, buf, size);
	ret = f->show(&m, f->data);
	if (ret < 0)
		return ret;
	return m.len;
}

void pseudofs_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

const char *pseudofs_last_error(int err)
{
	return last_error[0] ? last_error : strerror(err);
}

int pseudofs_write(const char *path, const char *buf, size_t len)
{
	const struct pseudo_file *f = pseudofs_lookup(path);

	last_error[0] = '\0';
	if (!f)
		return -ENOENT;
	if (!f->store) {
		pseudofs_set_error("read-only file");
		return -EPERM;
	}
	return f->store(buf, len, f->data);
}

int pseudofs_parse_ulong(const char *buf, size_t len, unsigned long *val)
{
	char tmp[32];
	int ret;

	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	if (!len) {
		pseudofs_set_error("empty value: a number is required");
		return -EINVAL;
	}
	if (len >= sizeof(tmp)) {
		pseudofs_set_error("value too long");
		return -EINVAL;
	}
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	ret = kstrtoul(tmp, 0, val);
	if (ret == -ERANGE)
		pseudofs_set_error("'%s' is out of range", tmp);
	else if (ret)
		pseudofs_set_error("'%s' is not a non-negative integer", tmp);
	return ret;
}

int pseudofs_parse_switch(const char *buf, size_t len, const char *name, bool *on)
{
	unsigned long v;
	int ret = pseudofs_parse_ulong(buf, len, &v);

	if (ret)
		return ret;
	if (v > 1) {
		pseudofs_set_error("%s: must be 0 or 1", name);
		return -EINVAL;
	}
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
	return count;
}

/* Shell commands over the namespace. */

static void ls_count(const char *name, bool is_dir, void *arg)
{
	(void)name;
	(void)is_dir;
	(void)arg;
}

/* path without its trailing slashes ("/" stays); false when too long. */
static bool strip_slashes(const char *path, char *buf, size_t size)
{
	size_t n = strlcpy(buf, path, size);

	if (n >= size)
		return false;
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return true;
}

/* Why path cannot be read as a file, as cat(1) says it. */
static const char *cat_error(const char *path, int err)
{
	char dir[128];

	if (err != -ENOENT || !strip_slashes(path, dir, sizeof(dir)))
		return strerror(err);
	if (pseudofs_list(dir, ls_count, NULL) > 0)
		return "Is a directory";
	if (strcmp(dir, path) && pseudofs_lookup(dir))
		return "Not a directory";
	return strerror(err);
}

static int cmd_cat(int argc, char **argv)
{
	static char buf[16384];
	int ret = 0;

	if (argc < 2) {
		printk("cat: usage: cat FILE...\n");
		return -EINVAL;
	}
	for (int i = 1; i < argc; i++) {
		int n = pseudofs_read(argv[i], buf, sizeof(buf));

		if (n < 0) {
			printk("cat: %s: %s\n", argv[i], cat_error(argv[i], n));
			ret = n;
			continue;
		}
		printk_write(buf, n);
	}
	return ret;
}
SHELL_CMD(cat, "FILE...", "print /proc and /sys files");

static void ls_one(const char *name, bool is_dir, void *arg)
{
	(void)arg;
	printk("%s%s\n", name, is_dir ? "/" : "");
}

static int cmd_ls(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/";
	char path[128];

	if (argc > 2) {
		printk("ls: usage: ls [DIR]\n");
		return -EINVAL;
	}
	if (!strip_slashes(dir, path, sizeof(path))) {
		printk("ls: %s: path too long\n", dir);
		return -EINVAL;
	}
	if (pseudofs_lookup(path)) {
		printk("%s\n", path);
		return 0;
	}
	if (path[0] != '/' || pseudofs_list(path, ls_count, NULL) == 0) {
		printk("ls: cannot access '%s': No such file or directory\n", dir);
		return -ENOENT;
	}
	pseudofs_list(path, ls_one, NULL);
	return 0;
}
SHELL_CMD(ls, "[DIR]", "list a /proc or /sys directory");
