#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The test of tests/runner.py: a runner that calls everything a pass is
worse than none. A test that fails, a test that triggers an unexpected
page fault and a kernel that hangs must each make the run fail, with the
cause named.

Part one feeds parse_ktap() and judge() synthetic serial logs (no QEMU
needed). Part two boots the deliberately broken suites of
tests/test_runner_selftest.c on bios-cd:

    test=runner_fail   -> FAIL naming runner_fail.<case>
    test=runner_fault  -> CRASH whose cause contains #PF
    test=runner_hang   -> TIMEOUT (after 20 s)
    test=runner_skip   -> PASS, the suite skipped (# SKIP) with its reason

    python3 tests/runner_selftest.py              both parts
    python3 tests/runner_selftest.py --no-boot    part one only
    python3 tests/runner_selftest.py --boot-only  part two only

The last line is `N passed, N failed`; the exit status is non-zero when
a check failed.
"""

import argparse
import contextlib
import dataclasses
import fnmatch
import io
import os
import re
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runner  # noqa: E402


class Checks:
    """Counts checks and prints the failed ones with what was seen."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, seen=""):
        if condition:
            self.passed += 1
            print(f"ok     {name}")
        else:
            self.failed += 1
            print(f"FAILED {name}")
            for line in str(seen).splitlines():
                print(f"       | {line}")
        return condition


def ktap(text):
    """Synthetic serial text: dedented, so that the 4-space nesting of
    the KTAP report is what the test writes inside the block."""
    return textwrap.dedent(text).lstrip("\n")


def errors_of(result):
    return "\n".join(result.errors)


# ---------------------------------------------------------------------------
# Part one: synthetic logs
# ---------------------------------------------------------------------------

ALL_PASS = ktap("""
    SeaBIOS (version 1.16.2)
    pagefold version 0.1 x86_64
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: buddy
        1..3
        ok 1 split
        # merge: a log line that is not a failure
        ok 2 merge
        ok 3 huge # SKIP no memory above 4G
    ok 1 buddy
    memblock: a kernel message between suites
        KTAP version 1
        # Subtest: e820
        1..1
        ok 1 sanitize
    ok 2 e820
    # Totals: pass:3 fail:0 skip:1 total:4
    ktest: all passed
    """)

ONE_FAILS = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..2
        ok 1 split
        # merge: EXPECTATION FAILED at mm/test_buddy.c:42
        # Expected nr_free() == before, but nr_free() == 7, before == 8
        not ok 2 merge
    not ok 1 buddy
    # Totals: pass:1 fail:1 skip:0 total:2
    """)

MISSING_RESULTS = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..3
        ok 1 split
        ok 2 merge
    ok 1 buddy
    # Totals: pass:2 fail:0 skip:0 total:2
    """)

NO_TOP_PLAN = ktap("""
    KTAP version 1
        KTAP version 1
        # Subtest: buddy
        1..1
        ok 1 split
    ok 1 buddy
    # Totals: pass:1 fail:0 skip:0 total:1
    """)

NO_SUITE_PLAN = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        ok 1 split
    ok 1 buddy
    # Totals: pass:1 fail:0 skip:0 total:1
    """)

RESULT_BEYOND_PLAN = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..1
        ok 1 split
        ok 2 merge
    ok 1 buddy
    # Totals: pass:2 fail:0 skip:0 total:2
    """)

SUITES_MISSING = ktap("""
    KTAP version 1
    1..3
        KTAP version 1
        # Subtest: buddy
        1..1
        ok 1 split
    ok 1 buddy
    # Totals: pass:1 fail:0 skip:0 total:1
    """)

NO_VERSION = ktap("""
    pagefold version 0.1 x86_64
    1..1
        # Subtest: buddy
        1..1
        ok 1 split
    ok 1 buddy
    """)

