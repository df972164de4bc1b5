/* SPDX-License-Identifier: MIT */
#ifndef FS_RAMFS_VIEW_H
#define FS_RAMFS_VIEW_H

/* Let the console's cat and ls see the ramfs (outside /proc and /sys). */
void ramfs_view_init(void);

#endif
