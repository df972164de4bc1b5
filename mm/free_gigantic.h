/* SPDX-License-Identifier: MIT */
#ifndef MM_FREE_GIGANTIC_H
#define MM_FREE_GIGANTIC_H

/*
 * Free 1 GiB ranges keep the shape of an optimized 1 GiB page: 2 pages
 * of memmap for 1 GiB instead of 4096, and a 1 GiB pool page is taken
 * and given back without touching a tail. The policy and the diagrams
 * are in mm/free_gigantic.c.
 */
#include "kernel/types.h"
#include "mm/page.h"

/* Register with the buddy (the free-memory dedup's switch rules both). */
void free_gigantic_init(void);
bool free_gigantic_enabled(void);
/* Form every wholly free 1 GiB range that can be (boot, switch on). */
void free_gigantic_form_all(void);
/* Every range back to the lists with a plain memmap (switch off): 0 or -ENOMEM. */
int free_gigantic_release_all(void);
/* buddy_vmemmap_1g= and /proc/sys/vm/buddy_vmemmap_1g: form all, or release all. */
int free_gigantic_set(bool on);
/* A range broken into the lists, its memmap hosted in its own last 16 MiB (tests). */
int free_gigantic_break_hosted(unsigned long start);

/*
 * An optimized 1 GiB pool page leaving the pool stays optimized, as a
 * free range, when wanted (switches on, no take holding the range).
 */
bool free_gigantic_wanted(struct page *head);
void free_gigantic_from_pool(struct page *head);

/* Vmemmap pages the ranges save; ranges formed; ranges hosting their memmap. */
unsigned long free_gigantic_saved_pages(void);
unsigned long free_gigantic_nr_formed(void);
unsigned long free_gigantic_nr_hosted(void);
/* Ranges broken that keep the 2 pages of their 1 GiB shape for forming again. */
unsigned long free_gigantic_nr_parked(void);
/* The state of 1 GiB range gig, for the checker and /proc. */
enum free_gigantic_state { FREE_GIG_NONE, FREE_GIG_FORMED, FREE_GIG_HOSTED };
enum free_gigantic_state free_gigantic_state(unsigned long gig);
/* The memmap saved per range: 4096 struct-page pages kept as 2 (head page, PMD-0 table). */
#define FREE_GIG_SAVED_PAGES	4094
/* Pages at a hosted range's end that hold its memmap: 8 sections x 2 MiB. */
#define FREE_GIG_HOSTED_PAGES	4096

#endif
