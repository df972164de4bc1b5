// SPDX-License-Identifier: MIT
/*
 * The small system calls a static Linux program makes before main():
 * uname, getrandom, clock_gettime, prlimit64 and the getuid family.
 *
 * uname says "Linux": programs and libraries test sysname to choose
 * Linux code paths and would refuse or misbehave otherwise; nodename and
 * version say pagefold. Every process runs as root (uid and gid 0).
 */
#include "fs/fdtable.h"
#include "fs/fs_syscalls.h"
#include "kernel/io.h"
#include "kernel/rtc.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"
#include "libc/errno.h"
#include "libc/string.h"

#define UTS_LEN		65

struct new_utsname {
	char sysname[UTS_LEN];
	char nodename[UTS_LEN];
	char release[UTS_LEN];
	char version[UTS_LEN];
	char machine[UTS_LEN];
	char domainname[UTS_LEN];
};

long sys_uname(unsigned long uname)
{
	struct new_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "Linux", UTS_LEN);
	strlcpy(u.nodename, "pagefold", UTS_LEN);
	strlcpy(u.release, "6.1.0-pagefold", UTS_LEN);
	strlcpy(u.version, "#1 pagefold 0.1", UTS_LEN);
	strlcpy(u.machine, "x86_64", UTS_LEN);
	strlcpy(u.domainname, "(none)", UTS_LEN);
	if (copy_to_user((void __user *)uname, &u, sizeof(u)))
		return -EFAULT;
	return 0;
}

/*
 * getrandom: xoshiro256** seeded from the TSC and, where the CPU has it,
 * RDRAND, which is also mixed into every call. Good statistics, not a
 * cryptographic generator: never block, so GRND_NONBLOCK changes nothing.
 */
#define GRND_NONBLOCK	0x0001
#define GRND_RANDOM	0x0002
#define GRND_INSECURE	0x0004
#define GETRANDOM_MAX	(__INT_MAX__ & ~4095UL)	/* as Linux's MAX_RW_COUNT */

static u64 rng_state[4];
static bool rng_seeded;

static bool cpu_has_rdrand(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return c & BIT(30);
}

static u64 rdrand_or_tsc(void)
{
	u64 v;
	u8 ok = 0;

	if (cpu_has_rdrand()) {
		for (int i = 0; i < 10 && !ok; i++)
			__asm__ __volatile__("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok)
			return v;
	}
	return rdtsc();
}

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static u64 rng_next(void)
{
	u64 *s = rng_state, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static void rng_stir(void)
{
	u64 seed = rdrand_or_tsc() ^ rdtsc();

	if (!rng_seeded) {
		for (int i = 0; i < 4; i++)
			rng_state[i] = splitmix64(&seed);
		rng_seeded = true;
		return;
	}
	rng_state[0] ^= splitmix64(&seed);
}

long sys_getrandom(unsigned long ubuf, unsigned long count, unsigned long flags)
{
	unsigned long done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	count = min(count, GETRANDOM_MAX);
	if (!access_ok((void __user *)ubuf, count))
		return -EFAULT;
	rng_stir();
	while (done < count) {
		u64 r = rng_next();
		unsigned long n = min(count - done, sizeof(r));

		if (copy_to_user((void __user *)(ubuf + done), &r, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return done;
}

/* clock_gettime: every clock is the TSC; CLOCK_REALTIME adds the RTC at boot. */
#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7

struct timespec64 {
	long tv_sec;
	long tv_nsec;
};

static u64 boot_epoch_ns;
static bool boot_epoch_read;

/* Wall-clock time at tsc_init(): the RTC now, less the time since. */
static u64 boot_epoch(void)
{
	if (!boot_epoch_read) {
		u64 up = ktime_get_ns();
		u64 now = rtc_read_seconds() * NSEC_PER_SEC;

		boot_epoch_ns = now > up ? now - up : 0;
		boot_epoch_read = true;
	}
	return boot_epoch_ns;
}

long sys_clock_gettime(unsigned long which, unsigned long utp)
{
	struct timespec64 ts;
	u64 ns;

	switch (which) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		ns = boot_epoch() + ktime_get_ns();
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:		/* nothing suspends */
		ns = ktime_get_ns();
		break;
	default:
		return -EINVAL;
	}
	ts.tv_sec = ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	if (copy_to_user((void __user *)utp, &ts, sizeof(ts)))
		return -EFAULT;
	return 0;
}

/* prlimit64: Linux's defaults for a root process, reported; not settable. */
#define RLIM_NLIMITS		16
#define RLIM_INFINITY		(~0UL)
#define RLIMIT_STACK		3
#define RLIMIT_CORE		4
#define RLIMIT_NPROC		6
#define RLIMIT_NOFILE		7
#define RLIMIT_MEMLOCK		8
#define RLIMIT_SIGPENDING	11
#define RLIMIT_MSGQUEUE		12

struct rlimit64 {
	u64 rlim_cur;
	u64 rlim_max;
};

static struct rlimit64 default_rlimit(unsigned int resource)
{
	switch (resource) {
	case RLIMIT_STACK:
		return (struct rlimit64){ 8UL << 20, RLIM_INFINITY };
	case RLIMIT_CORE:
		return (struct rlimit64){ 0, RLIM_INFINITY };
	case RLIMIT_NOFILE:
		return (struct rlimit64){ NR_OPEN_MAX, NR_OPEN_MAX };
	case RLIMIT_MEMLOCK:
		return (struct rlimit64){ 8UL << 20, 8UL << 20 };
	case RLIMIT_NPROC:
	case RLIMIT_SIGPENDING:
		return (struct rlimit64){ 3871, 3871 };
	case RLIMIT_MSGQUEUE:
		return (struct rlimit64){ 819200, 819200 };
	}
	return (struct rlimit64){ RLIM_INFINITY, RLIM_INFINITY };
}

/* The calling process (0) or another that exists. */
static bool prlimit_pid_ok(unsigned long pid)
{
	return pid == 0;
}

long sys_prlimit64(unsigned long pid, unsigned long resource,
		   unsigned long unew_rlim, unsigned long uold_rlim)
{
	struct rlimit64 cur, want;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (!prlimit_pid_ok(pid))
		return -ESRCH;
	cur = default_rlimit(resource);
	if (unew_rlim) {
		if (copy_from_user(&want, (const void __user *)unew_rlim, sizeof(want)))
			return -EFAULT;
		if (want.rlim_cur > want.rlim_max)
			return -EINVAL;
		/* The limits are fixed: only a set that changes nothing succeeds. */
		if (want.rlim_cur != cur.rlim_cur || want.rlim_max != cur.rlim_max)
			return -EPERM;
	}
	if (uold_rlim && copy_to_user((void __user *)uold_rlim, &cur, sizeof(cur)))
		return -EFAULT;
	return 0;
}

long sys_getuid(void)
{
	return 0;
}

long sys_geteuid(void)
{
	return 0;
}

long sys_getgid(void)
{
	return 0;
}

long sys_getegid(void)
{
	return 0;
}
