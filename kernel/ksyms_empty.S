/* SPDX-License-Identifier: MIT */
/* The first link has no symbol table yet; scripts/gen_ksyms.sh makes one. */
	.section .ksyms, "a"
	.balign 8
	.globl	ksym_count, ksym_table
ksym_count:
	.quad	0
ksym_table:
