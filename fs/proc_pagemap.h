/* SPDX-License-Identifier: MIT */
#ifndef FS_PROC_PAGEMAP_H
#define FS_PROC_PAGEMAP_H

/*
 * /proc/<pid>/pagemap, Linux's format (Documentation/admin-guide/mm/
 * pagemap.rst): one 64-bit entry per virtual page, read at offset
 * vpn * 8 (lseek or pread), bit 63 present, bits 0-54 the PFN, bit 56
 * the page is exclusively mapped (this mapping alone), bit 61 a
 * file-page or shared anonymous page (a MAP_SHARED mapping here); swap
 * and soft-dirty bits are never set (no swap, no soft-dirty tracking).
 * The position and the count must be multiples of 8 (EINVAL); reads
 * past the user half return 0 bytes. Every user runs as root here, so
 * the PFNs are shown (Linux shows them to CAP_SYS_ADMIN).
 */
struct file;

/*
 * Open canonical path if it is "/proc/<pid>/pagemap" of a task: 0 or
 * an errno; -ENOENT also when the path is not of that form.
 */
int proc_pagemap_open(const char *path, unsigned int flags, struct file **out);

#endif
