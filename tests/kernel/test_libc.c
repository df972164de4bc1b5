// SPDX-License-Identifier: MIT
/*
 * The freestanding C library: string functions, vsnprintf, ctype and the
 * number parsers. Every expected value is written out by hand, never
 * produced by the code under test.
 */
#include "tests/kernel/ktest.h"
#include "libc/ctype.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define CANARY	'#'

/*
 * snprintf() without the format attribute, for formats C defines but GCC
 * warns about (flags that C says to ignore, unknown conversions).
 */
static int fmt_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- vsnprintf ---- */

KTEST(libc_printf, basic_conversions)
{
	char buf[64];

	EXPECT_EQ(test, snprintf(buf, sizeof(buf), "%d %i %u", -12, 34, 56u), 9);
	EXPECT_STREQ(test, buf, "-12 34 56");
	EXPECT_EQ(test, snprintf(buf, sizeof(buf), "%x %X %o", 0xbeefu, 0xbeefu, 8u), 12);
	EXPECT_STREQ(test, buf, "beef BEEF 10");
	EXPECT_EQ(test, snprintf(buf, sizeof(buf), "%c%s%%", 'a', "bc"), 4);
	EXPECT_STREQ(test, buf, "abc%");
	EXPECT_EQ(test, snprintf(buf, sizeof(buf), "no conversions"), 14);
	EXPECT_STREQ(test, buf, "no conversions");
}

KTEST(libc_printf, truncation_returns_full_length)
{
	char buf[16];

	memset(buf, CANARY, sizeof(buf));
	EXPECT_EQ(test, snprintf(buf, 5, "hello world"), 11);
	EXPECT_STREQ(test, buf, "hell");
	/* Nothing past size is touched. */
	EXPECT_EQ(test, buf[5], CANARY);
	EXPECT_EQ(test, buf[15], CANARY);

	/* Cut in the middle of a number. */
	EXPECT_EQ(test, snprintf(buf, 4, "%d", -12345), 6);
	EXPECT_STREQ(test, buf, "-12");

	/* Exactly fits: size == length + 1. */
	EXPECT_EQ(test, snprintf(buf, 6, "%s", "abcde"), 5);
	EXPECT_STREQ(test, buf, "abcde");
	/* One short: the last character gives way to the NUL. */
	EXPECT_EQ(test, snprintf(buf, 5, "%s", "abcde"), 5);
	EXPECT_STREQ(test, buf, "abcd");
}

KTEST(libc_printf, size_zero_and_one)
{
	char buf[8];

	/* size 0: nothing written, not even the NUL; NULL is allowed. */
	EXPECT_EQ(test, snprintf(NULL, 0, "%d", 12345), 5);
	memset(buf, CANARY, sizeof(buf));
	EXPECT_EQ(test, snprintf(buf, 0, "%s", "abc"), 3);
	EXPECT_EQ(test, buf[0], CANARY);

	/* size 1: only the NUL fits. */
	EXPECT_EQ(test, snprintf(buf, 1, "%s", "abc"), 3);
	EXPECT_EQ(test, buf[0], '\0');
	EXPECT_EQ(test, buf[1], CANARY);
}

KTEST(libc_printf, integer_limits)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d %d", -2147483647 - 1, 2147483647);
	EXPECT_STREQ(test, buf, "-2147483648 2147483647");
	snprintf(buf, sizeof(buf), "%ld", -9223372036854775807L - 1);
	EXPECT_STREQ(test, buf, "-9223372036854775808");
	snprintf(buf, sizeof(buf), "%ld", 9223372036854775807L);
	EXPECT_STREQ(test, buf, "9223372036854775807");
	snprintf(buf, sizeof(buf), "%lld", -9223372036854775807LL - 1);
	EXPECT_STREQ(test, buf, "-9223372036854775808");
	EXPECT_EQ(test, snprintf(buf, sizeof(buf), "%llu", ~0ULL), 20);
	EXPECT_STREQ(test, buf, "18446744073709551615");
	snprintf(buf, sizeof(buf), "%llx %llo", ~0ULL, ~0ULL);
	EXPECT_STREQ(test, buf, "ffffffffffffffff 1777777777777777777777");
	snprintf(buf, sizeof(buf), "%u %x", 0xffffffffu, 0xffffffffu);
	EXPECT_STREQ(test, buf, "4294967295 ffffffff");
}

KTEST(libc_printf, length_modifiers)
{
	char buf[64];

	/* hh and h truncate to char and short before printing. */
	snprintf(buf, sizeof(buf), "%hhd %hhu %hhx", 200, 300, 0x1ff);
	EXPECT_STREQ(test, buf, "-56 44 ff");
	snprintf(buf, sizeof(buf), "%hd %hu", 70000, 65537);
	EXPECT_STREQ(test, buf, "4464 1");
	snprintf(buf, sizeof(buf), "%ld %lx", -1L, 0x123456789abL);
	EXPECT_STREQ(test, buf, "-1 123456789ab");
	snprintf(buf, sizeof(buf), "%zu %zx", (size_t)-1, (size_t)0x1000);
	EXPECT_STREQ(test, buf, "18446744073709551615 1000");
	snprintf(buf, sizeof(buf), "%zu", sizeof(long long));
	EXPECT_STREQ(test, buf, "8");
	snprintf(buf, sizeof(buf), "%td", (ptrdiff_t)-4096);
	EXPECT_STREQ(test, buf, "-4096");
}

KTEST(libc_printf, width_left_and_zero)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "[%5d][%-5d][%05d]", 42, 42, 42);
	EXPECT_STREQ(test, buf, "[   42][42   ][00042]");
	/* The sign goes before the zero padding. */
	snprintf(buf, sizeof(buf), "[%05d][%5d][%-5d]", -42, -42, -42);
	EXPECT_STREQ(test, buf, "[-0042][  -42][-42  ]");
	/* '-' wins over '0'. */
	fmt_unchecked(buf, sizeof(buf), "[%-05d]", 7);
	EXPECT_STREQ(test, buf, "[7    ]");
	/* A width smaller than the number does not truncate it. */
	snprintf(buf, sizeof(buf), "[%2d][%02x]", 12345, 0xabcu);
	EXPECT_STREQ(test, buf, "[12345][abc]");
	snprintf(buf, sizeof(buf), "[%8s][%-8s]", "abc", "abc");
	EXPECT_STREQ(test, buf, "[     abc][abc     ]");
}

KTEST(libc_printf, integer_precision)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "[%.5d][%8.5d][%-8.3x]", 42, -42, 0xau);
	EXPECT_STREQ(test, buf, "[00042][  -00042][00a     ]");
	/* Precision 0 and value 0: no digits at all. */
	snprintf(buf, sizeof(buf), "[%.0d][%.0u][%3.0x][%.d]", 0, 0u, 0u, 0);
	EXPECT_STREQ(test, buf, "[][][   ][]");
	/* With a precision the '0' flag is ignored. */
	fmt_unchecked(buf, sizeof(buf), "[%08.3d]", 7);
	EXPECT_STREQ(test, buf, "[     007]");
	/* A precision below the digit count changes nothing. */
	snprintf(buf, sizeof(buf), "[%.2d]", 12345);
	EXPECT_STREQ(test, buf, "[12345]");
}

KTEST(libc_printf, sign_flags)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "[%+d][%+d][% d][% d][%+d]", 5, -5, 5, -5, 0);
	EXPECT_STREQ(test, buf, "[+5][-5][ 5][-5][+0]");
	/* '+' beats ' '; both are for signed conversions only. */
	fmt_unchecked(buf, sizeof(buf), "[%+ d][%+u][% x][%+05d]", 5, 5u, 10u, 5);
	EXPECT_STREQ(test, buf, "[+5][5][a][+0005]");
}

KTEST(libc_printf, alternate_form)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "[%#x][%#X][%#o]", 255u, 255u, 8u);
	EXPECT_STREQ(test, buf, "[0xff][0XFF][010]");
	/* Zero gets no 0x; octal zero is still a single 0. */
	snprintf(buf, sizeof(buf), "[%#x][%#o][%#.0o][%#.0x]", 0u, 0u, 0u, 0u);
	EXPECT_STREQ(test, buf, "[0][0][0][]");
	/* Zero padding goes between the prefix and the digits. */
	snprintf(buf, sizeof(buf), "[%#10x][%#010x][%-#6x]", 255u, 255u, 255u);
	EXPECT_STREQ(test, buf, "[      0xff][0x000000ff][0xff  ]");
	/* A precision that already gives a leading 0 needs no extra one. */
	snprintf(buf, sizeof(buf), "[%#.4o]", 8u);
	EXPECT_STREQ(test, buf, "[0010]");
}

KTEST(libc_printf, star_width_and_precision)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "[%*d][%*d]", 5, 42, -5, 42);
	EXPECT_STREQ(test, buf, "[   42][42   ]");
	snprintf(buf, sizeof(buf), "[%.*d][%.*s]", 4, 7, 3, "abcdef");
	EXPECT_STREQ(test, buf, "[0007][abc]");
	/* A negative precision is as if none was given. */
	snprintf(buf, sizeof(buf), "[%.*d][%.*s]", -1, 7, -1, "abc");
	EXPECT_STREQ(test, buf, "[7][abc]");
	snprintf(buf, sizeof(buf), "[%*.*d]", 6, 3, -5);
	EXPECT_STREQ(test, buf, "[  -005]");
}

KTEST(libc_printf, strings)
{
	char raw[3] = { 'x', 'y', 'z' };	/* not NUL-terminated */
	const char *null = NULL;
	char buf[64];

	/* GCC rejects a NULL %s at compile time, hence fmt_unchecked(). */
	EXPECT_EQ(test, fmt_unchecked(buf, sizeof(buf), "%s", null), 6);
	EXPECT_STREQ(test, buf, "(null)");
	fmt_unchecked(buf, sizeof(buf), "[%8s][%-7s]", null, null);
	EXPECT_STREQ(test, buf, "[  (null)][(null) ]");
	snprintf(buf, sizeof(buf), "[%.5s][%.0s][%.10s]", "hello world", "abc", "hi");
	EXPECT_STREQ(test, buf, "[hello][][hi]");
	/* With a precision the string is not read past that many bytes. */
	snprintf(buf, sizeof(buf), "[%.3s]", raw);
	EXPECT_STREQ(test, buf, "[xyz]");
	snprintf(buf, sizeof(buf), "[%-6.2s]", "abcdef");
	EXPECT_STREQ(test, buf, "[ab    ]");
	snprintf(buf, sizeof(buf), "[%s]", "");
	EXPECT_STREQ(test, buf, "[]");
}

