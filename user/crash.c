// SPDX-License-Identifier: GPL-2.0
/*
 * crash null|rodata|nx|badptr: the bad accesses a kernel must survive.
 *
 * The first three must kill this process (SIGSEGV): surviving them is the
 * failure. badptr hands write() pointers that are not the caller's to
 * read and must get EFAULT back, then exits 0.
 */
#include "utest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char rodata_string[] = "read-only data";

static void announce(const char *what)
{
	printf("crash: %s\n", what);
	fflush(stdout);
}

static void crash_null(void)
{
	announce("storing to NULL");
	*(volatile int *)0 = 1;
	utest_fail("the store to NULL did not fault");
}

static void crash_rodata(void)
{
	announce("writing to read-only data");
	*(volatile char *)rodata_string = 'R';
	utest_fail("the write to .rodata at %p did not fault", rodata_string);
}

static void crash_nx(void)
{
	static const unsigned char ret = 0xc3;
	void (*fn)(void);
	void *page;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	utest_check(page != MAP_FAILED, "mmap: %s", strerror(errno));
	memcpy(page, &ret, 1);
	announce("executing from a non-executable page");
	fn = (void (*)(void))page;
	fn();
	utest_fail("executing from the non-executable page %p did not fault",
		   page);
}

static void expect_efault(const void *ptr, size_t len)
{
	ssize_t n;

	errno = 0;
	n = write(1, ptr, len);
	utest_check(n == -1 && errno == EFAULT,
		    "write(1, %p, %zu) returned %zd (%s), not EFAULT", ptr,
		    len, n, strerror(errno));
	printf("crash: write(1, %p, %zu) returned EFAULT\n", ptr, len);
}

static void crash_badptr(void)
{
	void *page;

	expect_efault(NULL, 16);
	expect_efault((void *)1, 16);
	expect_efault((void *)0xffff888000000000UL, 16);
	expect_efault((void *)0xffffffff80000000UL, 16);
	expect_efault((void *)0x0000800000000000UL, 16);
	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	utest_check(page != MAP_FAILED, "mmap: %s", strerror(errno));
	expect_efault(page, 16);
	utest_pass();
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "null", crash_null },
	{ "rodata", crash_rodata },
	{ "nx", crash_nx },
	{ "badptr", crash_badptr },
};

int main(int argc, char **argv)
{
	size_t i;

	utest_init("crash");
	if (argc != 2)
		utest_fail("usage: crash null|rodata|nx|badptr");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!strcmp(argv[1], cases[i].name)) {
			cases[i].fn();
			return 1;
		}
	}
	utest_fail("unknown case '%s' (null, rodata, nx or badptr)", argv[1]);
}
