/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_EXTABLE_H
#define KERNEL_EXTABLE_H

#include "kernel/types.h"

/*
 * Accesses that are allowed to fault. Each returns 0, or -EFAULT when the
 * access faulted (the exception is fixed up, not reported). Tests use
 * them to prove that a mapping is absent or read-only; the backtrace
 * uses them to walk frames it cannot trust.
 */
int probe_read_u8(const void *addr, u8 *val);
int probe_read_u64(const void *addr, u64 *val);
int probe_write_u8(void *addr, u8 val);
int probe_write_u64(void *addr, u64 val);

/* What the last fixed-up fault was: vector, #PF error code and CR2. */
struct probe_fault {
	unsigned long vector;
	unsigned long error_code;
	unsigned long addr;
};
void probe_last_fault(struct probe_fault *pf);

struct pt_regs;
/* Called by the trap handler: true when the faulting RIP has a fixup. */
bool fixup_exception(struct pt_regs *regs);

#endif
