/* SPDX-License-Identifier: MIT */
#ifndef MM_FAIL_PAGE_ALLOC_H
#define MM_FAIL_PAGE_ALLOC_H

/*
 * Fault injection for the page allocator (Linux's fail_page_alloc):
 * fail the nth next allocation, or 1 in N with a seeded generator, so that
 * every caller's failure path can be driven. fail_page_alloc=N or =N,SEED
 * on the command line; allocations with __GFP_NOFAIL_INJECT are exempt
 * (the allocator does not ask).
 */
#include "kernel/types.h"

void fail_page_alloc_nth(unsigned long nth);
void fail_page_alloc_random(unsigned long one_in, u64 seed);
void fail_page_alloc_off(void);
unsigned long fail_page_alloc_injected(void);

/* Asked once per allocation subject to injection: true to fail it. */
bool should_fail_alloc_page(void);

#endif
