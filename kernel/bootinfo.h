/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "kernel/types.h"
#include "boot/multiboot2.h"

/*
 * What the boot loader told us, read once from the Multiboot2 information
 * (which lives in memory the kernel will reuse: everything needed later
 * is copied or its range reserved in memblock).
 */
struct boot_params {
	phys_addr_t info_phys;
	size_t info_size;
	const char *cmdline;
	const char *loader_name;
	const struct multiboot_tag_mmap *mmap;
	const struct multiboot_tag_efi_mmap *efi_mmap;
	const struct multiboot_tag_framebuffer_common *framebuffer;
	const void *rsdp;		/* ACPI RSDP copy, v1 or v2 */
	size_t rsdp_len;
	bool efi;			/* booted through UEFI */
	unsigned int nr_modules;
	/* The first module: the initramfs, reserved in memblock for good. */
	phys_addr_t initrd_start;
	size_t initrd_size;
};

extern struct boot_params boot_params;

/* Returns 0, or -EINVAL when the information block is unusable. */
int bootinfo_parse(u32 magic, phys_addr_t info);
/* Feed the Multiboot2 memory map to the e820 table. */
void bootinfo_memory_map(void);

#endif
