// SPDX-License-Identifier: MIT
/*
 * The local APIC timer. Only the timer is used: interrupts from devices
 * still come through the 8259 PICs, in the virtual-wire mode the
 * firmware leaves LINT0 in, so nothing else changes. The timer counts
 * down at the bus clock divided by 16; one 10 ms run against the TSC
 * gives the count per tick.
 */
#include "kernel/lapic.h"
#include "kernel/io.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "mm/ioremap.h"
#include "mm/pgtable.h"
#include "libc/errno.h"

#define MSR_IA32_APICBASE	0x1b
#define APICBASE_ENABLE		BIT(11)
#define APIC_EOI		0xb0
#define APIC_SVR		0xf0
#define APIC_SVR_ENABLE		BIT(8)
#define APIC_LVTT		0x320
#define APIC_LVT_MASKED		BIT(16)
#define APIC_LVTT_PERIODIC	BIT(17)
#define APIC_TMICT		0x380
#define APIC_TMCCT		0x390
#define APIC_TDCR		0x3e0
#define APIC_TDCR_DIV16		0x3
#define CALIBRATE_MS		10

static volatile u32 *apic;
static bool disabled;

/* Linux's nolapic: the PIT ticks instead. */
static int nolapic_setup(const char *val)
{
	if (*val)
		return -EINVAL;
	disabled = true;
	return 0;
}
early_param("nolapic", nolapic_setup);

static u32 apic_read(unsigned int reg)
{
	return apic[reg / 4];
}

static void apic_write(unsigned int reg, u32 v)
{
	apic[reg / 4] = v;
}

static bool cpu_has_apic(void)
{
	u32 a = 1, b, c = 0, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d & BIT(9);
}

static u32 counts_per_ms(void)
{
	u32 left;

	apic_write(APIC_TDCR, APIC_TDCR_DIV16);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_TMICT, 0xffffffff);
	mdelay(CALIBRATE_MS);
	left = apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	return (0xffffffff - left) / CALIBRATE_MS;
}

bool lapic_timer_start(unsigned int hz, unsigned int vector)
{
	u64 base;
	u32 per_ms;

	if (disabled || !cpu_has_apic())
		return false;
	base = rdmsr(MSR_IA32_APICBASE);
	if (!(base & APICBASE_ENABLE))
		return false;
	apic = ioremap(base & PTE_PFN_MASK_CR3, PAGE_SIZE, PAGE_KERNEL_NOCACHE);
	if (!apic)
		return false;
	apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR);
	per_ms = counts_per_ms();
	if (!per_ms) {
		iounmap((void *)apic);
		apic = NULL;
		return false;
	}
	apic_write(APIC_LVTT, APIC_LVTT_PERIODIC | vector);
	apic_write(APIC_TMICT, per_ms * 1000 / hz);
	pr_info("lapic: timer at %u Hz, %u counts per tick (bus clock / 16 = %u kHz)\n",
		hz, per_ms * 1000 / hz, per_ms);
	return true;
}

void lapic_eoi(void)
{
	if (apic)
		apic_write(APIC_EOI, 0);
}
