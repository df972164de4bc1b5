// SPDX-License-Identifier: MIT
/*
 * The IDT, the 8259 PICs, and what happens on a CPU exception: an access
 * with an exception-table fixup is fixed up; a page fault goes to the
 * handler mm/ registered; anything else is reported (vector, error code,
 * RIP with its symbol, CR2 and what the address is, registers, call
 * trace) and is fatal, unless a test case is running, in which case the
 * test framework takes it as a failure of that case.
 */
#include "kernel/traps.h"
#include "kernel/percpu.h"
#include "kernel/gdt.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/ksyms.h"
#include "kernel/extable.h"
#include "libc/stdio.h"

struct idt_entry {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 zero;
} __attribute__((packed));

struct idt_ptr {
	u16 size;
	u64 address;
} __attribute__((packed));

#define NR_VECTORS	49
#define TRAP_STUB_SIZE	16
#define X86_EFLAGS_IF	BIT(9)

extern const char trap_stubs[], system_stubs[];
static struct idt_entry idt[256] __aligned(16);
static system_vector_handler_t system_vectors[256 - FIRST_SYSTEM_VECTOR];
static irq_handler_t irq_handlers[NR_IRQS];
static page_fault_handler_t pf_handler;
static fault_describer_t describers[4];
static unsigned long spurious_irqs;

static const char *const exception_names[NR_EXCEPTIONS] = {
	"#DE Divide Error", "#DB Debug", "NMI Interrupt", "#BP Breakpoint",
	"#OF Overflow", "#BR BOUND Range Exceeded", "#UD Invalid Opcode",
	"#NM Device Not Available", "#DF Double Fault",
	"Coprocessor Segment Overrun", "#TS Invalid TSS",
	"#NP Segment Not Present", "#SS Stack-Segment Fault",
	"#GP General Protection", "#PF Page Fault", "Reserved (15)",
	"#MF x87 Floating-Point Error", "#AC Alignment Check",
	"#MC Machine Check", "#XM SIMD Floating-Point Exception",
	"#VE Virtualization Exception", "#CP Control Protection",
	"Reserved (22)", "Reserved (23)", "Reserved (24)", "Reserved (25)",
	"Reserved (26)", "Reserved (27)", "#HV Hypervisor Injection",
	"#VC VMM Communication", "#SX Security Exception", "Reserved (31)",
};

const char *trap_name(unsigned long vector)
{
	if (vector < NR_EXCEPTIONS)
		return exception_names[vector];
	return "interrupt";
}

static void set_gate(unsigned int vec, unsigned long handler, u8 ist)
{
	struct idt_entry *e = &idt[vec];

	e->offset_low = handler & 0xffff;
	e->selector = __KERNEL_CS;
	e->ist = ist;
	e->type_attr = 0x8e;		/* present, DPL 0, interrupt gate */
	e->offset_mid = (handler >> 16) & 0xffff;
	e->offset_high = handler >> 32;
	e->zero = 0;
}

/*
 * Remap the PICs to vectors 32..47 so that a stray IRQ cannot look like
 * an exception, and mask every line: drivers unmask what they use.
 */
static void pic_init(void)
{
	outb(0x11, 0x20);
	outb(0x11, 0xa0);
	outb(IRQ_BASE, 0x21);
	outb(IRQ_BASE + 8, 0xa1);
	outb(4, 0x21);
	outb(2, 0xa1);
	outb(1, 0x21);
	outb(1, 0xa1);
	outb(0xfb, 0x21);		/* all masked but the cascade */
	outb(0xff, 0xa1);
}

static void pic_unmask(unsigned int irq)
{
	u16 port = irq < 8 ? 0x21 : 0xa1;

	outb(inb(port) & ~(1 << (irq & 7)), port);
}

static void pic_eoi(unsigned int irq)
{
	if (irq >= 8)
		outb(0x20, 0xa0);
	outb(0x20, 0x20);
}

void idt_load(void)
{
	struct idt_ptr p;

	p.size = sizeof(idt) - 1;
	p.address = (u64)idt;
	__asm__ __volatile__("lidt %0" :: "m"(p));
}

void set_system_vector(unsigned int vec, system_vector_handler_t fn)
{
	unsigned int i = vec - FIRST_SYSTEM_VECTOR;

	if (vec < FIRST_SYSTEM_VECTOR || vec > 255)
		return;
	system_vectors[i] = fn;
	set_gate(vec, (unsigned long)system_stubs + i * TRAP_STUB_SIZE, 0);
}

void trap_init(void)
{
	unsigned int v;

	for (v = 0; v < NR_VECTORS; v++) {
		u8 ist = 0;

		if (v == X86_TRAP_DF)
			ist = IST_DF;
		else if (v == X86_TRAP_NMI)
			ist = IST_NMI;
		else if (v == X86_TRAP_MC)
			ist = IST_MC;
		set_gate(v, (unsigned long)trap_stubs + v * TRAP_STUB_SIZE, ist);
	}
	pic_init();
	idt_load();
}

void request_irq(unsigned int irq, irq_handler_t fn)
{
	if (irq >= NR_IRQS)
		return;
	irq_handlers[irq] = fn;
	pic_unmask(irq);
}

/*
 * A kernel-mode fault on a user address (a user accessor's page not yet
 * faulted in, or copy-on-write since a fork) takes no lock here: mm's
 * handler takes mmap_lock and the page-table locks itself, with or
 * without the big kernel lock held. As Linux's do_user_addr_fault(), it
 * runs with interrupts on when the faulting code had them on (the gate
 * turned them off): a page-table lock's holder may be waiting for this
 * CPU to answer a shootdown, and mmap_lock may sleep. CR2 is read first,
 * before an interrupt can fault and change it.
 */
