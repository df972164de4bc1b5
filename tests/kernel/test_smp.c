// SPDX-License-Identifier: MIT
/*
 * SMP: the CPUs found against what QEMU was told (its fw_cfg, not the
 * MADT this kernel read), per-CPU identity, IPI calls, the ticket lock
 * under contention from every CPU, and the kernel TLB shootdown: an AP
 * must not read a freed vmemmap page through its TLB.
 *
 * Cases that need a second CPU skip at -smp 1 (configurations with more
 * CPUs name them in must_run, so a skip there fails).
 */
#include "tests/kernel/ktest.h"
#include "kernel/apic.h"
#include "kernel/io.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/pseudofs.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/tlbflush.h"
#include "kernel/traps.h"
#include "drivers/acpi_madt.h"
#include "mm/buddy_vmemmap.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/page_alloc.h"
#include "mm/page_fill.h"
#include "mm/pgtable.h"
#include "libc/ctype.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_NB_CPUS		0x05
#define LIVENESS_MS		5000

static bool need_two_cpus(struct kunit *test)
{
	if (num_online_cpus() >= 2)
		return true;
	ktest_skip(test, "needs a second CPU online");
	return false;
}

static void fw_cfg_select(u16 key)
{
	outw(key, FW_CFG_PORT_SEL);
}

