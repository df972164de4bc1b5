// SPDX-License-Identifier: GPL-2.0
/*
 * shmem_test: MAP_SHARED | MAP_ANONYMOUS memory as Linux's shmem object.
 * Pages first touched after fork are shared too; MADV_DONTNEED unmaps
 * them from one process only (RssShmem drops) and the data survives in
 * the object; a munmap on one side leaves the other its data; mprotect
 * and mremap (moved, grown) keep the mapping one object, and a grown
 * mapping past the object's size is SIGBUS; mremap with old_len 0 maps
 * the same pages a second time (MREMAP_MAYMOVE required: ENOMEM
 * without; a private mapping cannot be duplicated: EINVAL); /proc/self/maps names it
 * "/dev/zero (deleted)"; a shared futex in it wakes a waiter in another
 * process; and two processes of two threads each fault, write and drop
 * pages of one object at once (a fixed number of steps, no clock), each
 * finding its own last write in every page after every drop.
 *
 * Parent and child take turns through a word of the shared mapping
 * itself, polled with sched_yield.
 */
#define _GNU_SOURCE
#include "procfile.h"
#include "utest.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define FUTEX_WAIT	0	/* Linux's, shared (no FUTEX_PRIVATE_FLAG) */
#define FUTEX_WAKE	1
#define NR_PAGES	16
#define LEN		(NR_PAGES * PAGE)
#define STATUS		"/proc/self/status"

/* Page 0's first word: whose turn it is. */
static void wait_turn(volatile int *turn, int want)
{
	while (*turn != want)
		sched_yield();
}

static void fill(char *mem, int seed)
{
	for (unsigned long i = 1; i < NR_PAGES; i++)
		mem[i * PAGE + 8] = (char)(seed + i);
}

static int filled(const char *mem, int seed)
{
	for (unsigned long i = 1; i < NR_PAGES; i++)
		if (mem[i * PAGE + 8] != (char)(seed + i))
			return 0;
	return 1;
}

/* The child: touches pages the parent never did, drops and re-reads them. */
static void child(char *mem, volatile int *turn)
{
	long before, after;

	fill(mem, 'C');
	before = proc_field(STATUS, "RssShmem");
	if (madvise(mem + PAGE, LEN - PAGE, MADV_DONTNEED))
		child_fail("madvise: %s", strerror(errno));
	after = proc_field(STATUS, "RssShmem");
	if (after > before - (long)((NR_PAGES - 1) * PAGE / 1024))
		child_fail("RssShmem %ld kB after MADV_DONTNEED, was %ld kB", after, before);
	if (!filled(mem, 'C'))
		child_fail("MADV_DONTNEED lost the shared data");
	*turn = 1;
	wait_turn(turn, 2);
	/* The parent unmapped its side; ours keeps the data and still writes. */
	if (!filled(mem, 'P'))
		child_fail("the parent's write after fork is not seen");
	fill(mem, 'D');
	*turn = 3;
	_exit(0);
}

static void fork_dontneed_munmap(void)
{
	char *mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *turn = (volatile int *)mem;
	long rss;
	pid_t pid;

	utest_check(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	*turn = 0;
	rss = proc_field(STATUS, "RssShmem");
	utest_check(rss >= 4, "RssShmem %ld kB with one shared page touched", rss);
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		child(mem, turn);
	wait_turn(turn, 1);
	utest_check(filled(mem, 'C'), "pages the child touched after fork are not shared");
	fill(mem, 'P');
	*turn = 2;
	wait_turn(turn, 3);
	utest_check(filled(mem, 'D'), "the child's last write is not seen");
	utest_wait_ok(pid, "shared child");
	printf("shmem_test: fork shares pages touched later; DONTNEED keeps the data\n");
	utest_check(!munmap(mem, LEN), "munmap: %s", strerror(errno));
}

/* The child unmaps; the parent's mapping keeps the object and its data. */
static void munmap_one_side(void)
{
	char *mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	utest_check(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		fill(mem, 'K');
		if (munmap(mem, LEN))
			child_fail("munmap: %s", strerror(errno));
		_exit(0);
	}
	utest_wait_ok(pid, "munmap child");
	utest_check(filled(mem, 'K'), "the data went with the child's munmap");
	utest_check(!munmap(mem, LEN), "munmap: %s", strerror(errno));
	printf("shmem_test: munmap on one side leaves the other its data\n");
}

static int maps_names_dev_zero(unsigned long addr)
{
	char line[256], want[32];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "%lx-", addr);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)) && strstr(line, " rw-s ") &&
		    strstr(line, "/dev/zero (deleted)"))
			found = 1;
	fclose(f);
	return found;
}

