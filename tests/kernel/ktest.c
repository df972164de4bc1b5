// SPDX-License-Identifier: MIT
/*
 * What the suites call while they run (tests/kernel/ktest.h): recording
 * a failure or a skip, logging, running a console line, catching a panic
 * on purpose. The runner that calls the cases is kernel/ktest.c.
 */
#include "tests/kernel/ktest.h"
#include "kernel/lockdep.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/setjmp.h"
#include "kernel/shell.h"
#include "kernel/traps.h"
#include "libc/stdio.h"
#include "libc/string.h"

int ktest_strcmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

int ktest_memcmp(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n);
}

void ktest_fail(struct kunit *test, const char *file, int line,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	test->failed++;
	printk("    # %s: EXPECTATION FAILED at %s:%d\n", test->name, file, line);
	printk("    # %s\n", msg);
}

void ktest_log(struct kunit *test, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	(void)test;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("    # %s\n", msg);
}

void ktest_skip(struct kunit *test, const char *reason)
{
	test->skip_reason = reason;
}

int ktest_shell(const char *line, char *out, size_t size)
{
	struct printk_capture cap = { .buf = out, .size = size };
	int ret;

	memset(out, 0, size);
	printk_capture_begin(&cap);
	ret = shell_exec(line);
	printk_capture_end(&cap);
	return ret;
}

static struct jmp_buf catch_jmp;
static char *catch_reason;
static size_t catch_len;
static unsigned int catch_held;
static bool catch_irqs_off;

static void catch_hook(const char *reason)
{
	if (catch_reason)
		strlcpy(catch_reason, reason, catch_len);
	kernel_longjmp(&catch_jmp, 1);
}

bool ktest_catch_panic(void (*fn)(void *arg), void *arg, char *reason,
		       size_t len)
{
	catch_reason = reason;
	catch_len = len;
	catch_held = lockdep_held_depth();
	catch_irqs_off = irqs_disabled();
	if (reason && len)
		reason[0] = '\0';
	if (kernel_setjmp(&catch_jmp)) {
		set_panic_hook(NULL);
		lockdep_unwind(catch_held);	/* the locks fn took are gone with it */
		/*
		 * panic() and the exception entry that led to it turned
		 * interrupts off; the caller goes on as it was.
		 */
		if (catch_irqs_off)
			local_irq_disable();
		else
			local_irq_enable();
		return true;
	}
	set_panic_hook(catch_hook);
	fn(arg);
	set_panic_hook(NULL);
	return false;
}