/* QEMU's own count of boot CPUs (-smp), or 0 when not under QEMU. */
static unsigned int qemu_boot_cpus(void)
{
	char sig[4];

	fw_cfg_select(FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = inb(FW_CFG_PORT_DATA);
	if (memcmp(sig, "QEMU", 4))
		return 0;
	fw_cfg_select(FW_CFG_NB_CPUS);
	return inb(FW_CFG_PORT_DATA) | (unsigned int)inb(FW_CFG_PORT_DATA) << 8;
}

/* The last name=N on the command line, or def (read here, not by smp.c). */
static unsigned int cmdline_uint(const char *name, unsigned int def)
{
	const char *s = saved_command_line();
	size_t n = strlen(name);

	for (const char *p = s; (p = strstr(p, name)); p += n)
		if ((p == s || p[-1] == ' ') && p[n] == '=' && isdigit(p[n + 1]))
			def = strtoul(p + n + 1, NULL, 10);
	return def;
}

KTEST(smp, cpus_found_match_qemu)
{
	unsigned int qemu = qemu_boot_cpus(), want;

	if (!qemu) {
		ktest_skip(test, "not under QEMU: no fw_cfg CPU count");
		return;
	}
	want = min(qemu, (unsigned int)NR_CPUS);
	/* Linux's rules: nr_cpus=0 is ignored, maxcpus=0 leaves the boot CPU. */
	if (cmdline_uint("nr_cpus", 0))
		want = min(want, cmdline_uint("nr_cpus", 0));
	/* maxcpus= leaves CPUs present but not brought up; nr_cpus= drops them. */
	EXPECT_EQ(test, num_present_cpus(), want);
	want = min(want, max(cmdline_uint("maxcpus", NR_CPUS), 1U));
	ktest_log(test, "QEMU boot CPUs %u, online %u, present %u, possible %u",
		  qemu, num_online_cpus(), num_present_cpus(), num_possible_cpus());
	EXPECT_EQ(test, num_online_cpus(), want);
	EXPECT_TRUE(test, cpu_online(0));
	EXPECT_EQ(test, smp_processor_id(), 0);
}

struct madt_builder {
	u8 buf[512];
	size_t len;
};

static void madt_begin(struct madt_builder *b, u8 revision)
{
	struct acpi_table_madt *m = (void *)b->buf;

	memset(b, 0, sizeof(*b));
	memcpy(m->header.signature, "APIC", 4);
	m->header.revision = revision;
	m->address = 0xfee00000;
	b->len = sizeof(*m);
}

static void madt_lapic(struct madt_builder *b, u8 id, u32 flags)
{
	struct acpi_madt_local_apic e = {
		{ ACPI_MADT_TYPE_LOCAL_APIC, sizeof(e) }, id, id, flags };

	memcpy(b->buf + b->len, &e, sizeof(e));
	b->len += sizeof(e);
}

static void madt_x2apic(struct madt_builder *b, u32 id, u32 flags)
{
	struct acpi_madt_local_x2apic e = {
		{ ACPI_MADT_TYPE_LOCAL_X2APIC, sizeof(e) }, 0, id, flags, id };

	memcpy(b->buf + b->len, &e, sizeof(e));
	b->len += sizeof(e);
}

static void madt_override(struct madt_builder *b, u64 address)
{
	struct acpi_madt_local_apic_override e = {
		{ ACPI_MADT_TYPE_LOCAL_APIC_OVERRIDE, sizeof(e) }, 0, address };

	memcpy(b->buf + b->len, &e, sizeof(e));
	b->len += sizeof(e);
}

static int madt_parse(struct madt_builder *b, struct madt_info *info)
{
	return acpi_parse_madt((const void *)b->buf, b->len, info);
}

KTEST(smp, madt_entries_as_linux)
{
	static struct madt_builder b;
	static struct madt_info info;

	madt_begin(&b, 5);
	madt_lapic(&b, 0, ACPI_MADT_ENABLED);
	madt_lapic(&b, 1, 0);				/* disabled: ignored */
	madt_lapic(&b, 2, ACPI_MADT_ONLINE_CAPABLE);	/* hot-pluggable */
	madt_lapic(&b, 0, ACPI_MADT_ENABLED);		/* repeated: ignored */
	madt_lapic(&b, 0xff, ACPI_MADT_ENABLED);	/* invalid: ignored */
	madt_x2apic(&b, 0x100, ACPI_MADT_ENABLED);
	madt_x2apic(&b, 5, ACPI_MADT_ENABLED);		/* < 0xff beside xAPIC: ignored */
	madt_x2apic(&b, 0xffffffff, ACPI_MADT_ENABLED);	/* invalid: ignored */
	madt_lapic(&b, 3, ACPI_MADT_ENABLED);
	madt_override(&b, 0xfed00000);
	ASSERT_EQ(test, madt_parse(&b, &info), 0);
	EXPECT_EQ(test, info.nr_present, 3);
	EXPECT_EQ(test, info.nr_cpus, 4);
	EXPECT_EQ(test, info.nr_ignored, 5);
	EXPECT_UEQ(test, info.lapic_address, 0xfed00000);
	/* Present CPUs first, in table order; then the hot-pluggable one. */
	EXPECT_EQ(test, info.cpus[0].apicid, 0);
	EXPECT_EQ(test, info.cpus[1].apicid, 0x100);
	EXPECT_EQ(test, info.cpus[2].apicid, 3);
	EXPECT_EQ(test, info.cpus[3].apicid, 2);
	EXPECT_FALSE(test, info.cpus[3].present);
	EXPECT_TRUE(test, info.cpus[2].present);
}

KTEST(smp, madt_online_capable_needs_revision_5)
{
	static struct madt_builder b;
	static struct madt_info info;

	madt_begin(&b, 4);
	madt_x2apic(&b, 1, ACPI_MADT_ENABLED);		/* no xAPIC entries: valid */
	madt_x2apic(&b, 2, ACPI_MADT_ONLINE_CAPABLE);
	ASSERT_EQ(test, madt_parse(&b, &info), 0);
	EXPECT_EQ(test, info.nr_present, 1);
	EXPECT_EQ(test, info.nr_cpus, 1);
	EXPECT_EQ(test, info.nr_ignored, 1);
	EXPECT_EQ(test, info.cpus[0].apicid, 1);
}

KTEST(smp, madt_malformed_entries_stop_the_walk)
{
	static struct madt_builder b;
	static struct madt_info info;

	madt_begin(&b, 5);
	madt_lapic(&b, 0, ACPI_MADT_ENABLED);
	b.buf[b.len] = ACPI_MADT_TYPE_LOCAL_APIC;	/* length 0: would loop */
	b.buf[b.len + 1] = 0;
	b.len += sizeof(struct acpi_madt_local_apic);
	ASSERT_EQ(test, madt_parse(&b, &info), 0);
	EXPECT_EQ(test, info.nr_present, 1);
	EXPECT_EQ(test, acpi_parse_madt((const void *)b.buf, 10, &info), -EINVAL);
	/* An entry running past the table's end is not read. */
	madt_begin(&b, 5);
	madt_lapic(&b, 0, ACPI_MADT_ENABLED);
	madt_lapic(&b, 1, ACPI_MADT_ENABLED);
	b.len -= 2;
	ASSERT_EQ(test, madt_parse(&b, &info), 0);
	EXPECT_EQ(test, info.nr_present, 1);
}

struct whoami {
	unsigned int cpu[NR_CPUS];
	u32 apicid[NR_CPUS];
	unsigned int hits[NR_CPUS];
};

static void record_id(void *arg)
{
	struct whoami *w = arg;
	unsigned int cpu = smp_processor_id();

	w->cpu[cpu] = this_cpu()->cpu;
	w->apicid[cpu] = read_apic_id();
	__atomic_add_fetch(&w->hits[cpu], 1, __ATOMIC_RELAXED);
}

KTEST(smp, per_cpu_ids_distinct)
{
	static struct whoami w;
	unsigned int cpu, other;

	memset(&w, 0xff, sizeof(w));
	memset(w.hits, 0, sizeof(w.hits));
	on_each_cpu(record_id, &w, true);
	for_each_online_cpu(cpu) {
		EXPECT_EQ(test, w.hits[cpu], 1);
		EXPECT_EQ(test, w.cpu[cpu], cpu);
		/* The APIC itself agrees with the MADT's ID for this number. */
		EXPECT_EQ(test, w.apicid[cpu], cpu_apicid(cpu));
		EXPECT_UEQ(test, (unsigned long)per_cpu_area(cpu)->self,
			   (unsigned long)per_cpu_area(cpu));
		for_each_online_cpu(other)
			if (other != cpu)
				EXPECT_NE(test, w.apicid[cpu], w.apicid[other]);
	}
}

struct ping {
	unsigned int ran_on;
	unsigned long count;
};

static void ping_fn(void *arg)
{
	struct ping *p = arg;

	p->ran_on = smp_processor_id();
	__atomic_add_fetch(&p->count, 1, __ATOMIC_RELEASE);
}

static bool wait_count(unsigned long *count, unsigned long want)
{
	u64 end = ktime_get_ns() + LIVENESS_MS * NSEC_PER_MSEC;

	while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < want)
		if (ktime_get_ns() > end)
			return false;
	return true;
}

