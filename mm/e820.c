// SPDX-License-Identifier: MIT
/*
 * The physical memory map (Linux's arch/x86/kernel/e820.c, cut down).
 *
 * Firmware maps are unsorted, overlap, repeat themselves and give RAM in
 * odd byte counts; the command line adds its own ranges on top. Everything
 * goes through e820__update_table(), which rebuilds the table from scratch
 * with a boundary sweep, so that whatever came in, what comes out is
 * sorted, disjoint, merged and page aligned where it is RAM.
 */
#include "mm/e820.h"
#include "mm/layout.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

/* One past the highest address we can map: every range is cut there. */
#define E820_ADDR_LIMIT		(PHYS_ADDR_MAX + 1)
#define MAX_ARCH_PFN		PFN_DOWN(E820_ADDR_LIMIT)

static struct e820_table e820_table_init;
static struct e820_table e820_table_firmware_init;

struct e820_table *e820_table = &e820_table_init;
struct e820_table *e820_table_firmware = &e820_table_firmware_init;

static struct e820_edits cmdline_edits;

/* addr + size, saturated: firmware entries may claim to wrap. */
static u64 range_end(u64 addr, u64 size)
{
	return size > ~0ULL - addr ? ~0ULL : addr + size;
}

static u64 range_last(u64 addr, u64 size)
{
	return size ? range_end(addr, size) - 1 : addr;
}

static const char *e820_known_type_name(u32 type)
{
	switch (type) {
	case E820_TYPE_RAM:
		return "usable";
	case E820_TYPE_RESERVED:
		return "reserved";
	case E820_TYPE_ACPI:
		return "ACPI data";
	case E820_TYPE_NVS:
		return "ACPI NVS";
	case E820_TYPE_UNUSABLE:
		return "unusable";
	case E820_TYPE_PMEM:
		return "persistent (type 7)";
	case E820_TYPE_PRAM:
		return "persistent (type 12)";
	case E820_TYPE_SOFT_RESERVED:
		return "soft reserved";
	default:
		return NULL;
	}
}

const char *e820_type_name(u32 type)
{
	const char *name = e820_known_type_name(type);

	return name ? name : "unknown";
}

/*
 * Which type wins where ranges overlap: the more the kernel must keep its
 * hands off a range, the stronger its type.
 *
 *   0  RAM: the allocators hand it out, so it loses to everything
 *   1  soft reserved: RAM set aside, may still become device memory
 *   2  PMEM, PRAM: device memory, mapped and handed out by device-dax
 *   3  reserved, ACPI data, unknown types: owned by the firmware
 *   4  ACPI NVS: the firmware needs it intact across sleep
 *   5  unusable: bad memory, never touched at all
 *
 * Within a rank the higher type number wins, as in Linux. Linux uses the
 * number alone, which lets memmap=nn!ss turn NVS or bad memory into
 * device memory; here such an edit loses where the firmware said no.
 * Unknown types (0 included) rank with reserved: we cannot know what
 * they are, only that they are not ours.
 */
static unsigned int e820_type_rank(u32 type)
{
	switch (type) {
	case E820_TYPE_RAM:
		return 0;
	case E820_TYPE_SOFT_RESERVED:
		return 1;
	case E820_TYPE_PMEM:
	case E820_TYPE_PRAM:
		return 2;
	case E820_TYPE_NVS:
		return 4;
	case E820_TYPE_UNUSABLE:
		return 5;
	default:
		return 3;
	}
}

static bool e820_type_beats(u32 a, u32 b)
{
	unsigned int ra = e820_type_rank(a), rb = e820_type_rank(b);

	if (ra != rb)
		return ra > rb;
	return a > b;
}

/*
 * A firmware that overflows the table tends to do it by a lot: name the
 * first few ranges lost, then stay quiet.
 */
static void e820_table_full(u64 addr, u64 size, u32 type)
{
	static unsigned int nr_dropped;

	if (nr_dropped++ < 8)
		pr_warn("e820: table full (%d entries), dropping [mem 0x%016lx-0x%016lx] %s\n",
			E820_MAX_ENTRIES, addr, range_last(addr, size),
			e820_type_name(type));
	else if (nr_dropped == 9)
		pr_warn("e820: table full, dropping more ranges without naming them\n");
}

