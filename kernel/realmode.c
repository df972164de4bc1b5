// SPDX-License-Identifier: MIT
/*
 * The trampoline's pages below 1 MiB (see kernel/realmode.h). The STARTUP
 * IPI can only name a page below 1 MiB, so the pages must be RAM there
 * (the e820 map says which) and must never be given to the buddy: they
 * are reserved in memblock as soon as the memory map is known. The
 * highest fitting RAM below the EBDA is taken, as Linux's top-down
 * memblock allocation would.
 */
#include "kernel/realmode.h"
#include "kernel/bootinfo.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "mm/e820.h"
#include "mm/memblock.h"
#include "mm/pgtable.h"
#include "libc/errno.h"
#include "libc/string.h"

#define LOW_LIMIT	0xa0000UL		/* legacy video memory and ROMs above */
#define TRAMPOLINE_SIZE	(TRAMPOLINE_PAGES * PAGE_SIZE)

extern const u8 trampoline_start[], trampoline_end[], trampoline_data[];
extern const u8 secondary_startup_64[];

static phys_addr_t base;

static bool overlaps_boot_info(phys_addr_t start)
{
	phys_addr_t s = boot_params.info_phys, e = s + boot_params.info_size;

	return start < e && s < start + TRAMPOLINE_SIZE;
}

/* The highest TRAMPOLINE_SIZE of RAM in e below LOW_LIMIT, or 0. */
static phys_addr_t fit_in(const struct e820_entry *e)
{
	phys_addr_t end = min(e->addr + e->size, (u64)LOW_LIMIT), start;

	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (end < TRAMPOLINE_SIZE + PAGE_SIZE)
		return 0;
	for (start = end - TRAMPOLINE_SIZE; start >= ALIGN(e->addr, PAGE_SIZE) &&
	     start >= PAGE_SIZE; start -= PAGE_SIZE)
		if (!overlaps_boot_info(start))
			return start;
	return 0;
}

void reserve_real_mode(void)
{
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e) {
		phys_addr_t at;

		if (e->type != E820_TYPE_RAM || e->addr >= LOW_LIMIT)
			continue;
		at = fit_in(e);
		if (at > base)
			base = at;
	}
	if (!base) {
		pr_warn("smp: no RAM below 1 MiB for the AP trampoline: one CPU only\n");
		return;
	}
	/* Low memory is reserved whole today; this keeps ours if that changes. */
	memblock_reserve(base, TRAMPOLINE_SIZE);
	pr_info("smp: AP trampoline at [mem %#010llx-%#010llx]\n",
		(unsigned long long)base, (unsigned long long)(base + TRAMPOLINE_SIZE - 1));
}

phys_addr_t real_mode_base(void)
{
	return base;
}

/*
 * PML4 (page 1): entry 0 identity-maps the low 2 MiB through page 2 (PDPT)
 * and page 3 (PD, one 2 MiB leaf); the kernel half is init_pgd's, whose
 * top-level entries never change.
 */
static void build_page_tables(void)
{
	pteval_t *pml4 = __va(base + PAGE_SIZE);
	pteval_t *pdpt = __va(base + 2 * PAGE_SIZE);
	pteval_t *pd = __va(base + 3 * PAGE_SIZE);

	memset(pml4, 0, 3 * PAGE_SIZE);
	pd[0] = _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE;
	pdpt[0] = (base + 3 * PAGE_SIZE) | _KERNPG_TABLE;
	pml4[0] = (base + 2 * PAGE_SIZE) | _KERNPG_TABLE;
	for (unsigned int i = PTRS_PER_TABLE / 2; i < PTRS_PER_TABLE; i++)
		pml4[i] = init_pgd[i];
}

int setup_trampoline(unsigned int cpu, unsigned long stack_top)
{
	size_t size = trampoline_end - trampoline_start;
	struct trampoline_data *d;

	if (!base)
		return -ENODEV;
	memcpy(__va(base), trampoline_start, size);
	build_page_tables();
	d = __va(base + (trampoline_data - trampoline_start));
	d->cr3 = base + PAGE_SIZE;
	d->efer = (u32)rdmsr(0xc0000080) & (BIT(8) | BIT(11));	/* LME, NXE */
	d->stack = stack_top;
	d->entry = (unsigned long)secondary_startup_64;
	d->cpu = cpu;
	return base >> PAGE_SHIFT;
}
