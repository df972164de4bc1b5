// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz SEED COUNT [PROCS [THREADS]]: a system-call fuzzer in the spirit of
 * trinity. A seeded stream of system calls drawn from the ones pagefold
 * implements, with arguments typed the way trinity types them: boundary
 * values (0, -1, unaligned, page-sized, huge), addresses in the kernel
 * half and past the canonical hole, and the worker's own scratch memory,
 * so that calls do reach the code that does the work.
 *
 * Work is done by worker processes, PROCS at a time, each with THREADS
 * threads. A worker may kill itself (munmap its own stack, a garbage
 * signal handler): that is counted, a new worker takes over, and the run
 * goes on until COUNT calls were made. Calls that would take the
 * fuzzer's own process group down, or harm the host it may run on as
 * root (exit, kill, execve, clone, rt_sigreturn, ARCH_SET_FS, MAP_LOCKED,
 * madvise's HWPOISON, creating or truncating files, the caller's fds)
 * are left out or kept to safe values. Each worker's stream is fixed by
 * SEED and the worker's number; where workers die depends on the kernel.
 */
#define _GNU_SOURCE
#include "utest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define SCRATCH_PAGES	64
#define SCRATCH_GUARD	(4UL << 20)
#define MAX_PROCS	64
#define MAX_THREADS	16
#define WORKER_SECONDS	120

/* Linux ABI values from <asm/prctl.h> and <linux/futex.h>, which musl's
 * headers do not carry. */
#define ARCH_SET_GS		0x1001
#define ARCH_SET_FS		0x1002
#define ARCH_GET_FS		0x1003
#define FUTEX_PRIVATE_FLAG	128

enum arg {
	A_NONE, A_ADDR, A_LEN, A_FD, A_INT, A_PROT, A_MAPFLAGS, A_ADVICE,
	A_PATH, A_OPENFLAGS, A_TIMESPEC, A_PID, A_SIG, A_WHENCE, A_MREMAP,
	A_CLOCK, A_FUTEXOP, A_ARCHCODE, A_RESOURCE, A_RLIMIT, A_COUNT,
};

struct call {
	long nr;
	const char *name;
	enum arg args[6];
};

static const struct call calls[] = {
	{ SYS_read, "read", { A_FD, A_ADDR, A_LEN } },
	{ SYS_write, "write", { A_FD, A_ADDR, A_LEN } },
	{ SYS_writev, "writev", { A_FD, A_ADDR, A_COUNT } },
	{ SYS_open, "open", { A_PATH, A_OPENFLAGS, A_INT } },
	{ SYS_openat, "openat", { A_FD, A_PATH, A_OPENFLAGS, A_INT } },
	{ SYS_close, "close", { A_FD } },
	{ SYS_lseek, "lseek", { A_FD, A_LEN, A_WHENCE } },
	{ SYS_fstat, "fstat", { A_FD, A_ADDR } },
	{ SYS_ioctl, "ioctl", { A_FD, A_INT, A_ADDR } },
	{ SYS_mmap, "mmap", { A_ADDR, A_LEN, A_PROT, A_MAPFLAGS, A_FD, A_LEN } },
	{ SYS_munmap, "munmap", { A_ADDR, A_LEN } },
	{ SYS_mprotect, "mprotect", { A_ADDR, A_LEN, A_PROT } },
	{ SYS_madvise, "madvise", { A_ADDR, A_LEN, A_ADVICE } },
	{ SYS_brk, "brk", { A_ADDR } },
	{ SYS_mremap, "mremap", { A_ADDR, A_LEN, A_LEN, A_MREMAP, A_ADDR } },
	{ SYS_mincore, "mincore", { A_ADDR, A_LEN, A_ADDR } },
	{ SYS_getpid, "getpid", { A_NONE } },
	{ SYS_gettid, "gettid", { A_NONE } },
	{ SYS_getppid, "getppid", { A_NONE } },
	{ SYS_wait4, "wait4", { A_PID, A_ADDR, A_INT, A_ADDR } },
	{ SYS_rt_sigaction, "rt_sigaction", { A_SIG, A_ADDR, A_ADDR, A_COUNT } },
	{ SYS_rt_sigprocmask, "rt_sigprocmask", { A_INT, A_ADDR, A_ADDR, A_COUNT } },
	{ SYS_sigaltstack, "sigaltstack", { A_ADDR, A_ADDR } },
	{ SYS_arch_prctl, "arch_prctl", { A_ARCHCODE, A_ADDR } },
	{ SYS_set_tid_address, "set_tid_address", { A_ADDR } },
	{ SYS_set_robust_list, "set_robust_list", { A_ADDR, A_LEN } },
	{ SYS_get_robust_list, "get_robust_list", { A_PID, A_ADDR, A_ADDR } },
	{ SYS_futex, "futex", { A_ADDR, A_FUTEXOP, A_INT, A_TIMESPEC, A_ADDR, A_INT } },
	{ SYS_clock_gettime, "clock_gettime", { A_CLOCK, A_ADDR } },
	{ SYS_nanosleep, "nanosleep", { A_TIMESPEC, A_ADDR } },
	{ SYS_sched_yield, "sched_yield", { A_NONE } },
	{ SYS_uname, "uname", { A_ADDR } },
	{ SYS_getrandom, "getrandom", { A_ADDR, A_LEN, A_INT } },
	{ SYS_prlimit64, "prlimit64", { A_PID, A_RESOURCE, A_RLIMIT, A_ADDR } },
	{ SYS_getuid, "getuid", { A_NONE } },
	{ SYS_geteuid, "geteuid", { A_NONE } },
	{ SYS_getgid, "getgid", { A_NONE } },
	{ SYS_getegid, "getegid", { A_NONE } },
	{ 1000, "(none: 1000)", { A_ADDR, A_LEN } },
	{ -1, "(none: -1)", { A_NONE } },
};

