// SPDX-License-Identifier: MIT
/*
 * Glyph access for the screen console. The glyph bitmaps themselves are
 * generated at build time ($(BUILD)/drivers/font_data.c, from the PSF
 * font named by the Makefile's FONT).
 */
#include "drivers/font.h"

u32 font_glyph_row(const struct font_desc *font, u8 c, unsigned int y)
{
	const u8 *row = font->data + ((size_t)c * font->height + y) * font->pitch;
	u32 bits = 0;

	for (unsigned int i = 0; i < font->pitch; i++)
		bits = bits << 8 | row[i];
	/* Rows are padded to whole bytes on the right: drop the padding. */
	return bits >> (font->pitch * 8 - font->width);
}
