/* SPDX-License-Identifier: MIT */
#ifndef MM_HUGETLB_INTERNAL_H
#define MM_HUGETLB_INTERNAL_H

/*
 * Private to mm/hugetlb.c and the pools' files (mm/hugetlb_sysfs.c):
 * everyone else goes through mm/hugetlb.h.
 */
struct hstate;

/* hugetlb_lock (mm/hugetlb.c has the rules), recording its holder. */
void hugetlb_lock_take(void);
void hugetlb_lock_drop(void);
/* Pages that stay when unused: nr_huge_pages less the surplus. */
unsigned long persistent_huge_pages(const struct hstate *h);
/* One free 1 GiB page becomes 512 free 2 MiB pages; takes the lock. */
int hugetlb_demote_one(void);
/* /proc/meminfo's lines, the sysfs and sysctl files (mm/hugetlb_sysfs.c). */
void hugetlb_register_files(void);

#endif
