/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_LAPIC_H
#define KERNEL_LAPIC_H

#include "kernel/types.h"

/*
 * The local APIC's timer as the scheduler's tick: periodic at hz on
 * vector (an IRQ vector whose handler calls lapic_eoi()). Calibrated
 * against the TSC. False when there is no local APIC, or the firmware
 * left it disabled: the caller uses the PIT then.
 */
bool lapic_timer_start(unsigned int hz, unsigned int vector);
/* End of interrupt for the local APIC (nothing when it is not in use). */
void lapic_eoi(void);

#endif