KTEST(smp, ipi_round_trip_each_cpu)
{
	unsigned int cpu, rounds = 16;

	if (!need_two_cpus(test))
		return;
	for_each_online_cpu(cpu) {
		struct ping p = { .ran_on = ~0U };
		u64 t0 = ktime_get_ns();

		if (cpu == smp_processor_id())
			continue;
		for (unsigned int i = 0; i < rounds; i++)
			ASSERT_EQ(test, smp_call_function_single(cpu, ping_fn, &p, true), 0);
		/* wait=true: done on return, by that CPU. */
		EXPECT_EQ(test, p.count, rounds);
		EXPECT_EQ(test, p.ran_on, cpu);
		if (cpu == 1)
			ktest_log(test, "IPI round trip to CPU1: %lu ns (TCG: not a measure of hardware)",
				  (unsigned long)((ktime_get_ns() - t0) / rounds));
		/* wait=false: it still runs, once, on that CPU. */
		ASSERT_EQ(test, smp_call_function_single(cpu, ping_fn, &p, false), 0);
		EXPECT_TRUE(test, wait_count(&p.count, rounds + 1));
		EXPECT_EQ(test, p.ran_on, cpu);
	}
}

KTEST(smp, call_to_offline_cpu_refused)
{
	struct ping p = { 0, 0 };
	unsigned int cpu = NR_CPUS;

	for (unsigned int c = 0; c < NR_CPUS && cpu == NR_CPUS; c++)
		if (!cpu_online(c))
			cpu = c;
	EXPECT_EQ(test, smp_call_function_single(NR_CPUS + 3, ping_fn, &p, true), -ENXIO);
	if (cpu < NR_CPUS)
		EXPECT_EQ(test, smp_call_function_single(cpu, ping_fn, &p, true), -ENXIO);
	EXPECT_EQ(test, p.count, 0);
	/* This CPU: run at once, interrupts off. */
	EXPECT_EQ(test, smp_call_function_single(smp_processor_id(), ping_fn, &p, false), 0);
	EXPECT_EQ(test, p.count, 1);
}

static void count_cpu(void *arg)
{
	unsigned long *hits = arg;

	__atomic_add_fetch(&hits[smp_processor_id()], 1, __ATOMIC_RELEASE);
}

KTEST(smp, on_each_cpu_counts)
{
	static unsigned long hits[NR_CPUS];
	unsigned long total = 0;
	unsigned int cpu;

	memset(hits, 0, sizeof(hits));
	on_each_cpu(count_cpu, hits, true);
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		EXPECT_EQ(test, hits[cpu], cpu_online(cpu) ? 1 : 0);
		total += hits[cpu];
	}
	EXPECT_EQ(test, total, num_online_cpus());
	/* Without waiting, every CPU still runs it exactly once more. */
	on_each_cpu(count_cpu, hits, false);
	for_each_online_cpu(cpu)
		EXPECT_TRUE(test, wait_count(&hits[cpu], 2));
	smp_call_function(count_cpu, hits, true);
	EXPECT_EQ(test, hits[smp_processor_id()], 2);
	for_each_online_cpu(cpu)
		if (cpu != smp_processor_id())
			EXPECT_EQ(test, hits[cpu], 3);
}

