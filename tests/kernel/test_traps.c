// SPDX-License-Identifier: MIT
/* Exception handling: fixups, reports, the panic capture, symbols. */
#include "tests/kernel/ktest.h"
#include "kernel/extable.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "mm/layout.h"
#include "libc/errno.h"
#include "libc/string.h"
#include "libc/stdio.h"

/* Nothing is ever mapped at the start of the vmalloc area's last GiB. */
#define UNMAPPED_ADDR	((void *)(VMALLOC_END - (1UL << 30) + 1 - 0x1000 + 0x123))

KTEST(traps, probe_read_unmapped_faults)
{
	struct probe_fault pf;
	u64 v = 0x1234;

	EXPECT_EQ(test, probe_read_u64(UNMAPPED_ADDR, &v), -EFAULT);
	EXPECT_UEQ(test, v, 0x1234);
	probe_last_fault(&pf);
	EXPECT_EQ(test, pf.vector, X86_TRAP_PF);
	EXPECT_UEQ(test, pf.addr, (unsigned long)UNMAPPED_ADDR);
	EXPECT_EQ(test, pf.error_code & (X86_PF_PROT | X86_PF_WRITE), 0);
}

KTEST(traps, probe_write_unmapped_faults)
{
	struct probe_fault pf;

	EXPECT_EQ(test, probe_write_u8(UNMAPPED_ADDR, 1), -EFAULT);
	probe_last_fault(&pf);
	EXPECT_EQ(test, pf.vector, X86_TRAP_PF);
	EXPECT_TRUE(test, pf.error_code & X86_PF_WRITE);
}

KTEST(traps, probe_mapped_succeeds)
{
	static u64 word = 0xfeedfacecafebeefULL;
	u64 v = 0;
	u8 b = 0;

	EXPECT_EQ(test, probe_read_u64(&word, &v), 0);
	EXPECT_UEQ(test, v, 0xfeedfacecafebeefULL);
	EXPECT_EQ(test, probe_write_u8(&word, 0x11), 0);
	EXPECT_EQ(test, probe_read_u8(&word, &b), 0);
	EXPECT_EQ(test, b, 0x11);
	EXPECT_EQ(test, probe_write_u64(&word, 42), 0);
	EXPECT_UEQ(test, word, 42);
}

KTEST(traps, probe_noncanonical_is_gp)
{
	struct probe_fault pf;
	u64 v;

	EXPECT_EQ(test, probe_read_u64((void *)0x0000800000000000UL, &v), -EFAULT);
	probe_last_fault(&pf);
	EXPECT_EQ(test, pf.vector, X86_TRAP_GP);
}

static void do_panic(void *arg)
{
	panic("test panic %d", *(int *)arg);
}

KTEST(traps, panic_is_caught)
{
	char reason[64];
	int n = 42;

	EXPECT_TRUE(test, ktest_catch_panic(do_panic, &n, reason, sizeof(reason)));
	EXPECT_STREQ(test, reason, "test panic 42");
}

static void no_panic(void *arg)
{
	*(int *)arg = 7;
}

KTEST(traps, catch_without_panic)
{
	char reason[64] = "x";
	int n = 0;

	EXPECT_FALSE(test, ktest_catch_panic(no_panic, &n, reason, sizeof(reason)));
	EXPECT_EQ(test, n, 7);
	EXPECT_STREQ(test, reason, "");
}

static __attribute__((noinline)) void invalid_opcode(void *arg)
{
	(void)arg;
	__asm__ __volatile__("ud2");
}

static __attribute__((noinline)) void bad_deref(void *arg)
{
	(void)arg;
	*(volatile u64 *)UNMAPPED_ADDR = 1;
}

static void catch_with_report(void (*fn)(void *), char *out, size_t size,
			      char *reason, size_t rlen, bool *caught)
{
	struct printk_capture cap = { .buf = out, .size = size };

	printk_capture_begin(&cap);
	*caught = ktest_catch_panic(fn, NULL, reason, rlen);
	printk_capture_end(&cap);
}

KTEST(traps, exception_report_ud)
{
	static char out[4096];
	char reason[96];
	bool caught;

	catch_with_report(invalid_opcode, out, sizeof(out), reason, sizeof(reason), &caught);
	EXPECT_TRUE(test, caught);
	EXPECT_STREQ(test, reason, "Fatal exception #UD Invalid Opcode");
	EXPECT_NOT_NULL(test, strstr(out, "EXCEPTION: #UD Invalid Opcode, error 0x0 at RIP"));
	EXPECT_NOT_NULL(test, strstr(out, "<invalid_opcode+0x"));
	EXPECT_NOT_NULL(test, strstr(out, "RAX: "));
	EXPECT_NOT_NULL(test, strstr(out, "Call Trace:"));
	/* The backtrace reaches the frames above the faulting function. */
	EXPECT_NOT_NULL(test, strstr(out, "ktest_catch_panic+0x"));
}

KTEST(traps, exception_report_pf)
{
	static char out[4096];
	char reason[96], cr2[64];
	bool caught;

	catch_with_report(bad_deref, out, sizeof(out), reason, sizeof(reason), &caught);
	EXPECT_TRUE(test, caught);
	EXPECT_STREQ(test, reason, "Fatal exception #PF Page Fault");
	EXPECT_NOT_NULL(test, strstr(out, "EXCEPTION: #PF Page Fault, error 0x2 at RIP"));
	snprintf(cr2, sizeof(cr2), "CR2: %016lx (write, not-present page", (unsigned long)UNMAPPED_ADDR);
	EXPECT_NOT_NULL(test, strstr(out, cr2));
	EXPECT_NOT_NULL(test, strstr(out, "<bad_deref+0x"));
}

KTEST(traps, ksyms_lookup)
{
	unsigned long off = 99;
	const char *name;

	name = ksym_lookup((unsigned long)bad_deref, &off);
	EXPECT_STREQ(test, name, "bad_deref");
	EXPECT_EQ(test, off, 0);
	name = ksym_lookup((unsigned long)panic + 3, &off);
	EXPECT_STREQ(test, name, "panic");
	EXPECT_EQ(test, off, 3);
	EXPECT_NULL(test, ksym_lookup(0x1000, &off));
	EXPECT_UEQ(test, ksym_address("panic"), (unsigned long)panic);
}