#define NR_CALLS	(sizeof(calls) / sizeof(calls[0]))

/* Shared between a worker and the parent, which reads it after the
 * worker is gone: how many calls were made, and the latest one. */
struct record {
	long calls;
	long last;
};

/* Per thread: its random stream and the memory its pointers point into. */
struct fuzzer {
	uint64_t rng;
	char *scratch;
	struct timespec ts;
	struct rlimit rlim;
	int fds[2];
	struct record *record;
	long quota;
};

static const unsigned long boundary_addrs[] = {
	0, 1, PAGE - 1, PAGE, 0x10000, 0x7fffffffe000UL, 0x7ffffffff000UL,
	0x800000000000UL, 0xffff800000000000UL, 0xffff888000000000UL,
	0xffffc90000000000UL, 0xffffea0000000000UL, 0xffffffff80000000UL,
	0xffffffffff600000UL, -PAGE, -1UL,
};

static const unsigned long lens[] = {
	0, 1, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, 64 * PAGE, 2UL << 20,
};

/* Rarer: from the scratch area they reach the worker's own stack, and
 * a worker that unmaps it has made its last call. */
static const unsigned long huge_lens[] = {
	1UL << 30, 1UL << 47, -PAGE, -1UL, LONG_MAX,
};

/* Files that exist (on pagefold /bin/fuzz is this program in the
 * initramfs), and names that cannot be created: see make_safe(). */
static const char *const paths[] = {
	"/proc/meminfo", "/proc/self/status", "/proc/self/maps", "/proc",
	"/proc/nonexistent", "nonexistent-dir/x", "", "/bin/fuzz",
};

static const long advices[] = {
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
	MADV_DONTNEED, MADV_FREE, 7, 12345, -1,
};

static const int map_flag_bits[] = {
	MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NORESERVE,
	MAP_POPULATE, MAP_HUGETLB, MAP_HUGE_2MB, MAP_HUGE_1GB, MAP_GROWSDOWN,
	MAP_STACK,
};

static const long open_flags[] = {
	O_RDONLY, O_RDONLY | O_DIRECTORY, O_WRONLY, O_RDWR, O_RDONLY | O_CLOEXEC,
	O_CREAT | O_WRONLY, O_RDWR | O_TRUNC, O_RDONLY | O_NOFOLLOW, -1,
};

static uint64_t next(struct fuzzer *f)
{
	/* xorshift64*: small, seedable, good enough to pick cases. */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dULL;
}

static unsigned long pick(struct fuzzer *f, unsigned long n)
{
	return next(f) % n;
}

#define PICK(f, table)	(table)[pick(f, sizeof(table) / sizeof((table)[0]))]

static unsigned long gen_addr(struct fuzzer *f)
{
	unsigned long page = pick(f, SCRATCH_PAGES) * PAGE;

	switch (pick(f, 4)) {
	case 0:
		return PICK(f, boundary_addrs);
	case 1:
		return (unsigned long)f->scratch + page + pick(f, PAGE);
	default:
		return (unsigned long)f->scratch + page;
	}
}

static unsigned long gen_fd(struct fuzzer *f)
{
	switch (pick(f, 6)) {
	case 0:
		return -1UL;
	case 1:
		return 3 + pick(f, 16);
	case 2:
		return pick(f, 2) ? 1000 : INT_MAX;
	default:
		return f->fds[pick(f, 2)];
	}
}

