// SPDX-License-Identifier: MIT
/*
 * memblock: the early allocator (Linux's mm/memblock.c, cut down to one
 * node, no flags, fixed arrays). Regions are kept sorted, disjoint and
 * merged with their neighbours; an operation that would need a slot the
 * array does not have fails with -ENOMEM and changes nothing.
 */
#include "mm/memblock.h"
#include "mm/e820.h"
#include "mm/layout.h"
#include "kernel/printk.h"
#include "libc/errno.h"
#include "libc/string.h"

static struct memblock_region memblock_memory_init_regions[INIT_MEMBLOCK_REGIONS];
static struct memblock_region memblock_reserved_init_regions[INIT_MEMBLOCK_REGIONS];

struct memblock memblock = {
	.current_limit	= MEMBLOCK_ALLOC_ANYWHERE,
	.memory		= MEMBLOCK_TYPE_INIT(memblock_memory_init_regions, "memory"),
	.reserved	= MEMBLOCK_TYPE_INIT(memblock_reserved_init_regions, "reserved"),
};

static phys_addr_t region_end(const struct memblock_region *r)
{
	return r->base + r->size;
}

static const char *type_name(const struct memblock_type *type)
{
	return type->name ? type->name : "?";
}

/* Keep base + size representable, as Linux's memblock_cap_size(). */
static phys_addr_t memblock_cap_size(phys_addr_t base, phys_addr_t size)
{
	return min(size, MEMBLOCK_ALLOC_ANYWHERE - base);
}

/* Recounted rather than patched: n <= 256 and it cannot drift. */
static void memblock_update_total(struct memblock_type *type)
{
	phys_addr_t total = 0;
	unsigned long i;

	for (i = 0; i < type->cnt; i++)
		total += type->regions[i].size;
	type->total_size = total;
}

static int memblock_full(const struct memblock_type *type, phys_addr_t base,
			 phys_addr_t size)
{
	pr_warn("memblock: %s array full (%lu regions), cannot add [0x%016lx-0x%016lx]\n",
		type_name(type), type->max, base, base + size - 1);
	return -ENOMEM;
}

static int memblock_insert_region(struct memblock_type *type, unsigned long idx,
				  phys_addr_t base, phys_addr_t size)
{
	struct memblock_region *r = type->regions;

	if (type->cnt >= type->max)
		return memblock_full(type, base, size);
	memmove(&r[idx + 1], &r[idx], (type->cnt - idx) * sizeof(*r));
	r[idx].base = base;
	r[idx].size = size;
	type->cnt++;
	return 0;
}

/* Drop regions [i, j) from the array. */
static void memblock_cut_regions(struct memblock_type *type, unsigned long i,
				 unsigned long j)
{
	struct memblock_region *r = type->regions;

	memmove(&r[i], &r[j], (type->cnt - j) * sizeof(*r));
	type->cnt -= j - i;
}

/*
 * The regions that overlap or touch [base, end) are a run [i, j) of the
 * sorted array: they all become the one region that spans them and the
 * new range. Only when the run is empty is a new slot needed.
 */
int memblock_add_range(struct memblock_type *type, phys_addr_t base,
		       phys_addr_t size)
{
	struct memblock_region *r = type->regions;
	phys_addr_t end;
	unsigned long i, j;
	int err = 0;

	size = memblock_cap_size(base, size);
	if (!size)
		return 0;
	end = base + size;
	for (i = 0; i < type->cnt && region_end(&r[i]) < base; i++)
		;
	for (j = i; j < type->cnt && r[j].base <= end; j++)
		;
	if (i == j) {
		err = memblock_insert_region(type, i, base, size);
	} else {
		phys_addr_t new_base = min(base, r[i].base);
		phys_addr_t new_end = max(end, region_end(&r[j - 1]));

		r[i].base = new_base;
		r[i].size = new_end - new_base;
		memblock_cut_regions(type, i + 1, j);
	}
	memblock_update_total(type);
	return err;
}

/*
 * Cut [base, end) out: a region that straddles base keeps its head, one
 * that straddles end keeps its tail, the ones between go. The range
 * falling strictly inside one region is the only case that needs a slot,
 * so it is checked before anything changes.
 */
int memblock_remove_range(struct memblock_type *type, phys_addr_t base,
			  phys_addr_t size)
{
	struct memblock_region *r = type->regions;
	phys_addr_t end;
	unsigned long i, j;

	size = memblock_cap_size(base, size);
	if (!size)
		return 0;
	end = base + size;
	for (i = 0; i < type->cnt && region_end(&r[i]) <= base; i++)
		;
	if (i == type->cnt || r[i].base >= end)
		return 0;
	if (r[i].base < base && region_end(&r[i]) > end) {
		phys_addr_t tail_end = region_end(&r[i]);

		if (type->cnt >= type->max)
			return memblock_full(type, end, tail_end - end);
		r[i].size = base - r[i].base;
		memblock_insert_region(type, i + 1, end, tail_end - end);
		memblock_update_total(type);
		return 0;
	}
	if (r[i].base < base) {
		r[i].size = base - r[i].base;
		i++;
	}
	for (j = i; j < type->cnt && region_end(&r[j]) <= end; j++)
		;
	if (j < type->cnt && r[j].base < end) {
		r[j].size = region_end(&r[j]) - end;
		r[j].base = end;
	}
	memblock_cut_regions(type, i, j);
	memblock_update_total(type);
	return 0;
}

