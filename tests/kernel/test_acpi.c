// SPDX-License-Identifier: MIT
/*
 * ACPI table validation and the AML pattern search for \_S5_, on
 * synthetic tables shaped like those of real firmware and QEMU.
 */
#include "tests/kernel/ktest.h"
#include "drivers/acpi.h"
#include "kernel/bootinfo.h"
#include "libc/errno.h"
#include "libc/string.h"

static void fix_checksum(void *p, size_t len, u8 *field)
{
	*field = 0;
	*field = -acpi_checksum(p, len);
}

static void make_header(struct acpi_table_header *h, const char *sig, u32 len, u8 rev)
{
	memset(h, 0, len);
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "PGFOLD", 6);
}

KTEST(acpi, checksum)
{
	u8 buf[40];

	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7;
	fix_checksum(buf, sizeof(buf), &buf[9]);
	EXPECT_EQ(test, acpi_checksum(buf, sizeof(buf)), 0);
	buf[20]++;
	EXPECT_NE(test, acpi_checksum(buf, sizeof(buf)), 0);
}

static void make_rsdp(struct acpi_table_rsdp *r, u8 rev)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, "PGFOLD", 6);
	r->revision = rev;
	r->rsdt_physical_address = 0x7fe0000;
	if (rev >= 2) {
		r->length = sizeof(*r);
		r->xsdt_physical_address = 0x17fe0000ULL;
	}
	fix_checksum(r, ACPI_RSDP_V1_SIZE, &r->checksum);
	if (rev >= 2)
		fix_checksum(r, sizeof(*r), &r->extended_checksum);
}

KTEST(acpi, rsdp_v1_and_v2)
{
	struct acpi_table_rsdp r;

	make_rsdp(&r, 0);
	EXPECT_EQ(test, acpi_rsdp_validate(&r, ACPI_RSDP_V1_SIZE), 0);
	EXPECT_EQ(test, acpi_rsdp_validate(&r, ACPI_RSDP_V1_SIZE - 1), -EINVAL);
	r.signature[0] = 'X';
	EXPECT_EQ(test, acpi_rsdp_validate(&r, sizeof(r)), -EINVAL);

	make_rsdp(&r, 2);
	EXPECT_EQ(test, acpi_rsdp_validate(&r, sizeof(r)), 0);
	/* v2 needs all 36 bytes: a 20-byte copy of a v2 RSDP is not enough. */
	EXPECT_EQ(test, acpi_rsdp_validate(&r, ACPI_RSDP_V1_SIZE), -EINVAL);
	/* The extended checksum covers the XSDT address. */
	r.xsdt_physical_address ^= 0x1000;
	EXPECT_EQ(test, acpi_rsdp_validate(&r, sizeof(r)), -EINVAL);
	make_rsdp(&r, 2);
	r.length = 200;
	fix_checksum(&r, sizeof(r), &r.extended_checksum);
	EXPECT_EQ(test, acpi_rsdp_validate(&r, sizeof(r)), -EINVAL);
}

KTEST(acpi, table_validation)
{
	static u8 buf[64];
	struct acpi_table_header *h = (void *)buf;

	make_header(h, "SSDT", sizeof(buf), 2);
	fix_checksum(buf, sizeof(buf), &h->checksum);
	EXPECT_EQ(test, acpi_table_validate(h, sizeof(buf), "SSDT"), 0);
	EXPECT_EQ(test, acpi_table_validate(h, sizeof(buf), NULL), 0);
	EXPECT_EQ(test, acpi_table_validate(h, sizeof(buf), "DSDT"), -EINVAL);
	/* A length beyond what was mapped is refused, not read. */
	EXPECT_EQ(test, acpi_table_validate(h, sizeof(buf) - 1, "SSDT"), -EINVAL);
	h->length = 10;
	EXPECT_EQ(test, acpi_table_validate(h, sizeof(buf), "SSDT"), -EINVAL);
	h->length = sizeof(buf);
	buf[50] ^= 1;
	EXPECT_EQ(test, acpi_table_validate(h, sizeof(buf), "SSDT"), -EINVAL);
}

static int s5(const u8 *aml, size_t len, u8 *a, u8 *b)
{
	*a = *b = 0xee;
	return acpi_find_s5(aml, len, a, b);
}

