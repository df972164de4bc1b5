// SPDX-License-Identifier: MIT
/*
 * Per-CPU areas (see kernel/percpu.h): a static array, since NR_CPUS is
 * small and the boot CPU needs its area before any allocator exists.
 */
#include "kernel/percpu.h"
#include "kernel/io.h"

#define MSR_GS_BASE	0xc0000101

struct percpu percpu_areas[NR_CPUS];

void percpu_setup(unsigned int cpu)
{
	struct percpu *p = &percpu_areas[cpu];

	p->self = p;
	p->cpu = cpu;
	wrmsr(MSR_GS_BASE, (unsigned long)p);
}
