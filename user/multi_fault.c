// SPDX-License-Identifier: GPL-2.0
/*
 * multi_fault THREADS SECONDS [REGION_MIB]: a page-fault benchmark in the
 * spirit of seed 001's (lore.kernel.org/patchwork/comment/296794): each
 * thread faults in every page of its own anonymous region, drops it with
 * MADV_DONTNEED, and again, until the time is up; the total of faults
 * taken, divided by the time, is printed. Each thread writes once per
 * page right after the region was emptied, so every write is one fault
 * (page-table pages come and go too where the kernel reclaims them).
 */
#include "utest.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE		4096UL
#define MAX_THREADS	256

struct worker {
	pthread_t thread;
	char *region;
	unsigned long len;
	unsigned long faults;
	int err;
};

static volatile int stop;

static void *fault_loop(void *arg)
{
	struct worker *w = arg;
	unsigned long off;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		for (off = 0; off < w->len; off += PAGE)
			w->region[off] = 1;
		w->faults += w->len / PAGE;
		if (madvise(w->region, w->len, MADV_DONTNEED)) {
			w->err = errno;
			break;
		}
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long parse_arg(const char *s, long max, const char *what)
{
	char *end;
	long val;

	errno = 0;
	val = strtol(s, &end, 10);
	if (errno || end == s || *end || val < 1 || val > max)
		utest_fail("bad %s '%s' (1 to %ld)", what, s, max);
	return val;
}

static void start_workers(struct worker *w, int n, unsigned long len)
{
	int i, err;

	for (i = 0; i < n; i++) {
		w[i].len = len;
		w[i].region = mmap(NULL, len, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		utest_check(w[i].region != MAP_FAILED, "mmap: %s",
			    strerror(errno));
		err = pthread_create(&w[i].thread, NULL, fault_loop, &w[i]);
		utest_check(!err, "pthread_create: %s", strerror(err));
	}
}

int main(int argc, char **argv)
{
	static struct worker workers[MAX_THREADS];
	unsigned long total = 0, len = 16UL << 20;
	struct timespec ts;
	double start, secs;
	int n, i;

	utest_init("multi_fault");
	if (argc < 3 || argc > 4)
		utest_fail("usage: multi_fault THREADS SECONDS [REGION_MIB]");
	n = parse_arg(argv[1], MAX_THREADS, "thread count");
	ts.tv_sec = parse_arg(argv[2], 3600, "seconds");
	ts.tv_nsec = 0;
	if (argc == 4)
		len = parse_arg(argv[3], 1024, "region size in MiB") << 20;
	start = now();
	start_workers(workers, n, len);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++) {
		pthread_join(workers[i].thread, NULL);
		utest_check(!workers[i].err, "thread %d: madvise: %s", i,
			    strerror(workers[i].err));
		total += workers[i].faults;
	}
	secs = now() - start;
	printf("multi_fault: %d threads, %lu MiB each, %.2f s: %lu faults, %.0f faults/s\n",
	       n, len >> 20, secs, total, total / secs);
	utest_check(total > 0, "no fault was taken");
	utest_pass();
}
