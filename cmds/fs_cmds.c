// SPDX-License-Identifier: MIT
/* cat and ls over the /proc and /sys namespace (kernel/pseudofs.h). */
#include "kernel/pseudofs.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/strerror.h"
#include "libc/errno.h"
#include "libc/string.h"

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
