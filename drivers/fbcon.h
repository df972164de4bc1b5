/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

/*
 * The screen console. A text engine (struct vc: cursor, wrap, scroll,
 * colours by log level) keeps the wanted screen as an array of cells and
 * a copy of what the hardware shows, and redraws only the cells that
 * differ at the end of each write. Two back ends draw cells: a linear
 * framebuffer (pixels, with the console font) and VGA text memory
 * (drivers/vgacon.c). The back ends never read the hardware back.
 */
#include "kernel/types.h"
#include "drivers/font.h"

/*
 * A cell is a VGA text cell: the glyph (a Latin-1 code point) in the low
 * byte, the colour attribute (background << 4 | foreground, the 16 VGA
 * colours) in the high byte.
 */
#define VC_CELL(ch, attr)	((u16)((u8)(ch) | (u16)(attr) << 8))
#define VC_CHAR(cell)		((u8)(cell))
#define VC_ATTR(cell)		((u8)((cell) >> 8))
#define VC_FG(attr)		((attr) & 0x0f)
#define VC_BG(attr)		((attr) >> 4)

enum vc_color {
	VC_BLACK, VC_BLUE, VC_GREEN, VC_CYAN, VC_RED, VC_MAGENTA, VC_BROWN,
	VC_LIGHTGREY, VC_DARKGREY, VC_LIGHTBLUE, VC_LIGHTGREEN, VC_LIGHTCYAN,
	VC_LIGHTRED, VC_LIGHTMAGENTA, VC_YELLOW, VC_WHITE,
};

#define VC_ATTR_DEFAULT		(VC_BLACK << 4 | VC_LIGHTGREY)
#define VC_BLANK		VC_CELL(' ', VC_ATTR_DEFAULT)

struct vc;

struct vc_ops {
	/* Draw one cell; cursor: draw the cursor on it too. */
	void (*draw)(struct vc *vc, unsigned int x, unsigned int y, u16 cell,
		     bool cursor);
	/* Optional: the cursor moved (hardware cursor). */
	void (*set_cursor)(struct vc *vc, unsigned int x, unsigned int y);
};

struct vc {
	unsigned int cols, rows;
	unsigned int x, y;		/* x == cols: a wrap is pending */
	u8 attr;			/* of the text being written */
	u16 *text;			/* cols * rows: what should be shown */
	u16 *shown;			/* cols * rows: what the hardware shows */
	unsigned int cursor;		/* cell index the cursor is drawn at */
	u8 esc;				/* inside an escape sequence */
	u8 utf8_left;			/* continuation bytes still expected */
	u32 utf8_cp;
	const struct vc_ops *ops;
	void *priv;
};

/*
 * Set up a text engine over two caller-provided arrays of cols * rows
 * cells. The screen is considered unknown: the first flush draws every
 * cell.
 */
void vc_init(struct vc *vc, unsigned int cols, unsigned int rows, u16 *text,
	     u16 *shown, const struct vc_ops *ops, void *priv);
/* Colour attribute for a printk log level (LOGLEVEL_*). */
u8 vc_level_attr(int level);
/*
 * vc_puts() updates the cells from s (text, \n \r \b \t, UTF-8; escape
 * sequences are dropped), vc_flush() draws what changed, vc_write() does
 * both: a console's write().
 */
void vc_puts(struct vc *vc, const char *s, size_t len, int level);
void vc_flush(struct vc *vc);
void vc_write(struct vc *vc, const char *s, size_t len, int level);
/* Write the end of the boot log so far (a console that comes up late). */
void vc_replay_log(struct vc *vc);

/* A linear RGB framebuffer, already mapped. */
struct fb_info {
	u8 *base;
	u32 pitch;			/* bytes per scan line */
	u32 width, height;		/* pixels */
	u8 bpp;				/* 16, 24 or 32 */
	u8 red_pos, red_size;
	u8 green_pos, green_size;
	u8 blue_pos, blue_size;
};

struct fbcon {
	struct vc vc;
	struct fb_info fb;
	const struct font_desc *font;
	unsigned int scale;		/* 1, or 2: each glyph pixel drawn 2x2 */
	u32 palette[16];		/* the VGA colours as pixel values */
};

/*
 * Check the framebuffer's format (RGB, 16/24/32 bpp, sane pitch) and set
 * up a text console over it with cells arrays of at most max_cells
 * (larger screens use their top-left part). scale 1 or 2 draws glyphs at
 * that size; 0 picks 2 for very wide screens. Returns 0 or -EINVAL.
 */
int fbcon_setup(struct fbcon *fc, const struct fb_info *fb,
		const struct font_desc *font, u16 *text, u16 *shown,
		unsigned int max_cells, unsigned int scale);
/* The pixel value of colour (0..15) in this framebuffer's format. */
u32 fbcon_pixel(const struct fb_info *fb, unsigned int color);
/* Fill the whole framebuffer with the background colour. */
void fbcon_clear(struct fbcon *fc);

/*
 * From the multiboot2 framebuffer tag: a framebuffer console (mapped
 * write-combining), or VGA text when GRUB left text mode, registered as
 * a console after the boot log so far has been replayed on it.
 */
void fbcon_init(void);

#endif
