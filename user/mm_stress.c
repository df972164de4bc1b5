// SPDX-License-Identifier: GPL-2.0
/*
 * mm_stress SEED STEPS (and nobkl ROUNDS, below): the threads of one process on every CPU fault in
 * one 8 MiB region while another thread unmaps, zaps, protects, moves and
 * replaces pieces of it and a third reads /proc/self/pagemap and calls
 * mincore over it (the kernel's lockless walker), all at once. Seeded,
 * bounded by step counts (never by the clock).
 *
 *   faulters (3)   write their own word of a random page, read it back;
 *                  STEPS times, and on while the mutator works
 *   mutator        STEPS / 8 times, on a random piece of 1..64 pages
 *                  or a whole PTE table's 2 MiB (emptied: reclaimed):
 *                  MADV_DONTNEED, mprotect read-only and back, mprotect
 *                  with PROT_EXEC and back (split and merge), mremap away
 *                  and back, munmap and mmap again, mmap MAP_FIXED over
 *                  it; brk up and down; fork a child that writes
 *                  into its copy of the region and exits
 *   walker         pagemap and mincore over the region until the others
 *                  are done
 *
 * A faulter that finds a hole or a read-only page (SIGSEGV inside the
 * region) yields and tries again: the mutator always puts the region
 * back. What it reads must be what it wrote last, or 0 where a zap, an
 * unmap or a replacement of that page was under way or began since the
 * write (the mutator counts them per page), never another value; a present pagemap entry has a
 * frame; mincore says 0 or 1, or ENOMEM while a piece is away. At the
 * end the region is whole and every word is the last written, or 0 by
 * the same rule.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE		4096UL
#define NR_PAGES	2048UL			/* 8 MiB: four PTE tables */
#define LEN		(NR_PAGES * PAGE)
#define REGION		((char *)0x200000000UL)	/* 2 MiB aligned */
#define SCRATCH		((char *)0x300000000UL)
#define NR_FAULTERS	3
#define MAX_PIECE	64
#define PTRS_PER_TABLE	512UL
#define ALIGN_DOWN(x, a)	((x) / (a) * (a))
#define MAX_RETRIES	10000000UL
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)

struct faulter {
	pthread_t thread;
	int id;
	uint64_t rng;
	unsigned long steps;
	uint64_t last[NR_PAGES];
	unsigned long zaps_before[NR_PAGES];	/* zaps_done[] when it wrote last */
	char err[160];
};

static struct faulter faulters[NR_FAULTERS];
static unsigned long nr_steps;
static uint64_t seed;
static volatile int done, mutator_done;
static unsigned long segv_retries, walks, mincores, mincore_enomem;
static __thread unsigned long retries_in_a_row;
/* Zeroing operations (zap, unmap, replace) on each page: begun, and over. */
static unsigned long zaps_begun[NR_PAGES], zaps_done[NR_PAGES];

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A hole or a read-only page inside the region is the mutator's work in
 * progress: yield and let the access come again. Anywhere else it is a
 * real fault: say so and leave.
 */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	char *addr = si->si_addr;
	static const char msg[] = "FAIL mm_stress: SIGSEGV outside the region\n";

	(void)sig;
	(void)uc;
	if (addr < REGION || addr >= REGION + LEN ||
	    ++retries_in_a_row > MAX_RETRIES) {
		write(2, msg, sizeof(msg) - 1);
		_exit(1);
	}
	__atomic_fetch_add(&segv_retries, 1, __ATOMIC_RELAXED);
	sched_yield();
}

