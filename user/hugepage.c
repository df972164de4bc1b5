// SPDX-License-Identifier: GPL-2.0
/*
 * hugepage [2M|1G|all]: MAP_HUGETLB mappings at 2 MiB (MAP_HUGE_2MB) and
 * 1 GiB (MAP_HUGE_1GB): touch, read the pool counters back, and for 2 MiB
 * fork and copy-on-write of a private huge page (the child writes, each
 * side keeps its own data, the copy comes from the pool).
 *
 * The program grows each pool by what it needs (the 2 MiB pool through
 * /proc/sys/vm/nr_hugepages, which must be the default size, the 1 GiB
 * one through sysfs), says so plainly and fails when the pool cannot be
 * had, and puts every setting back on the way out, failure or not.
 */
#include "procfile.h"
#include "utest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE	4096UL
#define MEMINFO	"/proc/meminfo"

struct pool {
	const char *name;
	unsigned long size;
	int map_flag;
	const char *nr_path;	/* the pool size to write */
	const char *free_path;	/* NULL: HugePages_Free of /proc/meminfo */
	int need;		/* pages: one mapped, and one for a COW copy */
	long saved;		/* the size found, put back at exit; -1: none */
};

static struct pool pools[] = {
	{ "2M", 2UL << 20, MAP_HUGE_2MB, "/proc/sys/vm/nr_hugepages", NULL, 2, -1 },
	{ "1G", 1UL << 30, MAP_HUGE_1GB,
	  "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages",
	  "/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages", 1, -1 },
};

static void restore_pools(void)
{
	size_t i;
	int err;

	for (i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
		if (pools[i].saved < 0)
			continue;
		err = write_long_file(pools[i].nr_path, pools[i].saved);
		if (err)
			printf("hugepage: could not put %s back to %ld: %s\n",
			       pools[i].nr_path, pools[i].saved, strerror(-err));
		pools[i].saved = -1;
	}
}

static long pool_free(const struct pool *p)
{
	if (p->free_path)
		return read_long_file(p->free_path);
	return proc_field(MEMINFO, "HugePages_Free");
}

static void print_counters(const struct pool *p, const char *when)
{
	if (p->free_path)
		printf("hugepage: %s %s: nr_hugepages %ld, free_hugepages %ld\n",
		       p->name, when, read_long_file(p->nr_path), pool_free(p));
	else
		printf("hugepage: %s %s: HugePages_Total %ld, HugePages_Free %ld\n",
		       p->name, when, proc_field(MEMINFO, "HugePages_Total"),
		       pool_free(p));
}

/* Grows the pool until p->need pages are free, or fails saying why. */
static void setup_pool(struct pool *p)
{
	long nr, free_pages, want;
	int err;

	if (!p->free_path && proc_field(MEMINFO, "Hugepagesize") != 2048)
		utest_fail("the default huge page size is not 2 MiB (%s)",
			   "Hugepagesize in /proc/meminfo");
	nr = read_long_file(p->nr_path);
	free_pages = pool_free(p);
	if (nr < 0 || free_pages < 0)
		utest_fail("cannot read the %s pool (%s): no %s huge pages here",
			   p->name, p->nr_path, p->name);
	if (free_pages >= p->need)
		return;
	want = nr + p->need - free_pages;
	err = write_long_file(p->nr_path, want);
	if (err)
		utest_fail("cannot get %d %s huge pages: writing %ld to %s: %s",
			   p->need, p->name, want, p->nr_path, strerror(-err));
	p->saved = nr;
	if (pool_free(p) < p->need)
		utest_fail("cannot get %d %s huge pages: asked %s for %ld, got %ld",
			   p->need, p->name, p->nr_path, want,
			   read_long_file(p->nr_path));
	printf("hugepage: %s pool grown from %ld to %ld pages\n", p->name, nr,
	       want);
}

static void fill(char *mem, unsigned long len, int seed)
{
	unsigned long off;

	for (off = 0; off < len; off += PAGE)
		mem[off] = (char)(seed + off / PAGE);
	mem[len - 1] = (char)seed;
}

static int filled(const char *mem, unsigned long len, int seed)
{
	unsigned long off;

	for (off = 0; off < len; off += PAGE)
		if (mem[off] != (char)(seed + off / PAGE))
			return 0;
	return mem[len - 1] == (char)seed;
}

static void expect_free(const struct pool *p, long want, const char *when)
{
	long got = pool_free(p);

	utest_check(got == want, "%s: %s: %ld free huge pages, not %ld",
		    p->name, when, got, want);
}

/* The child's write takes a second page from the pool and stays its own. */
static void cow_check(const struct pool *p, char *mem, long free_before)
{
	pid_t pid;

	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (!filled(mem, p->size, 'P'))
			child_fail("%s: the parent's data is not inherited",
				   p->name);
		fill(mem, p->size, 'C');
		if (pool_free(p) != free_before - 2)
			child_fail("%s: the copy did not come from the pool (%ld free, not %ld)",
				   p->name, pool_free(p), free_before - 2);
		if (!filled(mem, p->size, 'C'))
			child_fail("%s: the child lost its write", p->name);
		_exit(0);
	}
	utest_wait_ok(pid, "COW child");
	utest_check(filled(mem, p->size, 'P'),
		    "%s: the child's write reached the parent's huge page",
		    p->name);
	expect_free(p, free_before - 1, "after the child exited");
	printf("hugepage: %s: fork, the child's write copied, parent keeps its data\n",
	       p->name);
}

static void test_pool(struct pool *p, int cow)
{
	long free_before;
	char *mem;

	setup_pool(p);
	print_counters(p, "before");
	free_before = pool_free(p);
	mem = mmap(NULL, p->size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | p->map_flag,
		   -1, 0);
	utest_check(mem != MAP_FAILED, "mmap MAP_HUGETLB %s: %s", p->name,
		    strerror(errno));
	utest_check(!((unsigned long)mem & (p->size - 1)),
		    "%s mapping at %p is not aligned", p->name, mem);
	fill(mem, p->size, 'P');
	utest_check(filled(mem, p->size, 'P'), "%s: data lost", p->name);
	expect_free(p, free_before - 1, "after the touch");
	printf("hugepage: %s: mapped at %p and touched\n", p->name, mem);
	if (cow)
		cow_check(p, mem, free_before);
	utest_check(!munmap(mem, p->size), "munmap %s: %s", p->name,
		    strerror(errno));
	expect_free(p, free_before, "after munmap");
	print_counters(p, "after");
	restore_pools();
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";
	int all = !strcmp(which, "all");

	utest_init("hugepage");
	if (argc > 2 || (!all && strcmp(which, "2M") && strcmp(which, "1G")))
		utest_fail("usage: hugepage [2M|1G|all]");
	atexit(restore_pools);
	if (all || !strcmp(which, "2M"))
		test_pool(&pools[0], 1);
	if (all || !strcmp(which, "1G"))
		test_pool(&pools[1], 0);
	utest_pass();
}
