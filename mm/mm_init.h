/* SPDX-License-Identifier: MIT */
#ifndef MM_MM_INIT_H
#define MM_MM_INIT_H

/* Bring up the memory manager: memory map, memblock, page tables, memmap, buddy. */
void mm_init(void);

#endif
