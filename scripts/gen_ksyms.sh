#!/bin/sh
# Turn the text symbols of a linked kernel into the .ksyms table that
# kernel/ksyms.c searches: a count, then sorted (address, name) pairs.
set -eu
elf=$1
syms=$(${NM:-nm} -n "$elf" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\.L/ { print $1, $3 }')
n=$(printf '%s\n' "$syms" | grep -c . || true)
echo '	.section .ksyms, "a"'
echo '	.balign 8'
echo '	.globl ksym_count, ksym_table'
echo 'ksym_count:'
echo "	.quad $n"
echo 'ksym_table:'
i=0
printf '%s\n' "$syms" | while read -r addr name; do
	[ -n "$addr" ] || continue
	echo "	.quad 0x$addr, .Lname$i"
	i=$((i + 1))
done
i=0
printf '%s\n' "$syms" | while read -r addr name; do
	[ -n "$addr" ] || continue
	echo ".Lname$i: .asciz \"$name\""
	i=$((i + 1))
done
