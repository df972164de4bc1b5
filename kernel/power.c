// SPDX-License-Identifier: MIT
/*
 * Reboot and power off. Each method that may be absent on a machine is
 * tried in turn and must return when it did nothing: platform (ACPI), then
 * for reboot the keyboard controller pulse and finally a triple fault; for
 * power off QEMU's debug exit, then halt with a message.
 */
#include "kernel/power.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "drivers/qemu_exit.h"

static void (*platform_restart)(void);
static void (*platform_power_off)(void);

void register_power_ops(void (*restart)(void), void (*power_off)(void))
{
	platform_restart = restart;
	platform_power_off = power_off;
}

void machine_halt(void)
{
	printk("System halted.\n");
	for (;;) {
		__asm__ __volatile__("cli; hlt");
	}
}

static void kbc_reset(void)
{
	/* Wait (bounded) for the i8042 input buffer, then pulse reset. */
	for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		io_delay();
	outb(0xfe, 0x64);
	mdelay(50);
}

static void triple_fault(void)
{
	struct {
		u16 size;
		u64 addr;
	} __attribute__((packed)) empty = { 0, 0 };

	__asm__ __volatile__("lidt %0; int3" :: "m"(empty));
}

void machine_restart(void)
{
	printk("Restarting system.\n");
	__asm__ __volatile__("cli");
	if (platform_restart)
		platform_restart();
	kbc_reset();
	triple_fault();
	machine_halt();
}

void machine_power_off(void)
{
	printk("Power down.\n");
	__asm__ __volatile__("cli");
	if (platform_power_off)
		platform_power_off();
	qemu_exit(QEMU_EXIT_POWEROFF);
	machine_halt();
}
