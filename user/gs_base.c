// SPDX-License-Identifier: GPL-2.0
/*
 * gs_base [THREADS]: a program that plays with GS must not break the
 * kernel, which swaps GS on every entry (SWAPGS). Each thread sets its
 * own GS base with arch_prctl(ARCH_SET_GS) and checks, through %gs, that
 * it survives system calls, page faults, sleeps and moves between CPUs;
 * then loads GS selectors itself (the null selector and the user data
 * selector) and goes on making system calls and faults. A kernel
 * address as the base is EPERM. Runs the same on Linux.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "utest.h"

#define ARCH_SET_GS	0x1001
#define ARCH_GET_GS	0x1004
#define ROUNDS		200
#define MAX_THREADS	16

struct slot {
	unsigned long magic;
	unsigned long rounds;
	int failed;
};

static struct slot slots[MAX_THREADS];

static long arch_prctl(int code, unsigned long addr)
{
	return syscall(SYS_arch_prctl, code, addr);
}

static unsigned long read_gs0(void)
{
	unsigned long v;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(v));
	return v;
}

static void load_gs(unsigned short sel)
{
	__asm__ __volatile__("movw %0, %%gs" :: "r"(sel));
}

/* System calls, a sleep, a fresh page's fault: the kernel is entered every way. */
static void enter_kernel(int round)
{
	struct timespec ts = { 0, 100000 };
	char *p;

	getpid();
	sched_yield();
	if (round % 20)
		return;
	nanosleep(&ts, NULL);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	p[0] = 1;
	munmap(p, 4096);
}

static void *worker(void *arg)
{
	struct slot *s = arg;
	unsigned long got = 0;

	if (arch_prctl(ARCH_SET_GS, (unsigned long)s)) {
		s->failed = 1;
		return NULL;
	}
	for (int i = 0; i < ROUNDS; i++) {
		if (read_gs0() != s->magic) {
			s->failed = 2;
			return NULL;
		}
		enter_kernel(i);
		s->rounds++;
	}
	if (arch_prctl(ARCH_GET_GS, (unsigned long)&got) || got != (unsigned long)s)
		s->failed = 3;
	return NULL;
}

static void check_selectors(void)
{
	unsigned short ds;

	__asm__ __volatile__("movw %%ss, %0" : "=r"(ds));
	for (int i = 0; i < ROUNDS; i++) {
		load_gs(i & 1 ? ds : 0);
		enter_kernel(i);
	}
	/* The base can still be set and read after all that. */
	slots[0].magic = 0x5a5a1234;
	utest_check(arch_prctl(ARCH_SET_GS, (unsigned long)&slots[0]) == 0,
		    "ARCH_SET_GS after loading selectors: %s", strerror(errno));
	sched_yield();
	utest_check(read_gs0() == 0x5a5a1234, "%%gs:0 after ARCH_SET_GS and a yield");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t th[MAX_THREADS];

	utest_init("gs_base");
	if (n < 1 || n > MAX_THREADS)
		utest_fail("THREADS must be 1 to %d", MAX_THREADS);
	errno = 0;
	utest_check(arch_prctl(ARCH_SET_GS, 0xffff888000000000UL) == -1 && errno == EPERM,
		    "ARCH_SET_GS with a kernel address: %s, not EPERM", strerror(errno));
	for (int i = 0; i < n; i++) {
		slots[i].magic = 0x6b000000UL + i;
		utest_check(pthread_create(&th[i], NULL, worker, &slots[i]) == 0,
			    "pthread_create failed");
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		utest_check(!slots[i].failed && slots[i].rounds == ROUNDS,
			    "thread %d: failure %d after %lu rounds", i, slots[i].failed,
			    slots[i].rounds);
	}
	printf("gs_base: %d threads kept their GS base over %d rounds of kernel entries\n",
	       n, ROUNDS);
	check_selectors();
	printf("gs_base: GS selectors loaded from user mode, kernel entries still fine\n");
	utest_pass();
}