#define STRESS_SEED	0x5eed1234UL

struct stress {
	spinlock_t lock;
	unsigned long counter;		/* plain: only the lock protects it */
	int inside;			/* CPUs in the critical section */
	unsigned long overlaps;
	unsigned long irq_on_inside;
	unsigned int arrived;		/* the start line: all CPUs at once */
	unsigned long late;
};

/*
 * About 3000 / n acquisitions in all for n CPUs (750 at 4, at least 4 per
 * CPU), shared out with a seeded spread. A ticket lock hands over in
 * strict order, and with more vCPUs than host cores each hand-over may
 * wait for the host to schedule the one vCPU next in line (tens of
 * thousands took minutes on a loaded 2-core host): the start line makes
 * them contend, the count stays small.
 */
static unsigned long stress_rounds(unsigned int cpu)
{
	unsigned long x = STRESS_SEED ^ ((cpu + 1) * 0x9e3779b97f4a7c15UL);
	unsigned long n = num_online_cpus(), share = max(4UL, 3000 / (n * n));

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return share / 2 + x % share + 1;
}

/* Wait for every CPU, so that they contend rather than take turns. */
static void start_line(struct stress *s)
{
	u64 end = ktime_get_ns() + LIVENESS_MS * NSEC_PER_MSEC;

	__atomic_add_fetch(&s->arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&s->arrived, __ATOMIC_ACQUIRE) < num_online_cpus()) {
		if (ktime_get_ns() > end) {
			__atomic_add_fetch(&s->late, 1, __ATOMIC_RELAXED);
			return;
		}
		cpu_relax();
	}
}

static void stress_fn(void *arg)
{
	struct stress *s = arg;
	unsigned long n = stress_rounds(smp_processor_id()), flags;

	start_line(s);
	for (unsigned long i = 0; i < n; i++) {
		spin_lock_irqsave(&s->lock, flags);
		if (s->inside++)
			s->overlaps++;
		/* A read-modify-write stretched out, so that a race shows. */
		unsigned long v = READ_ONCE(s->counter);

		for (int d = 0; d < (int)(i & 7); d++)
			cpu_relax();
		WRITE_ONCE(s->counter, v + 1);
		if (local_irq_save() & BIT(9))
			s->irq_on_inside++;
		s->inside--;
		spin_unlock_irqrestore(&s->lock, flags);
	}
}

KTEST(smp, spinlock_stress_every_cpu)
{
	static struct stress s;
	unsigned long want = 0;
	unsigned int cpu;

	memset(&s, 0, sizeof(s));
	spin_lock_init(&s.lock, "stress");
	for_each_online_cpu(cpu)
		want += stress_rounds(cpu);
	ktest_log(test, "seed %#lx, %u CPUs, %lu acquisitions", STRESS_SEED,
		  num_online_cpus(), want);
	on_each_cpu(stress_fn, &s, true);
	EXPECT_EQ(test, s.late, 0);
	EXPECT_EQ(test, s.counter, want);
	EXPECT_EQ(test, s.overlaps, 0);
	EXPECT_EQ(test, s.irq_on_inside, 0);
	EXPECT_FALSE(test, spin_is_locked(&s.lock));
}

/*
 * printk from every CPU at once into one capture: every line must come
 * out whole (no line cut into by another CPU's) and each CPU's lines in
 * its order. The capture is where an unlocked printk loses most visibly:
 * two CPUs that read the same length write over each other.
 */
#define PK_LINE_MAX	64
#define PK_BUF_SIZE	(32 * 1024)

struct pk_lines {
	struct stress start;
	unsigned long per_cpu;
};

static void pk_print_fn(void *arg)
{
	struct pk_lines *pk = arg;
	unsigned int cpu = smp_processor_id();

	start_line(&pk->start);
	for (unsigned long i = 0; i < pk->per_cpu; i++)
		printk("pkline cpu %02u n %03lu ................................\n",
		       cpu, i);
}

