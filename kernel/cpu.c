// SPDX-License-Identifier: MIT
/*
 * What the boot CPU is and which of the features pagefold relies on it
 * has, printed at boot: real machines differ, and a boot log that says
 * "no pdpe1gb" explains at once why the direct map uses 2 MiB pages and
 * 1 GiB huge pages are refused.
 */
#include "kernel/cpu.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "libc/string.h"

struct cpuinfo_x86 boot_cpu_data;

static void read_brand(struct cpuinfo_x86 *c)
{
	u32 regs[12];
	char *s = c->model_id;
	size_t len;

	for (unsigned int i = 0; i < 3; i++)
		cpuid(0x80000002 + i, 0, &regs[i * 4], &regs[i * 4 + 1],
		      &regs[i * 4 + 2], &regs[i * 4 + 3]);
	memcpy(s, regs, 48);
	s[48] = '\0';
	/* Brand strings are padded with spaces, on either side. */
	while (*s == ' ')
		s++;
	memmove(c->model_id, s, strlen(s) + 1);
	len = strlen(c->model_id);
	while (len && c->model_id[len - 1] == ' ')
		c->model_id[--len] = '\0';
}

static void read_signature(struct cpuinfo_x86 *c, u32 eax)
{
	unsigned int family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;

	/* The extended fields count only for the families that use them. */
	if (family == 0xf)
		family += (eax >> 20) & 0xff;
	if (family >= 6)
		model |= ((eax >> 16) & 0xf) << 4;
	c->family = family;
	c->model = model;
	c->stepping = eax & 0xf;
}

void cpu_identify(struct cpuinfo_x86 *c)
{
	u32 a, b, cx, d, max_ext;

	cpuid(0, 0, &a, &b, &cx, &d);
	memcpy(c->vendor, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &cx, 4);
	c->vendor[12] = '\0';
	if (a >= 1) {
		cpuid(1, 0, &a, &b, &cx, &d);
		read_signature(c, a);
		c->pat = d & BIT(16);
		c->hypervisor = cx & BIT(31);
	}
	cpuid(0x80000000, 0, &max_ext, &b, &cx, &d);
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &cx, &d);
		c->nx = d & BIT(20);
		c->pdpe1gb = d & BIT(26);
	}
	if (max_ext >= 0x80000004)
		read_brand(c);
	else
		strlcpy(c->model_id, "unknown model", sizeof(c->model_id));
	if (max_ext >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &cx, &d);
		c->constant_tsc = d & BIT(8);
	}
}

static const char *yesno(bool has, const char *name, char *buf, size_t len)
{
	strlcpy(buf, has ? " " : " !", len);
	strlcat(buf, name, len);
	return buf;
}

void cpu_init(void)
{
	struct cpuinfo_x86 *c = &boot_cpu_data;
	char f[4][24];

	cpu_identify(c);
	pr_info("CPU: %s (%s family %#x model %#x stepping %u)%s\n", c->model_id,
		c->vendor, c->family, c->model, c->stepping,
		c->hypervisor ? " under a hypervisor" : "");
	/* "!name": the CPU lacks it, and what depends on it does without. */
	pr_info("CPU: features used:%s%s%s%s\n",
		yesno(c->pdpe1gb, "pdpe1gb", f[0], sizeof(f[0])),
		yesno(c->nx, "nx", f[1], sizeof(f[1])),
		yesno(c->pat, "pat", f[2], sizeof(f[2])),
		yesno(c->constant_tsc, "invariant_tsc", f[3], sizeof(f[3])));
}

void cpu_caps_collect(struct cpu_caps *c)
{
	u32 a, b, cx, d, max_ext;

	memset(c, 0, sizeof(*c));
	cpuid(0, 0, &c->level, &b, &cx, &d);
	if (c->level >= 1) {
		cpuid(1, 0, &a, &b, &c->words[CAP_1_ECX], &c->words[CAP_1_EDX]);
		c->initial_apicid = b >> 24;
	}
	if (c->level >= 7)
		cpuid(7, 0, &a, &c->words[CAP_7_EBX], &cx, &d);
	cpuid(0x80000000, 0, &max_ext, &b, &cx, &d);
	if (max_ext >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &c->words[CAP_80000001_ECX],
		      &c->words[CAP_80000001_EDX]);
	c->phys_bits = 36;
	c->virt_bits = 48;
	if (max_ext >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &cx, &d);
		c->phys_bits = a & 0xff;
		c->virt_bits = (a >> 8) & 0xff;
	}
}
