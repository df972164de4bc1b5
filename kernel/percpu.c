// SPDX-License-Identifier: MIT
/*
 * Per-CPU areas (see kernel/percpu.h): a static array, since NR_CPUS is
 * small and the boot CPU needs its area before any allocator exists.
 */
#include "kernel/percpu.h"
#include "kernel/io.h"

#define MSR_GS_BASE	0xc0000101

struct percpu percpu_areas[NR_CPUS];

_Static_assert(__builtin_offsetof(struct percpu, syscall_kernel_rsp) == PERCPU_KERNEL_RSP,
	       "PERCPU_KERNEL_RSP");
_Static_assert(__builtin_offsetof(struct percpu, syscall_user_rsp) == PERCPU_USER_RSP,
	       "PERCPU_USER_RSP");
_Static_assert(__builtin_offsetof(struct percpu, curr) == PERCPU_CURRENT, "PERCPU_CURRENT");

void percpu_setup(unsigned int cpu)
{
	struct percpu *p = &percpu_areas[cpu];

	p->self = p;
	p->cpu = cpu;
	wrmsr(MSR_GS_BASE, (unsigned long)p);
}
