// SPDX-License-Identifier: MIT
/*
 * The screen console on in-memory framebuffers: text layout, wrap,
 * scroll, colours by log level, pixel formats, the redraw-only-what-
 * changed rule, VGA text cells; and ioremap, which maps the real one.
 */
#include "tests/kernel/ktest.h"
#include "drivers/fbcon.h"
#include "drivers/vgacon.h"
#include "kernel/printk.h"
#include "libc/errno.h"
#include "libc/string.h"
#include "mm/ioremap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"

/* 10 x 3 cells of 8x16 in 80 x 48 pixels, with padding at the right. */
#define T_COLS		10
#define T_ROWS		3
#define T_WIDTH		(T_COLS * 8)
#define T_HEIGHT	(T_ROWS * 16)
#define T_PITCH		((T_WIDTH + 8) * 4)
#define T_PAD		0xdeadbeef

static u32 fb_mem[T_HEIGHT * T_PITCH / 4];
static u16 t_text[T_COLS * T_ROWS], t_shown[T_COLS * T_ROWS];
static struct fbcon t_fc;

static const struct fb_info rgb32 = {
	.pitch = T_PITCH, .width = T_WIDTH, .height = T_HEIGHT, .bpp = 32,
	.red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8,
	.blue_pos = 0, .blue_size = 8,
};

static int setup(const struct fb_info *tmpl, void *mem)
{
	struct fb_info fb = *tmpl;

	fb.base = mem;
	return fbcon_setup(&t_fc, &fb, &console_font, t_text, t_shown,
			   T_COLS * T_ROWS, 1);
}

static void setup32(struct kunit *test)
{
	for (size_t i = 0; i < ARRAY_SIZE(fb_mem); i++)
		fb_mem[i] = T_PAD;
	ASSERT_EQ(test, setup(&rgb32, fb_mem), 0);
	/* A fresh console's first write draws every cell. */
	vc_flush(&t_fc.vc);
}

static u32 px32(unsigned int x, unsigned int y)
{
	return fb_mem[y * (T_PITCH / 4) + x];
}

/*
 * Does cell (cx, cy) show ch in colour fg on black? Checked pixel by
 * pixel against the font; the cursor row is skipped when asked.
 */
static bool cell_is(unsigned int cx, unsigned int cy, u8 ch, unsigned int fg,
		    bool skip_cursor)
{
	u32 fgpx = fbcon_pixel(&t_fc.fb, fg), bgpx = fbcon_pixel(&t_fc.fb, VC_BLACK);
	unsigned int rows = skip_cursor ? 14 : 16;

	for (unsigned int y = 0; y < rows; y++) {
		u32 bits = font_glyph_row(&console_font, ch, y);

		for (unsigned int x = 0; x < 8; x++) {
			u32 want = bits & (0x80 >> x) ? fgpx : bgpx;

			if (px32(cx * 8 + x, cy * 16 + y) != want)
				return false;
		}
	}
	return true;
}

static bool row_is(unsigned int cy, const char *s)
{
	for (unsigned int x = 0; x < T_COLS; x++) {
		u8 ch = *s ? *s++ : ' ';

		if (!cell_is(x, cy, ch, VC_LIGHTGREY, true))
			return false;
	}
	return true;
}

static void put(const char *s)
{
	vc_write(&t_fc.vc, s, strlen(s), LOGLEVEL_INFO);
}

KTEST(fbcon, font_is_a_real_font)
{
	bool a_lit = false;

	EXPECT_EQ(test, console_font.width, 8);
	EXPECT_EQ(test, console_font.height, 16);
	for (unsigned int y = 0; y < 16; y++) {
		EXPECT_EQ(test, font_glyph_row(&console_font, ' ', y), 0);
		a_lit |= font_glyph_row(&console_font, 'A', y) != 0;
	}
	EXPECT_TRUE(test, a_lit);
	/* Distinct characters, distinct glyphs. */
	EXPECT_NE(test, memcmp(console_font.data + 'A' * 16, console_font.data + 'B' * 16, 16), 0);
	EXPECT_NE(test, memcmp(console_font.data + 'l' * 16, console_font.data + '1' * 16, 16), 0);
}

KTEST(fbcon, setup_geometry_and_refusals)
{
	struct fb_info bad = rgb32;

	ASSERT_EQ(test, setup(&rgb32, fb_mem), 0);
	EXPECT_EQ(test, t_fc.vc.cols, T_COLS);
	EXPECT_EQ(test, t_fc.vc.rows, T_ROWS);
	bad.bpp = 8;
	EXPECT_EQ(test, setup(&bad, fb_mem), -EINVAL);
	bad = rgb32;
	bad.pitch = T_WIDTH * 4 - 4;
	EXPECT_EQ(test, setup(&bad, fb_mem), -EINVAL);
	bad = rgb32;
	bad.height = 15;		/* not one text row */
	EXPECT_EQ(test, setup(&bad, fb_mem), -EINVAL);
	bad = rgb32;
	bad.red_size = 0;
	EXPECT_EQ(test, setup(&bad, fb_mem), -EINVAL);
	EXPECT_EQ(test, setup(&rgb32, NULL), -EINVAL);
}

