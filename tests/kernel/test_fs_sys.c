// SPDX-License-Identifier: MIT
/*
 * fs, continued: the small system calls (uname, getrandom,
 * clock_gettime, prlimit64 and the ids) and the RTC date arithmetic.
 */
#include "tests/kernel/ktest_fs.h"
#include "fs/fdtable.h"
#include "fs/fs_syscalls.h"
#include "kernel/rtc.h"
#include "kernel/uaccess.h"
#include "mm/hugetlb.h"
#include "libc/errno.h"
#include "libc/string.h"

KTEST(fs, uname)
{
	struct { char f[6][65]; } u;
	struct fs_env env;

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	ASSERT_EQ(test, sys_uname(UBASE), 0);
	ASSERT_UEQ(test, copy_from_user(&u, (const void __user *)UBASE, sizeof(u)), 0);
	EXPECT_STREQ(test, u.f[0], "Linux");
	EXPECT_STREQ(test, u.f[1], "pagefold");
	EXPECT_STREQ(test, u.f[4], "x86_64");
	EXPECT_EQ(test, sys_uname(KADDR), -EFAULT);
	/* The struct is 390 bytes: one byte short of the mapping is -EFAULT. */
	EXPECT_EQ(test, sys_uname(UBASE + UPAGES * PAGE_SIZE - 389), -EFAULT);
	fs_env_teardown(&env);
}

KTEST(fs, getrandom)
{
	struct fs_env env;
	u64 a[4], b[4];

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	EXPECT_EQ(test, sys_getrandom(UBASE, 32, 0), 32);
	EXPECT_EQ(test, sys_getrandom(UBASE + 32, 32, 0x1 | 0x2), 32);	/* NONBLOCK|RANDOM */
	EXPECT_EQ(test, sys_getrandom(UBASE + 64, 5, 0x4), 5);		/* INSECURE */
	EXPECT_EQ(test, sys_getrandom(UBASE, 0, 0), 0);
	ASSERT_UEQ(test, copy_from_user(a, (const void __user *)UBASE, 32), 0);
	ASSERT_UEQ(test, copy_from_user(b, (const void __user *)(UBASE + 32), 32), 0);
	/* 256 bits twice alike, or all zero, would be a broken generator. */
	EXPECT_FALSE(test, !memcmp(a, b, sizeof(a)));
	EXPECT_FALSE(test, !(a[0] | a[1] | a[2] | a[3]));
	EXPECT_EQ(test, sys_getrandom(UBASE, 8, 0x8), -EINVAL);
	EXPECT_EQ(test, sys_getrandom(UBASE, 8, 0x2 | 0x4), -EINVAL);	/* RANDOM|INSECURE */
	EXPECT_EQ(test, sys_getrandom(KADDR, 8, 0), -EFAULT);
	/* A buffer running off the mapping: what fitted is returned. */
	EXPECT_EQ(test, sys_getrandom(UBASE + UPAGES * PAGE_SIZE - 16, 64, 0), 16);
	fs_env_teardown(&env);
}

KTEST(fs, clock_gettime)
{
	struct { long sec, nsec; } t0, t1, rt;
	struct fs_env env;

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	ASSERT_EQ(test, sys_clock_gettime(1, UBASE), 0);		/* MONOTONIC */
	ASSERT_EQ(test, sys_clock_gettime(7, UBASE + 16), 0);	/* BOOTTIME */
	ASSERT_EQ(test, sys_clock_gettime(0, UBASE + 32), 0);	/* REALTIME */
	ASSERT_UEQ(test, copy_from_user(&t0, (const void __user *)UBASE, 16), 0);
	ASSERT_UEQ(test, copy_from_user(&t1, (const void __user *)(UBASE + 16), 16), 0);
	ASSERT_UEQ(test, copy_from_user(&rt, (const void __user *)(UBASE + 32), 16), 0);
	EXPECT_TRUE(test, t0.nsec >= 0 && t0.nsec < 1000000000);
	EXPECT_TRUE(test, t1.sec > t0.sec || (t1.sec == t0.sec && t1.nsec >= t0.nsec));
	/* QEMU's RTC holds the host's date: after 2020-01-01 (1577836800). */
	EXPECT_GT(test, rt.sec, 1577836800);
	EXPECT_EQ(test, sys_clock_gettime(2, UBASE), -EINVAL);	/* PROCESS_CPUTIME */
	EXPECT_EQ(test, sys_clock_gettime(100, UBASE), -EINVAL);
	EXPECT_EQ(test, sys_clock_gettime(-1UL, UBASE), -EINVAL);
	EXPECT_EQ(test, sys_clock_gettime(1, KADDR), -EFAULT);
	fs_env_teardown(&env);
}

