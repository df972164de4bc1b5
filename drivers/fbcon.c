// SPDX-License-Identifier: MIT
/*
 * The screen console: a text engine over an array of cells, and its
 * framebuffer back end.
 *
 * Scrolling moves the cell array (a few KiB of RAM), not pixels: reading
 * back from a write-combining framebuffer is uncached and slow on real
 * hardware. At the end of every write the cells that differ from what
 * the screen shows are drawn, so a scroll redraws the non-blank cells
 * once, however many lines it moved, and printing one character draws
 * one cell.
 */
#include "drivers/fbcon.h"
#include "drivers/vgacon.h"
#include "kernel/bootinfo.h"
#include "kernel/console.h"
#include "kernel/printk.h"
#include "libc/errno.h"
#include "libc/string.h"
#include "mm/ioremap.h"

#define TAB_WIDTH	8
#define CURSOR_LINES	2	/* the cursor: an underline this thick */

void vc_init(struct vc *vc, unsigned int cols, unsigned int rows, u16 *text,
	     u16 *shown, const struct vc_ops *ops, void *priv)
{
	memset(vc, 0, sizeof(*vc));
	vc->cols = cols;
	vc->rows = rows;
	vc->text = text;
	vc->shown = shown;
	vc->ops = ops;
	vc->priv = priv;
	vc->attr = VC_ATTR_DEFAULT;
	vc->cursor = ~0U;		/* nowhere yet: the first flush places it */
	for (unsigned int i = 0; i < cols * rows; i++) {
		text[i] = VC_BLANK;
		/* Differs from every cell: the first flush draws them all. */
		shown[i] = ~VC_BLANK;
	}
}

u8 vc_level_attr(int level)
{
	if (level <= LOGLEVEL_CRIT)
		return VC_RED << 4 | VC_WHITE;
	if (level == LOGLEVEL_ERR)
		return VC_BLACK << 4 | VC_LIGHTRED;
	if (level == LOGLEVEL_WARNING)
		return VC_BLACK << 4 | VC_YELLOW;
	if (level == LOGLEVEL_NOTICE)
		return VC_BLACK << 4 | VC_WHITE;
	if (level >= LOGLEVEL_DEBUG)
		return VC_BLACK << 4 | VC_DARKGREY;
	return VC_ATTR_DEFAULT;
}

static void vc_scroll(struct vc *vc)
{
	u16 *last = vc->text + (vc->rows - 1) * vc->cols;

	memmove(vc->text, vc->text + vc->cols,
		(vc->rows - 1) * vc->cols * sizeof(u16));
	for (unsigned int i = 0; i < vc->cols; i++)
		last[i] = VC_BLANK;
}

static void vc_newline(struct vc *vc)
{
	vc->x = 0;
	if (vc->y + 1 < vc->rows) {
		vc->y++;
		return;
	}
	vc_scroll(vc);
}

static void vc_put_glyph(struct vc *vc, u8 ch)
{
	if (vc->x >= vc->cols)
		vc_newline(vc);
	vc->text[vc->y * vc->cols + vc->x] = VC_CELL(ch, vc->attr);
	vc->x++;
}

static void vc_control(struct vc *vc, char c)
{
	switch (c) {
	case '\n':
		vc_newline(vc);
		break;
	case '\r':
		vc->x = 0;
		break;
	case '\b':
		if (vc->x)
			vc->x--;
		break;
	case '\t':
		vc->x = min(ALIGN(vc->x + 1, TAB_WIDTH), vc->cols);
		break;
	case 0x1b:
		vc->esc = 1;
		break;
	}
}

/* ESC [ params final, or ESC and one byte: dropped, like the shell does. */
static bool vc_escape(struct vc *vc, u8 c)
{
	if (!vc->esc)
		return false;
	if (vc->esc == 1 && c == '[')
		vc->esc = 2;
	else if (vc->esc == 1 || (c >= 0x40 && c <= 0x7e))
		vc->esc = 0;
	return true;
}

/*
 * UTF-8 to a Latin-1 glyph; what the font table cannot hold shows as
 * '?'. Returns true when c was consumed by a multi-byte sequence.
 */
