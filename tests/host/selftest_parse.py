# SPDX-License-Identifier: MIT
"""Self-test part one: the parser, the verdict and the plumbing on
synthetic input (no kernel or QEMU needed)."""

import fnmatch
from pathlib import Path

from configs import CONFIGS, adjust, find_config, select
from ktap import parse_ktap
from common import RunnerError
from qemu import Run, qemu_command
from selftest_checks import errors_of
from selftest_logs import (ALL_PASS, CRASH_AFTER_PARTIAL, DUPLICATE_RESULT, GIGANTIC_RAN,
                           GIGANTIC_SKIPPED, MISSING_RESULTS, NO_SUITE_PLAN, NO_TOP_PLAN,
                           NO_VERSION, ONE_FAILS, OUT_OF_ORDER, RESULT_BEYOND_PLAN,
                           SERIAL_NOISE, SUITE_OK_CASE_FAILED, SUITE_SKIP_BUT_RAN,
                           SUITE_SKIPPED, SUITE_SKIPPED_AS_OK, SUITES_MISSING,
                           TOTALS_MISMATCH)
from verdict import judge, require_cases


def test_parse(c):
    """parse_ktap on well-formed and broken reports."""
    r = parse_ktap(ALL_PASS)
    c.check("all pass: ok", r.ok, errors_of(r))
    c.check("all pass: 3 passed, 1 skipped, 0 failed",
            (r.passed, r.skipped, r.failed) == (3, 1, 0), (r.passed, r.skipped, r.failed))
    c.check("all pass: skip reason kept",
            any(x.skip_reason == "no memory above 4G" for x in r.cases), r.cases)

    r = parse_ktap(SERIAL_NOISE)
    c.check("serial noise (CRLF, escapes) is ignored", r.ok and r.passed == 3, errors_of(r))

    r = parse_ktap(ONE_FAILS)
    failed = [x for x in r.cases if x.status == "fail"]
    c.check("one fails: not ok, no KTAP error", not r.ok and not r.errors, errors_of(r))
    c.check("one fails: the case is buddy.merge",
            [x.full_name for x in failed] == ["buddy.merge"], failed)
    c.check("one fails: its diagnostics are attached",
            failed and any("mm/test_buddy.c:42" in d for d in failed[0].diagnostics), failed)
    c.check("one fails: the passing case has no diagnostics",
            all(not x.diagnostics for x in r.cases if x.status == "pass"), r.cases)

    r = parse_ktap(MISSING_RESULTS)
    c.check("missing results: reported", not r.ok and "missing" in errors_of(r), errors_of(r))
    c.check("missing results: count as a failure", r.failed == 1, r.failed)

    r = parse_ktap(NO_TOP_PLAN)
    c.check("no top-level plan: reported", not r.ok and "plan" in errors_of(r), errors_of(r))
    r = parse_ktap(NO_SUITE_PLAN)
    c.check("no suite plan: reported", not r.ok and "no plan" in errors_of(r), errors_of(r))
    r = parse_ktap(RESULT_BEYOND_PLAN)
    c.check("result beyond the plan: reported",
            not r.ok and "beyond the plan" in errors_of(r), errors_of(r))
    r = parse_ktap(SUITES_MISSING)
    c.check("suites missing: reported",
            not r.ok and "2 of 3 suites missing" in errors_of(r), errors_of(r))

    r = parse_ktap(NO_VERSION)
    c.check("no version line: no KTAP found",
            not r.found and not r.ok and "no KTAP output" in errors_of(r), errors_of(r))

    r = parse_ktap(CRASH_AFTER_PARTIAL)
    c.check("crash: not ok", not r.ok, errors_of(r))
    c.check("crash: the EXCEPTION line is the cause, not the caught panic",
            r.crash.startswith("EXCEPTION: #PF"), r.crash)
    c.check("crash: stopped inside runner_fault",
            r.stopped_in.startswith("runner_fault (1 of 2"), r.stopped_in)
    c.check("crash: the missing case counts as failed", r.failed == 1, r.failed)
    c.check("crash: missing totals reported", "Totals" in errors_of(r), errors_of(r))

    r = parse_ktap(SUITE_SKIPPED)
    suites = [(x.name, x.status, x.skip_reason) for x in r.suites]
    c.check("suite skipped: ok, 1 passed and 2 skipped cases",
            r.ok and (r.passed, r.skipped, r.failed) == (1, 2, 0), errors_of(r))
    c.check("suite skipped: counted as a skipped suite with its reason, not passed",
            suites == [("devdax", "skip", "no device memory"), ("e820", "pass", "")], suites)
    for log, what, error in ((SUITE_SKIPPED_AS_OK, "suite skipped without '# SKIP'",
                              "has no '# SKIP'"),
                             (SUITE_SKIP_BUT_RAN, "suite '# SKIP' with a case that ran",
                              "says SKIP but")):
        r = parse_ktap(log)
        c.check(f"{what}: reported", not r.ok and error in errors_of(r), errors_of(r))

    r = parse_ktap(TOTALS_MISMATCH)
    c.check("totals mismatch: reported", not r.ok and "totals say" in errors_of(r), errors_of(r))
    r = parse_ktap(DUPLICATE_RESULT)
    c.check("duplicate result: reported", not r.ok and "duplicate" in errors_of(r), errors_of(r))
    r = parse_ktap(OUT_OF_ORDER)
    c.check("out-of-order results: reported", not r.ok and "expected 1" in errors_of(r),
            errors_of(r))
    r = parse_ktap(SUITE_OK_CASE_FAILED)
    c.check("suite ok with a failed case: reported", "says ok" in errors_of(r), errors_of(r))