/* mprotect and mremap keep one object: the child sees the moved pages. */
static void mprotect_mremap(void)
{
	char *mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *turn = (volatile int *)mem;
	char *moved;
	pid_t pid;

	utest_check(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	utest_check(maps_names_dev_zero((unsigned long)mem),
		    "/proc/self/maps does not name %p /dev/zero (deleted)", mem);
	*turn = 0;
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		wait_turn(turn, 1);
		if (!filled(mem, 'M'))
			child_fail("writes through the moved mapping are not seen");
		*turn = 2;
		_exit(0);
	}
	utest_check(!mprotect(mem + PAGE, PAGE, PROT_READ), "mprotect: %s", strerror(errno));
	utest_check(!mprotect(mem + PAGE, PAGE, PROT_READ | PROT_WRITE), "mprotect: %s",
		    strerror(errno));
	moved = mremap(mem, LEN, 2 * LEN, MREMAP_MAYMOVE);
	utest_check(moved != MAP_FAILED, "mremap: %s", strerror(errno));
	if (moved == mem) {
		/* Grown in place: move it for real. */
		moved = mremap(mem, 2 * LEN, 2 * LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
			       mem + 64 * LEN);
		utest_check(moved != MAP_FAILED, "mremap: %s", strerror(errno));
	}
	fill(moved, 'M');
	*(volatile int *)moved = 1;
	wait_turn((volatile int *)moved, 2);
	utest_wait_ok(pid, "mremap child");
	printf("shmem_test: mprotect and mremap keep the mapping shared\n");
	/* Past the object's end (its size is the first mmap's): SIGBUS. */
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		moved[LEN] = 1;
		_exit(0);
	}
	{
		int status;

		utest_check(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGBUS,
			    "a touch past the object's end was not SIGBUS (status %#x)", status);
	}
	utest_check(!munmap(moved, 2 * LEN), "munmap: %s", strerror(errno));
	printf("shmem_test: past the object's end: SIGBUS\n");
}

/* The child wakes, through the shared object, the parent waiting in it. */
static void futex_across_fork(void)
{
	volatile int *w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			       -1, 0);
	struct timespec ts = { 10, 0 };
	long ret;
	pid_t pid;

	utest_check(w != MAP_FAILED, "mmap: %s", strerror(errno));
	w[0] = w[1] = 0;
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		while (!w[1])
			sched_yield();
		/* Until the parent is queued: a wake before that finds no one. */
		for (int i = 0; i < 100000; i++) {
			if (syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0) == 1)
				_exit(0);
			sched_yield();
		}
		child_fail("FUTEX_WAKE never found the parent waiting");
	}
	w[1] = 1;
	ret = syscall(SYS_futex, w, FUTEX_WAIT, 0, &ts, NULL, 0);
	utest_check(ret == 0, "FUTEX_WAIT in shared memory: %ld (%s), want 0: woken", ret,
		    strerror(errno));
	utest_wait_ok(pid, "futex child");
	munmap((void *)w, PAGE);
	printf("shmem_test: a shared futex wakes across processes\n");
}

#define STRESS_WORKERS	2	/* threads per process */
#define STRESS_STEPS	3000

struct stress {
	volatile long *mem;	/* NR_PAGES pages; worker w owns word w of each */
	int id;			/* 0..3 across both processes */
	long last[NR_PAGES];	/* what this worker last wrote in each page */
	int bad;
};

