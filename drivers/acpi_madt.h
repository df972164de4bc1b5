/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_ACPI_MADT_H
#define DRIVERS_ACPI_MADT_H

/*
 * The MADT ("APIC"): which processors the firmware reports. Entries are
 * read as Linux does (arch/x86/kernel/acpi/boot.c):
 *   - Processor Local APIC (type 0) and Processor Local x2APIC (type 9);
 *   - an enabled entry is a present CPU, booted at start;
 *   - a disabled entry with the Online Capable flag (MADT revision 5 and
 *     later) is a CPU that may be hot-added: possible, not present, not
 *     booted; any other disabled entry is ignored;
 *   - invalid IDs (0xff for xAPIC, 0xffffffff for x2APIC), a repeated
 *     APIC ID, and x2APIC entries below 0xff when xAPIC entries exist
 *     (Linux 6.9: firmware that lists the same CPUs twice) are ignored;
 *   - a Local APIC Address Override (type 5) replaces the base address.
 */
#include "drivers/acpi.h"

#define ACPI_MADT_TYPE_LOCAL_APIC		0
#define ACPI_MADT_TYPE_LOCAL_APIC_OVERRIDE	5
#define ACPI_MADT_TYPE_LOCAL_X2APIC		9

#define ACPI_MADT_ENABLED		BIT(0)
#define ACPI_MADT_ONLINE_CAPABLE	BIT(1)

struct acpi_table_madt {
	struct acpi_table_header header;
	u32 address;			/* local APIC physical address */
	u32 flags;
} __packed;

struct acpi_subtable_header {
	u8 type;
	u8 length;
} __packed;

struct acpi_madt_local_apic {
	struct acpi_subtable_header header;
	u8 processor_id;
	u8 id;
	u32 lapic_flags;
} __packed;

struct acpi_madt_local_x2apic {
	struct acpi_subtable_header header;
	u16 reserved;
	u32 local_apic_id;
	u32 lapic_flags;
	u32 uid;
} __packed;

struct acpi_madt_local_apic_override {
	struct acpi_subtable_header header;
	u16 reserved;
	u64 address;
} __packed;

#define MADT_MAX_CPUS	256

struct madt_cpu {
	u32 apicid;
	u32 acpi_id;
	bool present;			/* enabled: boot it */
};

struct madt_info {
	u64 lapic_address;
	struct madt_cpu cpus[MADT_MAX_CPUS];	/* present first, in table order */
	unsigned int nr_cpus;			/* present + hot-pluggable */
	unsigned int nr_present;
	unsigned int nr_ignored;		/* disabled, invalid or repeated */
	unsigned int nr_overflow;		/* beyond MADT_MAX_CPUS */
};

/* Parse a validated MADT of len bytes. 0, or -EINVAL when it is too short. */
int acpi_parse_madt(const struct acpi_table_madt *madt, size_t len,
		    struct madt_info *info);

#endif
