// SPDX-License-Identifier: MIT
/* struct file: allocation, references, and the seek arithmetic files share. */
#include "fs/file.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

struct file *alloc_file(const struct file_operations *fop, unsigned int flags,
			void *private_data)
{
	struct file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->f_op = fop;
	f->f_flags = flags;
	f->f_count = 1;
	f->private_data = private_data;
	return f;
}

void get_file(struct file *f)
{
	f->f_count++;
}

void fput(struct file *f)
{
	if (--f->f_count)
		return;
	if (f->f_op->release)
		f->f_op->release(f);
	kfree(f);
}

loff_t fixed_size_llseek(struct file *f, loff_t offset, int whence, loff_t size)
{
	loff_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->f_pos;
		break;
	case SEEK_END:
		base = size;
		break;
	default:
		return -EINVAL;
	}
	if (offset > 0 && base > __LONG_MAX__ - offset)
		return -EOVERFLOW;
	if (base + offset < 0)
		return -EINVAL;
	f->f_pos = base + offset;
	return f->f_pos;
}

bool dot_entries(loff_t pos, unsigned long ino, struct dir_entry *e)
{
	if (pos > 1)
		return false;
	e->ino = ino;
	e->type = DT_DIR;
	strcpy(e->name, pos ? ".." : ".");
	return true;
}
