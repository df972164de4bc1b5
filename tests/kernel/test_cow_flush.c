// SPDX-License-Identifier: MIT
/*
 * cow_flush: fork and copy-on-write change user mappings only, so their
 * TLB flushes go to the CPUs that have the address space loaded (its
 * cpu_mask), here this CPU alone: no shootdown reaches another CPU.
 * They once flushed every online CPU, an IPI round per fault that made
 * fork_cow's 64 children take 72 s at -smp 4 (every CPU waiting on the
 * big kernel lock while its holder waited for the others' answers).
 */
#include "tests/kernel/ktest.h"
#include "kernel/smp.h"
#include "kernel/tlbflush.h"
#include "kernel/uaccess.h"
#include "mm/mmap.h"

#define COW_FLUSH_BASE	0x50000000UL
#define COW_FLUSH_PAGES	4

static unsigned long remote_flushes(void)
{
	return tlb_stat(NR_TLB_REMOTE_FLUSH);
}

/* Writes page i of the range in the loaded mm: 0, or -EFAULT. */
static int write_page(int i, u64 v)
{
	return put_user_u64(v, (u64 __user *)(COW_FLUSH_BASE + i * PAGE_SIZE));
}

KTEST(cow_flush, fork_and_cow_flush_only_loaded_cpus)
{
	struct mm *saved = current_mm, *parent, *child;
	unsigned long before;
	u64 v = 0;

	if (num_online_cpus() < 2) {
		ktest_skip(test, "needs a second CPU that a flush could reach");
		return;
	}
	parent = mm_create_user(0, "cow-flush");
	ASSERT_NOT_NULL(test, parent);
	ASSERT_EQ(test, do_mmap(parent, COW_FLUSH_BASE, COW_FLUSH_PAGES * PAGE_SIZE,
				PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		  COW_FLUSH_BASE);
	switch_mm(parent);
	for (int i = 0; i < COW_FLUSH_PAGES; i++)
		EXPECT_EQ(test, write_page(i, i), 0);
	EXPECT_UEQ(test, parent->cpu_mask, BIT(smp_processor_id()));
	before = remote_flushes();
	/* fork write-protects the parent's pages: its flush stays here. */
	child = mm_dup(parent, 0);
	ASSERT_NOT_NULL(test, child);
	switch_mm(child);
	for (int i = 0; i < COW_FLUSH_PAGES; i++)
		EXPECT_EQ(test, write_page(i, 100 + i), 0);
	EXPECT_UEQ(test, child->nr_cow, COW_FLUSH_PAGES);
	switch_mm(parent);
	/* The parent's pages are its own again: reused in place. */
	for (int i = 0; i < COW_FLUSH_PAGES; i++)
		EXPECT_EQ(test, write_page(i, 200 + i), 0);
	EXPECT_UEQ(test, remote_flushes(), before);
	EXPECT_EQ(test, get_user_u64(&v, (const u64 __user *)COW_FLUSH_BASE), 0);
	EXPECT_UEQ(test, v, 200);
	switch_mm(saved);
	mm_destroy(child);
	mm_destroy(parent);
}