/* Checks one whole line of len bytes; -1 when it is not one of ours in order. */
static long pk_check_line(const char *line, size_t len, unsigned long *next)
{
	static const char dots[] = "................................";
	unsigned long cpu, n;
	char *end;

	if (strncmp(line, "pkline cpu ", 11))
		return -1;
	cpu = strtoul(line + 11, &end, 10);
	if (cpu >= NR_CPUS || strncmp(end, " n ", 3))
		return -1;
	n = strtoul(end + 3, &end, 10);
	if (n != next[cpu] || *end != ' ' || strcmp(end + 1, dots) ||
	    (size_t)(end + 1 + strlen(dots) - line) != len)
		return -1;
	next[cpu]++;
	return cpu;
}

KTEST(smp, printk_lines_whole_from_every_cpu)
{
	static char buf[PK_BUF_SIZE];
	static unsigned long next[NR_CPUS];
	static struct pk_lines pk;
	struct printk_capture cap = { .buf = buf, .size = sizeof(buf) };
	unsigned long bad = 0, lines = 0, forced = printk_forced_count();
	unsigned int cpu;

	if (!need_two_cpus(test))
		return;
	memset(&pk, 0, sizeof(pk));
	memset(next, 0, sizeof(next));
	pk.per_cpu = min(40UL, PK_BUF_SIZE / 2 / (PK_LINE_MAX * num_online_cpus()));
	printk_capture_begin(&cap);
	on_each_cpu(pk_print_fn, &pk, true);
	printk_capture_end(&cap);
	EXPECT_FALSE(test, cap.overflow);
	EXPECT_EQ(test, pk.start.late, 0);
	for (const char *p = buf; *p; ) {
		size_t n = strcspn(p, "\n");
		char line[PK_LINE_MAX];

		strlcpy(line, p, min(n + 1, sizeof(line)));
		if (pk_check_line(line, n, next) < 0 && bad++ < 3)
			ktest_log(test, "bad line: '%s'", line);
		lines++;
		p += n + (p[n] == '\n');
	}
	EXPECT_EQ(test, bad, 0);
	EXPECT_EQ(test, lines, pk.per_cpu * num_online_cpus());
	for_each_online_cpu(cpu)
		EXPECT_EQ(test, next[cpu], pk.per_cpu);
	EXPECT_EQ(test, printk_forced_count(), forced);
}

/* Interrupts on for a case, and back as they were after it. */
static unsigned long irqs_on(void)
{
	unsigned long flags = local_irq_save();

	local_irq_enable();
	return flags;
}

static void irqs_back(unsigned long flags)
{
	local_irq_disable();
	local_irq_restore(flags);
}

KTEST(smp, spinlock_irqsave_restores)
{
	DEFINE_SPINLOCK(lock);
	unsigned long flags, now, saved = irqs_on();

	spin_lock_irqsave(&lock, flags);
	now = local_irq_save();
	EXPECT_FALSE(test, now & BIT(9));
	EXPECT_TRUE(test, flags & BIT(9));
	EXPECT_TRUE(test, spin_is_locked(&lock));
	EXPECT_FALSE(test, spin_trylock(&lock));
	spin_unlock_irqrestore(&lock, flags);
	now = local_irq_save();
	EXPECT_TRUE(test, now & BIT(9));
	local_irq_restore(now);
	EXPECT_FALSE(test, spin_is_locked(&lock));
	EXPECT_TRUE(test, spin_trylock(&lock));
	spin_unlock(&lock);
	irqs_back(saved);
}

#ifdef CONFIG_DEBUG_SPINLOCK
static void take_twice(void *arg)
{
	spin_lock(arg);
	spin_lock(arg);
}

static void unlock_unlocked(void *arg)
{
	spin_unlock(arg);
}
#endif

KTEST(smp, spinlock_debug_reports_recursion)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	DEFINE_SPINLOCK(lock);
	char reason[256];

	ASSERT_TRUE(test, ktest_catch_panic(take_twice, &lock, reason, sizeof(reason)));
	EXPECT_TRUE(test, strstr(reason, "spinlock recursion on CPU#0") != NULL);
	EXPECT_TRUE(test, strstr(reason, "'lock'") != NULL);
	EXPECT_TRUE(test, strstr(reason, "take_twice") != NULL);
	spin_lock_init(&lock, "lock");
	ASSERT_TRUE(test, ktest_catch_panic(unlock_unlocked, &lock, reason, sizeof(reason)));
	EXPECT_TRUE(test, strstr(reason, "already unlocked") != NULL);
#else
	ktest_skip(test, "CONFIG_DEBUG_SPINLOCK is off in this build");
#endif
}

struct vread {
	unsigned long va;
	u8 data[64];
	unsigned int cpu;
};

