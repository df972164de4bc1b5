// SPDX-License-Identifier: MIT
/*
 * ACPI without an AML interpreter: RSDP -> RSDT/XSDT -> FADT -> DSDT,
 * every checksum verified, then
 *
 *   reboot:    the FADT reset register (I/O, memory or PCI config space),
 *   power off: SLP_TYP from \_S5_ and SLP_EN in PM1a/PM1b control (or
 *              the sleep control register on hardware-reduced ACPI),
 *
 * registered with kernel/power.c, which falls back to the keyboard
 * controller, a triple fault or QEMU's exit device when they do not
 * work. \_S5_ is found by pattern in the AML byte stream, the way many
 * small kernels do it: Name(_S5_, Package(){...}) is a NameOp, the name,
 * a PackageOp and integers, always.
 *
 * Tables may sit in RAM (direct map) or in reserved ranges (ioremap);
 * each is mapped only while it is read.
 */
#include "drivers/acpi.h"
#include "kernel/bootinfo.h"
#include "kernel/io.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "libc/errno.h"
#include "libc/string.h"
#include "mm/ioremap.h"
#include "mm/pgtable.h"

_Static_assert(sizeof(struct acpi_table_header) == 36, "ACPI table header");
_Static_assert(sizeof(struct acpi_table_rsdp) == 36, "RSDP");
_Static_assert(offsetof(struct acpi_table_fadt, boot_flags) == 109, "FADT boot_flags");
_Static_assert(offsetof(struct acpi_table_fadt, reset_register) == 116, "FADT reset");
_Static_assert(offsetof(struct acpi_table_fadt, Xdsdt) == 140, "FADT X_DSDT");
_Static_assert(offsetof(struct acpi_table_fadt, xpm1a_control_block) == 172, "FADT X_PM1a_CNT");
_Static_assert(offsetof(struct acpi_table_fadt, sleep_control) == 244, "FADT sleep control");

/* Tables bigger than this are taken as corrupt rather than mapped. */
#define ACPI_MAX_TABLE_SIZE	(16U << 20)
#define ACPI_MAX_TABLES		64

#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_QWORD_PREFIX	0x0e
#define AML_PACKAGE_OP		0x12
#define AML_ROOT_PREFIX		'\\'
#define AML_PARENT_PREFIX	'^'
#define AML_ONES_OP		0xff

u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

int acpi_rsdp_validate(const struct acpi_table_rsdp *r, size_t avail)
{
	if (avail < ACPI_RSDP_V1_SIZE || memcmp(r->signature, "RSD PTR ", 8))
		return -EINVAL;
	if (acpi_checksum(r, ACPI_RSDP_V1_SIZE))
		return -EINVAL;
	if (r->revision < 2)
		return 0;
	/* 2.0+: the extended checksum covers the whole structure. */
	if (avail < sizeof(*r) || r->length < sizeof(*r) || r->length > avail)
		return -EINVAL;
	return acpi_checksum(r, r->length) ? -EINVAL : 0;
}

int acpi_table_validate(const struct acpi_table_header *t, size_t avail, const char *sig)
{
	if (avail < sizeof(*t) || t->length < sizeof(*t) || t->length > avail)
		return -EINVAL;
	if (sig && memcmp(t->signature, sig, 4))
		return -EINVAL;
	return acpi_checksum(t, t->length) ? -EINVAL : 0;
}

/* A legacy 32-bit port number as an I/O space GAS (0: absent). */
static struct acpi_gas io_gas(u32 port, u8 bits)
{
	struct acpi_gas g = { 0 };

	if (port) {
		g.space_id = ACPI_ADR_SPACE_SYSTEM_IO;
		g.bit_width = bits;
		g.address = port;
	}
	return g;
}

/* A field exists when the table is long enough to hold it. */
#define FADT_HAS(f, field) \
	((f)->header.length >= offsetof(struct acpi_table_fadt, field) + sizeof((f)->field))

/* The 64-bit X_ block when the FADT has one and it is set, else the legacy port. */
static struct acpi_gas pm1_control(const struct acpi_table_fadt *f, bool b)
{
	const struct acpi_gas *x = b ? &f->xpm1b_control_block : &f->xpm1a_control_block;
	bool has_x = b ? FADT_HAS(f, xpm1b_control_block) : FADT_HAS(f, xpm1a_control_block);

