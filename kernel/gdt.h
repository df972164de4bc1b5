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
void gdt_init(void);
/* Kernel stack used on entry from ring 3. */
void tss_set_rsp0(unsigned long rsp0);
#endif

#endif
