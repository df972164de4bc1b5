// SPDX-License-Identifier: GPL-2.0
#include "procfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whole /proc files are small: one read of a few kB takes them, and raw
 * read() avoids depending on stdio's handling of pseudo-files. */
static int read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

long proc_field(const char *path, const char *key)
{
	char buf[8192];
	size_t klen = strlen(key);
	char *line;

	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = buf; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, key, klen) && line[klen] == ':')
			return strtol(line + klen + 1, NULL, 10);
	}
	return -1;
}

long read_long_file(const char *path)
{
	char buf[64];
	char *end;
	long val;

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	val = strtol(buf, &end, 10);
	if (end == buf)
		return -1;
	return val;
}

int write_long_file(const char *path, long value)
{
	char buf[32];
	int fd, len, err = 0;
	ssize_t n;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", value);
	n = write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if (n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}
