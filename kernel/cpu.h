/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include "kernel/types.h"

/* The boot CPU, from CPUID (Linux: struct cpuinfo_x86 boot_cpu_data). */
struct cpuinfo_x86 {
	char vendor[13];
	char model_id[49];		/* the brand string, trimmed */
	unsigned int family, model, stepping;
	bool pdpe1gb;			/* 1 GiB pages */
	bool nx;
	bool pat;
	bool constant_tsc;		/* invariant TSC: steady across P/C-states */
	bool hypervisor;
};

extern struct cpuinfo_x86 boot_cpu_data;

/* Fill c from the calling CPU's CPUID. */
void cpu_identify(struct cpuinfo_x86 *c);
/* Read CPUID and print the model and the features the kernel uses. */
void cpu_init(void);

#endif
