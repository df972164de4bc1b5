/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include "kernel/task.h"

struct mm;

/* Wake up to n waiters on (mm, uaddr); the number woken. */
int futex_wake_address(struct mm *mm, unsigned long uaddr, int n);
/*
 * Linux's exit_robust_list(): every futex on t's robust list that t
 * still owns gets FUTEX_OWNER_DIED and one waiter woken. t is current,
 * its mm still loaded (exit and exec call it before dropping the mm).
 */
void futex_exit_robust(struct task_struct *t);
/* The task is exiting: off any futex queue. */
void futex_exit(struct task_struct *t);

#endif
