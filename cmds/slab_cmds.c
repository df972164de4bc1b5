// SPDX-License-Identifier: MIT
/* slabcheck: the slab invariant checker from the console. */
#include "mm/slab.h"
#include "mm/debug/check.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "libc/errno.h"

static int cmd_slabcheck(int argc, char **argv)
{
	struct errmsg msg;

	if (shell_no_args(argc, argv))
		return -EINVAL;
	if (slab_check_all(&msg)) {
		printk("slabcheck: %s\n", msg.why);
		return -EINVAL;
	}
	printk("slabcheck: %lu KiB in slabs, %lu KiB kmalloc_large, all caches consistent\n",
	       (slab_unreclaimable_bytes() >> 10) - (slab_large_pages() << 2),
	       slab_large_pages() << 2);
	return 0;
}
SHELL_CMD(slabcheck, "", "run the slab invariant checker on every cache");
