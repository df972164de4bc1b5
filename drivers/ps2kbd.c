// SPDX-License-Identifier: MIT
/*
 * PS/2 keyboard: the i8042 controller and scan code set 1, US layout.
 *
 * The controller is programmed to translate (whatever set the keyboard
 * speaks, set 1 arrives), so one table serves every keyboard, and USB
 * keyboards behind the firmware's legacy emulation too. Key presses are
 * turned into characters in the interrupt handler and queued with
 * console_push_input(); the shell reads them like serial input.
 */
#include "drivers/ps2kbd.h"
#include "drivers/acpi.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "libc/string.h"

/* Scan codes (set 1) that are not plain characters. */
#define SC_ESC		0x01
#define SC_BACKSPACE	0x0e
#define SC_ENTER	0x1c
#define SC_LCTRL	0x1d
#define SC_LSHIFT	0x2a
#define SC_RSHIFT	0x36
#define SC_ALT		0x38
#define SC_CAPS		0x3a
#define SC_NUM		0x45
#define SC_KP_FIRST	0x47		/* keypad 7 */
#define SC_KP_LAST	0x53		/* keypad . */
#define SC_RELEASE	0x80
#define SC_E0		0xe0
#define SC_E1		0xe1

/* Set 1 make codes 0x00..0x39 to characters, unshifted and shifted. */
static const char keymap[0x3a] =
	"\0\x1b" "1234567890-=\x7f\t"
	"qwertyuiop[]\r\0"
	"asdfghjkl;'`\0\\"
	"zxcvbnm,./\0*\0 ";
static const char keymap_shift[0x3a] =
	"\0\x1b" "!@#$%^&*()_+\x7f\t"
	"QWERTYUIOP{}\r\0"
	"ASDFGHJKL:\"~\0|"
	"ZXCVBNM<>?\0*\0 ";

/* Keypad 0x47..0x53 with Num Lock on. */
static const char keypad[] = "789-456+1230.";
/* ... and off, or the grey keys (0xe0 prefix): the final of ESC [ x. */
static const char keypad_nav[] = "HA5\0DGC\0FB623";

void kbd_state_init(struct kbd_state *st)
{
	memset(st, 0, sizeof(*st));
	st->num_lock = true;	/* what PC firmware usually leaves on */
}

static bool is_modifier(struct kbd_state *st, u8 code, bool down)
{
	switch (code) {
	case SC_LSHIFT:
		/* e0 2a / e0 aa: the fake shift around Print Screen. */
		if (!st->e0)
			st->lshift = down;
		return true;
	case SC_RSHIFT:
		if (!st->e0)
			st->rshift = down;
		return true;
	case SC_LCTRL:
		if (st->e0)
			st->rctrl = down;
		else
			st->lctrl = down;
		return true;
	case SC_ALT:
		st->alt = down;
		return true;
	case SC_CAPS:
		if (down)
			st->caps_lock = !st->caps_lock;
		return true;
	case SC_NUM:
		if (down && !st->e0)
			st->num_lock = !st->num_lock;
		return true;
	}
	return false;
}

/* ESC [ final, or ESC [ digit ~ for Insert/Delete/Page keys. */
static int csi(char final, char *out)
{
	int n = 0;

	out[n++] = 0x1b;
	out[n++] = '[';
	if (final >= '0' && final <= '9') {
		out[n++] = final;
		out[n++] = '~';
	} else {
		out[n++] = final;
	}
	return n;
}

static int keypad_key(struct kbd_state *st, u8 code, char *out)
{
	unsigned int i = code - SC_KP_FIRST;

	if (!st->e0 && st->num_lock && keypad[i]) {
		out[0] = keypad[i];
		return 1;
	}
	if (keypad_nav[i])
		return csi(keypad_nav[i], out);
	if (keypad[i] == '-' || keypad[i] == '+') {
		out[0] = keypad[i];
		return 1;
	}
	return 0;
}

