// SPDX-License-Identifier: MIT
/*
 * SMP bring-up and cross-CPU function calls (see kernel/smp.h).
 *
 * Bring-up, one AP at a time since they share the trampoline: INIT, 10 ms,
 * STARTUP, 200 us, a second STARTUP if the AP has not called in, then up
 * to a second for it to call in (it is then on its own GDT, stack and on
 * init_pgd, done with the trampoline). The BSP goes on with the next AP
 * while this one calibrates its timer; at the end it waits for each to
 * come online. An AP that does not call in is reported, sent INIT again
 * (so that a late wake-up cannot run the trampoline meant for the next
 * one), and skipped.
 *
 * Calls: each CPU has a queue of call_single_data under an IRQ-safe
 * spinlock; a sender queues a csd and sends CALL_FUNCTION_VECTOR. Each
 * sender owns one csd per target (Linux's per-CPU cfd), locked from
 * queueing until the target has run it (wait) or taken it (no wait), so a
 * second call to the same target waits for the first to be taken.
 */
#include "kernel/smp.h"
#include "kernel/apic.h"
#include "kernel/gdt.h"
#include "kernel/io.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/realmode.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "drivers/acpi_madt.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "libc/errno.h"
#include "libc/stdlib.h"

#define STACK_ORDER		2	/* 16 KiB, as the boot CPU's init stack */
#define IST_ORDER		3	/* three 8 KiB IST stacks */
#define CALLIN_TIMEOUT_MS	1000
#define ONLINE_TIMEOUT_MS	2000

#define MSR_IA32_CR_PAT		0x277

#define CSD_FLAG_LOCK		BIT(0)
#define CSD_FLAG_SYNC		BIT(1)

struct call_single_data {
	struct call_single_data *next;
	smp_call_func_t func;
	void *info;
	unsigned long flags;
};

struct call_queue {
	spinlock_t lock;
	struct call_single_data *head, *tail;
} __aligned(64);

enum cpu_boot_state { CPU_DOWN, CPU_CALLED_IN, CPU_ALIVE };

u64 cpu_online_mask, cpu_present_mask, cpu_possible_mask;

static struct call_queue call_queues[NR_CPUS];
static struct call_single_data csd_data[NR_CPUS][NR_CPUS];	/* [sender][target] */
static volatile int boot_state[NR_CPUS];
static u64 bsp_pat;
static void (*ap_work)(void);
static unsigned int nr_cpus_param = NR_CPUS;
static unsigned int maxcpus_param = NR_CPUS;
static bool use_shorthand;

static int nr_cpus_setup(const char *val)
{
	unsigned int n;

	if (kstrtouint(val, 10, &n))
		return -EINVAL;
	/* Linux ignores 0; so does this, but says so. */
	if (!n)
		return -ERANGE;
	nr_cpus_param = min(n, (unsigned int)NR_CPUS);
	return 0;
}
early_param("nr_cpus", nr_cpus_setup);

static int maxcpus_setup(const char *val)
{
	unsigned int n;

	/* maxcpus=0 is valid: the boot CPU alone, as nosmp. */
	if (kstrtouint(val, 10, &n))
		return -EINVAL;
	maxcpus_param = n;
	return 0;
}
early_param("maxcpus", maxcpus_setup);

unsigned int cpumask_next_online(int cpu)
{
	for (unsigned int c = cpu + 1; c < NR_CPUS; c++)
		if (cpu_online_mask & BIT(c))
			return c;
	return NR_CPUS;
}

u32 cpu_apicid(unsigned int cpu)
{
	return per_cpu_area(cpu)->apicid;
}

static void set_online(unsigned int cpu)
{
	__atomic_or_fetch(&cpu_online_mask, BIT(cpu), __ATOMIC_RELEASE);
}

/* Calls. */

static void csd_lock_wait(struct call_single_data *csd)
{
	while (__atomic_load_n(&csd->flags, __ATOMIC_ACQUIRE) & CSD_FLAG_LOCK)
		cpu_relax();
}

static void csd_unlock(struct call_single_data *csd)
{
	__atomic_store_n(&csd->flags, 0, __ATOMIC_RELEASE);
}

static struct call_single_data *csd_prepare(unsigned int cpu, smp_call_func_t func,
					    void *info, bool wait)
{
	struct call_single_data *csd = &csd_data[smp_processor_id()][cpu];

	csd_lock_wait(csd);
	csd->func = func;
	csd->info = info;
	csd->next = NULL;
	csd->flags = CSD_FLAG_LOCK | (wait ? CSD_FLAG_SYNC : 0);
	return csd;
}