KTEST(acpi, s5_qemu_zero_ops)
{
	/* QEMU: Name(_S5, Package(4){Zero, Zero, Zero, Zero}) */
	static const u8 aml[] = { 0x10, 0x05, 0x5c, 0x00, 0x08, '_', 'S', '5', '_',
				  0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 };
	u8 a, b;

	EXPECT_EQ(test, s5(aml, sizeof(aml), &a, &b), 0);
	EXPECT_EQ(test, a, 0);
	EXPECT_EQ(test, b, 0);
}

KTEST(acpi, s5_byte_and_word_prefixes)
{
	/* Name(\_S5_, Package(0x04){0x05, 0x0007 (word), Zero, Zero}) */
	static const u8 aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x0a, 0x04,
				  0x0a, 0x05, 0x0b, 0x07, 0x00, 0x00, 0x00 };
	/* PkgLength with one extra byte (lead 0x4N), OneOp, BytePrefix */
	static const u8 aml2[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02,
				   0x01, 0x0a, 0x07 };
	u8 a, b;

	EXPECT_EQ(test, s5(aml, sizeof(aml), &a, &b), 0);
	EXPECT_EQ(test, a, 5);
	EXPECT_EQ(test, b, 7);
	EXPECT_EQ(test, s5(aml2, sizeof(aml2), &a, &b), 0);
	EXPECT_EQ(test, a, 1);
	EXPECT_EQ(test, b, 7);
}

KTEST(acpi, s5_single_packed_integer)
{
	/* Package(1){0x0705}: SLP_TYPa in the low byte, SLP_TYPb above. */
	static const u8 aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01,
				  0x0b, 0x05, 0x07 };
	u8 a, b;

	EXPECT_EQ(test, s5(aml, sizeof(aml), &a, &b), 0);
	EXPECT_EQ(test, a, 5);
	EXPECT_EQ(test, b, 7);
}

KTEST(acpi, s5_skips_lookalikes)
{
	/*
	 * "_S5_" as a method name (MethodOp, not NameOp) and inside a
	 * string come first; the real Name follows.
	 */
	static const u8 aml[] = { 0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xa4, 0x00,
				  0x0d, 'x', '_', 'S', '5', '_', 0x00,
				  0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02,
				  0x0a, 0x03, 0x0a, 0x04 };
	u8 a, b;

	EXPECT_EQ(test, s5(aml, sizeof(aml), &a, &b), 0);
	EXPECT_EQ(test, a, 3);
	EXPECT_EQ(test, b, 4);
}

KTEST(acpi, s5_absent_or_truncated)
{
	static const u8 none[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x02, 0x00, 0x00 };
	/* Cut inside the second element's word: never read past len. */
	static const u8 cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02,
				  0x0a, 0x05, 0x0b, 0x07 };
	/* Not a package of integers: a method call as the element. */
	static const u8 odd[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 'A', 'B', 'C', 'D' };
	u8 a, b;

	EXPECT_EQ(test, s5(none, sizeof(none), &a, &b), -ENOENT);
	EXPECT_EQ(test, s5(cut, sizeof(cut), &a, &b), -EINVAL);
	EXPECT_EQ(test, s5(odd, sizeof(odd), &a, &b), -EINVAL);
	EXPECT_EQ(test, s5(cut, 4, &a, &b), -ENOENT);
	EXPECT_EQ(test, s5(NULL, 0, &a, &b), -ENOENT);
}

KTEST(acpi, pm1_sleep_value)
{
	/* SCI_EN and the other bits stay, an old SLP_TYP/SLP_EN goes. */
	EXPECT_UEQ(test, acpi_pm1_sleep_value(0x0001, 5), 0x1401);
	EXPECT_UEQ(test, acpi_pm1_sleep_value(0x3c01, 0), 0x0001);
	EXPECT_UEQ(test, acpi_pm1_sleep_value(0x0000, 0xff), 0x1c00);
}

static struct acpi_table_fadt fadt_buf;

static struct acpi_table_fadt *make_fadt(u32 len, u8 rev)
{
	struct acpi_table_fadt *f = &fadt_buf;

	make_header(&f->header, "FACP", sizeof(*f), rev);
	f->header.length = len;
	f->dsdt = 0x7fe1000;
	f->smi_command = 0xb2;
	f->acpi_enable = 0xf1;
	f->pm1a_control_block = 0x404;
	f->boot_flags = ACPI_FADT_8042;
	return f;
}

