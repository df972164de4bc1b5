// SPDX-License-Identifier: MIT
#include "kernel/extable.h"
#include "kernel/traps.h"

struct exception_table_entry {
	unsigned long insn;
	unsigned long fixup;
	unsigned long type;
};

extern const struct exception_table_entry __start___ex_table[];
extern const struct exception_table_entry __stop___ex_table[];

static struct probe_fault last_fault;

static const struct exception_table_entry *search_exception_tables(unsigned long ip)
{
	const struct exception_table_entry *e;

	for (e = __start___ex_table; e < __stop___ex_table; e++)
		if (e->insn == ip)
			return e;
	return NULL;
}

bool ex_is_uaccess(unsigned long ip)
{
	const struct exception_table_entry *e = search_exception_tables(ip);

	return e && e->type == EX_TYPE_UACCESS;
}

bool fixup_exception(struct pt_regs *regs)
{
	const struct exception_table_entry *e = search_exception_tables(regs->rip);

	if (!e)
		return false;
	last_fault.vector = regs->vector;
	last_fault.error_code = regs->error_code;
	last_fault.addr = regs->vector == X86_TRAP_PF ? read_cr2() : 0;
	regs->rip = e->fixup;
	return true;
}

void probe_last_fault(struct probe_fault *pf)
{
	*pf = last_fault;
}