CRASH_AFTER_PARTIAL = ktap("""
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: traps
        1..1
    Kernel panic - not syncing: provoked on purpose, caught by the test
        ok 1 panic_is_caught
    ok 1 traps
        KTAP version 1
        # Subtest: runner_fault
        1..2
        ok 1 warm_up
    EXCEPTION: #PF Page Fault, error 0x0 at RIP ffffffff80101234 <f+0x10>
    CR2: ffffc90000005000 (read, not present)
    RAX: 0000000000000000 RBX: 0000000000000000 RCX: 0000000000000000
    Call Trace:
     [<ffffffff80101234>] f+0x10
    Kernel panic - not syncing: Fatal exception #PF Page Fault
    ---[ end Kernel panic - not syncing: Fatal exception #PF Page Fault ]---
    """)

TOTALS_MISMATCH = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..2
        ok 1 split
        ok 2 merge
    ok 1 buddy
    # Totals: pass:3 fail:0 skip:0 total:3
    """)

DUPLICATE_RESULT = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..2
        ok 1 split
        ok 1 split
    ok 1 buddy
    # Totals: pass:2 fail:0 skip:0 total:2
    """)

OUT_OF_ORDER = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..2
        ok 2 merge
        ok 1 split
    ok 1 buddy
    # Totals: pass:2 fail:0 skip:0 total:2
    """)

SUITE_OK_CASE_FAILED = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..1
        not ok 1 split
    ok 1 buddy
    # Totals: pass:0 fail:1 skip:0 total:1
    """)

# devdax without device memory: every case skipped, and the suite too.
SUITE_SKIPPED = ktap("""
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: devdax
        1..2
        ok 1 create # SKIP no device memory
        ok 2 destroy # SKIP no device memory
    ok 1 devdax # SKIP no device memory
        KTAP version 1
        # Subtest: e820
        1..1
        ok 1 sanitize
    ok 2 e820
    # Totals: pass:1 fail:0 skip:2 total:3
    """)

# What the kernel printed before it knew the directive.
SUITE_SKIPPED_AS_OK = SUITE_SKIPPED.replace("ok 1 devdax # SKIP no device memory",
                                            "ok 1 devdax")
SUITE_SKIP_BUT_RAN = SUITE_SKIPPED.replace("ok 2 destroy # SKIP no device memory",
                                           "ok 2 destroy")