KTEST(acpi, fadt_revision_1)
{
	struct acpi_table_fadt *f = make_fadt(116, 1);
	struct acpi_fadt_info info;

	/* Fields past the table's length must not be read: poison them. */
	f->flags = ACPI_FADT_RESET_REGISTER;
	f->reset_register.space_id = ACPI_ADR_SPACE_SYSTEM_IO;
	f->reset_register.address = 0xcf9;
	f->Xdsdt = 0xdead0000;
	f->boot_flags = 0;
	acpi_parse_fadt(f, &info);
	EXPECT_UEQ(test, info.dsdt, 0x7fe1000);
	EXPECT_EQ(test, info.pm1a_control.space_id, ACPI_ADR_SPACE_SYSTEM_IO);
	EXPECT_UEQ(test, info.pm1a_control.address, 0x404);
	EXPECT_UEQ(test, info.pm1b_control.address, 0);
	EXPECT_FALSE(test, info.reset_supported);
	/* IAPC_BOOT_ARCH is reserved in revision 1: no claim about the i8042. */
	EXPECT_FALSE(test, info.i8042_absent);
	EXPECT_UEQ(test, info.smi_command, 0xb2);
}

KTEST(acpi, fadt_revision_3_reset_and_x_fields)
{
	struct acpi_table_fadt *f = make_fadt(244, 3);
	struct acpi_fadt_info info;

	f->flags = ACPI_FADT_RESET_REGISTER;
	f->reset_register.space_id = ACPI_ADR_SPACE_SYSTEM_IO;
	f->reset_register.bit_width = 8;
	f->reset_register.address = 0xcf9;
	f->reset_value = 0x06;
	f->Xdsdt = 0x17fe1000ULL;
	f->xpm1a_control_block.space_id = ACPI_ADR_SPACE_SYSTEM_IO;
	f->xpm1a_control_block.bit_width = 16;
	f->xpm1a_control_block.address = 0x604;
	acpi_parse_fadt(f, &info);
	EXPECT_TRUE(test, info.reset_supported);
	EXPECT_UEQ(test, info.reset_register.address, 0xcf9);
	EXPECT_EQ(test, info.reset_value, 6);
	EXPECT_UEQ(test, info.dsdt, 0x17fe1000ULL);		/* X_DSDT wins */
	EXPECT_UEQ(test, info.pm1a_control.address, 0x604);	/* X_PM1a wins */
	EXPECT_FALSE(test, info.i8042_absent);
	EXPECT_FALSE(test, info.hw_reduced);

	/* The 8042 flag clear: firmware says there is no i8042. */
	f->boot_flags = 0;
	acpi_parse_fadt(f, &info);
	EXPECT_TRUE(test, info.i8042_absent);
	/* A reset register without the flag is not used. */
	f->flags = 0;
	acpi_parse_fadt(f, &info);
	EXPECT_FALSE(test, info.reset_supported);
}

KTEST(acpi, fadt_hardware_reduced)
{
	struct acpi_table_fadt *f = make_fadt(sizeof(struct acpi_table_fadt), 5);
	struct acpi_fadt_info info;

	f->flags = ACPI_FADT_HW_REDUCED;
	f->pm1a_control_block = 0;
	f->sleep_control.space_id = ACPI_ADR_SPACE_SYSTEM_MEMORY;
	f->sleep_control.bit_width = 8;
	f->sleep_control.address = 0xfed80000;
	acpi_parse_fadt(f, &info);
	EXPECT_TRUE(test, info.hw_reduced);
	EXPECT_UEQ(test, info.sleep_control.address, 0xfed80000);
	EXPECT_UEQ(test, info.pm1a_control.address, 0);
}

KTEST(acpi, bios_area_scan_finds_the_rsdp)
{
	const struct acpi_table_rsdp *tag = boot_params.rsdp;
	struct acpi_table_rsdp r;

	if (boot_params.efi) {
		ktest_skip(test, "UEFI: no BIOS area to scan");
		return;
	}
	/* The path a boot loader without ACPI tags would take. */
	ASSERT_TRUE(test, acpi_find_rsdp_bios(&r));
	EXPECT_EQ(test, acpi_rsdp_validate(&r, sizeof(r)), 0);
	if (tag)
		EXPECT_UEQ(test, r.rsdt_physical_address, tag->rsdt_physical_address);
}
