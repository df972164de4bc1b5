// SPDX-License-Identifier: MIT
/* reboot and poweroff (kernel/power.h). */
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/errno.h"

static int cmd_reboot(int argc, char **argv)
{
	if (shell_no_args(argc, argv))
		return -EINVAL;
	machine_restart();
}
SHELL_CMD(reboot, "", "restart the machine");

static int cmd_poweroff(int argc, char **argv)
{
	if (shell_no_args(argc, argv))
		return -EINVAL;
	machine_power_off();
}
SHELL_CMD(poweroff, "", "power the machine off (in QEMU: exit)");
