// SPDX-License-Identifier: MIT
/*
 * /proc and /sys files opened by programs, through the generators the
 * console's cat and echo use. As with Linux's seq_file, the contents are
 * generated at the first read (again after a seek back to 0) and reads
 * are served from that snapshot; every write() is one store, as a
 * sysctl write is.
 */
#include "fs/file.h"
#include "fs/pseudo_file.h"
#include "kernel/mutex.h"
#include "kernel/pseudofs.h"
#include "kernel/seq_buf.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

#define SNAPSHOT_MIN	16384
#define SNAPSHOT_MAX	(1024 * 1024)

struct pseudo_open {
	struct pseudo_file pf;		/* as it was at open */
	bool is_dir;
	bool by_name;			/* pf holds a name, not a pointer (/proc/<pid>) */
	char *buf;			/* the snapshot, or NULL */
	size_t len;
	struct mutex lock;		/* buf and len, for threads sharing the fd */
	char path[];
};

/*
 * The file as it is now: a file registered at run time (an address
 * space's, a memory block's) may have gone since the open, and its data
 * with it, so every read and write looks it up again by path. A file the
 * resolver made holds only a name (a pid) and says itself when its
 * object is gone (ESRCH), so it is kept.
 */
static int current_file(struct pseudo_open *po, struct pseudo_file *pf)
{
	int ret;

	if (po->by_name) {
		*pf = po->pf;
		return 0;
	}
	ret = pseudofs_resolve(po->path, pf);

	if (ret == -EISDIR)
		return -ENOENT;
	return ret;
}

/* Generate the whole contents, growing the buffer until it fits. */
static int snapshot(struct pseudo_open *po)
{
	struct pseudo_file pf;
	int ret = current_file(po, &pf);

	if (ret)
		return ret;
	if (!pf.show)
		return -EACCES;
	for (size_t size = SNAPSHOT_MIN; size <= SNAPSHOT_MAX; size *= 2) {
		struct seq_buf m;

		kfree(po->buf);
		po->buf = kmalloc(size, GFP_KERNEL);
		if (!po->buf)
			return -ENOMEM;
		seq_buf_init(&m, po->buf, size);
		ret = pf.show(&m, pf.data);
		if (ret < 0)
			return ret;
		if (!m.overflow) {
			po->len = m.len;
			return 0;
		}
	}
	return -EFBIG;
}

static ssize_t read_snapshot(struct pseudo_open *po, char *buf, size_t count, loff_t *pos)
{
	size_t n;

	if (!po->buf || *pos == 0) {
		int ret = snapshot(po);

		if (ret)
			return ret;
	}
	if ((size_t)*pos >= po->len)
		return 0;
	n = min(count, po->len - *pos);
	memcpy(buf, po->buf + *pos, n);
	*pos += n;
	return n;
}

static ssize_t pseudo_read(struct file *f, char *buf, size_t count, loff_t *pos)
{
	struct pseudo_open *po = f->private_data;
	ssize_t ret;

	if (po->is_dir)
		return -EISDIR;
	/*
	 * Threads sharing the fd must not free the snapshot under each
	 * other; a mutex, since making it may sleep (an mm's mmap_lock).
	 */
	mutex_lock(&po->lock);
	ret = read_snapshot(po, buf, count, pos);
	mutex_unlock(&po->lock);
	return ret;
}

static ssize_t pseudo_write(struct file *f, const char *buf, size_t count, loff_t *pos)
{
	struct pseudo_open *po = f->private_data;
	struct pseudo_file pf;
	int ret;

	(void)pos;
	if (po->is_dir)
		return -EISDIR;
	ret = current_file(po, &pf);
	if (!ret)
		ret = pseudofs_store(&pf, buf, count, NULL);
	return ret < 0 ? ret : (ssize_t)count;
}

static loff_t pseudo_llseek(struct file *f, loff_t offset, int whence)
{
	struct pseudo_open *po = f->private_data;

	/* SEEK_END sees the snapshot's size, as seq_file would after a read. */
	return fixed_size_llseek(f, offset, whence, po->len);
}

