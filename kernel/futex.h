/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include "kernel/task.h"

struct mm;

/* Wake up to n waiters on (mm, uaddr); the number woken. */
int futex_wake_address(struct mm *mm, unsigned long uaddr, int n);
/* The task is exiting: off any futex queue. */
void futex_exit(struct task_struct *t);

#endif
