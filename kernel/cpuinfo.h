/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_CPUINFO_H
#define KERNEL_CPUINFO_H

/*
 * The CPUID words /proc/cpuinfo prints as flags, read on each CPU by the
 * CPU itself (a CPUID instruction answers for the CPU that runs it).
 */
#include "kernel/types.h"

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

void cpu_caps_collect(struct cpu_caps *c);

#endif
