// SPDX-License-Identifier: MIT
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/ksyms.h"
#include "kernel/extable.h"
#include "kernel/traps.h"
#include "kernel/io.h"
#include "drivers/qemu_exit.h"
#include "libc/stdio.h"

static panic_hook_t panic_hook;
static int panicking;

void set_panic_hook(panic_hook_t hook)
{
	panic_hook = hook;
}

void run_panic_hook(const char *reason)
{
	panic_hook_t hook = panic_hook;

	if (!hook)
		return;
	panic_hook = NULL;
	hook(reason);
}

/*
 * Frames are read through probes: a corrupt frame pointer ends the
 * trace instead of faulting inside the fault report.
 */
void dump_stack_from(unsigned long rbp)
{
	int depth;

	for (depth = 0; depth < 32 && rbp; depth++) {
		u64 next, ret;
		unsigned long off;
		const char *name;

		if ((rbp & 7) || rbp < 0xffff800000000000UL)
			break;
		if (probe_read_u64((void *)rbp, &next) ||
		    probe_read_u64((void *)(rbp + 8), &ret))
			break;
		name = ksym_lookup(ret, &off);
		if (!name)
			break;
		printk(" [<%016lx>] %s+0x%lx\n", (unsigned long)ret, name, off);
		if (next <= rbp)
			break;
		rbp = next;
	}
}

void dump_stack(void)
{
	printk("Call Trace:\n");
	dump_stack_from((unsigned long)__builtin_frame_address(0));
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	pr_warn("WARNING: at %s:%d: %s\n", file, line, cond);
	dump_stack();
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	local_irq_disable();
	printk_enter_panic();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (panicking++) {
		printk("Kernel panic while panicking: %s\n", buf);
		qemu_exit(QEMU_EXIT_PANIC);
		for (;;)
			halt();
	}
	printk("Kernel panic - not syncing: %s\n", buf);
	dump_stack();
	if (panic_hook) {
		panicking = 0;
		printk_leave_panic();	/* the test goes on: waits unbounded again */
		run_panic_hook(buf);
	}
	printk("---[ end Kernel panic - not syncing: %s ]---\n", buf);
	qemu_exit(QEMU_EXIT_PANIC);
	for (;;)
		halt();
}
