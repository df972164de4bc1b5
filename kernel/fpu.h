/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_FPU_H
#define KERNEL_FPU_H

/*
 * User x87/SSE state (FXSAVE format). The kernel is built without SSE,
 * so while a user task is in the kernel its registers still hold its
 * state: they are saved only when another user task is switched in.
 */
#include "kernel/types.h"
#include "kernel/task.h"

#define FPU_STATE_SIZE	512

/* A new task's state: what FNINIT and the default MXCSR give. */
void fpu_init_task(struct task_struct *t);
/* Copy from's saved state (the live registers if from is current). */
void fpu_copy(struct task_struct *to, struct task_struct *from);
/* Save the live state into current->fpu and return it. */
u8 *fpu_save_current(void);
/* Load a user-supplied image (MXCSR reserved bits cleared first). */
void fpu_restore_current(u8 *image);
void fpu_switch(struct task_struct *prev, struct task_struct *next);

#endif