static void read_through_tlb(void *arg)
{
	struct vread *r = arg;

	memcpy(r->data, (const void *)r->va, sizeof(r->data));
	r->cpu = smp_processor_id();
}

/* The last online CPU: at -smp 64 the farthest one. */
static unsigned int remote_cpu(void)
{
	unsigned int cpu, last = 0;

	for_each_online_cpu(cpu)
		last = cpu;
	return last;
}

/*
 * An AP reads vmemmap page 1 of a fresh 2 MiB page (its TLB now holds the
 * translation), HVO remaps that page onto the shared tail page and frees
 * the old one; the AP reads again and must see the shared tail page, not
 * the freed page (poisoned on free), which is what a stale TLB entry would
 * still show it. QEMU's TCG keeps a TLB per vCPU, flushed only by that
 * vCPU's own invlpg or CR3 write, so without the shootdown this fails.
 */
/* printk on another CPU while this one holds the printk lock. */
static void pk_remote_fn(void *arg)
{
	printk("pkheld: a line that had to wait for the holder\n");
	__atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
}

/* Whether *flag is set within ms (bounds a wait; never a verdict on speed). */
static bool flag_within(int *flag, unsigned long ms)
{
	u64 end = ktime_get_ns() + ms * NSEC_PER_MSEC;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (ktime_get_ns() > end)
			return false;
		cpu_relax();
	}
	return true;
}

/* Holds the lock while cpu prints: whether the line got through before release. */
static bool pk_print_while_held(unsigned int cpu, int *done, unsigned long ms)
{
	unsigned long flags = printk_lock_hold();
	bool through;

	smp_call_function_single(cpu, pk_remote_fn, done, false);
	through = flag_within(done, ms);
	printk_lock_release(flags);
	return through;
}

/*
 * Another CPU's line waits while this CPU holds the lock; once a panic
 * has begun, it waits a bounded time and then forces its way (a holder
 * stopped by the panic must not silence the report).
 */
KTEST(smp, printk_waits_for_holder_then_forces_in_panic)
{
	static char buf[1024];
	struct printk_capture cap = { .buf = buf, .size = sizeof(buf) };
	unsigned int cpu = remote_cpu();
	unsigned long forced;
	static int done;
	bool through;

	if (!need_two_cpus(test))
		return;
	done = 0;
	printk_capture_begin(&cap);
	through = pk_print_while_held(cpu, &done, 50);
	EXPECT_TRUE(test, flag_within(&done, LIVENESS_MS));
	printk_capture_end(&cap);
	EXPECT_FALSE(test, through);
	EXPECT_TRUE(test, strstr(buf, "pkheld") != NULL);

	done = 0;
	forced = printk_forced_count();
	printk_capture_begin(&cap);
	printk_enter_panic();
	through = pk_print_while_held(cpu, &done, LIVENESS_MS);
	printk_leave_panic();
	printk_capture_end(&cap);
	EXPECT_TRUE(test, through);
	EXPECT_EQ(test, printk_forced_count() - forced, 1);
	EXPECT_TRUE(test, strstr(buf, "pkheld") != NULL);
}

KTEST(smp, shootdown_vmemmap_remote_read)
{
	static struct vmemmap_batch batch;
	struct vread r = { 0 };
	bool poison = page_fill_enabled();
	unsigned int cpu = remote_cpu();
	u8 now[64], freed[64];
	struct page *head;
	phys_addr_t old;

	if (!need_two_cpus(test))
		return;
	head = alloc_pages(GFP_KERNEL | __GFP_NOWARN, HVO_ORDER_2M);
	ASSERT_NOT_NULL(test, head);
	memset(&batch, 0, sizeof(batch));
	r.va = (unsigned long)head + PAGE_SIZE;
	old = kernel_virt_to_phys(r.va);
	ASSERT_EQ(test, smp_call_function_single(cpu, read_through_tlb, &r, true), 0);
	set_page_fill(true);
	ASSERT_EQ(test, hugetlb_vmemmap_optimize(head, HVO_ORDER_2M, &batch), 0);
	vmemmap_batch_finish(&batch);
	set_page_fill(poison);
	EXPECT_UEQ(test, kernel_virt_to_phys(r.va), vmemmap_shared_tail_phys(HVO_ORDER_2M));
	memcpy(now, (const void *)r.va, sizeof(now));
	memcpy(freed, __va(old), sizeof(freed));
	/* Else a stale read could not be told from a good one. */
	ASSERT_TRUE(test, memcmp(now, freed, sizeof(now)) != 0);
	memset(r.data, 0, sizeof(r.data));
	ASSERT_EQ(test, smp_call_function_single(cpu, read_through_tlb, &r, true), 0);
	EXPECT_EQ(test, r.cpu, cpu);
	EXPECT_MEMEQ(test, r.data, now, sizeof(now));
	EXPECT_TRUE(test, memcmp(r.data, freed, sizeof(freed)) != 0);

	ASSERT_EQ(test, hugetlb_vmemmap_restore(head, HVO_ORDER_2M), 0);
	destroy_compound_tails(head, HVO_ORDER_2M, true);
	head->_refcount = 1;
	head->private = HVO_ORDER_2M;	/* as hugetlb gives a 2 MiB page back */
	free_pages(head, HVO_ORDER_2M);
}