int e820__range_add(struct e820_table *table, u64 addr, u64 size, u32 type)
{
	struct e820_entry *entry;

	if (table->nr_entries >= E820_MAX_ENTRIES) {
		e820_table_full(addr, size, type);
		return -ENOMEM;
	}
	entry = &table->entries[table->nr_entries++];
	entry->addr = addr;
	entry->size = size;
	entry->type = type;
	return 0;
}

static void e820_drop_empty(struct e820_table *table)
{
	u32 i, n = 0;

	for (i = 0; i < table->nr_entries; i++)
		if (table->entries[i].size)
			table->entries[n++] = table->entries[i];
	table->nr_entries = n;
}

/*
 * Remove [addr, addr + size) from the entries of old_type (of any type
 * when !check_type). An entry the range falls strictly inside splits in
 * two; if the table has no room for the tail, the tail is lost with a
 * warning, which can only make less memory usable, never more.
 */
u64 e820__range_remove(struct e820_table *table, u64 addr, u64 size,
		       u32 old_type, bool check_type)
{
	u64 end = range_end(addr, size), removed = 0;
	u32 i;

	for (i = 0; i < table->nr_entries; i++) {
		struct e820_entry *entry = &table->entries[i];
		u64 entry_end = range_end(entry->addr, entry->size);
		u64 final_start, final_end;

		if (check_type && entry->type != old_type)
			continue;
		if (entry->addr >= addr && entry_end <= end) {
			removed += entry->size;
			entry->size = 0;
			continue;
		}
		if (entry->addr < addr && entry_end > end) {
			e820__range_add(table, end, entry_end - end, entry->type);
			entry->size = addr - entry->addr;
			removed += end - addr;
			continue;
		}
		final_start = max(addr, entry->addr);
		final_end = min(end, entry_end);
		if (final_start >= final_end)
			continue;
		removed += final_end - final_start;
		entry->size -= final_end - final_start;
		/* The part left is the head or the tail of the entry. */
		if (entry->addr < final_start)
			continue;
		entry->addr = final_end;
	}
	e820_drop_empty(table);
	return removed;
}

/*
 * Retype the old_type parts of [addr, addr + size) as new_type. Runs out
 * of room like e820__range_remove: the part that cannot be recorded is
 * lost, never left as old_type.
 */
u64 e820__range_update(struct e820_table *table, u64 addr, u64 size,
		       u32 old_type, u32 new_type)
{
	u64 end = range_end(addr, size), updated = 0;
	u32 i;

	if (old_type == new_type)
		return 0;
	for (i = 0; i < table->nr_entries; i++) {
		struct e820_entry *entry = &table->entries[i];
		u64 entry_end = range_end(entry->addr, entry->size);
		u64 final_start, final_end;

		if (entry->type != old_type)
			continue;
		if (entry->addr >= addr && entry_end <= end) {
			entry->type = new_type;
			updated += entry->size;
			continue;
		}
		if (entry->addr < addr && entry_end > end) {
			e820__range_add(table, addr, end - addr, new_type);
			e820__range_add(table, end, entry_end - end, old_type);
			entry->size = addr - entry->addr;
			updated += end - addr;
			continue;
		}
		final_start = max(addr, entry->addr);
		final_end = min(end, entry_end);
		if (final_start >= final_end)
			continue;
		e820__range_add(table, final_start, final_end - final_start, new_type);
		updated += final_end - final_start;
		entry->size -= final_end - final_start;
		if (entry->addr < final_start)
			continue;
		entry->addr = final_end;
	}
	return updated;
}

/*
 * e820__update_table: the boundary sweep. Every start and end address is
 * a boundary; between two consecutive boundaries the set of entries that
 * cover the space cannot change, so the strongest of their types owns it
 * (or nobody: a hole). Walking the boundaries in order and merging equal
 * neighbours gives a sorted, disjoint, merged table by construction.
 * O(n^2) for n <= 256 entries, at boot only.
 */
