// SPDX-License-Identifier: MIT
#include "kernel/ksyms.h"
#include "kernel/types.h"
#include "libc/stdio.h"
#include "libc/string.h"

struct ksym {
	unsigned long addr;
	const char *name;
};

extern const unsigned long ksym_count;
extern const struct ksym ksym_table[];
extern const char _text[], _etext[];

const char *ksym_lookup(unsigned long addr, unsigned long *offset)
{
	unsigned long lo = 0, hi = ksym_count;

	if (addr < (unsigned long)_text || addr >= (unsigned long)_etext)
		return NULL;
	if (!ksym_count || addr < ksym_table[0].addr)
		return NULL;
	/* Last symbol whose address is <= addr. */
	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (ksym_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - ksym_table[lo].addr;
	return ksym_table[lo].name;
}

unsigned long ksym_address(const char *name)
{
	unsigned long i;

	for (i = 0; i < ksym_count; i++)
		if (!strcmp(ksym_table[i].name, name))
			return ksym_table[i].addr;
	return 0;
}

const char *ksym_snprint(char *buf, unsigned long len, unsigned long addr)
{
	unsigned long off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		snprintf(buf, len, "%s+0x%lx", name, off);
	else
		snprintf(buf, len, "%#lx", addr);
	return buf;
}
