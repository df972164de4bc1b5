/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot2 header GRUB looks for in the first 32 KiB of the image.
 * The kernel is a plain ELF64 loaded at its physical addresses, so no
 * address tag is needed.
 */
#include "boot/multiboot2.h"

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MULTIBOOT2_HEADER_MAGIC
	.long	MULTIBOOT_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MULTIBOOT2_HEADER_MAGIC + MULTIBOOT_ARCH_I386 + (mb2_header_end - mb2_header))

	/* End tag. */
	.balign 8
	.short	MULTIBOOT_HEADER_TAG_END
	.short	0
	.long	8
mb2_header_end:
