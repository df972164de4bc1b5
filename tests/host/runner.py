#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot pagefold in QEMU under several machine configurations and check
the in-kernel tests.

Each configuration (firmware, boot medium, memory size, kernel command
line) gets its own ISO (built by `make iso`), its own QEMU and its own
serial log in build/test-logs/<config>.log. The verdict of one boot comes
from two independent witnesses, which must agree:

  * QEMU's exit status, set by the kernel through isa-debug-exit
    (33 = all passed, 35 = a test failed, 37 = panic or CPU exception;
    anything else, or being killed by our timeout, is a crash or a hang);
  * the KTAP version 1 report on the serial console, parsed strictly.

The last line printed is always `N passed, N failed` (test cases over
all configurations); the exit status is non-zero on any failure.

    python3 tests/host/runner.py                 every configuration
    python3 tests/host/runner.py --only bios-cd  one of them
    python3 tests/host/runner.py --list          the table
    python3 tests/host/runner.py --group memory  the memory sizes of issue 3
    python3 tests/host/runner.py --bench         boot once with bench=all and
                                                 print the benchmark table
    python3 tests/host/runner.py --accel         say which accelerator the runs
                                                 use and why; print its QEMU
                                                 arguments (for `make run`)

This file is the command line only; beside it: configs.py (the table),
ktap.py (the parser), iso.py (`make iso`), qemu.py (QEMU's command line
and process), accel.py (KVM or TCG), verdict.py (judging one boot),
boot.py (booting and reporting) and bench.py (--bench).
"""

import argparse
import contextlib
import os
import signal
import sys

import common
import qemu
from accel import AccelError, accel_choice
from bench import run_bench
from boot import exit_code, print_summary, print_table, run_all
from common import say, split_names
from configs import BENCH_CONFIG, CONFIGS, adjust, select
from qemu import check_qemu


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Boot pagefold in QEMU and check its in-kernel tests (KTAP).")
    p.add_argument("--only", action="append", metavar="NAME[,NAME]",
                   help="run only these configurations")
    p.add_argument("--group", action="append", metavar="G[,G]",
                   help="run only the configurations in these groups")
    p.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1),
                   help="QEMUs running at once (default: min(2, CPUs))")
    p.add_argument("--timeout-scale", type=float, default=1.0, metavar="F",
                   help="multiply every timeout by F (slow hosts, TCG)")
    p.add_argument("--list", action="store_true",
                   help="print the configurations and exit")
    p.add_argument("--keep-going", action=argparse.BooleanOptionalAction, default=True,
                   help="after a failure, still boot the remaining configurations "
                        "(default; --no-keep-going stops starting new ones)")
    p.add_argument("--cmdline-extra", default="", metavar="STR",
                   help="append STR to every configuration's kernel command line")
    p.add_argument("--qemu", default=qemu.QEMU, metavar="PATH",
                   help=f"the QEMU binary (default: {qemu.QEMU})")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print each QEMU command line")
    p.add_argument("--accel", action="store_true",
                   help="choose the accelerator as the runs do, say which and why "
                        "(stderr), print its QEMU arguments (stdout) and exit")
    p.add_argument("--bench", nargs="?", const="all", metavar="NAME[,NAME]",
                   help="instead of the tests: boot once with bench=NAMES (default "
                        f"all; {BENCH_CONFIG.firmware}-{BENCH_CONFIG.boot}, "
                        f"-m {BENCH_CONFIG.memory}) and print the benchmark table")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    if args.timeout_scale <= 0:
        p.error("--timeout-scale must be positive")
    return args


def print_accel():
    """--accel, for `make run`: the QEMU arguments alone on stdout."""
    with contextlib.redirect_stdout(sys.stderr):
        accel = accel_choice()
        say(accel.line)
    print(" ".join(accel.args))
    return 0


def interrupt(signum, frame):
    """SIGTERM (a cancelled CI job) cleans up like Ctrl-C."""
    raise KeyboardInterrupt


def main(argv=None):
    signal.signal(signal.SIGTERM, interrupt)
    args = parse_args(argv)
    configs = select(CONFIGS, split_names(args.only), split_names(args.group))
    if args.list:
        print_table(configs)
        return 0
    qemu.QEMU, common.VERBOSE = args.qemu, args.verbose
    check_qemu(qemu.QEMU)
    try:
        if args.accel:
            return print_accel()
        if args.bench:
            return run_bench(args.bench, qemu.QEMU, args.timeout_scale)
        say(accel_choice().line)
    except AccelError as e:
        raise SystemExit(f"runner: {e}")
    configs = [adjust(c, args.timeout_scale, args.cmdline_extra) for c in configs]
    if not configs:
        raise SystemExit("runner: no configuration selected")
    say(f"booting {len(configs)} configuration(s), {args.jobs} at a time")
    try:
        results = run_all(configs, args.jobs, args.keep_going, qemu.QEMU)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    print_summary(configs, results)
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())

