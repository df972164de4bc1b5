// SPDX-License-Identifier: MIT
/*
 * start_kernel: from the first C instruction to the shell. Order matters:
 * a console first (so that every later failure is seen), then the CPU
 * tables (so that a fault is reported rather than a silent triple fault),
 * then the boot information and the command line, then time, then memory.
 */
#include "bench/bench.h"
#include "kernel/bootinfo.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/gdt.h"
#include "kernel/ktest.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/run.h"
#include "kernel/sched.h"
#include "kernel/shell.h"
#include "kernel/smp.h"
#include "kernel/syscall.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "drivers/acpi.h"
#include "drivers/fbcon.h"
#include "drivers/ps2kbd.h"
#include "drivers/qemu_exit.h"
#include "fs/initramfs.h"
#include "fs/proc_pid.h"
#include "fs/ramfs_view.h"
#include "mm/mm_init.h"
#include "mm/page_alloc.h"

#define PAGEFOLD_VERSION	"0.1"

static void run_boot_tests(const char *filter)
{
	int failed = 0;

	pr_info("ktest: running '%s'\n", filter);
	if (!ktest_run(filter, &failed)) {
		pr_err("ktest: no suite matches '%s'\n", filter);
		failed = 1;
	}
	pr_info("ktest: %s\n", failed ? "FAILED" : "all passed");
	qemu_exit(failed ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
	/* Not in QEMU: stay up and let the user look. */
}

void start_kernel(u32 magic, u32 info);

void start_kernel(u32 magic, u32 info)
{
	const char *filter;

	uart_console_init();
	gdt_init();
	percpu_setup(0);	/* before anything takes a lock or counts a flush */
	trap_init();
	printk("pagefold version " PAGEFOLD_VERSION " (gcc " __VERSION__ ") x86_64\n");
	cpu_init();
	if (bootinfo_parse(magic, info))
		panic("cannot read the boot information: boot pagefold through GRUB's multiboot2");
	if (boot_params.loader_name)
		pr_info("boot: loaded by %s%s\n", boot_params.loader_name,
			boot_params.efi ? " (UEFI)" : "");
	parse_cmdline(boot_params.cmdline);
	tsc_init();
	mm_init();
	initramfs_init();
	proc_pid_init();
	ramfs_view_init();
	fbcon_init();
	acpi_init();
	smp_init();
	/* Tasks from here on: the boot context becomes the shell's task. */
	syscall_init();
	sched_init();

	bench_run_boot();
	filter = ktest_boot_filter();
	if (filter)
		run_boot_tests(filter);
	kbd_init();
	run_rdinit();
	/* Again above the prompt: on a screen the first banner has scrolled away. */
	printk("pagefold version " PAGEFOLD_VERSION " ready, %lu MiB free\n",
	       nr_free_pages() >> (20 - PAGE_SHIFT));
	shell_run();
}
