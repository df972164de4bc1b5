/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

/*
 * Text symbols of the kernel for backtraces (Linux's kallsyms, reduced).
 * Returns the name of the function containing addr and the offset into
 * it, or NULL when addr is not kernel text.
 */
const char *ksym_lookup(unsigned long addr, unsigned long *offset);
unsigned long ksym_address(const char *name);
/* "name+0xoff" into buf, or the bare address outside kernel text; buf. */
const char *ksym_snprint(char *buf, unsigned long len, unsigned long addr);

#endif
