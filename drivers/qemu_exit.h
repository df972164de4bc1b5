/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_QEMU_EXIT_H
#define DRIVERS_QEMU_EXIT_H

/*
 * QEMU's isa-debug-exit device (iobase 0xf4): writing v makes QEMU exit
 * with status (v << 1) | 1. The host runner reads the verdict from it.
 * On real hardware the write goes nowhere and the call returns.
 */
#define QEMU_EXIT_PORT		0xf4
#define QEMU_EXIT_POWEROFF	0x00	/* status 1 */
#define QEMU_EXIT_PASS		0x10	/* status 33 */
#define QEMU_EXIT_FAIL		0x11	/* status 35 */
#define QEMU_EXIT_PANIC		0x12	/* status 37 */

void qemu_exit(unsigned int code);

#endif
