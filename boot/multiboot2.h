/* SPDX-License-Identifier: MIT */
#ifndef BOOT_MULTIBOOT2_H
#define BOOT_MULTIBOOT2_H

/* The parts of the Multiboot2 specification (version 2.0) that we use. */
#define MULTIBOOT2_HEADER_MAGIC		0xe85250d6
#define MULTIBOOT2_BOOTLOADER_MAGIC	0x36d76289
#define MULTIBOOT_ARCH_I386		0

#define MULTIBOOT_HEADER_TAG_END		0
#define MULTIBOOT_HEADER_TAG_INFORMATION_REQUEST 1
#define MULTIBOOT_HEADER_TAG_FRAMEBUFFER	5
#define MULTIBOOT_HEADER_TAG_OPTIONAL		1

#define MULTIBOOT_TAG_TYPE_END			0
#define MULTIBOOT_TAG_TYPE_CMDLINE		1
#define MULTIBOOT_TAG_TYPE_BOOT_LOADER_NAME	2
#define MULTIBOOT_TAG_TYPE_MODULE		3
#define MULTIBOOT_TAG_TYPE_BASIC_MEMINFO	4
#define MULTIBOOT_TAG_TYPE_BOOTDEV		5
#define MULTIBOOT_TAG_TYPE_MMAP			6
#define MULTIBOOT_TAG_TYPE_VBE			7
#define MULTIBOOT_TAG_TYPE_FRAMEBUFFER		8
#define MULTIBOOT_TAG_TYPE_ELF_SECTIONS		9
#define MULTIBOOT_TAG_TYPE_APM			10
#define MULTIBOOT_TAG_TYPE_EFI32		11
#define MULTIBOOT_TAG_TYPE_EFI64		12
#define MULTIBOOT_TAG_TYPE_SMBIOS		13
#define MULTIBOOT_TAG_TYPE_ACPI_OLD		14
#define MULTIBOOT_TAG_TYPE_ACPI_NEW		15
#define MULTIBOOT_TAG_TYPE_NETWORK		16
#define MULTIBOOT_TAG_TYPE_EFI_MMAP		17
#define MULTIBOOT_TAG_TYPE_EFI_BS		18
#define MULTIBOOT_TAG_TYPE_EFI32_IH		19
#define MULTIBOOT_TAG_TYPE_EFI64_IH		20
#define MULTIBOOT_TAG_TYPE_LOAD_BASE_ADDR	21

#ifndef __ASSEMBLY__
#include "kernel/types.h"

struct multiboot_info_header {
	u32 total_size;
	u32 reserved;
};

struct multiboot_tag {
	u32 type;
	u32 size;
};

struct multiboot_tag_string {
	u32 type;
	u32 size;
	char string[];
};

struct multiboot_tag_module {
	u32 type;
	u32 size;
	u32 mod_start;
	u32 mod_end;
	char cmdline[];
};

struct multiboot_mmap_entry {
	u64 addr;
	u64 len;
	u32 type;
	u32 zero;
};

struct multiboot_tag_mmap {
	u32 type;
	u32 size;
	u32 entry_size;
	u32 entry_version;
	struct multiboot_mmap_entry entries[];
};

struct multiboot_tag_framebuffer_common {
	u32 type;
	u32 size;
	u64 framebuffer_addr;
	u32 framebuffer_pitch;
	u32 framebuffer_width;
	u32 framebuffer_height;
	u8 framebuffer_bpp;
	u8 framebuffer_type;
	u16 reserved;
};

struct multiboot_tag_efi_mmap {
	u32 type;
	u32 size;
	u32 descr_size;
	u32 descr_vers;
	u8 efi_mmap[];
};

struct multiboot_tag_old_acpi {
	u32 type;
	u32 size;
	u8 rsdp[];
};
#endif

#endif
