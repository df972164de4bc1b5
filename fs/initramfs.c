// SPDX-License-Identifier: MIT
/*
 * newc cpio unpacking. An entry is a 110-byte ASCII header (the magic
 * "070701", or "070702" with a checksum, then thirteen 8-digit hex
 * fields), the NUL-terminated name, NUL padding to a multiple of 4, the
 * data, NUL padding to a multiple of 4. "TRAILER!!!" ends an archive;
 * NULs may follow, then another archive (Linux accepts concatenations).
 *
 * The whole archive is checked before anything is created, so a bad one
 * is refused with the offset of the first problem and leaves no trace;
 * a failure while creating (a missing parent, memory) undoes what the
 * unpack had created.
 */
#include "fs/initramfs.h"
#include "fs/ramfs.h"
#include "fs/file.h"
#include "kernel/bootinfo.h"
#include "kernel/printk.h"
#include "kernel/strerror.h"
#include "mm/layout.h"
#include "mm/memblock.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

#define NEWC_HDR_LEN	110
#define NEWC_FIELDS	13
#define TRAILER		"TRAILER!!!"

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR,
       F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

static const char *const field_names[NEWC_FIELDS] = {
	"c_ino", "c_mode", "c_uid", "c_gid", "c_nlink", "c_mtime", "c_filesize",
	"c_devmajor", "c_devminor", "c_rdevmajor", "c_rdevminor", "c_namesize",
	"c_check",
};

struct cpio_entry {
	size_t offset;			/* of the header */
	u32 field[NEWC_FIELDS];
	const char *name;		/* NUL-terminated, in the archive */
	const u8 *data;
	size_t next;			/* offset of what follows */
};

struct cpio_reader {
	const u8 *buf;
	size_t len;
	char *why;
	size_t why_len;
};

__printf(3, 4) static int refuse(struct cpio_reader *r, size_t off, const char *fmt, ...)
{
	char msg[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->why)
		snprintf(r->why, r->why_len, "offset %zu: %s", off, msg);
	return -EINVAL;
}

static int hex_digit(u8 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Bytes [from, to) must be inside the archive and all NUL. */
static int check_padding(struct cpio_reader *r, size_t from, size_t to, const char *what)
{
	if (to > r->len)
		return refuse(r, from, "%s padding runs past the end of the archive", what);
	for (size_t i = from; i < to; i++)
		if (r->buf[i])
			return refuse(r, i, "non-NUL byte in the %s padding", what);
	return 0;
}

static int parse_fields(struct cpio_reader *r, struct cpio_entry *e)
{
	const u8 *h = r->buf + e->offset;

	if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
		return refuse(r, e->offset, "bad magic \"%.6s\" (newc is 070701 or 070702)",
			      (const char *)h);
	for (int f = 0; f < NEWC_FIELDS; f++) {
		u32 v = 0;

		for (int i = 0; i < 8; i++) {
			size_t at = 6 + f * 8 + i;
			int d = hex_digit(h[at]);

			if (d < 0)
				return refuse(r, e->offset + at, "bad hex digit 0x%02x in %s",
					      h[at], field_names[f]);
			v = v << 4 | d;
		}
		e->field[f] = v;
	}
	return 0;
}

static int check_name(struct cpio_reader *r, struct cpio_entry *e)
{
	size_t name_off = e->offset + NEWC_HDR_LEN;
	u32 namesize = e->field[F_NAMESIZE];

	if (namesize == 0 || namesize > PATH_MAX)
		return refuse(r, e->offset, "c_namesize %u out of range (1..%u)",
			      namesize, PATH_MAX);
	if (namesize > r->len - name_off)
		return refuse(r, e->offset, "name of %u bytes runs past the end of the archive",
			      namesize);
	e->name = (const char *)r->buf + name_off;
	if (e->name[namesize - 1] || strlen(e->name) != namesize - 1)
		return refuse(r, name_off, "name is not one NUL-terminated string of c_namesize bytes");
	return check_padding(r, name_off + namesize, ALIGN(name_off + namesize, 4), "name");
}

static int check_data(struct cpio_reader *r, struct cpio_entry *e, size_t data_off)
{
	u32 size = e->field[F_FILESIZE];
	unsigned int type = e->field[F_MODE] & S_IFMT;

	if (size > r->len - data_off)
		return refuse(r, e->offset, "c_filesize %u runs past the end of the archive", size);
	e->data = r->buf + data_off;
	if (type == S_IFDIR && size)
		return refuse(r, e->offset, "directory %s has c_filesize %u", e->name, size);
	if (!memcmp(r->buf + e->offset, "070702", 6) && type == S_IFREG) {
		u32 sum = 0;

		for (u32 i = 0; i < size; i++)
			sum += e->data[i];
		if (sum != e->field[F_CHECK])
			return refuse(r, e->offset, "checksum of %s is %#x, c_check says %#x",
				      e->name, sum, e->field[F_CHECK]);
	}
	e->next = ALIGN(data_off + size, 4);
	return check_padding(r, data_off + size, e->next, "data");
}

/* Read and check the entry at e->offset. */
static int parse_entry(struct cpio_reader *r, struct cpio_entry *e)
{
	int ret;

	if (r->len - e->offset < NEWC_HDR_LEN)
		return refuse(r, e->offset, "truncated header (%zu of %u bytes)",
			      r->len - e->offset, NEWC_HDR_LEN);
	ret = parse_fields(r, e);
	if (!ret)
		ret = check_name(r, e);
	if (!ret)
		ret = check_data(r, e, ALIGN(e->offset + NEWC_HDR_LEN + e->field[F_NAMESIZE], 4));
	return ret;
}

/* Past NULs between archives; false at the end of the buffer. */
static bool skip_nul_padding(struct cpio_reader *r, size_t *off)
{
	while (*off < r->len && !r->buf[*off])
		(*off)++;
	return *off < r->len;
}

/*
 * Walk every entry; call fn for each one that is not a trailer when fn
 * is given. Returns 0 or the first error.
 */
static int for_each_entry(struct cpio_reader *r,
			  int (*fn)(struct cpio_reader *r, struct cpio_entry *e))
{
	struct cpio_entry e = { 0 };
	bool in_archive = false;
	int ret;

	for (;;) {
		if (!in_archive && !skip_nul_padding(r, &e.offset))
			return 0;
		ret = parse_entry(r, &e);
		if (ret)
			return ret;
		in_archive = strcmp(e.name, TRAILER) != 0;
		if (in_archive && fn) {
			ret = fn(r, &e);
			if (ret)
				return ret;
		}
		e.offset = e.next;
		if (in_archive && e.offset >= r->len)
			return refuse(r, e.offset, "archive ends without a " TRAILER " entry");
	}
}

/* "./a/b", "/a/b" and "a/b" all name a/b below the root. */
static const char *strip_prefix(const char *name)
{
	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else
			return name;
	}
}