static char apply_modifiers(struct kbd_state *st, u8 code)
{
	bool shift = st->lshift || st->rshift;
	char c = shift ? keymap_shift[code] : keymap[code];

	/* Caps Lock shifts letters only, and Shift undoes it. */
	if (st->caps_lock && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c ^= 0x20;
	/* Ctrl-@ .. Ctrl-_ (letters in either case): 0..31. */
	if ((st->lctrl || st->rctrl) && c >= 0x40 && c < 0x7f)
		c &= 0x1f;
	return c;
}

static int make_code(struct kbd_state *st, u8 code, char *out)
{
	if (code >= SC_KP_FIRST && code <= SC_KP_LAST)
		return keypad_key(st, code, out);
	if (st->e0) {
		/* Grey Enter and '/' on the keypad; the rest are not text. */
		if (code == SC_ENTER || code == 0x35) {
			out[0] = code == SC_ENTER ? '\r' : '/';
			return 1;
		}
		return 0;
	}
	if (code >= ARRAY_SIZE(keymap) || !keymap[code])
		return 0;
	out[0] = apply_modifiers(st, code);
	return 1;
}

int kbd_translate(struct kbd_state *st, u8 sc, char *out)
{
	u8 code = sc & ~SC_RELEASE;
	bool down = !(sc & SC_RELEASE);
	int n = 0;

	if (st->skip) {
		st->skip--;
		return 0;
	}
	if (sc == SC_E0) {
		st->e0 = true;
		return 0;
	}
	if (sc == SC_E1) {
		st->skip = 2;		/* Pause: e1 1d 45, e1 9d c5 */
		return 0;
	}
	if (!is_modifier(st, code, down) && down)
		n = make_code(st, code, out);
	st->e0 = false;
	return n;
}

/* ------------------------------------------------------------------ */
/* The i8042 controller                                                */

#define I8042_DATA		0x60
#define I8042_STATUS		0x64
#define I8042_COMMAND		0x64

#define I8042_STR_OBF		0x01	/* output buffer full: data to read */
#define I8042_STR_IBF		0x02	/* input buffer full: wait to write */
#define I8042_STR_AUXDATA	0x20	/* the byte is from the mouse port */

#define I8042_CMD_READ_CTR	0x20
#define I8042_CMD_WRITE_CTR	0x60
#define I8042_CMD_AUX_DISABLE	0xa7
#define I8042_CMD_KBD_DISABLE	0xad
#define I8042_CMD_KBD_ENABLE	0xae

#define I8042_CTR_KBDINT	0x01
#define I8042_CTR_AUXINT	0x02
#define I8042_CTR_KBDDIS	0x10
#define I8042_CTR_XLATE		0x40

#define KBD_CMD_ENABLE		0xf4
#define KBD_REPLY_ACK		0xfa

/* Each wait: 10000 polls 1 us apart, ~10 ms; a controller is far faster. */
#define I8042_POLLS		10000
#define I8042_BUFFER_SIZE	16

static struct kbd_state kbd;
static bool present;

bool kbd_present(void)
{
	return present;
}

static bool wait_write(void)
{
	for (int i = 0; i < I8042_POLLS; i++) {
		if (!(inb(I8042_STATUS) & I8042_STR_IBF))
			return true;
		ndelay(1000);
	}
	return false;
}

static int read_data(void)
{
	for (int i = 0; i < I8042_POLLS; i++) {
		if (inb(I8042_STATUS) & I8042_STR_OBF)
			return inb(I8042_DATA);
		ndelay(1000);
	}
	return -1;
}

static bool command(u8 cmd)
{
	if (!wait_write())
		return false;
	outb(cmd, I8042_COMMAND);
	return true;
}

static bool write_data(u8 val)
{
	if (!wait_write())
		return false;
	outb(val, I8042_DATA);
	return true;
}

/* Drop what the firmware left in the output buffer, boundedly. */
static void flush(void)
{
	for (int i = 0; i < I8042_BUFFER_SIZE && (inb(I8042_STATUS) & I8042_STR_OBF); i++) {
		inb(I8042_DATA);
		ndelay(1000);
	}
}

static void kbd_interrupt(unsigned int irq)
{
	(void)irq;
	for (int i = 0; i < I8042_BUFFER_SIZE; i++) {
		u8 status = inb(I8042_STATUS);
		char out[KBD_MAX_SEQ];
		int n;
		u8 sc;

		if (!(status & I8042_STR_OBF))
			return;
		sc = inb(I8042_DATA);
		if (status & I8042_STR_AUXDATA)
			continue;
		n = kbd_translate(&kbd, sc, out);
		for (int j = 0; j < n; j++)
			console_push_input(out[j]);
	}
}

/* Program the controller: keyboard port on, translated, IRQ 1; mouse off. */
static bool i8042_setup(void)
{
	int ctr;

	if (!command(I8042_CMD_KBD_DISABLE) || !command(I8042_CMD_AUX_DISABLE))
		return false;
	flush();
	if (!command(I8042_CMD_READ_CTR))
		return false;
	ctr = read_data();
	if (ctr < 0)
		return false;
	ctr |= I8042_CTR_KBDINT | I8042_CTR_XLATE;
	ctr &= ~(I8042_CTR_KBDDIS | I8042_CTR_AUXINT);
	if (!command(I8042_CMD_WRITE_CTR) || !write_data(ctr))
		return false;
	return command(I8042_CMD_KBD_ENABLE);
}

void kbd_init(void)
{
	int reply;

	if (acpi_i8042_absent()) {
		pr_info("i8042: the ACPI FADT says there is no PS/2 controller\n");
		return;
	}
	/* Nothing decodes the port: the bus floats high. */
	if (inb(I8042_STATUS) == 0xff) {
		pr_info("i8042: no PS/2 controller\n");
		return;
	}
	kbd_state_init(&kbd);
	if (!i8042_setup()) {
		pr_warn("i8042: the controller does not answer, no keyboard\n");
		return;
	}
	/* Make sure the keyboard scans; no answer is no keyboard (yet). */
	reply = write_data(KBD_CMD_ENABLE) ? read_data() : -1;
	flush();
	present = true;
	request_irq(1, kbd_interrupt);
	local_irq_enable();
	pr_info("i8042: PS/2 keyboard on IRQ 1, US layout%s\n",
		reply == KBD_REPLY_ACK ? "" : " (the keyboard did not answer)");
}