struct e820_span {
	u64 start, end;
	u32 type;
};

/* Scratch: far too big for the 16 KiB boot stack, and boot is one CPU. */
static struct e820_span sanitize_in[E820_MAX_ENTRIES];
static u64 sanitize_bounds[2 * E820_MAX_ENTRIES];
static struct e820_span sanitize_out[2 * E820_MAX_ENTRIES];

static u32 sanitize_collect(const struct e820_table *table)
{
	u32 i, n = 0, nr = min(table->nr_entries, (u32)E820_MAX_ENTRIES);

	for (i = 0; i < nr; i++) {
		const struct e820_entry *e = &table->entries[i];
		u64 end = min(range_end(e->addr, e->size), E820_ADDR_LIMIT);

		/* Empty, or wholly above what we can ever map. */
		if (e->addr >= end)
			continue;
		sanitize_in[n].start = e->addr;
		sanitize_in[n].end = end;
		sanitize_in[n].type = e->type;
		n++;
	}
	return n;
}

static u32 sanitize_bounds_sorted(u32 n)
{
	u64 *b = sanitize_bounds;
	u32 i, j, nb = 0;

	for (i = 0; i < n; i++) {
		b[nb++] = sanitize_in[i].start;
		b[nb++] = sanitize_in[i].end;
	}
	/* Insertion sort: firmware maps come nearly sorted already. */
	for (i = 1; i < nb; i++) {
		u64 v = b[i];

		for (j = i; j > 0 && b[j - 1] > v; j--)
			b[j] = b[j - 1];
		b[j] = v;
	}
	for (i = 0, j = 0; i < nb; i++)
		if (!j || b[j - 1] != b[i])
			b[j++] = b[i];
	return j;
}

/* The span whose type owns the space that starts at addr, NULL for a hole. */
static const struct e820_span *sanitize_owner(u32 n, u64 addr)
{
	const struct e820_span *owner = NULL;
	u32 i;

	for (i = 0; i < n; i++) {
		const struct e820_span *s = &sanitize_in[i];

		if (addr < s->start || addr >= s->end)
			continue;
		if (!owner || e820_type_beats(s->type, owner->type))
			owner = s;
	}
	return owner;
}

static u32 sanitize_sweep(u32 n, u32 nb)
{
	u32 k, nout = 0;

	for (k = 0; k + 1 < nb; k++) {
		u64 start = sanitize_bounds[k], end = sanitize_bounds[k + 1];
		struct e820_span *prev = nout ? &sanitize_out[nout - 1] : NULL;
		const struct e820_span *owner = sanitize_owner(n, start);

		if (!owner)
			continue;
		if (prev && prev->end == start && prev->type == owner->type) {
			prev->end = end;
			continue;
		}
		sanitize_out[nout].start = start;
		sanitize_out[nout].end = end;
		sanitize_out[nout].type = owner->type;
		nout++;
	}
	return nout;
}

/*
 * Write the spans back, RAM cut inward to whole pages: a partial page
 * cannot be handed out, and the slivers become holes. Only after merging,
 * so that RAM given in pieces loses nothing at the seams.
 */
static int sanitize_store(struct e820_table *table, u32 nout)
{
	u32 i, n = 0, dropped = 0;
	u64 first_dropped = 0;

	for (i = 0; i < nout; i++) {
		struct e820_span s = sanitize_out[i];

		if (s.type == E820_TYPE_RAM) {
			s.start = ALIGN(s.start, PAGE_SIZE);
			s.end = ALIGN_DOWN(s.end, PAGE_SIZE);
			if (s.start >= s.end)
				continue;
		}
		if (n == E820_MAX_ENTRIES) {
			if (!dropped++)
				first_dropped = s.start;
			continue;
		}
		table->entries[n].addr = s.start;
		table->entries[n].size = s.end - s.start;
		table->entries[n].type = s.type;
		n++;
	}
	table->nr_entries = n;
	if (!dropped)
		return 0;
	/* Dropping the top is safe: a dropped range is a hole, never RAM. */
	pr_warn("e820: map needs %u entries more than %d, dropped everything from 0x%016lx\n",
		dropped, E820_MAX_ENTRIES, first_dropped);
	return -ENOMEM;
}

int e820__update_table(struct e820_table *table)
{
	u32 n = sanitize_collect(table);
	u32 nb = sanitize_bounds_sorted(n);

	return sanitize_store(table, sanitize_sweep(n, nb));
}

static int e820_check_fail(const struct e820_table *table, u32 i,
			   const char *why)
{
	const struct e820_entry *e = &table->entries[i];

	pr_err("e820: bad table: entry %u [mem 0x%016lx-0x%016lx] %s: %s\n",
	       i, e->addr, range_last(e->addr, e->size),
	       e820_type_name(e->type), why);
	return -EINVAL;
}

int e820_table_check(const struct e820_table *table)
{
	u32 i;

	if (table->nr_entries > E820_MAX_ENTRIES) {
		pr_err("e820: bad table: %u entries, at most %d\n",
		       table->nr_entries, E820_MAX_ENTRIES);
		return -EINVAL;
	}
	for (i = 0; i < table->nr_entries; i++) {
		const struct e820_entry *e = &table->entries[i];
		const struct e820_entry *prev = i ? e - 1 : NULL;

		if (!e->size)
			return e820_check_fail(table, i, "empty");
		if (e->addr >= E820_ADDR_LIMIT || e->size > E820_ADDR_LIMIT - e->addr)
			return e820_check_fail(table, i, "beyond PHYS_ADDR_MAX");
		if (e->type == E820_TYPE_RAM &&
		    (!IS_ALIGNED(e->addr, PAGE_SIZE) || !IS_ALIGNED(e->size, PAGE_SIZE)))
			return e820_check_fail(table, i, "RAM not page aligned");
		if (!prev)
			continue;
		if (e->addr < prev->addr + prev->size)
			return e820_check_fail(table, i, "out of order or overlapping");
		if (e->addr == prev->addr + prev->size && e->type == prev->type)
			return e820_check_fail(table, i, "not merged with the previous entry");
	}
	return 0;
}

static bool e820_type_matches(const struct e820_entry *entry, u32 type)
{
	return type == E820_TYPE_ANY || entry->type == type;
}

bool __e820__mapped_any(const struct e820_table *table, u64 start, u64 end,
			u32 type)
{
	const struct e820_entry *entry;

	for_each_e820_entry(table, entry) {
		if (!e820_type_matches(entry, type))
			continue;
		if (entry->addr >= end || entry->addr + entry->size <= start)
			continue;
		return true;
	}
	return false;
}

/* Relies on the table being sorted: [start, end) is eaten from the left. */
bool __e820__mapped_all(const struct e820_table *table, u64 start, u64 end,
			u32 type)
{
	const struct e820_entry *entry;

	if (start >= end)
		return false;
	for_each_e820_entry(table, entry) {
		if (!e820_type_matches(entry, type))
			continue;
		if (entry->addr >= end || entry->addr + entry->size <= start)
			continue;
		if (entry->addr > start)
			return false;
		start = entry->addr + entry->size;
		if (start >= end)
			return true;
	}
	return false;
}

unsigned long __e820_end_pfn(const struct e820_table *table,
			     unsigned long limit_pfn, u32 type)
{
	const struct e820_entry *entry;
	unsigned long last_pfn = 0;

	for_each_e820_entry(table, entry) {
		unsigned long start_pfn = PFN_DOWN(entry->addr);
		unsigned long end_pfn = PFN_DOWN(entry->addr + entry->size);

		if (!e820_type_matches(entry, type) || start_pfn >= limit_pfn)
			continue;
		last_pfn = max(last_pfn, min(end_pfn, limit_pfn));
	}
	return last_pfn;
}

unsigned long e820_end_of_ram_pfn(void)
{
	return __e820_end_pfn(e820_table, MAX_ARCH_PFN, E820_TYPE_RAM);
}

unsigned long e820_end_of_low_ram_pfn(void)
{
	return __e820_end_pfn(e820_table, PFN_DOWN(1ULL << 32), E820_TYPE_RAM);
}