static bool vc_utf8(struct vc *vc, u8 c)
{
	if (c < 0x80) {
		if (vc->utf8_left)
			vc_put_glyph(vc, '?');	/* truncated sequence */
		vc->utf8_left = 0;
		return false;
	}
	if ((c & 0xc0) == 0x80) {
		if (!vc->utf8_left)
			return true;		/* stray continuation */
		vc->utf8_cp = vc->utf8_cp << 6 | (c & 0x3f);
		if (--vc->utf8_left == 0)
			vc_put_glyph(vc, vc->utf8_cp < 0x100 ? vc->utf8_cp : '?');
		return true;
	}
	if (vc->utf8_left)
		vc_put_glyph(vc, '?');
	if ((c & 0xe0) == 0xc0) {
		vc->utf8_left = 1;
		vc->utf8_cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		vc->utf8_left = 2;
		vc->utf8_cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		vc->utf8_left = 3;
		vc->utf8_cp = c & 0x07;
	} else {
		vc->utf8_left = 0;
		vc_put_glyph(vc, '?');
	}
	return true;
}

void vc_puts(struct vc *vc, const char *s, size_t len, int level)
{
	vc->attr = vc_level_attr(level);
	for (size_t i = 0; i < len; i++) {
		u8 c = s[i];

		if (vc_escape(vc, c) || vc_utf8(vc, c))
			continue;
		if (c < 0x20 || c == 0x7f)
			vc_control(vc, c);
		else
			vc_put_glyph(vc, c);
	}
}

void vc_flush(struct vc *vc)
{
	unsigned int n = vc->cols * vc->rows;
	unsigned int old = vc->cursor;
	unsigned int cur = vc->y * vc->cols + min(vc->x, vc->cols - 1);

	for (unsigned int i = 0; i < n; i++) {
		bool at = i == cur;

		if (vc->text[i] == vc->shown[i] && at == (i == old))
			continue;
		vc->ops->draw(vc, i % vc->cols, i / vc->cols, vc->text[i], at);
		vc->shown[i] = vc->text[i];
	}
	vc->cursor = cur;
	if (vc->ops->set_cursor && cur != old)
		vc->ops->set_cursor(vc, cur % vc->cols, cur / vc->cols);
}

void vc_write(struct vc *vc, const char *s, size_t len, int level)
{
	vc_puts(vc, s, len, level);
	vc_flush(vc);
}

