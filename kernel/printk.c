// SPDX-License-Identifier: MIT
/*
 * printk formats into a line buffer, keeps a copy in the log ring (for
 * `dmesg`) and hands it to every console, or to the capture buffer while
 * the shell redirects a command's output.
 *
 * Many CPUs print at once: one line (one printk call) at a time goes
 * into the log, the consoles or the capture, under printk_owner, a lock
 * that records the CPU holding it and is taken with interrupts off. Two
 * cases must not wait for it: this CPU already holds it (an exception,
 * an NMI or a panic inside a console write), where the line is written
 * through; and a panic, where the holder may be a CPU that will never
 * release it, so the wait is bounded and the lock then taken by force.
 * A forced line may interleave with the stuck holder's; a panic that
 * hangs on the console would be worse.
 */
#include "kernel/printk.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/traps.h"
#include "libc/stdio.h"
#include "libc/string.h"

#define LOG_BUF_SIZE	(64 * 1024)

static char log_buf[LOG_BUF_SIZE];
static size_t log_head;		/* total bytes ever logged */
static int console_loglevel = LOGLEVEL_DEBUG;
static struct printk_capture *capture;

#define PRINTK_UNLOCKED		-1
/* Milliseconds on hardware, under a second under TCG; a line takes far less. */
#define PRINTK_PANIC_SPINS	(1UL << 18)

enum printk_hold { PRINTK_LOCKED, PRINTK_NESTED, PRINTK_FORCED };

static int printk_owner = PRINTK_UNLOCKED;	/* the CPU writing a line */
static bool printk_panicking;
static unsigned long printk_forced;		/* lines written by force */

void printk_enter_panic(void)
{
	WRITE_ONCE(printk_panicking, true);
}

void printk_leave_panic(void)
{
	WRITE_ONCE(printk_panicking, false);
}

unsigned long printk_forced_count(void)
{
	return READ_ONCE(printk_forced);
}

static enum printk_hold printk_lock(unsigned long *flags)
{
	int me, free;
	unsigned long spins = 0;

	*flags = local_irq_save();
	me = smp_processor_id();
	if (READ_ONCE(printk_owner) == me)
		return PRINTK_NESTED;
	for (;;) {
		free = PRINTK_UNLOCKED;
		if (__atomic_compare_exchange_n(&printk_owner, &free, me, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return PRINTK_LOCKED;
		if (READ_ONCE(printk_panicking) && ++spins > PRINTK_PANIC_SPINS)
			break;
		cpu_relax();
	}
	__atomic_store_n(&printk_owner, me, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&printk_forced, 1, __ATOMIC_RELAXED);
	return PRINTK_FORCED;
}

static void printk_unlock(enum printk_hold hold, unsigned long flags)
{
	if (hold != PRINTK_NESTED)
		__atomic_store_n(&printk_owner, PRINTK_UNLOCKED, __ATOMIC_RELEASE);
	local_irq_restore(flags);
}

static void log_store(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_buf[(log_head + i) % LOG_BUF_SIZE] = s[i];
	log_head += len;
}

size_t printk_log_read(char *dst, size_t size)
{
	unsigned long flags;
	enum printk_hold hold = printk_lock(&flags);
	size_t avail = log_head < LOG_BUF_SIZE ? log_head : LOG_BUF_SIZE;
	size_t start = log_head - avail;
	size_t n = avail < size ? avail : size;

	/* The newest bytes when the caller's buffer is smaller. */
	start += avail - n;
	for (size_t i = 0; i < n; i++)
		dst[i] = log_buf[(start + i) % LOG_BUF_SIZE];
	printk_unlock(hold, flags);
	return n;
}

unsigned long printk_lock_hold(void)
{
	unsigned long flags;

	if (printk_lock(&flags) == PRINTK_NESTED)
		panic("printk_lock_hold: this CPU holds the printk lock already");
	return flags;
}

void printk_lock_release(unsigned long flags)
{
	printk_unlock(PRINTK_LOCKED, flags);
}

void printk_capture_begin(struct printk_capture *c)
{
	unsigned long flags;
	enum printk_hold hold;

	c->len = 0;
	c->overflow = false;
	if (c->size)
		c->buf[0] = '\0';
	hold = printk_lock(&flags);
	c->prev = capture;
	capture = c;
	printk_unlock(hold, flags);
}

void printk_capture_end(struct printk_capture *c)
{
	unsigned long flags;
	enum printk_hold hold = printk_lock(&flags);

	capture = c->prev;
	printk_unlock(hold, flags);
}

static void capture_store(const char *s, size_t len)
{
	struct printk_capture *c = capture;
	size_t room = c->size - 1 - c->len;

	if (len > room) {
		c->overflow = true;
		len = room;
	}
	memcpy(c->buf + c->len, s, len);
	c->len += len;
	c->buf[c->len] = '\0';
}

int vprintk_level(int level, const char *fmt, va_list ap)
{
	char buf[512];
	unsigned long flags;
	enum printk_hold hold;
	int n;

	n = vscnprintf(buf, sizeof(buf), fmt, ap);
	hold = printk_lock(&flags);
	if (capture) {
		capture_store(buf, n);
	} else {
		log_store(buf, n);
		if (level <= console_loglevel)
			console_write(buf, n, level);
	}
	printk_unlock(hold, flags);
	return n;
}

void printk_write(const char *s, size_t len)
{
	unsigned long flags;
	enum printk_hold hold = printk_lock(&flags);

	if (capture) {
		capture_store(s, len);
	} else {
		log_store(s, len);
		console_write(s, len, LOGLEVEL_INFO);
	}
	printk_unlock(hold, flags);
}

int printk_level(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk_level(level, fmt, ap);
	va_end(ap);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk_level(LOGLEVEL_INFO, fmt, ap);
	va_end(ap);
	return n;
}