static void queue_call(unsigned int cpu, struct call_single_data *csd)
{
	struct call_queue *q = &call_queues[cpu];
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	if (q->tail)
		q->tail->next = csd;
	else
		q->head = csd;
	q->tail = csd;
	spin_unlock_irqrestore(&q->lock, flags);
}

static void run_call_queue(void)
{
	struct call_queue *q = &call_queues[smp_processor_id()];
	struct call_single_data *csd, *next;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	csd = q->head;
	q->head = q->tail = NULL;
	spin_unlock_irqrestore(&q->lock, flags);
	for (; csd; csd = next) {
		smp_call_func_t func = csd->func;
		void *info = csd->info;

		next = csd->next;
		if (csd->flags & CSD_FLAG_SYNC) {
			func(info);
			csd_unlock(csd);
		} else {
			/* The sender may reuse it as soon as it is unlocked. */
			csd_unlock(csd);
			func(info);
		}
	}
}

static void call_function_interrupt(struct pt_regs *regs)
{
	(void)regs;
	this_cpu()->call_irqs++;
	lapic_eoi();
	run_call_queue();
}

static void run_local(smp_call_func_t func, void *info)
{
	unsigned long flags = local_irq_save();

	func(info);
	local_irq_restore(flags);
}

int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info,
			     bool wait)
{
	struct call_single_data *csd;

	if (!cpu_online(cpu))
		return -ENXIO;
	if (cpu == smp_processor_id()) {
		run_local(func, info);
		return 0;
	}
	csd = csd_prepare(cpu, func, info, wait);
	queue_call(cpu, csd);
	apic_send_ipi(cpu_apicid(cpu), CALL_FUNCTION_VECTOR);
	if (wait)
		csd_lock_wait(csd);
	return 0;
}

/* Queue a call on each CPU of targets (online, not this one) and send the IPIs. */
static void call_many(u64 targets, smp_call_func_t func, void *info, bool wait)
{
	unsigned int me = smp_processor_id(), cpu;

	if (!targets)
		return;
	for_each_online_cpu(cpu)
		if (targets & BIT(cpu))
			queue_call(cpu, csd_prepare(cpu, func, info, wait));
	/* The shorthand reaches every CPU there is: only when all are online. */
	if (use_shorthand && targets == (cpu_present_mask & ~BIT(me))) {
		apic_send_ipi_allbutself(CALL_FUNCTION_VECTOR);
		return;
	}
	for_each_online_cpu(cpu)
		if (targets & BIT(cpu))
			apic_send_ipi(cpu_apicid(cpu), CALL_FUNCTION_VECTOR);
}

static void wait_many(u64 targets)
{
	unsigned int me = smp_processor_id(), cpu;

	for_each_online_cpu(cpu)
		if (targets & BIT(cpu))
			csd_lock_wait(&csd_data[me][cpu]);
}

static u64 others(u64 mask)
{
	return mask & cpu_online_mask & ~BIT(smp_processor_id());
}

void smp_call_function_many(u64 mask, smp_call_func_t func, void *info, bool wait)
{
	u64 targets = others(mask);

	call_many(targets, func, info, wait);
	if (wait)
		wait_many(targets);
}

void smp_call_function(smp_call_func_t func, void *info, bool wait)
{
	smp_call_function_many(cpu_online_mask, func, info, wait);
}

void on_each_cpu(smp_call_func_t func, void *info, bool wait)
{
	u64 targets = others(cpu_online_mask);

	call_many(targets, func, info, wait);
	/* The local run overlaps with the others'. */
	run_local(func, info);
	if (wait)
		wait_many(targets);
}

/* The AP side. */

