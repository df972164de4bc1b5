/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_PSEUDOFS_H
#define KERNEL_PSEUDOFS_H

#include "kernel/types.h"
#include "kernel/seq_buf.h"
#include "kernel/errmsg.h"

/*
 * A tiny in-memory namespace for Linux's /proc and /sys files. A file is
 * a path and two callbacks: show() prints the whole contents, store()
 * takes what was written (`echo N > path`). Directories exist implicitly
 * as the prefixes of file paths.
 *
 * store() returns 0 or a negative errno, with what was wrong said in e
 * ("'abc' is not a number", kernel/errmsg.h); it must change nothing when
 * it fails.
 */
struct pseudo_file {
	const char *path;
	int (*show)(struct seq_buf *m, void *data);
	int (*store)(const char *buf, size_t len, void *data, struct errmsg *e);
	void *data;
};

#define PSEUDO_FILE(id, p, sh, st)					\
	static const struct pseudo_file __pseudo_file_##id		\
	__used __section(".pseudo_files") __aligned(8) =		\
		{ p, sh, st, NULL }

/* Files that come and go at run time (e.g. one per memory section). */
int pseudofs_register(const struct pseudo_file *f);
void pseudofs_unregister(const struct pseudo_file *f);

const struct pseudo_file *pseudofs_lookup(const char *path);
/*
 * Files found by name rather than registered: those that exist only
 * while their object does (/proc/<pid>/...), and the ramfs's, so that
 * the console's cat and ls see them. resolve fills *out (path may point
 * into the path given) and returns 0, or -EISDIR for one of its
 * directories, or -ENOENT; resolvers are asked in the order added,
 * before the registered files. list calls fn for each such child of dir
 * and returns how many. 0, or -ENOSPC when MAX_RESOLVERS are in.
 */
typedef void (*pseudofs_list_fn)(const char *name, bool is_dir, void *arg);
int pseudofs_add_resolver(int (*resolve)(const char *path, struct pseudo_file *out),
			  int (*list)(const char *dir, pseudofs_list_fn fn, void *arg));
/* A copy of the file at path in *out: 0, -EISDIR (a directory) or -ENOENT. */
int pseudofs_resolve(const char *path, struct pseudo_file *out);
/* Write to an open file: store() with e cleared first; the reason in e. */
int pseudofs_store(const struct pseudo_file *f, const char *buf, size_t len,
		   struct errmsg *e);
int pseudofs_read(const char *path, char *buf, size_t size);
/* 0 or a negative errno, the reason in e (errmsg_why(e, ret) prints it). */
int pseudofs_write(const char *path, const char *buf, size_t len, struct errmsg *e);
/* Call fn for every direct child of dir (files and subdirectories). */
int pseudofs_list(const char *dir, void (*fn)(const char *name, bool is_dir, void *arg),
		  void *arg);

/* Parse a written number, Linux-style: one decimal value, optional '\n'. */
int pseudofs_parse_ulong(const char *buf, size_t len, unsigned long *val,
			 struct errmsg *e);
/* A sysctl switch: 0 or 1, else the reason, naming the file, in e. */
int pseudofs_parse_switch(const char *buf, size_t len, const char *name, bool *on,
			  struct errmsg *e);

#endif
