// SPDX-License-Identifier: MIT
/* reboot and poweroff (kernel/power.h). */
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/errno.h"

static int cmd_reboot(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		printk("reboot: takes no arguments\n");
		return -EINVAL;
	}
	machine_restart();
}
SHELL_CMD(reboot, "", "restart the machine");

static int cmd_poweroff(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		printk("poweroff: takes no arguments\n");
		return -EINVAL;
	}
	machine_power_off();
}
SHELL_CMD(poweroff, "", "power the machine off (in QEMU: exit)");