static int create_entry(struct cpio_reader *r, struct cpio_entry *e)
{
	const char *name = strip_prefix(e->name);
	unsigned int mode = e->field[F_MODE];
	int ret;

	if (!*name || !strcmp(name, "."))
		return 0;		/* the root itself */
	if (!S_ISDIR(mode) && !S_ISREG(mode)) {
		pr_warn("initramfs: %s: type %#o skipped (only files and directories)\n",
			e->name, mode & S_IFMT);
		return 0;
	}
	ret = ramfs_create(name, mode & (S_IFMT | 07777), e->data, e->field[F_FILESIZE]);
	if (ret == -EEXIST && S_ISDIR(mode)) {
		struct ramfs_inode *old;

		if (!ramfs_lookup(name, &old) && S_ISDIR(old->mode))
			return 0;
	}
	if (ret) {
		if (r->why)
			snprintf(r->why, r->why_len, "offset %zu: %s: %s", e->offset, e->name,
				 strerror(ret));
	}
	return ret;
}

int unpack_to_rootfs(const void *buf, size_t len, char *why, size_t why_len)
{
	struct cpio_reader r = { buf, len, why, why_len };
	unsigned int gen;
	int ret;

	if (why && why_len)
		why[0] = '\0';
	ret = for_each_entry(&r, NULL);
	if (ret)
		return ret;
	gen = ramfs_begin();
	ret = for_each_entry(&r, create_entry);
	if (ret)
		ramfs_abort(gen);
	return ret;
}

static bool initramfs_done;

int initramfs_init(void)
{
	phys_addr_t start = boot_params.initrd_start;
	size_t size = boot_params.initrd_size;
	char why[160];
	int ret;

	if (initramfs_done)
		return 0;
	initramfs_done = true;
	if (!boot_params.nr_modules) {
		pr_info("initramfs: no module loaded: / holds only /proc and /sys\n");
		return -ENOENT;
	}
	if (!size || !memblock_is_region_memory(start, size)) {
		pr_err("initramfs: module [mem %#010lx-%#010lx] is not in usable RAM: not unpacked\n",
		       (unsigned long)start, (unsigned long)(start + size) - 1);
		return -EINVAL;
	}
	ret = unpack_to_rootfs(__va(start), size, why, sizeof(why));
	if (ret) {
		pr_err("initramfs: archive refused: %s\n", why);
		return ret;
	}
	pr_info("initramfs: unpacked %zu bytes at [mem %#010lx-%#010lx]\n", size,
		(unsigned long)start, (unsigned long)(start + size) - 1);
	return 0;
}