static unsigned long gen_int(struct fuzzer *f)
{
	static const unsigned long ints[] = {
		0, 1, 2, -1UL, INT_MAX, (unsigned long)INT_MIN, 0x5401, 0x5413,
	};

	return pick(f, 2) ? PICK(f, ints) : (uint32_t)next(f);
}

static unsigned long gen_map_flags(struct fuzzer *f)
{
	unsigned long flags = pick(f, 4), i;	/* shared, private, both, neither */

	for (i = 0; i < sizeof(map_flag_bits) / sizeof(map_flag_bits[0]); i++)
		if (!pick(f, 3))
			flags |= map_flag_bits[i];
	return flags;
}

/* Short sleeps only: a fuzzer that sleeps for hours tests nothing. */
static unsigned long gen_timespec(struct fuzzer *f)
{
	switch (pick(f, 5)) {
	case 0:
		return PICK(f, boundary_addrs);
	case 1:
		f->ts.tv_sec = 0;
		f->ts.tv_nsec = 1000000000L;
		break;
	case 2:
		f->ts.tv_sec = -1;
		f->ts.tv_nsec = 0;
		break;
	default:
		f->ts.tv_sec = 0;
		f->ts.tv_nsec = pick(f, 100000);
	}
	return (unsigned long)&f->ts;
}

static unsigned long gen_rlimit(struct fuzzer *f)
{
	if (pick(f, 2))
		return pick(f, 2) ? 0 : PICK(f, boundary_addrs);
	f->rlim.rlim_cur = pick(f, 2) ? RLIM_INFINITY : pick(f, 1 << 20);
	f->rlim.rlim_max = pick(f, 2) ? RLIM_INFINITY : pick(f, 1 << 20);
	return (unsigned long)&f->rlim;
}

static unsigned long gen_arg(struct fuzzer *f, enum arg kind)
{
	switch (kind) {
	case A_NONE:
		return 0;
	case A_ADDR:
		return gen_addr(f);
	case A_LEN:
		if (!pick(f, 16))
			return PICK(f, huge_lens);
		return pick(f, 3) ? PICK(f, lens) : pick(f, 1 << 20);
	case A_FD:
		return gen_fd(f);
	case A_INT:
		return gen_int(f);
	case A_PROT:
		return pick(f, 8) | (pick(f, 8) ? 0 : (uint32_t)next(f));
	case A_MAPFLAGS:
		return gen_map_flags(f);
	case A_ADVICE:
		return PICK(f, advices);
	case A_PATH:
		return pick(f, 5) ? (unsigned long)PICK(f, paths) :
			PICK(f, boundary_addrs);
	case A_OPENFLAGS:
		return PICK(f, open_flags);
	case A_TIMESPEC:
		return gen_timespec(f);
	case A_PID:
		return pick(f, 2) ? 0 : (pick(f, 2) ? -1UL : INT_MAX);
	case A_SIG:
		return pick(f, 4) ? 1 + pick(f, 64) : gen_int(f);
	case A_WHENCE:
		return pick(f, 6);
	case A_MREMAP:
		return pick(f, 4) ? pick(f, 8) : (uint32_t)next(f);
	case A_CLOCK:
		return pick(f, 4) ? pick(f, 12) : gen_int(f);
	case A_FUTEXOP:
		return pick(f, 4) ? pick(f, 2) | (pick(f, 2) ? FUTEX_PRIVATE_FLAG : 0) :
			pick(f, 16);
	case A_ARCHCODE:
		return pick(f, 2) ? ARCH_GET_FS + pick(f, 2) : gen_int(f);
	case A_RESOURCE:
		return pick(f, 4) ? pick(f, RLIM_NLIMITS) : gen_int(f);
	case A_RLIMIT:
		return gen_rlimit(f);
	case A_COUNT:
		return pick(f, 2) ? pick(f, 3) : gen_int(f);
	}
	return 0;
}

