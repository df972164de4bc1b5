// SPDX-License-Identifier: GPL-2.0
/*
 * thread_exec: execve from a multi-threaded process, as Linux's
 * de_thread() does it. Round 1: three threads sleep while a fourth (not
 * the leader) execs this program again; round 2, in the new image: the
 * pid is the same, the exec'ing thread took the leader's tid, and
 * /proc/self/status says Threads: 1; it starts threads again and this
 * time the leader execs; round 3 checks the same, and this time the
 * leader exits first (pthread_exit: a zombie while the others run) and
 * a thread execs; round 4 checks the same and passes.
 *
 *   thread_exec                      round 1
 *   thread_exec N PID                (internal) round N, 2 to 4
 */
#include "procfile.h"
#include "utest.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NR_SLEEPERS	3

static char *self;

static void *sleeper(void *arg)
{
	struct timespec ts = { 1, 0 };

	(void)arg;
	for (;;)
		nanosleep(&ts, NULL);
	return NULL;
}

static void exec_round(int round)
{
	char r[16], pid[16];
	char *argv[] = { self, r, pid, NULL };

	snprintf(r, sizeof(r), "%d", round);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	execv(self, argv);
	utest_fail("round %d: execv(%s) failed: %s", round - 1, self, strerror(errno));
}

static void *execer(void *arg)
{
	struct timespec ts = { 0, 200 * 1000000L };

	/* Round 4's exec comes after the leader's pthread_exit. */
	if ((long)arg == 4)
		nanosleep(&ts, NULL);
	exec_round((int)(long)arg);
	return NULL;
}

/* Threads that sleep until the exec kills them. */
static void start_sleepers(void)
{
	pthread_t t;

	for (int i = 0; i < NR_SLEEPERS; i++)
		utest_check(!pthread_create(&t, NULL, sleeper, NULL), "pthread_create failed");
	utest_check(proc_field("/proc/self/status", "Threads") == NR_SLEEPERS + 1,
		    "Threads: %ld before the exec, want %d",
		    proc_field("/proc/self/status", "Threads"), NR_SLEEPERS + 1);
}

/* In the new image: the process is the same one, and alone. */
static void check_after_exec(int round, const char *want_pid)
{
	long threads = proc_field("/proc/self/status", "Threads");

	utest_check(getpid() == atoi(want_pid), "round %d: pid %d after the exec, was %s",
		    round, (int)getpid(), want_pid);
	utest_check(syscall(SYS_gettid) == getpid(), "round %d: tid %ld is not the pid %d",
		    round, (long)syscall(SYS_gettid), (int)getpid());
	utest_check(threads == 1, "round %d: Threads: %ld after the exec, want 1", round,
		    threads);
	printf("thread_exec: round %d: pid %d kept, Threads: 1\n", round, (int)getpid());
}

int main(int argc, char **argv)
{
	pthread_t t;

	utest_init("thread_exec");
	self = argv[0];
	if (argc == 1) {
		start_sleepers();
		/* A thread that is not the leader execs. */
		utest_check(!pthread_create(&t, NULL, execer, (void *)2L), "pthread_create failed");
		pthread_join(t, NULL);
		utest_fail("round 1: the exec'ing thread came back");
	}
	if (argc != 3)
		utest_fail("usage: thread_exec");
	check_after_exec(atoi(argv[1]), argv[2]);
	if (atoi(argv[1]) == 2) {
		start_sleepers();
		exec_round(3);		/* the leader execs */
	}
	if (atoi(argv[1]) == 3) {
		start_sleepers();
		utest_check(!pthread_create(&t, NULL, execer, (void *)4L), "pthread_create failed");
		pthread_exit(NULL);	/* the leader goes first */
	}
	utest_pass();
}
