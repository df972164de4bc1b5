/* SPDX-License-Identifier: MIT */
#ifndef TESTS_KERNEL_KTEST_H
#define TESTS_KERNEL_KTEST_H

/*
 * In-kernel unit tests, KUnit-style. A case is a function registered in
 * the .ktest_cases section; cases of one suite are grouped by name. The
 * runner prints KTAP version 1 on the console.
 *
 *	KTEST(buddy, split_and_merge)
 *	{
 *		EXPECT_EQ(test, nr_free(), before);
 *	}
 *
 * EXPECT_* record a failure with file:line and the values and go on;
 * ASSERT_* also end the case. Suites named runner_* are deliberately
 * broken (they test the host runner), linked only into its self-test
 * build (make KTEST=selftest) and only run when named. The runner is
 * kernel/ktest.c; these files are linked only into test builds.
 */
#include "kernel/ktest.h"

#define KTEST(suite, case_name)						\
	static void ktest_##suite##_##case_name(struct kunit *test);	\
	static const struct ktest_case __ktest_##suite##_##case_name	\
	__used __section(".ktest_cases") __aligned(8) = {		\
		#suite, #case_name, ktest_##suite##_##case_name };	\
	static void ktest_##suite##_##case_name(struct kunit *test __maybe_unused)

__printf(4, 5) void ktest_fail(struct kunit *test, const char *file, int line,
			       const char *fmt, ...);
__printf(2, 3) void ktest_log(struct kunit *test, const char *fmt, ...);
void ktest_skip(struct kunit *test, const char *reason);

/*
 * Run one console line as the user would type it and capture what it
 * prints into out (NUL-terminated, cleared first). Returns the command's
 * result.
 */
int ktest_shell(const char *line, char *out, size_t size);

#define __KT_CMP(test, a, op, b, ret, type, fmt) do {			\
	type __a = (type)(a), __b = (type)(b);				\
	if (!(__a op __b)) {						\
		ktest_fail(test, __FILE__, __LINE__,			\
			   "Expected %s %s %s, but %s == " fmt ", %s == " fmt, \
			   #a, #op, #b, #a, __a, #b, __b);		\
		ret;							\
	}								\
} while (0)

#define __KT_SIGNED(test, a, op, b, ret) \
	__KT_CMP(test, a, op, b, ret, long long, "%lld")
#define __KT_UNSIGNED(test, a, op, b, ret) \
	__KT_CMP(test, a, op, b, ret, unsigned long long, "%#llx")

#define __KT_BOOL(test, c, want, ret) do {				\
	if ((!!(c)) != (want)) {					\
		ktest_fail(test, __FILE__, __LINE__,			\
			   "Expected %s to be %s", #c,			\
			   (want) ? "true" : "false");			\
		ret;							\
	}								\
} while (0)

#define __KT_STR(test, a, b, ret) do {					\
	const char *__a = (a), *__b = (b);				\
	if (!__a || !__b || ktest_strcmp(__a, __b)) {			\
		ktest_fail(test, __FILE__, __LINE__,			\
			   "Expected %s == %s, but \"%s\" != \"%s\"",	\
			   #a, #b, __a ? __a : "(null)",		\
			   __b ? __b : "(null)");			\
		ret;							\
	}								\
} while (0)

#define __KT_MEM(test, a, b, n, ret) do {				\
	if (ktest_memcmp((a), (b), (n))) {				\
		ktest_fail(test, __FILE__, __LINE__,			\
			   "Expected %zu bytes at %s == %s", (size_t)(n), #a, #b); \
		ret;							\
	}								\
} while (0)

int ktest_strcmp(const char *a, const char *b);
int ktest_memcmp(const void *a, const void *b, size_t n);

#define EXPECT_EQ(t, a, b)	__KT_SIGNED(t, a, ==, b, (void)0)
#define EXPECT_NE(t, a, b)	__KT_SIGNED(t, a, !=, b, (void)0)
#define EXPECT_LT(t, a, b)	__KT_SIGNED(t, a, <, b, (void)0)
#define EXPECT_LE(t, a, b)	__KT_SIGNED(t, a, <=, b, (void)0)
#define EXPECT_GT(t, a, b)	__KT_SIGNED(t, a, >, b, (void)0)
#define EXPECT_GE(t, a, b)	__KT_SIGNED(t, a, >=, b, (void)0)
#define EXPECT_UEQ(t, a, b)	__KT_UNSIGNED(t, a, ==, b, (void)0)
#define EXPECT_TRUE(t, c)	__KT_BOOL(t, c, 1, (void)0)
#define EXPECT_FALSE(t, c)	__KT_BOOL(t, c, 0, (void)0)
#define EXPECT_NULL(t, p)	__KT_BOOL(t, (p) == NULL, 1, (void)0)
#define EXPECT_NOT_NULL(t, p)	__KT_BOOL(t, (p) != NULL, 1, (void)0)
#define EXPECT_STREQ(t, a, b)	__KT_STR(t, a, b, (void)0)
#define EXPECT_MEMEQ(t, a, b, n) __KT_MEM(t, a, b, n, (void)0)

#define ASSERT_EQ(t, a, b)	__KT_SIGNED(t, a, ==, b, return)
#define ASSERT_NE(t, a, b)	__KT_SIGNED(t, a, !=, b, return)
#define ASSERT_LT(t, a, b)	__KT_SIGNED(t, a, <, b, return)
#define ASSERT_LE(t, a, b)	__KT_SIGNED(t, a, <=, b, return)
#define ASSERT_GT(t, a, b)	__KT_SIGNED(t, a, >, b, return)
#define ASSERT_GE(t, a, b)	__KT_SIGNED(t, a, >=, b, return)
#define ASSERT_UEQ(t, a, b)	__KT_UNSIGNED(t, a, ==, b, return)
#define ASSERT_TRUE(t, c)	__KT_BOOL(t, c, 1, return)
#define ASSERT_FALSE(t, c)	__KT_BOOL(t, c, 0, return)
#define ASSERT_NULL(t, p)	__KT_BOOL(t, (p) == NULL, 1, return)
#define ASSERT_NOT_NULL(t, p)	__KT_BOOL(t, (p) != NULL, 1, return)
#define ASSERT_STREQ(t, a, b)	__KT_STR(t, a, b, return)
#define ASSERT_MEMEQ(t, a, b, n) __KT_MEM(t, a, b, n, return)

/*
 * Run fn(arg) and report whether it panicked (or took an exception that
 * had no fixup). The reason is copied to reason. Only code that is meant
 * to panic (double free, bad free) is run this way: a panic anywhere else
 * in a test stops the machine with the panic exit code, as the runner
 * expects of a crash.
 */
bool ktest_catch_panic(void (*fn)(void *arg), void *arg, char *reason,
		       size_t len);

#endif
