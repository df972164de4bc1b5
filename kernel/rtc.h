/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_RTC_H
#define KERNEL_RTC_H

#include "kernel/types.h"

/*
 * The CMOS real-time clock (MC146818) as seconds since 1970-01-01 UTC,
 * assuming the RTC keeps UTC (as QEMU's does by default). 0 when it
 * reads as nonsense.
 */
u64 rtc_read_seconds(void);
/* Seconds since 1970-01-01 00:00 UTC of a Gregorian date and time (Linux's mktime64). */
u64 rtc_mktime(unsigned int year, unsigned int mon, unsigned int day,
	       unsigned int hour, unsigned int min, unsigned int sec);

#endif