# hugetlb-6g whose 1 GiB cases found no 1 GiB page.
GIGANTIC_SKIPPED = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: hugetlb
        1..3
        ok 1 grow_and_shrink
        ok 2 gigantic_optimized_accounting # SKIP no free aligned 1 GiB range in this guest
        ok 3 mixed_pools
    ok 1 hugetlb
    # Totals: pass:2 fail:0 skip:1 total:3
    """)
GIGANTIC_RAN = GIGANTIC_SKIPPED.replace(
    " # SKIP no free aligned 1 GiB range in this guest", "").replace(
    "pass:2 fail:0 skip:1", "pass:3 fail:0 skip:0")

# The same report as a serial port delivers it after GRUB: CRLF line ends,
# escape sequences, a CR-prefixed first line.
SERIAL_NOISE = ("\x1b[2J\x1b[0mGNU GRUB  version 2.06\x1b[H\r\n"
                + "\r" + ALL_PASS.replace("\n", "\r\n"))


def test_parse(c):
    """parse_ktap on well-formed and broken reports."""
    r = runner.parse_ktap(ALL_PASS)
    c.check("all pass: ok", r.ok, errors_of(r))
    c.check("all pass: 3 passed, 1 skipped, 0 failed",
            (r.passed, r.skipped, r.failed) == (3, 1, 0), (r.passed, r.skipped, r.failed))
    c.check("all pass: skip reason kept",
            any(x.skip_reason == "no memory above 4G" for x in r.cases), r.cases)

    r = runner.parse_ktap(SERIAL_NOISE)
    c.check("serial noise (CRLF, escapes) is ignored", r.ok and r.passed == 3, errors_of(r))

    r = runner.parse_ktap(ONE_FAILS)
    failed = [x for x in r.cases if x.status == "fail"]
    c.check("one fails: not ok, no KTAP error", not r.ok and not r.errors, errors_of(r))
    c.check("one fails: the case is buddy.merge",
            [x.full_name for x in failed] == ["buddy.merge"], failed)
    c.check("one fails: its diagnostics are attached",
            failed and any("mm/test_buddy.c:42" in d for d in failed[0].diagnostics), failed)
    c.check("one fails: the passing case has no diagnostics",
            all(not x.diagnostics for x in r.cases if x.status == "pass"), r.cases)

    r = runner.parse_ktap(MISSING_RESULTS)
    c.check("missing results: reported", not r.ok and "missing" in errors_of(r), errors_of(r))
    c.check("missing results: count as a failure", r.failed == 1, r.failed)

    r = runner.parse_ktap(NO_TOP_PLAN)
    c.check("no top-level plan: reported", not r.ok and "plan" in errors_of(r), errors_of(r))
    r = runner.parse_ktap(NO_SUITE_PLAN)
    c.check("no suite plan: reported", not r.ok and "no plan" in errors_of(r), errors_of(r))
    r = runner.parse_ktap(RESULT_BEYOND_PLAN)
    c.check("result beyond the plan: reported",
            not r.ok and "beyond the plan" in errors_of(r), errors_of(r))
    r = runner.parse_ktap(SUITES_MISSING)
    c.check("suites missing: reported",
            not r.ok and "2 of 3 suites missing" in errors_of(r), errors_of(r))

    r = runner.parse_ktap(NO_VERSION)
    c.check("no version line: no KTAP found",
            not r.found and not r.ok and "no KTAP output" in errors_of(r), errors_of(r))

    r = runner.parse_ktap(CRASH_AFTER_PARTIAL)
    c.check("crash: not ok", not r.ok, errors_of(r))
    c.check("crash: the EXCEPTION line is the cause, not the caught panic",
            r.crash.startswith("EXCEPTION: #PF"), r.crash)
    c.check("crash: stopped inside runner_fault",
            r.stopped_in.startswith("runner_fault (1 of 2"), r.stopped_in)
    c.check("crash: the missing case counts as failed", r.failed == 1, r.failed)
    c.check("crash: missing totals reported", "Totals" in errors_of(r), errors_of(r))

    r = runner.parse_ktap(SUITE_SKIPPED)
    suites = [(x.name, x.status, x.skip_reason) for x in r.suites]
    c.check("suite skipped: ok, 1 passed and 2 skipped cases",
            r.ok and (r.passed, r.skipped, r.failed) == (1, 2, 0), errors_of(r))
    c.check("suite skipped: counted as a skipped suite with its reason, not passed",
            suites == [("devdax", "skip", "no device memory"), ("e820", "pass", "")], suites)
    for log, what, error in ((SUITE_SKIPPED_AS_OK, "suite skipped without '# SKIP'",
                              "has no '# SKIP'"),
                             (SUITE_SKIP_BUT_RAN, "suite '# SKIP' with a case that ran",
                              "says SKIP but")):
        r = runner.parse_ktap(log)
        c.check(f"{what}: reported", not r.ok and error in errors_of(r), errors_of(r))

    r = runner.parse_ktap(TOTALS_MISMATCH)
    c.check("totals mismatch: reported", not r.ok and "totals say" in errors_of(r), errors_of(r))
    r = runner.parse_ktap(DUPLICATE_RESULT)
    c.check("duplicate result: reported", not r.ok and "duplicate" in errors_of(r), errors_of(r))
    r = runner.parse_ktap(OUT_OF_ORDER)
    c.check("out-of-order results: reported", not r.ok and "expected 1" in errors_of(r),
            errors_of(r))
    r = runner.parse_ktap(SUITE_OK_CASE_FAILED)
    c.check("suite ok with a failed case: reported", "says ok" in errors_of(r), errors_of(r))


def test_judge(c):
    """judge() names the cause from QEMU's exit and the report."""
    Run = runner.Run
    passing = runner.parse_ktap(ALL_PASS)
    failing = runner.parse_ktap(ONE_FAILS)
    crashed = runner.parse_ktap(CRASH_AFTER_PARTIAL)
    hung = runner.parse_ktap(CRASH_AFTER_PARTIAL.split("EXCEPTION")[0])

    status, cause = runner.judge(Run(exit_status=33), passing, 60)
    c.check("judge: 33 + clean report = PASS", status == "PASS", cause)
    status, cause = runner.judge(Run(exit_status=35), failing, 60)
    c.check("judge: 35 + failed case = FAIL naming buddy.merge",
            status == "FAIL" and "buddy.merge" in cause and "test_buddy.c:42" in cause, cause)
    status, cause = runner.judge(Run(exit_status=33), failing, 60)
    c.check("judge: 33 but a case failed = FAIL", status == "FAIL" and "buddy.merge" in cause,
            cause)
    status, cause = runner.judge(Run(exit_status=35), passing, 60)
    c.check("judge: 35 but nothing failed = FAIL", status == "FAIL", cause)
    status, cause = runner.judge(Run(exit_status=33), runner.parse_ktap(TOTALS_MISMATCH), 60)
    c.check("judge: 33 + inconsistent report = FAIL", status == "FAIL" and "totals" in cause,
            cause)
    status, cause = runner.judge(Run(exit_status=37), crashed, 60)
    c.check("judge: 37 = CRASH naming #PF", status == "CRASH" and "#PF" in cause, cause)
    status, cause = runner.judge(Run(exit_status=0), hung, 60)
    c.check("judge: status 0 (triple fault) = CRASH", status == "CRASH" and "status 0" in cause,
            cause)
    status, cause = runner.judge(Run(timed_out=True, silent_for=17), hung, 20)
    c.check("judge: killed = TIMEOUT with the silence",
            status == "TIMEOUT" and cause.startswith("timeout after 20 s (no output for 17 s)"),
            cause)
    test_must_run(c)
    status, cause = runner.judge(Run(exit_status=33), runner.parse_ktap("hello\n"), 60)
    c.check("judge: 33 without KTAP = FAIL 'no KTAP output'",
            status == "FAIL" and "no KTAP output" in cause, cause)


