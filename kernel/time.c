// SPDX-License-Identifier: MIT
/*
 * Time from the TSC, calibrated once against PIT channel 2 (present on
 * every PC and in QEMU, and usable with interrupts off). Conversion uses
 * a 32.32 fixed-point multiplier so that it is exact enough and never
 * divides on the hot path.
 */
#include "kernel/time.h"
#include "kernel/printk.h"

#define PIT_HZ		1193182UL
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE	0x61
#define CAL_MS		10

static unsigned long khz;
static u64 mult;		/* ns per cycle << 32 */
static u64 tsc_base;

static u64 pit_measure_cycles(void)
{
	unsigned int latch = PIT_HZ * CAL_MS / 1000;
	unsigned long spins = 0;
	u64 t0, t1;
	u8 gate;

	gate = inb(PIT_GATE);
	outb((gate & ~0x02) | 0x01, PIT_GATE);	/* gate on, speaker off */
	outb(0xb0, PIT_CMD);		/* ch2, lo/hi byte, mode 0 */
	outb(latch & 0xff, PIT_CH2);
	outb(latch >> 8, PIT_CH2);
	t0 = rdtsc();
	/* Bounded so that a machine without a PIT still boots. */
	while (!(inb(PIT_GATE) & 0x20) && ++spins < 100000000UL)
		;
	t1 = rdtsc();
	outb(gate, PIT_GATE);
	return t1 - t0;
}

void tsc_init(void)
{
	u64 best = ~0ULL;

	/* The shortest of a few runs: longer ones were interrupted by the host. */
	for (int i = 0; i < 3; i++) {
		u64 c = pit_measure_cycles();

		if (c < best)
			best = c;
	}
	khz = best / CAL_MS;
	if (!khz) {
		khz = 1000000;
		pr_warn("tsc: calibration failed, assuming 1 GHz\n");
	}
	mult = ((u64)NSEC_PER_MSEC << 32) / khz;
	tsc_base = rdtsc();
	pr_info("tsc: Detected %lu.%03lu MHz processor\n", khz / 1000, khz % 1000);
}

unsigned long tsc_khz(void)
{
	return khz;
}

u64 cycles_to_ns(u64 cycles)
{
	return (u64)(((unsigned __int128)cycles * mult) >> 32);
}

u64 ktime_get_ns(void)
{
	return cycles_to_ns(rdtsc() - tsc_base);
}

void ndelay(u64 ns)
{
	u64 end = ktime_get_ns() + ns;

	while (ktime_get_ns() < end)
		cpu_relax();
}

void mdelay(unsigned long ms)
{
	ndelay((u64)ms * NSEC_PER_MSEC);
}
