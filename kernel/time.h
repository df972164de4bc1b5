/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include "kernel/types.h"
#include "kernel/io.h"

#define NSEC_PER_USEC	1000UL
#define NSEC_PER_MSEC	1000000UL
#define NSEC_PER_SEC	1000000000UL

/* Calibrate the TSC against the PIT. */
void tsc_init(void);
unsigned long tsc_khz(void);
u64 cycles_to_ns(u64 cycles);
/* Nanoseconds since tsc_init(). */
u64 ktime_get_ns(void);
void ndelay(u64 ns);
void mdelay(unsigned long ms);

static inline u64 get_cycles(void)
{
	return rdtsc();
}

#endif