	if (has_x && x->address)
		return *x;
	return io_gas(b ? f->pm1b_control_block : f->pm1a_control_block, 16);
}

void acpi_parse_fadt(const struct acpi_table_fadt *f, struct acpi_fadt_info *info)
{
	memset(info, 0, sizeof(*info));
	info->revision = f->header.revision;
	info->dsdt = f->dsdt;
	if (FADT_HAS(f, Xdsdt) && f->Xdsdt)
		info->dsdt = f->Xdsdt;
	info->smi_command = f->smi_command;
	info->acpi_enable = f->acpi_enable;
	info->pm1a_control = pm1_control(f, false);
	info->pm1b_control = pm1_control(f, true);
	/* IAPC_BOOT_ARCH is reserved (zero) before FADT revision 2. */
	if (f->header.revision >= 2 && FADT_HAS(f, boot_flags))
		info->i8042_absent = !(f->boot_flags & ACPI_FADT_8042);
	if (FADT_HAS(f, reset_value) && (f->flags & ACPI_FADT_RESET_REGISTER) &&
	    f->reset_register.address) {
		info->reset_supported = true;
		info->reset_register = f->reset_register;
		info->reset_value = f->reset_value;
	}
	if ((f->flags & ACPI_FADT_HW_REDUCED) && FADT_HAS(f, sleep_control)) {
		info->hw_reduced = true;
		info->sleep_control = f->sleep_control;
	}
}

/* An AML integer constant at p; its length, or 0 when it is none. */
static size_t aml_integer(const u8 *p, const u8 *end, u64 *val)
{
	static const u8 sizes[] = {
		[AML_BYTE_PREFIX] = 1, [AML_WORD_PREFIX] = 2,
		[AML_DWORD_PREFIX] = 4, [AML_QWORD_PREFIX] = 8,
	};
	size_t n;

	if (p >= end)
		return 0;
	if (*p == AML_ZERO_OP || *p == AML_ONE_OP || *p == AML_ONES_OP) {
		*val = *p == AML_ONES_OP ? ~0ULL : *p;
		return 1;
	}
	if (*p >= ARRAY_SIZE(sizes) || !sizes[*p])
		return 0;
	n = sizes[*p];
	if ((size_t)(end - p) < 1 + n)
		return 0;
	*val = 0;
	for (size_t i = n; i; i--)
		*val = *val << 8 | p[i];
	return 1 + n;
}

/* Is the "_S5_" at aml[i] the name of a NameOp (optionally \ or ^ prefixed)? */
static bool s5_is_name(const u8 *aml, size_t i)
{
	if (i >= 1 && aml[i - 1] == AML_NAME_OP)
		return true;
	return i >= 2 && aml[i - 2] == AML_NAME_OP &&
	       (aml[i - 1] == AML_ROOT_PREFIX || aml[i - 1] == AML_PARENT_PREFIX);
}

/* Package(){a, b, ...} at p: the first two integers. */
static int s5_package(const u8 *p, const u8 *end, u8 *slp_typa, u8 *slp_typb)
{
	u64 a, b;
	size_t n;
	u8 count;

	if (end - p < 3 || *p++ != AML_PACKAGE_OP)
		return -EINVAL;
	/* PkgLength: bits 7-6 of the lead byte count the bytes that follow. */
	p += 1 + (*p >> 6);
	if (p >= end)
		return -EINVAL;
	count = *p++;
	n = aml_integer(p, end, &a);
	if (!count || !n)
		return -EINVAL;
	if (count == 1) {
		/* One integer: SLP_TYPa in the low byte, SLP_TYPb above it. */
		*slp_typa = a & 0xff;
		*slp_typb = (a >> 8) & 0xff;
		return 0;
	}
	if (!aml_integer(p + n, end, &b))
		return -EINVAL;
	*slp_typa = a;
	*slp_typb = b;
	return 0;
}

