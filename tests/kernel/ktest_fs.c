// SPDX-License-Identifier: MIT
/* The fs suite's archive writer and system-call environment (ktest_fs.h). */
#include "tests/kernel/ktest_fs.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/fs_syscalls.h"
#include "fs/initramfs.h"
#include "fs/ramfs.h"
#include "kernel/uaccess.h"
#include "mm/mmap.h"
#include "libc/stdio.h"
#include "libc/string.h"

char newc_buf[NEWC_MAX];
char newc_why[NEWC_WHY];

size_t newc_put(size_t off, const char *name, unsigned int mode,
		const char *data, size_t size)
{
	size_t namesize = strlen(name) + 1;

	off += snprintf(newc_buf + off, NEWC_MAX - off,
			"070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
			7u, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u, namesize, 0u);
	memcpy(newc_buf + off, name, namesize);
	off += namesize;
	while (off % 4)
		newc_buf[off++] = '\0';
	memcpy(newc_buf + off, data, size);
	off += size;
	while (off % 4)
		newc_buf[off++] = '\0';
	return off;
}

size_t newc_trailer(size_t off)
{
	return newc_put(off, "TRAILER!!!", 0, "", 0);
}

void newc_start(void)
{
	ramfs_remove("/ktest_fs");
	memset(newc_buf, 0, sizeof(newc_buf));
}

size_t newc_good(void)
{
	size_t off;

	newc_start();
	off = newc_put(0, ".", S_IFDIR | 0755, "", 0);
	off = newc_put(off, "./ktest_fs", S_IFDIR | 0755, "", 0);
	off = newc_put(off, "ktest_fs/dir", S_IFDIR | 0700, "", 0);
	off = newc_put(off, "ktest_fs/dir/hello", S_IFREG | 0644, "hi\n", 3);
	return newc_trailer(off);
}

bool fs_env_setup(struct kunit *test, struct fs_env *env)
{
	env->mm = mm_create("ktest_fs");
	env->files = files_alloc_console();
	if (!env->mm || !env->files) {
		ktest_fail(test, __FILE__, __LINE__, "no memory for the test's mm and files");
		if (env->mm)
			mm_destroy(env->mm);
		files_put(env->files);
		return false;
	}
	switch_mm(env->mm);
	if (do_mmap(env->mm, UBASE, UPAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) != (long)UBASE) {
		ktest_fail(test, __FILE__, __LINE__, "cannot map the test's user buffer");
		mm_destroy(env->mm);
		files_put(env->files);
		return false;
	}
	env->saved = files_swap_current(env->files);
	return true;
}

bool fs_env_setup_with_archive(struct kunit *test, struct fs_env *env)
{
	if (unpack_to_rootfs(newc_buf, newc_good(), newc_why, sizeof(newc_why))) {
		ktest_fail(test, __FILE__, __LINE__, "newc_good() refused: %s", newc_why);
		return false;
	}
	return fs_env_setup(test, env);
}

void fs_env_teardown(struct fs_env *env)
{
	files_swap_current(env->saved);
	files_put(env->files);
	mm_destroy(env->mm);
	ramfs_remove("/ktest_fs");
}

unsigned long fs_ustr(unsigned long off, const char *s)
{
	unsigned long u = UBASE + off;

	if (copy_to_user((void __user *)u, s, strlen(s) + 1))
		return 0;
	return u;
}

long fs_uopen(const char *path, unsigned long flags)
{
	return sys_open(fs_ustr(0, path), flags, 0);
}

long fs_uread(unsigned long fd, char *out, size_t n)
{
	long ret = sys_read(fd, UBASE + 2048, n);

	out[0] = '\0';
	if (ret > 0 && !copy_from_user(out, (const void __user *)(UBASE + 2048), ret))
		out[ret] = '\0';
	return ret;
}

long fs_uwrite(unsigned long fd, const char *s)
{
	return sys_write(fd, fs_ustr(3072, s), strlen(s));
}


long fs_list_dir(unsigned long fd, unsigned long count, char *names, size_t size)
{
	static char buf[1024];
	long n = sys_getdents64(fd, UBASE + 1024, count);

	names[0] = '\0';
	if (n <= 0 || copy_from_user(buf, (const void __user *)(UBASE + 1024), n))
		return n;
	for (long off = 0; off < n; ) {
		unsigned short reclen;

		memcpy(&reclen, buf + off + 16, sizeof(reclen));
		if (names[0])
			strlcat(names, " ", size);
		strlcat(names, buf + off + 19, size);
		off += reclen;
	}
	return n;
}
