# SPDX-License-Identifier: MIT
"""Self-test part two: real boots of the deliberately broken suites of
tests/kernel/test_runner_selftest.c (make KTEST=selftest)."""

import contextlib
import dataclasses
import io
import re
import textwrap

import qemu
from boot import exit_code, print_summary, run_all
from configs import find_config
from qemu import EXIT_FAIL, read_log
from verdict import require_cases


def broken_configs(scale):
    """bios-cd with the runner_* suites (in the self-test image) and
    short timeouts; then a normal image asked for tests, and the test
    image asked for a runner_* suite, which only the self-test image has."""
    base = find_config("bios-cd")

    def variant(suite, timeout, ktest="selftest", name=None):
        return dataclasses.replace(base, name=name or f"self-{suite[len('runner_'):]}",
                                   cmdline=f"test={suite}", ktest=ktest,
                                   timeout=timeout * scale, groups=())
    return [variant("runner_fail", 60), variant("runner_fault", 60),
            variant("runner_hang", 20), variant("runner_skip", 60),
            variant("all", 60, ktest="0", name="self-no-tests"),
            variant("runner_fail", 60, ktest="1", name="self-not-in-ktest")]


def log_has(result, text):
    return text in read_log(result.log)


def test_boots(c, jobs, scale):
    """Each broken suite must fail the run, for the right reason."""
    configs = broken_configs(scale)
    results = run_all(configs, jobs, True, qemu.QEMU)
    fail, fault, hang, skip, no_tests, not_in_ktest = results
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
    status, cause = require_cases(skip.status, skip.cause, skip.ktap,
                                         ("runner_skip.skips_second",))
    c.check("runner_skip: where a configuration must run a case, its skip is a FAIL",
            status == "FAIL" and cause == "runner_skip.skips_second was skipped (skipped on "
            "purpose): this configuration must run it", (status, cause))

    c.check("a normal image (KTEST=0) asked for tests fails, saying it has none",
            no_tests.status == "FAIL" and no_tests.exit_status == EXIT_FAIL
            and log_has(no_tests, "ktest: this image has no tests: build it with make KTEST=1"),
            (no_tests.status, no_tests.cause))
    c.check("the test image (KTEST=1) has no runner_* suite",
            not_in_ktest.status == "FAIL"
            and log_has(not_in_ktest, "ktest: no suite matches 'runner_fail'"),
            (not_in_ktest.status, not_in_ktest.cause))

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_summary(configs, results)
    last = out.getvalue().splitlines()[-1]
    m = re.fullmatch(r"(\d+) passed, (\d+) failed", last)
    c.check("the runner's summary ends with 'N passed, N failed', >= 3 failed",
            bool(m) and int(m.group(2)) >= 3, out.getvalue())
    c.check("the runner's exit status is non-zero", exit_code(results) != 0)
