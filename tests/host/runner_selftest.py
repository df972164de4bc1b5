#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The test of tests/host/runner.py: a runner that calls everything a pass is
worse than none. A test that fails, a test that triggers an unexpected
page fault and a kernel that hangs must each make the run fail, with the
cause named.

Part one feeds parse_ktap() and judge() synthetic serial logs (no QEMU
needed) and checks the accelerator choice against fake QEMUs. Part two
boots the deliberately broken suites of tests/kernel/test_runner_selftest.c
on bios-cd, in the self-test image (make KTEST=selftest):

    test=runner_fail   -> FAIL naming runner_fail.<case>
    test=runner_fault  -> CRASH whose cause contains #PF
    test=runner_hang   -> TIMEOUT (after 20 s)
    test=runner_skip   -> PASS, the suite skipped (# SKIP) with its reason

and test=all in a normal image (no tests: FAIL saying so) and
test=runner_fail in the test image (KTEST=1, which has no runner_* suite).

    python3 tests/host/runner_selftest.py              both parts
    python3 tests/host/runner_selftest.py --no-boot    part one only
    python3 tests/host/runner_selftest.py --boot-only  part two only

The last line is `N passed, N failed`; the exit status is non-zero when
a check failed.
"""

import argparse
import os
import sys

import qemu
from accel import announce_accel
from qemu import check_qemu
from selftest_accel import test_accel
from selftest_boots import test_boots
from selftest_checks import Checks
from selftest_parse import test_judge, test_parse, test_plumbing


def main():
    p = argparse.ArgumentParser(description="Test tests/py.")
    part = p.add_mutually_exclusive_group()
    part.add_argument("--no-boot", action="store_true",
                      help="only the synthetic checks (no kernel or QEMU needed)")
    part.add_argument("--boot-only", action="store_true",
                      help="only the real boots of the runner_* suites")
    p.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1),
                   help="QEMUs running at once (default: min(2, CPUs))")
    p.add_argument("--timeout-scale", type=float, default=1.0, metavar="F",
                   help="multiply the boot timeouts by F")
    p.add_argument("--qemu", default=qemu.QEMU, metavar="PATH", help="the QEMU binary")
    args = p.parse_args()

    c = Checks()
    if not args.boot_only:
        test_parse(c)
        test_judge(c)
        test_plumbing(c)
        test_accel(c)
    if not args.no_boot:
        qemu.QEMU = args.qemu
        check_qemu(qemu.QEMU)
        announce_accel("runner_selftest")
        test_boots(c, args.jobs, args.timeout_scale)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
