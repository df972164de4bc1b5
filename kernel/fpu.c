// SPDX-License-Identifier: MIT
#include "kernel/fpu.h"
#include "libc/string.h"

#define MXCSR_OFFSET	24
#define MXCSR_DEFAULT	0x1f80
/* Every bit FXRSTOR accepts on any SSE2 CPU (not DAZ): others #GP. */
#define MXCSR_SAFE_MASK	0xffbf
#define FCW_DEFAULT	0x037f

static void fxsave(u8 *buf)
{
	__asm__ __volatile__("fxsave64 %0" : "=m"(*(u8 (*)[FPU_STATE_SIZE])buf));
}

static void fxrstor(const u8 *buf)
{
	__asm__ __volatile__("fxrstor64 %0" :: "m"(*(const u8 (*)[FPU_STATE_SIZE])buf));
}

static u8 *fpu_area(struct task_struct *t)
{
	if (!t->fpu)
		t->fpu = (u8 *)ALIGN((unsigned long)t->fpu_buf, 16);
	return t->fpu;
}

void fpu_init_task(struct task_struct *t)
{
	u8 *f = fpu_area(t);
	u32 mxcsr = MXCSR_DEFAULT;
	u16 fcw = FCW_DEFAULT;

	memset(f, 0, FPU_STATE_SIZE);
	memcpy(f, &fcw, sizeof(fcw));
	memcpy(f + MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
}

u8 *fpu_save_current(void)
{
	u8 *f = fpu_area(current);

	fxsave(f);
	return f;
}

void fpu_copy(struct task_struct *to, struct task_struct *from)
{
	if (from == current && from->mm)
		fpu_save_current();
	else
		fpu_area(from);
	memcpy(fpu_area(to), from->fpu, FPU_STATE_SIZE);
}

void fpu_restore_current(u8 *image)
{
	u32 mxcsr;

	memcpy(&mxcsr, image + MXCSR_OFFSET, sizeof(mxcsr));
	mxcsr &= MXCSR_SAFE_MASK;
	memcpy(image + MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
	if (image != fpu_area(current))
		memcpy(current->fpu, image, FPU_STATE_SIZE);
	fxrstor(current->fpu);
}

void fpu_switch(struct task_struct *prev, struct task_struct *next)
{
	if (prev->mm)
		fxsave(fpu_area(prev));
	if (next->mm)
		fxrstor(fpu_area(next));
}
