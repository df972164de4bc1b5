/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include "kernel/types.h"

#define COM1_BASE	0x3f8

/*
 * Probe and program the UART (115200 8N1, FIFOs on). Returns false when
 * no UART answers: real machines often have none, and output must then
 * not wait for a transmitter that never empties.
 */
bool uart_init(u16 base);
bool uart_present(void);
void uart_putc(char c);
void uart_write(const char *s, size_t len);
/* -1 when no character is waiting. */
int uart_getc(void);

#endif