KTEST(libc_printf, chars)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "[%c][%3c][%-3c]", 'A', 'B', 'C');
	EXPECT_STREQ(test, buf, "[A][  B][C  ]");
	/* A NUL character is output and counted like any other. */
	memset(buf, CANARY, sizeof(buf));
	EXPECT_EQ(test, snprintf(buf, sizeof(buf), "a%cb", 0), 3);
	EXPECT_EQ(test, buf[0], 'a');
	EXPECT_EQ(test, buf[1], '\0');
	EXPECT_EQ(test, buf[2], 'b');
	EXPECT_EQ(test, buf[3], '\0');
}

KTEST(libc_printf, pointer)
{
	char buf[64];

	EXPECT_EQ(test, snprintf(buf, sizeof(buf), "%p", (void *)0xffffffff80001000UL), 18);
	EXPECT_STREQ(test, buf, "0xffffffff80001000");
	snprintf(buf, sizeof(buf), "%p", (void *)0x1000);
	EXPECT_STREQ(test, buf, "0x0000000000001000");
	/* NULL keeps the same shape, so that columns line up. */
	snprintf(buf, sizeof(buf), "%p", NULL);
	EXPECT_STREQ(test, buf, "0x0000000000000000");
	snprintf(buf, sizeof(buf), "[%20p][%-20p]", (void *)0xabc, (void *)0xabc);
	EXPECT_STREQ(test, buf, "[  0x0000000000000abc][0x0000000000000abc  ]");
}

KTEST(libc_printf, percent_and_unknown)
{
	char buf[32];

	EXPECT_EQ(test, snprintf(buf, sizeof(buf), "100%%"), 4);
	EXPECT_STREQ(test, buf, "100%");
	/* Unknown conversions come out as written. */
	EXPECT_EQ(test, fmt_unchecked(buf, sizeof(buf), "a%yb%5qc"), 8);
	EXPECT_STREQ(test, buf, "a%yb%5qc");
	/* A lone '%' at the end too. */
	EXPECT_EQ(test, fmt_unchecked(buf, sizeof(buf), "50%"), 3);
	EXPECT_STREQ(test, buf, "50%");
	/* Flags and width on "%%" are ignored. */
	fmt_unchecked(buf, sizeof(buf), "[%5%]");
	EXPECT_STREQ(test, buf, "[%]");
}

KTEST(libc_printf, scnprintf)
{
	char buf[16];

	/* The count of characters stored, not the would-be length. */
	EXPECT_EQ(test, scnprintf(buf, 5, "hello world"), 4);
	EXPECT_STREQ(test, buf, "hell");
	EXPECT_EQ(test, scnprintf(buf, sizeof(buf), "%d", 12345), 5);
	EXPECT_STREQ(test, buf, "12345");
	EXPECT_EQ(test, scnprintf(buf, 6, "%s", "abcde"), 5);
	EXPECT_EQ(test, scnprintf(buf, 1, "%s", "abcde"), 0);
	EXPECT_EQ(test, buf[0], '\0');
	EXPECT_EQ(test, scnprintf(buf, 0, "%s", "abcde"), 0);
}

KTEST(libc_printf, append_with_scnprintf)
{
	char buf[12];
	int len = 0;

	/* The Linux idiom: scnprintf() never lets len run past the buffer. */
	for (int i = 0; i < 10; i++)
		len += scnprintf(buf + len, sizeof(buf) - len, "%d,", i);
	EXPECT_EQ(test, len, 11);
	EXPECT_STREQ(test, buf, "0,1,2,3,4,5");
}

/* ---- string ---- */

KTEST(libc_string, memcpy_memset)
{
	char buf[16];

	EXPECT_TRUE(test, memset(buf, 'x', sizeof(buf)) == buf);
	EXPECT_TRUE(test, memcpy(buf + 2, "abcd", 4) == buf + 2);
	EXPECT_MEMEQ(test, buf, "xxabcdxxxx", 10);
	/* Only the low byte of c is stored. */
	memset(buf, 0x141, 3);
	EXPECT_MEMEQ(test, buf, "AAAbcd", 6);
	/* n == 0 touches nothing. */
	memset(buf, 'z', 0);
	memcpy(buf, "qq", 0);
	EXPECT_EQ(test, buf[0], 'A');
}

KTEST(libc_string, memmove_dst_above_src)
{
	char buf[] = "abcdefgh";

	/* Overlap with dst above src must copy from the end. */
	EXPECT_TRUE(test, memmove(buf + 2, buf, 5) == buf + 2);
	EXPECT_STREQ(test, buf, "ababcdeh");
}

KTEST(libc_string, memmove_dst_below_src)
{
	char buf[] = "abcdefgh";

	EXPECT_TRUE(test, memmove(buf, buf + 2, 5) == buf);
	EXPECT_STREQ(test, buf, "cdefgfgh");
	/* Same place and zero length are no-ops. */
	memmove(buf, buf, 8);
	memmove(buf + 1, buf, 0);
	EXPECT_STREQ(test, buf, "cdefgfgh");
}

