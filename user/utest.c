// SPDX-License-Identifier: GPL-2.0
#include "utest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *utest_name = "?";

void utest_init(const char *name)
{
	utest_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void utest_pass(void)
{
	printf("PASS %s\n", utest_name);
	exit(0);
}

static __attribute__((noreturn)) void vfail(const char *fmt, va_list ap)
{
	printf("FAIL %s: ", utest_name);
	vprintf(fmt, ap);
	printf("\n");
	exit(1);
}

void utest_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap);
}

void utest_check(int cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return;
	va_start(ap, fmt);
	vfail(fmt, ap);
}

void child_fail(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int len;

	len = snprintf(buf, sizeof(buf), "%s: child %d: ", utest_name, getpid());
	va_start(ap, fmt);
	len += vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	buf[len++] = '\n';
	if (write(2, buf, len) < 0)
		_exit(2);
	_exit(1);
}

void utest_wait_ok(pid_t pid, const char *what)
{
	int status;
	pid_t got;

	got = wait4(pid, &status, 0, NULL);
	utest_check(got == pid, "%s: wait4(%d) returned %d (%s)", what, pid,
		    got, strerror(errno));
	utest_check(WIFEXITED(status), "%s: child %d died by signal %d", what,
		    pid, WIFSIGNALED(status) ? WTERMSIG(status) : -1);
	utest_check(WEXITSTATUS(status) == 0, "%s: child %d exited %d", what,
		    pid, WEXITSTATUS(status));
}