KTEST(fbcon, text_layout_and_padding)
{
	setup32(test);
	put("Hi");
	EXPECT_TRUE(test, cell_is(0, 0, 'H', VC_LIGHTGREY, false));
	EXPECT_TRUE(test, cell_is(1, 0, 'i', VC_LIGHTGREY, false));
	EXPECT_TRUE(test, row_is(1, ""));
	/* The padding right of the text area is never written. */
	for (unsigned int y = 0; y < T_HEIGHT; y++)
		EXPECT_UEQ(test, px32(T_WIDTH + 3, y), T_PAD);
}

KTEST(fbcon, newline_and_scroll)
{
	setup32(test);
	put("a\nb\nc");
	EXPECT_TRUE(test, row_is(0, "a"));
	EXPECT_TRUE(test, row_is(2, "c"));
	put("\nd\ne");
	EXPECT_TRUE(test, row_is(0, "c"));
	EXPECT_TRUE(test, row_is(1, "d"));
	EXPECT_TRUE(test, row_is(2, "e"));
	EXPECT_EQ(test, t_fc.vc.y, 2);
}

KTEST(fbcon, wrap_is_deferred)
{
	setup32(test);
	put("0123456789\nx");
	/* A full line then a newline: no empty line in between. */
	EXPECT_TRUE(test, row_is(0, "0123456789"));
	EXPECT_TRUE(test, row_is(1, "x"));
	put("\nabcdefghijKL");
	EXPECT_TRUE(test, row_is(1, "abcdefghij"));
	EXPECT_TRUE(test, row_is(2, "KL"));
}

KTEST(fbcon, backspace_cr_tab)
{
	setup32(test);
	put("abc\b\bX\nabc\rZ\na\tb");
	EXPECT_TRUE(test, row_is(0, "aXc"));
	EXPECT_TRUE(test, row_is(1, "Zbc"));
	EXPECT_TRUE(test, row_is(2, "a       b"));
	/* The shell's erase at the last column: "\b \b". */
	put("\n0123456789\b \b");
	EXPECT_TRUE(test, row_is(2, "012345678"));
	EXPECT_EQ(test, t_fc.vc.x, 9);
}

KTEST(fbcon, escapes_dropped_utf8_mapped)
{
	setup32(test);
	put("\x1b[1;31mR\x1b" "7S");
	EXPECT_TRUE(test, row_is(0, "RS"));
	put("\n\xc3\xa9\xe2\x82\xac!");		/* e-acute, euro sign (not Latin-1) */
	EXPECT_TRUE(test, cell_is(0, 1, 0xe9, VC_LIGHTGREY, false));
	EXPECT_TRUE(test, cell_is(1, 1, '?', VC_LIGHTGREY, false));
	EXPECT_TRUE(test, cell_is(2, 1, '!', VC_LIGHTGREY, true));
}

KTEST(fbcon, colours_by_level)
{
	setup32(test);
	vc_write(&t_fc.vc, "E", 1, LOGLEVEL_ERR);
	vc_write(&t_fc.vc, "W", 1, LOGLEVEL_WARNING);
	vc_write(&t_fc.vc, "I", 1, LOGLEVEL_INFO);
	EXPECT_TRUE(test, cell_is(0, 0, 'E', VC_LIGHTRED, false));
	EXPECT_TRUE(test, cell_is(1, 0, 'W', VC_YELLOW, false));
	EXPECT_TRUE(test, cell_is(2, 0, 'I', VC_LIGHTGREY, false));
	EXPECT_UEQ(test, fbcon_pixel(&t_fc.fb, VC_LIGHTRED), 0xff5555);
	EXPECT_UEQ(test, fbcon_pixel(&t_fc.fb, VC_YELLOW), 0xffff55);
	EXPECT_EQ(test, vc_level_attr(LOGLEVEL_EMERG) >> 4, VC_RED);
}

KTEST(fbcon, cursor_is_an_underline)
{
	u32 fg = fbcon_pixel(&t_fc.fb, VC_LIGHTGREY);

	setup32(test);
	put("ab");
	/* The cursor sits after "ab": its cell's bottom rows are lit. */
	for (unsigned int x = 0; x < 8; x++) {
		EXPECT_UEQ(test, px32(2 * 8 + x, 15), fg);
		EXPECT_UEQ(test, px32(1 * 8 + x, 15), fbcon_pixel(&t_fc.fb, VC_BLACK));
	}
	put("c");
	EXPECT_TRUE(test, cell_is(2, 0, 'c', VC_LIGHTGREY, false));
}

