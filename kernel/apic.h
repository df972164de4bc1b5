/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_APIC_H
#define KERNEL_APIC_H

/*
 * The local APIC of each CPU: enabled in x2APIC mode (MSRs) when the CPU
 * has it, else in xAPIC mode (the 4 KiB register page, mapped uncached;
 * every CPU sees its own APIC at the same address). It sends the IPIs
 * (fixed vectors, INIT and STARTUP) and its timer is calibrated on each
 * CPU against the TSC.
 */
#include "kernel/types.h"

#define APIC_DEFAULT_PHYS_BASE	0xfee00000UL

/* Map (xAPIC) or switch to x2APIC mode, then set up the boot CPU's APIC. */
int lapic_init_bsp(phys_addr_t base);
/* Set up this CPU's APIC (an AP), its timer calibrated. */
void lapic_setup_ap(void);
bool x2apic_enabled(void);
/* This CPU's APIC ID, read from its APIC. */
u32 read_apic_id(void);
void lapic_eoi(void);

void apic_send_ipi(u32 apicid, unsigned int vector);
void apic_send_ipi_allbutself(unsigned int vector);
void apic_send_init(u32 apicid);
void apic_send_sipi(u32 apicid, unsigned int page);
/* Pending errors since the last read (the ESR), 0 when none. */
u32 apic_read_esr(void);

/*
 * Arm this CPU's timer once, ms milliseconds ahead (LOCAL_TIMER_VECTOR);
 * on a CPU whose timer is the periodic tick, that timer is left alone.
 */
void lapic_timer_oneshot(unsigned int ms);
/*
 * The scheduler's tick: this CPU's timer made periodic at hz, tick()
 * called from its interrupt after the EOI (each CPU calls it for its own
 * timer; the tick function is the same on all). 0, or -ENODEV when this CPU's
 * APIC is not set up (none, or nolapic): the caller ticks from the PIT.
 */
int lapic_timer_periodic(unsigned int hz, void (*tick)(void));

#endif
