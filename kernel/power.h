/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#include "kernel/types.h"

__noreturn void machine_restart(void);
__noreturn void machine_power_off(void);
__noreturn void machine_halt(void);

/*
 * Platform methods (ACPI) are tried first when registered; each returns
 * only when it did not work.
 */
void register_power_ops(void (*restart)(void), void (*power_off)(void));

#endif