static unsigned long load(const unsigned long *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void mark_zaps(unsigned long *count, unsigned long first, unsigned long n)
{
	for (unsigned long p = first; p < first + n; p++)
		__atomic_fetch_add(&count[p], 1, __ATOMIC_SEQ_CST);
}

/*
 * A word written after `before` zeroing operations had finished may read
 * 0 only if one was under way then or began since: otherwise the write
 * was lost.
 */
static int zero_allowed(unsigned long page, unsigned long before)
{
	return load(&zaps_begun[page]) != before;
}

static void *fault_loop(void *arg)
{
	struct faulter *f = arg;

	/* At least STEPS, and on while the mutator works (at most 64 x STEPS). */
	for (f->steps = 0; f->steps < nr_steps ||
	     (!__atomic_load_n(&mutator_done, __ATOMIC_ACQUIRE) && f->steps < 64 * nr_steps);
	     f->steps++) {
		unsigned long page = next_rand(&f->rng) % NR_PAGES;
		volatile uint64_t *word = (uint64_t *)(REGION + page * PAGE) + f->id;
		uint64_t v = (f->steps << 8) | (uint64_t)(f->id + 1), r;

		f->zaps_before[page] = load(&zaps_done[page]);
		*word = v;
		f->last[page] = v;
		r = *word;
		retries_in_a_row = 0;
		if (r != v && (r != 0 || !zero_allowed(page, f->zaps_before[page]))) {
			snprintf(f->err, sizeof(f->err),
				 "thread %d step %lu: page %lu holds %#llx, wrote %#llx%s",
				 f->id, f->steps, page, (unsigned long long)r,
				 (unsigned long long)v, r ? "" : " and nothing zapped it");
			break;
		}
	}
	return NULL;
}

static void check_ok(int ok, const char *what, char *piece, unsigned long n)
{
	utest_check(ok, "%s of %lu pages at %p: %s", what, n, (void *)piece,
		    strerror(errno));
}

static void remap_away_and_back(char *piece, unsigned long len)
{
	void *p = mremap(piece, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, SCRATCH);

	check_ok(p == SCRATCH, "mremap away", piece, len / PAGE);
	p = mremap(SCRATCH, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, piece);
	check_ok(p == piece, "mremap back", piece, len / PAGE);
}

static void map_fixed(char *piece, unsigned long len)
{
	void *p = mmap(piece, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	check_ok(p == piece, "mmap MAP_FIXED", piece, len / PAGE);
}

/* The system call itself: musl's brk() and sbrk(n) refuse to move the break. */
static void brk_up_and_down(void)
{
	unsigned long cur = syscall(SYS_brk, 0), up = cur + 16 * PAGE;

	utest_check((unsigned long)syscall(SYS_brk, up) == up, "brk up from %#lx", cur);
	memset((void *)cur, 0x5a, 16 * PAGE);
	utest_check((unsigned long)syscall(SYS_brk, cur) == cur, "brk down to %#lx", cur);
}

/*
 * Fork while the faulters write: the parent's pages turn copy-on-write
 * under them (their next writes copy or reuse, on every CPU); the child,
 * the mutator's copy alone, writes a page of each PTE table and leaves.
 */
static void fork_and_touch(void)
{
	int status = 0;
	pid_t pid = fork();

	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		for (unsigned long p = 0; p < NR_PAGES; p += PTRS_PER_TABLE)
			REGION[p * PAGE + PAGE - 1] = 1;
		_exit(REGION[PAGE - 1] == 1 ? 0 : 1);
	}
	utest_check(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	utest_check(WIFEXITED(status) && !WEXITSTATUS(status), "forked child: status %#x",
		    status);
}

/* The operations that leave zeroed pages behind. */
static void zeroing_op(unsigned int op, unsigned long first, unsigned long n)
{
	char *piece = REGION + first * PAGE;
	unsigned long len = n * PAGE;

	mark_zaps(zaps_begun, first, n);
	switch (op) {
	case 0:
		check_ok(!madvise(piece, len, MADV_DONTNEED), "MADV_DONTNEED", piece, n);
		break;
	case 4:
		check_ok(!munmap(piece, len), "munmap", piece, n);
		sched_yield();
		map_fixed(piece, len);
		break;
	default:
		map_fixed(piece, len);
		break;
	}
	mark_zaps(zaps_done, first, n);
}

static void mutate(uint64_t *rng)
{
	unsigned long n = 1 + next_rand(rng) % MAX_PIECE;
	unsigned long first = next_rand(rng) % (NR_PAGES - n + 1);
	unsigned int op;
	char *piece;

	/* A quarter of the time a whole PTE table's range: reclaim frees it. */
	if (!(next_rand(rng) % 4)) {
		n = PTRS_PER_TABLE;
		first = ALIGN_DOWN(first, PTRS_PER_TABLE);
	}
	piece = REGION + first * PAGE;
	op = next_rand(rng) % 8;
	switch (op) {
	case 0:
	case 4:
	case 5:
		zeroing_op(op, first, n);
		break;
	case 1:
		check_ok(!mprotect(piece, n * PAGE, PROT_READ), "mprotect read-only", piece, n);
		sched_yield();
		check_ok(!mprotect(piece, n * PAGE, PROT_READ | PROT_WRITE), "mprotect back", piece, n);
		break;
	case 2:
		check_ok(!mprotect(piece, n * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC),
			 "mprotect +exec", piece, n);
		check_ok(!mprotect(piece, n * PAGE, PROT_READ | PROT_WRITE), "mprotect -exec", piece, n);
		break;
	case 3:
		remap_away_and_back(piece, n * PAGE);
		break;
	case 6:
		brk_up_and_down();
		break;
	default:
		fork_and_touch();
		break;
	}
}

static unsigned long nr_mutations(void)
{
	return nr_steps / 8 + 1;
}

static void *mutate_loop(void *arg)
{
	uint64_t rng = seed * 7 + 3;

	(void)arg;
	for (unsigned long i = 0; i < nr_mutations(); i++)
		mutate(&rng);
	__atomic_store_n(&mutator_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void check_pagemap(int fd, uint64_t *pm)
{
	ssize_t n = pread(fd, pm, NR_PAGES * 8, (off_t)((uintptr_t)REGION / PAGE * 8));

	utest_check(n == (ssize_t)(NR_PAGES * 8), "pagemap read: %zd (%s)", n, strerror(errno));
	for (unsigned long i = 0; i < NR_PAGES; i++)
		utest_check(!(pm[i] & PM_PRESENT) || (pm[i] & PM_PFN_MASK),
			    "pagemap: page %lu present with no frame (%#llx)", i,
			    (unsigned long long)pm[i]);
}

static void check_mincore(unsigned char *vec)
{
	if (mincore(REGION, LEN, vec)) {
		utest_check(errno == ENOMEM, "mincore: %s", strerror(errno));
		mincore_enomem++;
		return;
	}
	for (unsigned long i = 0; i < NR_PAGES; i++)
		utest_check(vec[i] <= 1, "mincore: page %lu says %u", i, vec[i]);
	mincores++;
}

static void *walk_loop(void *arg)
{
	static uint64_t pm[NR_PAGES];
	static unsigned char vec[NR_PAGES];
	int fd = open("/proc/self/pagemap", O_RDONLY);

	(void)arg;
	utest_check(fd >= 0, "open /proc/self/pagemap: %s", strerror(errno));
	while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
		check_pagemap(fd, pm);
		check_mincore(vec);
		walks++;
	}
	close(fd);
	return NULL;
}

/* The region is whole and writable again; every word is the last written or 0. */
static void check_final(void)
{
	static unsigned char vec[NR_PAGES];

	utest_check(!mincore(REGION, LEN, vec), "final mincore: %s", strerror(errno));
	for (int t = 0; t < NR_FAULTERS; t++) {
		struct faulter *f = &faulters[t];

		utest_check(!f->err[0], "%s", f->err);
		for (unsigned long p = 0; p < NR_PAGES; p++) {
			uint64_t r = ((volatile uint64_t *)(REGION + p * PAGE))[f->id];

			utest_check(r == f->last[p] || (r == 0 && zero_allowed(p, f->zaps_before[p])),
				    "thread %d page %lu holds %#llx at the end, last wrote %#llx",
				    f->id, p, (unsigned long long)r,
				    (unsigned long long)f->last[p]);
		}
	}
}

static void start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(t, NULL, fn, arg);

	utest_check(!err, "pthread_create: %s", strerror(err));
}

/*
 * mm_stress nobkl ROUNDS: between mapping and unmapping NOBKL_FLAG, only
 * page faults and memory system calls, ROUNDS times over a fresh 64
 * pages: mmap, write each, mprotect read-only and read back, DONTNEED
 * and read zeros, mincore, mremap bigger (moved), brk up and down,
 * munmap. The kernel's test holds the big kernel lock throughout: none
 * of this may need it.
 */
#define NOBKL_FLAG	((char *)0x210000000UL)
#define NOBKL_PAGES	64

static void nobkl_round(void)
{
	unsigned long len = NOBKL_PAGES * PAGE;
	unsigned char vec[NOBKL_PAGES];
	char *p, *q;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	utest_check(p != MAP_FAILED, "mmap: %s", strerror(errno));
	for (unsigned long i = 0; i < NOBKL_PAGES; i++)
		p[i * PAGE] = (char)(i + 1);
	utest_check(!mprotect(p, len, PROT_READ), "mprotect: %s", strerror(errno));
	for (unsigned long i = 0; i < NOBKL_PAGES; i++)
		utest_check(p[i * PAGE] == (char)(i + 1), "page %lu lost its byte", i);
	utest_check(!madvise(p, len, MADV_DONTNEED), "madvise: %s", strerror(errno));
	utest_check(p[PAGE] == 0, "MADV_DONTNEED kept the data");
	utest_check(!mincore(p, len, vec) && vec[1] == 1 && vec[2] == 0,
		    "mincore: %s, %u %u", strerror(errno), vec[1], vec[2]);
	q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
	utest_check(q != MAP_FAILED, "mremap: %s", strerror(errno));
	brk_up_and_down();
	utest_check(!munmap(q, 2 * len), "munmap: %s", strerror(errno));
}

static void nobkl(const char *rounds_arg)
{
	char *end;
	unsigned long rounds = strtoul(rounds_arg, &end, 0);
	void *flag;

	utest_check(!*end && rounds && rounds <= 100000, "bad round count '%s' (1 to 100000)",
		    rounds_arg);
	flag = mmap(NOBKL_FLAG, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	utest_check(flag == NOBKL_FLAG, "mmap flag page: %s", strerror(errno));
	for (unsigned long i = 0; i < rounds; i++)
		nobkl_round();
	utest_check(!munmap(flag, PAGE), "munmap flag page: %s", strerror(errno));
	printf("mm_stress: nobkl: %lu rounds of %d pages\n", rounds, NOBKL_PAGES);
	utest_pass();
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
	pthread_t mutator, walker;
	char *end;
	void *p;

	utest_init("mm_stress");
	if (argc != 3)
		utest_fail("usage: mm_stress SEED STEPS | nobkl ROUNDS");
	if (!strcmp(argv[1], "nobkl"))
		nobkl(argv[2]);
	seed = strtoull(argv[1], &end, 0);
	utest_check(!*end && end != argv[1] && seed, "bad seed '%s' (a non-zero number)", argv[1]);
	nr_steps = strtoul(argv[2], &end, 0);
	utest_check(!*end && end != argv[2] && nr_steps && nr_steps <= 100000000,
		    "bad step count '%s' (1 to 100000000)", argv[2]);
	utest_check(!sigaction(SIGSEGV, &sa, NULL), "sigaction: %s", strerror(errno));
	p = mmap(REGION, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	utest_check(p == REGION, "mmap region: %s", strerror(errno));

	for (int t = 0; t < NR_FAULTERS; t++) {
		faulters[t].id = t;
		faulters[t].rng = seed * 31 + (uint64_t)t + 1;
		start(&faulters[t].thread, fault_loop, &faulters[t]);
	}
	/* The mutator last: it moves the break, which nothing may use meanwhile. */
	start(&walker, walk_loop, NULL);
	start(&mutator, mutate_loop, NULL);
	for (int t = 0; t < NR_FAULTERS; t++)
		pthread_join(faulters[t].thread, NULL);
	pthread_join(mutator, NULL);
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	pthread_join(walker, NULL);

	check_final();
	printf("mm_stress: seed %llu, faulters' steps %lu %lu %lu, %lu mutations: "
	       "%lu SIGSEGV retries, %lu walks (%lu mincore, %lu ENOMEM while a piece was away)\n",
	       (unsigned long long)seed, faulters[0].steps, faulters[1].steps, faulters[2].steps,
	       nr_mutations(), segv_retries, walks, mincores, mincore_enomem);
	utest_check(!munmap(REGION, LEN), "munmap region: %s", strerror(errno));
	utest_pass();
}