void start_secondary(unsigned int cpu)
{
	struct percpu *p = per_cpu_area(cpu);

	gdt_init_cpu(&p->gdt, p->ist);
	idt_load();
	percpu_setup(cpu);
	write_cr3(__pa(init_pgd));
	wrmsr(MSR_IA32_CR_PAT, bsp_pat);	/* the same memory types as the BSP */
	WRITE_ONCE(boot_state[cpu], CPU_CALLED_IN);
	lapic_setup_ap();
	/* The MADT's ID is what IPIs are sent to: a mismatch loses them. */
	if (read_apic_id() != p->apicid)
		pr_warn("smp: CPU%u answers with APIC ID %#x, the MADT says %#x\n", cpu,
			read_apic_id(), p->apicid);
	cpu_identify(&p->info);
	cpu_caps_collect(&p->caps);
	/*
	 * Online first, then flush: a kernel mapping changed while this CPU
	 * was not yet in the mask is flushed here, and any change after the
	 * sender reads the mask reaches it as a shootdown.
	 */
	set_online(cpu);
	local_flush_tlb_all();
	WRITE_ONCE(boot_state[cpu], CPU_ALIVE);
	local_irq_enable();
	for (;;) {
		void (*work)(void) = READ_ONCE(ap_work);

		if (work)
			work();
		halt();
	}
}

static void kick(void *info)
{
	(void)info;
}

void smp_set_ap_work(void (*work)(void))
{
	WRITE_ONCE(ap_work, work);
	/* Out of hlt: each AP finds the work after the call's interrupt. */
	smp_call_function(kick, NULL, true);
}

/* The BSP side. */

static bool wait_state(unsigned int cpu, int state, unsigned int ms)
{
	u64 end = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;

	while (READ_ONCE(boot_state[cpu]) < state) {
		if (ktime_get_ns() > end)
			return false;
		cpu_relax();
	}
	return true;
}

static int alloc_stacks(struct percpu *p, unsigned long *stack_top)
{
	struct page *stack = alloc_pages(GFP_KERNEL, STACK_ORDER);
	struct page *ist = alloc_pages(GFP_KERNEL, IST_ORDER);

	if (!stack || !ist) {
		if (stack)
			free_pages(stack, STACK_ORDER);
		if (ist)
			free_pages(ist, IST_ORDER);
		return -ENOMEM;
	}
	p->ist = page_address(ist);
	p->stack = page_address(stack);
	*stack_top = (unsigned long)p->stack + (PAGE_SIZE << STACK_ORDER);
	return 0;
}

static void free_stacks(struct percpu *p)
{
	free_pages(virt_to_page(p->stack), STACK_ORDER);
	free_pages(virt_to_page(p->ist), IST_ORDER);
	p->stack = NULL;
	p->ist = NULL;
}

/* INIT, STARTUP, STARTUP (Intel SDM vol. 3, 9.4.4.1; Linux's wakeup_secondary_cpu_via_init). */
static bool wakeup_via_init(unsigned int cpu, u32 apicid, int page)
{
	apic_read_esr();
	apic_send_init(apicid);
	mdelay(10);
	for (int i = 0; i < 2; i++) {
		apic_send_sipi(apicid, page);
		ndelay(200 * NSEC_PER_USEC);
		if (READ_ONCE(boot_state[cpu]) >= CPU_CALLED_IN)
			return true;
	}
	return wait_state(cpu, CPU_CALLED_IN, CALLIN_TIMEOUT_MS);
}

static int start_cpu(unsigned int cpu, u32 apicid)
{
	struct percpu *p = per_cpu_area(cpu);
	unsigned long stack_top;
	int page, ret;

	if (cpu >= NR_CPUS || cpu_online(cpu))
		return -EINVAL;
	ret = alloc_stacks(p, &stack_top);
	if (ret) {
		pr_err("smp: CPU%u: no memory for its stacks\n", cpu);
		return ret;
	}
	page = setup_trampoline(cpu, stack_top);
	if (page < 0) {
		free_stacks(p);
		return page;
	}
	p->apicid = apicid;
	WRITE_ONCE(boot_state[cpu], CPU_DOWN);
	if (!wakeup_via_init(cpu, apicid, page)) {
		/* Back to wait-for-SIPI: it must not wake up on a later trampoline. */
		apic_send_init(apicid);
		pr_err("smp: CPU%u (APIC ID %#x) did not answer: skipped\n", cpu, apicid);
		free_stacks(p);
		return -ETIMEDOUT;
	}
	return 0;
}