static bool handle_kernel_fault(struct pt_regs *regs)
{
	unsigned long addr = read_cr2();
	bool handled;

	if (regs->rflags & X86_EFLAGS_IF)
		local_irq_enable();
	handled = pf_handler(regs, addr);
	local_irq_disable();
	return handled;
}

void register_page_fault_handler(page_fault_handler_t fn)
{
	pf_handler = fn;
}

void register_fault_describer(fault_describer_t fn)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(describers); i++) {
		if (!describers[i]) {
			describers[i] = fn;
			return;
		}
	}
}

static void describe_pf_error(unsigned long err, char *buf, size_t len)
{
	snprintf(buf, len, "%s, %s%s%s, %s mode",
		 err & X86_PF_WRITE ? "write" : (err & X86_PF_INSTR ? "instruction fetch" : "read"),
		 err & X86_PF_PROT ? "protection violation" : "not-present page",
		 err & X86_PF_RSVD ? ", reserved bit set" : "",
		 "", err & X86_PF_USER ? "user" : "kernel");
}

static void describe_address(unsigned long addr, unsigned long err)
{
	char buf[160];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(describers) && describers[i]; i++) {
		if (describers[i](addr, err, buf, sizeof(buf))) {
			printk("  %s\n", buf);
			return;
		}
	}
	if (addr < 4096)
		printk("  NULL pointer dereference\n");
}

static void show_regs(const struct pt_regs *r)
{
	printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", (unsigned long)r->rax,
	       (unsigned long)r->rbx, (unsigned long)r->rcx);
	printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", (unsigned long)r->rdx,
	       (unsigned long)r->rsi, (unsigned long)r->rdi);
	printk("RBP: %016lx RSP: %016lx R08: %016lx\n", (unsigned long)r->rbp,
	       (unsigned long)r->rsp, (unsigned long)r->r8);
	printk("R09: %016lx R10: %016lx R11: %016lx\n", (unsigned long)r->r9,
	       (unsigned long)r->r10, (unsigned long)r->r11);
	printk("R12: %016lx R13: %016lx R14: %016lx\n", (unsigned long)r->r12,
	       (unsigned long)r->r13, (unsigned long)r->r14);
	printk("R15: %016lx RFLAGS: %016lx CS: %04lx SS: %04lx\n",
	       (unsigned long)r->r15, (unsigned long)r->rflags,
	       (unsigned long)r->cs, (unsigned long)r->ss);
	printk("CR3: %016lx\n", read_cr3());
}

/*
 * A leaf function may run without a frame of its own, so the frame chain
 * skips its caller. The word at RSP is then the return address: print it
 * as unreliable ("? "), as Linux does for what it cannot prove.
 */
static void show_stack_top(const struct pt_regs *regs)
{
	unsigned long off;
	const char *name;
	u64 word;

	if (probe_read_u64((void *)regs->rsp, &word))
		return;
	name = ksym_lookup(word, &off);
	if (name)
		printk(" [<%016lx>] ? %s+0x%lx\n", (unsigned long)word, name, off);
}

static __noreturn void die(struct pt_regs *regs)
{
	char reason[96];
	unsigned long off = 0;
	const char *sym = ksym_lookup(regs->rip, &off);

	printk("EXCEPTION: %s, error 0x%lx at RIP %016lx <%s+0x%lx>\n",
	       trap_name(regs->vector), (unsigned long)regs->error_code,
	       (unsigned long)regs->rip, sym ? sym : "?", off);
	if (regs->vector == X86_TRAP_PF) {
		unsigned long cr2 = read_cr2();
		char what[96];

		describe_pf_error(regs->error_code, what, sizeof(what));
		printk("CR2: %016lx (%s)\n", cr2, what);
		describe_address(cr2, regs->error_code);
	}
	show_regs(regs);
	printk("Call Trace:\n");
	if (sym)
		printk(" [<%016lx>] %s+0x%lx\n", (unsigned long)regs->rip, sym, off);
	show_stack_top(regs);
	dump_stack_from(regs->rbp);
	snprintf(reason, sizeof(reason), "Fatal exception %s",
		 trap_name(regs->vector));
	panic("%s", reason);
}

static void do_irq(struct pt_regs *regs)
{
	unsigned int irq = regs->vector - IRQ_BASE;

	if (regs->vector == SPURIOUS_VECTOR || irq >= NR_IRQS) {
		spurious_irqs++;
		return;
	}
	if (irq_handlers[irq])
		irq_handlers[irq](irq);
	pic_eoi(irq);
}

void do_trap(struct pt_regs *regs)
{
	if (regs->vector >= FIRST_SYSTEM_VECTOR) {
		system_vector_handler_t fn = system_vectors[regs->vector - FIRST_SYSTEM_VECTOR];

		this_cpu()->hardirq_nest++;
		if (fn)
			fn(regs);
		this_cpu()->hardirq_nest--;
		return;
	}
	if (regs->vector >= NR_EXCEPTIONS) {
		this_cpu()->hardirq_nest++;
		do_irq(regs);
		this_cpu()->hardirq_nest--;
		return;
	}
	/*
	 * A page fault goes to mm first: a user accessor's page that is
	 * only not yet faulted in must be served, not fail. mm refuses any
	 * other kernel-mode fault on a user address, which falls to the
	 * fixup (probes), then to the report.
	 */
	if (regs->vector == X86_TRAP_PF && pf_handler && handle_kernel_fault(regs))
		return;
	if (fixup_exception(regs))
		return;
	die(regs);
}