def test_must_run(c):
    """A configuration fails when a case it must run was skipped."""
    Run = runner.Run
    must = runner.find_config("hugetlb-6g").must_run

    def verdict(log, patterns=must, run=Run(exit_status=33)):
        ktap = runner.parse_ktap(log)
        status, cause = runner.judge(run, ktap, 60)
        return runner.require_cases(status, cause, ktap, patterns)

    c.check("must run: hugetlb-6g must run hugetlb.gigantic_*",
            any(fnmatch.fnmatchcase("hugetlb.gigantic_optimized_accounting", p)
                for p in must), must)
    status, cause = verdict(GIGANTIC_SKIPPED)
    c.check("must run: a skipped 1 GiB case fails the configuration, naming it and why",
            status == "FAIL" and cause == "hugetlb.gigantic_optimized_accounting was skipped "
            "(no free aligned 1 GiB range in this guest): this configuration must run it", cause)
    status, cause = verdict(GIGANTIC_SKIPPED, patterns=())
    c.check("must run: the same skip passes where nothing is required", status == "PASS", cause)
    status, cause = verdict(GIGANTIC_RAN)
    c.check("must run: the cases ran = PASS", status == "PASS", cause)
    status, cause = verdict(GIGANTIC_RAN, patterns=("hugetlb.gigantic_*", "hugetlb.demote_*"))
    c.check("must run: a pattern no case matches fails the configuration",
            status == "FAIL" and "no case matches 'hugetlb.demote_*'" in cause, cause)
    status, cause = verdict(GIGANTIC_SKIPPED, run=Run(exit_status=35))
    c.check("must run: added to the cause of another failure",
            status == "FAIL" and cause.endswith("must run it")
            and cause.startswith("the kernel exited 'test failed'"), cause)