int smp_boot_cpu(unsigned int cpu, u32 apicid)
{
	int ret = start_cpu(cpu, apicid);

	if (ret)
		return ret;
	if (!wait_state(cpu, CPU_ALIVE, ONLINE_TIMEOUT_MS)) {
		pr_err("smp: CPU%u (APIC ID %#x) called in but never came online\n", cpu, apicid);
		return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Number the CPUs: the boot CPU is 0 wherever the MADT lists it, then
 * the present ones in table order up to nr_cpus=, then the hot-pluggable
 * ones (possible, never booted here).
 */
static void enumerate_cpus(const struct madt_info *info, u32 bsp_apicid)
{
	unsigned int next = 1, dropped = 0;
	bool bsp_listed = false;

	for (unsigned int i = 0; i < info->nr_cpus; i++) {
		const struct madt_cpu *c = &info->cpus[i];

		if (c->apicid == bsp_apicid) {
			bsp_listed = true;
			continue;
		}
		if (next >= nr_cpus_param) {
			dropped++;
			continue;
		}
		per_cpu_area(next)->apicid = c->apicid;
		cpu_possible_mask |= BIT(next);
		if (c->present)
			cpu_present_mask |= BIT(next);
		next++;
	}
	if (!bsp_listed)
		pr_warn("smp: the boot CPU (APIC ID %#x) is not in the MADT\n", bsp_apicid);
	if (dropped)
		pr_info("smp: nr_cpus=%u: %u more CPUs ignored\n", nr_cpus_param, dropped);
	if (info->nr_overflow)
		pr_warn("smp: MADT lists more than %u CPUs: %u ignored\n", MADT_MAX_CPUS,
			info->nr_overflow);
}

static bool read_madt(struct madt_info *info)
{
	struct acpi_table_header *t = acpi_get_madt();
	int ret;

	if (!t)
		return false;
	ret = acpi_parse_madt((const struct acpi_table_madt *)t, t->length, info);
	acpi_put_table(t);
	if (ret)
		return false;
	pr_info("ACPI: MADT: %u CPUs present, %u hot-pluggable, %u entries ignored, local APIC at %#llx\n",
		info->nr_present, info->nr_cpus - info->nr_present, info->nr_ignored,
		(unsigned long long)info->lapic_address);
	return true;
}

static void boot_aps(void)
{
	unsigned int cpu, limit = max(maxcpus_param, 1U), started = 1;

	for (cpu = 1; cpu < NR_CPUS; cpu++) {
		if (!(cpu_present_mask & BIT(cpu)))
			continue;
		if (started >= limit) {
			pr_info("smp: maxcpus=%u: CPU%u and later not brought up\n",
				maxcpus_param, cpu);
			break;
		}
		if (!start_cpu(cpu, cpu_apicid(cpu)))
			started++;
	}
	for (cpu = 1; cpu < NR_CPUS; cpu++)
		if (READ_ONCE(boot_state[cpu]) == CPU_CALLED_IN &&
		    !wait_state(cpu, CPU_ALIVE, ONLINE_TIMEOUT_MS))
			pr_err("smp: CPU%u (APIC ID %#x) called in but never came online\n",
			       cpu, cpu_apicid(cpu));
}

static bool cpu_has_apic(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return d & BIT(9);
}

/* tlbflush's way to the other CPUs of mask: how many were sent the call. */
static unsigned int call_other_cpus(u64 mask, smp_call_func_t func, void *info)
{
	u64 targets = others(mask);

	smp_call_function_many(targets, func, info, true);
	return hweight64(targets);
}

void smp_init(void)
{
	static struct madt_info info;
	struct percpu *bsp = this_cpu();
	bool have_madt;

	cpu_identify(&bsp->info);
	cpu_caps_collect(&bsp->caps);
	bsp->apicid = bsp->caps.initial_apicid;
	cpu_possible_mask = cpu_present_mask = cpu_online_mask = BIT(0);
	if (!cpu_has_apic()) {
		pr_info("smp: no local APIC: one CPU\n");
		return;
	}
	have_madt = read_madt(&info);
	if (lapic_init_bsp(have_madt ? info.lapic_address : APIC_DEFAULT_PHYS_BASE))
		return;
	bsp->apicid = read_apic_id();
	set_system_vector(CALL_FUNCTION_VECTOR, call_function_interrupt);
	if (!have_madt) {
		pr_info("smp: no MADT: one CPU\n");
		return;
	}
	enumerate_cpus(&info, bsp->apicid);
	bsp_pat = rdmsr(MSR_IA32_CR_PAT);
	tlb_set_remote_call(call_other_cpus);
	if (num_present_cpus() > 1 && real_mode_base())
		boot_aps();
	use_shorthand = cpu_online_mask == cpu_present_mask;
	pr_info("smp: Brought up 1 node, %u CPU%s\n", num_online_cpus(),
		num_online_cpus() > 1 ? "s" : "");
}