static void snapshot(unsigned long *v)
{
	for (unsigned int i = 0; i < NR_TLB_STATS; i++)
		v[i] = tlb_stat(i);
}

KTEST(smp, shootdown_reaches_every_cpu_once)
{
	unsigned long a[NR_TLB_STATS], b[NR_TLB_STATS];
	unsigned int n = num_online_cpus();

	snapshot(a);
	flush_tlb_all();
	snapshot(b);
	EXPECT_EQ(test, b[NR_TLB_REMOTE_FLUSH] - a[NR_TLB_REMOTE_FLUSH], n > 1);
	EXPECT_EQ(test, b[NR_TLB_REMOTE_FLUSH_RECEIVED] - a[NR_TLB_REMOTE_FLUSH_RECEIVED], n - 1);
	EXPECT_EQ(test, b[NR_TLB_LOCAL_FLUSH_ALL] - a[NR_TLB_LOCAL_FLUSH_ALL], n);
	snapshot(a);
	flush_tlb_kernel_range(VMEMMAP_START, VMEMMAP_START + 4 * PAGE_SIZE);
	snapshot(b);
	EXPECT_EQ(test, b[NR_TLB_LOCAL_FLUSH_ONE] - a[NR_TLB_LOCAL_FLUSH_ONE], 4 * n);
	EXPECT_EQ(test, b[NR_TLB_LOCAL_FLUSH_ALL] - a[NR_TLB_LOCAL_FLUSH_ALL], 0);
}

/*
 * Growing a pool by 64 optimized 2 MiB pages remaps 448 vmemmap pages:
 * batched, that is a handful of shootdowns, not one per page.
 */
static void grow_64_batched(struct kunit *test)
{
	unsigned long a[NR_TLB_STATS], b[NR_TLB_STATS], before, after, sent;
	const char *path = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages";
	char buf[32];
	u64 t0, ns;

	ASSERT_GT(test, pseudofs_read(path, buf, sizeof(buf)), 0);
	before = strtoul(buf, NULL, 10);
	snprintf(buf, sizeof(buf), "%lu", before + 64);
	snapshot(a);
	t0 = ktime_get_ns();
	ASSERT_EQ(test, pseudofs_write(path, buf, strlen(buf), NULL), 0);
	ns = ktime_get_ns() - t0;
	snapshot(b);
	ASSERT_GT(test, pseudofs_read(path, buf, sizeof(buf)), 0);
	after = strtoul(buf, NULL, 10);
	snprintf(buf, sizeof(buf), "%lu", before);
	EXPECT_EQ(test, pseudofs_write(path, buf, strlen(buf), NULL), 0);
	ASSERT_EQ(test, after, before + 64);
	sent = b[NR_TLB_REMOTE_FLUSH] - a[NR_TLB_REMOTE_FLUSH];
	ktest_log(test, "%u CPUs: 64 pages grown with %lu shootdowns, %lu ns per page (TCG)",
		  num_online_cpus(), sent, (unsigned long)(ns / 64));
	EXPECT_GE(test, sent, 1);
	EXPECT_LE(test, sent * 16, 64);
	EXPECT_EQ(test, b[NR_TLB_REMOTE_FLUSH_RECEIVED] - a[NR_TLB_REMOTE_FLUSH_RECEIVED],
		  sent * (num_online_cpus() - 1));
}

/*
 * With free memory's memmap deduplicated (mm/buddy_vmemmap.c) a 2 MiB
 * pool grows from blocks already in the optimized shape: nothing to
 * remap, no shootdown at all. The batching is measured with that off.
 */
