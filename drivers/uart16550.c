// SPDX-License-Identifier: MIT
/* 16550 UART, polled. */
#include "drivers/uart16550.h"
#include "kernel/io.h"
#include "kernel/console.h"

#define UART_RBR	0	/* receive buffer (read) */
#define UART_THR	0	/* transmit holding (write) */
#define UART_IER	1
#define UART_DLL	0	/* divisor latch, DLAB=1 */
#define UART_DLM	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_SCR	7

#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LCR_DLAB	0x80
#define LCR_8N1		0x03
#define MCR_LOOP	0x10

static u16 uart_base;
static bool present;

/*
 * The scratch register and loopback test tell a real UART from a bus
 * that floats at 0xff.
 */
static bool uart_probe(u16 base)
{
	outb(0x5a, base + UART_SCR);
	if (inb(base + UART_SCR) != 0x5a)
		return false;
	outb(0xa5, base + UART_SCR);
	if (inb(base + UART_SCR) != 0xa5)
		return false;
	outb(MCR_LOOP | 0x0f, base + UART_MCR);
	outb(0xae, base + UART_THR);
	for (int i = 0; i < 1000 && !(inb(base + UART_LSR) & LSR_DR); i++)
		io_delay();
	if (inb(base + UART_RBR) != 0xae)
		return false;
	outb(0x0b, base + UART_MCR);	/* DTR, RTS, OUT2; loopback off */
	return true;
}

bool uart_init(u16 base)
{
	outb(0x00, base + UART_IER);
	outb(LCR_DLAB, base + UART_LCR);
	outb(1, base + UART_DLL);	/* 115200 baud */
	outb(0, base + UART_DLM);
	outb(LCR_8N1, base + UART_LCR);
	outb(0xc7, base + UART_FCR);	/* FIFOs on, cleared, 14-byte trigger */
	present = uart_probe(base);
	uart_base = base;
	return present;
}

bool uart_present(void)
{
	return present;
}

void uart_putc(char c)
{
	unsigned int spins = 0;

	if (!present)
		return;
	/* Bounded: a wedged UART must not hang the kernel. */
	while (!(inb(uart_base + UART_LSR) & LSR_THRE) && spins++ < 100000)
		cpu_relax();
	outb(c, uart_base + UART_THR);
}

void uart_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

int uart_getc(void)
{
	if (!present || !(inb(uart_base + UART_LSR) & LSR_DR))
		return -1;
	return inb(uart_base + UART_RBR);
}

static void uart_console_write(const char *s, size_t len, int level)
{
	(void)level;
	uart_write(s, len);
}

static struct console uart_console = {
	.name = "ttyS0",
	.write = uart_console_write,
	.getc = uart_getc,
};

void uart_console_init(void)
{
	if (uart_init(COM1_BASE))
		register_console(&uart_console);
}
