// SPDX-License-Identifier: GPL-2.0
/*
 * seed001 [-n COUNT] [-m SIZE]: seed 001's workload (Qi Zheng, "Free user
 * PTE page table pages", 2021) as the seed describes it:
 *
 *	mmap 50G
 *	for (i = 0; i < 1024 * 25; i++) {
 *		touch 2M memory
 *		madvise MADV_DONTNEED 2M
 *	}
 *
 * then VIRT, RES and VmPTE read from /proc/self/status. Without page-table
 * reclaim every 2 MiB step leaves one empty PTE table behind (25600 x 4 kB
 * = 102400 kB); with it they go back as they empty. -n and -m (K, M, G
 * suffixes) make the run small for tests; COUNT x 2 MiB must fit in SIZE.
 */
#include "procfile.h"
#include "utest.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define STEP		(2UL << 20)
#define PAGE		4096UL

static unsigned long parse_size(const char *s)
{
	unsigned long val;
	char *end;

	errno = 0;
	val = strtoul(s, &end, 0);
	if (errno || end == s || *s == '-')
		utest_fail("bad size '%s'", s);
	switch (*end) {
	case 'G': val <<= 10; /* fall through */
	case 'M': val <<= 10; /* fall through */
	case 'K': val <<= 10; end++; break;
	}
	if (*end)
		utest_fail("bad size '%s' (a number with K, M or G)", s);
	return val;
}

static void touch(char *p, unsigned long len)
{
	unsigned long off;

	for (off = 0; off < len; off += PAGE)
		p[off] = 1;
}

static void print_status(void)
{
	long virt = proc_field("/proc/self/status", "VmSize");
	long res = proc_field("/proc/self/status", "VmRSS");
	long pte = proc_field("/proc/self/status", "VmPTE");

	utest_check(virt >= 0 && res >= 0 && pte >= 0,
		    "/proc/self/status lacks VmSize, VmRSS or VmPTE");
	printf("VIRT %ld kB\n", virt);
	printf("RES %ld kB\n", res);
	printf("VmPTE %ld kB\n", pte);
}

int main(int argc, char **argv)
{
	unsigned long count = 25600, size = 50UL << 30, i;
	char *map;
	int opt;

	utest_init("seed001");
	while ((opt = getopt(argc, argv, "n:m:")) != -1) {
		if (opt == 'n')
			count = parse_size(optarg);
		else if (opt == 'm')
			size = parse_size(optarg);
		else
			utest_fail("usage: seed001 [-n COUNT] [-m SIZE]");
	}
	if (!count || count > size / STEP)
		utest_fail("%lu steps of 2 MiB do not fit in %lu bytes", count,
			   size);
	map = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	utest_check(map != MAP_FAILED, "mmap %lu bytes: %s", size,
		    strerror(errno));
	printf("seed001: mmap %lu MiB, %lu x (touch 2 MiB, MADV_DONTNEED 2 MiB)\n",
	       size >> 20, count);
	for (i = 0; i < count; i++) {
		touch(map + i * STEP, STEP);
		utest_check(!madvise(map + i * STEP, STEP, MADV_DONTNEED),
			    "madvise step %lu: %s", i, strerror(errno));
	}
	print_status();
	utest_pass();
}