/* The 16 VGA text colours, as 0xRRGGBB. */
static const u32 vga_rgb[16] = {
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
	0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

static u32 scale(u32 v8, u8 pos, u8 size)
{
	return (v8 >> (8 - size)) << pos;
}

u32 fbcon_pixel(const struct fb_info *fb, unsigned int color)
{
	u32 rgb = vga_rgb[color & 15];

	return scale(rgb >> 16 & 0xff, fb->red_pos, fb->red_size) |
	       scale(rgb >> 8 & 0xff, fb->green_pos, fb->green_size) |
	       scale(rgb & 0xff, fb->blue_pos, fb->blue_size);
}

/* One glyph row: width pixels from bits (leftmost in the top bit). */
static void fb_put_row(u8 *dst, u8 bpp, u32 bits, unsigned int width, u32 fg, u32 bg)
{
	u32 mask = 1U << (width - 1);

	switch (bpp) {
	case 32:
		for (unsigned int i = 0; i < width; i++, mask >>= 1)
			((u32 *)dst)[i] = bits & mask ? fg : bg;
		break;
	case 24:
		for (unsigned int i = 0; i < width; i++, mask >>= 1, dst += 3) {
			u32 px = bits & mask ? fg : bg;

			dst[0] = px;
			dst[1] = px >> 8;
			dst[2] = px >> 16;
		}
		break;
	case 16:
		for (unsigned int i = 0; i < width; i++, mask >>= 1)
			((u16 *)dst)[i] = bits & mask ? fg : bg;
		break;
	}
}

/* Each of the width bits of a glyph row, scale times. */
static u32 widen(u32 bits, unsigned int width, unsigned int scale)
{
	u32 out = 0;

	for (int i = width - 1; i >= 0; i--)
		for (unsigned int s = 0; s < scale; s++)
			out = out << 1 | ((bits >> i) & 1);
	return out;
}

static void fb_draw(struct vc *vc, unsigned int x, unsigned int y, u16 cell, bool cursor)
{
	struct fbcon *fc = vc->priv;
	const struct font_desc *font = fc->font;
	const struct fb_info *fb = &fc->fb;
	unsigned int sc = fc->scale, w = font->width * sc;
	u8 *dst = fb->base + (size_t)y * font->height * sc * fb->pitch +
		  (size_t)x * w * (fb->bpp / 8);
	u8 attr = VC_ATTR(cell);
	u32 fg = fc->palette[VC_FG(attr)], bg = fc->palette[VC_BG(attr)];

	for (unsigned int row = 0; row < font->height; row++) {
		u32 bits = font_glyph_row(font, VC_CHAR(cell), row);

		if (cursor && row >= font->height - CURSOR_LINES)
			bits = ~0U;
		bits = sc == 1 ? bits : widen(bits, font->width, sc);
		for (unsigned int i = 0; i < sc; i++, dst += fb->pitch)
			fb_put_row(dst, fb->bpp, bits, w, fg, bg);
	}
}

static const struct vc_ops fb_ops = {
	.draw = fb_draw,
};

static bool fb_format_ok(const struct fb_info *fb)
{
	if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
		return false;
	if (!fb->base || !fb->width || !fb->height)
		return false;
	if (fb->pitch < fb->width * (fb->bpp / 8))
		return false;
	if (!fb->red_size || !fb->green_size || !fb->blue_size ||
	    fb->red_size > 8 || fb->green_size > 8 || fb->blue_size > 8)
		return false;
	return fb->red_pos + fb->red_size <= fb->bpp &&
	       fb->green_pos + fb->green_size <= fb->bpp &&
	       fb->blue_pos + fb->blue_size <= fb->bpp;
}

/*
 * Glyphs drawn at twice their size on very wide screens (2560 pixels and
 * up with an 8 pixel font), where 8x16 text is too small to read.
 */
#define FBCON_SCALE_COLS	300

int fbcon_setup(struct fbcon *fc, const struct fb_info *fb,
		const struct font_desc *font, u16 *text, u16 *shown,
		unsigned int max_cells, unsigned int scale)
{
	unsigned int cols, rows;

	if (!fb_format_ok(fb) || !font->width || font->width > 16 || scale > 2)
		return -EINVAL;
	if (!scale)
		scale = fb->width / font->width >= FBCON_SCALE_COLS ? 2 : 1;
	cols = fb->width / (font->width * scale);
	rows = fb->height / (font->height * scale);
	if (!cols || !rows)
		return -EINVAL;
	/* A huge screen: use its top-left part rather than fail. */
	while (cols * rows > max_cells && rows > 1)
		rows--;
	cols = min(cols, max_cells);
	fc->fb = *fb;
	fc->font = font;
	fc->scale = scale;
	for (unsigned int i = 0; i < 16; i++)
		fc->palette[i] = fbcon_pixel(fb, i);
	vc_init(&fc->vc, cols, rows, text, shown, &fb_ops, fc);
	return 0;
}

void fbcon_clear(struct fbcon *fc)
{
	const struct fb_info *fb = &fc->fb;
	u32 bg = fc->palette[VC_BLACK];

	for (u32 y = 0; y < fb->height; y++)
		for (u32 x = 0; x < fb->width; x += 16)
			fb_put_row(fb->base + (size_t)y * fb->pitch + (size_t)x * (fb->bpp / 8),
				   fb->bpp, 0, min(16U, fb->width - x), bg, bg);
}

/*
 * The console proper. Cell arrays for up to 256 x 128 cells (2048 x 2048
 * pixels with an 8x16 font, 4096 x 4096 doubled), static so that the
 * console needs no allocation and works however early it is set up.
 */
#define FBCON_MAX_CELLS		(256 * 128)

static struct fbcon fbcon;
static u16 fbcon_text[FBCON_MAX_CELLS], fbcon_shown[FBCON_MAX_CELLS];
static char replay_buf[16 * 1024];

static void fbcon_console_write(const char *s, size_t len, int level)
{
	vc_write(&fbcon.vc, s, len, level);
}

static struct console fbcon_console = {
	.name = "fb0",
	.write = fbcon_console_write,
};

/*
 * Show the end of the boot log so far: the console comes up only once
 * memory management can map the framebuffer, and the banner and early
 * messages must be on the screen too.
 */
void vc_replay_log(struct vc *vc)
{
	size_t n = printk_log_read(replay_buf, sizeof(replay_buf));
	const char *p = replay_buf;

	/* The buffer was too small for the log: skip the first, cut line. */
	if (n == sizeof(replay_buf)) {
		const char *nl = memchr(p, '\n', n);

		if (nl) {
			n -= nl + 1 - p;
			p = nl + 1;
		}
	}
	vc_write(vc, p, n, LOGLEVEL_INFO);
}

/* The colour fields follow the common part of an RGB framebuffer tag. */
struct mb2_fb_rgb {
	u8 red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

#define MB2_FB_TYPE_INDEXED	0
#define MB2_FB_TYPE_RGB		1
#define MB2_FB_TYPE_EGA_TEXT	2

static int fb_from_tag(const struct multiboot_tag_framebuffer_common *t,
		       struct fb_info *fb)
{
	const struct mb2_fb_rgb *rgb = (const void *)(t + 1);

	if (t->framebuffer_type != MB2_FB_TYPE_RGB) {
		pr_warn("fbcon: %s framebuffer not supported, no screen console\n",
			t->framebuffer_type == MB2_FB_TYPE_INDEXED ? "indexed-colour" : "unknown");
		return -EINVAL;
	}
	if (t->size < sizeof(*t) + sizeof(*rgb))
		return -EINVAL;
	memset(fb, 0, sizeof(*fb));
	fb->pitch = t->framebuffer_pitch;
	fb->width = t->framebuffer_width;
	fb->height = t->framebuffer_height;
	fb->bpp = t->framebuffer_bpp;
	fb->red_pos = rgb->red_pos;
	fb->red_size = rgb->red_size;
	fb->green_pos = rgb->green_pos;
	fb->green_size = rgb->green_size;
	fb->blue_pos = rgb->blue_pos;
	fb->blue_size = rgb->blue_size;
	return 0;
}

static void fbcon_init_rgb(const struct multiboot_tag_framebuffer_common *t)
{
	size_t size = (size_t)t->framebuffer_pitch * t->framebuffer_height;
	struct fb_info fb;

	if (fb_from_tag(t, &fb))
		return;
	/* Check the format before mapping: base is only a placeholder. */
	fb.base = (u8 *)1;
	if (!fb_format_ok(&fb)) {
		pr_warn("fbcon: unsupported %ux%u %u bpp framebuffer (pitch %u), no screen console\n",
			fb.width, fb.height, fb.bpp, fb.pitch);
		return;
	}
	fb.base = ioremap(t->framebuffer_addr, size, PAGE_KERNEL_WC);
	if (!fb.base) {
		pr_warn("fbcon: cannot map the framebuffer at %#llx\n",
			(unsigned long long)t->framebuffer_addr);
		return;
	}
	if (fbcon_setup(&fbcon, &fb, &console_font, fbcon_text, fbcon_shown,
			FBCON_MAX_CELLS, 0)) {
		iounmap(fb.base);
		return;
	}
	fbcon_clear(&fbcon);
	vc_replay_log(&fbcon.vc);
	register_console(&fbcon_console);
	pr_info("fbcon: %ux%u %u bpp framebuffer at %#llx, write-combining; %ux%u text, font %s %ux%u%s\n",
		fb.width, fb.height, fb.bpp, (unsigned long long)t->framebuffer_addr,
		fbcon.vc.cols, fbcon.vc.rows, console_font.name,
		console_font.width, console_font.height, fbcon.scale == 2 ? " doubled" : "");
}

void fbcon_init(void)
{
	const struct multiboot_tag_framebuffer_common *t = boot_params.framebuffer;

	if (!t) {
		/*
		 * No tag: a BIOS machine is in text mode unless told
		 * otherwise; UEFI has no text mode to fall back to.
		 */
		if (boot_params.efi)
			pr_info("fbcon: no framebuffer from the boot loader, no screen console\n");
		else
			vgacon_init(VGA_TEXT_PHYS, 80, 25, 160);
		return;
	}
	if (t->framebuffer_type == MB2_FB_TYPE_EGA_TEXT) {
		vgacon_init(t->framebuffer_addr, t->framebuffer_width,
			    t->framebuffer_height, t->framebuffer_pitch);
		return;
	}
	fbcon_init_rgb(t);
}
