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

/*
 * The CPUID words /proc/cpuinfo prints as flags, read on each CPU by the
 * CPU itself (a CPUID instruction answers for the CPU that runs it).
 */
enum cpu_cap_word {
	CAP_1_EDX,		/* Linux's word 0 */
	CAP_80000001_EDX,	/* word 1 */
	CAP_1_ECX,		/* word 4 */
	CAP_80000001_ECX,	/* word 6 */
	CAP_7_EBX,		/* word 9 */
	NR_CAP_WORDS,
};

struct cpu_caps {
	u32 level;			/* highest standard CPUID leaf */
	u32 initial_apicid;		/* CPUID.1:EBX[31:24] */
	u32 words[NR_CAP_WORDS];
	u8 phys_bits, virt_bits;
};

/* Fill c from the calling CPU's CPUID. */
void cpu_caps_collect(struct cpu_caps *c);

/* Read CPUID and print the model and the features the kernel uses. */
void cpu_init(void);

#endif