def test_judge(c):
    """judge() names the cause from QEMU's exit and the report."""
    passing = parse_ktap(ALL_PASS)
    failing = parse_ktap(ONE_FAILS)
    crashed = parse_ktap(CRASH_AFTER_PARTIAL)
    hung = parse_ktap(CRASH_AFTER_PARTIAL.split("EXCEPTION")[0])

    status, cause = judge(Run(exit_status=33), passing, 60)
    c.check("judge: 33 + clean report = PASS", status == "PASS", cause)
    status, cause = judge(Run(exit_status=35), failing, 60)
    c.check("judge: 35 + failed case = FAIL naming buddy.merge",
            status == "FAIL" and "buddy.merge" in cause and "test_buddy.c:42" in cause, cause)
    status, cause = judge(Run(exit_status=33), failing, 60)
    c.check("judge: 33 but a case failed = FAIL", status == "FAIL" and "buddy.merge" in cause,
            cause)
    status, cause = judge(Run(exit_status=35), passing, 60)
    c.check("judge: 35 but nothing failed = FAIL", status == "FAIL", cause)
    status, cause = judge(Run(exit_status=33), parse_ktap(TOTALS_MISMATCH), 60)
    c.check("judge: 33 + inconsistent report = FAIL", status == "FAIL" and "totals" in cause,
            cause)
    status, cause = judge(Run(exit_status=37), crashed, 60)
    c.check("judge: 37 = CRASH naming #PF", status == "CRASH" and "#PF" in cause, cause)
    status, cause = judge(Run(exit_status=0), hung, 60)
    c.check("judge: status 0 (triple fault) = CRASH", status == "CRASH" and "status 0" in cause,
            cause)
    status, cause = judge(Run(timed_out=True, silent_for=17), hung, 20)
    c.check("judge: killed = TIMEOUT with the silence",
            status == "TIMEOUT" and cause.startswith("timeout after 20 s (no output for 17 s)"),
            cause)
    test_must_run(c)
    status, cause = judge(Run(exit_status=33), parse_ktap("hello\n"), 60)
    c.check("judge: 33 without KTAP = FAIL 'no KTAP output'",
            status == "FAIL" and "no KTAP output" in cause, cause)


def test_must_run(c):
    """A configuration fails when a case it must run was skipped."""
    must = find_config("hugetlb-6g").must_run

    def verdict(log, patterns=must, run=Run(exit_status=33)):
        ktap = parse_ktap(log)
        status, cause = judge(run, ktap, 60)
        return require_cases(status, cause, ktap, patterns)

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
    bios_usb = find_config("bios-usb")
    cmd = qemu_command(bios_usb, Path("/x/a,b.iso"), Path("/x/l.log"),
                              accel=["-accel", "tcg"])
    joined = " ".join(cmd)
    c.check("qemu: usb stick on xhci, booted first",
            "qemu-xhci" in cmd and "usb-storage,drive=stick,bootindex=0" in cmd, joined)
    c.check("qemu: comma in the ISO path doubled", "file=/x/a,,b.iso" in joined, joined)
    c.check("qemu: debug exit device and no reboot",
            "isa-debug-exit,iobase=0xf4,iosize=0x04" in cmd and "-no-reboot" in cmd, joined)
    try:
        uefi = qemu_command(find_config("uefi-cd"), Path("/x/a.iso"),
                                   Path("/x/l.log"), accel=[])
        c.check("qemu: uefi uses OVMF via -bios",
                "-bios" in uefi and "OVMF" in uefi[uefi.index("-bios") + 1], uefi)
    except RunnerError as e:
        c.check("qemu: uefi firmware found", False, e)

    names = [x.name for x in select(CONFIGS, ["bios-cd", "uefi-usb"], [])]
    c.check("--only picks by name, in table order", names == ["bios-cd", "uefi-usb"], names)
    names = [x.name for x in select(CONFIGS, [], ["boot"])]
    c.check("--group boot has the four boot configurations",
            names == ["bios-cd", "bios-usb", "uefi-cd", "uefi-usb"], names)
    try:
        select(CONFIGS, ["no-such-config"], [])
        c.check("--only with an unknown name is an error", False)
    except SystemExit:
        c.check("--only with an unknown name is an error", True)
    adjusted = adjust(find_config("bios-cd"), 2.5, "loglevel=7")
    c.check("--timeout-scale and --cmdline-extra apply",
            adjusted.timeout == 300 and adjusted.cmdline == "test=all loglevel=7", adjusted)