KTEST(fs, rtc_mktime)
{
	/* Dates whose Unix times are known (date -u -d ... +%s). */
	EXPECT_UEQ(test, rtc_mktime(1970, 1, 1, 0, 0, 0), 0);
	EXPECT_UEQ(test, rtc_mktime(2000, 2, 29, 12, 0, 0), 951825600);
	EXPECT_UEQ(test, rtc_mktime(2026, 12, 1, 22, 15, 53), 1796163353);
	EXPECT_UEQ(test, rtc_mktime(2038, 1, 19, 3, 14, 8), 2147483648);
}

KTEST(fs, prlimit64_and_ids)
{
	struct { u64 cur, max; } r;
	struct fs_env env;

	ASSERT_TRUE(test, fs_env_setup(test, &env));
	ASSERT_EQ(test, sys_prlimit64(0, 3, 0, UBASE), 0);		/* RLIMIT_STACK */
	ASSERT_UEQ(test, copy_from_user(&r, (const void __user *)UBASE, sizeof(r)), 0);
	EXPECT_UEQ(test, r.cur, 8 << 20);
	EXPECT_UEQ(test, r.max, ~0UL);
	ASSERT_EQ(test, sys_prlimit64(0, 7, 0, UBASE), 0);		/* RLIMIT_NOFILE */
	ASSERT_UEQ(test, copy_from_user(&r, (const void __user *)UBASE, sizeof(r)), 0);
	EXPECT_UEQ(test, r.cur, NR_OPEN_MAX);
	/* Setting what is already there succeeds; anything else is refused. */
	r.cur = 8 << 20;
	r.max = ~0UL;
	ASSERT_UEQ(test, copy_to_user((void __user *)UBASE, &r, sizeof(r)), 0);
	EXPECT_EQ(test, sys_prlimit64(0, 3, UBASE, 0), 0);
	r.cur = 16 << 20;
	ASSERT_UEQ(test, copy_to_user((void __user *)UBASE, &r, sizeof(r)), 0);
	EXPECT_EQ(test, sys_prlimit64(0, 3, UBASE, 0), -EPERM);
	r.max = 1 << 20;
	ASSERT_UEQ(test, copy_to_user((void __user *)UBASE, &r, sizeof(r)), 0);
	EXPECT_EQ(test, sys_prlimit64(0, 3, UBASE, 0), -EINVAL);	/* cur > max */
	EXPECT_EQ(test, sys_prlimit64(0, 16, 0, UBASE), -EINVAL);
	EXPECT_EQ(test, sys_prlimit64(0, 3, KADDR, 0), -EFAULT);
	EXPECT_EQ(test, sys_prlimit64(0, 3, 0, KADDR), -EFAULT);
	EXPECT_EQ(test, sys_prlimit64(99999, 3, 0, UBASE), -ESRCH);
	EXPECT_EQ(test, sys_getuid(), 0);
	EXPECT_EQ(test, sys_geteuid(), 0);
	EXPECT_EQ(test, sys_getgid(), 0);
	EXPECT_EQ(test, sys_getegid(), 0);
	fs_env_teardown(&env);
}

