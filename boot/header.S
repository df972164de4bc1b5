/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot2 header GRUB looks for in the first 32 KiB of the image.
 * The kernel is a plain ELF64 loaded at its physical addresses, so no
 * address tag is needed. The screen: a framebuffer if GRUB can set one,
 * else EGA text (drivers/fbcon.c handles both).
 */
#include "boot/multiboot2.h"

#define MB2_HEADER_TAG_CONSOLE_FLAGS		4
#define MB2_CONSOLE_FLAGS_EGA_TEXT_SUPPORTED	2

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MULTIBOOT2_HEADER_MAGIC
	.long	MULTIBOOT_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MULTIBOOT2_HEADER_MAGIC + MULTIBOOT_ARCH_I386 + (mb2_header_end - mb2_header))

	/*
	 * Console flags: the kernel drives EGA text mode (bit 1), and no
	 * console is required (bit 0 clear: a headless machine boots).
	 * GRUB assumes EGA text support when this tag is absent, but a
	 * console tag without bit 1 would make it refuse text mode: say
	 * so explicitly, so that a BIOS machine without a usable VBE mode
	 * falls back to text mode (GRUB then passes an EGA text tag).
	 */
	.balign 8
	.short	MB2_HEADER_TAG_CONSOLE_FLAGS
	.short	MULTIBOOT_HEADER_TAG_OPTIONAL
	.long	12
	.long	MB2_CONSOLE_FLAGS_EGA_TEXT_SUPPORTED

	/*
	 * A linear framebuffer, preferably 1024x768x32, optional: where
	 * GRUB cannot set one (BIOS without VBE) it boots us in text mode,
	 * and drivers/vgacon.c takes that.
	 */
	.balign 8
	.short	MULTIBOOT_HEADER_TAG_FRAMEBUFFER
	.short	MULTIBOOT_HEADER_TAG_OPTIONAL
	.long	20
	.long	1024
	.long	768
	.long	32

	/* End tag. */
	.balign 8
	.short	MULTIBOOT_HEADER_TAG_END
	.short	0
	.long	8
mb2_header_end:
