#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check the kernel's include graph: no cycle, no lower folder including a
higher one.

A module is a .c file and its .h beside it (mm/sparse.c + mm/sparse.h):
the header is the module's only door, so an edge A -> B means some file of
A includes B's header. A cycle between modules is an error, and so is an
edge from a folder to a folder above it in LAYERS. Prints each problem on
one line and exits 1 when there is one.
"""
import os
import re
import sys

# Lowest first: a module may include its own folder's headers and those
# of the folders before it; a tuple is one layer of peers. See README.md,
# Layout.
LAYERS = ["libc", "kernel/core", "mm", "mm/debug", "drivers", "kernel",
          ("kernel/proc", "fs"), "bench", "tests", "cmds", "kernel/init"]
# kernel/ holds the services everything builds on (printk, panic, ...,
# and the per-CPU areas, spinlocks and TLB flushes that mm/ takes); the
# shell, the test runner, boot glue and the CPUs' bring-up (smp, apic)
# above mm/ and drivers/; the processes (tasks, the scheduler, signals,
# the system calls) above those; start_kernel on top. Processes and fs/
# are peers: exit and fork close and copy a task's files, a file read
# sleeps on the scheduler. The test runner (kernel/ktest) includes no
# suite: they register through a linker section. The machine's exit
# port is what panic() leaves by.
MODULE_LAYER = {
    "drivers/qemu_exit": "kernel/core",
    # The boot loader's memory map becomes e820 here, for mm_init().
    "kernel/bootinfo": "mm",
    # The AP trampoline's pages below 1 MiB are reserved with the rest of
    # the boot memory, in mm_init().
    "kernel/realmode": "mm",
    # Constants only (the page size, the virtual memory map): the core's
    # TLB flushes count pages with them.
    "mm/layout": "kernel/core",
    # The register frame's offsets, shared by the assembly entry paths.
    "kernel/pt_regs_offsets": "kernel/core",
    "kernel/main": "kernel/init",
}
KERNEL_CORE = {"types", "list", "io", "panic", "printk", "param", "traps",
               "cpu", "seq_buf", "pseudofs", "strerror", "time", "extable",
               "uaccess", "setjmp", "ksyms", "gdt", "console", "errmsg",
               "power", "percpu", "spinlock", "tlbflush"}
KERNEL_PROC = {"task", "sched", "signal", "exit", "fork", "exec", "futex",
               "fpu", "syscall", "syscall_uaccess", "syscalls",
               "syscall_table", "syscall_64", "sys_misc", "sys_mm", "run",
               "bkl"}
# Known debts, each with its reason; anything else fails.
ALLOWED_CYCLES = [
    # panic and traps print, printk masks interrupts, the exception table
    # needs both: one unit in practice, below everything else.
    {"kernel/extable", "kernel/panic", "kernel/printk", "kernel/traps"},
    # The two screen consoles hand over to each other.
    {"drivers/fbcon", "drivers/vgacon"},
    # The process core: a task's state is what each of these changes
    # (the scheduler reaps through exit, signals stop and kill through
    # both, exit and fork close and copy the fd table that names its
    # task); one unit in practice until task.h is split from its users.
    # The interim big kernel lock (kernel/bkl.h) is part of it while it lasts.
    {"fs/fdtable", "kernel/bkl", "kernel/exit", "kernel/fork", "kernel/fpu",
     "kernel/futex", "kernel/sched", "kernel/signal", "kernel/syscall",
     "kernel/syscall_uaccess", "kernel/task"},
]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SRC_DIRS = ["boot", "kernel", "mm", "drivers", "libc", "fs", "cmds",
            "bench", "tests"]


def module_of(path):
    return os.path.splitext(path)[0]


def folder_of(module):
    folder = os.path.dirname(module)
    if module in MODULE_LAYER:
        return MODULE_LAYER[module]
    if folder == "kernel" and os.path.basename(module) in KERNEL_CORE:
        return "kernel/core"
    if folder == "kernel" and os.path.basename(module) in KERNEL_PROC:
        return "kernel/proc"
    if folder.startswith("tests"):
        return "tests"
    return folder


def collect(root):
    edges = {}
    for top in SRC_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            if "/host" in dirpath:
                continue
            for name in files:
                if not name.endswith((".c", ".h", ".S")):
                    continue
                path = os.path.relpath(os.path.join(dirpath, name), root)
                with open(os.path.join(root, path), errors="replace") as f:
                    text = f.read()
                src = module_of(path)
                for inc in INCLUDE.findall(text):
                    dst = module_of(inc)
                    if dst != src and os.path.exists(os.path.join(root, inc)):
                        edges.setdefault(src, set()).add(dst)
    return edges


def find_cycles(edges):
    """Tarjan's strongly connected components of more than one module."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def rank(folder):
    for i, layer in enumerate(LAYERS):
        if folder == layer or (isinstance(layer, tuple) and folder in layer):
            return i
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    edges = collect(root)
    problems = []
    for comp in find_cycles(edges):
        if set(comp) not in ALLOWED_CYCLES:
            problems.append("include cycle: " + " -> ".join(comp))
    for src in sorted(edges):
        for dst in sorted(edges[src]):
            a, b = rank(folder_of(src)), rank(folder_of(dst))
            if a is not None and b is not None and b > a:
                problems.append("%s (%s) includes %s (%s), a higher folder"
                                % (src, folder_of(src), dst, folder_of(dst)))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("includes: %d modules, no new cycle, no upward include (%d known debts)"
          % (len(edges), len(ALLOWED_CYCLES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
