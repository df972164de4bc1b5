// SPDX-License-Identifier: MIT
/*
 * MADT parsing (see drivers/acpi_madt.h). Two passes, as Linux: the
 * first only learns whether xAPIC entries exist (that decides which
 * x2APIC entries count), the second records the processors. Present
 * CPUs are listed before hot-pluggable ones, so that the first
 * nr_present entries are the ones to boot.
 */
#include "drivers/acpi_madt.h"
#include "libc/errno.h"
#include "libc/string.h"

typedef void (*madt_entry_fn)(const struct acpi_subtable_header *h, void *arg);

static void for_each_entry(const struct acpi_table_madt *madt, size_t len,
			   madt_entry_fn fn, void *arg)
{
	const u8 *p = (const u8 *)(madt + 1), *end = (const u8 *)madt + len;

	while (p + sizeof(struct acpi_subtable_header) <= end) {
		const struct acpi_subtable_header *h = (const void *)p;

		/* A zero length would loop for ever; a long one runs off the end. */
		if (h->length < sizeof(*h) || p + h->length > end)
			return;
		fn(h, arg);
		p += h->length;
	}
}

struct madt_scan {
	struct madt_info *info;
	bool has_lapic;
	bool online_capable_valid;	/* MADT revision 5 or later */
	bool want_present;		/* this pass records present CPUs */
};

static bool apicid_known(const struct madt_info *info, u32 apicid)
{
	for (unsigned int i = 0; i < info->nr_cpus; i++)
		if (info->cpus[i].apicid == apicid)
			return true;
	return false;
}

static void add_cpu(struct madt_scan *s, u32 apicid, u32 acpi_id, u32 flags)
{
	struct madt_info *info = s->info;
	bool present = flags & ACPI_MADT_ENABLED;
	bool usable = present || (s->online_capable_valid &&
				  (flags & ACPI_MADT_ONLINE_CAPABLE));

	if (present != s->want_present)
		return;
	if (!usable || apicid_known(info, apicid)) {
		info->nr_ignored++;
		return;
	}
	if (info->nr_cpus == MADT_MAX_CPUS) {
		info->nr_overflow++;
		return;
	}
	info->cpus[info->nr_cpus++] = (struct madt_cpu){ apicid, acpi_id, present };
	if (present)
		info->nr_present++;
}

static void note_lapic(const struct acpi_subtable_header *h, void *arg)
{
	struct madt_scan *s = arg;

	if (h->type == ACPI_MADT_TYPE_LOCAL_APIC && h->length >= sizeof(struct acpi_madt_local_apic))
		s->has_lapic = true;
}

static void parse_entry(const struct acpi_subtable_header *h, void *arg)
{
	struct madt_scan *s = arg;

	if (h->type == ACPI_MADT_TYPE_LOCAL_APIC &&
	    h->length >= sizeof(struct acpi_madt_local_apic)) {
		const struct acpi_madt_local_apic *e = (const void *)h;

		if (e->id == 0xff) {
			s->info->nr_ignored += s->want_present;
			return;
		}
		add_cpu(s, e->id, e->processor_id, e->lapic_flags);
	} else if (h->type == ACPI_MADT_TYPE_LOCAL_X2APIC &&
		   h->length >= sizeof(struct acpi_madt_local_x2apic)) {
		const struct acpi_madt_local_x2apic *e = (const void *)h;

		if (e->local_apic_id == 0xffffffff || (s->has_lapic && e->local_apic_id < 0xff)) {
			s->info->nr_ignored += s->want_present;
			return;
		}
		add_cpu(s, e->local_apic_id, e->uid, e->lapic_flags);
	} else if (h->type == ACPI_MADT_TYPE_LOCAL_APIC_OVERRIDE &&
		   h->length >= sizeof(struct acpi_madt_local_apic_override) && s->want_present) {
		const struct acpi_madt_local_apic_override *e = (const void *)h;

		s->info->lapic_address = e->address;
	}
}

int acpi_parse_madt(const struct acpi_table_madt *madt, size_t len,
		    struct madt_info *info)
{
	struct madt_scan s = { .info = info };

	memset(info, 0, sizeof(*info));
	if (len < sizeof(*madt))
		return -EINVAL;
	info->lapic_address = madt->address;
	s.online_capable_valid = madt->header.revision >= 5;
	for_each_entry(madt, len, note_lapic, &s);
	s.want_present = true;
	for_each_entry(madt, len, parse_entry, &s);
	s.want_present = false;
	for_each_entry(madt, len, parse_entry, &s);
	return 0;
}