void e820__print_table(const struct e820_table *table, const char *who)
{
	const struct e820_entry *e;

	for_each_e820_entry(table, e) {
		const char *name = e820_known_type_name(e->type);
		u64 last = range_last(e->addr, e->size);

		if (!e->size)
			pr_info("%s: [mem 0x%016lx empty] %s, ignored\n", who,
				e->addr, e820_type_name(e->type));
		else if (name)
			pr_info("%s: [mem 0x%016lx-0x%016lx] %s\n", who,
				e->addr, last, name);
		else
			pr_info("%s: [mem 0x%016lx-0x%016lx] type %u\n", who,
				e->addr, last, e->type);
	}
}

int e820__add_firmware(u64 addr, u64 size, u32 type)
{
	return e820__range_add(e820_table_firmware, addr, size, type);
}

static u64 e820_total(const struct e820_table *table, u32 type)
{
	const struct e820_entry *e;
	u64 total = 0;

	for_each_e820_entry(table, e)
		if (e->type == type)
			total += e->size;
	return total;
}

void e820__memory_setup(void)
{
	if (!e820_table_firmware->nr_entries)
		pr_err("e820: the firmware gave no memory map\n");
	pr_info("BIOS-provided physical RAM map:\n");
	e820__print_table(e820_table_firmware, "BIOS-e820");
	*e820_table = *e820_table_firmware;
	e820__update_table(e820_table);
	if (cmdline_edits.nr) {
		e820_apply_edits(e820_table, &cmdline_edits);
		e820__update_table(e820_table);
		pr_info("user-defined physical RAM map:\n");
		e820__print_table(e820_table, "user");
	}
	e820_table_check(e820_table);
	pr_info("e820: %lu MiB usable, last_pfn = 0x%lx\n",
		e820_total(e820_table, E820_TYPE_RAM) >> 20,
		e820_end_of_ram_pfn());
}

/* Command line: mem= and memmap=. */

static int parse_size(const char *s, size_t len, u64 *val)
{
	char buf[64];
	unsigned long long v;
	int err;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	err = kmemparse(buf, &v);
	if (err)
		return err;
	*val = v;
	return 0;
}

/* 0 where c does not separate size and start; '%' is Linux's, unsupported. */
static u32 memmap_separator_type(char c)
{
	switch (c) {
	case '@':
		return E820_TYPE_RAM;
	case '$':
		return E820_TYPE_RESERVED;
	case '!':
		return E820_TYPE_PRAM;
	case '#':
		return E820_TYPE_ACPI;
	default:
		return 0;
	}
}

static bool memmap_is_separator(char c)
{
	return memmap_separator_type(c) || c == '%';
}

/*
 * One memmap= item of len characters: "nn[KMGT]" then "@ss", "$ss", "!ss"
 * or "#ss"; or the size alone, which as in Linux limits RAM like mem=.
 */
static int parse_memmap_one(const char *s, size_t len, struct e820_edit *edit)
{
	size_t n = 0;
	u64 size, addr;
	int err;

	if (len == 8 && !strncmp(s, "exactmap", 8)) {
		pr_warn("e820: memmap=exactmap is not supported\n");
		return -EINVAL;
	}
	while (n < len && !memmap_is_separator(s[n]))
		n++;
	err = parse_size(s, n, &size);
	if (err)
		return err;
	if (!size)
		return -EINVAL;
	if (n == len) {
		edit->op = E820_EDIT_LIMIT;
		edit->addr = size;
		edit->size = 0;
		edit->type = E820_TYPE_RAM;
		return 0;
	}
	if (s[n] == '%') {
		pr_warn("e820: memmap=nn%%ss+type is not supported\n");
		return -EINVAL;
	}
	err = parse_size(s + n + 1, len - n - 1, &addr);
	if (err)
		return err;
	/* Also catches a range wrapping past 2^64. */
	if (addr > PHYS_ADDR_MAX || size - 1 > PHYS_ADDR_MAX - addr)
		return -ERANGE;
	edit->op = E820_EDIT_ADD;
	edit->addr = addr;
	edit->size = size;
	edit->type = memmap_separator_type(s[n]);
	return 0;
}