int acpi_find_s5(const u8 *aml, size_t len, u8 *slp_typa, u8 *slp_typb)
{
	const u8 *end = aml + len;
	int ret = -ENOENT;

	for (size_t i = 0; i + 4 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4) || !s5_is_name(aml, i))
			continue;
		ret = s5_package(aml + i + 4, end, slp_typa, slp_typb);
		if (!ret)
			return 0;
	}
	return ret;
}

u16 acpi_pm1_sleep_value(u16 old, u8 typ)
{
	old &= ~(ACPI_PM1_SLP_TYP_MASK | ACPI_PM1_SLP_EN);
	return old | ((typ & 7) << ACPI_PM1_SLP_TYP_SHIFT);
}

/* ------------------------------------------------------------------ */
/* Mapping tables                                                      */

static bool direct_mapped(phys_addr_t pa, size_t len)
{
	for (phys_addr_t p = ALIGN_DOWN(pa, PAGE_SIZE); p < pa + len; p += PAGE_SIZE)
		if (kernel_virt_to_phys((unsigned long)__va(p)) != p)
			return false;
	return true;
}

static void *acpi_map(phys_addr_t pa, size_t len)
{
	if (direct_mapped(pa, len))
		return __va(pa);
	return ioremap(pa, len, PAGE_KERNEL_RO);
}

static void acpi_unmap(void *p)
{
	iounmap(p);		/* a direct-map address is ignored */
}

/*
 * Map a whole table after checking its header: NULL when it cannot be
 * mapped or is not valid (reported).
 */
static struct acpi_table_header *acpi_map_table(phys_addr_t pa, const char *sig)
{
	struct acpi_table_header *t = acpi_map(pa, sizeof(*t));
	u32 len;

	if (!t) {
		pr_warn("ACPI: cannot map the table at %#llx\n", (unsigned long long)pa);
		return NULL;
	}
	len = t->length;
	acpi_unmap(t);
	if (len < sizeof(*t) || len > ACPI_MAX_TABLE_SIZE) {
		pr_warn("ACPI: table at %#llx has a bad length %u\n", (unsigned long long)pa, len);
		return NULL;
	}
	t = acpi_map(pa, len);
	if (!t)
		return NULL;
	if (acpi_table_validate(t, len, sig)) {
		pr_warn("ACPI: %.4s at %#llx: bad signature or checksum, ignored\n",
			t->signature, (unsigned long long)pa);
		acpi_unmap(t);
		return NULL;
	}
	return t;
}

/* ------------------------------------------------------------------ */
/* Finding the RSDP                                                    */

static struct acpi_table_rsdp rsdp;
static const char *rsdp_source = "the boot loader";

static bool scan_rsdp(phys_addr_t start, size_t len, struct acpi_table_rsdp *out)
{
	const u8 *p = acpi_map(start, len);
	bool found = false;

	if (!p)
		return false;
	for (size_t off = 0; off + ACPI_RSDP_V1_SIZE <= len; off += 16) {
		const struct acpi_table_rsdp *r = (const void *)(p + off);

		if (acpi_rsdp_validate(r, len - off))
			continue;
		memset(out, 0, sizeof(*out));
		memcpy(out, r, min(sizeof(*out), len - off));
		found = true;
		break;
	}
	acpi_unmap((void *)p);
	return found;
}

/* ACPI spec 5.2.5.1: the first KiB of the EBDA, then 0xe0000-0xfffff. */
bool acpi_find_rsdp_bios(struct acpi_table_rsdp *out)
{
	const u16 *ebda_seg = acpi_map(0x40e, 2);
	phys_addr_t ebda = 0;

	if (ebda_seg) {
		ebda = (phys_addr_t)*ebda_seg << 4;
		acpi_unmap((void *)ebda_seg);
	}
	if (ebda >= 0x80000 && ebda < 0xa0000 && scan_rsdp(ebda, 1024, out))
		return true;
	return scan_rsdp(0xe0000, 0x20000, out);
}

static bool find_rsdp(void)
{
	if (boot_params.rsdp) {
		if (!acpi_rsdp_validate(boot_params.rsdp, boot_params.rsdp_len)) {
			memcpy(&rsdp, boot_params.rsdp, min(sizeof(rsdp), boot_params.rsdp_len));
			return true;
		}
		pr_warn("ACPI: the boot loader's RSDP copy is invalid\n");
	}
	/* UEFI has no BIOS area to scan. */
	if (boot_params.efi || !acpi_find_rsdp_bios(&rsdp))
		return false;
	rsdp_source = "the BIOS area";
	return true;
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */

/* A GAS ready to access: memory space registers are mapped at boot. */
struct acpi_reg {
	struct acpi_gas gas;
	volatile void *mmio;
};

static struct acpi_fadt_info fadt;
static struct acpi_reg pm1a_cnt, pm1b_cnt, sleep_ctl, reset_reg;
static bool have_fadt, have_s5;
static u8 slp_typa, slp_typb;

/*
 * min_bits: the register's architectural width. PM1 control is 16 bits
 * wide whatever a sloppy GAS says: an 8-bit write would drop SLP_EN.
 */
static bool reg_setup(struct acpi_reg *r, const struct acpi_gas *g, u8 min_bits)
{
	r->gas = *g;
	r->mmio = NULL;
	if (r->gas.bit_width < min_bits)
		r->gas.bit_width = min_bits;
	if (!g->address)
		return false;
	switch (g->space_id) {
	case ACPI_ADR_SPACE_SYSTEM_IO:
		return g->address <= 0xffff;
	case ACPI_ADR_SPACE_PCI_CONFIG:
		return true;
	case ACPI_ADR_SPACE_SYSTEM_MEMORY:
		r->mmio = ioremap(g->address, 4, PAGE_KERNEL_NOCACHE);
		return r->mmio != NULL;
	}
	return false;
}

static unsigned int reg_bits(const struct acpi_reg *r)
{
	u8 w = r->gas.bit_width;

	return w >= 32 ? 32 : w >= 16 ? 16 : 8;
}

static u32 reg_read(const struct acpi_reg *r)
{
	unsigned int bits = reg_bits(r);
	u16 port = r->gas.address;

	if (r->mmio)
		return bits == 32 ? *(volatile u32 *)r->mmio :
		       bits == 16 ? *(volatile u16 *)r->mmio : *(volatile u8 *)r->mmio;
	if (r->gas.space_id != ACPI_ADR_SPACE_SYSTEM_IO)
		return 0;
	return bits == 32 ? inl(port) : bits == 16 ? inw(port) : inb(port);
}

/* PCI configuration mechanism 1, bus 0: the address is dev.fn.offset. */
static void pci_conf_write8(u64 address, u8 val)
{
	u32 dev = (address >> 32) & 0x1f, fn = (address >> 16) & 7;
	u32 off = address & 0xff;

	outl(BIT(31) | dev << 11 | fn << 8 | (off & 0xfc), 0xcf8);
	outb(val, 0xcfc + (off & 3));
}

static void reg_write(const struct acpi_reg *r, u32 val)
{
	unsigned int bits = reg_bits(r);
	u16 port = r->gas.address;

	if (r->mmio) {
		if (bits == 32)
			*(volatile u32 *)r->mmio = val;
		else if (bits == 16)
			*(volatile u16 *)r->mmio = val;
		else
			*(volatile u8 *)r->mmio = val;
		return;
	}
	switch (r->gas.space_id) {
	case ACPI_ADR_SPACE_SYSTEM_IO:
		if (bits == 32)
			outl(val, port);
		else if (bits == 16)
			outw(val, port);
		else
			outb(val, port);
		break;
	case ACPI_ADR_SPACE_PCI_CONFIG:
		pci_conf_write8(r->gas.address, val);
		break;
	}
}

static const char *space_name(u8 space)
{
	switch (space) {
	case ACPI_ADR_SPACE_SYSTEM_MEMORY:
		return "memory";
	case ACPI_ADR_SPACE_SYSTEM_IO:
		return "I/O";
	case ACPI_ADR_SPACE_PCI_CONFIG:
		return "PCI config";
	}
	return "unsupported space";
}

/* ------------------------------------------------------------------ */
/* Power                                                               */

/*
 * Firmware that still runs in legacy (SMM) mode ignores the PM1 sleep
 * bits until the OS claims ACPI: ask through SMI_CMD, bounded.
 */
static void acpi_enable_mode(void)
{
	if (!fadt.smi_command || fadt.smi_command > 0xffff || !fadt.acpi_enable ||
	    fadt.hw_reduced)
		return;
	if (reg_read(&pm1a_cnt) & ACPI_PM1_SCI_EN)
		return;
	outb(fadt.acpi_enable, fadt.smi_command);
	for (int i = 0; i < 300 && !(reg_read(&pm1a_cnt) & ACPI_PM1_SCI_EN); i++)
		mdelay(1);
}

static void acpi_power_off(void)
{
	if (!have_s5)
		return;
	if (fadt.hw_reduced && sleep_ctl.gas.address) {
		reg_write(&sleep_ctl, ((slp_typa & 7) << ACPI_SLEEP_TYPE_SHIFT) |
				      ACPI_SLEEP_ENABLE);
		mdelay(100);
		return;
	}
	if (!pm1a_cnt.gas.address)
		return;
	acpi_enable_mode();
	/* Sleep type first, then SLP_EN, on both blocks, as ACPICA does. */
	reg_write(&pm1a_cnt, acpi_pm1_sleep_value(reg_read(&pm1a_cnt), slp_typa));
	if (pm1b_cnt.gas.address)
		reg_write(&pm1b_cnt, acpi_pm1_sleep_value(reg_read(&pm1b_cnt), slp_typb));
	reg_write(&pm1a_cnt, reg_read(&pm1a_cnt) | ACPI_PM1_SLP_EN);
	if (pm1b_cnt.gas.address)
		reg_write(&pm1b_cnt, reg_read(&pm1b_cnt) | ACPI_PM1_SLP_EN);
	mdelay(100);
	pr_warn("ACPI: still running after the S5 request\n");
}

static void acpi_restart(void)
{
	if (!fadt.reset_supported)
		return;
	reg_write(&reset_reg, fadt.reset_value);
	mdelay(50);
	pr_warn("ACPI: still running after the reset register write\n");
}

bool acpi_i8042_absent(void)
{
	return have_fadt && fadt.i8042_absent;
}

/* ------------------------------------------------------------------ */
/* Boot                                                                */

static void parse_dsdt(void)
{
	struct acpi_table_header *dsdt;
	int ret;

	if (!fadt.dsdt) {
		pr_warn("ACPI: the FADT names no DSDT\n");
		return;
	}
	dsdt = acpi_map_table(fadt.dsdt, "DSDT");
	if (!dsdt)
		return;
	ret = acpi_find_s5((const u8 *)(dsdt + 1), dsdt->length - sizeof(*dsdt),
			   &slp_typa, &slp_typb);
	acpi_unmap(dsdt);
	if (ret == -EINVAL)
		pr_warn("ACPI: \\_S5_ in the DSDT is not a package this parser reads\n");
	have_s5 = !ret;
}

/* SSDTs may hold \_S5_ where the DSDT does not. */
static void parse_ssdt(phys_addr_t pa)
{
	struct acpi_table_header *t;

	if (have_s5)
		return;
	t = acpi_map_table(pa, "SSDT");
	if (!t)
		return;
	have_s5 = !acpi_find_s5((const u8 *)(t + 1), t->length - sizeof(*t),
				&slp_typa, &slp_typb);
	acpi_unmap(t);
}

static void parse_fadt(phys_addr_t pa)
{
	struct acpi_table_header *t = acpi_map_table(pa, "FACP");

	if (!t)
		return;
	acpi_parse_fadt((const struct acpi_table_fadt *)t, &fadt);
	acpi_unmap(t);
	have_fadt = true;
	reg_setup(&pm1a_cnt, &fadt.pm1a_control, 16);
	reg_setup(&pm1b_cnt, &fadt.pm1b_control, 16);
	if (fadt.hw_reduced)
		reg_setup(&sleep_ctl, &fadt.sleep_control, 8);
	if (fadt.reset_supported && !reg_setup(&reset_reg, &fadt.reset_register, 8))
		fadt.reset_supported = false;
}

/* The table pointers of the RSDT (4 bytes each) or XSDT (8, unaligned). */
static unsigned int read_root(phys_addr_t *tables, unsigned int max)
{
	bool xsdt = rsdp.revision >= 2 && rsdp.xsdt_physical_address;
	struct acpi_table_header *root = NULL;
	unsigned int n = 0, esize;
	const u8 *p;

	if (xsdt) {
		root = acpi_map_table(rsdp.xsdt_physical_address, "XSDT");
		if (!root)
			pr_warn("ACPI: falling back to the RSDT\n");
	}
	xsdt = root != NULL;
	if (!root)
		root = acpi_map_table(rsdp.rsdt_physical_address, "RSDT");
	if (!root)
		return 0;
	esize = xsdt ? 8 : 4;
	p = (const u8 *)(root + 1);
	for (size_t off = 0; off + esize <= root->length - sizeof(*root) && n < max; off += esize) {
		u64 pa = 0;

		memcpy(&pa, p + off, esize);
		if (pa)
			tables[n++] = pa;
	}
	pr_info("ACPI: %s %.6s with %u tables\n", xsdt ? "XSDT" : "RSDT", root->oem_id, n);
	acpi_unmap(root);
	return n;
}

static bool table_signature(phys_addr_t pa, char sig[5])
{
	struct acpi_table_header *t = acpi_map(pa, sizeof(*t));

	if (!t)
		return false;
	memcpy(sig, t->signature, 4);
	sig[4] = '\0';
	acpi_unmap(t);
	return true;
}

/* The MADT, read later by SMP bring-up (kernel/smp.c). */
static phys_addr_t madt_phys;

struct acpi_table_header *acpi_get_madt(void)
{
	return madt_phys ? acpi_map_table(madt_phys, "APIC") : NULL;
}

void acpi_put_table(struct acpi_table_header *t)
{
	acpi_unmap(t);
}

static void walk_tables(void)
{
	static phys_addr_t tables[ACPI_MAX_TABLES];
	static char names[ACPI_MAX_TABLES * 5 + 1];
	unsigned int n = read_root(tables, ACPI_MAX_TABLES);
	char sig[5];

	names[0] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		if (!table_signature(tables[i], sig))
			continue;
		strlcat(names, " ", sizeof(names));
		strlcat(names, sig, sizeof(names));
		if (!strcmp(sig, "FACP"))
			parse_fadt(tables[i]);
		else if (!strcmp(sig, "APIC"))
			madt_phys = tables[i];
	}
	pr_info("ACPI: tables:%s\n", names);
	if (!have_fadt) {
		pr_warn("ACPI: no valid FADT\n");
		return;
	}
	parse_dsdt();
	for (unsigned int i = 0; i < n && !have_s5; i++)
		if (table_signature(tables[i], sig) && !strcmp(sig, "SSDT"))
			parse_ssdt(tables[i]);
}