/* Keeps the calls that would end the fuzzer or hurt the host harmless. */
static void make_safe(struct fuzzer *f, long nr, unsigned long *a)
{
	if (nr == SYS_mmap) {
		if (a[1] > 16 * PAGE)
			a[3] &= ~MAP_POPULATE;
		a[3] &= ~MAP_LOCKED;
	}
	if (nr == SYS_arch_prctl && (a[0] == ARCH_SET_FS || a[0] == ARCH_SET_GS))
		a[0] = ARCH_GET_FS;
	/* Nothing is created or emptied: the host's files are not ours. */
	if (nr == SYS_open)
		a[1] &= ~(O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY));
	if (nr == SYS_openat)
		a[2] &= ~(O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY));
	if (nr == SYS_prlimit64 && a[1] == RLIMIT_CORE)
		a[2] = 0;
	/* The one size Linux takes: half the lists are set, walked at exit. */
	if (nr == SYS_set_robust_list && pick(f, 2))
		a[1] = 3 * sizeof(long);
	/* A timespec read from the stack or the scratch area can say years:
	 * a user-half pointer other than the fuzzer's own (and the unmapped
	 * low pages, which must fault) sleeps 1 us instead. */
	if (nr == SYS_nanosleep && a[0] >= 0x10000 && a[0] < 0x800000000000UL &&
	    a[0] != (unsigned long)&f->ts) {
		f->ts.tv_sec = 0;
		f->ts.tv_nsec = 1000;
		a[0] = (unsigned long)&f->ts;
	}
	if (nr == SYS_futex) {
		/* Every futex op that sleeps gets a timeout: 1 us relative,
		 * or long past for the ones that take an absolute time. */
		f->ts.tv_sec = 0;
		f->ts.tv_nsec = 1000;
		a[3] = (unsigned long)&f->ts;
	}
}

