/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_SETJMP_H
#define KERNEL_SETJMP_H

struct jmp_buf {
	unsigned long regs[8];
};

int kernel_setjmp(struct jmp_buf *buf) __attribute__((returns_twice));
void kernel_longjmp(struct jmp_buf *buf, int val) __attribute__((noreturn));

#endif
