// SPDX-License-Identifier: MIT
/*
 * Scan code set 1 to characters, US layout: what a key sequence types,
 * fed one byte at a time as the i8042 delivers them.
 */
#include "tests/kernel/ktest.h"
#include "drivers/ps2kbd.h"
#include "libc/string.h"

#define BREAK(sc)	((sc) | 0x80)

/* Feed n scan codes, collect what they type (NUL-terminated). */
static const char *type(struct kbd_state *st, const u8 *sc, size_t n)
{
	static char out[64];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		char buf[KBD_MAX_SEQ];
		int k = kbd_translate(st, sc[i], buf);

		for (int j = 0; j < k && len < sizeof(out) - 1; j++)
			out[len++] = buf[j];
	}
	out[len] = '\0';
	return out;
}

#define TYPE(st, ...) ({						\
	static const u8 __sc[] = { __VA_ARGS__ };			\
	type(st, __sc, sizeof(__sc));					\
})

KTEST(kbd, letters_digits_punctuation)
{
	struct kbd_state st;

	kbd_state_init(&st);
	/* e c h o space 1 2 - = ; ' , . / Enter */
	EXPECT_STREQ(test, TYPE(&st, 0x12, 0x2e, 0x23, 0x18, 0x39, 0x02, 0x03, 0x0c, 0x0d,
				0x27, 0x28, 0x33, 0x34, 0x35, 0x1c),
		     "echo 12-=;',./\r");
	/* Releases type nothing. */
	EXPECT_STREQ(test, TYPE(&st, BREAK(0x12), BREAK(0x1c)), "");
	EXPECT_STREQ(test, TYPE(&st, 0x0e, 0x0f, 0x01), "\x7f\t\x1b");
}

KTEST(kbd, shift_both_sides)
{
	struct kbd_state st;

	kbd_state_init(&st);
	/* LShift down, a 1 /, LShift up, b, RShift down, 3 -, up, c */
	EXPECT_STREQ(test, TYPE(&st, 0x2a, 0x1e, 0x02, 0x35, BREAK(0x2a), 0x30,
				0x36, 0x04, 0x0c, BREAK(0x36), 0x2e),
		     "A!?b#_c");
}

KTEST(kbd, caps_lock_letters_only)
{
	struct kbd_state st;

	kbd_state_init(&st);
	/* Caps (down, up), q 1, Shift+q, Caps again, q */
	EXPECT_STREQ(test, TYPE(&st, 0x3a, BREAK(0x3a), 0x10, 0x02, 0x2a, 0x10,
				BREAK(0x2a), 0x3a, BREAK(0x3a), 0x10),
		     "Q1qq");
}

KTEST(kbd, ctrl_c_and_ctrl_u)
{
	struct kbd_state st;
	const char *s;

	kbd_state_init(&st);
	/* LCtrl+c, LCtrl+u, released, then u */
	s = TYPE(&st, 0x1d, 0x2e, 0x16, BREAK(0x1d), 0x16);
	EXPECT_EQ(test, s[0], 3);
	EXPECT_EQ(test, s[1], 21);
	EXPECT_EQ(test, s[2], 'u');
	/* Right Ctrl (e0 1d) with Caps Lock on: still 3. */
	s = TYPE(&st, 0x3a, BREAK(0x3a), 0xe0, 0x1d, 0x2e, 0xe0, BREAK(0x1d), 0x2e);
	EXPECT_EQ(test, s[0], 3);
	EXPECT_EQ(test, s[1], 'C');
}

KTEST(kbd, extended_keys)
{
	struct kbd_state st;

	kbd_state_init(&st);
	/* Arrows up/left, Delete, grey Enter, grey '/' */
	EXPECT_STREQ(test, TYPE(&st, 0xe0, 0x48, 0xe0, BREAK(0x48), 0xe0, 0x4b,
				0xe0, 0x53, 0xe0, 0x1c, 0xe0, 0x35),
		     "\x1b[A\x1b[D\x1b[3~\r/");
	/* Print Screen's fake shift does not shift. */
	EXPECT_STREQ(test, TYPE(&st, 0xe0, 0x2a, 0xe0, 0x37, 0x1e), "a");
	/* Pause (e1 1d 45 e1 9d c5) types nothing, and nothing after it is lost. */
	EXPECT_STREQ(test, TYPE(&st, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1f), "s");
}

KTEST(kbd, keypad_and_num_lock)
{
	struct kbd_state st;

	kbd_state_init(&st);
	/* Num Lock is on at boot: keypad 7 . + */
	EXPECT_STREQ(test, TYPE(&st, 0x47, 0x53, 0x4e), "7.+");
	/* Num Lock off: keypad 8 is Up. */
	EXPECT_STREQ(test, TYPE(&st, 0x45, BREAK(0x45), 0x48), "\x1b[A");
}

KTEST(kbd, controller_noise_is_harmless)
{
	struct kbd_state st;

	kbd_state_init(&st);
	/* ACK, resend, echo, overrun bytes between keys. */
	EXPECT_STREQ(test, TYPE(&st, 0xfa, 0x1e, 0xfe, 0xee, 0x00, 0xff, 0x30), "ab");
	EXPECT_FALSE(test, st.lshift || st.rshift || st.lctrl || st.rctrl);
}
