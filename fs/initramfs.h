/* SPDX-License-Identifier: MIT */
#ifndef FS_INITRAMFS_H
#define FS_INITRAMFS_H

/*
 * The initramfs: a newc cpio archive (Linux's format) that GRUB loads as
 * the first multiboot2 module. Its directories and regular files become
 * the ramfs under "/"; a bad archive is refused whole with one line
 * naming the offset and the problem, and the kernel boots on without it.
 */
#include "kernel/types.h"

/* Unpack the boot module, if any. 0, or the error that refused it. */
int initramfs_init(void);

/*
 * Unpack an archive held in memory into the ramfs. The archive must stay
 * where it is: files point into it. On error nothing is added, and why
 * (NUL-terminated, "offset N: problem") is written when not NULL.
 */
int unpack_to_rootfs(const void *buf, size_t len, char *why, size_t why_len);

#endif