static void pseudo_getattr(struct file *f, struct kstat *st)
{
	struct pseudo_open *po = f->private_data;

	/* Linux reports size 0 for /proc files: the contents are generated. */
	st->size = 0;
	st->nlink = po->is_dir ? 2 : 1;
	if (po->is_dir)
		st->mode = S_IFDIR | 0555;
	else
		st->mode = S_IFREG | (po->pf.show ? 0444 : 0) | (po->pf.store ? 0200 : 0);
	st->blksize = 1024;
}

static int pseudo_d_path(struct file *f, char *buf, size_t size)
{
	struct pseudo_open *po = f->private_data;

	if (!po->is_dir)
		return -ENOTDIR;
	return strlcpy(buf, po->path, size) < size ? 0 : -ENAMETOOLONG;
}

struct nth_child {
	loff_t want, at;
	struct dir_entry *e;
	bool found;
};

static void pick_child(const char *name, bool is_dir, void *arg)
{
	struct nth_child *n = arg;

	if (n->at++ != n->want)
		return;
	n->e->type = is_dir ? DT_DIR : DT_REG;
	strlcpy(n->e->name, name, sizeof(n->e->name));
	n->found = true;
}

/* A made-up inode number, the same for the same path each time. */
static unsigned long path_ino(const char *dir, const char *name)
{
	unsigned long h = 0xcbf29ce484222325UL;

	for (const char *p = dir; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3UL;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3UL;
	return h >> 32 | 1;
}

static int pseudo_readdir(struct file *f, loff_t pos, struct dir_entry *e)
{
	struct pseudo_open *po = f->private_data;
	struct nth_child n = { pos - 2, 0, e, false };

	if (!po->is_dir)
		return -ENOTDIR;
	if (dot_entries(pos, path_ino(po->path, ""), e))
		return 0;
	pseudofs_list(po->path, pick_child, &n);
	if (!n.found)
		return 1;
	e->ino = path_ino(po->path, e->name);
	return 0;
}

static void pseudo_release(struct file *f)
{
	struct pseudo_open *po = f->private_data;

	kfree(po->buf);
	kfree(po);
}

static const struct file_operations pseudo_file_ops = {
	.read = pseudo_read,
	.write = pseudo_write,
	.llseek = pseudo_llseek,
	.getattr = pseudo_getattr,
	.d_path = pseudo_d_path,
	.readdir = pseudo_readdir,
	.release = pseudo_release,
};

/* Linux's answers for opening an existing /proc or /sys file this way. */
static int check_access(const struct pseudo_file *pf, bool is_dir, unsigned int flags)
{
	unsigned int acc = flags & O_ACCMODE;

	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if ((flags & O_DIRECTORY) && !is_dir)
		return -ENOTDIR;
	if (flags & O_PATH)
		return 0;
	if (is_dir)
		return acc == O_RDONLY ? 0 : -EISDIR;
	if (acc == O_ACCMODE)
		return -EINVAL;
	if (acc != O_WRONLY && !pf->show)
		return -EACCES;
	if (acc != O_RDONLY && !pf->store)
		return -EACCES;
	return 0;
}

int pseudo_file_open(const char *path, unsigned int flags, struct file **out)
{
	size_t len = strlen(path);
	struct pseudo_open *po;
	struct pseudo_file pf;
	bool is_dir = false;
	int ret;

	ret = pseudofs_resolve(path, &pf);
	if (ret == -EISDIR)
		is_dir = true;
	else if (ret == -ENOENT && (flags & O_CREAT))
		return -EACCES;		/* /proc and /sys create nothing */
	else if (ret)
		return ret;
	ret = check_access(&pf, is_dir, flags);
	if (ret)
		return ret;
	po = kzalloc(sizeof(*po) + len + 1, GFP_KERNEL);
	if (!po)
		return -ENOMEM;
	memcpy(po->path, path, len + 1);
	mutex_init(&po->lock);
	po->is_dir = is_dir;
	if (!is_dir) {
		po->pf = pf;
		po->pf.path = po->path;
		po->by_name = !pseudofs_lookup(path);
	}
	*out = alloc_file(&pseudo_file_ops, flags, po);
	if (!*out) {
		kfree(po);
		return -ENOMEM;
	}
	return 0;
}
