// SPDX-License-Identifier: GPL-2.0
/*
 * fork_cow: fork and copy-on-write as Linux does them. After fork, parent
 * and child each write their own pattern into private anonymous memory,
 * the brk heap, the stack and .data, and each must go on seeing only its
 * own; a shared anonymous mapping is seen by both; wait4 reports exit
 * codes and deaths by signal; many children at once, a grandchild, vfork.
 *
 * Parent and child take turns through a MAP_SHARED page (no pipes: the
 * kernel under test need not have them), polled with sched_yield.
 */
#include "utest.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define REGION		(16 * PAGE)
#define NR_CHILDREN	64

static volatile int *turn;
static char data_region[REGION] = { 1 };
static volatile int vfork_shared;

static void fill(char *mem, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		mem[i] = (char)(seed + i * 7);
}

/* The offset of the first byte that is not the pattern, or -1. */
static long check_fill(const char *mem, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (mem[i] != (char)(seed + i * 7))
			return i;
	return -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Waits until the shared turn reaches n; 0, or -1 after two minutes: a
 * guard against a peer that died, not a time limit (64 children forked
 * on a loaded machine under emulation take more than ten seconds).
 */
static int wait_turn(int n)
{
	double deadline = now() + 120;

	while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) < n) {
		if (now() > deadline)
			return -1;
		sched_yield();
	}
	return 0;
}

static void set_turn(int n)
{
	__atomic_store_n(turn, n, __ATOMIC_RELEASE);
}

/* Child writes 'C', parent checks it still sees 'P' and writes 'Q', the
 * child checks it still sees 'C': both sides of the copy stay apart. */
static void cow_check(char *mem, size_t len, const char *what)
{
	long bad;
	pid_t pid;

	fill(mem, len, 'P');
	set_turn(0);
	pid = fork();
	utest_check(pid >= 0, "%s: fork: %s", what, strerror(errno));
	if (pid == 0) {
		if ((bad = check_fill(mem, len, 'P')) >= 0)
			child_fail("%s: byte %ld not inherited", what, bad);
		fill(mem, len, 'C');
		set_turn(1);
		if (wait_turn(2))
			child_fail("%s: parent never wrote", what);
		if ((bad = check_fill(mem, len, 'C')) >= 0)
			child_fail("%s: parent's write seen at byte %ld", what, bad);
		_exit(0);
	}
	utest_check(!wait_turn(1), "%s: child never wrote", what);
	bad = check_fill(mem, len, 'P');
	utest_check(bad < 0, "%s: child's write seen by parent at byte %ld",
		    what, bad);
	fill(mem, len, 'Q');
	set_turn(2);
	utest_wait_ok(pid, what);
	bad = check_fill(mem, len, 'Q');
	utest_check(bad < 0, "%s: parent lost its write at byte %ld", what, bad);
	printf("fork_cow: %s: parent and child see their own data\n", what);
}

static void test_private_anon(void)
{
	char *mem;

	mem = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	utest_check(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	cow_check(mem, REGION, "private anonymous");
	munmap(mem, REGION);
}

static void test_brk(void)
{
	unsigned long cur, got;

	cur = syscall(SYS_brk, 0);
	got = syscall(SYS_brk, cur + REGION);
	utest_check(got == cur + REGION, "brk(%#lx) returned %#lx",
		    cur + REGION, got);
	cow_check((char *)cur, REGION, "brk heap");
	got = syscall(SYS_brk, cur);
	utest_check(got == cur, "brk shrink to %#lx returned %#lx", cur, got);
}

static void test_stack(void)
{
	char buf[4 * PAGE];

	cow_check(buf, sizeof(buf), "stack");
}

static void test_data(void)
{
	cow_check(data_region, sizeof(data_region), ".data");
}

/* A page the parent never touched: the child's write must not appear. */
static void test_untouched(void)
{
	char *mem;
	pid_t pid;

	mem = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	utest_check(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		fill(mem, REGION, 'C');
		_exit(0);
	}
	utest_wait_ok(pid, "untouched");
	utest_check(mem[0] == 0 && mem[REGION - 1] == 0,
		    "child's write to a never-touched page seen by the parent");
	munmap(mem, REGION);
	printf("fork_cow: never-touched pages stay zero in the parent\n");
}

static void test_shared_anon(void)
{
	char *mem;
	long bad;
	pid_t pid;

	mem = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	utest_check(mem != MAP_FAILED, "mmap shared: %s", strerror(errno));
	fill(mem, REGION, 'A');
	set_turn(0);
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		if ((bad = check_fill(mem, REGION, 'A')) >= 0)
			child_fail("shared: byte %ld not inherited", bad);
		set_turn(1);
		if (wait_turn(2))
			child_fail("shared: parent never wrote");
		if ((bad = check_fill(mem, REGION, 'B')) >= 0)
			child_fail("shared: parent's write not seen at %ld", bad);
		fill(mem, REGION, 'D');
		_exit(0);
	}
	utest_check(!wait_turn(1), "shared: child never checked");
	fill(mem, REGION, 'B');
	set_turn(2);
	utest_wait_ok(pid, "shared anonymous");
	bad = check_fill(mem, REGION, 'D');
	utest_check(bad < 0, "shared: child's write not seen at byte %ld", bad);
	munmap(mem, REGION);
	printf("fork_cow: shared anonymous: both see each other's writes\n");
}

