// SPDX-License-Identifier: MIT
/*
 * Local APIC (see kernel/apic.h). Register offsets and bits are Intel's
 * (SDM vol. 3, chapter 11) with Linux's names. In x2APIC mode register
 * r is MSR 0x800 + r / 16 and the ICR is one 64-bit MSR with the
 * destination in its high half.
 *
 * The boot CPU's LINT0 is left as the firmware set it (virtual wire: the
 * 8259 PIC's interrupts reach it through it); the APs mask LINT0 and
 * LINT1, so legacy interrupts only ever go to the boot CPU.
 */
#include "kernel/apic.h"
#include "kernel/io.h"
#include "kernel/param.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "mm/ioremap.h"
#include "mm/pgtable.h"
#include "libc/errno.h"

#define MSR_IA32_APICBASE	0x1b
#define APICBASE_X2APIC		BIT(10)
#define APICBASE_ENABLE		BIT(11)
#define X2APIC_MSR_BASE		0x800

#define APIC_ID			0x20
#define APIC_LVR		0x30
#define APIC_TASKPRI		0x80
#define APIC_EOI		0xb0
#define APIC_SPIV		0xf0
#define APIC_SPIV_ENABLE	BIT(8)
#define APIC_ESR		0x280
#define APIC_ICR		0x300
#define APIC_ICR2		0x310
#define APIC_LVTT		0x320
#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_LVTERR		0x370
#define APIC_TMICT		0x380
#define APIC_TMCCT		0x390
#define APIC_TDCR		0x3e0

#define APIC_LVT_MASKED		BIT(16)
#define APIC_LVT_TIMER_PERIODIC	BIT(17)
#define APIC_TDR_DIV_16		0x3
#define APIC_ICR_BUSY		BIT(12)
#define APIC_DM_FIXED		0x000
#define APIC_DM_INIT		0x500
#define APIC_DM_STARTUP		0x600
#define APIC_INT_LEVELTRIG	BIT(15)
#define APIC_INT_ASSERT		BIT(14)
#define APIC_DEST_ALLBUT	(3U << 18)

#define CALIBRATE_MS		10

static volatile u32 *lapic_mmio;
static bool x2apic_mode;
static bool nolapic;
/* The scheduler's tick; a CPU whose timer runs it has lapic_periodic set. */
static void (*periodic_tick)(void);

/* Linux's nolapic: no local APIC, so one CPU, and the PIT ticks. */
static int nolapic_setup(const char *val)
{
	if (*val)
		return -EINVAL;
	nolapic = true;
	return 0;
}
early_param("nolapic", nolapic_setup);

static u32 apic_read(unsigned int reg)
{
	if (x2apic_mode)
		return (u32)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return lapic_mmio[reg / 4];
}

static void apic_write(unsigned int reg, u32 val)
{
	if (x2apic_mode) {
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), val);
		return;
	}
	lapic_mmio[reg / 4] = val;
}

bool x2apic_enabled(void)
{
	return x2apic_mode;
}

u32 read_apic_id(void)
{
	if (x2apic_mode)
		return (u32)rdmsr(X2APIC_MSR_BASE + (APIC_ID >> 4));
	return apic_read(APIC_ID) >> 24;
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

u32 apic_read_esr(void)
{
	/* The ESR latches on a write: write, then read what accumulated. */
	apic_write(APIC_ESR, 0);
	return apic_read(APIC_ESR);
}

/*
 * One ICR write. An interrupt between the two xAPIC halves could send
 * an IPI of its own and leave ICR2 wrong for ours: interrupts stay off.
 */
static void apic_icr_write(u32 low, u32 dest)
{
	unsigned long flags = local_irq_save();

	if (x2apic_mode) {
		wrmsr(X2APIC_MSR_BASE + (APIC_ICR >> 4), ((u64)dest << 32) | low);
	} else {
		while (apic_read(APIC_ICR) & APIC_ICR_BUSY)
			cpu_relax();
		apic_write(APIC_ICR2, dest << 24);
		apic_write(APIC_ICR, low);
	}
	local_irq_restore(flags);
}

void apic_send_ipi(u32 apicid, unsigned int vector)
{
	apic_icr_write(APIC_DM_FIXED | vector, apicid);
}

void apic_send_ipi_allbutself(unsigned int vector)
{
	apic_icr_write(APIC_DEST_ALLBUT | APIC_DM_FIXED | vector, 0);
}

void apic_send_init(u32 apicid)
{
	apic_icr_write(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT, apicid);
}

void apic_send_sipi(u32 apicid, unsigned int page)
{
	apic_icr_write(APIC_DM_STARTUP | (page & 0xff), apicid);
}

static void lapic_timer_interrupt(struct pt_regs *regs)
{
	(void)regs;
	this_cpu()->lapic_timer_irqs++;
	lapic_eoi();
	if (periodic_tick && this_cpu()->lapic_periodic)
		periodic_tick();
}

static void lapic_error_interrupt(struct pt_regs *regs)
{
	(void)regs;
	pr_warn("APIC: error interrupt on CPU%u, ESR %#x\n", smp_processor_id(),
		apic_read_esr());
	lapic_eoi();
}

static void spurious_interrupt(struct pt_regs *regs)
{
	/* A spurious interrupt is never acknowledged (SDM 11.9). */
	(void)regs;
}

/*
 * Ticks of the timer (divide by 16) per millisecond: count down from the
 * top for CALIBRATE_MS of TSC time. Each CPU measures its own, as Linux
 * does where the APIC clock may differ between packages.
 */
static void lapic_calibrate_timer(void)
{
	u32 left;

	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TMICT, 0xffffffff);
	mdelay(CALIBRATE_MS);
	left = apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	this_cpu()->lapic_timer_per_ms = (0xffffffffUL - left) / CALIBRATE_MS;
}

