// SPDX-License-Identifier: MIT
#include "kernel/console.h"
#include "kernel/io.h"

static struct console *consoles;

/* Characters pushed by interrupt handlers, consumed by the shell. */
#define INPUT_RING	256
static char input_ring[INPUT_RING];
static unsigned int input_head, input_tail;

void register_console(struct console *con)
{
	struct console **p = &consoles;

	while (*p)
		p = &(*p)->next;
	con->next = NULL;
	*p = con;
}

void console_write(const char *s, size_t len, int level)
{
	for (struct console *c = consoles; c; c = c->next)
		c->write(s, len, level);
}

void console_push_input(char c)
{
	unsigned int next = (input_head + 1) % INPUT_RING;

	if (next == input_tail)
		return;			/* full: drop, like a real tty */
	input_ring[input_head] = c;
	input_head = next;
}

int console_trygetc(void)
{
	if (input_tail != input_head) {
		char c = input_ring[input_tail];

		input_tail = (input_tail + 1) % INPUT_RING;
		return (unsigned char)c;
	}
	for (struct console *c = consoles; c; c = c->next) {
		int ch;

		if (!c->getc)
			continue;
		ch = c->getc();
		if (ch >= 0)
			return ch;
	}
	return -1;
}

static void (*input_wait)(void);

void console_set_input_wait(void (*wait)(void))
{
	input_wait = wait;
}

int console_getc(void)
{
	int ch;

	while ((ch = console_trygetc()) < 0) {
		if (input_wait)
			input_wait();
		else
			cpu_relax();
	}
	return ch;
}
