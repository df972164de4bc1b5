/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_FONT_H
#define DRIVERS_FONT_H

#include "kernel/types.h"

/*
 * A bitmap console font: 256 glyphs indexed by Latin-1 code point, each
 * `height` rows of `pitch` bytes, the leftmost pixel in the top bit.
 */
struct font_desc {
	const char *name;
	unsigned int width;		/* pixels, at most 16 */
	unsigned int height;
	unsigned int pitch;		/* bytes per glyph row */
	const u8 *data;
};

/*
 * The console font, converted at build time from a Debian PSF font by
 * scripts/mkfont.py (see the Makefile's FONT and the README).
 */
extern const struct font_desc console_font;

/* Row y of glyph c as a bit mask, bit (width - 1 - x) for column x. */
u32 font_glyph_row(const struct font_desc *font, u8 c, unsigned int y);

#endif
