/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/types.h"

/*
 * A console is somewhere printk output goes (serial, screen) and,
 * optionally, somewhere input comes from (serial, keyboard). Every
 * registered console gets all output; the shell reads from all of them.
 */
struct console {
	const char *name;
	void (*write)(const char *s, size_t len, int level);
	int (*getc)(void);		/* -1: nothing waiting */
	struct console *next;
};

void register_console(struct console *con);
void console_write(const char *s, size_t len, int level);
/* Wait for a character from any console. */
int console_getc(void);
/*
 * How console_getc() waits between looks once tasks run (the scheduler
 * sits above the console, so it lends its sleep); spins until then.
 */
void console_set_input_wait(void (*wait)(void));
/* Non-blocking: -1 when none is waiting. */
int console_trygetc(void);
/* Feed a character from an interrupt handler (keyboard). */
void console_push_input(char c);

void uart_console_init(void);

#endif