static bool edits_clash(const struct e820_edit *a, const struct e820_edit *b)
{
	if (a->op != E820_EDIT_ADD || b->op != E820_EDIT_ADD || a->type == b->type)
		return false;
	return a->addr < b->addr + b->size && b->addr < a->addr + a->size;
}

/*
 * Accept the parsed edits edit[nr..end): each one that overlaps an
 * accepted edit of another type is reported and dropped. Two users of one
 * range cannot both be right, and the first one given is the one a later
 * edit was most likely written against.
 */
static const struct e820_edit *edits_find_clash(const struct e820_edits *edits,
						const struct e820_edit *e)
{
	u32 i;

	for (i = 0; i < edits->nr; i++)
		if (edits_clash(&edits->edit[i], e))
			return &edits->edit[i];
	return NULL;
}

static void edits_commit(struct e820_edits *edits, u32 end)
{
	u32 i;

	for (i = edits->nr; i < end; i++) {
		const struct e820_edit *e = &edits->edit[i];
		const struct e820_edit *clash = edits_find_clash(edits, e);

		if (clash) {
			pr_warn("e820: memmap= [mem 0x%016lx-0x%016lx] %s ignored: overlaps the earlier [mem 0x%016lx-0x%016lx] %s\n",
				e->addr, e->addr + e->size - 1, e820_type_name(e->type),
				clash->addr, clash->addr + clash->size - 1,
				e820_type_name(clash->type));
			continue;
		}
		edits->edit[edits->nr++] = *e;
	}
}

static int edits_full(void)
{
	pr_warn("e820: more than %d mem=/memmap= edits\n", E820_MAX_EDITS);
	return -ERANGE;
}

/*
 * The items are parsed into the free slots first and accepted only when
 * all of them parsed: a bad value records nothing, as the parser promises.
 */
int e820_parse_memmap(struct e820_edits *edits, const char *val)
{
	const char *p = val;
	u32 end = edits->nr;
	int err;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (end == E820_MAX_EDITS)
			return edits_full();
		err = parse_memmap_one(p, len, &edits->edit[end]);
		if (err)
			return err;
		end++;
		if (!p[len])
			break;
		p += len + 1;
	}
	edits_commit(edits, end);
	return 0;
}

/* As in Linux, the amount is taken as the highest address of RAM. */
int e820_parse_mem(struct e820_edits *edits, const char *val)
{
	struct e820_edit *edit;
	u64 limit;
	int err;

	err = parse_size(val, strlen(val), &limit);
	if (err)
		return err;
	if (!limit)
		return -EINVAL;
	if (edits->nr == E820_MAX_EDITS)
		return edits_full();
	edit = &edits->edit[edits->nr++];
	edit->op = E820_EDIT_LIMIT;
	edit->addr = limit;
	edit->size = 0;
	edit->type = E820_TYPE_RAM;
	return 0;
}

/*
 * In command-line order, so that "mem=1G memmap=1G@4G" keeps the RAM at
 * 4 GiB, as in Linux. Overlaps are left to e820__update_table().
 */
void e820_apply_edits(struct e820_table *table, const struct e820_edits *edits)
{
	u32 i;

	for (i = 0; i < edits->nr; i++) {
		const struct e820_edit *e = &edits->edit[i];

		if (e->op == E820_EDIT_LIMIT) {
			e820__range_remove(table, e->addr, ~0ULL, E820_TYPE_RAM, true);
			continue;
		}
		if (!e820__range_add(table, e->addr, e->size, e->type))
			continue;
		/* No room for it: still never leave RAM where it was meant to be off limits. */
		if (e->type != E820_TYPE_RAM)
			e820__range_remove(table, e->addr, e->size, E820_TYPE_RAM, true);
	}
}

static int mem_param(const char *val)
{
	return e820_parse_mem(&cmdline_edits, val);
}
early_param("mem", mem_param);

static int memmap_param(const char *val)
{
	return e820_parse_memmap(&cmdline_edits, val);
}
early_param("memmap", memmap_param);
