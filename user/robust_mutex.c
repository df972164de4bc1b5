// SPDX-License-Identifier: GPL-2.0
/*
 * robust_mutex: robust futexes as Linux has them. A thread takes a
 * process-shared PTHREAD_MUTEX_ROBUST mutex and exits holding it, once
 * with no one waiting and once while the main thread waits in the lock;
 * then a forked child holding one in MAP_SHARED memory is killed. Each
 * time the kernel walks the dead thread's robust list, marks the lock
 * FUTEX_OWNER_DIED and wakes a waiter, so the next locker gets
 * EOWNERDEAD, makes it consistent and goes on.
 *
 * musl registers its robust list with the kernel only for process-shared
 * mutexes, and pthread_exit() releases them itself: the threads here end
 * with the bare exit system call, so that only the kernel can.
 *
 * Then the system calls' own answers:
 * get_robust_list, set_robust_list with a bad size, and clone with a
 * TLS base outside the user half (EPERM, as Linux's
 * do_arch_prctl_64(ARCH_SET_FS) answers).
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

#define ROBUST_HEAD_SIZE	24	/* struct robust_list_head on x86_64 */

static pthread_mutex_t mutex;
static volatile int locked;
static long holder_delay_ms;

static void *die_holding(void *arg)
{
	struct timespec ts = { 0, holder_delay_ms * 1000000L };

	(void)arg;
	utest_check(pthread_mutex_lock(&mutex) == 0, "the holder cannot lock");
	locked = 1;
	if (holder_delay_ms)
		nanosleep(&ts, NULL);	/* the main thread is waiting now */
	/* Without unlocking, and without musl's cleanup (so never joined). */
	syscall(SYS_exit, 0);
	return NULL;
}

static void owner_dies(const char *what, long delay_ms)
{
	pthread_t t;
	int ret;

	locked = 0;
	holder_delay_ms = delay_ms;
	utest_check(!pthread_create(&t, NULL, die_holding, NULL), "pthread_create failed");
	while (!locked)
		sched_yield();
	/* No waiter: the holder is gone before we try. */
	while (!delay_ms && proc_field("/proc/self/status", "Threads") > 1)
		sched_yield();
	ret = pthread_mutex_lock(&mutex);
	utest_check(ret == EOWNERDEAD, "%s: lock returned %d (%s), want EOWNERDEAD", what,
		    ret, strerror(ret));
	utest_check(pthread_mutex_consistent(&mutex) == 0, "%s: consistent failed", what);
	utest_check(pthread_mutex_unlock(&mutex) == 0, "%s: unlock failed", what);
	utest_check(pthread_mutex_lock(&mutex) == 0, "%s: relock failed", what);
	utest_check(pthread_mutex_unlock(&mutex) == 0, "%s: unlock failed", what);
	printf("robust_mutex: %s: EOWNERDEAD\n", what);
}

/*
 * A child process holding the lock in shared memory dies: killed while
 * no one waits, or exiting (without musl's cleanup) while we wait in the
 * lock, the kernel's wake reaching us through the shared object.
 */
static void child_dies(int wait_in_lock)
{
	pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *flag = (volatile int *)(m + 1);
	pthread_mutexattr_t attr;
	int status, ret;
	pid_t pid;

	utest_check(m != MAP_FAILED, "mmap: %s", strerror(errno));
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	utest_check(pthread_mutex_init(m, &attr) == 0, "pthread_mutex_init failed");
	pid = fork();
	utest_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (pthread_mutex_lock(m))
			child_fail("the child cannot lock");
		*flag = 1;
		if (wait_in_lock) {
			struct timespec ts = { 0, 100 * 1000000L };

			nanosleep(&ts, NULL);
			syscall(SYS_exit_group, 0);
		}
		for (;;)
			pause();
	}
	while (!*flag)
		sched_yield();
	if (!wait_in_lock) {
		kill(pid, SIGKILL);
		utest_check(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status),
			    "the child did not die of SIGKILL");
	}
	ret = pthread_mutex_lock(m);
	utest_check(ret == EOWNERDEAD, "child %s: lock returned %d (%s), want EOWNERDEAD",
		    wait_in_lock ? "exited" : "killed", ret, strerror(ret));
	pthread_mutex_consistent(m);
	pthread_mutex_unlock(m);
	if (wait_in_lock)
		utest_wait_ok(pid, "lock holder");
	munmap(m, 4096);
	printf("robust_mutex: child %s holding it: EOWNERDEAD\n",
	       wait_in_lock ? "exited while we waited" : "killed");
}

static void robust_list_calls(void)
{
	void *head = NULL;
	size_t len = 0;
	long ret;

	ret = syscall(SYS_get_robust_list, 0, &head, &len);
	utest_check(ret == 0 && head && len == ROBUST_HEAD_SIZE,
		    "get_robust_list: %ld, head %p, len %zu", ret, head, len);
	ret = syscall(SYS_get_robust_list, getpid(), &head, &len);
	utest_check(ret == 0, "get_robust_list(own pid): %s", strerror(errno));
	ret = syscall(SYS_set_robust_list, head, ROBUST_HEAD_SIZE - 1);
	utest_check(ret == -1 && errno == EINVAL, "set_robust_list with len 23: %ld", ret);
	ret = syscall(SYS_get_robust_list, 0, NULL, &len);
	utest_check(ret == -1 && errno == EFAULT, "get_robust_list(NULL): %ld", ret);
	ret = syscall(SYS_get_robust_list, 0x3ffffff0, &head, &len);
	utest_check(ret == -1 && errno == ESRCH, "get_robust_list(no such pid): %ld", ret);
}

static void clone_bad_tls(void)
{
	long ret = syscall(SYS_clone, CLONE_SETTLS | SIGCHLD, 0, 0, 0, 1UL << 47);

	if (ret == 0)
		_exit(1);	/* a child that should not exist */
	utest_check(ret == -1 && errno == EPERM, "clone with TLS 1 << 47: %ld (%s), want EPERM",
		    ret, strerror(errno));
}

int main(void)
{
	pthread_mutexattr_t attr;

	utest_init("robust_mutex");
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	utest_check(pthread_mutex_init(&mutex, &attr) == 0, "pthread_mutex_init failed");
	owner_dies("owner exited", 0);
	owner_dies("owner exited while we waited", 100);
	child_dies(0);
	child_dies(1);
	robust_list_calls();
	clone_bad_tls();
	utest_pass();
}
