// SPDX-License-Identifier: MIT
/*
 * Per-process fd tables: fork copies, CLONE_FILES shares, exit drops.
 * Threads sharing a table may be preempted in the middle of a change to
 * it (single CPU): every read-modify-write of the table runs with
 * interrupts off, and a file taken out is put after, with them back on.
 */
#include "fs/fdtable.h"
#include "fs/file.h"
#include "kernel/task.h"
#include "kernel/traps.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

static struct files_struct *files_alloc(void)
{
	struct files_struct *files = kzalloc(sizeof(*files), GFP_KERNEL);

	if (files)
		files->count = 1;
	return files;
}

static void close_all(struct files_struct *files)
{
	for (unsigned int fd = 0; fd < NR_OPEN_MAX; fd++) {
		if (files->fd[fd]) {
			fput(files->fd[fd]);
			files->fd[fd] = NULL;
		}
	}
	files->close_on_exec = 0;
}

struct files_struct *files_alloc_console(void)
{
	struct files_struct *files = files_alloc();
	static const unsigned int modes[] = { O_RDONLY, O_WRONLY, O_WRONLY };

	if (!files)
		return NULL;
	for (unsigned int fd = 0; fd < ARRAY_SIZE(modes); fd++) {
		files->fd[fd] = console_file_open(modes[fd]);
		if (!files->fd[fd]) {
			files_put(files);
			return NULL;
		}
	}
	return files;
}

struct files_struct *files_dup(struct files_struct *old)
{
	struct files_struct *files = files_alloc();

	unsigned long flags;

	if (!files)
		return NULL;
	flags = local_irq_save();
	for (unsigned int fd = 0; fd < NR_OPEN_MAX; fd++) {
		files->fd[fd] = old->fd[fd];
		if (files->fd[fd])
			get_file(files->fd[fd]);
	}
	files->close_on_exec = old->close_on_exec;
	local_irq_restore(flags);
	return files;
}

void files_get(struct files_struct *files)
{
	files->count++;
}

void files_put(struct files_struct *files)
{
	if (!files || --files->count)
		return;
	close_all(files);
	kfree(files);
}

/* Take fd out of the table: the file, whose reference the caller now holds, or NULL. */
static struct file *take_fd(struct files_struct *files, unsigned int fd)
{
	unsigned long flags = local_irq_save();
	struct file *f = files->fd[fd];

	files->fd[fd] = NULL;
	files->close_on_exec &= ~BIT(fd);
	local_irq_restore(flags);
	return f;
}

void do_close_on_exec(struct files_struct *files)
{
	for (unsigned int fd = 0; fd < NR_OPEN_MAX; fd++) {
		struct file *f;

		if (!(READ_ONCE(files->close_on_exec) & BIT(fd)))
			continue;
		f = take_fd(files, fd);
		if (f)
			fput(f);
	}
}

int fd_install_lowest(struct files_struct *files, struct file *f, bool cloexec)
{
	return fd_install_from(files, f, 0, cloexec);
}

void fd_install_at(struct files_struct *files, unsigned int fd, struct file *f)
{
	unsigned long flags = local_irq_save();
	struct file *old = files->fd[fd];

	files->fd[fd] = f;
	files->close_on_exec &= ~BIT(fd);
	local_irq_restore(flags);
	if (old)
		fput(old);
}

int fd_install_from(struct files_struct *files, struct file *f, unsigned int start,
		    bool cloexec)
{
	unsigned long flags = local_irq_save();
	int ret = -EMFILE;

	for (unsigned int fd = start; fd < NR_OPEN_MAX; fd++) {
		if (files->fd[fd])
			continue;
		files->fd[fd] = f;
		if (cloexec)
			files->close_on_exec |= BIT(fd);
		else
			files->close_on_exec &= ~BIT(fd);
		ret = fd;
		break;
	}
	local_irq_restore(flags);
	return ret;
}

struct file *fget_raw(struct files_struct *files, unsigned int fd)
{
	if (!files || fd >= NR_OPEN_MAX)
		return NULL;
	return files->fd[fd];
}

struct file *fget(struct files_struct *files, unsigned int fd)
{
	unsigned long flags = local_irq_save();
	struct file *f = fget_raw(files, fd);

	if (f)
		get_file(f);
	local_irq_restore(flags);
	return f;
}

struct file *fdget(unsigned long fd)
{
	/* fget takes an unsigned int: 1UL << 32 must not become fd 0. */
	return fd < NR_OPEN_MAX ? fget(current_files(), fd) : NULL;
}

int close_fd(struct files_struct *files, unsigned int fd)
{
	struct file *f = files && fd < NR_OPEN_MAX ? take_fd(files, fd) : NULL;

	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

struct files_struct *current_files(void)
{
	return current->files;
}

struct files_struct *files_swap_current(struct files_struct *files)
{
	struct files_struct *old = current->files;

	current->files = files;
	return old;
}
