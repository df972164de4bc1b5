/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the "Key:   value" files of /proc (/proc/self/status,
 * /proc/meminfo) and the one-number files of /proc/sys and /sys, as the
 * user programs see them on Linux and on pagefold alike.
 */
#ifndef USER_PROCFILE_H
#define USER_PROCFILE_H

/* The number after "key:" in path (kB for the sizes), or -1 when the file
 * cannot be read or has no such line. */
long proc_field(const char *path, const char *key);

/* The number a one-value file holds, or -1 when it cannot be read. */
long read_long_file(const char *path);

/* Writes value to path; 0, or -errno. */
int write_long_file(const char *path, long value);

#endif
