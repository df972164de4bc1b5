/* SPDX-License-Identifier: MIT */
#ifndef FS_FILE_H
#define FS_FILE_H

/*
 * An open file: what an fd points at. Each kind of file (ramfs file or
 * directory, /proc or /sys file, console) supplies its operations; they
 * work on kernel buffers, and fs/read_write.c moves the bytes to and
 * from user memory. A file is shared by every fd that dup'ed or
 * inherited it (f_count) and freed with the last one.
 */
#include "kernel/types.h"

typedef long loff_t;
typedef long ssize_t;

/* open flags, Linux's x86_64 values */
#define O_ACCMODE	00000003
#define O_RDONLY	00000000
#define O_WRONLY	00000001
#define O_RDWR		00000002
#define O_CREAT		00000100
#define O_EXCL		00000200
#define O_NOCTTY	00000400
#define O_TRUNC		00001000
#define O_APPEND	00002000
#define O_NONBLOCK	00004000
#define O_LARGEFILE	00100000
#define O_DIRECTORY	00200000
#define O_NOFOLLOW	00400000
#define O_CLOEXEC	02000000
#define O_PATH		010000000	/* stat and openat only: no access checked */

#define AT_FDCWD	-100
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_NO_AUTOMOUNT	0x800
#define AT_EMPTY_PATH	0x1000

/* st_mode */
#define S_IFMT		0170000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFREG		0100000
#define S_ISDIR(m)	(((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m)	(((m) & S_IFMT) == S_IFREG)

#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2

struct kstat {
	unsigned long ino;
	unsigned int mode;
	unsigned int nlink;
	unsigned long rdev;
	loff_t size;
	unsigned long blksize;
};

#define DT_DIR		4
#define DT_REG		8

/* One directory entry, as readdir hands it out. */
struct dir_entry {
	unsigned long ino;
	unsigned char type;		/* DT_DIR, DT_REG */
	char name[256];
};

struct file;

struct file_operations {
	/* Read up to count bytes at *pos into buf; advance *pos. */
	ssize_t (*read)(struct file *f, char *buf, size_t count, loff_t *pos);
	ssize_t (*write)(struct file *f, const char *buf, size_t count, loff_t *pos);
	/* NULL: the file cannot seek (-ESPIPE). */
	loff_t (*llseek)(struct file *f, loff_t offset, int whence);
	void (*getattr)(struct file *f, struct kstat *st);
	/* A directory's absolute path into buf (openat); -ENOTDIR otherwise. */
	int (*d_path)(struct file *f, char *buf, size_t size);
	/*
	 * A directory's entry number pos (0 is ".", 1 ".."): 0, 1 past the
	 * last, or -ENOTDIR for a file.
	 */
	int (*readdir)(struct file *f, loff_t pos, struct dir_entry *e);
	void (*release)(struct file *f);
};

struct file {
	const struct file_operations *f_op;
	unsigned int f_flags;		/* O_* given to open */
	int f_count;
	loff_t f_pos;
	void *private_data;
};

/* A new file with one reference; NULL when memory is short. */
struct file *alloc_file(const struct file_operations *fop, unsigned int flags,
			void *private_data);
void get_file(struct file *f);
/* Drop a reference; the last one calls release and frees the file. */
void fput(struct file *f);

/* Entries 0 and 1 of every directory: "." and "..", for a readdir. */
bool dot_entries(loff_t pos, unsigned long ino, struct dir_entry *e);

/* llseek for files of a known size (SEEK_SET/CUR/END, -EINVAL before 0). */
loff_t fixed_size_llseek(struct file *f, loff_t offset, int whence, loff_t size);

/*
 * Open path (absolute, or relative to "/": there is no cwd) with O_*
 * flags: 0 and a new file in *out, or a negative errno.
 */
int file_open(const char *path, unsigned int flags, struct file **out);
/* path (canonical) is /proc or /sys or below: not the ramfs's. */
bool on_pseudo_mount(const char *path);
/* The same relative to directory fd dfd (or AT_FDCWD) of the calling task. */
int file_open_at(int dfd, const char *name, unsigned int flags, struct file **out);
/* A user path copied into a new PATH_MAX buffer (kfree it); NULL and *err on failure. */
char *getname(unsigned long ufilename, int *err);

/* The console as a file: read gives a line, write prints. */
struct file *console_file_open(unsigned int flags);
/*
 * Take what the consoles received: characters are kept for the console
 * file's read(), Ctrl-C is not; returns how many Ctrl-C came, for the
 * caller to act on (the shell waiting for a foreground program).
 */
int console_poll_input(void);

#endif
