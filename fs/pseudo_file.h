/* SPDX-License-Identifier: MIT */
#ifndef FS_PSEUDO_FILE_H
#define FS_PSEUDO_FILE_H

/*
 * Open a /proc or /sys path (canonical: absolute, no '.', '..' or '//').
 * Files are read through their show() and written through their store();
 * opening for an access the file lacks is -EACCES, a missing path
 * -ENOENT (-EACCES with O_CREAT).
 */
struct file;
int pseudo_file_open(const char *path, unsigned int flags, struct file **out);

#endif
