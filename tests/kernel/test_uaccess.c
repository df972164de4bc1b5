// SPDX-License-Identifier: MIT
/*
 * The user accessors: range checks (access_ok, no wraparound), partial
 * copies counted in bytes not copied, -EFAULT without a kernel report,
 * demand faults only from the accessors, SMAP, and the console's touch
 * refusing what is not user space.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "mm/mmap.h"
#include "kernel/extable.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "kernel/uaccess.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

#define BASE	0x100000000000UL	/* 16 TiB, as the mmap suite */
#define RW	(PROT_READ | PROT_WRITE)
#define ANON	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mm *load_mm(unsigned long pages)
{
	struct mm *mm = mm_create("uaccess");

	if (!mm)
		return NULL;
	switch_mm(mm);
	if (pages && do_mmap(mm, BASE, pages * PAGE_SIZE, RW, ANON) != (long)BASE) {
		mm_destroy(mm);
		return NULL;
	}
	return mm;
}

KTEST(uaccess, access_ok_bounds)
{
	static const struct {
		unsigned long addr, len;
		bool ok;
	} cases[] = {
		{ 0, 0, true },
		{ 0x1000, 8, true },
		{ TASK_SIZE_MAX - 8, 8, true },
		{ TASK_SIZE_MAX, 0, true },
		{ TASK_SIZE_MAX - 8, 9, false },
		{ 1UL << 47, 0, false },
		{ 0xffff888000000000UL, 4096, false },
		{ 0xffffffff80000000UL, 8, false },
		{ 0xfffffffffffff000UL, 4096, false },	/* wraps to 0 */
		{ 0x1000, ~0UL, false },		/* wraps */
		{ 0, TASK_SIZE_MAX + 1, false },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		if (access_ok((const void __user *)cases[i].addr, cases[i].len) != cases[i].ok)
			ktest_fail(test, __FILE__, __LINE__, "access_ok(%#lx, %#lx) != %d",
				   cases[i].addr, cases[i].len, cases[i].ok);
}

/* Faults the accessors serve on demand: nothing was populated. */
KTEST(uaccess, demand_faults)
{
	struct mm *mm = load_mm(3);
	static const char msg[] = "pagefold";
	char buf[3 * 4096];
	u64 v = 1;

	ASSERT_NOT_NULL(test, mm);
	EXPECT_EQ(test, get_user_u64(&v, (const u64 __user *)BASE), 0);
	EXPECT_UEQ(test, v, 0);
	memset(buf, 0x5a, sizeof(buf));
	EXPECT_UEQ(test, copy_to_user((void __user *)BASE, buf, sizeof(buf)), 0);
	EXPECT_UEQ(test, mm->rss, 3);
	EXPECT_UEQ(test, copy_to_user((void __user *)(BASE + 4090), msg, sizeof(msg)), 0);
	memset(buf, 0, sizeof(buf));
	EXPECT_UEQ(test, copy_from_user(buf, (const void __user *)BASE, sizeof(buf)), 0);
	EXPECT_EQ(test, buf[0], 0x5a);
	EXPECT_EQ(test, memcmp(buf + 4090, msg, sizeof(msg)), 0);
	EXPECT_EQ(test, strncpy_from_user(buf, (const char __user *)(BASE + 4090), 64), 8);
	EXPECT_STREQ(test, buf, "pagefold");
	/* count reached before the NUL: count, as Linux. */
	EXPECT_EQ(test, strncpy_from_user(buf, (const char __user *)(BASE + 4090), 4), 4);
	EXPECT_UEQ(test, clear_user((void __user *)(BASE + 4090), 4), 0);
	EXPECT_EQ(test, get_user_u64(&v, (const u64 __user *)(BASE + 4088)), 0);
	EXPECT_UEQ(test, v, 0x6f66000000005a5aULL);	/* "fo" of pagefold kept */
	EXPECT_EQ(test, put_user_u64(0x1122334455667788ULL, (u64 __user *)(BASE + 8)), 0);
	EXPECT_EQ(test, get_user_u64(&v, (const u64 __user *)(BASE + 8)), 0);
	EXPECT_UEQ(test, v, 0x1122334455667788ULL);
	mm_destroy(mm);
}

/*
 * A bad user address fails the call, counted in bytes or -EFAULT, with
 * no exception report and no panic; a kernel address is refused before
 * any access.
 */
KTEST(uaccess, bad_user_address_is_efault)
{
	static char out[2048];
	struct printk_capture cap = { .buf = out, .size = sizeof(out) };
	struct mm *mm = load_mm(1);
	char buf[16], kbuf[16];
	unsigned long end = BASE + PAGE_SIZE;
	long r[13];
	u64 v = 7;

	ASSERT_NOT_NULL(test, mm);
	memset(out, 0, sizeof(out));
	ASSERT_EQ(test, put_user_u64(0x4141414141414141ULL, (u64 __user *)(end - 8)), 0);
	memset(buf, 0x77, sizeof(buf));
	memcpy(kbuf, "kernel data 0123", 16);
	/* The calls run captured; the checks come after, where they can print. */
	printk_capture_begin(&cap);
	r[0] = get_user_u64(&v, (const u64 __user *)end);
	r[1] = put_user_u64(1, (u64 __user *)(end + 64));
	/* Straddling the end of the mapping: the 8 bytes inside are done. */
	r[2] = copy_from_user(buf, (const void __user *)(end - 8), 16);
	r[3] = buf[0] == 0x41 && buf[7] == 0x41 && buf[8] == 0 && buf[15] == 0;
	r[4] = copy_to_user((void __user *)(end - 8), buf, 16);
	/* No NUL before the end of the mapping. */
	r[6] = strncpy_from_user(buf, (const char __user *)(end - 8), 16);
	r[5] = clear_user((void __user *)(end - 8), 16);
	/* Kernel addresses: refused whole, nothing read or written. */
	r[7] = copy_to_user((void __user *)kbuf, "xxxxxxxxxxxxxxxx", 16);
	r[8] = clear_user((void __user *)kbuf, 16);
	r[9] = put_user_u64(0, (u64 __user *)kbuf);
	r[10] = copy_from_user(buf, (const void __user *)kbuf, 16);
	r[11] = get_user_u64(&v, (const u64 __user *)kbuf);
	r[12] = strncpy_from_user(buf, (const char __user *)kbuf, 16);
	printk_capture_end(&cap);
	EXPECT_EQ(test, r[0], -EFAULT);
	EXPECT_EQ(test, r[1], -EFAULT);
	EXPECT_EQ(test, r[2], 8);
	EXPECT_EQ(test, r[3], 1);		/* the rest zeroed, not stale */
	EXPECT_EQ(test, r[4], 8);
	EXPECT_EQ(test, r[5], 8);
	EXPECT_EQ(test, r[6], -EFAULT);
	EXPECT_EQ(test, r[7], 16);
	EXPECT_EQ(test, r[8], 16);
	EXPECT_EQ(test, r[9], -EFAULT);
	EXPECT_EQ(test, r[10], 16);
	EXPECT_EQ(test, r[11], -EFAULT);
	EXPECT_EQ(test, r[12], -EFAULT);
	EXPECT_EQ(test, memcmp(kbuf, "kernel data 0123", 16), 0);
	EXPECT_UEQ(test, v, 7);
	EXPECT_NULL(test, strstr(out, "EXCEPTION"));
	EXPECT_NULL(test, strstr(out, "panic"));
	EXPECT_UEQ(test, mm->rss, 1);
	mm_destroy(mm);
}

static __attribute__((noinline)) void stray_user_write(void *arg)
{
	*(volatile u64 *)arg = 1;
}

/*
 * The same page the accessors fault in on demand is, touched by any other
 * kernel instruction, a kernel bug: reported and fatal, not served.
 */
KTEST(uaccess, stray_kernel_access_is_caught)
{
	static char out[4096];
	struct printk_capture cap = { .buf = out, .size = sizeof(out) };
	struct mm *mm = load_mm(1);
	char reason[96], cr2[48];
	bool caught;
	u64 v;

	ASSERT_NOT_NULL(test, mm);
	memset(out, 0, sizeof(out));
	printk_capture_begin(&cap);
	caught = ktest_catch_panic(stray_user_write, (void *)BASE, reason, sizeof(reason));
	printk_capture_end(&cap);
	EXPECT_TRUE(test, caught);
	EXPECT_STREQ(test, reason, "Fatal exception #PF Page Fault");
	snprintf(cr2, sizeof(cr2), "CR2: %016lx", BASE);
	EXPECT_NOT_NULL(test, strstr(out, cr2));
	EXPECT_NOT_NULL(test, strstr(out, "<stray_user_write+0x"));
	EXPECT_UEQ(test, mm->rss, 0);
	/* A probe is not an accessor either: it fails, it faults nothing in. */
	EXPECT_EQ(test, probe_read_u64((void *)BASE, &v), -EFAULT);
	EXPECT_UEQ(test, mm->rss, 0);
	mm_destroy(mm);
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(unsigned long v)
{
	__asm__ __volatile__("mov %0, %%cr4" :: "r"(v) : "memory");
}

/* With CR4.SMAP on, the accessors still work and a probe is refused. */
KTEST(uaccess, smap_on)
{
	struct probe_fault pf;
	unsigned long cr4;
	u32 a, b, c, d;
	char buf[8];
	struct mm *mm;
	u64 v = 0;
	int probe;

	cpuid(7, 0, &a, &b, &c, &d);
	if (!(b & BIT(20))) {
		ktest_skip(test, "the CPU has no SMAP (CPUID.7.0:EBX[20])");
		return;
	}
	mm = load_mm(2);
	ASSERT_NOT_NULL(test, mm);
	/*
	 * CR4 is this CPU's, and this task stays on it (the console task
	 * is bound to the boot CPU, and nothing here sleeps); interrupts
	 * stay on, since the faults below take mmap_lock.
	 */
	cr4 = read_cr4();
	write_cr4(cr4 | X86_CR4_SMAP);
	EXPECT_TRUE(test, smap_enabled());
	EXPECT_EQ(test, put_user_u64(99, (u64 __user *)BASE), 0);
	EXPECT_EQ(test, get_user_u64(&v, (const u64 __user *)BASE), 0);
	EXPECT_UEQ(test, copy_to_user((void __user *)(BASE + PAGE_SIZE), "smap-on", 8), 0);
	EXPECT_UEQ(test, copy_from_user(buf, (const void __user *)(BASE + PAGE_SIZE), 8), 0);
	EXPECT_UEQ(test, clear_user((void __user *)(BASE + 8), 8), 0);
	EXPECT_EQ(test, get_user_u64(&v, (const u64 __user *)(BASE + 2 * PAGE_SIZE)), -EFAULT);
	probe = probe_read_u64((void *)BASE, &v);
	probe_last_fault(&pf);
	write_cr4(cr4);
	EXPECT_STREQ(test, buf, "smap-on");
	EXPECT_EQ(test, probe, -EFAULT);
	EXPECT_TRUE(test, pf.error_code & X86_PF_PROT);
	EXPECT_UEQ(test, mm->rss, 2);
	mm_destroy(mm);
}

/* Two texts equal, else the first line that differs, before and after. */
static void expect_same_text(struct kunit *test, const char *a, const char *b)
{
	size_t i = 0, line = 0;

	while (a[i] && a[i] == b[i])
		if (a[i++] == '\n')
			line = i;
	if (a[i] != b[i])
		ktest_fail(test, __FILE__, __LINE__, "'%.40s' became '%.40s'", a + line, b + line);
}

/* A failure, and one line that says why. */
static void expect_refused(struct kunit *test, const char *line, const char *why)
{
	static char out[512];
	int ret = ktest_shell(line, out, sizeof(out));
	const char *nl = strchr(out, '\n');

	if (!ret || !strstr(out, why) || !nl || nl[1])
		ktest_fail(test, __FILE__, __LINE__, "'%s': %d, answered '%s'", line, ret, out);
}

/* The console's touch: one line naming what is wrong, nothing touched. */
KTEST(uaccess, touch_refuses_kernel_and_wrapping_ranges)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{ "touch 0xffff888000000000 4096 write", "not in user space" },
		{ "touch 0xffffffff801b8000 8 write", "not in user space" },
		{ "touch 0xffffffff80000000 4096 write", "not in user space" },
		{ "touch 0xfffffffffffff000 4096", "wraps" },
		{ "touch 0x1000 0xffffffffffffffff write", "wraps" },
		{ "touch 0x7ffffffff000 4097", "not in user space" },
	};
	static char before[4096], meminfo[2][4096];
	struct mm *mm = load_mm(0);
	unsigned long free0, flt;

	ASSERT_NOT_NULL(test, mm);
	memcpy(before, (void *)0xffff888000000000UL, sizeof(before));
	/* Settled first: pages parked in per-CPU lists would move MemFree. */
	free0 = ktest_settled_free_pages();
	ASSERT_EQ(test, ktest_shell("cat /proc/meminfo", meminfo[0], sizeof(meminfo[0])), 0);
	flt = mm->min_flt;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		expect_refused(test, cases[i].line, cases[i].why);
	EXPECT_EQ(test, memcmp(before, (void *)0xffff888000000000UL, sizeof(before)), 0);
	EXPECT_UEQ(test, mm->min_flt, flt);
	EXPECT_UEQ(test, mm->rss, 0);
	EXPECT_UEQ(test, ktest_settled_free_pages(), free0);
	EXPECT_EQ(test, ktest_shell("cat /proc/meminfo", meminfo[1], sizeof(meminfo[1])), 0);
	expect_same_text(test, meminfo[0], meminfo[1]);
	mm_destroy(mm);
}