KTEST(libc_string, memcmp_memchr)
{
	const char *s = "abc\0def";

	EXPECT_EQ(test, memcmp("abc", "abc", 3), 0);
	EXPECT_LT(test, memcmp("abc", "abd", 3), 0);
	EXPECT_GT(test, memcmp("abd", "abc", 3), 0);
	EXPECT_EQ(test, memcmp("abX", "abY", 2), 0);
	/* Bytes compare as unsigned char. */
	EXPECT_GT(test, memcmp("\x80", "\x01", 1), 0);
	/* memchr looks past NULs, but not past n. */
	EXPECT_TRUE(test, memchr(s, 'e', 7) == s + 5);
	EXPECT_TRUE(test, memchr(s, '\0', 7) == s + 3);
	EXPECT_NULL(test, memchr(s, 'e', 5));
	EXPECT_TRUE(test, memchr("\xff", 0xff, 1) != NULL);
}

KTEST(libc_string, strlen_strnlen)
{
	char raw[4] = { 'a', 'b', 'c', 'd' };

	EXPECT_EQ(test, strlen(""), 0);
	EXPECT_EQ(test, strlen("hello"), 5);
	EXPECT_EQ(test, strnlen("hello", 3), 3);
	EXPECT_EQ(test, strnlen("hello", 10), 5);
	EXPECT_EQ(test, strnlen("hello", 0), 0);
	/* strnlen must not read past max. */
	EXPECT_EQ(test, strnlen(raw, sizeof(raw)), 4);
}

KTEST(libc_string, strcmp_strncmp)
{
	EXPECT_EQ(test, strcmp("abc", "abc"), 0);
	EXPECT_LT(test, strcmp("abc", "abd"), 0);
	EXPECT_GT(test, strcmp("abc", "ab"), 0);
	EXPECT_LT(test, strcmp("", "a"), 0);
	EXPECT_GT(test, strcmp("\xe9", "e"), 0);
	EXPECT_EQ(test, strncmp("abcX", "abcY", 3), 0);
	EXPECT_LT(test, strncmp("abcX", "abcY", 4), 0);
	EXPECT_EQ(test, strncmp("a", "b", 0), 0);
	/* Stops at the end of equal strings shorter than n. */
	EXPECT_EQ(test, strncmp("ab", "ab", 100), 0);
	EXPECT_GT(test, strncmp("abc", "ab", 100), 0);
}

KTEST(libc_string, strchr_strrchr)
{
	const char *s = "a/b/c";

	EXPECT_TRUE(test, strchr(s, '/') == s + 1);
	EXPECT_TRUE(test, strrchr(s, '/') == s + 3);
	EXPECT_NULL(test, strchr(s, 'x'));
	EXPECT_NULL(test, strrchr(s, 'x'));
	/* The terminator itself can be searched for. */
	EXPECT_TRUE(test, strchr(s, '\0') == s + 5);
	EXPECT_TRUE(test, strrchr(s, '\0') == s + 5);
	EXPECT_TRUE(test, strrchr(s, 'a') == s);
}

KTEST(libc_string, strcpy_strncpy_strcat)
{
	char buf[16];

	memset(buf, CANARY, sizeof(buf));
	EXPECT_TRUE(test, strcpy(buf, "abc") == buf);
	EXPECT_MEMEQ(test, buf, "abc\0#", 5);
	EXPECT_TRUE(test, strcat(buf, "de") == buf);
	EXPECT_STREQ(test, buf, "abcde");

	/* strncpy pads with NULs up to n ... */
	memset(buf, CANARY, sizeof(buf));
	strncpy(buf, "ab", 5);
	EXPECT_MEMEQ(test, buf, "ab\0\0\0#", 6);
	/* ... and does not terminate a source that is too long. */
	memset(buf, CANARY, sizeof(buf));
	strncpy(buf, "abcdef", 3);
	EXPECT_MEMEQ(test, buf, "abc#", 4);
}

KTEST(libc_string, strlcpy_truncation)
{
	char buf[8];

	/* The return is strlen(src) whatever fits, so callers detect truncation. */
	memset(buf, CANARY, sizeof(buf));
	EXPECT_EQ(test, strlcpy(buf, "hello world", 6), 11);
	EXPECT_STREQ(test, buf, "hello");
	EXPECT_EQ(test, buf[6], CANARY);
	EXPECT_EQ(test, strlcpy(buf, "abc", sizeof(buf)), 3);
	EXPECT_STREQ(test, buf, "abc");
	/* Exact fit. */
	EXPECT_EQ(test, strlcpy(buf, "1234567", sizeof(buf)), 7);
	EXPECT_STREQ(test, buf, "1234567");
	/* size 1 leaves an empty string, size 0 touches nothing. */
	EXPECT_EQ(test, strlcpy(buf, "xyz", 1), 3);
	EXPECT_EQ(test, buf[0], '\0');
	buf[0] = CANARY;
	EXPECT_EQ(test, strlcpy(buf, "xyz", 0), 3);
	EXPECT_EQ(test, buf[0], CANARY);
}

KTEST(libc_string, strlcat)
{
	char buf[8] = "abc";

	EXPECT_EQ(test, strlcat(buf, "de", sizeof(buf)), 5);
	EXPECT_STREQ(test, buf, "abcde");
	/* Truncated: returns the length it tried to make. */
	EXPECT_EQ(test, strlcat(buf, "fghij", sizeof(buf)), 10);
	EXPECT_STREQ(test, buf, "abcdefg");
}

