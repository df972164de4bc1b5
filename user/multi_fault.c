// SPDX-License-Identifier: GPL-2.0
/*
 * multi_fault THREADS|sweep SECONDS [REGION_MIB]: a page-fault benchmark in the
 * spirit of seed 001's (lore.kernel.org/patchwork/comment/296794): each
 * thread faults in every page of its own anonymous region, drops it with
 * MADV_DONTNEED, and again, until the time is up; the total of faults
 * taken, divided by the time, is printed. Each thread writes once per
 * page right after the region was emptied, so every write is one fault
 * (page-table pages come and go too where the kernel reclaims them).
 *
 * "sweep" runs 1, 2 and 4 threads, with page-table reclaim on and then
 * off where /proc/sys/vm/pt_reclaim can switch it (pagefold), in one
 * run, and puts the switch back as it was.
 */
#include "utest.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define MAX_THREADS	256
#define PT_RECLAIM	"/proc/sys/vm/pt_reclaim"

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

/* Faults per second of n threads over secs seconds. */
static double run(int n, unsigned long len, long secs)
{
	static struct worker workers[MAX_THREADS];
	struct timespec ts = { secs, 0 };
	unsigned long total = 0;
	double start, took;
	int i;

	memset(workers, 0, sizeof(workers));
	__atomic_store_n(&stop, 0, __ATOMIC_RELAXED);
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
		munmap(workers[i].region, len);
	}
	took = now() - start;
	printf("multi_fault: %d threads, %lu MiB each, %.2f s: %lu faults, %.0f faults/s\n",
	       n, len >> 20, took, total, total / took);
	utest_check(total > 0, "no fault was taken");
	return total / took;
}

/* Write the reclaim switch: 0, or -1 where there is none (Linux). */
static int set_reclaim(char on)
{
	int fd = open(PT_RECLAIM, O_WRONLY);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, on ? "1\n" : "0\n", 2) == 2;
	close(fd);
	utest_check(ok, "write %s: %s", PT_RECLAIM, strerror(errno));
	return 0;
}

static int get_reclaim(void)
{
	char c = '1';
	int fd = open(PT_RECLAIM, O_RDONLY);

	if (fd < 0)
		return -1;
	utest_check(read(fd, &c, 1) == 1, "read %s: %s", PT_RECLAIM, strerror(errno));
	close(fd);
	return c == '1';
}

static void sweep(unsigned long len, long secs)
{
	static const int threads[] = { 1, 2, 4 };
	int was = get_reclaim();
	double fps[2][3];

	for (int on = 1; on >= 0; on--) {
		if (on == 0 && was < 0)
			break;
		if (was >= 0)
			set_reclaim(on);
		for (int i = 0; i < 3; i++)
			fps[on][i] = run(threads[i], len, secs);
	}
	if (was >= 0)
		set_reclaim(was);
	for (int i = 0; i < 3 && was >= 0; i++)
		printf("multi_fault: %d threads: reclaim on %.0f, off %.0f faults/s (%+.1f %%)\n",
		       threads[i], fps[1][i], fps[0][i], 100 * (fps[1][i] / fps[0][i] - 1));
}

int main(int argc, char **argv)
{
	unsigned long len = 16UL << 20;
	long secs;

	utest_init("multi_fault");
	if (argc < 3 || argc > 4)
		utest_fail("usage: multi_fault THREADS|sweep SECONDS [REGION_MIB]");
	secs = parse_arg(argv[2], 3600, "seconds");
	if (argc == 4)
		len = parse_arg(argv[3], 1024, "region size in MiB") << 20;
	if (!strcmp(argv[1], "sweep"))
		sweep(len, secs);
	else
		run(parse_arg(argv[1], MAX_THREADS, "thread count"), len, secs);
	utest_pass();
}