long memblock_search(const struct memblock_type *type, phys_addr_t addr)
{
	unsigned long lo = 0, hi = type->cnt;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		const struct memblock_region *r = &type->regions[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr >= region_end(r))
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

bool memblock_overlaps_region(const struct memblock_type *type,
			      phys_addr_t base, phys_addr_t size)
{
	unsigned long i;

	size = memblock_cap_size(base, size);
	if (!size)
		return false;
	for (i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		if (base < region_end(r) && r->base < base + size)
			return true;
	}
	return false;
}

bool memblock_type_covers(const struct memblock_type *type, phys_addr_t base,
			  phys_addr_t size)
{
	long idx = memblock_search(type, base);

	if (idx < 0)
		return false;
	size = memblock_cap_size(base, size);
	return base + size <= region_end(&type->regions[idx]);
}

/*
 * Linux's __next_mem_range() without nodes and flags: walk type_a's
 * regions against the gaps between type_b's regions (gap k lies between
 * region k - 1 and region k; the first and last gaps are open-ended), and
 * yield each nonempty intersection. Both indices live in *idx.
 */
bool __next_mem_range(u64 *idx, const struct memblock_type *type_a,
		      const struct memblock_type *type_b,
		      phys_addr_t *out_start, phys_addr_t *out_end)
{
	unsigned long idx_a = (u32)*idx, idx_b = *idx >> 32;

	for (; idx_a < type_a->cnt; idx_a++) {
		const struct memblock_region *m = &type_a->regions[idx_a];
		phys_addr_t m_start = m->base, m_end = region_end(m);

		for (; idx_b < type_b->cnt + 1; idx_b++) {
			phys_addr_t r_start, r_end;

			r_start = idx_b ? region_end(&type_b->regions[idx_b - 1]) : 0;
			r_end = idx_b < type_b->cnt ?
				type_b->regions[idx_b].base : MEMBLOCK_ALLOC_ANYWHERE;
			/* This gap and the later ones start past m: next m. */
			if (r_start >= m_end)
				break;
			if (m_start >= r_end)
				continue;
			*out_start = max(m_start, r_start);
			*out_end = min(m_end, r_end);
			/* Advance whichever ends first; the other may go on. */
			if (m_end <= r_end)
				idx_a++;
			else
				idx_b++;
			*idx = (u32)idx_a | (u64)idx_b << 32;
			return true;
		}
	}
	*idx = ~0ULL;
	return false;
}

/*
 * Top-down, as Linux by default: the highest fit. Free ranges come lowest
 * first and each one's best candidate lies inside it, so the last
 * candidate found is the highest.
 */
phys_addr_t memblock_find_in_range(const struct memblock *mb, phys_addr_t start,
				   phys_addr_t end, phys_addr_t size,
				   phys_addr_t align)
{
	phys_addr_t this_start, this_end, found = 0;
	u64 i;

	if (!size)
		return 0;
	if (!align)
		align = SMP_CACHE_BYTES;
	if (align & (align - 1)) {
		pr_warn("memblock: alignment 0x%lx is not a power of two\n", align);
		return 0;
	}
	if (end == MEMBLOCK_ALLOC_ACCESSIBLE)
		end = MEMBLOCK_ALLOC_ANYWHERE;
	end = min(end, mb->current_limit);
	/* 0 says "failed": page 0 is never handed out. */
	start = max(start, (phys_addr_t)PAGE_SIZE);
	__for_each_mem_range(i, &mb->memory, &mb->reserved, &this_start, &this_end) {
		phys_addr_t cand;

		this_start = max(this_start, start);
		this_end = min(this_end, end);
		if (this_start >= this_end || this_end - this_start < size)
			continue;
		cand = ALIGN_DOWN(this_end - size, align);
		if (cand >= this_start)
			found = cand;
	}
	return found;
}

phys_addr_t __memblock_phys_alloc_range(struct memblock *mb, phys_addr_t size,
					phys_addr_t align, phys_addr_t start,
					phys_addr_t end)
{
	phys_addr_t found = memblock_find_in_range(mb, start, end, size, align);

	if (!found || memblock_add_range(&mb->reserved, found, size))
		return 0;
	return found;
}

/* Every RAM range, even after a failure: take all the memory we can. */
int __memblock_add_from_e820(struct memblock *mb, const struct e820_table *table)
{
	const struct e820_entry *entry;
	int ret = 0;

	for_each_e820_entry(table, entry) {
		int err;

		if (entry->type != E820_TYPE_RAM)
			continue;
		err = memblock_add_range(&mb->memory, entry->addr, entry->size);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

static int memblock_check_fail(const struct memblock_type *type,
			       unsigned long i, const char *why)
{
	const struct memblock_region *r = &type->regions[i];

	pr_err("memblock: bad %s[0x%lx] [0x%016lx-0x%016lx]: %s\n",
	       type_name(type), i, r->base, r->base + r->size - 1, why);
	return -EINVAL;
}

int memblock_check_type(const struct memblock_type *type)
{
	phys_addr_t total = 0;
	unsigned long i;

	if (type->cnt > type->max || (type->cnt && !type->regions)) {
		pr_err("memblock: bad %s: cnt %lu, max %lu\n",
		       type_name(type), type->cnt, type->max);
		return -EINVAL;
	}
	for (i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		if (!r->size)
			return memblock_check_fail(type, i, "empty");
		if (r->size > MEMBLOCK_ALLOC_ANYWHERE - r->base)
			return memblock_check_fail(type, i, "wraps");
		if (i && r->base < region_end(r - 1))
			return memblock_check_fail(type, i, "out of order or overlapping");
		if (i && r->base == region_end(r - 1))
			return memblock_check_fail(type, i, "not merged with the previous region");
		total += r->size;
	}
	if (total != type->total_size) {
		pr_err("memblock: bad %s: total_size 0x%lx, regions sum to 0x%lx\n",
		       type_name(type), type->total_size, total);
		return -EINVAL;
	}
	return 0;
}

int memblock_check(const struct memblock *mb)
{
	int err = memblock_check_type(&mb->memory);

	return err ? err : memblock_check_type(&mb->reserved);
}

int memblock_reserve(phys_addr_t base, phys_addr_t size)
{
	return memblock_add_range(&memblock.reserved, base, size);
}

int memblock_phys_free(phys_addr_t base, phys_addr_t size)
{
	return memblock_remove_range(&memblock.reserved, base, size);
}

phys_addr_t memblock_phys_alloc_range(phys_addr_t size, phys_addr_t align,
				      phys_addr_t start, phys_addr_t end)
{
	return __memblock_phys_alloc_range(&memblock, size, align, start, end);
}

phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align)
{
	return memblock_phys_alloc_range(size, align, 0, MEMBLOCK_ALLOC_ACCESSIBLE);
}

void memblock_set_current_limit(phys_addr_t limit)
{
	memblock.current_limit = limit;
}

bool memblock_is_memory(phys_addr_t addr)
{
	return memblock_search(&memblock.memory, addr) >= 0;
}

bool memblock_is_reserved(phys_addr_t addr)
{
	return memblock_search(&memblock.reserved, addr) >= 0;
}

bool memblock_is_region_memory(phys_addr_t base, phys_addr_t size)
{
	return memblock_type_covers(&memblock.memory, base, size);
}

bool memblock_is_region_reserved(phys_addr_t base, phys_addr_t size)
{
	return memblock_overlaps_region(&memblock.reserved, base, size);
}

phys_addr_t memblock_phys_mem_size(void)
{
	return memblock.memory.total_size;
}

phys_addr_t memblock_reserved_size(void)
{
	return memblock.reserved.total_size;
}

phys_addr_t memblock_start_of_DRAM(void)
{
	if (!memblock.memory.cnt)
		return 0;
	return memblock.memory.regions[0].base;
}

phys_addr_t memblock_end_of_DRAM(void)
{
	if (!memblock.memory.cnt)
		return 0;
	return region_end(&memblock.memory.regions[memblock.memory.cnt - 1]);
}

bool memblock_next_free_range(u64 *idx, phys_addr_t *start, phys_addr_t *end)
{
	return __next_mem_range(idx, &memblock.memory, &memblock.reserved,
				start, end);
}

int memblock_add_from_e820(void)
{
	return __memblock_add_from_e820(&memblock, e820_table);
}

void memblock_dump_type(const struct memblock_type *type)
{
	unsigned long i;

	pr_info("memblock: %s.cnt = 0x%lx\n", type_name(type), type->cnt);
	for (i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		pr_info("memblock: %s[0x%lx] [0x%016lx-0x%016lx], 0x%016lx bytes\n",
			type_name(type), i, r->base, region_end(r) - 1, r->size);
	}
}

void memblock_dump(void)
{
	pr_info("memblock: memory size = 0x%lx reserved size = 0x%lx\n",
		memblock.memory.total_size, memblock.reserved.total_size);
	memblock_dump_type(&memblock.memory);
	memblock_dump_type(&memblock.reserved);
}
