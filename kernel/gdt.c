// SPDX-License-Identifier: MIT
/*
 * The kernel's own GDT and TSS. Long mode ignores segment bases and
 * limits; the TSS matters for the interrupt stack table: a double fault
 * caused by a kernel stack overflow (a hit on the guard page) must run on
 * a stack that is known good, or the CPU triple-faults and the machine
 * resets without a word.
 */
#include "kernel/gdt.h"
#include "kernel/types.h"

struct desc_ptr {
	u16 size;
	u64 address;
} __attribute__((packed));

static u8 ist_stacks[3][IST_STACK_SIZE] __aligned(16);
static struct cpu_gdt boot_gdt;

static u64 tss_desc_low(u64 base, u32 limit)
{
	return (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       (0x89UL << 40) |			/* present, 64-bit TSS available */
	       ((u64)((limit >> 16) & 0xf) << 48) |
	       (((base >> 24) & 0xff) << 56);
}

void gdt_init(void)
{
	gdt_init_cpu(&boot_gdt, ist_stacks);
}

/* Each CPU has its own GDT and TSS (a busy TSS cannot be loaded twice). */
void gdt_init_cpu(struct cpu_gdt *g, u8 (*ist)[IST_STACK_SIZE])
{
	u64 *gdt = g->gdt;
	struct tss *tss = &g->tss;
	struct desc_ptr p;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffUL;	/* kernel code, L=1 */
	gdt[2] = 0x00cf92000000ffffUL;	/* kernel data */
	gdt[3] = 0x00cff2000000ffffUL;	/* user data, DPL 3 */
	gdt[4] = 0x00affa000000ffffUL;	/* user code, DPL 3 */
	gdt[5] = tss_desc_low((u64)tss, sizeof(*tss) - 1);
	gdt[6] = (u64)tss >> 32;

	tss->ist[IST_DF - 1] = (u64)&ist[0][IST_STACK_SIZE];
	tss->ist[IST_NMI - 1] = (u64)&ist[1][IST_STACK_SIZE];
	tss->ist[IST_MC - 1] = (u64)&ist[2][IST_STACK_SIZE];
	tss->iomap_base = sizeof(*tss);

	p.size = sizeof(g->gdt) - 1;
	p.address = (u64)gdt;
	__asm__ __volatile__(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movl %%eax, %%fs\n\t"
		"movl %%eax, %%gs\n\t"
		"ltr %w3"
		:: "m"(p), "i"(__KERNEL_CS), "i"(__KERNEL_DS), "r"(GDT_TSS)
		: "rax", "memory");
}

/*
 * Each CPU runs on its own struct cpu_gdt (the boot CPU's static one, an
 * AP's in its per-CPU area), and GDTR points at its first word: the TSS
 * to change is the one beside the GDT this CPU has loaded.
 */
void tss_set_rsp0(unsigned long rsp0)
{
	struct __attribute__((packed)) {
		u16 limit;
		unsigned long base;
	} gdtr;
	struct cpu_gdt *g;

	__asm__ __volatile__("sgdt %0" : "=m"(gdtr));
	g = (struct cpu_gdt *)gdtr.base;
	g->tss.rsp[0] = rsp0;
}
