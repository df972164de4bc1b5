// SPDX-License-Identifier: MIT
/*
 * VGA text mode back end of the screen console: a cell is written to
 * text memory as is (the cell format is the VGA's), and the cursor is
 * the CRTC's hardware cursor.
 */
#include "drivers/vgacon.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "libc/errno.h"
#include "mm/ioremap.h"

#define CRTC_INDEX		0x3d4
#define CRTC_DATA		0x3d5
#define CRTC_CURSOR_START	0x0a
#define CRTC_CURSOR_END		0x0b
#define CRTC_CURSOR_HI		0x0e
#define CRTC_CURSOR_LO		0x0f

static void vga_draw(struct vc *vc, unsigned int x, unsigned int y, u16 cell,
		     bool cursor)
{
	struct vgacon *vga = vc->priv;

	(void)cursor;			/* the hardware draws it */
	vga->mem[y * (vga->pitch / 2) + x] = cell;
}

static void crtc_write(u8 index, u8 val)
{
	outb(index, CRTC_INDEX);
	outb(val, CRTC_DATA);
}

static u8 crtc_read(u8 index)
{
	outb(index, CRTC_INDEX);
	return inb(CRTC_DATA);
}

static void vga_set_cursor(struct vc *vc, unsigned int x, unsigned int y)
{
	struct vgacon *vga = vc->priv;
	unsigned int pos = y * (vga->pitch / 2) + x;

	if (!vga->hw_cursor)
		return;
	crtc_write(CRTC_CURSOR_HI, pos >> 8);
	crtc_write(CRTC_CURSOR_LO, pos & 0xff);
}

static const struct vc_ops vga_ops = {
	.draw = vga_draw,
	.set_cursor = vga_set_cursor,
};

int vgacon_setup(struct vgacon *vga, volatile u16 *mem, unsigned int cols,
		 unsigned int rows, unsigned int pitch, u16 *text, u16 *shown)
{
	if (!cols || !rows || pitch < cols * 2)
		return -EINVAL;
	vga->mem = mem;
	vga->pitch = pitch;
	vga->hw_cursor = false;
	vc_init(&vga->vc, cols, rows, text, shown, &vga_ops, vga);
	return 0;
}

/* Up to 132 x 60, the largest VGA/VESA text modes. */
#define VGACON_MAX_COLS		132
#define VGACON_MAX_ROWS		60

static struct vgacon vgacon;
static u16 vga_text[VGACON_MAX_COLS * VGACON_MAX_ROWS];
static u16 vga_shown[VGACON_MAX_COLS * VGACON_MAX_ROWS];

static void vgacon_console_write(const char *s, size_t len, int level)
{
	vc_write(&vgacon.vc, s, len, level);
}

static struct console vgacon_console = {
	.name = "vga0",
	.write = vgacon_console_write,
};

void vgacon_init(phys_addr_t phys, unsigned int cols, unsigned int rows,
		 unsigned int pitch)
{
	volatile u16 *mem;

	if (cols > VGACON_MAX_COLS || rows > VGACON_MAX_ROWS || pitch < cols * 2) {
		pr_warn("vgacon: unsupported %ux%u text mode, no screen console\n",
			cols, rows);
		return;
	}
	/* Uncached: text memory is device memory, and tiny. */
	mem = ioremap(phys, (size_t)pitch * rows, PAGE_KERNEL_NOCACHE);
	if (!mem) {
		pr_warn("vgacon: cannot map text memory at %#llx\n",
			(unsigned long long)phys);
		return;
	}
	vgacon_setup(&vgacon, mem, cols, rows, pitch, vga_text, vga_shown);
	vgacon.hw_cursor = true;
	/* Show the cursor as an underline (GRUB may have hidden it). */
	crtc_write(CRTC_CURSOR_START, (crtc_read(CRTC_CURSOR_START) & 0xc0) | 14);
	crtc_write(CRTC_CURSOR_END, (crtc_read(CRTC_CURSOR_END) & 0xe0) | 15);
	vc_replay_log(&vgacon.vc);
	register_console(&vgacon_console);
	pr_info("vgacon: %ux%u VGA text mode at %#llx\n", cols, rows,
		(unsigned long long)phys);
}
