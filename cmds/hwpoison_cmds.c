// SPDX-License-Identifier: MIT
/* poison and unpoison: hardware poison (mm/memory_failure.h) by hand. */
#include "mm/memory_failure.h"
#include "mm/page.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/stdlib.h"

static int parse_pfn(const char *cmd, const char *s, unsigned long *pfn)
{
	if (!kstrtoul(s, 0, pfn))
		return 0;
	printk("%s: '%s' is not a pfn (decimal or 0x...)\n", cmd, s);
	return -EINVAL;
}

static int show_record(const struct hwpoison_info *r, void *arg)
{
	(void)arg;
	printk("%#-14lx  %s (%s)\n", r->pfn, r->state, r->kind);
	return 0;
}

static int list_poisoned(void)
{
	printk("pfn             state\n");
	hwpoison_for_each_record(show_record, NULL);
	printk("HardwareCorrupted: %lu kB\n", num_poisoned_pages() << (PAGE_SHIFT - 10));
	return 0;
}

static int cmd_poison(int argc, char **argv)
{
	unsigned long pfn;

	if (argc == 1)
		return list_poisoned();
	if (argc != 2) {
		printk("poison: usage: poison [pfn]\n");
		return -EINVAL;
	}
	if (parse_pfn("poison", argv[1], &pfn))
		return -EINVAL;
	return memory_failure(pfn, NULL);
}
SHELL_CMD(poison, "[pfn]", "hardware-poison a page (memory_failure), or list the poisoned ones");

static int cmd_unpoison(int argc, char **argv)
{
	struct errmsg e;
	unsigned long pfn;
	int ret;

	if (argc != 2) {
		printk("unpoison: usage: unpoison <pfn>\n");
		return -EINVAL;
	}
	if (parse_pfn("unpoison", argv[1], &pfn))
		return -EINVAL;
	ret = unpoison_memory(pfn, &e);
	if (ret)
		printk("unpoison: %s\n", errmsg_why(&e, ret));
	return ret;
}
SHELL_CMD(unpoison, "<pfn>", "give a hardware-poisoned page back (testing)");
