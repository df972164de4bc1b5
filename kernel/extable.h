/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_EXTABLE_H
#define KERNEL_EXTABLE_H

/*
 * Entry types (Linux's EX_TYPE_*). A UACCESS entry is also what tells the
 * page-fault handler that a kernel-mode fault on a user address may be
 * served on demand: from anywhere else it is a kernel bug.
 */
#define EX_TYPE_DEFAULT	0
#define EX_TYPE_UACCESS	1

#ifdef __ASSEMBLY__
/* The instruction at insn may fault; the handler resumes at fixup. */
	.macro	EXTABLE insn, fixup, type=EX_TYPE_DEFAULT
	.pushsection __ex_table, "a"
	.balign 8
	.quad	\insn, \fixup, \type
	.popsection
	.endm
#else

#include "kernel/types.h"

/*
 * Accesses that are allowed to fault. Each returns 0, or -EFAULT when the
 * access faulted (the exception is fixed up, not reported). Tests use
 * them to prove that a mapping is absent or read-only; the backtrace
 * uses them to walk frames it cannot trust. They never fault a user page
 * in: a user address goes through kernel/uaccess.h.
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

/* True when ip is a user-memory access of kernel/uaccess.S. */
bool ex_is_uaccess(unsigned long ip);

struct pt_regs;
/* Called by the trap handler: true when the faulting RIP has a fixup. */
bool fixup_exception(struct pt_regs *regs);

#endif /* __ASSEMBLY__ */
#endif
