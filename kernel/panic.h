/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "kernel/types.h"

__printf(1, 2) __noreturn void panic(const char *fmt, ...);

/* Print the frames from a frame pointer; dump_stack() adds the header. */
void dump_stack_from(unsigned long rbp);
void dump_stack(void);

/*
 * While a test case runs, a panic or an unexpected exception goes back to
 * the test framework instead of stopping the machine: it calls this hook
 * with the reason. The hook does not return when it takes over.
 */
typedef void (*panic_hook_t)(const char *reason);
void set_panic_hook(panic_hook_t hook);
void run_panic_hook(const char *reason);

#define BUG_ON(cond) do {						\
	if (unlikely(cond))						\
		panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);	\
} while (0)

#define WARN_ON(cond) ({						\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		warn_slowpath(__FILE__, __LINE__, #cond);		\
	__c;								\
})
void warn_slowpath(const char *file, int line, const char *cond);

#endif