def test_plumbing(c):
    """The QEMU command line and the option handling."""
    bios_usb = runner.find_config("bios-usb")
    cmd = runner.qemu_command(bios_usb, Path("/x/a,b.iso"), Path("/x/l.log"),
                              accel=["-accel", "tcg"])
    joined = " ".join(cmd)
    c.check("qemu: usb stick on xhci, booted first",
            "qemu-xhci" in cmd and "usb-storage,drive=stick,bootindex=0" in cmd, joined)
    c.check("qemu: comma in the ISO path doubled", "file=/x/a,,b.iso" in joined, joined)
    c.check("qemu: debug exit device and no reboot",
            "isa-debug-exit,iobase=0xf4,iosize=0x04" in cmd and "-no-reboot" in cmd, joined)
    try:
        uefi = runner.qemu_command(runner.find_config("uefi-cd"), Path("/x/a.iso"),
                                   Path("/x/l.log"), accel=[])
        c.check("qemu: uefi uses OVMF via -bios",
                "-bios" in uefi and "OVMF" in uefi[uefi.index("-bios") + 1], uefi)
    except runner.RunnerError as e:
        c.check("qemu: uefi firmware found", False, e)

    names = [x.name for x in runner.select(runner.CONFIGS, ["bios-cd", "uefi-usb"], [])]
    c.check("--only picks by name, in table order", names == ["bios-cd", "uefi-usb"], names)
    names = [x.name for x in runner.select(runner.CONFIGS, [], ["boot"])]
    c.check("--group boot has the four boot configurations",
            names == ["bios-cd", "bios-usb", "uefi-cd", "uefi-usb"], names)
    try:
        runner.select(runner.CONFIGS, ["no-such-config"], [])
        c.check("--only with an unknown name is an error", False)
    except SystemExit:
        c.check("--only with an unknown name is an error", True)
    adjusted = runner.adjust(runner.find_config("bios-cd"), 2.5, "loglevel=7")
    c.check("--timeout-scale and --cmdline-extra apply",
            adjusted.timeout == 300 and adjusted.cmdline == "test=all loglevel=7", adjusted)


# The MSR failure of a host whose /dev/kvm opens but whose KVM cannot
# run the guest (issue 10), as QEMU prints it before aborting.
MSR_ABORT = ("qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n"
             "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: "
             "Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.\n")

# A stand-in for QEMU: under -accel kvm it aborts, hangs or works as its
# mode says; working means the probe's KTAP report and the pass code.
FAKE_QEMU = """#!{python}
import sys, time
args = sys.argv[1:]
kvm = args[args.index("-accel") + 1] == "kvm"
if kvm and {mode!r} == "abort":
    sys.stderr.write({abort!r})
    sys.exit(134)
if kvm and {mode!r} == "hang":
    time.sleep(3600)
with open(args[args.index("-serial") + 1][len("file:"):], "w") as serial:
    serial.write({report!r})
sys.exit(33)
"""


def fake_qemu(work, mode):
    path = Path(work) / f"qemu-{mode}"
    path.write_text(FAKE_QEMU.format(python=sys.executable, mode=mode, abort=MSR_ABORT,
                                     report=ALL_PASS))
    path.chmod(0o755)
    return str(path)