KTEST(libc_string, strstr)
{
	const char *hay = "aaab-needle-x";

	EXPECT_TRUE(test, strstr(hay, "aab") == hay + 1);
	EXPECT_TRUE(test, strstr(hay, "needle") == hay + 5);
	EXPECT_TRUE(test, strstr(hay, "x") == hay + 12);
	EXPECT_NULL(test, strstr(hay, "needles"));
	EXPECT_NULL(test, strstr("", "a"));
	/* The empty needle is found at the start. */
	EXPECT_TRUE(test, strstr(hay, "") == hay);
}

KTEST(libc_string, strspn_strcspn)
{
	EXPECT_EQ(test, strspn("  \tword", " \t"), 3);
	EXPECT_EQ(test, strspn("word", " "), 0);
	EXPECT_EQ(test, strspn("aaa", "a"), 3);
	EXPECT_EQ(test, strspn("abc", ""), 0);
	EXPECT_EQ(test, strcspn("key=value", "=:"), 3);
	EXPECT_EQ(test, strcspn("key", "=:"), 3);
	EXPECT_EQ(test, strcspn("", "="), 0);
	EXPECT_EQ(test, strcspn("abc", ""), 3);
}

KTEST(libc_string, strsep)
{
	char line[] = "a,b,,c";
	char multi[] = "x y\tz";
	char *p = line, *q = multi;

	EXPECT_STREQ(test, strsep(&p, ","), "a");
	EXPECT_STREQ(test, strsep(&p, ","), "b");
	/* Adjacent delimiters give an empty token. */
	EXPECT_STREQ(test, strsep(&p, ","), "");
	EXPECT_TRUE(test, p == line + 5);
	EXPECT_STREQ(test, strsep(&p, ","), "c");
	/* The last token sets the cursor to NULL, after which NULL comes back. */
	EXPECT_NULL(test, p);
	EXPECT_NULL(test, strsep(&p, ","));

	EXPECT_STREQ(test, strsep(&q, " \t"), "x");
	EXPECT_STREQ(test, strsep(&q, " \t"), "y");
	EXPECT_STREQ(test, strsep(&q, " \t"), "z");
	EXPECT_NULL(test, q);
}

/* ---- ctype ---- */

KTEST(libc_ctype, classification)
{
	EXPECT_TRUE(test, isdigit('0') && isdigit('9'));
	EXPECT_FALSE(test, isdigit('/') || isdigit(':') || isdigit('a'));
	EXPECT_TRUE(test, isxdigit('a') && isxdigit('F') && isxdigit('7'));
	EXPECT_FALSE(test, isxdigit('g') || isxdigit('G') || isxdigit('x'));
	EXPECT_TRUE(test, isalpha('a') && isalpha('Z'));
	EXPECT_FALSE(test, isalpha('@') || isalpha('[') || isalpha('`') || isalpha('{'));
	EXPECT_TRUE(test, isalnum('q') && isalnum('5'));
	EXPECT_FALSE(test, isalnum('_'));
	EXPECT_TRUE(test, isupper('A') && !isupper('a'));
	EXPECT_TRUE(test, islower('z') && !islower('Z'));
}

KTEST(libc_ctype, space)
{
	/* The six C blanks, and nothing next to them. */
	EXPECT_TRUE(test, isspace(' ') && isspace('\t') && isspace('\n'));
	EXPECT_TRUE(test, isspace('\v') && isspace('\f') && isspace('\r'));
	EXPECT_FALSE(test, isspace('\b') || isspace(0x0e) || isspace('\0'));
	EXPECT_FALSE(test, isspace('x'));
}

KTEST(libc_ctype, print_punct)
{
	EXPECT_TRUE(test, isprint(' ') && isprint('~'));
	EXPECT_FALSE(test, isprint(0x1f) || isprint(0x7f));
	EXPECT_TRUE(test, ispunct('!') && ispunct('/') && ispunct('@') && ispunct('~'));
	EXPECT_FALSE(test, ispunct(' ') || ispunct('a') || ispunct('0'));
}

KTEST(libc_ctype, not_ascii)
{
	/* ASCII only: bytes above 0x7f and EOF are in no class. */
	EXPECT_FALSE(test, isalpha(0xe9) || isprint(0xa0) || isspace(0x85));
	EXPECT_FALSE(test, isdigit(-1) || isprint(-1));
	EXPECT_EQ(test, toupper(0xe9), 0xe9);
	EXPECT_EQ(test, tolower(-1), -1);
}

KTEST(libc_ctype, case_conversion)
{
	EXPECT_EQ(test, tolower('A'), 'a');
	EXPECT_EQ(test, tolower('Z'), 'z');
	EXPECT_EQ(test, tolower('a'), 'a');
	EXPECT_EQ(test, toupper('m'), 'M');
	/* The neighbours of the letter ranges are left alone. */
	EXPECT_EQ(test, tolower('@'), '@');
	EXPECT_EQ(test, tolower('['), '[');
	EXPECT_EQ(test, toupper('`'), '`');
	EXPECT_EQ(test, toupper('{'), '{');
	EXPECT_EQ(test, toupper('5'), '5');
}

/* ---- number parsing ---- */

