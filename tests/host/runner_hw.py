#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot pagefold in QEMU the way a real PC would meet it, and check what
the serial-only runner (tests/host/runner.py) cannot see: the screen, the
keyboard, ACPI power off and reboot, and awkward machines.

Each scenario is one QEMU, driven through QMP (QEMU's monitor protocol,
on a UNIX socket): `screendump` takes screenshots, `send-key` types on
the PS/2 keyboard, `pmemsave` reads VGA text memory, and the SHUTDOWN
and RESET events tell a guest power-off from a crash or a reset.

    screen-bios    SeaBIOS, -vga std framebuffer: banner and prompt on
                   the screen, typing (shift, Ctrl-U, Ctrl-C) reaches the
                   shell, `reboot` brings GRUB back, `poweroff` ends QEMU
                   without isa-debug-exit
    screen-uefi    OVMF GOP, -serial none: banner and prompt on the
                   screen, typing shows on it, `poweroff` ends QEMU
    textmode       GRUB leaves VGA text mode (gfxpayload=text): the text
                   is in the VGA's memory at 0xb8000
    noserial-*     -serial none, this file's suites: the verdict comes
                   through isa-debug-exit alone (SeaBIOS on pc, OVMF on q35)
    qemu64-*       -cpu qemu64 (no 1 GiB pages), -smp 4,
                   -m 3G,slots=2,maxmem=8G, test=all, on pc and q35
    no-i8042-*     no PS/2 controller (pc: nothing answers; q35: the
                   FADT says so): the shell still comes up

Screens are checked against the console font itself: this script parses
the PSF file the kernel was built with (its own parser, not the build's
converter), and a text is on the screen when the pixels of its glyphs
are, cell by cell.

    python3 tests/host/runner_hw.py             every scenario
    python3 tests/host/runner_hw.py --list
    python3 tests/host/runner_hw.py --only screen-bios,textmode

The last line is `N passed, N failed` (checks); the exit status is
non-zero when one failed.
"""

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import qemu
from accel import announce_accel
from common import say, split_names
from hw_scenarios import SCENARIOS, build_isos, font_path, report, run_scenario
from qemu import check_qemu
from screen import Font


def main(argv=None):
    p = argparse.ArgumentParser(description="Screen, keyboard, ACPI and odd-machine "
                                            "tests of pagefold in QEMU.")
    p.add_argument("--only", action="append", metavar="NAME[,NAME]")
    p.add_argument("--list", action="store_true")
    p.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--qemu", default=qemu.QEMU)
    args = p.parse_args(argv)
    scenarios = SCENARIOS
    only = split_names(args.only)
    if only:
        unknown = set(only) - {s.name for s in SCENARIOS}
        if unknown:
            raise SystemExit(f"runner_hw: unknown scenario {', '.join(sorted(unknown))}")
        scenarios = [s for s in SCENARIOS if s.name in only]
    if args.list:
        for s in scenarios:
            print(f"{s.name:<14} {s.firmware:<5} {s.machine:<14} {s.cmdline or '(shell)':<9} "
                  f"{'serial' if s.serial else 'no serial':<10} -m {s.memory} {s.extra}")
        return 0
    qemu.QEMU = args.qemu
    check_qemu(qemu.QEMU)
    announce_accel("runner_hw")
    start = time.monotonic()
    isos = build_isos(scenarios)
    font = Font(font_path())
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {s.name: pool.submit(run_scenario, s, font, isos)
                   for s in sorted(scenarios, key=lambda s: -s.weight)}
        results = []
        for s in scenarios:
            results.append(futures[s.name].result())
            report(results[-1])
    passed = sum(ok for r in results for _, ok, _ in r.checks)
    failed = sum(not ok for r in results for _, ok, _ in r.checks)
    say(f"runner_hw: {len(results)} scenarios in {time.monotonic() - start:.0f} s")
    say(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
