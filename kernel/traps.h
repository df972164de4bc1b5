/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_TRAPS_H
#define KERNEL_TRAPS_H

#include "kernel/types.h"

/* The frame kernel/entry.S builds, lowest address first. */
struct pt_regs {
	u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	u64 rax, rcx, rdx, rsi, rdi;
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss;
};

#define PTE_PFN_MASK_CR3	0x000ffffffffff000ULL
#define X86_TRAP_DE	0
#define X86_TRAP_DB	1
#define X86_TRAP_NMI	2
#define X86_TRAP_BP	3
#define X86_TRAP_UD	6
#define X86_TRAP_DF	8
#define X86_TRAP_GP	13
#define X86_TRAP_PF	14
#define X86_TRAP_MC	18
#define NR_EXCEPTIONS	32
#define IRQ_BASE	32
#define NR_IRQS		16
#define SPURIOUS_VECTOR	48

/* #PF error code bits. */
#define X86_PF_PROT	BIT(0)
#define X86_PF_WRITE	BIT(1)
#define X86_PF_USER	BIT(2)
#define X86_PF_RSVD	BIT(3)
#define X86_PF_INSTR	BIT(4)

/* Vectors of the local APIC (kernel/apic.c, kernel/smp.c), Linux's numbers. */
#define FIRST_SYSTEM_VECTOR	0xec
#define LOCAL_TIMER_VECTOR	0xec
#define CALL_FUNCTION_VECTOR	0xfb
#define RESCHEDULE_VECTOR	0xfd
#define ERROR_APIC_VECTOR	0xfe
#define SPURIOUS_APIC_VECTOR	0xff

void trap_init(void);
/* Load the (shared) IDT on this CPU: every CPU uses the same one. */
void idt_load(void);
typedef void (*system_vector_handler_t)(struct pt_regs *regs);
/* Route a local APIC vector (FIRST_SYSTEM_VECTOR..255) to fn. */
void set_system_vector(unsigned int vec, system_vector_handler_t fn);
void do_trap(struct pt_regs *regs);
const char *trap_name(unsigned long vector);

/*
 * Page faults first go to the handler mm/ registers (user address spaces,
 * later). It returns true when it resolved the fault.
 */
typedef bool (*page_fault_handler_t)(struct pt_regs *regs, unsigned long addr);
void register_page_fault_handler(page_fault_handler_t fn);

/*
 * Something that can explain a faulting kernel address in the exception
 * report, e.g. "write to an optimized vmemmap tail (pfn 0x12345)".
 * Returns true and fills buf when it knows the address.
 */
typedef bool (*fault_describer_t)(unsigned long addr, unsigned long error,
				  char *buf, size_t len);
void register_fault_describer(fault_describer_t fn);

typedef void (*irq_handler_t)(unsigned int irq);
void request_irq(unsigned int irq, irq_handler_t fn);

static inline unsigned long read_cr2(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr3(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline unsigned long local_irq_save(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushf; pop %0; cli" : "=r"(flags) :: "memory");
	return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
	if (flags & BIT(9))
		local_irq_enable();
}

static inline bool irqs_disabled(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushf; pop %0" : "=r"(flags) :: "memory");
	return !(flags & BIT(9));
}

#endif

#ifndef KERNEL_TRAPS_CR3
#define KERNEL_TRAPS_CR3
static inline unsigned long read_cr3_phys(void)
{
	return read_cr3() & PTE_PFN_MASK_CR3;
}
#endif
