// SPDX-License-Identifier: GPL-2.0
/*
 * hugepage [2M|1G|all]: MAP_HUGETLB mappings at 2 MiB (MAP_HUGE_2MB) and
 * 1 GiB (MAP_HUGE_1GB): touch, read the pool counters back, and for 2 MiB
 * fork and copy-on-write of a private huge page (the child writes, each
 * side keeps its own data, the copy comes from the pool), and for 2 MiB
 * the reservations across fork, as Linux keeps them: a private mapping's
 * belong to the process that made it (HPAGE_RESV_OWNER), so the child
 * neither holds nor consumes them, they go when the owner exits, a
 * child's copy that finds no free unreserved page is SIGBUS, and the
 * owner's copy that finds none takes the page from the child instead
 * (Linux's unmap_ref_private(): the child is SIGBUS at its next touch of
 * it); a shared
 * mapping's belong to the mapping, one set for both processes.
 * HugePages_Rsvd is read back after every step, except while an orphan
 * maps the private page of an owner that exited: Linux 6.18 (the build
 * host's) shows HugePages_Rsvd as 2^64 - 1 there until the orphan is
 * gone, so that step is checked in the kernel (user.hugetlb_resv_*).
 *
 * The program grows each pool by what it needs (the 2 MiB pool through
 * /proc/sys/vm/nr_hugepages, which must be the default size, the 1 GiB
 * one through sysfs), says so plainly and fails when the pool cannot be
 * had, and puts every setting back on the way out, failure or not.
 */
#include "procfile.h"
#include "utest.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
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

static long rsvd(void)
{
	return proc_field(MEMINFO, "HugePages_Rsvd");
}

static char *map_huge(const struct pool *p, unsigned long n, int shared)
{
	char *mem = mmap(NULL, n * p->size, PROT_READ | PROT_WRITE,
			 (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS |
			 MAP_HUGETLB | p->map_flag, -1, 0);

	utest_check(mem != MAP_FAILED, "mmap %lu %s pages: %s", n, p->name, strerror(errno));
	return mem;
}

/* In a child: HugePages_Rsvd must be base + extra. */
static void child_expect_rsvd(long base, long extra, const char *when)
{
	if (rsvd() != base + extra)
		child_fail("%s: HugePages_Rsvd %ld, want %ld", when, rsvd(), base + extra);
}

/*
 * Two pages mapped, the first touched, then fork: one reservation is
 * left, the same one seen from both sides (the parent's or the
 * mapping's, never a second for the child). The pid, as fork's.
 */
static pid_t map_touch_fork(const struct pool *p, long base, int shared, char **mem)
{
	const char *what = shared ? "shared" : "private";
	pid_t pid;

	*mem = map_huge(p, 2, shared);
	(*mem)[0] = 'P';
	utest_check(rsvd() == base + 1, "%s, one of two touched: Rsvd %ld, want %ld", what,
		    rsvd(), base + 1);
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		child_expect_rsvd(base, 1, what);
	return pid;
}

/* Private: the child holds no reservation. */
static void resv_private(const struct pool *p, long base)
{
	char *mem;
	pid_t pid = map_touch_fork(p, base, 0, &mem);

	if (pid == 0)
		_exit(0);
	utest_wait_ok(pid, "private reservation child");
	utest_check(rsvd() == base + 1, "private, after the child exited: Rsvd %ld, want %ld",
		    rsvd(), base + 1);
	utest_check(!munmap(mem, 2 * p->size), "munmap: %s", strerror(errno));
	utest_check(rsvd() == base, "private, after munmap: Rsvd %ld, want %ld", rsvd(), base);
}

/*
 * Private, the owner exits first: the orphan keeps the page it shared
 * and gets another, unreserved, from the pool; once it is gone too,
 * nothing is reserved.
 */
static void resv_owner_exits(const struct pool *p, long base)
{
	volatile int *done = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	utest_check(done != MAP_FAILED, "mmap: %s", strerror(errno));
	done[0] = done[1] = 0;
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		char *mem = map_huge(p, 2, 0);
		pid_t owner = getpid(), orphan;

		mem[0] = 'P';
		orphan = fork();
		if (orphan == 0) {
			while (getppid() == owner)
				sched_yield();
			mem[p->size] = 'G';	/* an unreserved page from the pool */
			done[0] = mem[0] == 'P' ? 1 : 2;
			_exit(0);
		}
		done[1] = orphan;	/* only here: the orphan's fork returns 0 */
		_exit(0);
	}
	utest_wait_ok(pid, "reservation owner");
	/* The orphan is no child of ours: watch it until it is gone. */
	while (done[1] > 0 && !kill(done[1], 0))
		sched_yield();
	utest_check(done[0] == 1, "the orphan %s", done[0] ? "lost the owner's data" :
		    "died before touching its second page");
	utest_check(rsvd() == base, "private, owner and orphan gone: Rsvd %ld, want %ld",
		    rsvd(), base);
	munmap((void *)done, PAGE);
}