static void *stress_worker(void *arg)
{
	struct stress *s = arg;
	unsigned long x = 2654435761UL * (s->id + 1);
	const long words = PAGE / sizeof(long);

	for (long step = 1; step <= STRESS_STEPS && !s->bad; step++) {
		unsigned long page;

		x = x * 6364136223846793005UL + 1442695040888963407UL;
		page = (x >> 33) % NR_PAGES;
		if ((x >> 20) % 4 == 0) {
			/* Dropped from this process only: the object keeps the data. */
			madvise((void *)(s->mem + page * words), PAGE, MADV_DONTNEED);
			if (s->mem[page * words + s->id] != s->last[page])
				s->bad = 1;
			continue;
		}
		s->mem[page * words + s->id] = step;
		s->last[page] = step;
	}
	return NULL;
}

/* This process's workers (ids base, base + 1); 0 when each kept its data. */
static int run_workers(volatile long *mem, int base)
{
	static struct stress s[STRESS_WORKERS];
	pthread_t t[STRESS_WORKERS];
	int bad = 0;

	for (int i = 0; i < STRESS_WORKERS; i++) {
		s[i] = (struct stress){ .mem = mem, .id = base + i };
		if (pthread_create(&t[i], NULL, stress_worker, &s[i]))
			return -1;
	}
	for (int i = 0; i < STRESS_WORKERS; i++) {
		pthread_join(t[i], NULL);
		bad |= s[i].bad;
	}
	return bad;
}

static void concurrent_fault_and_drop(void)
{
	volatile long *mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int ret;

	utest_check(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(run_workers(mem, STRESS_WORKERS) ? 1 : 0);
	ret = run_workers(mem, 0);
	utest_check(ret >= 0, "pthread_create failed");
	utest_check(!ret, "a worker lost its write across MADV_DONTNEED");
	utest_wait_ok(pid, "stress child");
	munmap((void *)mem, LEN);
	printf("shmem_test: %d workers in 2 processes, %d steps each: every write kept\n",
	       2 * STRESS_WORKERS, STRESS_STEPS);
}

/* mremap(addr, 0, len, MREMAP_MAYMOVE): a second view of one object. */
static void mremap_duplicate(void)
{
	char *mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *dup;

	utest_check(mem != MAP_FAILED && priv != MAP_FAILED, "mmap: %s", strerror(errno));
	fill(mem, 'D');
	dup = mremap(priv, 0, PAGE, MREMAP_MAYMOVE);
	utest_check(dup == MAP_FAILED && errno == EINVAL,
		    "mremap of a private mapping with old_len 0: %p (%s), want EINVAL", dup,
		    strerror(errno));
	dup = mremap(mem + PAGE, 0, 2 * PAGE, 0);
	utest_check(dup == MAP_FAILED && errno == ENOMEM,
		    "mremap old_len 0 without MREMAP_MAYMOVE: %p (%s), want ENOMEM", dup,
		    strerror(errno));
	dup = mremap(mem + PAGE, 0, 2 * PAGE, MREMAP_MAYMOVE);
	utest_check(dup != MAP_FAILED, "mremap old_len 0: %s", strerror(errno));
	utest_check(dup != mem + PAGE, "the duplicate is at the original's place");
	utest_check(!memcmp(dup, mem + PAGE, 2 * PAGE), "the duplicate shows other data");
	dup[PAGE + 5] = 'x';
	utest_check(mem[2 * PAGE + 5] == 'x', "a write through the duplicate is not seen");
	utest_check(!munmap(mem, LEN), "munmap: %s", strerror(errno));
	/* The object lives on in the duplicate. */
	utest_check(dup[PAGE + 5] == 'x' && dup[8] == (char)('D' + 1),
		    "the duplicate lost its data with the original");
	munmap(dup, 2 * PAGE);
	munmap(priv, PAGE);
	printf("shmem_test: mremap old_len 0 maps the same pages twice\n");
}

int main(void)
{
	utest_init("shmem_test");
	fork_dontneed_munmap();
	munmap_one_side();
	mprotect_mremap();
	mremap_duplicate();
	futex_across_fork();
	concurrent_fault_and_drop();
	utest_pass();
}
