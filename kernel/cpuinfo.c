// SPDX-License-Identifier: MIT
/*
 * /proc/cpuinfo in Linux's format, one block per online CPU, each from
 * that CPU's own CPUID. Flag names and their order are Linux's
 * (arch/x86/include/asm/cpufeatures.h), for the words read here; bits
 * Linux does not name are left out, as Linux does.
 */
#include "kernel/cpu.h"
#include "kernel/io.h"
#include "kernel/pseudofs.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "libc/string.h"

static const char *const cap_1_edx[32] = {
	"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic",
	NULL, "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn",
	"clflush", NULL, "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss",
	"ht", "tm", "ia64", "pbe",
};

static const char *const cap_80000001_edx[32] = {
	[11] = "syscall", [19] = "mp", [20] = "nx", [22] = "mmxext",
	[25] = "fxsr_opt", [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
	[30] = "3dnowext", [31] = "3dnow",
};

static const char *const cap_1_ecx[32] = {
	"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
	"tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", NULL,
	"pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
	"tsc_deadline_timer", "aes", "xsave", NULL, "avx", "f16c", "rdrand",
	"hypervisor",
};

static const char *const cap_80000001_ecx[32] = {
	"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a",
	"misalignsse", "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt",
	NULL, "lwp", "fma4", "tce", NULL, "nodeid_msr", NULL, "tbm", "topoext",
	"perfctr_core", "perfctr_nb", NULL, "bpext", "ptsc", "perfctr_llc",
	"mwaitx",
};

static const char *const cap_7_ebx[32] = {
	"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", NULL, "smep",
	"bmi2", "erms", "invpcid", "rtm", "cqm", NULL, "mpx", "rdt_a",
	"avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", NULL,
	"clflushopt", "clwb", "intel_pt", "avx512pf", "avx512er", "avx512cd",
	"sha_ni", "avx512bw", "avx512vl",
};

static const char *const *const cap_names[NR_CAP_WORDS] = {
	cap_1_edx, cap_80000001_edx, cap_1_ecx, cap_80000001_ecx, cap_7_ebx,
};

static void show_flags(struct seq_buf *m, const struct cpu_caps *c)
{
	seq_printf(m, "flags\t\t:");
	for (unsigned int w = 0; w < NR_CAP_WORDS; w++)
		for (unsigned int bit = 0; bit < 32; bit++)
			if ((c->words[w] & BIT(bit)) && cap_names[w][bit])
				seq_printf(m, " %s", cap_names[w][bit]);
	seq_printf(m, "\n");
}

static void show_cpu(struct seq_buf *m, unsigned int cpu)
{
	const struct percpu *p = per_cpu_area(cpu);
	const struct cpu_caps *c = &p->caps;
	unsigned long khz = tsc_khz();

	seq_printf(m, "processor\t: %u\n", cpu);
	seq_printf(m, "vendor_id\t: %s\n", p->info.vendor);
	seq_printf(m, "cpu family\t: %u\n", p->info.family);
	seq_printf(m, "model\t\t: %u\n", p->info.model);
	seq_printf(m, "model name\t: %s\n", p->info.model_id);
	seq_printf(m, "stepping\t: %u\n", p->info.stepping);
	seq_printf(m, "cpu MHz\t\t: %lu.%03lu\n", khz / 1000, khz % 1000);
	seq_printf(m, "physical id\t: 0\n");
	seq_printf(m, "siblings\t: %u\n", num_online_cpus());
	seq_printf(m, "core id\t\t: %u\n", cpu);
	seq_printf(m, "cpu cores\t: %u\n", num_online_cpus());
	seq_printf(m, "apicid\t\t: %u\n", p->apicid);
	seq_printf(m, "initial apicid\t: %u\n", c->initial_apicid);
	seq_printf(m, "fpu\t\t: %s\n", c->words[CAP_1_EDX] & BIT(0) ? "yes" : "no");
	seq_printf(m, "fpu_exception\t: %s\n", c->words[CAP_1_EDX] & BIT(0) ? "yes" : "no");
	seq_printf(m, "cpuid level\t: %u\n", c->level);
	seq_printf(m, "wp\t\t: yes\n");
	show_flags(m, c);
	seq_printf(m, "clflush size\t: 64\n");
	seq_printf(m, "cache_alignment\t: 64\n");
	seq_printf(m, "address sizes\t: %u bits physical, %u bits virtual\n",
		   c->phys_bits, c->virt_bits);
	seq_printf(m, "power management:\n\n");
}

static int cpuinfo_show(struct seq_buf *m, void *data)
{
	unsigned int cpu;

	(void)data;
	for_each_online_cpu(cpu)
		show_cpu(m, cpu);
	return 0;
}
PSEUDO_FILE(cpuinfo, "/proc/cpuinfo", cpuinfo_show, NULL);