def test_accel(c):
    """The accelerator choice against fake QEMUs, with a KVM device that
    opens (a plain file) or does not exist."""
    with tempfile.TemporaryDirectory(prefix="pagefold-accel-") as work:
        device = Path(work) / "kvm"
        device.write_text("")
        qemu = {mode: fake_qemu(work, mode) for mode in ("abort", "hang", "works")}

        def choose(mode, env=None, timeout=5, kvm_device=device):
            return runner.choose_accel(qemu[mode], env={} if env is None else env,
                                       kvm_device=str(kvm_device), iso=Path(work) / "probe.iso",
                                       timeout=timeout, log_dir=Path(work) / "logs")

        a = choose("abort")
        c.check("accel: QEMU aborting under KVM -> tcg", a.name == "tcg", a)
        c.check("accel: the reason quotes QEMU's MSR error and its status",
                "'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69'" in a.reason
                and "status 134" in a.reason, a.reason)
        c.check("accel: the line names tcg, its arguments and the probe's failure",
                a.line.startswith("accelerator: tcg (-accel tcg -cpu max): the KVM probe")
                and "failed to set MSR" in a.line, a.line)
        a = choose("hang", timeout=2)
        c.check("accel: QEMU hanging under KVM -> tcg", a.name == "tcg", a)
        c.check("accel: the reason is the probe's timeout",
                "failed: timeout after 2 s (no output for" in a.reason, a.reason)
        a = choose("works")
        c.check("accel: QEMU passing the probe under KVM -> kvm", a.name == "kvm", a)
        c.check("accel: the reason gives the probe's verdict",
                "passed: 3 cases, exit status 33" in a.reason
                and a.args == ["-accel", "kvm", "-cpu", "host"], a.line)
        a = choose("works", kvm_device=Path(work) / "no-kvm")
        c.check("accel: no KVM device -> tcg, naming the device's error",
                a.name == "tcg" and a.reason.endswith("no-kvm: No such file or directory"),
                a.line)

        a = choose("abort", env={"PAGEFOLD_ACCEL": "tcg"})
        c.check("accel: PAGEFOLD_ACCEL=tcg forces tcg without a probe",
                a.name == "tcg" and a.reason == "forced by PAGEFOLD_ACCEL=tcg", a.line)
        a = choose("works", env={"PAGEFOLD_ACCEL": "kvm"})
        c.check("accel: PAGEFOLD_ACCEL=kvm with a passing probe -> kvm", a.name == "kvm", a)
        for mode, cause in (("abort", "failed to set MSR 0x10a"), ("hang", "timeout after 2 s")):
            try:
                a = choose(mode, env={"PAGEFOLD_ACCEL": "kvm"}, timeout=2)
                c.check(f"accel: PAGEFOLD_ACCEL=kvm failing the probe ({mode}) is an error",
                        False, a.line)
            except runner.AccelError as e:
                c.check(f"accel: PAGEFOLD_ACCEL=kvm failing the probe ({mode}) is an error",
                        str(e).startswith("PAGEFOLD_ACCEL=kvm but the KVM probe")
                        and cause in str(e), e)
        try:
            a = choose("works", env={"PAGEFOLD_ACCEL": "fast"})
            c.check("accel: PAGEFOLD_ACCEL=fast is an error", False, a.line)
        except runner.AccelError as e:
            c.check("accel: PAGEFOLD_ACCEL=fast is an error", "expected kvm or tcg" in str(e), e)

        test_accel_cache(c, Path(work) / "accel.json", lambda: choose("works"))


def test_accel_cache(c, cache, choose):
    """One probe per run: the first runner writes the cache, the next
    ones read it; a cache made under another PAGEFOLD_ACCEL is not used."""
    def must_not_probe():
        raise AssertionError("probed a second time")

    first = runner.cached_accel(cache, choose, env={})
    try:
        again = runner.cached_accel(cache, must_not_probe, env={})
        c.check("accel cache: a second runner reuses the choice",
                again.name == first.name == "kvm" and "probed once for this run" in again.reason,
                again.line)
    except AssertionError as e:
        c.check("accel cache: a second runner reuses the choice", False, e)
    forced = runner.cached_accel(cache, lambda: runner.Accel("tcg", "forced"),
                                 env={"PAGEFOLD_ACCEL": "tcg"})
    c.check("accel cache: another PAGEFOLD_ACCEL chooses again", forced.reason == "forced",
            forced.line)


# ---------------------------------------------------------------------------
# Part two: real boots of the broken suites
# ---------------------------------------------------------------------------

def broken_configs(scale):
    """bios-cd with the runner_* suites and short timeouts."""
    base = runner.find_config("bios-cd")

    def variant(suite, timeout):
        return dataclasses.replace(base, name=f"self-{suite[len('runner_'):]}",
                                   cmdline=f"test={suite}",
                                   timeout=timeout * scale, groups=())
    return [variant("runner_fail", 60), variant("runner_fault", 60),
            variant("runner_hang", 20), variant("runner_skip", 60)]


