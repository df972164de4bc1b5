// SPDX-License-Identifier: MIT
/* The range checks of kernel/uaccess.h around the accesses of uaccess_64.S. */
#include "kernel/uaccess.h"
#include "libc/errno.h"
#include "libc/string.h"

unsigned long __copy_user(void *to, const void *from, unsigned long n);
unsigned long __clear_user(void __user *to, unsigned long n);
long __strncpy_from_user(char *dst, const char __user *src, long count);
int __get_user_u64(u64 *val, const u64 __user *uaddr);
int __put_user_u64(u64 val, u64 __user *uaddr);

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	unsigned long left = n;

	if (access_ok(from, n))
		left = __copy_user(to, from, n);
	/* As Linux: what could not be read reads as zeroes, never as stale data. */
	if (left)
		memset((char *)to + (n - left), 0, left);
	return left;
}

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	if (!access_ok(to, n))
		return n;
	return __copy_user(to, from, n);
}

unsigned long clear_user(void __user *to, unsigned long n)
{
	if (!access_ok(to, n))
		return n;
	return __clear_user(to, n);
}

long strncpy_from_user(char *dst, const char __user *src, long count)
{
	unsigned long a = (unsigned long)src, room;
	long ret;

	if (count <= 0)
		return 0;
	if (a >= TASK_SIZE_MAX)
		return -EFAULT;
	/* A string that runs off the top of the user half is a bad address. */
	room = min((unsigned long)count, TASK_SIZE_MAX - a);
	ret = __strncpy_from_user(dst, src, room);
	if (ret == (long)room && room < (unsigned long)count)
		return -EFAULT;
	return ret;
}

int get_user_u64(u64 *val, const u64 __user *uaddr)
{
	if (!access_ok(uaddr, sizeof(*uaddr)))
		return -EFAULT;
	return __get_user_u64(val, uaddr);
}

int put_user_u64(u64 val, u64 __user *uaddr)
{
	if (!access_ok(uaddr, sizeof(*uaddr)))
		return -EFAULT;
	return __put_user_u64(val, uaddr);
}
