/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

/*
 * Every CPU the MADT reports, brought up with INIT-SIPI-SIPI, and
 * function calls on other CPUs through IPIs, in Linux's shape. An AP
 * idles in hlt with interrupts on and runs the calls sent to them until
 * the scheduler, which sits above, hands it its work (smp_set_ap_work:
 * its idle task and tick).
 *
 * Calls run in interrupt context on the target, with interrupts off:
 * they must be short and must not sleep or send calls themselves. They
 * must not be sent from interrupt context either (the sender's slot for
 * the target may be the one the interrupted code holds).
 */
#include "kernel/percpu.h"

typedef void (*smp_call_func_t)(void *info);

extern u64 cpu_online_mask;
extern u64 cpu_present_mask;
extern u64 cpu_possible_mask;

/* Bits set in w (no libgcc here for hweight64). */
static inline unsigned int hweight64(u64 w)
{
	unsigned int n = 0;

	for (; w; w &= w - 1)
		n++;
	return n;
}

static inline bool cpu_online(unsigned int cpu)
{
	return cpu < NR_CPUS && (cpu_online_mask & BIT(cpu));
}

static inline unsigned int num_online_cpus(void)
{
	return hweight64(cpu_online_mask);
}

static inline unsigned int num_present_cpus(void)
{
	return hweight64(cpu_present_mask);
}

static inline unsigned int num_possible_cpus(void)
{
	return hweight64(cpu_possible_mask);
}

/* The next online CPU after cpu (-1: the first), NR_CPUS when none. */
unsigned int cpumask_next_online(int cpu);

#define for_each_online_cpu(cpu)					\
	for ((cpu) = cpumask_next_online(-1); (cpu) < NR_CPUS;		\
	     (cpu) = cpumask_next_online(cpu))

/* Read the MADT, set up the local APIC and bring up the APs. */
void smp_init(void);

/*
 * Run func(info) on cpu (on this CPU directly, interrupts off). wait:
 * return only once it has run. 0, or -ENXIO when cpu is not online.
 */
int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info,
			     bool wait);
/* On every other online CPU. */
void smp_call_function(smp_call_func_t func, void *info, bool wait);
/* On every online CPU of mask but this one. */
void smp_call_function_many(u64 mask, smp_call_func_t func, void *info, bool wait);
/* On every online CPU, this one included. */
void on_each_cpu(smp_call_func_t func, void *info, bool wait);

/*
 * Wake the CPU with APIC ID apicid as CPU number cpu (not online, not
 * present). 0 once it is online, -ETIMEDOUT when it did not answer
 * (reported, and the CPU is put back into INIT), -ENOMEM, -ENODEV (no
 * trampoline). Boot uses it; the tests try an APIC ID nobody has.
 */
int smp_boot_cpu(unsigned int cpu, u32 apicid);

/* The APIC ID the MADT gave cpu. */
u32 cpu_apicid(unsigned int cpu);
/*
 * What every AP runs once it is online, in its boot context (the
 * scheduler: it never returns). Set once; the APs are woken to find it.
 */
void smp_set_ap_work(void (*work)(void));

/* The AP entry point from the trampoline. */
void start_secondary(unsigned int cpu);

#endif