def test_boots(c, jobs, scale):
    """Each broken suite must fail the run, for the right reason."""
    configs = broken_configs(scale)
    results = runner.run_all(configs, jobs, True, runner.QEMU)
    fail, fault, hang, skip = results
    for r in results:
        print(f"{r.config.name} cause:")
        print(textwrap.indent(r.cause or "(none)", "    "))

    named = re.findall(r"runner_fail\.\w+", fail.cause)
    cases = {x.full_name: x for x in (fail.ktap.cases if fail.ktap else [])}
    c.check("runner_fail: FAIL", fail.status == "FAIL", fail.status)
    c.check("runner_fail: the cause names runner_fail.<case>", bool(named), fail.cause)
    c.check("runner_fail: the named case failed, with its diagnostics",
            bool(named) and all(n in cases and cases[n].status == "fail"
                                and cases[n].diagnostics for n in named), fail.cause)
    c.check("runner_fail: the passing case still counts as passed",
            fail.passed >= 1 and fail.failed >= 1, (fail.passed, fail.failed))

    c.check("runner_fault: CRASH", fault.status == "CRASH", fault.status)
    c.check("runner_fault: the cause contains #PF", "#PF" in fault.cause, fault.cause)
    c.check("runner_fault: the cause is the EXCEPTION line",
            fault.cause.startswith("EXCEPTION: "), fault.cause)
    c.check("runner_fault: counts as a failure", fault.failed >= 1, fault.failed)

    c.check("runner_hang: TIMEOUT", hang.status == "TIMEOUT", hang.status)
    c.check("runner_hang: the cause says timeout after 20 s",
            hang.cause.startswith(f"timeout after {20 * scale:g} s (no output for"), hang.cause)
    c.check("runner_hang: counts as a failure", hang.failed >= 1, hang.failed)

    suites = [(x.name, x.status, x.skip_reason) for x in skip.ktap.suites] if skip.ktap else []
    c.check("runner_skip: PASS with 0 passed, 2 skipped",
            skip.status == "PASS" and (skip.passed, skip.skipped) == (0, 2),
            (skip.status, skip.cause, skip.passed, skip.skipped))
    c.check("runner_skip: the suite is reported '# SKIP' with its cases' reason",
            suites == [("runner_skip", "skip", "skipped on purpose")], suites)
    status, cause = runner.require_cases(skip.status, skip.cause, skip.ktap,
                                         ("runner_skip.skips_second",))
    c.check("runner_skip: where a configuration must run a case, its skip is a FAIL",
            status == "FAIL" and cause == "runner_skip.skips_second was skipped (skipped on "
            "purpose): this configuration must run it", (status, cause))

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runner.print_summary(configs, results)
    last = out.getvalue().splitlines()[-1]
    m = re.fullmatch(r"(\d+) passed, (\d+) failed", last)
    c.check("the runner's summary ends with 'N passed, N failed', >= 3 failed",
            bool(m) and int(m.group(2)) >= 3, out.getvalue())
    c.check("the runner's exit status is non-zero", runner.exit_code(results) != 0)


def main():
    p = argparse.ArgumentParser(description="Test tests/runner.py.")
    part = p.add_mutually_exclusive_group()
    part.add_argument("--no-boot", action="store_true",
                      help="only the synthetic checks (no kernel or QEMU needed)")
    part.add_argument("--boot-only", action="store_true",
                      help="only the real boots of the runner_* suites")
    p.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1),
                   help="QEMUs running at once (default: min(2, CPUs))")
    p.add_argument("--timeout-scale", type=float, default=1.0, metavar="F",
                   help="multiply the boot timeouts by F")
    p.add_argument("--qemu", default=runner.QEMU, metavar="PATH", help="the QEMU binary")
    args = p.parse_args()

    c = Checks()
    if not args.boot_only:
        test_parse(c)
        test_judge(c)
        test_plumbing(c)
        test_accel(c)
    if not args.no_boot:
        runner.QEMU = args.qemu
        runner.check_qemu(runner.QEMU)
        try:
            print(runner.accel_choice().line)
        except runner.AccelError as e:
            raise SystemExit(f"runner_selftest: {e}")
        test_boots(c, args.jobs, args.timeout_scale)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
