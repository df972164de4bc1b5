// SPDX-License-Identifier: MIT
/* bench devdax: memmap and page tables per GiB, create/destroy time. */
#include "bench/bench.h"
#include "mm/devdax.h"
#include "mm/e820.h"
#include "mm/pgtable.h"
#include "mm/sparse.h"
#include "kernel/time.h"

/* A 1 GiB aligned GiB of device memory that no region uses, or 0. */
static phys_addr_t bench_find_gib(void)
{
	struct e820_entry *e;

	for_each_e820_entry(e820_table, e) {
		if (!e820_type_is_device(e->type))
			continue;
		for (u64 pa = ALIGN(e->addr, SZ_1G); pa + SZ_1G <= e->addr + e->size; pa += SZ_1G) {
			if (!dax_region_check(pa, SZ_1G, SZ_1G, NULL))
				return pa;
		}
	}
	return 0;
}

static int bench_one(struct bench_ctx *b, phys_addr_t pa, unsigned int a)
{
	static const unsigned long aligns[] = { SZ_4K, SZ_2M, SZ_1G };
	static const char *const names[][4] = {
		{ "memmap_4k", "pgtables_4k", "create_4k", "destroy_4k" },
		{ "memmap_2m", "pgtables_2m", "create_2m", "destroy_2m" },
		{ "memmap_1g", "pgtables_1g", "create_1g", "destroy_1g" },
	};
	u64 create[BENCH_RUNS], destroy[BENCH_RUNS];
	unsigned long memmap = vmemmap_bytes(), tables = nr_kernel_pgtable_pages();

	for (unsigned int r = 0; r < BENCH_RUNS; r++) {
		u64 t0 = get_cycles(), t1;
		int id = dax_region_create(pa, SZ_1G, aligns[a], NULL);

		t1 = get_cycles();
		if (id < 0)
			return id;
		if (!r) {
			bench_row(b, names[a][0], vmemmap_bytes() - memmap, "bytes/GiB", 1, 1);
			bench_row(b, names[a][1], (nr_kernel_pgtable_pages() - tables) << PAGE_SHIFT,
				  "bytes/GiB", 1, 1);
		}
		dax_region_destroy(id, NULL);
		create[r] = cycles_to_ns(t1 - t0);
		destroy[r] = cycles_to_ns(get_cycles() - t1);
	}
	bench_row(b, names[a][2], bench_median(create, BENCH_RUNS), "ns/GiB", 1, BENCH_RUNS);
	bench_row(b, names[a][3], bench_median(destroy, BENCH_RUNS), "ns/GiB", 1, BENCH_RUNS);
	return 0;
}

static int bench_devdax(struct bench_ctx *b)
{
	phys_addr_t pa = bench_find_gib();

	if (!pa) {
		bench_skip(b, "memmap", "no free 1 GiB of device memory (boot with memmap=2G!4G, 8 GiB)");
		return 0;
	}
	for (unsigned int a = 0; a < 3; a++) {
		int ret = bench_one(b, pa, a);

		if (ret)
			return ret;
	}
	return 0;
}
BENCHMARK(devdax, "device-dax: memmap and page tables per GiB, create/destroy per GiB");
