/* SPDX-License-Identifier: MIT */
#ifndef MM_E820_H
#define MM_E820_H

/*
 * The physical memory map, as Linux's arch/x86 e820: a table of
 * [addr, addr + size) ranges with a type. The boot code feeds the
 * firmware's map into e820_table_firmware with e820__add_firmware(), then
 * e820__memory_setup() builds e820_table (sanitized, with the memmap= and
 * mem= edits of the command line applied), which is what the rest of mm
 * reads: memblock takes its RAM, sparse its present sections, device-dax
 * its persistent ranges.
 *
 * After e820__update_table() a table is sorted, disjoint, has no empty
 * entries, and its RAM entries start and end on page boundaries.
 */
#include "kernel/types.h"

#define E820_MAX_ENTRIES	256

/* Linux's values: they are what the firmware and the boot loader hand us. */
enum e820_type {
	E820_TYPE_RAM		= 1,
	E820_TYPE_RESERVED	= 2,
	E820_TYPE_ACPI		= 3,
	E820_TYPE_NVS		= 4,
	E820_TYPE_UNUSABLE	= 5,
	E820_TYPE_PMEM		= 7,
	/* memmap=nn!ss: legacy persistent memory, device memory in pagefold */
	E820_TYPE_PRAM		= 12,
	/* EFI specific-purpose memory: RAM that is not for general use */
	E820_TYPE_SOFT_RESERVED	= 0xefffffff,
};

/* Persistent memory: device memory for devdax, never RAM for the buddy. */
static inline bool e820_type_is_device(u32 type)
{
	return type == E820_TYPE_PRAM || type == E820_TYPE_PMEM;
}

/* For the queries only: matches an entry of any type. */
#define E820_TYPE_ANY		0

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

struct e820_table {
	u32 nr_entries;
	struct e820_entry entries[E820_MAX_ENTRIES];
};

/* As given by the firmware, and as the kernel uses it. */
extern struct e820_table *e820_table_firmware;
extern struct e820_table *e820_table;

#define for_each_e820_entry(table, entry)				\
	for ((entry) = (table)->entries;				\
	     (entry) < (table)->entries + (table)->nr_entries; (entry)++)

/* Boot: add one firmware entry, then build e820_table from them. */
int e820__add_firmware(u64 addr, u64 size, u32 type);
void e820__memory_setup(void);

/*
 * Table editing. range_add appends (0, or -ENOMEM with a warning when the
 * table is full); remove and update return how many bytes they changed;
 * update_table sanitizes (0, or -ENOMEM when the result had to be cut).
 */
int e820__range_add(struct e820_table *table, u64 addr, u64 size, u32 type);
u64 e820__range_remove(struct e820_table *table, u64 addr, u64 size,
		       u32 old_type, bool check_type);
u64 e820__range_update(struct e820_table *table, u64 addr, u64 size,
		       u32 old_type, u32 new_type);
int e820__update_table(struct e820_table *table);

/* 0 when sorted, disjoint, without empty entries and RAM page aligned. */
int e820_table_check(const struct e820_table *table);

/*
 * Queries on a sanitized table, over [start, end). type may be
 * E820_TYPE_ANY. The unprefixed ones read e820_table.
 */
bool __e820__mapped_any(const struct e820_table *table, u64 start, u64 end,
			u32 type);
bool __e820__mapped_all(const struct e820_table *table, u64 start, u64 end,
			u32 type);
unsigned long __e820_end_pfn(const struct e820_table *table,
			     unsigned long limit_pfn, u32 type);
unsigned long e820_end_of_ram_pfn(void);
unsigned long e820_end_of_low_ram_pfn(void);

const char *e820_type_name(u32 type);
void e820__print_table(const struct e820_table *table, const char *who);

/*
 * Command-line edits (mem=, memmap=). The early_param handlers record
 * them in a fixed array before any allocator exists; e820__memory_setup()
 * applies them in command-line order. Exposed so that the tests can parse
 * into, and apply to, tables of their own.
 */
#define E820_MAX_EDITS		32

enum e820_edit_op {
	E820_EDIT_ADD,		/* add [addr, addr + size) as type */
	E820_EDIT_LIMIT,	/* mem=: remove the RAM at and above addr */
};

struct e820_edit {
	u64 addr;
	u64 size;
	u32 type;
	u32 op;
};

struct e820_edits {
	u32 nr;
	struct e820_edit edit[E820_MAX_EDITS];
};

/* 0, -EINVAL or -ERANGE; on an error nothing is recorded. */
int e820_parse_memmap(struct e820_edits *edits, const char *val);
int e820_parse_mem(struct e820_edits *edits, const char *val);
void e820_apply_edits(struct e820_table *table, const struct e820_edits *edits);

#endif
