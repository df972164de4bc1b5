/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_VGACON_H
#define DRIVERS_VGACON_H

#include "kernel/types.h"
#include "drivers/fbcon.h"

#define VGA_TEXT_PHYS	0xb8000

struct vgacon {
	struct vc vc;
	volatile u16 *mem;		/* text memory, pitch bytes a row */
	unsigned int pitch;
	bool hw_cursor;			/* program the CRTC cursor */
};

/*
 * A text engine over VGA-style text memory (cells as the VGA stores
 * them). The caller's arrays hold cols * rows cells each; -EINVAL for a
 * geometry that does not fit the pitch.
 */
int vgacon_setup(struct vgacon *vga, volatile u16 *mem, unsigned int cols,
		 unsigned int rows, unsigned int pitch, u16 *text, u16 *shown);
/*
 * The screen console in EGA/VGA text mode (what GRUB hands over when it
 * leaves the screen in text mode): map the text memory and register.
 */
void vgacon_init(phys_addr_t phys, unsigned int cols, unsigned int rows,
		 unsigned int pitch);

#endif
