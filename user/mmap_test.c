// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_test: the semantics of mmap, munmap, mprotect, madvise, mremap,
 * mincore, brk and /proc/self/pagemap that programs rely on, and the
 * errnos Linux returns for bad arguments. The error cases use raw system calls, so that libc's own
 * checks do not answer in the kernel's place.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE		4096UL
#define KERNEL_ADDR	0xffff888000000000UL
#define SEGV_CAUGHT	3
#define SEGV_WRONG_ADDR	4
/* /proc/<pid>/pagemap bits that do not depend on the kernel's version or privileges. */
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_FILE		(1ULL << 61)
#define PM_PRESENT	(1ULL << 63)

/* Shared with the children of expect_segv(): whether the handler is in. */
static volatile char *segv_report;
static volatile char *segv_expected_addr;

static char *map(size_t len, int prot, int flags)
{
	char *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	utest_check(p != MAP_FAILED, "mmap %zu: %s", len, strerror(errno));
	return p;
}

static char *map_rw(size_t len)
{
	return map(len, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}

static void expect_err(long ret, int err, const char *what)
{
	int got = errno;

	utest_check(ret == -1 && got == err, "%s: returned %ld (%s), not %s",
		    what, ret, ret == -1 ? strerror(got) : "no error",
		    strerror(err));
}

static void expect_ok(long ret, const char *what)
{
	utest_check(ret == 0, "%s: returned %ld (%s)", what, ret,
		    strerror(errno));
}

static void segv_handler(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	_exit(info->si_addr == segv_expected_addr ? SEGV_CAUGHT :
	      SEGV_WRONG_ADDR);
}

static void child_access(char *addr, int write)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO;
	segv_expected_addr = addr;
	*segv_report = sigaction(SIGSEGV, &sa, NULL) ? 'n' : 'h';
	if (write)
		*(volatile char *)addr = 1;
	else
		(void)*(volatile char *)addr;
	_exit(0);
}

/*
 * The access must fault. Where the kernel delivers signals, the handler
 * must run with si_addr the faulting address; where sigaction is refused,
 * the child must die by SIGSEGV.
 */
static void expect_segv(char *addr, int write, const char *what)
{
	int status;
	pid_t pid;

	*segv_report = 0;
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		child_access(addr, write);
	utest_check(wait4(pid, &status, 0, NULL) == pid, "wait4: %s",
		    strerror(errno));
	if (*segv_report == 'h') {
		utest_check(WIFEXITED(status) && WEXITSTATUS(status) != 0,
			    "%s: did not fault (status %#x)", what, status);
		utest_check(WEXITSTATUS(status) == SEGV_CAUGHT,
			    "%s: handler ran %s", what,
			    WEXITSTATUS(status) == SEGV_WRONG_ADDR ?
			    "with the wrong si_addr" : "not");
		return;
	}
	utest_check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		    "%s: status %#x, not SIGSEGV", what, status);
}

