/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_PS2KBD_H
#define DRIVERS_PS2KBD_H

#include "kernel/types.h"

/*
 * PS/2 keyboard on the i8042 controller, US layout. The controller
 * translates to scan code set 1, which is what kbd_translate() reads.
 */
struct kbd_state {
	bool lshift, rshift;
	bool lctrl, rctrl;
	bool alt;
	bool caps_lock;
	bool num_lock;
	bool e0;			/* the previous byte was the 0xe0 prefix */
	u8 skip;			/* bytes of a Pause sequence still to drop */
};

/* Longest output of one scan code: ESC [ 3 ~ (Delete). */
#define KBD_MAX_SEQ	4

void kbd_state_init(struct kbd_state *st);
/*
 * Feed one set-1 scan code byte; the characters it types (none for a
 * modifier or a release) go to out. Returns how many. Enter is '\r',
 * Backspace DEL (0x7f), Ctrl-letter 1..26, arrows ESC [ A..D.
 */
int kbd_translate(struct kbd_state *st, u8 sc, char *out);

/*
 * Find the i8042 without hanging (ACPI may say there is none; a missing
 * controller reads 0xff; every wait is bounded), enable the keyboard
 * port with translation and IRQ 1, and feed the console's input.
 */
void kbd_init(void);
bool kbd_present(void);

#endif