/* Shared: one set of reservations, consumed by whichever side touches. */
static void resv_shared(const struct pool *p, long base)
{
	char *mem;
	pid_t pid = map_touch_fork(p, base, 1, &mem);

	if (pid == 0) {
		mem[p->size] = 'C';
		child_expect_rsvd(base, 0, "shared, the child touched the second page");
		_exit(0);
	}
	utest_wait_ok(pid, "shared reservation child");
	utest_check(rsvd() == base && mem[p->size] == 'C',
		    "shared, after the child: Rsvd %ld (want %ld), its page %s", rsvd(), base,
		    mem[p->size] == 'C' ? "seen" : "not seen");
	utest_check(!munmap(mem, 2 * p->size), "munmap: %s", strerror(errno));
	utest_check(rsvd() == base, "shared, after munmap: Rsvd %ld, want %ld", rsvd(), base);
}

/*
 * One private page mapped and touched, every other free page reserved by
 * a second mapping (*hold, *avail pages; none when avail is 0), then
 * fork: the pid, as fork's.
 */
static pid_t touch_hold_fork(const struct pool *p, char *mem, char **hold, long *avail)
{
	pid_t pid;

	mem[0] = 'P';
	*hold = NULL;
	*avail = pool_free(p) - rsvd();
	if (*avail > 0)
		*hold = map_huge(p, *avail, 0);
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	return pid;
}

static void unmap_held(const struct pool *p, char *mem, char *hold, long avail)
{
	if (hold)
		munmap(hold, avail * p->size);
	utest_check(!munmap(mem, p->size), "munmap: %s", strerror(errno));
}

/* Every free page reserved by the parent: the child's copy is SIGBUS. */
static void resv_child_cow_sigbus(const struct pool *p, long base)
{
	char *mem = map_huge(p, 1, 0), *hold;
	long avail;
	int status;
	pid_t pid = touch_hold_fork(p, mem, &hold, &avail);

	if (pid == 0) {
		mem[0] = 'C';
		_exit(0);
	}
	utest_check(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGBUS,
		    "the child's copy with no page left was not SIGBUS (status %#x)", status);
	utest_check(mem[0] == 'P', "the parent lost its data");
	unmap_held(p, mem, hold, avail);
	utest_check(rsvd() == base, "after the SIGBUS case: Rsvd %ld, want %ld", rsvd(), base);
}

/*
 * Every free page reserved elsewhere: the owner's copy cannot be made, so
 * the owner takes the shared page back from the child and writes it in
 * place (no page from the pool); the child's next touch is SIGBUS.
 */
static void resv_owner_cow_unmaps_child(const struct pool *p, long base)
{
	char *mem = map_huge(p, 1, 0), *hold;
	volatile int *turn = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long avail, free_before;
	int status;
	pid_t pid;

	utest_check(turn != MAP_FAILED, "mmap: %s", strerror(errno));
	*turn = 0;
	pid = touch_hold_fork(p, mem, &hold, &avail);
	if (pid == 0) {
		while (!*turn)
			sched_yield();
		_exit(((volatile char *)mem)[0] == 'P' ? 2 : 3);
	}
	free_before = pool_free(p);
	mem[0] = 'O';
	utest_check(pool_free(p) == free_before, "the owner's write took a page: free %ld, was %ld",
		    pool_free(p), free_before);
	*turn = 1;
	utest_check(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGBUS,
		    "the child kept the page the owner took back (status %#x)", status);
	utest_check(mem[0] == 'O', "the owner lost its write");
	unmap_held(p, mem, hold, avail);
	munmap((void *)turn, PAGE);
	utest_check(rsvd() == base, "after the owner's copy: Rsvd %ld, want %ld", rsvd(), base);
}

static void resv_checks(struct pool *p)
{
	long base = rsvd(), free_before = pool_free(p);

	resv_private(p, base);
	resv_owner_exits(p, base);
	resv_shared(p, base);
	resv_child_cow_sigbus(p, base);
	resv_owner_cow_unmaps_child(p, base);
	printf("hugepage: %s: the owner's copy with the pool empty took the page from the child\n",
	       p->name);
	expect_free(p, free_before, "after the reservation cases");
	printf("hugepage: %s: HugePages_Rsvd exact through fork, exit and munmap\n",
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
	if (cow)
		resv_checks(p);
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
