/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_REALMODE_H
#define KERNEL_REALMODE_H

/*
 * The AP trampoline's home below 1 MiB (kernel/trampoline.S): a page of
 * code and data and the three page-table pages that carry an AP from
 * real mode into long mode. Reserved in memblock at boot, before the
 * buddy allocator could ever take low memory.
 */
#include "kernel/types.h"

#define TRAMPOLINE_PAGES	4

/* Layout of trampoline_data in kernel/trampoline.S. */
struct trampoline_data {
	u32 cr3;
	u32 efer;
	u64 stack;
	u64 entry;
	u64 cpu;
} __attribute__((packed));

/* Find and reserve the pages (mm_init, once the e820 map is final). */
void reserve_real_mode(void);
/* Physical base, 0 when no low RAM could be had. */
phys_addr_t real_mode_base(void);
/*
 * Copy the trampoline and its page tables (once init_pgd exists), then
 * point it at cpu's stack. The STARTUP vector (base >> 12), or -ENODEV.
 */
int setup_trampoline(unsigned int cpu, unsigned long stack_top);

#endif
