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

# Lowest first: a folder may include its own and the ones before it.
LAYERS = ["libc", "kernel/core", "drivers", "mm", "mm/debug", "kernel",
          "cmds", "bench", "tests"]
# kernel/ holds both the services mm/ builds on (printk, panic, ...) and
# what starts and drives the kernel (main, shell): these are the former.
KERNEL_CORE = {"types", "list", "io", "panic", "printk", "param", "traps",
               "cpu", "seq_buf", "pseudofs", "strerror", "time", "extable",
               "uaccess", "setjmp", "bootinfo", "console", "ksyms", "gdt",
               "power"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SRC_DIRS = ["boot", "kernel", "mm", "drivers", "libc", "cmds", "bench",
            "tests"]


def module_of(path):
    return os.path.splitext(path)[0]


def folder_of(module):
    folder = os.path.dirname(module)
    if folder == "kernel" and os.path.basename(module) in KERNEL_CORE:
        return "kernel/core"
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
    return LAYERS.index(folder) if folder in LAYERS else None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    edges = collect(root)
    problems = []
    for comp in find_cycles(edges):
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
    print("includes: %d modules, no cycle, no upward include" % len(edges))
    return 0


if __name__ == "__main__":
    sys.exit(main())
