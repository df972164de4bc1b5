/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include "kernel/types.h"

/*
 * Log levels as in Linux. The level only chooses a colour on the screen
 * console and a filter (loglevel=); the text goes to every console.
 */
enum {
	LOGLEVEL_EMERG,
	LOGLEVEL_ALERT,
	LOGLEVEL_CRIT,
	LOGLEVEL_ERR,
	LOGLEVEL_WARNING,
	LOGLEVEL_NOTICE,
	LOGLEVEL_INFO,
	LOGLEVEL_DEBUG,
};

__printf(1, 2) int printk(const char *fmt, ...);
__printf(2, 3) int printk_level(int level, const char *fmt, ...);
int vprintk_level(int level, const char *fmt, va_list ap);

#define pr_emerg(fmt, ...)	printk_level(LOGLEVEL_EMERG, fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...)	printk_level(LOGLEVEL_ERR, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk_level(LOGLEVEL_WARNING, fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...)	printk_level(LOGLEVEL_NOTICE, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk_level(LOGLEVEL_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	printk_level(LOGLEVEL_DEBUG, fmt, ##__VA_ARGS__)

#endif

#ifndef KERNEL_PRINTK_CAPTURE
#define KERNEL_PRINTK_CAPTURE
/*
 * While a capture is active, printk output goes into buf instead of the
 * consoles (the shell's `cmd > file`). Always NUL-terminated.
 */
struct printk_capture {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
	struct printk_capture *prev;	/* captures nest */
};
void printk_capture_begin(struct printk_capture *c);
void printk_capture_end(struct printk_capture *c);
/* Write text as is, any length, to the consoles (or the capture). */
void printk_write(const char *s, size_t len);
size_t printk_log_read(char *dst, size_t size);
/* From panic on: a CPU waits a bounded time for the console, then forces it. */
void printk_enter_panic(void);
void printk_leave_panic(void);
unsigned long printk_forced_count(void);
/* Hold the lock every line is written under (tests: a CPU that never lets go). */
unsigned long printk_lock_hold(void);
void printk_lock_release(unsigned long flags);
#endif
