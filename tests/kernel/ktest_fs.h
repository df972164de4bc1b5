/* SPDX-License-Identifier: MIT */
#ifndef TESTS_KTEST_FS_H
#define TESTS_KTEST_FS_H

/*
 * Helpers shared by the files of the fs suite: a newc writer, independent
 * of the parser it tests, that builds archives in one static buffer
 * (their nodes live under /ktest_fs), and the environment the system
 * calls run in, called as the system-call table would: a private fd
 * table (0, 1, 2 on the console) with user memory at UBASE in a private
 * address space.
 */
#include "tests/kernel/ktest.h"

#define NEWC_MAX	8192
#define NEWC_WHY	160
extern char newc_buf[NEWC_MAX];
extern char newc_why[NEWC_WHY];	/* the parser's reason for a refusal */

/* Append one newc entry (header, name, data, NUL padding); returns the new end. */
size_t newc_put(size_t off, const char *name, unsigned int mode,
		const char *data, size_t size);
size_t newc_trailer(size_t off);
/* Each case starts without /ktest_fs, whatever an earlier failure left. */
void newc_start(void);
/* A good archive: ./ktest_fs/, ktest_fs/dir/, ktest_fs/dir/hello ("hi\n"). */
size_t newc_good(void);

#define UBASE		0x100000000000UL
#define UPAGES		4
#define KADDR		0xffff888000000000UL	/* the direct map: not user memory */

struct fs_env {
	struct mm *mm;
	struct files_struct *files, *saved;
};

bool fs_env_setup(struct kunit *test, struct fs_env *env);
/* newc_good() unpacked, and the environment. */
bool fs_env_setup_with_archive(struct kunit *test, struct fs_env *env);
void fs_env_teardown(struct fs_env *env);

/* Put a string in user memory at UBASE + off; returns its user address. */
unsigned long fs_ustr(unsigned long off, const char *s);
long fs_uopen(const char *path, unsigned long flags);
/* Read up to n bytes from fd into UBASE + 2048 and back into out (NUL-terminated). */
long fs_uread(unsigned long fd, char *out, size_t n);
/* Write s to fd through user memory. */
long fs_uwrite(unsigned long fd, const char *s);

/* getdents64(fd) into user memory, the names joined by ' ' into names. */
long fs_list_dir(unsigned long fd, unsigned long count, char *names, size_t size);

#endif
