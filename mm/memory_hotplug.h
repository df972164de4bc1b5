/* SPDX-License-Identifier: MIT */
#ifndef MM_MEMORY_HOTPLUG_H
#define MM_MEMORY_HOTPLUG_H

/*
 * Memory sections offline and online, as Linux's memory blocks (one block
 * is one 128 MiB section here):
 *
 *   /sys/devices/system/memory/block_size_bytes     8000000
 *   /sys/devices/system/memory/memoryN/state        online | offline
 *   /sys/devices/system/memory/memoryN/phys_index   N, in hex
 *
 * `echo offline > .../memoryN/state` takes the section's pages out of the
 * buddy (all of them must be free, else -EBUSY and nothing changes),
 * depopulates its memmap and frees the vmemmap page tables left empty.
 * `echo online` repopulates it and gives the pages back. Hardware-poisoned
 * pages that memory_failure() holds do not keep a section busy, and stay
 * out after it comes back (mm/memory_failure.h).
 */
#include "kernel/types.h"
#include "kernel/errmsg.h"

/* 0, or -EBUSY / -EINVAL / -ENODEV / -ENOMEM with the reason in e. */
int offline_memory_section(unsigned long nr, struct errmsg *e);
int online_memory_section(unsigned long nr, struct errmsg *e);

/* Register the sysfs files of every section with RAM; from mm_init(), once the section table is final. */
void memory_hotplug_init(void);

#endif