KTEST(smp, shootdown_batched_for_hvo)
{
	bool dedup = buddy_vmemmap_enabled();

	if (!need_two_cpus(test))
		return;
	if (dedup)
		ASSERT_EQ(test, buddy_vmemmap_set(false), 0);
	grow_64_batched(test);
	if (dedup)
		EXPECT_EQ(test, buddy_vmemmap_set(true), 0);
}

static void arm_timer(void *arg)
{
	(void)arg;
	lapic_timer_oneshot(1);
}

KTEST(smp, lapic_timer_each_cpu)
{
	unsigned long before[NR_CPUS], saved;
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		EXPECT_GT(test, per_cpu_area(cpu)->lapic_timer_per_ms, 0);
		before[cpu] = READ_ONCE(per_cpu_area(cpu)->lapic_timer_irqs);
	}
	saved = irqs_on();
	on_each_cpu(arm_timer, NULL, true);
	for_each_online_cpu(cpu)
		EXPECT_TRUE(test, wait_count(&per_cpu_area(cpu)->lapic_timer_irqs,
					     before[cpu] + 1));
	irqs_back(saved);
}

static bool apicid_in_use(u32 apicid)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if ((cpu_possible_mask & BIT(cpu)) && cpu_apicid(cpu) == apicid)
			return true;
	return false;
}

/* A free CPU number and an APIC ID nobody has: a CPU that never answers. */
KTEST(smp, unanswered_cpu_skipped)
{
	u64 online = cpu_online_mask;
	unsigned int slot = NR_CPUS, cpu;
	u32 apicid = 0xfe;

	for (unsigned int c = NR_CPUS; c-- > 1 && slot == NR_CPUS;)
		if (!(cpu_possible_mask & BIT(c)))
			slot = c;
	if (slot == NR_CPUS) {
		ktest_skip(test, "every CPU number is in use");
		return;
	}
	while (apicid > 0 && apicid_in_use(apicid))
		apicid--;
	EXPECT_EQ(test, smp_boot_cpu(slot, apicid), -ETIMEDOUT);
	EXPECT_UEQ(test, cpu_online_mask, online);
	/* The others still answer. */
	for_each_online_cpu(cpu) {
		struct ping p = { 0, 0 };

		EXPECT_EQ(test, smp_call_function_single(cpu, ping_fn, &p, true), 0);
		EXPECT_EQ(test, p.count, 1);
	}
}

KTEST(smp, proc_cpuinfo_lists_online)
{
	static char buf[65536];
	char want[48];
	unsigned int cpu, blocks = 0;
	int n = pseudofs_read("/proc/cpuinfo", buf, sizeof(buf));
	const char *p;

	ASSERT_GT(test, n, 0);
	ASSERT_LT(test, n, (int)sizeof(buf) - 1);
	for (p = buf; (p = strstr(p, "processor\t: ")); p++)
		blocks++;
	EXPECT_EQ(test, blocks, num_online_cpus());
	for_each_online_cpu(cpu) {
		snprintf(want, sizeof(want), "processor\t: %u\n", cpu);
		p = strstr(buf, want);
		EXPECT_NOT_NULL(test, p);
		if (!p)
			continue;
		snprintf(want, sizeof(want), "apicid\t\t: %u\n", cpu_apicid(cpu));
		EXPECT_NOT_NULL(test, strstr(p, want));
	}
	for (const char *f = "vendor_id\t: \0cpu family\t: \0model\t\t: \0model name\t: \0"
			     "stepping\t: \0flags\t\t: fpu \0address sizes\t: \0"; *f;
	     f += strlen(f) + 1)
		EXPECT_NOT_NULL(test, strstr(buf, f));
}

KTEST(smp, proc_vmstat_names)
{
	char buf[1024];
	int n = pseudofs_read("/proc/vmstat", buf, sizeof(buf));

	ASSERT_GT(test, n, 0);
	EXPECT_NOT_NULL(test, strstr(buf, "nr_tlb_remote_flush "));
	EXPECT_NOT_NULL(test, strstr(buf, "\nnr_tlb_remote_flush_received "));
	EXPECT_NOT_NULL(test, strstr(buf, "\nnr_tlb_local_flush_all "));
	EXPECT_NOT_NULL(test, strstr(buf, "\nnr_tlb_local_flush_one "));
}

KTEST(smp, cmdline_bad_values_refused)
{
	extern const struct kernel_param __param_start[], __param_end[];
	int bad = 0;

	parse_args("nr_cpus=abc nr_cpus=0 maxcpus=-1 maxcpus=2x", __param_start,
		   __param_end, &bad);
	EXPECT_EQ(test, bad, 4);
}
