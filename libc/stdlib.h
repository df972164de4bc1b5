/* SPDX-License-Identifier: MIT */
#ifndef LIBC_STDLIB_H
#define LIBC_STDLIB_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Number parsing. strto*() follow C (base 0 detects 0x and 0 prefixes,
 * leading blanks and a sign are accepted, *end points past the number);
 * without errno they saturate on overflow. The kstrto*() functions are the
 * strict ones the kernel uses for input (Linux's kstrtox): the whole
 * string must be one number, a single trailing newline allowed; they
 * return 0, -EINVAL (no digits, garbage) or -ERANGE (overflow) and leave
 * *res alone on error.
 */
unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);

int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
int kstrtoll(const char *s, unsigned int base, long long *res);
int kstrtoint(const char *s, unsigned int base, int *res);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);

/*
 * Linux memparse: a number (0x hex, 0 octal, decimal; no blanks or sign)
 * with an optional K/M/G/T/P/E suffix in either case. *retptr points past
 * what was used. Overflow saturates at ULLONG_MAX instead of wrapping.
 */
unsigned long long memparse(const char *s, char **retptr);
/*
 * Strict memparse: the whole string (one trailing newline allowed) is the
 * value. 0, -EINVAL (garbage) or -ERANGE (overflow, by the digits or by
 * the suffix shift); *res is left alone on error.
 */
int kmemparse(const char *s, unsigned long long *res);

/*
 * Linux's kstrtobool for on/off switches: "on", "1", "y", "yes" and "off",
 * "0", "n", "no" (any case, one trailing newline allowed); 0 or -EINVAL,
 * *res untouched on error.
 */
int kstrtobool(const char *s, bool *res);

/*
 * Marsaglia's xorshift64: a cheap, seeded, reproducible sequence for
 * fault injection and randomised tests (not for anything secret). The
 * state must start non-zero; it is advanced and its new value returned.
 */
uint64_t xorshift64(uint64_t *state);

#endif