static void expect_status(pid_t pid, int exited, int value, const char *what)
{
	struct rusage ru;
	int status;
	pid_t got;

	got = wait4(pid, &status, 0, &ru);
	utest_check(got == pid, "%s: wait4 returned %d (%s)", what, got,
		    strerror(errno));
	if (exited)
		utest_check(WIFEXITED(status) && WEXITSTATUS(status) == value,
			    "%s: status %#x, not exit %d", what, status, value);
	else
		utest_check(WIFSIGNALED(status) && WTERMSIG(status) == value,
			    "%s: status %#x, not killed by signal %d", what,
			    status, value);
}

static pid_t fork_or_fail(void)
{
	pid_t pid = fork();

	utest_check(pid >= 0, "fork: %s", strerror(errno));
	return pid;
}

static void test_wait4(void)
{
	int status;
	pid_t pid;

	if ((pid = fork_or_fail()) == 0)
		_exit(42);
	expect_status(pid, 1, 42, "exit(42)");
	if ((pid = fork_or_fail()) == 0) {
		kill(getpid(), SIGKILL);
		_exit(0);
	}
	expect_status(pid, 0, SIGKILL, "SIGKILL");
	if ((pid = fork_or_fail()) == 0) {
		*(volatile int *)0 = 0;
		_exit(0);
	}
	expect_status(pid, 0, SIGSEGV, "NULL store");
	set_turn(0);
	if ((pid = fork_or_fail()) == 0)
		_exit(wait_turn(1) ? 1 : 7);
	utest_check(wait4(pid, &status, WNOHANG, NULL) == 0,
		    "wait4 WNOHANG on a running child did not return 0");
	set_turn(1);
	expect_status(pid, 1, 7, "WNOHANG then wait");
	errno = 0;
	utest_check(wait4(-1, &status, 0, NULL) == -1 && errno == ECHILD,
		    "wait4 with no children: %s, not ECHILD", strerror(errno));
	printf("fork_cow: wait4 reports exits, signals, WNOHANG and ECHILD\n");
}

/* NR_CHILDREN at once, each checking the inherited pattern and writing
 * its own, each reaped once with its own exit code. */
static void test_many(void)
{
	char seen[NR_CHILDREN] = { 0 };
	int i, status;
	pid_t pid;

	fill(data_region, REGION, 'M');
	set_turn(0);
	for (i = 0; i < NR_CHILDREN; i++) {
		if ((pid = fork_or_fail()) == 0) {
			if (check_fill(data_region, REGION, 'M') >= 0)
				_exit(255);
			fill(data_region, REGION, i);
			if (wait_turn(1) || check_fill(data_region, REGION, i) >= 0)
				_exit(254);
			_exit(i);
		}
	}
	set_turn(1);
	for (i = 0; i < NR_CHILDREN; i++) {
		pid = wait4(-1, &status, 0, NULL);
		utest_check(pid > 0, "many: wait4: %s", strerror(errno));
		utest_check(WIFEXITED(status) && WEXITSTATUS(status) < NR_CHILDREN,
			    "many: child %d status %#x", pid, status);
		utest_check(!seen[WEXITSTATUS(status)], "many: status %d twice",
			    WEXITSTATUS(status));
		seen[WEXITSTATUS(status)] = 1;
	}
	utest_check(check_fill(data_region, REGION, 'M') < 0,
		    "many: parent's data changed");
	printf("fork_cow: %d children at once, each with its own copy\n",
	       NR_CHILDREN);
}

/* A copy of a copy: the grandchild's write reaches neither ancestor. */
static void test_grandchild(void)
{
	pid_t pid, grandchild;

	fill(data_region, REGION, 'G');
	if ((pid = fork_or_fail()) == 0) {
		grandchild = fork();
		if (grandchild < 0)
			child_fail("fork: %s", strerror(errno));
		if (grandchild == 0) {
			fill(data_region, REGION, 'g');
			_exit(check_fill(data_region, REGION, 'g') >= 0);
		}
		utest_wait_ok(grandchild, "grandchild");
		_exit(check_fill(data_region, REGION, 'G') >= 0 ? 3 : 0);
	}
	expect_status(pid, 1, 0, "grandchild");
	utest_check(check_fill(data_region, REGION, 'G') < 0,
		    "grandchild: parent's data changed");
	printf("fork_cow: a grandchild's copy is its own\n");
}

/* vfork shares memory and suspends the parent until the child exits. */
static void test_vfork(void)
{
	pid_t pid;

	vfork_shared = 0;
	pid = vfork();
	utest_check(pid >= 0, "vfork: %s", strerror(errno));
	if (pid == 0) {
		vfork_shared = 1234;
		_exit(9);
	}
	utest_check(vfork_shared == 1234,
		    "vfork: the child's write is not in the parent (%d)",
		    vfork_shared);
	expect_status(pid, 1, 9, "vfork");
	printf("fork_cow: vfork shares memory until the child exits\n");
}

int main(void)
{
	utest_init("fork_cow");
	turn = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	utest_check(turn != MAP_FAILED, "mmap: %s", strerror(errno));
	test_private_anon();
	test_brk();
	test_stack();
	test_data();
	test_untouched();
	test_shared_anon();
	test_wait4();
	test_many();
	test_grandchild();
	test_vfork();
	utest_pass();
}