static void test_fixed(void)
{
	char *m = map_rw(4 * PAGE), *p;

	memset(m, 'x', 4 * PAGE);
	p = mmap(m + PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	utest_check(p == m + PAGE, "MAP_FIXED at %p returned %p", m + PAGE, p);
	utest_check(m[PAGE] == 0 && m[2 * PAGE - 1] == 0,
		    "MAP_FIXED: the new page is not zero");
	utest_check(m[0] == 'x' && m[2 * PAGE] == 'x',
		    "MAP_FIXED: neighbouring pages changed");
	p = mmap(m, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_FIXED_NOREPLACE, -1, 0);
	expect_err(p == MAP_FAILED ? -1 : 0, EEXIST,
		   "MAP_FIXED_NOREPLACE over a mapping");
	expect_ok(munmap(m, 4 * PAGE), "munmap");
	p = mmap(m + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_FIXED_NOREPLACE, -1, 0);
	utest_check(p == m + PAGE, "MAP_FIXED_NOREPLACE at a free %p gave %p",
		    m + PAGE, p);
	munmap(p, PAGE);
	printf("mmap_test: MAP_FIXED replaces, MAP_FIXED_NOREPLACE gives EEXIST\n");
}

static void test_partial_munmap(void)
{
	unsigned char vec[1];
	char *m = map_rw(3 * PAGE);

	memset(m, 'y', 3 * PAGE);
	expect_ok(munmap(m + PAGE, PAGE), "munmap of the middle page");
	utest_check(m[0] == 'y' && m[2 * PAGE] == 'y',
		    "munmap of the middle page changed its neighbours");
	expect_err(mincore(m + PAGE, PAGE, vec), ENOMEM, "mincore of the hole");
	expect_segv(m + PAGE, 0, "read from the unmapped middle page");
	expect_ok(munmap(m, 3 * PAGE), "munmap across the hole");
	expect_ok(munmap(m, 3 * PAGE), "munmap of nothing");
	printf("mmap_test: munmap of part of a mapping\n");
}

static void test_mprotect(void)
{
	char *m = map_rw(2 * PAGE);

	m[0] = 'z';
	expect_ok(mprotect(m, PAGE, PROT_READ), "mprotect PROT_READ");
	utest_check(m[0] == 'z', "mprotect PROT_READ lost the data");
	expect_segv(m, 1, "write after mprotect PROT_READ");
	expect_segv(m + 10, 1, "write at an offset after mprotect PROT_READ");
	m[PAGE] = 1;
	expect_ok(mprotect(m, PAGE, PROT_NONE), "mprotect PROT_NONE");
	expect_segv(m, 0, "read after mprotect PROT_NONE");
	expect_ok(mprotect(m, PAGE, PROT_READ | PROT_WRITE), "mprotect back");
	m[0]++;
	utest_check(m[0] == 'z' + 1, "data lost across mprotect");
	munmap(m, 2 * PAGE);
	printf("mmap_test: mprotect: writes to read-only memory fault\n");
}

static void test_madvise(void)
{
	char *m = map_rw(4 * PAGE), *s;
	size_t i;

	memset(m, 'w', 4 * PAGE);
	expect_ok(madvise(m, 4 * PAGE, MADV_DONTNEED), "MADV_DONTNEED");
	for (i = 0; i < 4 * PAGE; i++)
		utest_check(!m[i], "MADV_DONTNEED: byte %zu not zero", i);
	m[0] = 1;
	expect_ok(madvise(m, 4 * PAGE, MADV_NORMAL), "MADV_NORMAL");
	expect_ok(madvise(m, 4 * PAGE, MADV_WILLNEED), "MADV_WILLNEED");
	expect_ok(madvise(m, 4 * PAGE, MADV_FREE), "MADV_FREE");
	expect_ok(madvise(m, 0, MADV_DONTNEED), "madvise of length 0");
	munmap(m, 4 * PAGE);
	s = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	s[0] = 's';
	expect_ok(madvise(s, PAGE, MADV_DONTNEED), "MADV_DONTNEED shared");
	utest_check(s[0] == 's', "MADV_DONTNEED lost shared anonymous data");
	munmap(s, PAGE);
	printf("mmap_test: MADV_DONTNEED zero-fills private anonymous memory\n");
}

static void test_mremap(void)
{
	unsigned char vec[1];
	char *m = map_rw(2 * PAGE), *p, *target, *blocker;

	memset(m, 'r', 2 * PAGE);
	p = mremap(m, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	utest_check(p != MAP_FAILED, "mremap grow: %s", strerror(errno));
	utest_check(p[0] == 'r' && p[2 * PAGE - 1] == 'r',
		    "mremap grow lost the data");
	utest_check(!p[2 * PAGE] && !p[8 * PAGE - 1],
		    "mremap grow: the new part is not zero");
	target = map_rw(8 * PAGE);
	m = mremap(p, 8 * PAGE, 8 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	utest_check(m == target, "mremap to %p returned %p (%s)", target, m,
		    strerror(errno));
	utest_check(m[0] == 'r', "mremap move lost the data");
	expect_err(mincore(p, PAGE, vec), ENOMEM, "mincore of the old place");
	p = mremap(m, 8 * PAGE, PAGE, 0);
	utest_check(p == m, "mremap shrink returned %p", p);
	expect_err(mincore(m + PAGE, PAGE, vec), ENOMEM,
		   "mincore of the part cut off");
	blocker = mmap(m + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED, -1, 0);
	utest_check(blocker == m + PAGE, "mmap after the shrunk mapping failed");
	p = mremap(m, PAGE, 2 * PAGE, 0);
	expect_err(p == MAP_FAILED ? -1 : 0, ENOMEM,
		   "mremap grow in place into a mapping");
	munmap(m, 2 * PAGE);
	printf("mmap_test: mremap grows, moves and shrinks\n");
}

static void test_mincore(void)
{
	char *m = map_rw(4 * PAGE);
	unsigned char vec[4];

	m[0] = 1;
	m[2 * PAGE] = 1;
	expect_ok(mincore(m, 4 * PAGE, vec), "mincore");
	utest_check((vec[0] & 1) && !(vec[1] & 1) && (vec[2] & 1) && !(vec[3] & 1),
		    "mincore says %d%d%d%d, not 1010", vec[0] & 1, vec[1] & 1,
		    vec[2] & 1, vec[3] & 1);
	munmap(m, 4 * PAGE);
	printf("mmap_test: mincore tells touched pages from untouched ones\n");
}

static void test_brk(void)
{
	unsigned long cur, top, got;

	cur = syscall(SYS_brk, 0);
	top = (cur + 3 * PAGE + PAGE - 1) & ~(PAGE - 1);
	got = syscall(SYS_brk, top);
	utest_check(got == top, "brk(%#lx) returned %#lx", top, got);
	memset((char *)cur, 'b', top - cur);
	got = syscall(SYS_brk, cur);
	utest_check(got == cur, "brk shrink returned %#lx, not %#lx", got, cur);
	expect_segv((char *)top - PAGE, 0, "read above the shrunk brk");
	got = syscall(SYS_brk, PAGE);
	utest_check(got == cur, "brk below the start returned %#lx", got);
	got = syscall(SYS_brk, 1UL << 47);
	utest_check(got == cur, "brk at the top of user space returned %#lx",
		    got);
	printf("mmap_test: brk grows, shrinks and refuses bad breaks\n");
}

static long raw_mmap(unsigned long addr, unsigned long len, int prot,
		     int flags, int fd, unsigned long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static void test_mmap_errors(void)
{
	int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;

	expect_err(raw_mmap(0, 0, rw, anon, -1, 0), EINVAL, "mmap len 0");
	expect_err(raw_mmap(0x10000001, PAGE, rw, anon | MAP_FIXED, -1, 0),
		   EINVAL, "mmap MAP_FIXED unaligned");
	expect_err(raw_mmap(0, PAGE, rw, MAP_ANONYMOUS, -1, 0), EINVAL,
		   "mmap neither private nor shared");
	expect_err(raw_mmap(0, PAGE, rw, anon, -1, 1), EINVAL,
		   "mmap unaligned offset");
	expect_err(raw_mmap(0, PAGE, rw, MAP_PRIVATE, -1, 0), EBADF,
		   "mmap of fd -1 without MAP_ANONYMOUS");
	expect_err(raw_mmap(0, 1UL << 62, rw, anon, -1, 0), ENOMEM,
		   "mmap of 2^62 bytes");
	expect_err(raw_mmap(KERNEL_ADDR, PAGE, rw, anon | MAP_FIXED, -1, 0),
		   ENOMEM, "mmap MAP_FIXED in the kernel half");
}

static void test_other_errors(void)
{
	char *m = map_rw(2 * PAGE);
	unsigned char vec[2];

	munmap(m + PAGE, PAGE);
	expect_err(syscall(SYS_munmap, m + 1, PAGE), EINVAL, "munmap unaligned");
	expect_err(syscall(SYS_munmap, m, 0), EINVAL, "munmap len 0");
	expect_err(syscall(SYS_munmap, KERNEL_ADDR, PAGE), EINVAL,
		   "munmap in the kernel half");
	expect_err(syscall(SYS_mprotect, m + 1, PAGE, PROT_READ), EINVAL,
		   "mprotect unaligned");
	expect_err(syscall(SYS_mprotect, m + PAGE, PAGE, PROT_READ), ENOMEM,
		   "mprotect of unmapped memory");
	expect_err(syscall(SYS_mprotect, m, PAGE, 0x10000), EINVAL,
		   "mprotect bad prot");
	expect_ok(syscall(SYS_mprotect, m, 0, PROT_READ), "mprotect len 0");
	expect_err(syscall(SYS_madvise, m + 1, PAGE, MADV_DONTNEED), EINVAL,
		   "madvise unaligned");
	expect_err(syscall(SYS_madvise, m, PAGE, 12345), EINVAL, "madvise bad advice");
	expect_err(syscall(SYS_madvise, m + PAGE, PAGE, MADV_DONTNEED), ENOMEM,
		   "madvise of unmapped memory");
	expect_err(syscall(SYS_mremap, m + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE),
		   EINVAL, "mremap unaligned");
	expect_err(syscall(SYS_mremap, m, PAGE, 0, MREMAP_MAYMOVE), EINVAL,
		   "mremap to length 0");
	expect_err(syscall(SYS_mremap, m, PAGE, PAGE, 0x100), EINVAL,
		   "mremap bad flags");
	expect_err(syscall(SYS_mremap, m, PAGE, PAGE, MREMAP_FIXED, m + PAGE),
		   EINVAL, "mremap MREMAP_FIXED without MREMAP_MAYMOVE");
	expect_err(syscall(SYS_mremap, m + PAGE, PAGE, 2 * PAGE, MREMAP_MAYMOVE),
		   EFAULT, "mremap of unmapped memory");
	expect_err(syscall(SYS_mincore, m + 1, PAGE, vec), EINVAL, "mincore unaligned");
	expect_err(syscall(SYS_mincore, m, PAGE, (unsigned char *)KERNEL_ADDR), EFAULT,
		   "mincore to a kernel pointer");
	munmap(m, PAGE);
	printf("mmap_test: bad arguments get Linux's errnos\n");
}

/* The pagemap entry of addr, read with pread at its virtual page number. */
static uint64_t pagemap_entry(int fd, const void *addr)
{
	uint64_t e;
	off_t off = (uintptr_t)addr / PAGE * sizeof(e);

	utest_check(pread(fd, &e, sizeof(e), off) == sizeof(e), "pagemap pread at %#lx: %s",
		    (unsigned long)off, strerror(errno));
	return e;
}

static void expect_present(int fd, const char *p, int present, const char *what)
{
	uint64_t e = pagemap_entry(fd, p);

	utest_check(!!(e & PM_PRESENT) == present, "pagemap %s: entry %#llx, expected %s",
		    what, (unsigned long long)e, present ? "present" : "not present");
}

/* Present after a touch, gone after MADV_DONTNEED, exclusive until a fork shares it. */
static void pagemap_private(int fd)
{
	char *p = map_rw(4 * PAGE);
	volatile char *done = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	uint64_t e0, e2;
	pid_t pid;

	for (int i = 0; i < 4; i++)
		expect_present(fd, p + i * PAGE, 0, "untouched page");
	p[0] = 1;
	p[2 * PAGE] = 1;
	e0 = pagemap_entry(fd, p);
	e2 = pagemap_entry(fd, p + 2 * PAGE);
	utest_check((e0 & PM_PRESENT) && (e0 & PM_EXCLUSIVE) && !(e0 & PM_FILE),
		    "pagemap touched private page: %#llx", (unsigned long long)e0);
	utest_check((e2 & PM_PRESENT) && (e2 & PM_EXCLUSIVE), "pagemap page 2: %#llx",
		    (unsigned long long)e2);
	/* Linux shows PFNs to privileged readers only: 0 is allowed, a repeat is not. */
	utest_check(!(e0 & PM_PFN_MASK) || (e0 & PM_PFN_MASK) != (e2 & PM_PFN_MASK),
		    "pagemap: two pages with one PFN %#llx", (unsigned long long)(e0 & PM_PFN_MASK));
	expect_present(fd, p + PAGE, 0, "page between two touched ones");
	expect_ok(madvise(p, PAGE, MADV_DONTNEED), "madvise DONTNEED");
	expect_present(fd, p, 0, "page after MADV_DONTNEED");
	expect_present(fd, p + 2 * PAGE, 1, "page beside the DONTNEED");

	/* The child keeps the page mapped until the parent has looked. */
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		while (!*done)
			sched_yield();
		_exit(0);
	}
	e2 = pagemap_entry(fd, p + 2 * PAGE);
	*done = 1;
	utest_wait_ok(pid, "pagemap fork child");
	utest_check((e2 & PM_PRESENT) && !(e2 & PM_EXCLUSIVE),
		    "pagemap page shared with a fork child: %#llx", (unsigned long long)e2);
	expect_ok(munmap(p, 4 * PAGE), "munmap");
	expect_ok(munmap((void *)done, PAGE), "munmap flag");
	expect_present(fd, p + 2 * PAGE, 0, "unmapped page");
}

static void test_pagemap(void)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	char *s = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	uint64_t e[2];

	utest_check(fd >= 0, "open /proc/self/pagemap: %s", strerror(errno));
	pagemap_private(fd);
	s[0] = 1;
	e[0] = pagemap_entry(fd, s);
	utest_check((e[0] & PM_PRESENT) && (e[0] & PM_FILE),
		    "pagemap shared anonymous page: %#llx", (unsigned long long)e[0]);
	/* lseek to the entry and read: the same as pread. */
	utest_check(lseek(fd, (uintptr_t)s / PAGE * 8, SEEK_SET) == (off_t)((uintptr_t)s / PAGE * 8),
		    "pagemap lseek: %s", strerror(errno));
	utest_check(read(fd, e, 16) == 16 && e[0] == pagemap_entry(fd, s),
		    "pagemap read after lseek: %#llx", (unsigned long long)e[0]);
	expect_err(pread(fd, e, 8, 4), EINVAL, "pagemap pread at an unaligned offset");
	expect_err(pread(fd, e, 7, 0), EINVAL, "pagemap pread of 7 bytes");
	/* Past the user half: end of file. */
	utest_check(pread(fd, e, 8, (1ULL << 47) / PAGE * 8) == 0,
		    "pagemap pread past the user half: not end of file");
	expect_ok(munmap(s, PAGE), "munmap shared");
	close(fd);
}

int main(void)
{
	utest_init("mmap_test");
	segv_report = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	test_fixed();
	test_partial_munmap();
	test_mprotect();
	test_madvise();
	test_mremap();
	test_mincore();
	test_brk();
	test_mmap_errors();
	test_other_errors();
	test_pagemap();
	utest_pass();
}
