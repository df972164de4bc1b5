/* SPDX-License-Identifier: MIT */
#ifndef LIBC_STDLIB_H
#define LIBC_STDLIB_H

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

/* Linux memparse: a number with an optional K/M/G/T/P/E suffix. */
unsigned long long memparse(const char *s, char **retptr);
/* Strict memparse: 0, -EINVAL (garbage) or -ERANGE (overflow). */
int kmemparse(const char *s, unsigned long long *res);

#endif
