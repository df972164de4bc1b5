// SPDX-License-Identifier: MIT
#include "kernel/bootinfo.h"
#include "kernel/printk.h"
#include "mm/layout.h"
#include "mm/e820.h"
#include "libc/errno.h"

struct boot_params boot_params;

/* The early page tables map the first 4 GiB at PAGE_OFFSET. */
#define EARLY_MAPPED_LIMIT	(4ULL << 30)

static void parse_module(const struct multiboot_tag_module *mod)
{
	if (mod->mod_end < mod->mod_start) {
		pr_warn("boot: module [%#x-%#x) has its end before its start: ignored\n",
			mod->mod_start, mod->mod_end);
		return;
	}
	if (!boot_params.nr_modules++) {
		boot_params.initrd_start = mod->mod_start;
		boot_params.initrd_size = mod->mod_end - mod->mod_start;
	} else {
		pr_warn("boot: module %u [%#x-%#x) ignored: only the first (the initramfs) is used\n",
			boot_params.nr_modules, mod->mod_start, mod->mod_end);
	}
}

static void parse_tag(const struct multiboot_tag *tag)
{
	switch (tag->type) {
	case MULTIBOOT_TAG_TYPE_CMDLINE:
		boot_params.cmdline = ((const struct multiboot_tag_string *)tag)->string;
		break;
	case MULTIBOOT_TAG_TYPE_BOOT_LOADER_NAME:
		boot_params.loader_name = ((const struct multiboot_tag_string *)tag)->string;
		break;
	case MULTIBOOT_TAG_TYPE_MMAP:
		boot_params.mmap = (const struct multiboot_tag_mmap *)tag;
		break;
	case MULTIBOOT_TAG_TYPE_EFI_MMAP:
		boot_params.efi_mmap = (const struct multiboot_tag_efi_mmap *)tag;
		break;
	case MULTIBOOT_TAG_TYPE_FRAMEBUFFER:
		boot_params.framebuffer = (const struct multiboot_tag_framebuffer_common *)tag;
		break;
	case MULTIBOOT_TAG_TYPE_ACPI_OLD:
	case MULTIBOOT_TAG_TYPE_ACPI_NEW:
		/* Prefer the ACPI 2.0+ RSDP (XSDT) when both are given. */
		if (!boot_params.rsdp || tag->type == MULTIBOOT_TAG_TYPE_ACPI_NEW) {
			boot_params.rsdp = ((const struct multiboot_tag_old_acpi *)tag)->rsdp;
			boot_params.rsdp_len = tag->size - 8;
		}
		break;
	case MULTIBOOT_TAG_TYPE_EFI64:
	case MULTIBOOT_TAG_TYPE_EFI32:
		boot_params.efi = true;
		break;
	case MULTIBOOT_TAG_TYPE_MODULE:
		parse_module((const struct multiboot_tag_module *)tag);
		break;
	}
}

int bootinfo_parse(u32 magic, phys_addr_t info)
{
	const struct multiboot_info_header *hdr;
	const u8 *p, *end;

	if (magic != MULTIBOOT2_BOOTLOADER_MAGIC) {
		pr_err("boot: bad Multiboot2 magic %#x\n", magic);
		return -EINVAL;
	}
	if (!info || info + 8 > EARLY_MAPPED_LIMIT || (info & 7)) {
		pr_err("boot: Multiboot2 information at %#lx is not usable\n",
		       (unsigned long)info);
		return -EINVAL;
	}
	hdr = __va(info);
	if (hdr->total_size < 16 || info + hdr->total_size > EARLY_MAPPED_LIMIT) {
		pr_err("boot: Multiboot2 information has a bad size %u\n",
		       hdr->total_size);
		return -EINVAL;
	}
	boot_params.info_phys = info;
	boot_params.info_size = hdr->total_size;
	p = (const u8 *)hdr + 8;
	end = (const u8 *)hdr + hdr->total_size;
	while (p + 8 <= end) {
		const struct multiboot_tag *tag = (const void *)p;

		if (tag->type == MULTIBOOT_TAG_TYPE_END)
			break;
		if (tag->size < 8 || p + tag->size > end) {
			pr_warn("boot: truncated Multiboot2 tag %u ignored\n", tag->type);
			break;
		}
		parse_tag(tag);
		p += ALIGN(tag->size, 8);
	}
	return 0;
}

void bootinfo_memory_map(void)
{
	const struct multiboot_tag_mmap *m = boot_params.mmap;
	const u8 *p, *end;

	if (!m || m->entry_size < sizeof(struct multiboot_mmap_entry)) {
		pr_err("boot: the boot loader gave no memory map\n");
		return;
	}
	p = (const u8 *)m->entries;
	end = (const u8 *)m + m->size;
	for (; p + m->entry_size <= end; p += m->entry_size) {
		const struct multiboot_mmap_entry *e = (const void *)p;

		e820__add_firmware(e->addr, e->len, e->type);
	}
}
