/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#define __KERNEL_CS	0x08
#define __KERNEL_DS	0x10
#define __USER_DS	0x1b
#define __USER_CS	0x23
#define GDT_TSS		0x28

/* Interrupt stack table slots: faults that must not use the current stack. */
#define IST_DF		1
#define IST_NMI		2
#define IST_MC		3

#ifndef __ASSEMBLY__
#include "kernel/types.h"

#define IST_STACK_SIZE	8192

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

struct cpu_gdt {
	u64 gdt[7];
	struct tss tss;
} __aligned(16);

/* The boot CPU's tables (static). */
void gdt_init(void);
/* Build g with IST stacks ist[0..2] and load it (GDT, segments, TR) here. */
void gdt_init_cpu(struct cpu_gdt *g, u8 (*ist)[IST_STACK_SIZE]);
/* Kernel stack used on entry from ring 3, on this CPU. */
void tss_set_rsp0(unsigned long rsp0);
#endif

#endif