static unsigned int draws;

static void count_draw(struct vc *vc, unsigned int x, unsigned int y, u16 cell, bool cursor)
{
	(void)vc, (void)x, (void)y, (void)cell, (void)cursor;
	draws++;
}

static const struct vc_ops count_ops = { .draw = count_draw };

KTEST(fbcon, redraws_only_what_changed)
{
	struct vc vc;

	vc_init(&vc, T_COLS, T_ROWS, t_text, t_shown, &count_ops, NULL);
	draws = 0;
	vc_flush(&vc);
	EXPECT_EQ(test, draws, T_COLS * T_ROWS);	/* the first flush: all */
	draws = 0;
	vc_write(&vc, "x", 1, LOGLEVEL_INFO);
	EXPECT_EQ(test, draws, 2);			/* 'x', and the cursor's new cell */
	draws = 0;
	vc_write(&vc, "", 0, LOGLEVEL_INFO);
	EXPECT_EQ(test, draws, 0);
	/* A scroll of a screen with two lines of text: those cells only. */
	vc_write(&vc, "\nyy\n", 4, LOGLEVEL_INFO);
	draws = 0;
	vc_write(&vc, "\n", 1, LOGLEVEL_INFO);
	EXPECT_LE(test, draws, 6);
}

KTEST(fbcon, pixel_formats_24_and_16)
{
	static u8 mem[T_HEIGHT * T_WIDTH * 3];
	struct fb_info fb = rgb32;
	unsigned int x;
	u32 bits;

	fb.bpp = 24;
	fb.pitch = T_WIDTH * 3;
	ASSERT_EQ(test, setup(&fb, mem), 0);
	vc_write(&t_fc.vc, "M", 1, LOGLEVEL_ERR);	/* light red ff5555 */
	bits = font_glyph_row(&console_font, 'M', 5);
	for (x = 0; x < 8 && !(bits & (0x80 >> x)); x++)
		;
	ASSERT_LT(test, x, 8);
	EXPECT_EQ(test, mem[5 * fb.pitch + x * 3 + 0], 0x55);	/* blue */
	EXPECT_EQ(test, mem[5 * fb.pitch + x * 3 + 2], 0xff);	/* red */

	/* RGB565: light red is 11111 010101 01010. */
	fb = rgb32;
	fb.bpp = 16;
	fb.pitch = T_WIDTH * 2;
	fb.red_pos = 11, fb.red_size = 5;
	fb.green_pos = 5, fb.green_size = 6;
	fb.blue_pos = 0, fb.blue_size = 5;
	ASSERT_EQ(test, setup(&fb, mem), 0);
	EXPECT_UEQ(test, fbcon_pixel(&t_fc.fb, VC_LIGHTRED), 0xfaaa);
	vc_write(&t_fc.vc, "M", 1, LOGLEVEL_ERR);
	for (unsigned int i = 0; i < 8; i++)
		EXPECT_UEQ(test, ((u16 *)mem)[5 * T_WIDTH + i],
			   bits & (0x80 >> i) ? 0xfaaa : 0);
}

KTEST(fbcon, doubled_glyphs)
{
	static u16 text[5 * 1], shown[5 * 1];
	struct fb_info fb = rgb32;
	u32 fg = fbcon_pixel(&rgb32, VC_LIGHTGREY);

	/* 80 x 48 pixels at scale 2: 5 x 1 cells of 16 x 32. */
	fb.base = (u8 *)fb_mem;
	ASSERT_EQ(test, fbcon_setup(&t_fc, &fb, &console_font, text, shown, 5, 2), 0);
	EXPECT_EQ(test, t_fc.vc.cols, 5);
	EXPECT_EQ(test, t_fc.vc.rows, 1);
	vc_write(&t_fc.vc, "W", 1, LOGLEVEL_INFO);
	for (unsigned int y = 0; y < 32; y++) {
		u32 bits = font_glyph_row(&console_font, 'W', y / 2);

		for (unsigned int x = 0; x < 16; x++)
			EXPECT_UEQ(test, px32(x, y), bits & (0x80 >> (x / 2)) ? fg : 0);
	}
	/* Auto: doubled from 300 columns of 8 pixels up. */
	fb.width = 2400;
	fb.pitch = 2400 * 4;
	fb.height = 64;
	ASSERT_EQ(test, fbcon_setup(&t_fc, &fb, &console_font, text, shown, 5, 0), 0);
	EXPECT_EQ(test, t_fc.scale, 2);
	fb.width = 2392;
	ASSERT_EQ(test, fbcon_setup(&t_fc, &fb, &console_font, text, shown, 5, 0), 0);
	EXPECT_EQ(test, t_fc.scale, 1);
}