KTEST(libc_strtox, strtoul_bases_and_end)
{
	const char *s;
	char *end;

	s = "  0x1fZ";
	EXPECT_EQ(test, strtoul(s, &end, 0), 31);
	EXPECT_TRUE(test, end == s + 6);
	s = "0755 rest";
	EXPECT_EQ(test, strtoul(s, &end, 0), 493);
	EXPECT_TRUE(test, end == s + 4);
	EXPECT_EQ(test, strtoul("1010", NULL, 2), 10);
	EXPECT_EQ(test, strtoul("zz", NULL, 36), 1295);
	EXPECT_EQ(test, strtoul("ff", NULL, 16), 255);
	EXPECT_EQ(test, strtoul("0xff", NULL, 16), 255);
	/* "0x" with no hex digit after it is the number 0, then "x". */
	s = "0x";
	EXPECT_EQ(test, strtoul(s, &end, 0), 0);
	EXPECT_TRUE(test, end == s + 1);
	s = "0xg";
	EXPECT_EQ(test, strtoul(s, &end, 16), 0);
	EXPECT_TRUE(test, end == s + 1);
	/* No digits at all: end is the start, blanks and sign included. */
	s = "  -abc";
	EXPECT_EQ(test, strtoul(s, &end, 10), 0);
	EXPECT_TRUE(test, end == s);
	/* Base 8 stops at the first 8. */
	s = "0789";
	EXPECT_EQ(test, strtoul(s, &end, 0), 7);
	EXPECT_TRUE(test, end == s + 2);
}

KTEST(libc_strtox, strtol_sign_and_saturation)
{
	const char *s;
	char *end;

	EXPECT_EQ(test, strtol("-42", NULL, 10), -42);
	EXPECT_EQ(test, strtol(" \t+7", NULL, 10), 7);
	EXPECT_EQ(test, strtol("-0x10", NULL, 0), -16);
	EXPECT_EQ(test, strtol("9223372036854775807", NULL, 10), 9223372036854775807L);
	EXPECT_EQ(test, strtol("-9223372036854775808", NULL, 10), -9223372036854775807L - 1);
	/* Out of range saturates. */
	EXPECT_EQ(test, strtol("9223372036854775808", NULL, 10), 9223372036854775807L);
	EXPECT_EQ(test, strtoll("-9223372036854775809", NULL, 10), -9223372036854775807LL - 1);
	/* One sign only. */
	s = "+-1";
	EXPECT_EQ(test, strtol(s, &end, 10), 0);
	EXPECT_TRUE(test, end == s);
	s = "- 1";
	EXPECT_EQ(test, strtol(s, &end, 10), 0);
	EXPECT_TRUE(test, end == s);
}

KTEST(libc_strtox, strtoull_negative_and_overflow)
{
	const char *s;
	char *end;

	/* C negates in the unsigned type. */
	EXPECT_UEQ(test, strtoul("-1", NULL, 10), 0xffffffffffffffffULL);
	EXPECT_UEQ(test, strtoull("-2", NULL, 10), 0xfffffffffffffffeULL);
	EXPECT_UEQ(test, strtoull("18446744073709551615", NULL, 10), 0xffffffffffffffffULL);
	/* Overflow saturates and end still moves past every digit. */
	s = "18446744073709551616xyz";
	EXPECT_UEQ(test, strtoull(s, &end, 10), 0xffffffffffffffffULL);
	EXPECT_TRUE(test, end == s + 20);
	EXPECT_UEQ(test, strtoull("-18446744073709551616", NULL, 10), 0xffffffffffffffffULL);
	/* Bases outside 2..36 parse nothing. */
	s = "123";
	EXPECT_EQ(test, strtoul(s, &end, 1), 0);
	EXPECT_TRUE(test, end == s);
	EXPECT_EQ(test, strtoul(s, &end, 37), 0);
	EXPECT_TRUE(test, end == s);
}

KTEST(libc_strtox, kstrtoull_valid)
{
	unsigned long long v;

	ASSERT_EQ(test, kstrtoull("0", 10, &v), 0);
	EXPECT_UEQ(test, v, 0);
	ASSERT_EQ(test, kstrtoull("18446744073709551615", 10, &v), 0);
	EXPECT_UEQ(test, v, 0xffffffffffffffffULL);
	ASSERT_EQ(test, kstrtoull("0xffffffffffffffff", 0, &v), 0);
	EXPECT_UEQ(test, v, 0xffffffffffffffffULL);
	ASSERT_EQ(test, kstrtoull("0x10", 0, &v), 0);
	EXPECT_UEQ(test, v, 16);
	ASSERT_EQ(test, kstrtoull("0X10", 16, &v), 0);
	EXPECT_UEQ(test, v, 16);
	ASSERT_EQ(test, kstrtoull("10", 16, &v), 0);
	EXPECT_UEQ(test, v, 16);
	ASSERT_EQ(test, kstrtoull("010", 0, &v), 0);
	EXPECT_UEQ(test, v, 8);
	ASSERT_EQ(test, kstrtoull("010", 10, &v), 0);
	EXPECT_UEQ(test, v, 10);
	ASSERT_EQ(test, kstrtoull("+5", 10, &v), 0);
	EXPECT_UEQ(test, v, 5);
}

