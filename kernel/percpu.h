/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

/*
 * Per-CPU areas, reached through GS as on Linux: each CPU's GS base points
 * at its own struct percpu, whose first word points at itself, so that
 * this_cpu() is one load and smp_processor_id() two, on any CPU and with
 * no table lookup. The boot CPU's area is set up right after its
 * GDT, before anything can take a lock.
 */
#define NR_CPUS		64

/*
 * Fields the assembly entry paths reach as %gs:OFFSET (SYSCALL has no
 * stack yet, and keeps the user RSP here while it loads the kernel's);
 * kernel/percpu.c checks them against the struct at build time.
 */
#define PERCPU_KERNEL_RSP	16
#define PERCPU_USER_RSP		24
#define PERCPU_CURRENT		32

#ifndef __ASSEMBLY__
#include "kernel/cpu.h"
#include "kernel/gdt.h"
#include "kernel/types.h"

struct task_struct;
struct mm;

/* Linux's names, counted per CPU and summed for /proc/vmstat. */
enum tlb_stat {
	NR_TLB_REMOTE_FLUSH,
	NR_TLB_REMOTE_FLUSH_RECEIVED,
	NR_TLB_LOCAL_FLUSH_ALL,
	NR_TLB_LOCAL_FLUSH_ONE,
	NR_TLB_STATS,
};

struct percpu {
	struct percpu *self;		/* at GS:0 */
	unsigned int cpu;		/* smp_processor_id() */
	u32 apicid;
	unsigned long syscall_kernel_rsp;	/* the running task's stack top */
	unsigned long syscall_user_rsp;	/* SYSCALL's scratch slot */
	struct task_struct *curr;	/* current */
	struct task_struct *idle;	/* this CPU's idle task */
	struct task_struct *prev_task;	/* the task a switch in progress leaves */
	struct mm *loaded_mm;		/* in CR3 (current_mm); NULL: init_pgd */
	bool need_resched;		/* the tick or a wake-up wants a switch */
	bool lapic_periodic;		/* this CPU's APIC timer is the tick */
	unsigned long nr_switches;	/* context switches on this CPU */
	unsigned long lapic_timer_per_ms;	/* LAPIC ticks at divide 16 */
	unsigned long lapic_timer_irqs;
	unsigned long call_irqs;	/* CALL_FUNCTION_VECTOR taken */
	unsigned long tlb_stats[NR_TLB_STATS];
	struct cpuinfo_x86 info;	/* this CPU's own CPUID */
	struct cpu_caps caps;
	struct cpu_gdt gdt;		/* APs; the boot CPU's is static */
	void *stack;			/* APs: their kernel stack */
	u8 (*ist)[IST_STACK_SIZE];	/* APs: their IST stacks */
} __aligned(64);

extern struct percpu percpu_areas[NR_CPUS];

/* Point GS at cpu's area on the calling CPU. */
void percpu_setup(unsigned int cpu);

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned int smp_processor_id(void)
{
	return this_cpu()->cpu;
}

static inline struct percpu *per_cpu_area(unsigned int cpu)
{
	return &percpu_areas[cpu];
}

#endif /* __ASSEMBLY__ */
#endif