static void print_power(void)
{
	if (fadt.reset_supported)
		pr_info("ACPI: reset register %s %#llx value %#x\n",
			space_name(fadt.reset_register.space_id),
			(unsigned long long)fadt.reset_register.address, fadt.reset_value);
	else
		pr_info("ACPI: no reset register (reboot: keyboard controller, triple fault)\n");
	if (have_s5 && fadt.hw_reduced)
		pr_info("ACPI: S5 SLP_TYP %u through the sleep control register\n", slp_typa & 7);
	else if (have_s5)
		pr_info("ACPI: S5 SLP_TYPa %u SLP_TYPb %u, PM1a_CNT %s %#llx%s\n",
			slp_typa & 7, slp_typb & 7, space_name(fadt.pm1a_control.space_id),
			(unsigned long long)fadt.pm1a_control.address,
			fadt.pm1b_control.address ? ", PM1b_CNT too" : "");
	else
		pr_warn("ACPI: no \\_S5_ found: poweroff cannot use ACPI\n");
	pr_info("ACPI: FADT revision %u, i8042 %s\n", fadt.revision,
		fadt.i8042_absent ? "absent" : "present (or not reported)");
}

void acpi_init(void)
{
	if (!find_rsdp()) {
		pr_warn("ACPI: no RSDP found, no ACPI power management\n");
		return;
	}
	pr_info("ACPI: RSDP v%u %.6s from %s\n", rsdp.revision >= 2 ? 2 : 1,
		rsdp.oem_id, rsdp_source);
	walk_tables();
	if (!have_fadt)
		return;
	print_power();
	register_power_ops(acpi_restart, acpi_power_off);
}