KTEST(libc_strtox, kstrtoull_trailing_newline)
{
	unsigned long long v = 0;

	/* One newline, as echo leaves it, is accepted ... */
	ASSERT_EQ(test, kstrtoull("42\n", 10, &v), 0);
	EXPECT_UEQ(test, v, 42);
	ASSERT_EQ(test, kstrtoull("0x2a\n", 0, &v), 0);
	EXPECT_UEQ(test, v, 42);
	/* ... but not two, nor anything after it. */
	v = 7;
	EXPECT_EQ(test, kstrtoull("42\n\n", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("42\nx", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("\n", 10, &v), -EINVAL);
	EXPECT_UEQ(test, v, 7);
}

KTEST(libc_strtox, kstrtoull_overflow)
{
	unsigned long long v = 7;

	/* 2^64 exactly, in decimal, hex and octal. */
	EXPECT_EQ(test, kstrtoull("18446744073709551616", 10, &v), -ERANGE);
	EXPECT_EQ(test, kstrtoull("0x10000000000000000", 0, &v), -ERANGE);
	EXPECT_EQ(test, kstrtoull("02000000000000000000000", 0, &v), -ERANGE);
	EXPECT_EQ(test, kstrtoull("99999999999999999999999", 10, &v), -ERANGE);
	/* Linux reports the overflow even when garbage follows. */
	EXPECT_EQ(test, kstrtoull("18446744073709551616x", 10, &v), -ERANGE);
	EXPECT_UEQ(test, v, 7);
	/* One below still fits. */
	ASSERT_EQ(test, kstrtoull("01777777777777777777777", 0, &v), 0);
	EXPECT_UEQ(test, v, 0xffffffffffffffffULL);
}

KTEST(libc_strtox, kstrtoull_invalid)
{
	unsigned long long v = 7;

	EXPECT_EQ(test, kstrtoull("", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("0x", 0, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("0x", 16, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("0x\n", 16, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("12a", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("12 ", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull(" 12", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("+", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("+-1", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("08", 0, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("2", 2, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoull("1", 1, &v), -EINVAL);
	EXPECT_UEQ(test, v, 7);
}

KTEST(libc_strtox, negative_for_unsigned)
{
	unsigned long long ull = 7;
	unsigned long ul = 7;
	unsigned int u = 7;

	EXPECT_EQ(test, kstrtoull("-1", 10, &ull), -EINVAL);
	EXPECT_EQ(test, kstrtoull("-0", 10, &ull), -EINVAL);
	EXPECT_EQ(test, kstrtoul("-5", 0, &ul), -EINVAL);
	EXPECT_EQ(test, kstrtouint("-1", 10, &u), -EINVAL);
	EXPECT_UEQ(test, ull, 7);
	EXPECT_UEQ(test, ul, 7);
	EXPECT_UEQ(test, u, 7);
}

KTEST(libc_strtox, kstrtoll_limits)
{
	long long v = 7;

	ASSERT_EQ(test, kstrtoll("-9223372036854775808", 10, &v), 0);
	EXPECT_EQ(test, v, -9223372036854775807LL - 1);
	ASSERT_EQ(test, kstrtoll("9223372036854775807", 10, &v), 0);
	EXPECT_EQ(test, v, 9223372036854775807LL);
	ASSERT_EQ(test, kstrtoll("-0x10\n", 0, &v), 0);
	EXPECT_EQ(test, v, -16);
	ASSERT_EQ(test, kstrtoll("-0", 10, &v), 0);
	EXPECT_EQ(test, v, 0);

	v = 7;
	EXPECT_EQ(test, kstrtoll("9223372036854775808", 10, &v), -ERANGE);
	EXPECT_EQ(test, kstrtoll("-9223372036854775809", 10, &v), -ERANGE);
	EXPECT_EQ(test, kstrtoll("-+1", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoll("--1", 10, &v), -EINVAL);
	EXPECT_EQ(test, kstrtoll("-", 10, &v), -EINVAL);
	EXPECT_EQ(test, v, 7);
}

KTEST(libc_strtox, kstrtoint_kstrtouint_kstrtoul)
{
	unsigned long ul = 7;
	unsigned int u = 7;
	int i = 7;

	ASSERT_EQ(test, kstrtoint("2147483647", 10, &i), 0);
	EXPECT_EQ(test, i, 2147483647);
	ASSERT_EQ(test, kstrtoint("-2147483648", 10, &i), 0);
	EXPECT_EQ(test, i, -2147483647 - 1);
	i = 7;
	EXPECT_EQ(test, kstrtoint("2147483648", 10, &i), -ERANGE);
	EXPECT_EQ(test, kstrtoint("-2147483649", 10, &i), -ERANGE);
	EXPECT_EQ(test, i, 7);

	ASSERT_EQ(test, kstrtouint("4294967295", 10, &u), 0);
	EXPECT_UEQ(test, u, 4294967295U);
	u = 7;
	EXPECT_EQ(test, kstrtouint("4294967296", 10, &u), -ERANGE);
	EXPECT_EQ(test, kstrtouint("0x100000000", 0, &u), -ERANGE);
	EXPECT_UEQ(test, u, 7);

	ASSERT_EQ(test, kstrtoul("0xffffffffffffffff", 16, &ul), 0);
	EXPECT_UEQ(test, ul, 0xffffffffffffffffUL);
	ASSERT_EQ(test, kstrtoul("1000\n", 0, &ul), 0);
	EXPECT_UEQ(test, ul, 1000);
}

KTEST(libc_strtox, memparse_suffixes)
{
	const char *s;
	char *end;

	s = "4K";
	EXPECT_UEQ(test, memparse(s, &end), 4096);
	EXPECT_TRUE(test, end == s + 2);
	EXPECT_UEQ(test, memparse("4k", NULL), 4096);
	EXPECT_UEQ(test, memparse("2M", NULL), 0x200000);
	EXPECT_UEQ(test, memparse("3g", NULL), 0xc0000000);
	EXPECT_UEQ(test, memparse("1T", NULL), 0x10000000000ULL);
	EXPECT_UEQ(test, memparse("1p", NULL), 0x4000000000000ULL);
	EXPECT_UEQ(test, memparse("1E", NULL), 0x1000000000000000ULL);
	EXPECT_UEQ(test, memparse("0x10M", NULL), 0x1000000);
	EXPECT_UEQ(test, memparse("010K", NULL), 8192);
	/* Without a suffix the number is bytes; other letters are left. */
	s = "12@0x1000";
	EXPECT_UEQ(test, memparse(s, &end), 12);
	EXPECT_TRUE(test, end == s + 2);
	s = "5X";
	EXPECT_UEQ(test, memparse(s, &end), 5);
	EXPECT_TRUE(test, end == s + 1);
	/* No digits: nothing consumed, not even a suffix letter. */
	s = "K";
	EXPECT_UEQ(test, memparse(s, &end), 0);
	EXPECT_TRUE(test, end == s);
}

KTEST(libc_strtox, memparse_overflow_saturates)
{
	const char *s = "16E,";
	char *end;

	/* 16 << 60 is 2^64: saturate rather than wrap to 0. */
	EXPECT_UEQ(test, memparse(s, &end), 0xffffffffffffffffULL);
	EXPECT_TRUE(test, end == s + 3);
	EXPECT_UEQ(test, memparse("16384P", NULL), 0xffffffffffffffffULL);
	EXPECT_UEQ(test, memparse("99999999999999999999", NULL), 0xffffffffffffffffULL);
	/* The largest that fits. */
	EXPECT_UEQ(test, memparse("15E", NULL), 0xf000000000000000ULL);
}

KTEST(libc_strtox, kmemparse_valid)
{
	unsigned long long v;

	ASSERT_EQ(test, kmemparse("1G", &v), 0);
	EXPECT_UEQ(test, v, 0x40000000);
	ASSERT_EQ(test, kmemparse("512m\n", &v), 0);
	EXPECT_UEQ(test, v, 0x20000000);
	ASSERT_EQ(test, kmemparse("4096", &v), 0);
	EXPECT_UEQ(test, v, 4096);
	ASSERT_EQ(test, kmemparse("0x200000", &v), 0);
	EXPECT_UEQ(test, v, 0x200000);
	ASSERT_EQ(test, kmemparse("15E", &v), 0);
	EXPECT_UEQ(test, v, 0xf000000000000000ULL);
	ASSERT_EQ(test, kmemparse("17592186044415M", &v), 0);
	EXPECT_UEQ(test, v, 0xfffffffffff00000ULL);
}

KTEST(libc_strtox, kmemparse_errors)
{
	unsigned long long v = 7;

	/* Overflow by the suffix shift as well as by the digits. */
	EXPECT_EQ(test, kmemparse("16E", &v), -ERANGE);
	EXPECT_EQ(test, kmemparse("17592186044416M", &v), -ERANGE);
	EXPECT_EQ(test, kmemparse("18446744073709551616", &v), -ERANGE);
	/* Garbage. */
	EXPECT_EQ(test, kmemparse("", &v), -EINVAL);
	EXPECT_EQ(test, kmemparse("G", &v), -EINVAL);
	EXPECT_EQ(test, kmemparse("1GB", &v), -EINVAL);
	EXPECT_EQ(test, kmemparse("1 G", &v), -EINVAL);
	EXPECT_EQ(test, kmemparse(" 1G", &v), -EINVAL);
	EXPECT_EQ(test, kmemparse("-1G", &v), -EINVAL);
	EXPECT_EQ(test, kmemparse("0x", &v), -EINVAL);
	EXPECT_EQ(test, kmemparse("1G\n\n", &v), -EINVAL);
	EXPECT_UEQ(test, v, 7);
}

KTEST(libc_strtox, kstrtobool_words)
{
	bool v = false;

	EXPECT_EQ(test, kstrtobool("on", &v), 0);
	EXPECT_TRUE(test, v);
	EXPECT_EQ(test, kstrtobool("OFF", &v), 0);
	EXPECT_FALSE(test, v);
	EXPECT_EQ(test, kstrtobool("Yes\n", &v), 0);
	EXPECT_TRUE(test, v);
	EXPECT_EQ(test, kstrtobool("0", &v), 0);
	EXPECT_FALSE(test, v);
	EXPECT_EQ(test, kstrtobool("onx", &v), -EINVAL);
	EXPECT_EQ(test, kstrtobool("", &v), -EINVAL);
	EXPECT_EQ(test, kstrtobool("2", &v), -EINVAL);
	EXPECT_FALSE(test, v);
}