void lapic_timer_oneshot(unsigned int ms)
{
	unsigned long ticks = this_cpu()->lapic_timer_per_ms * ms;

	/* The tick's timer fires every millisecond already: it stays periodic. */
	if (this_cpu()->lapic_periodic)
		return;

	if (!ticks)
		ticks = 1;
	if (ticks > 0xffffffffUL)
		ticks = 0xffffffffUL;
	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_LVTT, LOCAL_TIMER_VECTOR);	/* one-shot, unmasked */
	apic_write(APIC_TMICT, (u32)ticks);
}

int lapic_timer_periodic(unsigned int hz, void (*tick)(void))
{
	struct percpu *p = this_cpu();
	unsigned long ticks = p->lapic_timer_per_ms * 1000 / hz;

	if (!ticks || ticks > 0xffffffffUL)
		return -ENODEV;
	periodic_tick = tick;
	p->lapic_periodic = true;
	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_LVTT, APIC_LVT_TIMER_PERIODIC | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TMICT, (u32)ticks);
	pr_info("APIC: CPU%u timer periodic at %u Hz, %lu counts per tick\n",
		p->cpu, hz, ticks);
	return 0;
}

static void lapic_enable_mode(void)
{
	u64 base = rdmsr(MSR_IA32_APICBASE) | APICBASE_ENABLE;

	if (x2apic_mode)
		base |= APICBASE_X2APIC;
	wrmsr(MSR_IA32_APICBASE, base);
}

static void lapic_setup(bool bsp)
{
	lapic_enable_mode();
	apic_write(APIC_TASKPRI, 0);
	apic_write(APIC_LVTERR, ERROR_APIC_VECTOR);
	apic_read_esr();
	if (!bsp) {
		apic_write(APIC_LVT0, APIC_LVT_MASKED);
		apic_write(APIC_LVT1, APIC_LVT_MASKED);
	}
	apic_write(APIC_SPIV, APIC_SPIV_ENABLE | SPURIOUS_APIC_VECTOR);
	lapic_calibrate_timer();
}

void lapic_setup_ap(void)
{
	lapic_setup(false);
}

static bool cpu_has_x2apic(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return c & BIT(21);
}

int lapic_init_bsp(phys_addr_t base)
{
	if (nolapic) {
		pr_info("APIC: disabled by nolapic\n");
		return -ENODEV;
	}
	x2apic_mode = cpu_has_x2apic();
	if (!x2apic_mode) {
		lapic_mmio = ioremap(base, PAGE_SIZE, PAGE_KERNEL_NOCACHE);
		if (!lapic_mmio) {
			pr_err("APIC: cannot map the local APIC at %#llx\n",
			       (unsigned long long)base);
			return -ENOMEM;
		}
	}
	set_system_vector(LOCAL_TIMER_VECTOR, lapic_timer_interrupt);
	set_system_vector(ERROR_APIC_VECTOR, lapic_error_interrupt);
	set_system_vector(SPURIOUS_APIC_VECTOR, spurious_interrupt);
	lapic_setup(true);
	pr_info("APIC: local APIC in %s mode, version %#x, timer %lu kHz (divide 16)\n",
		x2apic_mode ? "x2APIC" : "xAPIC", apic_read(APIC_LVR) & 0xff,
		this_cpu()->lapic_timer_per_ms);
	return 0;
}
