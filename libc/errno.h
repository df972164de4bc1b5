/* SPDX-License-Identifier: MIT */
#ifndef LIBC_ERRNO_H
#define LIBC_ERRNO_H

/* Linux's values: kernel functions return them negated. */
#define EPERM		1
#define ENOENT		2
#define EIO		5
#define ENXIO		6
#define E2BIG		7
#define ENOMEM		12
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define EISDIR		21
#define EINVAL		22
#define ENOSPC		28
#define ERANGE		34
#define ENOSYS		38
#define EOPNOTSUPP	95
#define EHWPOISON	133

#endif