static void one_call(struct fuzzer *f)
{
	const struct call *c = &calls[pick(f, NR_CALLS)];
	unsigned long a[6];
	int i;

	for (i = 0; i < 6; i++)
		a[i] = gen_arg(f, c->args[i]);
	make_safe(f, c->nr, a);
	__atomic_add_fetch(&f->record->calls, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&f->record->last, c - calls, __ATOMIC_RELAXED);
	syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int threads_done;

static void *fuzz_thread(void *arg)
{
	struct fuzzer *f = arg;
	long i;

	for (i = 0; i < f->quota; i++)
		one_call(f);
	/* Said before returning: a fuzzed set_tid_address can leave musl's
	 * thread-list lock held, and this thread's exit stuck on it. */
	__atomic_add_fetch(&threads_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static char *map_scratch(void)
{
	char *p;

	/* PROT_NONE on each side, longer than all but the huge lengths:
	 * a copy stops there at EFAULT, and a munmap or mprotect from a
	 * scratch address seldom reaches the worker's own memory. */
	p = mmap(NULL, SCRATCH_PAGES * PAGE + 2 * SCRATCH_GUARD, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED || mprotect(p + SCRATCH_GUARD, SCRATCH_PAGES * PAGE,
					PROT_READ | PROT_WRITE))
		child_fail("scratch memory: %s", strerror(errno));
	return p + SCRATCH_GUARD;
}

/* A worker process: THREADS threads sharing QUOTA calls. */
static __attribute__((noreturn))
void worker(uint64_t seed, struct record *record, long quota, int nr_threads)
{
	static struct fuzzer fuzzers[MAX_THREADS];
	struct timespec nap = { 0, 1000000 };
	pthread_t thread;
	int i, err;

	for (i = 0; i < nr_threads; i++) {
		fuzzers[i].rng = seed * 0x9e3779b97f4a7c15ULL + i + 1;
		fuzzers[i].scratch = map_scratch();
		fuzzers[i].fds[0] = open("/proc/meminfo", O_RDONLY);
		fuzzers[i].fds[1] = open("/proc/self/status", O_RDONLY);
		fuzzers[i].record = record;
		fuzzers[i].quota = quota / nr_threads + (i < quota % nr_threads);
	}
	for (i = 1; i < nr_threads; i++) {
		err = pthread_create(&thread, NULL, fuzz_thread, &fuzzers[i]);
		if (err)
			child_fail("pthread_create: %s", strerror(err));
	}
	fuzz_thread(&fuzzers[0]);
	while (__atomic_load_n(&threads_done, __ATOMIC_ACQUIRE) < nr_threads)
		nanosleep(&nap, NULL);
	_exit(0);
}

struct slot {
	pid_t pid;
	long quota;
	double deadline;
};

struct run {
	uint64_t seed;
	long count, issued, done;
	int procs, threads, running, workers, hung, failed, zero_streak;
	int died[65];
	int last_call[NR_CALLS + 1];	/* of killed workers; the last: unknown */
	struct record *records;		/* one a slot, shared with the workers */
	struct slot slots[MAX_PROCS];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void start_worker(struct run *r, int i)
{
	long quota = r->count / r->procs;
	pid_t pid;

	if (quota > 1000)
		quota = 1000;
	if (quota < 100)
		quota = 100;
	if (quota > r->count - r->issued)
		quota = r->count - r->issued;
	r->records[i] = (struct record){ 0, NR_CALLS };
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		worker(r->seed + r->workers, &r->records[i], quota, r->threads);
	r->slots[i] = (struct slot){ pid, quota, now() + WORKER_SECONDS };
	r->issued += quota;
	r->running++;
	r->workers++;
}

/* Counts what a finished worker did; what it did not do is issued again. */
static void account(struct run *r, struct slot *s, int status)
{
	struct record *rec = &r->records[s - r->slots];
	long made = rec->calls, last = rec->last;

	/* A worker may have scribbled over its own record: trust no more
	 * than it was given, and nothing if the number is nonsense. */
	if (made < 0 || made > s->quota)
		made = 0;
	if (last < 0 || last > (long)NR_CALLS)
		last = NR_CALLS;
	r->done += made;
	r->issued -= s->quota - made;
	r->zero_streak = made ? 0 : r->zero_streak + 1;
	if (WIFSIGNALED(status)) {
		r->died[WTERMSIG(status) & 63]++;
		r->last_call[last]++;
	}
	else if (WEXITSTATUS(status))
		r->failed++;
	s->pid = 0;
	r->running--;
}

static void reap_or_wait(struct run *r)
{
	struct timespec nap = { 0, 1000000 };
	int status, i;
	pid_t pid;

	pid = wait4(-1, &status, WNOHANG, NULL);
	utest_check(pid >= 0, "wait4: %s", strerror(errno));
	for (i = 0; pid > 0 && i < r->procs; i++)
		if (r->slots[i].pid == pid)
			account(r, &r->slots[i], status);
	if (pid > 0)
		return;
	for (i = 0; i < r->procs; i++) {
		if (r->slots[i].pid && now() > r->slots[i].deadline) {
			kill(r->slots[i].pid, SIGKILL);
			r->slots[i].deadline = now() + WORKER_SECONDS;
			r->hung++;
		}
	}
	nanosleep(&nap, NULL);
}

static void report(const struct run *r)
{
	int sig, i, killed = 0;

	printf("fuzz: seed %llu: %ld calls by %d workers (%d at a time, %d threads each)\n",
	       (unsigned long long)r->seed, r->done, r->workers, r->procs,
	       r->threads);
	for (sig = 1; sig < 65; sig++) {
		if (!r->died[sig])
			continue;
		printf("fuzz: %d workers killed by signal %d (%s)\n",
		       r->died[sig], sig, strsignal(sig));
		killed += r->died[sig];
	}
	for (i = 0; i <= (int)NR_CALLS; i++)
		if (r->last_call[i])
			printf("fuzz: %d killed workers last called %s\n",
			       r->last_call[i],
			       i < (int)NR_CALLS ? calls[i].name : "nothing");
	printf("fuzz: %d killed, %d hung (killed after %d s), %d could not start\n",
	       killed, r->hung, WORKER_SECONDS, r->failed);
}

static long parse(const char *s, long min, long max, const char *what)
{
	char *end;
	long val;

	errno = 0;
	val = strtol(s, &end, 0);
	if (errno || end == s || *end || val < min || val > max)
		utest_fail("bad %s '%s' (%ld to %ld)", what, s, min, max);
	return val;
}

int main(int argc, char **argv)
{
	static struct run r;
	struct rlimit no_core = { 0, 0 };
	int i;

	utest_init("fuzz");
	if (argc < 3 || argc > 5)
		utest_fail("usage: fuzz SEED COUNT [PROCS [THREADS]]");
	r.seed = parse(argv[1], 0, LONG_MAX, "seed");
	r.count = parse(argv[2], 1, LONG_MAX / 2, "count");
	r.procs = argc > 3 ? parse(argv[3], 1, MAX_PROCS, "process count") : 4;
	r.threads = argc > 4 ? parse(argv[4], 1, MAX_THREADS, "thread count") : 2;
	r.records = mmap(NULL, MAX_PROCS * sizeof(struct record),
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	utest_check(r.records != MAP_FAILED, "mmap: %s", strerror(errno));
	/* Workers die on purpose; their cores are of no use to anyone. */
	setrlimit(RLIMIT_CORE, &no_core);
	/* The fds fuzzed are the fuzzer's own: none inherited from the
	 * caller gets written to or closed. */
	for (i = 3; i < 1024; i++)
		close(i);
	while (r.done < r.count) {
		for (i = 0; i < r.procs && r.issued < r.count; i++)
			if (!r.slots[i].pid)
				start_worker(&r, i);
		reap_or_wait(&r);
		utest_check(r.zero_streak < 100,
			    "100 workers in a row died before their first call");
	}
	report(&r);
	utest_check(getpid() > 0 && getppid() > 0, "the fuzzer's parent is hurt");
	utest_pass();
}
