/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

/*
 * Just enough ACPI for a machine without QEMU's exit device: find and
 * validate the tables, read the FADT (reset register, PM1 control
 * blocks, "is there an i8042"), and find \_S5_'s sleep type in the AML
 * byte stream without an interpreter. Field names follow the ACPI
 * specification (6.x), as Linux's ACPICA does.
 */
#include "kernel/types.h"

#define __packed	__attribute__((packed))

/* Generic Address Structure. */
struct acpi_gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;

#define ACPI_ADR_SPACE_SYSTEM_MEMORY	0
#define ACPI_ADR_SPACE_SYSTEM_IO	1
#define ACPI_ADR_SPACE_PCI_CONFIG	2

struct acpi_table_rsdp {
	char signature[8];		/* "RSD PTR " */
	u8 checksum;			/* over the first 20 bytes */
	char oem_id[6];
	u8 revision;			/* 0: ACPI 1.0 (20 bytes); 2: 2.0+ */
	u32 rsdt_physical_address;
	u32 length;			/* 2.0+ */
	u64 xsdt_physical_address;
	u8 extended_checksum;		/* over length bytes */
	u8 reserved[3];
} __packed;

#define ACPI_RSDP_V1_SIZE	20

struct acpi_table_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char asl_compiler_id[4];
	u32 asl_compiler_revision;
} __packed;

/* The FADT ("FACP"), up to the ACPI 5.0 sleep registers. */
struct acpi_table_fadt {
	struct acpi_table_header header;
	u32 facs;
	u32 dsdt;
	u8 model;
	u8 preferred_profile;
	u16 sci_interrupt;
	u32 smi_command;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4_bios_request;
	u8 pstate_control;
	u32 pm1a_event_block;
	u32 pm1b_event_block;
	u32 pm1a_control_block;
	u32 pm1b_control_block;
	u32 pm2_control_block;
	u32 pm_timer_block;
	u32 gpe0_block;
	u32 gpe1_block;
	u8 pm1_event_length;
	u8 pm1_control_length;
	u8 pm2_control_length;
	u8 pm_timer_length;
	u8 gpe0_block_length;
	u8 gpe1_block_length;
	u8 gpe1_base;
	u8 cst_control;
	u16 c2_latency;
	u16 c3_latency;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alarm;
	u8 month_alarm;
	u8 century;
	u16 boot_flags;			/* IAPC_BOOT_ARCH, 2.0+ */
	u8 reserved;
	u32 flags;
	struct acpi_gas reset_register;	/* 2.0+ */
	u8 reset_value;
	u16 arm_boot_flags;
	u8 minor_revision;
	u64 Xfacs;
	u64 Xdsdt;
	struct acpi_gas xpm1a_event_block;
	struct acpi_gas xpm1b_event_block;
	struct acpi_gas xpm1a_control_block;
	struct acpi_gas xpm1b_control_block;
	struct acpi_gas xpm2_control_block;
	struct acpi_gas xpm_timer_block;
	struct acpi_gas xgpe0_block;
	struct acpi_gas xgpe1_block;
	struct acpi_gas sleep_control;	/* 5.0+, hardware-reduced ACPI */
	struct acpi_gas sleep_status;
} __packed;

#define ACPI_FADT_8042			BIT(1)	/* boot_flags */
#define ACPI_FADT_RESET_REGISTER	BIT(10)	/* flags */
#define ACPI_FADT_HW_REDUCED		BIT(20)

#define ACPI_PM1_SCI_EN			BIT(0)
#define ACPI_PM1_SLP_TYP_SHIFT		10
#define ACPI_PM1_SLP_TYP_MASK		(7U << ACPI_PM1_SLP_TYP_SHIFT)
#define ACPI_PM1_SLP_EN			BIT(13)
#define ACPI_SLEEP_TYPE_SHIFT		2	/* sleep_control, HW-reduced */
#define ACPI_SLEEP_ENABLE		BIT(5)

/* What pagefold keeps from the FADT. */
struct acpi_fadt_info {
	u8 revision;
	u64 dsdt;			/* physical address, 0: none */
	u32 smi_command;
	u8 acpi_enable;
	struct acpi_gas pm1a_control;	/* space/address 0: absent */
	struct acpi_gas pm1b_control;
	bool hw_reduced;
	struct acpi_gas sleep_control;
	bool reset_supported;
	struct acpi_gas reset_register;
	u8 reset_value;
	bool i8042_absent;		/* the firmware says there is none */
};

/* Byte sum of len bytes: 0 for a valid ACPI checksum. */
u8 acpi_checksum(const void *p, size_t len);
/* 0 when r (avail bytes readable) is a valid v1 or v2 RSDP, else -EINVAL. */
int acpi_rsdp_validate(const struct acpi_table_rsdp *r, size_t avail);
/* 0 when a table of avail bytes has a sane length, signature sig and checksum. */
int acpi_table_validate(const struct acpi_table_header *t, size_t avail, const char *sig);
/* Extract what pagefold uses from a validated FADT. */
void acpi_parse_fadt(const struct acpi_table_fadt *fadt, struct acpi_fadt_info *info);
/*
 * Find Name(\_S5_, Package() {SLP_TYPa, SLP_TYPb, ...}) in an AML byte
 * stream (DSDT or SSDT body). 0 and the two values, -ENOENT when absent,
 * -EINVAL when present but not a package of integers this parser reads.
 */
int acpi_find_s5(const u8 *aml, size_t len, u8 *slp_typa, u8 *slp_typb);
/* PM1 control value that enters sleep type typ, keeping the other bits of old. */
u16 acpi_pm1_sleep_value(u16 old, u8 typ);
/* Scan the EBDA and 0xe0000-0xfffff for a valid RSDP (BIOS machines). */
bool acpi_find_rsdp_bios(struct acpi_table_rsdp *out);

/*
 * Find the RSDP (multiboot2 tag, else the BIOS areas), read the tables,
 * print what was found and register ACPI reboot and power off.
 */
void acpi_init(void);
/* The MADT, mapped and validated, or NULL; give it back with acpi_put_table(). */
struct acpi_table_header *acpi_get_madt(void);
void acpi_put_table(struct acpi_table_header *t);
/* The FADT says the machine has no i8042 (false when unknown). */
bool acpi_i8042_absent(void);

#endif