KTEST(fbcon, vga_text_cells)
{
	static u16 vmem[T_ROWS * 12];
	static struct vgacon vga;

	memset(vmem, 0, sizeof(vmem));
	/* 10 columns in rows of 12 cells: the pitch is honoured. */
	ASSERT_EQ(test, vgacon_setup(&vga, vmem, T_COLS, T_ROWS, 24, t_text, t_shown), 0);
	vc_write(&vga.vc, "ok", 2, LOGLEVEL_ERR);
	EXPECT_UEQ(test, vmem[0], VC_CELL('o', VC_LIGHTRED));
	EXPECT_UEQ(test, vmem[1], VC_CELL('k', VC_LIGHTRED));
	EXPECT_UEQ(test, vmem[2], VC_BLANK);
	EXPECT_UEQ(test, vmem[10], 0);			/* beyond the columns */
	vc_write(&vga.vc, "\n\n\nz", 4, LOGLEVEL_INFO);
	EXPECT_UEQ(test, vmem[0], VC_BLANK);		/* scrolled away */
	EXPECT_UEQ(test, vmem[2 * 12], VC_CELL('z', VC_ATTR_DEFAULT));
	EXPECT_EQ(test, vgacon_setup(&vga, vmem, 13, T_ROWS, 24, t_text, t_shown), -EINVAL);
}

KTEST(ioremap, maps_ram_and_frees_tables)
{
	unsigned long tables = nr_kernel_pgtable_pages();
	unsigned int areas = ioremap_nr_areas();
	unsigned long page = get_free_page(GFP_KERNEL);
	phys_addr_t pa;
	u32 *p;

	ASSERT_NE(test, page, 0);
	pa = __pa((void *)page);
	*(u32 *)(page + 0x10) = 0x12345678;
	p = ioremap(pa + 0x10, 4, PAGE_KERNEL);
	ASSERT_NOT_NULL(test, p);
	EXPECT_UEQ(test, (unsigned long)p & (PAGE_SIZE - 1), 0x10);
	EXPECT_TRUE(test, (unsigned long)p >= IOREMAP_START && (unsigned long)p < IOREMAP_END);
	EXPECT_UEQ(test, *p, 0x12345678);
	*p = 0xcafe;
	EXPECT_UEQ(test, *(u32 *)(page + 0x10), 0xcafe);
	EXPECT_TRUE(test, is_ioremap_addr(p));
	EXPECT_EQ(test, ioremap_nr_areas(), areas + 1);
	iounmap(p);
	EXPECT_FALSE(test, is_ioremap_addr(p));
	EXPECT_EQ(test, ioremap_nr_areas(), areas);
	EXPECT_UEQ(test, kernel_virt_to_phys((unsigned long)p), ~0ULL);
	/* The tables the mapping needed are gone again. */
	EXPECT_EQ(test, nr_kernel_pgtable_pages(), tables);
	free_page(page);
}

KTEST(ioremap, above_4g_large_and_guarded)
{
	phys_addr_t high = 0x10000000000ULL + 0x200000;	/* 1 TiB + 2 MiB */
	unsigned int areas = ioremap_nr_areas();
	enum pg_level level;
	u8 *a, *b;

	/* A framebuffer far above RAM: mapped, never touched here. */
	a = ioremap(high + 0x1000, 4 << 20, PAGE_KERNEL_WC);
	ASSERT_NOT_NULL(test, a);
	EXPECT_UEQ(test, kernel_virt_to_phys((unsigned long)a), high + 0x1000);
	EXPECT_UEQ(test, kernel_virt_to_phys((unsigned long)a + (3 << 20)),
		   high + 0x1000 + (3 << 20));
	/* The middle is covered by a 2 MiB leaf, write-combining (PWT). */
	ASSERT_NOT_NULL(test, kernel_lookup((unsigned long)a + (2 << 20), &level));
	EXPECT_EQ(test, level, PG_LEVEL_2M);
	EXPECT_TRUE(test, *kernel_lookup((unsigned long)a + (2 << 20), &level) & _PAGE_PWT);
	b = ioremap(high, PAGE_SIZE, PAGE_KERNEL_NOCACHE);
	ASSERT_NOT_NULL(test, b);
	/* A guard page between any two mappings. */
	EXPECT_TRUE(test, b >= a + (4 << 20) + PAGE_SIZE || b + 2 * PAGE_SIZE <= a);
	iounmap(a);
	iounmap(b);
	EXPECT_EQ(test, ioremap_nr_areas(), areas);
	EXPECT_NULL(test, ioremap(0x1000, 0, PAGE_KERNEL));
	EXPECT_NULL(test, ioremap(PHYS_ADDR_MAX, 2, PAGE_KERNEL));
	iounmap(NULL);			/* ignored */
}
