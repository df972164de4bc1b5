#!/usr/bin/env python3
"""Runs the user/ test programs on the build host (Linux), where their
answers do not depend on the kernel: pagefold must give the same ones.

Each case checks the exit status (or the death by a signal) and the last
line (`PASS NAME`, or for the crash cases the absence of one). hugepage
runs for each size this host can get huge pages of; for the others it
says why not. Every huge-page setting is checked to be back as it was.
Ends with one line `N passed, N failed`.

    python3 tests/host/user_on_linux.py [--list] [--only NAME]
"""

import argparse
import os
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("PAGEFOLD_BUILD", os.path.join(ROOT, "build"))
USER = os.path.join(BUILD, "user")
TIMEOUT = 300

POOLS = {
    "2M": ("/proc/sys/vm/nr_hugepages", 2),
    "1G": ("/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", 1),
}


class Case:
    def __init__(self, name, argv, signal_=None, last=None, status=0,
                 says=None):
        self.name, self.argv = name, argv
        self.says = says                # a line the output must have
        self.signal = signal_           # death by this signal expected
        self.status = status
        prog = argv[0]
        self.last = last if last is not None else (
            None if signal_ else f"PASS {prog}")


CASES = [
    Case("fork_cow", ["fork_cow"]),
    Case("mmap_test", ["mmap_test"]),
    Case("thread_exec", ["thread_exec"]),
    Case("robust_mutex", ["robust_mutex"]),
    Case("shmem_test", ["shmem_test"]),
    Case("crash.badptr", ["crash", "badptr"]),
    Case("crash.null", ["crash", "null"], signal.SIGSEGV,
         says="crash: storing to NULL"),
    Case("crash.rodata", ["crash", "rodata"], signal.SIGSEGV,
         says="crash: writing to read-only data"),
    Case("crash.nx", ["crash", "nx"], signal.SIGSEGV,
         says="crash: executing from a non-executable page"),
    Case("crash.usage", ["crash", "bogus"], status=1,
         last="FAIL crash: unknown case 'bogus' (null, rodata, nx or badptr)"),
    Case("fuzz", ["fuzz", "1", "20000", "4", "2"]),
    Case("seed001.small", ["seed001", "-n", "64", "-m", "256M"]),
    Case("multi_fault", ["multi_fault", "2", "1"]),
    Case("gs_base", ["gs_base", "4"]),
    Case("hugepage.2M", ["hugepage", "2M"]),
    Case("hugepage.1G", ["hugepage", "1G"]),
]


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def write_int(path, value):
    with open(path, "w") as f:
        f.write(f"{value}\n")


def probe_pool(size):
    """None if this host can get the huge pages hugepage needs, else why
    not. The pool is put back as it was either way."""
    path, need = POOLS[size]
    before = read_int(path)
    if before is None:
        return f"{path} cannot be read: no {size} huge pages on this host"
    try:
        write_int(path, before + need)
        got = read_int(path)
    except OSError as e:
        return f"cannot write {path}: {e.strerror}"
    finally:
        try:
            write_int(path, before)
        except OSError:
            pass
    if read_int(path) != before:
        return f"{path} could not be put back to {before}"
    if got is None or got < before + need:
        return f"asked {path} for {before + need} pages, got {got}"
    return None


def host_files():
    """What a program run here could create by mistake: the fuzzer opens
    /bin/fuzz (its own file on pagefold) and relative names in BUILD."""
    return set(os.listdir(BUILD)) | ({"/bin/fuzz"} if os.path.lexists("/bin/fuzz") else set())


def check_output(case, proc):
    lines = proc.stdout.splitlines()
    last = lines[-1] if lines else ""
    if case.says and case.says not in lines:
        return f"no line {case.says!r}"
    if case.signal:
        if proc.returncode != -case.signal:
            return f"status {proc.returncode}, not killed by {case.signal.name}"
        if any(l.startswith(("PASS", "FAIL")) for l in lines):
            return f"survived to print {last!r}"
        return None
    if proc.returncode != case.status:
        return f"exit status {proc.returncode}, not {case.status}: {last!r}"
    if last != case.last:
        return f"last line {last!r}, not {case.last!r}"
    return None


def run_case(case):
    exe = os.path.join(USER, case.argv[0])
    if not os.access(exe, os.X_OK):
        return f"{exe} is not built (make user)"
    pools = {p: read_int(POOLS[p][0]) for p in POOLS}
    files = host_files()
    try:
        proc = subprocess.run([exe] + case.argv[1:], capture_output=True,
                              text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, cwd=BUILD)
    except subprocess.TimeoutExpired:
        return f"no verdict in {TIMEOUT} s"
    for line in proc.stdout.splitlines() + proc.stderr.splitlines():
        print(f"    {line}")
    why = check_output(case, proc)
    created = host_files() - files
    if created:
        why = why or f"created {sorted(created)} on the host"
    for p, before in pools.items():
        after = read_int(POOLS[p][0])
        if after != before:
            why = why or f"{POOLS[p][0]} left at {after}, was {before}"
    return why


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list the cases")
    ap.add_argument("--only", action="append", help="run only this case")
    args = ap.parse_args()
    if args.list:
        for case in CASES:
            print(f"{case.name}: {' '.join(case.argv)}")
        return 0
    cases = [c for c in CASES if not args.only or c.name in args.only]
    if args.only and len(cases) != len(set(args.only)):
        print(f"unknown case in {args.only} (--list shows them)")
        return 2
    passed = failed = 0
    for case in cases:
        if case.argv[0] == "hugepage":
            why_not = probe_pool(case.argv[1])
            if why_not:
                print(f"skip {case.name}: this host cannot get huge pages: {why_not}")
                continue
        print(f"run {case.name}: {' '.join(case.argv)}")
        why = run_case(case)
        if why:
            print(f"not ok {case.name}: {why}")
            failed += 1
        else:
            print(f"ok {case.name}")
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
